/** The responder's log port for the CLI: JSON lines on stderr with `--verbose`, otherwise silent. */
import type { LogPort } from '../app/ports';
import type { CliIo } from './command';

/** A `LogPort` that writes structured lines to stderr when `verbose`, and nothing otherwise. */
export function cliLog(io: CliIo, verbose: boolean): LogPort {
  const write =
    (level: string) =>
    (message: string, ...extra: Record<string, unknown>[]) => {
      if (verbose)
        io.stderr(`${JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...Object.assign({}, ...extra) })}\n`);
    };
  return { info: write('INFO'), warn: write('WARN'), error: write('ERROR') };
}
