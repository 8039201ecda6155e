/**
 * The `eni-guard` command as users run it — bin/eni-guard.mjs in a child process, on the bundle
 * `npm run build:cli` makes — against moto. Assertions are on exit codes, output, the resulting
 * security-group rules and what a subscriber of the topic received.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { bundleCli } from '../../scripts/lib/cli-bundle';
import { createNetworkInterfaceRecord, eventBridgeEnvelope } from '../../scripts/lib/cloudtrail-events';
import { createGroup, createInterface, EMULATOR_ENV, ingressRules, worldOpen } from '../../scripts/lib/sandbox';
import { ACCOUNT, startEmulatedAccount, type EmulatedAccount } from '../support/emulated-account';
import { realRecord } from '../support/fixtures';

const ROOT = join(__dirname, '..', '..');

let moto: EmulatedAccount['moto'];
let ec2: EC2Client;
let subscriber: EmulatedAccount['subscriber'];
let network: EmulatedAccount['network'];

/** Runs `node bin/eni-guard.mjs ...args` with a clean environment (emulator credentials only, plus `env`). */
function eniGuard(args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'eni-guard.mjs'), ...args], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '', ...EMULATOR_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const lines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  // The bundle bin/eni-guard.mjs runs, rebuilt from the sources under test.
  const [account] = await Promise.all([startEmulatedAccount('10.40.0.0/16'), bundleCli()]);
  ({ moto, ec2, subscriber, network } = account);
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

/** A directory with the CreateNetworkInterface event of `ni` (enveloped) and, as JSON lines, the raw record of `other` and a real EFS record. */
function eventsFor(ni: Awaited<ReturnType<typeof createInterface>>, other: Awaited<ReturnType<typeof createInterface>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'eni-guard-cli-events-'));
  const options = { account: ACCOUNT, region: EMULATOR_ENV.AWS_REGION };
  writeFileSync(join(dir, 'a-risky.json'), JSON.stringify(eventBridgeEnvelope(createNetworkInterfaceRecord(ni, options)), null, 2));
  writeFileSync(
    join(dir, 'b-history.jsonl'),
    [createNetworkInterfaceRecord(other, options), realRecord('efs-service-linked-role-requester-managed.json')]
      .map((r) => JSON.stringify(r))
      .join('\n'),
  );
  return dir;
}

describe('eni-guard against moto', () => {
  it('evaluates a directory of events (an envelope, raw records as JSON lines): decisions, exit 1, nothing changed or sent', async () => {
    const risky = await createGroup(ec2, network.vpcId, 'cli-eval-risky', [worldOpen(22), worldOpen(443)]);
    const fine = await createGroup(ec2, network.vpcId, 'cli-eval-fine', [worldOpen(443)]);
    const dir = eventsFor(await createInterface(ec2, network.subnetId, [risky]), await createInterface(ec2, network.subnetId, [fine]));

    const run = await eniGuard(['evaluate', '--event', dir, '--endpoint-url', moto.endpoint, '--output', 'json']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(lines(run.stdout).map((d) => [d['outcome'], d['response']])).toEqual([
      ['noncompliant', 'dry-run'],
      ['compliant', expect.any(String)],
      // The EFS record's interface is not in this emulated account: EC2 is asked, not the record, and it is gone.
      ['gone', 'none'],
    ]);
    expect((await ingressRules(ec2, risky)).map((r) => r.FromPort).sort()).toEqual([22, 443]);
    expect(await subscriber.drain()).toEqual([]);
  });

  it('responds as the function does, reaching moto through AWS_ENDPOINT_URL: revokes, publishes the document it prints; a replay is harmless', async () => {
    const risky = await createGroup(ec2, network.vpcId, 'cli-respond-risky', [worldOpen(22), worldOpen(443)]);
    const fine = await createGroup(ec2, network.vpcId, 'cli-respond-fine', [worldOpen(443)]);
    const dir = eventsFor(await createInterface(ec2, network.subnetId, [risky]), await createInterface(ec2, network.subnetId, [fine]));
    const env = { AWS_ENDPOINT_URL: moto.endpoint };

    const run = await eniGuard(['respond', '--event', join(dir, 'a-risky.json'), '--topic-arn', subscriber.topicArn, '-o', 'json'], env);

    expect(run.code).toBe(1);
    expect((await ingressRules(ec2, risky)).map((r) => r.FromPort)).toEqual([443]);
    const alerts = await subscriber.drain();
    expect(alerts).toHaveLength(1);
    expect(lines(run.stdout)).toEqual([alerts[0]!.document]);
    expect(alerts[0]!.document).toMatchObject({ response: 'remediated', outcome: 'noncompliant' });

    // Replaying the same event (a DLQ redrive, say) finds nothing left to fix.
    const again = await eniGuard(['respond', '--event', join(dir, 'a-risky.json'), '--topic-arn', subscriber.topicArn], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/: compliant\n/);
    expect(await subscriber.drain()).toEqual([]);
  });

  it('validates the policy cdk.json deploys, from the project directory', async () => {
    const run = await eniGuard(['validate']);
    expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining('policy/default.json (eniGuard:policyFile in cdk.json): valid') });
  });

  it('exits 2 on bad arguments and 3 on an unreadable file, as a process', async () => {
    const usage = await eniGuard(['evaluate', '--event']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("Option '-e, --event <value>' argument missing");
    const unreadable = await eniGuard(['evaluate', '--event', '/nonexistent/events.json', '--endpoint-url', moto.endpoint]);
    expect(unreadable.code).toBe(3);
    expect(unreadable.stderr).toContain('cannot read events from /nonexistent/events.json: ENOENT');
  });
});
