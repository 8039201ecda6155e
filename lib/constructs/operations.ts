/**
 * What runs around a responder in every deployment, the single-account stack and each organization
 * hub alike: the periodic sweep (as the responder's role), alert delivery (chat, account alias, burst
 * digests) for everything both publish, the sinks besides SNS (Security Hub findings, decision
 * events), the alarms on all of them, the dashboard and the chat channel. Added directly to the
 * stack's scope, so the construct ids — and the logical ids of what is already deployed — stay as
 * they were.
 */
import { CfnOutput, Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { SINKS } from '../../lambda/core/metrics';
import type { EniGuardConfig } from '../config';
import { AlertDelivery } from './alert-delivery';
import type { AlertTopic } from './alert-topic';
import { ChatChannel } from './chat-channel';
import { GuardDashboard } from './dashboard';
import type { DataKey } from './data-key';
import type { BundleFlags } from './guard-function';
import { Integrations } from './integrations';
import type { Responder } from './responder';
import { ResponderAlarms, sinkFailuresMetric, type ResponderAlarmsProps } from './responder-alarms';
import { Sweep } from './sweep';

/** What `addOperations` needs: the responder it surrounds and the configuration of the deployment. */
export interface OperationsProps {
  readonly responder: Responder;
  readonly alerts: AlertTopic;
  readonly dataKey: DataKey;
  readonly config: EniGuardConfig;
  /** Added to the sweep's environment (the responder's): `SWEEP_VPCS` for flow logs for every VPC. @default none */
  readonly sweepEnvironment?: Readonly<Record<string, string>>;
  /** More functions whose errors alarm, besides the responder, the sweep and the flusher. @default none */
  readonly alarmed?: NonNullable<ResponderAlarmsProps['companions']>;
}

/** The sweep (when scheduled), alert delivery, the sinks, alarms, dashboard and chat channel of one deployment. */
export interface Operations {
  readonly sweep?: Sweep;
  readonly alertDelivery: AlertDelivery;
  readonly integrations: Integrations;
  readonly alarms: ResponderAlarms;
  readonly dashboard: GuardDashboard;
  readonly chatChannel?: ChatChannel;
}

/** Which integrations the functions' bundles carry: those the configuration turns on (guard-function.ts). */
export function bundleFlagsOf(config: EniGuardConfig): BundleFlags {
  return { securityHub: config.integrations.securityHub, decisionEvents: config.integrations.decisionEvents !== undefined };
}

/** Adds the sweep, alert delivery, the sinks, alarms, dashboard and chat channel around `props.responder`, in `scope` itself. */
export function addOperations(scope: Construct, props: OperationsProps): Operations {
  const { responder, alerts, dataKey, config } = props;
  const sweep = config.sweep.schedule
    ? new Sweep(scope, 'Sweep', {
        schedule: config.sweep.schedule,
        role: responder.role,
        environment: { ...responder.environment, ...props.sweepEnvironment },
        policy: config.policy,
        encryptionKey: dataKey.key,
        logRetention: config.logRetentionDays,
        bundleFlags: bundleFlagsOf(config),
      })
    : undefined;
  // Chat rendering, account alias and calm during bursts, for everything the responder publishes.
  const alertDelivery = new AlertDelivery(scope, 'AlertDelivery', {
    topic: alerts.topic,
    publisher: responder.function,
    // The sweep runs as the responder's role: same permissions, and the same delivery (bursts, chat, alias).
    ...(sweep ? { companions: [sweep.function] } : {}),
    dataKey,
    burstWindowSeconds: config.alerts.burstWindowSeconds,
    // A chat channel is reached through the chat-only topic (config.ts refuses it with alertChat=https).
    chat: config.integrations.chat ? 'topic' : config.alerts.chat,
    ledgerTableName: responder.ledger.tableName,
    logRetention: config.logRetentionDays,
    policyDocument: config.policy,
  });
  // Security Hub findings and decision events, for the responder and the sweep (one role). A hub imports each finding
  // in the finding's own account, through that account's member role (member-roles.ts grants it there, not here).
  const integrations = new Integrations(scope, 'Integrations', {
    role: responder.role,
    functions: [responder.function, ...(sweep ? [sweep.function] : [])],
    securityHub: config.integrations.securityHub,
    ...(config.scope === 'organization' ? { securityHubThroughMemberRoles: true } : {}),
    ...(config.integrations.decisionEvents ? { decisionEvents: config.integrations.decisionEvents } : {}),
  });
  const alarms = new ResponderAlarms(scope, 'ResponderAlarms', {
    function: responder.function,
    deadLetterQueue: responder.deadLetterQueue,
    topic: alerts.topic,
    dataKey,
    companions: [
      ...(props.alarmed ?? []),
      ...(sweep
        ? [{ name: 'sweep', function: sweep.function, description: 'the periodic sweep failed; interfaces no event reported go unchecked' }]
        : []),
      ...(alertDelivery.flusher
        ? [{ name: 'flusher', function: alertDelivery.flusher, description: 'burst digests could not be flushed; held alerts are late' }]
        : []),
    ],
    // A sink that failed a decision (logged with what was not delivered): from the functions' EMF metrics.
    metricAlarms: [
      {
        name: 'sink-failures',
        metric: sinkFailuresMetric(Duration.minutes(5), [
          SINKS.metrics,
          ...(config.integrations.securityHub ? [SINKS.securityHub] : []),
          ...(config.integrations.decisionEvents ? [SINKS.decisionEvents] : []),
        ]),
        description: 'a decision did not reach Security Hub, the event bus or metrics (see "decision not delivered to a sink" in the log)',
      },
    ],
    ...(alertDelivery.chatTopic && config.integrations.chat ? { alsoNotify: [alertDelivery.chatTopic] } : {}),
  });
  const chatChannel =
    config.integrations.chat && alertDelivery.chatTopic
      ? new ChatChannel(scope, 'ChatChannel', {
          channel: config.integrations.chat,
          topics: [alertDelivery.chatTopic],
          alarmArnPattern: alarms.alarmArnPattern,
        })
      : undefined;
  const dashboard = new GuardDashboard(scope, 'Dashboard', {
    responder: responder.function,
    deadLetterQueue: responder.deadLetterQueue,
    alarms: alarms.all,
    securityHub: config.integrations.securityHub,
    decisionEvents: config.integrations.decisionEvents !== undefined,
  });
  return { ...(sweep ? { sweep } : {}), alertDelivery, integrations, alarms, dashboard, ...(chatChannel ? { chatChannel } : {}) };
}

/** The outputs of the sinks, the dashboard and the chat channel (both stacks name them alike). */
export function addOperationsOutputs(scope: Construct, operations: Operations): void {
  new CfnOutput(scope, 'DashboardName', {
    value: operations.dashboard.dashboard.dashboardName,
    description: 'The CloudWatch dashboard: decisions, findings, fixes, time to remediate, alarms, dead letters, duration',
  });
  if (operations.integrations.eventBus) {
    new CfnOutput(scope, 'DecisionEventBusArn', {
      value: operations.integrations.eventBus.eventBusArn,
      description: 'Decision events (source eni-guard, detail-type "eni-guard Decision") go to this bus: subscribe with a rule',
    });
  }
  if (operations.chatChannel) {
    new CfnOutput(scope, 'ChatChannelConfigurationArn', {
      value: operations.chatChannel.configuration.attrArn,
      description: 'The Amazon Q Developer (AWS Chatbot) channel configuration eni-guard alerts and alarms go to',
    });
  }
}
