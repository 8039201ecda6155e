/** The record of what eni-guard decided and did for one interface: logged, alerted, returned. */
import type { Action } from './actions';
import type { RuleError } from './evaluate';
import type { ExemptedFinding, ExpiredExemption } from './exemptions';
import type { EventContext, Finding, NetworkInterface, Severity } from './model';
import { maxSeverity } from './model';
import type { Plan } from './plan/index';

/** The overall result for one interface. `duplicate`: this event was already handled for it (nothing done again). */
export type Outcome = 'skipped' | 'compliant' | 'noncompliant' | 'gone' | 'error' | 'duplicate';

/** One API call as it was actually sent, and how it ended. */
export interface ExecutedCall {
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** `already-done`: the call failed with an error meaning its effect was already in place. */
  readonly outcome: 'ok' | 'already-done' | 'failed';
  readonly error?: string;
}

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
}

/** How the response ended, as a subscriber filters on it. */
export type Response = 'remediated' | 'remediation-failed' | 'dry-run' | 'notified' | 'none';

/** Summarises what was done: remediated only when every action succeeded and was verified. */
export function responseOf(decision: Decision): Response {
  const plan = decision.plan;
  if (!plan) return 'none';
  if (plan.mode === 'dry-run') return 'dry-run';
  if (plan.mode === 'notify') return 'notified';
  return decision.results.length > 0 && decision.results.every((r) => r.status === 'succeeded' && r.verified === true)
    ? 'remediated'
    : 'remediation-failed';
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
