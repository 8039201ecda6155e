/**
 * Undo: restores the pre-state a ledger record holds, by replaying each succeeded action's undo
 * calls (newest first). The record is first moved to `undoing` with a conditional write, so two
 * operators racing to undo the same record cannot both replay it; it ends `undone` or
 * `undo-failed` (which may be retried: undo calls treat "already restored" errors as done).
 */
import type { LedgerPort } from './ports';
import type { LedgerEntry } from '../core/ledger';
import { UndoError, type Remediator, type UndoResult } from './remediator';

/**
 * The remediator that acts where a record's interface is: the caller's own clients, or — for a
 * member account's record in organization mode — clients that assume the record's undo role.
 */
export type RemediatorOf = (entry: LedgerEntry) => Remediator;

/** Undoes ledger records. */
export class Undoer {
  private readonly remediatorOf: RemediatorOf;

  constructor(
    private readonly ledger: LedgerPort,
    remediator: Remediator | RemediatorOf,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.remediatorOf = typeof remediator === 'function' ? remediator : () => remediator;
  }

  /** The record, for showing what an undo would do. */
  async show(ledgerId: string): Promise<LedgerEntry> {
    const entry = await this.ledger.get(ledgerId);
    if (!entry) throw new UndoError(`no ledger record ${ledgerId}`);
    return entry;
  }

  /** Restores the pre-state of `ledgerId`. Throws `UndoError` when it cannot be undone. */
  async undo(ledgerId: string): Promise<UndoResult> {
    const entry = await this.show(ledgerId);
    if (entry.status === 'undone') throw new UndoError(`${ledgerId} was already undone at ${entry.undo?.at ?? '?'}`);
    if (entry.status === 'in-progress') throw new UndoError(`${ledgerId} is still in progress; undo it once it completes`);
    if (entry.status === 'undoing') throw new UndoError(`an undo of ${ledgerId} started at ${entry.undo?.at ?? '?'} has not finished`);
    // Chosen before the record moves: a record whose undo role is unusable is refused untouched.
    const remediator = this.remediatorOf(entry);
    const started = this.now().toISOString();
    await this.ledger.save({ ...entry, status: 'undoing', undo: { at: started, calls: [] } }, entry.status);
    let result: UndoResult;
    try {
      result = await remediator.undo(entry);
    } catch (error) {
      // Nothing was replayed (nothing to undo, or irreversible): put the record back as it was.
      await this.ledger.save(entry, 'undoing');
      throw error;
    }
    await this.ledger.save(
      { ...entry, status: result.status, undo: { at: started, calls: result.calls, ...(result.error ? { error: result.error } : {}) } },
      'undoing',
    );
    return result;
  }
}
