/**
 * The eni-guard stack: the account baseline (audit trail, flow logs, backup, EBS encryption by
 * default) and the responder (EventBridge rule → function → alert topic, with alarms). No business
 * logic here.
 */
import { Annotations, Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { modeOf } from '../lambda/core/policy';
import { RULES } from '../lambda/core/rules/index';
import { VPC_FLOW_LOGS } from '../lambda/core/rules/vpc-flow-logs';
import type { EniGuardConfig } from './config';
import { AccountBackup } from './constructs/account-backup';
import type { AlertDelivery } from './constructs/alert-delivery';
import { AlertTopic } from './constructs/alert-topic';
import { AuditTrail } from './constructs/audit-trail';
import { DataKey } from './constructs/data-key';
import { EbsEncryptionByDefault } from './constructs/ebs-encryption';
import { FlowLogs } from './constructs/flow-logs';
import { Responder } from './constructs/responder';
import { addOperations, addOperationsOutputs, bundleFlagsOf, type Operations } from './constructs/operations';
import type { ResponderAlarms } from './constructs/responder-alarms';
import type { Sweep } from './constructs/sweep';
import { VpcFlowLogCoverage } from './constructs/vpc-flow-log-coverage';

/** Props of `EniGuardStack`. */
export interface EniGuardStackProps extends StackProps {
  readonly config: EniGuardConfig;
}

/** Everything eni-guard deploys in one account and Region. */
export class EniGuardStack extends Stack {
  public readonly auditTrail?: AuditTrail;
  public readonly flowLogs?: FlowLogs;
  /** Flow logs for every VPC (`eniGuard:flowLogVpcIds=all`): the deploy step and the CreateVpc rule. */
  public readonly flowLogCoverage?: VpcFlowLogCoverage;
  public readonly backup?: AccountBackup;
  public readonly ebsEncryption?: EbsEncryptionByDefault;
  public readonly alerts: AlertTopic;
  public readonly alertDelivery: AlertDelivery;
  public readonly responder: Responder;
  public readonly alarms: ResponderAlarms;
  public readonly sweep?: Sweep;
  /** Everything around the responder: the sweep, alert delivery, the sinks, alarms, dashboard, chat channel. */
  public readonly operations: Operations;
  /** Shadow or live, what is remediated, and which setting decided it: the stack output `Mode`. */
  public readonly modeDescription: string;

  constructor(scope: Construct, id: string, props: EniGuardStackProps) {
    super(scope, id, props);
    const { config } = props;
    const dataKey = new DataKey(this, 'DataKey');

    if (config.trail === 'create') {
      this.auditTrail = new AuditTrail(this, 'AuditTrail', {
        transitionAfterDays: config.auditTrail.transitionAfterDays,
        expireAfterDays: config.auditTrail.expireAfterDays,
        ...(config.auditTrail.cloudWatchLogs ? { cloudWatchLogs: { encryptionKey: dataKey.key, retention: config.logRetentionDays } } : {}),
      });
    } else {
      Annotations.of(this).addInfo(
        'eniGuard:trail=existing: EventBridge receives CloudTrail API events only while a trail logs write management events in this Region; make sure one does.',
      );
    }

    this.alerts = new AlertTopic(this, 'Alerts', { encryptionKey: dataKey.key, emails: config.alertEmails });
    const { vpcs } = config.flowLogs;
    const flowLogMode = modeOf(config.policy, VPC_FLOW_LOGS);
    // Every VPC is judged unless the policy switches the rule off (then there is nothing to judge them by).
    const everyVpc = vpcs === 'all' && flowLogMode !== 'off';
    if (vpcs !== 'none') {
      this.flowLogs = new FlowLogs(this, 'FlowLogs', {
        vpcIds: vpcs,
        destination: config.flowLogs.destination,
        encryptionKey: dataKey.key,
        retention: config.flowLogs.retentionDays,
      });
    }

    // Integrations off are not even in the bundle (guard-function.ts BundleFlags): a default deploy loads no Security Hub client.
    this.responder = new Responder(this, 'Responder', {
      policy: config.policy,
      bundleFlags: bundleFlagsOf(config),
      alertTopic: this.alerts.topic,
      dataKey,
      logRetention: config.logRetentionDays,
      reservedConcurrency: config.reservedConcurrency,
      // The responder's "enable flow logs" remediation writes where the baseline's flow logs go.
      ...(this.flowLogs
        ? {
            flowLogDestination: {
              type: this.flowLogs.destinationType,
              arn: this.flowLogs.destinationArn,
              ...(this.flowLogs.deliveryRole ? { deliveryRole: this.flowLogs.deliveryRole } : {}),
            },
          }
        : {}),
      // Flow logs for every VPC list the VPCs (the deploy step, the sweep's VPC pass).
      listVpcs: everyVpc,
    });
    if (everyVpc && this.flowLogs) {
      const canEnable = this.responder.actionKinds.includes('enable-flow-logs');
      this.flowLogCoverage = new VpcFlowLogCoverage(this, 'VpcFlowLogs', {
        role: this.responder.role,
        environment: this.responder.environment,
        policy: config.policy,
        encryptionKey: dataKey.key,
        logRetention: config.logRetentionDays,
        dependsOn: [this.flowLogs, this.responder.role],
        // Run again when where flow logs go, or whether eni-guard may create them, changes; not on every deploy.
        deployProperties: {
          DestinationType: this.flowLogs.destinationType,
          Destination: this.flowLogs.destinationArn,
          Mode: config.policy.dryRun ? 'dry-run' : flowLogMode,
          Enables: String(canEnable),
        },
      });
    }
    if (vpcs === 'all' && !this.responder.actionKinds.includes('enable-flow-logs')) {
      // Shadow mode is a choice (info); a rule set to notify or off contradicts "all" (warning).
      const why = config.policy.dryRun
        ? 'the policy is in dry-run: VPCs without a flow log are reported, none is enabled'
        : flowLogMode === 'off'
          ? `the policy sets ${VPC_FLOW_LOGS} to off: no VPC is judged or given a flow log`
          : `the policy sets ${VPC_FLOW_LOGS} to ${flowLogMode}: VPCs without a flow log are reported, none is enabled`;
      const note = `eniGuard:flowLogVpcIds=all, but ${why} (docs/flow-logs.md).`;
      if (config.policy.dryRun) Annotations.of(this).addInfo(note);
      else Annotations.of(this).addWarning(note);
    }
    const operations = addOperations(this, {
      responder: this.responder,
      alerts: this.alerts,
      dataKey,
      config,
      ...(this.flowLogCoverage
        ? {
            // With flow logs for every VPC, the sweep passes over every VPC too (one without interfaces included).
            sweepEnvironment: { SWEEP_VPCS: 'true' },
            alarmed: [
              {
                name: 'flow-logs',
                function: this.flowLogCoverage.function,
                description: 'flow logs for new VPCs could not be handled; the sweep retries daily',
              },
            ],
          }
        : {}),
    });
    if (operations.sweep) this.sweep = operations.sweep;
    this.alertDelivery = operations.alertDelivery;
    this.alarms = operations.alarms;
    this.operations = operations;

    if (config.backup.enabled) {
      this.backup = new AccountBackup(this, 'Backup', {
        schedule: config.backup.schedule,
        retentionDays: config.backup.retentionDays,
        tagKey: config.backup.tagKey,
        tagValue: config.backup.tagValue,
        ...(config.backup.coldStorageAfterDays !== undefined ? { coldStorageAfterDays: config.backup.coldStorageAfterDays } : {}),
        ...(config.backup.copyToVaultArn !== undefined ? { copyToVaultArn: config.backup.copyToVaultArn } : {}),
      });
    }

    if (config.ebsEncryption.enabled) {
      const { kmsKey } = config.ebsEncryption;
      this.ebsEncryption = new EbsEncryptionByDefault(this, 'EbsEncryptionByDefault', {
        kmsKey: kmsKey === 'create' || kmsKey === 'aws-managed' ? kmsKey : kms.Key.fromKeyArn(this, 'EbsDefaultKey', kmsKey),
        disableOnDelete: config.ebsEncryption.disableOnDelete,
        logEncryptionKey: dataKey.key,
        logRetention: config.logRetentionDays,
      });
    }

    // Every value the runbooks (docs/operations.md) and the CLI need, by the names the docs use.
    const remediating = RULES.filter((rule) => modeOf(config.policy, rule.id) === 'remediate').map((rule) => rule.id);
    const mode = (this.modeDescription = config.mode.dryRun
      ? `shadow: evaluates and alerts, changes nothing (set by ${config.mode.because})`
      : `live: remediates ${remediating.join(', ') || 'nothing (every rule is notify or off)'} (set by ${config.mode.because})`);
    new CfnOutput(this, 'Mode', {
      value: mode,
      description: "Shadow mode (dry run) or live: from -c eniGuard:dryRun and the policy file's dryRun",
    });
    new CfnOutput(this, 'Region', { value: Aws.REGION, description: 'The Region this copy of eni-guard guards (--region for the CLI)' });
    new CfnOutput(this, 'AlertTopicArn', {
      value: this.alerts.topic.topicArn,
      description: 'Subscribe to receive eni-guard alerts (ALERT_TOPIC_ARN / --topic-arn)',
    });
    new CfnOutput(this, 'ResponderRoleArn', {
      value: this.responder.role.roleArn,
      description: "The responder's role (RESPONDER_ROLE_ARN / --responder-role-arn): events it caused are skipped",
    });
    new CfnOutput(this, 'ResponderFunctionName', { value: this.responder.function.functionName, description: 'The responder function' });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.responder.deadLetterQueue.queueUrl,
      description: 'Events that could not be handled (DLQ_URL): replay them with eni-guard respond',
    });
    new CfnOutput(this, 'LedgerTableName', {
      value: this.responder.ledger.tableName,
      description: 'Remediation ledger (LEDGER_TABLE_NAME / --ledger-table) for eni-guard undo and eni-guard respond',
    });
    if (this.alertDelivery.chatTopic) {
      new CfnOutput(this, 'ChatTopicArn', {
        value: this.alertDelivery.chatTopic.topicArn,
        description: 'Subscribe Amazon Q Developer in chat applications (AWS Chatbot) here',
      });
    }
    addOperationsOutputs(this, operations);
    if (this.flowLogs) {
      new CfnOutput(this, 'FlowLogDestinationType', {
        value: this.flowLogs.destinationType,
        description: 'LogDestinationType for CreateFlowLogs',
      });
      new CfnOutput(this, 'FlowLogDestinationArn', {
        value: this.flowLogs.destinationArn,
        description: 'LogDestination for CreateFlowLogs',
      });
      if (this.flowLogs.deliveryRole) {
        new CfnOutput(this, 'FlowLogDeliveryRoleArn', {
          value: this.flowLogs.deliveryRole.roleArn,
          description: 'DeliverLogsPermissionArn for CreateFlowLogs',
        });
      }
    }
    if (this.backup) {
      new CfnOutput(this, 'BackupVaultArn', {
        value: this.backup.vault.backupVaultArn,
        description: 'The AWS Backup vault (retained on cdk destroy)',
      });
      new CfnOutput(this, 'BackupSelectionTag', {
        value: `${this.backup.tagKey}=${this.backup.tagValue}`,
        description: 'Resources with this tag are backed up',
      });
    }
    if (this.ebsEncryption?.key) {
      new CfnOutput(this, 'EbsDefaultKmsKeyArn', {
        value: this.ebsEncryption.key.keyArn,
        description: 'The EBS default encryption key the stack created (retained on cdk destroy)',
      });
    }
  }
}
