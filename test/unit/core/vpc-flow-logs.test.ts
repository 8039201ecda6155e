/**
 * Flow logs for every VPC, pure parts: the rule's VPC-level judgement and default mode, VPC
 * exemptions, the planner's VPC plan (one way to enable a flow log), the CreateVpc parser, the
 * alert and the deploy step's request and answer.
 */
import { describeCall } from '../../../lambda/core/actions';
import { isVpcId } from '../../../lambda/core/ids';
import type { FlowLogCoverage, Vpc } from '../../../lambda/core/model';
import { planVpcFlowLogs, type VpcJudgement } from '../../../lambda/core/plan/index';
import { DEFAULT_POLICY, modeOf, parsePolicy, type PolicyInput } from '../../../lambda/core/policy';
import { judgeVpc } from '../../../lambda/core/rules/vpc-flow-logs';
import { deployRequestOf, deployResponseOf, renderVpcAlert, VpcTally, type VpcReport } from '../../../lambda/core/vpc';
import { parseVpcEvent } from '../../../lambda/core/vpc-event';
import { createVpcRecord, eventBridgeEnvelope } from '../../../scripts/lib/cloudtrail-events';
import { CONTEXT, NOW } from '../../support/fixtures';

const ACCOUNT = '123456789012';
const VPC_ID = 'vpc-0123456789abcdef0';
const vpc = (overrides: Partial<Vpc> = {}): Vpc => ({ vpcId: VPC_ID, ownerId: ACCOUNT, isDefault: false, tags: {}, ...overrides });
const NONE: FlowLogCoverage = { active: [] };
const DESTINATION = {
  type: 'cloud-watch-logs' as const,
  arn: 'arn:aws:logs:eu-west-1:123456789012:log-group:flow',
  deliveryRoleArn: 'arn:aws:iam::123456789012:role/fl',
};
const inputs = { account: ACCOUNT, ledgerId: `deploy-req-1/${VPC_ID}`, now: NOW, flowLogDestination: DESTINATION };
const plan = (coverage: FlowLogCoverage, policy: PolicyInput = { version: 1 }, overrides: Partial<typeof inputs> = {}): VpcJudgement =>
  planVpcFlowLogs(vpc(), coverage, parsePolicy(policy), { ...inputs, ...overrides });

describe('vpc-flow-logs for a VPC itself', () => {
  it('remediates by default: adding logging changes no traffic', () => {
    expect(modeOf(DEFAULT_POLICY, 'vpc-flow-logs')).toBe('remediate');
  });

  it.each<[string, string, FlowLogCoverage]>([
    ['an ACTIVE flow log on the VPC, to any destination', 'compliant', { active: [{ flowLogId: 'fl-other', resourceId: VPC_ID }] }],
    ['no flow log', 'non-compliant', NONE],
    [
      'a flow log on a subnet only (the other subnets are not logged)',
      'non-compliant',
      { active: [{ flowLogId: 'fl-s', resourceId: 'subnet-1' }] },
    ],
  ])('judges a VPC with %s as %s', (_name, status, coverage) => {
    expect(judgeVpc(VPC_ID, coverage).status).toBe(status);
  });

  it('leaves a VPC that already logs (anywhere) alone', () => {
    expect(plan({ active: [{ flowLogId: 'fl-other', resourceId: VPC_ID }] })).toEqual({ status: 'logging', flowLogIds: ['fl-other'] });
  });

  it('plans exactly one CreateFlowLogs to the stack destination, tagged as eni-guard’s, verified ACTIVE', () => {
    const judged = plan(NONE);
    expect(judged.status).toBe('non-compliant');
    if (judged.status !== 'non-compliant') return;
    expect(judged.plan.mode).toBe('remediate');
    const [action] = judged.plan.actions;
    expect(action?.calls.map(describeCall)).toEqual([
      `CreateFlowLogs ResourceIds=${VPC_ID} ResourceType=VPC TrafficType=ALL LogDestinationType=cloud-watch-logs LogDestination=${DESTINATION.arn} DeliverLogsPermissionArn=${DESTINATION.deliveryRoleArn} MaxAggregationInterval=60 TagSpecifications={"ResourceType":"vpc-flow-log","Tags":[{"Key":"eni-guard:managed","Value":"true"},{"Key":"eni-guard:ledger","Value":"deploy-req-1/${VPC_ID}"}]}`,
    ]);
    expect(action?.calls[0]?.alreadyDone).toEqual(['FlowLogAlreadyExists']);
    expect(action?.checks).toEqual([{ kind: 'flow-log-active', vpcId: VPC_ID }]);
  });

  it.each<[string, PolicyInput, Partial<typeof inputs>, string, RegExp]>([
    [
      'the rule notifies',
      { version: 1, rules: { 'vpc-flow-logs': { mode: 'notify' } } },
      {},
      'notify',
      /policy sets vpc-flow-logs to notify/,
    ],
    ['there is no destination', { version: 1 }, { flowLogDestination: undefined }, 'notify', /no flow-log destination/],
    ['the policy is a dry run', { version: 1, dryRun: true }, {}, 'dry-run', /^$/],
  ])('does not create one when %s', (_name, policy, overrides, mode, reason) => {
    const judged = plan(NONE, policy, overrides);
    expect(judged.status).toBe('non-compliant');
    if (judged.status !== 'non-compliant') return;
    expect(judged.plan.mode).toBe(mode);
    expect(judged.plan.withheld.map((w) => w.reason).join('')).toMatch(reason);
  });

  it('is not judged when the rule is off, nor for a VPC another account shares with this one', () => {
    expect(plan(NONE, { version: 1, rules: { 'vpc-flow-logs': { mode: 'off' } } }).status).toBe('off');
    expect(planVpcFlowLogs(vpc({ ownerId: '210987654321' }), NONE, DEFAULT_POLICY, inputs)).toMatchObject({
      status: 'not-applicable',
      reason: expect.stringContaining('owned by 210987654321'),
    });
  });

  const exemption = (match: Record<string, unknown>, expires = '2027-01-31') => ({
    version: 1 as const,
    exemptions: [{ id: 'lab', rules: ['vpc-flow-logs'], match, owner: 'net-team', reason: 'lab VPC, torn down nightly', expires }],
  });

  it('honours an exemption bounded by the VPC (or the account), not one bounded by anything narrower', () => {
    expect(plan(NONE, exemption({ vpc: VPC_ID }))).toMatchObject({ status: 'exempted', exempted: { exemptionId: 'lab' } });
    expect(plan(NONE, exemption({ accounts: [ACCOUNT] })).status).toBe('exempted');
    expect(plan(NONE, exemption({ vpc: VPC_ID, subnet: 'subnet-1' })).status).toBe('non-compliant');
    expect(plan(NONE, exemption({ vpc: 'vpc-0aaaaaaaaaaaaaaaa' })).status).toBe('non-compliant');
    expect(plan(NONE, exemption({ vpc: VPC_ID }, '2026-01-01'))).toMatchObject({
      status: 'non-compliant',
      expiredExemptions: [{ exemptionId: 'lab' }],
    });
  });
});

describe('VPC ids and CreateVpc events', () => {
  it.each([
    ['vpc-12345678', true],
    ['vpc-0123456789abcdef0', true],
    ['vpc-*', false],
    ['vpc-1234', false],
    ['vpc-0123456789ABCDEF0', false],
    ['subnet-12345678', false],
  ])('%s is a VPC id: %s', (id, ok) => {
    expect(isVpcId(id)).toBe(ok);
  });

  const event = (overrides: { eventName?: 'CreateVpc' | 'CreateDefaultVpc' } = {}, vpcId = VPC_ID) =>
    eventBridgeEnvelope(createVpcRecord(vpcId, { account: ACCOUNT, region: 'eu-west-1', ...overrides }));

  it.each(['CreateVpc', 'CreateDefaultVpc'] as const)('points at the VPC a successful %s created', (eventName) => {
    expect(parseVpcEvent(event({ eventName }))).toMatchObject({ kind: 'vpc', vpcId: VPC_ID, context: { account: ACCOUNT, eventName } });
  });

  it('refuses an id that is not a VPC id (a pattern must never reach a filter), naming the field and what it got', () => {
    expect(parseVpcEvent(event({}, 'vpc-*'))).toMatchObject({
      kind: 'invalid',
      problems: [
        'detail.responseElements.vpc.vpcId: a successful CreateVpc must name the VPC by id (vpc- and 8 or 17 hex digits; got the string "vpc-*")',
      ],
    });
  });

  it('ignores failed calls and other calls (naming the call), and refuses an envelope that disagrees with its record', () => {
    const failed = event();
    (failed['detail'] as Record<string, unknown>)['errorCode'] = 'VpcLimitExceeded';
    expect(parseVpcEvent(failed)).toMatchObject({ kind: 'ignored', reason: 'failed-call' });
    const other = event();
    (other['detail'] as Record<string, unknown>)['eventName'] = 'DeleteVpc';
    expect(parseVpcEvent(other)).toMatchObject({ kind: 'ignored', reason: 'unsupported-event', detail: 'eventName DeleteVpc' });
    expect(parseVpcEvent({ ...event(), account: '210987654321' })).toMatchObject({ kind: 'invalid' });
  });
});

describe('VPC reports, alerts and the deploy step', () => {
  const enabled: VpcReport = { vpcId: VPC_ID, outcome: 'enabled', detail: 'flow log fl-1 created; ACTIVE', flowLogIds: ['fl-1'] };
  const failed: VpcReport = { vpcId: 'vpc-0aaaaaaaaaaaaaaaa', outcome: 'failed', detail: 'CreateFlowLogs: UnauthorizedOperation' };
  const logging: VpcReport = { vpcId: 'vpc-0bbbbbbbbbbbbbbbb', outcome: 'logging', detail: 'fl-2 ACTIVE: left alone' };

  it('alerts about the VPCs that had no flow log, failures first, and not at all when every VPC logs', () => {
    expect(renderVpcAlert(CONTEXT, [logging])).toBeUndefined();
    const alert = renderVpcAlert(CONTEXT, [enabled, logging, failed])!;
    expect(alert.subject).toBe('[eni-guard] HIGH vpc-flow-logs: 2 VPCs had no flow log (1 failed, 1 enabled): remediation-failed');
    expect(alert.attributes).toMatchObject({ kind: 'vpc-flow-logs', rule: 'vpc-flow-logs', severity: 'high' });
    expect(alert.document.vpcs.map((v) => v.vpcId)).toEqual(['vpc-0aaaaaaaaaaaaaaaa', VPC_ID]);
    expect(alert.text).toContain('aws ec2 delete-flow-logs --region eu-west-1 --flow-log-ids fl-1');
  });

  it('reads a custom-resource request (and only one), and answers with counts CloudFormation can return', () => {
    expect(deployRequestOf({ RequestType: 'Create', RequestId: 'b1f0c2de-0000-4000-8000-000000000001', ResourceProperties: {} })).toEqual({
      requestType: 'Create',
      requestId: 'b1f0c2de-0000-4000-8000-000000000001',
    });
    expect(deployRequestOf({ RequestType: 'Update', RequestId: 'a/*b' })).toMatchObject({ requestId: 'unknown-request' });
    expect(deployRequestOf(event())).toBeUndefined();
    const tally = new VpcTally();
    tally.vpcs = 3;
    for (const r of [enabled, failed, logging]) tally.add(r);
    expect(deployResponseOf(tally.summary())).toEqual({
      PhysicalResourceId: 'eni-guard-vpc-flow-logs',
      Data: expect.objectContaining({
        Vpcs: '3',
        Enabled: '1',
        Failed: '1',
        Logging: '1',
        FailedVpcs: 'vpc-0aaaaaaaaaaaaaaaa',
        Incomplete: 'false',
      }),
    });
  });

  function event() {
    return eventBridgeEnvelope(createVpcRecord(VPC_ID, { account: ACCOUNT, region: 'eu-west-1' }));
  }
});
