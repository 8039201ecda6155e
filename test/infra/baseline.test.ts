import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Capture, Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildStack } from '../support/synth';

/** Every baseline feature on, with non-default values. */
const FULL = {
  'eniGuard:trailCloudWatchLogs': true,
  'eniGuard:trailTransitionDays': 30,
  'eniGuard:trailExpirationDays': 400,
  'eniGuard:flowLogVpcIds': ['vpc-0123456789abcdef0', 'vpc-12345678'],
  'eniGuard:flowLogRetentionDays': 30,
  'eniGuard:backupSchedule': 'cron(30 2 ? * SUN *)',
  'eniGuard:backupRetentionDays': 365,
  'eniGuard:backupColdStorageAfterDays': 30,
  'eniGuard:backupCopyToVaultArn': 'arn:aws:backup:eu-central-1:123456789012:backup-vault:dr',
  'eniGuard:ebsDefaultKmsKey': 'create',
  'eniGuard:ebsDisableOnDelete': true,
};

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Principal?: unknown; Condition?: unknown };

const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);
const logicalIdOf = (template: Template, type: string, prefix: string): string => {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

/** Identity-policy statements of the whole template: inline policies of roles and AWS::IAM::Policy resources. */
function identityStatements(template: Template): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).map(
    (r) => (r as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument,
  );
  const inline = Object.values(template.findResources('AWS::IAM::Role')).flatMap(
    (r) =>
      (r as { Properties: { Policies?: { PolicyDocument: { Statement: Statement[] } }[] } }).Properties.Policies?.map(
        (p) => p.PolicyDocument,
      ) ?? [],
  );
  return [...policies, ...inline].flatMap((doc) => doc.Statement);
}

/** Managed policies attached to roles, as `<partition>`-free names. */
function managedPolicies(template: Template): string[] {
  return Object.values(template.findResources('AWS::IAM::Role'))
    .flatMap((r) => (r as { Properties: { ManagedPolicyArns?: unknown[] } }).Properties.ManagedPolicyArns ?? [])
    .map((arn) => JSON.stringify(arn).replace(/.*:iam::aws:policy\/([^"]+)".*/, '$1'));
}

const isRead = (action: string) => /^[a-z0-9-]+:(Describe|Get|List)/.test(action);

/**
 * Mutating actions allowed on Resource "*": only those whose API supports no resource-level
 * permissions. Adding one here is a reviewed decision; anything else fails the test.
 */
const WILDCARD_MUTATIONS_ALLOWED = [
  'ec2:DisableEbsEncryptionByDefault',
  'ec2:EnableEbsEncryptionByDefault',
  'ec2:ModifyEbsDefaultKmsKeyId',
  'ec2:ResetEbsDefaultKmsKeyId',
];

describe('account baseline with defaults', () => {
  const { stack, template } = buildStack();

  it('lets CloudTrail encrypt with the trail key and nothing more', () => {
    const policy = new Capture();
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'eni-guard: CloudTrail log encryption',
      EnableKeyRotation: true,
      KeyPolicy: policy,
    });
    const statements = (policy.asObject() as { Statement: Statement[] }).Statement;
    const services = statements.filter((s) => JSON.stringify(s.Principal).includes('Service'));
    expect(services).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 'kms:GenerateDataKey*',
        Condition: {
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': expect.anything() },
          ArnLike: { 'aws:SourceArn': expect.anything() },
        },
      }),
      expect.objectContaining({ Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:DescribeKey' }),
    ]);
    expect(JSON.stringify(services)).toContain(':trail/*');
    // Everything else is the account's own administration statement; no principal outside the account.
    expect(statements.filter((s) => !services.includes(s)).map((s) => JSON.stringify(s.Principal))).toEqual([
      expect.stringMatching(/:root/),
    ]);
  });

  it('keeps trail logs 90 days in S3 Standard, then Glacier Instant Retrieval, for 365 days', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            Status: 'Enabled',
            ExpirationInDays: 365,
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }],
          }),
        ],
      },
    });
  });

  it('does not deliver the trail to CloudWatch Logs unless asked, and lists no VPC at synth (flow logs for every VPC are enabled at deploy)', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', { CloudWatchLogsLogGroupArn: Match.absent() });
    template.resourceCountIs('AWS::EC2::FlowLog', 0);
    template.resourceCountIs('Custom::VpcFlowLogs', 1);
  });

  it('backs up resources tagged backup=daily every day at 00:00 UTC into an encrypted vault, kept 30 days', () => {
    const vaultKey = logicalIdOf(template, 'AWS::KMS::Key', 'BackupKey');
    template.hasResourceProperties('AWS::KMS::Key', { Description: 'eni-guard: AWS Backup vault encryption', EnableKeyRotation: true });
    template.hasResourceProperties('AWS::Backup::BackupVault', { EncryptionKeyArn: { 'Fn::GetAtt': [vaultKey, 'Arn'] } });
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [
          {
            RuleName: 'Scheduled',
            ScheduleExpression: 'cron(0 0 * * ? *)',
            Lifecycle: { DeleteAfterDays: 30 },
            TargetBackupVault: Match.anyValue(),
          },
        ],
        BackupPlanName: Match.anyValue(),
      },
    });
    const role = logicalIdOf(template, 'AWS::IAM::Role', 'BackupRole');
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: {
        SelectionName: 'ByTag',
        IamRoleArn: { 'Fn::GetAtt': [role, 'Arn'] },
        ListOfTags: [{ ConditionKey: 'backup', ConditionType: 'STRINGEQUALS', ConditionValue: 'daily' }],
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'backup.amazonaws.com' } })] },
      ManagedPolicyArns: [
        Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup'])] }),
      ],
    });
    template.hasOutput('BackupSelectionTag', { Value: 'backup=daily' });
  });

  it('turns on EBS encryption by default with the AWS managed key, and leaves it on when the stack is deleted', () => {
    const create = new Capture();
    template.hasResourceProperties('Custom::EbsEncryptionByDefault', { Create: create, Delete: Match.absent() });
    expect(JSON.parse(create.asString())).toMatchObject({ service: 'EC2', action: 'EnableEbsEncryptionByDefault' });
    template.resourceCountIs('Custom::EbsDefaultKmsKey', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^EbsEncryptionByDefaultLogGroup') } },
    });
  });

  it('alarms on responder errors, throttles and dead letters, to the alert topic', () => {
    const topic = logicalIdOf(template, 'AWS::SNS::Topic', 'AlertsTopic');
    for (const [namespace, metric, statistic] of [
      ['AWS/Lambda', 'Errors', 'Sum'],
      ['AWS/Lambda', 'Throttles', 'Sum'],
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'Maximum'],
    ]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: namespace,
        MetricName: metric,
        Statistic: statistic,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: topic }],
      });
    }
    // The sweep and the burst flusher have errors alarms too, under the same name prefix (so CloudWatch may publish them).
    for (const name of ['sweep-errors', 'flusher-errors', 'flow-logs-errors']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, `-responder-${name}`]] },
        MetricName: 'Errors',
        AlarmActions: [{ Ref: topic }],
      });
    }
    // CloudWatch may publish to the encrypted topic, for this stack's responder alarms only.
    const alarms = Match.objectLike({
      'Fn::Join': ['', Match.arrayWith([':alarm:', { Ref: 'AWS::StackName' }, '-responder-*'])],
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: Match.objectLike({ ArnLike: { 'aws:SourceArn': alarms } }),
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('alert topic'),
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Condition: { ArnLike: { 'aws:SourceArn': alarms } } }),
        ]),
      },
    });
  });

  it('passes cdk-nag AwsSolutions checks', () => {
    expect(new AwsSolutionsChecks(stack).validateScope(stack).violations).toEqual([]);
  });
});

describe('account baseline with every feature on', () => {
  const { stack, template } = buildStack(FULL);

  it('delivers the trail to a KMS-encrypted log group too, with the configured lifecycle', () => {
    const logGroup = logicalIdOf(template, 'AWS::Logs::LogGroup', 'AuditTrailLogGroup');
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [logGroup, 'Arn'] },
      CloudWatchLogsRoleArn: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 90 });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: 400, Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }] })],
      },
    });
  });

  it('logs ALL traffic of each configured VPC to an encrypted log group through a scoped delivery role', () => {
    const role = logicalIdOf(template, 'AWS::IAM::Role', 'FlowLogsDeliveryRole');
    const logGroup = logicalIdOf(template, 'AWS::Logs::LogGroup', 'FlowLogsLogGroup');
    for (const vpcId of FULL['eniGuard:flowLogVpcIds']) {
      template.hasResourceProperties('AWS::EC2::FlowLog', {
        ResourceId: vpcId,
        ResourceType: 'VPC',
        TrafficType: 'ALL',
        LogDestinationType: 'cloud-watch-logs',
        LogDestination: { 'Fn::Join': ['', Match.arrayWith([':log-group:', { Ref: logGroup }])] },
        DeliverLogsPermissionArn: { 'Fn::GetAtt': [role, 'Arn'] },
      });
    }
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 30,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': Match.anyValue() } },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: role }],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'WriteFlowLogGroup',
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] },
          },
        ],
      },
    });
    template.hasOutput('FlowLogDestinationArn', {});
    template.hasOutput('FlowLogDeliveryRoleArn', { Value: { 'Fn::GetAtt': [role, 'Arn'] } });
  });

  it('uses the configured schedule, retention, cold storage and copy', () => {
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: Match.objectLike({
        BackupPlanRule: [
          Match.objectLike({
            ScheduleExpression: 'cron(30 2 ? * SUN *)',
            Lifecycle: { DeleteAfterDays: 365, MoveToColdStorageAfterDays: 30 },
            CopyActions: [
              {
                DestinationBackupVaultArn: FULL['eniGuard:backupCopyToVaultArn'],
                Lifecycle: { DeleteAfterDays: 365, MoveToColdStorageAfterDays: 30 },
              },
            ],
          }),
        ],
      }),
    });
  });

  it('sets a new rotating key as the EBS default and undoes both settings on deletion', () => {
    const key = logicalIdOf(template, 'AWS::KMS::Key', 'EbsEncryptionByDefaultKey');
    template.hasResourceProperties('AWS::KMS::Key', { Description: Match.stringLikeRegexp('EBS'), EnableKeyRotation: true });
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ Description: Match.stringLikeRegexp('EBS') }),
      DeletionPolicy: 'Retain',
    });
    const enable = new Capture();
    template.hasResourceProperties('Custom::EbsEncryptionByDefault', { Create: Match.anyValue(), Delete: enable });
    expect(JSON.parse(enable.asString())).toMatchObject({ action: 'DisableEbsEncryptionByDefault' });
    const setKey = new Capture();
    const reset = new Capture();
    template.hasResourceProperties('Custom::EbsDefaultKmsKey', { Create: setKey, Delete: reset });
    expect(JSON.stringify(setKey.asObject())).toContain('ModifyEbsDefaultKmsKeyId');
    expect(JSON.stringify(setKey.asObject())).toContain(key);
    expect(JSON.parse(reset.asString())).toMatchObject({ action: 'ResetEbsDefaultKmsKeyId' });
  });

  it('grants no mutating action on Resource "*" but the EBS account settings, and one managed policy (Backup)', () => {
    const wildcard = identityStatements(template).filter((s) => s.Effect === 'Allow' && list(s.Resource as string).includes('*'));
    const mutations = [...new Set(wildcard.flatMap((s) => list(s.Action)).filter((a) => !isRead(a)))].sort();
    expect(mutations).toEqual(WILDCARD_MUTATIONS_ALLOWED);
    // No service-wide wildcards at all, on any resource.
    expect(
      identityStatements(template)
        .flatMap((s) => list(s.Action))
        .filter((a) => a === '*' || a.endsWith(':*')),
    ).toEqual([]);
    expect(managedPolicies(template)).toEqual(['service-role/AWSBackupServiceRolePolicyForBackup']);
  });

  it('passes cdk-nag AwsSolutions checks', () => {
    expect(new AwsSolutionsChecks(stack).validateScope(stack).violations).toEqual([]);
  });

  it('passes cfn-lint with no errors or warnings (except W3005, which CDK itself emits)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'eni-guard-baseline-')), 'EniGuardStack.template.json');
    writeFileSync(file, JSON.stringify(template.toJSON()));
    const lint = spawnSync('cfn-lint', ['--ignore-checks', 'W3005', 'W3045', '--', file], { encoding: 'utf8' });
    if (lint.error) throw new Error(`cfn-lint is required for this test (pip install cfn-lint): ${lint.error.message}`);
    expect({ status: lint.status, output: `${lint.stdout}${lint.stderr}` }).toEqual({ status: 0, output: '' });
  });

  it('matches the normalised snapshot of the baseline resources', () => {
    expect(normalisedBaseline(template)).toMatchSnapshot();
  });
});

describe('flow logs to S3, or for all VPCs', () => {
  const { stack, template } = buildStack({ 'eniGuard:flowLogVpcIds': 'all', 'eniGuard:flowLogDestination': 's3' });

  it('creates the destination only, no flow log and no delivery role, and exports it', () => {
    template.resourceCountIs('AWS::EC2::FlowLog', 0);
    expect(Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith('FlowLogs'))).toEqual([]);
    const bucket = logicalIdOf(template, 'AWS::S3::Bucket', 'FlowLogsBucket');
    template.hasOutput('FlowLogDestinationType', { Value: 's3' });
    template.hasOutput('FlowLogDestinationArn', { Value: { 'Fn::GetAtt': [bucket, 'Arn'] } });
  });

  it('keeps flow logs in a private, KMS-encrypted, TLS-only bucket that only log delivery for this account writes', () => {
    const bucket = logicalIdOf(template, 'AWS::S3::Bucket', 'FlowLogsBucket');
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, Transitions: Match.absent() })] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Sid: 'AWSLogDeliveryWrite',
            Principal: { Service: 'delivery.logs.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: Match.objectLike({ StringEquals: Match.objectLike({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }) }),
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowLogDeliveryForThisAccount',
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
          }),
        ]),
      },
    });
  });

  it('passes cdk-nag AwsSolutions checks', () => {
    expect(new AwsSolutionsChecks(stack).validateScope(stack).violations).toEqual([]);
  });
});

describe('account baseline switched off', () => {
  it('creates no trail, vault or EBS custom resource, but keeps the responder alarms', () => {
    const { template } = buildStack({ 'eniGuard:trail': 'existing', 'eniGuard:backup': false, 'eniGuard:ebsEncryptionByDefault': 'false' });
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    template.resourceCountIs('AWS::Backup::BackupVault', 0);
    template.resourceCountIs('Custom::EbsEncryptionByDefault', 0);
    // Responder errors, throttles, dead letters; sweep, burst-flusher and flow-log function errors; sink failures.
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
  });
});

/**
 * The baseline's resources (not the responder's, whose IAM follows the policy) with logical-id
 * hashes and asset hashes removed, so the snapshot changes only when the baseline does.
 */
function normalisedBaseline(template: Template): unknown {
  const resources = template.toJSON()['Resources'] as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  const stripped = (id: string) => id.replace(/[0-9A-F]{8}$/, '');
  let json = JSON.stringify(
    Object.fromEntries(
      Object.entries(resources)
        .filter(([id, r]) => !id.startsWith('Responder') || r.Type === 'AWS::CloudWatch::Alarm' || id.startsWith('ResponderAlarms'))
        .filter(([id]) => id !== 'CDKMetadata')
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
  );
  for (const id of Object.keys(resources)) json = json.split(`"${id}"`).join(`"${stripped(id)}"`);
  return JSON.parse(json.replace(/[0-9a-f]{64}(\.zip)?/g, '<asset>'));
}
