/** `eni-guard respond`: exactly what the deployed function does for each event — acts per policy, publishes alerts. */
import { stringOption, UsageError, type Command } from './command';
import { REPLAY_HELP, REPLAY_OPTIONS, runReplay } from './replay-command';

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/** The `respond` command. */
export const respondCommand: Command = {
  name: 'respond',
  summary: 'do what the deployed function does for each event: act per policy, publish alerts (replay a DLQ or CloudTrail history)',
  synopsis:
    'eni-guard respond --event PATH… --topic-arn ARN [--ledger-table NAME] [--policy FILE] [--endpoint-url URL] [--region REGION] [--output text|json]',
  help: [
    '      --topic-arn ARN      the alert topic (default: ALERT_TOPIC_ARN, as the function reads it); required',
    '      --ledger-table NAME  record decisions in the remediation ledger, as the function does: a replayed event is not acted on twice,',
    '                           and every fix can be undone (default: LEDGER_TABLE_NAME; without it nothing is recorded)',
    REPLAY_HELP,
  ].join('\n'),
  options: { ...REPLAY_OPTIONS, 'topic-arn': { type: 'string' }, 'ledger-table': { type: 'string' } },
  run(invocation, io) {
    const topicArn = stringOption(invocation, 'topic-arn') ?? io.env['ALERT_TOPIC_ARN'];
    if (!topicArn) {
      throw new UsageError(
        'respond publishes alerts as the function does: give --topic-arn ARN (or set ALERT_TOPIC_ARN). To change nothing and publish nothing, use eni-guard evaluate',
      );
    }
    if (!TOPIC_ARN.test(topicArn)) throw new UsageError(`--topic-arn must be an SNS topic ARN, not ${JSON.stringify(topicArn)}`);
    return runReplay('respond', invocation, io, topicArn);
  },
};
