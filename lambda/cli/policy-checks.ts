/**
 * Semantic checks `eni-guard validate` adds to the schema: a policy can be valid and still not do
 * what its author meant. Each is a warning (exit 0) unless `--strict`.
 */
import { isActive } from '../core/exemptions';
import type { Policy } from '../core/policy';
import { modeOf, settingsOf } from '../core/policy';
import { CRITICAL_PORTS } from '../core/named-ports';
import { RULES } from '../core/rules/index';
import { WORLD_OPEN_INGRESS, type WorldOpenIngressSettings } from '../core/rules/world-open-ingress';

/** One problem or warning: where in the policy, and why. */
export interface PolicyProblem {
  readonly path: string;
  readonly reason: string;
}

/** Warnings about a schema-valid policy, at `now` (exemption expiry). */
export function semanticWarnings(policy: Policy, now: Date): PolicyProblem[] {
  const warnings: PolicyProblem[] = [];
  if (RULES.every((rule) => modeOf(policy, rule.id) === 'off')) {
    warnings.push({ path: 'rules', reason: 'every rule is off: the responder will judge nothing' });
  }
  const worldOpen = settingsOf(policy, WORLD_OPEN_INGRESS) as Partial<WorldOpenIngressSettings> | undefined;
  for (const range of worldOpen?.allowedPublicPorts ?? []) {
    const to = range.to ?? range.from;
    const admin = [...CRITICAL_PORTS].filter(([port]) => port >= range.from && port <= to).map(([port, name]) => `${port}/${name}`);
    if (admin.length > 0) {
      warnings.push({
        path: 'rules.world-open-ingress.allowedPublicPorts',
        reason: `${range.protocol}/${range.from}${range.to !== undefined ? `-${to}` : ''} lets the whole internet reach ${admin.slice(0, 5).join(', ')}${admin.length > 5 ? ', …' : ''}`,
      });
    }
  }
  policy.exemptions.forEach((exemption, index) => {
    const path = `exemptions.${index} (${exemption.id})`;
    if (!isActive(exemption, now)) {
      warnings.push({ path: `${path}.expires`, reason: `expired on ${exemption.expires}: it no longer applies; renew or remove it` });
    }
    if (exemption.match.tag) {
      // A tag is the interface owner's to set: say plainly who can grant this exemption to themselves.
      const { tag, ...bounds } = exemption.match;
      const within = Object.entries(bounds)
        .filter(([, v]) => v !== undefined)
        .map(
          ([k, v]) =>
            `${k} ${Array.isArray(v) ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(',') : String(v)}`,
        )
        .join(', ');
      warnings.push({
        path: `${path}.match.tag`,
        reason: `anyone who can tag an interface or instance (${within}) can grant this exemption to themselves with ${tag.key}=${tag.value}; findings of the caller rule and tags set in the creating call are never exempted`,
      });
    }
    const named = exemption.rules.includes('*') ? RULES.map((rule) => rule.id) : exemption.rules;
    if (named.every((ruleId) => modeOf(policy, ruleId) === 'off')) {
      warnings.push({ path: `${path}.rules`, reason: `every rule it exempts is off (${exemption.rules.join(', ')}): it has no effect` });
    }
  });
  return warnings;
}

/** Splits `PolicyError` lines (`path: reason`) into their parts. */
export function splitProblem(line: string): PolicyProblem {
  const at = line.indexOf(': ');
  return at < 0 ? { path: '(root)', reason: line } : { path: line.slice(0, at), reason: line.slice(at + 2) };
}
