/** Matches findings against the policy's exemptions; an expired exemption no longer applies, and says so. */
import type { Finding, InterfaceFacts, PortSpan } from './model';
import type { Exemption } from './policy';
import { globMatch, type PortRange } from './rule';

/** A finding set aside by an exemption, with who owns that decision. */
export interface ExemptedFinding {
  readonly finding: Finding;
  readonly exemptionId: string;
  readonly owner: string;
  readonly reason: string;
  readonly expires: string;
}

/** An exemption that would have matched a finding, but has expired. */
export interface ExpiredExemption {
  readonly exemptionId: string;
  readonly ruleId: string;
  readonly owner: string;
  readonly expired: string;
}

/** True when the exemption is still valid at `now` (it applies through the whole `expires` day, UTC). */
export function isActive(exemption: Exemption, now: Date): boolean {
  return now.getTime() < Date.parse(`${exemption.expires}T00:00:00Z`) + 86_400_000;
}

/** Rules whose findings no tag can exempt: they are about the caller, and the caller sets the tags. */
const NEVER_BY_TAG: ReadonlySet<string> = new Set(['caller']);

/**
 * True when every condition of the exemption matches this finding on this interface. A tag is a
 * pointer the interface owner controls, so it counts only within the policy's bounds (the schema
 * requires one), never for the caller's own findings, and never when the caller set it in this very
 * call (`context.requestTags`): creating an open interface already tagged as exempt exempts nothing.
 */
export function matches(exemption: Exemption, finding: Finding, facts: InterfaceFacts): boolean {
  if (!exemption.rules.includes('*') && !exemption.rules.includes(finding.ruleId)) return false;
  const { match } = exemption;
  const ni = facts.networkInterface;
  const caller = facts.context.caller;
  if (match.tag) {
    if (NEVER_BY_TAG.has(finding.ruleId)) return false;
    const { key, value } = match.tag;
    if ((facts.context.requestTags ?? []).some((t) => t.key === key && t.value === value)) return false;
    const instanceTags = facts.instance?.status === 'ok' ? facts.instance.value.tags : {};
    if (ni.tags[key] !== value && instanceTags[key] !== value) return false;
  }
  if (match.accounts && !match.accounts.includes(facts.context.account)) return false;
  // Stryker disable next-line ArrayDeclaration: the fallback's elements are compared with the policy's OU ids, which the schema restricts to ou-…/r-…; no element the fallback could hold can equal one.
  if (match.ous && !(facts.context.ous ?? []).some((ou) => match.ous!.includes(ou))) return false;
  if (match.ports && !(finding.ports && finding.ports.length > 0 && finding.ports.every((span) => withinPorts(span, match.ports!))))
    return false;
  if (match.principal && ![caller.arn, caller.sessionIssuerArn].some((arn) => arn !== undefined && globMatch(match.principal!, arn)))
    return false;
  if (match.vpc && ni.vpcId !== match.vpc) return false;
  if (match.subnet && ni.subnetId !== match.subnet) return false;
  if (match.networkInterface && ni.networkInterfaceId !== match.networkInterface) return false;
  if (match.securityGroup) {
    const applies =
      finding.groupId !== undefined ? finding.groupId === match.securityGroup : ni.groups.some((g) => g.groupId === match.securityGroup);
    if (!applies) return false;
  }
  return true;
}

/** True when the span lies inside the union of the ranges of its protocol (`-1`, every protocol, is inside none). */
function withinPorts(span: PortSpan, ranges: readonly PortRange[]): boolean {
  const sorted = ranges
    .filter((r) => r.protocol === span.protocol)
    .map((r) => [r.from, r.to ?? r.from] as const)
    .sort((a, b) => a[0] - b[0]);
  let next = span.from;
  for (const [lo, hi] of sorted) {
    if (lo > next) break;
    if (hi >= next) next = hi + 1;
  }
  return next > span.to;
}

/** Splits findings into those that stand and those an active exemption sets aside. */
export function applyExemptions(
  findings: readonly Finding[],
  exemptions: readonly Exemption[],
  facts: InterfaceFacts,
  now: Date,
): ExemptionSplit {
  return split(findings, exemptions, (exemption, finding) => matches(exemption, finding, facts), now);
}

/** Findings that stand, those an active exemption sets aside, and the expired exemptions that would have. */
export interface ExemptionSplit {
  findings: Finding[];
  exempted: ExemptedFinding[];
  expired: ExpiredExemption[];
}

function split(
  findings: readonly Finding[],
  exemptions: readonly Exemption[],
  applies: (exemption: Exemption, finding: Finding) => boolean,
  now: Date,
): ExemptionSplit {
  const standing: Finding[] = [];
  const exempted: ExemptedFinding[] = [];
  const expired: ExpiredExemption[] = [];
  for (const finding of findings) {
    const matching = exemptions.filter((exemption) => applies(exemption, finding));
    const active = matching.find((exemption) => isActive(exemption, now));
    if (active) {
      exempted.push({ finding, exemptionId: active.id, owner: active.owner, reason: active.reason, expires: active.expires });
      continue;
    }
    standing.push(finding);
    for (const exemption of matching)
      expired.push({ exemptionId: exemption.id, ruleId: finding.ruleId, owner: exemption.owner, expired: exemption.expires });
  }
  return { findings: standing, exempted, expired };
}

/**
 * Applies exemptions to findings about a VPC itself (no interface): only an exemption bounded by
 * nothing narrower than the VPC counts — its `vpc` and/or `accounts`. One bounded by a subnet, a
 * group, an interface, a principal, ports or a tag covers part of the VPC's traffic, not the VPC.
 */
export function applyVpcExemptions(
  findings: readonly Finding[],
  exemptions: readonly Exemption[],
  place: { readonly account: string; readonly vpcId: string },
  now: Date,
): ExemptionSplit {
  const wholeVpc = (exemption: Exemption, finding: Finding): boolean => {
    const { vpc, accounts, ...narrower } = exemption.match;
    if (Object.values(narrower).some((v) => v !== undefined)) return false;
    if (!exemption.rules.includes('*') && !exemption.rules.includes(finding.ruleId)) return false;
    if (vpc === undefined && accounts === undefined) return false;
    return (vpc === undefined || vpc === place.vpcId) && (accounts === undefined || accounts.includes(place.account));
  };
  return split(findings, exemptions, wholeVpc, now);
}
