import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStack } from '../support/synth';

/** Every IAM policy statement in the template (of policies whose logical id starts with `prefix`), with its Sid. */
function statements(template: Template, prefix = ''): { Sid?: string; Action: string | string[]; Resource: unknown }[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([logicalId]) => logicalId.startsWith(prefix))
    .flatMap(([, policy]) => (policy as { Properties: { PolicyDocument: { Statement: never[] } } }).Properties.PolicyDocument.Statement);
}

describe('EniGuardStack with defaults', () => {
  const { stack, template } = buildStack();

  it('matches successful CloudTrail CreateNetworkInterface calls from EC2', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      State: 'ENABLED',
      EventPattern: {
        source: ['aws.ec2'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['ec2.amazonaws.com'], eventName: ['CreateNetworkInterface'], errorCode: [{ exists: false }] },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ResponderHandlerFunction'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ResponderDeadLetterQueue'), 'Arn'] } },
        }),
      ],
    });
  });

  it('runs the responder on Node.js 24, ARM64, ESM bundle, with source maps, a log group and reserved concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      ReservedConcurrentExecutions: 10,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('ResponderHandlerLogGroup') } },
      Environment: {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          ALERT_TOPIC_ARN: { Ref: Match.stringLikeRegexp('AlertsTopic') },
          RESPONDER_ROLE_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('ResponderRole'), 'Arn'] },
        },
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 90,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('DataKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('ResponderDeadLetterQueue'), 'Arn'] } } },
    });
  });

  it('encrypts the alert topic and the dead-letter queue with the rotating customer-managed key', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: Match.stringLikeRegexp('alert topic') });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('DataKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('DataKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('provisions a multi-Region trail of write management events with log file validation', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsMultiRegionTrail: true,
      IsLogging: true,
      EnableLogFileValidation: true,
      EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }],
      KMSKeyId: Match.anyValue(),
    });
  });

  it('stores trail logs in a private, versioned, KMS-encrypted, TLS-only bucket', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() }, BucketKeyEnabled: true },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'cloudtrail-bucket/' }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('grants the function exactly the calls it makes, and nothing mutating on Resource *', () => {
    // The responder's own policy; the whole app's wildcard statements are listed in baseline.test.ts.
    const all = statements(template, 'ResponderRole');
    const read = all.find((s) => s.Sid === 'ReadNetworkState');
    const describes = [
      'ec2:DescribeFlowLogs',
      'ec2:DescribeImages',
      'ec2:DescribeInstanceTypes',
      'ec2:DescribeInstances',
      'ec2:DescribeNetworkAcls',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeRouteTables',
      'ec2:DescribeSecurityGroupRules',
      'ec2:DescribeVolumes',
    ];
    expect(read).toMatchObject({ Action: describes, Resource: '*' });
    expect(all.find((s) => s.Sid === 'ResolvePrefixLists')).toMatchObject({
      Action: 'ec2:GetManagedPrefixListEntries',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:', { Ref: 'AWS::Region' }, ':*:prefix-list/*']] },
    });
    const remediate = all.find((s) => s.Sid === 'RemediateSecurityGroups');
    expect(remediate?.Action).toBe('ec2:RevokeSecurityGroupIngress');
    expect(JSON.stringify(remediate?.Resource)).toContain(':security-group/*');
    const wildcards = all.filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')));
    const wildcardActions = wildcards.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    // A new wildcard statement must be a deliberate change to this list.
    expect(wildcardActions.sort()).toEqual(describes);
  });

  it('passes cdk-nag AwsSolutions checks (every acknowledgement has a reason in the code)', () => {
    const result = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(result.violations).toEqual([]);
    expect(result.success).toBe(true);
  });
});

describe('EniGuardStack configuration', () => {
  it('grants no mutating permission when the policy is dry-run (shadow mode is enforced by IAM too)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eni-guard-policy-'));
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({ version: 1, dryRun: true }));
    const { template } = buildStack({ 'eniGuard:policyFile': file });
    expect(statements(template).find((s) => s.Sid === 'RemediateSecurityGroups')).toBeUndefined();
  });

  it('grants only the reads the enabled rules need', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eni-guard-policy-'));
    const file = join(dir, 'policy.json');
    const off = { mode: 'off' };
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        rules: { 'vpc-flow-logs': off, 'instance-ami-age': off, 'ebs-encryption': off, 'backup-coverage': off, 'plaintext-protocols': off },
      }),
    );
    const { template } = buildStack({ 'eniGuard:policyFile': file });
    expect(statements(template).find((s) => s.Sid === 'ReadNetworkState')?.Action).toEqual([
      'ec2:DescribeNetworkAcls',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeRouteTables',
      'ec2:DescribeSecurityGroupRules',
    ]);
  });

  it('reuses an existing trail when told to, creating none', () => {
    const { template } = buildStack({ 'eniGuard:trail': 'existing' });
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
  });

  it('subscribes the configured e-mail addresses, given as a list or a comma-separated string', () => {
    const { template } = buildStack({ 'eniGuard:alertEmails': 'sec@example.com, oncall@example.com' });
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });

  it.each([
    [{ 'eniGuard:alertEmails': 'not-an-email' }, 'eniGuard:alertEmails.0: must be e-mail addresses'],
    [{ 'eniGuard:trail': 'sometimes' }, 'eniGuard:trail:'],
    [{ 'eniGuard:logRetentionDays': '8' }, 'eniGuard:logRetentionDays: must be one of'],
    [{ 'eniGuard:reservedConcurrency': 0 }, 'eniGuard:reservedConcurrency:'],
    [{ 'eniGuard:policyFile': '/nonexistent/policy.json' }, 'eniGuard:policyFile: cannot read /nonexistent/policy.json'],
  ])('fails synth on a bad value, naming the key: %j', (context, message) => {
    expect(() => buildStack(context)).toThrow(message);
  });

  it('fails synth on an invalid policy with the path and reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eni-guard-policy-'));
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({ version: 1, rules: { 'world-open-ingress': { mode: 'fix-it' } } }));
    expect(() => buildStack({ 'eniGuard:policyFile': file })).toThrow(
      /eniGuard:policyFile \(.*policy\.json\): rules\.world-open-ingress\.mode: Invalid option/,
    );
  });
});
