/**
 * The periodic sweep against moto, with the production wiring (lambda/functions/wiring.ts) in-process and
 * the DynamoDB ledger: it finds (and fixes) a violation no event reported, publishes a summary,
 * and resumes rather than repeats when the same scheduled run is retried.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { createClients, createSweeper } from '../../lambda/functions/wiring';
import { createGroup, createInterface, EMULATOR_ENV, ingressRules, worldOpen } from '../../scripts/lib/sandbox';
import { ACCOUNT, responderParts, startEmulatedAccount, type EmulatedAccount } from '../support/emulated-account';

jest.setTimeout(30_000);

let account: EmulatedAccount;
let ec2: EC2Client;
let subscriber: EmulatedAccount['subscriber'];
let network: EmulatedAccount['network'];
/** EC2 calls the sweep made, by operation. */
const calls = new Map<string, number>();

beforeAll(async () => {
  account = await startEmulatedAccount('10.60.0.0/16');
  ({ ec2, subscriber, network } = account);
}, 60_000);

afterAll(async () => {
  await account?.moto.stop();
});

/** The production wiring against moto, counting the EC2 calls it sends. */
function sweeper(pageSize = 250) {
  const clients = createClients(account.connection);
  const count = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
    const name = String(context.commandName).replace(/Command$/, '');
    calls.set(name, (calls.get(name) ?? 0) + 1);
    return next(args);
  };
  clients.ec2.middlewareStack.add(count as never, { step: 'initialize', name: 'countCalls' });
  return createSweeper(responderParts(account, { version: 1 }, { clients }), { pageSize });
}

const RUN = { scheduledTime: '2026-11-28T04:00:00Z', account: ACCOUNT, region: EMULATOR_ENV.AWS_REGION };

describe('sweep against moto', () => {
  it('finds and fixes a world-open interface no event reported, and publishes a summary with counts by outcome', async () => {
    const fine = await createGroup(ec2, network.vpcId, 'https', [worldOpen(443)]);
    const open = await createGroup(ec2, network.vpcId, 'drifted', [worldOpen(22), worldOpen(443)]);
    const quiet = await Promise.all([1, 2, 3].map(() => createInterface(ec2, network.subnetId, [fine])));
    const drifted = (await createInterface(ec2, network.subnetId, [open])).NetworkInterfaceId!;

    const summary = await sweeper().run(RUN);

    expect(summary).toMatchObject({
      sweepId: 'sweep-2026-11-28T04:00:00Z',
      interfaces: 4,
      pages: 1,
      byOutcome: { compliant: quiet.length, noncompliant: 1 },
      byResponse: { remediated: 1 },
      noncompliant: [{ id: drifted, rules: ['world-open-ingress'], response: 'remediated' }],
      incomplete: false,
    });
    expect((await ingressRules(ec2, open)).map((r) => r.FromPort)).toEqual([443]);
    const alerts = await subscriber.drain();
    expect(alerts.map((a) => a.document['scope'] ?? 'interface')).toEqual(['interface', 'sweep-summary']);
    expect(alerts[1]?.attributes['kind']).toBe('sweep-summary');
    expect(alerts[0]).toMatchObject({
      document: { eventId: 'sweep-2026-11-28T04:00:00Z', eventName: 'ScheduledSweep', networkInterface: { id: drifted } },
    });
    expect(alerts[1]).toMatchObject({
      subject: expect.stringContaining('4 interfaces, 1 noncompliant'),
      attributes: { rule: 'sweep', outcome: 'noncompliant', response: 'remediated' },
      document: { scope: 'sweep-summary', summary: { byOutcome: { compliant: 3, noncompliant: 1 } } },
    });
  });

  it('a retried run (same schedule time) does not act or alert twice per interface: only the summary again', async () => {
    const summary = await sweeper().run(RUN);
    expect(summary.byOutcome).toEqual({ compliant: 3, duplicate: 1 });
    const alerts = await subscriber.drain();
    expect(alerts.map((a) => a.document['scope'])).toEqual(['sweep-summary']);
  });

  it('pages through many interfaces with bounded concurrency (figures for the README)', async () => {
    const group = await createGroup(ec2, network.vpcId, 'bulk', [worldOpen(443)]);
    for (let i = 0; i < 36; i++) await createInterface(ec2, network.subnetId, [group]);
    calls.clear();
    const started = Date.now();

    const summary = await sweeper(10).run({ ...RUN, scheduledTime: '2026-11-29T04:00:00Z' });

    const elapsed = Date.now() - started;
    expect(summary.interfaces).toBe(40);
    expect(summary.byOutcome).toEqual({ compliant: 40 });
    // moto ignores MaxResults: one page whatever the size; against AWS, one call per page.
    expect(calls.get('DescribeNetworkInterfaces')).toBe(summary.pages);
    process.stdout.write(
      `sweep: ${summary.interfaces} interfaces, ${summary.pages} page(s), ${elapsed} ms, EC2 calls ${JSON.stringify(Object.fromEntries(calls))}\n`,
    );
    await subscriber.drain();
  });
});
