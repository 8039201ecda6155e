import { renderAlert } from '../../../lambda/core/alert';
import { CHANGE_INTERFACE_LIMIT, describeChangedRule, renderChangeAlert, worstResponse } from '../../../lambda/core/alert-batch';
import type { Decision } from '../../../lambda/core/decision';
import type { Severity } from '../../../lambda/core/model';
import { renderSweepAlert, sweepContext, SweepTally } from '../../../lambda/core/sweep';
import { CONTEXT, networkInterface } from '../../support/fixtures';

const change = { groupId: 'sg-1', rules: [{ ruleId: 'sgr-1', protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' }] };

function decision(id: string, severity: Severity, mode: 'notify' | 'dry-run' = 'notify'): Decision {
  return {
    context: { ...CONTEXT, eventName: 'AuthorizeSecurityGroupIngress' },
    networkInterfaceId: id,
    networkInterface: networkInterface({ networkInterfaceId: id }),
    outcome: 'noncompliant',
    findings: [{ ruleId: 'world-open-ingress', severity, title: 'sg-1 admits the whole internet on tcp/22', evidence: {} }],
    exempted: [],
    expiredExemptions: [],
    ruleErrors: [],
    plan: { mode, actions: [], withheld: [{ ruleId: 'world-open-ingress', reason: 'policy sets world-open-ingress to notify' }] },
    results: [],
  };
}

describe('renderChangeAlert', () => {
  it('combines the interfaces of one change into one alert, most severe first, naming the group and the rule added', () => {
    const alerts = [renderAlert(decision('eni-b', 'high')), renderAlert(decision('eni-a', 'critical'))];
    const combined = renderChangeAlert(CONTEXT, change, alerts, { noncompliant: 2, compliant: 1 })!;
    expect(combined.subject).toBe('[eni-guard] CRITICAL world-open-ingress on sg-1 (2 interfaces): notified');
    expect(combined.attributes).toMatchObject({ severity: 'critical', response: 'notified', kind: 'group-change' });
    expect(combined.document).toMatchObject({
      scope: 'group-change',
      networkInterface: { id: 'eni-a' },
      change,
      evaluated: { noncompliant: 2, compliant: 1 },
      interfaces: [
        { id: 'eni-a', severity: 'critical', actions: ['not remediated: world-open-ingress: policy sets world-open-ingress to notify'] },
        { id: 'eni-b', severity: 'high' },
      ],
    });
    expect(combined.text).toContain('Change:\n  tcp/22 from 0.0.0.0/0 (sgr-1)');
    expect(combined.text).toContain('Evaluated: 2 noncompliant, 1 compliant (every interface using sg-1)');
  });

  it('says of each interface whose record is incomplete, or whose fix was escalated, so — not only of the most severe', () => {
    const alerts = [
      renderAlert(decision('eni-a', 'critical')),
      renderAlert({ ...decision('eni-b', 'high'), ledgerWarning: 'the ledger record e/eni-b could not be completed (timeout)' }),
      renderAlert({ ...decision('eni-c', 'high'), escalation: 'gave up after 3 attempts' }),
    ];
    const combined = renderChangeAlert(CONTEXT, change, alerts, { noncompliant: 3 })!;
    expect(combined.document.interfaces).toEqual([
      expect.not.objectContaining({ ledgerWarning: expect.anything() }),
      expect.objectContaining({ id: 'eni-b', ledgerWarning: 'the ledger record e/eni-b could not be completed (timeout)' }),
      expect.objectContaining({ id: 'eni-c', escalation: 'gave up after 3 attempts' }),
    ]);
    expect(combined.text).toContain('WARNING — record incomplete: the ledger record e/eni-b could not be completed (timeout)');
    expect(combined.text).toContain('ESCALATED: gave up after 3 attempts');
  });

  it('renders nothing when no interface alerts', () => {
    expect(renderChangeAlert(CONTEXT, change, [], { compliant: 3 })).toBeUndefined();
  });

  it(`lists at most ${CHANGE_INTERFACE_LIMIT} interfaces and counts the rest`, () => {
    const alerts = Array.from({ length: CHANGE_INTERFACE_LIMIT + 5 }, (_, i) =>
      renderAlert(decision(`eni-${String(i).padStart(4, '0')}`, 'high')),
    );
    const combined = renderChangeAlert(CONTEXT, change, alerts, {})!;
    expect(combined.document.interfaces).toHaveLength(CHANGE_INTERFACE_LIMIT);
    expect(combined.document.interfacesOmitted).toBe(5);
  });

  it('says "not fixed" when any interface was not fixed', () => {
    expect(worstResponse(['remediated', 'dry-run'])).toBe('dry-run');
    expect(worstResponse(['remediated', 'notified', 'remediation-failed'])).toBe('remediation-failed');
    expect(worstResponse([])).toBe('none');
  });

  it.each([
    [{ protocol: '-1', cidrIpv6: '::/0' }, 'all traffic from ::/0'],
    [{ protocol: 'tcp', fromPort: 8000, toPort: 8080, prefixListId: 'pl-1' }, 'tcp/8000-8080 from pl-1'],
  ])('describes %j as %s', (rule, text) => {
    expect(describeChangedRule(rule)).toBe(text);
  });
});

describe('sweep summary', () => {
  it('counts by outcome and response, lists the non-compliant most severe first, and alerts as a summary', () => {
    const context = sweepContext('2026-11-28T04:00:00Z', '123456789012', 'eu-west-1');
    const tally = new SweepTally();
    tally.add(decision('eni-b', 'medium'));
    tally.add(decision('eni-a', 'critical', 'dry-run'));
    tally.add({ ...decision('eni-c', 'low'), outcome: 'compliant', findings: [] });
    tally.fail('eni-d', 'Throttling');
    tally.interfaces = 4;
    tally.pages = 1;
    const summary = tally.summary(context, new Date('2026-11-28T04:00:00Z'), new Date('2026-11-28T04:00:09Z'), false);
    expect(summary).toMatchObject({
      sweepId: 'sweep-2026-11-28T04:00:00Z',
      durationMs: 9000,
      byOutcome: { noncompliant: 2, compliant: 1, error: 1 },
      byResponse: { notified: 1, 'dry-run': 1 },
      severity: 'critical',
      noncompliant: [{ id: 'eni-a' }, { id: 'eni-b' }],
      failures: [{ id: 'eni-d', error: 'Throttling' }],
    });
    const alert = renderSweepAlert(context, summary);
    expect(alert.subject).toBe('[eni-guard] sweep eu-west-1: 4 interfaces, 2 noncompliant, 1 errors');
    expect(alert.attributes).toMatchObject({
      kind: 'sweep-summary',
      rule: 'sweep',
      severity: 'critical',
      outcome: 'noncompliant',
      response: 'notified',
    });
    expect(alert.text).toContain('Not evaluated:\n  eni-d: Throttling');
  });

  it('gives every retry of a scheduled run the same id, and no caller the caller rule could flag', () => {
    expect(sweepContext('2026-11-28T04:00:00Z', 'a', 'r')).toMatchObject({
      eventId: 'sweep-2026-11-28T04:00:00Z',
      caller: { type: 'AWSService' },
    });
  });
});
