/** The contract of an `eni-guard` subcommand, its I/O, exit codes and the errors that map to them. */
import type { ParseArgsConfig } from 'node:util';

/** Exit codes, the same for every command (documented in the README, "Command line"). */
export const EXIT = {
  /** Done; nothing non-compliant (compliant, skipped, gone, ignored events; a valid policy). */
  ok: 0,
  /** Done; something is non-compliant (findings) or the policy has problems. */
  findings: 1,
  /** Bad arguments: nothing was done. */
  usage: 2,
  /** Could not do the job: unreadable or malformed input, invalid policy, AWS or alert failure, a failed remediation. */
  error: 3,
} as const;

/** Where a command reads and writes. Injected so tests run commands in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Reads standard input whole (for `--event -`). */
  readonly stdin: () => Promise<string>;
}

/** The options a command accepts, in `node:util` `parseArgs` form. */
export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Parsed arguments as a command receives them. */
export interface Invocation {
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
}

/** One subcommand. Adding a command is one object in `commands.ts`'s table. */
export interface Command {
  readonly name: string;
  /** One line for `eni-guard --help`. */
  readonly summary: string;
  /** `eni-guard NAME …`, shown with usage errors. */
  readonly synopsis: string;
  /** The option descriptions for `eni-guard NAME --help`. */
  readonly help: string;
  readonly options: OptionSpecs;
  /** Names of the required positional arguments, in order (none by default). */
  readonly positionals?: readonly string[];
  /** Runs the command; returns the exit code. Throws `UsageError` or `CliError` for the cases they describe. */
  run(invocation: Invocation, io: CliIo): Promise<number>;
}

/** Bad arguments: printed with the command's synopsis, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The job could not be done (unreadable file, invalid policy, AWS failure): printed as is, exit 3. */
export class CliError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** A string option's value, or undefined. */
export function stringOption(invocation: Invocation, name: string): string | undefined {
  const value = invocation.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable string option's values. */
export function stringList(invocation: Invocation, name: string): string[] {
  const value = invocation.values[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/** A boolean flag. */
export function flag(invocation: Invocation, name: string): boolean {
  return invocation.values[name] === true;
}

/** Output formats. */
export type OutputFormat = 'text' | 'json';

/** `--output json|text` (default text). */
export function outputFormat(invocation: Invocation): OutputFormat {
  const value = stringOption(invocation, 'output') ?? 'text';
  if (value !== 'text' && value !== 'json') throw new UsageError(`--output must be "text" or "json", not ${JSON.stringify(value)}`);
  return value;
}

/** The message of anything thrown (Node's own errors may come from another realm, so not `instanceof Error`). */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
