/**
 * The flow-logs-for-every-VPC service over an in-memory EC2: what fails the deploy step and what is
 * only reported, the time budget, the second look, and events it must not act on.
 */
import type { Alert } from '../../../lambda/core/alert';
import type { ApiCall } from '../../../lambda/core/actions';
import type { FlowLogCoverage, Vpc } from '../../../lambda/core/model';
import { parsePolicy } from '../../../lambda/core/policy';
import { AwsCallError, type CallPort, type LogPort, type VerifyReader, type VpcPort } from '../../../lambda/app/ports';
import { Remediator } from '../../../lambda/app/remediator';
import { VpcFlowLogs } from '../../../lambda/app/vpc-flow-logs';
import { createVpcRecord, eventBridgeEnvelope } from '../../../scripts/lib/cloudtrail-events';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const DESTINATION = {
  type: 'cloud-watch-logs' as const,
  arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:flow`,
  deliveryRoleArn: `arn:aws:iam::${ACCOUNT}:role/fl`,
};
const SILENT: LogPort = { info: () => undefined, warn: () => undefined, error: () => undefined };
const vpcId = (n: number) => `vpc-${String(n).padStart(17, '0')}`;

/** An account's VPCs and flow logs, and the EC2 calls made on them. */
class World implements VpcPort, CallPort {
  readonly flowLogs: { flowLogId: string; resourceId: string }[] = [];
  readonly calls: string[] = [];
  /** VPCs whose CreateFlowLogs fails with this code. */
  readonly refuse = new Map<string, string>();
  /** Re-reads that do not yet show a new flow log (eventual consistency). */
  lagging = 0;
  listingFails = false;
  constructor(readonly vpcs: Vpc[]) {}

  async *vpcPages(pageSize = 200): AsyncIterable<Vpc[]> {
    this.calls.push('DescribeVpcs');
    await Promise.resolve();
    if (this.listingFails) throw new AwsCallError('DescribeVpcs', 'UnauthorizedOperation', 'not allowed', false);
    for (let i = 0; i < this.vpcs.length; i += pageSize) yield this.vpcs.slice(i, i + pageSize);
  }
  describeVpc(id: string): Promise<Vpc | undefined> {
    this.calls.push(`DescribeVpcs ${id}`);
    return Promise.resolve(this.vpcs.find((v) => v.vpcId === id));
  }
  describeFlowLogs(ids: readonly string[]): Promise<FlowLogCoverage> {
    this.calls.push('DescribeFlowLogs');
    if (this.lagging > 0) {
      this.lagging -= 1;
      return Promise.resolve({ active: [] });
    }
    return Promise.resolve({ active: this.flowLogs.filter((f) => ids.includes(f.resourceId)) });
  }
  send(call: ApiCall, input: Readonly<Record<string, unknown>>): Promise<unknown> {
    const [id] = input['ResourceIds'] as string[];
    this.calls.push(`${call.operation} ${id}`);
    const refused = this.refuse.get(id!);
    if (refused) return Promise.reject(new AwsCallError(call.operation, refused, 'refused', false));
    const flowLogId = `fl-${this.flowLogs.length + 1}`;
    this.flowLogs.push({ flowLogId, resourceId: id! });
    return Promise.resolve({ FlowLogIds: [flowLogId], Unsuccessful: [] });
  }
}

function service(world: World, policy = parsePolicy({ version: 1 })) {
  const alerts: Alert[] = [];
  const reader = { describeFlowLogs: (ids: readonly string[]) => world.describeFlowLogs(ids) } as unknown as VerifyReader;
  const vpcs = new VpcFlowLogs(world, new Remediator(world, reader), { publish: (a) => Promise.resolve(void alerts.push(a)) }, SILENT, {
    policy,
    place: { account: ACCOUNT, region: REGION },
    flowLogDestination: DESTINATION,
    retryDelayMs: 0,
  });
  return { vpcs, alerts };
}

const vpcsOf = (...ns: number[]): Vpc[] => ns.map((n) => ({ vpcId: vpcId(n), ownerId: ACCOUNT, isDefault: n === 1, tags: {} }));
const CREATE = { requestType: 'Create' as const, requestId: 'req-1' };

describe('the deploy-time step', () => {
  it('gives every VPC without an ACTIVE flow log one, leaves the others alone, and answers with the counts', async () => {
    const world = new World(vpcsOf(1, 2, 3, 4));
    world.flowLogs.push({ flowLogId: 'fl-theirs', resourceId: vpcId(4) });
    const { vpcs, alerts } = service(world);

    const answer = await vpcs.deploy(CREATE);

    expect(answer.Data).toMatchObject({ Vpcs: '4', Enabled: '3', Logging: '1', Failed: '0', Incomplete: 'false' });
    expect(world.calls.filter((c) => c.startsWith('CreateFlowLogs'))).toEqual([1, 2, 3].map((n) => `CreateFlowLogs ${vpcId(n)}`));
    expect(alerts.map((a) => a.subject)).toEqual(['[eni-guard] MEDIUM vpc-flow-logs: 3 VPCs had no flow log (3 enabled): remediated']);
  });

  it('a second run (a redeploy that runs it) creates nothing', async () => {
    const world = new World(vpcsOf(1, 2));
    const { vpcs, alerts } = service(world);
    await vpcs.deploy(CREATE);
    world.calls.length = 0;
    alerts.length = 0;

    const again = await vpcs.deploy({ requestType: 'Update', requestId: 'req-2', physicalResourceId: 'eni-guard-vpc-flow-logs' });

    expect(again).toMatchObject({ PhysicalResourceId: 'eni-guard-vpc-flow-logs', Data: { Enabled: '0', Logging: '2' } });
    expect(world.calls.filter((c) => c.startsWith('Create'))).toEqual([]);
    expect(alerts).toEqual([]);
  });

  it('reports a VPC that cannot be given a flow log (after a second try) and does not fail the deploy', async () => {
    const world = new World(vpcsOf(1, 2));
    world.refuse.set(vpcId(2), 'FlowLogsLimitExceeded');
    const { vpcs, alerts } = service(world);

    const answer = await vpcs.deploy(CREATE);

    expect(answer.Data).toMatchObject({ Enabled: '1', Failed: '1', FailedVpcs: vpcId(2) });
    expect(world.calls.filter((c) => c === `CreateFlowLogs ${vpcId(2)}`)).toHaveLength(2);
    expect(alerts[0]).toMatchObject({ attributes: { severity: 'high', response: 'remediation-failed' } });
    expect(alerts[0]?.text).toContain(`${vpcId(2)}: failed — CreateFlowLogs: CreateFlowLogs failed: FlowLogsLimitExceeded`);
  });

  it('fails the deploy when it cannot list the VPCs at all (it could not look)', async () => {
    const world = new World(vpcsOf(1));
    world.listingFails = true;
    await expect(service(world).vpcs.deploy(CREATE)).rejects.toThrow('DescribeVpcs failed: UnauthorizedOperation');
  });

  it('stops starting VPCs when its time is nearly spent, and says the pass is incomplete', async () => {
    const world = new World(vpcsOf(1, 2, 3, 4, 5, 6, 7, 8, 9));
    let left = 5 * 60_000;
    const { vpcs } = service(world);
    // Each look at the clock costs a minute: the budget (a minute in reserve) runs out part-way.
    const answer = await vpcs.deploy(CREATE, () => (left -= 60_000));
    expect(answer.Data['Incomplete']).toBe('true');
    expect(Number(answer.Data['Enabled'])).toBeLessThan(9);
  });

  it('takes a second look at a flow log that was not ACTIVE yet when first re-read', async () => {
    const later = new World(vpcsOf(2));
    const { vpcs: second } = service(later);
    // The page read, then the verification read, lag; the second look sees it.
    later.lagging = 2;
    const [report] = await second.judge('run-2', later.vpcs);
    expect(report).toMatchObject({ outcome: 'enabled', detail: expect.stringMatching(/re-read .* again: flow log fl-1 ACTIVE/) });
    expect(later.calls.filter((c) => c.startsWith('CreateFlowLogs'))).toHaveLength(1);
  });

  it('changes nothing on Delete: the flow logs outlive the stack', async () => {
    const world = new World(vpcsOf(1));
    const answer = await service(world).vpcs.deploy({
      requestType: 'Delete',
      requestId: 'req-3',
      physicalResourceId: 'eni-guard-vpc-flow-logs',
    });
    expect(answer).toEqual({ PhysicalResourceId: 'eni-guard-vpc-flow-logs', Data: {} });
    expect(world.calls).toEqual([]);
  });
});

describe('a new VPC', () => {
  const event = (id: string, account = ACCOUNT, region = REGION) => eventBridgeEnvelope(createVpcRecord(id, { account, region }));

  it('is re-read from EC2 and given a flow log within the event', async () => {
    const world = new World(vpcsOf(5));
    const { vpcs, alerts } = service(world);
    expect(await vpcs.handleEvent(event(vpcId(5)))).toMatchObject({ kind: 'decided', report: { outcome: 'enabled' } });
    expect(world.calls.slice(0, 3)).toEqual([`DescribeVpcs ${vpcId(5)}`, 'DescribeFlowLogs', `CreateFlowLogs ${vpcId(5)}`]);
    expect(alerts[0]?.subject).toBe(`[eni-guard] MEDIUM vpc-flow-logs on ${vpcId(5)}: remediated`);
  });

  it('acts only for its own account and Region: an event about another makes no call', async () => {
    const world = new World(vpcsOf(5));
    const { vpcs } = service(world);
    expect(await vpcs.handleEvent(event(vpcId(5), '210987654321'))).toMatchObject({ kind: 'ignored', reason: 'out-of-scope' });
    expect(await vpcs.handleEvent(event(vpcId(5), ACCOUNT, 'us-east-1'))).toMatchObject({ kind: 'ignored', reason: 'out-of-scope' });
    expect(world.calls).toEqual([]);
  });

  it('does nothing for a VPC already gone, or an id that is no VPC id', async () => {
    const world = new World([]);
    const { vpcs } = service(world);
    expect(await vpcs.handleEvent(event(vpcId(6)))).toMatchObject({ kind: 'decided', report: { outcome: 'gone' } });
    expect(await vpcs.handleEvent(event('vpc-*'))).toMatchObject({ kind: 'invalid' });
    expect(world.calls).toEqual([`DescribeVpcs ${vpcId(6)}`]);
  });
});

describe('the rule switched off (an organization account whose overlay says so)', () => {
  it('judges no VPC: a pass and a new VPC make no call at all', async () => {
    const world = new World(vpcsOf(7, 8));
    const { vpcs, alerts } = service(world, parsePolicy({ version: 1, rules: { 'vpc-flow-logs': { mode: 'off' } } }));
    expect((await vpcs.pass({ runId: 'sweep-1' })).summary).toMatchObject({ vpcs: 0, byOutcome: {}, notLogging: [] });
    const event = eventBridgeEnvelope(createVpcRecord(vpcId(7), { account: ACCOUNT, region: REGION }));
    expect(await vpcs.handleEvent(event)).toMatchObject({ kind: 'ignored', reason: 'rule-off' });
    expect(world.calls).toEqual([]);
    expect(alerts).toEqual([]);
  });
});
