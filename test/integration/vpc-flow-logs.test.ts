/**
 * Flow logs for every VPC, as the functions deploy — bundled, each call in a fresh process — against
 * moto: the deploy-time step (the custom-resource request the provider framework hands on) gives
 * every VPC without a flow log one and leaves the others alone; a VPC created later logs after its
 * CreateVpc event; a flow log deleted from a VPC without interfaces is restored by the sweep. Each
 * time the flow log is read back ACTIVE, to the stack's destination.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateVpcCommand, DeleteFlowLogsCommand, DescribeFlowLogsCommand, DescribeVpcsCommand, type FlowLog } from '@aws-sdk/client-ec2';
import { bundleHandler, SWEEP_ENTRY, VPC_FLOW_LOGS_ENTRY, type Bundle } from '../../scripts/lib/bundle';
import { createVpcRecord, eventBridgeEnvelope } from '../../scripts/lib/cloudtrail-events';
import { EMULATOR_ENV } from '../../scripts/lib/sandbox';
import { ACCOUNT, RESPONDER_ROLE, startEmulatedAccount, type EmulatedAccount } from '../support/emulated-account';
import { invokeBundle } from '../support/invoke';

jest.setTimeout(60_000);

const REGION = EMULATOR_ENV.AWS_REGION;
const DESTINATION = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:eni-guard-flow-logs`;
const DELIVERY_ROLE = `arn:aws:iam::${ACCOUNT}:role/EniGuardFlowLogsDelivery`;

let account: EmulatedAccount;
let deployStep: Bundle;
let sweep: Bundle;
/** The three VPCs the account had before the deploy, without flow logs. */
const before: string[] = [];

beforeAll(async () => {
  const policy = { version: 1 };
  [account, deployStep, sweep] = await Promise.all([
    startEmulatedAccount('10.70.0.0/16'),
    bundleHandler(mkdtempSync(join(tmpdir(), 'eni-guard-vpc-flow-logs-')), policy, VPC_FLOW_LOGS_ENTRY),
    bundleHandler(mkdtempSync(join(tmpdir(), 'eni-guard-sweep-')), policy, SWEEP_ENTRY),
  ]);
  for (const cidr of ['10.71.0.0/16', '10.72.0.0/16', '10.73.0.0/16']) {
    before.push((await account.ec2.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!);
  }
}, 120_000);

afterAll(async () => {
  await account?.moto.stop();
});

/** The deployed functions' environment (the responder's, as the stack sets it), pointed at moto. */
const environment = (bundle: Bundle): Record<string, string> => ({
  ...EMULATOR_ENV,
  AWS_ENDPOINT_URL: account.moto.endpoint,
  ALERT_TOPIC_ARN: account.subscriber.topicArn,
  RESPONDER_ROLE_ARN: RESPONDER_ROLE,
  LEDGER_TABLE_NAME: account.ledgerTable,
  FLOW_LOGS_DESTINATION_TYPE: 'cloud-watch-logs',
  FLOW_LOGS_DESTINATION_ARN: DESTINATION,
  FLOW_LOGS_ROLE_ARN: DELIVERY_ROLE,
  POLICY_FILE: join(bundle.dir, 'policy.json'),
  ACCOUNT_ALIAS_LOOKUP: 'false',
});

/** What the provider framework passes to the handler for a stack create or update. */
const customResource = (requestType: 'Create' | 'Update') => ({
  RequestType: requestType,
  ServiceToken: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:EniGuardStack-VpcFlowLogsProviderframeworkonEvent`,
  ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x',
  StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/EniGuardStack/${randomUUID()}`,
  RequestId: randomUUID(),
  LogicalResourceId: 'VpcFlowLogsDeployStep',
  ResourceType: 'Custom::VpcFlowLogs',
  ...(requestType === 'Update' ? { PhysicalResourceId: 'eni-guard-vpc-flow-logs', OldResourceProperties: {} } : {}),
  ResourceProperties: { DestinationType: 'cloud-watch-logs', Destination: DESTINATION, Mode: 'remediate', Enables: 'true' },
});

async function flowLogsOf(vpcId: string): Promise<FlowLog[]> {
  const out = await account.ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: [vpcId] }] }));
  return out.FlowLogs ?? [];
}

async function everyVpc(): Promise<string[]> {
  return ((await account.ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? []).map((v) => v.VpcId!);
}

/**
 * Logging to the stack's destination, ACTIVE, tagged as eni-guard's. (Not `DeliverLogsStatus`: moto
 * reports FAILED for any flow log created with `LogDestination` — it checks only `LogGroupName`.)
 */
function expectOurs(logs: FlowLog[], run: RegExp) {
  expect(logs).toHaveLength(1);
  expect(logs[0]).toMatchObject({
    FlowLogStatus: 'ACTIVE',
    TrafficType: 'ALL',
    LogDestination: DESTINATION,
    DeliverLogsPermissionArn: DELIVERY_ROLE,
  });
  const tags = Object.fromEntries((logs[0]!.Tags ?? []).map((t) => [t.Key, t.Value]));
  expect(tags).toMatchObject({ 'eni-guard:managed': 'true', 'eni-guard:ledger': expect.stringMatching(run) });
}

describe('flow logs for every VPC against moto', () => {
  let planted: string[];

  it('at deploy: every VPC without a flow log gets one (three VPCs and the default one), the VPC already logging is left alone', async () => {
    planted = (await flowLogsOf(account.network.vpcId)).map((f) => f.FlowLogId!);
    expect(planted).toHaveLength(1);
    const vpcs = await everyVpc();
    expect(vpcs).toHaveLength(5);

    const run = await invokeBundle(deployStep.entry, customResource('Create'), environment(deployStep));

    expect(run).toMatchObject({
      ok: true,
      result: {
        PhysicalResourceId: 'eni-guard-vpc-flow-logs',
        Data: { Vpcs: '5', Enabled: '4', Logging: '1', Failed: '0', Incomplete: 'false' },
      },
    });
    for (const vpcId of vpcs.filter((id) => id !== account.network.vpcId)) expectOurs(await flowLogsOf(vpcId), /^deploy-[0-9a-f-]+\/vpc-/);
    expect((await flowLogsOf(account.network.vpcId)).map((f) => f.FlowLogId)).toEqual(planted);
    const alerts = await account.subscriber.drain();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      attributes: { kind: 'vpc-flow-logs', response: 'remediated' },
      document: {
        scope: 'vpc-flow-logs',
        vpcs: expect.arrayContaining(before.map((vpcId): unknown => expect.objectContaining({ vpcId, outcome: 'enabled' }))),
      },
    });
  });

  it('a redeploy that runs the step again changes nothing', async () => {
    const count = async () => (await Promise.all((await everyVpc()).map(flowLogsOf))).flat().length;
    const logs = await count();

    const run = await invokeBundle(deployStep.entry, customResource('Update'), environment(deployStep));

    expect(run).toMatchObject({ ok: true, result: { Data: { Enabled: '0', Logging: '5', Failed: '0' } } });
    expect(await count()).toBe(logs);
    expect(await account.subscriber.drain()).toEqual([]);
  });

  it('a VPC created later logs after its CreateVpc event; one in another account is not looked at', async () => {
    const vpcId = (await account.ec2.send(new CreateVpcCommand({ CidrBlock: '10.74.0.0/16' }))).Vpc!.VpcId!;
    const record = createVpcRecord(vpcId, { account: ACCOUNT, region: REGION, cidrBlock: '10.74.0.0/16' });

    const elsewhere = await invokeBundle(
      deployStep.entry,
      eventBridgeEnvelope(createVpcRecord(vpcId, { account: '210987654321', region: REGION })),
      environment(deployStep),
    );
    expect(elsewhere).toMatchObject({ ok: true, result: { kind: 'ignored', reason: 'out-of-scope' } });
    expect(await flowLogsOf(vpcId)).toEqual([]);

    const run = await invokeBundle(deployStep.entry, eventBridgeEnvelope(record), environment(deployStep));

    expect(run).toMatchObject({ ok: true, result: { kind: 'decided', report: { vpcId, outcome: 'enabled' } } });
    expectOurs(await flowLogsOf(vpcId), new RegExp(`^${record['eventID'] as string}/${vpcId}$`));
    const [alert] = await account.subscriber.drain();
    expect(alert?.subject).toBe(`[eni-guard] MEDIUM vpc-flow-logs on ${vpcId}: remediated`);
  });

  it('a flow log deleted from a VPC with no interface is restored by the sweep, and the summary says so', async () => {
    const drifted = before[1]!;
    const [gone] = await flowLogsOf(drifted);
    await account.ec2.send(new DeleteFlowLogsCommand({ FlowLogIds: [gone!.FlowLogId!] }));
    expect(await flowLogsOf(drifted)).toEqual([]);

    const scheduled = {
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time: '2026-12-02T04:00:00Z',
      account: ACCOUNT,
      region: REGION,
    };
    const run = await invokeBundle(sweep.entry, scheduled, { ...environment(sweep), SWEEP_VPCS: 'true' });

    expect(run).toMatchObject({
      ok: true,
      result: { vpcs: { vpcs: 6, byOutcome: { enabled: 1, logging: 5 }, notLogging: [{ vpcId: drifted, outcome: 'enabled' }] } },
    });
    expectOurs(await flowLogsOf(drifted), /^sweep-2026-12-02T04:00:00Z\//);
    const alerts = await account.subscriber.drain();
    expect(alerts.map((a) => a.attributes['kind'])).toEqual(['vpc-flow-logs', 'sweep-summary']);
    expect(alerts[1]?.subject).toContain('1 VPCs without flow logs');
  });
});
