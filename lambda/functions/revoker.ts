/**
 * Lambda entry point of the revoker: the only function allowed to write IAM. The responder invokes it
 * with a revocation request; it refuses whatever its contract does not allow (lambda/app/revoker.ts)
 * and throws, so the responder reports the refusal. Set up once per container; bad settings fail init.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { RevocationDone } from '../app/revoker';
import { readRevokerEnvironment } from './environment';
import { createRevoker } from './wiring';

const logger = new Logger({ serviceName: 'eni-guard-revoker' });
const revoker = createRevoker(readRevokerEnvironment(process.env), logger);

/** Carries out one revocation request, or throws why not. */
export async function handler(event: unknown, context?: Context): Promise<RevocationDone> {
  if (context) logger.addContext(context);
  return revoker.send(event);
}
