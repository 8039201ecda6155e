#!/usr/bin/env node
// The `eni-guard` command: runs the prebuilt bundle of lambda/cli (npm run build:cli; `npm ci` and
// `npm pack` build it through `prepare`). A bundle, not tsx, so it also runs where only the
// package's dependencies are installed.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('./dist/eni-guard.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write(`eni-guard: the CLI is not built (${bundle} is missing). Run: npm run build:cli\n`);
  process.exit(3);
}

// In a git checkout, say so when the sources changed after the bundle was built (it would run old code).
// Not when installed: npm gives every extracted file the time of extraction.
const sources = fileURLToPath(new URL('../lambda/', import.meta.url));
if (existsSync(fileURLToPath(new URL('../.git', import.meta.url))) && existsSync(sources)) {
  const built = statSync(bundle).mtimeMs;
  const newer = readdirSync(sources, { recursive: true }).find(
    (name) => String(name).endsWith('.ts') && statSync(`${sources}${String(name)}`).mtimeMs > built,
  );
  if (newer) process.stderr.write(`eni-guard: warning: lambda/${String(newer)} changed after the CLI was built; run npm run build:cli\n`);
}

process.setSourceMapsEnabled(true);
await import(pathToFileURL(bundle).href);
