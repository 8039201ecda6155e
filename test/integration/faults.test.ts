/**
 * Faults injected at each AWS call of a remediation, in turn, against moto (SDK middleware below the
 * SDK's retry, so a transient fault meets the real adaptive retry). Process deaths and lost endpoints
 * between the calls are test/chaos/crash-points.test.ts's. The scenario is the hardest
 * fix: an interface on a shared, world-open group gets a copy of the group, swapped in, tagged,
 * recorded in the ledger and alerted.
 *
 * - Transient faults (throttling, 5xx, timeouts) on one attempt: the SDK retries; the outcome is
 *   exactly the fault-free one.
 * - A permanent fault (access denied) on any call: the outcome is told truthfully — the event is
 *   retried (thrown) before anything changed or when the fix could not be re-read (not verified is
 *   not final), or the alert names the failed call — and nothing is left half-done: the interface is
 *   on its original groups with no leftover copy, or fully fixed.
 */
import { DescribeNetworkInterfacesCommand, DescribeSecurityGroupsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { HandleResult } from '../../lambda/app/responder';
import { createClients } from '../../lambda/functions/wiring';
import { createNetworkInterfaceRecord, eventBridgeEnvelope } from '../../scripts/lib/cloudtrail-events';
import { createGroup, createInterface, EMULATOR_ENV, worldOpen } from '../../scripts/lib/sandbox';
import { ACCOUNT, responderFor, startEmulatedAccount, type EmulatedAccount } from '../support/emulated-account';

let account: EmulatedAccount;
let ec2: EC2Client;
let subscriber: EmulatedAccount['subscriber'];
let network: EmulatedAccount['network'];

type Fault = 'throttling' | 'server-error' | 'timeout' | 'access-denied';
const FAULTS: Record<Fault, () => Error> = {
  throttling: () =>
    Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded', $fault: 'client', $metadata: { httpStatusCode: 503 } }),
  'server-error': () =>
    Object.assign(new Error('We encountered an internal error'), {
      name: 'InternalError',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
    }),
  timeout: () => Object.assign(new Error('socket timed out'), { name: 'TimeoutError', $metadata: {} }),
  'access-denied': () =>
    Object.assign(new Error('You are not authorized to perform this operation.'), {
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
    }),
};

beforeAll(async () => {
  account = await startEmulatedAccount('10.50.0.0/16');
  ({ ec2, subscriber, network } = account);
}, 60_000);

afterAll(async () => {
  await account?.moto.stop();
});

/**
 * Runs the scenario once. `fault` fails call number `at` (0-based, in the order the responder makes
 * them): `attempts` times (transient), or every time. Returns what was called and the outcome.
 */
async function scenario(inject?: { at: number; fault: Fault; attempts?: number }) {
  const shared = await createGroup(ec2, network.vpcId, `shared-${Math.random().toString(36).slice(2)}`, [worldOpen(22), worldOpen(443)]);
  const ni = await createInterface(ec2, network.subnetId, [shared]);
  await createInterface(ec2, network.subnetId, [shared]);
  const clients = createClients(account.connection);
  const calls: string[] = [];
  let failures = 0;
  for (const client of [clients.ec2, clients.iam, clients.dynamodb, clients.sns] as { middlewareStack: EC2Client['middlewareStack'] }[]) {
    client.middlewareStack.add(
      (next, context) => (args) => {
        (context as { callIndex?: number }).callIndex = calls.length;
        calls.push(String(context.commandName).replace(/Command$/, ''));
        return next(args);
      },
      { step: 'initialize', name: 'numberCalls' },
    );
    // Below the retry middleware: every attempt passes here.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const index = (context as { callIndex?: number }).callIndex;
        if (inject && index === inject.at && (inject.attempts === undefined || failures < inject.attempts)) {
          failures += 1;
          throw FAULTS[inject.fault]();
        }
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'injectFault' },
    );
  }
  const responder = responderFor(account, { version: 1 }, { clients });
  const event = eventBridgeEnvelope(createNetworkInterfaceRecord(ni, { account: ACCOUNT, region: EMULATOR_ENV.AWS_REGION }));
  let result: HandleResult | undefined;
  let thrown: Error | undefined;
  try {
    result = await responder.handle(event);
  } catch (error) {
    thrown = error as Error;
  }
  const groups = (
    await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [ni.NetworkInterfaceId!] }))
  ).NetworkInterfaces![0]!.Groups!.map((g) => g.GroupId!);
  const copies = (
    await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:eni-guard:copy-of', Values: [shared] }] }))
  ).SecurityGroups!.map((g) => g.GroupId!);
  const alerts = await subscriber.drain();
  return { calls, result, thrown, shared, groups, copies, alerts, retry: () => responder.handle(event) };
}

const decisionOf = (result: HandleResult | undefined) => (result?.kind === 'decided' ? result.decisions[0] : undefined);

describe('faults at each AWS call of a remediation (moto)', () => {
  let baseline: Awaited<ReturnType<typeof scenario>>;

  beforeAll(async () => {
    baseline = await scenario();
  }, 60_000);

  it('the fault-free run: copy swapped in, verified, recorded, one alert', () => {
    expect(baseline.thrown).toBeUndefined();
    expect(decisionOf(baseline.result)?.results.map((r) => [r.action.kind, r.status, r.verified])).toEqual([
      ['replace-groups', 'succeeded', true],
      ['tag-interface', 'succeeded', true],
    ]);
    expect(baseline.groups).toEqual(baseline.copies);
    expect(baseline.alerts).toHaveLength(1);
    // The calls the faults are injected into, in order (reads, ledger claim, the fix, verification, ledger, alert).
    expect(baseline.calls).toEqual(
      expect.arrayContaining([
        'PutItem',
        'CreateSecurityGroup',
        'AuthorizeSecurityGroupIngress',
        'ModifyNetworkInterfaceAttribute',
        'CreateTags',
        'Publish',
      ]),
    );
  });

  it.each(['throttling', 'server-error', 'timeout'] as const)(
    'a transient fault (%s) on one attempt of each call in turn is retried: the same outcome as without it',
    async (fault) => {
      for (let at = 0; at < baseline.calls.length; at += 1) {
        const run = await scenario({ at, fault, attempts: 1 });
        const where = `${fault} at call ${at} (${baseline.calls[at]})`;
        expect([where, run.thrown?.message]).toEqual([where, undefined]);
        expect([where, decisionOf(run.result)?.results.every((r) => r.status === 'succeeded' && r.verified)]).toEqual([where, true]);
        expect([where, run.groups]).toEqual([where, run.copies]);
        expect([where, run.alerts.length]).toEqual([where, 1]);
      }
    },
    300_000,
  );

  it('a permanent fault on each call in turn is reported truthfully, and nothing is left half-done', async () => {
    const seen: string[] = [];
    for (let at = 0; at < baseline.calls.length; at += 1) {
      const run = await scenario({ at, fault: 'access-denied' });
      const operation = baseline.calls[at]!;
      const where = `access denied at call ${at} (${operation})`;
      const decision = decisionOf(run.result);
      const fixed = run.copies.length === 1 && run.groups.join() === run.copies.join();
      const untouched = run.copies.length === 0 && run.groups.join() === run.shared;
      // Never half-done: fully fixed, or exactly as before with no leftover copy.
      expect([where, fixed || untouched]).toEqual([where, true]);
      if (run.thrown) {
        // Thrown → Lambda retries, then the dead-letter queue: only before anything changed, when the alert could not go
        // out, or when the fix could not be verified (not final: recorded as incomplete, retried, alerted once it is).
        const unverified = run.thrown.name === 'RemediationIncompleteError';
        expect([where, untouched || operation === 'Publish' || unverified]).toEqual([where, true]);
        if (operation === 'Publish' || unverified) {
          const redelivered = decisionOf(await run.retry());
          expect([where, redelivered?.outcome]).toEqual([where, unverified ? 'noncompliant' : 'duplicate']);
          const alerts = await subscriber.drain();
          expect([where, alerts.map((a) => a.attributes['response'])]).toEqual([where, ['remediated']]);
        }
        seen.push(`${operation}: ${unverified ? 'not verified, retried' : 'thrown'}`);
        continue;
      }
      expect([where, run.alerts.length]).toEqual([where, 1]);
      const response = run.alerts[0]!.attributes['response'];
      const allVerified = decision?.results.length !== 0 && decision?.results.every((r) => r.status === 'succeeded' && r.verified);
      if (response === 'remediated') {
        expect([where, fixed, allVerified]).toEqual([where, true, true]);
      } else if (decision?.results.some((r) => r.status === 'failed')) {
        // The alert names the call that failed.
        const failed = decision.results.find((r) => r.status === 'failed')!;
        expect([where, failed.error]).toEqual([where, expect.stringContaining(operation)]);
      }
      seen.push(`${operation}: ${response}`);
    }
    expect(seen.length).toBe(baseline.calls.length);
    process.stdout.write(
      `faults: access denied at each of ${baseline.calls.length} calls (${baseline.calls.join(', ')}) → ${seen.join('; ')}\n`,
    );
  }, 300_000);
});
