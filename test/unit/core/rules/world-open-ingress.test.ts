import type { SecurityGroupRule } from '../../../../lambda/core/model';
import { worldOpenIngress } from '../../../../lambda/core/rules/world-open-ingress';
import { DEFAULT_NACL, facts, rule, run, subnetNetwork } from '../../../support/fixtures';

/** The rule's section of the policy, as a user writes it. */
const policy = (settings: Record<string, unknown> = {}) => settings;

describe('world-open-ingress', () => {
  describe('non-compliant', () => {
    it.each<[string, Partial<SecurityGroupRule>, string, string]>([
      ['SSH from 0.0.0.0/0', { fromPort: 22, toPort: 22 }, 'critical', '22'],
      ['SSH from ::/0', { cidrIpv4: undefined, cidrIpv6: '::/0' }, 'critical', '22'],
      ['all traffic (protocol -1)', { protocol: '-1', fromPort: -1, toPort: -1 }, 'critical', 'all'],
      ['HTTP 80', { fromPort: 80, toPort: 80 }, 'high', '80'],
      ['a range that includes 443 and 22', { fromPort: 0, toPort: 65535 }, 'critical', '0-65535'],
      ['a range 3000-3100 with nothing well known', { fromPort: 3000, toPort: 3100 }, 'medium', '3000-3100'],
      ['a range 1000-2000 that hides SQL Server 1433', { fromPort: 1000, toPort: 2000 }, 'critical', '1000-2000'],
      ['a range 8000-8100 with plaintext HTTP', { fromPort: 8000, toPort: 8100 }, 'high', '8000-8100'],
      ['UDP 443 (only TCP 443 is allowed)', { protocol: 'udp', fromPort: 443, toPort: 443 }, 'medium', '443'],
      ['protocol number 6 meaning TCP 3389', { protocol: '6', fromPort: 3389, toPort: 3389 }, 'critical', '3389'],
      ['GRE (protocol 47)', { protocol: '47', fromPort: undefined, toPort: undefined }, 'medium', 'all'],
    ])('flags %s', (_name, overrides, severity, ports) => {
      const verdict = run(worldOpenIngress, facts([rule(overrides)]), policy());
      expect(verdict.status).toBe('non-compliant');
      if (verdict.status !== 'non-compliant') return;
      expect(verdict.findings).toHaveLength(1);
      expect(verdict.findings[0]).toMatchObject({
        ruleId: 'world-open-ingress',
        severity,
        evidence: { rules: [expect.objectContaining({ ports })] },
      });
    });

    it('groups offending rules per security group and asks to revoke exactly those rules', () => {
      const ssh = rule({ ruleId: 'sgr-ssh' });
      const http = rule({ ruleId: 'sgr-http', fromPort: 80, toPort: 80 });
      const https = rule({ ruleId: 'sgr-https', fromPort: 443, toPort: 443 });
      const other = rule({ ruleId: 'sgr-other', groupId: 'sg-2', protocol: '-1' });
      const verdict = run(
        worldOpenIngress,
        facts([ssh, http, https, other], { groups: [{ groupId: 'sg-1' }, { groupId: 'sg-2' }] }),
        policy(),
      );
      expect(verdict).toEqual({
        status: 'non-compliant',
        findings: [
          expect.objectContaining({
            severity: 'critical',
            remediation: { kind: 'close-ingress', groupId: 'sg-1', securityGroupRuleIds: ['sgr-ssh', 'sgr-http'] },
          }),
          expect.objectContaining({
            severity: 'critical',
            remediation: { kind: 'close-ingress', groupId: 'sg-2', securityGroupRuleIds: ['sgr-other'] },
          }),
        ],
      });
    });

    it('reports SSH from a /1, half the internet, as broad: one step lower and no fix', () => {
      const verdict = run(worldOpenIngress, facts([rule({ cidrIpv4: '0.0.0.0/1' })]), policy());
      expect(verdict).toMatchObject({ status: 'non-compliant', findings: [{ severity: 'high', evidence: { exposure: 'broad' } }] });
      expect(verdict.status === 'non-compliant' && verdict.findings[0]!.remediation).toBeUndefined();
    });

    it('flags world-open ICMP when the policy forbids it', () => {
      const verdict = run(
        worldOpenIngress,
        facts([rule({ protocol: 'icmp', fromPort: -1, toPort: -1 })]),
        policy({ allowPublicIcmp: false }),
      );
      expect(verdict).toMatchObject({ status: 'non-compliant', findings: [{ severity: 'low' }] });
    });
  });

  describe('compliant', () => {
    it.each<[string, Partial<SecurityGroupRule>]>([
      ['HTTPS 443 from the world', { fromPort: 443, toPort: 443 }],
      ['HTTPS 443 from ::/0', { fromPort: 443, toPort: 443, cidrIpv4: undefined, cidrIpv6: '::/0' }],
      ['SSH from a private range', { cidrIpv4: '10.0.0.0/8' }],
      ['SSH from a referenced group', { cidrIpv4: undefined, referencedGroupId: 'sg-bastion' }],
      ['all traffic outbound', { isEgress: true, protocol: '-1' }],
      ['ICMP from the world (allowed by default, like Security Hub EC2.18)', { protocol: 'icmp', fromPort: -1, toPort: -1 }],
    ])('accepts %s', (_name, overrides) => {
      expect(run(worldOpenIngress, facts([rule(overrides)]), policy())).toEqual({ status: 'compliant' });
    });

    it('accepts a range fully covered by adjacent allowed ranges', () => {
      const allowed = policy({
        allowedPublicPorts: [
          { protocol: 'tcp', from: 443 },
          { protocol: 'tcp', from: 8443, to: 8444 },
          { protocol: 'tcp', from: 8445 },
        ],
      });
      expect(run(worldOpenIngress, facts([rule({ fromPort: 8443, toPort: 8445 })]), allowed)).toEqual({ status: 'compliant' });
      expect(run(worldOpenIngress, facts([rule({ fromPort: 8443, toPort: 8446 })]), allowed).status).toBe('non-compliant');
    });

    it('treats port 80 as a finding unless the policy allows it', () => {
      const r = rule({ fromPort: 80, toPort: 80 });
      expect(run(worldOpenIngress, facts([r]), policy()).status).toBe('non-compliant');
      expect(
        run(
          worldOpenIngress,
          facts([r]),
          policy({
            allowedPublicPorts: [
              { protocol: 'tcp', from: 80 },
              { protocol: 'tcp', from: 443 },
            ],
          }),
        ),
      ).toEqual({ status: 'compliant' });
    });
  });

  it('is not applicable to an interface without security groups', () => {
    expect(run(worldOpenIngress, facts([], { groups: [] }), policy()).status).toBe('not-applicable');
  });

  describe('prefix lists', () => {
    const resolved = (cidrs: string[]) => ({ prefixLists: { status: 'ok' as const, value: new Map([['pl-123', cidrs]]) } });

    it('flags a rule whose managed prefix list contains 0.0.0.0/0', () => {
      const verdict = run(
        worldOpenIngress,
        facts([rule({ cidrIpv4: undefined, prefixListId: 'pl-123' })], {}, resolved(['10.0.0.0/8', '0.0.0.0/0'])),
      );
      expect(verdict).toMatchObject({
        status: 'non-compliant',
        findings: [{ severity: 'critical', evidence: { rules: [{ source: 'pl-123 (contains 0.0.0.0/0)' }] } }],
      });
    });

    it('accepts a rule whose prefix list holds only private ranges', () => {
      expect(run(worldOpenIngress, facts([rule({ cidrIpv4: undefined, prefixListId: 'pl-123' })], {}, resolved(['10.0.0.0/8'])))).toEqual({
        status: 'compliant',
      });
    });

    it('reports incomplete evidence (fail closed) when a prefix list cannot be resolved', () => {
      const verdict = run(
        worldOpenIngress,
        facts(
          [rule({ cidrIpv4: undefined, prefixListId: 'pl-123' })],
          {},
          { prefixLists: { status: 'unavailable', reason: 'AccessDenied' } },
        ),
      );
      expect(verdict).toMatchObject({ status: 'non-compliant', findings: [], incomplete: expect.stringContaining('pl-123') });
    });
  });

  describe('internet exposure', () => {
    it.each<[string, Parameters<typeof facts>[1], Parameters<typeof subnetNetwork>[0], string, string]>([
      ['reachable: public IP, IGW route, default ACL', {}, {}, 'critical', 'internet'],
      ['no public IP', { publicIp: undefined }, {}, 'high', 'latent'],
      ['no route to an internet gateway', {}, { igwRouteIpv4: false }, 'high', 'latent'],
      [
        'an ACL that denies 22 before allowing everything',
        {},
        {
          naclEntries: [
            { ruleNumber: 90, egress: false, protocol: '6', action: 'deny', cidrIpv4: '0.0.0.0/0', fromPort: 22, toPort: 22 },
            ...DEFAULT_NACL,
          ],
        },
        'high',
        'latent',
      ],
    ])('SSH from 0.0.0.0/0 with %s', (_name, ni, network, severity, exposure) => {
      const verdict = run(worldOpenIngress, facts([rule()], ni, { subnetNetwork: { status: 'ok', value: subnetNetwork(network) } }));
      expect(verdict).toMatchObject({ status: 'non-compliant', findings: [{ severity, evidence: { exposure } }] });
    });

    it('judges an IPv6 rule by the IPv6 route and address', () => {
      const v6 = rule({ cidrIpv4: undefined, cidrIpv6: '::/0' });
      expect(
        run(worldOpenIngress, facts([v6], {}, { subnetNetwork: { status: 'ok', value: subnetNetwork({ igwRouteIpv4: false }) } })),
      ).toMatchObject({
        findings: [{ evidence: { exposure: 'internet' } }],
      });
      expect(run(worldOpenIngress, facts([v6], { ipv6Addresses: [] }))).toMatchObject({
        findings: [{ severity: 'high', evidence: { exposure: 'latent' } }],
      });
    });

    it('keeps the full severity and says so when routes and ACLs cannot be read', () => {
      const verdict = run(
        worldOpenIngress,
        facts([rule()], {}, { subnetNetwork: { status: 'unavailable', reason: 'UnauthorizedOperation' } }),
      );
      expect(verdict).toMatchObject({
        status: 'non-compliant',
        findings: [{ severity: 'critical', evidence: { exposure: 'unknown' } }],
        incomplete: expect.stringContaining('UnauthorizedOperation'),
      });
    });
  });
});

describe('world-open-ingress, several sources and groups at once', () => {
  const verdictOf = (...args: Parameters<typeof facts>) => run(worldOpenIngress, facts(...args), {});
  const findingsOf = (...args: Parameters<typeof facts>) => {
    const verdict = verdictOf(...args);
    return verdict.status === 'non-compliant' ? verdict.findings : [];
  };
  const twoGroups = { groups: [{ groupId: 'sg-a' }, { groupId: 'sg-b' }] };

  it('two groups that each admit half the internet together admit all of it: each group is asked to close its own rule', () => {
    const [a, b] = findingsOf(
      [
        rule({ ruleId: 'sgr-a', groupId: 'sg-a', cidrIpv4: '0.0.0.0/1' }),
        rule({ ruleId: 'sgr-b', groupId: 'sg-b', cidrIpv4: '128.0.0.0/1' }),
      ],
      twoGroups,
    );
    const union = {
      family: 'ipv4',
      protocol: 'tcp',
      ports: '22',
      sources: ['0.0.0.0/1', '128.0.0.0/1'],
      groups: ['sg-a', 'sg-b'],
      securityGroupRuleIds: ['sgr-a', 'sgr-b'],
      severity: 'critical',
      wellKnown: ['22/SSH'],
      reachable: true,
      reasons: ['203.0.113.10 via internet gateway, network ACL allows it'],
    };
    expect(a).toEqual({
      ruleId: 'world-open-ingress',
      severity: 'critical',
      title: 'sg-a and sg-b together admit the whole internet on tcp/22 (0.0.0.0/1 + 128.0.0.0/1) (reachable from the internet now)',
      groupId: 'sg-a',
      ports: [{ protocol: 'tcp', from: 22, to: 22 }],
      evidence: {
        groupId: 'sg-a',
        exposure: 'internet',
        rules: [
          {
            securityGroupRuleId: 'sgr-a',
            protocol: 'tcp',
            ports: '22',
            source: '0.0.0.0/1',
            severity: 'critical',
            wellKnown: ['22/SSH'],
            reachable: true,
            exposure: ['203.0.113.10 via internet gateway, network ACL allows it'],
          },
        ],
        exposures: [union],
      },
      remediation: { kind: 'close-ingress', groupId: 'sg-a', securityGroupRuleIds: ['sgr-a'] },
    });
    expect(b).toMatchObject({
      groupId: 'sg-b',
      evidence: { rules: [{ securityGroupRuleId: 'sgr-b', source: '128.0.0.0/1' }], exposures: [union] },
      remediation: { kind: 'close-ingress', groupId: 'sg-b', securityGroupRuleIds: ['sgr-b'] },
    });
  });

  it('names only the world-open sources of a port, not a VPC-wide rule on the same port', () => {
    const [finding, ...others] = findingsOf([rule({ ruleId: 'sgr-world' }), rule({ ruleId: 'sgr-vpc', cidrIpv4: '10.0.0.0/8' })]);
    expect(others).toEqual([]);
    expect(finding).toMatchObject({
      title: 'sg-1 admits the whole internet on tcp/22 from 0.0.0.0/0 (reachable from the internet now)',
      remediation: { securityGroupRuleIds: ['sgr-world'] },
    });
  });

  it('a group reachable on one family and not the other is reachable; a rule is reachable when any of its exposures is', () => {
    const [finding] = findingsOf([rule({ ruleId: 'sgr-v4' }), rule({ ruleId: 'sgr-v6', cidrIpv4: undefined, cidrIpv6: '::/0' })], {
      ipv6Addresses: [],
    });
    expect(finding).toMatchObject({
      severity: 'critical',
      title: 'sg-1 admits the whole internet on tcp/22 from 0.0.0.0/0, tcp/22 from ::/0 (reachable from the internet now)',
      evidence: {
        exposure: 'internet',
        rules: [
          { securityGroupRuleId: 'sgr-v4', reachable: true, severity: 'critical' },
          { securityGroupRuleId: 'sgr-v6', reachable: false, severity: 'high', exposure: ['no IPv6 address'] },
        ],
      },
    });
  });

  it('a group reachable on no family is latent, one step lower', () => {
    const [finding] = findingsOf([rule(), rule({ cidrIpv4: undefined, cidrIpv6: '::/0' })], { publicIp: undefined, ipv6Addresses: [] });
    expect(finding).toMatchObject({ severity: 'high', evidence: { exposure: 'latent' } });
    expect(finding?.title).toContain('(not reachable from the internet now)');
  });

  it('a prefix list holding only ::/0 is the whole IPv6 internet', () => {
    const [finding] = findingsOf(
      [rule({ cidrIpv4: undefined, prefixListId: 'pl-6' })],
      {},
      {
        prefixLists: { status: 'ok', value: new Map([['pl-6', ['::/0']]]) },
      },
    );
    expect(finding).toMatchObject({
      severity: 'critical',
      evidence: { rules: [{ source: 'pl-6 (contains ::/0)' }], exposures: [{ family: 'ipv6', sources: ['::/0'] }] },
    });
  });

  it('a source written another way is named canonically, with how it was written', () => {
    const [finding] = findingsOf([rule({ cidrIpv4: '0.0.0.0/0', ruleId: 'sgr-w' }), rule({ cidrIpv4: '0.0.0.1/0', ruleId: 'sgr-odd' })]);
    expect(finding).toMatchObject({
      evidence: { rules: [{ source: '0.0.0.0/0' }, { source: '0.0.0.0/0 (written 0.0.0.1/0)' }] },
    });
  });

  it('a title names four sources and counts the rest', () => {
    const halves = ['0.0.0.0/3', '32.0.0.0/3', '64.0.0.0/3', '96.0.0.0/3', '128.0.0.0/2', '192.0.0.0/2'];
    const [finding] = findingsOf(halves.map((cidrIpv4) => rule({ cidrIpv4 })));
    expect(finding?.title).toBe(
      'sg-1 admits the whole internet on tcp/22 (0.0.0.0/3 + 32.0.0.0/3 + 64.0.0.0/3 + 96.0.0.0/3 + 2 more) (reachable from the internet now)',
    );
  });

  it('a title names four stretches of ports and counts the rest', () => {
    const ports = [21, 23, 25, 3389, 5432]; // no two adjacent: five stretches
    const [finding] = findingsOf(ports.map((p) => rule({ fromPort: p, toPort: p })));
    expect(finding?.title).toBe(
      'sg-1 admits the whole internet on tcp/21 from 0.0.0.0/0, tcp/23 from 0.0.0.0/0, tcp/25 from 0.0.0.0/0, tcp/3389 from 0.0.0.0/0, 1 more (reachable from the internet now)',
    );
  });
});

describe('world-open-ingress, where broad begins', () => {
  const verdictOf = (cidr: Partial<SecurityGroupRule>, settings: Record<string, unknown> = {}) =>
    run(
      worldOpenIngress,
      facts([rule({ ruleId: 'sgr-b', cidrIpv4: undefined, ...cidr })], { publicIp: undefined, ipv6Addresses: [] }),
      settings,
    );

  it('a source of exactly one block of the broad prefix length (/8 of internet addresses) is broad, with no fix', () => {
    const verdict = verdictOf({ cidrIpv4: '11.0.0.0/8' });
    expect(verdict).toEqual({
      status: 'non-compliant',
      findings: [
        expect.objectContaining({
          severity: 'medium',
          title:
            'sg-1 admits a broad part of the internet on tcp/22 from 11.0.0.0/8, 2^24 internet addresses (not the whole internet; not reachable from the internet now)',
          evidence: expect.objectContaining({
            exposure: 'broad',
            reachable: false,
            exposures: [expect.objectContaining({ internetAddresses: '16777216', sources: ['11.0.0.0/8'] })],
          }),
        }),
      ],
    });
    expect(verdict.status === 'non-compliant' && verdict.findings[0]!.remediation).toBeUndefined();
  });

  it('a source one address short of it is not', () => {
    expect(verdictOf({ cidrIpv4: '11.0.0.0/9' })).toEqual({ status: 'compliant' });
    // 10.0.0.0/7 is 2^25 addresses, but half of them (10/8) are private: 2^24 of internet, exactly broad.
    expect(verdictOf({ cidrIpv4: '10.0.0.0/7' })).toMatchObject({ findings: [{ evidence: { exposure: 'broad' } }] });
  });

  it('the broad prefix length is the policy’s, per family; IPv6 from /16', () => {
    expect(verdictOf({ cidrIpv4: '11.0.0.0/9' }, { broadPrefixLength: { ipv4: 9 } }).status).toBe('non-compliant');
    expect(verdictOf({ cidrIpv4: '11.0.0.0/8' }, { broadPrefixLength: { ipv4: 7 } }).status).toBe('compliant');
    expect(verdictOf({ cidrIpv6: '2600::/16' })).toMatchObject({
      findings: [{ title: expect.stringContaining('2^112 internet addresses'), evidence: { exposure: 'broad' } }],
    });
    expect(verdictOf({ cidrIpv6: '2600::/17' })).toEqual({ status: 'compliant' });
  });

  it('a union that is not a power of two says so approximately', () => {
    expect(verdictOf({ cidrIpv4: '11.0.0.0/8' }, {})).toMatchObject({ findings: [{ title: expect.stringContaining('2^24') }] });
    const three = run(
      worldOpenIngress,
      facts([rule({ cidrIpv4: '11.0.0.0/8' }), rule({ cidrIpv4: '12.0.0.0/7' })], { publicIp: undefined }),
      {},
    );
    expect(three).toMatchObject({ findings: [{ title: expect.stringContaining('≈2^25.6 internet addresses') }] });
  });

  it('a broad rule that a world-open exposure already closes is not named again as broad', () => {
    const verdict = run(
      worldOpenIngress,
      facts([
        rule({ ruleId: 'sgr-all', fromPort: 0, toPort: 65535 }),
        rule({ ruleId: 'sgr-broad', cidrIpv4: '11.0.0.0/8', fromPort: 443, toPort: 443 }),
      ]),
      {},
    );
    expect(verdict).toMatchObject({ status: 'non-compliant' });
    const findings = verdict.status === 'non-compliant' ? verdict.findings : [];
    expect(findings.map((f) => f.evidence['exposure'])).toEqual(['internet']);
  });
});

describe('world-open-ingress, reachability judged per stretch and family', () => {
  const verdictOf = (...args: Parameters<typeof facts>) => run(worldOpenIngress, facts(...args), {});
  const findingsOf = (...args: Parameters<typeof facts>) => {
    const verdict = verdictOf(...args);
    return verdict.status === 'non-compliant' ? verdict.findings : [];
  };
  const listed = (id: string, cidrs: string[]) => ({ prefixLists: { status: 'ok' as const, value: new Map([[id, cidrs]]) } });
  /** A rule whose source is the prefix list pl-1 (`listed` gives its entries, of either family or both). */
  const viaList = () => rule({ ruleId: 'sgr-pl', cidrIpv4: undefined, prefixListId: 'pl-1' });
  /** A subnet whose ACL has an IPv6 entry that cannot be read, first: IPv6 reachability cannot be judged, IPv4 can. */
  const unreadableIpv6Acl = (extra: Parameters<typeof subnetNetwork>[0] = {}) => ({
    status: 'ok' as const,
    value: subnetNetwork({
      naclEntries: [{ ruleNumber: 1, egress: false, protocol: '-1', action: 'deny', cidrIpv6: '2600::/129' }, ...DEFAULT_NACL],
      ...extra,
    }),
  });

  it('a rule reachable on one family and not on the other is reported reachable, at full severity', () => {
    const [finding] = findingsOf([viaList()], { ipv6Addresses: [] }, listed('pl-1', ['0.0.0.0/0', '::/0']));
    expect(finding?.severity).toBe('critical');
    expect((finding?.evidence['rules'] as Record<string, unknown>[]).map((r) => [r['severity'], r['reachable'], r['exposure']])).toEqual([
      ['critical', true, ['203.0.113.10 via internet gateway, network ACL allows it', 'no IPv6 address']],
    ]);
  });

  it('a rule not reachable on one family and unknown on the other has unknown reachability, and so has its group', () => {
    const [finding] = findingsOf(
      [viaList()],
      { publicIp: undefined },
      { ...listed('pl-1', ['0.0.0.0/0', '::/0']), subnetNetwork: unreadableIpv6Acl() },
    );
    expect(finding?.title).toBe('sg-1 admits the whole internet on tcp/22 from 0.0.0.0/0, tcp/22 from ::/0 (reachability unknown)');
    expect(finding?.evidence['exposure']).toBe('unknown');
    const [offending] = finding?.evidence['rules'] as Record<string, unknown>[];
    expect(offending).not.toHaveProperty('reachable');
    expect(offending?.['exposure']).toEqual(['no public IPv4 address', 'unknown: the network ACL could not be read']);
  });

  it('an ACL entry that cannot be read makes reachability unknown and the evidence incomplete, naming the ACL', () => {
    const malformed = [{ ruleNumber: 1, egress: false, protocol: '-1', action: 'deny' as const, cidrIpv4: '0.0.0.0/33' }, ...DEFAULT_NACL];
    const verdict = verdictOf([rule()], {}, { subnetNetwork: { status: 'ok', value: subnetNetwork({ naclEntries: malformed }) } });
    expect(verdict).toMatchObject({
      status: 'non-compliant',
      findings: [
        {
          severity: 'critical',
          title: 'sg-1 admits the whole internet on tcp/22 from 0.0.0.0/0 (reachability unknown)',
          evidence: { exposure: 'unknown', rules: [{ exposure: ['unknown: the network ACL could not be read'] }] },
        },
      ],
      incomplete: 'network ACL acl-1: invalid CIDR "0.0.0.0/33": prefix length 33 exceeds 32',
    });
    const unnamed = subnetNetwork({ naclEntries: malformed, networkAclId: undefined });
    expect(verdictOf([rule()], {}, { subnetNetwork: { status: 'ok', value: unnamed } })).toMatchObject({
      incomplete: 'network ACL: invalid CIDR "0.0.0.0/33": prefix length 33 exceeds 32',
    });
  });

  it('routes and ACL that were never gathered are said to be not gathered', () => {
    expect(verdictOf([rule()], {}, { subnetNetwork: undefined })).toMatchObject({
      findings: [{ severity: 'critical', evidence: { exposure: 'unknown' } }],
      incomplete: 'subnet routes and network ACL unavailable: not gathered',
    });
  });

  it('every distinct reason the evidence is incomplete is said, in the order met', () => {
    const verdict = verdictOf(
      [rule(), rule({ ruleId: 'sgr-pl', cidrIpv4: undefined, prefixListId: 'pl-9' }), rule({ fromPort: 3389, toPort: 3389 })],
      {},
      { prefixLists: { status: 'unavailable', reason: 'AccessDenied' }, subnetNetwork: { status: 'unavailable', reason: 'Throttling' } },
    );
    expect(verdict).toMatchObject({
      incomplete:
        'prefix list pl-9 (rule sgr-pl) could not be resolved: AccessDenied; subnet routes and network ACL unavailable: Throttling',
    });
  });

  it('a broad source the ACL denies is not reachable, though the ACL admits the rest of the internet', () => {
    const denied = subnetNetwork({
      naclEntries: [{ ruleNumber: 50, egress: false, protocol: '-1', action: 'deny', cidrIpv4: '11.0.0.0/8' }, ...DEFAULT_NACL],
    });
    const [finding] = findingsOf([rule({ cidrIpv4: '11.0.0.0/8' })], {}, { subnetNetwork: { status: 'ok', value: denied } });
    expect(finding).toMatchObject({
      severity: 'medium',
      title:
        'sg-1 admits a broad part of the internet on tcp/22 from 11.0.0.0/8, 2^24 internet addresses (not the whole internet; not reachable from the internet now)',
      evidence: { exposure: 'broad', reachable: false, exposures: [{ reachable: false, reasons: ['network ACL acl-1 denies it'] }] },
    });
  });

  it('a broad exposure whose reachability is unknown claims none; reachable on one family, it is reachable', () => {
    const [unknown] = findingsOf([rule({ cidrIpv4: '11.0.0.0/8' })], {}, { subnetNetwork: { status: 'unavailable', reason: 'denied' } });
    expect(unknown?.title).toContain('(not the whole internet; reachability unknown)');
    expect(unknown?.evidence).not.toHaveProperty('reachable');
    expect((unknown?.evidence['exposures'] as Record<string, unknown>[])[0]).not.toHaveProperty('reachable');
    const [mixed] = findingsOf([viaList()], {}, { ...listed('pl-1', ['11.0.0.0/8', '2600::/16']), subnetNetwork: unreadableIpv6Acl() });
    expect(mixed?.title).toContain('(not the whole internet; reachable from the internet now)');
    expect(mixed?.evidence['reachable']).toBe(true);
  });

  it('a rule the world-open finding already revokes is not reported again as broad, on its other ports or its other family', () => {
    const verdict = verdictOf(
      [rule({ ruleId: 'sgr-world' }), rule({ ruleId: 'sgr-wide', cidrIpv4: '11.0.0.0/8', fromPort: 20, toPort: 30 }), viaList()],
      {},
      { ...listed('pl-1', ['0.0.0.0/0', '2600::/16']), subnetNetwork: unreadableIpv6Acl() },
    );
    expect(verdict).toEqual({
      status: 'non-compliant',
      findings: [
        expect.objectContaining({
          evidence: expect.objectContaining({ exposure: 'internet' }),
          remediation: { kind: 'close-ingress', groupId: 'sg-1', securityGroupRuleIds: ['sgr-world', 'sgr-wide', 'sgr-pl'] },
        }),
      ],
    });
  });

  it('a broad finding names only the rules the world-open finding does not already revoke', () => {
    const findings = findingsOf(
      [
        rule({ ruleId: 'sgr-world' }),
        rule({ ruleId: 'sgr-wide', cidrIpv4: '11.0.0.0/8', fromPort: 20, toPort: 30 }),
        rule({ ruleId: 'sgr-other', groupId: 'sg-2', cidrIpv4: '12.0.0.0/8', fromPort: 23, toPort: 30 }),
      ],
      { groups: [{ groupId: 'sg-1' }, { groupId: 'sg-2' }] },
    );
    expect(
      findings.map((f) => [
        f.groupId,
        f.evidence['exposure'],
        (f.evidence['rules'] as { securityGroupRuleId: string }[]).map((r) => r.securityGroupRuleId),
      ]),
    ).toEqual([
      ['sg-1', 'internet', ['sgr-world', 'sgr-wide']],
      ['sg-2', 'broad', ['sgr-other']],
    ]);
  });

  it('an all-traffic finding is about every port of every protocol (-1), for exemptions bounded by ports', () => {
    const [finding] = findingsOf([rule({ protocol: '-1', fromPort: -1, toPort: -1 })]);
    expect(finding?.ports).toEqual([{ protocol: '-1', from: 0, to: 65535 }]);
  });

  it('ICMPv6 open to the whole internet is low severity when the policy forbids it', () => {
    const icmpv6 = rule({ protocol: 'icmpv6', fromPort: -1, toPort: -1, cidrIpv4: undefined, cidrIpv6: '::/0' });
    const verdict = run(worldOpenIngress, facts([icmpv6]), { allowPublicIcmp: false });
    expect(verdict.status === 'non-compliant' && verdict.findings.map((f) => [f.severity, f.title])).toEqual([
      ['low', 'sg-1 admits the whole internet on icmpv6 from ::/0 (reachable from the internet now)'],
    ]);
  });
});
