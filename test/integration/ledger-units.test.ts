/**
 * What the remediation ledger costs: the DynamoDB write units of one remediation (claim,
 * completion, the note that the alert went out, and the interface index), computed from the items
 * the production wiring writes to moto with DynamoDB's documented sizing (scripts/lib/dynamodb-units.ts).
 * The target: at most 5 write units for a remediation. Progress between the claim and the
 * completion is read back from EC2 after a crash, not written after every call.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { HandleResult } from '../../lambda/app/responder';
import { createClients } from '../../lambda/functions/wiring';
import { WriteUnitMeter } from '../../scripts/lib/dynamodb-units';
import { createNetworkInterfaceRecord, eventBridgeEnvelope } from '../../scripts/lib/cloudtrail-events';
import { createGroup, createInterface, EMULATOR_ENV, worldOpen } from '../../scripts/lib/sandbox';
import { ACCOUNT, responderFor, startEmulatedAccount, type EmulatedAccount } from '../support/emulated-account';

let account: EmulatedAccount;
let ec2: EC2Client;

beforeAll(async () => {
  account = await startEmulatedAccount('10.45.0.0/16');
  ec2 = account.ec2;
}, 60_000);

afterAll(async () => {
  await account?.moto.stop();
});

/** Handles the CreateNetworkInterface event of a fresh interface on a world-open group (shared by `users`) and meters the ledger. */
async function meter(users: number, policy: Record<string, unknown> = {}): Promise<{ meter: WriteUnitMeter; result: HandleResult }> {
  const { vpcId, subnetId } = account.network;
  const group = await createGroup(ec2, vpcId, `units-${users}-${Date.now()}`, [worldOpen(22), worldOpen(443)]);
  const ni = await createInterface(ec2, subnetId, [group]);
  for (let i = 1; i < users; i += 1) await createInterface(ec2, subnetId, [group]);
  const clients = createClients(account.connection);
  const written = new WriteUnitMeter();
  clients.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const item = (args.input as { Item?: Record<string, AttributeValue> }).Item;
      if (context.commandName !== 'PutItemCommand' || !item) return next(args);
      try {
        const out = await next(args);
        written.put(item, true);
        return out;
      } catch (error) {
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException') written.put(item, false);
        throw error;
      }
    },
    { step: 'initialize', name: 'meterWrites' },
  );
  const responder = responderFor(account, { version: 1, ...policy }, { clients });
  const result = await responder.handle(
    eventBridgeEnvelope(createNetworkInterfaceRecord(ni, { account: ACCOUNT, region: EMULATOR_ENV.AWS_REGION })),
  );
  return { meter: written, result };
}

const response = (result: HandleResult) =>
  result.kind === 'decided' ? result.decisions[0]?.results.map((r) => [r.action.kind, r.verified]) : [];

describe('ledger write units per remediation (moto, DynamoDB sizing)', () => {
  it.each([
    ['own group: revoke the world-open rule', 1, {}],
    ['shared group: a per-interface copy', 2, {}],
    ['shared group: quarantine', 2, { remediation: { sharedGroups: 'quarantine' } }],
  ])('%s costs at most 5 write units', async (label, users, policy) => {
    const { meter: m, result } = await meter(users, policy);
    expect(response(result)?.every(([, verified]) => verified)).toBe(true);
    process.stdout.write(
      `ledger write units, ${label}: ${m.total} (${m.writes.map((w) => `${w.action} ${w.bytes} B → ${w.table}${w.index ? ` + index ${w.index}` : ''}`).join(', ')})\n`,
    );
    expect(m.total).toBeLessThanOrEqual(5);
  });
});
