/**
 * world-open-ingress: a security group attached to the interface admits the whole internet
 * (0.0.0.0/0, ::/0, or a managed prefix list containing either) on a protocol or port the policy
 * does not allow publicly (default: only TCP 443). The finding says whether the interface is
 * reachable from the internet right now; if it is not, the severity is one step lower.
 */
import * as z from 'zod';
import { exposureOf } from '../exposure';
import type { Finding, InterfaceFacts, PortSpan, SecurityGroupRule, Severity } from '../model';
import { maxSeverity, SEVERITIES } from '../model';
import { namedPortsIn, severityOfPortRange } from '../named-ports';
import type { PortRange, Rule } from '../rule';
import { PortRangeSchema, remediableSettings } from '../rule';

/** Stable id of this rule. */
export const WORLD_OPEN_INGRESS = 'world-open-ingress';

const settings = remediableSettings('remediate', {
  allowedPublicPorts: z.array(PortRangeSchema).default([{ protocol: 'tcp', from: 443 }]),
  allowPublicIcmp: z.boolean().default(true),
});
/** Settings of `world-open-ingress`. */
export type WorldOpenIngressSettings = z.infer<typeof settings>;

const WORLD_CIDRS = new Set(['0.0.0.0/0', '::/0']);
const PROTOCOL_ALIASES: Readonly<Record<string, string>> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };

/** One offending rule, as the alert shows it. */
interface OffendingRule {
  readonly securityGroupRuleId: string;
  readonly protocol: string;
  readonly ports: string;
  readonly source: string;
  readonly severity: Severity;
  readonly wellKnown: readonly string[];
  readonly reachable?: boolean;
  readonly exposure: readonly string[];
  readonly description?: string;
}

/** Flags ingress open to the world on anything but the allowed public ports. */
export const worldOpenIngress: Rule<WorldOpenIngressSettings> = {
  id: WORLD_OPEN_INGRESS,
  description: 'Security groups must not admit 0.0.0.0/0 or ::/0 except on the allowed public ports.',
  requires: ['prefixLists', 'subnetNetwork'],
  remediable: true,
  settings,
  evaluate(facts, config) {
    if (facts.networkInterface.groups.length === 0) return { status: 'not-applicable', reason: 'interface has no security groups' };
    const gaps: string[] = [];
    const byGroup = new Map<string, OffendingRule[]>();
    const spans = new Map<string, PortSpan[]>();
    for (const rule of facts.groupRules) {
      if (rule.isEgress) continue;
      const families = worldFamilies(rule, facts, gaps);
      if (families.length === 0) continue;
      const judged = judge(rule, families, facts, config, gaps);
      if (judged) {
        byGroup.set(rule.groupId, [...(byGroup.get(rule.groupId) ?? []), judged.offending]);
        spans.set(rule.groupId, [...(spans.get(rule.groupId) ?? []), judged.span]);
      }
    }
    if (byGroup.size === 0) {
      return gaps.length > 0 ? { status: 'non-compliant', findings: [], incomplete: gaps.join('; ') } : { status: 'compliant' };
    }
    const findings: Finding[] = [...byGroup].map(([groupId, rules]) => {
      const severity = rules.map((r) => r.severity).reduce(maxSeverity);
      const reachable = rules.some((r) => r.reachable === true);
      const unknown = rules.some((r) => r.reachable === undefined);
      const summary = rules.map((r) => `${r.protocol}/${r.ports} from ${r.source}`).join(', ');
      const where = reachable
        ? 'reachable from the internet now'
        : unknown
          ? 'reachability unknown'
          : 'not reachable from the internet now';
      return {
        ruleId: WORLD_OPEN_INGRESS,
        severity,
        title: `${groupId} admits the whole internet on ${summary} (${where})`,
        groupId,
        ports: spans.get(groupId) ?? [],
        evidence: { groupId, exposure: reachable ? 'internet' : unknown ? 'unknown' : 'latent', rules },
        remediation: { kind: 'close-ingress', groupId, securityGroupRuleIds: rules.map((r) => r.securityGroupRuleId) },
      };
    });
    return { status: 'non-compliant', findings, ...(gaps.length > 0 ? { incomplete: gaps.join('; ') } : {}) };
  },
};

/** The IP families over which a rule admits the whole internet (directly or through a prefix list). */
function worldFamilies(rule: SecurityGroupRule, facts: InterfaceFacts, gaps: string[]): ('ipv4' | 'ipv6')[] {
  const families: ('ipv4' | 'ipv6')[] = [];
  if (rule.cidrIpv4 !== undefined && WORLD_CIDRS.has(rule.cidrIpv4)) families.push('ipv4');
  if (rule.cidrIpv6 !== undefined && WORLD_CIDRS.has(rule.cidrIpv6)) families.push('ipv6');
  if (rule.prefixListId) {
    if (facts.prefixLists?.status !== 'ok') {
      gaps.push(
        `prefix list ${rule.prefixListId} (rule ${rule.ruleId}) could not be resolved: ${facts.prefixLists?.status === 'unavailable' ? facts.prefixLists.reason : 'not gathered'}`,
      );
    } else {
      const cidrs = facts.prefixLists.value.get(rule.prefixListId) ?? [];
      if (cidrs.includes('0.0.0.0/0')) families.push('ipv4');
      if (cidrs.includes('::/0')) families.push('ipv6');
    }
  }
  return families;
}

/** Returns why a world-open rule offends, or undefined when the policy allows it. */
function judge(
  rule: SecurityGroupRule,
  families: ('ipv4' | 'ipv6')[],
  facts: InterfaceFacts,
  config: WorldOpenIngressSettings,
  gaps: string[],
): { offending: OffendingRule; span: PortSpan } | undefined {
  const protocol = PROTOCOL_ALIASES[rule.protocol] ?? rule.protocol.toLowerCase();
  const source = rule.prefixListId
    ? `${rule.prefixListId} (contains ${families.map((f) => (f === 'ipv4' ? '0.0.0.0/0' : '::/0')).join(', ')})`
    : (rule.cidrIpv4 ?? rule.cidrIpv6)!;
  const base = { securityGroupRuleId: rule.ruleId, source, ...(rule.description ? { description: rule.description } : {}) };
  let graded: { protocol: string; ports: string; severity: Severity; wellKnown: string[]; from: number; to: number };
  if (protocol === '-1') {
    graded = { protocol: 'all', ports: 'all', severity: 'critical', wellKnown: ['every protocol and port'], from: 0, to: 65535 };
  } else if (protocol === 'icmp' || protocol === 'icmpv6') {
    if (config.allowPublicIcmp) return undefined;
    graded = { protocol, ports: 'all', severity: 'low', wellKnown: [], from: 0, to: 65535 };
  } else if (protocol !== 'tcp' && protocol !== 'udp') {
    graded = { protocol, ports: 'all', severity: 'medium', wellKnown: [], from: 0, to: 65535 };
  } else {
    const allPorts = rule.fromPort === undefined || rule.fromPort < 0;
    const from = allPorts ? 0 : rule.fromPort;
    const to = allPorts ? 65535 : (rule.toPort ?? from);
    if (isCovered(protocol, from, to, config.allowedPublicPorts)) return undefined;
    graded = {
      protocol,
      ports: from === to ? String(from) : `${from}-${to}`,
      severity: severityOfPortRange(from, to),
      wellKnown: namedPortsIn(from, to),
      from,
      to,
    };
  }
  const { from, to, ...shown } = graded;
  const span: PortSpan = { protocol: protocol === '-1' ? '-1' : protocol, from, to };
  const network = facts.subnetNetwork;
  if (network?.status !== 'ok') {
    gaps.push(`subnet routes and network ACL unavailable: ${network?.status === 'unavailable' ? network.reason : 'not gathered'}`);
    return { offending: { ...base, ...shown, exposure: ['unknown: subnet routes and network ACL could not be read'] }, span };
  }
  const verdicts = families.map((family) => exposureOf(facts.networkInterface, network.value, family, protocol, from, to));
  const reachable = verdicts.some((v) => v.reachable);
  const exposure = verdicts.flatMap((v) => v.reasons);
  return { offending: { ...base, ...shown, severity: reachable ? shown.severity : lower(shown.severity), reachable, exposure }, span };
}

/** One step less severe (critical → high, …); informational stays. */
function lower(severity: Severity): Severity {
  return SEVERITIES[Math.min(SEVERITIES.indexOf(severity) + 1, SEVERITIES.length - 1)]!;
}

/** True when every port in [from, to] lies inside the allowed ranges for the protocol. */
function isCovered(protocol: string, from: number, to: number, allowed: readonly PortRange[]): boolean {
  const ranges = allowed
    .filter((range) => range.protocol === protocol)
    .map((range) => [range.from, range.to ?? range.from] as const)
    .sort((a, b) => a[0] - b[0]);
  let next = from;
  for (const [lo, hi] of ranges) {
    if (lo > next) break;
    if (hi >= next) next = hi + 1;
    if (next > to) return true;
  }
  return next > to;
}
