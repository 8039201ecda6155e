/**
 * How alerts are delivered, beyond the topic: the chat rendering (per protocol, or a chat-only
 * topic), the account-alias lookup, and calm during bursts — a window table the responder holds
 * alerts in and a flusher that publishes one digest per window when it ends, run every minute by
 * a schedule so a window is flushed even when no further event arrives.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PENDING_INDEX } from '../../lambda/core/burst';
import type { DataKey } from './data-key';
import { AlertTopic } from './alert-topic';
import { GuardFunction } from './guard-function';

/** Props of `AlertDelivery`. */
export interface AlertDeliveryProps {
  /** The alert topic. */
  readonly topic: sns.ITopic;
  /** The function that publishes alerts (the responder): gets the environment and permissions. */
  readonly publisher: lambda.Function;
  /** Other functions that publish alerts with the publisher's role (the sweep): they get the same environment. */
  readonly companions?: readonly lambda.Function[];
  /** Encrypts the window table, the chat topic and the flusher's logs. */
  readonly dataKey: DataKey;
  /** Burst window in seconds; 0 publishes every alert at once (no table, no flusher). @default 300 */
  readonly burstWindowSeconds?: number;
  /** The chat rendering: `https` subscriptions of the alert topic, a chat-only `topic`, or `none`. @default 'none' */
  readonly chat?: 'none' | 'https' | 'topic';
  /** The remediation ledger's name, named in digests. @default none */
  readonly ledgerTableName?: string;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** The policy, shipped next to the flusher as next to every eni-guard function (it does not read it). @default {} */
  readonly policyDocument?: unknown;
}

/** Alert delivery: chat, account alias, bursts. */
export class AlertDelivery extends Construct {
  /** The burst window table (absent when bursts are off). */
  public readonly burstTable?: dynamodb.Table;
  /** The flusher (absent when bursts are off). */
  public readonly flusher?: lambda.Function;
  /** The chat-only topic (`chat: topic`). */
  public readonly chatTopic?: sns.Topic;

  constructor(scope: Construct, id: string, props: AlertDeliveryProps) {
    super(scope, id);
    const windowSeconds = props.burstWindowSeconds ?? 300;
    const chat = props.chat ?? 'none';
    const role = props.publisher.role!;
    const environment: Record<string, string> = {};

    if (chat === 'topic') {
      this.chatTopic = new AlertTopic(this, 'ChatTopic', { encryptionKey: props.dataKey.key }).topic;
      environment['ALERT_CHAT_TOPIC_ARN'] = this.chatTopic.topicArn;
      this.chatTopic.grantPublish(role);
    }
    if (chat === 'https') environment['ALERT_CHAT_PROTOCOLS'] = 'https';

    // The alias is read once per container, on its first alert. ListAccountAliases has no
    // resource-level permissions; it reveals nothing the alert does not already say.
    const aliasPolicy = new iam.Policy(this, 'AccountAliasLookup', {
      statements: [new iam.PolicyStatement({ sid: 'ReadAccountAlias', actions: ['iam:ListAccountAliases'], resources: ['*'] })],
    });
    aliasPolicy.attachToRole(role);
    Validations.of(aliasPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'iam:ListAccountAliases supports no resource-level permissions; it names the account in alerts.',
    });

    if (windowSeconds > 0) {
      const table = new dynamodb.Table(this, 'BurstWindows', {
        partitionKey: { name: 'windowKey', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'itemId', type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: props.dataKey.key,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        timeToLiveAttribute: 'expiresAt',
        // Transient: windows live minutes, items a week (TTL). The ledger is the lasting record.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      table.addGlobalSecondaryIndex({
        indexName: PENDING_INDEX,
        partitionKey: { name: 'pending', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'windowEnd', type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      });
      this.burstTable = table;
      // Holding: a transaction (condition check on the window, put the item), reads to tell why it failed, open a window.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'HoldBurstAlerts',
          actions: ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
          resources: [table.tableArn],
        }),
      );
      environment['BURST_TABLE_NAME'] = table.tableName;
      environment['BURST_WINDOW_SECONDS'] = String(windowSeconds);

      const flusherRole = new iam.Role(this, 'FlusherRole', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: 'eni-guard burst flusher: reads ended windows, publishes their digests',
      });
      const guard = new GuardFunction(this, 'Flusher', {
        entry: path.join(__dirname, '..', '..', 'lambda', 'functions', 'burst-flusher.ts'),
        role: flusherRole,
        // GuardFunction ships the policy with every function; the flusher does not read it.
        policyDocument: props.policyDocument ?? {},
        encryptionKey: props.dataKey.key,
        ...(props.logRetention ? { logRetention: props.logRetention } : {}),
        // One flusher at a time: a window's digest is published by one run.
        reservedConcurrentExecutions: 1,
        timeout: Duration.seconds(60),
        description: 'eni-guard: publishes one digest per ended burst window',
        environment: {
          ALERT_TOPIC_ARN: props.topic.topicArn,
          ...environment,
          ...(props.ledgerTableName ? { LEDGER_TABLE_NAME: props.ledgerTableName } : {}),
        },
      });
      this.flusher = guard.function;
      guard.logGroup.grantWrite(flusherRole);
      flusherRole.addToPolicy(
        new iam.PolicyStatement({
          sid: 'FlushBurstWindows',
          actions: ['dynamodb:Query', 'dynamodb:UpdateItem'],
          resources: [table.tableArn],
        }),
      );
      flusherRole.addToPolicy(
        new iam.PolicyStatement({
          sid: 'QueryPendingWindows',
          actions: ['dynamodb:Query'],
          resources: [`${table.tableArn}/index/${PENDING_INDEX}`],
        }),
      );
      props.topic.grantPublish(flusherRole);
      this.chatTopic?.grantPublish(flusherRole);
      Validations.of(flusherRole).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: 'From the CDK grant to publish to the encrypted alert topic; limited to the one data key.',
      });
      new events.Rule(this, 'FlushSchedule', {
        description: 'eni-guard: publish the digests of ended burst windows',
        schedule: events.Schedule.rate(Duration.minutes(1)),
        targets: [new targets.LambdaFunction(guard.function, { retryAttempts: 2 })],
      });
    }
    for (const fn of [props.publisher, ...(props.companions ?? [])]) {
      for (const [name, value] of Object.entries(environment)) fn.addEnvironment(name, value);
    }
  }
}
