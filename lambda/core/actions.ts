/**
 * Remediation actions: each declares the exact IAM actions it needs, next to its parameters.
 * lib/ grants exactly these; nothing else may be added to the function's role for remediation.
 */
import type { FactKind } from './model';

/** Revokes the named ingress rules of one security group (by security-group-rule id). */
export interface RevokeIngressAction {
  readonly kind: 'revoke-ingress';
  readonly groupId: string;
  readonly securityGroupRuleIds: readonly string[];
  /** The rule that asked for it. */
  readonly ruleId: string;
}

/** Any action the responder may carry out. */
export type Action = RevokeIngressAction;

/** The IAM actions each remediation needs. Resource scoping lives in lib/constructs/responder.ts. */
export const ACTION_PERMISSIONS: Readonly<Record<Action['kind'], readonly string[]>> = {
  'revoke-ingress': ['ec2:RevokeSecurityGroupIngress'],
};

/** Read-only calls the responder always makes: the interface, its groups' rules, group usage, verification. */
export const READ_PERMISSIONS: readonly string[] = ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroupRules'];

/**
 * Read-only calls per optional fact (lambda/adapters/ec2.ts). Granted only when an enabled rule needs
 * the fact. All are Describe calls without resource-level permissions, except
 * GetManagedPrefixListEntries, which is scoped to prefix lists in lib/constructs/responder.ts.
 */
export const FACT_PERMISSIONS: Readonly<Record<FactKind, readonly string[]>> = {
  prefixLists: ['ec2:GetManagedPrefixListEntries'],
  subnetNetwork: ['ec2:DescribeRouteTables', 'ec2:DescribeNetworkAcls'],
  flowLogs: ['ec2:DescribeFlowLogs'],
  instance: ['ec2:DescribeInstances', 'ec2:DescribeImages', 'ec2:DescribeVolumes', 'ec2:DescribeInstanceTypes'],
};

/** A one-line description of an action, as alerts and logs show it. */
export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'revoke-ingress':
      return `RevokeSecurityGroupIngress GroupId=${action.groupId} SecurityGroupRuleIds=${action.securityGroupRuleIds.join(',')}`;
  }
}
