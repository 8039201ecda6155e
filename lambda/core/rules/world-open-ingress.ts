/**
 * world-open-ingress: a security group attached to the interface admits 0.0.0.0/0 or ::/0 on a
 * protocol or port the policy does not allow publicly (default: only TCP 443).
 */
import type { Finding, SecurityGroupRule, Severity } from '../model';
import { maxSeverity } from '../model';
import type { PortRange } from '../policy';
import { namedPortsIn, severityOfPortRange } from '../ports';
import type { Rule } from '../rule';

/** Stable id of this rule. */
export const WORLD_OPEN_INGRESS = 'world-open-ingress';

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
  readonly description?: string;
}

/** Flags ingress open to the world on anything but the allowed public ports. */
export const worldOpenIngress: Rule = {
  id: WORLD_OPEN_INGRESS,
  description: 'Security groups must not admit 0.0.0.0/0 or ::/0 except on the allowed public ports.',
  evaluate(facts, policy) {
    const settings = policy.rules[WORLD_OPEN_INGRESS];
    if (facts.networkInterface.groups.length === 0) return { status: 'not-applicable', reason: 'interface has no security groups' };

    const byGroup = new Map<string, OffendingRule[]>();
    for (const rule of facts.groupRules) {
      if (rule.isEgress || !isWorldOpen(rule)) continue;
      const offending = judge(rule, settings.allowedPublicPorts, settings.allowPublicIcmp);
      if (!offending) continue;
      byGroup.set(rule.groupId, [...(byGroup.get(rule.groupId) ?? []), offending]);
    }
    if (byGroup.size === 0) return { status: 'compliant' };

    const findings: Finding[] = [...byGroup].map(([groupId, rules]) => {
      const severity = rules.map((r) => r.severity).reduce(maxSeverity);
      const summary = rules.map((r) => `${r.protocol}/${r.ports} from ${r.source}`).join(', ');
      return {
        ruleId: WORLD_OPEN_INGRESS,
        severity,
        title: `${groupId} admits the whole internet on ${summary}`,
        evidence: { groupId, rules },
        remediation: { kind: 'revoke-ingress', groupId, securityGroupRuleIds: rules.map((r) => r.securityGroupRuleId) },
      };
    });
    return { status: 'non-compliant', findings };
  },
};

function isWorldOpen(rule: SecurityGroupRule): boolean {
  return (rule.cidrIpv4 !== undefined && WORLD_CIDRS.has(rule.cidrIpv4)) || (rule.cidrIpv6 !== undefined && WORLD_CIDRS.has(rule.cidrIpv6));
}

/** Returns why a world-open rule offends, or undefined when the policy allows it. */
function judge(rule: SecurityGroupRule, allowed: readonly PortRange[], allowIcmp: boolean): OffendingRule | undefined {
  const protocol = PROTOCOL_ALIASES[rule.protocol] ?? rule.protocol.toLowerCase();
  const base = {
    securityGroupRuleId: rule.ruleId,
    source: (rule.cidrIpv4 ?? rule.cidrIpv6)!,
    ...(rule.description ? { description: rule.description } : {}),
  };
  if (protocol === '-1') {
    return { ...base, protocol: 'all', ports: 'all', severity: 'critical', wellKnown: ['every protocol and port'] };
  }
  if (protocol === 'icmp' || protocol === 'icmpv6') {
    return allowIcmp ? undefined : { ...base, protocol, ports: 'all', severity: 'low', wellKnown: [] };
  }
  if (protocol !== 'tcp' && protocol !== 'udp') {
    return { ...base, protocol, ports: 'all', severity: 'medium', wellKnown: [] };
  }
  const allPorts = rule.fromPort === undefined || rule.fromPort < 0;
  const from = allPorts ? 0 : rule.fromPort;
  const to = allPorts ? 65535 : (rule.toPort ?? from);
  if (isCovered(protocol, from, to, allowed)) return undefined;
  return {
    ...base,
    protocol,
    ports: from === to ? String(from) : `${from}-${to}`,
    severity: severityOfPortRange(from, to),
    wellKnown: namedPortsIn(from, to),
  };
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
