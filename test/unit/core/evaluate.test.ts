import * as z from 'zod';
import { enabledRules, evaluate } from '../../../lambda/core/evaluate';
import { parsePolicy } from '../../../lambda/core/policy';
import type { Rule, Verdict } from '../../../lambda/core/rule';
import { facts, NOW } from '../../support/fixtures';

/** A stand-in rule under the id of a real one (the policy only knows real ids), answering `verdict`. */
const fake = (id: string, verdict: () => Verdict): Rule => ({
  id,
  description: id,
  requires: [],
  settings: z.unknown(),
  evaluate: verdict,
});
const finding = (ruleId: string) => ({ ruleId, severity: 'low' as const, title: ruleId, evidence: {} });
const policy = parsePolicy({ version: 1, rules: { 'public-ip': { mode: 'off' }, caller: { mode: 'notify' } } });

describe('evaluate', () => {
  it('runs the rules the policy does not switch off, and lists those that passed', () => {
    const rules = [
      fake('caller', () => ({ status: 'compliant' })),
      fake('public-ip', () => ({ status: 'non-compliant', findings: [finding('public-ip')] })),
      fake('source-dest-check', () => ({ status: 'not-applicable', reason: 'n/a' })),
      fake('required-tags', () => ({ status: 'non-compliant', findings: [finding('required-tags')] })),
    ];
    expect(enabledRules(policy, rules).map((r) => r.id)).toEqual(['caller', 'source-dest-check', 'required-tags']);
    expect(evaluate(facts([]), policy, NOW, rules)).toEqual({
      findings: [finding('required-tags')],
      exempted: [],
      expiredExemptions: [],
      errors: [],
      passed: ['caller', 'source-dest-check'],
    });
  });

  it('keeps the findings of a rule whose evidence is incomplete, and records it as an error (fail closed)', () => {
    const rules = [fake('caller', () => ({ status: 'non-compliant', findings: [finding('caller')], incomplete: 'ACL unreadable' }))];
    expect(evaluate(facts([]), policy, NOW, rules)).toMatchObject({
      findings: [finding('caller')],
      errors: [{ ruleId: 'caller', message: 'incomplete evidence: ACL unreadable' }],
      passed: [],
    });
  });

  it('records a rule that throws anything, and goes on with the others', () => {
    const rules = [
      fake('caller', () => {
        throw 'not an Error'; // eslint-disable-line @typescript-eslint/only-throw-error
      }),
      fake('required-tags', () => ({ status: 'non-compliant', findings: [finding('required-tags')] })),
    ];
    expect(evaluate(facts([]), policy, NOW, rules)).toMatchObject({
      findings: [finding('required-tags')],
      errors: [{ ruleId: 'caller', message: 'not an Error' }],
    });
  });
});
