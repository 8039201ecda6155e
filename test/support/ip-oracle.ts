/**
 * Test-side address arithmetic, written independently of lambda/core/cidr.ts so tests can judge it:
 * numbers ↔ text, ranges → CIDR pieces, and the specification of "the internet" restated from
 * docs/exposure.md. Deliberately naive (strings and loops), never used by the function.
 */

/** An IP family as the rule reports it. */
export type Family = 'ipv4' | 'ipv6';

/** Address width per family. */
export const BITS: Readonly<Record<Family, number>> = { ipv4: 32, ipv6: 128 };

/** `a.b.c.d` → number (strict dotted quad). */
export function v4(text: string): bigint {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not IPv4: ${text}`);
  return parts.reduce((n, p) => (n << 8n) | BigInt(p), 0n);
}

/** number → `a.b.c.d`. */
export function v4Text(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
}

/** number → the 8 groups of an IPv6 address, uncompressed, 4 hex digits each. */
export function v6Groups(n: bigint): string[] {
  return Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16).padStart(4, '0'));
}

/** number → canonical (RFC 5952) IPv6 text, by way of the WHATWG URL parser. */
export function v6Text(n: bigint): string {
  return new URL(`http://[${v6Groups(n).join(':')}]/`).hostname.slice(1, -1);
}

/** Full IPv6 text (`2001:0db8:…`) → number. */
export function v6(text: string): bigint {
  const canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  const [head, tail] = canonical.includes('::') ? canonical.split('::') : [canonical, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((n, g) => (n << 16n) | BigInt(`0x${g}`), 0n);
}

/** A numeric CIDR: the first address, the prefix length and the family. */
export interface NumericCidr {
  readonly family: Family;
  readonly first: bigint;
  readonly prefix: number;
}

/** The last address of a numeric CIDR. */
export function lastOf(c: NumericCidr): bigint {
  return c.first + (1n << BigInt(BITS[c.family] - c.prefix)) - 1n;
}

/** Canonical text of a numeric CIDR. */
export function cidrText(c: NumericCidr): string {
  return `${c.family === 'ipv4' ? v4Text(c.first) : v6Text(c.first)}/${c.prefix}`;
}

/** Parses canonical CIDR text of a known family into numbers (the test's own, trusted parser). */
export function numeric(text: string): NumericCidr {
  const [address, prefix] = text.split('/') as [string, string];
  const family: Family = address.includes(':') ? 'ipv6' : 'ipv4';
  const value = family === 'ipv4' ? v4(address) : v6(address);
  const p = Number(prefix);
  const host = BigInt(BITS[family] - p);
  return { family, first: (value >> host) << host, prefix: p };
}

/** The smallest list of CIDRs covering exactly [lo, hi]. */
export function rangeToCidrs(family: Family, lo: bigint, hi: bigint): NumericCidr[] {
  const bits = BITS[family];
  const out: NumericCidr[] = [];
  let at = lo;
  while (at <= hi) {
    let size = 0;
    while (size < bits && (at & ((1n << BigInt(size + 1)) - 1n)) === 0n && at + (1n << BigInt(size + 1)) - 1n <= hi) size += 1;
    out.push({ family, first: at, prefix: bits - size });
    at += 1n << BigInt(size);
  }
  return out;
}

/** The blocks that are not the internet, as docs/exposure.md lists them (restated, not imported). */
export const NOT_INTERNET: Readonly<Record<Family, readonly string[]>> = {
  ipv4: [
    '0.0.0.0/8',
    '10.0.0.0/8',
    '100.64.0.0/10',
    '127.0.0.0/8',
    '169.254.0.0/16',
    '172.16.0.0/12',
    '192.0.0.0/24',
    '192.0.2.0/24',
    '192.168.0.0/16',
    '198.18.0.0/15',
    '198.51.100.0/24',
    '203.0.113.0/24',
    '224.0.0.0/4',
    '240.0.0.0/4',
  ],
  // Everything outside global unicast 2000::/3, and inside it the documentation and benchmarking blocks.
  ipv6: ['::/3', '4000::/2', '8000::/1', '2001:2::/48', '2001:db8::/32', '3fff::/20'],
};

/** The numeric ranges that are not the internet, per family. */
export const NOT_INTERNET_RANGES: Readonly<Record<Family, readonly (readonly [bigint, bigint])[]>> = {
  ipv4: NOT_INTERNET.ipv4.map((t) => numeric(t)).map((c) => [c.first, lastOf(c)] as const),
  ipv6: NOT_INTERNET.ipv6.map((t) => numeric(t)).map((c) => [c.first, lastOf(c)] as const),
};

/** True when the address is on the internet (in no excluded block). */
export function isInternet(family: Family, address: bigint): boolean {
  return !NOT_INTERNET_RANGES[family].some(([lo, hi]) => address >= lo && address <= hi);
}

/** The internet of a family as maximal ranges (the complement of the excluded blocks). */
export function internetRanges(family: Family): [bigint, bigint][] {
  const sorted = [...NOT_INTERNET_RANGES[family]].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const out: [bigint, bigint][] = [];
  let at = 0n;
  for (const [lo, hi] of sorted) {
    if (lo > at) out.push([at, lo - 1n]);
    if (hi + 1n > at) at = hi + 1n;
  }
  const max = (1n << BigInt(BITS[family])) - 1n;
  if (at <= max) out.push([at, max]);
  return out;
}

/** The internet of a family as the fewest CIDRs (canonical text). */
export function internetPieces(family: Family): string[] {
  return internetRanges(family).flatMap(([lo, hi]) => rangeToCidrs(family, lo, hi).map(cidrText));
}

/** The internet of a family minus one address, as CIDRs (canonical text). */
export function internetPiecesWithout(family: Family, hole: bigint): string[] {
  return internetRanges(family).flatMap(([lo, hi]) => {
    if (hole < lo || hole > hi) return rangeToCidrs(family, lo, hi).map(cidrText);
    return [...(hole > lo ? rangeToCidrs(family, lo, hole - 1n) : []), ...(hole < hi ? rangeToCidrs(family, hole + 1n, hi) : [])].map(
      cidrText,
    );
  });
}

/**
 * Brute force with exact samples: does the union of `ranges` cover the internet of `family`? A gap
 * in the union starts at 0, right after one of the ranges, or right after an excluded block, so
 * checking those addresses (when they are on the internet) is a complete test.
 */
export function unionCoversInternet(family: Family, ranges: readonly (readonly [bigint, bigint])[]): boolean {
  const max = (1n << BigInt(BITS[family])) - 1n;
  const candidates = [0n, ...ranges.map(([, hi]) => hi + 1n), ...NOT_INTERNET_RANGES[family].map(([, hi]) => hi + 1n)];
  return candidates.every((x) => x > max || !isInternet(family, x) || ranges.some(([lo, hi]) => x >= lo && x <= hi));
}

/** True when [lo, hi] holds at least one internet address (its start, or the end of an excluded block inside it). */
export function rangeTouchesInternet(family: Family, lo: bigint, hi: bigint): boolean {
  const candidates = [lo, ...NOT_INTERNET_RANGES[family].map(([, end]) => end + 1n)];
  return candidates.some((x) => x >= lo && x <= hi && isInternet(family, x));
}
