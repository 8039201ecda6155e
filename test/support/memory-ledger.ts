/** An in-memory ledger with the DynamoDB ledger's conditional semantics (claims, takeovers, versioned saves), for unit tests. */
import { LedgerConflictError, type Claim, type LedgerPort } from '../../lambda/app/ports';
import { claimable, resumeEntry, type LedgerEntry, type LedgerStatus } from '../../lambda/core/ledger';

export class MemoryLedger implements LedgerPort {
  readonly entries = new Map<string, { entry: LedgerEntry; leaseUntil: number }>();

  claim(entry: LedgerEntry, leaseUntil: Date, now: Date): Promise<Claim> {
    const held = this.entries.get(entry.ledgerId);
    if (!held) {
      const first: LedgerEntry = { ...entry, status: 'in-progress', attempt: 1 };
      this.entries.set(entry.ledgerId, { entry: structuredClone(first), leaseUntil: leaseUntil.getTime() });
      return Promise.resolve({ kind: 'claimed', entry: structuredClone(first) });
    }
    if (!claimable(held.entry, new Date(held.leaseUntil), now)) {
      return Promise.resolve({ kind: 'held', entry: structuredClone(held.entry), leaseUntil: new Date(held.leaseUntil) });
    }
    const next = resumeEntry(held.entry, entry);
    this.entries.set(entry.ledgerId, { entry: structuredClone(next), leaseUntil: leaseUntil.getTime() });
    return Promise.resolve({ kind: 'claimed', entry: structuredClone(next) });
  }

  save(entry: LedgerEntry, expected?: LedgerStatus): Promise<void> {
    const held = this.entries.get(entry.ledgerId);
    if (expected && (held?.entry.status !== expected || (entry.attempt !== undefined && held.entry.attempt !== entry.attempt))) {
      return Promise.reject(new LedgerConflictError(entry.ledgerId, expected));
    }
    this.entries.set(entry.ledgerId, { entry: structuredClone(entry), leaseUntil: held?.leaseUntil ?? 0 });
    return Promise.resolve();
  }

  countFixes(networkInterfaceId: string, since: Date): Promise<number> {
    const fixed = [...this.entries.values()].filter(
      ({ entry }) =>
        entry.networkInterfaceId === networkInterfaceId &&
        entry.createdAt >= since.toISOString() &&
        (entry.results ?? []).some((r) => r.status === 'succeeded'),
    );
    return Promise.resolve(fixed.length);
  }

  readonly batches = new Map<string, string[]>();

  noteBatch(eventId: string, networkInterfaceIds: readonly string[]): Promise<void> {
    if (networkInterfaceIds.length > 0) this.batches.set(eventId, [...new Set(networkInterfaceIds)]);
    return Promise.resolve();
  }

  batchOf(eventId: string): Promise<readonly string[]> {
    return Promise.resolve(this.batches.get(eventId) ?? []);
  }

  get(ledgerId: string): Promise<LedgerEntry | undefined> {
    const held = this.entries.get(ledgerId);
    return Promise.resolve(held ? structuredClone(held.entry) : undefined);
  }
}
