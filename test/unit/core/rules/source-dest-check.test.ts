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
