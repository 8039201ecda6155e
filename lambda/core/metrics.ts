/**
 * The CloudWatch metrics eni-guard emits (as Embedded Metric Format log lines: no API call), what
 * each is derived from, and their dimensions. Pure: a decision in, metric points out. The stack's
 * dashboard reads the same table (`METRICS`), so a metric cannot be renamed in one place only.
 *
 * Dimensions are low-cardinality by construction: outcomes, rule ids, severities, action kinds,
 * results, reasons, kinds, sinks — never an interface, group, account or event id.
 */
import type { Decision } from './decision';
import { responseOf } from './decision';
import { SWEEP_EVENT_NAME } from './sweep';

/** The CloudWatch namespace of every eni-guard metric. */
export const METRICS_NAMESPACE = 'EniGuard';
/** The `service` dimension Powertools adds to every metric (POWERTOOLS_SERVICE_NAME). */
export const METRICS_SERVICE = 'eni-guard';

/** Every metric: its name, unit, dimensions and meaning (the docs' table and the dashboard are built from this). */
export const METRICS = {
  decisions: { name: 'Decisions', unit: 'Count', dimensions: ['Outcome'], what: 'interface decisions, by outcome' },
  findings: { name: 'Findings', unit: 'Count', dimensions: ['Rule', 'Severity'], what: 'findings, by rule and severity' },
  remediations: {
    name: 'Remediations',
    unit: 'Count',
    dimensions: ['Action', 'Result'],
    what: 'fixes by action kind and result: `verified`, `unverified`, `failed`, `withheld` (Action: what the rule asked for), `dry-run`',
  },
  timeToRemediate: {
    name: 'TimeToRemediate',
    unit: 'Seconds',
    dimensions: [],
    what: "CloudTrail's `eventTime` of the call → the fix verified (events only, not the sweep)",
  },
  skipped: {
    name: 'SkippedEvents',
    unit: 'Count',
    dimensions: ['Reason'],
    what: 'events (and interfaces) left alone, by reason: `own-call`, `out-of-scope`, `requester-managed`, `malformed`, …',
  },
  iacConflicts: {
    name: 'IacConflicts',
    unit: 'Count',
    dimensions: [],
    what: 'fixes withheld because automation keeps re-applying the change',
  },
  alertsPublished: {
    name: 'AlertsPublished',
    unit: 'Count',
    dimensions: ['Kind'],
    what: 'SNS messages published, by kind (`decision`, `group-change`, `sweep-summary`, `digest`)',
  },
  alertsDigested: {
    name: 'AlertsDigested',
    unit: 'Count',
    dimensions: [],
    what: 'alerts held for a burst digest instead of being published on their own',
  },
  securityHub: {
    name: 'SecurityHubFindings',
    unit: 'Count',
    dimensions: ['Status'],
    what: 'findings imported into Security Hub, by status (`failed`, `passed`, `archived`)',
  },
  decisionEvents: { name: 'DecisionEvents', unit: 'Count', dimensions: [], what: 'decision events put on the EventBridge bus' },
  sinkFailures: {
    name: 'SinkFailures',
    unit: 'Count',
    dimensions: ['Sink'],
    what: 'a decision that could not reach a sink (`securityhub`, `events`, `metrics`) after retries; each is logged with the whole record',
  },
} as const satisfies Record<string, { name: string; unit: MetricUnit; dimensions: readonly string[]; what: string }>;

/** The sinks a decision goes to besides SNS, by the name their failures are logged and counted under (`SinkFailures` by `Sink`). */
export const SINKS = { securityHub: 'securityhub', decisionEvents: 'events', metrics: 'metrics' } as const;

/** A sink's name. */
export type SinkName = (typeof SINKS)[keyof typeof SINKS];

/** Units eni-guard uses. */
export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds';

/** One value of one metric. */
export interface MetricPoint {
  readonly name: string;
  readonly unit: MetricUnit;
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
}

const point = (metric: (typeof METRICS)[keyof typeof METRICS], dimensions: Record<string, string> = {}, value = 1): MetricPoint => ({
  name: metric.name,
  unit: metric.unit,
  value,
  dimensions,
});

/** The metrics of one decision about one interface, at `now` (the moment it finished: fixes are verified by then). */
export function decisionMetrics(decision: Decision, now: Date): MetricPoint[] {
  const points: MetricPoint[] = [point(METRICS.decisions, { Outcome: decision.outcome })];
  if (decision.outcome === 'skipped' && decision.reason) {
    points.push(point(METRICS.skipped, { Reason: decision.reason.split(':')[0]! }));
  }
  for (const finding of decision.findings) points.push(point(METRICS.findings, { Rule: finding.ruleId, Severity: finding.severity }));
  const plan = decision.plan;
  if (plan?.escalation) points.push(point(METRICS.iacConflicts));
  if (plan?.mode === 'dry-run') {
    for (const action of plan.actions) points.push(point(METRICS.remediations, { Action: action.kind, Result: 'dry-run' }));
  }
  for (const result of decision.results) {
    const outcome = result.status === 'failed' ? 'failed' : result.verified === true ? 'verified' : 'unverified';
    points.push(point(METRICS.remediations, { Action: result.action.kind, Result: outcome }));
  }
  for (const withheld of plan?.withheld ?? []) {
    // No action was planned: the dimension says what the rule asked for (close-ingress, disassociate-address, …).
    const intent = decision.findings.find((f) => f.ruleId === withheld.ruleId)?.remediation?.kind ?? withheld.ruleId;
    points.push(point(METRICS.remediations, { Action: intent, Result: 'withheld' }));
  }
  const eventTime = Date.parse(decision.context.eventTime);
  if (responseOf(decision) === 'remediated' && decision.context.eventName !== SWEEP_EVENT_NAME && Number.isFinite(eventTime)) {
    points.push(point(METRICS.timeToRemediate, {}, Math.max(0, (now.getTime() - eventTime) / 1000)));
  }
  return points;
}

/** What the responder's `handle` returned, as far as metrics care. */
export type HandledEvent =
  { readonly kind: 'invalid' } | { readonly kind: 'ignored'; readonly reason: string } | { readonly kind: 'decided' };

/** The metric of an event that was not decided at all (malformed, or ignored before any interface was judged). */
export function handledMetrics(result: HandledEvent): MetricPoint[] {
  if (result.kind === 'invalid') return [point(METRICS.skipped, { Reason: 'malformed' })];
  if (result.kind === 'ignored') return [point(METRICS.skipped, { Reason: result.reason })];
  return [];
}

/** An alert published (`kind`: the SNS message's `kind` attribute). */
export function alertPublishedMetric(kind: string | undefined): MetricPoint {
  return point(METRICS.alertsPublished, { Kind: kind ?? 'decision' });
}

/** An alert held for a burst digest. */
export function alertDigestedMetric(): MetricPoint {
  return point(METRICS.alertsDigested);
}

/** Findings imported into Security Hub, by status. */
export function securityHubMetrics(statuses: Readonly<Record<string, string>>): MetricPoint[] {
  const counts = new Map<string, number>();
  for (const status of Object.values(statuses)) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([Status, n]) => point(METRICS.securityHub, { Status }, n));
}

/** One decision event put on the bus. */
export function decisionEventMetric(): MetricPoint {
  return point(METRICS.decisionEvents);
}

/** A sink that failed a decision. */
export function sinkFailureMetric(sink: SinkName): MetricPoint {
  return point(METRICS.sinkFailures, { Sink: sink });
}
