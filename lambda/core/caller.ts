/** Classifies who made a call, from CloudTrail's `userIdentity` as normalised in `Caller`. */
import type { Caller } from './model';

/** The kinds of caller rules and alerts distinguish. */
export type CallerKind =
  'root' | 'iam-user' | 'assumed-role' | 'service-linked-role' | 'aws-service' | 'ec2-instance' | 'lambda' | 'federated-user' | 'unknown';

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

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
      if (caller.ec2RoleDelivery || (caller.sessionName && INSTANCE_ID.test(caller.sessionName))) return 'ec2-instance';
      if (caller.sessionName?.startsWith('awslambda_')) return 'lambda';
      return 'assumed-role';
    }
    default:
      return 'unknown';
  }
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
  | { readonly type: 'user'; readonly userName: string; readonly accessKeyId: string }
  | { readonly type: 'none'; readonly reason: string };

/**
 * A role session is revoked on its role (an inline deny for sessions issued before now); an IAM
 * user's long-term access key (`AKIA…`) is deactivated. Console sessions of IAM users, root and
 * federated users have nothing eni-guard can safely revoke.
 */
export function revocableCredentials(caller: Caller): RevocableCredentials {
  const kind = callerKind(caller);
  if ((kind === 'assumed-role' || kind === 'ec2-instance' || kind === 'lambda') && caller.sessionIssuerArn?.includes(':role/')) {
    return { type: 'role', roleName: caller.sessionIssuerArn.split('/').pop()!, roleArn: caller.sessionIssuerArn };
  }
  if (kind === 'iam-user' && caller.userName && caller.accessKeyId?.startsWith('AKIA')) {
    return { type: 'user', userName: caller.userName, accessKeyId: caller.accessKeyId };
  }
  if (kind === 'iam-user')
    return { type: 'none', reason: 'an IAM user console session (temporary key): disable the user’s console access by hand' };
  if (kind === 'root') return { type: 'none', reason: 'root credentials cannot be revoked automatically: rotate them and check MFA now' };
  return { type: 'none', reason: `${kind} credentials cannot be revoked automatically` };
}
