/**
 * Lambda entry point of the periodic sweep (an EventBridge schedule). Built by the same wiring,
 * environment and policy as the responder; one run per invocation (reserved concurrency 1).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { PowertoolsMetrics } from '../adapters/metrics';
import type { SweepSummary } from '../core/sweep';
import { readAlertEnvironment, readEnvironment, readIntegrationEnvironment } from './environment';
import { createSweeper, functionParts } from './wiring';

const logger = new Logger({ serviceName: 'eni-guard', persistentKeys: { component: 'sweep' } });
const metrics = new PowertoolsMetrics();
const environment = readEnvironment(process.env);
// The same parts as the responder: ledger, enrichment, chat rendering, burst digests, Security Hub, events, metrics.
const parts = functionParts(environment, readAlertEnvironment(process.env), logger, {
  integrations: readIntegrationEnvironment(process.env),
  metrics,
});
const sweeper = createSweeper(parts, {
  ...(process.env['SWEEP_PAGE_SIZE'] ? { pageSize: Number(process.env['SWEEP_PAGE_SIZE']) } : {}),
});

/** Runs one sweep. The schedule's event gives the run's time (its id), account and Region. */
export async function handler(event: unknown, context?: Context): Promise<SweepSummary> {
  if (context) logger.addContext(context);
  const envelope = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const text = (key: string) => (typeof envelope[key] === 'string' && envelope[key] !== '' ? envelope[key] : undefined);
  // Invoked by hand (no schedule event): the current minute, this function's account and Region.
  const scheduledTime = text('time') ?? new Date().toISOString().replace(/:\d{2}\.\d{3}Z$/, ':00Z');
  const account = text('account') ?? context?.invokedFunctionArn.split(':')[4] ?? 'unknown';
  const region = text('region') ?? process.env['AWS_REGION'] ?? 'unknown';
  try {
    return await sweeper.run({
      scheduledTime,
      account,
      region,
      ...(context ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}),
    });
  } finally {
    metrics.flush();
  }
}
