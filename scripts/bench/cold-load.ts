/**
 * Cold load: wall time of a fresh `node` process that loads a bundle and exits, spawn → exit,
 * median of interleaved runs; and the peak RSS such a process reaches right after loading.
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { median } from './stats';

/** One thing to time: the node arguments after `node`. */
export interface LoadVariant {
  readonly name: string;
  readonly args: readonly string[];
  /** Added to the shared environment for this variant only. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Samples (ms) per variant, in the order given. */
export interface LoadTimes {
  readonly samples: Readonly<Record<string, readonly number[]>>;
  readonly medians: Readonly<Record<string, number>>;
}

/** Times one process: spawn → exit, with stdout/stderr discarded. Rejects on a non-zero exit. */
export function timeProcess(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: 'ignore', timeout: timeoutMs });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const elapsed = performance.now() - started;
      if (code === 0) resolve(elapsed);
      else reject(new Error(`node ${args.join(' ')} exited with ${signal ?? code}`));
    });
  });
}

/**
 * Runs `rounds` rounds (after `warmup` discarded ones); each round runs every variant once, in an
 * order rotated by one each round, so slow drift of the machine spreads evenly over the variants.
 */
export async function timeLoads(variants: readonly LoadVariant[], env: NodeJS.ProcessEnv, rounds: number, warmup = 1): Promise<LoadTimes> {
  const samples: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.name, []]));
  for (let round = 0; round < warmup + rounds; round += 1) {
    for (let i = 0; i < variants.length; i += 1) {
      const variant = variants[(round + i) % variants.length]!;
      const ms = await timeProcess(variant.args, { ...env, ...variant.env });
      if (round >= warmup) samples[variant.name]!.push(ms);
    }
  }
  return { samples, medians: Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, median(s)])) };
}

/** Peak RSS (KiB, `process.resourceUsage().maxRSS`) of a process that imports `entry` (or nothing) and exits. */
export async function loadedMaxRssKb(entry: string | undefined, env: NodeJS.ProcessEnv, nodeFlags: readonly string[]): Promise<number> {
  const script = `${entry ? `await import(${JSON.stringify(pathToFileURL(entry).href)});` : ''}process.stdout.write(String(process.resourceUsage().maxRSS));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], {
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      // The bundle's own init log line (Powertools, JSON) precedes the figure on stdout.
      const figure = /(\d+)$/.exec(out.trim())?.[1];
      if (code === 0 && figure) resolve(Number(figure));
      else reject(new Error(`maxRSS probe for ${entry ?? 'bare node'} failed (exit ${code}): ${out.slice(-300)}`));
    });
  });
}
