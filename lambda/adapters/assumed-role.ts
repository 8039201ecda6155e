/**
 * Credentials of a role the hub assumes in a member account, shared by every client of that account
 * and Region and reused for their whole life: one AssumeRole per account, Region and container, and
 * another only shortly before they expire (role chaining caps them at one hour). A failed assumption
 * is not kept: the next call tries again.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { wrap } from './errors';

/** What SDK clients take as `credentials`. */
export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Credentials are renewed this long before they expire. */
const REFRESH_BEFORE_MS = 5 * 60_000;

/** A memoised AssumeRole. Use `provider` as a client's `credentials`. */
export class AssumedRoleCredentials {
  private held?: TemporaryCredentials;
  private pending?: Promise<TemporaryCredentials>;
  /** How many times the role was assumed (the bench counts them). */
  assumptions = 0;

  constructor(
    private readonly sts: STSClient,
    private readonly roleArn: string,
    private readonly sessionName: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The held credentials while they are fresh; otherwise one AssumeRole, shared by every caller waiting for it. */
  readonly provider = (): Promise<TemporaryCredentials> => {
    const held = this.held;
    if (held && (!held.expiration || held.expiration.getTime() - this.now() > REFRESH_BEFORE_MS)) return Promise.resolve(held);
    this.pending ??= this.assume()
      .then((credentials) => (this.held = credentials))
      .finally(() => (this.pending = undefined));
    return this.pending;
  };

  private async assume(): Promise<TemporaryCredentials> {
    this.assumptions += 1;
    let out;
    try {
      out = await this.sts.send(new AssumeRoleCommand({ RoleArn: this.roleArn, RoleSessionName: this.sessionName, DurationSeconds: 3600 }));
    } catch (error) {
      throw wrap('AssumeRole', error);
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${this.roleArn} returned no credentials`);
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
  }
}
