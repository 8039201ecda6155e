/**
 * `eni-guard undo LEDGER_ID`: restores the pre-state a remediation ledger record holds, by replaying
 * the undo calls recorded with each fix (newest first). `--dry-run` shows them and changes nothing.
 */
import { describeCall, resolveRefs } from '../core/actions';
import type { LedgerEntry } from '../core/ledger';
import { UndoError } from '../app/remediator';
import { AwsCallError } from '../app/ports';
import { createClients, createUndoer } from '../functions/wiring';
import { CliError, EXIT, flag, outputFormat, stringOption, UsageError, type Command } from './command';
import { explainAwsError } from './aws-errors';
import { AWS_OPTIONS, awsConnection, HELP, OUTPUT_OPTION } from './options';

/** The `undo` command. */
export const undoCommand: Command = {
  name: 'undo',
  summary: 'restore the pre-state of a remediation from the ledger (the command every remediation alert prints)',
  synopsis: 'eni-guard undo LEDGER_ID --ledger-table NAME [--dry-run] [--endpoint-url URL] [--region REGION] [--output text|json]',
  help: [
    "      --ledger-table NAME  the responder's ledger table (default: LEDGER_TABLE_NAME; the stack output LedgerTableName)",
    '      --dry-run            print the calls undo would make, change nothing',
    HELP.aws,
    HELP.output,
  ].join('\n'),
  options: { ...AWS_OPTIONS, ...OUTPUT_OPTION, 'ledger-table': { type: 'string' }, 'dry-run': { type: 'boolean' } },
  positionals: ['LEDGER_ID'],
  async run(invocation, io) {
    const ledgerId = invocation.positionals[0]!;
    if (!/^[^/\s]+\/eni-[0-9a-f]+$/.test(ledgerId)) {
      throw new UsageError(`LEDGER_ID is EVENT_ID/eni-…, as the alert's "Undo:" line gives it, not ${JSON.stringify(ledgerId)}`);
    }
    const table = stringOption(invocation, 'ledger-table') ?? io.env['LEDGER_TABLE_NAME'];
    if (!table) throw new UsageError('give --ledger-table NAME (or set LEDGER_TABLE_NAME): the stack output LedgerTableName');
    const format = outputFormat(invocation);
    const connection = awsConnection(invocation);
    const undoer = createUndoer(createClients(connection), table, connection);
    const endpoint = connection.endpoint ?? io.env['AWS_ENDPOINT_URL'];
    const region = connection.region ?? io.env['AWS_REGION'] ?? io.env['AWS_DEFAULT_REGION'];
    const target = { ledgerTable: table, ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) };
    try {
      if (flag(invocation, 'dry-run')) {
        const entry = await undoer.show(ledgerId);
        const calls = plannedUndo(entry);
        io.stdout(
          format === 'json'
            ? `${JSON.stringify({ ledgerId, status: entry.status, dryRun: true, calls })}\n`
            : `${ledgerId} (${entry.status}): undo would call\n${calls.map((c) => `  ${c}`).join('\n') || '  nothing'}\n`,
        );
        return EXIT.ok;
      }
      const result = await undoer.undo(ledgerId);
      if (format === 'json') {
        io.stdout(`${JSON.stringify(result)}\n`);
      } else {
        const lines = [
          `${ledgerId}: ${result.status}`,
          ...result.calls.map((c) => `  ${c.operation} → ${c.outcome}${c.error ? ` (${c.error})` : ''}`),
          ...(result.error ? [`not restored: ${result.error}`] : []),
        ];
        io.stdout(`${lines.join('\n')}\n`);
      }
      return result.status === 'undone' ? EXIT.ok : EXIT.error;
    } catch (error) {
      if (error instanceof UndoError) throw new CliError(error.message, { cause: error });
      // AWS failures (a missing table, no credentials) say what to do; anything else thrown by the SDK too.
      if (error instanceof AwsCallError || (error instanceof Error && /Credentials|Region/.test(error.name + error.message))) {
        throw new CliError(explainAwsError(error, target), { cause: error });
      }
      throw error;
    }
  },
};

/** The undo calls of a record, newest action first, as they would be sent. */
function plannedUndo(entry: LedgerEntry): string[] {
  const done = (entry.results ?? []).filter((r) => r.status === 'succeeded');
  return [...done]
    .reverse()
    .flatMap((r) => r.action.undo.map((call) => describeCall({ ...call, input: resolveRefs(call.input, r.outputs) })));
}
