/**
 * Flow logs in the template, per `eniGuard:flowLogVpcIds`: the default (`all`: a deploy-time custom
 * resource and a CreateVpc rule, no synth-time list), a list (one AWS::EC2::FlowLog each, as before),
 * and `none` (nothing at all). Every grant scoped; cdk-nag clean.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { grantedStatements } from '../support/iam-inventory';
import { buildOrganization, buildStack } from '../support/synth';

const VPCS = ['vpc-0123456789abcdef0', 'vpc-12345678'];

/** The responder role's statements (the sweep and the flow-log function run as it). */
const responderStatements = (template: Template) => grantedStatements(template).filter((s) => s.policy.startsWith('ResponderRole'));
const bySid = (template: Template) => Object.fromEntries(responderStatements(template).map((s) => [s.sid ?? s.actions.join(','), s]));
const functionsDescribed = (template: Template, pattern: string) =>
  Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp(pattern) } }));

describe('flow logs for every VPC (the default)', () => {
  const { stack, template } = buildStack();

  it('creates no flow log at synth (no frozen list), but a deploy-time step that runs the flow-log function', () => {
    template.resourceCountIs('AWS::EC2::FlowLog', 0);
    template.resourceCountIs('Custom::VpcFlowLogs', 1);
    template.hasResourceProperties('Custom::VpcFlowLogs', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^VpcFlowLogsProviderframeworkonEvent'), 'Arn'] },
      DestinationType: 'cloud-watch-logs',
      Destination: { 'Fn::Join': ['', Match.arrayWith([':log-group:', { Ref: Match.stringLikeRegexp('^FlowLogsLogGroup') }])] },
      Mode: 'remediate',
      Enables: 'true',
    });
    // The step runs after the destination, its delivery role and the grants exist.
    const [step] = Object.values(template.findResources('Custom::VpcFlowLogs')) as { DependsOn?: string[] }[];
    expect(step?.DependsOn).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^FlowLogsDeliveryRole[0-9A-F]{8}$/),
        expect.stringMatching(/^FlowLogsDeliveryRoleDefaultPolicy/),
        expect.stringMatching(/^ResponderRoleDefaultPolicy/),
      ]),
    );
  });

  it('runs the flow-log function as the responder role, with the destination, under the provider framework’s 15 minutes', () => {
    const [fn] = functionsDescribed(template, 'flow logs for every VPC') as { Properties: Record<string, unknown> }[];
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Timeout: 840,
      ReservedConcurrentExecutions: 2,
      Role: { 'Fn::GetAtt': [expect.stringMatching(/^ResponderRole/), 'Arn'] },
      Environment: {
        Variables: expect.objectContaining({
          FLOW_LOGS_DESTINATION_TYPE: 'cloud-watch-logs',
          FLOW_LOGS_ROLE_ARN: { 'Fn::GetAtt': [expect.stringMatching(/^FlowLogsDeliveryRole/), 'Arn'] },
        }),
      },
    });
    // The framework function has its own role: its log, and invoking the one function.
    const framework = grantedStatements(template).filter((s) => s.policy.startsWith('VpcFlowLogsProviderRole'));
    expect(framework.flatMap((s) => s.actions).sort()).toEqual([
      'lambda:GetFunction',
      'lambda:InvokeFunction',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
  });

  it('enables a new VPC within seconds: a rule on successful CreateVpc / CreateDefaultVpc calls → the function', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ec2'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['ec2.amazonaws.com'], eventName: ['CreateVpc', 'CreateDefaultVpc'], errorCode: [{ exists: false }] },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^VpcFlowLogsHandler'), 'Arn'] } })],
    });
  });

  it('sweeps every VPC too (SWEEP_VPCS), and lets the responder role list VPCs', () => {
    const [sweep] = functionsDescribed(template, 'periodic sweep') as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    }[];
    expect(sweep?.Properties.Environment.Variables['SWEEP_VPCS']).toBe('true');
    expect(bySid(template)['ReadNetworkState']?.actions).toContain('ec2:DescribeVpcs');
  });

  it('creates flow logs only on VPCs of this account and Region, only tagged as eni-guard’s, passing only the delivery role', () => {
    const sids = bySid(template);
    expect(sids['EnableFlowLogsOnVpcs']).toMatchObject({
      actions: ['ec2:CreateFlowLogs'],
      resources: [
        {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':vpc/*']],
        },
      ],
      condition: { StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } },
    });
    expect(sids['CreateManagedFlowLogs']).toMatchObject({
      actions: ['ec2:CreateFlowLogs'],
      resources: [expect.objectContaining({ 'Fn::Join': ['', expect.arrayContaining([':vpc-flow-log/*'])] })],
      condition: {
        StringEquals: { 'aws:RequestTag/eni-guard:managed': 'true', 'aws:RequestedRegion': { Ref: 'AWS::Region' } },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['eni-guard:managed', 'eni-guard:ledger'] },
      },
    });
    expect(sids['TagFlowLogsOnCreate']).toMatchObject({
      actions: ['ec2:CreateTags'],
      condition: {
        StringEquals: { 'ec2:CreateAction': 'CreateFlowLogs', 'aws:RequestTag/eni-guard:managed': 'true' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['eni-guard:managed', 'eni-guard:ledger'] },
      },
    });
    expect(sids['PassFlowLogDeliveryRole']).toMatchObject({
      actions: ['iam:PassRole'],
      resources: [{ 'Fn::GetAtt': [expect.stringMatching(/^FlowLogsDeliveryRole/), 'Arn'] }],
      condition: { StringEquals: { 'iam:PassedToService': 'vpc-flow-logs.amazonaws.com' } },
    });
  });

  it('keeps the delivery role trusted only by VPC Flow Logs for this account’s flow logs, writing only the one log group', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', Match.arrayWith([':vpc-flow-log/*'])] } },
            },
          },
        ],
      },
    });
    const delivery = grantedStatements(template).filter((s) => s.policy.startsWith('FlowLogsDeliveryRole'));
    expect(delivery).toEqual([
      expect.objectContaining({
        sid: 'WriteFlowLogGroup',
        resources: [{ 'Fn::GetAtt': [expect.stringMatching(/^FlowLogsLogGroup/), 'Arn'] }],
      }),
    ]);
  });

  it('alarms when the flow-log function fails', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '-responder-flow-logs-errors']] },
      MetricName: 'Errors',
    });
  });

  it('passes cdk-nag AwsSolutions checks', () => {
    expect(new AwsSolutionsChecks(stack).validateScope(stack).violations).toEqual([]);
  });
});

describe('flow logs for every VPC, to S3', () => {
  const { stack, template } = buildStack({ 'eniGuard:flowLogDestination': 's3' });

  it('runs the same step to the bucket, with no delivery role', () => {
    template.hasResourceProperties('Custom::VpcFlowLogs', {
      DestinationType: 's3',
      Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FlowLogsBucket'), 'Arn'] },
    });
    expect(bySid(template)['PassFlowLogDeliveryRole']).toBeUndefined();
    expect(bySid(template)['CreateS3FlowLogDelivery']).toMatchObject({ actions: ['logs:CreateLogDelivery'] });
  });

  it('passes cdk-nag AwsSolutions checks', () => {
    expect(new AwsSolutionsChecks(stack).validateScope(stack).violations).toEqual([]);
  });
});

describe('flow logs for listed VPCs', () => {
  const { stack, template } = buildStack({ 'eniGuard:flowLogVpcIds': VPCS.join(',') });

  it('keeps one AWS::EC2::FlowLog per listed VPC, and no step, no CreateVpc rule, no VPC listing, no VPC sweep', () => {
    template.resourceCountIs('AWS::EC2::FlowLog', VPCS.length);
    for (const vpcId of VPCS) template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceId: vpcId, TrafficType: 'ALL' });
    template.resourceCountIs('Custom::VpcFlowLogs', 0);
    expect(functionsDescribed(template, 'flow logs for every VPC')).toEqual([]);
    expect(
      template.findResources('AWS::Events::Rule', {
        Properties: { EventPattern: Match.objectLike({ detail: Match.objectLike({ eventName: ['CreateVpc', 'CreateDefaultVpc'] }) }) },
      }),
    ).toEqual({});
    expect(bySid(template)['ReadNetworkState']?.actions).not.toContain('ec2:DescribeVpcs');
    const [sweep] = functionsDescribed(template, 'periodic sweep') as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    }[];
    expect(sweep?.Properties.Environment.Variables['SWEEP_VPCS']).toBeUndefined();
  });

  it('passes cdk-nag AwsSolutions checks', () => {
    expect(new AwsSolutionsChecks(stack).validateScope(stack).violations).toEqual([]);
  });
});

describe('flow logs off (none)', () => {
  const { stack, template } = buildStack({ 'eniGuard:flowLogVpcIds': 'none' });

  it('creates no destination, no delivery role, no flow log, no step, no rule, and grants no flow-log creation anywhere', () => {
    template.resourceCountIs('AWS::EC2::FlowLog', 0);
    template.resourceCountIs('Custom::VpcFlowLogs', 0);
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup')).filter((id) => id.startsWith('FlowLogs'))).toEqual([]);
    expect(Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith('FlowLogs'))).toEqual([]);
    expect(functionsDescribed(template, 'flow logs for every VPC')).toEqual([]);
    const actions = grantedStatements(template).flatMap((s) => s.actions);
    expect(actions.filter((a) => a === 'ec2:CreateFlowLogs' || a === 'iam:PassRole' || a === 'ec2:DescribeVpcs')).toEqual([]);
    const variables = JSON.stringify(template.findResources('AWS::Lambda::Function'));
    expect(variables).not.toContain('FLOW_LOGS_DESTINATION');
    expect(variables).not.toContain('SWEEP_VPCS');
    template.hasOutput('AlertTopicArn', {});
    expect(Object.keys(template.toJSON()['Outputs'] as object)).not.toContain('FlowLogDestinationArn');
  });

  it('passes cdk-nag AwsSolutions checks', () => {
    expect(new AwsSolutionsChecks(stack).validateScope(stack).violations).toEqual([]);
  });
});

describe('flow logs for every VPC under a policy that may not create them', () => {
  it('still reports every VPC at deploy, creates none, grants no creation, and says so at synth', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'eni-guard-policy-')), 'policy.json');
    writeFileSync(file, JSON.stringify({ version: 1, dryRun: true }));
    const { stack, template } = buildStack({ 'eniGuard:policyFile': file });
    template.hasResourceProperties('Custom::VpcFlowLogs', { Mode: 'dry-run', Enables: 'false' });
    expect(grantedStatements(template).flatMap((s) => s.actions)).not.toContain('ec2:CreateFlowLogs');
    Annotations.fromStack(stack).hasInfo('*', Match.stringLikeRegexp('flowLogVpcIds=all, but the policy is in dry-run'));
  });

  it('judges no VPC when the policy switches the rule off, and warns at synth that "all" then means nothing', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'eni-guard-policy-')), 'policy.json');
    writeFileSync(file, JSON.stringify({ version: 1, rules: { 'vpc-flow-logs': { mode: 'off' } } }));
    const { stack, template } = buildStack({ 'eniGuard:policyFile': file });
    template.resourceCountIs('Custom::VpcFlowLogs', 0);
    expect(bySid(template)['ReadNetworkState']?.actions).not.toContain('ec2:DescribeVpcs');
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('sets vpc-flow-logs to off: no VPC is judged'));
  });
});

describe('flow logs for every VPC in organization mode (the default there too)', () => {
  const org = buildOrganization();
  const roles = Template.fromStack(org.memberRoles);
  const forwarding = Template.fromStack(org.memberForwarding[0]!);
  const hub = Template.fromStack(org.hubs[0]!);
  const memberStatements = (sid: string) => grantedStatements(roles).find((s) => s.policy.startsWith('RolesRemediation') && s.sid === sid);
  const REGIONS = ['us-east-1', 'eu-west-1'];

  it('gives each member a delivery role trusted only by VPC Flow Logs for its own flow logs, writing only its eni-guard groups', () => {
    roles.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'EniGuardMemberFlowLogs',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': REGIONS.map((r) => Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([`:ec2:${r}:`])] })) },
            },
          }),
        ],
      },
    });
    const [write] = grantedStatements(roles).filter((s) => s.policy.startsWith('RolesFlowLogDelivery'));
    expect(write?.actions).toEqual(['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents']);
    expect(JSON.stringify(write?.resources)).toContain(':log-group:eni-guard-vpc-flow-logs:*');
  });

  it('lets the member remediation role list VPCs and create only eni-guard-tagged flow logs, passing only that role to VPC Flow Logs', () => {
    expect(memberStatements('ReadNetworkState')?.actions).toEqual(expect.arrayContaining(['ec2:DescribeFlowLogs', 'ec2:DescribeVpcs']));
    expect(memberStatements('EnableFlowLogsOnVpcs')?.condition).toEqual({ StringEquals: { 'aws:RequestedRegion': REGIONS } });
    expect(memberStatements('CreateManagedFlowLogs')?.condition).toMatchObject({
      StringEquals: { 'aws:RequestTag/eni-guard:managed': 'true', 'aws:RequestedRegion': REGIONS },
    });
    expect(memberStatements('PassFlowLogDeliveryRole')).toMatchObject({
      actions: ['iam:PassRole'],
      condition: { StringEquals: { 'iam:PassedToService': 'vpc-flow-logs.amazonaws.com' } },
    });
    expect(JSON.stringify(memberStatements('PassFlowLogDeliveryRole')?.resources)).toContain(':role/EniGuardMemberFlowLogs');
  });

  it('gives each member Region an encrypted flow-log group of the name the hub computes, and forwards CreateVpc to the hub', () => {
    forwarding.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: 'eni-guard-vpc-flow-logs',
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('FlowLogKey'), 'Arn'] },
      RetentionInDays: 90,
    });
    forwarding.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    forwarding.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    forwarding.hasResourceProperties('AWS::Events::Rule', {
      Name: 'eni-guard-forward-to-hub',
      EventPattern: { detail: Match.objectLike({ eventName: Match.arrayWith(['CreateVpc', 'CreateDefaultVpc']) }) },
    });
  });

  it('tells the hub functions, whose rule takes the forwarded CreateVpc', () => {
    hub.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('evaluates new and changed'),
      Environment: { Variables: Match.objectLike({ MEMBER_FLOW_LOGS: 'cloud-watch-logs' }) },
    });
    hub.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.anyValue(),
      EventPattern: { detail: Match.objectLike({ eventName: Match.arrayWith(['CreateVpc']) }) },
    });
  });

  it('creates none of it with none', () => {
    const off = buildOrganization({ 'eniGuard:flowLogVpcIds': 'none' });
    const offRoles = Template.fromStack(off.memberRoles);
    expect(JSON.stringify(offRoles.toJSON())).not.toContain('EniGuardMemberFlowLogs');
    expect(grantedStatements(offRoles).flatMap((s) => s.actions)).not.toContain('ec2:CreateFlowLogs');
    Template.fromStack(off.memberForwarding[0]!).resourceCountIs('AWS::Logs::LogGroup', 0);
    expect(JSON.stringify(Template.fromStack(off.hubs[0]!).toJSON())).not.toContain('MEMBER_FLOW_LOGS');
  });
});
