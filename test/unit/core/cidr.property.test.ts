/**
 * Properties of lambda/core/cidr.ts against independent oracles: Node's own address parser
 * (`net.isIP`) and the WHATWG URL parser for what is an address and how IPv6 is written
 * canonically, and bitsets over a small universe for the interval-set algebra.
 */
import { isIP } from 'node:net';
import fc from 'fast-check';
import {
  CidrError,
  covers,
  type Interval,
  type IntervalSet,
  intersect,
  intervalSet,
  overlaps,
  parseCidr,
  sizeOf,
  subtract,
  union,
} from '../../../lambda/core/cidr';
import { BITS, type Family, v4Text, v6Groups, v6Text } from '../../support/ip-oracle';
import { propertyRuns } from '../../support/property-runs';

describe('parseCidr (property)', () => {
  const spelled = fc
    .record({
      family: fc.constantFrom<Family>('ipv4', 'ipv6'),
      address: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
      prefix: fc.integer({ min: 0, max: 128 }),
      style: fc.integer({ min: 0, max: 4 }),
    })
    .map(({ family, address, prefix, style }) => {
      const bits = BITS[family];
      const value = address & ((1n << BigInt(bits)) - 1n);
      const p = prefix % (bits + 1);
      const groups = v6Groups(value);
      const text =
        family === 'ipv4'
          ? v4Text(value)
          : [
              v6Text(value),
              v6Text(value).toUpperCase(),
              groups.join(':'),
              groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':'),
              `${groups.slice(0, 6).join(':')}:${v4Text(value & 0xffffffffn)}`,
            ][style]!;
      return { family, value, prefix: p, text: `${text}/${p}` };
    });

  it('masks host bits, keeps the prefix, and writes the canonical form the URL parser would', () => {
    fc.assert(
      fc.property(spelled, ({ family, value, prefix, text }) => {
        const cidr = parseCidr(text);
        const host = BigInt(BITS[family] - prefix);
        expect(cidr.family).toBe(family);
        expect(cidr.prefixLength).toBe(prefix);
        expect(cidr.first).toBe((value >> host) << host);
        expect(cidr.last).toBe(cidr.first + (1n << host) - 1n);
        expect(cidr.text).toBe(`${family === 'ipv4' ? v4Text(cidr.first) : v6Text(cidr.first)}/${prefix}`);
        expect(parseCidr(cidr.text)).toEqual(cidr);
      }),
      { numRuns: propertyRuns(1000) },
    );
  });

  it('accepts an address exactly when Node does (no zone ids), and only ever fails with a CidrError', () => {
    const chars = fc.constantFrom(...'0123456789abcdefABCDEF:.'.split(''), '::', '0:', '.0', '255', '%');
    const octet = fc.constantFrom('0', '00', '01', '1', '9', '10', '99', '255', '256', '1000', '', 'a');
    const dotted = fc.array(octet, { minLength: 3, maxLength: 5 }).map((parts) => parts.join('.'));
    const text = fc.oneof(
      fc.array(chars, { maxLength: 20 }).map((parts) => parts.join('')),
      dotted,
      fc
        .tuple(fc.array(fc.constantFrom('0', '1', 'ffff', 'FFFF', '00000', '', 'g'), { maxLength: 8 }), dotted)
        .map(([groups, tail]) => `${groups.join(':')}:${tail}`),
    );
    fc.assert(
      fc.property(text, (address) => {
        let ours: boolean;
        try {
          parseCidr(address);
          ours = true;
        } catch (error) {
          expect(error).toBeInstanceOf(CidrError);
          ours = false;
        }
        expect(ours).toBe(isIP(address) !== 0 && !address.includes('%'));
      }),
      { numRuns: propertyRuns(3000) },
    );
  });
});

describe('interval sets (property, against bitsets over 0..63)', () => {
  const U = 64;
  const raw = fc.array(
    fc.tuple(fc.integer({ min: 0, max: U - 1 }), fc.integer({ min: 0, max: U - 1 })).map(([a, b]): Interval => [BigInt(a), BigInt(b)]),
    { maxLength: 6 },
  );
  const bits = (set: IntervalSet) => Array.from({ length: U }, (_, i) => set.some(([lo, hi]) => BigInt(i) >= lo && BigInt(i) <= hi));
  const canonical = (set: IntervalSet) => set.every(([lo, hi], i) => lo <= hi && (i === 0 || set[i - 1]![1] + 1n < lo));

  it('normalises to the canonical form of the same set', () => {
    fc.assert(
      fc.property(raw, (intervals) => {
        const set = intervalSet(intervals);
        expect(canonical(set)).toBe(true);
        expect(bits(set)).toEqual(bits(intervals.filter(([lo, hi]) => lo <= hi)));
      }),
    );
  });

  it('computes union, intersection, difference, cover, overlap and size as the bitsets do', () => {
    fc.assert(
      fc.property(raw, raw, (x, y) => {
        const a = intervalSet(x);
        const b = intervalSet(y);
        const A = bits(a);
        const B = bits(b);
        for (const [result, expected] of [
          [union(a, b), A.map((v, i) => v || B[i]!)],
          [intersect(a, b), A.map((v, i) => v && B[i]!)],
          [subtract(a, b), A.map((v, i) => v && !B[i]!)],
        ] as const) {
          expect(canonical(result)).toBe(true);
          expect(bits(result)).toEqual(expected);
        }
        expect(covers(a, b)).toBe(B.every((v, i) => !v || A[i]!));
        expect(overlaps(a, b)).toBe(A.some((v, i) => v && B[i]!));
        expect(sizeOf(a)).toBe(BigInt(A.filter(Boolean).length));
      }),
      { numRuns: propertyRuns(500) },
    );
  });
});
