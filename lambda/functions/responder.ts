/**
 * Lambda entry point. Clients, environment and policy are set up once per container (a bad
 * policy or missing variable fails init, visibly); each invocation parses, decides, logs.
 * With `SCOPE=organization` the same function is the hub: each event goes to its account's
 * responder, acting through that account's member role (lambda/functions/organization-wiring.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { readAlertEnvironment, readEnvironment, readOrganizationEnvironment } from './environment';
import type { HandleResult } from '../app/responder';
import type { VpcEventResult } from '../app/vpc-flow-logs';
import { createOrganizationResponder } from './organization-wiring';
import { createResponder, functionParts } from './wiring';

const logger = new Logger({ serviceName: 'eni-guard' });
const environment = readEnvironment(process.env);
const alertEnvironment = readAlertEnvironment(process.env);
const organization = readOrganizationEnvironment(process.env, environment.responderRoleArn);
// Enriched (account alias, exact undo command), held during bursts, published per protocol.
const responder = organization
  ? createOrganizationResponder(environment, organization, alertEnvironment, logger)
  : createResponder(functionParts(environment, alertEnvironment, logger));
logger.info('responder ready', {
  policyFile: environment.policyFile,
  dryRun: environment.policy.dryRun,
  scope: organization ? 'organization' : 'account',
});

/** Handles one EventBridge delivery. Throws only for failures a retry can fix. */
export async function handler(event: unknown, context?: Context): Promise<HandleResult | VpcEventResult> {
  if (context) logger.addContext(context);
  return responder.handle(event);
}
