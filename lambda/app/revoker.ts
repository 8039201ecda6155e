/**
 * The revoker: the only code with the IAM writes IAM cannot scope. It takes a request, checks it
 * against its contract (lambda/core/revocation.ts), refuses any principal it must never touch — the
 * responder's role, its own, another account's, the policy's protected principals — and writes the one
 * fixed document, or deactivates (never activates) one long-term key. Undo is not here: it runs with
 * the operator's credentials (`eni-guard undo`).
 */
import { accountOfArn } from '../core/ids';
import {
  parseRevocationRequest,
  REVOKE_POLICY_NAME,
  RevocationRefusedError,
  revocationDocument,
  type RevocationRequest,
} from '../core/revocation';
import { globMatch } from '../core/rule';
import type { LogPort, RevocationPort, RevocationSender } from './ports';

/** Who the revoker never revokes, and where it acts. */
export interface RevokerSettings {
  /**
   * The account the revoker acts in: a principal of any other is refused. Absent (the CLI, in-process):
   * IAM answers for the credentials' own account, so every principal it names is of that account.
   */
  readonly account?: string;
  /** Role ARNs never revoked whatever the request says (the responder's, the revoker's own). */
  readonly neverRevoke: readonly string[];
  /** ARN patterns (`*`, `?`) of the policy's protected principals. */
  readonly protectedPrincipals: readonly string[];
  readonly now?: () => Date;
}

/** What the revoker did. */
export interface RevocationDone {
  readonly operation: RevocationRequest['operation'];
  readonly principalArn: string;
}

/** Carries out revocation requests; every refusal is a `RevocationRefusedError` naming why. */
export class Revoker implements RevocationSender {
  constructor(
    private readonly iam: RevocationPort,
    private readonly settings: RevokerSettings,
    private readonly log: LogPort,
  ) {}

  async send(value: unknown): Promise<RevocationDone> {
    const now = (this.settings.now ?? (() => new Date()))();
    const request = parseRevocationRequest(value, now);
    if (request.account !== undefined && this.settings.account !== undefined && request.account !== this.settings.account) {
      throw new RevocationRefusedError(`the request is for account ${request.account}; this revoker acts in ${this.settings.account}`);
    }
    if (request.operation === 'RevokeRoleSessions') {
      const arn = await this.iam.roleArn(request.input.RoleName);
      this.refuse(arn, `role ${request.input.RoleName}`);
      await this.iam.putRolePolicy(request.input.RoleName, REVOKE_POLICY_NAME, revocationDocument(request.input.IssuedBefore));
      this.log.warn('revoked role sessions', { roleArn: arn, issuedBefore: request.input.IssuedBefore });
      return { operation: request.operation, principalArn: arn };
    }
    const arn = await this.iam.userArn(request.input.UserName);
    this.refuse(arn, `user ${request.input.UserName}`);
    await this.iam.deactivateAccessKey(request.input.UserName, request.input.AccessKeyId);
    this.log.warn('deactivated access key', { userArn: arn, accessKeyId: request.input.AccessKeyId });
    return { operation: request.operation, principalArn: arn };
  }

  /** Throws unless the principal exists, is of this account, and is neither never-revoked nor protected. */
  private refuse(arn: string | undefined, what: string): asserts arn is string {
    const { account, neverRevoke, protectedPrincipals } = this.settings;
    const reason = !arn
      ? `${what} does not exist`
      : account !== undefined && accountOfArn(arn) !== account
        ? `${arn} is not of account ${account}`
        : neverRevoke.includes(arn)
          ? `${arn} is eni-guard's own role: never revoked`
          : protectedPrincipals.some((pattern) => globMatch(pattern, arn))
            ? `${arn} is a protected principal`
            : undefined;
    if (!reason) return;
    this.log.error('revocation refused', { what, reason });
    throw new RevocationRefusedError(reason);
  }
}
