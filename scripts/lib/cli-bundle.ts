/**
 * Bundles the `eni-guard` CLI (lambda/cli/index.ts) with esbuild: one ESM file with the AWS SDK
 * inside, built the way the function is (ESM builds of the SDK, `require` shim), targeting the
 * Node.js versions the package supports rather than the Lambda runtime.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(__dirname, '..', '..');

/** Where `npm run build:cli` writes the bundle that `bin/eni-guard.mjs` runs. */
export const CLI_BUNDLE = join(ROOT, 'bin', 'dist', 'eni-guard.mjs');

/** Bundles the CLI into `outfile` (+ `.map`); returns `outfile`. */
export async function bundleCli(outfile: string = CLI_BUNDLE): Promise<string> {
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [join(ROOT, 'lambda', 'cli', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    // ESM builds of the SDK tree-shake far better than its CJS builds (see TOOLCHAIN.md), as in the function.
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
  return outfile;
}
