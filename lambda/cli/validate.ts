/** `eni-guard validate`: the policy's schema, then semantic checks; each problem with its path and reason. */
import { modeOf, PolicyError, type Policy } from '../core/policy';
import { RULES } from '../core/rules/index';
import { EXIT, flag, outputFormat, type Command } from './command';
import { HELP, loadPolicy, OUTPUT_OPTION, POLICY_OPTION, policySource } from './options';
import { semanticWarnings, splitProblem, type PolicyProblem } from './policy-checks';

/** The `validate` command. */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a policy file: schema and semantic checks, each problem with its path and reason',
  synopsis: 'eni-guard validate [--policy FILE] [--strict] [--output text|json]',
  help: [HELP.policy, '      --strict             treat warnings as problems (exit 1)', HELP.output].join('\n'),
  options: { ...POLICY_OPTION, ...OUTPUT_OPTION, strict: { type: 'boolean' } },
  // eslint-disable-next-line @typescript-eslint/require-await -- the table's contract is async
  async run(invocation, io) {
    const format = outputFormat(invocation);
    const strict = flag(invocation, 'strict');
    const source = policySource(invocation, io);
    let policy: Policy | undefined;
    let problems: PolicyProblem[] = [];
    try {
      policy = loadPolicy(source);
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      problems = error.problems.map(splitProblem);
    }
    const warnings = policy ? semanticWarnings(policy, new Date()) : [];
    const valid = problems.length === 0 && !(strict && warnings.length > 0);

    if (format === 'json') {
      io.stdout(
        `${JSON.stringify({ policy: source.file ?? null, valid, problems, warnings, ...(policy ? { summary: summarize(policy) } : {}) })}\n`,
      );
    } else {
      const lines: string[] = [];
      if (problems.length > 0) lines.push(`${source.label}: invalid`, ...problems.map((p) => `  - ${p.path}: ${p.reason}`));
      else lines.push(`${source.label}: ${valid ? 'valid' : 'invalid (--strict: warnings count as problems)'}`, `  ${describe(policy!)}`);
      if (warnings.length > 0) lines.push('warnings:', ...warnings.map((w) => `  - ${w.path}: ${w.reason}`));
      io.stdout(`${lines.join('\n')}\n`);
    }
    return valid ? EXIT.ok : EXIT.findings;
  },
};

function summarize(policy: Policy): { dryRun: boolean; rules: Record<string, string>; exemptions: number } {
  return {
    dryRun: policy.dryRun,
    rules: Object.fromEntries(RULES.map((rule) => [rule.id, modeOf(policy, rule.id)])),
    exemptions: policy.exemptions.length,
  };
}

function describe(policy: Policy): string {
  const modes = RULES.map((rule) => modeOf(policy, rule.id));
  const count = (mode: string) => modes.filter((m) => m === mode).length;
  return [
    `${RULES.length} rules: ${count('remediate')} remediate, ${count('notify')} notify, ${count('off')} off`,
    `dryRun ${policy.dryRun}${policy.dryRun ? ' (shadow mode: nothing is changed)' : ''}`,
    `${policy.exemptions.length} exemption(s)`,
  ].join('; ');
}
