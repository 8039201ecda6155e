/**
 * The DynamoDB ledger against moto: conditional claims, and records too large for one item as
 * plain JSON (a group with hundreds of rules, a big alert) stored compressed, not failed.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { COMPRESS_ABOVE_BYTES, DynamoLedger } from '../../lambda/adapters/ledger';
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
  it('claims once: a second claim gets the record that holds it; a claim past its lease is taken over', async () => {
    const now = new Date('2026-11-29T03:00:00Z');
    expect(await ledger.claim(entry('evt-a/eni-1'), new Date(now.getTime() + 120_000), now)).toBeUndefined();
    expect(await ledger.claim(entry('evt-a/eni-1'), new Date(now.getTime() + 120_000), now)).toMatchObject({ status: 'in-progress' });
    const later = new Date(now.getTime() + 180_000);
    expect(await ledger.claim(entry('evt-a/eni-1'), new Date(later.getTime() + 120_000), later)).toBeUndefined();
  });

  it('stores a record larger than a plain item allows compressed, and reads it back whole', async () => {
    const big = entry('evt-big/eni-1', 6_000);
    expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(400 * 1024);
    await ledger.save(big);
    const raw = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { ledgerId: { S: big.ledgerId } } }));
    expect(raw.Item?.['record']?.B).toBeDefined();
    expect(await ledger.get(big.ledgerId)).toEqual(big);
  });

  it('keeps small records as readable JSON', async () => {
    const small = entry('evt-small/eni-1', 3);
    expect(Buffer.byteLength(JSON.stringify(small))).toBeLessThan(COMPRESS_ABOVE_BYTES);
    await ledger.save(small);
    const raw = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { ledgerId: { S: small.ledgerId } } }));
    expect(JSON.parse(raw.Item!['record']!.S!)).toEqual(small);
  });
});
