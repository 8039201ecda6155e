import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY, parsePolicy, PolicyError } from '../../../lambda/core/policy';

describe('policy', () => {
  it('fills in the documented safe defaults', () => {
    expect(DEFAULT_POLICY).toEqual({
      version: 1,
      dryRun: false,
      rules: { 'world-open-ingress': { mode: 'remediate', allowedPublicPorts: [{ protocol: 'tcp', from: 443 }], allowPublicIcmp: true } },
    });
  });

  it('ships policy/default.json equal to the built-in defaults', () => {
    const shipped = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'policy', 'default.json'), 'utf8'));
    expect(parsePolicy(shipped)).toEqual(DEFAULT_POLICY);
  });

  it.each<[string, unknown, string]>([
    ['a missing version', {}, 'version:'],
    [
      'an unknown rule (a typo must not silently disable a check)',
      { version: 1, rules: { 'world-open-ingres': {} } },
      'rules: Unrecognized key: "world-open-ingres"',
    ],
    ['an unknown mode', { version: 1, rules: { 'world-open-ingress': { mode: 'fix' } } }, 'rules.world-open-ingress.mode:'],
    [
      'a port above 65535',
      { version: 1, rules: { 'world-open-ingress': { allowedPublicPorts: [{ protocol: 'tcp', from: 70000 }] } } },
      'rules.world-open-ingress.allowedPublicPorts.0.from:',
    ],
    [
      'a reversed range',
      { version: 1, rules: { 'world-open-ingress': { allowedPublicPorts: [{ protocol: 'tcp', from: 10, to: 5 }] } } },
      'allowedPublicPorts.0.to: "to" must be greater than or equal to "from"',
    ],
    ['dryRun as a string', { version: 1, dryRun: 'yes' }, 'dryRun:'],
  ])('rejects %s with the path and reason', (_name, input, message) => {
    expect(() => parsePolicy(input)).toThrow(PolicyError);
    expect(() => parsePolicy(input)).toThrow(message);
  });

  it('lists every problem at once', () => {
    try {
      parsePolicy({ version: 2, dryRun: 1 });
      throw new Error('expected a PolicyError');
    } catch (error) {
      expect((error as PolicyError).problems).toHaveLength(2);
    }
  });
});
