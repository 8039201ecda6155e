import type { InterfaceFacts, SecurityGroupRule } from '../../../../lambda/core/model';
import { plaintextProtocols } from '../../../../lambda/core/rules/plaintext-protocols';
import { facts, instance, rule, run } from '../../../support/fixtures';

describe('plaintext-protocols', () => {
  it.each<[string, Partial<SecurityGroupRule>, string | undefined]>([
    ['HTTP 80 from the world', { fromPort: 80, toPort: 80 }, 'high'],
    ['Telnet 23 from a /8 (VPC-wide)', { fromPort: 23, toPort: 23, cidrIpv4: '10.0.0.0/8' }, 'medium'],
    ['FTP 21 from a /24 (narrow)', { fromPort: 21, toPort: 21, cidrIpv4: '10.0.1.0/24' }, undefined],
    ['all traffic from ::/0', { protocol: '-1', fromPort: -1, toPort: -1, cidrIpv4: undefined, cidrIpv6: '::/0' }, 'high'],
    ['HTTPS 443 from the world', { fromPort: 443, toPort: 443 }, undefined],
    ['HTTP 80 from a referenced group', { fromPort: 80, toPort: 80, cidrIpv4: undefined, referencedGroupId: 'sg-2' }, undefined],
    ['HTTP 80 outbound', { fromPort: 80, toPort: 80, isEgress: true }, undefined],
    ['HTTP 80 from the world written with host bits (1.2.3.4/0)', { fromPort: 80, toPort: 80, cidrIpv4: '1.2.3.4/0' }, 'high'],
    ['HTTP 80 from the world written 0::/0', { fromPort: 80, toPort: 80, cidrIpv4: undefined, cidrIpv6: '0::/0' }, 'high'],
    ['HTTP 80 from all of global unicast (2000::/3)', { fromPort: 80, toPort: 80, cidrIpv4: undefined, cidrIpv6: '2000::/3' }, 'high'],
    ['Telnet 23 from a /16 written with host bits', { fromPort: 23, toPort: 23, cidrIpv4: '10.1.2.3/16' }, 'medium'],
  ])('%s', (_name, overrides, severity) => {
    const verdict = run(plaintextProtocols, facts([rule(overrides)]));
    if (!severity) expect(verdict.status).toBe('compliant');
    else expect(verdict).toMatchObject({ status: 'non-compliant', findings: [{ severity }] });
  });

  it('reports a source it cannot read as incomplete evidence (fail closed), as world-open-ingress does', () => {
    expect(run(plaintextProtocols, facts([rule({ fromPort: 80, toPort: 80, cidrIpv4: '0.0.0.0/33' })]))).toMatchObject({
      status: 'non-compliant',
      findings: [],
      incomplete: expect.stringContaining('0.0.0.0/33'),
    });
  });

  it('flags an attached instance type without in-transit encryption', () => {
    const input = facts(
      [],
      { attachedInstanceId: 'i-1' },
      { instance: { status: 'ok', value: instance({ instanceType: 't2.micro', encryptionInTransitSupported: false }) } },
    );
    expect(run(plaintextProtocols, input)).toMatchObject({ findings: [{ severity: 'low', evidence: { instanceType: 't2.micro' } }] });
    expect(run(plaintextProtocols, input, { checkInstanceType: false }).status).toBe('compliant');
  });
});

describe('plaintext-protocols, what it names', () => {
  it('one finding per group with every plaintext port of its rules; the world makes it high', () => {
    const verdict = run(
      plaintextProtocols,
      facts(
        [
          rule({ ruleId: 'sgr-range', fromPort: 20, toPort: 25 }),
          rule({ ruleId: 'sgr-vpc', groupId: 'sg-2', fromPort: 80, toPort: 80, cidrIpv4: '10.0.0.0/16' }),
        ],
        { groups: [{ groupId: 'sg-1' }, { groupId: 'sg-2' }] },
      ),
    );
    expect(verdict).toEqual({
      status: 'non-compliant',
      findings: [
        {
          ruleId: 'plaintext-protocols',
          severity: 'high',
          title: 'sg-1 admits plaintext tcp/21, tcp/23 from the world',
          groupId: 'sg-1',
          evidence: {
            groupId: 'sg-1',
            rules: [
              { ruleId: 'sgr-range', groupId: 'sg-1', port: 'tcp/21', source: '0.0.0.0/0', world: true },
              { ruleId: 'sgr-range', groupId: 'sg-1', port: 'tcp/23', source: '0.0.0.0/0', world: true },
            ],
          },
          ports: [
            { protocol: 'tcp', from: 21, to: 21 },
            { protocol: 'tcp', from: 23, to: 23 },
          ],
        },
        {
          ruleId: 'plaintext-protocols',
          severity: 'medium',
          title: 'sg-2 admits plaintext tcp/80 from VPC-wide ranges',
          groupId: 'sg-2',
          evidence: {
            groupId: 'sg-2',
            rules: [{ ruleId: 'sgr-vpc', groupId: 'sg-2', port: 'tcp/80', source: '10.0.0.0/16', world: false }],
          },
          ports: [{ protocol: 'tcp', from: 80, to: 80 }],
        },
      ],
    });
  });

  it.each<[string, Partial<SecurityGroupRule>, boolean]>([
    ['a range that ends exactly at a plaintext port', { fromPort: 10, toPort: 21 }, true],
    ['a range that starts exactly at a plaintext port', { fromPort: 23, toPort: 24 }, true],
    ['a range between two plaintext ports', { fromPort: 24, toPort: 79 }, false],
    ['a /16, exactly the VPC-wide prefix length', { fromPort: 23, toPort: 23, cidrIpv4: '10.1.0.0/16' }, true],
    ['a /17, narrower than VPC-wide', { fromPort: 23, toPort: 23, cidrIpv4: '10.1.0.0/17' }, false],
    ['an IPv6 /56, VPC-wide', { fromPort: 23, toPort: 23, cidrIpv4: undefined, cidrIpv6: 'fd00::/56' }, true],
    ['an IPv6 /64, a subnet', { fromPort: 23, toPort: 23, cidrIpv4: undefined, cidrIpv6: 'fd00::/64' }, false],
    ['protocol 6 meaning TCP', { protocol: '6', fromPort: 80, toPort: 80 }, true],
    ['UDP on a TCP port', { protocol: 'udp', fromPort: 80, toPort: 80 }, false],
    ['TCP with no ports (every port)', { fromPort: undefined, toPort: undefined }, true],
    ['TCP from port -1 (every port)', { fromPort: -1, toPort: -1 }, true],
    ['TCP from 80 with no end port', { fromPort: 80, toPort: undefined }, true],
  ])('%s', (_name, overrides, flagged) => {
    expect(run(plaintextProtocols, facts([rule(overrides)])).status).toBe(flagged ? 'non-compliant' : 'compliant');
  });

  it('UDP ports the policy lists are checked on UDP (protocol 17 too)', () => {
    const settings = { ports: [{ protocol: 'udp', from: 69 }] };
    expect(run(plaintextProtocols, facts([rule({ protocol: '17', fromPort: 60, toPort: 70 })]), settings)).toMatchObject({
      findings: [{ title: 'sg-1 admits plaintext udp/69 from the world' }],
    });
    expect(run(plaintextProtocols, facts([rule({ fromPort: 69, toPort: 69 })]), settings).status).toBe('compliant');
  });

  it('names a listed range as a range', () => {
    const settings = { ports: [{ protocol: 'tcp', from: 8000, to: 8010 }] };
    expect(run(plaintextProtocols, facts([rule({ fromPort: 8005, toPort: 8005 })]), settings)).toMatchObject({
      findings: [{ title: 'sg-1 admits plaintext tcp/8000-8010 from the world' }],
    });
  });

  it('an instance type check it could not make is incomplete evidence; an instance that encrypts is fine', () => {
    const attached = (fact: InterfaceFacts['instance']) => facts([], { attachedInstanceId: 'i-0123456789abcdef0' }, { instance: fact });
    expect(run(plaintextProtocols, attached({ status: 'unavailable', reason: 'throttled' }))).toEqual({
      status: 'non-compliant',
      findings: [],
      incomplete: 'instance facts unavailable: throttled',
    });
    expect(run(plaintextProtocols, attached(undefined))).toMatchObject({ incomplete: 'instance facts unavailable: not gathered' });
    expect(run(plaintextProtocols, attached({ status: 'ok', value: instance() })).status).toBe('compliant');
    expect(run(plaintextProtocols, attached({ status: 'ok', value: instance({ encryptionInTransitSupported: undefined }) })).status).toBe(
      'compliant',
    );
    expect(run(plaintextProtocols, attached({ status: 'ok', value: instance({ encryptionInTransitSupported: false }) }))).toEqual({
      status: 'non-compliant',
      findings: [
        {
          ruleId: 'plaintext-protocols',
          severity: 'low',
          title: 'instance type m7i.large of i-0123456789abcdef0 does not encrypt traffic in transit automatically',
          evidence: { instanceId: 'i-0123456789abcdef0', instanceType: 'm7i.large', encryptionInTransitSupported: false },
        },
      ],
    });
  });

  it('both an unreadable source and an unread instance are said', () => {
    const input = facts(
      [rule({ ruleId: 'sgr-bad', cidrIpv4: 'nonsense' })],
      { attachedInstanceId: 'i-0123456789abcdef0' },
      {
        instance: { status: 'unavailable', reason: 'throttled' },
      },
    );
    const verdict = run(plaintextProtocols, input);
    expect(verdict).toMatchObject({
      status: 'non-compliant',
      incomplete: expect.stringMatching(/^rule sgr-bad: .+; instance facts unavailable: throttled$/),
    });
  });
});

describe('plaintext-protocols, edges of a rule and of a group', () => {
  const titleOf = (rules: SecurityGroupRule[], ni: Parameters<typeof facts>[1] = {}) => {
    const verdict = run(plaintextProtocols, facts(rules, ni));
    return verdict.status === 'non-compliant' ? verdict.findings.map((f) => [f.severity, f.title]) : verdict.status;
  };

  it('a rule for all protocols opens every port, whatever port numbers it carries', () => {
    expect(titleOf([rule({ protocol: '-1', fromPort: 22, toPort: 22 })])).toEqual([
      ['high', 'sg-1 admits plaintext tcp/21, tcp/23, tcp/80, tcp/110, tcp/143, tcp/389, tcp/8080 from the world'],
    ]);
  });

  it('an instance type that is not known is named ?', () => {
    const input = facts(
      [],
      { attachedInstanceId: 'i-0123456789abcdef0' },
      { instance: { status: 'ok', value: instance({ instanceType: undefined, encryptionInTransitSupported: false }) } },
    );
    expect(run(plaintextProtocols, input)).toMatchObject({
      findings: [{ title: 'instance type ? of i-0123456789abcdef0 does not encrypt traffic in transit automatically' }],
    });
  });

  it('a range that starts at port 0 covers its own ports, not every port', () => {
    expect(titleOf([rule({ fromPort: 0, toPort: 22 })])).toEqual([['high', 'sg-1 admits plaintext tcp/21 from the world']]);
  });

  it('a group with one source from the world and one VPC-wide is high, from the world', () => {
    const both = [
      rule({ ruleId: 'sgr-vpc', fromPort: 80, toPort: 80, cidrIpv4: '10.0.0.0/8' }),
      rule({ ruleId: 'sgr-w', fromPort: 23, toPort: 23 }),
    ];
    expect(titleOf(both)).toEqual([['high', 'sg-1 admits plaintext tcp/80, tcp/23 from the world']]);
  });

  it('evidence it could read in full is not incomplete; every source it could not read is named', () => {
    expect(run(plaintextProtocols, facts([rule({ fromPort: 80, toPort: 80 })]))).not.toHaveProperty('incomplete');
    const unreadable = [rule({ ruleId: 'sgr-a', cidrIpv4: '0.0.0.0/33' }), rule({ ruleId: 'sgr-b', cidrIpv4: '300.0.0.0/8' })];
    expect(run(plaintextProtocols, facts(unreadable))).toMatchObject({
      incomplete: expect.stringMatching(/^rule sgr-a: .*; rule sgr-b: /),
    });
  });
});
