/**
 * The periodic sweep: every interface in the account and Region, judged by the responder's own
 * engine, to catch what no event reported (a missed or undelivered event, drift, interfaces that
 * predate eni-guard). Pages through DescribeNetworkInterfaces, decides each page
 * `BATCH_CONCURRENCY` interfaces at a time (the SDK's adaptive retry slows down on throttling),
 * stops before the function's time runs out, and reports a summary. With flow logs for every VPC,
 * it first passes over every VPC — those without interfaces too — restoring deleted flow logs.
 */
import type { Alert } from '../core/alert';
import { renderSweepAlert, sweepContext, SweepTally, type SweepSummary } from '../core/sweep';
import type { AlertPort, Ec2Port, LogPort } from './ports';
import type { Responder } from './responder';
import { AlertDeliveryError } from './delivery';
import type { VpcFlowLogs } from './vpc-flow-logs';
import type { VpcRunSummary } from '../core/vpc';

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
    /** Flow logs for every VPC (`eniGuard:flowLogVpcIds=all`): the VPC pass. Absent: interfaces only. */
    private readonly vpcs?: VpcFlowLogs,
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
    // VPCs first: a flow log restored here is found ACTIVE by every interface of its VPC below.
    const vpcs = this.vpcs ? await this.vpcPass(context.eventId, run, reserve) : undefined;
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
    const summary = tally.summary(context, startedAt, now(), incomplete, vpcs);
    const vpcTrouble = vpcs !== undefined && ((vpcs.byOutcome.failed ?? 0) > 0 || vpcs.error !== undefined);
    const level =
      summary.failures.length > 0 || incomplete || vpcTrouble
        ? 'error'
        : (summary.byOutcome.noncompliant ?? 0) > 0 || (vpcs?.notLogging.length ?? 0) > 0
          ? 'warn'
          : 'info';
    this.log[level]('sweep finished', { ...summary });
    await this.publish(context.eventId, renderSweepAlert(context, summary));
    return summary;
  }

  /** The pass over every VPC; a failure to list them is reported in the summary and does not stop the interfaces. */
  private async vpcPass(sweepId: string, run: SweepRun, reserve: number): Promise<VpcRunSummary> {
    const vpcs = this.vpcs!;
    try {
      const { summary, flagged } = await vpcs.pass({
        runId: sweepId,
        ...(run.remainingMs ? { remainingMs: run.remainingMs } : {}),
        reserveMs: reserve,
      });
      await vpcs.publish(sweepContext(run.scheduledTime, run.account, run.region), flagged, summary);
      return summary;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.error('sweep: VPCs not listed', { sweepId, error: message });
      return { vpcs: 0, pages: 0, byOutcome: {}, notLogging: [], incomplete: true, error: message };
    }
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
