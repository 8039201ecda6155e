/** Lambda memory recommendation and cost per million events, at stated list prices. */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { WriteUnitMeter } from '../lib/dynamodb-units';

/** List prices used (us-east-1, checked for this bench; AWS changes them rarely). */
export const PRICES = {
  region: 'us-east-1',
  architecture: 'arm64',
  /** Lambda compute, arm64, first pricing tier. */
  lambdaPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  /** SNS standard topic publish (each 64 KB chunk is a request; an alert is one). */
  snsPerMillionPublishes: 0.5,
  /** DynamoDB on-demand (the remediation ledger): per million write / read request units. */
  dynamodbPerMillionWriteUnits: 0.625,
  dynamodbPerMillionReadUnits: 0.125,
  /** EC2 API calls (Describe…, Revoke…) are not charged. */
  ec2PerMillionCalls: 0,
} as const;

/** Lambda gives a function one full vCPU at 1,769 MB and a proportional share below. */
export const MB_PER_VCPU = 1769;
/** Headroom over the measured peak RSS: the runtime client, log buffers and heap growth over a long-lived container. */
export const RSS_HEADROOM = 1.5;
/** Lambda memory steps considered for the recommendation. */
const STEP_MB = 128;

/** The smallest multiple of 128 MB (at least 128) with `RSS_HEADROOM` over the peak RSS. */
export function recommendMemoryMb(peakRssMb: number): number {
  return Math.max(STEP_MB, Math.ceil((peakRssMb * RSS_HEADROOM) / STEP_MB) * STEP_MB);
}

/** The billed side effects of one event, besides the function's own duration. */
export interface EventUsage {
  /** SNS publishes (alerts). */
  readonly publishes: number;
  /** DynamoDB write and read request units (1 KB written, 4 KB read, each). */
  readonly writeUnits: number;
  readonly readUnits: number;
}

/** Cost of one million events that each run `durationMs` (billed per 1 ms, rounded up) and use `usage`. */
export function costPerMillion(
  durationMs: number,
  memoryMb: number,
  usage: EventUsage,
): { compute: number; requests: number; sns: number; dynamodb: number; total: number } {
  const billedSeconds = Math.ceil(durationMs) / 1000;
  const compute = 1e6 * billedSeconds * (memoryMb / 1024) * PRICES.lambdaPerGbSecond;
  const requests = PRICES.lambdaPerMillionRequests;
  const sns = usage.publishes * PRICES.snsPerMillionPublishes;
  const dynamodb = usage.writeUnits * PRICES.dynamodbPerMillionWriteUnits + usage.readUnits * PRICES.dynamodbPerMillionReadUnits;
  return { compute, requests, sns, dynamodb, total: compute + requests + sns + dynamodb };
}

/** DynamoDB actions that consume write units, and those that consume read units. */
const DYNAMODB_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const DYNAMODB_READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

/**
 * The billed usage of one event's recorded calls. A `PutItem` whose body was recorded is billed as
 * DynamoDB bills it (the item's size, the interface index: scripts/lib/dynamodb-units.ts); other
 * writes are estimated from the size of the request (an upper bound).
 */
export function usageOf(
  calls: readonly { readonly action: string; readonly requestBytes: number; readonly status?: number; readonly body?: string }[],
): EventUsage {
  let publishes = 0;
  let writeUnits = 0;
  let readUnits = 0;
  const meter = new WriteUnitMeter();
  for (const call of calls) {
    if (call.action === 'Publish') publishes += 1;
    else if (call.action === 'PutItem' && call.body) {
      const item = (JSON.parse(call.body) as { Item?: Record<string, AttributeValue> }).Item;
      if (item) meter.put(item, call.status === undefined || call.status < 300);
      else writeUnits += Math.max(1, Math.ceil(call.requestBytes / 1024));
    } else if (DYNAMODB_WRITES.has(call.action)) writeUnits += Math.max(1, Math.ceil(call.requestBytes / 1024));
    else if (DYNAMODB_READS.has(call.action)) readUnits += 1;
  }
  return { publishes, writeUnits: writeUnits + meter.total, readUnits };
}

/**
 * Duration at `memoryMb` if the CPU part stretches with Lambda's CPU share: API wait + own CPU time
 * × (1,769 / MB). A rough estimate: this machine's core is not a Graviton core.
 */
export function cpuScaledMs(apiMs: number, cpuMs: number, memoryMb: number): number {
  return apiMs + cpuMs * Math.max(1, MB_PER_VCPU / memoryMb);
}
