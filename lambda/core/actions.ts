/**
 * Remediation actions as data. An action is the exact list of AWS API calls it makes (with their
 * parameters), what to undo if it fails half-way, how to check that it took, and how to undo it.
 * The plan lists these calls; the executor sends exactly these calls; the ledger stores them; undo
 * replays the `undo` calls. The IAM actions the function needs are derived from the same calls.
 */
import type { FactKind, SecurityGroupRule } from './model';

/** A reference to a value an earlier call of the same action returns (e.g. the id of a group it creates). */
export interface Ref {
  readonly $ref: string;
}

/** One AWS API call, exactly as it will be sent (once its `$ref` references are resolved). */
export interface ApiCall {
  /** `revoker`: a credential revocation, sent to the revoker function (lambda/core/revocation.ts), never to IAM directly. */
  readonly service: 'ec2' | 'iam' | 'revoker';
  /** The API operation, e.g. `RevokeSecurityGroupIngress`. */
  readonly operation: Operation;
  readonly input: Readonly<Record<string, unknown>>;
  /** Stores a value of the response under `name` for later `$ref`s (a dotted path into the response). */
  readonly output?: { readonly name: string; readonly path: string };
  /** Error codes meaning the effect is already in place (e.g. a rule already revoked): not a failure. */
  readonly alreadyDone?: readonly string[];
}

/** What to read after acting to know the change took; compared against the expectation by `verify.ts`. */
export type Check =
  /** The revoked rules are gone: neither their ids nor a rule with the same protocol, ports and source (re-added behind our back). */
  | {
      readonly kind: 'rules-absent';
      readonly groupId: string;
      readonly securityGroupRuleIds: readonly string[];
      readonly rules: readonly Pick<SecurityGroupRule, 'protocol' | 'fromPort' | 'toPort' | 'cidrIpv4' | 'cidrIpv6' | 'prefixListId'>[];
    }
  | { readonly kind: 'interface-groups'; readonly networkInterfaceId: string; readonly groupIds: readonly (string | Ref)[] }
  | { readonly kind: 'address-detached'; readonly networkInterfaceId: string; readonly allocationId: string }
  | { readonly kind: 'source-dest-check'; readonly networkInterfaceId: string; readonly enabled: boolean }
  | { readonly kind: 'flow-log-active'; readonly vpcId: string }
  | { readonly kind: 'tags'; readonly resourceId: string; readonly tags: Readonly<Record<string, string>> }
  | { readonly kind: 'role-policy'; readonly roleName: string; readonly policyName: string }
  | { readonly kind: 'access-key-inactive'; readonly userName: string; readonly accessKeyId: string }
  | { readonly kind: 'interface-deleted'; readonly networkInterfaceId: string }
  /** A quarantine group has no ingress and no egress rule (nobody opened it between the check and the move). */
  | { readonly kind: 'group-empty'; readonly groupId: string | Ref };

/** The kinds of remediation eni-guard carries out. */
export type ActionKind =
  | 'revoke-ingress'
  | 'replace-groups'
  | 'quarantine'
  | 'disassociate-address'
  | 'restore-source-dest-check'
  | 'enable-flow-logs'
  | 'tag-for-backup'
  | 'revoke-role-sessions'
  | 'deactivate-access-key'
  | 'tag-interface'
  | 'delete-interface'
  | 'isolate-instance';

/** One API call as it was actually sent, and how it ended. */
export interface ExecutedCall {
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
  /**
   * `already-done`: the call failed with an error meaning its effect was already in place.
   * `recovered`: an earlier attempt that was interrupted (the process died, its answer was lost) made
   * it; what AWS shows now proves it took effect.
   * `unknown`: an interrupted attempt was to make it; its effect is in place, but another remediation
   * made it too, so whether this attempt's call went out cannot be told.
   */
  readonly outcome: 'ok' | 'already-done' | 'failed' | 'recovered' | 'unknown';
  readonly error?: string;
}

/** One remediation: a unit that succeeds or fails as a whole. */
export interface Action {
  readonly kind: ActionKind;
  /** The rule(s) that asked for it. */
  readonly ruleIds: readonly string[];
  /** One human sentence: what and why. */
  readonly summary: string;
  readonly calls: readonly ApiCall[];
  /** Run (in order) when a call fails after earlier ones succeeded, so nothing is left half-done. */
  readonly compensation: readonly ApiCall[];
  readonly checks: readonly Check[];
  /** Restores the pre-state; `undefined` with `irreversible` saying why when it cannot be undone. */
  readonly undo: readonly ApiCall[];
  readonly irreversible?: string;
  /**
   * Calls an interrupted attempt already made that this action builds on (a half-made copy it adopts),
   * as reconstructed from what AWS shows: listed with the action's own calls, never sent again.
   */
  readonly recovered?: readonly ExecutedCall[];
}

/** Every operation an action may call, with the IAM action that authorises it. */
export const OPERATION_PERMISSIONS = {
  RevokeSecurityGroupIngress: 'ec2:RevokeSecurityGroupIngress',
  AuthorizeSecurityGroupIngress: 'ec2:AuthorizeSecurityGroupIngress',
  RevokeSecurityGroupEgress: 'ec2:RevokeSecurityGroupEgress',
  AuthorizeSecurityGroupEgress: 'ec2:AuthorizeSecurityGroupEgress',
  CreateSecurityGroup: 'ec2:CreateSecurityGroup',
  DeleteSecurityGroup: 'ec2:DeleteSecurityGroup',
  ModifyNetworkInterfaceAttribute: 'ec2:ModifyNetworkInterfaceAttribute',
  DisassociateAddress: 'ec2:DisassociateAddress',
  AssociateAddress: 'ec2:AssociateAddress',
  CreateFlowLogs: 'ec2:CreateFlowLogs',
  DeleteFlowLogs: 'ec2:DeleteFlowLogs',
  CreateTags: 'ec2:CreateTags',
  DeleteTags: 'ec2:DeleteTags',
  RevokeRoleSessions: 'lambda:InvokeFunction',
  DeactivateAccessKey: 'lambda:InvokeFunction',
  DeleteRolePolicy: 'iam:DeleteRolePolicy',
  UpdateAccessKey: 'iam:UpdateAccessKey',
  DeleteNetworkInterface: 'ec2:DeleteNetworkInterface',
  CreateSnapshot: 'ec2:CreateSnapshot',
  TerminateInstances: 'ec2:TerminateInstances',
} as const;

/** An operation remediation may call. */
export type Operation = keyof typeof OPERATION_PERMISSIONS;

/**
 * The operations each action kind makes — forward calls and the compensation of a half-done action —
 * for the responder's IAM grants. Undo calls are not here (`UNDO_OPERATIONS`): undo runs with the
 * operator's credentials, so the responder holds no permission that reverses a fix.
 */
export const ACTION_OPERATIONS: Readonly<Record<ActionKind, readonly Operation[]>> = {
  'revoke-ingress': ['RevokeSecurityGroupIngress'],
  'replace-groups': [
    'CreateSecurityGroup',
    'RevokeSecurityGroupEgress',
    'AuthorizeSecurityGroupEgress',
    'AuthorizeSecurityGroupIngress',
    'ModifyNetworkInterfaceAttribute',
    'DeleteSecurityGroup',
    'CreateTags',
  ],
  quarantine: ['CreateSecurityGroup', 'RevokeSecurityGroupEgress', 'ModifyNetworkInterfaceAttribute', 'DeleteSecurityGroup', 'CreateTags'],
  'disassociate-address': ['DisassociateAddress'],
  'restore-source-dest-check': ['ModifyNetworkInterfaceAttribute'],
  'enable-flow-logs': ['CreateFlowLogs', 'CreateTags'],
  'tag-for-backup': ['CreateTags'],
  'revoke-role-sessions': ['RevokeRoleSessions'],
  'deactivate-access-key': ['DeactivateAccessKey'],
  'tag-interface': ['CreateTags'],
  'delete-interface': ['DeleteNetworkInterface'],
  'isolate-instance': [
    'CreateSecurityGroup',
    'RevokeSecurityGroupEgress',
    'ModifyNetworkInterfaceAttribute',
    'DeleteSecurityGroup',
    'CreateSnapshot',
    'CreateTags',
    'TerminateInstances',
  ],
};

/** The operations each action kind's undo makes: what an operator running `eni-guard undo` needs. */
export const UNDO_OPERATIONS: Readonly<Record<ActionKind, readonly Operation[]>> = {
  'revoke-ingress': ['AuthorizeSecurityGroupIngress'],
  'replace-groups': ['ModifyNetworkInterfaceAttribute', 'DeleteSecurityGroup'],
  quarantine: ['ModifyNetworkInterfaceAttribute'],
  'disassociate-address': ['AssociateAddress'],
  'restore-source-dest-check': ['ModifyNetworkInterfaceAttribute'],
  'enable-flow-logs': ['DeleteFlowLogs'],
  'tag-for-backup': ['CreateTags', 'DeleteTags'],
  'revoke-role-sessions': ['DeleteRolePolicy'],
  'deactivate-access-key': ['UpdateAccessKey'],
  'tag-interface': ['CreateTags', 'DeleteTags'],
  'delete-interface': [],
  'isolate-instance': ['ModifyNetworkInterfaceAttribute', 'DeleteTags'],
};

/** Read-only calls the responder always makes: the interface, its groups' rules, group usage, verification. */
export const READ_PERMISSIONS: readonly string[] = ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroupRules'];

/** Reads of flow logs for every VPC (lambda/adapters/ec2.ts `vpcPages`, `describeVpc`, `describeFlowLogs`): no resource-level permissions. */
export const VPC_READ_PERMISSIONS: readonly string[] = ['ec2:DescribeVpcs', 'ec2:DescribeFlowLogs'];

/** Extra reads made only to plan or verify particular actions. */
export const ACTION_READ_PERMISSIONS: Readonly<Partial<Record<ActionKind, readonly string[]>>> = {
  quarantine: ['ec2:DescribeSecurityGroups'],
  'isolate-instance': ['ec2:DescribeSecurityGroups'],
  'enable-flow-logs': ['ec2:DescribeFlowLogs'],
  'tag-for-backup': ['ec2:DescribeTags'],
  'revoke-role-sessions': ['iam:GetRolePolicy'],
  'deactivate-access-key': ['iam:ListAccessKeys'],
};

/**
 * Read-only calls per optional fact (lambda/adapters/ec2.ts). Granted only when an enabled rule needs
 * the fact. All are Describe calls without resource-level permissions, except
 * GetManagedPrefixListEntries, which is scoped to prefix lists in lib/constructs/responder.ts.
 */
export const FACT_PERMISSIONS: Readonly<Record<FactKind, readonly string[]>> = {
  prefixLists: ['ec2:GetManagedPrefixListEntries'],
  callerInstance: ['ec2:DescribeInstances', 'ec2:DescribeImages', 'ec2:DescribeVolumes', 'ec2:DescribeInstanceTypes'],
  subnetNetwork: ['ec2:DescribeRouteTables', 'ec2:DescribeNetworkAcls'],
  flowLogs: ['ec2:DescribeFlowLogs'],
  instance: ['ec2:DescribeInstances', 'ec2:DescribeImages', 'ec2:DescribeVolumes', 'ec2:DescribeInstanceTypes'],
};

/**
 * What an action is about, to tell whether two attempts planned the same fix: its kind and the
 * resources its checks read (a group, the interface, a role …). Refs (ids created on the way) are left out.
 */
export function actionTarget(action: Action): string {
  const resources = action.checks.flatMap((check) => {
    switch (check.kind) {
      case 'rules-absent':
        return [check.groupId];
      case 'flow-log-active':
        return [check.vpcId];
      case 'tags':
        return [check.resourceId];
      case 'role-policy':
        return [check.roleName];
      case 'access-key-inactive':
        return [check.accessKeyId];
      case 'group-empty':
        // The quarantine group a move uses (created now, or one recorded before): the move's target is the interface.
        return [];
      default:
        return [check.networkInterfaceId];
    }
  });
  return `${action.kind}:${[...new Set(resources)].sort().join(',')}`;
}

/** True when the value is a `$ref` reference. */
export function isRef(value: unknown): value is Ref {
  return typeof value === 'object' && value !== null && typeof (value as { $ref?: unknown }).$ref === 'string';
}

/** Replaces every `$ref` in a value with the named output; throws naming a missing one. */
export function resolveRefs<T>(value: T, outputs: Readonly<Record<string, string>>): T {
  if (isRef(value)) {
    const resolved = outputs[value.$ref];
    if (resolved === undefined) throw new Error(`no output named ${value.$ref} (an earlier call did not run)`);
    return resolved as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => resolveRefs(v, outputs)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, outputs)])) as T;
  }
  return value;
}

/** A one-line rendering of a call: `Operation Key=value …`, refs shown as `<name>`. */
export function describeCall(call: ApiCall): string {
  const render = (value: unknown): string => {
    if (isRef(value)) return `<${value.$ref}>`;
    if (Array.isArray(value)) return value.map(render).join(',');
    if (typeof value === 'object' && value !== null) return JSON.stringify(value, (_k, v: unknown) => (isRef(v) ? `<${v.$ref}>` : v));
    return String(value);
  };
  return `${call.operation} ${Object.entries(call.input)
    .map(([key, value]) => `${key}=${render(value)}`)
    .join(' ')}`;
}

/** A one-line description of an action, as logs show it. */
export function describeAction(action: Action): string {
  return `${action.kind}: ${action.calls.map(describeCall).join('; ')}`;
}

/** The IpPermissions of one security-group rule, as Authorize/Revoke calls take them (descriptions kept). */
export function ipPermissionOf(rule: SecurityGroupRule): Record<string, unknown> {
  const permission: Record<string, unknown> = { IpProtocol: rule.protocol };
  if (rule.protocol !== '-1' && rule.fromPort !== undefined) permission['FromPort'] = rule.fromPort;
  if (rule.protocol !== '-1' && rule.toPort !== undefined) permission['ToPort'] = rule.toPort;
  const description = rule.description ? { Description: rule.description } : {};
  if (rule.cidrIpv4) permission['IpRanges'] = [{ CidrIp: rule.cidrIpv4, ...description }];
  if (rule.cidrIpv6) permission['Ipv6Ranges'] = [{ CidrIpv6: rule.cidrIpv6, ...description }];
  if (rule.prefixListId) permission['PrefixListIds'] = [{ PrefixListId: rule.prefixListId, ...description }];
  if (rule.referencedGroupId) permission['UserIdGroupPairs'] = [{ GroupId: rule.referencedGroupId, ...description }];
  return permission;
}
