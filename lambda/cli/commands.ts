/**
 * The command table: `eni-guard NAME` runs the command of that name. Adding a subcommand is one
 * entry here (a `Command` object, usually from its own file); parsing, help, usage errors and exit
 * codes come from `main.ts`.
 */
import type { Command } from './command';
import { createLedgerCommand } from './create-ledger';
import { evaluateCommand } from './evaluate';
import { respondCommand } from './respond';
import { undoCommand } from './undo';
import { validateCommand } from './validate';

/** Every subcommand, in the order `eni-guard --help` lists them. */
export const COMMANDS: readonly Command[] = [validateCommand, evaluateCommand, respondCommand, undoCommand, createLedgerCommand];
