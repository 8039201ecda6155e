/**
 * DynamoDB write units as DynamoDB bills them, computed from the items written (moto's
 * ConsumedCapacity is a constant 1, so it cannot measure anything). The documented rules:
 *
 * - an item's size is the sum of its attribute names and values (strings and binaries by their
 *   bytes, numbers by about one byte per two significant digits plus one, booleans one byte);
 * - a write costs one unit per started kilobyte of the larger of the item before and after it —
 *   a conditional write whose condition fails too;
 * - each global secondary index the write touches costs as much again for the index entry
 *   (keys plus projected attributes): an entry added, changed or removed is one write, a key
 *   changed is two.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** The index a meter tracks: its key attributes and the attributes it projects. */
export interface IndexShape {
  readonly keys: readonly string[];
  readonly projected: readonly string[];
}

/** The remediation ledger's index (`byInterface`: partition `networkInterfaceId`, sort `createdAt`, projects `fixed`). */
export const LEDGER_INDEX: IndexShape = { keys: ['networkInterfaceId', 'createdAt'], projected: ['fixed'] };

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) {
    const digits = value.N.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
  }
  // Binary as the SDK holds it, or base64 as DynamoDB JSON carries it on the wire.
  const binary: unknown = value.B;
  if (typeof binary === 'string') return Buffer.from(binary, 'base64').byteLength;
  if (binary instanceof Uint8Array) return binary.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + valueBytes(v), 0);
  if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((sum, [k, v]) => sum + 1 + Buffer.byteLength(k) + valueBytes(v), 0);
  if (value.SS !== undefined) return value.SS.reduce((sum, v) => sum + Buffer.byteLength(v), 0);
  return 0;
}

/** An item's size in bytes, as DynamoDB counts it. */
export function itemBytes(item: Readonly<Record<string, AttributeValue>>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

const units = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/** Counts the write units of a sequence of `PutItem`s to one table (items by key), index writes included. */
export class WriteUnitMeter {
  private readonly items = new Map<string, Record<string, AttributeValue>>();
  /** Units per write, in order: `{ table, index }`. */
  readonly writes: { readonly action: string; readonly bytes: number; readonly table: number; readonly index: number }[] = [];

  constructor(
    private readonly keyName = 'ledgerId',
    private readonly index: IndexShape = LEDGER_INDEX,
  ) {}

  /** A `PutItem` of `item`; `written` is false when its condition failed (billed all the same, nothing changes). */
  put(item: Record<string, AttributeValue>, written: boolean): void {
    const key = JSON.stringify(item[this.keyName]);
    const before = this.items.get(key);
    const bytes = Math.max(itemBytes(item), before ? itemBytes(before) : 0);
    const index = written ? this.indexWrites(before, item) : 0;
    this.writes.push({ action: 'PutItem', bytes, table: units(bytes), index });
    if (written) this.items.set(key, item);
  }

  /** Every unit so far. */
  get total(): number {
    return this.writes.reduce((sum, w) => sum + w.table + w.index, 0);
  }

  private indexWrites(before: Record<string, AttributeValue> | undefined, after: Record<string, AttributeValue>): number {
    const entry = (item: Record<string, AttributeValue> | undefined) =>
      item && this.index.keys.every((k) => item[k] !== undefined)
        ? Object.fromEntries([this.keyName, ...this.index.keys, ...this.index.projected].filter((k) => item[k]).map((k) => [k, item[k]!]))
        : undefined;
    const old = entry(before);
    const next = entry(after);
    if (!old && !next) return 0;
    if (!old || !next) return units(itemBytes((next ?? old)!));
    const sameKeys = this.index.keys.every((k) => JSON.stringify(old[k]) === JSON.stringify(next[k]));
    if (!sameKeys) return units(itemBytes(old)) + units(itemBytes(next));
    return JSON.stringify(old) === JSON.stringify(next) ? 0 : units(itemBytes(next));
  }
}
