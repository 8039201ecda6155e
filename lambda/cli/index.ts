/** Process entry of the `eni-guard` CLI (what `bin/eni-guard.mjs` runs, bundled): real stdio, real exit code. */
import { readFileSync } from 'node:fs';
import type { CliIo } from './command';
import { main } from './main';

/**
 * A writer for one of the process's streams that survives the reader going away: `eni-guard respond … |
 * head` closes the pipe after ten lines, and the write then fails with EPIPE. That must not kill the
 * command half-way through what it does to AWS (nor print a stack trace): the rest of the output is
 * dropped and the command runs to its end and its exit code.
 */
function pipeSafe(stream: NodeJS.WriteStream): (text: string) => void {
  let open = true;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    open = false;
  });
  return (text) => {
    if (open) stream.write(text);
  };
}

/** The process's own I/O. */
export function processIo(): CliIo {
  return {
    stdout: pipeSafe(process.stdout),
    stderr: pipeSafe(process.stderr),
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
