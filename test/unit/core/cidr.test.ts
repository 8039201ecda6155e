import {
  CidrError,
  covers,
  formatAddress,
  intersect,
  intervalSet,
  overlaps,
  parseCidr,
  sizeOf,
  subtract,
  tryParseCidr,
  union,
} from '../../../lambda/core/cidr';
import { coversInternet, INTERNET, internetPart } from '../../../lambda/core/internet';

describe('parseCidr', () => {
  it.each([
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['1.2.3.4/0', '0.0.0.0/0'],
    ['208.236.235.254/0', '0.0.0.0/0'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['192.168.1.77/24', '192.168.1.0/24'],
    ['8.8.8.8', '8.8.8.8/32'],
    ['0.0.0.0/00', '0.0.0.0/0'],
    ['::/0', '::/0'],
    ['0::/0', '::/0'],
    ['::0/0', '::/0'],
    ['0:0:0:0:0:0:0:0/0', '::/0'],
    ['0000:0000:0000:0000:0000:0000:0000:0000/0', '::/0'],
    ['FFFF::/0', '::/0'],
    ['3FFF:FFFF::1/3', '2000::/3'],
    ['2001:DB8::1/32', '2001:db8::/32'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1/128'],
    ['::ffff:1.2.3.4/128', '::ffff:102:304/128'],
    ['::FFFF:0.0.0.0/96', '::ffff:0:0/96'],
    ['::0.0.0.0/0', '::/0'],
    ['1:2:3:4:5:6:7::/128', '1:2:3:4:5:6:7:0/128'],
    ['::1:2:3:4:5:6:7/128', '0:1:2:3:4:5:6:7/128'],
    ['1:0:0:1:0:0:0:1/128', '1:0:0:1::1/128'],
    ['2001:db8:0:0:1:0:0:1/128', '2001:db8::1:0:0:1/128'],
    ['1:0:1:1:1:1:1:1/128', '1:0:1:1:1:1:1:1/128'],
  ])('reads %s as %s', (text, canonical) => {
    expect(parseCidr(text).text).toBe(canonical);
  });

  it.each([
    ['0.0.0.0/33', 'exceeds 32'],
    ['::/129', 'exceeds 128'],
    ['1.2.3/8', 'four decimal octets'],
    ['1.2.3.256/32', 'exceeds 255'],
    ['01.0.0.0/8', 'leading zero'],
    ['everywhere', 'four decimal octets'],
    ['', 'four decimal octets'],
    ['0.0.0.0/', 'must be a number'],
    ['0.0.0.0/-1', 'must be a number'],
    ['0.0.0.0/0 ', 'must be a number'],
    [' 0.0.0.0/0', 'four decimal octets'],
    ['1::2::3/0', 'only once'],
    ['00000::/0', 'one to four hex digits'],
    [':1::/0', 'one to four hex digits'],
    ['1:2:3:4:5:6:7:8:9/0', '8 groups'],
    ['1:2:3:4:5:6:7:8::/0', 'beside'],
    ['1:2:3:4:5:6:7/0', '8 groups'],
    ['2000::/3%eth0', 'must be a number'],
    ['fe80::1%eth0', 'one to four hex digits'],
    ['::1.2.3.4:5/128', 'one to four hex digits'],
    ['0x0.0.0.0/0', 'four decimal octets'],
  ])('rejects %j (%s)', (text, reason) => {
    expect(() => parseCidr(text)).toThrow(CidrError);
    expect(() => parseCidr(text)).toThrow(reason);
  });

  it('checks the family when asked', () => {
    expect(() => parseCidr('::/0', 'ipv4')).toThrow('expected an ipv4 CIDR, found ipv6');
    expect(parseCidr('::/0', 'ipv6').family).toBe('ipv6');
    expect(tryParseCidr('1.2.3.4/0', 'ipv6')).toBeInstanceOf(CidrError);
  });

  it('formats addresses canonically', () => {
    expect(formatAddress('ipv6', 0n)).toBe('::');
    expect(formatAddress('ipv6', 1n)).toBe('::1');
    expect(formatAddress('ipv6', 1n << 112n)).toBe('1::');
    expect(formatAddress('ipv4', 0xffffffffn)).toBe('255.255.255.255');
  });
});

describe('interval sets', () => {
  const s = (...pairs: [number, number][]) => pairs.map(([a, b]) => [BigInt(a), BigInt(b)] as const);

  it('normalises: sorted, merged when overlapping or adjacent, empty intervals dropped', () => {
    expect(intervalSet(s([5, 9], [0, 2], [3, 4], [20, 10], [8, 12]))).toEqual(s([0, 12]));
    expect(union(s([0, 1]), s([3, 4]))).toEqual(s([0, 1], [3, 4]));
  });

  it('intersects, subtracts, covers, overlaps and counts', () => {
    const a = s([0, 10], [20, 30]);
    const b = s([5, 25]);
    expect(intersect(a, b)).toEqual(s([5, 10], [20, 25]));
    expect(subtract(a, b)).toEqual(s([0, 4], [26, 30]));
    expect(subtract(b, a)).toEqual(s([11, 19]));
    expect(covers(a, s([2, 3], [21, 30]))).toBe(true);
    expect(covers(a, s([10, 20]))).toBe(false);
    expect(overlaps(a, s([11, 19]))).toBe(false);
    expect(sizeOf(a)).toBe(22n);
  });
});

describe('the internet', () => {
  it('is 2000::/3 for IPv6 less three never-routed blocks, and covered by ::/0 and 2000::/3', () => {
    expect(coversInternet('ipv6', [[parseCidr('2000::/3').first, parseCidr('2000::/3').last]])).toBe(true);
    expect(INTERNET.ipv6).toHaveLength(4);
  });

  it('leaves out the private and special IPv4 blocks', () => {
    const tenSlash8 = parseCidr('10.0.0.0/8');
    expect(internetPart('ipv4', [[tenSlash8.first, tenSlash8.last]])).toEqual([]);
    const half = parseCidr('0.0.0.0/1');
    expect(coversInternet('ipv4', [[half.first, half.last]])).toBe(false);
    // 2^32 minus the excluded blocks: 0/8, 10/8, 127/8 (3 × 2^24), 100.64/10 (2^22), 172.16/12 (2^20),
    // 169.254/16 + 192.168/16 (2 × 2^16), 198.18/15 (2^17), four /24s (4 × 2^8) and 224/3 (2^29).
    expect(sizeOf(INTERNET.ipv4)).toBe(
      2n ** 32n - 3n * 2n ** 24n - 2n ** 22n - 2n ** 20n - 2n * 2n ** 16n - 2n ** 17n - 4n * 2n ** 8n - 2n ** 29n,
    );
  });
});
