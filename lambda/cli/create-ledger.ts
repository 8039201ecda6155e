/**
 * `eni-guard create-ledger --ledger-table NAME`: creates a remediation ledger table with the stack's
 * key schema — for a local endpoint (moto) or a scratch account, so `respond --ledger-table` records
 * fixes and `undo` can restore them. A deployed stack has its own (the stack output LedgerTableName).
 */
import { createLedgerTable } from '../adapters/ledger-table';
import { createClients } from '../functions/wiring';
import { EXIT, flag, stringOption, UsageError, type Command } from './command';
import { explainAwsError } from './aws-errors';
import { CliError } from './command';
import { AWS_OPTIONS, awsConnection, HELP } from './options';

/** The `create-ledger` command. */
export const createLedgerCommand: Command = {
  name: 'create-ledger',
  summary: 'create a remediation ledger table (for a local endpoint such as moto; a deployed stack has its own)',
  synopsis: 'eni-guard create-ledger --ledger-table NAME [--organization] [--endpoint-url URL] [--region REGION]',
  help: [
    '      --ledger-table NAME  the table to create (default: LEDGER_TABLE_NAME); an existing one is left as it is',
    "      --organization       a hub's ledger: with the index by account (byAccount) of organization mode",
    HELP.aws,
  ].join('\n'),
  options: { ...AWS_OPTIONS, 'ledger-table': { type: 'string' }, organization: { type: 'boolean' } },
  async run(invocation, io) {
    const table = stringOption(invocation, 'ledger-table') ?? io.env['LEDGER_TABLE_NAME'];
    if (!table) throw new UsageError('give --ledger-table NAME (or set LEDGER_TABLE_NAME)');
    const connection = awsConnection(invocation);
    const endpoint = connection.endpoint ?? io.env['AWS_ENDPOINT_URL'];
    const region = connection.region ?? io.env['AWS_REGION'] ?? io.env['AWS_DEFAULT_REGION'];
    try {
      const result = await createLedgerTable(createClients(connection).dynamodb, table, { organization: flag(invocation, 'organization') });
      io.stdout(
        `${table}: ${result === 'created' ? 'created' : 'already exists'}${region ? ` in ${region}` : ''}${endpoint ? ` at ${endpoint}` : ''}\n`,
      );
      return EXIT.ok;
    } catch (error) {
      throw new CliError(explainAwsError(error, { ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) }), { cause: error });
    }
  },
};
