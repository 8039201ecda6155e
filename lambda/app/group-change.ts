/**
 * A security-group rule change: every interface using the group is decided (remediation per
 * interface, as the policy says), and subscribers get one alert for the change, not one per interface.
 */
import { renderChangeAlert } from '../core/alert-batch';
import type { GroupChange } from '../core/event';
import type { EventContext, NetworkInterface } from '../core/model';
import type { BatchDecision, BatchOptions } from './batch';
import type { AlertDelivery } from './delivery';
import type { LedgerPort, LogPort } from './ports';
import type { Redelivery } from './redelivery';

/** Decides a batch of interfaces for one event (the responder's `decideBatch`). */
export type DecideBatch = (
  context: EventContext,
  interfaces: readonly NetworkInterface[],
  options: Omit<BatchOptions, 'current'>,
) => Promise<BatchDecision[]>;

/** Handles group changes with the responder's batch decisions, delivery and ledger. */
export class GroupChanges {
  constructor(
    private readonly decideBatch: DecideBatch,
    private readonly delivery: AlertDelivery,
    private readonly redelivery: Redelivery,
    private readonly log: LogPort,
    private readonly ledger: LedgerPort | undefined,
  ) {}

  /** Decides every interface of the change, publishes one combined alert, and records it as sent. */
  async handle(context: EventContext, change: GroupChange, interfaces: readonly NetworkInterface[]): Promise<BatchDecision[]> {
    const usage = new Map<string, number>();
    const batch = await this.decideBatch(context, interfaces, { usage, deferAlert: true });
    const decisions = batch.map((b) => b.decision);
    const evaluated: Record<string, number> = {};
    for (const d of decisions) evaluated[d.outcome] = (evaluated[d.outcome] ?? 0) + 1;
    const alerts = batch.flatMap((b) => (b.alert ? [b.alert] : []));
    const combined = renderChangeAlert(context, change, alerts, evaluated);
    this.log.info('group change decided', {
      eventId: context.eventId,
      groupId: change.groupId,
      rules: change.rules,
      interfaces: interfaces.length,
      evaluated,
      alerting: alerts.length,
    });
    if (combined) {
      await this.delivery.publish(context.eventId, combined);
      if (this.ledger) for (const b of batch) if (b.unsent) await this.redelivery.markAlertSent(this.ledger, b.unsent);
    }
    return batch;
  }
}
