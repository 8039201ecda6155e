import type { SecurityGroupRule } from '../../../../lambda/core/model';
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
