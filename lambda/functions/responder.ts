/**
 * Lambda entry point. Clients, environment and policy are set up once per container (a bad
 * policy or missing variable fails init, visibly); each invocation parses, decides, logs, and
 * flushes its metrics (EMF lines, no API call) whether it succeeded or threw. With
 * `SCOPE=organization` the same function is the hub: each event goes to its account's responder,
 * acting through that account's member role (lambda/functions/organization-wiring.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { PowertoolsMetrics } from '../adapters/metrics';
import { handledMetrics } from '../core/metrics';
import { readAlertEnvironment, readEnvironment, readIntegrationEnvironment, readOrganizationEnvironment } from './environment';
import type { HandleResult } from '../app/responder';
import type { VpcEventResult } from '../app/vpc-flow-logs';
import { createOrganizationResponder } from './organization-wiring';
import { createResponder, functionParts } from './wiring';

const logger = new Logger({ serviceName: 'eni-guard' });
const metrics = new PowertoolsMetrics();
const environment = readEnvironment(process.env);
const alertEnvironment = readAlertEnvironment(process.env);
const organization = readOrganizationEnvironment(process.env, environment.responderRoleArn);
const sinks = { integrations: readIntegrationEnvironment(process.env), metrics };
// Enriched (account alias, exact undo command), held during bursts, published per protocol; Security Hub, events and metrics beside it.
const responder = organization
  ? createOrganizationResponder(environment, organization, alertEnvironment, logger, sinks)
  : createResponder(functionParts(environment, alertEnvironment, logger, sinks));
logger.info('responder ready', {
  policyFile: environment.policyFile,
  dryRun: environment.policy.dryRun,
  scope: organization ? 'organization' : 'account',
});

/** Handles one EventBridge delivery. Throws only for failures a retry can fix. */
export async function handler(event: unknown, context?: Context): Promise<HandleResult | VpcEventResult> {
  if (context) logger.addContext(context);
  try {
    const result = await responder.handle(event);
    metrics.record(handledMetrics(result));
    return result;
  } finally {
    metrics.flush();
  }
}
