/**
 * Lambda entry point. Clients, environment and policy are set up once per container (a bad
 * policy or missing variable fails init, visibly); each invocation parses, decides, logs.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { readAlertEnvironment, readEnvironment } from './environment';
import type { HandleResult } from '../app/responder';
import { createResponder, functionParts } from './wiring';

const logger = new Logger({ serviceName: 'eni-guard' });
const environment = readEnvironment(process.env);
// Enriched (account alias, exact undo command), held during bursts, published per protocol.
const responder = createResponder(functionParts(environment, readAlertEnvironment(process.env), logger));
logger.info('responder ready', { policyFile: environment.policyFile, dryRun: environment.policy.dryRun });

/** Handles one EventBridge delivery. Throws only for failures a retry can fix. */
export async function handler(event: unknown, context?: Context): Promise<HandleResult> {
  if (context) logger.addContext(context);
  return responder.handle(event);
}
