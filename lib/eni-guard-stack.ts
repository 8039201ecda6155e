/** The eni-guard stack: audit trail → EventBridge rule → responder → alert topic. No business logic here. */
import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EniGuardConfig } from './config';
import { AlertTopic } from './constructs/alert-topic';
import { AuditTrail } from './constructs/audit-trail';
import { DataKey } from './constructs/data-key';
import { Responder } from './constructs/responder';

/** Props of `EniGuardStack`. */
export interface EniGuardStackProps extends StackProps {
  readonly config: EniGuardConfig;
}

/** Everything eni-guard deploys in one account and Region. */
export class EniGuardStack extends Stack {
  public readonly auditTrail?: AuditTrail;
  public readonly alerts: AlertTopic;
  public readonly responder: Responder;

  constructor(scope: Construct, id: string, props: EniGuardStackProps) {
    super(scope, id, props);
    const { config } = props;

    if (config.trail === 'create') {
      this.auditTrail = new AuditTrail(this, 'AuditTrail');
    } else {
      Annotations.of(this).addInfo(
        'eniGuard:trail=existing: EventBridge receives CloudTrail API events only while a trail logs write management events in this Region; make sure one does.',
      );
    }
    const dataKey = new DataKey(this, 'DataKey');
    this.alerts = new AlertTopic(this, 'Alerts', { encryptionKey: dataKey.key, emails: config.alertEmails });
    this.responder = new Responder(this, 'Responder', {
      policy: config.policy,
      alertTopic: this.alerts.topic,
      dataKey,
      logRetention: config.logRetentionDays,
      reservedConcurrency: config.reservedConcurrency,
    });

    new CfnOutput(this, 'AlertTopicArn', { value: this.alerts.topic.topicArn, description: 'Subscribe to receive eni-guard alerts' });
    new CfnOutput(this, 'ResponderFunctionName', { value: this.responder.function.functionName });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.responder.deadLetterQueue.queueUrl,
      description: 'Events that could not be handled',
    });
  }
}
