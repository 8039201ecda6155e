/**
 * Turns findings into a plan: the exact API calls to make, and the fixes withheld with a reason.
 * This is the only place that decides remediate / notify / dry-run, and how a fix is made.
 *
 * Safety choices, in order:
 * - Fail closed: if any rule threw, nothing is changed for that interface (a partial evaluation is
 *   not enough evidence to edit production network rules); the alert carries the error.
 * - A security group other interfaces use is never edited unless the policy says `edit-shared`:
 *   by default this interface gets a copy of the group without the offending rules, swapped in
 *   one ModifyNetworkInterfaceAttribute call after the copy is complete.
 * - Credentials of the responder itself and of protected principals are never revoked.
 */
import type { Action, ActionKind, ApiCall, Ref } from './actions';
import { ipPermissionOf } from './actions';
import type { Evaluation } from './evaluate';
import type { InstanceFacts, InterfaceFacts, RemediationIntent, SecurityGroupRule } from './model';
import type { Policy } from './policy';
import { modeOf, settingsOf } from './policy';
import { globMatch } from './rule';
import type { CallerSettings } from './rules/caller';
import { CALLER } from './rules/caller';

/** A fix the policy asked for but that is not carried out, and why. */
export interface Withheld {
  readonly ruleId: string;
  readonly reason: string;
}

/** What the responder will do for one interface. */
export interface Plan {
  /** `remediate`: actions run; `dry-run`: actions are reported only; `notify`: nothing to run. */
  readonly mode: 'remediate' | 'notify' | 'dry-run';
  readonly actions: readonly Action[];
  readonly withheld: readonly Withheld[];
  /** Set when eni-guard deliberately stops fixing this interface and a human must act (an IaC conflict). */
  readonly escalation?: string;
}

/** Where the stack sends flow logs the responder enables (the account baseline's destination). */
export interface FlowLogDestination {
  readonly type: 'cloud-watch-logs' | 's3';
  /** Log group ARN or bucket ARN. */
  readonly arn: string;
  /** The delivery role, for CloudWatch Logs destinations. */
  readonly deliveryRoleArn?: string;
}

/** What the planner knows besides the evaluation. Everything here was read before planning. */
export interface PlanInputs {
  readonly facts: InterfaceFacts;
  /** Interfaces using each group a fix would edit (this one included). */
  readonly groupUsage: ReadonlyMap<string, number>;
  /** Existing quarantine groups by VPC id, for the VPCs `quarantineVpcs` named (absent: none exists yet). */
  readonly quarantineGroups?: ReadonlyMap<string, string>;
  readonly flowLogDestination?: FlowLogDestination;
  /** The responder's own role: never revoked. */
  readonly responderRoleArn?: string;
  /** Identifies this remediation in tags and the ledger. */
  readonly ledgerId: string;
  /**
   * How many times eni-guard already fixed this interface within `automation.conflictWindowHours`; read
   * from the ledger only when the caller is an automation principal and the plan would act.
   */
  readonly priorFixes?: number;
  /** Another interface of the same event acts on the caller (a group change reaching N interfaces): withhold it here. */
  readonly callerHandledBy?: string;
  readonly now: Date;
}

/** Tag keys eni-guard writes on what it changes. */
export const TAGS = {
  remediated: 'eni-guard:remediated',
  findings: 'eni-guard:findings',
  ledger: 'eni-guard:ledger',
  copyOf: 'eni-guard:copy-of',
  quarantine: 'eni-guard:quarantine',
  interface: 'eni-guard:interface',
} as const;

/** Name of the per-VPC quarantine group (no ingress, no egress). */
export const QUARANTINE_GROUP_NAME = 'eni-guard-quarantine';
/** Name of the inline policy that revokes a role's older sessions. */
export const REVOKE_POLICY_NAME = 'eni-guard-revoke-older-sessions';

const GONE_RULE = ['InvalidPermission.NotFound', 'InvalidSecurityGroupRuleId.NotFound'];
const DEFAULT_EGRESS = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] };

/** Security groups the plan may edit: the planner needs to know how many interfaces use each. */
export function groupsToEdit(evaluation: Evaluation, policy: Policy): string[] {
  if (evaluation.errors.length > 0) return [];
  const ids = evaluation.findings.flatMap((finding) =>
    finding.remediation?.kind === 'close-ingress' && modeOf(policy, finding.ruleId) === 'remediate' ? [finding.remediation.groupId] : [],
  );
  return [...new Set(ids)];
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
  const sharedToFix = new Map<string, { ruleId: string; ruleIds: Set<string> }>();
  const seen = new Set<string>();
  for (const finding of remediable) {
    const intent = finding.remediation!;
    const mode = modeOf(policy, finding.ruleId);
    if (mode !== 'remediate') {
      withheld.push({ ruleId: finding.ruleId, reason: `policy sets ${finding.ruleId} to ${mode}` });
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
  } else if (actions.length > 0 && policy.remediation.tagInterface) {
    actions.push(tagInterface(actions, inputs));
  }
  if (policy.dryRun) return { mode: 'dry-run', actions, withheld };
  return { mode: actions.length > 0 ? 'remediate' : 'notify', actions, withheld };
}

function revokeIngress(
  ruleId: string,
  groupId: string,
  ruleIds: readonly string[],
  groupRules: readonly SecurityGroupRule[],
  users: number,
): Action {
  const rules = groupRules.filter((r) => r.groupId === groupId && !r.isEgress && ruleIds.includes(r.ruleId));
  return {
    kind: 'revoke-ingress',
    ruleIds: [ruleId],
    summary:
      users <= 1
        ? `revoke ${ruleIds.length} world-open rule(s) of ${groupId}, which only this interface uses`
        : `revoke ${ruleIds.length} world-open rule(s) of ${groupId}, shared by ${users} interfaces (policy: remediation.sharedGroups=edit-shared)`,
    calls: [
      {
        service: 'ec2',
        operation: 'RevokeSecurityGroupIngress',
        input: { GroupId: groupId, SecurityGroupRuleIds: [...ruleIds] },
        alreadyDone: GONE_RULE,
      },
    ],
    compensation: [],
    checks: [{ kind: 'rules-absent', groupId, securityGroupRuleIds: [...ruleIds], rules: rules.map(ruleShape) }],
    undo:
      rules.length > 0
        ? [
            {
              service: 'ec2',
              operation: 'AuthorizeSecurityGroupIngress',
              input: { GroupId: groupId, IpPermissions: rules.map(ipPermissionOf) },
              alreadyDone: ['InvalidPermission.Duplicate'],
            },
          ]
        : [],
  };
}

/** Gives the interface copies of the shared groups without the offending rules, swapped in one call. */
function replaceGroups(
  shared: ReadonlyMap<string, { ruleId: string; ruleIds: ReadonlySet<string> }>,
  networkInterfaceId: string,
  vpcId: string,
  inputs: PlanInputs,
): Action {
  const ni = inputs.facts.networkInterface;
  const calls: ApiCall[] = [];
  const compensation: ApiCall[] = [];
  const undoDeletes: ApiCall[] = [];
  const copyOf = (groupId: string): Ref => ({ $ref: `copy-of-${groupId}` });
  for (const [groupId, { ruleIds }] of shared) {
    const ref = copyOf(groupId);
    const rules = inputs.facts.groupRules.filter((r) => r.groupId === groupId);
    const egress = rules.filter((r) => r.isEgress);
    const keptIngress = rules.filter((r) => !r.isEgress && !ruleIds.has(r.ruleId));
    const name = ni.groups.find((g) => g.groupId === groupId)?.groupName ?? groupId;
    calls.push({
      service: 'ec2',
      operation: 'CreateSecurityGroup',
      input: {
        GroupName: `eni-guard-${networkInterfaceId}-${groupId}`,
        Description:
          `Copy of ${groupId} (${name}) for ${networkInterfaceId} without its world-open rules; eni-guard ${inputs.ledgerId}`.slice(0, 255),
        VpcId: vpcId,
        TagSpecifications: [
          {
            ResourceType: 'security-group',
            Tags: [
              { Key: TAGS.copyOf, Value: groupId },
              { Key: TAGS.interface, Value: networkInterfaceId },
              { Key: TAGS.ledger, Value: inputs.ledgerId },
            ],
          },
        ],
      },
      output: { name: ref.$ref, path: 'GroupId' },
    });
    const defaultEgressOnly =
      egress.length === 1 && egress[0]!.protocol === '-1' && egress[0]!.cidrIpv4 === '0.0.0.0/0' && !egress[0]!.description;
    if (!defaultEgressOnly) {
      calls.push({ service: 'ec2', operation: 'RevokeSecurityGroupEgress', input: { GroupId: ref, IpPermissions: [DEFAULT_EGRESS] } });
      if (egress.length > 0) {
        calls.push({
          service: 'ec2',
          operation: 'AuthorizeSecurityGroupEgress',
          input: { GroupId: ref, IpPermissions: egress.map(ipPermissionOf) },
        });
      }
    }
    if (keptIngress.length > 0) {
      calls.push({
        service: 'ec2',
        operation: 'AuthorizeSecurityGroupIngress',
        input: { GroupId: ref, IpPermissions: keptIngress.map(ipPermissionOf) },
      });
    }
    compensation.push({
      service: 'ec2',
      operation: 'DeleteSecurityGroup',
      input: { GroupId: ref },
      alreadyDone: ['InvalidGroup.NotFound'],
    });
    undoDeletes.push({ service: 'ec2', operation: 'DeleteSecurityGroup', input: { GroupId: ref }, alreadyDone: ['InvalidGroup.NotFound'] });
  }
  const before = ni.groups.map((g) => g.groupId);
  const after: (string | Ref)[] = before.map((id) => (shared.has(id) ? copyOf(id) : id));
  calls.push({
    service: 'ec2',
    operation: 'ModifyNetworkInterfaceAttribute',
    input: { NetworkInterfaceId: networkInterfaceId, Groups: after },
  });
  const groups = [...shared.keys()];
  return {
    kind: 'replace-groups',
    ruleIds: [...new Set([...shared.values()].map((v) => v.ruleId))],
    summary: `${groups.join(', ')} ${groups.length > 1 ? 'are' : 'is'} shared with other interfaces: give ${networkInterfaceId} a copy without the world-open rules and leave the original untouched`,
    calls,
    compensation,
    checks: [{ kind: 'interface-groups', networkInterfaceId, groupIds: after }],
    undo: [
      { service: 'ec2', operation: 'ModifyNetworkInterfaceAttribute', input: { NetworkInterfaceId: networkInterfaceId, Groups: before } },
      ...undoDeletes,
    ],
  };
}

/**
 * The VPC's quarantine group: the existing one, or calls that create it (no ingress, no egress) and a
 * compensation that deletes it again if the action that created it does not finish.
 */
function quarantineGroupOf(vpcId: string, inputs: PlanInputs): { group: string | Ref; calls: ApiCall[]; compensation: ApiCall[] } {
  const existing = inputs.quarantineGroups?.get(vpcId);
  if (existing) return { group: existing, calls: [], compensation: [] };
  const group: Ref = { $ref: 'quarantine-group' };
  return {
    group,
    calls: [
      {
        service: 'ec2',
        operation: 'CreateSecurityGroup',
        input: {
          GroupName: QUARANTINE_GROUP_NAME,
          Description: 'eni-guard quarantine: no ingress, no egress',
          VpcId: vpcId,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: TAGS.quarantine, Value: 'true' }] }],
        },
        output: { name: group.$ref, path: 'GroupId' },
      },
      { service: 'ec2', operation: 'RevokeSecurityGroupEgress', input: { GroupId: group, IpPermissions: [DEFAULT_EGRESS] } },
    ],
    // A quarantine group that was created but not finished must not be reused: delete it.
    compensation: [{ service: 'ec2', operation: 'DeleteSecurityGroup', input: { GroupId: group }, alreadyDone: ['InvalidGroup.NotFound'] }],
  };
}

/** Moves the interface to the VPC's quarantine group (created on first use). */
function quarantine(ruleIds: string[], networkInterfaceId: string, vpcId: string, inputs: PlanInputs): Action {
  const { group, calls, compensation } = quarantineGroupOf(vpcId, inputs);
  const before = inputs.facts.networkInterface.groups.map((g) => g.groupId);
  return {
    kind: 'quarantine',
    ruleIds,
    summary: `a world-open group is shared: move ${networkInterfaceId} to the quarantine group of ${vpcId} (policy: remediation.sharedGroups=quarantine)`,
    calls: [
      ...calls,
      { service: 'ec2', operation: 'ModifyNetworkInterfaceAttribute', input: { NetworkInterfaceId: networkInterfaceId, Groups: [group] } },
    ],
    compensation,
    checks: [{ kind: 'interface-groups', networkInterfaceId, groupIds: [group] }],
    undo: [
      { service: 'ec2', operation: 'ModifyNetworkInterfaceAttribute', input: { NetworkInterfaceId: networkInterfaceId, Groups: before } },
    ],
  };
}

function planOther(
  ruleId: string,
  intent: Exclude<RemediationIntent, { kind: 'close-ingress' }>,
  policy: Policy,
  inputs: PlanInputs,
): Action | Withheld {
  const ni = inputs.facts.networkInterface;
  const networkInterfaceId = ni.networkInterfaceId;
  switch (intent.kind) {
    case 'disassociate-address':
      return {
        kind: 'disassociate-address',
        ruleIds: [ruleId],
        summary: `disassociate Elastic IP ${intent.publicIp} from ${networkInterfaceId}; the allocation ${intent.allocationId} is kept`,
        calls: [
          {
            service: 'ec2',
            operation: 'DisassociateAddress',
            input: { AssociationId: intent.associationId },
            alreadyDone: ['InvalidAssociationID.NotFound'],
          },
        ],
        compensation: [],
        checks: [{ kind: 'address-detached', networkInterfaceId, allocationId: intent.allocationId }],
        undo: [
          {
            service: 'ec2',
            operation: 'AssociateAddress',
            input: {
              AllocationId: intent.allocationId,
              NetworkInterfaceId: networkInterfaceId,
              ...(ni.privateIpAddress ? { PrivateIpAddress: ni.privateIpAddress } : {}),
            },
          },
        ],
      };
    case 'restore-source-dest-check':
      return {
        kind: 'restore-source-dest-check',
        ruleIds: [ruleId],
        summary: `turn source/destination check back on for ${networkInterfaceId}`,
        calls: [sourceDestCheck(networkInterfaceId, true)],
        compensation: [],
        checks: [{ kind: 'source-dest-check', networkInterfaceId, enabled: true }],
        undo: [sourceDestCheck(networkInterfaceId, false)],
      };
    case 'enable-flow-logs': {
      const destination = inputs.flowLogDestination;
      if (!destination) {
        return { ruleId, reason: 'no flow-log destination is configured in the stack (flow logs baseline), so none can be enabled' };
      }
      return {
        kind: 'enable-flow-logs',
        ruleIds: [ruleId],
        summary: `create a flow log (ALL traffic) for ${intent.vpcId} to ${destination.arn}`,
        calls: [
          {
            service: 'ec2',
            operation: 'CreateFlowLogs',
            input: {
              ResourceIds: [intent.vpcId],
              ResourceType: 'VPC',
              TrafficType: 'ALL',
              LogDestinationType: destination.type,
              LogDestination: destination.arn,
              ...(destination.deliveryRoleArn ? { DeliverLogsPermissionArn: destination.deliveryRoleArn } : {}),
              TagSpecifications: [{ ResourceType: 'vpc-flow-log', Tags: [{ Key: TAGS.ledger, Value: inputs.ledgerId }] }],
            },
            output: { name: 'flow-log', path: 'FlowLogIds.0' },
            // Another interface in the same VPC may have enabled it a moment ago.
            alreadyDone: ['FlowLogAlreadyExists'],
          },
        ],
        compensation: [],
        checks: [{ kind: 'flow-log-active', vpcId: intent.vpcId }],
        undo: [{ service: 'ec2', operation: 'DeleteFlowLogs', input: { FlowLogIds: [{ $ref: 'flow-log' }] } }],
      };
    }
    case 'tag-for-backup':
      return {
        kind: 'tag-for-backup',
        ruleIds: [ruleId],
        summary: `tag ${intent.instanceId} ${intent.key}=${intent.value} so the stack's AWS Backup plan selects it`,
        calls: [
          {
            service: 'ec2',
            operation: 'CreateTags',
            input: { Resources: [intent.instanceId], Tags: [{ Key: intent.key, Value: intent.value }] },
          },
        ],
        compensation: [],
        checks: [{ kind: 'tags', resourceId: intent.instanceId, tags: { [intent.key]: intent.value } }],
        undo: [
          intent.previous !== undefined
            ? {
                service: 'ec2',
                operation: 'CreateTags',
                input: { Resources: [intent.instanceId], Tags: [{ Key: intent.key, Value: intent.previous }] },
              }
            : {
                service: 'ec2',
                operation: 'DeleteTags',
                input: { Resources: [intent.instanceId], Tags: [{ Key: intent.key, Value: intent.value }] },
              },
        ],
      };
    case 'revoke-credentials':
      if (inputs.callerHandledBy) return { ruleId, reason: `the caller is answered once for this event, with ${inputs.callerHandledBy}` };
      return revokeCredentials(ruleId, intent.principal, policy, inputs);
    case 'delete-interface':
      return {
        kind: 'delete-interface',
        ruleIds: [ruleId],
        summary: `delete ${networkInterfaceId}: unattached, in ${ni.subnetId ?? '?'} / ${ni.vpcId ?? '?'}, where interfaces are not allowed`,
        calls: [
          {
            service: 'ec2',
            operation: 'DeleteNetworkInterface',
            input: { NetworkInterfaceId: networkInterfaceId },
            alreadyDone: ['InvalidNetworkInterfaceID.NotFound'],
          },
        ],
        compensation: [],
        checks: [{ kind: 'interface-deleted', networkInterfaceId }],
        undo: [],
        irreversible: `a deleted interface cannot be restored; its description (subnet ${ni.subnetId ?? '?'}, groups ${ni.groups.map((g) => g.groupId).join(',')}, private IP ${ni.privateIpAddress ?? '?'}, tags) is in the ledger's pre-state`,
      };
  }
}

/** The instance to isolate (caller rule in remediate mode with isolateInstance, instance credentials), or why not. */
function isolationTarget(
  evaluation: Evaluation,
  policy: Policy,
  facts: InterfaceFacts,
): { readonly instance: InstanceFacts } | { readonly reason: string } | undefined {
  const settings = settingsOf(policy, CALLER) as CallerSettings | undefined;
  if (!settings?.isolateInstance || modeOf(policy, CALLER) !== 'remediate') return undefined;
  const byInstance = evaluation.findings.some((f) => f.ruleId === CALLER && f.evidence['kind'] === 'ec2-instance');
  if (!byInstance) return undefined;
  const fact = facts.callerInstance;
  if (!fact) return { reason: `isolation: the instance behind ${facts.context.caller.sessionName ?? 'the session'} was not read` };
  if (fact.status !== 'ok') return { reason: `isolation: the calling instance could not be read: ${fact.reason}` };
  return { instance: fact.value };
}

/**
 * Isolates the instance whose credentials made the call: every interface to the quarantine group of its
 * VPC, a snapshot of every volume (kept for forensics, never deleted by undo), a tag, and — only with
 * terminateInstance — termination.
 */
function isolateInstance(instance: InstanceFacts, policy: Policy, inputs: PlanInputs): Action {
  const settings = settingsOf(policy, CALLER) as CallerSettings;
  const vpcId = instance.vpcId ?? inputs.facts.networkInterface.vpcId ?? '';
  const { group, calls, compensation } = quarantineGroupOf(vpcId, inputs);
  const interfaces = instance.networkInterfaces ?? [];
  for (const eni of interfaces) {
    calls.push({
      service: 'ec2',
      operation: 'ModifyNetworkInterfaceAttribute',
      input: { NetworkInterfaceId: eni.networkInterfaceId, Groups: [group] },
    });
  }
  instance.volumes.forEach((volume, index) =>
    calls.push({
      service: 'ec2',
      operation: 'CreateSnapshot',
      input: {
        VolumeId: volume.volumeId,
        Description: `eni-guard forensics: ${instance.instanceId} ${volume.volumeId}, ${inputs.ledgerId}`.slice(0, 255),
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: TAGS.ledger, Value: inputs.ledgerId }] }],
      },
      output: { name: `snapshot-${index}`, path: 'SnapshotId' },
    }),
  );
  const tag = { Key: 'eni-guard:isolated', Value: `${inputs.now.toISOString()} ${inputs.ledgerId}`.slice(0, 256) };
  calls.push({ service: 'ec2', operation: 'CreateTags', input: { Resources: [instance.instanceId], Tags: [tag] } });
  if (settings.terminateInstance) {
    calls.push({ service: 'ec2', operation: 'TerminateInstances', input: { InstanceIds: [instance.instanceId] } });
  }
  return {
    kind: 'isolate-instance',
    ruleIds: [CALLER],
    summary: `isolate ${instance.instanceId}, whose credentials made this call: ${interfaces.length} interface(s) to quarantine, ${instance.volumes.length} volume snapshot(s)${settings.terminateInstance ? ', then terminate it' : ''}`,
    calls,
    compensation,
    checks: [
      ...interfaces.map((eni) => ({ kind: 'interface-groups' as const, networkInterfaceId: eni.networkInterfaceId, groupIds: [group] })),
      { kind: 'tags' as const, resourceId: instance.instanceId, tags: { [tag.Key]: tag.Value } },
    ],
    undo: [
      ...interfaces.map((eni): ApiCall => ({
        service: 'ec2',
        operation: 'ModifyNetworkInterfaceAttribute',
        input: { NetworkInterfaceId: eni.networkInterfaceId, Groups: [...eni.groupIds] },
      })),
      { service: 'ec2', operation: 'DeleteTags', input: { Resources: [instance.instanceId], Tags: [{ Key: tag.Key }] } },
    ],
    ...(settings.terminateInstance ? { irreversible: `${instance.instanceId} was terminated; its volume snapshots are kept` } : {}),
  };
}

function revokeCredentials(
  ruleId: string,
  principal: Extract<RemediationIntent, { kind: 'revoke-credentials' }>['principal'],
  policy: Policy,
  inputs: PlanInputs,
): Action | Withheld {
  const protectedPatterns = (settingsOf(policy, CALLER) as CallerSettings | undefined)?.protectedPrincipals ?? [];
  if (principal.type === 'role') {
    if (inputs.responderRoleArn && principal.roleArn === inputs.responderRoleArn) {
      return { ruleId, reason: 'the caller is the responder itself; its sessions are never revoked' };
    }
    if (protectedPatterns.some((p) => globMatch(p, principal.roleArn))) {
      return { ruleId, reason: `${principal.roleArn} is a protected principal (rules.caller.protectedPrincipals)` };
    }
    const issuedBefore = inputs.now.toISOString();
    const document = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EniGuardRevokeOlderSessions',
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': issuedBefore } },
        },
      ],
    };
    return {
      kind: 'revoke-role-sessions',
      ruleIds: [ruleId],
      summary: `revoke every session of role ${principal.roleName} issued before ${issuedBefore} (as the console's "Revoke active sessions")`,
      calls: [
        {
          service: 'iam',
          operation: 'PutRolePolicy',
          input: { RoleName: principal.roleName, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: JSON.stringify(document) },
        },
      ],
      compensation: [],
      checks: [{ kind: 'role-policy', roleName: principal.roleName, policyName: REVOKE_POLICY_NAME }],
      undo: [
        {
          service: 'iam',
          operation: 'DeleteRolePolicy',
          input: { RoleName: principal.roleName, PolicyName: REVOKE_POLICY_NAME },
          alreadyDone: ['NoSuchEntity'],
        },
      ],
    };
  }
  const userArn = inputs.facts.context.caller.arn ?? '';
  if (protectedPatterns.some((p) => globMatch(p, userArn))) {
    return { ruleId, reason: `${userArn} is a protected principal (rules.caller.protectedPrincipals)` };
  }
  const key = { UserName: principal.userName, AccessKeyId: principal.accessKeyId };
  return {
    kind: 'deactivate-access-key',
    ruleIds: [ruleId],
    summary: `deactivate access key ${principal.accessKeyId} of IAM user ${principal.userName} (kept, can be reactivated)`,
    calls: [{ service: 'iam', operation: 'UpdateAccessKey', input: { ...key, Status: 'Inactive' } }],
    compensation: [],
    checks: [{ kind: 'access-key-inactive', userName: principal.userName, accessKeyId: principal.accessKeyId }],
    undo: [{ service: 'iam', operation: 'UpdateAccessKey', input: { ...key, Status: 'Active' } }],
  };
}

/** Records on the interface what was found, what was done and when (restored on undo). */
function tagInterface(actions: readonly Action[], inputs: PlanInputs): Action {
  const ni = inputs.facts.networkInterface;
  const ruleIds = [...new Set(actions.flatMap((a) => a.ruleIds))];
  const tags = {
    [TAGS.remediated]: `${inputs.now.toISOString()} ${actions.map((a) => a.kind).join(',')}`.slice(0, 256),
    [TAGS.findings]: ruleIds.join(',').slice(0, 256),
    [TAGS.ledger]: inputs.ledgerId.slice(0, 256),
  };
  const previous = Object.keys(tags).filter((key) => ni.tags[key] !== undefined);
  const added = Object.keys(tags).filter((key) => ni.tags[key] === undefined);
  const undo: ApiCall[] = [];
  if (added.length > 0) {
    undo.push({
      service: 'ec2',
      operation: 'DeleteTags',
      input: { Resources: [ni.networkInterfaceId], Tags: added.map((Key) => ({ Key })) },
    });
  }
  if (previous.length > 0) {
    undo.push({
      service: 'ec2',
      operation: 'CreateTags',
      input: { Resources: [ni.networkInterfaceId], Tags: previous.map((Key) => ({ Key, Value: ni.tags[Key] })) },
    });
  }
  return {
    kind: 'tag-interface',
    ruleIds,
    summary: `tag ${ni.networkInterfaceId} with the findings, the fix and the ledger id`,
    calls: [
      {
        service: 'ec2',
        operation: 'CreateTags',
        input: { Resources: [ni.networkInterfaceId], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      },
    ],
    compensation: [],
    checks: [{ kind: 'tags', resourceId: ni.networkInterfaceId, tags }],
    undo,
  };
}

/** What identifies a rule apart from its id: protocol, ports and source. */
function ruleShape(
  rule: SecurityGroupRule,
): Pick<SecurityGroupRule, 'protocol' | 'fromPort' | 'toPort' | 'cidrIpv4' | 'cidrIpv6' | 'prefixListId'> {
  return {
    protocol: rule.protocol,
    ...(rule.fromPort !== undefined ? { fromPort: rule.fromPort } : {}),
    ...(rule.toPort !== undefined ? { toPort: rule.toPort } : {}),
    ...(rule.cidrIpv4 ? { cidrIpv4: rule.cidrIpv4 } : {}),
    ...(rule.cidrIpv6 ? { cidrIpv6: rule.cidrIpv6 } : {}),
    ...(rule.prefixListId ? { prefixListId: rule.prefixListId } : {}),
  };
}

function sourceDestCheck(networkInterfaceId: string, value: boolean): ApiCall {
  return {
    service: 'ec2',
    operation: 'ModifyNetworkInterfaceAttribute',
    input: { NetworkInterfaceId: networkInterfaceId, SourceDestCheck: { Value: value } },
  };
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
