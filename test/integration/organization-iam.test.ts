/**
 * Least privilege in organization mode, enforced by the emulator: moto's IAM enforcement is turned on
 * (`/moto-api/reset-auth`) after the setup, the bundled hub responder runs as the hub responder role,
 * and acts in the member through the member remediation role; the printed undo runs through the
 * member undo role — each role carrying the statements of the synthesized templates.
 *
 * moto matches *actions* only: it authorizes each request against `Resource: "*"` and knows no
 * condition key but `sts:ExternalId`, and it matches a trust policy's principal by string. So each
 * statement is loaded with its actions on `"*"` and no condition, and the trust policies admit any
 * principal: this test proves the action sets are enough (nothing the functions call is missing) and
 * that a role without a fix's actions cannot make it. Resources, conditions and trust are checked on
 * the templates (test/infra/organization.test.ts, test/infra/iam.test.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateVpcCommand, DescribeFlowLogsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DynamoLedger } from '../../lambda/adapters/ledger';
import { main } from '../../lambda/cli/main';
import { hubRoleName, memberRoleNames } from '../../lambda/core/organization';
import { bundleHandler, type Bundle } from '../../scripts/lib/bundle';
import { createNetworkInterfaceRecord, createVpcRecord, eventBridgeEnvelope } from '../../scripts/lib/cloudtrail-events';
import { createLedgerTable } from '../../scripts/lib/ledger-table';
import { assertMotoInstalled, startMoto, type Moto } from '../../scripts/lib/moto';
import {
  createGroup,
  createInterface,
  createNetwork,
  createSubscribedTopic,
  EMULATOR_ENV,
  enableFlowLogs,
  ingressRules,
  routeToInternet,
  worldOpen,
} from '../../scripts/lib/sandbox';
import { invokeBundle } from '../support/invoke';
import { buildOrganization } from '../support/synth';

const HUB = '123456789012';
const REGION = 'us-east-1';
const MEMBER_ROLE = 'EniGuardMember';
const ROLES = memberRoleNames(MEMBER_ROLE);
const HUB_ROLE = hubRoleName('responder', REGION);
/** The hub responder role of a hub synthesized with the sinks on, created beside the other under a name of its own. */
const HUB_ROLE_WITH_SINKS = 'HubResponderWithSinks';
const SINKS_ON = { 'eniGuard:securityHub': true, 'eniGuard:decisionEvents': true } as const;

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}
type Statement = Record<string, unknown>;

/** The Allow statements of the role named `roleName` in `stack`'s template, inline or attached (`[]` for an optional role it lacks). */
function allowsOf(stack: Stack, roleName: string, optional = false): Statement[] {
  const template = Template.fromStack(stack);
  const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(
    ([, role]) => (role as { Properties: { RoleName?: unknown } }).Properties.RoleName === roleName,
  );
  if (optional && roles.length === 0) return [];
  if (roles.length !== 1) throw new Error(`${stack.stackName}: ${roles.length} roles named ${roleName}`);
  const [logicalId, role] = roles[0]!;
  const statements: Statement[] = [];
  for (const p of (role as { Properties: { Policies?: { PolicyDocument: { Statement: Statement[] } }[] } }).Properties.Policies ?? [])
    statements.push(...p.PolicyDocument.Statement);
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const { Roles, PolicyDocument } = (policy as { Properties: { Roles?: unknown[]; PolicyDocument: { Statement: Statement[] } } })
      .Properties;
    if (Roles?.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: logicalId }))) statements.push(...PolicyDocument.Statement);
  }
  return statements.filter((s) => s['Effect'] === 'Allow');
}

/** What moto can enforce of those statements: their actions, on every resource, without conditions. */
function asEnforced(statements: readonly Statement[]): string {
  const actions = [...new Set(statements.flatMap((s) => (Array.isArray(s['Action']) ? s['Action'] : [s['Action']]) as string[]))].sort();
  if (actions.length === 0) throw new Error('no action to enforce');
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
}

const ANYONE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
});
const EVERYTHING = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

let moto: Moto;
let bundle: Bundle;
/** Endpoint and Region every client shares. */
let at: { endpoint: string; region: string };
/** The operator in the hub: the test's own calls once IAM is enforced, and who runs `eni-guard undo`. */
let operator: Credentials;
let organizationId: string;
let ous: { root: string; live: string; shadow: string; sinks: string };
let members: { live: Member; shadow: Member; sinks: Member };
let subscriber: Awaited<ReturnType<typeof createSubscribedTopic>>;
let ledgerTable: string;
/** The actions the live member role may make. */
let liveActions: string[];

interface Member {
  readonly account: string;
  readonly vpcId: string;
  readonly subnetId: string;
}

async function assume(credentials: Credentials, roleArn: string, session = 'test'): Promise<Credentials> {
  const out = await new STSClient({ ...at, credentials }).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: session }));
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}
const adminArn = (account: string) => `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`;
const memberEc2 = async (m: Member) => new EC2Client({ ...at, credentials: await assume(operator, adminArn(m.account)) });

/** Creates `name` in `account` (credentials of its administrator) with `policy`, trusted by anyone (see the header). */
async function putRole(iam: IAMClient, name: string, policy: string): Promise<void> {
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: ANYONE }));
  await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'template', PolicyDocument: policy }));
}

/** A member account in `parent`: its administrator role, the member roles of `stack`, and a public subnet with flow logs. */
async function member(name: string, parent: string, stack: Stack, cidr: string): Promise<Member> {
  const unauthenticated = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const org = new OrganizationsClient({ ...at, credentials: unauthenticated });
  const account = (await org.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }))).CreateAccountStatus!
    .AccountId!;
  await org.send(new MoveAccountCommand({ AccountId: account, SourceParentId: ous.root, DestinationParentId: parent }));
  const admin = await assume(unauthenticated, adminArn(account));
  const iam = new IAMClient({ ...at, credentials: admin });
  // CreateAccount made it, trusted by the management account's root; moto compares principals by string (see the header).
  await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'OrganizationAccountAccessRole', PolicyDocument: ANYONE }));
  await iam.send(
    new PutRolePolicyCommand({ RoleName: 'OrganizationAccountAccessRole', PolicyName: 'everything', PolicyDocument: EVERYTHING }),
  );
  await putRole(iam, ROLES.remediation, asEnforced(allowsOf(stack, ROLES.remediation)));
  const undo = allowsOf(stack, ROLES.undo, true); // a read-only (shadow) OU has none
  if (undo.length > 0) await putRole(iam, ROLES.undo, asEnforced(undo));
  const ec2 = new EC2Client({ ...at, credentials: admin });
  const network = await createNetwork(ec2, cidr);
  await routeToInternet(ec2, network.vpcId, network.subnetId);
  await enableFlowLogs(ec2, network.vpcId, account);
  return { account, ...network };
}

beforeAll(async () => {
  assertMotoInstalled();
  [moto, bundle] = await Promise.all([startMoto(), bundleHandler(mkdtempSync(join(tmpdir(), 'eni-guard-org-iam-')))]);
  at = { endpoint: moto.endpoint, region: REGION };
  const unauthenticated = { ...at, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const org = new OrganizationsClient(unauthenticated);
  organizationId = (await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization!.Id!;
  const root = (await org.send(new ListRootsCommand({}))).Roots![0]!.Id!;
  const ou = async (name: string) =>
    (await org.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: name }))).OrganizationalUnit!.Id!;
  ous = { root, live: await ou('Live'), shadow: await ou('Shadow'), sinks: await ou('Sinks') };

  // The templates, as `cdk synth` writes them for this organization: the live OU's roles, and a shadow OU's read-only ones.
  const context = { 'eniGuard:organizationId': organizationId, 'eniGuard:hubRegions': REGION, 'eniGuard:targetOus': ous.live };
  const live = buildOrganization(context);
  const shadow = buildOrganization({ ...context, 'eniGuard:dryRun': true });
  liveActions = JSON.parse(asEnforced(allowsOf(live.memberRoles, ROLES.remediation))).Statement[0].Action as string[];
  // Security Hub and decision events on (issue 19): the member role imports its own findings, the hub role puts the events.
  const sinks = buildOrganization({ ...context, 'eniGuard:targetOus': ous.sinks, ...SINKS_ON });
  members = {
    live: await member('live', ous.live, live.memberRoles, '10.41.0.0/16'),
    shadow: await member('shadow', ous.shadow, shadow.memberRoles, '10.42.0.0/16'),
    sinks: await member('sinks', ous.sinks, sinks.memberRoles, '10.43.0.0/16'),
  };

  // The hub: its responder role from the hub template, and an operator who may do anything (the test's own calls).
  const iam = new IAMClient(unauthenticated);
  await putRole(iam, HUB_ROLE, asEnforced(allowsOf(live.hubs[0]!, HUB_ROLE)));
  await putRole(iam, HUB_ROLE_WITH_SINKS, asEnforced(allowsOf(sinks.hubs[0]!, HUB_ROLE)));
  await iam.send(new CreateUserCommand({ UserName: 'operator' }));
  await iam.send(new PutUserPolicyCommand({ UserName: 'operator', PolicyName: 'everything', PolicyDocument: EVERYTHING }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'operator' }))).AccessKey!;
  operator = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
  const asOperatorClient = { ...at, credentials: operator };
  subscriber = await createSubscribedTopic(new SNSClient(asOperatorClient), new SQSClient(asOperatorClient));
  ledgerTable = await createLedgerTable(new DynamoDBClient(unauthenticated), undefined, { organization: true });

  // From here on, every request is authenticated and authorized.
  const reset = await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
  if (!reset.ok) throw new Error(`moto did not turn IAM enforcement on: ${reset.status}`);
}, 240_000);

afterAll(async () => {
  await moto?.stop();
});

/** Runs the bundled hub responder as the hub responder role, the policy's target OUs being `targetOus`. */
async function respond(event: unknown, targetOus: readonly string[], asRole = HUB_ROLE, extraEnv: Record<string, string> = {}) {
  const role = await assume(operator, `arn:aws:iam::${HUB}:role/${asRole}`, 'responder');
  const dir = mkdtempSync(join(tmpdir(), 'eni-guard-org-iam-policy-'));
  writeFileSync(join(dir, 'policy.json'), JSON.stringify({ version: 1 }));
  const invocation = await invokeBundle(bundle.entry, event, {
    ...EMULATOR_ENV,
    AWS_ACCESS_KEY_ID: role.accessKeyId,
    AWS_SECRET_ACCESS_KEY: role.secretAccessKey,
    AWS_SESSION_TOKEN: role.sessionToken!,
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL: moto.endpoint,
    ALERT_TOPIC_ARN: subscriber.topicArn,
    RESPONDER_ROLE_ARN: `arn:aws:iam::${HUB}:role/${HUB_ROLE}`,
    LEDGER_TABLE_NAME: ledgerTable,
    SCOPE: 'organization',
    ORGANIZATION_ID: organizationId,
    TARGET_OUS: JSON.stringify(targetOus),
    EXCLUDED_ACCOUNTS: '[]',
    MEMBER_ROLE_NAME: MEMBER_ROLE,
    MEMBER_REGIONS: JSON.stringify([REGION]),
    // As the hub stack sets it by default (eniGuard:flowLogVpcIds=all).
    MEMBER_FLOW_LOGS: 'cloud-watch-logs',
    POLICY_FILE: join(dir, 'policy.json'),
    POWERTOOLS_DEV: 'false',
    ...extraEnv,
  });
  if (!invocation.ok) throw new Error(`handler failed: ${invocation.error}`);
  return invocation;
}

async function exposedInterface(m: Member) {
  const ec2 = await memberEc2(m);
  const groupId = await createGroup(ec2, m.vpcId, `ssh-${Date.now()}`, [worldOpen(22)]);
  const ni = await createInterface(ec2, m.subnetId, [groupId]);
  return { ec2, groupId, event: eventBridgeEnvelope(createNetworkInterfaceRecord(ni, { account: m.account, region: REGION })) };
}
const ports = async (ec2: EC2Client, groupId: string) => (await ingressRules(ec2, groupId)).map((r) => r.FromPort);

/** The CLI in-process, with the operator's credentials in the environment (the SDK's default chain reads process.env). */
async function asOperator(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const saved = { ...process.env };
  const env = { ...EMULATOR_ENV, AWS_ACCESS_KEY_ID: operator.accessKeyId, AWS_SECRET_ACCESS_KEY: operator.secretAccessKey };
  Object.assign(process.env, env);
  delete process.env['AWS_SESSION_TOKEN'];
  const { AWS_SESSION_TOKEN: _token, ...withoutToken } = env;
  try {
    const code = await main(args, {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      env: withoutToken,
      cwd: join(__dirname, '..', '..'),
      stdin: () => Promise.resolve(''),
    });
    return { code, stdout, stderr };
  } finally {
    process.env = saved;
  }
}

describe('organization mode with IAM enforced (actions of the synthesized roles)', () => {
  it('is enforced: credentials moto never issued are refused', async () => {
    const stranger = new OrganizationsClient({ ...at, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    await expect(stranger.send(new ListRootsCommand({}))).rejects.toThrow();
  });

  it('remediates in the member with nothing but the hub role’s and the member role’s actions, and records it', async () => {
    const { ec2, groupId, event } = await exposedInterface(members.live);
    const invocation = await respond(event, [ous.live]);

    expect(invocation.result).toMatchObject({ kind: 'decided' });
    expect(await ports(ec2, groupId)).toEqual([]);
    const [alert, ...others] = await subscriber.drain();
    expect(others).toEqual([]);
    expect(alert).toMatchObject({ attributes: { account: members.live.account, response: 'remediated' } });
    const ledgerId = (alert!.document['record'] as { ledgerId: string }).ledgerId;
    const entry = await new DynamoLedger(new DynamoDBClient({ ...at, credentials: operator }), ledgerTable).get(ledgerId);
    expect(entry).toMatchObject({ status: 'completed', account: members.live.account });
    // The fix's writes are among the role's actions (they were allowed), and the role holds no IAM write.
    expect(liveActions).toEqual(expect.arrayContaining(['ec2:RevokeSecurityGroupIngress']));
    expect(liveActions.filter((a) => /^iam:(Put|Create|Attach|Update|Delete)/.test(a))).toEqual([]);

    // The printed undo, by the operator, through the member undo role and its actions only.
    const printed = String(alert!.document['undoCommand']);
    const undo = await asOperator([...printed.split(' ').slice(2), '--endpoint-url', moto.endpoint]);
    expect({ code: undo.code, stderr: undo.stderr }).toEqual({ code: 0, stderr: '' });
    expect(await ports(ec2, groupId)).toEqual([22]);
  });

  it('reaches Security Hub in the member and the hub’s bus with nothing but the synthesized roles’ actions (sinks on)', async () => {
    const { ec2, groupId, event } = await exposedInterface(members.sinks);
    const invocation = await respond(event, [ous.sinks], HUB_ROLE_WITH_SINKS, {
      SECURITY_HUB_FINDINGS: 'true',
      DECISION_EVENT_BUS: `arn:aws:events:${REGION}:${HUB}:event-bus/default`,
    });

    expect(invocation.result).toMatchObject({ kind: 'decided' });
    expect(await ports(ec2, groupId)).toEqual([]);
    // Neither sink was refused: the member role imported the finding, the hub role put the event.
    expect(invocation.logs.filter((line) => line['message'] === 'decision not delivered to a sink')).toEqual([]);
    const asAdmin = new SecurityHubClient({ ...at, credentials: await assume(operator, adminArn(members.sinks.account)) });
    expect((await asAdmin.send(new GetFindingsCommand({}))).Findings).toEqual([
      expect.objectContaining({ AwsAccountId: members.sinks.account, GeneratorId: 'world-open-ingress', Compliance: { Status: 'PASSED' } }),
    ]);
    expect(invocation.logs.filter((line) => '_aws' in line).length).toBeGreaterThan(0);
    await subscriber.drain();
  });

  it('cannot fix through a read-only member role: the shadow OU’s role refuses the write, and the alert says it failed', async () => {
    // The hub is told (wrongly) that the shadow OU is live: the member role is the last word.
    const { ec2, groupId, event } = await exposedInterface(members.shadow);
    const invocation = await respond(event, [ous.shadow]);

    expect(invocation.result).toMatchObject({ kind: 'decided' });
    expect(await ports(ec2, groupId)).toEqual([22]);
    const [alert, ...others] = await subscriber.drain();
    expect(others).toEqual([]);
    expect(alert!.attributes['account']).toBe(members.shadow.account);
    expect(alert!.attributes['response']).not.toBe('remediated');
    expect(JSON.stringify(alert!.document)).toMatch(/AccessDenied|not authorized|UnauthorizedOperation/i);
  });

  it('gives a member’s new VPC its flow log with nothing but the synthesized actions; the read-only role cannot', async () => {
    const created = async (m: Member, cidr: string) => {
      const ec2 = await memberEc2(m);
      const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
      const logs = async () =>
        (await ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: [vpcId] }] }))).FlowLogs ?? [];
      return { vpcId, logs, event: eventBridgeEnvelope(createVpcRecord(vpcId, { account: m.account, region: REGION })) };
    };
    const live = await created(members.live, '10.51.0.0/16');
    expect(await respond(live.event, [ous.live])).toMatchObject({ result: { kind: 'decided', report: { outcome: 'enabled' } } });
    expect((await live.logs()).map((f) => f.FlowLogStatus)).toEqual(['ACTIVE']);
    expect(liveActions).toEqual(expect.arrayContaining(['ec2:CreateFlowLogs', 'ec2:DescribeFlowLogs', 'ec2:DescribeVpcs', 'iam:PassRole']));

    // The hub told (wrongly) that the shadow OU is live: its read-only role lists the VPC and refuses the flow log.
    const shadow = await created(members.shadow, '10.52.0.0/16');
    expect(await respond(shadow.event, [ous.shadow])).toMatchObject({ result: { kind: 'decided', report: { outcome: 'failed' } } });
    expect(await shadow.logs()).toEqual([]);
    await subscriber.drain();
  });
});
