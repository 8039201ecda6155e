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

describe('required-tags, exactly', () => {
  it('a value in the allowed list passes; the finding lists every missing key and every value not allowed', () => {
    const settings = {
      tags: [{ key: 'owner' }, { key: 'team' }, { key: 'env', values: ['prod', 'dev'] }, { key: 'tier', values: ['web'] }],
    };
    expect(run(requiredTags, facts([], { tags: { owner: 'a', team: 'b', env: 'dev', tier: 'web' } }), settings).status).toBe('compliant');
    expect(run(requiredTags, facts([], { tags: { env: 'qa', tier: 'db' } }), settings)).toEqual({
      status: 'non-compliant',
      findings: [
        {
          ruleId: 'required-tags',
          severity: 'low',
          title: 'required tags: missing owner, team; not allowed env=qa, tier=db',
          evidence: { missing: ['owner', 'team'], wrong: ['env=qa', 'tier=db'] },
        },
      ],
    });
  });

  it('says only what is wrong when nothing is missing, and only what is missing when nothing is wrong', () => {
    const settings = { tags: [{ key: 'owner' }, { key: 'env', values: ['prod'] }] };
    expect(run(requiredTags, facts([], { tags: { owner: 'a', env: 'qa' } }), settings)).toMatchObject({
      findings: [{ title: 'required tags: not allowed env=qa' }],
    });
    expect(run(requiredTags, facts([], { tags: { env: 'prod' } }), settings)).toMatchObject({
      findings: [{ title: 'required tags: missing owner' }],
    });
    // An empty value is a value: present, and judged against the list.
    expect(run(requiredTags, facts([], { tags: { owner: '', env: 'prod' } }), settings).status).toBe('compliant');
  });
});
