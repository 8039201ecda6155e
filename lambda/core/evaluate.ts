/** Runs every enabled rule; one rule that throws never stops the others. */
import type { Finding, InterfaceFacts } from './model';
import type { Policy } from './policy';
import type { Rule } from './rule';
import { worldOpenIngress } from './rules/world-open-ingress';

/** Every rule eni-guard knows, in evaluation order. */
export const RULES: readonly Rule[] = [worldOpenIngress];

/** A rule that threw: reported in the alert, and it makes the response fail closed (notify only). */
export interface RuleError {
  readonly ruleId: string;
  readonly message: string;
}

/** What the rules said about one interface. */
export interface Evaluation {
  readonly findings: readonly Finding[];
  readonly errors: readonly RuleError[];
  /** Rules that ran and found the interface compliant or not applicable. */
  readonly passed: readonly string[];
}

/** Evaluates the facts against every rule the policy does not switch off. */
export function evaluate(facts: InterfaceFacts, policy: Policy, rules: readonly Rule[] = RULES): Evaluation {
  const findings: Finding[] = [];
  const errors: RuleError[] = [];
  const passed: string[] = [];
  for (const rule of rules) {
    if (modeOf(policy, rule.id) === 'off') continue;
    try {
      const verdict = rule.evaluate(facts, policy);
      if (verdict.status === 'non-compliant') findings.push(...verdict.findings);
      else passed.push(rule.id);
    } catch (error) {
      errors.push({ ruleId: rule.id, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { findings, errors, passed };
}

/** The mode the policy sets for a rule; rules the policy does not list notify. */
export function modeOf(policy: Policy, ruleId: string): 'off' | 'notify' | 'remediate' {
  const settings = (policy.rules as Readonly<Record<string, { mode?: 'off' | 'notify' | 'remediate' }>>)[ruleId];
  return settings?.mode ?? 'notify';
}
