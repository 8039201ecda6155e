/**
 * What eni-guard must never touch. Decided from the event alone where possible (no AWS call),
 * and again from EC2's current view of the interface.
 */
import type { EventContext } from './model';

/** Interface types a customer owns; every other type belongs to an AWS service. */
export const CUSTOMER_INTERFACE_TYPES: ReadonlySet<string> = new Set(['interface', 'efa', 'efa-only']);

/** Why an interface or a call is left alone. */
export type SkipReason = 'own-call' | 'requester-managed' | 'service-owned-type';

/** A decision to leave something alone, with the reason the logs and CLI show. */
export interface Skip {
  readonly reason: SkipReason;
  readonly detail: string;
}

/** Skips calls made by the responder itself (its fixes must not re-trigger it). */
export function triageCall(context: EventContext, responderRoleArn: string | undefined): Skip | undefined {
  const issuer = context.caller.sessionIssuerArn;
  if (responderRoleArn && issuer && issuer === responderRoleArn) {
    return { reason: 'own-call', detail: `called by the responder's own role ${issuer}` };
  }
  return undefined;
}

/** Skips interfaces an AWS service manages (Lambda, EFS, ELB, NAT gateways, endpoints, …). */
export function triageInterface(ni: { readonly requesterManaged?: boolean; readonly interfaceType?: string }): Skip | undefined {
  if (ni.requesterManaged === true) {
    return { reason: 'requester-managed', detail: 'interface is requester-managed by an AWS service' };
  }
  if (ni.interfaceType !== undefined && !CUSTOMER_INTERFACE_TYPES.has(ni.interfaceType)) {
    return { reason: 'service-owned-type', detail: `interface type ${ni.interfaceType} is owned by an AWS service` };
  }
  return undefined;
}
