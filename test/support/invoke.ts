/** Invokes a bundled handler in a fresh Node.js process, as Lambda does on a cold start. */
import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/** What one invocation returned, or how it failed. */
export interface Invocation {
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: string;
  /** Structured log lines the function wrote. */
  readonly logs: Record<string, unknown>[];
  /** The signal that ended the process (`SIGKILL` when a test killed it). */
  readonly signal?: string;
}

const RUNNER = `
const [entry, event] = process.argv.slice(1);
import(entry)
  .then((m) => m.handler(JSON.parse(event)))
  .then((r) => process.stderr.write('\\n@@RESULT ' + JSON.stringify(r) + '\\n'), (e) => { process.stderr.write('\\n@@ERROR ' + JSON.stringify(String(e && e.stack || e)) + '\\n'); process.exitCode = 1; });
`;

/**
 * Runs `handler(event)` from the bundle at `entry` with `env` added to a clean environment.
 * `onSpawn` gets the process (a test that kills it mid-invocation needs it).
 */
export function invokeBundle(
  entry: string,
  event: unknown,
  env: Record<string, string>,
  onSpawn?: (child: ChildProcess) => void,
): Promise<Invocation> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--enable-source-maps', '--no-warnings', '--input-type=module', '-e', RUNNER, pathToFileURL(entry).href, JSON.stringify(event)],
      {
        env: { PATH: process.env['PATH'] ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    onSpawn?.(child);
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      // Powertools writes INFO to stdout and WARN/ERROR to stderr.
      const logs = `${stdout}\n${stderr}`
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            // A process killed mid-write leaves half a line.
            return [];
          }
        });
      const result = /@@RESULT (.*)/.exec(stderr)?.[1];
      const error = /@@ERROR (.*)/.exec(stderr)?.[1];
      if (result !== undefined) resolve({ ok: true, result: JSON.parse(result), logs });
      else resolve({ ok: false, error: error ? (JSON.parse(error) as string) : stderr, logs, ...(signal ? { signal } : {}) });
    });
  });
}
