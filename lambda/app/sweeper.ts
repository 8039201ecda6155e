/**
 * The periodic sweep: every interface in the account and Region, judged by the responder's own
 * engine, to catch what no event reported (a missed or undelivered event, drift, interfaces that
 * predate eni-guard). Pages through DescribeNetworkInterfaces, decides each page
 * `BATCH_CONCURRENCY` interfaces at a time (the SDK's adaptive retry slows down on throttling),
 * stops before the function's time runs out, and reports a summary.
 */
import type { Alert } from '../core/alert';
import { renderSweepAlert, sweepContext, SweepTally, type SweepSummary } from '../core/sweep';
import type { AlertPort, Ec2Port, LogPort } from './ports';
import type { Responder } from './responder';
import { AlertDeliveryError } from './delivery';

/** One scheduled run. */
export interface SweepRun {
  /** The schedule's time for this run (EventBridge `time`): the run's id, the same for every retry. */
  readonly scheduledTime: string;
  readonly account: string;
  readonly region: string;
  /** Milliseconds the invocation has left (Lambda's `getRemainingTimeInMillis`). */
  readonly remainingMs?: () => number;
}

/** Settings of a sweep. */
export interface SweepSettings {
  /** Interfaces per DescribeNetworkInterfaces page (5–1000). @default 250 */
  readonly pageSize?: number;
  /** No new page is started with less time than this left. @default 120 000 ms */
  readonly reserveMs?: number;
  readonly now?: () => Date;
}

/** Runs sweeps with a responder. */
export class Sweeper {
  constructor(
    private readonly ec2: Pick<Ec2Port, 'interfacePages'>,
    private readonly responder: Responder,
    private readonly alerts: AlertPort,
    private readonly log: LogPort,
    private readonly settings: SweepSettings = {},
  ) {}

  /** Sweeps once; returns (and logs, and publishes) the summary. Throws only when the summary cannot be published. */
  async run(run: SweepRun): Promise<SweepSummary> {
    const now = this.settings.now ?? (() => new Date());
    const startedAt = now();
    const context = sweepContext(run.scheduledTime, run.account, run.region);
    const tally = new SweepTally();
    const reserve = this.settings.reserveMs ?? 120_000;
    let incomplete = false;
    this.log.info('sweep started', { sweepId: context.eventId, account: run.account, region: run.region });
    for await (const page of this.ec2.interfacePages(this.settings.pageSize ?? 250)) {
      tally.pages += 1;
      tally.interfaces += page.length;
      const decided = await this.responder.decideBatch(context, page, {
        // One interface that cannot be read or judged must not stop the sweep: it is counted and listed.
        onError: (ni, error) => tally.fail(ni.networkInterfaceId, error instanceof Error ? error.message : String(error)),
      });
      for (const { decision } of decided) tally.add(decision);
      if (run.remainingMs && run.remainingMs() < reserve) {
        incomplete = true;
        this.log.warn('sweep stopped: time budget reached before the last page', { sweepId: context.eventId, pages: tally.pages });
        break;
      }
    }
    const summary = tally.summary(context, startedAt, now(), incomplete);
    const level = summary.failures.length > 0 || incomplete ? 'error' : (summary.byOutcome.noncompliant ?? 0) > 0 ? 'warn' : 'info';
    this.log[level]('sweep finished', { ...summary });
    await this.publish(context.eventId, renderSweepAlert(context, summary));
    return summary;
  }

  private async publish(sweepId: string, alert: Alert): Promise<void> {
    try {
      await this.alerts.publish(alert);
    } catch (error) {
      this.log.error('sweep summary not delivered', { sweepId, error: error instanceof Error ? error.message : String(error) });
      throw new AlertDeliveryError(sweepId, error);
    }
  }
}
