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

  it('says which interfaces are still to be handled: the change is not remediated while any is, and the text says so', () => {
    const fixed = { ...renderAlert(decision('eni-a', 'high')) };
    const done = { ...fixed, document: { ...fixed.document, response: 'remediated' as const } };
    expect(renderChangeAlert(CONTEXT, change, [done], { noncompliant: 1 })!.document.response).toBe('remediated');
    const pending = Array.from({ length: CHANGE_INTERFACE_LIMIT + 2 }, (_, i) => ({ id: `eni-p${i}`, reason: 'time budget reached' }));
    const combined = renderChangeAlert(CONTEXT, change, [done], { noncompliant: 1 }, pending)!;
    expect(combined.document.response).toBe('remediation-failed');
    expect(combined.attributes.response).toBe('remediation-failed');
    // The list is capped like the interfaces; the count is every interface still to handle.
    expect(combined.document.pending).toHaveLength(CHANGE_INTERFACE_LIMIT);
    expect(combined.document.pendingOmitted).toBe(2);
    expect(combined.text).toContain(
      `\nNot handled yet (${CHANGE_INTERFACE_LIMIT + 2}; the event is delivered again and a later alert reports them):\n  eni-p0: time budget reached\n`,
    );
    expect(combined.text).toContain(`\n  eni-p${CHANGE_INTERFACE_LIMIT - 1}: time budget reached\n  … and 2 more\n`);
    expect(renderChangeAlert(CONTEXT, change, [done], { noncompliant: 1 })!.text).not.toContain('Not handled yet');
    expect(renderChangeAlert(CONTEXT, change, [done], { noncompliant: 1 })!.document.pending).toBeUndefined();
    const few = renderChangeAlert(CONTEXT, change, [done], { noncompliant: 1 }, pending.slice(0, 1))!;
    expect(few.document.pendingOmitted).toBeUndefined();
    expect(few.text).not.toContain('more\n');
  });

  it('counts the interfaces left out of the text, and says where the rest are', () => {
    const alerts = Array.from({ length: CHANGE_INTERFACE_LIMIT + 1 }, (_, i) =>
      renderAlert(decision(`eni-${String(i).padStart(4, '0')}`, 'high')),
    );
    const { text } = renderChangeAlert(CONTEXT, change, alerts, {})!;
    expect(text).toContain(`\n… and 1 more interface(s): see the function log for event ${CONTEXT.eventId}`);
    expect(renderChangeAlert(CONTEXT, change, alerts.slice(1), {})!.text).not.toContain('more interface(s)');
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

  it('reports the VPC pass too: VPCs without flow logs count as noncompliant, a failed fix or an unlisted pass as high', () => {
    const context = sweepContext('2026-11-28T04:00:00Z', '123456789012', 'eu-west-1');
    const start = new Date('2026-11-28T04:00:00Z');
    const vpcs = {
      vpcs: 3,
      pages: 1,
      byOutcome: { logging: 2, 'dry-run': 1 },
      notLogging: [{ vpcId: 'vpc-0aaaaaaaaaaaaaaaa', outcome: 'dry-run' as const, detail: 'would create a flow log' }],
      incomplete: true,
    };
    const tally = new SweepTally();
    tally.add({ ...decision('eni-c', 'low'), outcome: 'compliant', findings: [] });
    tally.interfaces = 1;
    const summary = tally.summary(context, start, start, false, vpcs);
    expect(summary.severity).toBe('medium');
    expect(summary.vpcs).toEqual(vpcs);
    const alert = renderSweepAlert(context, summary);
    expect(alert.subject).toBe('[eni-guard] sweep eu-west-1: 1 interfaces, 0 noncompliant, 1 VPCs without flow logs (incomplete)');
    expect(alert.attributes).toMatchObject({ outcome: 'noncompliant', response: 'dry-run', severity: 'medium' });
    expect(alert.text).toContain(
      '\nVPCs:      3 (2 logging, 1 dry-run) — INCOMPLETE\n  vpc-0aaaaaaaaaaaaaaaa: dry-run — would create a flow log\n',
    );

    // A fix that failed is high; so is a pass that could not list the VPCs, which is an error, not compliant.
    const failed = {
      ...vpcs,
      byOutcome: { failed: 1 },
      notLogging: [{ ...vpcs.notLogging[0]!, outcome: 'failed' as const }],
      incomplete: false,
    };
    expect(new SweepTally().summary(context, start, start, false, failed).severity).toBe('high');
    const unlisted = { vpcs: 0, pages: 0, byOutcome: {}, notLogging: [], incomplete: false, error: 'DescribeVpcs: AccessDenied' };
    const quiet = new SweepTally().summary(context, start, start, false, unlisted);
    expect(quiet.severity).toBe('high');
    const unlistedAlert = renderSweepAlert(context, quiet);
    expect(unlistedAlert.attributes.outcome).toBe('error');
    expect(unlistedAlert.subject).toBe('[eni-guard] sweep eu-west-1: 0 interfaces, 0 noncompliant');
    expect(unlistedAlert.text).toContain('\nVPCs:      0 (none) — NOT LISTED: DescribeVpcs: AccessDenied\n');
    // Without a VPC pass, nothing about VPCs.
    const plain = renderSweepAlert(context, new SweepTally().summary(context, start, start, false));
    expect(plain.attributes.outcome).toBe('compliant');
    expect(plain.text).not.toContain('VPCs:');
  });

  it('gives every retry of a scheduled run the same id, and no caller the caller rule could flag', () => {
    expect(sweepContext('2026-11-28T04:00:00Z', 'a', 'r')).toMatchObject({
      eventId: 'sweep-2026-11-28T04:00:00Z',
      caller: { type: 'AWSService' },
    });
  });
});
