/**
 * The integrations in the template: the dashboard (always), Security Hub and decision events
 * (opt-in), the Amazon Q Developer channel (one context key); the IAM each adds, cdk-nag, and
 * cfn-lint on a template with all of them on.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, loadConfig } from '../../lib/config';
import { decisionEventJsonSchema } from '../../lambda/core/alert-schema';
import { buildOrganization, buildStack } from '../support/synth';

const SLACK = 'slack:T0123ABCD/C0456EFGH';
const TEAMS =
  'teams:a1b2c3d4-1111-2222-3333-444455556666/a1b2c3d4-1111-2222-3333-444455556667/19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2';
const EVERYTHING = {
  'eniGuard:securityHub': true,
  'eniGuard:decisionEvents': true,
  'eniGuard:decisionEventBus': 'create',
  'eniGuard:chatChannel': SLACK,
};

/** The responder role's statement with this Sid. */
function statement(template: Template, sid: string): Record<string, unknown> | undefined {
  for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
    if (!id.startsWith('ResponderRoleDefaultPolicy')) continue;
    const found = (
      policy as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }
    ).Properties.PolicyDocument.Statement.find((s) => s['Sid'] === sid);
    if (found) return found;
  }
  return undefined;
}

/** The environment of the responder (and sweep) functions. */
/** The functions that decide about interfaces — the responder and the sweep (not the VPC flow-log function, whose alerts are about VPCs). */
function environments(template: Template): Record<string, unknown>[] {
  return Object.entries(template.findResources('AWS::Lambda::Function'))
    .filter(([id]) => !id.startsWith('VpcFlowLogs'))
    .map(([, f]) => (f as { Properties: { Environment?: { Variables: Record<string, unknown> } } }).Properties.Environment?.Variables ?? {})
    .filter((v) => 'RESPONDER_ROLE_ARN' in v);
}

describe('integrations off (the defaults)', () => {
  const { template } = buildStack();

  it('grants nothing for Security Hub or EventBridge, and creates no bus, schema or chat channel', () => {
    expect(statement(template, 'ImportSecurityHubFindings')).toBeUndefined();
    expect(statement(template, 'PutDecisionEvents')).toBeUndefined();
    template.resourceCountIs('AWS::Events::EventBus', 0);
    template.resourceCountIs('AWS::EventSchemas::Schema', 0);
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    for (const env of environments(template)) expect(Object.keys(env)).not.toEqual(expect.arrayContaining(['SECURITY_HUB_FINDINGS']));
  });

  it('still deploys the dashboard: a guide, the decision metrics, the alarms, the dead letters and the duration percentiles', () => {
    const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
    expect(Object.keys(dashboards)).toHaveLength(1);
    const body = JSON.stringify(Object.values(dashboards)[0]);
    for (const text of [
      'how to read this dashboard',
      String.raw`SEARCH('{EniGuard,Outcome,service} MetricName=\\\"Decisions\\\"`,
      String.raw`SEARCH('{EniGuard,Rule,Severity,service} MetricName=\\\"Findings\\\"`,
      String.raw`SEARCH('{EniGuard,Action,Result,service} MetricName=\\\"Remediations\\\"`,
      String.raw`SEARCH('{EniGuard,Reason,service} MetricName=\\\"SkippedEvents\\\"`,
      String.raw`\"EniGuard\",\"TimeToRemediate\",\"service\",\"eni-guard\",{\"label\":\"p90\",\"stat\":\"p90\"}`,
      'IacConflicts',
      'AlertsDigested',
      String.raw`\"type\":\"alarm\"`,
      'ApproximateNumberOfMessagesVisible',
      String.raw`\"Duration\"`,
      String.raw`\"stat\":\"p99\"`,
    ]) {
      expect(body).toContain(text);
    }
  });

  it('alarms when a sink fails a decision, to the alert topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '-responder-sink-failures']] },
      AlarmActions: [{ Ref: Match.stringLikeRegexp('AlertsTopic') }],
    });
    // Off, only the metrics sink exists: the alarm sums its one series.
    expect(sinkFailureSeries(template)).toEqual(['metrics']);
  });
});

/** Every alarm's metric-math expressions. */
function alarmExpressions(template: Template): string[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).flatMap((alarm) =>
    ((alarm as { Properties: { Metrics?: { Expression?: string }[] } }).Properties.Metrics ?? []).flatMap((m) =>
      m.Expression ? [m.Expression] : [],
    ),
  );
}

/** The `Sink` of each SinkFailures series the sink-failures alarm sums (each with the service dimension). */
function sinkFailureSeries(template: Template): string[] {
  const [alarm] = Object.values(
    template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: { 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '-responder-sink-failures']] } },
    }),
  ) as {
    Properties: {
      Metrics: { MetricStat?: { Metric: { MetricName: string; Namespace: string; Dimensions: { Name: string; Value: string }[] } } }[];
    };
  }[];
  return alarm!.Properties.Metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []))
    .map((metric) => {
      expect(metric).toMatchObject({ Namespace: 'EniGuard', MetricName: 'SinkFailures' });
      expect(metric.Dimensions).toContainEqual({ Name: 'service', Value: 'eni-guard' });
      return metric.Dimensions.find((d) => d.Name === 'Sink')!.Value;
    })
    .sort();
}

describe('alarms CloudWatch can evaluate', () => {
  it.each([{}, EVERYTHING])('uses no SEARCH in any alarm (CloudWatch refuses alarms on SEARCH expressions): %j', (context) => {
    const { template } = buildStack(context);
    expect(alarmExpressions(template).filter((e) => /SEARCH\s*\(/.test(e))).toEqual([]);
  });

  it('sums the failures of exactly the sinks that are on, each series filled with zero', () => {
    const { template } = buildStack({ 'eniGuard:securityHub': true, 'eniGuard:decisionEvents': true });
    expect(sinkFailureSeries(template)).toEqual(['events', 'metrics', 'securityhub']);
    expect(alarmExpressions(template)).toContainEqual(expect.stringMatching(/^FILL\(\w+, ?0\)( \+ FILL\(\w+, ?0\)){2}$/));
  });
});

describe('eniGuard:securityHub=true', () => {
  const { stack, template } = buildStack({ 'eniGuard:securityHub': true });

  it('may import findings only into this account’s default product, for this account', () => {
    expect(statement(template, 'ImportSecurityHubFindings')).toEqual({
      Sid: 'ImportSecurityHubFindings',
      Effect: 'Allow',
      Action: 'securityhub:BatchImportFindings',
      Resource: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':securityhub:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':product/',
            { Ref: 'AWS::AccountId' },
            '/default',
          ],
        ],
      },
      Condition: { StringEquals: { 'securityhub:TargetAccount': { Ref: 'AWS::AccountId' } } },
    });
  });

  it('may update findings only to set the workflow RESOLVED, on this account’s hub, touching no other field', () => {
    expect(statement(template, 'ResolveSecurityHubFindings')).toMatchObject({
      Action: 'securityhub:BatchUpdateFindings',
      Resource: { 'Fn::Join': ['', expect.arrayContaining([':hub/default'])] },
      Condition: {
        StringEquals: { 'securityhub:ASFFSyntaxPath/Workflow.Status': 'RESOLVED' },
        Null: expect.objectContaining({
          'securityhub:ASFFSyntaxPath/Severity.Label': 'true',
          'securityhub:ASFFSyntaxPath/Note.Text': 'true',
        }),
      },
    });
  });

  it('turns it on in the responder and the sweep, which share the role', () => {
    const envs = environments(template);
    expect(envs).toHaveLength(2);
    for (const env of envs) expect(env).toMatchObject({ SECURITY_HUB_FINDINGS: 'true' });
  });

  it('passes cdk-nag', () => {
    expect(new AwsSolutionsChecks(stack).validateScope(stack).violations).toEqual([]);
  });
});

describe('eniGuard:decisionEvents=true', () => {
  it('puts events on the default bus, only with source eni-guard and detail-type "eni-guard Decision"', () => {
    const { template } = buildStack({ 'eniGuard:decisionEvents': true });
    const put = statement(template, 'PutDecisionEvents')!;
    expect(put).toMatchObject({
      Action: 'events:PutEvents',
      Condition: { StringEquals: { 'events:source': 'eni-guard', 'events:detail-type': 'eni-guard Decision' } },
    });
    expect(JSON.stringify(put['Resource'])).toContain(':event-bus/default');
    template.resourceCountIs('AWS::Events::EventBus', 0);
    for (const env of environments(template)) expect(JSON.stringify(env['DECISION_EVENT_BUS'])).toContain(':event-bus/default');
  });

  it('creates its own bus with eniGuard:decisionEventBus=create, and registers the event schema (draft 4)', () => {
    const { stack, template } = buildStack({ 'eniGuard:decisionEvents': true, 'eniGuard:decisionEventBus': 'create' });
    template.resourceCountIs('AWS::Events::EventBus', 1);
    expect(statement(template, 'PutDecisionEvents')!['Resource']).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^IntegrationsDecisionBus/), 'Arn'],
    });
    template.hasResourceProperties('AWS::EventSchemas::Schema', {
      SchemaName: 'eni-guard@Decision',
      Type: 'JSONSchemaDraft4',
      Content: JSON.stringify(decisionEventJsonSchema()),
    });
    template.hasOutput('DecisionEventBusArn', {});
    expect(new AwsSolutionsChecks(stack).validateScope(stack).violations).toEqual([]);
  });

  it('refuses a bus without events', () => {
    expect(() => buildStack({ 'eniGuard:decisionEventBus': 'create' })).toThrow(/decisionEventBus.*only with eniGuard:decisionEvents=true/);
  });
});

describe('eniGuard:chatChannel', () => {
  it('creates the Slack channel configuration on the chat-only topic, with a read-only guardrail and a read-only role', () => {
    const { stack, template } = buildStack({ 'eniGuard:chatChannel': SLACK });
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123ABCD',
      SlackChannelId: 'C0456EFGH',
      SnsTopicArns: [{ Ref: Match.stringLikeRegexp('AlertDeliveryChatTopic') }],
      GuardrailPolicies: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/CloudWatchReadOnlyAccess']] }],
      UserRoleRequired: false,
      IamRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ChatChannelRole'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'chatbot.amazonaws.com' } })] },
    });
    const policy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) =>
      id.startsWith('ChatChannelRoleDefaultPolicy'),
    )![1] as {
      Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } };
    };
    const actions = policy.Properties.PolicyDocument.Statement.flatMap((s) => [s.Action].flat());
    expect(actions.sort()).toEqual(['cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricData', 'cloudwatch:GetMetricWidgetImage']);
    // Alarms reach the channel too: they notify the chat topic as well as the alert topic.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: Match.arrayWith([{ Ref: Match.stringLikeRegexp('AlertDeliveryChatTopic') }]),
    });
    template.hasOutput('ChatTopicArn', {});
    template.hasOutput('ChatChannelConfigurationArn', {});
    expect(new AwsSolutionsChecks(stack).validateScope(stack).violations).toEqual([]);
  });

  it('creates the Microsoft Teams channel configuration from tenant, team and channel ids', () => {
    const { template } = buildStack({ 'eniGuard:chatChannel': TEAMS });
    template.hasResourceProperties('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', {
      TeamsTenantId: 'a1b2c3d4-1111-2222-3333-444455556666',
      TeamId: 'a1b2c3d4-1111-2222-3333-444455556667',
      TeamsChannelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
      GuardrailPolicies: [Match.anyValue()],
    });
  });

  it('keeps eniGuard:alertChat working, and refuses the one combination that would contradict it', () => {
    const config = (context: Record<string, unknown>) => loadConfig(context, join(__dirname, '..', '..'));
    expect(config({ 'eniGuard:alertChat': 'topic' }).integrations.chat).toBeUndefined();
    expect(config({ 'eniGuard:chatChannel': SLACK, 'eniGuard:alertChat': 'topic' }).integrations.chat).toMatchObject({ platform: 'slack' });
    expect(() => config({ 'eniGuard:chatChannel': SLACK, 'eniGuard:alertChat': 'https' })).toThrow(ConfigError);
    expect(() => config({ 'eniGuard:chatChannel': 'slack:#security' })).toThrow(
      /eniGuard:chatChannel: must be slack:WORKSPACE_ID\/CHANNEL_ID/,
    );
  });
});

describe('every integration on', () => {
  const { app, stack } = buildStack(EVERYTHING);

  it('passes cdk-nag', () => {
    expect(new AwsSolutionsChecks(stack).validateScope(stack).violations).toEqual([]);
  });

  it('passes cfn-lint with no errors or warnings (except W3005/W3045, which CDK itself emits)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'eni-guard-integrations-')), 'EniGuardStack.template.json');
    writeFileSync(file, JSON.stringify(app.synth().getStackByName(stack.stackName).template));
    const lint = spawnSync('cfn-lint', ['--ignore-checks', 'W3005', 'W3045', '--', file], { encoding: 'utf8' });
    if (lint.error) throw new Error(`cfn-lint is required for this test (pip install cfn-lint): ${lint.error.message}`);
    expect({ status: lint.status, output: `${lint.stdout}${lint.stderr}` }).toEqual({ status: 0, output: '' });
  });
});

describe('organization mode with every integration on', () => {
  const org = buildOrganization(EVERYTHING);
  const hub = Template.fromStack(org.hubs[0]!);
  const roles = Template.fromStack(org.memberRoles);
  const body = (() => {
    const [stackSet] = Object.values(
      Template.fromStack(org.stackSets).findResources('AWS::CloudFormation::StackSet', {
        Properties: { StackSetName: 'EniGuardMember-Roles-ou-abcd-11111111' },
      }),
    );
    return Template.fromJSON(JSON.parse((stackSet as { Properties: { TemplateBody: string } }).Properties.TemplateBody) as object);
  })();
  /** Statements of the member remediation role (in a template of the member roles). */
  const remediation = (template: Template) =>
    Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('RolesRemediationDefaultPolicy'))
      .flatMap(
        ([, p]) => (p as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties.PolicyDocument.Statement,
      );

  it('imports each finding in its own account: the member remediation role may, the hub’s role may not', () => {
    expect(statement(hub, 'ImportSecurityHubFindings')).toBeUndefined();
    expect(statement(hub, 'ResolveSecurityHubFindings')).toBeUndefined();
    for (const template of [roles, body]) {
      const statements = remediation(template);
      const importing = statements.find((s) => s['Sid'] === 'ImportSecurityHubFindings')!;
      // Into the member's own default product in each member Region, only for the member's own account.
      expect(importing).toMatchObject({
        Action: 'securityhub:BatchImportFindings',
        Condition: { StringEquals: { 'securityhub:TargetAccount': { Ref: 'AWS::AccountId' } } },
      });
      const products = JSON.stringify(importing['Resource']);
      for (const region of ['us-east-1', 'eu-west-1']) expect(products).toContain(`:securityhub:${region}:`);
      expect(products).toContain(':product/');
      expect(statements.find((s) => s['Sid'] === 'ResolveSecurityHubFindings')).toMatchObject({
        Action: 'securityhub:BatchUpdateFindings',
        Condition: { StringEquals: { 'securityhub:ASFFSyntaxPath/Workflow.Status': 'RESOLVED' } },
      });
    }
  });

  it('turns Security Hub and decision events on in the hub’s responder and sweep, events on the hub’s own bus (not the members’ hub bus)', () => {
    const envs = environments(hub);
    expect(envs).toHaveLength(2);
    for (const env of envs) {
      expect(env).toMatchObject({ SCOPE: 'organization', SECURITY_HUB_FINDINGS: 'true' });
      expect(JSON.stringify(env['DECISION_EVENT_BUS'])).toContain('IntegrationsDecisionBus');
    }
    expect(statement(hub, 'PutDecisionEvents')!['Resource']).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^IntegrationsDecisionBus/), 'Arn'],
    });
  });

  it('gives each hub the dashboard, the sink-failures alarm and the chat channel', () => {
    hub.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(sinkFailureSeries(hub)).toEqual(['events', 'metrics', 'securityhub']);
    hub.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 1);
    hub.hasOutput('DashboardName', {});
  });

  it('adds nothing to the member roles with Security Hub off', () => {
    const off = buildOrganization({ 'eniGuard:decisionEvents': true });
    const sids = remediation(Template.fromStack(off.memberRoles)).map((s) => s['Sid']);
    expect(sids.filter((sid) => String(sid).includes('SecurityHub'))).toEqual([]);
  });

  it('passes cdk-nag and cfn-lint', () => {
    for (const stack of [org.hubs[0]!, org.memberRoles]) {
      expect({ stack: stack.stackName, violations: new AwsSolutionsChecks(stack).validateScope(stack).violations }).toEqual({
        stack: stack.stackName,
        violations: [],
      });
    }
    const dir = mkdtempSync(join(tmpdir(), 'eni-guard-integrations-org-'));
    const files = [
      ['hub', hub.toJSON()],
      ['roles', roles.toJSON()],
      ['body', body.toJSON()],
    ].map(([name, template]) => {
      const file = join(dir, `${name as string}.template.json`);
      writeFileSync(file, JSON.stringify(template));
      return file;
    });
    const lint = spawnSync('cfn-lint', ['--ignore-checks', 'W3005', 'W3045', '--', ...files], { encoding: 'utf8' });
    expect({ status: lint.status, output: `${lint.stdout}${lint.stderr}` }).toEqual({ status: 0, output: '' });
  });
});
