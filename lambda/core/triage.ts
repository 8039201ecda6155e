/**
 * What eni-guard must never touch. Decided from the event alone where possible (no AWS call),
 * and again from EC2's current view of the interface.
 */
import type { EventContext, NetworkInterface } from './model';

/**
 * Interface types eni-guard changes. Every other type a customer can own (`trunk`, `branch`, a type
 * AWS adds tomorrow) is judged like any interface, but its fixes are withheld: its owner (ECS, the VPC
 * CNI, …) manages it, and a changed group there breaks workloads that eni-guard cannot see.
 */
export const MUTABLE_INTERFACE_TYPES: ReadonlySet<string> = new Set(['interface', 'efa', 'efa-only']);

/** Why an interface or a call is left alone. */
export type SkipReason = 'own-call' | 'requester-managed' | 'service-attachment';

/** A decision to leave something alone, with the reason the logs and CLI show. */
export interface Skip {
  readonly reason: SkipReason;
  readonly detail: string;
}

/**
 * Skips calls made by the responder itself (its fixes must not re-trigger it): sessions of its own
 * role, or — in organization mode — of the member role it acts through in the event's account. Only a
 * role session qualifies, and only when everything AWS says about it agrees: the session issuer is one
 * of those roles, and the session ARN (`arn:…:sts::ACCOUNT:assumed-role/ROLE/SESSION`) names the same account
 * and role. A record that merely mentions our role (an IAM user with a `sessionIssuer`, a session of
 * another account's role of the same name) is judged like any other call.
 */
export function triageCall(context: EventContext, ownRoles: string | readonly (string | undefined)[] | undefined): Skip | undefined {
  const { caller } = context;
  const issuer = caller.sessionIssuerArn;
  // An unset role (undefined) can never equal an issuer, which is a non-empty string.
  const roles = typeof ownRoles === 'string' ? [ownRoles] : ownRoles;
  if (caller.type !== 'AssumedRole' || !issuer || !roles?.includes(issuer)) return undefined;
  const [, partition, , , account, resource] = issuer.split(':');
  const roleName = resource?.split('/').pop();
  const session = caller.arn?.split(':');
  const sessionRole = session?.[5]?.split('/');
  const consistent =
    session?.[1] === partition &&
    session?.[2] === 'sts' &&
    session[4] === account &&
    sessionRole?.[0] === 'assumed-role' &&
    sessionRole[1] === roleName &&
    (caller.accountId === undefined || caller.accountId === account);
  if (!consistent) return undefined;
  return { reason: 'own-call', detail: `called by the responder's own role ${issuer}` };
}

/**
 * Skips interfaces an AWS service manages (Lambda, EFS, ELB, NAT gateways, endpoints, …), judged from
 * EC2's own description of the interface — never from what an event says about it, which anyone who
 * can write an event (a replayed file, a forged dead-letter message) controls.
 */
export function triageInterface(ni: Pick<NetworkInterface, 'requesterManaged' | 'interfaceType' | 'attachmentOwnerId'>): Skip | undefined {
  if (ni.requesterManaged) {
    return { reason: 'requester-managed', detail: `EC2 reports the ${ni.interfaceType} interface as requester-managed by an AWS service` };
  }
  // An attachment owned by a service, not an account (`amazon-elb`, `amazon-rds`, …).
  if (ni.attachmentOwnerId !== undefined && !/^\d{12}$/.test(ni.attachmentOwnerId)) {
    return { reason: 'service-attachment', detail: `EC2 reports the interface attached to ${ni.attachmentOwnerId}, an AWS service` };
  }
  return undefined;
}

/** Why fixes to this interface are withheld (a type eni-guard judges but does not change), or undefined. */
export function immutableType(ni: Pick<NetworkInterface, 'interfaceType'>): string | undefined {
  if (MUTABLE_INTERFACE_TYPES.has(ni.interfaceType)) return undefined;
  return `interface type ${ni.interfaceType}: eni-guard reports but does not change interfaces of this type (their owner manages them); fix it by hand`;
}
