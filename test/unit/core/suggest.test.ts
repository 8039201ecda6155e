/**
 * "Did you mean …?" (lambda/core/suggest.ts) for a mistyped context key, policy key, rule id or
 * option value: the closest known name when it is close enough to be a typo, and none otherwise.
 * How the policy's errors use it is test/unit/core/policy.test.ts.
 */
import { closest, didYouMean } from '../../../lambda/core/suggest';

describe('closest', () => {
  it('picks the closest known name, ignoring case', () => {
    expect(closest('dryrun', ['rules', 'dryRun', 'remediation'])).toBe('dryRun');
    expect(closest('world-open-ingres', ['public-ip', 'world-open-ingress', 'world-open-egress'])).toBe('world-open-ingress');
    expect(closest('REMEDATE', new Set(['off', 'notify', 'remediate']))).toBe('remediate');
  });

  it('suggests nothing when nothing is close, or the name is known as typed', () => {
    expect(closest('version', ['rules', 'dryRun'])).toBeUndefined();
    expect(closest('rules', ['rules'])).toBeUndefined();
    expect(closest('rules', [])).toBeUndefined();
    expect(closest('Rules', ['rules'])).toBe('rules');
  });

  it('prefers the first of equally close names, and a closer one over an earlier one', () => {
    expect(closest('abc', ['abx', 'aby'])).toBe('abx');
    expect(closest('abcdefghi', ['abcdefgxx', 'abcdefghx'])).toBe('abcdefghx');
  });

  it.each<[string, string, string, boolean]>([
    ['one edit in a name of two characters (at least one may differ)', 'ab', 'ax', true],
    ['two edits in a name of two characters', 'ab', 'xy', false],
    ['two edits in a name of six characters (a third)', 'abcdef', 'abcdxy', true],
    ['three edits in a name of six characters', 'abcdef', 'abcxyz', false],
    ['two edits in a name of eight characters (a third, rounded down)', 'abcdefgh', 'abcdefxy', true],
    ['three edits in a name of eight characters', 'abcdefgh', 'abcdexyz', false],
    ['three edits in a name of nine characters', 'abcdefghi', 'abcdefxyz', true],
    ['four edits in a name of fifteen characters (at most four)', 'abcdefghijklmno', 'abcdefghijkwxyz', true],
    ['five edits in a name of fifteen characters', 'abcdefghijklmno', 'abcdefghijvwxyz', false],
    ['five edits in a name of eighteen characters', 'abcdefghijklmnopqr', 'abcdefghijklmvwxyz', false],
  ])('%s', (_name, typed, candidate, suggested) => {
    expect(closest(typed, [candidate])).toBe(suggested ? candidate : undefined);
  });

  it('counts the edits of the lower-cased names: case changes are free', () => {
    expect(closest('ABCDEF', ['abcdxy'])).toBe('abcdxy');
    expect(closest('abcdef', ['ABCXYZ'])).toBeUndefined();
  });
});

describe('didYouMean', () => {
  it('says the suggestion, quoted as asked, or nothing', () => {
    expect(didYouMean('dryrun', ['dryRun'])).toBe('did you mean dryRun?');
    expect(didYouMean('dryrun', ['dryRun'], (name) => JSON.stringify(name))).toBe('did you mean "dryRun"?');
    expect(didYouMean('version', ['dryRun'], (name) => JSON.stringify(name))).toBeUndefined();
  });
});
