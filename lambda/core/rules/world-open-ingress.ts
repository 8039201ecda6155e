/**
 * world-open-ingress: the security groups attached to the interface, together, admit the whole
 * internet on a protocol or port the policy does not allow publicly (default: only TCP 443).
 * Exposure is address arithmetic (docs/exposure.md): for each protocol and port, the union of the
 * sources of every ingress rule of every group — CIDRs in any spelling, prefix lists resolved to
 * their entries — is judged against the internet. A union that covers it is world-open: one
 * finding per contributing group, asking to close every contributing rule of that group. A union
 * that does not, but admits at least a `broadPrefixLength` block's worth of internet addresses,
 * is broad: a lower-severity finding with no fix (notify only).
 *
 * Each finding says whether the interface is reachable from the internet right now; if it is
 * not, the severity is one step lower. A source, prefix list or ACL entry that cannot be read
 * makes the evidence incomplete: the findings stand and the response fails closed.
 */
import * as z from 'zod';
import type { Family, IntervalSet } from '../cidr';
import { CidrError, sizeOf } from '../cidr';
import { exposureOf } from '../exposure';
import type { Grant, Judged, Service } from '../ingress';
import { grantsOf, judgeUnions, unionOf } from '../ingress';
import type { Finding, InterfaceFacts, PortSpan, SecurityGroupRule, Severity } from '../model';
import { maxSeverity, SEVERITIES } from '../model';
import { namedPortsIn, severityOfPortRange } from '../named-ports';
import type { Rule } from '../rule';
import { PortRangeSchema, remediableSettings } from '../rule';

/** Stable id of this rule. */
export const WORLD_OPEN_INGRESS = 'world-open-ingress';

/** A union admitting at least as many internet addresses as one block of this prefix length is broad. */
const BroadPrefixLengthSchema = z
  .strictObject({
    ipv4: z.number().int().min(0).max(32).default(8),
    ipv6: z.number().int().min(0).max(128).default(16),
  })
  .default({ ipv4: 8, ipv6: 16 });

const settings = remediableSettings('remediate', {
  allowedPublicPorts: z.array(PortRangeSchema).default([{ protocol: 'tcp', from: 443 }]),
  allowPublicIcmp: z.boolean().default(true),
  /**
   * A union of sources that is not the whole internet but admits at least as many internet addresses as one block of this
   * prefix length (2^(32−ipv4) IPv4, 2^(128−ipv6) IPv6 addresses) is broad: reported, never fixed. 0 turns it off.
   */
  broadPrefixLength: BroadPrefixLengthSchema,
});
/** Settings of `world-open-ingress`. */
export type WorldOpenIngressSettings = z.infer<typeof settings>;

type Verdict = 'world-open' | 'broad';
/** How many sources a title or an exposure names before it says how many more there are. */
const SHOWN_SOURCES = { title: 4, evidence: 20 } as const;

/** One judged stretch of ports with its grading and reachability, as the alert shows it. */
interface Exposure {
  readonly judged: Judged<Verdict>;
  /** Grants this finding kind names (broad: those not already closed as world-open). */
  readonly grants: readonly Grant[];
  readonly severity: Severity;
  /** Undefined when it could not be judged (routes or ACL unread). */
  readonly reachable: boolean | undefined;
  readonly reasons: readonly string[];
  /** The canonical sources of the union on this stretch (every grant on its ports), in address order. */
  readonly sources: readonly string[];
}

/** Flags ingress the groups together open to the whole internet (or a broad part of it) on anything but the allowed public ports. */
export const worldOpenIngress: Rule<WorldOpenIngressSettings> = {
  id: WORLD_OPEN_INGRESS,
  description:
    'Security groups must not, together, admit the whole internet except on the allowed public ports; broad public sources are reported.',
  requires: ['prefixLists', 'subnetNetwork'],
  settings,
  evaluate(facts, config) {
    if (facts.networkInterface.groups.length === 0) return { status: 'not-applicable', reason: 'interface has no security groups' };
    const gaps: string[] = [];
    const grants = grantsOf(facts, gaps);
    const judged = judgeUnions<Verdict>(grants, {
      skip: (_family, service) => skippedPorts(service, config),
      classify: ({ family, worldOpen, internetAddresses }) =>
        worldOpen ? 'world-open' : internetAddresses >= broadSize(family, config) ? 'broad' : undefined,
    });
    const closed = new Set(judged.filter((j) => j.verdict === 'world-open').flatMap((j) => j.grants.map((g) => g.rule.ruleId)));
    const exposures: Exposure[] = [];
    for (const j of judged) {
      const named = j.verdict === 'world-open' ? j.grants : j.grants.filter((g) => !closed.has(g.rule.ruleId));
      if (named.length > 0) exposures.push(grade(j, named, facts, gaps));
    }
    const findings = [...findingsFor('world-open', exposures, facts), ...findingsFor('broad', exposures, facts)];
    if (findings.length === 0 && gaps.length === 0) return { status: 'compliant' };
    return { status: 'non-compliant', findings, ...(gaps.length > 0 ? { incomplete: [...new Set(gaps)].join('; ') } : {}) };
  },
};

/** Ports of a protocol the policy allows from anywhere. */
function skippedPorts(service: Service, config: WorldOpenIngressSettings): IntervalSet {
  if (service === 'icmp' || service === 'icmpv6') return config.allowPublicIcmp ? [[0n, 65535n]] : [];
  return config.allowedPublicPorts
    .filter((range) => range.protocol === service)
    .map((range) => [BigInt(range.from), BigInt(range.to ?? range.from)] as const);
}

/** The number of internet addresses from which a union counts as broad. */
function broadSize(family: Family, config: WorldOpenIngressSettings): bigint {
  const bits = family === 'ipv4' ? 32 : 128;
  return 1n << BigInt(bits - config.broadPrefixLength[family]);
}

/** Grades one stretch (by protocol and well-known ports) and judges whether the interface is reachable on it now. */
function grade(judged: Judged<Verdict>, grants: readonly Grant[], facts: InterfaceFacts, gaps: string[]): Exposure {
  const base = baseSeverity(judged.service, judged.from, judged.to);
  const network = facts.subnetNetwork;
  let reachable: boolean | undefined;
  let reasons: readonly string[];
  if (network?.status !== 'ok') {
    gaps.push(`subnet routes and network ACL unavailable: ${network?.status === 'unavailable' ? network.reason : 'not gathered'}`);
    reasons = ['unknown: subnet routes and network ACL could not be read'];
  } else {
    try {
      // Stryker disable next-line ConditionalExpression: equivalent — a world-open stretch's grants cover the whole internet, so their union is the default; skipping it saves a union of every grant on the hot path.
      const sources = judged.verdict === 'world-open' ? undefined : unionOf(judged.grants);
      const exposure = exposureOf(facts.networkInterface, network.value, judged.family, judged.service, judged.from, judged.to, sources);
      reachable = exposure.reachable;
      reasons = exposure.reasons;
    } catch (error) {
      if (!(error instanceof CidrError)) throw error;
      const acl = network.value.networkAclId ? `network ACL ${network.value.networkAclId}` : 'network ACL';
      gaps.push(`${acl}: ${error.message}`);
      reasons = ['unknown: the network ACL could not be read'];
    }
  }
  // Broad is one step below world-open; either is one step lower again when not reachable now.
  let severity = judged.verdict === 'broad' ? lower(base) : base;
  if (reachable === false) severity = lower(severity);
  return { judged, grants, severity, reachable, reasons, sources: sourcesOf(judged) };
}

/** The severity of the whole internet on a stretch of a protocol: critical for all traffic and admin/database ports. */
function baseSeverity(service: Service, from: number, to: number): Severity {
  if (service === 'all') return 'critical';
  if (service === 'icmp' || service === 'icmpv6') return 'low';
  if (service === 'tcp' || service === 'udp') return severityOfPortRange(from, to);
  return 'medium';
}

/** One finding per group that contributes to exposures of this kind, in the order the groups' rules come. */
function findingsFor(kind: Verdict, exposures: readonly Exposure[], facts: InterfaceFacts): Finding[] {
  // Index once: which exposures and grants each rule is in, and which exposures each group is in.
  const byRule = new Map<string, { exposures: Exposure[]; grants: Grant[] }>();
  const byGroup = new Map<string, Exposure[]>();
  for (const e of exposures.filter((x) => x.judged.verdict === kind)) {
    for (const g of e.grants) {
      const entry = byRule.get(g.rule.ruleId) ?? { exposures: [], grants: [] };
      // A rule has one grant per family, so at most one in an exposure (of one family): each exposure comes once.
      entry.exposures.push(e);
      entry.grants.push(g);
      byRule.set(g.rule.ruleId, entry);
      const group = byGroup.get(g.rule.groupId) ?? [];
      if (group[group.length - 1] !== e) group.push(e);
      byGroup.set(g.rule.groupId, group);
    }
  }
  const evidence = new Map<Exposure, Record<string, unknown>>();
  const shownOf = (e: Exposure) => evidence.get(e) ?? evidence.set(e, exposureEvidence(e)).get(e)!;
  const groupIds = [...new Set(facts.groupRules.filter((r) => byRule.has(r.ruleId)).map((r) => r.groupId))];
  return groupIds.map((groupId) => {
    const own = byGroup.get(groupId)!;
    const rules = facts.groupRules
      .filter((r) => r.groupId === groupId && byRule.has(r.ruleId))
      .map((r) => offendingRule(r, byRule.get(r.ruleId)!));
    const severity = own.map((e) => e.severity).reduce(maxSeverity);
    const reachable = own.some((e) => e.reachable === true);
    const unknown = own.some((e) => e.reachable === undefined);
    const where = reachable ? 'reachable from the internet now' : unknown ? 'reachability unknown' : 'not reachable from the internet now';
    const shown = own.map(shownOf);
    // What the finding is about, for exemptions bounded by ports (every protocol is `-1`).
    const ports = own.map(({ judged: { service, from, to } }): PortSpan => ({ protocol: service === 'all' ? '-1' : service, from, to }));
    if (kind === 'broad') {
      return {
        ruleId: WORLD_OPEN_INGRESS,
        severity,
        title: `${titleOf(own, 'a broad part of the internet')} (not the whole internet; ${where})`,
        groupId,
        ports,
        evidence: { groupId, exposure: 'broad', ...(unknown && !reachable ? {} : { reachable }), rules, exposures: shown },
      };
    }
    return {
      ruleId: WORLD_OPEN_INGRESS,
      severity,
      title: `${titleOf(own, 'the whole internet')} (${where})`,
      groupId,
      ports,
      evidence: { groupId, exposure: reachable ? 'internet' : unknown ? 'unknown' : 'latent', rules, exposures: shown },
      remediation: { kind: 'close-ingress', groupId, securityGroupRuleIds: rules.map((r) => r.securityGroupRuleId) },
    };
  });
}

/** One contributing rule, as the alert shows it (the shape alerts have always carried). */
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

function offendingRule(rule: SecurityGroupRule, { exposures: theirs, grants }: { exposures: Exposure[]; grants: Grant[] }): OffendingRule {
  const { service, from, to } = grants[0]!;
  const ported = service === 'tcp' || service === 'udp';
  const reachable = theirs.some((e) => e.reachable === true) ? true : theirs.every((e) => e.reachable === false) ? false : undefined;
  return {
    securityGroupRuleId: rule.ruleId,
    protocol: service,
    ports: !ported ? 'all' : from === to ? String(from) : `${from}-${to}`,
    source: sourceOf(rule, grants),
    severity: theirs.map((e) => e.severity).reduce(maxSeverity),
    wellKnown: service === 'all' ? ['every protocol and port'] : ported ? namedPortsIn(from, to) : [],
    ...(reachable !== undefined ? { reachable } : {}),
    exposure: [...new Set(theirs.flatMap((e) => e.reasons))],
    ...(rule.description ? { description: rule.description } : {}),
  };
}

/** A rule's source: its canonical CIDR (and how it was written, when that differs), or its prefix list and the internet entries in it. */
function sourceOf(rule: SecurityGroupRule, grants: readonly Grant[]): string {
  const cidrs = [...new Set(grants.flatMap((g) => g.sources.map((c) => c.text)))];
  if (rule.prefixListId) return `${rule.prefixListId} (contains ${listed(cidrs, 5, ', ')})`;
  // A rule with a grant and no prefix list has a CIDR.
  const written = (rule.cidrIpv4 ?? rule.cidrIpv6)!;
  return cidrs[0] === written || cidrs.length !== 1 ? listed(cidrs, 5, ', ') : `${cidrs[0]} (written ${written})`;
}

/**
 * `sg-1 admits the whole internet on tcp/22 from 0.0.0.0/0`, or for a union
 * `sg-a and sg-b together admit the whole internet on tcp/22 (0.0.0.0/1 + 128.0.0.0/1)`; one clause per set of groups.
 */
function titleOf(exposures: readonly Exposure[], what: string): string {
  const clauses = new Map<string, { groups: string[]; parts: string[] }>();
  for (const e of exposures) {
    const groups = [...new Set(e.grants.map((g) => g.rule.groupId))];
    const key = JSON.stringify(groups);
    const clause = clauses.get(key) ?? { groups, parts: [] };
    const all = e.sources;
    const sources = listed(all, SHOWN_SOURCES.title, ' + ');
    const size = e.judged.verdict === 'broad' ? `, ${approximately(sizeOf(unionOf(e.judged.grants)))} internet addresses` : '';
    clause.parts.push(all.length === 1 ? `${serviceText(e)} from ${sources}${size}` : `${serviceText(e)} (${sources}${size})`);
    clauses.set(key, clause);
  }
  return [...clauses.values()]
    .map(({ groups, parts }) => {
      const who = groups.length === 1 ? `${groups[0]!} admits` : `${listed(groups, groups.length, ', ', ' and ')} together admit`;
      return `${who} ${what} on ${listed(parts, 4, ', ')}`;
    })
    .join('; ');
}

/** An exposure as evidence: what, on which ports, from where, which groups and rules, how bad, reachable or not. */
function exposureEvidence(e: Exposure): Record<string, unknown> {
  const { sources } = e;
  const { family, service, from, to, verdict } = e.judged;
  const ported = service === 'tcp' || service === 'udp';
  return {
    family,
    protocol: service,
    ports: !ported ? 'all' : from === to ? String(from) : `${from}-${to}`,
    sources: sources.slice(0, SHOWN_SOURCES.evidence),
    ...(sources.length > SHOWN_SOURCES.evidence ? { sourcesOmitted: sources.length - SHOWN_SOURCES.evidence } : {}),
    groups: [...new Set(e.grants.map((g) => g.rule.groupId))],
    securityGroupRuleIds: [...new Set(e.grants.map((g) => g.rule.ruleId))],
    severity: e.severity,
    wellKnown: service === 'all' ? ['every protocol and port'] : ported ? namedPortsIn(from, to) : [],
    ...(verdict === 'broad' ? { internetAddresses: String(sizeOf(unionOf(e.judged.grants))) } : {}),
    ...(e.reachable !== undefined ? { reachable: e.reachable } : {}),
    reasons: e.reasons,
  };
}

/** The canonical sources that make up an exposure's union (every grant on its ports). */
function sourcesOf(judged: Judged<Verdict>): string[] {
  const cidrs = judged.grants.flatMap((g) => g.sources);
  cidrs.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a.prefixLength - b.prefixLength));
  return [...new Set(cidrs.map((c) => c.text))];
}

/** `tcp/22`, `udp/0-1000`, `all traffic`, `icmp`, `protocol 47`. */
function serviceText(e: Exposure): string {
  const { service, from, to } = e.judged;
  if (service === 'all') return 'all traffic';
  if (service === 'tcp' || service === 'udp') return `${service}/${from === to ? from : `${from}-${to}`}`;
  // Stryker disable next-line Regex: a service is a number or a protocol name (serviceOf), and no name EC2 accepts begins with a digit.
  return /^\d+$/.test(service) ? `protocol ${service}` : service;
}

/** `2^31`, `≈2^30.6`: the size of a union, readable for both families. */
function approximately(n: bigint): string {
  const log = Math.log2(Number(n));
  return Number.isInteger(log) ? `2^${log}` : `≈2^${log.toFixed(1)}`;
}

/** Lists items, at most `limit`, then how many more. */
function listed(items: readonly string[], limit: number, separator: string, lastSeparator = separator): string {
  const shown = items.slice(0, limit);
  const more = items.length - shown.length;
  if (more > 0) return `${shown.join(separator)}${separator}${more} more`;
  if (shown.length > 1) return `${shown.slice(0, -1).join(separator)}${lastSeparator}${shown[shown.length - 1]!}`;
  // Stryker disable next-line StringLiteral: never given an empty list (a title's groups, clauses and sources, a rule's sources are never empty).
  return shown[0] ?? '';
}

/** One step less severe (critical → high, …); informational stays. */
function lower(severity: Severity): Severity {
  return SEVERITIES[Math.min(SEVERITIES.indexOf(severity) + 1, SEVERITIES.length - 1)]!;
}
