/**
 * Network actions: close world-open rules (revoke in place, a per-interface copy of a shared group,
 * or quarantine), detach an Elastic IP, restore the source/destination check, enable flow logs,
 * delete a forbidden unattached interface.
 */
import { ipPermissionOf, type Action, type ApiCall, type Check, type ExecutedCall, type Ref } from '../actions';
import type { OwnGroup, RemediationIntent, SecurityGroupRule } from '../model';
import { groupEvidence, rulesDiff } from './leftovers';
import {
  DEFAULT_EGRESS,
  GONE_RULE,
  QUARANTINE_GROUP_NAME,
  QUARANTINE_OUTPUT,
  ruleShape,
  TAGS,
  type PlanInputs,
  type Withheld,
} from './shared';

/** Revokes world-open rules of a group in place (its sole user, or `edit-shared`). */
export function revokeIngress(
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

/**
 * A copy eni-guard left for this interface and group that can be made right instead of created
 * again: in the interface's VPC and used by no interface (editing it then changes nothing else).
 */
function adoptable(copy: OwnGroup | undefined, vpcId: string, networkInterfaceId: string, groupId: string): copy is OwnGroup {
  return (
    copy !== undefined &&
    copy.vpcId === vpcId &&
    copy.users === 0 &&
    copy.tags[TAGS.interface] === networkInterfaceId &&
    copy.tags[TAGS.copyOf] === groupId
  );
}

/**
 * Gives the interface copies of the shared groups without the offending rules, swapped in one call.
 * A copy an interrupted attempt left (found by its tags) is adopted: its rules are made exactly
 * right and it is tagged with this remediation; no second create can then fail on the name.
 */
export function replaceGroups(
  shared: ReadonlyMap<string, { ruleId: string; ruleIds: ReadonlySet<string> }>,
  networkInterfaceId: string,
  vpcId: string,
  inputs: PlanInputs,
): Action {
  const ni = inputs.facts.networkInterface;
  const calls: ApiCall[] = [];
  const compensation: ApiCall[] = [];
  const undoDeletes: ApiCall[] = [];
  const recovered: ExecutedCall[] = [];
  const adopted: string[] = [];
  const copyOf = new Map<string, string | Ref>();
  for (const [groupId, { ruleIds }] of shared) {
    const rules = inputs.facts.groupRules.filter((r) => r.groupId === groupId);
    const egress = rules.filter((r) => r.isEgress);
    const keptIngress = rules.filter((r) => !r.isEgress && !ruleIds.has(r.ruleId));
    const name = ni.groups.find((g) => g.groupId === groupId)?.groupName ?? groupId;
    const create: ApiCall = {
      service: 'ec2',
      operation: 'CreateSecurityGroup',
      input: {
        GroupName: `eni-guard-${networkInterfaceId}-${groupId}-${shortHash(inputs.ledgerId)}`,
        Description:
          `Copy of ${groupId} (${name}) for ${networkInterfaceId} without its world-open rules; eni-guard ${inputs.ledgerId}`.slice(0, 255),
        VpcId: vpcId,
        TagSpecifications: [
          {
            ResourceType: 'security-group',
            Tags: [
              { Key: TAGS.managed, Value: 'true' },
              { Key: TAGS.copyOf, Value: groupId },
              { Key: TAGS.interface, Value: networkInterfaceId },
              { Key: TAGS.ledger, Value: inputs.ledgerId },
            ],
          },
        ],
      },
      output: { name: `copy-of-${groupId}`, path: 'GroupId' },
    };
    const leftover = inputs.ownCopies?.get(groupId);
    let copy: string | Ref;
    if (adoptable(leftover, vpcId, networkInterfaceId, groupId)) {
      copy = leftover.groupId;
      adopted.push(leftover.groupId);
      recovered.push(...groupEvidence(leftover, leftover.tags[TAGS.ledger] === inputs.ledgerId ? create : undefined));
      calls.push(...rulesDiff(copy, leftover.rules, [...egress, ...keptIngress]));
      // Tagged with this remediation: the one it was left by must not count it as its own fix too, but can
      // still find the interface (a group change's redelivery looks for copies by its event id).
      const left = leftover.tags[TAGS.ledger];
      if (left !== inputs.ledgerId) {
        const tags = [{ Key: TAGS.ledger, Value: inputs.ledgerId }, ...(left ? [{ Key: TAGS.adoptedFrom, Value: left }] : [])];
        calls.push({ service: 'ec2', operation: 'CreateTags', input: { Resources: [copy], Tags: tags } });
      }
    } else {
      copy = { $ref: `copy-of-${groupId}` };
      calls.push(create);
      const defaultEgressOnly =
        egress.length === 1 && egress[0]!.protocol === '-1' && egress[0]!.cidrIpv4 === '0.0.0.0/0' && !egress[0]!.description;
      if (!defaultEgressOnly) {
        calls.push({ service: 'ec2', operation: 'RevokeSecurityGroupEgress', input: { GroupId: copy, IpPermissions: [DEFAULT_EGRESS] } });
        if (egress.length > 0) {
          calls.push({
            service: 'ec2',
            operation: 'AuthorizeSecurityGroupEgress',
            input: { GroupId: copy, IpPermissions: egress.map(ipPermissionOf) },
          });
        }
      }
      if (keptIngress.length > 0) {
        calls.push({
          service: 'ec2',
          operation: 'AuthorizeSecurityGroupIngress',
          input: { GroupId: copy, IpPermissions: keptIngress.map(ipPermissionOf) },
        });
      }
    }
    copyOf.set(groupId, copy);
    compensation.push({
      service: 'ec2',
      operation: 'DeleteSecurityGroup',
      input: { GroupId: copy },
      alreadyDone: ['InvalidGroup.NotFound'],
    });
    undoDeletes.push({
      service: 'ec2',
      operation: 'DeleteSecurityGroup',
      input: { GroupId: copy },
      alreadyDone: ['InvalidGroup.NotFound'],
    });
  }
  const before = ni.groups.map((g) => g.groupId);
  const after: (string | Ref)[] = before.map((id) => copyOf.get(id) ?? id);
  calls.push({
    service: 'ec2',
    operation: 'ModifyNetworkInterfaceAttribute',
    input: { NetworkInterfaceId: networkInterfaceId, Groups: after },
  });
  const groups = [...shared.keys()];
  return {
    kind: 'replace-groups',
    ruleIds: [...new Set([...shared.values()].map((v) => v.ruleId))],
    summary: `${groups.join(', ')} ${groups.length > 1 ? 'are' : 'is'} shared with other interfaces: give ${networkInterfaceId} a copy without the world-open rules and leave the original untouched${adopted.length > 0 ? ` (adopting ${adopted.join(', ')}, left by an interrupted attempt)` : ''}`,
    calls,
    compensation,
    checks: [{ kind: 'interface-groups', networkInterfaceId, groupIds: after }],
    undo: [
      { service: 'ec2', operation: 'ModifyNetworkInterfaceAttribute', input: { NetworkInterfaceId: networkInterfaceId, Groups: before } },
      ...undoDeletes,
    ],
    ...(recovered.length > 0 ? { recovered } : {}),
  };
}

/**
 * The VPC's quarantine group: the one eni-guard recorded and found empty just now
 * (`inputs.quarantineGroups`), or calls that create a new one (no ingress, no egress) and a
 * compensation that deletes it again if the action that created it does not finish. A new group's
 * name is unique to this remediation — a group someone planted under a fixed name could neither be
 * adopted nor block the create — and it is tagged as eni-guard's own (IAM lets the responder fill
 * and delete only those). Either way the group must still be empty after the move (`group-empty`).
 */
export function quarantineGroupOf(
  vpcId: string,
  inputs: PlanInputs,
): { group: string | Ref; calls: ApiCall[]; compensation: ApiCall[]; check: Check } {
  const existing = inputs.quarantineGroups?.get(vpcId);
  if (existing) return { group: existing, calls: [], compensation: [], check: { kind: 'group-empty', groupId: existing } };
  const group: Ref = { $ref: QUARANTINE_OUTPUT };
  return {
    group,
    calls: [
      {
        service: 'ec2',
        operation: 'CreateSecurityGroup',
        input: {
          GroupName: `${QUARANTINE_GROUP_NAME}-${shortHash(inputs.ledgerId)}`,
          Description: `eni-guard quarantine: no ingress, no egress; created by ${inputs.ledgerId}`.slice(0, 255),
          VpcId: vpcId,
          TagSpecifications: [
            {
              ResourceType: 'security-group',
              Tags: [
                { Key: TAGS.managed, Value: 'true' },
                { Key: TAGS.quarantine, Value: 'true' },
                { Key: TAGS.ledger, Value: inputs.ledgerId.slice(0, 256) },
              ],
            },
          ],
        },
        output: { name: group.$ref, path: 'GroupId' },
      },
      { service: 'ec2', operation: 'RevokeSecurityGroupEgress', input: { GroupId: group, IpPermissions: [DEFAULT_EGRESS] } },
    ],
    // A quarantine group that was created but not finished must not be reused: delete it.
    compensation: [{ service: 'ec2', operation: 'DeleteSecurityGroup', input: { GroupId: group }, alreadyDone: ['InvalidGroup.NotFound'] }],
    check: { kind: 'group-empty', groupId: group },
  };
}

/** 8 hex digits of FNV-1a over `text`: a short, stable, collision-unlikely name suffix (not a secret). */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** Moves the interface to the VPC's quarantine group (created on first use). */
export function quarantine(ruleIds: string[], networkInterfaceId: string, vpcId: string, inputs: PlanInputs): Action {
  const { group, calls, compensation, check } = quarantineGroupOf(vpcId, inputs);
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
    checks: [{ kind: 'interface-groups', networkInterfaceId, groupIds: [group] }, check],
    undo: [
      { service: 'ec2', operation: 'ModifyNetworkInterfaceAttribute', input: { NetworkInterfaceId: networkInterfaceId, Groups: before } },
    ],
  };
}

/** Takes an Elastic IP off the interface; the allocation is kept. */
export function disassociateAddress(
  ruleId: string,
  intent: Extract<RemediationIntent, { kind: 'disassociate-address' }>,
  inputs: PlanInputs,
): Action {
  const ni = inputs.facts.networkInterface;
  const networkInterfaceId = ni.networkInterfaceId;
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
}

/** Turns source/destination checking back on. */
export function restoreSourceDestCheck(ruleId: string, inputs: PlanInputs): Action {
  const networkInterfaceId = inputs.facts.networkInterface.networkInterfaceId;
  return {
    kind: 'restore-source-dest-check',
    ruleIds: [ruleId],
    summary: `turn source/destination check back on for ${networkInterfaceId}`,
    calls: [sourceDestCheck(networkInterfaceId, true)],
    compensation: [],
    checks: [{ kind: 'source-dest-check', networkInterfaceId, enabled: true }],
    undo: [sourceDestCheck(networkInterfaceId, false)],
  };
}

/**
 * Creates a flow log for the VPC to the stack's destination, or says why none can be: the one way
 * eni-guard enables a flow log (an interface's VPC, the deploy step, a new VPC, the sweep). ALL
 * traffic at 1-minute aggregation, as the baseline's own flow logs; tagged as eni-guard's (IAM lets
 * it create only flow logs that carry the managed tag) with the run that made it.
 */
export function enableFlowLogs(
  ruleId: string,
  intent: Extract<RemediationIntent, { kind: 'enable-flow-logs' }>,
  inputs: Pick<PlanInputs, 'flowLogDestination' | 'ledgerId'>,
): Action | Withheld {
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
          MaxAggregationInterval: 60,
          TagSpecifications: [
            {
              ResourceType: 'vpc-flow-log',
              Tags: [
                { Key: TAGS.managed, Value: 'true' },
                { Key: TAGS.ledger, Value: inputs.ledgerId.slice(0, 256) },
              ],
            },
          ],
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

/** Deletes the unattached interface that sits where interfaces are not allowed (irreversible). */
export function deleteInterface(ruleId: string, inputs: PlanInputs): Action {
  const ni = inputs.facts.networkInterface;
  const networkInterfaceId = ni.networkInterfaceId;
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

function sourceDestCheck(networkInterfaceId: string, value: boolean): ApiCall {
  return {
    service: 'ec2',
    operation: 'ModifyNetworkInterfaceAttribute',
    input: { NetworkInterfaceId: networkInterfaceId, SourceDestCheck: { Value: value } },
  };
}
