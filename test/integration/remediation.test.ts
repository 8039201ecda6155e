/**
 * Every remediation against moto over the real wire protocol, with the DynamoDB ledger: the fix,
 * its verification, its undo, and duplicate deliveries. The responder is the production wiring
 * (lambda/functions/wiring.ts) run in-process; assertions are on the resulting AWS state.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AssociateIamInstanceProfileCommand,
  AuthorizeSecurityGroupIngressCommand,
  DescribeFlowLogsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSnapshotsCommand,
  DescribeTagsCommand,
  type EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
} from '@aws-sdk/client-ec2';
import {
  AddRoleToInstanceProfileCommand,
  CreateAccessKeyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
} from '@aws-sdk/client-iam';
import type { PolicyInput } from '../../lambda/core/policy';
import type { Decision } from '../../lambda/core/decision';
import type { HandleResult } from '../../lambda/app/responder';
import { createClients, createUndoer } from '../../lambda/functions/wiring';
import { DynamoLedger } from '../../lambda/adapters/ledger';
import { UndoError } from '../../lambda/app/remediator';
import { RemediationIncompleteError } from '../../lambda/app/retry';
import { cli } from '../unit/cli/io';
import { authorizeIngressEvent } from '../support/change-records';
import { createNetworkInterfaceRecord, eventBridgeEnvelope, assumedRoleIdentity } from '../../scripts/lib/cloudtrail-events';
import {
  attachElasticIp,
  attachInterface,
  createGroup,
  createInterface,
  createNetwork,
  EMULATOR_ENV,
  ingressRules,
  runInstance,
  worldOpen,
} from '../../scripts/lib/sandbox';
import { ACCOUNT, responderFor, startEmulatedAccount, type EmulatedAccount } from '../support/emulated-account';

let account: EmulatedAccount;
let moto: EmulatedAccount['moto'];
let ec2: EC2Client;
let iam: IAMClient;
let ledgerTable: string;
let subscriber: EmulatedAccount['subscriber'];
let network: EmulatedAccount['network'];
/** Mutating EC2/IAM calls the responder sent, in order (read calls are not listed). */
const sent: { operation: string; input: unknown }[] = [];
/** Runs once right after the named operation succeeds (to change things behind the responder's back). */
const after = new Map<string, () => Promise<void>>();

beforeAll(async () => {
  account = await startEmulatedAccount('10.40.0.0/16');
  ({ moto, ec2, ledgerTable, subscriber, network } = account);
  iam = new IAMClient(account.connection);
  // The CLI tests below run `eni-guard` in-process: its SDK clients read these like any AWS CLI.
  Object.assign(process.env, EMULATOR_ENV);
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

beforeEach(async () => {
  sent.length = 0;
  after.clear();
  await subscriber.drain();
});

/** The production wiring against moto, recording the mutating calls it sends. */
function guard(policy: PolicyInput = { version: 1 }, settings: { flowLogDestination?: boolean } = {}) {
  const clients = createClients(account.connection);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one middleware for two clients' stacks
  const record = (next: any, context: { commandName?: string }) => async (args: { input: unknown }) => {
    const operation = String(context.commandName).replace(/Command$/, '');
    // eslint-disable-next-line @typescript-eslint/no-unsafe-call
    const result = await next(args);
    if (!/^(Describe|Get|List)/.test(operation)) sent.push({ operation, input: args.input });
    const hook = after.get(operation);
    if (hook) {
      after.delete(operation);
      await hook();
    }
    // eslint-disable-next-line @typescript-eslint/no-unsafe-return
    return result;
  };
  clients.ec2.middlewareStack.add(record as never, { step: 'initialize', name: 'recordCalls' });
  clients.iam.middlewareStack.add(record as never, { step: 'initialize', name: 'recordCalls' });
  const flowLogDestination = {
    type: 'cloud-watch-logs' as const,
    arn: `arn:aws:logs:${EMULATOR_ENV.AWS_REGION}:${ACCOUNT}:log-group:/eni-guard/flow-logs`,
    deliveryRoleArn: `arn:aws:iam::${ACCOUNT}:role/flow-logs-delivery`,
  };
  const responder = responderFor(account, policy, {
    clients,
    ...(settings.flowLogDestination ? { settings: { flowLogDestination } } : {}),
  });
  return { responder, undoer: createUndoer(clients, ledgerTable) };
}

const eventFor = (
  ni: { NetworkInterfaceId?: string; SubnetId?: string; VpcId?: string; Groups?: { GroupId?: string }[] },
  identity?: Record<string, unknown>,
) =>
  eventBridgeEnvelope(
    createNetworkInterfaceRecord(ni, {
      account: ACCOUNT,
      region: EMULATOR_ENV.AWS_REGION,
      ...(identity ? { userIdentity: identity } : {}),
    }),
  );

function only(result: HandleResult): Decision {
  if (result.kind !== 'decided' || result.decisions.length !== 1) throw new Error(`expected one decision, got ${JSON.stringify(result)}`);
  return result.decisions[0]!;
}

const describeInterface = async (id: string) =>
  (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }))).NetworkInterfaces![0]!;
const shape = (rules: Awaited<ReturnType<typeof ingressRules>>) =>
  rules
    .map((r) => ({ protocol: r.IpProtocol, from: r.FromPort, to: r.ToPort, cidr: r.CidrIpv4, description: r.Description }))
    .sort((a, b) => (a.from ?? 0) - (b.from ?? 0));

describe('remediation against moto', () => {
  it('revokes world-open SSH of a group only this interface uses, verifies it, tags the interface; undo restores the exact pre-state', async () => {
    const groupId = await createGroup(ec2, network.vpcId, 'solo-ssh', [worldOpen(22), worldOpen(443)]);
    const ni = await createInterface(ec2, network.subnetId, [groupId]);
    const before = shape(await ingressRules(ec2, groupId));
    const { responder, undoer } = guard();

    const decision = only(await responder.handle(eventFor(ni)));

    expect(decision.results.map((r) => [r.action.kind, r.status, r.verified])).toEqual([
      ['revoke-ingress', 'succeeded', true],
      ['tag-interface', 'succeeded', true],
    ]);
    expect(shape(await ingressRules(ec2, groupId)).map((r) => r.from)).toEqual([443]);
    const tagged = Object.fromEntries((await describeInterface(ni.NetworkInterfaceId!)).TagSet!.map((t) => [t.Key, t.Value]));
    expect(tagged).toMatchObject({ 'eni-guard:findings': 'world-open-ingress', 'eni-guard:ledger': decision.ledgerId });

    const undone = await undoer.undo(decision.ledgerId!);

    expect(undone.status).toBe('undone');
    expect(shape(await ingressRules(ec2, groupId))).toEqual(before);
    expect((await describeInterface(ni.NetworkInterfaceId!)).TagSet ?? []).toEqual([]);
    expect((await undoer.show(decision.ledgerId!)).status).toBe('undone');
    await expect(undoer.undo(decision.ledgerId!)).rejects.toThrow(UndoError);
  });

  it('fixes an interface on a shared group with a copy, leaving the group and the other interface untouched; undo swaps back', async () => {
    const shared = await createGroup(ec2, network.vpcId, 'shared-web', [worldOpen(22), worldOpen(443)]);
    const ni = await createInterface(ec2, network.subnetId, [shared]);
    const other = await createInterface(ec2, network.subnetId, [shared]);
    const { responder, undoer } = guard();

    const decision = only(await responder.handle(eventFor(ni)));

    const [result] = decision.results;
    expect(result).toMatchObject({ status: 'succeeded', verified: true, action: { kind: 'replace-groups' } });
    const copy = result!.outputs[`copy-of-${shared}`]!;
    expect((await describeInterface(ni.NetworkInterfaceId!)).Groups!.map((g) => g.GroupId)).toEqual([copy]);
    expect(shape(await ingressRules(ec2, copy)).map((r) => r.from)).toEqual([443]);
    expect(shape(await ingressRules(ec2, shared)).map((r) => r.from)).toEqual([22, 443]);
    expect((await describeInterface(other.NetworkInterfaceId!)).Groups!.map((g) => g.GroupId)).toEqual([shared]);
    expect(sent.filter((c) => JSON.stringify(c.input).includes(`"GroupId":"${shared}"`))).toEqual([]);

    await undoer.undo(decision.ledgerId!);
    expect((await describeInterface(ni.NetworkInterfaceId!)).Groups!.map((g) => g.GroupId)).toEqual([shared]);
    await expect(ingressRules(ec2, copy)).resolves.toEqual([]);
  });

  it('retries a fix reverted behind its back before verification, and alerts once it holds', async () => {
    const groupId = await createGroup(ec2, network.vpcId, 'reverted', [worldOpen(3306)]);
    const ni = await createInterface(ec2, network.subnetId, [groupId]);
    const { responder } = guard();
    after.set('RevokeSecurityGroupIngress', async () => {
      await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [worldOpen(3306)] }));
    });
    const event = eventFor(ni);

    // Not verified is not final: recorded as incomplete, the invocation fails, nobody is told "remediated".
    await expect(responder.handle(event)).rejects.toThrow(RemediationIncompleteError);
    expect(await subscriber.drain()).toEqual([]);
    const decision = only(await responder.handle(event));

    expect(decision.results.map((r) => [r.action.kind, r.status, r.verified, r.superseded])).toEqual([
      ['revoke-ingress', 'succeeded', false, 'retried by attempt 2'],
      ['tag-interface', 'succeeded', true, undefined],
      ['revoke-ingress', 'succeeded', true, undefined],
    ]);
    expect(await ingressRules(ec2, groupId)).toEqual([]);
    const alerts = await subscriber.drain();
    expect(alerts.map((a) => a.attributes['response'])).toEqual(['remediated']);
  });

  it('gives up after three attempts at a fix that never holds, and escalates it in the alert', async () => {
    const groupId = await createGroup(ec2, network.vpcId, 'reverted-always', [worldOpen(3307)]);
    const ni = await createInterface(ec2, network.subnetId, [groupId]);
    const { responder } = guard();
    const revert = async () => {
      await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [worldOpen(3307)] }));
      after.set('RevokeSecurityGroupIngress', revert);
    };
    after.set('RevokeSecurityGroupIngress', revert);
    const event = eventFor(ni);

    await expect(responder.handle(event)).rejects.toThrow(RemediationIncompleteError);
    await expect(responder.handle(event)).rejects.toThrow(RemediationIncompleteError);
    const decision = only(await responder.handle(event));

    expect(decision.escalation).toMatch(/gave up after 3 attempt/);
    const [alert] = await subscriber.drain();
    expect(alert?.attributes['response']).toBe('remediation-failed');
    expect(alert?.document['escalation']).toMatch(/finish this by hand/);
    after.clear();
  });

  it('remediates once and alerts once when the same event arrives three times at once and twice more later', async () => {
    const groupId = await createGroup(ec2, network.vpcId, 'duplicate', [worldOpen(5432)]);
    const ni = await createInterface(ec2, network.subnetId, [groupId]);
    const event = eventFor(ni);
    const concurrent = [guard(), guard(), guard()];

    const first = await Promise.allSettled(concurrent.map(({ responder }) => responder.handle(event)));
    const later = [await guard().responder.handle(event), await guard().responder.handle(event)];

    // One acts; the others find its claim held and fail, so Lambda delivers them again — then they are duplicates.
    const acted = first.flatMap((r) => (r.status === 'fulfilled' ? [only(r.value).outcome] : []));
    const held = first.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    expect(acted.filter((o) => o === 'noncompliant')).toHaveLength(1);
    expect(acted.filter((o) => o !== 'noncompliant').every((o) => o === 'duplicate')).toBe(true);
    expect(held.every((e) => e.name === 'ClaimHeldError')).toBe(true);
    const outcomes = [...acted, ...later.map((r) => only(r).outcome)];
    expect(outcomes.filter((o) => o === 'noncompliant')).toHaveLength(1);
    expect(sent.filter((c) => c.operation === 'RevokeSecurityGroupIngress')).toHaveLength(1);
    expect(await subscriber.drain()).toHaveLength(1);
  });

  it('in dry-run plans exactly the calls a live run then sends', async () => {
    const planned = async () => {
      const groupId = await createGroup(ec2, network.vpcId, `parity-${Date.now()}`, [worldOpen(22)]);
      const ni = await createInterface(ec2, network.subnetId, [groupId]);
      await createInterface(ec2, network.subnetId, [groupId]);
      return { groupId, ni };
    };
    const shadowTarget = await planned();
    const shadow = only(await guard({ version: 1, dryRun: true }).responder.handle(eventFor(shadowTarget.ni)));
    expect(sent).toEqual([]);
    const liveTarget = await planned();
    sent.length = 0;
    const live = only(await guard().responder.handle(eventFor(liveTarget.ni)));

    // Same operations in the same order, and the same inputs once the ids of the two targets are aligned.
    const plannedCalls = shadow.plan!.actions.flatMap((a) => a.calls.map((c) => c.operation));
    expect(sent.map((c) => c.operation)).toEqual(plannedCalls);
    const executed = live.results.flatMap((r) => r.calls.map((c) => c.operation));
    expect(executed).toEqual(plannedCalls);
  });

  it('disassociates an Elastic IP and keeps the allocation; undo re-associates it', async () => {
    const groupId = await createGroup(ec2, network.vpcId, 'eip', []);
    const ni = await createInterface(ec2, network.subnetId, [groupId]);
    const eip = await attachElasticIp(ec2, ni.NetworkInterfaceId!);
    const { responder, undoer } = guard({ version: 1, rules: { 'public-ip': { mode: 'remediate' } } });

    const decision = only(await responder.handle(eventFor(ni)));

    expect(decision.results[0]).toMatchObject({ action: { kind: 'disassociate-address' }, status: 'succeeded', verified: true });
    expect((await describeInterface(ni.NetworkInterfaceId!)).Association).toBeUndefined();
    await undoer.undo(decision.ledgerId!);
    expect((await describeInterface(ni.NetworkInterfaceId!)).Association).toMatchObject({
      PublicIp: eip.publicIp,
      AllocationId: eip.allocationId,
    });
  });

  it('turns the source/destination check back on, and undo turns it off again', async () => {
    const ni = await createInterface(ec2, network.subnetId, [await createGroup(ec2, network.vpcId, 'sdc', [])]);
    await ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: ni.NetworkInterfaceId!, SourceDestCheck: { Value: false } }),
    );
    const { responder, undoer } = guard({ version: 1, rules: { 'source-dest-check': { mode: 'remediate' } } });

    const decision = only(await responder.handle(eventFor(ni)));

    expect(decision.results[0]).toMatchObject({ action: { kind: 'restore-source-dest-check' }, verified: true });
    expect((await describeInterface(ni.NetworkInterfaceId!)).SourceDestCheck).toBe(true);
    await undoer.undo(decision.ledgerId!);
    expect((await describeInterface(ni.NetworkInterfaceId!)).SourceDestCheck).toBe(false);
  });

  it('enables flow logs for a VPC without them, to the stack destination, and verifies they are ACTIVE', async () => {
    const vpc = await createNetwork(ec2, '10.41.0.0/16');
    const ni = await createInterface(ec2, vpc.subnetId, [await createGroup(ec2, vpc.vpcId, 'no-flow-logs', [])]);
    const { responder, undoer } = guard({ version: 1, rules: { 'vpc-flow-logs': { mode: 'remediate' } } }, { flowLogDestination: true });

    const decision = only(await responder.handle(eventFor(ni)));

    expect(decision.results[0]).toMatchObject({ action: { kind: 'enable-flow-logs' }, status: 'succeeded', verified: true });
    const logs = await ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: [vpc.vpcId] }] }));
    expect(logs.FlowLogs?.map((f) => f.FlowLogStatus)).toEqual(['ACTIVE']);
    await undoer.undo(decision.ledgerId!);
    const gone = await ec2.send(new DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: [vpc.vpcId] }] }));
    expect(gone.FlowLogs ?? []).toEqual([]);
  });

  it('tags an attached instance without backup coverage so the Backup plan selects it', async () => {
    const instanceId = await runInstance(ec2, network.subnetId);
    const ni = await createInterface(ec2, network.subnetId, [await createGroup(ec2, network.vpcId, 'backup', [])]);
    await attachInterface(ec2, ni.NetworkInterfaceId!, instanceId);
    const { responder } = guard({ version: 1, rules: { 'backup-coverage': { mode: 'remediate' } } });

    const decision = only(await responder.handle(eventFor(ni)));

    expect(decision.results[0]).toMatchObject({ action: { kind: 'tag-for-backup' }, status: 'succeeded', verified: true });
    const tags = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [instanceId] }] }));
    expect(tags.Tags?.map((t) => [t.Key, t.Value])).toContainEqual(['backup', 'daily']);
  });

  it('quarantines an interface on a shared group when the policy says so, creating the VPC quarantine group once', async () => {
    const shared = await createGroup(ec2, network.vpcId, 'quarantine-shared', [worldOpen(23)]);
    // Three users: after the first is quarantined, the second still shares the group with the third.
    const [a, b] = [await createInterface(ec2, network.subnetId, [shared]), await createInterface(ec2, network.subnetId, [shared])];
    await createInterface(ec2, network.subnetId, [shared]);
    const policy: PolicyInput = { version: 1, remediation: { sharedGroups: 'quarantine' } };

    const first = only(await guard(policy).responder.handle(eventFor(a)));
    const second = only(await guard(policy).responder.handle(eventFor(b)));

    const quarantine = (await describeInterface(a.NetworkInterfaceId!)).Groups!.map((g) => g.GroupId);
    expect(first.results[0]).toMatchObject({ action: { kind: 'quarantine' }, verified: true });
    expect((await describeInterface(b.NetworkInterfaceId!)).Groups!.map((g) => g.GroupId)).toEqual(quarantine);
    expect(second.results[0]?.calls.map((c) => c.operation)).toEqual(['ModifyNetworkInterfaceAttribute']);
    expect(await ingressRules(ec2, quarantine[0]!)).toEqual([]);
  });

  it("revokes a role's sessions when its instance credentials created an interface; never the responder's own", async () => {
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: 'app-instance',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
      }),
    );
    const ni = await createInterface(ec2, network.subnetId, [await createGroup(ec2, network.vpcId, 'caller', [])]);
    const { responder, undoer } = guard({ version: 1, rules: { caller: { mode: 'remediate' } } });

    const decision = only(await responder.handle(eventFor(ni, assumedRoleIdentity(role.Role!.Arn!, 'i-0123456789abcdef0'))));

    expect(decision.results[0]).toMatchObject({ action: { kind: 'revoke-role-sessions' }, status: 'succeeded', verified: true });
    const policy = await iam.send(new GetRolePolicyCommand({ RoleName: 'app-instance', PolicyName: 'eni-guard-revoke-older-sessions' }));
    expect(decodeURIComponent(policy.PolicyDocument!)).toContain('aws:TokenIssueTime');
    await undoer.undo(decision.ledgerId!);
    await expect(
      iam.send(new GetRolePolicyCommand({ RoleName: 'app-instance', PolicyName: 'eni-guard-revoke-older-sessions' })),
    ).rejects.toThrow();
  });

  it("deactivates an IAM user's access key that is not an allowed principal; undo reactivates it", async () => {
    await iam.send(new CreateUserCommand({ UserName: 'mallory' }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'mallory' }));
    const ni = await createInterface(ec2, network.subnetId, [await createGroup(ec2, network.vpcId, 'user', [])]);
    const identity = {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: `arn:aws:iam::${ACCOUNT}:user/mallory`,
      accountId: ACCOUNT,
      accessKeyId: key.AccessKey!.AccessKeyId!,
      userName: 'mallory',
    };
    const policy: PolicyInput = {
      version: 1,
      rules: { caller: { mode: 'remediate', allowedPrincipals: [`arn:aws:iam::${ACCOUNT}:role/deploy`] } },
    };
    const { responder, undoer } = guard(policy);

    const decision = only(await responder.handle(eventFor(ni, identity)));

    expect(decision.results[0]).toMatchObject({ action: { kind: 'deactivate-access-key' }, verified: true });
    const status = async () => (await iam.send(new ListAccessKeysCommand({ UserName: 'mallory' }))).AccessKeyMetadata![0]!.Status;
    expect(await status()).toBe('Inactive');
    await undoer.undo(decision.ledgerId!);
    expect(await status()).toBe('Active');
  });

  it('deletes an unattached interface in a forbidden subnet when opted in; the ledger says it cannot be undone', async () => {
    const ni = await createInterface(ec2, network.subnetId, [await createGroup(ec2, network.vpcId, 'forbidden', [])]);
    const policy: PolicyInput = { version: 1, rules: { 'network-placement': { mode: 'remediate', allowedSubnets: ['subnet-00000000'] } } };
    const { responder, undoer } = guard(policy);

    const decision = only(await responder.handle(eventFor(ni)));

    expect(decision.results.map((r) => [r.action.kind, r.status, r.verified])).toEqual([['delete-interface', 'succeeded', true]]);
    await expect(ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [ni.NetworkInterfaceId!] }))).rejects.toThrow();
    await expect(undoer.undo(decision.ledgerId!)).rejects.toThrow('cannot be undone');
    expect((await undoer.show(decision.ledgerId!)).preState?.networkInterface.subnetId).toBe(network.subnetId);
  });

  it('isolates the instance whose credentials created an interface (opt-in): quarantine, forensic snapshots, tag; undo restores its groups', async () => {
    const appGroup = await createGroup(ec2, network.vpcId, 'app', [worldOpen(443)]);
    const instanceId = await runInstance(ec2, network.subnetId);
    const primary = (
      await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }))
    ).NetworkInterfaces![0]!;
    await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: primary.NetworkInterfaceId!, Groups: [appGroup] }));
    const created = await createInterface(ec2, network.subnetId, [await createGroup(ec2, network.vpcId, 'pivot', [])]);
    // Isolation needs proof that the call was made with this instance's credentials: the instance is
    // associated with an instance profile carrying the session's role, and CloudTrail says ec2RoleDelivery.
    const role = await iam.send(
      new CreateRoleCommand({ RoleName: 'app-role', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }) }),
    );
    const profile = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'app-profile' }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'app-profile', RoleName: 'app-role' }));
    await ec2.send(
      new AssociateIamInstanceProfileCommand({ InstanceId: instanceId, IamInstanceProfile: { Arn: profile.InstanceProfile!.Arn! } }),
    );
    const policy: PolicyInput = { version: 1, rules: { caller: { mode: 'remediate', isolateInstance: true } } };
    const { responder, undoer } = guard(policy);
    const identity = assumedRoleIdentity(role.Role!.Arn!, instanceId);
    const delivered = { ...identity, sessionContext: { ...(identity['sessionContext'] as object), ec2RoleDelivery: '2.0' } };

    const decision = only(await responder.handle(eventFor(created, delivered)));

    const isolation = decision.results.find((r) => r.action.kind === 'isolate-instance');
    expect(isolation).toMatchObject({ status: 'succeeded', verified: true });
    const quarantined = (await describeInterface(primary.NetworkInterfaceId!)).Groups!.map((g) => g.GroupId);
    expect(quarantined).not.toEqual([appGroup]);
    expect(await ingressRules(ec2, quarantined[0]!)).toEqual([]);
    const snapshots = await ec2.send(
      new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:eni-guard:ledger', Values: [decision.ledgerId!] }] }),
    );
    expect(snapshots.Snapshots?.length).toBeGreaterThanOrEqual(1);

    await undoer.undo(decision.ledgerId!);
    expect((await describeInterface(primary.NetworkInterfaceId!)).Groups!.map((g) => g.GroupId)).toEqual([appGroup]);
  });

  it('stops fighting an IaC pipeline that keeps re-applying a violation, and escalates (ledger-backed count)', async () => {
    const groupId = await createGroup(ec2, network.vpcId, 'iac-fight', []);
    const ni = await createInterface(ec2, network.subnetId, [groupId]);
    const pipeline = assumedRoleIdentity(`arn:aws:iam::${ACCOUNT}:role/terraform-deploy`, 'build-7');
    const policy: PolicyInput = {
      version: 1,
      automation: { principals: [`arn:aws:iam::${ACCOUNT}:role/terraform-*`], conflictThreshold: 2 },
    };

    const responses: string[] = [];
    for (let apply = 0; apply < 3; apply += 1) {
      // The pipeline re-applies its template: SSH open to the world again.
      await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [worldOpen(22)] }));
      const decision = only(await guard(policy).responder.handle(eventFor(ni, pipeline)));
      responses.push(decision.plan?.escalation ? 'escalated' : decision.results.every((r) => r.verified) ? 'fixed' : 'failed');
    }

    expect(responses).toEqual(['fixed', 'fixed', 'escalated']);
    expect((await ingressRules(ec2, groupId)).map((r) => r.FromPort)).toEqual([22]);
    const alerts = await subscriber.drain();
    expect(alerts).toHaveLength(3);
    expect(JSON.stringify(alerts[2]?.document)).toContain('IaC conflict');
  });

  it('eni-guard undo restores a fix from the ledger, shows it first with --dry-run, and refuses a second undo', async () => {
    const groupId = await createGroup(ec2, network.vpcId, 'cli-undo', [worldOpen(3389)]);
    const ni = await createInterface(ec2, network.subnetId, [groupId]);
    const decision = only(await guard().responder.handle(eventFor(ni)));
    const env = { LEDGER_TABLE_NAME: ledgerTable };
    const at = ['--endpoint-url', moto.endpoint];

    const preview = await cli(['undo', decision.ledgerId!, '--dry-run', ...at], { env });
    expect(preview).toMatchObject({ code: 0, stderr: '' });
    expect(preview.stdout).toContain(`AuthorizeSecurityGroupIngress GroupId=${groupId}`);
    expect(await ingressRules(ec2, groupId)).toEqual([]);

    const run = await cli(['undo', decision.ledgerId!, '--output', 'json', ...at], { env });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ledgerId: decision.ledgerId, status: 'undone' });
    expect((await ingressRules(ec2, groupId)).map((r) => r.FromPort)).toEqual([3389]);

    const again = await cli(['undo', decision.ledgerId!, ...at], { env });
    expect(again).toMatchObject({ code: 3, stderr: expect.stringContaining('already undone') });
    const usage = await cli(['undo', 'not-a-ledger-id'], { env });
    expect(usage.code).toBe(2);
  });

  it('eni-guard respond --ledger-table records like the function: a replayed event does not alert twice', async () => {
    const groupId = await createGroup(ec2, network.vpcId, 'cli-replay', [worldOpen(6379)]);
    const ni = await createInterface(ec2, network.subnetId, [groupId]);
    const dir = mkdtempSync(join(tmpdir(), 'eni-guard-replay-'));
    writeFileSync(join(dir, 'event.json'), JSON.stringify(eventFor(ni)));
    // Notify only: the finding stands after the first run, so only the ledger can tell the replay apart.
    writeFileSync(join(dir, 'notify.json'), JSON.stringify({ version: 1, rules: { 'world-open-ingress': { mode: 'notify' } } }));
    const env = { ALERT_TOPIC_ARN: subscriber.topicArn, LEDGER_TABLE_NAME: ledgerTable };
    const args = ['respond', '--event', 'event.json', '--policy', 'notify.json', '--output', 'json', '--endpoint-url', moto.endpoint];

    const first = await cli(args, { cwd: dir, env });
    const second = await cli(args, { cwd: dir, env });

    expect(first).toMatchObject({ code: 1, stderr: '' });
    expect(JSON.parse(first.stdout)).toMatchObject({ outcome: 'noncompliant', response: 'notified' });
    expect(JSON.parse(second.stdout)).toMatchObject({ outcome: 'duplicate' });
    expect(await subscriber.drain()).toHaveLength(1);
  });

  it('eni-guard respond exits 3 and says so while another invocation holds the claim, and does the work once its lease ran out', async () => {
    const groupId = await createGroup(ec2, network.vpcId, 'cli-held', [worldOpen(5900)]);
    const ni = await createInterface(ec2, network.subnetId, [groupId]);
    const event = eventFor(ni);
    const dir = mkdtempSync(join(tmpdir(), 'eni-guard-held-'));
    writeFileSync(join(dir, 'event.json'), JSON.stringify(event));
    // An invocation claimed it and died: its lease runs for two more seconds.
    const eventId = String((event['detail'] as Record<string, unknown>)['eventID']);
    const now = new Date();
    const ledger = new DynamoLedger(createClients(account.connection).dynamodb, ledgerTable);
    const claim = await ledger.claim(
      {
        ledgerId: `${eventId}/${ni.NetworkInterfaceId!}`,
        eventId,
        networkInterfaceId: ni.NetworkInterfaceId!,
        status: 'in-progress',
        createdAt: now.toISOString(),
      },
      new Date(now.getTime() + 2000),
      now,
    );
    expect(claim.kind).toBe('claimed');
    const env = { ALERT_TOPIC_ARN: subscriber.topicArn, LEDGER_TABLE_NAME: ledgerTable };
    const args = ['respond', '--event', 'event.json', '--endpoint-url', moto.endpoint];

    const held = await cli(args, { cwd: dir, env });
    expect(held.code).toBe(3);
    expect(held.stdout).toMatch(/FAILED: .*claimed by another invocation until .*the event must be delivered again/);
    expect((await ingressRules(ec2, groupId)).map((r) => r.FromPort)).toEqual([5900]);
    expect(await subscriber.drain()).toEqual([]);

    await new Promise((resolve) => setTimeout(resolve, 2500));
    const after = await cli(args, { cwd: dir, env });
    expect(after.code).toBe(1);
    expect(await ingressRules(ec2, groupId)).toEqual([]);
    expect((await subscriber.drain()).map((a) => a.attributes['response'])).toEqual(['remediated']);
  });

  it('eni-guard evaluate prints one alert for a security-group change that reaches two interfaces', async () => {
    const shared = await createGroup(ec2, network.vpcId, 'cli-change', []);
    await createInterface(ec2, network.subnetId, [shared]);
    await createInterface(ec2, network.subnetId, [shared]);
    const opened = await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: shared, IpPermissions: [worldOpen(22)] }));
    const dir = mkdtempSync(join(tmpdir(), 'eni-guard-change-'));
    writeFileSync(
      join(dir, 'change.json'),
      JSON.stringify(authorizeIngressEvent(shared, [worldOpen(22)], opened.SecurityGroupRules ?? [])),
    );

    const text = await cli(['evaluate', '--event', 'change.json', '--endpoint-url', moto.endpoint], { cwd: dir, env: {} });
    const json = await cli(['evaluate', '--event', 'change.json', '--endpoint-url', moto.endpoint, '--output', 'json'], {
      cwd: dir,
      env: {},
    });

    expect(text.code).toBe(1);
    expect(text.stdout.match(/one alert for the change/g)).toHaveLength(1);
    expect(text.stdout.match(/Subject: /g)).toHaveLength(1);
    const documents = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { scope?: string });
    expect(documents.filter((d) => d.scope === 'group-change')).toHaveLength(1);
    expect(documents.filter((d) => d.scope === undefined)).toHaveLength(2);
  });

  it('answers the caller once when a group change it made reaches several interfaces', async () => {
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: 'change-maker',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
      }),
    );
    const shared = await createGroup(ec2, network.vpcId, 'caller-once', []);
    for (let i = 0; i < 3; i += 1) await createInterface(ec2, network.subnetId, [shared]);
    const opened = await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: shared, IpPermissions: [worldOpen(22)] }));
    const event = authorizeIngressEvent(shared, [worldOpen(22)], opened.SecurityGroupRules ?? []) as { detail: Record<string, unknown> };
    event.detail['userIdentity'] = assumedRoleIdentity(role.Role!.Arn!, 'i-0fedcba9876543210');
    const policy: PolicyInput = { version: 1, rules: { caller: { mode: 'remediate' } } };

    const result = await guard(policy).responder.handle(event);

    expect(result.kind).toBe('decided');
    expect(sent.filter((c) => c.operation === 'PutRolePolicy')).toHaveLength(1);
    const decisions = result.kind === 'decided' ? result.decisions : [];
    expect(decisions.flatMap((d) => d.plan?.withheld ?? []).filter((w) => w.reason.includes('answered once'))).toHaveLength(2);
  });
});
