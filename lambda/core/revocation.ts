/**
 * Credential revocation, the one write IAM cannot scope: `PutRolePolicy` takes any document. It is
 * done by a separate small function (lambda/functions/revoker.ts) whose code can write exactly one
 * document — the inline deny of sessions issued before a moment — and deactivate (never activate) an
 * access key. The responder only asks; a compromised responder can ask for nothing else.
 */

/** Name of the inline policy that revokes a role's older sessions. */
export const REVOKE_POLICY_NAME = 'eni-guard-revoke-older-sessions';

/** How far in the future a revocation's cut-off may lie (clock skew), so it never denies sessions not yet issued. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** What the responder may ask the revoker to do. */
export type RevocationRequest = (
  | { readonly operation: 'RevokeRoleSessions'; readonly input: { readonly RoleName: string; readonly IssuedBefore: string } }
  | { readonly operation: 'DeactivateAccessKey'; readonly input: { readonly UserName: string; readonly AccessKeyId: string } }
) & {
  /** Organization mode: the member account the principal is in (the revoker acts there, through its member role). */
  readonly account?: string;
};

/** IAM's grammar for role and user names (1–64 of `\w+=,.@-`). */
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
/** Access key ids: `AKIA` (long-term) and 16 upper-case letters or digits. Temporary keys cannot be deactivated. */
const ACCESS_KEY_ID = /^AKIA[A-Z0-9]{16}$/;

/** Raised for a request the revoker refuses. */
export class RevocationRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RevocationRefusedError';
  }
}

/**
 * Checks a request against the revoker's contract, at `now`: exactly the two operations, names in
 * IAM's grammar, a cut-off that is a real timestamp no later than now (plus clock skew) — a cut-off
 * in the future would deny the role's sessions yet to come, turning a revocation into an outage.
 */
export function parseRevocationRequest(value: unknown, now: Date): RevocationRequest {
  if (typeof value !== 'object' || value === null) throw new RevocationRefusedError('the request must be an object');
  const { operation, input, account, ...rest } = value as { operation?: unknown; input?: unknown; account?: unknown };
  if (Object.keys(rest).length > 0) throw new RevocationRefusedError(`unknown field(s): ${Object.keys(rest).join(', ')}`);
  if (account !== undefined && (typeof account !== 'string' || !/^\d{12}$/.test(account))) {
    throw new RevocationRefusedError('account must be a 12-digit account id');
  }
  const where = account !== undefined ? { account } : {};
  if (typeof input !== 'object' || input === null) throw new RevocationRefusedError('input must be an object');
  const fields = input as Record<string, unknown>;
  const only = (...keys: string[]) => {
    const extra = Object.keys(fields).filter((k) => !keys.includes(k));
    if (extra.length > 0) throw new RevocationRefusedError(`unknown input field(s): ${extra.join(', ')}`);
  };
  if (operation === 'RevokeRoleSessions') {
    only('RoleName', 'IssuedBefore');
    const { RoleName, IssuedBefore } = fields;
    if (typeof RoleName !== 'string' || !IAM_NAME.test(RoleName)) throw new RevocationRefusedError('RoleName is not an IAM role name');
    if (typeof IssuedBefore !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/.test(IssuedBefore)) {
      throw new RevocationRefusedError('IssuedBefore must be an ISO-8601 UTC timestamp');
    }
    const cutOff = Date.parse(IssuedBefore);
    if (Number.isNaN(cutOff)) throw new RevocationRefusedError('IssuedBefore is not a date');
    if (cutOff > now.getTime() + MAX_CLOCK_SKEW_MS) {
      throw new RevocationRefusedError(`IssuedBefore ${IssuedBefore} is in the future: it would deny sessions not yet issued`);
    }
    return { operation, input: { RoleName, IssuedBefore }, ...where };
  }
  if (operation === 'DeactivateAccessKey') {
    only('UserName', 'AccessKeyId');
    const { UserName, AccessKeyId } = fields;
    if (typeof UserName !== 'string' || !IAM_NAME.test(UserName)) throw new RevocationRefusedError('UserName is not an IAM user name');
    if (typeof AccessKeyId !== 'string' || !ACCESS_KEY_ID.test(AccessKeyId)) {
      throw new RevocationRefusedError('AccessKeyId is not a long-term access key id (AKIA…)');
    }
    return { operation, input: { UserName, AccessKeyId }, ...where };
  }
  throw new RevocationRefusedError(`unknown operation ${JSON.stringify(operation)}: only RevokeRoleSessions and DeactivateAccessKey`);
}

/** The only document the revoker writes: deny everything to sessions issued before `issuedBefore`. */
export function revocationDocument(issuedBefore: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'EniGuardRevokeOlderSessions',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { DateLessThan: { 'aws:TokenIssueTime': issuedBefore } },
      },
    ],
  });
}
