/**
 * Redelivery: the same event delivered again (EventBridge and Lambda deliver at least once). The
 * ledger record it finds decides: never act twice; a claim still held means "not now" (the
 * invocation fails and is retried, it never passes for a duplicate); publish the recorded alert
 * only if the first attempt could not; record that an alert went out.
 */
import { alertOf, renderAlert, type Alert } from '../core/alert';
import type { Decision } from '../core/decision';
import { findingOf, type LedgerEntry } from '../core/ledger';
import type { BatchDecision } from './batch';
import type { AlertDelivery } from './delivery';
import type { LedgerPort, LogPort } from './ports';
import { ClaimHeldError } from './retry';

/** Said on an alert published again: the attempt that first published it may have died before it could record that. */
const REPEAT =
  'published again on a redelivery: the attempt that first published it stopped before it could record that it had, so you may have received it already';

/** Answers a delivery whose ledger record already exists. */
export class Redelivery {
  constructor(
    private readonly delivery: AlertDelivery,
    private readonly log: LogPort,
  ) {}

  /**
   * A redelivered event whose record is held or final. Held (a live claim, or one whose holder died
   * and whose lease has not run out): throws `ClaimHeldError`, so the event is delivered again later.
   * Final: never act twice; publish the recorded alert only if the first attempt could not.
   */
  async duplicate(draft: Decision, held: LedgerEntry, ledger: LedgerPort, defer: boolean, leaseUntil?: Date): Promise<BatchDecision> {
    const { eventId } = draft.context;
    if (held.status === 'in-progress' || held.status === 'incomplete') {
      this.log.warn('redelivery: the ledger claim is held; not handled now', { eventId, ledgerId: held.ledgerId, leaseUntil });
      throw new ClaimHeldError(held.ledgerId, leaseUntil);
    }
    const decision: Decision = {
      ...draft,
      outcome: 'duplicate',
      reason: `already handled (${held.status})`,
      results: held.results ?? [],
      plan: held.plan,
    };
    if (held.alertSent !== false) {
      this.log.info('duplicate delivery: already handled', { eventId, ledgerId: held.ledgerId, status: held.status });
      return { decision };
    }
    const alert = repeatOf(held.alert ?? this.rerender(draft, held));
    if (defer) {
      // The batch re-publishes it inside its combined alert.
      this.log.warn('duplicate delivery: the recorded alert may not have been delivered; the batch publishes it again', {
        eventId,
        ledgerId: held.ledgerId,
      });
      return { decision, alert, unsent: held };
    }
    this.log.warn('duplicate delivery: re-publishing the recorded alert, which may not have been delivered', {
      eventId,
      ledgerId: held.ledgerId,
    });
    await this.delivery.publish(eventId, alert);
    await this.markAlertSent(ledger, held);
    return { decision };
  }

  /** Records that the record's alert went out; never fails the invocation (at worst a redelivery publishes it once more). */
  async markAlertSent(ledger: LedgerPort, entry: LedgerEntry): Promise<void> {
    try {
      const { alert: _alert, ...rest } = entry;
      await ledger.save({ ...rest, alertSent: true }, entry.status);
    } catch (error) {
      // The alert is out; at worst a redelivery publishes it once more. Never fail the invocation for this.
      this.log.warn('could not record that the alert was sent', {
        ledgerId: entry.ledgerId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** The alert of a completed record, rendered again from the record and the redelivered event (the record keeps no copy). */
  private rerender(draft: Decision, held: LedgerEntry): Alert {
    const findings = draft.findings.length > 0 ? draft.findings : (held.findings ?? []).map(findingOf);
    return renderAlert({
      ...draft,
      findings,
      ...(findings.length > 0 ? { outcome: 'noncompliant' as const } : {}),
      results: held.results ?? [],
      ...(held.plan ? { plan: held.plan } : {}),
      ledgerId: held.ledgerId,
    });
  }
}

function repeatOf(alert: Alert): Alert {
  if (alert.document.possibleRepeat) return alert;
  const again = alertOf({ ...alert.document, possibleRepeat: REPEAT });
  // A combined or enriched alert keeps its own subject and attributes; only the document and text say it is a repeat.
  return { ...alert, document: again.document, text: `${alert.text}\n\nNote: ${REPEAT}.` };
}
