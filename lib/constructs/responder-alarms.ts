/**
 * Alarms on the responder — errors, throttles, and anything in its dead-letter queue — published
 * to the alert topic. The topic is KMS-encrypted and has a resource policy, so CloudWatch is
 * admitted to both explicitly, for this stack's alarms only.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS, METRICS_NAMESPACE, METRICS_SERVICE, type SinkName } from '../../lambda/core/metrics';
import type { DataKey } from './data-key';

/** Props of `ResponderAlarms`. */
export interface ResponderAlarmsProps {
  readonly function: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
  /** Where alarms are sent. */
  readonly topic: sns.Topic;
  /** The key that encrypts the topic; CloudWatch is allowed to use it for these alarms. */
  readonly dataKey: DataKey;
  /** Evaluation period. @default Duration.minutes(5) */
  readonly period?: Duration;
  /** The stack's other functions (the sweep, the burst flusher): an errors alarm each, to the same topic. */
  readonly companions?: readonly { readonly name: string; readonly function: lambda.IFunction; readonly description: string }[];
  /** More alarms on a metric each (the sinks' failures), named `<stack>-responder-<name>`, same rules. @default none */
  readonly metricAlarms?: readonly { readonly name: string; readonly metric: cloudwatch.IMetric; readonly description: string }[];
  /** Topics notified besides `topic` (the chat-only topic, so alarms reach the chat channel). Same key. @default none */
  readonly alsoNotify?: readonly sns.Topic[];
}

/** The alarms, each firing on the first occurrence in a period. */
export class ResponderAlarms extends Construct {
  /** The ARN pattern of every alarm here (`<stack>-responder-*`). */
  public readonly alarmArnPattern: string;
  public readonly errors: cloudwatch.Alarm;
  public readonly throttles: cloudwatch.Alarm;
  public readonly deadLetters: cloudwatch.Alarm;
  /** Errors alarms of the companion functions, by name. */
  public readonly companionErrors: Readonly<Record<string, cloudwatch.Alarm>>;
  /** The metric alarms, by name. */
  public readonly metricAlarms: Readonly<Record<string, cloudwatch.Alarm>>;
  /** Every alarm (for the dashboard). */
  public readonly all: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ResponderAlarmsProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    // Names are prefixed with the stack name so the service grants below can name exactly these alarms.
    const prefix = `${Aws.STACK_NAME}-responder-`;
    const alarmArns = `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${prefix}*`;
    this.alarmArnPattern = alarmArns;
    const alarm = (id: string, name: string, metric: cloudwatch.IMetric, description: string) =>
      new cloudwatch.Alarm(this, id, {
        alarmName: `${prefix}${name}`,
        alarmDescription: `eni-guard: ${description}`,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.errors = alarm(
      'Errors',
      'errors',
      props.function.metricErrors({ period }),
      'the responder failed (it is retried, then dead-lettered)',
    );
    this.throttles = alarm(
      'Throttles',
      'throttles',
      props.function.metricThrottles({ period }),
      'the responder hit its reserved concurrency; events wait for retries',
    );
    this.deadLetters = alarm(
      'DeadLetters',
      'dead-letters',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
      'events the responder could not handle are in the dead-letter queue',
    );
    const companions: Record<string, cloudwatch.Alarm> = {};
    for (const companion of props.companions ?? []) {
      companions[companion.name] = alarm(
        `${companion.name.replace(/(^|-)(\w)/g, (_m, _d: string, c: string) => c.toUpperCase())}Errors`,
        `${companion.name}-errors`,
        companion.function.metricErrors({ period }),
        companion.description,
      );
    }
    this.companionErrors = companions;
    const metricAlarms: Record<string, cloudwatch.Alarm> = {};
    for (const extra of props.metricAlarms ?? []) {
      metricAlarms[extra.name] = alarm(
        extra.name.replace(/(^|-)(\w)/g, (_m, _d: string, c: string) => c.toUpperCase()),
        extra.name,
        extra.metric,
        extra.description,
      );
    }
    this.metricAlarms = metricAlarms;
    this.all = [this.errors, this.throttles, this.deadLetters, ...Object.values(companions), ...Object.values(metricAlarms)];
    for (const topic of [props.topic, ...(props.alsoNotify ?? [])]) {
      const toTopic = new actions.SnsAction(topic);
      for (const a of this.all) a.addAlarmAction(toTopic);
      topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowResponderAlarms',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
          conditions: { ArnLike: { 'aws:SourceArn': alarmArns }, StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
        }),
      );
    }
    props.dataKey.allowServiceForSources('cloudwatch.amazonaws.com', alarmArns);
  }
}

/**
 * The failures of the sinks that are on, summed. One series per sink, named: CloudWatch refuses
 * alarms on `SEARCH` expressions, and the sinks are few and known. A sink that failed nothing
 * writes no point, so each series is filled with zero.
 */
export function sinkFailuresMetric(period: Duration, sinks: readonly SinkName[]): cloudwatch.MathExpression {
  const usingMetrics = Object.fromEntries(
    sinks.map((sink) => [
      sink,
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRICS.sinkFailures.name,
        dimensionsMap: { Sink: sink, service: METRICS_SERVICE },
        statistic: cloudwatch.Stats.SUM,
        period,
      }),
    ]),
  );
  return new cloudwatch.MathExpression({
    expression: sinks.map((sink) => `FILL(${sink}, 0)`).join(' + '),
    usingMetrics,
    label: 'sink failures',
    period,
  });
}
