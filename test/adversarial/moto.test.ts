/**
 * The attacker's cases whose truth is AWS's state, against moto over the real wire protocol: after
 * the responder ran, the planted group, the victim instance, the foreign account's namesake role and
 * the forged replay left AWS exactly as the attacker did not want it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AssociateIamInstanceProfileCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSnapshotsCommand,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import type { PolicyInput } from '../../lambda/core/policy';
import { assumedRoleIdentity, createNetworkInterfaceRecord, eventBridgeEnvelope } from '../../scripts/lib/cloudtrail-events';
import { createGroup, createInterface, EMULATOR_ENV, ingressRules, runInstance, worldOpen } from '../../scripts/lib/sandbox';
import { ACCOUNT, responderFor, startEmulatedAccount, type EmulatedAccount } from '../support/emulated-account';
import { cli } from '../unit/cli/io';

let account: EmulatedAccount;
let iam: IAMClient;

beforeAll(async () => {
  account = await startEmulatedAccount('10.90.0.0/16');
  iam = new IAMClient(account.connection);
  // The CLI runs in-process with the standard credential chain: the emulator's throwaway keys.
  Object.assign(process.env, EMULATOR_ENV);
}, 60_000);
afterAll(() => account.moto.stop());

const eventFor = (ni: NetworkInterface, patch: { userIdentity?: Record<string, unknown>; account?: string } = {}) =>
  eventBridgeEnvelope(
    createNetworkInterfaceRecord(ni, {
      account: patch.account ?? ACCOUNT,
      region: EMULATOR_ENV.AWS_REGION,
      ...(patch.userIdentity ? { userIdentity: patch.userIdentity } : {}),
    }),
  );
const describe1 = async (id: string) =>
  (await account.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }))).NetworkInterfaces![0]!;
const role = async (name: string) =>
  (
    await iam.send(
      new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }) }),
    )
  ).Role!.Arn!;

describe('against moto: nobody steers the responder', () => {
  it('never quarantines into a group planted with the quarantine tag and name, open to the world', async () => {
    const { ec2, network } = account;
    const planted = (
      await ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: 'eni-guard-quarantine',
          Description: 'looks like eni-guard',
          VpcId: network.vpcId,
          TagSpecifications: [
            {
              ResourceType: 'security-group',
              Tags: [
                { Key: 'eni-guard:quarantine', Value: 'true' },
                { Key: 'eni-guard:managed', Value: 'true' },
              ],
            },
          ],
        }),
      )
    ).GroupId!;
    await ec2.send(new CreateTagsCommand({ Resources: [planted], Tags: [{ Key: 'eni-guard:quarantine', Value: 'true' }] }));
    const { AuthorizeSecurityGroupIngressCommand } = await import('@aws-sdk/client-ec2');
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: planted,
        IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    const shared = await createGroup(ec2, network.vpcId, 'adv-shared', [worldOpen(22)]);
    const victim = await createInterface(ec2, network.subnetId, [shared]);
    await createInterface(ec2, network.subnetId, [shared]);
    const policy: PolicyInput = { version: 1, remediation: { sharedGroups: 'quarantine' } };

    await responderFor(account, policy).handle(eventFor(victim));

    const groups = (await describe1(victim.NetworkInterfaceId!)).Groups!.map((g) => g.GroupId!);
    expect(groups).not.toContain(planted);
    expect(groups).not.toContain(shared);
    expect(groups).toHaveLength(1);
    expect(await ingressRules(ec2, groups[0]!)).toEqual([]);
  });

  it('never isolates an instance a session was merely named after, with or without a forged ec2RoleDelivery', async () => {
    const { ec2, network } = account;
    const victim = await runInstance(ec2, network.subnetId);
    const profile = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'victim-profile' }));
    const appRole = await role('victim-app');
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'victim-profile', RoleName: 'victim-app' }));
    await ec2.send(
      new AssociateIamInstanceProfileCommand({ InstanceId: victim, IamInstanceProfile: { Arn: profile.InstanceProfile!.Arn! } }),
    );
    const victimInterfaces = async () =>
      (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [victim] }))).Reservations![0]!.Instances![0]!.NetworkInterfaces!.map(
        (n) => n.Groups!.map((g) => g.GroupId).join(','),
      );
    const before = await victimInterfaces();
    const mallory = await role('mallory');
    const named = assumedRoleIdentity(mallory, victim);
    const forged = { ...named, sessionContext: { ...(named['sessionContext'] as object), ec2RoleDelivery: '2.0' } };
    const policy: PolicyInput = {
      version: 1,
      rules: {
        'world-open-ingress': { mode: 'notify' },
        caller: { mode: 'remediate', isolateInstance: true, terminateInstance: true, protectedPrincipals: [mallory] },
      },
    };
    const created = await createInterface(ec2, network.subnetId, [await createGroup(ec2, network.vpcId, 'adv-pivot', [])]);

    for (const identity of [named, forged]) await responderFor(account, policy).handle(eventFor(created, { userIdentity: identity }));

    expect(await victimInterfaces()).toEqual(before);
    const state = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [victim] }))).Reservations![0]!.Instances![0]!;
    expect(state.State?.Name).not.toBe('terminated');
    expect((state.Tags ?? []).map((t) => t.Key)).not.toContain('eni-guard:isolated');
    const snapshots = await ec2.send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'description', Values: [`*${victim}*`] }] }));
    expect(snapshots.Snapshots ?? []).toEqual([]);
    // The app role the victim really carries is not even what the forged event named.
    expect(appRole).not.toBe(mallory);
  });

  it("never revokes this account's Admin for a caller who is another account's Admin", async () => {
    await role('Admin');
    const ni = await createInterface(account.ec2, account.network.subnetId, [
      await createGroup(account.ec2, account.network.vpcId, 'adv-admin', []),
    ]);
    const foreign = { ...assumedRoleIdentity('arn:aws:iam::999999999999:role/Admin', 'mallory'), accountId: ACCOUNT };
    const policy: PolicyInput = {
      version: 1,
      rules: { caller: { mode: 'remediate', allowedPrincipals: [`arn:aws:iam::${ACCOUNT}:role/Deploy`] } },
    };

    await responderFor(account, policy).handle(eventFor(ni, { userIdentity: foreign }));

    await expect(
      iam.send(new GetRolePolicyCommand({ RoleName: 'Admin', PolicyName: 'eni-guard-revoke-older-sessions' })),
    ).rejects.toThrow();
  });

  it('a forged dead-letter message replayed with eni-guard respond is judged on EC2, and a foreign account’s is not acted on', async () => {
    const { ec2, network, moto, subscriber } = account;
    const groupId = await createGroup(ec2, network.vpcId, 'adv-forged', [worldOpen(3389)]);
    const ni = await createInterface(ec2, network.subnetId, [groupId]);
    const dir = mkdtempSync(join(tmpdir(), 'eni-guard-forged-'));
    const forged = eventFor(ni) as { detail: { responseElements: { networkInterface: Record<string, unknown> } } };
    // The forger says: AWS owns this interface, leave it alone.
    forged.detail.responseElements.networkInterface['requesterManaged'] = true;
    forged.detail.responseElements.networkInterface['interfaceType'] = 'vpc_endpoint';
    // An SQS receive-message dump of the dead-letter queue, as operators replay it.
    writeFileSync(join(dir, 'dlq.json'), JSON.stringify({ Messages: [{ MessageId: 'm-1', Body: JSON.stringify(forged) }] }));
    const other = await createInterface(ec2, network.subnetId, [await createGroup(ec2, network.vpcId, 'adv-foreign', [worldOpen(5432)])]);
    const foreignGroup = other.Groups![0]!.GroupId!;
    writeFileSync(join(dir, 'foreign.json'), JSON.stringify(eventFor(other, { account: '999999999999' })));
    const at = ['--endpoint-url', moto.endpoint, '--topic-arn', subscriber.topicArn];

    const replayed = await cli(['respond', '--event', 'dlq.json', '--output', 'json', ...at], { cwd: dir, env: {} });
    const foreign = await cli(['respond', '--event', 'foreign.json', '--output', 'json', ...at], { cwd: dir, env: {} });

    expect(replayed.stderr).toBe('');
    expect(await ingressRules(ec2, groupId)).toEqual([]);
    expect(foreign.stdout).toContain('out-of-scope');
    expect((await ingressRules(ec2, foreignGroup)).map((r) => r.FromPort)).toEqual([5432]);
    await subscriber.drain();
  });
});
