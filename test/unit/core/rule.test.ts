import { anyGlobMatch, globMatch } from '../../../lambda/core/rule';

describe('ARN patterns', () => {
  it.each<[string, string, boolean]>([
    ['arn:aws:iam::1:role/Deploy', 'arn:aws:iam::1:role/Deploy', true],
    ['arn:aws:iam::1:role/Deploy', 'arn:aws:iam::1:role/DeployX', false],
    ['arn:aws:iam::1:role/Deploy', 'xarn:aws:iam::1:role/Deploy', false],
    ['arn:aws:iam::1:role/Deploy*', 'arn:aws:iam::1:role/DeployPipeline', true],
    ['arn:aws:iam::1:role/Deploy*', 'arn:aws:iam::1:role/Deploy', true],
    ['arn:aws:iam::?:role/Deploy', 'arn:aws:iam::1:role/Deploy', true],
    ['arn:aws:iam::?:role/Deploy', 'arn:aws:iam::12:role/Deploy', false],
    // Every other character is itself: a dot is a dot, brackets and pluses are literal.
    ['arn:aws:iam::1:role/a.b', 'arn:aws:iam::1:role/axb', false],
    ['arn:aws:iam::1:role/a+b', 'arn:aws:iam::1:role/aab', false],
    ['arn:aws:iam::1:role/a+b', 'arn:aws:iam::1:role/a+b', true],
    ['arn:aws:iam::1:role/[ab]', 'arn:aws:iam::1:role/a', false],
    ['arn:aws:iam::1:role/(a|b)', 'arn:aws:iam::1:role/a', false],
    ['arn:aws:iam::1:role/$x^', 'arn:aws:iam::1:role/$x^', true],
    ['arn:aws:iam::1:role/Deploy', 'arn:aws:iam::1:role/deploy', false],
  ])('%s against %s: %s', (pattern, value, matched) => {
    expect(globMatch(pattern, value)).toBe(matched);
  });

  it('any of the patterns against any of the values, skipping values that are absent', () => {
    expect(anyGlobMatch(['arn:a', 'arn:b*'], [undefined, 'arn:bc'])).toBe(true);
    expect(anyGlobMatch(['arn:a'], [undefined, 'arn:b'])).toBe(false);
    expect(anyGlobMatch([], ['arn:a'])).toBe(false);
    expect(anyGlobMatch(['*'], [undefined])).toBe(false);
  });
});
