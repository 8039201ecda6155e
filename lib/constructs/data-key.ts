/** The customer-managed key for eni-guard's own data: alerts, dead letters and logs. */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Props of `DataKey`. */
export interface DataKeyProps {
  /** @default RemovalPolicy.RETAIN (data encrypted with it may outlive the stack) */
  readonly removalPolicy?: RemovalPolicy;
}

/** A rotating KMS key whose policy admits exactly the services that write eni-guard's data. */
export class DataKey extends Construct {
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DataKeyProps = {}) {
    super(scope, id);
    const { region, account, partition } = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      description: 'eni-guard: alert topic, dead-letter queue and log encryption',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts log groups of this account and Region only.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsForThisAccountLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*` } },
      }),
    );
  }

  /**
   * Lets an AWS service that writes on our behalf (EventBridge to the DLQ) use the key, for sources
   * matching `sourceArnPattern` (a pattern, not a resource token: the rule's own ARN would make the
   * key depend on the rule, whose target depends on the key).
   */
  allowServiceForSources(servicePrincipal: string, sourceArnPattern: string): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(servicePrincipal)],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { ArnLike: { 'aws:SourceArn': sourceArnPattern } },
      }),
    );
  }
}
