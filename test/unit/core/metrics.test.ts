/**
 * The metrics of a decision and of the sinks (lambda/core/metrics.ts): which points, by which
 * names, dimensions and values. Dimensions stay low-cardinality: never an interface, group,
 * account, event or ledger id. How the points become EMF lines is test/unit/adapters/metrics.test.ts.
 */
import type { Decision } from '../../../lambda/core/decision';
import {
  alertDigestedMetric,
  alertPublishedMetric,
  decisionEventMetric,
  decisionMetrics,
  handledMetrics,
  METRICS,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  securityHubMetrics,
  sinkFailureMetric,
  SINKS,
} from '../../../lambda/core/metrics';
import { SWEEP_EVENT_NAME } from '../../../lambda/core/sweep';
import { compliant, decided, NOTIFY_ALL } from '../../support/decisions';
import { CONTEXT } from '../../support/fixtures';

/** 4.5 s after the call. */
const AT = new Date(Date.parse(CONTEXT.eventTime) + 4_500);
const count = (name: string, dimensions: Record<string, string> = {}) => ({ name, unit: 'Count', value: 1, dimensions });

describe('metrics of a decision', () => {
  it('counts the outcome, each finding by rule and severity, each fix by action and result, and times the remediation', () => {
    expect(decisionMetrics(decided(), AT)).toEqual([
      count('Decisions', { Outcome: 'noncompliant' }),
      count('Findings', { Rule: 'world-open-ingress', Severity: 'critical' }),
      count('Findings', { Rule: 'public-ip', Severity: 'high' }),
      count('Remediations', { Action: 'revoke-ingress', Result: 'verified' }),
      count('Remediations', { Action: 'tag-interface', Result: 'verified' }),
      { name: 'TimeToRemediate', unit: 'Seconds', value: 4.5, dimensions: {} },
    ]);
  });

  it('counts a fix the policy held back by what the rule asked for, and times nothing', () => {
    expect(decisionMetrics(decided({ policy: NOTIFY_ALL }), AT)).toEqual([
      count('Decisions', { Outcome: 'noncompliant' }),
      count('Findings', { Rule: 'world-open-ingress', Severity: 'critical' }),
      count('Findings', { Rule: 'public-ip', Severity: 'high' }),
      count('Remediations', { Action: 'close-ingress', Result: 'withheld' }),
    ]);
  });

  it('counts a withheld fix by its rule when the finding asked for none', () => {
    const base = decided({ policy: NOTIFY_ALL });
    const withheld = (ruleId: string) => ({ ...base, plan: { ...base.plan!, withheld: [{ ruleId, reason: 'notify mode' }] } });
    expect(decisionMetrics(withheld('public-ip'), AT).at(-1)).toEqual(count('Remediations', { Action: 'public-ip', Result: 'withheld' }));
    // A rule with no finding of its own (an exempted one, say).
    expect(decisionMetrics(withheld('imds-v1'), AT).at(-1)).toEqual(count('Remediations', { Action: 'imds-v1', Result: 'withheld' }));
  });

  it('counts failed fixes as failed and fixes the re-read did not confirm as unverified, and times neither', () => {
    const failed = decisionMetrics(decided({ results: 'failed' }), AT);
    expect(failed.filter((p) => p.name === 'Remediations')).toEqual([
      count('Remediations', { Action: 'revoke-ingress', Result: 'failed' }),
      count('Remediations', { Action: 'tag-interface', Result: 'failed' }),
    ]);
    expect(failed.some((p) => p.name === 'TimeToRemediate')).toBe(false);
    const fixed = decided();
    const unconfirmed: Decision = {
      ...fixed,
      results: [
        { ...fixed.results[0]!, verified: false },
        { ...fixed.results[1]!, verified: undefined },
      ],
    };
    const points = decisionMetrics(unconfirmed, AT);
    expect(points.filter((p) => p.name === 'Remediations')).toEqual([
      count('Remediations', { Action: 'revoke-ingress', Result: 'unverified' }),
      count('Remediations', { Action: 'tag-interface', Result: 'unverified' }),
    ]);
    expect(points.some((p) => p.name === 'TimeToRemediate')).toBe(false);
  });

  it('counts a dry run’s actions as dry-run, and nothing as done', () => {
    const fixed = decided();
    const dryRun: Decision = { ...fixed, plan: { ...fixed.plan!, mode: 'dry-run' }, results: [] };
    expect(decisionMetrics(dryRun, AT)).toEqual([
      count('Decisions', { Outcome: 'noncompliant' }),
      count('Findings', { Rule: 'world-open-ingress', Severity: 'critical' }),
      count('Findings', { Rule: 'public-ip', Severity: 'high' }),
      count('Remediations', { Action: 'revoke-ingress', Result: 'dry-run' }),
      count('Remediations', { Action: 'tag-interface', Result: 'dry-run' }),
    ]);
  });

  it('counts an IaC conflict once per decision', () => {
    const base = decided({ policy: NOTIFY_ALL });
    const conflict: Decision = { ...base, plan: { ...base.plan!, escalation: 'sg-1 was re-opened 3 times: a human must act' } };
    expect(decisionMetrics(conflict, AT).filter((p) => p.name === 'IacConflicts')).toEqual([count('IacConflicts')]);
    expect(decisionMetrics(base, AT).some((p) => p.name === 'IacConflicts')).toBe(false);
  });

  it('times the remediation from the call, never below zero, and not for a sweep or an unreadable event time', () => {
    const timed = (decision: Decision, now = AT) => decisionMetrics(decision, now).filter((p) => p.name === 'TimeToRemediate');
    const fixed = decided();
    expect(timed(fixed, new Date(Date.parse(CONTEXT.eventTime) + 90_000))).toEqual([
      { name: 'TimeToRemediate', unit: 'Seconds', value: 90, dimensions: {} },
    ]);
    // A clock a little behind CloudTrail's.
    expect(timed(fixed, new Date(Date.parse(CONTEXT.eventTime) - 2_000))).toEqual([
      { name: 'TimeToRemediate', unit: 'Seconds', value: 0, dimensions: {} },
    ]);
    expect(timed({ ...fixed, context: { ...fixed.context, eventName: SWEEP_EVENT_NAME } })).toEqual([]);
    expect(timed({ ...fixed, context: { ...fixed.context, eventTime: 'not a time' } })).toEqual([]);
  });

  it('names a skipped interface by the reason’s first word, and only a skipped one', () => {
    expect(decisionMetrics(compliant({ outcome: 'skipped', reason: 'requester-managed: EC2 reports …' }), AT)).toEqual([
      count('Decisions', { Outcome: 'skipped' }),
      count('SkippedEvents', { Reason: 'requester-managed' }),
    ]);
    expect(decisionMetrics(compliant({ outcome: 'skipped', reason: 'out-of-scope' }), AT)).toEqual([
      count('Decisions', { Outcome: 'skipped' }),
      count('SkippedEvents', { Reason: 'out-of-scope' }),
    ]);
    expect(decisionMetrics(compliant({ outcome: 'skipped' }), AT)).toEqual([count('Decisions', { Outcome: 'skipped' })]);
    expect(decisionMetrics(compliant({ outcome: 'gone', reason: 'InvalidNetworkInterfaceID.NotFound: deleted' }), AT)).toEqual([
      count('Decisions', { Outcome: 'gone' }),
    ]);
    expect(decisionMetrics(compliant(), AT)).toEqual([count('Decisions', { Outcome: 'compliant' })]);
  });

  it('keeps every dimension low-cardinality: no interface, group, account, event or ledger id', () => {
    const values = [decided(), decided({ policy: NOTIFY_ALL }), decided({ results: 'failed' }), compliant()].flatMap((d) =>
      decisionMetrics(d, AT).flatMap((p) => Object.values(p.dimensions)),
    );
    expect(values.filter((v) => /eni-|sg-|i-0|\d{12}|[0-9a-f]{8}-/.test(v))).toEqual([]);
  });
});

describe('metrics of an event not decided', () => {
  it('counts a malformed event and an ignored one as skipped, by reason; a decided one adds nothing', () => {
    expect(handledMetrics({ kind: 'invalid' })).toEqual([count('SkippedEvents', { Reason: 'malformed' })]);
    expect(handledMetrics({ kind: 'ignored', reason: 'own-call' })).toEqual([count('SkippedEvents', { Reason: 'own-call' })]);
    expect(handledMetrics({ kind: 'decided' })).toEqual([]);
  });
});

describe('metrics of the sinks', () => {
  it('counts alerts published by kind (a decision when none is given) and alerts held for a digest', () => {
    expect(alertPublishedMetric('digest')).toEqual(count('AlertsPublished', { Kind: 'digest' }));
    expect(alertPublishedMetric(undefined)).toEqual(count('AlertsPublished', { Kind: 'decision' }));
    expect(alertDigestedMetric()).toEqual(count('AlertsDigested'));
  });

  it('sums Security Hub findings by status', () => {
    expect(securityHubMetrics({ 'f-1': 'failed', 'f-2': 'passed', 'f-3': 'failed', 'f-4': 'archived', 'f-5': 'failed' })).toEqual([
      { name: 'SecurityHubFindings', unit: 'Count', value: 3, dimensions: { Status: 'failed' } },
      { name: 'SecurityHubFindings', unit: 'Count', value: 1, dimensions: { Status: 'passed' } },
      { name: 'SecurityHubFindings', unit: 'Count', value: 1, dimensions: { Status: 'archived' } },
    ]);
    expect(securityHubMetrics({})).toEqual([]);
  });

  it('counts decision events and sink failures by sink', () => {
    expect(decisionEventMetric()).toEqual(count('DecisionEvents'));
    expect(Object.values(SINKS).map(sinkFailureMetric)).toEqual([
      count('SinkFailures', { Sink: 'securityhub' }),
      count('SinkFailures', { Sink: 'events' }),
      count('SinkFailures', { Sink: 'metrics' }),
    ]);
  });
});

describe('the metrics table', () => {
  it('names the namespace and service the dashboard and the docs read', () => {
    expect([METRICS_NAMESPACE, METRICS_SERVICE]).toEqual(['EniGuard', 'eni-guard']);
  });

  it('gives each metric a unique name and dimensions from a small fixed set', () => {
    const names = Object.values(METRICS).map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.fromEntries(Object.values(METRICS).map((m) => [m.name, [m.unit, ...m.dimensions]]))).toEqual({
      Decisions: ['Count', 'Outcome'],
      Findings: ['Count', 'Rule', 'Severity'],
      Remediations: ['Count', 'Action', 'Result'],
      TimeToRemediate: ['Seconds'],
      SkippedEvents: ['Count', 'Reason'],
      IacConflicts: ['Count'],
      AlertsPublished: ['Count', 'Kind'],
      AlertsDigested: ['Count'],
      SecurityHubFindings: ['Count', 'Status'],
      DecisionEvents: ['Count'],
      SinkFailures: ['Count', 'Sink'],
    });
  });
});
