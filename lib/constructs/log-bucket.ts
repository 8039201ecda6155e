/** The private, versioned, TLS-only S3 bucket that log files are delivered to, with its access-log bucket. */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** Options of `createLogBuckets`. */
export interface LogBucketOptions {
  /** Customer-managed key for the log bucket (the access-log bucket is SSE-S3: S3 cannot deliver access logs to SSE-KMS). */
  readonly encryptionKey: kms.IKey;
  /** Prefix of the log bucket's server access logs. */
  readonly accessLogPrefix: string;
  /** Days before log files move to Glacier Instant Retrieval; 0 never moves them. @default 90 */
  readonly transitionAfterDays?: number;
  /** Days before log files expire. @default 365 */
  readonly expireAfterDays?: number;
}

/** The two buckets, as children `Bucket` and `AccessLogs` of `scope`. */
export interface LogBuckets {
  readonly bucket: s3.Bucket;
  readonly accessLogBucket: s3.Bucket;
}

/**
 * Creates a KMS-encrypted, versioned, block-public-access, TLS-only log bucket with a lifecycle,
 * and the SSE-S3 bucket that receives its server access logs. Both are retained on stack deletion.
 */
export function createLogBuckets(scope: Construct, options: LogBucketOptions): LogBuckets {
  const transitionAfterDays = options.transitionAfterDays ?? 90;
  const expiration = Duration.days(options.expireAfterDays ?? 365);
  const common = {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
  };
  const accessLogBucket = new s3.Bucket(scope, 'AccessLogs', {
    ...common,
    encryption: s3.BucketEncryption.S3_MANAGED,
    lifecycleRules: [{ expiration, noncurrentVersionExpiration: Duration.days(30) }],
  });
  Validations.of(accessLogBucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'This is the server access log bucket; logging it to itself would loop.',
  });
  const bucket = new s3.Bucket(scope, 'Bucket', {
    ...common,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: options.encryptionKey,
    bucketKeyEnabled: true,
    serverAccessLogsBucket: accessLogBucket,
    serverAccessLogsPrefix: options.accessLogPrefix,
    lifecycleRules: [
      {
        ...(transitionAfterDays > 0
          ? {
              transitions: [
                { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(transitionAfterDays) },
              ],
            }
          : {}),
        expiration,
        noncurrentVersionExpiration: Duration.days(30),
      },
    ],
  });
  return { bucket, accessLogBucket };
}
