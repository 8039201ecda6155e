/**
 * An organization hub in one Region (`EniGuardHub-<region>`): the responder, the sweep, alert
 * delivery, the ledger and the alarms of the single-account stack, listening on the hub bus the
 * members forward to, and working in member accounts through their roles. No account baseline: the
 * hub reuses the organization's trail, and each member's baseline is its own. No business logic here.
 */
import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { modeOf } from '../lambda/core/policy';
import { RULES } from '../lambda/core/rules/index';
import type { EniGuardConfig, OrganizationConfig } from './config';
import type { AlertDelivery } from './constructs/alert-delivery';
import { AlertTopic } from './constructs/alert-topic';
import { DataKey } from './constructs/data-key';
import { HubBus } from './constructs/hub-bus';
import { Responder } from './constructs/responder';
import { addOperations, addOperationsOutputs, bundleFlagsOf, type Operations } from './constructs/operations';
import type { ResponderAlarms } from './constructs/responder-alarms';
import type { Sweep } from './constructs/sweep';
import type { OrganizationPlan } from './organization-plan';

/** Props of `EniGuardHubStack`. */
export interface EniGuardHubStackProps extends StackProps {
  readonly config: EniGuardConfig;
  readonly organization: OrganizationConfig;
  readonly plan: OrganizationPlan;
}

/** An organization hub in one Region. */
export class EniGuardHubStack extends Stack {
  public readonly bus: HubBus;
  public readonly alerts: AlertTopic;
  public readonly responder: Responder;
  public readonly sweep?: Sweep;
  public readonly alertDelivery: AlertDelivery;
  public readonly alarms: ResponderAlarms;
  /** Decision events (the hub's bus) and Security Hub (imported through the member roles): lib/constructs/integrations.ts. */
  /** Everything around the responder: the sweep, alert delivery, the sinks, alarms, dashboard, chat channel. */
  public readonly operations: Operations;
  /** Per permission group: shadow or live and what is remediated (the stack output `Mode`). */
  public readonly modeDescription: string;

  constructor(scope: Construct, id: string, props: EniGuardHubStackProps) {
    super(scope, id, props);
    const { config, organization, plan } = props;
    const dataKey = new DataKey(this, 'DataKey');
    Annotations.of(this).addInfo(
      'eniGuard:scope=organization: the hub creates no CloudTrail trail; EventBridge in each member account receives its CloudTrail events only while a trail logs write management events there — an organization trail does (docs/organization.md).',
    );

    this.bus = new HubBus(this, 'HubBus', { organizationId: organization.organizationId, memberRoleName: organization.memberRoleName });
    this.alerts = new AlertTopic(this, 'Alerts', { encryptionKey: dataKey.key, emails: config.alertEmails });
    this.responder = new Responder(this, 'Responder', {
      policy: config.policy,
      bundleFlags: bundleFlagsOf(config),
      alertTopic: this.alerts.topic,
      dataKey,
      logRetention: config.logRetentionDays,
      reservedConcurrency: config.reservedConcurrency,
      organization: {
        organizationId: organization.organizationId,
        targetOus: organization.targetOus,
        excludedAccounts: organization.excludedAccounts,
        memberRoleName: organization.memberRoleName,
        memberRegions: organization.memberRegions,
        eventBus: this.bus.bus,
        actionKinds: plan.actionKinds,
        // Flow logs for every VPC of every member: the hub enables them through the member roles (docs/flow-logs.md).
        ...(organization.flowLogs ? { memberFlowLogs: true } : {}),
      },
    });
    const operations = addOperations(this, { responder: this.responder, alerts: this.alerts, dataKey, config });
    if (operations.sweep) this.sweep = operations.sweep;
    this.alertDelivery = operations.alertDelivery;
    this.alarms = operations.alarms;
    this.operations = operations;

    const groups = plan.groups.map((group) => {
      const remediating = RULES.filter((rule) => modeOf(group.policy, rule.id) === 'remediate').map((rule) => rule.id);
      const what = group.policy.dryRun
        ? 'shadow (read-only roles)'
        : `live: remediates ${remediating.join(', ') || 'nothing (every rule is notify or off)'}`;
      return `${group.targetOus.join(', ')}: ${what}`;
    });
    this.modeDescription = `organization ${organization.organizationId}, ${groups.join('; ')} (set by ${config.mode.because} and the overlays)`;
    new CfnOutput(this, 'Mode', {
      value: this.modeDescription,
      description: 'Shadow mode or live, per group of target OUs (from the policy, its overlays and -c eniGuard:dryRun)',
    });
    new CfnOutput(this, 'Region', {
      value: this.region,
      description: 'The Region this hub guards in every member account (--region for the CLI)',
    });
    new CfnOutput(this, 'EventBusArn', {
      value: this.bus.bus.eventBusArn,
      description: 'The hub bus the members of this Region forward to',
    });
    new CfnOutput(this, 'AlertTopicArn', {
      value: this.alerts.topic.topicArn,
      description: 'Subscribe to receive eni-guard alerts (ALERT_TOPIC_ARN / --topic-arn)',
    });
    new CfnOutput(this, 'ResponderRoleArn', {
      value: this.responder.role.roleArn,
      description: 'The hub responder role (RESPONDER_ROLE_ARN): member remediation roles trust it by this ARN',
    });
    new CfnOutput(this, 'ResponderFunctionName', { value: this.responder.function.functionName, description: 'The responder function' });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.responder.deadLetterQueue.queueUrl,
      description: 'Events that could not be handled (DLQ_URL): replay them with eni-guard respond',
    });
    new CfnOutput(this, 'LedgerTableName', {
      value: this.responder.ledger.tableName,
      description: 'Remediation ledger of every member account (LEDGER_TABLE_NAME / --ledger-table)',
    });
    if (this.alertDelivery.chatTopic) {
      new CfnOutput(this, 'ChatTopicArn', {
        value: this.alertDelivery.chatTopic.topicArn,
        description: 'Subscribe Amazon Q Developer in chat applications (AWS Chatbot) here',
      });
    }
    addOperationsOutputs(this, operations);
  }
}
