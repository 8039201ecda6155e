/**
 * Failures that mean "deliver this event again later": the invocation fails, so Lambda (and
 * EventBridge) retry it; the CLI exits 3 and prints the message. Each says what was done so far.
 */
import { responseOf, type Decision } from '../core/decision';

/** Base of the errors after which a later delivery finishes the job. */
export class RetryLaterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/** Another invocation holds the interface's ledger claim (or held it and died: its lease has not run out). */
export class ClaimHeldError extends RetryLaterError {
  constructor(
    readonly ledgerId: string,
    leaseUntil: Date | undefined,
  ) {
    super(
      `${ledgerId} is claimed by another invocation${leaseUntil ? ` until ${leaseUntil.toISOString()}` : ''}: not handled now, the event must be delivered again (a claim whose holder died is taken over once its lease ends)`,
    );
    this.name = 'ClaimHeldError';
  }
}

/** A fix failed on a transient error or did not verify: recorded as incomplete; the next delivery retries it. */
export class RemediationIncompleteError extends RetryLaterError {
  constructor(
    readonly ledgerId: string,
    readonly attempt: number,
    detail: string,
  ) {
    super(`${ledgerId}: not fixed yet on attempt ${attempt} (${detail}); recorded as incomplete, the next delivery retries it`);
    this.name = 'RemediationIncompleteError';
  }
}

/** The fix is made and alerted, but its ledger record could not be completed: the next delivery completes it from what AWS shows. */
export class LedgerIncompleteError extends RetryLaterError {
  constructor(
    readonly ledgerId: string,
    detail: string,
  ) {
    super(`${ledgerId}: fixed and alerted, but the ledger record is incomplete (${detail}); the next delivery completes it`);
    this.name = 'LedgerIncompleteError';
  }
}

/** A batch (a group change) in which some interfaces were handled and some not: says which, so nothing done goes unreported. */
export class BatchIncompleteError extends RetryLaterError {
  constructor(
    readonly decisions: readonly Decision[],
    readonly failures: readonly { readonly networkInterfaceId: string; readonly error: string }[],
    what: string,
  ) {
    const done = decisions.map((d) => `${d.networkInterfaceId} ${d.outcome}${d.plan ? `/${responseOf(d)}` : ''}`).join(', ');
    const failed = failures.map((f) => `${f.networkInterfaceId}: ${f.error}`).join('; ');
    super(
      `${what}: ${decisions.length} interface(s) handled (${done || 'none'}), ${failures.length} not yet (${failed}); the event must be delivered again`,
    );
    this.name = 'BatchIncompleteError';
  }
}
