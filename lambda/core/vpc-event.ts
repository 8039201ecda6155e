/**
 * Parses the CloudTrail calls that create a VPC (`CreateVpc`, `CreateDefaultVpc`) into the VPC they
 * point at. Like every event, it is only a pointer: the VPC is described from EC2 before anything
 * is judged or enabled, and the id must be a VPC id before it reaches a filter.
 */
import { obj, str, type JsonObject } from './cloudtrail';
import { describeType, parseCall, type ParsedEvent } from './event';
import { isVpcId } from './ids';
import type { EventContext } from './model';

/** The calls that create a VPC: the EventBridge rule of the flow-log baseline matches exactly these. */
export const VPC_EVENT_NAMES = ['CreateVpc', 'CreateDefaultVpc'] as const;

/** The result of parsing a delivered VPC event. */
export type ParsedVpcEvent =
  | { readonly kind: 'vpc'; readonly context: EventContext; readonly vpcId: string }
  | Extract<ParsedEvent, { readonly kind: 'ignored' | 'invalid' }>;

/** Parses an EventBridge event (or a bare CloudTrail record) about a new VPC. Never throws. */
export function parseVpcEvent(input: unknown): ParsedVpcEvent {
  const call = parseCall(input);
  if (call.kind !== 'call') return call;
  const { context, record, prefix } = call;
  if (!(VPC_EVENT_NAMES as readonly string[]).includes(context.eventName)) {
    return { kind: 'ignored', reason: 'unsupported-event', detail: `eventName ${context.eventName}`, context };
  }
  return vpcOf(record, context, prefix);
}

/** Both calls answer with `responseElements.vpc.vpcId` (the request names no VPC: it is being made). */
function vpcOf(record: JsonObject, context: EventContext, prefix: string): ParsedVpcEvent {
  const vpc = obj(obj(record, 'responseElements'), 'vpc');
  const vpcId = str(vpc, 'vpcId');
  if (!vpcId || !isVpcId(vpcId)) {
    return {
      kind: 'invalid',
      problems: [
        `${prefix}responseElements.vpc.vpcId: a successful ${context.eventName} must name the VPC by id (vpc- and 8 or 17 hex digits; got ${describeType(vpc?.['vpcId'])})`,
      ],
      eventId: context.eventId,
    };
  }
  return { kind: 'vpc', context, vpcId };
}
