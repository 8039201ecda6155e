/**
 * Turns findings into a plan: the exact API calls to make, and the fixes withheld with a reason.
 * This is the only place that decides remediate / notify / dry-run; how each fix is made lives in
 * its action family: network.ts, identity.ts, instance.ts, tagging.ts.
 *
 * Safety choices, in order:
 * - Fail closed: if any rule threw, nothing is changed for that interface (a partial evaluation is
 *   not enough evidence to edit production network rules); the alert carries the error.
 * - A security group other interfaces use is never edited unless the policy says `edit-shared`:
 *   by default this interface gets a copy of the group without the offending rules, swapped in
 *   one ModifyNetworkInterfaceAttribute call after the copy is complete.
 * - Credentials of the responder itself and of protected principals are never revoked.
 */
import type { Action, ActionKind } from '../actions';
import type { Evaluation } from '../evaluate';
import { applyVpcExemptions, type ExemptedFinding, type ExpiredExemption } from '../exemptions';
import type { Finding, FlowLogCoverage, InterfaceFacts, RemediationIntent, Vpc } from '../model';
import { modeOf, settingsOf, type Policy } from '../policy';
import { globMatch } from '../rule';
import { CALLER, type CallerSettings } from '../rules/caller';
import { judgeVpc, VPC_FLOW_LOGS } from '../rules/vpc-flow-logs';
import { immutableType } from '../triage';
import { planRevocation } from './identity';
import { isolateInstance, isolationTarget } from './instance';
import {
  deleteInterface,
  disassociateAddress,
  enableFlowLogs,
  quarantine,
  replaceGroups,
  restoreSourceDestCheck,
  revokeIngress,
} from './network';
import type { FlowLogDestination, Plan, PlanInputs, Withheld } from './shared';
import { tagForBackup, tagInterface } from './tagging';

export type { FlowLogDestination, Plan, PlanInputs, Withheld } from './shared';

/** Intents that change the interface itself (withheld on interface types eni-guard does not change). */
const INTERFACE_INTENTS: ReadonlySet<RemediationIntent['kind']> = new Set([
  'close-ingress',
  'disassociate-address',
  'restore-source-dest-check',
  'delete-interface',
]);
export { QUARANTINE_GROUP_NAME, QUARANTINE_OUTPUT, TAGS } from './shared';
export { REVOKE_POLICY_NAME } from '../revocation';

/** Security groups the plan may edit: the planner needs to know how many interfaces use each. */
export function groupsToEdit(evaluation: Evaluation, policy: Policy): string[] {
  if (evaluation.errors.length > 0) return [];
  const ids = evaluation.findings.flatMap((finding) =>
    finding.remediation?.kind === 'close-ingress' && modeOf(policy, finding.ruleId) === 'remediate' ? [finding.remediation.groupId] : [],
  );
  return [...new Set(ids)];
}

/**
 * True when the plan will give the interface a copy of a shared group: the copies an interrupted
 * attempt may have left for it must be looked up first (they are adopted, not created again).
 */
export function copiesToLookUp(evaluation: Evaluation, policy: Policy, groupUsage: ReadonlyMap<string, number>): boolean {
  return policy.remediation.sharedGroups === 'copy' && groupsToEdit(evaluation, policy).some((id) => (groupUsage.get(id) ?? 0) > 1);
}

/**
 * The VPCs whose quarantine group must be looked up before planning: the interface's when a shared
 * group will be fixed by quarantine, and the caller instance's when it will be isolated.
 */
export function quarantineVpcs(
  evaluation: Evaluation,
  policy: Policy,
  groupUsage: ReadonlyMap<string, number>,
  facts: InterfaceFacts,
): string[] {
  const vpcs = new Set<string>();
  const vpcId = facts.networkInterface.vpcId;
  if (
    vpcId &&
    policy.remediation.sharedGroups === 'quarantine' &&
    groupsToEdit(evaluation, policy).some((id) => (groupUsage.get(id) ?? 0) > 1)
  ) {
    vpcs.add(vpcId);
  }
  const isolate = isolationTarget(evaluation, policy, facts);
  if (isolate && 'instance' in isolate && isolate.instance.vpcId) vpcs.add(isolate.instance.vpcId);
  return [...vpcs];
}

/** Plans the response for one interface. Pure: the same inputs give the same calls. */
export function planResponse(evaluation: Evaluation, policy: Policy, inputs: PlanInputs): Plan {
  const actions: Action[] = [];
  const withheld: Withheld[] = [];
  const remediable = evaluation.findings.filter((f) => f.remediation);
  if (evaluation.errors.length > 0) {
    for (const finding of remediable) {
      withheld.push({
        ruleId: finding.ruleId,
        reason: `not remediated: rule ${evaluation.errors.map((e) => e.ruleId).join(', ')} failed, so the response fails closed to notify-only`,
      });
    }
    return finish(policy, actions, withheld, inputs);
  }

  const conflict = iacConflict(policy, inputs);
  if (conflict) {
    for (const finding of remediable) withheld.push({ ruleId: finding.ruleId, reason: conflict });
    return { mode: policy.dryRun ? 'dry-run' : 'notify', actions: [], withheld, escalation: conflict };
  }

  const ni = inputs.facts.networkInterface;
  // A trunk, a branch, a type AWS adds tomorrow: judged and reported, never changed (its owner manages it).
  const frozen = immutableType(ni);
  const sharedToFix = new Map<string, { ruleId: string; ruleIds: Set<string> }>();
  const seen = new Set<string>();
  for (const finding of remediable) {
    const intent = finding.remediation!;
    const mode = modeOf(policy, finding.ruleId);
    if (mode !== 'remediate') {
      withheld.push({ ruleId: finding.ruleId, reason: `policy sets ${finding.ruleId} to ${mode}` });
      continue;
    }
    if (frozen && INTERFACE_INTENTS.has(intent.kind)) {
      withheld.push({ ruleId: finding.ruleId, reason: frozen });
      continue;
    }
    // One fix per distinct intent (the caller rule can report two findings about the same credentials).
    const key = JSON.stringify(intent);
    if (seen.has(key)) continue;
    seen.add(key);
    if (intent.kind === 'close-ingress') {
      const users = inputs.groupUsage.get(intent.groupId);
      if (users === undefined) {
        withheld.push({
          ruleId: finding.ruleId,
          reason: `could not tell which interfaces use ${intent.groupId}; a group is only edited when this interface is its sole user`,
        });
      } else if (users <= 1 || policy.remediation.sharedGroups === 'edit-shared') {
        actions.push(revokeIngress(finding.ruleId, intent.groupId, intent.securityGroupRuleIds, inputs.facts.groupRules, users));
      } else if (policy.remediation.sharedGroups === 'withhold') {
        withheld.push({
          ruleId: finding.ruleId,
          reason: `${intent.groupId} is shared by ${users} interfaces; editing it would change the others too (policy: remediation.sharedGroups=withhold)`,
        });
      } else {
        const entry = sharedToFix.get(intent.groupId) ?? { ruleId: finding.ruleId, ruleIds: new Set<string>() };
        for (const id of intent.securityGroupRuleIds) entry.ruleIds.add(id);
        sharedToFix.set(intent.groupId, entry);
      }
      continue;
    }
    const planned = planOther(finding.ruleId, intent, policy, inputs);
    if ('reason' in planned) withheld.push(planned);
    else actions.push(planned);
  }
  if (sharedToFix.size > 0) {
    if (!ni.vpcId) {
      for (const [groupId, { ruleId }] of sharedToFix)
        withheld.push({ ruleId, reason: `${groupId} is shared and the interface's VPC is unknown` });
    } else if (policy.remediation.sharedGroups === 'quarantine') {
      actions.push(quarantine([...new Set([...sharedToFix.values()].map((v) => v.ruleId))], ni.networkInterfaceId, ni.vpcId, inputs));
    } else {
      actions.push(replaceGroups(sharedToFix, ni.networkInterfaceId, ni.vpcId, inputs));
    }
  }
  return finish(policy, actions, withheld, inputs, evaluation);
}

function finish(policy: Policy, actions: Action[], withheld: Withheld[], inputs: PlanInputs, evaluation?: Evaluation): Plan {
  if (evaluation && evaluation.errors.length === 0 && !inputs.callerHandledBy) {
    const target = isolationTarget(evaluation, policy, inputs.facts);
    if (target && 'instance' in target) actions.push(isolateInstance(target.instance, policy, inputs));
    else if (target) withheld.push({ ruleId: CALLER, reason: target.reason });
  }
  const deletion = actions.findIndex((a) => a.kind === 'delete-interface');
  if (deletion >= 0) {
    // Deleting the interface supersedes every change to it; it goes last (after an Elastic IP is detached).
    const superseded = new Set<string>(['revoke-ingress', 'replace-groups', 'quarantine', 'restore-source-dest-check']);
    for (const action of actions.filter((a) => superseded.has(a.kind))) {
      withheld.push({ ruleId: action.ruleIds[0] ?? '', reason: `${action.kind} superseded: the interface is deleted` });
    }
    const kept = actions.filter((a) => !superseded.has(a.kind) && a.kind !== 'delete-interface');
    actions.splice(0, actions.length, ...kept, actions[deletion]!);
  } else if (actions.length > 0 && policy.remediation.tagInterface && !immutableType(inputs.facts.networkInterface)) {
    actions.push(tagInterface(actions, inputs));
  }
  if (policy.dryRun) return { mode: 'dry-run', actions, withheld };
  return { mode: actions.length > 0 ? 'remediate' : 'notify', actions, withheld };
}

/** The action (or the reason it is withheld) for an intent other than closing ingress, by action family. */
function planOther(
  ruleId: string,
  intent: Exclude<RemediationIntent, { kind: 'close-ingress' }>,
  policy: Policy,
  inputs: PlanInputs,
): Action | Withheld {
  switch (intent.kind) {
    case 'disassociate-address':
      return disassociateAddress(ruleId, intent, inputs);
    case 'restore-source-dest-check':
      return restoreSourceDestCheck(ruleId, inputs);
    case 'enable-flow-logs':
      return enableFlowLogs(ruleId, intent, inputs);
    case 'tag-for-backup':
      return tagForBackup(ruleId, intent);
    case 'revoke-credentials':
      return planRevocation(ruleId, intent, policy, inputs);
    case 'delete-interface':
      return deleteInterface(ruleId, inputs);
  }
}

/** What the planner knows about a VPC besides its flow logs (there is no interface to judge). */
export interface VpcPlanInputs {
  /** The account the VPC must belong to: a VPC shared with it is its owner's to log. */
  readonly account: string;
  /** Identifies this run and VPC in the flow log's tag (`<run>/<vpc>`). */
  readonly ledgerId: string;
  readonly now: Date;
  readonly flowLogDestination?: FlowLogDestination;
}

/** How one VPC stands against `vpc-flow-logs`, and what to do about it. */
export type VpcJudgement =
  | { readonly status: 'off' | 'not-applicable'; readonly reason: string }
  /** A flow log attached to the VPC is ACTIVE (to any destination): left alone. */
  | { readonly status: 'logging'; readonly flowLogIds: readonly string[] }
  | { readonly status: 'exempted'; readonly exempted: ExemptedFinding }
  | {
      readonly status: 'non-compliant';
      readonly finding: Finding;
      readonly plan: Plan;
      readonly expiredExemptions: readonly ExpiredExemption[];
    };

/**
 * Judges a VPC itself and plans its flow log — the deploy step, a new VPC and the sweep's pass over
 * VPCs, with or without interfaces. The same choices as for an interface: the rule's mode (`notify`
 * withholds), dry-run (reports the calls), exemptions (bounded by the VPC or the account only), and
 * the stack's destination (`enableFlowLogs`, the one way eni-guard creates a flow log). Pure.
 */
export function planVpcFlowLogs(vpc: Vpc, coverage: FlowLogCoverage, policy: Policy, inputs: VpcPlanInputs): VpcJudgement {
  const mode = modeOf(policy, VPC_FLOW_LOGS);
  if (mode === 'off') return { status: 'off', reason: `policy sets ${VPC_FLOW_LOGS} to off` };
  if (vpc.ownerId !== undefined && vpc.ownerId !== inputs.account) {
    return { status: 'not-applicable', reason: `owned by ${vpc.ownerId} and shared with ${inputs.account}: its owner logs it` };
  }
  const verdict = judgeVpc(vpc.vpcId, coverage);
  if (verdict.status !== 'non-compliant') {
    return { status: 'logging', flowLogIds: coverage.active.filter((f) => f.resourceId === vpc.vpcId).map((f) => f.flowLogId) };
  }
  const { findings, exempted, expired } = applyVpcExemptions(
    verdict.findings,
    policy.exemptions,
    { account: inputs.account, vpcId: vpc.vpcId },
    inputs.now,
  );
  const finding = findings[0];
  if (!finding) return { status: 'exempted', exempted: exempted[0]! };
  const actions: Action[] = [];
  const withheld: Withheld[] = [];
  if (mode !== 'remediate') withheld.push({ ruleId: VPC_FLOW_LOGS, reason: `policy sets ${VPC_FLOW_LOGS} to ${mode}` });
  else {
    const planned = enableFlowLogs(VPC_FLOW_LOGS, { kind: 'enable-flow-logs', vpcId: vpc.vpcId }, inputs);
    if ('reason' in planned) withheld.push(planned);
    else actions.push(planned);
  }
  const plan: Plan = policy.dryRun
    ? { mode: 'dry-run', actions, withheld }
    : { mode: actions.length > 0 ? 'remediate' : 'notify', actions, withheld };
  return { status: 'non-compliant', finding, plan, expiredExemptions: expired };
}

/** Every action kind the policy can lead to: the stack grants exactly the calls these make (none in dry-run). */
export function possibleActionKinds(policy: Policy, flowLogDestination: boolean): ActionKind[] {
  if (policy.dryRun) return [];
  const kinds = new Set<ActionKind>();
  const on = (ruleId: string) => modeOf(policy, ruleId) === 'remediate';
  if (on('world-open-ingress')) {
    kinds.add('revoke-ingress');
    if (policy.remediation.sharedGroups === 'copy') kinds.add('replace-groups');
    if (policy.remediation.sharedGroups === 'quarantine') kinds.add('quarantine');
  }
  if (on('public-ip')) kinds.add('disassociate-address');
  if (on('source-dest-check')) kinds.add('restore-source-dest-check');
  if (on('vpc-flow-logs') && flowLogDestination) kinds.add('enable-flow-logs');
  if (on('backup-coverage')) kinds.add('tag-for-backup');
  if (on(CALLER)) {
    kinds.add('revoke-role-sessions');
    kinds.add('deactivate-access-key');
    if ((settingsOf(policy, CALLER) as CallerSettings | undefined)?.isolateInstance) kinds.add('isolate-instance');
  }
  if (on('network-placement')) kinds.add('delete-interface');
  if (kinds.size > 0 && policy.remediation.tagInterface) kinds.add('tag-interface');
  return [...kinds].sort();
}

/** True when the caller is one of the policy's automation principals (IaC pipelines). */
export function isAutomationCaller(policy: Policy, facts: InterfaceFacts): boolean {
  const caller = facts.context.caller;
  return policy.automation.principals.some((pattern) =>
    [caller.arn, caller.sessionIssuerArn].some((arn) => arn !== undefined && globMatch(pattern, arn)),
  );
}

/** The escalation when automation keeps re-applying what eni-guard fixed, or undefined. */
function iacConflict(policy: Policy, inputs: PlanInputs): string | undefined {
  const { conflictThreshold, conflictWindowHours } = policy.automation;
  if (inputs.priorFixes === undefined || inputs.priorFixes < conflictThreshold || !isAutomationCaller(policy, inputs.facts))
    return undefined;
  const caller = inputs.facts.context.caller;
  return `IaC conflict: ${caller.sessionIssuerArn ?? caller.arn ?? 'automation'} re-applied a violation on ${inputs.facts.networkInterface.networkInterfaceId} that eni-guard fixed ${inputs.priorFixes} time(s) in the last ${conflictWindowHours} h; eni-guard stops fixing it — fix the template (or add an exemption)`;
}
