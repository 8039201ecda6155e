/**
 * How the clients connect: the endpoint, Region, profile and credentials every client shares, the
 * retry settings, and the pool of clients that act as a role in another account (organization
 * mode's member roles, and `eni-guard undo` of a member's record).
 */
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { AssumedRoleCredentials } from '../adapters/assumed-role';

/** Where and as whom the AWS clients connect. Every field is optional: the SDK's defaults (and `AWS_*` variables) apply. */
export interface AwsConnection {
  /** An endpoint for every service (moto, LocalStack). The SDK also honours `AWS_ENDPOINT_URL`. */
  readonly endpoint?: string;
  readonly region?: string;
  /** A profile of the shared config/credentials files (as `AWS_PROFILE`). */
  readonly profile?: string;
  /** Explicit credentials; otherwise the standard credential chain. */
  readonly credentials?: EC2ClientConfig['credentials'];
}

// Adaptive retry backs off under EC2 throttling instead of failing the event.
export const RETRY = { maxAttempts: 5, retryMode: 'adaptive' } as const;

/** Only the keys that are set: an explicit `undefined` must not shadow the SDK's own resolution. */
export function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** EC2 and IAM clients of one account and Region, as one role of that account. */
export interface RoleClientSet {
  readonly ec2: EC2Client;
  readonly iam: IAMClient;
  readonly credentials: AssumedRoleCredentials;
}

/**
 * Clients that act as a role, cached per role and Region for the container's life: every client of
 * one role and Region shares one set of assumed credentials, from that Region's STS endpoint. The
 * role is assumed with the connection's own credentials (the function's role, or the operator's).
 */
export class RoleClients {
  private readonly pool = new Map<string, RoleClientSet>();
  private readonly sts = new Map<string, STSClient>();

  constructor(
    private readonly connection: AwsConnection = {},
    private readonly sessionName = 'eni-guard-hub',
  ) {}

  for(roleArn: string, region: string): RoleClientSet {
    const key = `${roleArn}/${region}`;
    let set = this.pool.get(key);
    if (!set) {
      const base = defined({ ...this.connection, region });
      let sts = this.sts.get(region);
      if (!sts) this.sts.set(region, (sts = new STSClient({ ...RETRY, ...base })));
      const credentials = new AssumedRoleCredentials(sts, roleArn, this.sessionName);
      // The assumed credentials replace the connection's own (and its profile) for these clients.
      const { profile: _profile, credentials: _own, ...where } = base;
      set = {
        credentials,
        ec2: new EC2Client({ ...RETRY, ...where, credentials: credentials.provider }),
        iam: new IAMClient({ ...RETRY, ...where, credentials: credentials.provider }),
      };
      this.pool.set(key, set);
    }
    return set;
  }

  /** AssumeRole calls made so far, over every role and Region (the scale bench reports it). */
  get assumptions(): number {
    return [...this.pool.values()].reduce((n, set) => n + set.credentials.assumptions, 0);
  }
}
