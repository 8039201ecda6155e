/**
 * Lambda entry point of the burst flusher, run every minute by an EventBridge schedule: publishes
 * the digest of every burst window that has ended. Throws when a digest could not be published
 * (the window stays pending and the next run tries again).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { PowertoolsMetrics } from '../adapters/metrics';
import { readAlertEnvironment } from './environment';
import { createClients, createFlusher } from './wiring';

const logger = new Logger({ serviceName: 'eni-guard-burst-flusher' });
const metrics = new PowertoolsMetrics();
const flusher = createFlusher(createClients(), readAlertEnvironment(process.env), logger, metrics);

/** Flushes the windows that have ended (each digest counted in `AlertsPublished`, flushed per invocation). */
export async function handler(_event: unknown, context?: Context) {
  if (context) logger.addContext(context);
  try {
    return await flusher.flushDue();
  } finally {
    metrics.flush();
  }
}
