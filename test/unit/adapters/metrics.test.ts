/**
 * Metrics as CloudWatch Embedded Metric Format: the lines Powertools writes are parsed here as
 * CloudWatch Logs parses them (namespace, dimension sets, metric names and units, values).
 */
import { PowertoolsMetrics } from '../../../lambda/adapters/metrics';
import { decisionMetrics, handledMetrics, METRICS } from '../../../lambda/core/metrics';
import { compliant, decided, NOTIFY_ALL } from '../../support/decisions';
import { CONTEXT } from '../../support/fixtures';

interface Emf {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [key: string]: unknown;
}

/** Flushes and returns the EMF objects written to stdout. */
function flushed(metrics: PowertoolsMetrics): Emf[] {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    metrics.flush();
  } finally {
    spy.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Emf);
}

/** Metric name → { dimensions → value } over EMF objects. */
function readings(emf: Emf[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const line of emf) {
    const [directive] = line._aws.CloudWatchMetrics;
    const dims = directive!.Dimensions[0]!.filter((d) => d !== 'service')
      .map((d) => `${d}=${String(line[d])}`)
      .join(',');
    for (const m of directive!.Metrics) (out[m.Name] ??= {})[dims] = line[m.Name];
  }
  return out;
}

const AT = new Date(Date.parse(CONTEXT.eventTime) + 4_500);

describe('metrics of a decision', () => {
  it('counts the outcome, each finding by rule and severity, each fix by action and result, and the time to remediate', () => {
    const points = decisionMetrics(decided(), AT);
    expect(points).toEqual(
      expect.arrayContaining([
        { name: 'Decisions', unit: 'Count', value: 1, dimensions: { Outcome: 'noncompliant' } },
        { name: 'Findings', unit: 'Count', value: 1, dimensions: { Rule: 'world-open-ingress', Severity: 'critical' } },
        { name: 'Findings', unit: 'Count', value: 1, dimensions: { Rule: 'public-ip', Severity: 'high' } },
        { name: 'Remediations', unit: 'Count', value: 1, dimensions: { Action: 'revoke-ingress', Result: 'verified' } },
        { name: 'Remediations', unit: 'Count', value: 1, dimensions: { Action: 'tag-interface', Result: 'verified' } },
      ]),
    );
    // A fix the policy held back is counted by what the rule asked for.
    expect(decisionMetrics(decided({ policy: NOTIFY_ALL }), AT)).toEqual(
      expect.arrayContaining([
        { name: 'Remediations', unit: 'Count', value: 1, dimensions: { Action: 'close-ingress', Result: 'withheld' } },
      ]),
    );
    expect(points.filter((p) => p.name === 'TimeToRemediate')).toEqual([
      { name: 'TimeToRemediate', unit: 'Seconds', value: 4.5, dimensions: {} },
    ]);
  });

  it('times nothing when nothing was remediated, and names skipped events by reason', () => {
    expect(decisionMetrics(decided({ policy: NOTIFY_ALL }), AT).some((p) => p.name === 'TimeToRemediate')).toBe(false);
    expect(decisionMetrics(decided({ results: 'failed' }), AT)).toEqual(
      expect.arrayContaining([
        { name: 'Remediations', unit: 'Count', value: 1, dimensions: { Action: 'revoke-ingress', Result: 'failed' } },
      ]),
    );
    expect(decisionMetrics(compliant({ outcome: 'skipped', reason: 'requester-managed: EC2 reports …' }), AT)).toEqual(
      expect.arrayContaining([{ name: 'SkippedEvents', unit: 'Count', value: 1, dimensions: { Reason: 'requester-managed' } }]),
    );
    expect(handledMetrics({ kind: 'ignored', reason: 'own-call' })).toEqual([
      { name: 'SkippedEvents', unit: 'Count', value: 1, dimensions: { Reason: 'own-call' } },
    ]);
    expect(handledMetrics({ kind: 'invalid' })[0]!.dimensions).toEqual({ Reason: 'malformed' });
  });

  it('keeps every dimension low-cardinality: no interface, group, account, event or ledger id', () => {
    const values = [decided(), decided({ policy: NOTIFY_ALL }), compliant()].flatMap((d) =>
      decisionMetrics(d, AT).flatMap((p) => Object.values(p.dimensions)),
    );
    expect(values.filter((v) => /eni-|sg-|i-0|\d{12}|[0-9a-f]{8}-/.test(v))).toEqual([]);
  });
});

describe('PowertoolsMetrics (EMF)', () => {
  it('writes one EMF line per dimension set in namespace EniGuard with the service dimension, counts summed', () => {
    const metrics = new PowertoolsMetrics();
    metrics.record(decisionMetrics(decided(), AT));
    metrics.record(decisionMetrics(decided({ policy: NOTIFY_ALL }), AT));
    const emf = flushed(metrics);
    for (const line of emf) {
      expect(line._aws.CloudWatchMetrics[0]!.Namespace).toBe('EniGuard');
      expect(line['service']).toBe('eni-guard');
    }
    const read = readings(emf);
    expect(read['Decisions']).toEqual({ 'Outcome=noncompliant': 2 });
    expect(read['Findings']).toEqual({ 'Rule=world-open-ingress,Severity=critical': 2, 'Rule=public-ip,Severity=high': 2 });
    expect(read['Remediations']).toMatchObject({ 'Action=revoke-ingress,Result=verified': 1, 'Action=close-ingress,Result=withheld': 1 });
    expect(read['TimeToRemediate']).toEqual({ '': 4.5 });
    const units = Object.fromEntries(emf.flatMap((l) => l._aws.CloudWatchMetrics[0]!.Metrics.map((m) => [m.Name, m.Unit])));
    expect(units).toMatchObject({ Decisions: 'Count', TimeToRemediate: 'Seconds' });
  });

  it('flushes per invocation: a second flush writes nothing new, and past 99 values of one metric the dimensions are kept', () => {
    const metrics = new PowertoolsMetrics();
    const many = Array.from({ length: 150 }, (_, i) => ({
      name: METRICS.timeToRemediate.name,
      unit: 'Seconds' as const,
      value: i,
      dimensions: { Rule: 'x' },
    }));
    metrics.record(many);
    const emf = flushed(metrics);
    expect(emf).toHaveLength(2);
    expect(emf.every((l) => l['Rule'] === 'x')).toBe(true);
    expect(emf.flatMap((l) => l['TimeToRemediate'] as number[])).toHaveLength(150);
    expect(flushed(metrics)).toEqual([]);
  });
});
