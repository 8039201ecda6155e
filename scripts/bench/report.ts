/** Formatting of the bench's tables (Markdown, so a run can be pasted into the README as is). */

/** One line of the results table: a measurement beside its floor. */
export interface Row {
  readonly section: string;
  readonly what: string;
  readonly measured: string;
  readonly floor: string;
  /** Measured against the floor (or against the other side of a target). */
  readonly ratio: string;
}

/** One target, judged. */
export interface TargetResult {
  readonly id: string;
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
  /** The same figure in an earlier run (scripts/bench/previous.json), side by side. */
  readonly before?: string;
}

/** A run as `npm run bench -- --record` keeps it for the docs (docs/performance-run.json). */
export interface RecordedRun {
  readonly header: string;
  readonly rows: readonly Row[];
  readonly targets: readonly TargetResult[];
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

/** Renders a Markdown table with padded columns. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** The results table. */
export function resultsTable(rows: readonly Row[]): string {
  return markdownTable(
    ['section', 'measured', 'value', 'floor', 'ratio'],
    rows.map((r) => [r.section, r.what, r.measured, r.floor, r.ratio]),
  );
}

/** The targets table, with the earlier run's figures when known. */
export function targetsTable(targets: readonly TargetResult[]): string {
  return markdownTable(
    ['target', 'before', 'measured', 'verdict'],
    targets.map((t) => [t.target, t.before ?? '—', t.measured, t.pass ? 'PASS' : 'FAIL']),
  );
}

/** `1,014,565 B (1.01 MB)`, MB = 10^6 bytes. */
export function bytes(n: number): string {
  return `${n.toLocaleString('en-US')} B (${(n / 1e6).toFixed(2)} MB)`;
}

/** `12.3 ms`. */
export function ms(n: number): string {
  return Number.isFinite(n) ? `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms` : 'n/a';
}

/** `1.23×`. */
export function ratio(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a';
}

/** `123,456/s`. */
export function perSecond(n: number): string {
  return `${Math.round(n).toLocaleString('en-US')}/s`;
}

/** `$0.1234`. */
export function usd(n: number): string {
  return `$${n.toFixed(4)}`;
}

/** `97.1 MiB`. */
export function mib(kib: number): string {
  return `${(kib / 1024).toFixed(1)} MiB`;
}
