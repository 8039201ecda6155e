/**
 * Turns findings into a plan: the exact API calls to make, and the fixes withheld with a reason.
 * This is the only place that decides remediate / notify / dry-run.
 *
 * Fail-closed choice: if any rule threw, nothing is changed for that interface. A partial
 * evaluation is not enough evidence to edit production network rules; the alert carries the error.
 */
import type { Action } from './actions';
import type { Evaluation } from './evaluate';
import { modeOf } from './policy';
import type { Policy } from './policy';

/** A fix the policy asked for but that is not carried out, and why. */
export interface Withheld {
  readonly ruleId: string;
  readonly reason: string;
  readonly action?: Action;
}

/** What the responder will do for one interface. */
export interface Plan {
  /** `remediate`: actions run; `dry-run`: actions are reported only; `notify`: nothing to run. */
  readonly mode: 'remediate' | 'notify' | 'dry-run';
  readonly actions: readonly Action[];
  readonly withheld: readonly Withheld[];
}

/** Security groups the plan may edit: the planner needs to know how many interfaces use each. */
export function groupsToEdit(evaluation: Evaluation, policy: Policy): string[] {
  if (evaluation.errors.length > 0) return [];
  const ids = evaluation.findings
    .filter((finding) => finding.remediation && modeOf(policy, finding.ruleId) === 'remediate')
    .map((finding) => finding.remediation!.groupId);
  return [...new Set(ids)];
}

/**
 * Plans the response. `groupUsage` maps a group id to the number of interfaces using it
 * (this one included); a group used by any other interface is never edited.
 */
export function planResponse(evaluation: Evaluation, policy: Policy, groupUsage: ReadonlyMap<string, number>): Plan {
  const actions: Action[] = [];
  const withheld: Withheld[] = [];
  for (const finding of evaluation.findings) {
    const intent = finding.remediation;
    if (!intent) continue;
    const action: Action = { ...intent, ruleId: finding.ruleId };
    const mode = modeOf(policy, finding.ruleId);
    const users = groupUsage.get(intent.groupId);
    if (evaluation.errors.length > 0) {
      withheld.push({
        ruleId: finding.ruleId,
        action,
        reason: `not remediated: rule ${evaluation.errors.map((e) => e.ruleId).join(', ')} failed, so the response fails closed to notify-only`,
      });
    } else if (mode !== 'remediate') {
      withheld.push({ ruleId: finding.ruleId, action, reason: `policy sets ${finding.ruleId} to ${mode}` });
    } else if (users === undefined) {
      withheld.push({
        ruleId: finding.ruleId,
        action,
        reason: `could not tell which interfaces use ${intent.groupId}; a group is only edited when this interface is its sole user`,
      });
    } else if (users > 1) {
      withheld.push({
        ruleId: finding.ruleId,
        action,
        reason: `${intent.groupId} is shared by ${users} interfaces; editing it would change the others too`,
      });
    } else {
      actions.push(action);
    }
  }
  if (policy.dryRun) return { mode: 'dry-run', actions, withheld };
  return { mode: actions.length > 0 ? 'remediate' : 'notify', actions, withheld };
}
