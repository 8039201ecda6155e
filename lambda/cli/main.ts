/** `eni-guard`: dispatches to the command table, parses arguments, maps errors to exit codes. */
import { parseArgs } from 'node:util';
import packageJson from '../../package.json';
import { AlertDeliveryError } from '../app/delivery';
import { CliError, EXIT, messageOf, UsageError, type CliIo, type Command } from './command';
import { COMMANDS } from './commands';

/** `eni-guard --help`. */
export function topUsage(commands: readonly Command[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: eni-guard COMMAND [options]    (eni-guard COMMAND --help for its options)',
    '',
    'Runs the code the eni-guard Lambda function runs, locally, against AWS or any endpoint (moto).',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'exit codes: 0 done, nothing non-compliant; 1 non-compliant (or an invalid policy, for validate);',
    '            2 bad arguments; 3 could not do the job (unreadable input, AWS or alert failure, failed fix)',
  ].join('\n');
}

/** `eni-guard COMMAND --help`. */
export function commandUsage(command: Command): string {
  return [`usage: ${command.synopsis}`, '', command.summary, '', 'options:', command.help, '  -h, --help               this help'].join(
    '\n',
  );
}

/** Runs `eni-guard` with `argv` (without the node and script paths); resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIo, commands: readonly Command[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(`${topUsage(commands)}\n`);
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const about = rest[0] === undefined ? undefined : commands.find((c) => c.name === rest[0]);
    io.stdout(`${about ? commandUsage(about) : topUsage(commands)}\n`);
    return EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`eni-guard ${packageJson.version}\n`);
    return EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`eni-guard: unknown command ${JSON.stringify(name)}\n\n${topUsage(commands)}\n`);
    return EXIT.usage;
  }
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...rest],
        options: { ...command.options, help: { type: 'boolean', short: 'h' } },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      // node:util reports unknown options, missing values and stray positionals as TypeErrors with ERR_PARSE_ARGS_* codes.
      throw new UsageError(messageOf(error).replace(/\. To specify a positional argument starting with a '-'.*$/s, ''));
    }
    if (parsed.values.help === true) {
      io.stdout(`${commandUsage(command)}\n`);
      return EXIT.ok;
    }
    const expected = command.positionals ?? [];
    if (parsed.positionals.length < expected.length) throw new UsageError(`missing ${expected.slice(parsed.positionals.length).join(' ')}`);
    if (parsed.positionals.length > expected.length) {
      throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[expected.length])}`);
    }
    return await command.run({ values: parsed.values, positionals: parsed.positionals }, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(
        `eni-guard ${command.name}: ${error.message}\nusage: ${command.synopsis}\nRun 'eni-guard ${command.name} --help' for the options.\n`,
      );
      return EXIT.usage;
    }
    if (error instanceof CliError || error instanceof AlertDeliveryError) {
      io.stderr(`eni-guard ${command.name}: ${error.message}\n`);
      return EXIT.error;
    }
    io.stderr(`eni-guard ${command.name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.error;
  }
}
