/**
 * The bundled handler (the artifact that deploys) against moto over the real wire protocol.
 * Assertions are on the resulting AWS state and on what a subscriber received, not on calls.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { DEFAULT_POLICY, type PolicyInput } from '../../lambda/core/policy';
import { bundleHandler, type Bundle } from '../../scripts/lib/bundle';
import { createNetworkInterfaceRecord, eventBridgeEnvelope } from '../../scripts/lib/cloudtrail-events';
import { attachElasticIp, createGroup, createInterface, EMULATOR_ENV, ingressRules, worldOpen } from '../../scripts/lib/sandbox';
import { ACCOUNT, RESPONDER_ROLE as ROLE, startEmulatedAccount, type EmulatedAccount } from '../support/emulated-account';
import { realRecord } from '../support/fixtures';
import { invokeBundle } from '../support/invoke';

let account: EmulatedAccount;
let moto: EmulatedAccount['moto'];
let bundle: Bundle;
let ec2: EC2Client;
let subscriber: EmulatedAccount['subscriber'];
let network: EmulatedAccount['network'];
let ledgerTable: string;

beforeAll(async () => {
  // A public subnet of a VPC with flow logs: the world-open rules below are really exposed.
  [account, bundle] = await Promise.all([
    startEmulatedAccount('10.20.0.0/16'),
    bundleHandler(mkdtempSync(join(tmpdir(), 'eni-guard-bundle-'))),
  ]);
  ({ moto, ec2, subscriber, network, ledgerTable } = account);
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

/** Runs the bundled handler on `event` with its own policy file, as one Lambda container would. */
async function respond(event: unknown, policy: PolicyInput = DEFAULT_POLICY) {
  const dir = mkdtempSync(join(tmpdir(), 'eni-guard-policy-'));
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify(policy));
  const invocation = await invokeBundle(bundle.entry, event, {
    ...EMULATOR_ENV,
    AWS_ENDPOINT_URL: moto.endpoint,
    ALERT_TOPIC_ARN: subscriber.topicArn,
    RESPONDER_ROLE_ARN: ROLE,
    LEDGER_TABLE_NAME: ledgerTable,
    POLICY_FILE: policyFile,
    POWERTOOLS_DEV: 'false',
  });
  if (!invocation.ok) throw new Error(`handler failed: ${invocation.error}`);
  return invocation;
}

const eventFor = (ni: Awaited<ReturnType<typeof createInterface>>) =>
  eventBridgeEnvelope(createNetworkInterfaceRecord(ni, { account: ACCOUNT, region: EMULATOR_ENV.AWS_REGION }));

describe('responder against moto', () => {
  it('revokes world-open SSH on an interface, keeps HTTPS, and alerts the subscriber', async () => {
    const groupId = await createGroup(ec2, network.vpcId, 'web-and-ssh', [worldOpen(22), worldOpen(443)]);
    const ni = await createInterface(ec2, network.subnetId, [groupId]);
    await attachElasticIp(ec2, ni.NetworkInterfaceId!);

    const invocation = await respond(eventFor(ni));

    const remaining = await ingressRules(ec2, groupId);
    expect(remaining.map((r) => [r.FromPort, r.CidrIpv4])).toEqual([[443, '0.0.0.0/0']]);
    const alerts = await subscriber.drain();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      subject: `[eni-guard] CRITICAL world-open-ingress (+1) on ${ni.NetworkInterfaceId}: remediated`,
      attributes: { severity: 'critical', response: 'remediated', rule: 'world-open-ingress', outcome: 'noncompliant' },
      document: {
        networkInterface: { id: ni.NetworkInterfaceId, vpcId: network.vpcId },
        findings: [
          { ruleId: 'world-open-ingress', evidence: { groupId, exposure: 'internet', rules: [expect.objectContaining({ ports: '22' })] } },
          { ruleId: 'public-ip', severity: 'high' },
        ],
        results: [
          { kind: 'revoke-ingress', status: 'succeeded', verified: true },
          { kind: 'tag-interface', status: 'succeeded', verified: true },
        ],
        undoCommand: expect.stringMatching(/^npx eni-guard undo .+\/eni-/),
      },
    });
    const decided = invocation.logs.find((line) => line['message'] === 'interface decided');
    expect(decided).toMatchObject({ level: 'WARN', eventId: expect.any(String), outcome: 'noncompliant', response: 'remediated' });
  });

  it('leaves a group shared by two interfaces intact and alerts that it did (sharedGroups: withhold)', async () => {
    const groupId = await createGroup(ec2, network.vpcId, 'shared-ssh', [worldOpen(22)]);
    const ni = await createInterface(ec2, network.subnetId, [groupId]);
    await createInterface(ec2, network.subnetId, [groupId]);

    await respond(eventFor(ni), { version: 1, remediation: { sharedGroups: 'withhold' } });

    expect((await ingressRules(ec2, groupId)).map((r) => r.FromPort)).toEqual([22]);
    const [alert] = await subscriber.drain();
    expect(alert?.attributes['response']).toBe('notified');
    expect(JSON.stringify(alert?.document['plan'])).toContain(`${groupId} is shared by 2 interfaces`);
  });

  it('changes nothing in dry-run but reports the plan', async () => {
    const groupId = await createGroup(ec2, network.vpcId, 'dry-run', [worldOpen(3389)]);
    const ni = await createInterface(ec2, network.subnetId, [groupId]);

    await respond(eventFor(ni), { version: 1, dryRun: true });

    expect((await ingressRules(ec2, groupId)).map((r) => r.FromPort)).toEqual([3389]);
    const [alert] = await subscriber.drain();
    expect(alert?.attributes['response']).toBe('dry-run');
    expect(alert?.document['plan']).toMatchObject({
      mode: 'dry-run',
      actions: [
        { kind: 'revoke-ingress', calls: [expect.stringContaining(`RevokeSecurityGroupIngress GroupId=${groupId}`)] },
        { kind: 'tag-interface' },
      ],
    });
  });

  it("stays silent for a compliant interface, and for a real record of another account (not this function's to act on)", async () => {
    const groupId = await createGroup(ec2, network.vpcId, 'https-only', [worldOpen(443)]);
    const ni = await createInterface(ec2, network.subnetId, [groupId]);
    const compliant = await respond(eventFor(ni));
    const efs = await respond(eventBridgeEnvelope(realRecord('efs-service-linked-role-requester-managed.json')));

    expect(compliant.result).toMatchObject({ kind: 'decided', decisions: [{ outcome: 'compliant' }] });
    // The real EFS record is of account 111122223333; the function guards only its own (the emulator's).
    expect(efs.result).toMatchObject({ kind: 'ignored', reason: 'out-of-scope' });
    expect(await subscriber.drain()).toEqual([]);
  });

  it('fails init with a clear message when the policy is invalid', async () => {
    const groupId = await createGroup(ec2, network.vpcId, 'bad-policy', [worldOpen(22)]);
    const ni = await createInterface(ec2, network.subnetId, [groupId]);
    await expect(respond(eventFor(ni), { version: 1, rules: { 'world-open-ingress': { mode: 'fix' as never } } })).rejects.toThrow(
      /policy file .*policy\.json is invalid:\n\s+- rules\.world-open-ingress\.mode/,
    );
    expect((await ingressRules(ec2, groupId)).map((r) => r.FromPort)).toEqual([22]);
  });
});
