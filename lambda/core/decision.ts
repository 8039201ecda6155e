/** The record of what eni-guard decided and did for one interface: logged, alerted, returned. */
import type { Action, ExecutedCall } from './actions';
import type { RuleError } from './evaluate';
import type { ExemptedFinding, ExpiredExemption } from './exemptions';
import type { EventContext, Finding, NetworkInterface, Severity } from './model';
import { maxSeverity } from './model';
import type { Plan } from './plan/index';

/** The overall result for one interface. `duplicate`: this event was already handled for it (nothing done again). */
export type Outcome = 'skipped' | 'compliant' | 'noncompliant' | 'gone' | 'error' | 'duplicate';

export type { ExecutedCall } from './actions';

/** What happened when an action ran. */
export interface ActionResult {
  readonly action: Action;
  readonly status: 'succeeded' | 'failed';
  /** Which call failed and why. */
  readonly error?: string;
  readonly calls: readonly ExecutedCall[];
  /** Calls made to take back a half-done action (e.g. delete a group copy that was never swapped in). */
  readonly compensation?: readonly ExecutedCall[];
  /** Values earlier calls returned (e.g. `copy-of-sg-…` → the new group id): undo needs them. */
  readonly outputs: Readonly<Record<string, string>>;
  /** Re-read after acting: did the change really take? Absent when the action failed. */
  readonly verified?: boolean;
  readonly verification?: string;
  /** Which attempt (ledger claim) produced this result; absent: the first. */
  readonly attempt?: number;
  /** A failed call's error is transient (throttling, 5xx, a lost connection), or the fix did not verify: a later attempt may succeed. */
  readonly retryable?: boolean;
  /**
   * Set when a later attempt took this result's place (it redid the fix, adopted what this one left,
   * or rolled back what an interrupted attempt left half-made): history, listed for the record, but
   * it no longer decides whether the interface is fixed.
   */
  readonly superseded?: string;
}

/** One decision about one interface. */
export interface Decision {
  readonly context: EventContext;
  readonly networkInterfaceId: string;
  readonly outcome: Outcome;
  /** Why it was skipped, gone or errored. */
  readonly reason?: string;
  readonly networkInterface?: NetworkInterface;
  readonly findings: readonly Finding[];
  /** Findings an active exemption set aside (reported, never acted on). */
  readonly exempted: readonly ExemptedFinding[];
  /** Exemptions that matched but have expired (their findings stand). */
  readonly expiredExemptions: readonly ExpiredExemption[];
  readonly ruleErrors: readonly RuleError[];
  readonly plan?: Plan;
  readonly results: readonly ActionResult[];
  /** The ledger record of this decision (when it was recorded): `eni-guard undo <ledgerId>` restores the pre-state. */
  readonly ledgerId?: string;
  /** Set when the ledger record could not be written after acting: undo needs it, the function log has it whole. */
  readonly ledgerWarning?: string;
  /** Set when eni-guard stopped retrying a fix that did not take, and a human must finish it. */
  readonly escalation?: string;
  /** Set on an alert published again because an earlier attempt may have delivered it before it could record that. */
  readonly possibleRepeat?: string;
}

/** The results that decide whether the interface is fixed (superseded history left out). */
export function currentResults(decision: Pick<Decision, 'results'>): readonly ActionResult[] {
  return decision.results.filter((r) => r.superseded === undefined);
}

/** How the response ended, as a subscriber filters on it. */
export type Response = 'remediated' | 'remediation-failed' | 'dry-run' | 'notified' | 'none';

/** Summarises what was done: remediated only when every action succeeded and was verified. */
export function responseOf(decision: Decision): Response {
  const plan = decision.plan;
  if (!plan) return 'none';
  if (plan.mode === 'dry-run') return 'dry-run';
  const results = currentResults(decision);
  // Fixed by an earlier attempt that was interrupted: the takeover's plan has nothing left to run.
  if (plan.mode === 'notify' && results.length === 0) return 'notified';
  return results.length > 0 && results.every((r) => r.status === 'succeeded' && r.verified === true) ? 'remediated' : 'remediation-failed';
}

/** The most severe finding's severity; a decision with only rule errors is `high` (it could not be judged). */
export function severityOf(decision: Decision): Severity {
  const severities = decision.findings.map((f) => f.severity);
  if (decision.ruleErrors.length > 0 || decision.outcome === 'error') severities.push('high');
  return severities.length > 0 ? severities.reduce(maxSeverity) : 'informational';
}

/** True when subscribers should hear about this decision: findings or errors, never compliant or skipped. */
export function needsAlert(decision: Decision): boolean {
  return decision.findings.length > 0 || decision.ruleErrors.length > 0 || decision.outcome === 'error';
}
