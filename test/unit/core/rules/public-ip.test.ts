import { publicIp } from '../../../../lambda/core/rules/public-ip';
import { facts, run, subnetNetwork } from '../../../support/fixtures';

describe('public-ip', () => {
  it.each<[string, Parameters<typeof facts>[1], unknown, Record<string, unknown> | 'compliant']>([
    ['no public IP', { publicIp: undefined }, {}, 'compliant'],
    ['a public IP in an allowed subnet', {}, { publicSubnets: ['subnet-1'] }, 'compliant'],
    ['a public IP in an allowed VPC', {}, { publicVpcs: ['vpc-1'] }, 'compliant'],
    [
      'an auto-assigned public IP in a routed subnet',
      {},
      {},
      { severity: 'high', evidence: { internetGatewayRoute: true, removable: expect.stringContaining('auto-assigned') } },
    ],
    [
      'an Elastic IP',
      { elasticIp: { allocationId: 'eipalloc-1', associationId: 'eipassoc-1' } },
      {},
      { severity: 'high', evidence: { allocationId: 'eipalloc-1', removable: expect.stringContaining('can be disassociated') } },
    ],
  ])('%s', (_name, ni, settings, expected) => {
    const verdict = run(publicIp, facts([], ni), settings);
    if (expected === 'compliant') expect(verdict).toEqual({ status: 'compliant' });
    else expect(verdict).toMatchObject({ status: 'non-compliant', findings: [expected] });
  });

  it('is medium when the subnet has no route to an internet gateway yet', () => {
    const verdict = run(publicIp, facts([], {}, { subnetNetwork: { status: 'ok', value: subnetNetwork({ igwRouteIpv4: false }) } }));
    expect(verdict).toMatchObject({ findings: [{ severity: 'medium' }] });
  });

  it('keeps the finding but marks evidence incomplete when routes cannot be read', () => {
    const verdict = run(publicIp, facts([], {}, { subnetNetwork: { status: 'unavailable', reason: 'denied' } }));
    expect(verdict).toMatchObject({
      status: 'non-compliant',
      findings: [{ severity: 'high' }],
      incomplete: expect.stringContaining('denied'),
    });
  });
});

describe('public-ip, what it asks for', () => {
  it('asks to disassociate an Elastic IP, naming the address, the subnet and the route', () => {
    const eip = { elasticIp: { allocationId: 'eipalloc-1', associationId: 'eipassoc-1' } };
    expect(run(publicIp, facts([], eip))).toEqual({
      status: 'non-compliant',
      findings: [
        {
          ruleId: 'public-ip',
          severity: 'high',
          title: 'public IP 203.0.113.10 in subnet-1, which is not allowed to be public',
          evidence: {
            publicIp: '203.0.113.10',
            allocationId: 'eipalloc-1',
            vpcId: 'vpc-1',
            subnetId: 'subnet-1',
            internetGatewayRoute: true,
            removable: 'Elastic IP eipalloc-1 can be disassociated and kept',
          },
          remediation: { kind: 'disassociate-address', allocationId: 'eipalloc-1', associationId: 'eipassoc-1', publicIp: '203.0.113.10' },
        },
      ],
    });
  });

  it('proposes nothing for an address it cannot take off: auto-assigned, or an Elastic IP without an association', () => {
    for (const ni of [{}, { elasticIp: { allocationId: 'eipalloc-1' } }]) {
      const verdict = run(publicIp, facts([], ni));
      expect(verdict.status === 'non-compliant' && verdict.findings[0]).not.toHaveProperty('remediation');
    }
  });

  it('says when the subnet has no internet route yet, and when it is unknown', () => {
    const unrouted = run(publicIp, facts([], {}, { subnetNetwork: { status: 'ok', value: subnetNetwork({ igwRouteIpv4: false }) } }));
    expect(unrouted).toMatchObject({
      findings: [
        {
          title: 'public IP 203.0.113.10 in subnet-1, which is not allowed to be public (no internet gateway route yet)',
          evidence: { internetGatewayRoute: false },
        },
      ],
    });
    const unknown = run(publicIp, facts([], { subnetId: undefined }, { subnetNetwork: { status: 'unavailable', reason: 'denied' } }));
    expect(unknown).toMatchObject({
      findings: [
        {
          severity: 'high',
          title: 'public IP 203.0.113.10 in an unknown subnet, which is not allowed to be public',
          evidence: { internetGatewayRoute: 'unknown' },
        },
      ],
      incomplete: 'subnet routes unavailable: denied',
    });
    expect(run(publicIp, facts([], {}, { subnetNetwork: undefined }))).not.toHaveProperty('incomplete');
  });

  it('an allowed VPC or subnet covers only itself', () => {
    expect(run(publicIp, facts([]), { publicVpcs: ['vpc-2'], publicSubnets: ['subnet-2'] }).status).toBe('non-compliant');
    expect(
      run(publicIp, facts([], { vpcId: undefined, subnetId: undefined }), { publicVpcs: ['vpc-1'], publicSubnets: ['subnet-1'] }).status,
    ).toBe('non-compliant');
  });
});
