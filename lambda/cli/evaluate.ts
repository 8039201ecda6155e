/** `eni-guard evaluate`: the function's decision for each event, with the policy forced to dry-run — nothing changes, nothing is published. */
import type { Command } from './command';
import { REPLAY_HELP, REPLAY_OPTIONS, runReplay } from './replay-command';

/** The `evaluate` command. */
export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'decide each event as the function would, against live AWS (or moto): changes nothing, publishes nothing',
  synopsis: 'eni-guard evaluate --event PATH… [--policy FILE] [--endpoint-url URL] [--region REGION] [--output text|json]',
  help: REPLAY_HELP,
  options: REPLAY_OPTIONS,
  run: (invocation, io) => runReplay('evaluate', invocation, io),
};
