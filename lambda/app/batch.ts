/** Deciding many interfaces of one event or sweep page: the options, the result, bounded concurrency. */
import type { Alert } from '../core/alert';
import type { Decision } from '../core/decision';
import type { LedgerEntry } from '../core/ledger';
import type { InterfaceHint, NetworkInterface } from '../core/model';
import type { RetryLaterError } from './retry';

/** How one interface is decided when it is part of a batch (a group change's fan-out, a sweep page). */
export interface BatchOptions {
  /**
   * The interface as a listing just returned it: judged without another read. A decision that would
   * act re-reads the interface first (what we change must be current).
   */
  readonly current?: NetworkInterface;
  /** Group usage shared by the batch: each group is counted once, and every interface sees the same count. */
  readonly usage?: Map<string, number>;
  /** Keep the alert instead of publishing it (the batch publishes one combined alert). */
  readonly deferAlert?: boolean;
  /**
   * The interface of the batch that acts on the caller (revoke credentials, isolate): one call made
   * for N interfaces must be answered once, not N times. Others withhold it, naming this interface.
   */
  readonly callerHandledBy?: string;
  /** Called before an interface's ledger claim (a group change notes its interfaces first, once). */
  readonly beforeClaim?: () => Promise<void>;
}

/** One interface decided in a batch, with the alert it did not publish (`deferAlert`) and the ledger record to mark sent. */
export interface BatchDecision {
  readonly decision: Decision;
  readonly alert?: Alert;
  readonly unsent?: LedgerEntry;
  /** Handled and alerted, but the event must be delivered again (its ledger record is incomplete): raised once the batch's alert is out. */
  readonly retry?: RetryLaterError;
}

/** How many interfaces of a batch are decided at once: bounded, to stay well inside EC2's API rate limits. */
export const BATCH_CONCURRENCY = 4;

/** The hint a listed interface gives (what triage needs to skip service-owned interfaces without another call). */
export function hintOf(ni: NetworkInterface): InterfaceHint {
  return {
    networkInterfaceId: ni.networkInterfaceId,
    requesterManaged: ni.requesterManaged,
    interfaceType: ni.interfaceType,
    groupIds: ni.groups.map((g) => g.groupId),
    ...(ni.subnetId ? { subnetId: ni.subnetId } : {}),
    ...(ni.vpcId ? { vpcId: ni.vpcId } : {}),
  };
}

/** Runs `task` over `items` with at most `limit` in flight; waits for all, then rethrows the first failure. */
export async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
