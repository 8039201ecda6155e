import { requiredTags } from '../../../../lambda/core/rules/required-tags';
import { facts, run } from '../../../support/fixtures';

describe('required-tags', () => {
  const settings = { tags: [{ key: 'owner' }, { key: 'env', values: ['prod', 'dev'] }] };
  it.each<[string, Record<string, string>, unknown, string]>([
    ['no tags configured', {}, {}, 'not-applicable'],
    ['all present and allowed', { owner: 'a', env: 'prod' }, settings, 'compliant'],
    ['one missing', { env: 'prod' }, settings, 'non-compliant'],
    ['a value not allowed', { owner: 'a', env: 'staging' }, settings, 'non-compliant'],
  ])('%s', (_name, tags, config, status) => {
    expect(run(requiredTags, facts([], { tags }), config).status).toBe(status);
  });

  it('names what is missing and what is wrong', () => {
    expect(run(requiredTags, facts([], { tags: { env: 'qa' } }), settings)).toMatchObject({
      findings: [{ title: 'required tags: missing owner; not allowed env=qa' }],
    });
  });
});
