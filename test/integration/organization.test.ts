/**
 * Organization mode against moto: a real organization (root, Workloads with Payments below it,
 * Sandbox), three member accounts, and the hub in the management account 123456789012. The bundled
 * responder — the artifact that deploys — acts in each member through that member's role, only inside
 * the target OUs, with the member's own policy overlay; its ledger and alerts name the account; the
 * printed undo restores the member's interface; the sweep covers every account of the scope in each
 * Region. moto keeps accounts and Regions apart (an assumed role's credentials act in its account)
 * but enforces no IAM: who may assume what is checked on the templates (test/infra).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateVpcCommand,
  DeleteFlowLogsCommand,
  DescribeFlowLogsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type FlowLog,
} from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateAccountAliasCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GetFindingsCommand, SecurityHubClient, type AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoLedger } from '../../lambda/adapters/ledger';
import { OrganizationsAdapter } from '../../lambda/adapters/organizations';
import { main } from '../../lambda/cli/main';
import { LEDGER_ACCOUNT_INDEX } from '../../lambda/core/ledger';
import { parsePolicy, type PolicyInput } from '../../lambda/core/policy';
import { hubRoleName, MEMBER_FLOW_LOG_GROUP, memberRoleNames } from '../../lambda/core/organization';
import type { OrganizationEnvironment, ResponderEnvironment } from '../../lambda/functions/environment';
import { readAlertEnvironment } from '../../lambda/functions/environment';
import { createOrganizationSweeper } from '../../lambda/functions/organization-wiring';
import { bundleHandler, type Bundle } from '../../scripts/lib/bundle';
import {
  assumedRoleIdentity,
  createNetworkInterfaceRecord,
  createVpcRecord,
  eventBridgeEnvelope,
} from '../../scripts/lib/cloudtrail-events';
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
import { SILENT } from '../support/emulated-account';
import { invokeBundle } from '../support/invoke';

const HUB = '123456789012';
const REGIONS = ['us-east-1', 'eu-west-1'] as const;
const MEMBER_ROLE = 'EniGuardMember';
const ROLES = memberRoleNames(MEMBER_ROLE);
const ROOT = join(__dirname, '..', '..');

interface Member {
  readonly account: string;
  readonly name: string;
  /** Per Region: the member's own EC2 (as its administrator), and a public subnet with flow logs. */
  readonly regions: Record<string, { readonly ec2: EC2Client; readonly vpcId: string; readonly subnetId: string }>;
}

let moto: Moto;
let bundle: Bundle;
let hub: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
let organizationId: string;
let ous: { root: string; workloads: string; payments: string; sandbox: string };
let members: { workloads: Member; payments: Member; sandbox: Member };
let subscribers: Record<string, Awaited<ReturnType<typeof createSubscribedTopic>>>;
let ledgerTables: Record<string, string>;

/** Credentials in `account`, as its administrator would have them (moto issues them for any role). */
async function adminOf(account: string) {
  const out = await new STSClient(hub).send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`, RoleSessionName: 'admin' }),
  );
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

async function member(name: string, parent: string, cidr: string): Promise<Member> {
  const org = new OrganizationsClient(hub);
  const created = await org.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
  const account = created.CreateAccountStatus!.AccountId!;
  await org.send(new MoveAccountCommand({ AccountId: account, SourceParentId: ous.root, DestinationParentId: parent }));
  const credentials = await adminOf(account);
  await new IAMClient({ ...hub, credentials }).send(new CreateAccountAliasCommand({ AccountAlias: `acme-${name}` }));
  const regions: Member['regions'] = {};
  for (const region of REGIONS) {
    const ec2 = new EC2Client({ ...hub, region, credentials });
    const network = await createNetwork(ec2, cidr);
    await routeToInternet(ec2, network.vpcId, network.subnetId);
    await enableFlowLogs(ec2, network.vpcId, account);
    regions[region] = { ec2, ...network };
  }
  return { account, name, regions };
}

beforeAll(async () => {
  assertMotoInstalled();
  [moto, bundle] = await Promise.all([startMoto(), bundleHandler(mkdtempSync(join(tmpdir(), 'eni-guard-org-')))]);
  hub = { endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const org = new OrganizationsClient(hub);
  organizationId = (await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization!.Id!;
  const root = (await org.send(new ListRootsCommand({}))).Roots![0]!.Id!;
  const ou = async (name: string, parent: string) =>
    (await org.send(new CreateOrganizationalUnitCommand({ ParentId: parent, Name: name }))).OrganizationalUnit!.Id!;
  const workloads = await ou('Workloads', root);
  ous = { root, workloads, payments: await ou('Payments', workloads), sandbox: await ou('Sandbox', root) };
  members = {
    workloads: await member('workloads', ous.workloads, '10.31.0.0/16'),
    payments: await member('payments', ous.payments, '10.32.0.0/16'),
    sandbox: await member('sandbox', ous.sandbox, '10.33.0.0/16'),
  };
  // The hub's own resources, in its account: an alert topic and a ledger per Region (one hub stack per Region).
  subscribers = {};
  ledgerTables = {};
  for (const region of REGIONS) {
    subscribers[region] = await createSubscribedTopic(new SNSClient({ ...hub, region }), new SQSClient({ ...hub, region }));
    ledgerTables[region] = await createLedgerTable(new DynamoDBClient({ ...hub, region }), undefined, { organization: true });
  }
}, 180_000);

afterAll(async () => {
  await moto?.stop();
});

/** Payments is stricter than its parent on nothing but milder on one rule: its world-open ingress is only reported. */
const POLICY: PolicyInput = {
  version: 1,
  overlays: [{ id: 'payments-notify', match: { ous: ['PAYMENTS'] }, policy: { rules: { 'world-open-ingress': { mode: 'notify' } } } }],
};
const policyWithIds = () => JSON.parse(JSON.stringify(POLICY).replace('PAYMENTS', ous.payments)) as PolicyInput;

function hubEnvironment(region: string): Record<string, string> {
  return {
    ...EMULATOR_ENV,
    AWS_REGION: region,
    AWS_ENDPOINT_URL: moto.endpoint,
    ALERT_TOPIC_ARN: subscribers[region]!.topicArn,
    RESPONDER_ROLE_ARN: `arn:aws:iam::${HUB}:role/${hubRoleName('responder', region)}`,
    LEDGER_TABLE_NAME: ledgerTables[region]!,
    SCOPE: 'organization',
    ORGANIZATION_ID: organizationId,
    TARGET_OUS: JSON.stringify([ous.workloads]),
    EXCLUDED_ACCOUNTS: '[]',
    MEMBER_ROLE_NAME: MEMBER_ROLE,
    MEMBER_REGIONS: JSON.stringify(REGIONS),
    // As the hub stack sets it by default (eniGuard:flowLogVpcIds=all): members' new VPCs get flow logs.
    MEMBER_FLOW_LOGS: 'cloud-watch-logs',
    POWERTOOLS_DEV: 'false',
  };
}

/** Runs the bundled hub responder on `event` in `region`, as one Lambda container of that Region's hub would. */
async function respond(event: unknown, region = 'us-east-1', extraEnv: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'eni-guard-org-policy-'));
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(policyWithIds()));
  const invocation = await invokeBundle(bundle.entry, event, {
    ...hubEnvironment(region),
    POLICY_FILE: join(dir, 'policy.json'),
    ...extraEnv,
  });
  if (!invocation.ok) throw new Error(`handler failed: ${invocation.error}`);
  return invocation;
}

/** A world-open SSH interface in `m`'s public subnet of `region`, and the CloudTrail event its creation made there. */
async function exposedInterface(m: Member, region = 'us-east-1', caller?: Record<string, unknown>) {
  const { ec2, vpcId, subnetId } = m.regions[region]!;
  const groupId = await createGroup(ec2, vpcId, `ssh-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`, [worldOpen(22)]);
  const ni = await createInterface(ec2, subnetId, [groupId]);
  const record = createNetworkInterfaceRecord(ni, { account: m.account, region, ...(caller ? { userIdentity: caller } : {}) });
  return { ni, groupId, ec2, event: eventBridgeEnvelope(record) };
}

const ports = async (ec2: EC2Client, groupId: string) => (await ingressRules(ec2, groupId)).map((r) => r.FromPort);

describe('the hub responder against a moto organization', () => {
  it('remediates a member’s interface in that member, as its member role, and says so naming the account and its OU', async () => {
    const { ni, groupId, ec2, event } = await exposedInterface(members.workloads);
    const invocation = await respond(event);

    expect(invocation.result).toMatchObject({ kind: 'decided' });
    expect(await ports(ec2, groupId)).toEqual([]);
    const [alert, ...others] = await subscribers['us-east-1']!.drain();
    expect(others).toEqual([]);
    expect(alert).toMatchObject({
      attributes: { account: members.workloads.account, ou: ous.workloads, accountAlias: 'acme-workloads', response: 'remediated' },
      document: {
        account: members.workloads.account,
        ou: ous.workloads,
        accountAlias: 'acme-workloads',
        networkInterface: { id: ni.NetworkInterfaceId },
      },
    });
    // The record is in the hub's ledger, and names where the interface is and the role that undoes it.
    const ledgerId = (alert!.document['record'] as { ledgerId: string }).ledgerId;
    const entry = await new DynamoLedger(new DynamoDBClient(hub), ledgerTables['us-east-1']!).get(ledgerId);
    expect(entry).toMatchObject({
      status: 'completed',
      account: members.workloads.account,
      region: 'us-east-1',
      undoRoleArn: `arn:aws:iam::${members.workloads.account}:role/${ROLES.undo}`,
    });
    // …and on the account's page of the ledger, as the runbook reads it (docs/organization.md).
    const page = await new DynamoDBClient(hub).send(
      new QueryCommand({
        TableName: ledgerTables['us-east-1'],
        IndexName: LEDGER_ACCOUNT_INDEX,
        KeyConditionExpression: 'account = :account',
        ExpressionAttributeValues: { ':account': { S: members.workloads.account } },
        ScanIndexForward: false,
      }),
    );
    expect(page.Items?.map((item) => item['ledgerId']?.S)).toContain(ledgerId);
    expect(page.Items?.every((item) => item['account']?.S === members.workloads.account)).toBe(true);
  });

  it('applies the member’s OU overlay: Payments (below Workloads) is only told about world-open SSH', async () => {
    const { groupId, ec2, event } = await exposedInterface(members.payments);
    await respond(event);
    expect(await ports(ec2, groupId)).toEqual([22]);
    const [alert] = await subscribers['us-east-1']!.drain();
    expect(alert).toMatchObject({ attributes: { account: members.payments.account, ou: ous.payments, response: 'notified' } });
  });

  it('leaves an account outside the target OUs alone: nothing read, changed or published', async () => {
    const { groupId, ec2, event } = await exposedInterface(members.sandbox);
    const invocation = await respond(event);
    expect(invocation.result).toMatchObject({
      kind: 'ignored',
      reason: 'out-of-scope',
      detail: expect.stringMatching(/outside the target OUs/),
    });
    expect(await ports(ec2, groupId)).toEqual([22]);
    expect(await subscribers['us-east-1']!.drain()).toEqual([]);
  });

  it('treats a pointer as a pointer: an in-scope record naming another account’s interface finds nothing there and changes nothing', async () => {
    // The Sandbox member's interface, named in a record of the Workloads account: the hub reads it in Workloads (as the record says), where it does not exist.
    const sandbox = await exposedInterface(members.sandbox);
    const record = createNetworkInterfaceRecord(sandbox.ni, { account: members.workloads.account, region: 'us-east-1' });
    const invocation = await respond(eventBridgeEnvelope(record));
    expect(invocation.result).toMatchObject({ kind: 'decided', decisions: [{ outcome: 'gone' }] });
    expect(await ports(sandbox.ec2, sandbox.groupId)).toEqual([22]);
    expect(await subscribers['us-east-1']!.drain()).toEqual([]);
  });

  it('skips its own calls in a member (the member remediation role), as it skips its own role at home', async () => {
    const ownRole = `arn:aws:iam::${members.workloads.account}:role/${ROLES.remediation}`;
    const { groupId, ec2, event } = await exposedInterface(members.workloads, 'us-east-1', assumedRoleIdentity(ownRole, 'eni-guard-hub'));
    const invocation = await respond(event);
    expect(invocation.result).toMatchObject({ kind: 'ignored', reason: 'own-call' });
    expect(await ports(ec2, groupId)).toEqual([22]);
  });

  it('ignores another Region’s event: that Region’s hub guards it', async () => {
    const { groupId, ec2, event } = await exposedInterface(members.workloads, 'eu-west-1');
    const invocation = await respond(event, 'us-east-1');
    expect(invocation.result).toMatchObject({ kind: 'ignored', reason: 'out-of-scope' });
    expect(await ports(ec2, groupId)).toEqual([22]);
    // The eu-west-1 hub does act on it, in eu-west-1.
    await respond(event, 'eu-west-1');
    expect(await ports(ec2, groupId)).toEqual([]);
    expect(await subscribers['us-east-1']!.drain()).toEqual([]);
    expect(await subscribers['eu-west-1']!.drain()).toHaveLength(1);
  });

  it('the printed undo, run with the hub’s credentials, restores the member’s interface through the member undo role', async () => {
    const { groupId, ec2, event } = await exposedInterface(members.workloads);
    await respond(event);
    expect(await ports(ec2, groupId)).toEqual([]);
    const [alert] = await subscribers['us-east-1']!.drain();
    const printed = String(alert!.document['undoCommand']);
    expect(printed).toContain(`--ledger-table ${ledgerTables['us-east-1']} --region us-east-1`);

    const undo = await cli([...printed.split(' ').slice(2), '--endpoint-url', moto.endpoint]);
    expect(undo).toMatchObject({ code: 0, stdout: expect.stringMatching(/: undone\n/) });
    expect(await ports(ec2, groupId)).toEqual([22]);
  });
});

describe('the hub’s sinks against a moto organization', () => {
  it('imports the finding in the member’s own Security Hub, as its member role, and puts the decision event on the hub’s bus', async () => {
    const { ni, event } = await exposedInterface(members.workloads);
    const hubEvents = new EventBridgeClient(hub);
    const sqs = new SQSClient(hub);
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'hub-decision-events' }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes![
      'QueueArn'
    ]!;
    await hubEvents.send(
      new PutRuleCommand({
        Name: 'hub-decisions',
        EventPattern: JSON.stringify({ source: ['eni-guard'], 'detail-type': ['eni-guard Decision'] }),
      }),
    );
    await hubEvents.send(new PutTargetsCommand({ Rule: 'hub-decisions', Targets: [{ Id: 'queue', Arn: queueArn }] }));

    const invocation = await respond(event, 'us-east-1', { SECURITY_HUB_FINDINGS: 'true', DECISION_EVENT_BUS: 'default' });
    expect(invocation.logs.filter((line) => line['message'] === 'decision not delivered to a sink')).toEqual([]);
    await subscribers['us-east-1']!.drain();

    const about = (findings: AwsSecurityFinding[] = []) =>
      findings.filter((f) => f.Resources?.[0]?.Id?.endsWith(`/${ni.NetworkInterfaceId}`));
    const inMember = about(
      (await new SecurityHubClient({ ...hub, credentials: await adminOf(members.workloads.account) }).send(new GetFindingsCommand({})))
        .Findings,
    );
    expect(inMember).toEqual([
      expect.objectContaining({
        AwsAccountId: members.workloads.account,
        ProductArn: `arn:aws:securityhub:us-east-1:${members.workloads.account}:product/${members.workloads.account}/default`,
        GeneratorId: 'world-open-ingress',
        Compliance: { Status: 'PASSED' },
        Resources: expect.arrayContaining([
          expect.objectContaining({ Id: `arn:aws:ec2:us-east-1:${members.workloads.account}:network-interface/${ni.NetworkInterfaceId}` }),
        ]),
      }),
    ]);
    // Nothing in the hub account's own Security Hub: the hub imports nothing as itself.
    expect(about((await new SecurityHubClient(hub).send(new GetFindingsCommand({}))).Findings)).toEqual([]);

    const delivered = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }))).Messages ?? [];
    // The rule and queue are the hub account's (moto's envelope leaves out `account`): the event went to the hub's own bus.
    expect(delivered.map((m) => JSON.parse(m.Body!) as Record<string, unknown>)).toEqual([
      expect.objectContaining({
        source: 'eni-guard',
        detail: expect.objectContaining({ account: members.workloads.account, ou: ous.workloads, response: 'remediated' }),
      }),
    ]);
  });
});

describe('AWS Organizations as the hub reads it', () => {
  const adapter = () => new OrganizationsAdapter(new OrganizationsClient(hub));

  it('places an account by its OU path from the root, and a stranger nowhere', async () => {
    const org = adapter();
    expect(await org.placeOf(members.payments.account)).toEqual({
      account: members.payments.account,
      organizationId,
      path: [ous.root, ous.workloads, ous.payments],
      name: 'payments',
    });
    expect(await org.placeOf('999999999999')).toBeUndefined();
  });

  it('lists the accounts below the target OUs at any depth, each once, with its own path', async () => {
    const below = await adapter().accountsBelow([ous.workloads, ous.payments]);
    expect(below.map((p) => [p.account, p.path.at(-1)]).sort()).toEqual(
      [
        [members.workloads.account, ous.workloads],
        [members.payments.account, ous.payments],
      ].sort(),
    );
    const everyone = (await adapter().accountsBelow([ous.root])).map((p) => p.account);
    expect(everyone.sort()).toEqual([HUB, members.workloads.account, members.payments.account, members.sandbox.account].sort());
  });

  it('answers a listed account’s place from the walk, without another Organizations call', async () => {
    const client = new OrganizationsClient(hub);
    const calls: string[] = [];
    client.middlewareStack.add((next, context) => (args) => (calls.push(String(context.commandName)), next(args)), { step: 'initialize' });
    const org = new OrganizationsAdapter(client);
    await org.accountsBelow([ous.workloads]);
    const walked = calls.length;
    expect(await org.placeOf(members.payments.account)).toMatchObject({ path: [ous.root, ous.workloads, ous.payments] });
    expect(calls.length).toBe(walked);
  });
});

describe('the hub sweep against a moto organization', () => {
  it('sweeps every account of the scope in each Region, through the member roles, and no other', async () => {
    const planted = await Promise.all(
      REGIONS.flatMap((region) => [members.workloads, members.payments, members.sandbox].map((m) => exposedInterface(m, region))),
    );
    const summaries = [];
    for (const region of REGIONS) {
      const sweeper = hubSweeper(region, { memberFlowLogs: false });
      summaries.push({ summary: await sweeper.run({ scheduledTime: '2026-12-01T04:00:00Z' }), assumptions: sweeper.members.assumptions });
    }

    for (const [i, region] of REGIONS.entries()) {
      const { summary, assumptions } = summaries[i]!;
      expect(summary).toMatchObject({ region, accounts: 2, notStarted: [] });
      expect(summary.swept.map((s) => s.account).sort()).toEqual([members.workloads.account, members.payments.account].sort());
      expect(summary.swept.filter((s) => 'error' in s)).toEqual([]);
      // One assumption of the member remediation role per account and Region, however many interfaces.
      expect(assumptions).toBe(2);
    }
    const [wu, pu, su, we, pe, se] = planted;
    // Workloads remediated in both Regions; Payments (its overlay) reported only; Sandbox never touched.
    for (const p of [wu, we]) expect(await ports(p!.ec2, p!.groupId)).toEqual([]);
    for (const p of [pu, pe, su, se]) expect(await ports(p!.ec2, p!.groupId)).toEqual([22]);
    const alerted = (await Promise.all(REGIONS.map((region) => subscribers[region]!.drain()))).flat().map((a) => a.attributes['account']);
    expect(alerted).not.toContain(members.sandbox.account);
    expect(alerted).toEqual(expect.arrayContaining([members.workloads.account, members.payments.account]));
  });
});

/** The hub sweep of `region`, in-process, with the production wiring (organization-wiring.ts) pointed at moto. */
function hubSweeper(region: string, options: { memberFlowLogs: boolean }) {
  const environment: ResponderEnvironment = {
    topicArn: subscribers[region]!.topicArn,
    responderRoleArn: `arn:aws:iam::${HUB}:role/${hubRoleName('responder', region)}`,
    policyFile: 'policy.json',
    policy: parsePolicy(policyWithIds()),
    ledgerTable: ledgerTables[region]!,
    account: HUB,
    region,
  };
  const organization: OrganizationEnvironment = {
    scope: { organizationId, targetOus: [ous.workloads], excludedAccounts: [] },
    memberRoleName: MEMBER_ROLE,
    memberRegions: [...REGIONS],
    partition: 'aws',
    memberFlowLogs: options.memberFlowLogs,
  };
  const alerts = readAlertEnvironment({ ALERT_TOPIC_ARN: subscribers[region]!.topicArn, LEDGER_TABLE_NAME: ledgerTables[region] });
  return createOrganizationSweeper(environment, organization, alerts, SILENT, {}, { ...hub, region });
}

describe('flow logs for every VPC of every member, against a moto organization', () => {
  const REGION = 'us-east-1';
  /** A member's flow logs on `vpcId`, as its administrator reads them. */
  const flowLogsOf = async (m: Member, vpcId: string, region = REGION) =>
    (await m.regions[region]!.ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: [vpcId] }] }))).FlowLogs ?? [];
  const newVpc = async (m: Member, cidr: string, region = REGION) =>
    (await m.regions[region]!.ec2.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
  const vpcsOf = async (m: Member, region = REGION) =>
    ((await m.regions[region]!.ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? []).map((v) => v.VpcId!);
  /** ACTIVE, to the member's own log group in the Region through its own delivery role, tagged as eni-guard's. */
  const expectMemberDestination = (logs: FlowLog[], m: Member, region = REGION) => {
    expect(logs).toEqual([
      expect.objectContaining({
        FlowLogStatus: 'ACTIVE',
        TrafficType: 'ALL',
        LogDestination: `arn:aws:logs:${region}:${m.account}:log-group:${MEMBER_FLOW_LOG_GROUP}`,
        DeliverLogsPermissionArn: `arn:aws:iam::${m.account}:role/${ROLES.flowLogs}`,
        Tags: expect.arrayContaining([{ Key: 'eni-guard:managed', Value: 'true' }]),
      }),
    ]);
  };
  const planted: Record<'workloads' | 'payments' | 'sandbox', string[]> = { workloads: [], payments: [], sandbox: [] };

  it('the hub sweep gives every VPC of every member in scope a flow log in that member, and leaves other accounts alone', async () => {
    planted.workloads = [await newVpc(members.workloads, '10.41.0.0/16'), await newVpc(members.workloads, '10.42.0.0/16')];
    planted.payments = [await newVpc(members.payments, '10.43.0.0/16')];
    planted.sandbox = [await newVpc(members.sandbox, '10.44.0.0/16')];
    await subscribers[REGION]!.drain();

    const summary = await hubSweeper(REGION, { memberFlowLogs: true }).run({ scheduledTime: '2026-12-02T04:00:00Z' });

    expect(summary.swept.filter((s) => 'error' in s)).toEqual([]);
    for (const m of [members.workloads, members.payments]) {
      const swept = summary.swept.find((s) => s.account === m.account);
      // The VPC that logged from the start, and the new ones (and moto's default VPC) enabled.
      expect(swept && 'summary' in swept ? swept.summary.vpcs?.byOutcome : undefined).toMatchObject({ logging: 1 });
    }
    for (const vpcId of [...planted.workloads]) expectMemberDestination(await flowLogsOf(members.workloads, vpcId), members.workloads);
    expectMemberDestination(await flowLogsOf(members.payments, planted.payments[0]!), members.payments);
    // Every VPC of the two members logs now; the Sandbox account (outside the target OUs) was not looked at.
    for (const m of [members.workloads, members.payments]) {
      for (const vpcId of await vpcsOf(m)) expect((await flowLogsOf(m, vpcId)).map((f) => f.FlowLogStatus)).toContain('ACTIVE');
    }
    expect(await flowLogsOf(members.sandbox, planted.sandbox[0]!)).toEqual([]);
    const alerts = await subscribers[REGION]!.drain();
    const vpcAlerts = alerts.filter((a) => a.attributes['kind'] === 'vpc-flow-logs');
    expect(vpcAlerts.map((a) => a.attributes['account']).sort()).toEqual([members.workloads.account, members.payments.account].sort());
  });

  it('a member’s new VPC logs after its forwarded CreateVpc reaches the hub responder; one outside the scope is not looked at', async () => {
    const vpcId = await newVpc(members.workloads, '10.45.0.0/16');
    const forwarded = eventBridgeEnvelope(createVpcRecord(vpcId, { account: members.workloads.account, region: REGION }));
    const invocation = await respond(forwarded);
    expect(invocation.result).toMatchObject({ kind: 'decided', report: { vpcId, outcome: 'enabled' } });
    expectMemberDestination(await flowLogsOf(members.workloads, vpcId), members.workloads);
    const [alert] = await subscribers[REGION]!.drain();
    expect(alert).toMatchObject({ attributes: { kind: 'vpc-flow-logs', account: members.workloads.account, response: 'remediated' } });

    const outside = await newVpc(members.sandbox, '10.46.0.0/16');
    const ignored = await respond(eventBridgeEnvelope(createVpcRecord(outside, { account: members.sandbox.account, region: REGION })));
    expect(ignored.result).toMatchObject({ kind: 'ignored', reason: 'out-of-scope' });
    expect(await flowLogsOf(members.sandbox, outside)).toEqual([]);
  });

  it('a flow log deleted in a member is restored by the next hub sweep, through that member’s role', async () => {
    const drifted = planted.payments[0]!;
    const [gone] = await flowLogsOf(members.payments, drifted);
    await members.payments.regions[REGION]!.ec2.send(new DeleteFlowLogsCommand({ FlowLogIds: [gone!.FlowLogId!] }));
    expect(await flowLogsOf(members.payments, drifted)).toEqual([]);

    const summary = await hubSweeper(REGION, { memberFlowLogs: true }).run({ scheduledTime: '2026-12-03T04:00:00Z' });

    const swept = summary.swept.find((s) => s.account === members.payments.account);
    expect(swept && 'summary' in swept ? swept.summary.vpcs : undefined).toMatchObject({
      byOutcome: { enabled: 1 },
      notLogging: [{ vpcId: drifted, outcome: 'enabled' }],
    });
    expectMemberDestination(await flowLogsOf(members.payments, drifted), members.payments);
  });
});

/** `eni-guard ...args` in-process (the CLI's own `main`), with the hub's (emulator) credentials in the environment. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const saved = { ...process.env };
  Object.assign(process.env, EMULATOR_ENV);
  try {
    const code = await main(args, {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      env: { ...EMULATOR_ENV },
      cwd: ROOT,
      stdin: () => Promise.resolve(''),
    });
    return { code, stdout, stderr };
  } finally {
    process.env = saved;
  }
}
