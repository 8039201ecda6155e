/**
 * Lambda entry point of the revoker: the only function allowed to write IAM. The responder invokes it
 * with a revocation request; it refuses whatever its contract does not allow (lambda/app/revoker.ts)
 * and throws, so the responder reports the refusal. Set up once per container; bad settings fail init.
 * With `SCOPE=organization` it acts in the request's account, inside the scope only, through that
 * account's member revoker role.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { RevocationDone } from '../app/revoker';
import { EnvironmentError, readOrganizationEnvironment, readRevokerEnvironment } from './environment';
import { createOrganizationRevoker } from './organization-wiring';
import { createRevoker } from './wiring';

const logger = new Logger({ serviceName: 'eni-guard-revoker' });
const environment = readRevokerEnvironment(process.env);
const organization = readOrganizationEnvironment(process.env, process.env['REVOKER_ROLE_ARN']);
const revoker = organization
  ? createOrganizationRevoker(environment, organization, requiredRegion(process.env), logger)
  : createRevoker(environment, logger);

/** The Region whose STS endpoint the member revoker roles are assumed through (Lambda always sets it). */
function requiredRegion(env: NodeJS.ProcessEnv): string {
  const region = env['AWS_REGION'];
  if (!region) throw new EnvironmentError('organization mode: missing environment variable AWS_REGION');
  return region;
}

/** Carries out one revocation request, or throws why not. */
export async function handler(event: unknown, context?: Context): Promise<RevocationDone> {
  if (context) logger.addContext(context);
  return revoker.send(event);
}
