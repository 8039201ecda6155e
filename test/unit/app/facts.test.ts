import type { FlowLogCoverage } from '../../../lambda/core/model';
import { FactGatherer } from '../../../lambda/app/facts';
import { type FactReader } from '../../../lambda/app/ports';
import { CONTEXT, networkInterface } from '../../support/fixtures';

/** A reader whose flow logs cover only the resources given, recording what it was asked. */
function reader(covered: string[]): FactReader & { asked: string[][] } {
  const asked: string[][] = [];
  return {
    asked,
    describeGroupRules: () => Promise.resolve([]),
    resolvePrefixLists: () => Promise.resolve(new Map()),
    describeSubnetNetwork: () => Promise.reject(new Error('not needed')),
    describeInstance: () => Promise.resolve(undefined),
    describeCredentialOrigin: () => Promise.reject(new Error('not needed')),
    describeFlowLogs: (ids): Promise<FlowLogCoverage> => {
      asked.push([...ids]);
      return Promise.resolve({ active: ids.filter((id) => covered.includes(id)).map((id) => ({ flowLogId: `fl-${id}`, resourceId: id })) });
    },
  };
}

describe('FactGatherer flow logs', () => {
  const ni = networkInterface();

  it('reads VPC and subnet flow logs once; at creation an interface-level one cannot exist yet', async () => {
    const r = reader([]);
    const facts = await new FactGatherer(r).gather(CONTEXT, ni, new Set(['flowLogs']));
    expect(r.asked).toEqual([['vpc-1', 'subnet-1']]);
    expect(facts.flowLogs).toEqual({ status: 'ok', value: { active: [] } });
  });

  it('for later changes (and the sweep) also finds a flow log on the interface itself', async () => {
    const r = reader([ni.networkInterfaceId]);
    const context = { ...CONTEXT, eventName: 'ModifyNetworkInterfaceAttribute' };
    const facts = await new FactGatherer(r).gather(context, ni, new Set(['flowLogs']));
    expect(r.asked).toEqual([['vpc-1', 'subnet-1'], [ni.networkInterfaceId]]);
    expect(facts.flowLogs).toMatchObject({ status: 'ok', value: { active: [{ resourceId: ni.networkInterfaceId }] } });
  });

  it('does not look further when the VPC is covered', async () => {
    const r = reader(['vpc-1']);
    await new FactGatherer(r).gather({ ...CONTEXT, eventName: 'AssociateAddress' }, ni, new Set(['flowLogs']));
    expect(r.asked).toEqual([['vpc-1', 'subnet-1']]);
  });
});
