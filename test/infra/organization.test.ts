/**
 * Organization mode's templates: the hub in each hub Region (its bus, admitting only the
 * organization; its roles, which may only assume the member roles), the member templates (roles
 * trusting only the hub's roles, forwarding to the hub bus of the same Region), and the StackSets
 * that deploy them to the target OUs — service-managed, automatic, minus the excluded accounts,
 * bootstrap-free and within the inline template limit. Shadow OUs get read-only roles; an overlay
 * below a target OU that would need more than its OU's role fails synth.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SynthesisMessageLevel } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ledgerTableDefinition } from '../../lambda/adapters/ledger-table';
import { UNDO_OPERATIONS, OPERATION_PERMISSIONS, type ActionKind } from '../../lambda/core/actions';
import { SUPPORTED_EVENT_NAMES } from '../../lambda/core/event';
import { VPC_EVENT_NAMES } from '../../lambda/core/vpc-event';
import { possibleActionKinds } from '../../lambda/core/plan/index';
import { parsePolicy } from '../../lambda/core/policy';
import { TEMPLATE_BODY_LIMIT } from '../../lib/org-stacksets-stack';
import { buildOrganization, buildStack } from '../support/synth';

const POLICIES = join(__dirname, '..', 'fixtures', 'policies');
const EVERYTHING = join(POLICIES, 'everything-remediates.json');

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
  Principal?: unknown;
};
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The identity statements of the policies attached to roles whose logical id starts with `prefix`. */
function roleStatements(template: Template, prefix: string): Statement[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(prefix))
    .flatMap(([, p]) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}

/** The role with this RoleName. */
function roleNamed(template: Template, name: string): { logicalId: string; trust: Statement[] } {
  const [entry] = Object.entries(template.findResources('AWS::IAM::Role', { Properties: { RoleName: name } }));
  if (!entry) throw new Error(`no role named ${name}`);
  const [logicalId, role] = entry as [string, { Properties: { AssumeRolePolicyDocument: { Statement: Statement[] } } }];
  return { logicalId, trust: role.Properties.AssumeRolePolicyDocument.Statement };
}

/** Statements of the policies attached to the role named `name`. */
function statementsOfRole(template: Template, name: string): Statement[] {
  const { logicalId } = roleNamed(template, name);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify((p as { Properties: { Roles: unknown } }).Properties.Roles).includes(`"${logicalId}"`))
    .flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
}

const actionsOf = (statements: Statement[]) => [...new Set(statements.flatMap((s) => list(s.Action)))].sort();

/** The account stack's responder rule pattern (its other rule, with flow logs for every VPC, takes CreateVpc). */
function accountResponderPattern(): { detail: { eventName: string[] } } {
  const rules = buildStack().template.findResources('AWS::Events::Rule', {
    Properties: { Description: Match.stringLikeRegexp('create or change network interfaces') },
  });
  return (Object.values(rules)[0] as { Properties: { EventPattern: { detail: { eventName: string[] } } } }).Properties.EventPattern;
}

/** The pattern with the calls that create a VPC added to its event names. */
function withVpcEvents(pattern: { detail: { eventName: string[] } }): unknown {
  return { ...pattern, detail: { ...pattern.detail, eventName: [...pattern.detail.eventName, ...VPC_EVENT_NAMES] } };
}

/** A StackSet's TemplateBody, parsed. */
function bodyOf(
  template: Template,
  stackSetName: string,
): { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> } & Record<string, unknown> {
  const [stackSet] = Object.values(template.findResources('AWS::CloudFormation::StackSet', { Properties: { StackSetName: stackSetName } }));
  if (!stackSet) throw new Error(`no StackSet ${stackSetName}`);
  return JSON.parse((stackSet as { Properties: { TemplateBody: string } }).Properties.TemplateBody) as ReturnType<typeof bodyOf>;
}

/** Resources without CDK's metadata, for comparing a StackSet body with a deployable stack. */
function resourcesOf(template: Record<string, unknown>): unknown {
  const resources = template['Resources'] as Record<string, Record<string, unknown>>;
  return Object.fromEntries(Object.entries(resources).map(([id, { Metadata: _m, ...rest }]) => [id, rest]));
}

function policyFile(document: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'eni-guard-policy-')), 'policy.json');
  writeFileSync(file, JSON.stringify(document));
  return file;
}

function cfnLint(templates: Record<string, unknown>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'eni-guard-org-lint-'));
  const files = Object.entries(templates).map(([name, template]) => {
    const file = join(dir, `${name}.template.json`);
    writeFileSync(file, JSON.stringify(template));
    return file;
  });
  const lint = spawnSync('cfn-lint', ['--ignore-checks', 'W3005', 'W3045', '--', ...files], { encoding: 'utf8' });
  if (lint.error) throw new Error(`cfn-lint is required for this test (pip install cfn-lint): ${lint.error.message}`);
  return { status: lint.status, output: `${lint.stdout}${lint.stderr}` };
}

describe('organization mode with the default policy', () => {
  const org = buildOrganization();
  const east = org.hubs[0]!;
  const west = org.hubs[1]!;
  const hub = Template.fromStack(east);
  const stackSets = Template.fromStack(org.stackSets);
  const roles = Template.fromStack(org.memberRoles);

  it('synthesizes a hub per hub Region, the StackSets stack in the first, and the management account member stacks', () => {
    expect(org.app.node.children.filter((c) => c instanceof Stack).map((c) => c.node.id)).toEqual([
      'EniGuardHub-us-east-1',
      'EniGuardHub-eu-west-1',
      'EniGuardOrgStackSets',
      'EniGuardMember-Roles',
      'EniGuardMember-Forwarding-us-east-1',
      'EniGuardMember-Forwarding-eu-west-1',
    ]);
    expect([east.region, west.region, org.stackSets.region]).toEqual(['us-east-1', 'eu-west-1', 'us-east-1']);
  });

  it('gives the hub a bus that admits PutEvents only from the organization, and only from member forwarder roles', () => {
    hub.hasResourceProperties('AWS::Events::EventBus', { Name: 'eni-guard' });
    hub.resourceCountIs('AWS::Events::EventBusPolicy', 1);
    hub.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Condition: {
          StringEquals: { 'aws:PrincipalOrgID': 'o-abc1234567' },
          ArnLike: {
            'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/EniGuardMemberForwarder']] },
          },
        },
      },
    });
  });

  it("listens on that bus with the account stack's pattern, retries and dead-letter queue", () => {
    const accountRule = { Properties: { EventPattern: accountResponderPattern() } };
    hub.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^HubBus') },
      // With flow logs for every VPC (the default) the members' CreateVpc calls too, which the account stack's own rule takes.
      EventPattern: withVpcEvents(accountRule.Properties.EventPattern),
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ResponderHandlerFunction'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ResponderDeadLetterQueue'), 'Arn'] } },
        }),
      ],
    });
    expect(JSON.stringify(accountRule.Properties.EventPattern)).toContain(SUPPORTED_EVENT_NAMES[0]);
  });

  it('names the responder role after its Region, and lets it assume only the member remediation role, inside the organization', () => {
    roleNamed(hub, 'EniGuardHub-Responder-us-east-1');
    roleNamed(Template.fromStack(west), 'EniGuardHub-Responder-eu-west-1');
    const statements = statementsOfRole(hub, 'EniGuardHub-Responder-us-east-1');
    const assume = statements.filter((s) => list(s.Action).some((a) => a.startsWith('sts:')));
    expect(assume).toEqual([
      {
        Sid: 'AssumeMemberRemediationRoles',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/EniGuardMember']] },
        Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-abc1234567' } },
      },
    ]);
    // No EC2 and no IAM of its own (the alias of the hub account, for alert delivery, is the one read).
    const own = actionsOf(statements).filter((a) => /^(ec2|iam):/.test(a));
    expect(own).toEqual(['iam:ListAccountAliases']);
    expect(statements.find((s) => s.Sid === 'ReadOrganization')).toMatchObject({
      Action: [
        'organizations:DescribeAccount',
        'organizations:DescribeOrganization',
        'organizations:ListAccountsForParent',
        'organizations:ListChildren',
        'organizations:ListParents',
      ],
      Resource: '*',
    });
  });

  it('gives the responder, the sweep and (when present) the revoker the organization contract in their environment', () => {
    const contract = {
      SCOPE: 'organization',
      ORGANIZATION_ID: 'o-abc1234567',
      TARGET_OUS: '["ou-abcd-11111111"]',
      EXCLUDED_ACCOUNTS: '[]',
      MEMBER_ROLE_NAME: 'EniGuardMember',
      MEMBER_REGIONS: '["us-east-1","eu-west-1"]',
    };
    for (const description of ['evaluates new and changed', 'periodic sweep']) {
      hub.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp(description),
        Environment: { Variables: Match.objectLike(contract) },
      });
    }
  });

  it('indexes the ledger by account (keys only) beside the interface index, as create-ledger --organization does, and creates no trail', () => {
    const definition = ledgerTableDefinition('t', { organization: true });
    const [ledger, ...others] = Object.entries(hub.findResources('AWS::DynamoDB::Table')).filter(([id]) =>
      id.startsWith('ResponderLedger'),
    );
    expect(others).toEqual([]);
    const properties = (ledger![1] as { Properties: Record<string, unknown> }).Properties;
    expect(properties['KeySchema']).toEqual(definition.KeySchema);
    expect(properties['AttributeDefinitions']).toEqual(expect.arrayContaining(definition.AttributeDefinitions!));
    expect(properties['GlobalSecondaryIndexes']).toEqual(definition.GlobalSecondaryIndexes);
    expect(definition.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.Projection?.ProjectionType])).toEqual([
      ['byInterface', 'INCLUDE'],
      ['byAccount', 'KEYS_ONLY'],
    ]);
    hub.resourceCountIs('AWS::CloudTrail::Trail', 0);
    hub.resourceCountIs('AWS::S3::Bucket', 0);
    const info = org.app
      .synth()
      .getStackByName(east.stackName)
      .messages.filter((m) => m.level === SynthesisMessageLevel.INFO);
    expect(info.map((m) => JSON.stringify(m.entry.data))).toEqual([expect.stringContaining('creates no CloudTrail trail')]);
  });

  it('creates no revoker when no member policy can revoke', () => {
    expect(org.hubs[0]!.responder.revoker).toBeUndefined();
    expect(Object.keys(roles.findResources('AWS::IAM::Role', { Properties: { RoleName: 'EniGuardMemberRevoker' } }))).toEqual([]);
  });

  it('trusts the member remediation role to the responder roles of every hub Region, by ARN, and nobody else', () => {
    const hubRole = (region: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'HubAccountId' }, `:role/EniGuardHub-Responder-${region}`]],
    });
    expect(roleNamed(roles, 'EniGuardMember').trust).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'HubAccountId' }, ':root']] } },
        Condition: { ArnEquals: { 'aws:PrincipalArn': [hubRole('us-east-1'), hubRole('eu-west-1')] } },
      },
    ]);
  });

  it('lets the forwarder role be used only by this account’s forwarding rules, to put events only on the hub buses of the member Regions', () => {
    const rule = (region: string) => ({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, `:events:${region}:`, { Ref: 'AWS::AccountId' }, ':rule/eni-guard-forward-to-hub'],
      ],
    });
    expect(roleNamed(roles, 'EniGuardMemberForwarder').trust).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'events.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnEquals: { 'aws:SourceArn': [rule('us-east-1'), rule('eu-west-1')] },
        },
      },
    ]);
    const bus = (region: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${region}:`, { Ref: 'HubAccountId' }, ':event-bus/eni-guard']],
    });
    expect(statementsOfRole(roles, 'EniGuardMemberForwarder')).toEqual([
      {
        Sid: 'ForwardToHubBuses',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: expect.arrayContaining([bus('us-east-1'), bus('eu-west-1')]),
      },
    ]);
  });

  it('forwards the same pattern from the default bus to the hub bus of the same Region, as the forwarder role', () => {
    const forwarding = Template.fromStack(org.memberForwarding[0]!);
    forwarding.hasResourceProperties('AWS::Events::Rule', {
      Name: 'eni-guard-forward-to-hub',
      EventBusName: Match.absent(),
      EventPattern: withVpcEvents(accountResponderPattern()),
      Targets: [
        {
          Id: Match.anyValue(),
          Arn: {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'HubAccountId' }, ':event-bus/eni-guard'],
            ],
          },
          RoleArn: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/EniGuardMemberForwarder']],
          },
        },
      ],
    });
    forwarding.resourceCountIs('AWS::IAM::Role', 0);
  });

  it('creates the forwarder only after the roles the hub will assume (events never reach the hub before them)', () => {
    const forwarder = roleNamed(roles, 'EniGuardMemberForwarder').logicalId;
    const dependsOn = (roles.toJSON()['Resources'] as Record<string, { DependsOn?: string[] }>)[forwarder]!.DependsOn ?? [];
    expect(dependsOn).toEqual(expect.arrayContaining([roleNamed(roles, 'EniGuardMember').logicalId]));
  });

  it('deploys the member templates by service-managed StackSets with automatic deployment, called as delegated administrator', () => {
    stackSets.resourceCountIs('AWS::CloudFormation::StackSet', 2);
    for (const [name, regions] of [
      ['EniGuardMember-Roles-ou-abcd-11111111', ['us-east-1']],
      ['EniGuardMember-Forwarding', ['us-east-1', 'eu-west-1']],
    ] as const) {
      stackSets.hasResourceProperties('AWS::CloudFormation::StackSet', {
        StackSetName: name,
        PermissionModel: 'SERVICE_MANAGED',
        CallAs: 'DELEGATED_ADMIN',
        AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
        ManagedExecution: { Active: true },
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        Parameters: [{ ParameterKey: 'HubAccountId', ParameterValue: { Ref: 'AWS::AccountId' } }],
        StackInstancesGroup: [
          { DeploymentTargets: { OrganizationalUnitIds: ['ou-abcd-11111111'], AccountFilterType: 'NONE' }, Regions: [...regions] },
        ],
      });
    }
  });

  it('deploys roles before forwarding, so the first events find the roles', () => {
    const resources = stackSets.toJSON()['Resources'] as Record<
      string,
      { Type: string; DependsOn?: string[]; Properties: { StackSetName?: string } }
    >;
    const id = (name: string) => Object.keys(resources).find((k) => resources[k]!.Properties.StackSetName === name)!;
    expect(resources[id('EniGuardMember-Forwarding')]!.DependsOn).toEqual([id('EniGuardMember-Roles-ou-abcd-11111111')]);
  });

  it('embeds exactly the deployable member templates, without bootstrap rule, CDK metadata or asset, within the inline limit', () => {
    const rolesBody = bodyOf(stackSets, 'EniGuardMember-Roles-ou-abcd-11111111');
    const forwardingBody = bodyOf(stackSets, 'EniGuardMember-Forwarding');
    expect(resourcesOf(rolesBody)).toEqual(resourcesOf(roles.toJSON()));
    expect(resourcesOf(forwardingBody)).toEqual(resourcesOf(Template.fromStack(org.memberForwarding[0]!).toJSON()));
    for (const body of [rolesBody, forwardingBody, roles.toJSON(), Template.fromStack(org.memberForwarding[1]!).toJSON()]) {
      expect(body['Rules']).toBeUndefined();
      expect(Object.keys(body['Parameters'] as object)).toEqual(['HubAccountId']);
      expect(Object.values(body['Resources'] as Record<string, { Type: string }>).map((r) => r.Type)).not.toContain('AWS::CDK::Metadata');
      expect(JSON.stringify(body)).not.toMatch(/cdk-hnb659fds|AssetParameters|\.zip/);
    }
    const assembly = org.app.synth();
    for (const stack of [org.memberRoles, ...org.memberForwarding]) {
      expect(assembly.getStackByName(stack.stackName).assets).toEqual([]);
    }
    for (const stackSet of Object.values(stackSets.findResources('AWS::CloudFormation::StackSet'))) {
      expect(Buffer.byteLength((stackSet as { Properties: { TemplateBody: string } }).Properties.TemplateBody)).toBeLessThan(
        TEMPLATE_BODY_LIMIT,
      );
    }
  });

  it('passes cdk-nag AwsSolutions checks on every stack', () => {
    for (const stack of [...org.hubs, org.stackSets, org.memberRoles, ...org.memberForwarding]) {
      expect({ stack: stack.stackName, violations: new AwsSolutionsChecks(stack).validateScope(stack).violations }).toEqual({
        stack: stack.stackName,
        violations: [],
      });
    }
  });

  it('passes cfn-lint on every template and every StackSet body', () => {
    const templates: Record<string, unknown> = {};
    for (const stack of [...org.hubs, org.stackSets, org.memberRoles, ...org.memberForwarding]) {
      templates[stack.stackName] = Template.fromStack(stack).toJSON();
    }
    templates['body-roles'] = bodyOf(stackSets, 'EniGuardMember-Roles-ou-abcd-11111111');
    templates['body-forwarding'] = bodyOf(stackSets, 'EniGuardMember-Forwarding');
    expect(cfnLint(templates)).toEqual({ status: 0, output: '' });
  });
});

describe('organization mode with every remediation on', () => {
  const org = buildOrganization({
    'eniGuard:policyFile': EVERYTHING,
    'eniGuard:hubRegions': 'us-east-1,eu-west-1,eu-central-1,ap-southeast-2,sa-east-1',
    'eniGuard:excludedAccounts': '111122223333,444455556666',
    'eniGuard:stackSetsCallAs': 'SELF',
    'eniGuard:memberRoleName': 'SecOpsEniGuard',
  });
  const hub = Template.fromStack(org.hubs[0]!);
  const roles = Template.fromStack(org.memberRoles);
  const stackSets = Template.fromStack(org.stackSets);
  const policy = parsePolicy(JSON.parse(readFileSync(EVERYTHING, 'utf8')));
  // Members have a flow-log destination (flow logs for every VPC, the default).
  const kinds: ActionKind[] = possibleActionKinds(policy, true);

  it('gives the member remediation role the statements of the account-mode responder, scoped to the member Regions', () => {
    // Both with flow logs for every VPC (the default): the member role passes its own delivery role.
    const account = roleStatements(buildStack({ 'eniGuard:policyFile': EVERYTHING }).template, 'ResponderRole');
    const guardOnly = account.filter((s) => list(s.Action).some((a) => /^(ec2|iam):/.test(a)));
    const member = statementsOfRole(roles, 'SecOpsEniGuard');
    expect(member.map((s) => s.Sid)).toEqual([...guardOnly.map((s) => s.Sid), 'ReadAccountAlias']);
    for (const statement of guardOnly) {
      const twin = member.find((s) => s.Sid === statement.Sid)!;
      expect({ sid: statement.Sid, actions: list(twin.Action) }).toEqual({ sid: statement.Sid, actions: list(statement.Action) });
      if (list(twin.Action).some((a) => a.startsWith('ec2:'))) {
        expect(twin.Condition?.['StringEquals']).toMatchObject({
          'aws:RequestedRegion': ['us-east-1', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'sa-east-1'],
        });
      }
    }
  });

  it('lets the hub revoker assume only the member revoker role, which may write only the revocation and is denied eni-guard and protected roles', () => {
    const revoker = statementsOfRole(hub, 'EniGuardHub-Revoker-us-east-1');
    expect(revoker.filter((s) => !list(s.Action).some((a) => a.startsWith('logs:')))).toEqual([
      {
        Sid: 'AssumeMemberRevokerRoles',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/SecOpsEniGuardRevoker']] },
        Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-abc1234567' } },
      },
    ]);
    const trust = roleNamed(roles, 'SecOpsEniGuardRevoker').trust;
    expect(JSON.stringify(trust)).toContain(':role/EniGuardHub-Revoker-sa-east-1');
    expect(JSON.stringify(trust)).not.toContain('Responder');
    const member = statementsOfRole(roles, 'SecOpsEniGuardRevoker');
    expect(member.map((s) => s.Sid)).toEqual(['RevokeRoleSessions', 'NeverRevokeEniGuardOrProtectedRoles', 'DeactivateAccessKeys']);
    const deny = member.find((s) => s.Sid === 'NeverRevokeEniGuardOrProtectedRoles')!;
    const denied = JSON.stringify(deny.Resource);
    for (const name of ['SecOpsEniGuard"', 'SecOpsEniGuardRevoker', 'SecOpsEniGuardForwarder', 'SecOpsEniGuardUndo', 'role/BreakGlass']) {
      expect(denied).toContain(name);
    }
    expect(deny.Effect).toBe('Deny');
    hub.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('revoker'),
      Environment: { Variables: Match.objectLike({ SCOPE: 'organization', MEMBER_ROLE_NAME: 'SecOpsEniGuard' }) },
    });
  });

  it('gives the undo role, trusted by the hub account, exactly the undo calls of the actions the policy can lead to', () => {
    expect(roleNamed(roles, 'SecOpsEniGuardUndo').trust).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'HubAccountId' }, ':root']] } },
      },
    ]);
    const expected = [...new Set(kinds.flatMap((k) => UNDO_OPERATIONS[k]).map((op) => OPERATION_PERMISSIONS[op]))].sort();
    const undo = statementsOfRole(roles, 'SecOpsEniGuardUndo');
    expect(actionsOf(undo)).toEqual(expected);
    // Scoped: EC2 calls to the member Regions, groups to delete only eni-guard's own copies.
    for (const statement of undo.filter((s) => list(s.Action).some((a) => a.startsWith('ec2:')))) {
      expect(statement.Condition?.['StringEquals']).toHaveProperty('aws:RequestedRegion');
    }
    expect(undo.find((s) => s.Sid === 'DeleteManagedGroupCopies')?.Condition).toMatchObject({
      StringEquals: { 'aws:ResourceTag/eni-guard:managed': 'true' },
    });
  });

  it('targets the OUs minus the excluded accounts, called as SELF', () => {
    stackSets.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'EniGuardMember-Forwarding',
      CallAs: 'SELF',
      StackInstancesGroup: [
        {
          DeploymentTargets: {
            OrganizationalUnitIds: ['ou-abcd-11111111'],
            AccountFilterType: 'DIFFERENCE',
            Accounts: ['111122223333', '444455556666'],
          },
          Regions: ['us-east-1', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'sa-east-1'],
        },
      ],
    });
  });

  it('stays within the inline TemplateBody limit with five Regions and every remediation', () => {
    for (const stackSet of Object.values(stackSets.findResources('AWS::CloudFormation::StackSet'))) {
      expect(Buffer.byteLength((stackSet as { Properties: { TemplateBody: string } }).Properties.TemplateBody)).toBeLessThan(
        TEMPLATE_BODY_LIMIT,
      );
    }
  });

  it('passes cdk-nag and cfn-lint', () => {
    for (const stack of [org.hubs[0]!, org.stackSets, org.memberRoles, org.memberForwarding[0]!]) {
      expect({ stack: stack.stackName, violations: new AwsSolutionsChecks(stack).validateScope(stack).violations }).toEqual({
        stack: stack.stackName,
        violations: [],
      });
    }
    expect(
      cfnLint({
        hub: hub.toJSON(),
        stackSets: stackSets.toJSON(),
        roles: roles.toJSON(),
        body: bodyOf(stackSets, 'EniGuardMember-Roles-ou-abcd-11111111'),
      }),
    ).toEqual({ status: 0, output: '' });
  });
});

describe('organization mode in shadow mode (-c eniGuard:dryRun=true)', () => {
  const org = buildOrganization({ 'eniGuard:dryRun': 'true' });
  const roles = Template.fromStack(org.memberRoles);

  it('gives the member roles nothing mutating, and no revoker or undo role', () => {
    expect(actionsOf(statementsOfRole(roles, 'EniGuardMember')).filter((a) => !/:(Describe|Get|List)/.test(a))).toEqual([]);
    // Remediation, forwarder, and the flow-log delivery role (trusted by VPC Flow Logs only).
    expect(Object.keys(roles.findResources('AWS::IAM::Role')).length).toBe(3);
    expect(org.hubs[0]!.modeDescription).toContain('ou-abcd-11111111: shadow (read-only roles)');
  });

  it('passes cdk-nag and cfn-lint', () => {
    for (const stack of [org.hubs[0]!, org.memberRoles]) {
      expect({ stack: stack.stackName, violations: new AwsSolutionsChecks(stack).validateScope(stack).violations }).toEqual({
        stack: stack.stackName,
        violations: [],
      });
    }
    expect(
      cfnLint({ roles: roles.toJSON(), body: bodyOf(Template.fromStack(org.stackSets), 'EniGuardMember-Roles-ou-abcd-11111111') }),
    ).toEqual({
      status: 0,
      output: '',
    });
  });
});

describe('shadow OUs and overlays below a target OU', () => {
  const TARGETS = 'ou-abcd-11111111,ou-abcd-22222222';
  const withPolicy = (document: unknown, context: Record<string, unknown> = {}) =>
    buildOrganization({
      'eniGuard:policyFile': policyFile({ version: 1, ...(document as object) }),
      'eniGuard:targetOus': TARGETS,
      ...context,
    });

  it('gives a shadow OU its own roles StackSet whose remediation role is read-only (no undo, no revoker)', () => {
    const org = withPolicy({ overlays: [{ id: 'sandbox-shadow', match: { ous: ['ou-abcd-22222222'] }, policy: { dryRun: true } }] });
    const stackSets = Template.fromStack(org.stackSets);
    stackSets.resourceCountIs('AWS::CloudFormation::StackSet', 3);
    stackSets.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'EniGuardMember-Roles-ou-abcd-22222222',
      StackInstancesGroup: [Match.objectLike({ DeploymentTargets: Match.objectLike({ OrganizationalUnitIds: ['ou-abcd-22222222'] }) })],
    });
    stackSets.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: 'EniGuardMember-Forwarding',
      StackInstancesGroup: [
        Match.objectLike({ DeploymentTargets: Match.objectLike({ OrganizationalUnitIds: ['ou-abcd-11111111', 'ou-abcd-22222222'] }) }),
      ],
    });
    const shadow = Template.fromJSON(bodyOf(stackSets, 'EniGuardMember-Roles-ou-abcd-22222222'));
    const live = Template.fromJSON(bodyOf(stackSets, 'EniGuardMember-Roles-ou-abcd-11111111'));
    const mutating = (t: Template) => actionsOf(statementsOfRole(t, 'EniGuardMember')).filter((a) => !/:(Describe|Get|List)/.test(a));
    expect(mutating(shadow)).toEqual([]);
    expect(mutating(live)).toContain('ec2:RevokeSecurityGroupIngress');
    expect(Object.keys(shadow.findResources('AWS::IAM::Role')).length).toBe(3); // remediation, forwarder, flow-log delivery
    expect(org.plan.groups.map((g) => [g.targetOus, g.actionKinds.length > 0])).toEqual([
      [['ou-abcd-11111111'], true],
      [['ou-abcd-22222222'], false],
    ]);
    expect(org.hubs[0]!.modeDescription).toContain('ou-abcd-22222222: shadow (read-only roles)');
  });

  it('groups target OUs whose overlays lead to the same permissions into one StackSet', () => {
    const org = withPolicy({
      overlays: [{ id: 'exempt', match: { ous: ['ou-abcd-22222222'] }, policy: { remediation: { tagInterface: true } } }],
    });
    expect(org.plan.groups.map((g) => g.targetOus)).toEqual([['ou-abcd-11111111', 'ou-abcd-22222222']]);
  });

  it('accepts an overlay below a target OU that needs fewer permissions (a nested shadow OU, an account notify-only)', () => {
    const org = withPolicy({
      overlays: [
        { id: 'nested-shadow', match: { ous: ['ou-abcd-33333333'] }, policy: { dryRun: true } },
        { id: 'one-account', match: { accounts: ['111122223333'] }, policy: { rules: { 'world-open-ingress': { mode: 'notify' } } } },
      ],
    });
    expect(org.plan.groups).toHaveLength(1);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'an OU below a target OU that would remediate more',
      { id: 'payments-strict', match: { ous: ['ou-abcd-33333333'] }, policy: { rules: { 'public-ip': { mode: 'remediate' } } } },
      /overlays\.0 \(payments-strict\) for ou-abcd-33333333 would need permissions the member roles of target OU ou-abcd-11111111 do not have: ec2:DisassociateAddress on arn:<AWS::Partition>:ec2:\*:<AWS::AccountId>:elastic-ip\/\*.*Every account has one EniGuardMember role, deployed by its target OU's StackSet/,
    ],
    [
      'an account that would be made live inside a shadow OU',
      { id: 'live-account', match: { accounts: ['111122223333'] }, policy: { dryRun: false } },
      /overlays\.1 \(live-account\) for 111122223333 would need permissions the member roles of target OU ou-abcd-22222222 do not have: ec2:RevokeSecurityGroupIngress/,
    ],
  ])('refuses %s, saying why', (_name, overlay, message) => {
    const shadow = { id: 'sandbox-shadow', match: { ous: ['ou-abcd-22222222'] }, policy: { dryRun: true } };
    const overlays = (overlay as { id: string }).id === 'live-account' ? [shadow, overlay] : [overlay];
    expect(() => withPolicy({ overlays })).toThrow(message);
  });

  it('refuses the root as a target when an OU below it would get different roles', () => {
    expect(() =>
      withPolicy(
        { overlays: [{ id: 'sandbox-shadow', match: { ous: ['ou-abcd-22222222'] }, policy: { dryRun: true } }] },
        { 'eniGuard:targetOus': 'r-abcd,ou-abcd-22222222' },
      ),
    ).toThrow(/r-abcd holds every OU, but the overlays give ou-abcd-22222222 different member roles/);
  });
});
