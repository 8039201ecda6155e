/**
 * Decisions as EventBridge events: `source: eni-guard`, `detail-type: eni-guard Decision`, and as
 * `detail` the same versioned JSON document the alert carries (alert/schema.json), so automation
 * subscribes with a rule instead of parsing mail. `resources` holds the interface's ARN first, then
 * its groups' and its instance's, so a rule can match on them too.
 */
import type { AlertDocument } from './alert';
import { fitDocument, type MessageDocument } from './alert-message';
import { resourceArnsOf } from './arns';
import type { Decision } from './decision';

/** The `source` of every decision event. */
export const DECISION_EVENT_SOURCE = 'eni-guard';
/** The `detail-type` of every decision event. */
export const DECISION_EVENT_DETAIL_TYPE = 'eni-guard Decision';
/** EventBridge takes at most 256 KiB per entry (source, detail-type, detail, resources, time); the document gets this much of it. */
export const DECISION_EVENT_DETAIL_BUDGET = 256 * 1024 - 8 * 1024;

/** One `PutEvents` entry (the SDK's `PutEventsRequestEntry` accepts it as is). */
export interface DecisionEventEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly Resources: string[];
  readonly Time: Date;
  readonly EventBusName: string;
}

/**
 * Decisions that become events: every interface eni-guard judged (compliant, non-compliant, error)
 * or found gone. Interfaces AWS services own (skipped) and redeliveries (duplicate) do not.
 */
export function publishesDecisionEvent(decision: Decision): boolean {
  return (
    decision.outcome === 'compliant' || decision.outcome === 'noncompliant' || decision.outcome === 'error' || decision.outcome === 'gone'
  );
}

/** The event of a decision's document, cut to fit EventBridge when it must be (then `truncated` says so). */
export function decisionEventOf(document: AlertDocument, eventBusName: string, now: Date): DecisionEventEntry {
  // A ledger id left undefined is dropped with the rest of the detail's undefined values by JSON.stringify.
  const pointer = document.record ?? { ledgerId: document.ledgerId, eventId: document.eventId };
  const detail = fitDocument(document as unknown as MessageDocument, pointer, DECISION_EVENT_DETAIL_BUDGET);
  const ni = document.networkInterface;
  return {
    Source: DECISION_EVENT_SOURCE,
    DetailType: DECISION_EVENT_DETAIL_TYPE,
    Detail: JSON.stringify(detail),
    Resources: resourceArnsOf(
      document,
      ni.id,
      (ni.groups ?? []).map((g) => g.groupId),
      ni.attachedInstanceId,
    ),
    Time: now,
    EventBusName: eventBusName,
  };
}
