/**
 * What a pass over VPCs says (lambda/core/vpc.ts): the response each outcome amounts to, the alert's
 * wording for one VPC and for many, the list cap, the pass summary, the undo line, and the deploy
 * step's run name and physical id.
 */
import {
  DEPLOY_RESOURCE_ID,
  deployRequestOf,
  deployResponseOf,
  deployRunId,
  renderVpcAlert,
  responseOfVpc,
  VPC_LIST_LIMIT,
  VpcTally,
  type VpcOutcome,
  type VpcReport,
  type VpcRunSummary,
} from '../../../lambda/core/vpc';
import { CONTEXT } from '../../support/fixtures';

const vpcId = (n: number) => `vpc-${n.toString(16).padStart(17, '0')}`;
const report = (n: number, outcome: VpcOutcome, extra: Partial<VpcReport> = {}): VpcReport => ({
  vpcId: vpcId(n),
  outcome,
  detail: `${outcome} detail ${n}`,
  ...extra,
});

describe('the response a VPC outcome amounts to', () => {
  it.each([
    ['enabled', 'remediated'],
    ['failed', 'remediation-failed'],
    ['dry-run', 'dry-run'],
    ['withheld', 'notified'],
    ['logging', 'none'],
    ['exempted', 'none'],
    ['skipped', 'none'],
    ['gone', 'none'],
  ] as const)('%s → %s', (outcome, response) => {
    expect(responseOfVpc({ outcome })).toBe(response);
  });
});

describe('the VPC alert', () => {
  it('names the one VPC in its subject, says medium when nothing failed, and marks a default VPC', () => {
    const alert = renderVpcAlert(CONTEXT, [report(1, 'withheld', { isDefault: true })])!;
    expect(alert.subject).toBe(`[eni-guard] MEDIUM vpc-flow-logs on ${vpcId(1)}: notified`);
    expect(alert.attributes.severity).toBe('medium');
    expect(alert.document.severity).toBe('medium');
    expect(alert.text).toContain(`  ${vpcId(1)} (default): withheld — withheld detail 1`);
    expect(alert.text.split('\n')[0]).toBe(
      `eni-guard: 1 VPC(s) in ${CONTEXT.account} ${CONTEXT.region} had no active flow log (${CONTEXT.eventName} ${CONTEXT.eventId}).`,
    );
    // Nothing enabled: nothing to undo, and no pass summary was given.
    expect(alert.text).not.toContain('Undo:');
    expect(alert.text).not.toContain('All VPCs:');
    expect(alert.document.summary).toBeUndefined();
    expect(alert.document.vpcsOmitted).toBeUndefined();
    expect(alert.document.vpcs).toEqual([{ vpcId: vpcId(1), outcome: 'withheld', detail: 'withheld detail 1' }]);
  });

  it(`lists at most ${VPC_LIST_LIMIT} VPCs, counts the rest, and undoes every flow log it enabled, listed or not`, () => {
    const reports = Array.from({ length: VPC_LIST_LIMIT + 3 }, (_, i) =>
      report(i + 1, i % 2 === 0 ? 'enabled' : 'dry-run', i % 2 === 0 ? { flowLogIds: [`fl-${i + 1}`] } : {}),
    );
    const alert = renderVpcAlert(CONTEXT, reports)!;
    expect(alert.document.vpcs).toHaveLength(VPC_LIST_LIMIT);
    expect(alert.document.vpcsOmitted).toBe(3);
    expect(alert.text).toContain("  … and 3 more (see the function's log)");
    expect(alert.subject).toContain(`${VPC_LIST_LIMIT + 3} VPCs had no flow log (27 enabled, 26 dry-run)`);
    // The undo line covers every VPC that was enabled (the unlisted ones too), and no dry-run.
    const undo = alert.text.split('\n').find((line) => line.startsWith('Undo:'))!;
    const ids = undo.replace(`Undo:      aws ec2 delete-flow-logs --region ${CONTEXT.region} --flow-log-ids `, '').split(' ');
    expect(ids).toEqual(reports.flatMap((r) => r.flowLogIds ?? []));
    expect(ids).toHaveLength(27);
    expect(alert.document.vpcs.filter((v) => v.outcome === 'dry-run').every((v) => v.flowLogIds === undefined)).toBe(true);
  });

  it('carries the pass summary, in the document and the text, and says when the pass stopped early', () => {
    const summary: VpcRunSummary = {
      vpcs: 9,
      pages: 1,
      byOutcome: { logging: 7, enabled: 2 },
      notLogging: [],
      incomplete: true,
    };
    const alert = renderVpcAlert(CONTEXT, [report(1, 'enabled', { flowLogIds: ['fl-1'] })], summary)!;
    expect(alert.document.summary).toEqual(summary);
    expect(alert.text).toContain('All VPCs:  9 (7 logging, 2 enabled) — INCOMPLETE (time budget reached)');

    const complete = renderVpcAlert(CONTEXT, [report(1, 'enabled')], { ...summary, byOutcome: {}, incomplete: false })!;
    expect(complete.text).toContain('All VPCs:  9 (none)');
    expect(complete.text).not.toContain('INCOMPLETE');
  });
});

describe('the pass tally', () => {
  it('lists only the VPCs that were not logging, failures first, at most the list limit', () => {
    const tally = new VpcTally();
    for (let i = 0; i < VPC_LIST_LIMIT + 5; i += 1) tally.add(report(i + 1, 'withheld'));
    tally.add(report(900, 'logging'));
    tally.add(report(901, 'failed'));
    const summary = tally.summary();
    expect(summary.byOutcome).toEqual({ withheld: VPC_LIST_LIMIT + 5, logging: 1, failed: 1 });
    expect(summary.notLogging).toHaveLength(VPC_LIST_LIMIT);
    expect(summary.notLogging[0]).toEqual({ vpcId: vpcId(901), outcome: 'failed', detail: 'failed detail 901' });
    expect(summary.notLogging.some((b) => b.outcome === 'logging')).toBe(false);
    expect(summary.error).toBeUndefined();
    tally.error = 'DescribeVpcs: throttled';
    expect(tally.summary().error).toBe('DescribeVpcs: throttled');
  });

  it('answers CloudFormation with withheld and dry-run together, and the failed and enabled ids', () => {
    const tally = new VpcTally();
    for (const r of [report(1, 'withheld'), report(2, 'dry-run'), report(3, 'enabled'), report(4, 'exempted'), report(5, 'skipped')])
      tally.add(r);
    const { Data } = deployResponseOf(tally.summary());
    expect(Data).toMatchObject({
      Withheld: '2',
      Enabled: '1',
      Exempted: '1',
      Skipped: '1',
      Failed: '0',
      FailedVpcs: '',
      EnabledVpcs: vpcId(3),
    });
  });
});

describe('the deploy step', () => {
  it('keeps the physical id CloudFormation sent, and only a non-empty one', () => {
    const id = 'b1f0c2de-0000-4000-8000-000000000001';
    expect(deployRequestOf({ RequestType: 'Update', RequestId: id, PhysicalResourceId: DEPLOY_RESOURCE_ID })).toEqual({
      requestType: 'Update',
      requestId: id,
      physicalResourceId: DEPLOY_RESOURCE_ID,
    });
    expect(deployRequestOf({ RequestType: 'Delete', RequestId: id, PhysicalResourceId: '' })).toEqual({
      requestType: 'Delete',
      requestId: id,
    });
    expect(deployRequestOf({ RequestType: 'Delete', RequestId: id, PhysicalResourceId: 7 })).toEqual({
      requestType: 'Delete',
      requestId: id,
    });
    expect(deployRequestOf({ RequestType: 'Delete' })).toEqual({ requestType: 'Delete', requestId: 'unknown-request' });
    expect(deployRequestOf({ RequestType: 'Rollback', RequestId: id })).toBeUndefined();
    expect(deployRequestOf(null)).toBeUndefined();
    expect(deployRequestOf('Create')).toBeUndefined();
  });

  it('names its run after the request, within the 128 characters a tag value holds', () => {
    expect(deployRunId({ requestType: 'Create', requestId: 'req-1' })).toBe('deploy-req-1');
    const long = deployRunId({ requestType: 'Create', requestId: 'a'.repeat(200) });
    expect(long).toHaveLength(128);
    expect(long.startsWith('deploy-aaaa')).toBe(true);
  });
});
