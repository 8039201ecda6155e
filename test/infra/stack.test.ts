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

  it('matches successful CloudTrail calls from EC2 that create or change interfaces or their groups, and nothing else', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      State: 'ENABLED',
      EventPattern: {
        source: ['aws.ec2'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['ec2.amazonaws.com'],
          eventName: [
            'CreateNetworkInterface',
            'RunInstances',
            'AttachNetworkInterface',
            'ModifyNetworkInterfaceAttribute',
            'AssociateAddress',
            'AuthorizeSecurityGroupIngress',
            'ModifySecurityGroupRules',
          ],
          errorCode: [{ exists: false }],
        },
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
      // Flow logs for every VPC (the default) list the VPCs.
      'ec2:DescribeVpcs',
    ];
    expect(read).toMatchObject({ Action: describes, Resource: '*' });
    expect(all.find((s) => s.Sid === 'ResolvePrefixLists')).toMatchObject({
      Action: 'ec2:GetManagedPrefixListEntries',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:', { Ref: 'AWS::Region' }, ':*:prefix-list/*']] },
    });
    // The default policy remediates world-open ingress (revoke, or copy a shared group) and tags what it fixed.
    const bySid = Object.fromEntries(all.map((s) => [s.Sid, s]));
    // Revoke only: re-authorizing a revoked rule is undo's, run with the operator's credentials.
    expect(bySid['RevokeWorldOpenRules']?.Action).toBe('ec2:RevokeSecurityGroupIngress');
    expect(JSON.stringify(bySid['RevokeWorldOpenRules']?.Resource)).toContain(':security-group/*');
    expect(bySid['CreateManagedGroups']).toMatchObject({
      Action: 'ec2:CreateSecurityGroup',
      Condition: { StringEquals: { 'aws:RequestTag/eni-guard:managed': 'true' } },
    });
    // A copy is filled only because it carries the managed tag: no production group can be.
    expect(bySid['FillManagedGroups']).toMatchObject({ Condition: { StringEquals: { 'aws:ResourceTag/eni-guard:managed': 'true' } } });
    expect(bySid['MoveInterfacesBetweenGroups']?.Action).toBe('ec2:ModifyNetworkInterfaceAttribute');
    expect(bySid['TagManagedGroupsOnCreate']).toMatchObject({
      Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' } },
    });
    expect(bySid['TagRemediatedInterfaces']).toMatchObject({
      Action: 'ec2:CreateTags',
      Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['eni-guard:remediated', 'eni-guard:findings', 'eni-guard:ledger'] } },
    });
    expect(JSON.stringify(bySid['TagRemediatedInterfaces']?.Resource)).toContain(':network-interface/*');
    expect(bySid['Ledger']?.Action).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    // Nothing about IAM users or roles unless the caller rule remediates — but passing the flow-log delivery role to VPC Flow Logs.
    expect(all.filter((s) => JSON.stringify(s.Action).includes('iam:'))).toEqual([
      expect.objectContaining({
        Sid: 'PassFlowLogDeliveryRole',
        Action: 'iam:PassRole',
        Condition: { StringEquals: { 'iam:PassedToService': 'vpc-flow-logs.amazonaws.com' } },
      }),
    ]);
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
    const actions = statements(template, 'ResponderRole').flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    const mutating = actions.filter((a) => /^(ec2|iam):/.test(a) && !/^(ec2|iam):(Describe|Get|List)/.test(a));
    expect(mutating).toEqual([]);
    expect(actions).toContain('ec2:DescribeNetworkInterfaces');
  });

  it('scopes every remediation when all of them are on; IAM writes only in the revoker, which is denied eni-guard and protected roles; cdk-nag clean', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eni-guard-policy-'));
    const file = join(dir, 'policy.json');
    const remediate = { mode: 'remediate' };
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        remediation: { sharedGroups: 'quarantine' },
        rules: {
          'public-ip': remediate,
          'source-dest-check': remediate,
          'vpc-flow-logs': remediate,
          'backup-coverage': remediate,
          'network-placement': remediate,
          caller: {
            mode: 'remediate',
            isolateInstance: true,
            terminateInstance: true,
            protectedPrincipals: ['arn:aws:iam::*:role/BreakGlass*', 'arn:aws:iam::123456789012:user/ops'],
          },
        },
      }),
    );
    const { template, stack } = buildStack({ 'eniGuard:policyFile': file });
    const all = statements(template, 'ResponderRole');
    const sids = all.map((s) => s.Sid);
    expect(sids).toEqual(
      expect.arrayContaining([
        'RevokeWorldOpenRules',
        'CreateManagedGroups',
        'FillManagedGroups',
        'MoveInterfacesBetweenGroups',
        'DetachElasticIps',
        'TagInstancesForBackup',
        'MarkIsolatedInstances',
        'SnapshotVolumesForForensics',
        'CreateTaggedForensicSnapshots',
        'TerminateIsolatedInstances',
        'AskTheRevoker',
        'ReadForRemediation',
      ]),
    );
    const mutatingOnStar = all
      .filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')))
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
      .filter((a) => !/^(ec2|iam):(Describe|Get|List)/.test(a));
    expect(mutatingOnStar).toEqual([]);
    // The responder writes no IAM at all: revocations are asked of the revoker.
    const responderActions = all.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(responderActions.filter((a) => /^iam:(Put|Delete|Update|Attach|Detach|Create)/.test(a))).toEqual([]);
    // Termination only of an instance the plan tagged isolated.
    expect(all.find((s) => s.Sid === 'TerminateIsolatedInstances')).toMatchObject({
      Condition: { StringLike: { 'aws:ResourceTag/eni-guard:isolated': '*' } },
    });
    const revoker = statements(template, 'ResponderRevokerRole');
    const deny = revoker.find((s) => s.Sid === 'NeverRevokeEniGuardOrProtectedRoles') as
      { Effect?: string; Resource?: unknown } | undefined;
    expect(deny?.Effect).toBe('Deny');
    // The responder's role, the revoker's own, and the policy's protected roles; the protected user has its own deny.
    expect(deny?.Resource).toEqual(
      expect.arrayContaining([expect.objectContaining({ 'Fn::GetAtt': expect.any(Array) }), 'arn:aws:iam::*:role/BreakGlass*']),
    );
    expect(deny?.Resource).toHaveLength(3);
    expect(revoker.find((s) => s.Sid === 'NeverTouchProtectedUsers')).toMatchObject({ Resource: 'arn:aws:iam::123456789012:user/ops' });
    const result = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(result.violations).toEqual([]);
  });

  it('keeps the ledger: customer-managed key, point-in-time recovery, TTL, retained on stack deletion', () => {
    const { template } = buildStack();
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'ledgerId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    });
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
