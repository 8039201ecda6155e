/**
 * The DynamoDB ledger against moto: conditional claims and takeovers, a batch's note of its
 * interfaces, records too large for one item as plain JSON (a group with hundreds of rules) stored compressed, not failed, and records of
 * the earlier formats still read.
 */
import { gzipSync } from 'node:zlib';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoLedger } from '../../lambda/adapters/ledger';
import { LedgerConflictError } from '../../lambda/app/ports';
import type { LedgerEntry } from '../../lambda/core/ledger';
import type { SecurityGroupRule } from '../../lambda/core/model';
import { createLedgerTable } from '../../scripts/lib/ledger-table';
import { assertMotoInstalled, startMoto, type Moto } from '../../scripts/lib/moto';
import { EMULATOR_ENV } from '../../scripts/lib/sandbox';
import { networkInterface } from '../support/fixtures';

let moto: Moto;
let dynamodb: DynamoDBClient;
let ledger: DynamoLedger;
let table: string;

beforeAll(async () => {
  assertMotoInstalled();
  moto = await startMoto();
  dynamodb = new DynamoDBClient({
    endpoint: moto.endpoint,
    region: EMULATOR_ENV.AWS_REGION,
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
  });
  table = await createLedgerTable(dynamodb);
  ledger = new DynamoLedger(dynamodb, table);
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

const entry = (ledgerId: string, rules = 0): LedgerEntry => ({
  ledgerId,
  eventId: ledgerId.split('/')[0]!,
  networkInterfaceId: 'eni-0aaaaaaaaaaaaaaaa',
  status: 'in-progress',
  createdAt: '2026-11-29T03:00:00.000Z',
  preState: {
    networkInterface: networkInterface(),
    groupRules: Array.from({ length: rules }, (_, i): SecurityGroupRule => ({
      ruleId: `sgr-${String(i).padStart(17, '0')}`,
      groupId: 'sg-1',
      isEgress: false,
      protocol: 'tcp',
      fromPort: 1000 + i,
      toPort: 1000 + i,
      cidrIpv4: `10.${(i >> 8) & 255}.${i & 255}.0/24`,
      description: `rule ${i}: ${'documented at length '.repeat(4)}`,
    })),
  },
});

describe('DynamoLedger (moto)', () => {
  it('claims once: a second claim finds it held until its lease ends; then it is taken over as attempt 2', async () => {
    const now = new Date('2026-11-29T03:00:00Z');
    const lease = new Date(now.getTime() + 120_000);
    expect(await ledger.claim(entry('evt-a/eni-1'), lease, now)).toMatchObject({ kind: 'claimed', entry: { attempt: 1 } });
    expect(await ledger.claim(entry('evt-a/eni-1'), lease, now)).toMatchObject({
      kind: 'held',
      entry: { status: 'in-progress' },
      leaseUntil: lease,
    });
    const later = new Date(now.getTime() + 180_000);
    expect(await ledger.claim(entry('evt-a/eni-1'), new Date(later.getTime() + 120_000), later)).toMatchObject({
      kind: 'claimed',
      entry: { attempt: 2, status: 'in-progress' },
    });
  });

  it('a takeover keeps what the record holds, and the attempt it replaced can no longer overwrite it', async () => {
    const now = new Date('2026-11-29T03:00:00Z');
    const claimed = await ledger.claim(entry('evt-t/eni-1'), new Date(now.getTime() + 1000), now);
    if (claimed.kind !== 'claimed') throw new Error('not claimed');
    const later = new Date(now.getTime() + 5000);
    const taken = await ledger.claim(
      { ...entry('evt-t/eni-1'), findings: [{ ruleId: 'r', severity: 'high', title: 't' }] },
      new Date(later.getTime() + 1000),
      later,
    );
    expect(taken).toMatchObject({ kind: 'claimed', entry: { attempt: 2, preState: claimed.entry.preState } });
    // The first holder wakes up late and tries to complete: refused, the takeover owns the record.
    await expect(ledger.save({ ...claimed.entry, status: 'completed' }, 'in-progress')).rejects.toThrow(LedgerConflictError);
    expect(await ledger.get('evt-t/eni-1')).toMatchObject({ status: 'in-progress', attempt: 2 });
  });

  it("notes a batch's interfaces beside their records, once each; the note is no record, and an event without one has none", async () => {
    await ledger.noteBatch('evt-batch', ['eni-1', 'eni-2', 'eni-1']);
    expect([...(await ledger.batchOf('evt-batch'))].sort()).toEqual(['eni-1', 'eni-2']);
    expect(await ledger.get('evt-batch/batch')).toBeUndefined();
    expect(await ledger.batchOf('evt-unbatched')).toEqual([]);
    // Nothing to note writes nothing (DynamoDB rejects an empty set).
    await ledger.noteBatch('evt-empty', []);
    expect(await ledger.batchOf('evt-empty')).toEqual([]);
  });

  it('stores a record larger than a plain item allows compressed, and reads it back whole', async () => {
    const big = entry('evt-big/eni-1', 6_000);
    expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(400 * 1024);
    await ledger.save(big);
    const raw = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { ledgerId: { S: big.ledgerId } } }));
    expect(raw.Item?.['record']?.B).toBeDefined();
    expect(await ledger.get(big.ledgerId)).toEqual(big);
  });

  it('reads the records written before the compact format (plain JSON and gzip)', async () => {
    const plain = entry('evt-old-json/eni-1', 3);
    const zipped = entry('evt-old-gzip/eni-1', 3);
    for (const [old, record] of [
      [plain, { S: JSON.stringify(plain) }],
      [zipped, { B: gzipSync(JSON.stringify(zipped)) }],
    ] as const) {
      await dynamodb.send(
        new PutItemCommand({ TableName: table, Item: { ledgerId: { S: old.ledgerId }, status: { S: old.status }, record } }),
      );
      expect(await ledger.get(old.ledgerId)).toEqual(old);
    }
  });
});
