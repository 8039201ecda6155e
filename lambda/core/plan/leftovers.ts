/**
 * What an interrupted attempt leaves behind, and how the next one builds on it. A security group
 * eni-guard created (a per-interface copy) is tagged at creation, so the next delivery finds it;
 * its rules say which of the calls that configure it were made. The next plan adopts it — the calls
 * that make its rules exactly right, and no second `CreateSecurityGroup` that would fail forever
 * on the name — or, when it cannot be adopted, it is deleted.
 */
import { ipPermissionOf, type ApiCall, type ExecutedCall } from '../actions';
import type { OwnGroup, SecurityGroupRule } from '../model';
import { DEFAULT_EGRESS } from './shared';

/** A rule's identity apart from its id and description: protocol, ports, source or destination. */
export function ruleKey(
  rule: Pick<
    SecurityGroupRule,
    'isEgress' | 'protocol' | 'fromPort' | 'toPort' | 'cidrIpv4' | 'cidrIpv6' | 'prefixListId' | 'referencedGroupId'
  >,
): string {
  const ports = rule.protocol === '-1' ? '' : `${rule.fromPort ?? ''}-${rule.toPort ?? ''}`;
  const peer = rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.prefixListId ?? rule.referencedGroupId ?? '';
  return `${rule.isEgress ? 'out' : 'in'}|${rule.protocol}|${ports}|${peer}`;
}

/** True for the egress rule every new security group starts with (all traffic to 0.0.0.0/0, no description). */
export function isDefaultEgress(rule: SecurityGroupRule): boolean {
  return rule.isEgress && rule.protocol === '-1' && rule.cidrIpv4 === '0.0.0.0/0' && !rule.description;
}

/** The calls that turn `group`'s rules into exactly `wanted` (ingress and egress), on `groupId`. */
export function rulesDiff(groupId: string, have: readonly SecurityGroupRule[], wanted: readonly SecurityGroupRule[]): ApiCall[] {
  const wantedKeys = new Set(wanted.map(ruleKey));
  const haveKeys = new Set(have.map(ruleKey));
  const calls: ApiCall[] = [];
  for (const isEgress of [true, false]) {
    const extra = have.filter((r) => r.isEgress === isEgress && !wantedKeys.has(ruleKey(r)));
    const missing = wanted.filter((r) => r.isEgress === isEgress && !haveKeys.has(ruleKey(r)));
    if (extra.length > 0) {
      calls.push({
        service: 'ec2',
        operation: isEgress ? 'RevokeSecurityGroupEgress' : 'RevokeSecurityGroupIngress',
        input: { GroupId: groupId, SecurityGroupRuleIds: extra.map((r) => r.ruleId) },
        alreadyDone: ['InvalidPermission.NotFound', 'InvalidSecurityGroupRuleId.NotFound'],
      });
    }
    if (missing.length > 0) {
      calls.push({
        service: 'ec2',
        operation: isEgress ? 'AuthorizeSecurityGroupEgress' : 'AuthorizeSecurityGroupIngress',
        input: { GroupId: groupId, IpPermissions: missing.map(ipPermissionOf) },
        alreadyDone: ['InvalidPermission.Duplicate'],
      });
    }
  }
  return calls;
}

/**
 * The calls an interrupted attempt must have made for `group` to look as it does, starting from
 * what `CreateSecurityGroup` gives (the default egress rule, no ingress): listed in the record as
 * `recovered`, so it accounts for everything eni-guard did.
 */
export function groupEvidence(group: OwnGroup, created: ApiCall | undefined): ExecutedCall[] {
  const input = created
    ? { ...created.input, GroupId: group.groupId }
    : { GroupName: group.groupName ?? '', VpcId: group.vpcId ?? '', GroupId: group.groupId };
  const calls: ExecutedCall[] = [{ operation: 'CreateSecurityGroup', input, outcome: 'recovered' }];
  const egress = group.rules.filter((r) => r.isEgress);
  const ingress = group.rules.filter((r) => !r.isEgress);
  if (!egress.some(isDefaultEgress)) {
    calls.push({
      operation: 'RevokeSecurityGroupEgress',
      input: { GroupId: group.groupId, IpPermissions: [DEFAULT_EGRESS] },
      outcome: 'recovered',
    });
  }
  const added = egress.filter((r) => !isDefaultEgress(r));
  if (added.length > 0) {
    calls.push({
      operation: 'AuthorizeSecurityGroupEgress',
      input: { GroupId: group.groupId, IpPermissions: added.map(ipPermissionOf) },
      outcome: 'recovered',
    });
  }
  if (ingress.length > 0) {
    calls.push({
      operation: 'AuthorizeSecurityGroupIngress',
      input: { GroupId: group.groupId, IpPermissions: ingress.map(ipPermissionOf) },
      outcome: 'recovered',
    });
  }
  return calls;
}
