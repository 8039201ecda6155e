/**
 * Beyond creation, against moto over the real wire protocol with the production wiring
 * (lambda/functions/wiring.ts) in-process and the DynamoDB ledger: an instance launched with a world-open
 * group (RunInstances, no CreateNetworkInterface event), and a rule opened on a group two
 * interfaces share (one alert for the change). Assertions are on AWS state and on what an SQS
 * subscriber of the topic received.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeNetworkInterfacesCommand,
  type EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { Decision } from '../../lambda/core/decision';
import type { PolicyInput } from '../../lambda/core/policy';
import type { HandleResult } from '../../lambda/app/responder';
import { createGroup, createInterface, ingressRules, worldOpen } from '../../scripts/lib/sandbox';
import { authorizeIngressEvent, runInstancesEvent } from '../support/change-records';
import { createClients } from '../../lambda/functions/wiring';
import { responderFor, startEmulatedAccount, type EmulatedAccount } from '../support/emulated-account';

jest.setTimeout(30_000);

let account: EmulatedAccount;
let ec2: EC2Client;
let subscriber: EmulatedAccount['subscriber'];
let network: EmulatedAccount['network'];

beforeAll(async () => {
  account = await startEmulatedAccount('10.50.0.0/16');
  ({ ec2, subscriber, network } = account);
}, 60_000);

afterAll(async () => {
  await account?.moto.stop();
});

beforeEach(async () => {
  await subscriber.drain();
});

/** The production wiring against moto. */
const guard = (policy: PolicyInput = { version: 1 }) => responderFor(account, policy);

function decisionsOf(result: HandleResult): readonly Decision[] {
  if (result.kind !== 'decided') throw new Error(`expected decisions, got ${JSON.stringify(result)}`);
  return result.decisions;
}

const groupsOf = async (id: string) =>
  ((await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }))).NetworkInterfaces?.[0]?.Groups ?? []).map(
    (g) => g.GroupId,
  );

describe('changes against moto', () => {
  it('catches an instance launched with a world-open group through RunInstances, which emits no CreateNetworkInterface', async () => {
    const groupId = await createGroup(ec2, network.vpcId, 'launch-wizard-1', [worldOpen(22), worldOpen(443)]);
    const launched = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12c6146b',
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: network.subnetId,
        SecurityGroupIds: [groupId],
      }),
    );
    const instance = launched.Instances![0]!;
    const primary = instance.NetworkInterfaces![0]!.NetworkInterfaceId!;

    const decisions = decisionsOf(await guard().handle(runInstancesEvent([instance])));

    expect(decisions.map((d) => [d.networkInterfaceId, d.outcome, d.context.eventName])).toEqual([
      [primary, 'noncompliant', 'RunInstances'],
    ]);
    expect(decisions[0]!.findings.map((f) => f.ruleId)).toContain('world-open-ingress');
    // The group is the instance's alone: its world-open SSH is revoked, HTTPS stays.
    expect((await ingressRules(ec2, groupId)).map((r) => r.FromPort)).toEqual([443]);
    const alerts = await subscriber.drain();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      attributes: { rule: 'world-open-ingress', response: 'remediated' },
      document: { eventName: 'RunInstances', networkInterface: { id: primary, attachedInstanceId: instance.InstanceId } },
    });
  });

  it('catches port 22 opened on a group two interfaces use: both are fixed, and the subscriber gets one alert listing both', async () => {
    const shared = await createGroup(ec2, network.vpcId, 'shared-app', [worldOpen(443)]);
    const a = (await createInterface(ec2, network.subnetId, [shared])).NetworkInterfaceId!;
    const b = (await createInterface(ec2, network.subnetId, [shared])).NetworkInterfaceId!;
    const opened = await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: shared, IpPermissions: [worldOpen(22)] }));

    const decisions = decisionsOf(await guard().handle(authorizeIngressEvent(shared, [worldOpen(22)], opened.SecurityGroupRules ?? [])));

    expect(decisions.map((d) => [d.networkInterfaceId, d.outcome]).sort()).toEqual(
      [
        [a, 'noncompliant'],
        [b, 'noncompliant'],
      ].sort(),
    );
    // Default policy (sharedGroups: copy): the shared group is not edited; each interface moves to its own copy without port 22.
    expect((await ingressRules(ec2, shared)).map((r) => r.FromPort).sort()).toEqual([22, 443]);
    for (const id of [a, b]) {
      const [copy] = await groupsOf(id);
      expect(copy).not.toBe(shared);
      expect((await ingressRules(ec2, copy!)).map((r) => r.FromPort)).toEqual([443]);
    }
    const alerts = await subscriber.drain();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      subject: expect.stringMatching(new RegExp(`world-open-ingress on ${shared} \\(2 interfaces\\): remediated$`)),
      // High, not critical: the interfaces have no public IP, so the exposure is latent (one step lower), and still fixed.
      attributes: { kind: 'group-change', severity: 'high', response: 'remediated', rule: 'world-open-ingress' },
      document: {
        scope: 'group-change',
        eventName: 'AuthorizeSecurityGroupIngress',
        change: { groupId: shared, rules: [expect.objectContaining({ protocol: 'tcp', fromPort: 22, cidrIpv4: '0.0.0.0/0' })] },
        evaluated: { noncompliant: 2 },
      },
    });
    const listed = (alerts[0]!.document['interfaces'] as { id: string; response: string }[]).map((i) => [i.id, i.response]).sort();
    expect(listed).toEqual(
      [
        [a, 'remediated'],
        [b, 'remediated'],
      ].sort(),
    );
  });

  it('a redelivered group change acts and alerts once (ledger per interface under the change’s event id)', async () => {
    const shared = await createGroup(ec2, network.vpcId, 'shared-redelivered', []);
    await createInterface(ec2, network.subnetId, [shared]);
    await createInterface(ec2, network.subnetId, [shared]);
    const opened = await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: shared, IpPermissions: [worldOpen(3389)] }));
    const event = authorizeIngressEvent(shared, [worldOpen(3389)], opened.SecurityGroupRules ?? []);

    await guard().handle(event);
    const again = decisionsOf(await guard().handle(event));

    expect(again.map((d) => d.outcome)).toEqual(['duplicate', 'duplicate']);
    expect(await subscriber.drain()).toHaveLength(1);
  });

  it('a group change across twelve interfaces: a fix that failed on a transient error is retried on the redelivery, never taken for a duplicate', async () => {
    const shared = await createGroup(ec2, network.vpcId, 'shared-twelve', [worldOpen(443)]);
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) ids.push((await createInterface(ec2, network.subnetId, [shared])).NetworkInterfaceId!);
    const unlucky = ids[5]!;
    const opened = await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: shared, IpPermissions: [worldOpen(22)] }));
    const event = authorizeIngressEvent(shared, [worldOpen(22)], opened.SecurityGroupRules ?? []);
    // EC2 answers 503 to every attempt at moving one interface, beyond the SDK's retries — then recovers.
    let outage = true;
    const clients = createClients(account.connection);
    clients.ec2.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { NetworkInterfaceId?: string; Groups?: string[] };
        if (
          outage &&
          context.commandName === 'ModifyNetworkInterfaceAttributeCommand' &&
          input.NetworkInterfaceId === unlucky &&
          input.Groups
        ) {
          throw Object.assign(new Error('Service Unavailable'), {
            name: 'Unavailable',
            $fault: 'server',
            $metadata: { httpStatusCode: 503 },
          });
        }
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'outage' },
    );
    const responder = responderFor(account, { version: 1 }, { clients });

    // The first delivery fixes eleven, reports them, names the twelfth as pending, and fails so that it is delivered again.
    const failure = await responder.handle(event).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.name).toBe('BatchIncompleteError');
    expect(failure?.message).toContain(`11 interface(s) handled`);
    expect(failure?.message).toContain(`1 not yet (${unlucky}: `);
    for (const id of ids.filter((i) => i !== unlucky)) expect(failure?.message).toContain(`${id} noncompliant/remediated`);
    expect(await groupsOf(unlucky)).toEqual([shared]);
    const [partial] = await subscriber.drain();
    expect((partial?.document['interfaces'] as { id: string }[]).map((i) => i.id).sort()).toEqual(ids.filter((i) => i !== unlucky).sort());
    expect(partial?.document['pending']).toEqual([{ id: unlucky, reason: expect.stringContaining('not fixed yet on attempt 1') }]);

    outage = false;
    const again = decisionsOf(await responder.handle(event));

    expect(again.find((d) => d.networkInterfaceId === unlucky)?.outcome).toBe('noncompliant');
    expect(again.filter((d) => d.outcome === 'duplicate')).toHaveLength(11);
    // Every interface closed: eleven on their copies; the twelfth, by then the group's only user, by revoking the rule in place.
    for (const id of ids) {
      const open = [];
      for (const group of await groupsOf(id)) open.push(...(await ingressRules(ec2, group!)).filter((r) => r.FromPort === 22));
      expect([id, open]).toEqual([id, []]);
    }
    const [rest, ...more] = await subscriber.drain();
    expect(more).toEqual([]);
    expect(rest?.document['interfaces']).toEqual([expect.objectContaining({ id: unlucky, response: 'remediated' })]);
  }, 60_000);

  it('stays quiet for a rule change on a group no interface uses', async () => {
    const unused = await createGroup(ec2, network.vpcId, 'unused', []);
    const result = await guard().handle(authorizeIngressEvent(unused, [worldOpen(22)]));
    expect(result).toMatchObject({ kind: 'ignored', reason: 'no-interface' });
    expect(await subscriber.drain()).toEqual([]);
  });
});
