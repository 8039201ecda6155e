/**
 * Calm during bursts, over DynamoDB. `BurstAlerts` is an alert-port decorator: it publishes urgent
 * alerts and the first of each cause and window at once, and holds the rest as items of the cause's
 * window; `BurstFlusher` (run every minute by a schedule) publishes one digest per window once the
 * window has ended — whether or not another event ever arrives.
 *
 * Table: `windowKey` (partition) + `itemId` (sort). The window's header is `itemId = "#window"`
 * (`state` open → flushing → flushed, `window` JSON); each held alert is `item#<id>`
 * (`record` JSON). A sparse index `pending` (partition `pending`, sort `windowEnd`) lists the windows
 * not yet flushed. Holding is one transaction — the header must still be `open`, the item must be
 * new — so an alert is either in a window the flusher will read, or published at once: never lost.
 */
import {
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { ALERT_SCHEMA_VERSION, type Alert } from '../core/alert';
import {
  causeOf,
  heldAlertOf,
  isUrgent,
  PENDING_INDEX,
  renderDigest,
  windowKeyOf,
  windowStart,
  type BurstWindow,
  type HeldAlert,
} from '../core/burst';
import { errorCode, type AlertPort, type LogPort, type MetricsPort } from '../app/ports';
import { alertDigestedMetric } from '../core/metrics';
import { wrap } from './errors';
import type { MessagePort } from './sns';

/** The sort key of a window's header item. */
const HEADER = '#window';
/** Windows and held alerts are kept this long after the window ends (DynamoDB TTL), for lookups. */
const RETENTION_SECONDS = 7 * 86_400;
/** Transaction conflicts on a busy window are retried this many times, then the alert goes out at once. */
const HOLD_ATTEMPTS = 10;

/** What holding an alert ended in. */
export type HoldResult = 'held' | 'duplicate' | 'no-window' | 'closed';

/** Window storage. */
export interface BurstStore {
  /** Adds `item` to the open window `windowKey`. */
  hold(windowKey: string, item: HeldAlert, windowEndMs: number): Promise<HoldResult>;
  /** Opens the window (with its leading alert); false when it already exists. */
  open(window: BurstWindow, windowEndMs: number): Promise<boolean>;
  /** Keys of windows not yet flushed that ended at or before `cutoff`. */
  dueWindows(cutoff: Date): Promise<string[]>;
  /** Marks the window as being flushed and returns it; undefined when it is gone or already flushed. */
  claim(windowKey: string): Promise<BurstWindow | undefined>;
  /** Every alert held in the window. */
  items(windowKey: string): Promise<HeldAlert[]>;
  /** Marks the window flushed (it leaves the pending index). */
  finish(windowKey: string, published: number): Promise<void>;
}

/** DynamoDB implementation of `BurstStore`. */
export class DynamoBurstStore implements BurstStore {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  async hold(windowKey: string, item: HeldAlert, windowEndMs: number): Promise<HoldResult> {
    // Concurrent holds on one window conflict in DynamoDB's transactions: retried with jitter.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                ConditionCheck: {
                  TableName: this.tableName,
                  Key: key(windowKey, HEADER),
                  ConditionExpression: '#state = :open',
                  ExpressionAttributeNames: { '#state': 'state' },
                  ExpressionAttributeValues: { ':open': { S: 'open' } },
                },
              },
              {
                Put: {
                  TableName: this.tableName,
                  Item: { ...key(windowKey, `item#${item.itemId}`), record: { S: JSON.stringify(item) }, expiresAt: ttl(windowEndMs) },
                  ConditionExpression: 'attribute_not_exists(itemId)',
                },
              },
            ],
          }),
        );
        return 'held';
      } catch (error) {
        if (errorCode(error) !== 'TransactionCanceledException' && errorCode(error) !== 'TransactionConflictException') {
          throw wrap('TransactWriteItems', error);
        }
        if (attempt >= HOLD_ATTEMPTS - 1) throw wrap('TransactWriteItems', error);
      }
      // Which condition failed: read both (the cancellation reasons are not always itemised).
      const [header, existing] = await Promise.all([this.get(windowKey, HEADER), this.get(windowKey, `item#${item.itemId}`)]);
      if (existing) return 'duplicate';
      if (!header) return 'no-window';
      if (header['state']?.S !== 'open') return 'closed';
      await sleep(Math.random() * 25 * 2 ** Math.min(attempt, 5));
    }
  }

  async open(window: BurstWindow, windowEndMs: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...key(window.windowKey, HEADER),
            state: { S: 'open' },
            pending: { S: 'pending' },
            windowEnd: { S: window.end },
            window: { S: JSON.stringify(window) },
            expiresAt: ttl(windowEndMs),
          },
          ConditionExpression: 'attribute_not_exists(windowKey)',
        }),
      );
      return true;
    } catch (error) {
      if (errorCode(error) === 'ConditionalCheckFailedException') return false;
      throw wrap('PutItem', error);
    }
  }

  async dueWindows(cutoff: Date): Promise<string[]> {
    const items = await this.queryAll({
      IndexName: PENDING_INDEX,
      KeyConditionExpression: 'pending = :pending AND windowEnd <= :cutoff',
      ExpressionAttributeValues: { ':pending': { S: 'pending' }, ':cutoff': { S: cutoff.toISOString() } },
    });
    return items.flatMap((i) => (i['windowKey']?.S ? [i['windowKey'].S] : []));
  }

  async claim(windowKey: string): Promise<BurstWindow | undefined> {
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(windowKey, HEADER),
          // A window left in `flushing` by a flusher that failed is taken over: its digest may go twice, never zero times.
          UpdateExpression: 'SET #state = :flushing',
          ConditionExpression: '#state IN (:open, :flushing)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':open': { S: 'open' }, ':flushing': { S: 'flushing' } },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const window = out.Attributes?.['window']?.S;
      return window ? (JSON.parse(window) as BurstWindow) : undefined;
    } catch (error) {
      if (errorCode(error) === 'ConditionalCheckFailedException') return undefined;
      throw wrap('UpdateItem', error);
    }
  }

  async items(windowKey: string): Promise<HeldAlert[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'windowKey = :key AND begins_with(itemId, :item)',
      ExpressionAttributeValues: { ':key': { S: windowKey }, ':item': { S: 'item#' } },
      ConsistentRead: true,
    });
    return items.flatMap((i) => (i['record']?.S ? [JSON.parse(i['record'].S) as HeldAlert] : []));
  }

  async finish(windowKey: string, published: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(windowKey, HEADER),
          UpdateExpression: 'SET #state = :flushed, published = :published REMOVE pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':flushed': { S: 'flushed' }, ':published': { N: String(published) } },
        }),
      );
    } catch (error) {
      throw wrap('UpdateItem', error);
    }
  }

  /** Every item a query matches, page after page. */
  private async queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Record<string, AttributeValue>[]> {
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      try {
        const out = await this.client.send(
          new QueryCommand({ ...input, TableName: this.tableName, ...(start ? { ExclusiveStartKey: start } : {}) }),
        );
        items.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } catch (error) {
        throw wrap('Query', error);
      }
    } while (start);
    return items;
  }

  private async get(windowKey: string, itemId: string): Promise<Record<string, AttributeValue> | undefined> {
    try {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: key(windowKey, itemId), ConsistentRead: true }),
      );
      return out.Item;
    } catch (error) {
      throw wrap('GetItem', error);
    }
  }
}

/** Settings of the burst decorator. */
export interface BurstSettings {
  /** Window length. */
  readonly windowSeconds: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Counts alerts held for a digest (`AlertsDigested`). @default none */
  readonly metrics?: MetricsPort;
}

/** An alert port that holds alerts of the same cause and window for one digest. */
export class BurstAlerts implements AlertPort {
  constructor(
    private readonly store: BurstStore,
    private readonly next: AlertPort,
    private readonly log: Pick<LogPort, 'info' | 'warn'>,
    private readonly settings: BurstSettings,
  ) {}

  async publish(alert: Alert): Promise<void> {
    const cause = causeOf(alert);
    if (!cause || isUrgent(alert)) return this.next.publish(alert);
    const now = (this.settings.now ?? (() => new Date()))();
    const startMs = windowStart(now.getTime(), this.settings.windowSeconds);
    const endMs = startMs + this.settings.windowSeconds * 1000;
    const windowKey = windowKeyOf(cause, startMs);
    const item = heldAlertOf(alert, now);
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const held = await this.store.hold(windowKey, item, endMs);
        if (held === 'held' || held === 'duplicate') {
          this.log.info('alert held for the burst digest', { windowKey, itemId: item.itemId, result: held });
          if (held === 'held') this.settings.metrics?.record([alertDigestedMetric()]);
          return;
        }
        if (held === 'closed') break;
        const window: BurstWindow = {
          windowKey,
          cause,
          start: new Date(startMs).toISOString(),
          end: new Date(endMs).toISOString(),
          leading: item,
        };
        // The first of its cause in this window: published at once; the window holds the ones after it.
        if (await this.store.open(window, endMs)) return this.next.publish(alert);
      }
    } catch (error) {
      // Calm is a nicety; the alert is not. Without the store, every alert goes out on its own.
      this.log.warn('burst store unavailable: publishing the alert at once', {
        windowKey,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    return this.next.publish(alert);
  }
}

/** Settings of the flusher. */
export interface FlusherSettings {
  /** A window is flushed this long after it ends (late holds fall back to publishing at once). @default 30 */
  readonly graceSeconds?: number;
  /** Named in digests: where the window and the full alerts are. */
  readonly burstTable?: string;
  readonly ledgerTable?: string;
  readonly logGroup?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** What one flush run did. */
export interface FlushReport {
  readonly windows: number;
  readonly digests: number;
  readonly alerts: number;
  readonly failed: readonly string[];
}

/** Publishes the digest of every window that has ended. */
export class BurstFlusher {
  constructor(
    private readonly store: BurstStore,
    private readonly next: MessagePort,
    private readonly log: Pick<LogPort, 'info' | 'error'>,
    private readonly settings: FlusherSettings = {},
  ) {}

  /** Flushes every due window; throws after trying them all if any failed (the next run tries again). */
  async flushDue(): Promise<FlushReport> {
    const now = (this.settings.now ?? (() => new Date()))();
    const cutoff = new Date(now.getTime() - (this.settings.graceSeconds ?? 30) * 1000);
    const keys = await this.store.dueWindows(cutoff);
    let digests = 0;
    let alerts = 0;
    const failed: string[] = [];
    for (const windowKey of keys) {
      try {
        const count = await this.flush(windowKey);
        if (count > 0) digests++;
        alerts += count;
      } catch (error) {
        failed.push(windowKey);
        this.log.error('burst digest not delivered', { windowKey, error: error instanceof Error ? error.message : String(error) });
      }
    }
    const report = { windows: keys.length, digests, alerts, failed };
    this.log.info('burst windows flushed', { ...report });
    if (failed.length > 0) throw new Error(`${failed.length} burst digest(s) not delivered; the next run retries them`);
    return report;
  }

  /** Publishes one window's digest (nothing when it held no alert); returns how many alerts it listed. */
  async flush(windowKey: string): Promise<number> {
    const window = await this.store.claim(windowKey);
    if (!window) return 0;
    const items = await this.store.items(windowKey);
    if (items.length > 0) {
      await this.next.publishMessage(
        renderDigest(window, items, ALERT_SCHEMA_VERSION, {
          ...(this.settings.burstTable ? { burstTable: this.settings.burstTable } : {}),
          ...(this.settings.ledgerTable ? { ledgerTable: this.settings.ledgerTable } : {}),
          ...(this.settings.logGroup ? { logGroup: this.settings.logGroup } : {}),
        }),
      );
    }
    await this.store.finish(windowKey, items.length);
    return items.length;
  }
}

function key(windowKey: string, itemId: string): Record<string, AttributeValue> {
  return { windowKey: { S: windowKey }, itemId: { S: itemId } };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function ttl(windowEndMs: number): AttributeValue {
  return { N: String(Math.floor(windowEndMs / 1000) + RETENTION_SECONDS) };
}
