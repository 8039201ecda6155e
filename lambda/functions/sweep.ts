/**
 * Lambda entry point of the periodic sweep (an EventBridge schedule). Built by the same wiring,
 * environment and policy as the responder; one run per invocation (reserved concurrency 1). With
 * `SCOPE=organization` it sweeps every account of the target OUs in this Region, each through its
 * member role.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { PowertoolsMetrics } from '../adapters/metrics';
import type { OrganizationSweepSummary } from '../app/organization';
import type { SweepSummary } from '../core/sweep';
import { readAlertEnvironment, readEnvironment, readIntegrationEnvironment, readOrganizationEnvironment } from './environment';
import { createOrganizationSweeper } from './organization-wiring';
import { createSweeper, functionParts } from './wiring';

const logger = new Logger({ serviceName: 'eni-guard', persistentKeys: { component: 'sweep' } });
const metrics = new PowertoolsMetrics();
const environment = readEnvironment(process.env);
const alertEnvironment = readAlertEnvironment(process.env);
const organization = readOrganizationEnvironment(process.env, environment.responderRoleArn);
const pageSize = process.env['SWEEP_PAGE_SIZE'] ? { pageSize: Number(process.env['SWEEP_PAGE_SIZE']) } : {};
const sinks = { integrations: readIntegrationEnvironment(process.env), metrics };
// The same parts as the responder: ledger, enrichment, chat rendering, burst digests, Security Hub, events, metrics.
const sweep: (run: SweepRun) => Promise<SweepSummary | OrganizationSweepSummary> = organization
  ? runOf(createOrganizationSweeper(environment, organization, alertEnvironment, logger, { ...pageSize, sinks }))
  : runOf(
      createSweeper(
        functionParts(environment, alertEnvironment, logger, sinks),
        pageSize,
        // SWEEP_VPCS=true (flow logs for every VPC): every VPC of this function's account and Region is swept too.
        process.env['SWEEP_VPCS'] === 'true' ? { vpcs: { account: environment.account, region: environment.region } } : {},
      ),
    );

/** One run's time, the account and Region it names (the organization sweep finds its accounts itself). */
interface SweepRun {
  readonly scheduledTime: string;
  readonly account: string;
  readonly region: string;
  readonly remainingMs?: () => number;
}

function runOf<S>(sweeper: { run(run: SweepRun): Promise<S> }): (run: SweepRun) => Promise<S> {
  return (run) => sweeper.run(run);
}

/** Runs one sweep. The schedule's event gives the run's time (its id), account and Region. */
export async function handler(event: unknown, context?: Context): Promise<SweepSummary | OrganizationSweepSummary> {
  if (context) logger.addContext(context);
  const envelope = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const text = (key: string) => (typeof envelope[key] === 'string' && envelope[key] !== '' ? envelope[key] : undefined);
  // Invoked by hand (no schedule event): the current minute, this function's account and Region.
  const scheduledTime = text('time') ?? new Date().toISOString().replace(/:\d{2}\.\d{3}Z$/, ':00Z');
  const account = text('account') ?? context?.invokedFunctionArn.split(':')[4] ?? 'unknown';
  const region = text('region') ?? process.env['AWS_REGION'] ?? 'unknown';
  try {
    return await sweep({ scheduledTime, account, region, ...(context ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}) });
  } finally {
    metrics.flush();
  }
}
