/**
 * Tagging is verified by EC2's answer: `CreateTags` sets every tag of a call or none, so a tagging
 * action whose own calls succeeded is verified without re-reading the resource — one read less per
 * remediation. What the answer does not cover is still read: a reconciliation (the answer was lost
 * with the process that got it) and a check for tags the calls did not write.
 */
import type { Action, ApiCall } from '../../../lambda/core/actions';
import type { NetworkInterface } from '../../../lambda/core/model';
import { AwsCallError, type CallPort, type VerifyReader } from '../../../lambda/app/ports';
import { Remediator } from '../../../lambda/app/remediator';

const ENI = 'eni-0123456789abcdef0';

function tagAction(checked: Record<string, string> = { 'eni-guard:ledger': 'evt-1/' + ENI }): Action {
  return {
    kind: 'tag-interface',
    ruleIds: ['world-open-ingress'],
    summary: `tag ${ENI}`,
    calls: [
      {
        service: 'ec2',
        operation: 'CreateTags',
        input: { Resources: [ENI], Tags: [{ Key: 'eni-guard:ledger', Value: 'evt-1/' + ENI }] },
      },
    ],
    compensation: [],
    checks: [{ kind: 'tags', resourceId: ENI, tags: checked }],
    undo: [],
  } as unknown as Action;
}

function world(options: { refuse?: boolean; tags?: Record<string, string> } = {}) {
  const reads: string[] = [];
  const calls: CallPort = {
    send: (call: ApiCall) =>
      options.refuse ? Promise.reject(new AwsCallError(call.operation, 'UnauthorizedOperation', 'no', false)) : Promise.resolve({}),
  };
  const reader = {
    describeInterface: (id: string) => {
      reads.push(`DescribeNetworkInterfaces ${id}`);
      return Promise.resolve({ networkInterfaceId: id, tags: options.tags ?? {} } as unknown as NetworkInterface);
    },
  } as unknown as VerifyReader;
  return { remediator: new Remediator(calls, reader), reads };
}

describe('verifying a tagging action', () => {
  it('takes a succeeded CreateTags as verified, without reading the interface again', async () => {
    const { remediator, reads } = world();
    const [result] = await remediator.execute([tagAction()]);
    expect(result).toMatchObject({ status: 'succeeded', verified: true });
    expect(result!.verification).toContain('CreateTags');
    expect(reads).toEqual([]);
  });

  it('verifies nothing when CreateTags failed', async () => {
    const { remediator, reads } = world({ refuse: true });
    const [result] = await remediator.execute([tagAction()]);
    expect(result).toMatchObject({ status: 'failed' });
    expect(result!.verified).toBeUndefined();
    expect(reads).toEqual([]);
  });

  it('still reads a tag the calls did not write', async () => {
    const { remediator, reads } = world({ tags: { other: 'x' } });
    const [result] = await remediator.execute([tagAction({ other: 'x' })]);
    expect(reads).toEqual([`DescribeNetworkInterfaces ${ENI}`]);
    expect(result).toMatchObject({ verified: true });
  });

  it('reads the interface when reconciling an interrupted attempt (its answer was lost)', async () => {
    const { remediator, reads } = world({ tags: {} });
    const [seen] = await remediator.reconcile([{ action: tagAction() }]);
    expect(reads).toEqual([`DescribeNetworkInterfaces ${ENI}`]);
    expect(seen).toMatchObject({ verified: false });
  });
});
