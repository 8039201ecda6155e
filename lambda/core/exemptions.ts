/** Matches findings against the policy's exemptions; an expired exemption no longer applies, and says so. */
import type { Finding, InterfaceFacts } from './model';
import type { Exemption } from './policy';
import { globMatch } from './rule';

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

/** True when every condition of the exemption matches this finding on this interface. */
export function matches(exemption: Exemption, finding: Finding, facts: InterfaceFacts): boolean {
  if (!exemption.rules.includes('*') && !exemption.rules.includes(finding.ruleId)) return false;
  const { match } = exemption;
  const ni = facts.networkInterface;
  const caller = facts.context.caller;
  if (match.tag) {
    const instanceTags = facts.instance?.status === 'ok' ? facts.instance.value.tags : {};
    if (ni.tags[match.tag.key] !== match.tag.value && instanceTags[match.tag.key] !== match.tag.value) return false;
  }
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

/** Splits findings into those that stand and those an active exemption sets aside. */
export function applyExemptions(
  findings: readonly Finding[],
  exemptions: readonly Exemption[],
  facts: InterfaceFacts,
  now: Date,
): { findings: Finding[]; exempted: ExemptedFinding[]; expired: ExpiredExemption[] } {
  const standing: Finding[] = [];
  const exempted: ExemptedFinding[] = [];
  const expired: ExpiredExemption[] = [];
  for (const finding of findings) {
    const matching = exemptions.filter((exemption) => matches(exemption, finding, facts));
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
