/**
 * The mutation score per file of lambda/core, from a Stryker report (the mutation-testing-elements
 * JSON that `npm run test:mutation` writes to reports/mutation/mutation.json, and keeps in
 * test/mutation/stryker-incremental.json for the next run). Score = detected ÷ valid mutants, where
 * detected is killed + timed out and valid leaves out what the type checker rejected and what was
 * ignored (static mutants, and those disabled as equivalent by a `// Stryker disable` comment).
 */
import { readFileSync } from 'node:fs';

/** The part of a Stryker JSON report the score needs. */
interface StrykerReport {
  readonly files: Readonly<Record<string, { readonly mutants: readonly { readonly status: string }[] }>>;
}

/** One file's (or the total's) mutant counts. */
export interface MutantCounts {
  readonly killed: number;
  readonly timeout: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly ignored: number;
  readonly invalid: number;
}

const ZERO: MutantCounts = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, invalid: 0 };

function count(statuses: readonly string[]): MutantCounts {
  const key: Readonly<Record<string, keyof MutantCounts>> = {
    Killed: 'killed',
    Timeout: 'timeout',
    Survived: 'survived',
    NoCoverage: 'noCoverage',
    Ignored: 'ignored',
    CompileError: 'invalid',
    RuntimeError: 'invalid',
  };
  const counts: Record<keyof MutantCounts, number> = { ...ZERO };
  for (const status of statuses) {
    const field = key[status];
    if (!field) throw new Error(`mutation report: unexpected mutant status ${status} (a run that did not finish?)`);
    counts[field] += 1;
  }
  return counts;
}

/** Detected ÷ valid, in percent (100 when there is nothing valid to detect). */
export function scoreOf(c: MutantCounts): number {
  const valid = c.killed + c.timeout + c.survived + c.noCoverage;
  return valid === 0 ? 100 : (100 * (c.killed + c.timeout)) / valid;
}

/** Counts per file (paths relative to the repository, sorted) and in total, from a report file. */
export function mutationCounts(reportFile: string): { files: [string, MutantCounts][]; total: MutantCounts } {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as StrykerReport;
  const files = Object.entries(report.files)
    .map(([path, file]): [string, MutantCounts] => [path.replace(/\\/g, '/'), count(file.mutants.map((m) => m.status))])
    .sort(([a], [b]) => a.localeCompare(b));
  const total = files.reduce<MutantCounts>(
    (sum, [, c]) => Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, v + c[k as keyof MutantCounts]])) as unknown as MutantCounts,
    ZERO,
  );
  return { files, total };
}

/** The table of docs/testing.md, as a header and rows: one row per file, then the total. */
export function mutationScoreRows(reportFile: string): { head: string[]; rows: string[][] } {
  const { files, total } = mutationCounts(reportFile);
  const row = (name: string, c: MutantCounts) => [
    name,
    // A file whose every mutant is ignored (all static, say) has no score to show: not 100 %.
    c.killed + c.timeout + c.survived + c.noCoverage === 0 ? 'n/a' : `${scoreOf(c).toFixed(1)} %`,
    String(c.killed),
    String(c.timeout),
    String(c.survived),
    String(c.noCoverage),
    String(c.ignored),
  ];
  return {
    head: ['file (lambda/core/)', 'score', 'killed', 'timeout', 'survived', 'no coverage', 'ignored'],
    rows: [...files.map(([path, c]) => row(`\`${path.replace(/^lambda\/core\//, '')}\``, c)), row('**total**', total)],
  };
}
