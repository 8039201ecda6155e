/**
 * Where security teams already look, against moto: findings imported, updated and resolved in
 * moto's Security Hub; decision events delivered through an EventBridge rule to an SQS target; and
 * the bundled handler doing both from its environment, with its EMF metric lines on stdout.
 *
 * moto's Security Hub implements BatchImportFindings and GetFindings (without filters) but not
 * BatchUpdateFindings: that one request (Workflow RESOLVED) is captured by an SDK middleware here and
 * asserted; the same request is asserted with aws-sdk-client-mock in test/unit/adapters/integrations.test.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RevokeSecurityGroupIngressCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetFindingsCommand,
  SecurityHubClient,
  type AwsSecurityFinding,
  type BatchUpdateFindingsCommandInput,
} from '@aws-sdk/client-securityhub';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import Ajv2020 from 'ajv/dist/2020';
import { DynamoFindingState } from '../../lambda/adapters/security-hub';
import type { MetricPoint } from '../../lambda/core/metrics';
import { parsePolicy, type PolicyInput } from '../../lambda/core/policy';
import { createResponder, createSinks } from '../../lambda/functions/wiring';
import { bundleHandler, type Bundle } from '../../scripts/lib/bundle';
import { createNetworkInterfaceRecord, eventBridgeEnvelope } from '../../scripts/lib/cloudtrail-events';
import { createGroup, createInterface, EMULATOR_ENV, ingressRules, worldOpen } from '../../scripts/lib/sandbox';
import { ACCOUNT, RESPONDER_ROLE, responderParts, SILENT, startEmulatedAccount, type EmulatedAccount } from '../support/emulated-account';
import { invokeBundle } from '../support/invoke';

jest.setTimeout(60_000);

let account: EmulatedAccount;
let ec2: EC2Client;
let securityHub: SecurityHubClient;
let sqs: SQSClient;
let queueUrl: string;
let bundle: Bundle;
/** BatchUpdateFindings requests, which moto does not implement: answered here, and kept. */
const workflowUpdates: BatchUpdateFindingsCommandInput[] = [];
const NOTIFY: PolicyInput = { version: 1, rules: { 'world-open-ingress': { mode: 'notify' } } };
const ROOT = join(__dirname, '..', '..');
const alertSchema = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync(join(ROOT, 'alert', 'schema.json'), 'utf8')) as object);

beforeAll(async () => {
  [account, bundle] = await Promise.all([
    startEmulatedAccount('10.70.0.0/16'),
    bundleHandler(mkdtempSync(join(tmpdir(), 'eni-guard-bundle-'))),
  ]);
  ec2 = account.ec2;
  securityHub = new SecurityHubClient(account.connection);
  securityHub.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchUpdateFindingsCommand') return next(args);
      const input = args.input as BatchUpdateFindingsCommandInput;
      workflowUpdates.push(input);
      return { output: { $metadata: {}, ProcessedFindings: input.FindingIdentifiers, UnprocessedFindings: [] }, response: {} };
    },
    { step: 'initialize', name: 'motoHasNoBatchUpdateFindings' },
  );
  // A rule on the default bus for eni-guard's decisions, to an SQS queue: what a subscriber would set up.
  sqs = new SQSClient(account.connection);
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'decision-events' }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes![
    'QueueArn'
  ]!;
  const events = new EventBridgeClient(account.connection);
  await events.send(
    new PutRuleCommand({
      Name: 'eni-guard-decisions',
      EventPattern: JSON.stringify({ source: ['eni-guard'], 'detail-type': ['eni-guard Decision'], detail: { outcome: ['noncompliant'] } }),
    }),
  );
  await events.send(new PutTargetsCommand({ Rule: 'eni-guard-decisions', Targets: [{ Id: 'queue', Arn: queueArn }] }));
}, 90_000);

afterAll(async () => {
  await account?.moto.stop();
});

beforeEach(async () => {
  await account.subscriber.drain();
  await receiveAll();
  workflowUpdates.length = 0;
});

/** The production responder with every sink on, pointed at moto. */
function guard(policy: PolicyInput) {
  const parts = responderParts(account, policy);
  const metrics: MetricPoint[] = [];
  const observer = createSinks({
    integrations: { securityHub: true, decisionEventBus: 'default' },
    clients: { dynamodb: new DynamoDBClient(account.connection), securityHub, eventBridge: new EventBridgeClient(account.connection) },
    ledgerTable: account.ledgerTable,
    policy: parsePolicy(policy),
    log: SILENT,
    metrics: { record: (points) => void metrics.push(...points) },
  });
  return { responder: createResponder({ ...parts, observer }), metrics };
}

const eventFor = (ni: { NetworkInterfaceId?: string }, eventId: string) =>
  eventBridgeEnvelope(createNetworkInterfaceRecord(ni, { account: ACCOUNT, region: EMULATOR_ENV.AWS_REGION, eventId }));

/** Security Hub's findings about one interface (moto ignores GetFindings filters: filtered here). */
async function findingsOf(eni: string): Promise<AwsSecurityFinding[]> {
  const out = await securityHub.send(new GetFindingsCommand({}));
  return (out.Findings ?? []).filter((f) => f.Resources?.[0]?.Id?.endsWith(`/${eni}`));
}

async function receiveAll(): Promise<Record<string, unknown>[]> {
  const bodies: Record<string, unknown>[] = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!out.Messages?.length) return bodies;
    bodies.push(...out.Messages.map((m) => JSON.parse(m.Body!) as Record<string, unknown>));
    // Visibility timeout keeps received messages away from the next receive; deleting is not needed here.
  }
}

describe('Security Hub findings in moto', () => {
  it('imports a finding, updates the same one on the next decision, and resolves it when the interface is compliant', async () => {
    const groupId = await createGroup(ec2, account.network.vpcId, 'shub-ssh', [worldOpen(22)]);
    const ni = await createInterface(ec2, account.network.subnetId, [groupId]);
    const eni = ni.NetworkInterfaceId!;
    const { responder } = guard(NOTIFY);

    await responder.handle(eventFor(ni, '11111111-aaaa-4000-8000-000000000001'));
    const [imported] = await findingsOf(eni);
    expect(await findingsOf(eni)).toHaveLength(1);
    expect(imported).toMatchObject({
      Id: `eni-guard/${ACCOUNT}/us-east-1/${eni}/world-open-ingress`,
      ProductArn: `arn:aws:securityhub:us-east-1:${ACCOUNT}:product/${ACCOUNT}/default`,
      GeneratorId: 'world-open-ingress',
      Compliance: { Status: 'FAILED' },
      Workflow: { Status: 'NEW' },
      // No public IP on the interface: world-open but not reachable from the internet now, so high, not critical.
      FindingProviderFields: { Severity: { Label: 'HIGH', Original: 'high' } },
      Resources: expect.arrayContaining([expect.objectContaining({ Type: 'AwsEc2SecurityGroup', Id: expect.stringContaining(groupId) })]),
    });

    await responder.handle(eventFor(ni, '11111111-aaaa-4000-8000-000000000002'));
    const updated = await findingsOf(eni);
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatchObject({ Id: imported!.Id, CreatedAt: imported!.CreatedAt, Compliance: { Status: 'FAILED' } });
    expect(Date.parse(updated[0]!.UpdatedAt!)).toBeGreaterThan(Date.parse(imported!.UpdatedAt!));
    expect(updated[0]!.ProductFields).toMatchObject({ 'eni-guard/EventId': '11111111-aaaa-4000-8000-000000000002' });

    // Someone closes SSH by hand; the next event about the interface finds it compliant.
    const [rule] = await ingressRules(ec2, groupId);
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: [rule!.SecurityGroupRuleId!] }));
    await responder.handle(eventFor(ni, '11111111-aaaa-4000-8000-000000000003'));
    const resolved = await findingsOf(eni);
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({ Id: imported!.Id, Compliance: { Status: 'PASSED' }, RecordState: 'ACTIVE' });
    expect(workflowUpdates).toEqual([
      { FindingIdentifiers: [{ Id: imported!.Id, ProductArn: imported!.ProductArn }], Workflow: { Status: 'RESOLVED' } },
    ]);
  });

  it('imports a fix eni-guard made and verified as PASSED and RESOLVED at once, with the ledger id and the undo command', async () => {
    const groupId = await createGroup(ec2, account.network.vpcId, 'shub-fixed', [worldOpen(3389)]);
    const ni = await createInterface(ec2, account.network.subnetId, [groupId]);
    const { responder, metrics } = guard({ version: 1 });

    await responder.handle(eventFor(ni, '11111111-aaaa-4000-8000-000000000004'));
    expect(await ingressRules(ec2, groupId)).toEqual([]);
    const [finding] = await findingsOf(ni.NetworkInterfaceId!);
    expect(finding).toMatchObject({
      GeneratorId: 'world-open-ingress',
      Compliance: { Status: 'PASSED' },
      Workflow: { Status: 'RESOLVED' },
      ProductFields: {
        'eni-guard/Response': 'remediated',
        'eni-guard/LedgerId': `11111111-aaaa-4000-8000-000000000004/${ni.NetworkInterfaceId}`,
        'eni-guard/UndoCommand': expect.stringMatching(/^npx eni-guard undo 11111111-aaaa-4000-8000-000000000004\//),
      },
    });
    expect(metrics.filter((m) => m.name === 'TimeToRemediate')).toHaveLength(1);
  });
});

describe('the open-findings record in moto', () => {
  it('keeps the later decision’s record when an earlier one finishes last, as Security Hub keeps the later UpdatedAt', async () => {
    const state = new DynamoFindingState(new DynamoDBClient(account.connection), account.ledgerTable);
    const place = { account: ACCOUNT, region: EMULATOR_ENV.AWS_REGION };
    const open = { 'world-open-ingress': { createdAt: 't', firstObservedAt: 't', title: 'SSH open', severity: 'high' as const } };
    expect(await state.put(place, 'eni-0record000000001', open, new Date('2026-11-28T03:00:05Z'))).toBe(true);
    expect(await state.put(place, 'eni-0record000000001', {}, new Date('2026-11-28T03:00:04Z'))).toBe(false);
    expect(await state.get(place, 'eni-0record000000001')).toEqual(open);
    expect(await state.put(place, 'eni-0record000000001', {}, new Date('2026-11-28T03:00:06Z'))).toBe(true);
    expect(await state.get(place, 'eni-0record000000001')).toEqual({});
  });
});

describe('decision events in moto', () => {
  it('delivers each decision through a rule on the default bus to an SQS target, with the alert document as detail', async () => {
    const groupId = await createGroup(ec2, account.network.vpcId, 'events-ssh', [worldOpen(22)]);
    const ni = await createInterface(ec2, account.network.subnetId, [groupId]);
    const quiet = await createGroup(ec2, account.network.vpcId, 'events-quiet', []);
    const compliantNi = await createInterface(ec2, account.network.subnetId, [quiet]);
    const { responder } = guard(NOTIFY);

    await responder.handle(eventFor(ni, '11111111-aaaa-4000-8000-000000000005'));
    await responder.handle(eventFor(compliantNi, '11111111-aaaa-4000-8000-000000000006'));

    const delivered = await receiveAll();
    // The rule asks for non-compliant decisions only: the compliant one was put on the bus, and not matched.
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({
      source: 'eni-guard',
      'detail-type': 'eni-guard Decision',
      resources: [expect.stringMatching(new RegExp(`:network-interface/${ni.NetworkInterfaceId}$`)), expect.stringContaining(groupId)],
      detail: { kind: 'decision', eventId: '11111111-aaaa-4000-8000-000000000005', outcome: 'noncompliant', response: 'notified' },
    });
    expect(alertSchema(delivered[0]!['detail'])).toBe(true);
  });
});

describe('the bundled handler with every integration on', () => {
  it('imports the finding and puts the event from its environment, and writes EMF metric lines', async () => {
    const groupId = await createGroup(ec2, account.network.vpcId, 'bundled-ssh', [worldOpen(22)]);
    const ni = await createInterface(ec2, account.network.subnetId, [groupId]);
    const dir = mkdtempSync(join(tmpdir(), 'eni-guard-policy-'));
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(NOTIFY));
    const invocation = await invokeBundle(bundle.entry, eventFor(ni, '11111111-aaaa-4000-8000-000000000007'), {
      ...EMULATOR_ENV,
      AWS_ENDPOINT_URL: account.moto.endpoint,
      ALERT_TOPIC_ARN: account.subscriber.topicArn,
      RESPONDER_ROLE_ARN: RESPONDER_ROLE,
      LEDGER_TABLE_NAME: account.ledgerTable,
      POLICY_FILE: join(dir, 'policy.json'),
      SECURITY_HUB_FINDINGS: 'true',
      DECISION_EVENT_BUS: 'default',
    });
    expect(invocation.ok).toBe(true);
    expect(await findingsOf(ni.NetworkInterfaceId!)).toEqual([expect.objectContaining({ Compliance: { Status: 'FAILED' } })]);
    expect(await receiveAll()).toEqual([expect.objectContaining({ 'detail-type': 'eni-guard Decision' })]);
    expect((await account.subscriber.drain()).length).toBe(1);
    const emf = invocation.logs.filter((line) => '_aws' in line);
    const names = emf.flatMap((line) =>
      (line['_aws'] as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0]!.Metrics.map((m) => m.Name),
    );
    expect(names).toEqual(expect.arrayContaining(['Decisions', 'Findings', 'SecurityHubFindings', 'DecisionEvents', 'AlertsPublished']));
    expect(emf.every((line) => line['service'] === 'eni-guard')).toBe(true);
    expect(invocation.logs.filter((line) => line['message'] === 'decision not delivered to a sink')).toEqual([]);
  });
});
