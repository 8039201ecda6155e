/**
 * Runs every enabled rule; one rule that throws (or lacks a fact) never stops the others. Its
 * error is recorded, and the planner then fails closed for the interface.
 */
import type { ExemptedFinding, ExpiredExemption } from './exemptions';
import { applyExemptions } from './exemptions';
import type { FactKind, Finding, InterfaceFacts } from './model';
import type { Policy } from './policy';
import { modeOf, settingsOf } from './policy';
import type { Rule } from './rule';
import { RULES } from './rules/index';

/** A rule that threw or could not see all its evidence: reported, and the response fails closed (notify only). */
export interface RuleError {
  readonly ruleId: string;
  readonly message: string;
}

/** What the rules said about one interface. */
export interface Evaluation {
  /** Findings that stand (not exempted). */
  readonly findings: readonly Finding[];
  readonly exempted: readonly ExemptedFinding[];
  readonly expiredExemptions: readonly ExpiredExemption[];
  readonly errors: readonly RuleError[];
  /** Rules that ran and found the interface compliant or not applicable. */
  readonly passed: readonly string[];
}

/** The rules the policy does not switch off. */
export function enabledRules(policy: Policy, rules: readonly Rule<unknown>[] = RULES): Rule<unknown>[] {
  return rules.filter((rule) => modeOf(policy, rule.id) !== 'off');
}

/** The optional facts the enabled rules need. */
export function requiredFacts(policy: Policy, rules: readonly Rule<unknown>[] = RULES): Set<FactKind> {
  const needs = new Set(enabledRules(policy, rules).flatMap((rule) => rule.requires));
  // Isolating the instance behind instance credentials needs that instance's interfaces and volumes.
  if (
    modeOf(policy, 'caller') === 'remediate' &&
    (settingsOf(policy, 'caller') as { isolateInstance?: boolean } | undefined)?.isolateInstance
  ) {
    needs.add('callerInstance');
  }
  return needs;
}

/** Evaluates the facts against every enabled rule at time `now`, then applies the exemptions. */
export function evaluate(facts: InterfaceFacts, policy: Policy, now: Date, rules: readonly Rule<unknown>[] = RULES): Evaluation {
  const raw: Finding[] = [];
  const errors: RuleError[] = [];
  const passed: string[] = [];
  for (const rule of enabledRules(policy, rules)) {
    try {
      const verdict = rule.evaluate(facts, settingsOf(policy, rule.id), { now });
      if (verdict.status === 'non-compliant') {
        raw.push(...verdict.findings);
        if (verdict.incomplete) errors.push({ ruleId: rule.id, message: `incomplete evidence: ${verdict.incomplete}` });
      } else {
        passed.push(rule.id);
      }
    } catch (error) {
      errors.push({ ruleId: rule.id, message: error instanceof Error ? error.message : String(error) });
    }
  }
  const { findings, exempted, expired } = applyExemptions(raw, policy.exemptions, facts, now);
  return { findings, exempted, expiredExemptions: expired, errors, passed };
}
