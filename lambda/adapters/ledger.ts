/**
 * The remediation ledger in DynamoDB. One item per `eventId/interface`, written with conditional
 * puts: the first writer claims it (a lease), a duplicate delivery finds it and does nothing again,
 * and a claim whose holder crashed can be taken over once its lease has expired.
 *
 * Item: `ledgerId` (key), `status`, `leaseUntil` (epoch s), `expiresAt` (TTL, epoch s), `record` (the
 * entry as JSON: pre-state, plan, results, alert), `eventId`, `networkInterfaceId`, `createdAt`.
 */
import { GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import { LEDGER_INTERFACE_INDEX, type LedgerEntry, type LedgerStatus } from '../core/ledger';
import { errorCode, LedgerConflictError, type LedgerPort } from '../app/ports';
import { wrap } from './errors';

/** How long ledger records are kept (DynamoDB TTL). */
export const LEDGER_RETENTION_DAYS = 400;

/** DynamoDB implementation of the ledger. */
export class DynamoLedger implements LedgerPort {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async claim(entry: LedgerEntry, leaseUntil: Date, now: Date): Promise<LedgerEntry | undefined> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...toItem(entry), leaseUntil: { N: String(Math.floor(leaseUntil.getTime() / 1000)) } },
          ConditionExpression: 'attribute_not_exists(ledgerId) OR (#status = :inProgress AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': { S: 'in-progress' }, ':now': { N: String(Math.floor(now.getTime() / 1000)) } },
        }),
      );
      return undefined;
    } catch (error) {
      if (errorCode(error) !== 'ConditionalCheckFailedException') throw wrap('PutItem', error);
    }
    const existing = await this.get(entry.ledgerId);
    // Deleted between the two calls (TTL): treat as held, the caller will not act twice.
    return existing ?? { ...entry, status: 'in-progress' };
  }

  async save(entry: LedgerEntry, expected?: LedgerStatus): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem(entry),
          ...(expected
            ? {
                ConditionExpression: '#status = :expected',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':expected': { S: expected } },
              }
            : {}),
        }),
      );
    } catch (error) {
      if (expected && errorCode(error) === 'ConditionalCheckFailedException') throw new LedgerConflictError(entry.ledgerId, expected);
      throw wrap('PutItem', error);
    }
  }

  async countFixes(networkInterfaceId: string, since: Date): Promise<number> {
    let count = 0;
    let start: Record<string, AttributeValue> | undefined;
    try {
      do {
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: LEDGER_INTERFACE_INDEX,
            KeyConditionExpression: 'networkInterfaceId = :eni AND createdAt >= :since',
            // FIXED is a DynamoDB reserved word.
            FilterExpression: '#fixed = :yes',
            ExpressionAttributeNames: { '#fixed': 'fixed' },
            ExpressionAttributeValues: { ':eni': { S: networkInterfaceId }, ':since': { S: since.toISOString() }, ':yes': { BOOL: true } },
            Select: 'COUNT',
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        count += out.Count ?? 0;
        start = out.LastEvaluatedKey;
      } while (start);
    } catch (error) {
      throw wrap('Query', error);
    }
    return count;
  }

  async get(ledgerId: string): Promise<LedgerEntry | undefined> {
    try {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: { ledgerId: { S: ledgerId } }, ConsistentRead: true }),
      );
      return entryOf(out.Item?.['record']);
    } catch (error) {
      throw wrap('GetItem', error);
    }
  }
}

function toItem(entry: LedgerEntry): Record<string, AttributeValue> {
  const created = Date.parse(entry.createdAt);
  return {
    ledgerId: { S: entry.ledgerId },
    status: { S: entry.status },
    eventId: { S: entry.eventId },
    networkInterfaceId: { S: entry.networkInterfaceId },
    ...(entry.account ? { account: { S: entry.account } } : {}),
    ...(entry.region ? { region: { S: entry.region } } : {}),
    createdAt: { S: entry.createdAt },
    fixed: { BOOL: (entry.results ?? []).some((r) => r.status === 'succeeded') },
    expiresAt: { N: String(Math.floor(created / 1000) + LEDGER_RETENTION_DAYS * 86_400) },
    record: recordAttribute(entry),
  };
}

/** Records above this many bytes are stored gzip-compressed (DynamoDB items may not exceed 400 KB). */
export const COMPRESS_ABOVE_BYTES = 64 * 1024;
/** Past this, even compressed, the item would not fit: the bulky parts the undo does not need are dropped. */
const MAX_RECORD_BYTES = 350 * 1024;

/**
 * The entry as JSON, or gzip-compressed JSON when large: a group with hundreds of rules and a big alert
 * must not make the write-ahead record — and with it the remediation — fail. If even that is too big
 * (megabytes of JSON), the pre-state's rule list and the rendered alert are dropped: undo replays the
 * recorded calls, which stay, and the alert is in the function's log.
 */
function recordAttribute(entry: LedgerEntry): AttributeValue {
  const json = JSON.stringify(entry);
  if (Buffer.byteLength(json) <= COMPRESS_ABOVE_BYTES) return { S: json };
  const packed = gzipSync(json);
  if (packed.byteLength <= MAX_RECORD_BYTES) return { B: packed };
  const { alert: _alert, preState, ...rest } = entry;
  const slim: LedgerEntry = { ...rest, ...(preState ? { preState: { networkInterface: preState.networkInterface, groupRules: [] } } : {}) };
  return { B: gzipSync(JSON.stringify(slim)) };
}

function entryOf(attribute: AttributeValue | undefined): LedgerEntry | undefined {
  if (attribute?.S !== undefined) return JSON.parse(attribute.S) as LedgerEntry;
  if (attribute?.B !== undefined) return JSON.parse(gunzipSync(attribute.B).toString('utf8')) as LedgerEntry;
  return undefined;
}
