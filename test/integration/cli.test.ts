/**
 * The `eni-guard` command as users run it — bin/eni-guard.mjs in a child process, on the bundle
 * `npm run build:cli` makes — against moto. Assertions are on exit codes, output, the resulting
 * security-group rules and what a subscriber of the topic received.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { SUPPORTED_EVENT_NAMES } from '../../lambda/core/event';
import { bundleCli } from '../../scripts/lib/cli-bundle';
import { createNetworkInterfaceRecord, eventBridgeEnvelope } from '../../scripts/lib/cloudtrail-events';
import { createGroup, createInterface, EMULATOR_ENV, ingressRules, worldOpen } from '../../scripts/lib/sandbox';
import { ACCOUNT, startEmulatedAccount, type EmulatedAccount } from '../support/emulated-account';
import { realRecord } from '../support/fixtures';

const ROOT = join(__dirname, '..', '..');
const emptyHome = mkdtempSync(join(tmpdir(), 'eni-guard-home-'));

let moto: EmulatedAccount['moto'];
let ec2: EC2Client;
let subscriber: EmulatedAccount['subscriber'];
let network: EmulatedAccount['network'];

/**
 * Runs `node bin/eni-guard.mjs ...args` with a clean environment (emulator credentials only, plus `env`;
 * `credentials: false` leaves them out, and HOME is empty so no profile on this machine fills in).
 * `closeStdoutAfterFirstChunk` closes the reading end of stdout early, as `| head` does.
 */
function eniGuard(
  args: string[],
  env: Record<string, string> = {},
  cwd = ROOT,
  options: { credentials?: boolean; closeStdoutAfterFirstChunk?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...withoutKeys } = EMULATOR_ENV as Record<string, string>;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'eni-guard.mjs'), ...args], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '', HOME: emptyHome, ...(options.credentials === false ? withoutKeys : EMULATOR_ENV), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (options.closeStdoutAfterFirstChunk) child.stdout.destroy();
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** `CreateNetworkInterface` → `create-network-interface.json`. */
const exampleFile = (eventName: string) => `${eventName.replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase()}.json`;

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

  it('prints an undo command that works pasted as printed, and a replay after the undo says the interface is open again', async () => {
    const risky = await createGroup(ec2, network.vpcId, 'cli-undo-risky', [worldOpen(22)]);
    const fine = await createGroup(ec2, network.vpcId, 'cli-undo-fine', [worldOpen(443)]);
    const dir = eventsFor(await createInterface(ec2, network.subnetId, [risky]), await createInterface(ec2, network.subnetId, [fine]));
    const event = join(dir, 'a-risky.json');
    const table = `cli-undo-ledger-${Date.now()}`;
    const endpoint = ['--endpoint-url', moto.endpoint];

    const created = await eniGuard(['create-ledger', '--ledger-table', table, ...endpoint]);
    expect(created).toMatchObject({ code: 0, stdout: `${table}: created in us-east-1 at ${moto.endpoint}\n` });

    const respond = ['respond', '--event', event, '--topic-arn', subscriber.topicArn, '--ledger-table', table, ...endpoint];
    const first = await eniGuard(respond);
    expect(first.code).toBe(1);
    expect(await ingressRules(ec2, risky)).toEqual([]);
    const printed = /Undo: +(npx eni-guard undo .*)$/m.exec(first.stdout)?.[1];
    expect(printed).toContain(`--ledger-table ${table} --region us-east-1 --endpoint-url ${moto.endpoint}`);
    expect((await subscriber.drain()).map((a) => a.document['undoCommand'])).toEqual([printed]);

    // Pasted as printed: `npx eni-guard` is bin/eni-guard.mjs.
    const undo = await eniGuard(printed!.split(' ').slice(2));
    expect(undo).toMatchObject({ code: 0, stdout: expect.stringMatching(/: undone\n/) });
    expect((await ingressRules(ec2, risky)).map((r) => r.FromPort)).toEqual([22]);

    const replay = await eniGuard(respond);
    expect(replay.stdout).toMatch(/: duplicate \(already handled \(undone\)\): nothing done again, no alert published\n/);
    expect(replay.stdout).toContain('non-compliant now (1 finding(s)), left as it is:');
    expect(replay.stdout).not.toMatch(/response: remediated|alert published to/);
    expect(replay.stdout).toMatch(/1 duplicate \(1 of them non-compliant now\); 0 alert\(s\) published\.\n$/);
    expect(replay.code).toBe(1);
    expect(await subscriber.drain()).toEqual([]);
  });

  it('names a missing ledger table and how to create it', async () => {
    const run = await eniGuard(['undo', 'evt/eni-0abc', '--ledger-table', 'no-such-ledger', '--endpoint-url', moto.endpoint]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`the ledger table no-such-ledger does not exist in us-east-1 at ${moto.endpoint}`);
    expect(run.stderr).toContain(`eni-guard create-ledger --ledger-table no-such-ledger --endpoint-url ${moto.endpoint}`);
  });

  it('says how to set dummy keys when no credentials are found for a local endpoint', async () => {
    const run = await eniGuard(['undo', 'evt/eni-0abc', '--ledger-table', 't', '--endpoint-url', moto.endpoint], {}, ROOT, {
      credentials: false,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing');
  });

  it('finishes its work when the reader goes away (respond … | head): no EPIPE crash, every event handled', async () => {
    const groups: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'eni-guard-cli-pipe-'));
    for (let i = 0; i < 6; i++) {
      const group = await createGroup(ec2, network.vpcId, `cli-pipe-${i}`, [worldOpen(22)]);
      groups.push(group);
      const ni = await createInterface(ec2, network.subnetId, [group]);
      const record = createNetworkInterfaceRecord(ni, { account: ACCOUNT, region: EMULATOR_ENV.AWS_REGION });
      writeFileSync(join(dir, `${i}.json`), JSON.stringify(eventBridgeEnvelope(record), null, 2));
    }
    const run = await eniGuard(['respond', '--event', dir, '--topic-arn', subscriber.topicArn, '--endpoint-url', moto.endpoint], {}, ROOT, {
      closeStdoutAfterFirstChunk: true,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    for (const group of groups) expect(await ingressRules(ec2, group)).toEqual([]);
    expect(await subscriber.drain()).toHaveLength(6);
  });

  it('ships one example event per supported event name under examples/events', () => {
    expect(readdirSync(join(ROOT, 'examples', 'events')).sort()).toEqual(SUPPORTED_EVENT_NAMES.map(exampleFile).sort());
  });

  it.each(SUPPORTED_EVENT_NAMES.map((name) => [name, exampleFile(name)]))(
    'evaluates the example %s as docs/cli.md runs it: read, judged against what EC2 says now (no such interface), exit 0',
    async (_name, file) => {
      const run = await eniGuard(['evaluate', '--event', `examples/events/${file}`, '--endpoint-url', moto.endpoint, '-o', 'json']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const [line] = lines(run.stdout);
      expect(line).toBeDefined();
      // Decided (the interface is gone) or ignored (no interface uses the group / the instance has none): never invalid.
      expect(line!['kind'] === 'ignored' ? line!['reason'] : line!['outcome']).toMatch(/^(gone|no-interface)$/);
    },
  );

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
