/**
 * Decisions onto an EventBridge bus (opt-in, `eniGuard:decisionEvents=true`): `source: eni-guard`,
 * `detail-type: eni-guard Decision`, the alert's JSON document as `detail` (lambda/core/decision-event.ts).
 * `PutEvents` succeeds as a call even when an entry fails: each entry's `ErrorCode` is checked, and
 * throttled or internal failures are sent again.
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { isTransient, SinkDeliveryError, type DecisionObserver, type MetricsPort } from '../app/ports';
import { renderAlert, type Alert } from '../core/alert';
import type { Decision } from '../core/decision';
import { decisionEventOf, publishesDecisionEvent } from '../core/decision-event';
import { decisionEventMetric } from '../core/metrics';
import { sendWithPartialRetries, wrap } from './errors';

/** Settings of the decision-event sink. */
export interface DecisionEventSettings {
  /** The bus's name or ARN (`default`: the account's default bus). */
  readonly eventBusName: string;
  /** What the deployed function adds to every alert (exact undo command, record). @default none */
  readonly enrich?: (alert: Alert) => Promise<Alert>;
  readonly metrics?: MetricsPort;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Pause between retries of entries EventBridge reported failed with a transient code. @default 100 ms */
  readonly backoffMs?: number;
}

/** The decision-event sink. */
export class EventBridgeDecisions implements DecisionObserver {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly settings: DecisionEventSettings,
  ) {}

  async decided(decision: Decision): Promise<void> {
    if (!publishesDecisionEvent(decision)) return;
    const rendered = renderAlert(decision);
    const alert = this.settings.enrich ? await this.settings.enrich(rendered) : rendered;
    const entry = decisionEventOf(alert.document, this.settings.eventBusName, (this.settings.now ?? (() => new Date()))());
    let failed;
    try {
      failed = await sendWithPartialRetries(
        [entry],
        async (pending) => {
          const out = await this.client.send(new PutEventsCommand({ Entries: [...pending] }));
          return (out.Entries ?? []).flatMap((result, i) =>
            result.ErrorCode ? [{ item: pending[i]!, code: result.ErrorCode, message: result.ErrorMessage ?? '' }] : [],
          );
        },
        { ...(this.settings.backoffMs !== undefined ? { backoffMs: this.settings.backoffMs } : {}) },
      );
    } catch (error) {
      const wrapped = wrap('PutEvents', error);
      throw new SinkDeliveryError(wrapped.message, { entries: [entry] }, wrapped.retryable, { cause: error, code: wrapped.code });
    }
    if (failed.length > 0) {
      throw new SinkDeliveryError(
        `PutEvents: the decision event was not accepted: ${failed.map((f) => `${f.code}: ${f.message}`).join('; ')}`,
        { entries: failed.map((f) => f.item) },
        failed.some((f) => isTransient({ name: f.code })),
        { code: failed[0]!.code },
      );
    }
    this.settings.metrics?.record([decisionEventMetric()]);
  }
}
