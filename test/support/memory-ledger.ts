/** An in-memory ledger with the DynamoDB ledger's conditional semantics, for unit tests. */
import { LedgerConflictError, type LedgerPort } from '../../lambda/app/ports';
import type { LedgerEntry, LedgerStatus } from '../../lambda/core/ledger';

export class MemoryLedger implements LedgerPort {
  readonly entries = new Map<string, { entry: LedgerEntry; leaseUntil: number }>();

  claim(entry: LedgerEntry, leaseUntil: Date, now: Date): Promise<LedgerEntry | undefined> {
    const held = this.entries.get(entry.ledgerId);
    if (held && !(held.entry.status === 'in-progress' && held.leaseUntil < now.getTime()))
      return Promise.resolve(structuredClone(held.entry));
    this.entries.set(entry.ledgerId, { entry: structuredClone(entry), leaseUntil: leaseUntil.getTime() });
    return Promise.resolve(undefined);
  }

  save(entry: LedgerEntry, expected?: LedgerStatus): Promise<void> {
    const held = this.entries.get(entry.ledgerId);
    if (expected && held?.entry.status !== expected) return Promise.reject(new LedgerConflictError(entry.ledgerId, expected));
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

  get(ledgerId: string): Promise<LedgerEntry | undefined> {
    const held = this.entries.get(ledgerId);
    return Promise.resolve(held ? structuredClone(held.entry) : undefined);
  }
}
