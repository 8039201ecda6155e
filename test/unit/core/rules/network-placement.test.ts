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
