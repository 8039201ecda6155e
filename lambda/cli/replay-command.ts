/** What `evaluate` and `respond` share: reading the events and policy, replaying, printing, the exit code. */
import { PolicyError } from '../core/policy';
import { readLeaseSeconds } from '../functions/environment';
import {
  CliError,
  outputFormat,
  stringList,
  stringOption,
  UsageError,
  flag,
  messageOf,
  type CliIo,
  type Invocation,
  type OptionSpecs,
} from './command';
import { readEvents } from './events';
import { cliLog } from './log';
import { AWS_OPTIONS, awsConnection, HELP, loadPolicy, OUTPUT_OPTION, POLICY_OPTION, policySource, VERBOSE_OPTION } from './options';
import { reportJson, reportText, summaryText } from './render';
import { exitCodeOf, replay, type ReplayMode } from './replay';

/** Options of both replaying commands. */
export const REPLAY_OPTIONS: OptionSpecs = {
  event: { type: 'string', short: 'e', multiple: true },
  'responder-role-arn': { type: 'string' },
  ...POLICY_OPTION,
  ...OUTPUT_OPTION,
  ...AWS_OPTIONS,
  ...VERBOSE_OPTION,
};

/** Help lines of both replaying commands. */
export const REPLAY_HELP = [
  '  -e, --event PATH         an event file, a directory of them, or - for stdin; repeatable. A file holds one event,',
  '                           a JSON array or JSON lines; EventBridge events and raw CloudTrail records both work, as do',
  '                           CloudTrail log files (Records), lookup-events output, SQS receive-message output and',
  '                           Lambda failure records from the dead-letter queue; .gz is read as gzip',
  HELP.policy,
  "      --responder-role-arn ARN  the deployed function's role: events it caused are skipped, as the function skips them",
  HELP.aws,
  HELP.output,
  HELP.verbose,
].join('\n');

/** Runs a replaying command to its exit code. */
export async function runReplay(mode: ReplayMode, invocation: Invocation, io: CliIo, topicArn?: string): Promise<number> {
  const paths = stringList(invocation, 'event');
  if (paths.length === 0) throw new UsageError('--event PATH is required (a file, a directory, or - for standard input)');
  const format = outputFormat(invocation);
  const connection = awsConnection(invocation);
  const source = policySource(invocation, io);
  let policy;
  try {
    policy = loadPolicy(source);
  } catch (error) {
    if (error instanceof PolicyError) throw new CliError(`${source.label}: ${error.message}`);
    throw error;
  }
  const events = await readEvents(paths, io);
  const responderRoleArn = stringOption(invocation, 'responder-role-arn') ?? io.env['RESPONDER_ROLE_ARN'];
  const ledgerTable = mode === 'respond' ? (stringOption(invocation, 'ledger-table') ?? io.env['LEDGER_TABLE_NAME']) : undefined;
  let leaseSeconds: number;
  try {
    leaseSeconds = readLeaseSeconds(io.env);
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
  const reports = await replay(
    events,
    {
      mode,
      policy,
      connection,
      log: cliLog(io, flag(invocation, 'verbose')),
      ...(topicArn ? { topicArn } : {}),
      ...(responderRoleArn ? { responderRoleArn } : {}),
      ...(ledgerTable ? { ledgerTable, leaseSeconds } : {}),
      ...((connection.endpoint ?? io.env['AWS_ENDPOINT_URL']) ? { endpointUrl: connection.endpoint ?? io.env['AWS_ENDPOINT_URL']! } : {}),
    },
    (report) => io.stdout(format === 'json' ? reportJson(report) : reportText(report, mode, topicArn)),
  );
  if (format === 'text') io.stdout(summaryText(reports, mode));
  return exitCodeOf(reports);
}
