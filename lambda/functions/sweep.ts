/**
 * Lambda entry point of the periodic sweep (an EventBridge schedule). Built by the same wiring,
 * environment and policy as the responder; one run per invocation (reserved concurrency 1).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { SweepSummary } from '../core/sweep';
import { readAlertEnvironment, readEnvironment } from './environment';
import { createSweeper, functionParts } from './wiring';

const logger = new Logger({ serviceName: 'eni-guard', persistentKeys: { component: 'sweep' } });
const environment = readEnvironment(process.env);
// The same parts as the responder: ledger, enrichment, chat rendering, burst digests.
// SWEEP_VPCS=true (flow logs for every VPC): every VPC of this function's account and Region is swept too.
const sweeper = createSweeper(
  functionParts(environment, readAlertEnvironment(process.env), logger),
  { ...(process.env['SWEEP_PAGE_SIZE'] ? { pageSize: Number(process.env['SWEEP_PAGE_SIZE']) } : {}) },
  process.env['SWEEP_VPCS'] === 'true' ? { vpcs: { account: environment.account, region: environment.region } } : {},
);

/** Runs one sweep. The schedule's event gives the run's time (its id), account and Region. */
export async function handler(event: unknown, context?: Context): Promise<SweepSummary> {
  if (context) logger.addContext(context);
  const envelope = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const text = (key: string) => (typeof envelope[key] === 'string' && envelope[key] !== '' ? envelope[key] : undefined);
  // Invoked by hand (no schedule event): the current minute, this function's account and Region.
  const scheduledTime = text('time') ?? new Date().toISOString().replace(/:\d{2}\.\d{3}Z$/, ':00Z');
  const account = text('account') ?? context?.invokedFunctionArn.split(':')[4] ?? 'unknown';
  const region = text('region') ?? process.env['AWS_REGION'] ?? 'unknown';
  return sweeper.run({
    scheduledTime,
    account,
    region,
    ...(context ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}),
  });
}
