import { networkPlacement } from '../../../../lambda/core/rules/network-placement';
import { facts, run } from '../../../support/fixtures';

describe('network-placement', () => {
  it('does not apply until an allow-list is configured', () => {
    expect(run(networkPlacement, facts([])).status).toBe('not-applicable');
  });

  it.each<[string, unknown, boolean]>([
    ['the VPC is allowed', { allowedVpcs: ['vpc-1'] }, true],
    ['the subnet is allowed', { allowedSubnets: ['subnet-1'] }, true],
    ['the VPC is not allowed', { allowedVpcs: ['vpc-2'] }, false],
    ['the VPC is allowed but the subnet is not', { allowedVpcs: ['vpc-1'], allowedSubnets: ['subnet-9'] }, false],
  ])('%s', (_name, settings, compliant) => {
    const verdict = run(networkPlacement, facts([]), settings);
    expect(verdict.status).toBe(compliant ? 'compliant' : 'non-compliant');
  });
});

describe('network-placement, what it asks for', () => {
  const outside = { allowedVpcs: ['vpc-2'], allowedSubnets: ['subnet-2'] };

  it('names every reason and the allow-lists; deletes only an available interface nothing is attached to', () => {
    expect(run(networkPlacement, facts([], { status: 'available' }), outside)).toEqual({
      status: 'non-compliant',
      findings: [
        {
          ruleId: 'network-placement',
          severity: 'medium',
          title: 'VPC vpc-1 is not allowed; subnet subnet-1 is not allowed',
          evidence: { vpcId: 'vpc-1', subnetId: 'subnet-1', allowedVpcs: ['vpc-2'], allowedSubnets: ['subnet-2'] },
          remediation: { kind: 'delete-interface' },
        },
      ],
    });
  });

  it.each<[string, Parameters<typeof facts>[1]]>([
    ['an attached interface', { status: 'in-use', attachedInstanceId: 'i-0123456789abcdef0' }],
    ['an attached interface EC2 still calls available', { status: 'available', attachedInstanceId: 'i-0123456789abcdef0' }],
    ['an interface in use by something other than an instance', { status: 'in-use' }],
    ['an interface whose status EC2 did not say', {}],
  ])('never deletes %s: it reports it', (_name, ni) => {
    const verdict = run(networkPlacement, facts([], ni), outside);
    expect(verdict.status).toBe('non-compliant');
    expect(verdict.status === 'non-compliant' && verdict.findings[0]!.remediation).toBeUndefined();
  });

  it('an interface EC2 places in no VPC or subnet is outside every allow-list', () => {
    expect(
      run(networkPlacement, facts([], { vpcId: undefined, subnetId: undefined }), { allowedVpcs: ['vpc-1'], allowedSubnets: ['subnet-1'] }),
    ).toMatchObject({
      findings: [{ title: 'VPC ? is not allowed; subnet ? is not allowed' }],
    });
  });

  it('an allow-list of subnets alone judges only the subnet', () => {
    expect(run(networkPlacement, facts([]), { allowedSubnets: ['subnet-2'] })).toMatchObject({
      findings: [{ title: 'subnet subnet-1 is not allowed' }],
    });
  });
});
