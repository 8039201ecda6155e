/**
 * Starts and stops `moto_server` (the AWS API emulator) on a free loopback port, for the demo and
 * the integration tests. Traffic never leaves 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Raised when moto is not installed or does not come up. */
export class MotoUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MotoUnavailableError';
  }
}

/** A running moto server. */
export interface Moto {
  /** `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL`. */
  readonly endpoint: string;
  /** Forgets every resource (moto's `POST /moto-api/reset`). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** The project-local virtual environment `npm run demo` offers to create, and where moto is looked for last. */
export const LOCAL_VENV = join(__dirname, '..', '..', '.venv-moto');

/** How to get moto, where `pip install` into the system Python is refused (Debian, Ubuntu: PEP 668). */
export const INSTALL_HINT = [
  'Install moto (the AWS emulator the demo and the integration tests run against), one of:',
  '  pipx install "moto[server]"          (Debian/Ubuntu: sudo apt-get install pipx; then pipx ensurepath and open a new shell)',
  `  python3 -m venv .venv-moto && .venv-moto/bin/pip install "moto[server]"`,
  '                                       (in the project: found there by itself; Debian/Ubuntu: sudo apt-get install python3-venv first)',
  '  pip install "moto[server]"           (where pip may install: macOS, a virtualenv, a container)',
  'Or point MOTO_SERVER at a moto_server binary. https://docs.getmoto.org/en/latest/docs/server_mode.html',
].join('\n');

/**
 * The moto_server to run: `MOTO_SERVER` when set (exactly that), else `moto_server` on PATH, else the
 * project-local `.venv-moto` (see `INSTALL_HINT`).
 */
export function motoCommand(): string {
  const configured = process.env['MOTO_SERVER'];
  if (configured) return configured;
  if (runs('moto_server')) return 'moto_server';
  const local = join(LOCAL_VENV, 'bin', 'moto_server');
  return existsSync(local) ? local : 'moto_server';
}

function runs(command: string): boolean {
  const probe = spawnSync(command, ['--help'], { stdio: 'ignore', timeout: 30_000 });
  return !probe.error && probe.status === 0;
}

/** Throws `MotoUnavailableError` with install instructions when there is no moto_server to run. */
export function assertMotoInstalled(command = motoCommand()): void {
  const probe = spawnSync(command, ['--help'], { stdio: 'ignore', timeout: 30_000 });
  if (probe.error || probe.status !== 0) {
    throw new MotoUnavailableError(
      `${command} was not found or does not run (${probe.error?.message ?? `exit ${probe.status}`}).\n${INSTALL_HINT}`,
    );
  }
}

/** Starts moto on a free port of 127.0.0.1 and waits until it answers. */
export async function startMoto(options: { command?: string; timeoutMs?: number } = {}): Promise<Moto> {
  const command = options.command ?? motoCommand();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new MotoUnavailableError(`cannot start ${command}: ${error.message}.\n${INSTALL_HINT}`)));
    child.once('exit', (code) => reject(new MotoUnavailableError(`${command} exited with code ${code} before it was ready: ${stderr}`)));
  });
  exited.catch(() => undefined);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const ready = await Promise.race([ping(endpoint), exited]);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new MotoUnavailableError(`${command} did not answer on ${endpoint} within ${options.timeoutMs ?? 30_000} ms: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    endpoint,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(timer);
    },
  };
}

async function ping(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    return response.status < 500;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
