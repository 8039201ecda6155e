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
