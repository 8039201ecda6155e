import { exposureOf, naclAdmits } from '../../../lambda/core/exposure';
import type { NaclEntry } from '../../../lambda/core/model';
import { DEFAULT_NACL, networkInterface, subnetNetwork } from '../../support/fixtures';

const entry = (e: Partial<NaclEntry>): NaclEntry => ({
  ruleNumber: 100,
  egress: false,
  protocol: '6',
  action: 'allow',
  cidrIpv4: '0.0.0.0/0',
  ...e,
});

describe('naclAdmits', () => {
  it.each<[string, NaclEntry[], string, number, number, boolean]>([
    ['the default ACL, SSH', DEFAULT_NACL, 'tcp', 22, 22, true],
    ['only the implicit deny', [entry({ ruleNumber: 32767, protocol: '-1', action: 'deny' })], 'tcp', 22, 22, false],
    [
      'deny 22 before allow all',
      [entry({ ruleNumber: 90, action: 'deny', fromPort: 22, toPort: 22 }), ...DEFAULT_NACL],
      'tcp',
      22,
      22,
      false,
    ],
    [
      'deny 22 before allow all, range 20-25 still partly open',
      [entry({ ruleNumber: 90, action: 'deny', fromPort: 22, toPort: 22 }), ...DEFAULT_NACL],
      'tcp',
      20,
      25,
      true,
    ],
    ['allow only 443, asking 22', [entry({ fromPort: 443, toPort: 443 })], 'tcp', 22, 22, false],
    ['allow UDP all, asking TCP 22', [entry({ protocol: '17', fromPort: 0, toPort: 65535 })], 'tcp', 22, 22, false],
    ['allow TCP 22, asking all protocols', [entry({ fromPort: 22, toPort: 22 })], '-1', 0, 65535, true],
    ['allow from 10.0.0.0/8 only', [entry({ cidrIpv4: '10.0.0.0/8', protocol: '-1' })], 'tcp', 22, 22, false],
    [
      'entries out of order are sorted by rule number',
      [entry({ ruleNumber: 200, protocol: '-1' }), entry({ ruleNumber: 100, protocol: '-1', action: 'deny' })],
      'tcp',
      22,
      22,
      false,
    ],
  ])('%s', (_name, entries, protocol, from, to, expected) => {
    expect(naclAdmits(entries, 'ipv4', protocol, from, to)).toBe(expected);
  });

  it('reads only IPv6 entries for IPv6 traffic', () => {
    expect(naclAdmits([entry({})], 'ipv6', 'tcp', 22, 22)).toBe(false);
    expect(naclAdmits(DEFAULT_NACL, 'ipv6', 'tcp', 22, 22)).toBe(true);
  });

  it('ignores outbound entries', () => {
    expect(naclAdmits([entry({ egress: true, protocol: '-1' })], 'ipv4', 'tcp', 22, 22)).toBe(false);
  });
});

describe('naclAdmits, protocols and parts of a range', () => {
  const denyThenAllow = (deny: Partial<NaclEntry>) => [
    entry({ ruleNumber: 90, action: 'deny', ...deny }),
    entry({ ruleNumber: 100, protocol: '-1' }),
  ];

  it.each<[string, Partial<NaclEntry>, string, boolean]>([
    ['a deny of UDP (17) closes UDP', { protocol: '17' }, 'udp', false],
    ['a deny of UDP (17) leaves TCP open', { protocol: '17' }, 'tcp', true],
    ['a deny of ICMP (1) closes ICMP', { protocol: '1' }, 'icmp', false],
    ['a deny of ICMP (1) leaves UDP open', { protocol: '1' }, 'udp', true],
    ['a deny of TCP (6) closes a group rule spelled TCP', { protocol: '6' }, 'TCP', false],
    ['a deny of every protocol closes a group rule spelled all', { protocol: '-1' }, 'all', false],
    ['a deny of TCP closes a group rule by protocol number 6', { protocol: '6' }, '6', false],
    ['a deny of protocol 47 (GRE) leaves TCP open', { protocol: '47' }, 'tcp', true],
    // An unknown protocol name is read as every protocol, so any deny may cover part of it: some of it still gets in.
    ['a deny of TCP leaves an unknown protocol partly open', { protocol: '6' }, 'quic', true],
  ])('%s', (_name, deny, protocol, admitted) => {
    expect(naclAdmits(denyThenAllow(deny), 'ipv4', protocol, 0, 65535)).toBe(admitted);
  });

  it('a deny with no ports, or ports -1, covers every port; without an end port, just its first', () => {
    expect(naclAdmits(denyThenAllow({ protocol: '6' }), 'ipv4', 'tcp', 22, 22)).toBe(false);
    expect(naclAdmits(denyThenAllow({ protocol: '6', fromPort: -1, toPort: -1 }), 'ipv4', 'tcp', 22, 22)).toBe(false);
    expect(naclAdmits(denyThenAllow({ protocol: '6', fromPort: 22 }), 'ipv4', 'tcp', 22, 22)).toBe(false);
    expect(naclAdmits(denyThenAllow({ protocol: '6', fromPort: 22 }), 'ipv4', 'tcp', 22, 23)).toBe(true);
  });

  it('ports on an entry of a protocol without ports are ignored: it covers all of that protocol', () => {
    expect(naclAdmits(denyThenAllow({ protocol: '1', fromPort: 8, toPort: 8 }), 'ipv4', 'icmp', 0, 65535)).toBe(false);
    expect(naclAdmits(denyThenAllow({ protocol: '-1', fromPort: 8, toPort: 8 }), 'ipv4', 'tcp', 22, 22)).toBe(false);
  });

  it.each<[string, [number, number], boolean]>([
    ['a range that ends exactly where the deny starts', [20, 22], true],
    ['a range inside the deny', [22, 25], false],
    ['a range that starts exactly where the deny ends', [25, 30], true],
    ['a range that covers the deny and more', [21, 26], true],
  ])('a deny of TCP 22–25 before an allow: %s', (_name, [from, to], admitted) => {
    expect(naclAdmits(denyThenAllow({ fromPort: 22, toPort: 25 }), 'ipv4', 'tcp', from, to)).toBe(admitted);
  });

  it('a deny of part of the internet leaves the rest of it in, but not the sources it denies', () => {
    const entries = denyThenAllow({ protocol: '-1', cidrIpv4: '0.0.0.0/1' });
    expect(naclAdmits(entries, 'ipv4', 'tcp', 22, 22)).toBe(true);
    const inside: [bigint, bigint][] = [[0x08080800n, 0x080808ffn]]; // 8.8.8.0/24
    expect(naclAdmits(entries, 'ipv4', 'tcp', 22, 22, inside)).toBe(false);
  });

  it('an allow after a deny of the same traffic admits nothing; an allow of other traffic admits nothing it does not cover', () => {
    expect(
      naclAdmits(
        [entry({ ruleNumber: 1, action: 'deny', protocol: '-1' }), entry({ ruleNumber: 2, protocol: '-1' })],
        'ipv4',
        'tcp',
        22,
        22,
      ),
    ).toBe(false);
    expect(naclAdmits([entry({ ruleNumber: 1, fromPort: 80, toPort: 80 })], 'ipv4', 'tcp', 22, 79)).toBe(false);
    expect(naclAdmits([entry({ ruleNumber: 1, fromPort: 80, toPort: 80 })], 'ipv4', 'tcp', 22, 80)).toBe(true);
  });
});

describe('exposureOf', () => {
  const open = subnetNetwork();

  it('names the address it is reachable on, per family', () => {
    expect(exposureOf(networkInterface(), open, 'ipv4', 'tcp', 22, 22)).toEqual({
      reachable: true,
      reasons: ['203.0.113.10 via internet gateway, network ACL allows it'],
    });
    expect(exposureOf(networkInterface(), open, 'ipv6', 'tcp', 22, 22)).toEqual({
      reachable: true,
      reasons: ['2001:db8::10 via internet gateway, network ACL allows it'],
    });
  });

  it('gives every reason it is not reachable', () => {
    const closed = subnetNetwork({ igwRouteIpv4: false, igwRouteIpv6: false, networkAclId: 'acl-9', naclEntries: [] });
    const bare = networkInterface({ publicIp: undefined, ipv6Addresses: [] });
    expect(exposureOf(bare, closed, 'ipv4', 'tcp', 22, 22)).toEqual({
      reachable: false,
      reasons: ['no public IPv4 address', 'subnet routes no 0.0.0.0/0 to an internet gateway', 'network ACL acl-9 denies it'],
    });
    expect(
      exposureOf(bare, subnetNetwork({ igwRouteIpv6: false, networkAclId: undefined, naclEntries: [] }), 'ipv6', 'tcp', 22, 22),
    ).toEqual({
      reachable: false,
      reasons: ['no IPv6 address', 'subnet routes no ::/0 to an internet gateway', 'network ACL denies it'],
    });
  });

  it('judges each family by its own address and route', () => {
    const v6only = networkInterface({ publicIp: undefined });
    expect(exposureOf(v6only, subnetNetwork({ igwRouteIpv4: false }), 'ipv6', 'tcp', 22, 22).reachable).toBe(true);
    expect(exposureOf(networkInterface(), subnetNetwork({ igwRouteIpv6: false }), 'ipv4', 'tcp', 22, 22).reachable).toBe(true);
    expect(exposureOf(networkInterface(), subnetNetwork({ igwRouteIpv6: false }), 'ipv6', 'tcp', 22, 22).reachable).toBe(false);
  });
});

describe('naclAdmits, pinned behaviour', () => {
  it('an allow that meets only one undecided piece still admits (deny part of the internet on 22, allow the rest on 22)', () => {
    const entries = [
      entry({ ruleNumber: 90, action: 'deny', cidrIpv4: '0.0.0.0/1', fromPort: 22, toPort: 22 }),
      entry({ ruleNumber: 100, cidrIpv4: '128.0.0.0/1', fromPort: 22, toPort: 22 }),
    ];
    expect(naclAdmits(entries, 'ipv4', 'tcp', 20, 25)).toBe(true);
  });

  it('UDP is protocol 17 and keeps its port range: a deny of UDP 53 leaves UDP 54 open', () => {
    const entries = [entry({ ruleNumber: 90, action: 'deny', protocol: '17', fromPort: 53, toPort: 53 }), entry({ protocol: '-1' })];
    expect(naclAdmits(entries, 'ipv4', 'udp', 54, 54)).toBe(true);
  });

  it('a port range starting at 0 is a range: a deny of TCP 0-100 leaves 200 open', () => {
    const entries = [entry({ ruleNumber: 90, action: 'deny', fromPort: 0, toPort: 100 }), entry({ protocol: '-1' })];
    expect(naclAdmits(entries, 'ipv4', 'tcp', 200, 200)).toBe(true);
  });

  it.each(['x6', '6x'])('a protocol %s that is not wholly a number is unknown, read as every protocol', (protocol) => {
    const entries = [entry({ ruleNumber: 90, action: 'deny', protocol: '6' }), entry({ protocol: '-1' })];
    expect(naclAdmits(entries, 'ipv4', protocol, 0, 65535)).toBe(true);
  });
});
