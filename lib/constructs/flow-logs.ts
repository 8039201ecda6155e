/**
 * VPC flow logs (traffic ALL) for the configured VPCs, to a KMS-encrypted CloudWatch Logs group
 * (through a delivery role only VPC Flow Logs of this account can assume) or to an S3 bucket.
 * The destination is public so that a later "enable flow logs" remediation writes to the same place.
 */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createLogBuckets } from './log-bucket';

/** Where flow log records are delivered. */
export type FlowLogDestinationKind = 'cloud-watch-logs' | 's3';

/** Props of `FlowLogs`. */
export interface FlowLogsProps {
  /**
   * VPC ids to enable flow logs for, or `all`: then only the destination (and delivery role) is
   * created here, and every VPC's flow log is enabled at run time (`VpcFlowLogCoverage`, the sweep) —
   * no synth-time lookup, which would freeze the list.
   */
  readonly vpcIds: 'all' | readonly string[];
  /** @default 'cloud-watch-logs' */
  readonly destination?: FlowLogDestinationKind;
  /**
   * Encrypts the log group (its policy must admit CloudWatch Logs, see `DataKey`) or the bucket
   * (a statement for the log delivery service is added to it).
   */
  readonly encryptionKey: kms.Key;
  /** Retention of the log group, or expiry of the S3 objects. @default RetentionDays.THREE_MONTHS */
  readonly retention?: logs.RetentionDays;
}

/** Flow logs of the configured VPCs, and the destination any further flow log should use. */
export class FlowLogs extends Construct {
  public readonly destinationType: FlowLogDestinationKind;
  /** `LogDestination` for ec2:CreateFlowLogs: the log group ARN (without `:*`) or the bucket ARN. */
  public readonly destinationArn: string;
  /** `DeliverLogsPermissionArn` for ec2:CreateFlowLogs (CloudWatch Logs only). */
  public readonly deliveryRole?: iam.Role;
  public readonly logGroup?: logs.LogGroup;
  public readonly bucket?: s3.Bucket;
  /** One per configured VPC (none for `all`). */
  public readonly flowLogs: readonly ec2.CfnFlowLog[];

  constructor(scope: Construct, id: string, props: FlowLogsProps) {
    super(scope, id);
    // Pseudo-parameters, not resolved values: the same template (and nag finding ids) in every environment.
    const { ACCOUNT_ID: account, REGION: region, PARTITION: partition } = Aws;
    const retention = props.retention ?? logs.RetentionDays.THREE_MONTHS;
    this.destinationType = props.destination ?? 'cloud-watch-logs';

    if (this.destinationType === 'cloud-watch-logs') {
      const logGroup = new logs.LogGroup(this, 'LogGroup', {
        encryptionKey: props.encryptionKey,
        retention,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // CreateFlowLogs wants the group's ARN without the trailing ":*" of its GetAtt Arn.
      const destinationArn = `arn:${partition}:logs:${region}:${account}:log-group:${logGroup.logGroupName}`;
      // Confused-deputy guard: only VPC Flow Logs acting for this account's flow logs may assume it.
      const deliveryRole = new iam.Role(this, 'DeliveryRole', {
        description: 'eni-guard: VPC Flow Logs delivery to the flow log group',
        assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com').withConditions({
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:ec2:${region}:${account}:vpc-flow-log/*` },
        }),
      });
      deliveryRole.addToPolicy(
        new iam.PolicyStatement({
          sid: 'WriteFlowLogGroup',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [logGroup.logGroupArn],
        }),
      );
      this.logGroup = logGroup;
      this.deliveryRole = deliveryRole;
      this.destinationArn = destinationArn;
    } else {
      // The log delivery service writes the objects; it needs the key, for this account's deliveries only.
      props.encryptionKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowLogDeliveryForThisAccount',
          principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
          actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
          resources: ['*'],
          conditions: {
            StringEquals: { 'aws:SourceAccount': account },
            ArnLike: { 'aws:SourceArn': `arn:${partition}:logs:${region}:${account}:*` },
          },
        }),
      );
      // Flow logs are read soon or never: no archive tier, just expiry.
      const { bucket } = createLogBuckets(this, {
        encryptionKey: props.encryptionKey,
        accessLogPrefix: 'flow-log-bucket/',
        transitionAfterDays: 0,
        expireAfterDays: Number(retention),
      });
      const deliveryConditions = {
        StringEquals: { 'aws:SourceAccount': account },
        ArnLike: { 'aws:SourceArn': `arn:${partition}:logs:${region}:${account}:*` },
      };
      const delivery = new iam.ServicePrincipal('delivery.logs.amazonaws.com');
      bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AWSLogDeliveryWrite',
          principals: [delivery],
          actions: ['s3:PutObject'],
          resources: [bucket.arnForObjects(`AWSLogs/${account}/*`)],
          conditions: {
            ...deliveryConditions,
            StringEquals: { ...deliveryConditions.StringEquals, 's3:x-amz-acl': 'bucket-owner-full-control' },
          },
        }),
      );
      bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AWSLogDeliveryAclCheck',
          principals: [delivery],
          actions: ['s3:GetBucketAcl'],
          resources: [bucket.bucketArn],
          conditions: deliveryConditions,
        }),
      );
      this.bucket = bucket;
      this.destinationArn = bucket.bucketArn;
    }

    const vpcIds = props.vpcIds === 'all' ? [] : props.vpcIds;
    this.flowLogs = vpcIds.map(
      (vpcId) =>
        new ec2.CfnFlowLog(this, vpcId, {
          resourceId: vpcId,
          resourceType: 'VPC',
          trafficType: 'ALL',
          logDestinationType: this.destinationType,
          logDestination: this.destinationArn,
          ...(this.deliveryRole ? { deliverLogsPermissionArn: this.deliveryRole.roleArn } : {}),
          maxAggregationInterval: Duration.minutes(1).toSeconds(),
          tags: [{ key: 'Name', value: `eni-guard ${vpcId}` }],
        }),
    );
  }
}
