import { renderAlert } from '../../../lambda/core/alert';
import type { Decision } from '../../../lambda/core/decision';
import { needsAlert, responseOf } from '../../../lambda/core/decision';
import { evaluate } from '../../../lambda/core/evaluate';
import { planResponse } from '../../../lambda/core/plan';
import { DEFAULT_POLICY, parsePolicy } from '../../../lambda/core/policy';
import { CONTEXT, facts, networkInterface, NOW, planInputs, rule } from '../../support/fixtures';

function decided(overrides: Partial<Decision> = {}, policy = DEFAULT_POLICY): Decision {
  const input = facts([rule({ ruleId: 'sgr-ssh' })]);
  const evaluation = evaluate(input, policy, NOW);
  const plan = planResponse(evaluation, policy, planInputs(input));
  return {
    context: CONTEXT,
    networkInterfaceId: 'eni-0aaaaaaaaaaaaaaaa',
    networkInterface: networkInterface({ publicIp: '203.0.113.10' }),
    outcome: 'noncompliant',
    findings: evaluation.findings,
    exempted: [],
    expiredExemptions: [],
    ruleErrors: [],
    plan,
    results: plan.actions.map((action) => ({
      action,
      status: 'succeeded',
      calls: action.calls.map((c) => ({ operation: c.operation, input: c.input, outcome: 'ok' })),
      outputs: {},
      verified: true,
      verification: 're-read sg-1: rules gone',
    })),
    ...overrides,
  };
}

describe('renderAlert', () => {
  it('renders a remediated critical finding for machines, people and filter policies', () => {
    const alert = renderAlert(decided({ ledgerId: 'ledger-1' }));
    expect(alert.subject).toBe('[eni-guard] CRITICAL world-open-ingress (+1) on eni-0aaaaaaaaaaaaaaaa: remediated');
    expect(alert.attributes).toEqual({
      severity: 'critical',
      outcome: 'noncompliant',
      response: 'remediated',
      rule: 'world-open-ingress',
      account: '123456789012',
      region: 'eu-west-1',
    });
    expect(alert.document).toMatchObject({
      schemaVersion: '1',
      eventId: CONTEXT.eventId,
      severity: 'critical',
      response: 'remediated',
      networkInterface: { id: 'eni-0aaaaaaaaaaaaaaaa', vpcId: 'vpc-1', publicIp: '203.0.113.10' },
      caller: { arn: 'arn:aws:iam::123456789012:user/alice' },
      plan: {
        mode: 'remediate',
        actions: [
          { kind: 'revoke-ingress', calls: ['RevokeSecurityGroupIngress GroupId=sg-1 SecurityGroupRuleIds=sgr-ssh'] },
          { kind: 'tag-interface', calls: [expect.stringContaining('CreateTags Resources=eni-0aaaaaaaaaaaaaaaa')] },
        ],
      },
      ledgerId: 'ledger-1',
      undoCommand: 'npx eni-guard undo ledger-1',
      results: [
        { kind: 'revoke-ingress', status: 'succeeded', verified: true, calls: ['RevokeSecurityGroupIngress → ok'] },
        { kind: 'tag-interface', status: 'succeeded', verified: true },
      ],
    });
    expect(alert.text).toContain('revoke 1 world-open rule(s) of sg-1, which only this interface uses → verified');
    expect(alert.text).toContain('Undo:      npx eni-guard undo ledger-1');
    expect(alert.text).toContain('Caller:    arn:aws:iam::123456789012:user/alice\nEvent:');
    expect(alert.text.split('\n')[0]).toBe('CRITICAL: 2 finding(s) on eni-0aaaaaaaaaaaaaaaa — response: remediated');
  });

  it('says a fix that did not verify is a failure, never a success', () => {
    const base = decided();
    const unverified = decided({
      results: base.results.map((r) => ({ ...r, verified: false, verification: 're-read sg-1: still present sgr-ssh' })),
    });
    expect(responseOf(unverified)).toBe('remediation-failed');
    expect(renderAlert(unverified).text).toContain('NOT verified (re-read sg-1: still present sgr-ssh)');
  });

  it('lists what a dry run would have called', () => {
    const policy = parsePolicy({ version: 1, dryRun: true });
    const alert = renderAlert(decided({ results: [] }, policy));
    expect(alert.attributes.response).toBe('dry-run');
    expect(alert.text).toContain('Dry run — would have called:\n  RevokeSecurityGroupIngress GroupId=sg-1');
  });

  it('keeps the subject within the SNS limit of 100 characters', () => {
    const long = decided({ networkInterfaceId: `eni-${'f'.repeat(200)}` });
    expect(renderAlert(long).subject.length).toBeLessThanOrEqual(100);
  });

  it('alerts on findings and errors, not on compliant or skipped interfaces', () => {
    expect(needsAlert(decided())).toBe(true);
    expect(needsAlert(decided({ findings: [], outcome: 'compliant' }))).toBe(false);
    expect(needsAlert(decided({ findings: [], outcome: 'compliant', ruleErrors: [{ ruleId: 'x', message: 'boom' }] }))).toBe(true);
  });
});
