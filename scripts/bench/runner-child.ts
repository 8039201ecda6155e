/**
 * The warm runner, as a Lambda container runs: imports the bundle once, then handles events read
 * from stdin (one JSON document a line) one after the other, and reports each on fd 3.
 * Bundled by esbuild into a standalone .mjs and run with plain `node` (see warm-runner.ts).
 */
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { RunnerMessage } from './runner-protocol';

/** The pipe the parent reads; stdout and stderr stay the function's (its logs). */
const REPORT_FD = 3;

type Handler = (event: unknown) => Promise<unknown>;

function report(message: RunnerMessage): void {
  writeSync(REPORT_FD, `${JSON.stringify(message)}\n`);
}

async function main(): Promise<void> {
  const entry = process.argv[2];
  if (!entry) throw new Error('usage: runner.mjs BUNDLE');
  const started = performance.now();
  const loaded = (await import(pathToFileURL(entry).href)) as { handler?: Handler };
  const initMs = performance.now() - started;
  const handler = loaded.handler;
  if (typeof handler !== 'function') throw new Error(`${entry} exports no handler`);
  report({ type: 'ready', initMs, maxRssKb: process.resourceUsage().maxRSS });

  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const event = JSON.parse(line) as unknown;
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    let outcome: { ok: boolean; result?: unknown; error?: string };
    try {
      outcome = { ok: true, result: await handler(event) };
    } catch (error) {
      outcome = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    const ms = performance.now() - t0;
    const used = process.cpuUsage(cpu);
    report({ type: 'result', ms, cpuMs: (used.user + used.system) / 1000, maxRssKb: process.resourceUsage().maxRSS, ...outcome });
  }
}

main().catch((error: unknown) => {
  report({ type: 'fatal', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
});
