import { sourceDestCheck } from '../../../../lambda/core/rules/source-dest-check';
import { facts, run } from '../../../support/fixtures';

describe('source-dest-check', () => {
  it.each<[string, Parameters<typeof facts>[1], string]>([
    ['enabled', { sourceDestCheck: true }, 'compliant'],
    ['disabled', { sourceDestCheck: false }, 'non-compliant'],
    [
      'disabled on a NAT instance tagged as allowed',
      { sourceDestCheck: false, tags: { 'eni-guard:source-dest-check': 'disabled' } },
      'compliant',
    ],
    [
      'disabled with the allow tag set to another value',
      { sourceDestCheck: false, tags: { 'eni-guard:source-dest-check': 'yes' } },
      'non-compliant',
    ],
    ['not reported by EC2', { sourceDestCheck: undefined }, 'not-applicable'],
  ])('%s', (_name, ni, status) => {
    expect(run(sourceDestCheck, facts([], ni)).status).toBe(status);
  });
});

describe('source-dest-check, what it asks for', () => {
  it('names the interface and the allow tag, and asks for the check back', () => {
    expect(run(sourceDestCheck, facts([], { sourceDestCheck: false }))).toEqual({
      status: 'non-compliant',
      findings: [
        {
          ruleId: 'source-dest-check',
          severity: 'medium',
          title: 'source/destination check is disabled on eni-0aaaaaaaaaaaaaaaa',
          evidence: { sourceDestCheck: false, allowTag: { key: 'eni-guard:source-dest-check', value: 'disabled' } },
          remediation: { kind: 'restore-source-dest-check' },
        },
      ],
    });
  });

  it('honours the allow tag the policy names instead of the default', () => {
    const settings = { allowTag: { key: 'role', value: 'nat' } };
    expect(run(sourceDestCheck, facts([], { sourceDestCheck: false, tags: { role: 'nat' } }), settings).status).toBe('compliant');
    expect(
      run(sourceDestCheck, facts([], { sourceDestCheck: false, tags: { 'eni-guard:source-dest-check': 'disabled' } }), settings).status,
    ).toBe('non-compliant');
  });
});
