/**
 * A burst of 1,000 CreateNetworkInterface events (an autoscaling scale-out) against moto, handled by
 * 10 responders at once — the function's reserved concurrency; Lambda's async queue holds the rest —
 * while EC2 throttles like the real API (a token bucket below the SDK's retry answers
 * RequestLimitExceeded when the account's request rate is exceeded). Nothing may be lost, fail or
 * be done twice.
 */
import { CreateNetworkInterfaceCommand, type NetworkInterface } from '@aws-sdk/client-ec2';
import { createClients } from '../../lambda/functions/wiring';
import { createNetworkInterfaceRecord, eventBridgeEnvelope } from '../../scripts/lib/cloudtrail-events';
import { createGroup, EMULATOR_ENV, ingressRules, worldOpen } from '../../scripts/lib/sandbox';
import { ACCOUNT, responderFor, startEmulatedAccount, type EmulatedAccount } from '../support/emulated-account';

const BURST = 1_000;
const RISKY = 50;
const CONCURRENCY = 10;
/**
 * The emulated EC2 request rate limit, shared by every responder: a refill rate (requests per second)
 * and a bucket smaller than the workers' first simultaneous wave of calls, so the limit bites however
 * fast or slow the machine answers (a bucket of RATE tokens was never emptied on a loaded CI machine).
 */
const RATE = 60;
const BUCKET = CONCURRENCY / 2;
let account: EmulatedAccount;

beforeAll(async () => {
  account = await startEmulatedAccount('10.60.0.0/16');
}, 60_000);

afterAll(async () => {
  await account?.moto.stop();
});

/** A token bucket: `take()` is false when the caller would exceed `rate` requests per second beyond a burst of `size`. */
function tokenBucket(rate: number, size: number) {
  let tokens = size;
  let last = Date.now();
  return {
    take(): boolean {
      const now = Date.now();
      tokens = Math.min(size, tokens + ((now - last) / 1000) * rate);
      last = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

it(`handles a burst of ${BURST} events under EC2 throttling: none lost, none failed, none acted on twice`, async () => {
  const { ec2, subscriber, network } = account;
  const web = await createGroup(ec2, network.vpcId, 'web-https', [worldOpen(443)]);
  const interfaces: { ni: NetworkInterface; groupId: string }[] = [];
  for (let i = 0; i < BURST; i += 1) {
    // Every 20th instance of the scale-out comes up with its own group open on SSH.
    const groupId = i % (BURST / RISKY) === 0 ? await createGroup(ec2, network.vpcId, `debug-${i}`, [worldOpen(22), worldOpen(443)]) : web;
    const out = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: network.subnetId, Groups: [groupId] }));
    interfaces.push({ ni: out.NetworkInterface!, groupId });
  }

  const bucket = tokenBucket(RATE, BUCKET);
  let throttled = 0;
  const responders = Array.from({ length: CONCURRENCY }, () => {
    const clients = createClients(account.connection);
    clients.ec2.middlewareStack.add(
      (next) => async (args) => {
        if (!bucket.take()) {
          throttled += 1;
          throw Object.assign(new Error('Request limit exceeded.'), {
            name: 'RequestLimitExceeded',
            $fault: 'client',
            $metadata: { httpStatusCode: 503 },
          });
        }
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'emulateEc2RateLimit' },
    );
    return responderFor(account, { version: 1 }, { clients });
  });
  const events = interfaces.map(({ ni }) =>
    eventBridgeEnvelope(createNetworkInterfaceRecord(ni, { account: ACCOUNT, region: EMULATOR_ENV.AWS_REGION })),
  );

  // Ten workers drain the queue, as ten concurrent Lambda executions drain the async queue.
  const outcomes: string[] = [];
  const failures: string[] = [];
  let next = 0;
  const started = Date.now();
  await Promise.all(
    responders.map(async (responder) => {
      while (next < events.length) {
        const event = events[next++]!;
        try {
          const result = await responder.handle(event);
          if (result.kind === 'decided')
            for (const d of result.decisions) outcomes.push(`${d.outcome}:${d.results.every((r) => r.verified) ? 'ok' : 'unverified'}`);
          else outcomes.push(result.kind);
        } catch (error) {
          failures.push(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;

  process.stdout.write(
    `burst: ${BURST} events in ${seconds.toFixed(1)} s with ${CONCURRENCY} workers; ${throttled} EC2 calls throttled and retried; ${failures.length} failed\n`,
  );
  expect(failures).toEqual([]);
  expect(outcomes).toHaveLength(BURST);
  const count = (o: string) => outcomes.filter((x) => x === o).length;
  expect({ compliant: count('compliant:ok'), remediated: count('noncompliant:ok') }).toEqual({
    compliant: BURST - RISKY,
    remediated: RISKY,
  });
  for (const { groupId } of interfaces.filter(({ groupId }) => groupId !== web)) {
    expect((await ingressRules(ec2, groupId)).map((r) => r.FromPort)).toEqual([443]);
  }
  const alerts = await subscriber.drain();
  expect(alerts).toHaveLength(RISKY);
  // The emulated limit really bit, and the SDK's adaptive retry absorbed it.
  expect(throttled).toBeGreaterThan(0);
}, 600_000);
