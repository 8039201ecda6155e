/** Classifies who made a call, from CloudTrail's `userIdentity` as normalised in `Caller`. */
import { accountOfArn, isInstanceId } from './ids';
import type { Caller, CredentialOrigin } from './model';

/** The kinds of caller rules and alerts distinguish. */
export type CallerKind =
  'root' | 'iam-user' | 'assumed-role' | 'service-linked-role' | 'aws-service' | 'ec2-instance' | 'lambda' | 'federated-user' | 'unknown';

/** What kind of principal the caller is. */
export function callerKind(caller: Caller): CallerKind {
  switch (caller.type) {
    case 'Root':
      return 'root';
    case 'IAMUser':
      return 'iam-user';
    case 'AWSService':
      return 'aws-service';
    case 'FederatedUser':
      return 'federated-user';
    case 'AssumedRole': {
      if (caller.sessionIssuerArn?.includes(':role/aws-service-role/')) return 'service-linked-role';
      // Only CloudTrail's own field says the credentials were delivered to an instance: any principal that
      // may assume a role can name its session after someone else's instance (see `impersonatedInstance`).
      if (caller.ec2RoleDelivery) return 'ec2-instance';
      if (caller.sessionName?.startsWith('awslambda_')) return 'lambda';
      return 'assumed-role';
    }
    default:
      return 'unknown';
  }
}

/**
 * The instance a role session is named after when CloudTrail does not say its credentials were
 * delivered to one: instance credentials are *suspected*, never assumed (nothing is done to that
 * instance on the strength of a name the caller chose).
 */
export function impersonatedInstance(caller: Caller): string | undefined {
  if (caller.type !== 'AssumedRole' || caller.ec2RoleDelivery || !caller.sessionName) return undefined;
  return isInstanceId(caller.sessionName) ? caller.sessionName : undefined;
}

/** The instance whose credentials made the call, when CloudTrail says they were an instance's: the session name. */
export function credentialInstance(caller: Caller): string | undefined {
  if (callerKind(caller) !== 'ec2-instance' || !caller.sessionName) return undefined;
  return isInstanceId(caller.sessionName) ? caller.sessionName : undefined;
}

/**
 * Proves that the call was made with `instanceId`'s own credentials — or says why it is not proven.
 * Proof is three facts, none of them the caller's to choose: CloudTrail's `ec2RoleDelivery`, the
 * session named after the instance, and EC2 confirming that the instance is associated with an
 * instance profile that carries the session's role.
 */
export function proveInstanceCredentials(
  caller: Caller,
  instanceId: string,
  origin: CredentialOrigin | undefined,
): { proven: boolean; reason: string } {
  if (!caller.ec2RoleDelivery) return { proven: false, reason: 'CloudTrail does not say the credentials were delivered to an instance' };
  if (caller.sessionName !== instanceId)
    return { proven: false, reason: `the session is named ${caller.sessionName ?? '?'}, not ${instanceId}` };
  if (!origin) return { proven: false, reason: `the instance profile of ${instanceId} was not read` };
  const shared = origin.associatedProfiles.filter((arn) => origin.roleProfiles.includes(arn));
  if (shared.length === 0) {
    return {
      proven: false,
      reason:
        origin.associatedProfiles.length === 0
          ? `${instanceId} has no instance profile associated`
          : `${instanceId}'s instance profile (${origin.associatedProfiles.join(', ')}) does not carry ${caller.sessionIssuerArn ?? 'the session role'}`,
    };
  }
  return {
    proven: true,
    reason: `${instanceId} is associated with ${shared[0]}, which carries ${caller.sessionIssuerArn ?? 'the session role'}`,
  };
}

/** The person or workload behind a call, as an alert names it (the session name often carries a user). */
export function actorOf(caller: Caller): string {
  const kind = callerKind(caller);
  if (kind === 'root') return `root user of ${caller.accountId ?? 'the account'}`;
  if (kind === 'iam-user') return `IAM user ${caller.userName ?? caller.arn ?? '?'}`;
  if (kind === 'ec2-instance') return `EC2 instance ${caller.sessionName ?? '?'} (role ${roleName(caller)})`;
  if (kind === 'lambda') return `Lambda function role ${roleName(caller)}`;
  if (kind === 'service-linked-role') return `AWS service (${roleName(caller)})`;
  if (kind === 'aws-service') return `AWS service ${caller.invokedBy ?? ''}`.trim();
  if (kind === 'assumed-role') return `${caller.sessionName ?? '?'} via role ${roleName(caller)}`;
  return caller.arn ?? caller.type;
}

function roleName(caller: Caller): string {
  return caller.sessionIssuerArn?.split('/').pop() ?? caller.arn?.split('/')[1] ?? '?';
}

/** The credentials eni-guard could revoke for this caller, or why it cannot. */
export type RevocableCredentials =
  | { readonly type: 'role'; readonly roleName: string; readonly roleArn: string }
  | { readonly type: 'user'; readonly userName: string; readonly accessKeyId: string; readonly userArn: string }
  | { readonly type: 'none'; readonly reason: string };

/**
 * A role session is revoked on its role (an inline deny for sessions issued before now); an IAM
 * user's long-term access key (`AKIA…`) is deactivated. Console sessions of IAM users, root and
 * federated users have nothing eni-guard can safely revoke. A principal is its full ARN: one of
 * another account than `account` (the account the event is about, where eni-guard acts) is never
 * revoked here — `arn:…:999999999999:role/Admin` is not this account's `Admin`.
 */
export function revocableCredentials(caller: Caller, account: string): RevocableCredentials {
  const kind = callerKind(caller);
  if ((kind === 'assumed-role' || kind === 'ec2-instance' || kind === 'lambda') && caller.sessionIssuerArn?.includes(':role/')) {
    const owner = accountOfArn(caller.sessionIssuerArn);
    if (owner !== account)
      return { type: 'none', reason: `role ${caller.sessionIssuerArn} belongs to account ${owner ?? '?'}, not ${account}` };
    return { type: 'role', roleName: caller.sessionIssuerArn.split('/').pop()!, roleArn: caller.sessionIssuerArn };
  }
  if (kind === 'iam-user' && caller.userName && caller.accessKeyId?.startsWith('AKIA')) {
    const owner = accountOfArn(caller.arn) ?? caller.accountId;
    if (owner !== account)
      return { type: 'none', reason: `IAM user ${caller.arn ?? caller.userName} belongs to account ${owner ?? '?'}, not ${account}` };
    return { type: 'user', userName: caller.userName, accessKeyId: caller.accessKeyId, userArn: caller.arn ?? '' };
  }
  if (kind === 'iam-user')
    return { type: 'none', reason: 'an IAM user console session (temporary key): disable the user’s console access by hand' };
  if (kind === 'root') return { type: 'none', reason: 'root credentials cannot be revoked automatically: rotate them and check MFA now' };
  return { type: 'none', reason: `${kind} credentials cannot be revoked automatically` };
}
