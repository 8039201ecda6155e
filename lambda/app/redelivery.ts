/**
 * Redelivery: the same event delivered again (EventBridge and Lambda deliver at least once). The
 * ledger record it finds decides: never act twice; publish the recorded alert only if the first
 * attempt could not; record that an alert went out.
 */
import type { Decision } from '../core/decision';
import type { LedgerEntry } from '../core/ledger';
import type { BatchDecision } from './batch';
import type { AlertDelivery } from './delivery';
import type { LedgerPort, LogPort } from './ports';

/** Answers a delivery whose ledger record already exists. */
export class Redelivery {
  constructor(
    private readonly delivery: AlertDelivery,
    private readonly log: LogPort,
  ) {}

  /** A redelivered event: never act twice; publish the recorded alert only if the first attempt could not. */
  async duplicate(draft: Decision, held: LedgerEntry, ledger: LedgerPort, defer: boolean): Promise<BatchDecision> {
    const { eventId } = draft.context;
    if (held.status === 'in-progress') {
      this.log.info('duplicate delivery: another invocation is handling it', { eventId, ledgerId: held.ledgerId });
      return {
        decision: { ...draft, outcome: 'duplicate', reason: 'another invocation is handling this event', results: [], plan: undefined },
      };
    }
    const decision: Decision = {
      ...draft,
      outcome: 'duplicate',
      reason: `already handled (${held.status})`,
      results: held.results ?? [],
      plan: held.plan,
    };
    if (defer && held.alert && held.alertSent === false) {
      // The batch re-publishes it inside its combined alert.
      this.log.warn('duplicate delivery: the recorded alert was not delivered; the batch publishes it again', {
        eventId,
        ledgerId: held.ledgerId,
      });
      return { decision, alert: held.alert, unsent: held };
    }
    if (held.alert && held.alertSent === false) {
      this.log.warn('duplicate delivery: re-publishing the recorded alert, which was not delivered', { eventId, ledgerId: held.ledgerId });
      await this.delivery.publish(eventId, held.alert);
      await this.markAlertSent(ledger, held);
    } else {
      this.log.info('duplicate delivery: already handled', { eventId, ledgerId: held.ledgerId, status: held.status });
    }
    return { decision };
  }

  /** Records that the record's alert went out; never fails the invocation (at worst a redelivery publishes it once more). */
  async markAlertSent(ledger: LedgerPort, entry: LedgerEntry): Promise<void> {
    try {
      await ledger.save({ ...entry, alertSent: true }, entry.status);
    } catch (error) {
      // The alert is out; at worst a redelivery publishes it once more. Never fail the invocation for this.
      this.log.warn('could not record that the alert was sent', {
        ledgerId: entry.ledgerId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
