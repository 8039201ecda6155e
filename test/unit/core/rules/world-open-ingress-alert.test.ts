/**
 * What a world-open-ingress finding tells the reader: how each protocol is named and graded, which
 * well-known services a rule exposes, the sources in address order, and reachability per rule.
 */
import type { Finding, SecurityGroupRule } from '../../../../lambda/core/model';
import { worldOpenIngress } from '../../../../lambda/core/rules/world-open-ingress';
import { facts, rule, run } from '../../../support/fixtures';

const findingsOf = (
  rules: SecurityGroupRule[],
  settings: Record<string, unknown> = {},
  ni: Parameters<typeof facts>[1] = {},
  extra: Parameters<typeof facts>[2] = {},
): readonly Finding[] => {
  const verdict = run(worldOpenIngress, facts(rules, ni, extra), settings);
  return verdict.status === 'non-compliant' ? verdict.findings : [];
};
const only = (rules: SecurityGroupRule[], settings: Record<string, unknown> = {}): Finding => {
  const findings = findingsOf(rules, settings);
  expect(findings).toHaveLength(1);
  return findings[0]!;
};
const offending = (f: Finding) => (f.evidence['rules'] as Record<string, unknown>[])[0]!;
const exposure = (f: Finding) => (f.evidence['exposures'] as Record<string, unknown>[])[0]!;

describe('world-open-ingress, how a finding names what is open', () => {
  it.each<[string, Partial<SecurityGroupRule>, Record<string, unknown>, string, string, string[], string]>([
    ['TCP on one port', { fromPort: 22, toPort: 22 }, {}, 'tcp/22', '22', ['22/SSH'], 'critical'],
    ['a UDP range', { protocol: 'udp', fromPort: 3000, toPort: 3100 }, {}, 'udp/3000-3100', '3000-3100', [], 'medium'],
    [
      'UDP on a database port, graded like TCP',
      { protocol: 'udp', fromPort: 3389, toPort: 3389 },
      {},
      'udp/3389',
      '3389',
      ['3389/RDP'],
      'critical',
    ],
    ['all traffic', { protocol: '-1', fromPort: -1, toPort: -1 }, {}, 'all traffic', 'all', ['every protocol and port'], 'critical'],
    ['GRE by number', { protocol: '47', fromPort: undefined, toPort: undefined }, {}, 'protocol 47', 'all', [], 'medium'],
    [
      'ICMP when the policy forbids it',
      { protocol: 'icmp', fromPort: -1, toPort: -1 },
      { allowPublicIcmp: false },
      'icmp',
      'all',
      [],
      'low',
    ],
    [
      'protocol number 1 (ICMP) when the policy forbids it',
      { protocol: '1', fromPort: -1, toPort: -1 },
      { allowPublicIcmp: false },
      'icmp',
      'all',
      [],
      'low',
    ],
  ])('%s', (_name, overrides, settings, service, ports, wellKnown, severity) => {
    const finding = only([rule(overrides)], settings);
    expect(finding.title).toContain(` on ${service} from 0.0.0.0/0 `);
    expect(offending(finding)).toMatchObject({ ports, wellKnown });
    expect(exposure(finding)).toMatchObject({ ports, wellKnown });
    expect(finding.severity).toBe(severity);
  });

  it('ICMP and ICMPv6 from anywhere are allowed by default; forbidden, both are named', () => {
    const icmp = [
      rule({ protocol: 'icmp', fromPort: -1, toPort: -1 }),
      rule({ ruleId: 'sgr-6', protocol: '58', fromPort: -1, toPort: -1, cidrIpv4: undefined, cidrIpv6: '::/0' }),
    ];
    expect(findingsOf(icmp)).toEqual([]);
    expect(only(icmp, { allowPublicIcmp: false }).title).toBe(
      'sg-1 admits the whole internet on icmp from 0.0.0.0/0, icmpv6 from ::/0 (reachable from the internet now)',
    );
  });

  it('broad ICMP is informational, and not reachable it stays informational', () => {
    const finding = only([rule({ protocol: 'icmp', fromPort: -1, toPort: -1, cidrIpv4: '0.0.0.0/1' })], { allowPublicIcmp: false });
    expect(finding.severity).toBe('informational');
    const latent = findingsOf(
      [rule({ protocol: 'icmp', fromPort: -1, toPort: -1, cidrIpv4: '0.0.0.0/1' })],
      { allowPublicIcmp: false },
      { publicIp: undefined },
    );
    expect(latent.map((f) => f.severity)).toEqual(['informational']);
  });

  it('names the sources of a union in address order, shortest prefix first at the same address', () => {
    const finding = only([
      rule({ ruleId: 'sgr-high', cidrIpv4: '128.0.0.0/1' }),
      rule({ ruleId: 'sgr-low', cidrIpv4: '0.0.0.0/2' }),
      rule({ ruleId: 'sgr-lower', cidrIpv4: '0.0.0.0/1' }),
    ]);
    expect(exposure(finding)['sources']).toEqual(['0.0.0.0/1', '0.0.0.0/2', '128.0.0.0/1']);
    expect(finding.title).toContain('(0.0.0.0/1 + 0.0.0.0/2 + 128.0.0.0/1)');
  });

  it('an exposure lists twenty sources and counts the rest', () => {
    // 32 blocks of /5, of which the 4 from 224.0.0.0 (multicast and reserved) are not the internet's: 28 sources.
    const cidrs = Array.from({ length: 32 }, (_, i) => `${i * 8}.0.0.0/5`);
    const finding = only(cidrs.map((cidrIpv4, i) => rule({ ruleId: `sgr-${i}`, cidrIpv4 })));
    expect(exposure(finding)).toMatchObject({ sources: cidrs.slice(0, 20), sourcesOmitted: 8 });
    const exactlyTwenty = [...cidrs.slice(0, 16), '128.0.0.0/3', '160.0.0.0/3', '192.0.0.0/4', '208.0.0.0/4'];
    const twenty = only(exactlyTwenty.map((cidrIpv4, i) => rule({ ruleId: `sgr-${i}`, cidrIpv4 })));
    expect(exposure(twenty)['sources']).toHaveLength(20);
    expect(exposure(twenty)).not.toHaveProperty('sourcesOmitted');
  });

  it('a source written canonically is named as written; a prefix list names its internet entries', () => {
    expect(offending(only([rule({ cidrIpv4: '0.0.0.0/0' })]))['source']).toBe('0.0.0.0/0');
    const listed = findingsOf(
      [rule({ cidrIpv4: undefined, prefixListId: 'pl-1' })],
      {},
      {},
      {
        prefixLists: { status: 'ok', value: new Map([['pl-1', ['0.0.0.0/1', '128.0.0.0/1']]]) },
      },
    );
    expect(offending(listed[0]!)['source']).toBe('pl-1 (contains 0.0.0.0/1, 128.0.0.0/1)');
  });

  it('carries the rule’s description, and its reachability', () => {
    const finding = only([rule({ description: 'temporary debug access' })]);
    expect(offending(finding)).toMatchObject({ description: 'temporary debug access', reachable: true });
    expect(offending(findingsOf([rule()], {}, { publicIp: undefined })[0]!)).toMatchObject({ reachable: false });
    expect(offending(findingsOf([rule()], {}, {}, { subnetNetwork: { status: 'unavailable', reason: 'denied' } })[0]!)).not.toHaveProperty(
      'reachable',
    );
  });

  it('says when reachability is unknown, and why the evidence is incomplete', () => {
    const verdict = run(worldOpenIngress, facts([rule()], {}, { subnetNetwork: { status: 'unavailable', reason: 'denied' } }), {});
    expect(verdict).toMatchObject({
      findings: [
        {
          title: expect.stringContaining('(reachability unknown)'),
          evidence: { rules: [{ exposure: ['unknown: subnet routes and network ACL could not be read'] }] },
        },
      ],
      incomplete: 'subnet routes and network ACL unavailable: denied',
    });
  });

  it('an interface without security groups is not applicable, and says so', () => {
    expect(run(worldOpenIngress, facts([], { groups: [] }), {})).toEqual({
      status: 'not-applicable',
      reason: 'interface has no security groups',
    });
  });

  it('two groups admitting the internet together, and one alone, are two clauses of one title', () => {
    const findings = findingsOf(
      [
        rule({ ruleId: 'sgr-a', groupId: 'sg-a', cidrIpv4: '0.0.0.0/1' }),
        rule({ ruleId: 'sgr-b', groupId: 'sg-b', cidrIpv4: '128.0.0.0/1' }),
        rule({ ruleId: 'sgr-a3', groupId: 'sg-a', fromPort: 3389, toPort: 3389 }),
      ],
      {},
      { groups: [{ groupId: 'sg-a' }, { groupId: 'sg-b' }] },
    );
    expect(findings[0]!.title).toBe(
      'sg-a and sg-b together admit the whole internet on tcp/22 (0.0.0.0/1 + 128.0.0.0/1); sg-a admits the whole internet on tcp/3389 from 0.0.0.0/0 (reachable from the internet now)',
    );
  });
});

describe('world-open-ingress, how a finding names groups and sources', () => {
  it('three groups that each admit part of the internet are all named, in order, in one clause', () => {
    const findings = findingsOf(
      [
        rule({ ruleId: 'sgr-a', groupId: 'sg-a', cidrIpv4: '0.0.0.0/1' }),
        rule({ ruleId: 'sgr-b', groupId: 'sg-b', cidrIpv4: '128.0.0.0/2' }),
        rule({ ruleId: 'sgr-c', groupId: 'sg-c', cidrIpv4: '192.0.0.0/2' }),
      ],
      {},
      { groups: [{ groupId: 'sg-a' }, { groupId: 'sg-b' }, { groupId: 'sg-c' }] },
    );
    expect(findings.map((f) => f.groupId)).toEqual(['sg-a', 'sg-b', 'sg-c']);
    expect(findings[0]!.title).toBe(
      'sg-a, sg-b and sg-c together admit the whole internet on tcp/22 (0.0.0.0/1 + 128.0.0.0/2 + 192.0.0.0/2) (reachable from the internet now)',
    );
  });

  it('a rule with both an IPv4 and an IPv6 source names both, canonically', () => {
    const finding = only([rule({ cidrIpv4: '0.0.0.1/0', cidrIpv6: '::/0' })]);
    expect(offending(finding)['source']).toBe('0.0.0.0/0, ::/0');
  });

  it.each<[string, string[]]>([
    ['shortest first', ['0.0.0.0/1', '0.0.0.0/2', '128.0.0.0/1']],
    ['longest first', ['0.0.0.0/2', '0.0.0.0/1', '128.0.0.0/1']],
    ['the other block first', ['128.0.0.0/1', '0.0.0.0/1', '0.0.0.0/2']],
  ])('sources at the same address are named shortest prefix first, however the rules come (%s)', (_name, cidrs) => {
    const finding = only(cidrs.map((cidrIpv4) => rule({ cidrIpv4 })));
    expect(exposure(finding)['sources']).toEqual(['0.0.0.0/1', '0.0.0.0/2', '128.0.0.0/1']);
  });
});
