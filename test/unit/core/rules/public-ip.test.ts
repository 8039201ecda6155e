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
