/**
 * Address arithmetic for IPv4 and IPv6: CIDR text → canonical numbers, and sets of inclusive
 * intervals (union, intersection, subtraction, cover). Addresses, ports and protocol numbers are
 * all `bigint` here, so one set algebra serves every dimension. Pure, no dependencies.
 *
 * Parsing is strict where text is ambiguous and lenient where it is not: host bits are masked
 * (`1.2.3.4/0` is `0.0.0.0/0`, as EC2 canonicalises), IPv6 is case-insensitive and may be
 * zero-padded, compressed anywhere or end in a dotted IPv4 tail; but IPv4 octets with leading
 * zeros (octal in some parsers), zone ids, whitespace and out-of-range prefixes are rejected with
 * a `CidrError`, which the rules turn into incomplete evidence (fail closed).
 */

/** An IP family. */
export type Family = 'ipv4' | 'ipv6';

/** Address width per family. */
export const ADDRESS_BITS: Readonly<Record<Family, number>> = { ipv4: 32, ipv6: 128 };

/** A CIDR that could not be read; the message says which text and why. */
export class CidrError extends Error {
  constructor(text: string, reason: string) {
    super(`invalid CIDR ${JSON.stringify(text)}: ${reason}`);
    this.name = 'CidrError';
  }
}

/** A canonical CIDR block: host bits cleared, its first and last address, canonical text. */
export interface Cidr {
  readonly family: Family;
  readonly prefixLength: number;
  readonly first: bigint;
  readonly last: bigint;
  /** Dotted quad for IPv4, RFC 5952 for IPv6 (lower case, longest zero run compressed), with the prefix. */
  readonly text: string;
}

/** An inclusive interval [lo, hi] of addresses, ports or protocol numbers. */
export type Interval = readonly [bigint, bigint];

/** Sorted, disjoint and non-adjacent intervals: one canonical form per set. */
export type IntervalSet = readonly Interval[];

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

/** Reads `address/prefix` (or a bare address, a host block) of either family, or of `family` when given. */
export function parseCidr(text: string, family?: Family): Cidr {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const isV6 = addressText.includes(':');
  const found: Family = isV6 ? 'ipv6' : 'ipv4';
  if (family && family !== found) throw new CidrError(text, `expected an ${family} CIDR, found ${found}`);
  const bits = ADDRESS_BITS[found];
  let prefixLength = bits;
  if (slash >= 0) {
    const prefixText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText)) throw new CidrError(text, 'the prefix length must be a number');
    prefixLength = Number(prefixText);
    if (prefixLength > bits) throw new CidrError(text, `prefix length ${prefixLength} exceeds ${bits}`);
  }
  const address = isV6 ? parseIpv6(addressText, text) : parseIpv4(addressText, text);
  return cidrOf(found, address, prefixLength);
}

/** Like `parseCidr`, but returns the error instead of throwing it. */
export function tryParseCidr(text: string, family?: Family): Cidr | CidrError {
  try {
    return parseCidr(text, family);
  } catch (error) {
    if (error instanceof CidrError) return error;
    throw error;
  }
}

/** The canonical block of `prefixLength` that contains `address`. */
export function cidrOf(family: Family, address: bigint, prefixLength: number): Cidr {
  const hostBits = BigInt(ADDRESS_BITS[family] - prefixLength);
  const first = (address >> hostBits) << hostBits;
  const last = first + (1n << hostBits) - 1n;
  return { family, prefixLength, first, last, text: `${formatAddress(family, first)}/${prefixLength}` };
}

/** Canonical text of an address: dotted quad, or RFC 5952 IPv6. */
export function formatAddress(family: Family, address: bigint): string {
  if (family === 'ipv4') {
    const n = Number(address);
    return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((address >> BigInt(112 - 16 * i)) & 0xffffn));
  // The longest run of two or more zero groups (the first one on a tie) becomes "::".
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = (list: number[]) => list.map((g) => g.toString(16)).join(':');
  if (best.at < 0) return hex(groups);
  return `${hex(groups.slice(0, best.at))}::${hex(groups.slice(best.at + best.length))}`;
}

function parseIpv4(address: string, text: string): bigint {
  const octets = IPV4.exec(address);
  if (!octets) throw new CidrError(text, 'not an IPv4 address (four decimal octets)');
  let value = 0;
  for (const octet of octets.slice(1)) {
    if (octet.length > 1 && octet.startsWith('0')) throw new CidrError(text, `octet "${octet}" has a leading zero (octal or decimal?)`);
    if (Number(octet) > 255) throw new CidrError(text, `octet ${octet} exceeds 255`);
    value = value * 256 + Number(octet);
  }
  return BigInt(value);
}

function parseIpv6(address: string, text: string): bigint {
  const halves = address.split('::');
  if (halves.length > 2) throw new CidrError(text, '"::" may appear only once');
  const split = (part: string) => (part === '' ? [] : part.split(':'));
  const head = split(halves[0]!);
  const tail = halves.length === 2 ? split(halves[1]!) : [];
  const groups = (parts: string[], last: boolean): bigint[] =>
    parts.flatMap((part, i) => {
      if (last && i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4(part, text);
        return [v4 >> 16n, v4 & 0xffffn];
      }
      if (!HEX_GROUP.test(part)) throw new CidrError(text, `"${part}" is not a group of one to four hex digits`);
      return [BigInt(`0x${part}`)];
    });
  const compressed = halves.length === 2;
  const left = groups(head, !compressed);
  const right = groups(tail, compressed);
  const count = left.length + right.length;
  if (compressed ? count > 7 : count !== 8)
    throw new CidrError(text, `an IPv6 address has 8 groups, found ${count}${compressed ? ' beside "::"' : ''}`);
  const all = [...left, ...Array<bigint>(8 - count).fill(0n), ...right];
  return all.reduce((value, group) => (value << 16n) | group, 0n);
}

/** Normalises any intervals into a set (sorted, merged). Intervals with lo > hi are empty and dropped. */
export function intervalSet(intervals: Iterable<Interval>): IntervalSet {
  const sorted = [...intervals].filter(([lo, hi]) => lo <= hi).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1n) {
      if (hi > last[1]) last[1] = hi;
    } else {
      out.push([lo, hi]);
    }
  }
  return out;
}

/** The union of sets. */
export function union(...sets: IntervalSet[]): IntervalSet {
  return intervalSet(sets.flat());
}

/** The intersection of two sets. */
export function intersect(a: IntervalSet, b: IntervalSet): IntervalSet {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [alo, ahi] = a[i]!;
    const [blo, bhi] = b[j]!;
    const lo = alo > blo ? alo : blo;
    const hi = ahi < bhi ? ahi : bhi;
    if (lo <= hi) out.push([lo, hi]);
    if (ahi < bhi) i += 1;
    else j += 1;
  }
  return out;
}

/** What is in `a` and not in `b`. */
export function subtract(a: IntervalSet, b: IntervalSet): IntervalSet {
  const out: Interval[] = [];
  let j = 0;
  for (const [lo, hi] of a) {
    let at = lo;
    while (j < b.length && b[j]![1] < at) j += 1;
    let k = j;
    while (k < b.length && b[k]![0] <= hi) {
      const [blo, bhi] = b[k]!;
      if (blo > at) out.push([at, blo - 1n]);
      if (bhi + 1n > at) at = bhi + 1n;
      k += 1;
    }
    if (at <= hi) out.push([at, hi]);
  }
  return out;
}

/** True when every element of `inner` is in `outer`. */
export function covers(outer: IntervalSet, inner: IntervalSet): boolean {
  return subtract(inner, outer).length === 0;
}

/** True when the sets share an element. */
export function overlaps(a: IntervalSet, b: IntervalSet): boolean {
  return intersect(a, b).length > 0;
}

/** How many elements the set holds. */
export function sizeOf(set: IntervalSet): bigint {
  return set.reduce((n, [lo, hi]) => n + hi - lo + 1n, 0n);
}

/** The set of one CIDR's addresses. */
export function rangeOf(cidr: Cidr): IntervalSet {
  return [[cidr.first, cidr.last]];
}
