/**
 * The CloudWatch dashboard: what eni-guard decided and did (its EMF metrics, lambda/core/metrics.ts),
 * whether it is healthy (its alarms, the dead-letter queue, the responder's duration percentiles),
 * and a text widget that says how to read it. Breakdowns use `SEARCH` over the metric's dimension
 * set, so every outcome, rule or action that occurs gets a line without the dashboard listing them.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS, METRICS_NAMESPACE, METRICS_SERVICE } from '../../lambda/core/metrics';

/** Props of `GuardDashboard`. */
export interface GuardDashboardProps {
  readonly responder: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
  /** Every alarm of the stack. */
  readonly alarms: readonly cloudwatch.IAlarm[];
  /** Show the Security Hub and decision-event lines. @default false each */
  readonly securityHub?: boolean;
  readonly decisionEvents?: boolean;
  /** @default Duration.minutes(5) */
  readonly period?: Duration;
}

/** What the text widget says. */
export const DASHBOARD_GUIDE = [
  '## eni-guard — how to read this dashboard',
  '',
  '**Decisions and findings** (first row): one decision per interface judged; `noncompliant` ones alert. Findings by rule and severity say what is wrong most often.',
  '',
  '**What it did** (second row): fixes by action and result — `verified` (re-read and confirmed), `failed` or `unverified` (look at the alert), `withheld` (the policy or a shared group held the fix back), `dry-run` (shadow mode). Time to remediate runs from the CloudTrail call to the verified fix.',
  '',
  "**Left alone, alerts, sinks** (third row): `own-call` skips are eni-guard's own fixes; IaC conflicts mean automation keeps re-applying what eni-guard fixed (talk to the pipeline's owner). `SinkFailures` above zero: search the log for *decision not delivered to a sink*.",
  '',
  '**Health** (last row): alarms; the dead-letter queue (above zero: replay it with `eni-guard respond`); the responder\u2019s duration. Metrics are EMF log lines in namespace `EniGuard` — no API calls. Names: docs/integrations.md; runbooks: docs/operations.md.',
].join('\n');

/** The eni-guard dashboard. */
export class GuardDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  /** The widgets, row by row (the docs' picture is drawn from them: scripts/dashboard-picture.ts). */
  public readonly rows: readonly (readonly cloudwatch.IWidget[])[];

  constructor(scope: Construct, id: string, props: GuardDashboardProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    const seconds = period.toSeconds();
    const search = (metric: (typeof METRICS)[keyof typeof METRICS], label: string, statistic = 'Sum') =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${[METRICS_NAMESPACE, ...metric.dimensions, 'service'].join(',')}} MetricName="${metric.name}" service="${METRICS_SERVICE}"', '${statistic}', ${seconds})`,
        label,
        period,
      });
    const plain = (metric: (typeof METRICS)[keyof typeof METRICS], statistic: string, label: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: metric.name,
        dimensionsMap: { service: METRICS_SERVICE },
        statistic,
        period,
        label,
      });
    const graph = (title: string, left: cloudwatch.IMetric[], width = 12, options: Partial<cloudwatch.GraphWidgetProps> = {}) =>
      new cloudwatch.GraphWidget({ title, left, width, height: 6, period, ...options });

    const rows: cloudwatch.IWidget[][] = [
      [new cloudwatch.TextWidget({ markdown: DASHBOARD_GUIDE, width: 24, height: 5 })],
      [
        graph('Decisions by outcome', [search(METRICS.decisions, '')], 12, { stacked: true }),
        graph('Findings by rule and severity', [search(METRICS.findings, '')], 12, { stacked: true }),
      ],
      [
        graph('Remediations by action and result', [search(METRICS.remediations, '')], 12, { stacked: true }),
        graph(
          'Time to remediate (CloudTrail call → verified fix), seconds',
          [
            plain(METRICS.timeToRemediate, 'p50', 'p50'),
            plain(METRICS.timeToRemediate, 'p90', 'p90'),
            plain(METRICS.timeToRemediate, 'Maximum', 'max'),
          ],
          12,
        ),
      ],
      [
        graph('Skipped events by reason', [search(METRICS.skipped, '')], 8, { stacked: true }),
        graph(
          'Alerts and IaC conflicts',
          [
            search(METRICS.alertsPublished, ''),
            plain(METRICS.alertsDigested, 'Sum', 'held for a digest'),
            plain(METRICS.iacConflicts, 'Sum', 'IaC conflicts'),
          ],
          8,
        ),
        graph(
          'Sinks: Security Hub, decision events, failures',
          [
            ...(props.securityHub ? [search(METRICS.securityHub, '')] : []),
            ...(props.decisionEvents ? [plain(METRICS.decisionEvents, 'Sum', 'decision events')] : []),
            search(METRICS.sinkFailures, ''),
          ],
          8,
        ),
      ],
      [
        new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 8, height: 6 }),
        graph(
          'Dead-letter queue: events not handled',
          [props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: 'messages visible' })],
          8,
        ),
        graph(
          'Responder duration (ms)',
          ['p50', 'p90', 'p99'].map((p) => props.responder.metricDuration({ period, statistic: p, label: p })),
          8,
        ),
      ],
    ];
    this.rows = rows;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { widgets: rows, defaultInterval: Duration.days(1) });
  }
}
