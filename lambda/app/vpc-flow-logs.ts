/**
 * Flow logs for every VPC: the deploy-time step (a CloudFormation custom resource), new VPCs
 * (`CreateVpc` events) and the sweep's pass over VPCs all run this one service. Each VPC is judged
 * by the `vpc-flow-logs` rule and planned by the planner (`planVpcFlowLogs` → `enableFlowLogs`, the
 * one way eni-guard creates a flow log); the `Remediator` sends exactly the planned call and
 * re-reads the flow log until it shows ACTIVE. AWS is reached through the ports only, for the one
 * account and Region in the settings — another instance, built by the wiring with other clients,
 * serves another account or Region.
 */
import type { EventContext, FlowLogCoverage, Vpc } from '../core/model';
import { planVpcFlowLogs, type FlowLogDestination } from '../core/plan/index';
import { modeOf, type Policy } from '../core/policy';
import { VPC_FLOW_LOGS } from '../core/rules/vpc-flow-logs';
import {
  DEPLOY_RESOURCE_ID,
  deployResponseOf,
  deployRunId,
  NOT_LOGGING,
  renderVpcAlert,
  VpcTally,
  type DeployRequest,
  type DeployResponse,
  type VpcReport,
  type VpcRunSummary,
} from '../core/vpc';
import { parseVpcEvent } from '../core/vpc-event';
import { BATCH_CONCURRENCY, forEachLimited } from './batch';
import type { AlertPort, LogPort, Place, VpcPort } from './ports';
import type { Remediator } from './remediator';

/** Settings of the service. */
export interface VpcFlowLogSettings {
  readonly policy: Policy;
  /** The account and Region it acts for: events about any other are ignored, VPCs of another owner are skipped. */
  readonly place: Place;
  /** Where flow logs go (the stack's destination); without one, VPCs without flow logs are reported only. */
  readonly flowLogDestination?: FlowLogDestination;
  readonly now?: () => Date;
  /** VPCs per DescribeVpcs page (5–1000). @default 200 */
  readonly pageSize?: number;
  /**
   * A flow log that could not be created is tried once more, and one not ACTIVE when re-read is
   * re-read once more, after this long: a VPC just created, or a grant just made, may need a moment.
   * @default 5000
   */
  readonly retryDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** One pass over every VPC of the account and Region. */
export interface VpcPass {
  /** Names the run in tags and logs: `deploy-<request id>`, `sweep-<scheduled time>`. */
  readonly runId: string;
  /** Milliseconds the invocation has left (Lambda's `getRemainingTimeInMillis`). */
  readonly remainingMs?: () => number;
  /** No VPC is started with less time than this left. @default 60 000 ms */
  readonly reserveMs?: number;
}

/** What a pass found: the summary, and the reports of the VPCs that had no flow log (for the alert). */
export interface VpcPassResult {
  readonly summary: VpcRunSummary;
  readonly flagged: readonly VpcReport[];
}

/** The result of handling one VPC event. */
export type VpcEventResult =
  | { readonly kind: 'invalid'; readonly problems: readonly string[]; readonly eventId?: string }
  | { readonly kind: 'ignored'; readonly reason: string; readonly detail: string; readonly eventId?: string }
  | { readonly kind: 'decided'; readonly eventId: string; readonly report: VpcReport };

/** The name deploy-step alerts and logs carry as their event. */
export const DEPLOY_EVENT_NAME = 'DeployFlowLogs';

/** Gives every VPC of one account and Region a flow log, or says why not. */
export class VpcFlowLogs {
  constructor(
    private readonly ec2: VpcPort,
    private readonly remediator: Remediator,
    private readonly alerts: AlertPort,
    private readonly log: LogPort,
    private readonly settings: VpcFlowLogSettings,
  ) {}

  /**
   * The deploy-time step. Create and Update run a pass over every VPC and publish one alert for those
   * that had no flow log; the answer's attributes count them. Delete changes nothing: flow logs stay.
   * Throws — failing the deploy — only when the VPCs or their flow logs cannot be listed (the step
   * could not look at all); a VPC that cannot be given a flow log is reported, and the deploy goes on.
   */
  async deploy(request: DeployRequest, remainingMs?: () => number): Promise<DeployResponse> {
    const physicalResourceId = request.physicalResourceId ?? DEPLOY_RESOURCE_ID;
    if (request.requestType === 'Delete') {
      this.log.info('deploy-time flow logs: stack resource deleted; the flow logs stay', { physicalResourceId });
      return { PhysicalResourceId: physicalResourceId, Data: {} };
    }
    const runId = deployRunId(request);
    const { summary, flagged } = await this.pass({ runId, ...(remainingMs ? { remainingMs } : {}) });
    this.log[level(summary)]('deploy-time flow logs', { runId, requestType: request.requestType, ...summary });
    await this.publish(this.context(runId, DEPLOY_EVENT_NAME, 'eni-guard deploy'), flagged, summary);
    return { ...deployResponseOf(summary), PhysicalResourceId: physicalResourceId };
  }

  /**
   * A `CreateVpc`/`CreateDefaultVpc` event: checked, the VPC re-read from EC2, judged, given a flow
   * log; one alert when it had none. Throws only when EC2 cannot be read (a retry may succeed).
   */
  async handleEvent(event: unknown): Promise<VpcEventResult> {
    const parsed = parseVpcEvent(event);
    if (parsed.kind === 'invalid') {
      this.log.error('VPC event rejected: malformed', { eventId: parsed.eventId, problems: parsed.problems.slice(0, 20) });
      return parsed;
    }
    if (parsed.kind === 'ignored') {
      const eventId = parsed.context?.eventId;
      this.log.info('VPC event ignored', { eventId, reason: parsed.reason, detail: parsed.detail });
      return { kind: 'ignored', reason: parsed.reason, detail: parsed.detail, ...(eventId ? { eventId } : {}) };
    }
    const { context, vpcId } = parsed;
    if (this.off()) {
      const detail = `policy sets ${VPC_FLOW_LOGS} to off`;
      this.log.info('VPC event ignored', { eventId: context.eventId, reason: 'rule-off', detail });
      return { kind: 'ignored', reason: 'rule-off', detail, eventId: context.eventId };
    }
    const { account, region } = this.settings.place;
    // Ids in an event about another account or Region would be looked up, and acted on, here.
    if (context.account !== account || context.region !== region) {
      const detail = `${context.account} ${context.region} is not guarded here (guarded: ${account} ${region})`;
      this.log.warn('VPC event ignored', { eventId: context.eventId, reason: 'out-of-scope', detail });
      return { kind: 'ignored', reason: 'out-of-scope', detail, eventId: context.eventId };
    }
    const vpc = await this.ec2.describeVpc(vpcId);
    if (!vpc) {
      const report: VpcReport = { vpcId, outcome: 'gone', detail: 'the VPC no longer exists; nothing to log' };
      this.log.info('VPC judged', { eventId: context.eventId, ...report });
      return { kind: 'decided', eventId: context.eventId, report };
    }
    const [report] = await this.judge(context.eventId, [vpc]);
    await this.publish(context, [report!]);
    return { kind: 'decided', eventId: context.eventId, report: report! };
  }

  /**
   * Every VPC of the account and Region, page by page, until the last or until the time budget is
   * spent (the summary then says `incomplete`; the next run goes on, since VPCs that now log are
   * left alone). Throws when the VPCs or their flow logs cannot be listed.
   */
  async pass(run: VpcPass): Promise<VpcPassResult> {
    const tally = new VpcTally();
    const flagged: VpcReport[] = [];
    // Nothing judges VPCs with the rule off (an organization account's overlay can say so): not even a list call.
    if (this.off()) return { summary: tally.summary(), flagged };
    const reserve = run.reserveMs ?? 60_000;
    const outOfTime = () => run.remainingMs !== undefined && run.remainingMs() < reserve;
    for await (const page of this.ec2.vpcPages(this.settings.pageSize ?? 200)) {
      tally.pages += 1;
      tally.vpcs += page.length;
      const reports = await this.judge(run.runId, page, outOfTime);
      for (const report of reports) {
        tally.add(report);
        if (NOT_LOGGING.includes(report.outcome)) flagged.push(report);
      }
      if (reports.length < page.length || outOfTime()) {
        tally.incomplete = true;
        this.log.warn('VPC pass stopped: time budget reached', { runId: run.runId, pages: tally.pages, judged: reports.length });
        break;
      }
    }
    return { summary: tally.summary(), flagged };
  }

  /**
   * Judges listed VPCs (their flow logs read in one paged call) and enables flow logs where the plan
   * says, `BATCH_CONCURRENCY` at a time. One VPC never fails the others. VPCs not started before
   * `stop` said so are left out of the result.
   */
  async judge(runId: string, vpcs: readonly Vpc[], stop: () => boolean = () => false): Promise<VpcReport[]> {
    if (vpcs.length === 0) return [];
    const coverage = await this.ec2.describeFlowLogs(vpcs.map((v) => v.vpcId));
    const out: (VpcReport | undefined)[] = vpcs.map(() => undefined);
    await forEachLimited([...vpcs.keys()], BATCH_CONCURRENCY, async (i) => {
      if (stop()) return;
      const vpc = vpcs[i]!;
      let report: VpcReport;
      try {
        report = await this.judgeOne(runId, vpc, coverage);
      } catch (error) {
        report = { vpcId: vpc.vpcId, outcome: 'failed', detail: `could not be judged: ${message(error)}` };
      }
      out[i] = report;
      const { finding: _finding, plan: _plan, results: _results, ...brief } = report;
      this.log[report.outcome === 'failed' ? 'error' : NOT_LOGGING.includes(report.outcome) ? 'warn' : 'info']('VPC judged', {
        runId,
        ...brief,
      });
    });
    return out.filter((r): r is VpcReport => r !== undefined);
  }

  private async judgeOne(runId: string, vpc: Vpc, coverage: FlowLogCoverage): Promise<VpcReport> {
    const { policy, place, flowLogDestination } = this.settings;
    const now = (this.settings.now ?? (() => new Date()))();
    const base = { vpcId: vpc.vpcId, ...(vpc.isDefault ? { isDefault: true } : {}) };
    const judged = planVpcFlowLogs(vpc, coverage, policy, {
      account: place.account,
      ledgerId: `${runId}/${vpc.vpcId}`,
      now,
      ...(flowLogDestination ? { flowLogDestination } : {}),
    });
    switch (judged.status) {
      case 'off':
      case 'not-applicable':
        return { ...base, outcome: 'skipped', detail: judged.reason };
      case 'logging':
        return {
          ...base,
          outcome: 'logging',
          detail: `flow log ${judged.flowLogIds.join(', ')} ACTIVE: left alone`,
          flowLogIds: judged.flowLogIds,
        };
      case 'exempted': {
        const e = judged.exempted;
        return { ...base, outcome: 'exempted', detail: `exempted by ${e.exemptionId} (${e.owner}, until ${e.expires}): ${e.reason}` };
      }
    }
    const { finding, plan } = judged;
    const flagged = { ...base, finding, plan };
    if (plan.mode === 'dry-run') {
      const calls = plan.actions.map((a) => a.summary);
      const why = plan.withheld.map((w) => w.reason);
      return {
        ...flagged,
        outcome: 'dry-run',
        detail: `dry run: ${[...calls.map((c) => `would ${c}`), ...why].join('; ') || 'nothing to do'}`,
      };
    }
    if (plan.mode === 'notify') {
      return { ...flagged, outcome: 'withheld', detail: `not enabled: ${plan.withheld.map((w) => w.reason).join('; ')}` };
    }
    let results = await this.remediator.execute(plan.actions);
    if (!verified(results)) {
      // A VPC created a moment ago, or a grant not yet everywhere: worth one more look before reporting a failure.
      await (this.settings.sleep ?? sleep)(this.settings.retryDelayMs ?? 5000);
      if (results[0]?.status === 'succeeded') {
        const active = (await this.ec2.describeFlowLogs([vpc.vpcId])).active.filter((f) => f.resourceId === vpc.vpcId);
        if (active.length > 0) {
          const verification = `re-read ${vpc.vpcId} again: flow log ${active.map((f) => f.flowLogId).join(',')} ACTIVE`;
          results = [{ ...results[0], verified: true, verification }];
        }
      } else {
        results = await this.remediator.execute(plan.actions);
      }
    }
    const result = results[0];
    const flowLogId = result?.outputs['flow-log'];
    const created = flowLogId ? { flowLogIds: [flowLogId] } : {};
    if (verified(results)) {
      return {
        ...flagged,
        outcome: 'enabled',
        detail: `flow log ${flowLogId ?? '(already there)'} created; ${result?.verification ?? 'ACTIVE'}`,
        ...created,
        results,
      };
    }
    const why =
      result?.status === 'failed'
        ? (result.error ?? 'failed')
        : `created ${flowLogId ?? '?'}, but ${result?.verification ?? 'not verified'}`;
    return { ...flagged, outcome: 'failed', detail: why, ...created, results };
  }

  /** One alert for the VPCs that had no flow log; a failure to publish is logged with the alert, never thrown (the change is in the log). */
  async publish(context: EventContext, reports: readonly VpcReport[], summary?: VpcRunSummary): Promise<void> {
    const alert = renderVpcAlert(context, reports, summary);
    if (!alert) return;
    try {
      await this.alerts.publish(alert);
    } catch (error) {
      this.log.error('alert not delivered', { eventId: context.eventId, alert: alert.document, error: message(error) });
    }
  }

  private off(): boolean {
    return modeOf(this.settings.policy, VPC_FLOW_LOGS) === 'off';
  }

  /** The context of a run no CloudTrail event started (the deploy step, a sweep). */
  context(runId: string, eventName: string, invokedBy: string): EventContext {
    const now = (this.settings.now ?? (() => new Date()))();
    return {
      eventId: runId,
      eventName,
      eventTime: now.toISOString(),
      account: this.settings.place.account,
      region: this.settings.place.region,
      caller: { type: 'AWSService', invokedBy, viaConsole: false, mfaAuthenticated: false },
    };
  }
}

function level(summary: VpcRunSummary): 'info' | 'warn' | 'error' {
  if ((summary.byOutcome.failed ?? 0) > 0 || summary.incomplete) return 'error';
  return summary.notLogging.length > 0 ? 'warn' : 'info';
}

/** The one action ran, and the re-read showed its flow log ACTIVE. */
const verified = (results: readonly { status: string; verified?: boolean }[]): boolean =>
  results.length > 0 && results.every((r) => r.status === 'succeeded' && r.verified === true);
const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
