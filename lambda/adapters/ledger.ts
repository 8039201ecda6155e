/**
 * The remediation ledger in DynamoDB. One item per `eventId/interface`, written with conditional
 * puts: the first writer claims it (a lease), a duplicate delivery finds it and does nothing again,
 * and a record nobody holds any more (an expired claim, an incomplete record) is taken over — by a
 * put conditioned on the status and attempt just read, carrying everything the record held.
 *
 * A batch (a group change) also notes its interfaces in one item `eventId/batch` before it claims any.
 *
 * Item: `ledgerId` (key), `status`, `attempt`, `leaseUntil` (epoch s, with milliseconds),
 * `expiresAt` (TTL, epoch s), `alertSent`, `account`, `region` and `createdAt` (the hub's index by
 * account), `record` (the rest of the entry, compact and compressed); and only once something was
 * fixed, `networkInterfaceId` and `fixed` (the sparse interface index the IaC-conflict guard counts). A claim and a completion each fit in about a
 * kilobyte, one write unit, for a typical remediation (`test/integration/ledger.test.ts` measures it).
 */
import { GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { deflateRawSync, gunzipSync, inflateRawSync } from 'node:zlib';
import { claimable, LEDGER_INTERFACE_INDEX, resumeEntry, type LedgerEntry, type LedgerStatus } from '../core/ledger';
import { errorCode, LedgerConflictError, type Claim, type LedgerPort } from '../app/ports';
import { wrap } from './errors';

/** How long ledger records are kept (DynamoDB TTL). */
export const LEDGER_RETENTION_DAYS = 400;

/** DynamoDB implementation of the ledger. */
export class DynamoLedger implements LedgerPort {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async claim(entry: LedgerEntry, leaseUntil: Date, now: Date): Promise<Claim> {
    const first: LedgerEntry = { ...entry, status: 'in-progress', attempt: 1 };
    if (await this.put(first, leaseUntil, { ConditionExpression: 'attribute_not_exists(ledgerId)' }))
      return { kind: 'claimed', entry: first };
    // Someone wrote it first. Take it over if nobody holds it; a second taker racing us loses on the attempt number.
    for (let round = 0; round < 3; round += 1) {
      const held = await this.read(entry.ledgerId);
      if (!held) {
        // Gone between the two calls (TTL): claim it afresh.
        if (await this.put(first, leaseUntil, { ConditionExpression: 'attribute_not_exists(ledgerId)' }))
          return { kind: 'claimed', entry: first };
        continue;
      }
      if (!claimable(held.entry, held.leaseUntil, now)) {
        return { kind: 'held', entry: held.entry, ...(held.leaseUntil ? { leaseUntil: held.leaseUntil } : {}) };
      }
      const next = resumeEntry(held.entry, entry);
      if (await this.put(next, leaseUntil, sameVersion(held.entry))) return { kind: 'claimed', entry: next };
    }
    const last = await this.read(entry.ledgerId);
    return { kind: 'held', entry: last?.entry ?? first, ...(last?.leaseUntil ? { leaseUntil: last.leaseUntil } : {}) };
  }

  async save(entry: LedgerEntry, expected?: LedgerStatus): Promise<void> {
    const condition = expected ? sameVersion({ status: expected, ...(entry.attempt !== undefined ? { attempt: entry.attempt } : {}) }) : {};
    const written = await this.put(entry, undefined, condition);
    if (!written) throw new LedgerConflictError(entry.ledgerId, expected ?? entry.status);
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

  async noteBatch(eventId: string, networkInterfaceIds: readonly string[]): Promise<void> {
    if (networkInterfaceIds.length === 0) return;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ledgerId: { S: batchKey(eventId) },
            interfaces: { SS: [...new Set(networkInterfaceIds)] },
            expiresAt: { N: String(Math.floor(Date.now() / 1000) + LEDGER_RETENTION_DAYS * 86_400) },
          },
        }),
      );
    } catch (error) {
      throw wrap('PutItem', error);
    }
  }

  async batchOf(eventId: string): Promise<readonly string[]> {
    try {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: { ledgerId: { S: batchKey(eventId) } }, ConsistentRead: true }),
      );
      return out.Item?.['interfaces']?.SS ?? [];
    } catch (error) {
      throw wrap('GetItem', error);
    }
  }

  async get(ledgerId: string): Promise<LedgerEntry | undefined> {
    return (await this.read(ledgerId))?.entry;
  }

  private async read(ledgerId: string): Promise<{ entry: LedgerEntry; leaseUntil?: Date } | undefined> {
    try {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: { ledgerId: { S: ledgerId } }, ConsistentRead: true }),
      );
      if (!out.Item) return undefined;
      const entry = entryOf(out.Item);
      if (!entry) return undefined;
      const lease = out.Item['leaseUntil']?.N;
      return { entry, ...(lease !== undefined ? { leaseUntil: new Date(Number(lease) * 1000) } : {}) };
    } catch (error) {
      throw wrap('GetItem', error);
    }
  }

  /** A conditional put; false when the condition failed. */
  private async put(
    entry: LedgerEntry,
    leaseUntil: Date | undefined,
    condition: {
      ConditionExpression?: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues?: Record<string, AttributeValue>;
    },
  ): Promise<boolean> {
    try {
      await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: toItem(entry, leaseUntil), ...condition }));
      return true;
    } catch (error) {
      if (condition.ConditionExpression && errorCode(error) === 'ConditionalCheckFailedException') return false;
      throw wrap('PutItem', error);
    }
  }
}

/** The key of a batch's note: beside the records of its interfaces (`eventId/eni-…`), never one of them. */
function batchKey(eventId: string): string {
  return `${eventId}/batch`;
}

/** The condition that the item is still at `status` (and `attempt`) as last read. */
function sameVersion(seen: Pick<LedgerEntry, 'status' | 'attempt'>) {
  return {
    ConditionExpression: `#status = :status AND ${seen.attempt === undefined ? 'attribute_not_exists(attempt)' : 'attempt = :attempt'}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':status': { S: seen.status },
      ...(seen.attempt !== undefined ? { ':attempt': { N: String(seen.attempt) } } : {}),
    },
  };
}

function toItem(entry: LedgerEntry, leaseUntil: Date | undefined): Record<string, AttributeValue> {
  const created = Date.parse(entry.createdAt);
  const fixed = (entry.results ?? []).some((r) => r.status === 'succeeded');
  return {
    ledgerId: { S: entry.ledgerId },
    status: { S: entry.status },
    ...(entry.attempt !== undefined ? { attempt: { N: String(entry.attempt) } } : {}),
    ...(leaseUntil ? { leaseUntil: { N: (leaseUntil.getTime() / 1000).toFixed(3) } } : {}),
    // Where the interface is, in plain sight; with `createdAt`, every record is on its account's page of the
    // index by account (organization mode's hub ledger: what eni-guard did in one account, newest first).
    ...(entry.account ? { account: { S: entry.account }, createdAt: { S: entry.createdAt } } : {}),
    ...(entry.region ? { region: { S: entry.region } } : {}),
    expiresAt: { N: String(Math.floor(created / 1000) + LEDGER_RETENTION_DAYS * 86_400) },
    ...(entry.alertSent !== undefined ? { alertSent: { BOOL: entry.alertSent } } : {}),
    // Only fixes go into the interface index: a claim or a notification costs no index write.
    ...(fixed ? { networkInterfaceId: { S: entry.networkInterfaceId }, createdAt: { S: entry.createdAt }, fixed: { BOOL: true } } : {}),
    record: recordAttribute(entry),
  };
}

/** The first byte of a compact record: deflate (raw) with `DICTIONARY`. Older records are JSON (S) or gzip (B, 0x1f 0x8b). */
const COMPACT_V1 = 0x01;
/** Records compress to more than this many bytes only when huge; past it the bulky parts undo does not need are dropped. */
const MAX_RECORD_BYTES = 350 * 1024;

/**
 * Strings records are made of, given to deflate as its preset dictionary: a record of a kilobyte
 * of JSON then compresses to a few hundred bytes. Never change it — records are read back for 400
 * days; a new dictionary needs a new format byte.
 */
const DICTIONARY = Buffer.from(
  [
    '{"service":"ec2","operation":"',
    '","input":{"GroupId":"sg-',
    '"IpPermissions":[{"IpProtocol":"tcp","FromPort":',
    '"ToPort":',
    '"IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"',
    '"Ipv6Ranges":[{"CidrIpv6":"::/0"',
    '"alreadyDone":["InvalidGroup.NotFound"]',
    '"InvalidPermission.Duplicate"',
    '"InvalidPermission.NotFound","InvalidSecurityGroupRuleId.NotFound"]',
    '"SecurityGroupRuleIds":["sgr-',
    '"outcome":"ok"},{"operation":"',
    '"outcome":"recovered"',
    '"outcome":"already-done"',
    '"status":"succeeded","verified":true,"verification":"re-read ',
    ': groups ',
    '"status":"failed","error":"',
    '"undo":[{"service":"ec2","operation":"',
    '"compensation":[{"service":"ec2","operation":"DeleteSecurityGroup",',
    '"checks":[{"kind":"interface-groups","networkInterfaceId":"eni-',
    '"checks":[{"kind":"rules-absent","groupId":"sg-',
    '"rules":[{"protocol":"tcp","fromPort":',
    '"checks":[{"kind":"tags","resourceId":"eni-',
    '"tags":{"eni-guard:remediated":"',
    '"eni-guard:findings":"world-open-ingress"',
    '"eni-guard:ledger":"',
    '{"Key":"eni-guard:copy-of","Value":"sg-',
    '{"Key":"eni-guard:interface","Value":"eni-',
    '{"Key":"eni-guard:ledger","Value":"',
    '{"Key":"eni-guard:remediated","Value":"',
    '{"Key":"eni-guard:findings","Value":"',
    '"TagSpecifications":[{"ResourceType":"security-group","Tags":[',
    '"CreateSecurityGroup","input":{"GroupName":"eni-guard-eni-',
    '"Description":"Copy of sg-',
    ' without its world-open rules; eni-guard ',
    '"VpcId":"vpc-',
    '"output":{"name":"copy-of-sg-',
    '","path":"GroupId"}',
    '{"$ref":"copy-of-sg-',
    '"ModifyNetworkInterfaceAttribute","input":{"NetworkInterfaceId":"eni-',
    '","Groups":["sg-',
    '"RevokeSecurityGroupIngress"',
    '"AuthorizeSecurityGroupIngress"',
    '"RevokeSecurityGroupEgress"',
    '"AuthorizeSecurityGroupEgress"',
    '"CreateTags","input":{"Resources":["eni-',
    '"DeleteTags"',
    '"PutRolePolicy","input":{"RoleName":"',
    '"PolicyName":"eni-guard-revoke-older-sessions"',
    '"DeleteRolePolicy"',
    '"NoSuchEntity"',
    '{"kind":"replace-groups","ruleIds":["world-open-ingress"],"summary":"',
    ' is shared with other interfaces: give ',
    ' a copy without the world-open rules and leave the original untouched',
    '{"kind":"revoke-ingress","ruleIds":["world-open-ingress"],"summary":"revoke ',
    ' world-open rule(s) of ',
    ', which only this interface uses',
    '{"kind":"tag-interface","ruleIds":["world-open-ingress"],"summary":"tag ',
    ' with the findings, the fix and the ledger id',
    '{"kind":"quarantine"',
    '"calls":[{"service":"ec2","operation":"',
    '"outputs":{"copy-of-sg-',
    '"attempt":',
    '"superseded":"',
    '"findings":[{"ruleId":"world-open-ingress","severity":"high","title":"sg-',
    ' admits the whole internet on tcp/',
    ' from 0.0.0.0/0',
    '"plan":{"mode":"remediate","actions":[],"withheld":[]}',
    '"preState":{"networkInterface":{"networkInterfaceId":"eni-',
    '"interfaceType":"interface",',
    '"requesterManaged":false,"ipv6Addresses":[],"groups":[{"groupId":"sg-',
    '","groupName":"',
    '"tags":{},"vpcId":"vpc-',
    '"subnetId":"subnet-',
    '"availabilityZone":"us-east-1a","description":"","status":"in-use","requesterId":"',
    '"ownerId":"',
    '"privateIpAddress":"10.',
    '"sourceDestCheck":true',
    '"results":[{"action":',
    '"interrupted":[',
    '"eventId":"',
    '"networkInterfaceId":"eni-',
    '"createdAt":"20',
    '"ledgerId":"',
  ].join(''),
);

/**
 * The entry as stored: everything but what the item keeps as attributes, as JSON deflated with the
 * dictionary. Should even that be too big for an item (megabytes of rules), the parts undo does not
 * need — the kept alert, the interrupted plans' bulk — are dropped: the function's log has them.
 */
function recordAttribute(entry: LedgerEntry): AttributeValue {
  const { status: _status, attempt: _attempt, alertSent: _sent, ...rest } = entry;
  const packed = pack(rest);
  if (packed.byteLength <= MAX_RECORD_BYTES) return { B: packed };
  const { alert: _alert, interrupted: _interrupted, ...slim } = rest;
  return { B: pack(slim) };
}

function pack(value: unknown): Buffer {
  const deflated = deflateRawSync(Buffer.from(JSON.stringify(value)), { level: 9, dictionary: DICTIONARY });
  return Buffer.concat([Buffer.of(COMPACT_V1), deflated]);
}

function entryOf(item: Record<string, AttributeValue>): LedgerEntry | undefined {
  const attribute = item['record'];
  let stored: Partial<LedgerEntry> | undefined;
  if (attribute?.S !== undefined) stored = JSON.parse(attribute.S) as LedgerEntry;
  else if (attribute?.B !== undefined) {
    const bytes = Buffer.from(attribute.B);
    const json = bytes[0] === COMPACT_V1 ? inflateRawSync(bytes.subarray(1), { dictionary: DICTIONARY }) : gunzipSync(bytes);
    stored = JSON.parse(json.toString('utf8')) as LedgerEntry;
  }
  if (!stored) return undefined;
  const status = item['status']?.S ?? stored.status;
  const attempt = item['attempt']?.N;
  const alertSent = item['alertSent']?.BOOL ?? stored.alertSent;
  return {
    ...(stored as LedgerEntry),
    ...(status ? { status: status as LedgerStatus } : {}),
    ...(attempt !== undefined ? { attempt: Number(attempt) } : {}),
    ...(alertSent !== undefined ? { alertSent } : {}),
  };
}
