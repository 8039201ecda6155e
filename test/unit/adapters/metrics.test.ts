/**
 * Metrics as CloudWatch Embedded Metric Format: the lines Powertools writes are parsed here as
 * CloudWatch Logs parses them (namespace, dimension sets, metric names and units, values). Which
 * points a decision yields is test/unit/core/metrics.test.ts.
 */
import { PowertoolsMetrics } from '../../../lambda/adapters/metrics';
import { decisionMetrics, METRICS } from '../../../lambda/core/metrics';
import { decided, NOTIFY_ALL } from '../../support/decisions';
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
