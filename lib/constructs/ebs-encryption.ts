/**
 * EBS encryption by default for the account and Region, turned on by a custom resource (the
 * setting has no CloudFormation resource), optionally with a customer-managed key, and turned off
 * again on stack deletion only when asked.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/** Props of `EbsEncryptionByDefault`. */
export interface EbsEncryptionByDefaultProps {
  /**
   * The default key for new volumes: an existing key, `create` for a new rotating key owned by
   * this stack, or `aws-managed` to leave the account's choice alone (alias/aws/ebs unless changed).
   * @default 'aws-managed'
   */
  readonly kmsKey?: kms.IKey | 'create' | 'aws-managed';
  /** Disable encryption by default (and reset the default key) when the stack is deleted. @default false */
  readonly disableOnDelete?: boolean;
  /** Encrypts the custom resource function's log group. */
  readonly logEncryptionKey: kms.IKey;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
}

/** Turns on EBS encryption by default; every new volume and snapshot copy in the Region is encrypted. */
export class EbsEncryptionByDefault extends Construct {
  /** The default key this stack sets, if any (`create` or an existing key). */
  public readonly key?: kms.IKey;
  /** The role of the custom resource function (shared by every AwsCustomResource of the stack). */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: EbsEncryptionByDefaultProps) {
    super(scope, id);
    const disableOnDelete = props.disableOnDelete ?? false;
    if (props.kmsKey === 'create') {
      this.key = new kms.Key(this, 'Key', {
        description: 'eni-guard: default key for EBS encryption by default',
        enableKeyRotation: true,
        pendingWindow: Duration.days(30),
        // Volumes encrypted with it outlive the stack; deleting the key would make them unreadable.
        removalPolicy: RemovalPolicy.RETAIN,
      });
    } else if (props.kmsKey && props.kmsKey !== 'aws-managed') {
      this.key = props.kmsKey;
    }

    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      encryptionKey: props.logEncryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An explicit role instead of the provider's default (which carries AWSLambdaBasicExecutionRole).
    this.role = new iam.Role(this, 'Role', {
      description: 'eni-guard: turns on EBS encryption by default',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    logGroup.grantWrite(this.role);

    // Each custom resource may make exactly its own calls (create/update, and delete when asked);
    // none of these EC2 calls supports resource-level permissions.
    const common = { role: this.role, logGroup, installLatestAwsSdk: false, timeout: Duration.minutes(2) };
    const policyFor = (actions: readonly string[]) =>
      cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: [...actions], resources: ['*'] })]);
    const region = Stack.of(this).region;
    const enableCall: cr.AwsSdkCall = {
      service: 'EC2',
      action: 'EnableEbsEncryptionByDefault',
      physicalResourceId: cr.PhysicalResourceId.of(`ebs-encryption-by-default-${region}`),
      logging: cr.Logging.withDataHidden(),
    };
    const enableActions = ['ec2:EnableEbsEncryptionByDefault', ...(disableOnDelete ? ['ec2:DisableEbsEncryptionByDefault'] : [])];
    const enable = new cr.AwsCustomResource(this, 'Enable', {
      ...common,
      policy: policyFor(enableActions),
      resourceType: 'Custom::EbsEncryptionByDefault',
      onCreate: enableCall,
      onUpdate: enableCall,
      ...(disableOnDelete ? { onDelete: { service: 'EC2', action: 'DisableEbsEncryptionByDefault' } } : {}),
    });
    this.acknowledgeWildcard(enable, enableActions);

    if (this.key) {
      const setKeyCall: cr.AwsSdkCall = {
        service: 'EC2',
        action: 'ModifyEbsDefaultKmsKeyId',
        parameters: { KmsKeyId: this.key.keyArn },
        physicalResourceId: cr.PhysicalResourceId.of(`ebs-default-kms-key-${region}`),
        logging: cr.Logging.withDataHidden(),
      };
      const setKeyActions = ['ec2:ModifyEbsDefaultKmsKeyId', ...(disableOnDelete ? ['ec2:ResetEbsDefaultKmsKeyId'] : [])];
      const setKey = new cr.AwsCustomResource(this, 'DefaultKey', {
        ...common,
        policy: policyFor(setKeyActions),
        resourceType: 'Custom::EbsDefaultKmsKey',
        onCreate: setKeyCall,
        onUpdate: setKeyCall,
        ...(disableOnDelete ? { onDelete: { service: 'EC2', action: 'ResetEbsDefaultKmsKeyId' } } : {}),
      });
      setKey.node.addDependency(enable);
      this.acknowledgeWildcard(setKey, setKeyActions);
    }
  }

  /** The custom resource's policy needs Resource "*": say why, next to it. */
  private acknowledgeWildcard(resource: cr.AwsCustomResource, actions: readonly string[]): void {
    Validations.of(resource).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `${actions.join(', ')} act on an account-and-Region setting and support no resource-level permissions.`,
    });
  }
}
