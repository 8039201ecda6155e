/**
 * Metrics through Powertools Metrics: CloudWatch Embedded Metric Format lines on stdout, which
 * CloudWatch Logs turns into metrics — no API call, no latency. Powertools puts one dimension set
 * on every metric of a line, so points are grouped by their dimensions and each group is one line;
 * counts of the same metric and dimensions are summed (their `Sum` is what is read).
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricsPort } from '../app/ports';
import { METRICS_NAMESPACE, METRICS_SERVICE, type MetricPoint } from '../core/metrics';

/** Powertools writes a line by itself (and forgets its dimensions) when one metric reaches 100 values: stay below. */
const VALUES_PER_LINE = 99;

/** The Powertools `Metrics` eni-guard's functions emit with: namespace `EniGuard`, dimension `service=eni-guard`. */
export function createPowertoolsMetrics(): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });
}

/** `MetricsPort` over Powertools; `flush()` once per invocation (the entry points do, in `finally`). */
export class PowertoolsMetrics implements MetricsPort {
  private readonly groups = new Map<string, { dimensions: Readonly<Record<string, string>>; points: MetricPoint[] }>();

  constructor(private readonly metrics: Metrics = createPowertoolsMetrics()) {}

  record(points: readonly MetricPoint[]): void {
    for (const point of points) {
      const key = JSON.stringify(Object.entries(point.dimensions).sort(([a], [b]) => a.localeCompare(b)));
      const group = this.groups.get(key) ?? { dimensions: point.dimensions, points: [] };
      const same = point.unit === 'Count' ? group.points.find((p) => p.name === point.name) : undefined;
      if (same) group.points[group.points.indexOf(same)] = { ...same, value: same.value + point.value };
      else group.points.push(point);
      this.groups.set(key, group);
    }
  }

  /** Writes the invocation's metrics (one EMF line per dimension set) and forgets them. */
  flush(): void {
    for (const { dimensions, points } of this.groups.values()) {
      for (let start = 0; start < points.length; start += VALUES_PER_LINE) {
        const chunk = points.slice(start, start + VALUES_PER_LINE);
        for (const [name, value] of Object.entries(dimensions)) this.metrics.addDimension(name, value);
        for (const p of chunk) this.metrics.addMetric(p.name, p.unit, p.value);
        this.metrics.publishStoredMetrics();
      }
    }
    this.groups.clear();
  }
}
