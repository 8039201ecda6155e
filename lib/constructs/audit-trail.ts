/**
 * The CloudTrail trail that makes EC2 API calls reach EventBridge at all ("AWS API Call via
 * CloudTrail" events are delivered only while a trail with logging is enabled).
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createLogBuckets } from './log-bucket';

/** Delivery of the trail to CloudWatch Logs. */
export interface AuditTrailCloudWatchLogsProps {
  /** Encrypts the log group; its policy must admit CloudWatch Logs (see `DataKey`). */
  readonly encryptionKey: kms.IKey;
  /** @default RetentionDays.THREE_MONTHS */
  readonly retention?: logs.RetentionDays;
}

/** Props of `AuditTrail`. */
export interface AuditTrailProps {
  /** Days before log files move to Glacier Instant Retrieval; 0 never moves them. @default 90 */
  readonly transitionAfterDays?: number;
  /** Days before log files (and their non-current versions after 30 more days) expire. @default 365 */
  readonly expireAfterDays?: number;
  /** Also deliver events to a KMS-encrypted CloudWatch Logs group. @default none (S3 only) */
  readonly cloudWatchLogs?: AuditTrailCloudWatchLogsProps;
}

/** A multi-Region trail of write management events, to an encrypted, private, TLS-only bucket. */
export class AuditTrail extends Construct {
  public readonly trail: cloudtrail.Trail;
  public readonly bucket: s3.Bucket;
  public readonly accessLogBucket: s3.Bucket;
  /** Encrypts log and digest files; CloudTrail may only encrypt with it, for this account's trails. */
  public readonly key: kms.Key;
  /** The CloudWatch Logs copy of the trail, when asked for. */
  public readonly logGroup?: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AuditTrailProps = {}) {
    super(scope, id);
    const { account, partition } = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      description: 'eni-guard: CloudTrail log encryption',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudTrail may generate data keys for, and describe, this key, only for trails of this account;
    // reading logs back is left to the account's IAM policies (the key's default administration statement).
    const trailsOfThisAccount = `arn:${partition}:cloudtrail:*:${account}:trail/*`;
    const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailToEncryptLogs',
        principals: [cloudTrail],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': trailsOfThisAccount },
          ArnLike: { 'aws:SourceArn': trailsOfThisAccount },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailToDescribeKey',
        principals: [cloudTrail],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { ArnLike: { 'aws:SourceArn': trailsOfThisAccount } },
      }),
    );

    const buckets = createLogBuckets(this, {
      encryptionKey: this.key,
      accessLogPrefix: 'cloudtrail-bucket/',
      ...(props.transitionAfterDays !== undefined ? { transitionAfterDays: props.transitionAfterDays } : {}),
      ...(props.expireAfterDays !== undefined ? { expireAfterDays: props.expireAfterDays } : {}),
    });
    this.bucket = buckets.bucket;
    this.accessLogBucket = buckets.accessLogBucket;

    if (props.cloudWatchLogs) {
      this.logGroup = new logs.LogGroup(this, 'LogGroup', {
        encryptionKey: props.cloudWatchLogs.encryptionKey,
        retention: props.cloudWatchLogs.retention ?? logs.RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    this.trail = new cloudtrail.Trail(this, 'Trail', {
      bucket: this.bucket,
      encryptionKey: this.key,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      managementEvents: cloudtrail.ReadWriteType.WRITE_ONLY,
      enableFileValidation: true,
      ...(this.logGroup ? { sendToCloudWatchLogs: true, cloudWatchLogGroup: this.logGroup } : {}),
    });
  }
}
