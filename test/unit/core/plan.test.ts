import * as z from 'zod';
import type { Evaluation } from '../../../lambda/core/evaluate';
import { evaluate } from '../../../lambda/core/evaluate';
import { groupsToEdit, planResponse } from '../../../lambda/core/plan';
import { parsePolicy } from '../../../lambda/core/policy';
import type { Rule } from '../../../lambda/core/rule';
import { worldOpenIngress } from '../../../lambda/core/rules/world-open-ingress';
import { facts, NOW, rule } from '../../support/fixtures';

const remediate = parsePolicy({ version: 1 });
const notify = parsePolicy({ version: 1, rules: { 'world-open-ingress': { mode: 'notify' } } });
const dryRun = parsePolicy({ version: 1, dryRun: true });
const sshOpen = () => evaluate(facts([rule({ ruleId: 'sgr-ssh' })]), remediate, NOW);
const soleUser = new Map([['sg-1', 1]]);

describe('planResponse', () => {
  it('revokes the offending rules when the group is used by this interface alone', () => {
    expect(planResponse(sshOpen(), remediate, soleUser)).toEqual({
      mode: 'remediate',
      actions: [{ kind: 'revoke-ingress', groupId: 'sg-1', securityGroupRuleIds: ['sgr-ssh'], ruleId: 'world-open-ingress' }],
      withheld: [],
    });
  });

  it('never edits a group another interface uses', () => {
    const plan = planResponse(sshOpen(), remediate, new Map([['sg-1', 3]]));
    expect(plan.mode).toBe('notify');
    expect(plan.actions).toEqual([]);
    expect(plan.withheld[0]?.reason).toContain('sg-1 is shared by 3 interfaces');
  });

  it('withholds a fix when group usage is unknown', () => {
    expect(planResponse(sshOpen(), remediate, new Map()).withheld[0]?.reason).toContain('could not tell which interfaces use sg-1');
  });

  it('only notifies when the policy says notify', () => {
    const evaluation = evaluate(facts([rule()]), notify, NOW);
    expect(groupsToEdit(evaluation, notify)).toEqual([]);
    expect(planResponse(evaluation, notify, soleUser)).toMatchObject({
      mode: 'notify',
      actions: [],
      withheld: [{ reason: 'policy sets world-open-ingress to notify' }],
    });
  });

  it('in dry-run reports the very actions it would take, and marks the plan dry-run', () => {
    const live = planResponse(sshOpen(), remediate, soleUser);
    const shadow = planResponse(evaluate(facts([rule({ ruleId: 'sgr-ssh' })]), dryRun, NOW), dryRun, soleUser);
    expect(shadow.mode).toBe('dry-run');
    expect(shadow.actions).toEqual(live.actions);
  });

  it('fails closed: a rule that throws stops every change for the interface', () => {
    // A rule the policy enables (caller notifies by default) that throws.
    const broken: Rule = {
      id: 'caller',
      description: 'throws',
      requires: [],
      remediable: false,
      settings: z.unknown(),
      evaluate: () => {
        throw new Error('boom');
      },
    };
    const evaluation: Evaluation = evaluate(facts([rule()]), remediate, NOW, [worldOpenIngress, broken]);
    expect(evaluation.errors).toEqual([{ ruleId: 'caller', message: 'boom' }]);
    expect(evaluation.findings).toHaveLength(1);
    expect(groupsToEdit(evaluation, remediate)).toEqual([]);
    const plan = planResponse(evaluation, remediate, soleUser);
    expect(plan).toMatchObject({ mode: 'notify', actions: [] });
    expect(plan.withheld[0]?.reason).toContain('rule caller failed');
  });
});

describe('evaluate', () => {
  it('skips rules the policy switches off', () => {
    const off = parsePolicy({ version: 1, rules: { 'world-open-ingress': { mode: 'off' } } });
    expect(evaluate(facts([rule()]), off, NOW, [worldOpenIngress as Rule])).toEqual({
      findings: [],
      exempted: [],
      expiredExemptions: [],
      errors: [],
      passed: [],
    });
  });

  it('records rules that passed', () => {
    expect(evaluate(facts([rule({ fromPort: 443, toPort: 443 })]), remediate, NOW).passed).toContain('world-open-ingress');
  });
});
