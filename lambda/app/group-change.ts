/**
 * A security-group rule change: every interface using the group is decided (remediation per
 * interface, as the policy says), and subscribers get one alert for the change, not one per interface.
 *
 * A change that cannot be finished in one go (an interface whose claim another invocation holds, a
 * fix to retry, a read that failed) reports what it did: the alert covers the interfaces handled
 * and names those still pending, then the invocation fails with the same account, so the event is
 * delivered again and a later alert reports the rest — each interface once.
 */
import { renderChangeAlert } from '../core/alert-batch';
import type { GroupChange } from '../core/event';
import type { EventContext, NetworkInterface } from '../core/model';
import type { BatchDecision, BatchOptions } from './batch';
import type { AlertDelivery } from './delivery';
import type { LedgerPort, LogPort } from './ports';
import type { Redelivery } from './redelivery';
import { BatchIncompleteError } from './retry';

/** Decides a batch of interfaces for one event (the responder's `decideBatch`). */
export type DecideBatch = (
  context: EventContext,
  interfaces: readonly NetworkInterface[],
  options: Omit<BatchOptions, 'current'> & { readonly onError?: (ni: NetworkInterface, error: unknown) => void },
) => Promise<BatchDecision[]>;

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Handles group changes with the responder's batch decisions, delivery and ledger. */
export class GroupChanges {
  constructor(
    private readonly decideBatch: DecideBatch,
    private readonly delivery: AlertDelivery,
    private readonly redelivery: Redelivery,
    private readonly log: LogPort,
    private readonly ledger: LedgerPort | undefined,
    private readonly describe: (networkInterfaceId: string) => Promise<NetworkInterface | undefined>,
  ) {}

  /** Interfaces an earlier delivery of the change noted that `found` lacks, as EC2 describes them now (gone ones left out). */
  async noted(eventId: string, found: ReadonlyMap<string, NetworkInterface>): Promise<NetworkInterface[]> {
    if (!this.ledger) return [];
    const ids = await this.ledger.batchOf(eventId).catch((error: unknown) => {
      // Without the note the change is still decided on what EC2 shows; only a dangling claim could be missed.
      this.log.warn('the interfaces a group change noted cannot be read', { eventId, error: message(error) });
      return [] as readonly string[];
    });
    const out: NetworkInterface[] = [];
    for (const id of ids.filter((i) => !found.has(i))) {
      const ni = await this.describe(id);
      if (ni) out.push(ni);
    }
    return out;
  }

  /** Decides every interface of the change, publishes one combined alert, and records it as sent; throws `BatchIncompleteError` when some are left. */
  async handle(context: EventContext, change: GroupChange, interfaces: readonly NetworkInterface[]): Promise<BatchDecision[]> {
    const usage = new Map<string, number>();
    const failures: { networkInterfaceId: string; error: string }[] = [];
    // Before the first claim, once: which interfaces this change claims, so a redelivery finds them all.
    let noting: Promise<void> | undefined;
    const ids = interfaces.map((ni) => ni.networkInterfaceId);
    const beforeClaim = () => (noting ??= this.ledger ? this.ledger.noteBatch(context.eventId, ids) : Promise.resolve());
    const batch = await this.decideBatch(context, interfaces, {
      usage,
      deferAlert: true,
      beforeClaim,
      onError: (ni, error) => failures.push({ networkInterfaceId: ni.networkInterfaceId, error: message(error) }),
    });
    // Handled, alerted, but not recorded: the event must come back to complete the record.
    for (const b of batch) if (b.retry) failures.push({ networkInterfaceId: b.decision.networkInterfaceId, error: b.retry.message });
    const decisions = batch.map((b) => b.decision);
    const evaluated: Record<string, number> = {};
    for (const d of decisions) evaluated[d.outcome] = (evaluated[d.outcome] ?? 0) + 1;
    const alerts = batch.flatMap((b) => (b.alert ? [b.alert] : []));
    const pending = failures.filter((f) => !batch.some((b) => b.decision.networkInterfaceId === f.networkInterfaceId && b.alert));
    const combined = renderChangeAlert(
      context,
      change,
      alerts,
      evaluated,
      pending.map((f) => ({ id: f.networkInterfaceId, reason: f.error })),
    );
    const summary = {
      eventId: context.eventId,
      groupId: change.groupId,
      rules: change.rules,
      interfaces: interfaces.length,
      evaluated,
      alerting: alerts.length,
      ...(failures.length > 0 ? { notYetHandled: failures } : {}),
    };
    if (failures.length > 0) this.log.error('group change decided in part; the event must be delivered again', summary);
    else this.log.info('group change decided', summary);
    if (combined) {
      await this.delivery.publish(context.eventId, combined);
      if (this.ledger) for (const b of batch) if (b.unsent) await this.redelivery.markAlertSent(this.ledger, b.unsent);
    }
    if (failures.length > 0)
      throw new BatchIncompleteError(decisions, failures, `group change ${change.groupId} (event ${context.eventId})`);
    return batch;
  }
}
