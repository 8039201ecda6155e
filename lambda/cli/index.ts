/** Process entry of the `eni-guard` CLI (what `bin/eni-guard.mjs` runs, bundled): real stdio, real exit code. */
import { readFileSync } from 'node:fs';
import type { CliIo } from './command';
import { main } from './main';

/** The process's own I/O. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    stdin: () => Promise.resolve(readFileSync(0, 'utf8')),
  };
}

// The CLI carries its own copy of the SDK: the SDK's notice that its *future* releases need Node 22 is noise here.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

void main(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
