/** An in-memory `CliIo` for running `eni-guard` commands in-process, and temp-file helpers. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CliIo } from '../../../lambda/cli/command';
import { main } from '../../../lambda/cli/main';

/** What one run printed and returned. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fresh temp directory (never the repo: no cdk.json unless a test writes one). */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'eni-guard-cli-'));
}

/** Writes `files` (name → text, or a value written as JSON) under `dir`; returns `dir`. */
export function writeFiles(dir: string, files: Record<string, unknown>): string {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), typeof content === 'string' || Buffer.isBuffer(content) ? content : JSON.stringify(content));
  }
  return dir;
}

/** Runs `eni-guard ...argv` in `cwd` with `env` and `stdin`. */
export async function cli(argv: string[], options: { cwd?: string; env?: Record<string, string>; stdin?: string } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: options.env ?? {},
    cwd: options.cwd ?? tempDir(),
    stdin: () => Promise.resolve(options.stdin ?? ''),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** The JSON lines a run printed. */
export function jsonLines(run: Run): Record<string, unknown>[] {
  return run.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
