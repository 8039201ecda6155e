/**
 * Drives a bundled handler in a child process that stays up between events, as a warm Lambda
 * container does: the first event is the cold invocation, the next ones are warm.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import type { ReadyMessage, ResultMessage, RunnerMessage } from './runner-protocol';

/** Bundles runner-child.ts into `outdir/runner.mjs` (node builtins only) and returns its path. */
export async function buildRunner(outdir: string): Promise<string> {
  const outfile = join(outdir, 'runner.mjs');
  await build({
    entryPoints: [join(__dirname, 'runner-child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
  });
  return outfile;
}

/** A handler loaded in its own process. `invoke` must not be called concurrently. */
export class WarmFunction {
  private constructor(
    private readonly child: ChildProcess,
    private readonly messages: AsyncIterator<string>,
    private readonly stderr: () => string,
    /** What the import cost (the init phase). */
    readonly ready: ReadyMessage,
  ) {}

  /** Spawns the runner on `bundle` with exactly `env` and waits until the bundle is imported. */
  static async start(runner: string, bundle: string, env: NodeJS.ProcessEnv, nodeFlags: readonly string[]): Promise<WarmFunction> {
    const child = spawn(process.execPath, [...nodeFlags, runner, bundle], { env, stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
    const reportStream = child.stdio[3];
    if (!reportStream || !('on' in reportStream)) throw new Error('runner has no report pipe');
    const messages = createInterface({ input: reportStream as NodeJS.ReadableStream })[Symbol.asyncIterator]();
    let stderr = '';
    // Keep the tail only: the function logs WARN/ERROR lines to stderr on every remediation.
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const first = await withTimeout(messages.next(), 30_000, 'runner did not become ready');
    const message = first.done ? undefined : (JSON.parse(first.value) as RunnerMessage);
    if (message?.type !== 'ready') {
      child.kill('SIGKILL');
      throw new Error(`runner failed to load ${bundle}: ${message?.type === 'fatal' ? message.error : stderr}`);
    }
    return new WarmFunction(child, messages, () => stderr, message);
  }

  /** Sends one event and waits for its result. */
  async invoke(event: unknown, timeoutMs = 30_000): Promise<ResultMessage> {
    this.child.stdin?.write(`${JSON.stringify(event)}\n`);
    const next = await withTimeout(this.messages.next(), timeoutMs, 'handler did not answer');
    const message = next.done ? undefined : (JSON.parse(next.value) as RunnerMessage);
    if (message?.type !== 'result') {
      throw new Error(`runner stopped: ${message?.type === 'fatal' ? message.error : this.stderr()}`);
    }
    return message;
  }

  /** Closes stdin and waits for the process to end (kills it after a grace period). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
