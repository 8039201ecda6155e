/**
 * An attacker who wants SSH or RDP open to the internet without eni-guard noticing: every spelling
 * of "everywhere" that is not the literal 0.0.0.0/0 or ::/0, the internet assembled from pieces
 * (in one group, across groups, inside managed prefix lists), and network ACLs that admit the
 * internet in pieces. Exposure is address arithmetic (docs/exposure.md), so each must be caught,
 * and the fix must name every rule that contributes.
 */
import { naclAdmits } from '../../lambda/core/exposure';
import type { Finding, NaclEntry, SecurityGroupRule } from '../../lambda/core/model';
import type { Verdict } from '../../lambda/core/rule';
import { worldOpenIngress } from '../../lambda/core/rules/world-open-ingress';
import { DEFAULT_NACL, facts, rule, run, subnetNetwork } from '../support/fixtures';
import { internetPieces, internetPiecesWithout, v4, v6 } from '../support/ip-oracle';

const findingsOf = (verdict: Verdict): readonly Finding[] => (verdict.status === 'non-compliant' ? verdict.findings : []);
/** Findings that ask for a fix (world-open). */
const worldOpen = (verdict: Verdict) => findingsOf(verdict).filter((f) => f.remediation?.kind === 'close-ingress');
/** Notify-only findings for broad, not world-open, exposure. */
const broad = (verdict: Verdict) => findingsOf(verdict).filter((f) => f.evidence['exposure'] === 'broad');
/** Every rule id the fixes would revoke, sorted. */
const revoked = (verdict: Verdict) =>
  worldOpen(verdict)
    .flatMap((f) => (f.remediation?.kind === 'close-ingress' ? f.remediation.securityGroupRuleIds : []))
    .sort();
const ids = (rules: readonly SecurityGroupRule[]) => rules.map((r) => r.ruleId).sort();

/** SSH (or `port`) ingress rules of `groupId`, one per source. */
const ssh = (sources: readonly string[], groupId = 'sg-1', extra: Partial<SecurityGroupRule> = {}) =>
  sources.map((source) =>
    rule({
      groupId,
      cidrIpv4: source.includes(':') ? undefined : source,
      cidrIpv6: source.includes(':') ? source : undefined,
      ...extra,
    }),
  );
const rdp = (sources: readonly string[], groupId = 'sg-1') => ssh(sources, groupId, { fromPort: 3389, toPort: 3389 });
const groups = (...groupIds: string[]) => ({ groups: groupIds.map((groupId) => ({ groupId })) });
const prefixLists = (lists: Record<string, string[]>) => ({
  prefixLists: { status: 'ok' as const, value: new Map(Object.entries(lists)) },
});

describe('world-open-ingress judges the union of sources as address arithmetic', () => {
  describe('one source that is the whole internet, however it is spelled', () => {
    it.each([
      ['host bits set on /0', '1.2.3.4/0'],
      ['the real legacy CloudTrail spelling', '208.236.235.254/0'],
      ['all ones /0', '255.255.255.255/0'],
      ['0::/0', '0::/0'],
      ['::0/0', '::0/0'],
      ['eight zero groups', '0:0:0:0:0:0:0:0/0'],
      ['zero-padded groups', '0000:0000:0000:0000:0000:0000:0000:0000/0'],
      ['a dotted IPv4 tail', '::0.0.0.0/0'],
      ['uppercase with host bits', 'FFFF::/0'],
      ['global unicast 2000::/3', '2000::/3'],
      ['2000::/3 with host bits, uppercase', '3FFF:FFFF::1/3'],
      ['2000::/3 zero-padded', '2000:0000:0000::/3'],
      ['a /1 that holds all of 2000::/3', '::/1'],
    ])('RDP from %s (%s) is world-open', (_name, source) => {
      const input = rdp([source]);
      const verdict = run(worldOpenIngress, facts(input));
      expect(worldOpen(verdict)).toEqual([
        expect.objectContaining({
          severity: 'critical',
          groupId: 'sg-1',
          remediation: { kind: 'close-ingress', groupId: 'sg-1', securityGroupRuleIds: ids(input) },
        }),
      ]);
    });
  });

  describe('the internet assembled from pieces', () => {
    it('flags 0.0.0.0/1 + 128.0.0.0/1 in one group and revokes both', () => {
      const input = ssh(['0.0.0.0/1', '128.0.0.0/1']);
      const verdict = run(worldOpenIngress, facts(input));
      expect(worldOpen(verdict)).toHaveLength(1);
      expect(worldOpen(verdict)[0]).toMatchObject({ severity: 'critical', title: expect.stringContaining('0.0.0.0/1 + 128.0.0.0/1') });
      expect(revoked(verdict)).toEqual(ids(input));
    });

    it('flags halves split across two groups: one finding per group, each naming its own rule', () => {
      const a = ssh(['0.0.0.0/1'], 'sg-a');
      const b = ssh(['128.0.0.0/1'], 'sg-b');
      const verdict = run(worldOpenIngress, facts([...a, ...b], groups('sg-a', 'sg-b')));
      expect(worldOpen(verdict)).toEqual([
        expect.objectContaining({
          groupId: 'sg-a',
          severity: 'critical',
          title: expect.stringContaining('sg-a and sg-b together admit the whole internet on tcp/22 (0.0.0.0/1 + 128.0.0.0/1)'),
          remediation: { kind: 'close-ingress', groupId: 'sg-a', securityGroupRuleIds: ids(a) },
        }),
        expect.objectContaining({
          groupId: 'sg-b',
          severity: 'critical',
          remediation: { kind: 'close-ingress', groupId: 'sg-b', securityGroupRuleIds: ids(b) },
        }),
      ]);
    });

    it('flags halves with host bits set', () => {
      const input = ssh(['0.255.255.255/1', '128.1.2.3/1']);
      expect(revoked(run(worldOpenIngress, facts(input)))).toEqual(ids(input));
    });

    it('flags IPv6 halves of global unicast on RDP (2000::/4 + 3000::/4)', () => {
      const input = rdp(['2000::/4', '3000::/4']);
      expect(revoked(run(worldOpenIngress, facts(input)))).toEqual(ids(input));
    });

    it('flags the exact internet as its 103 CIDR pieces spread over three groups, and revokes every piece', () => {
      const pieces = internetPieces('ipv4');
      const input = pieces.map((source, i) => ssh([source], ['sg-a', 'sg-b', 'sg-c'][i % 3])[0]!);
      const verdict = run(worldOpenIngress, facts(input, groups('sg-a', 'sg-b', 'sg-c')));
      expect(worldOpen(verdict).map((f) => f.groupId)).toEqual(['sg-a', 'sg-b', 'sg-c']);
      expect(revoked(verdict)).toEqual(ids(input));
    });

    it('flags the exact IPv6 internet assembled from its pieces', () => {
      const input = rdp(internetPieces('ipv6'));
      expect(revoked(run(worldOpenIngress, facts(input)))).toEqual(ids(input));
    });

    it('flags every /8 except those that are wholly not the internet', () => {
      const excluded = new Set([0, 10, 127, ...Array.from({ length: 32 }, (_, i) => 224 + i)]);
      const input = ssh(
        Array.from({ length: 256 }, (_, i) => i)
          .filter((i) => !excluded.has(i))
          .map((i) => `${i}.0.0.0/8`),
      );
      expect(revoked(run(worldOpenIngress, facts(input)))).toEqual(ids(input));
    });

    it('flags 0.0.0.0/0 minus the private ranges: what is left out was never the internet', () => {
      const input = ssh(['0.0.0.0/5', '8.0.0.0/7', '11.0.0.0/8', '12.0.0.0/6', '16.0.0.0/4', '32.0.0.0/3', '64.0.0.0/2', '128.0.0.0/1']);
      expect(revoked(run(worldOpenIngress, facts(input)))).toEqual(ids(input));
    });

    it('flags a port range pieced together: tcp 20-25 from one half and 22-30 from the other are world-open on 22-25', () => {
      const low = rule({ fromPort: 20, toPort: 25, cidrIpv4: '0.0.0.0/1' });
      const high = rule({ fromPort: 22, toPort: 30, cidrIpv4: '128.0.0.0/1' });
      const verdict = run(worldOpenIngress, facts([low, high]));
      expect(revoked(verdict)).toEqual(ids([low, high]));
      expect(worldOpen(verdict)[0]).toMatchObject({ severity: 'critical', title: expect.stringContaining('tcp/22-25') });
    });

    it('flags SSH from one half plus all traffic (protocol -1) from the other, naming both rules', () => {
      const half = rule({ cidrIpv4: '0.0.0.0/1' });
      const all = rule({ protocol: '-1', fromPort: -1, toPort: -1, cidrIpv4: '128.0.0.0/1' });
      const verdict = run(worldOpenIngress, facts([half, all]));
      expect(revoked(verdict)).toEqual(ids([half, all]));
    });

    it('flags protocol numbers and names together (6 and tcp are the same protocol)', () => {
      const input = [rule({ protocol: '6', cidrIpv4: '0.0.0.0/1' }), rule({ protocol: 'TCP', cidrIpv4: '128.0.0.0/1' })];
      expect(revoked(run(worldOpenIngress, facts(input)))).toEqual(ids(input));
    });
  });

  describe('managed prefix lists', () => {
    it('flags a prefix list holding 0.0.0.0/1 + 128.0.0.0/1', () => {
      const input = [rule({ cidrIpv4: undefined, prefixListId: 'pl-halves' })];
      const verdict = run(worldOpenIngress, facts(input, {}, prefixLists({ 'pl-halves': ['0.0.0.0/1', '128.0.0.0/1'] })));
      expect(revoked(verdict)).toEqual(ids(input));
      expect(worldOpen(verdict)[0]).toMatchObject({ evidence: { rules: [{ source: 'pl-halves (contains 0.0.0.0/1, 128.0.0.0/1)' }] } });
    });

    it('flags a prefix list half in one group and a CIDR half in another', () => {
      const a = [rule({ groupId: 'sg-a', cidrIpv4: undefined, prefixListId: 'pl-low' })];
      const b = ssh(['128.0.0.0/1'], 'sg-b');
      const verdict = run(worldOpenIngress, facts([...a, ...b], groups('sg-a', 'sg-b'), prefixLists({ 'pl-low': ['0.0.0.0/1'] })));
      expect(worldOpen(verdict).map((f) => f.groupId)).toEqual(['sg-a', 'sg-b']);
      expect(revoked(verdict)).toEqual(ids([...a, ...b]));
    });

    it('flags a prefix list of non-canonical IPv6 pieces of 2000::/3', () => {
      const input = [rule({ fromPort: 3389, toPort: 3389, cidrIpv4: undefined, prefixListId: 'pl-v6' })];
      const verdict = run(worldOpenIngress, facts(input, {}, prefixLists({ 'pl-v6': ['2000:0::/4', '3ABC::/4'] })));
      expect(revoked(verdict)).toEqual(ids(input));
    });

    it('fails closed when a referenced prefix list is missing from the resolved lists', () => {
      const input = [rule({ cidrIpv4: undefined, prefixListId: 'pl-gone' }), ...ssh(['128.0.0.0/1'])];
      const verdict = run(worldOpenIngress, facts(input, {}, prefixLists({})));
      expect(verdict).toMatchObject({ status: 'non-compliant', incomplete: expect.stringContaining('pl-gone') });
    });
  });

  describe('a union that misses the internet', () => {
    it('is broad, not world-open, when exactly one public /32 is missing: notify only, no fix', () => {
      const input = ssh(internetPiecesWithout('ipv4', v4('8.8.8.8')));
      const verdict = run(worldOpenIngress, facts(input));
      expect(worldOpen(verdict)).toEqual([]);
      expect(broad(verdict)).toEqual([
        expect.objectContaining({ groupId: 'sg-1', severity: 'high', evidence: expect.objectContaining({ exposure: 'broad' }) }),
      ]);
      expect(broad(verdict)[0]!.remediation).toBeUndefined();
    });

    it('is broad, not world-open, when one IPv6 address of global unicast is missing', () => {
      const verdict = run(worldOpenIngress, facts(rdp(internetPiecesWithout('ipv6', v6('2001:4860::8888')))));
      expect(worldOpen(verdict)).toEqual([]);
      expect(broad(verdict)).toHaveLength(1);
    });

    it('is broad when the union is large even though every piece is narrower than the threshold', () => {
      // 256 /15s: no single prefix is a /8, together they are 20.0.0.0/7.
      const input = ssh(Array.from({ length: 256 }, (_, i) => `${20 + Math.floor(i / 128)}.${(i % 128) * 2}.0.0/15`));
      const verdict = run(worldOpenIngress, facts(input));
      expect(worldOpen(verdict)).toEqual([]);
      expect(broad(verdict)).toHaveLength(1);
    });

    it('is compliant when the union is small and public', () => {
      expect(run(worldOpenIngress, facts(ssh(['198.51.99.0/24', '8.8.0.0/16'])))).toEqual({ status: 'compliant' });
    });

    it('lets the policy tune what is broad', () => {
      const input = ssh(['8.0.0.0/8']);
      expect(broad(run(worldOpenIngress, facts(input)))).toHaveLength(1);
      expect(run(worldOpenIngress, facts(input), { broadPrefixLength: { ipv4: 7, ipv6: 16 } })).toEqual({ status: 'compliant' });
    });
  });

  describe('sources that are never the internet', () => {
    it.each([
      [
        'the private and special IPv4 ranges together',
        [
          '0.0.0.0/8',
          '10.0.0.0/8',
          '100.64.0.0/10',
          '127.0.0.0/8',
          '169.254.0.0/16',
          '172.16.0.0/12',
          '192.168.0.0/16',
          '198.18.0.0/15',
          '224.0.0.0/3',
        ],
      ],
      ['the documentation ranges', ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32', '3fff::/20']],
      ['IPv6 local ranges', ['fc00::/7', 'fe80::/10', '::1/128', '::/128']],
      ['IPv4-mapped IPv6, every spelling', ['::ffff:0.0.0.0/96', '::FFFF:0:0/96', '0:0:0:0:0:ffff:0:0/96']],
      ['everything below global unicast', ['::/3']],
    ])('accepts SSH from %s', (_name, sources) => {
      expect(run(worldOpenIngress, facts(ssh(sources)))).toEqual({ status: 'compliant' });
    });

    it('accepts rules that reference other security groups, however many', () => {
      const input = ['sg-x', 'sg-y', 'sg-z'].map((g) => rule({ cidrIpv4: undefined, referencedGroupId: g }));
      expect(run(worldOpenIngress, facts(input))).toEqual({ status: 'compliant' });
    });

    it('still honours the allowed public ports and ICMP, whatever the union', () => {
      expect(run(worldOpenIngress, facts(ssh(['0.0.0.0/1', '128.0.0.0/1'], 'sg-1', { fromPort: 443, toPort: 443 })))).toEqual({
        status: 'compliant',
      });
      const icmp = ssh(['0.0.0.0/1', '128.0.0.0/1'], 'sg-1', { protocol: 'icmp', fromPort: -1, toPort: -1 });
      expect(run(worldOpenIngress, facts(icmp))).toEqual({ status: 'compliant' });
      expect(worldOpen(run(worldOpenIngress, facts(icmp), { allowPublicIcmp: false }))).toEqual([
        expect.objectContaining({ severity: 'low' }),
      ]);
    });

    it('revokes a range that straddles an allowed port when the union is world-open on the rest', () => {
      const input = ssh(['0.0.0.0/1', '128.0.0.0/1'], 'sg-1', { fromPort: 440, toPort: 450 });
      expect(revoked(run(worldOpenIngress, facts(input)))).toEqual(ids(input));
    });
  });

  describe('garbage in a source fails closed', () => {
    it.each([
      '0.0.0.0/33',
      '1.2.3/8',
      'everywhere',
      '01.0.0.0/8',
      '::/129',
      '1::2::3/0',
      ' 0.0.0.0/0',
      '0.0.0.0/0 ',
      '2000::/3%eth0',
      '1.2.3.4/-1',
    ])('reports %j as incomplete evidence and still reports the world-open rule beside it', (garbage) => {
      const input = [
        rule({ cidrIpv4: garbage.includes(':') ? undefined : garbage, cidrIpv6: garbage.includes(':') ? garbage : undefined }),
        rule(),
      ];
      const verdict = run(worldOpenIngress, facts(input));
      expect(verdict).toMatchObject({ status: 'non-compliant', incomplete: expect.stringContaining(input[0]!.ruleId) });
      expect(revoked(verdict)).toEqual([input[1]!.ruleId]);
    });

    it('reports an IPv6 CIDR in the IPv4 field as incomplete evidence', () => {
      expect(run(worldOpenIngress, facts([rule({ cidrIpv4: '::/0' })]))).toMatchObject({
        status: 'non-compliant',
        incomplete: expect.any(String),
      });
    });
  });

  it('judges a thousand rules across five groups (no quadratic blow-up)', () => {
    const groupIds = ['sg-1', 'sg-2', 'sg-3', 'sg-4', 'sg-5'];
    const input = Array.from({ length: 1000 }, (_, i) =>
      rule({
        groupId: groupIds[i % 5],
        fromPort: 1000 + (i % 400),
        toPort: 1000 + (i % 400) + (i % 7),
        cidrIpv4: `${1 + (i % 200)}.${i % 256}.0.0/16`,
      }),
    );
    input.push(
      rule({ groupId: 'sg-5', fromPort: 0, toPort: 65535, cidrIpv4: '0.0.0.0/1' }),
      rule({ groupId: 'sg-1', cidrIpv4: '128.0.0.0/1' }),
    );
    const verdict = run(worldOpenIngress, facts(input, groups(...groupIds)));
    expect(revoked(verdict)).toEqual(expect.arrayContaining(ids(input.slice(-2))));
  });
});

describe('reachability through the network ACL is address arithmetic too', () => {
  const acl = (entries: Partial<NaclEntry>[]): NaclEntry[] =>
    entries.map((e, i) => ({ ruleNumber: (i + 1) * 10, egress: false, protocol: '-1', action: 'allow', ...e }));
  const DENY_ALL: Partial<NaclEntry>[] = [
    { ruleNumber: 32767, action: 'deny', cidrIpv4: '0.0.0.0/0' },
    { ruleNumber: 32768, action: 'deny', cidrIpv6: '::/0' },
  ];

  it.each<[string, boolean, Partial<NaclEntry>[]]>([
    ['allow 0.0.0.0/1 + allow 128.0.0.0/1, then deny all', true, [{ cidrIpv4: '0.0.0.0/1' }, { cidrIpv4: '128.0.0.0/1' }, ...DENY_ALL]],
    ['allow the internet spelled 1.2.3.4/0', true, [{ cidrIpv4: '1.2.3.4/0' }, ...DENY_ALL]],
    ['allow one public /32 only', true, [{ cidrIpv4: '8.8.8.8/32' }, ...DENY_ALL]],
    ['deny 0.0.0.0/1 before allow all', true, [{ action: 'deny', cidrIpv4: '0.0.0.0/1' }, { cidrIpv4: '0.0.0.0/0' }, ...DENY_ALL]],
    [
      'deny both halves before allow all',
      false,
      [{ action: 'deny', cidrIpv4: '0.0.0.0/1' }, { action: 'deny', cidrIpv4: '128.0.0.0/1' }, { cidrIpv4: '0.0.0.0/0' }],
    ],
    [
      'deny SSH from one half, allow all',
      true,
      [{ action: 'deny', protocol: '6', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/1' }, { cidrIpv4: '0.0.0.0/0' }],
    ],
    [
      'deny all the internet in pieces, then allow all',
      false,
      [...internetPieces('ipv4').map((c) => ({ action: 'deny' as const, cidrIpv4: c })), { cidrIpv4: '0.0.0.0/0' }],
    ],
    ['allow only private ranges', false, [{ cidrIpv4: '10.0.0.0/8' }, { cidrIpv4: '192.168.0.0/16' }, ...DENY_ALL]],
  ])('SSH from the internet, ACL: %s → reachable: %s', (_name, expected, entries) => {
    expect(naclAdmits(acl(entries), 'ipv4', 'tcp', 22, 22)).toBe(expected);
  });

  it('lets UDP through for an all-traffic rule when only TCP is denied', () => {
    const entries = acl([{ action: 'deny', protocol: '6', fromPort: 0, toPort: 65535, cidrIpv4: '0.0.0.0/0' }, { cidrIpv4: '0.0.0.0/0' }]);
    expect(naclAdmits(entries, 'ipv4', '-1', 0, 65535)).toBe(true);
    expect(naclAdmits(entries, 'ipv4', 'tcp', 0, 65535)).toBe(false);
  });

  it('admits IPv6 in pieces of global unicast', () => {
    expect(naclAdmits(acl([{ cidrIpv6: '2000::/4' }, { cidrIpv6: '3000::/4' }, ...DENY_ALL]), 'ipv6', 'tcp', 3389, 3389)).toBe(true);
    expect(naclAdmits(acl([{ cidrIpv6: 'fc00::/7' }, ...DENY_ALL]), 'ipv6', 'tcp', 3389, 3389)).toBe(false);
  });

  it('keeps full severity for world-open SSH behind an ACL that admits the internet in halves', () => {
    const network = subnetNetwork({ naclEntries: acl([{ cidrIpv4: '0.0.0.0/1' }, { cidrIpv4: '128.0.0.0/1' }, ...DENY_ALL]) });
    const verdict = run(worldOpenIngress, facts([rule()], {}, { subnetNetwork: { status: 'ok', value: network } }));
    expect(worldOpen(verdict)).toEqual([
      expect.objectContaining({ severity: 'critical', evidence: expect.objectContaining({ exposure: 'internet' }) }),
    ]);
  });

  it('fails closed (full severity, incomplete) when an ACL entry cannot be read as a CIDR', () => {
    const network = subnetNetwork({ naclEntries: acl([{ cidrIpv4: '0.0.0.0/99' }, ...DEFAULT_NACL]) });
    const verdict = run(worldOpenIngress, facts([rule()], {}, { subnetNetwork: { status: 'ok', value: network } }));
    expect(verdict).toMatchObject({ status: 'non-compliant', incomplete: expect.stringContaining('0.0.0.0/99') });
    expect(worldOpen(verdict)).toEqual([
      expect.objectContaining({ severity: 'critical', evidence: expect.objectContaining({ exposure: 'unknown' }) }),
    ]);
  });
});
