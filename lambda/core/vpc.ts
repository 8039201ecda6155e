/**
 * Flow logs for every VPC, pure parts: what happened to each VPC (a report), a run's tally and
 * summary, the alert that lists the VPCs that were not logging, and the deploy-time step's request
 * and response (a CloudFormation custom resource, through CDK's provider framework).
 */
import type { Alert, AlertDocument } from './alert';
import { ALERT_SCHEMA_VERSION, resultEntryOf, SUBJECT_LIMIT, truncate } from './alert';
import { worstResponse } from './alert-batch';
import type { ActionResult, Outcome, Response } from './decision';
import { isEventId } from './ids';
import type { EventContext, Finding, Severity } from './model';
import type { Plan } from './plan/index';
import { VPC_FLOW_LOGS } from './rules/vpc-flow-logs';

/**
 * What became of one VPC: `logging` (an ACTIVE flow log, any destination: left alone), `enabled`
 * (created and re-read ACTIVE), `failed` (the create failed, or the re-read did not show it ACTIVE),
 * `withheld` (the policy notifies, or there is no destination), `dry-run`, `exempted`, `skipped` (the
 * rule is off, or the VPC is another account's), `gone` (deleted before it was judged).
 */
export type VpcOutcome = 'logging' | 'enabled' | 'failed' | 'withheld' | 'dry-run' | 'exempted' | 'skipped' | 'gone';

/** Outcomes of a VPC that had no flow log when it was judged: each is alerted. */
export const NOT_LOGGING: readonly VpcOutcome[] = ['enabled', 'failed', 'withheld', 'dry-run'];

/** One VPC, judged (and perhaps given a flow log). */
export interface VpcReport {
  readonly vpcId: string;
  readonly outcome: VpcOutcome;
  /** One sentence: which flow log, what was done, or why not. */
  readonly detail: string;
  readonly isDefault?: boolean;
  /** The ACTIVE flow logs found, or the one created. */
  readonly flowLogIds?: readonly string[];
  /** The finding (no active flow log), when there was one. */
  readonly finding?: Finding;
  readonly plan?: Plan;
  readonly results?: readonly ActionResult[];
}

/** A VPC in brief, as summaries and alerts list it. */
export interface VpcBrief {
  readonly vpcId: string;
  readonly outcome: VpcOutcome;
  readonly detail: string;
}

/** What one pass over VPCs (the deploy step, a sweep) found and did. */
export interface VpcRunSummary {
  /** VPCs listed (every one of the account's and Region's, shared ones included). */
  readonly vpcs: number;
  readonly pages: number;
  readonly byOutcome: Readonly<Partial<Record<VpcOutcome, number>>>;
  /** VPCs that had no flow log (enabled, failed, withheld, dry-run), failures first; at most `VPC_LIST_LIMIT`. */
  readonly notLogging: readonly VpcBrief[];
  /** True when the pass stopped before the last VPC (time budget): the next run goes on. */
  readonly incomplete: boolean;
  /** Set when the VPCs (or their flow logs) could not be listed: the pass did not finish. */
  readonly error?: string;
}

/** Summaries and alerts list at most this many VPCs (the log has them all). */
export const VPC_LIST_LIMIT = 50;

/** The response a report amounts to, as alerts say it. */
export function responseOfVpc(report: Pick<VpcReport, 'outcome'>): Response {
  switch (report.outcome) {
    case 'enabled':
      return 'remediated';
    case 'failed':
      return 'remediation-failed';
    case 'dry-run':
      return 'dry-run';
    case 'withheld':
      return 'notified';
    default:
      return 'none';
  }
}

/** Adds reports to a running tally. */
export class VpcTally {
  readonly byOutcome: Partial<Record<VpcOutcome, number>> = {};
  private readonly listed: VpcBrief[] = [];
  vpcs = 0;
  pages = 0;
  incomplete = false;
  error?: string;

  add(report: VpcReport): void {
    this.byOutcome[report.outcome] = (this.byOutcome[report.outcome] ?? 0) + 1;
    if (NOT_LOGGING.includes(report.outcome)) this.listed.push({ vpcId: report.vpcId, outcome: report.outcome, detail: report.detail });
  }

  summary(): VpcRunSummary {
    const order = (b: VpcBrief) => (b.outcome === 'failed' ? 0 : 1);
    return {
      vpcs: this.vpcs,
      pages: this.pages,
      byOutcome: { ...this.byOutcome },
      notLogging: [...this.listed].sort((a, b) => order(a) - order(b)).slice(0, VPC_LIST_LIMIT),
      incomplete: this.incomplete,
      ...(this.error ? { error: this.error } : {}),
    };
  }
}

/** The alert document: the alert contract's fields (no interface: `networkInterface.id` is `*`) plus the VPCs. */
export interface VpcAlertDocument extends AlertDocument {
  readonly scope: 'vpc-flow-logs';
  /** The VPCs that had no flow log, in brief (at most `VPC_LIST_LIMIT`). */
  readonly vpcs: readonly (VpcBrief & { readonly flowLogIds?: readonly string[] })[];
  readonly vpcsOmitted?: number;
  /** The pass's counts, when the alert is about a whole pass (the deploy step, a sweep). */
  readonly summary?: VpcRunSummary;
}

/** The `kind` attribute and document kind: never held in a burst window (its own kind), filterable. */
const KIND = 'vpc-flow-logs';

/**
 * One alert for the VPCs of a run that had no flow log (a new VPC, the deploy step, a sweep): what
 * was enabled, what failed, what the policy withheld. Undefined when every VPC was logging.
 */
export function renderVpcAlert(
  context: EventContext,
  reports: readonly VpcReport[],
  summary?: VpcRunSummary,
): (Alert & { readonly document: VpcAlertDocument }) | undefined {
  const flagged = reports.filter((r) => NOT_LOGGING.includes(r.outcome));
  if (flagged.length === 0) return undefined;
  const ordered = [...flagged].sort((a, b) => (a.outcome === 'failed' ? 0 : 1) - (b.outcome === 'failed' ? 0 : 1));
  const response = worstResponse(ordered.map(responseOfVpc));
  // A fix that did not take leaves a gap someone must close: more than a missing log.
  const severity: Severity = ordered.some((r) => r.outcome === 'failed') ? 'high' : 'medium';
  const outcome: Outcome = 'noncompliant';
  const shown = ordered.slice(0, VPC_LIST_LIMIT);
  const document: VpcAlertDocument = {
    schemaVersion: ALERT_SCHEMA_VERSION,
    product: 'eni-guard',
    kind: KIND,
    scope: 'vpc-flow-logs',
    eventId: context.eventId,
    eventName: context.eventName,
    eventTime: context.eventTime,
    account: context.account,
    region: context.region,
    severity,
    outcome,
    response,
    networkInterface: { id: '*' },
    caller: context.caller,
    findings: shown.flatMap((r) => (r.finding ? [r.finding] : [])),
    exemptions: { used: [], expired: [] },
    ruleErrors: [],
    results: shown.flatMap((r) => (r.results ?? []).map(resultEntryOf)),
    consoleUrl: `https://${context.region}.console.aws.amazon.com/vpcconsole/home?region=${context.region}#vpcs:`,
    vpcs: shown.map((r) => ({
      vpcId: r.vpcId,
      outcome: r.outcome,
      detail: r.detail,
      ...(r.flowLogIds && r.flowLogIds.length > 0 ? { flowLogIds: r.flowLogIds } : {}),
    })),
    ...(ordered.length > shown.length ? { vpcsOmitted: ordered.length - shown.length } : {}),
    ...(summary ? { summary } : {}),
  };
  const counts = countsOf(ordered);
  const subject =
    ordered.length === 1
      ? `[eni-guard] ${severity.toUpperCase()} ${VPC_FLOW_LOGS} on ${ordered[0]!.vpcId}: ${response}`
      : `[eni-guard] ${severity.toUpperCase()} ${VPC_FLOW_LOGS}: ${ordered.length} VPCs had no flow log (${counts}): ${response}`;
  const lines = [
    `eni-guard: ${ordered.length} VPC(s) in ${context.account} ${context.region} had no active flow log (${context.eventName} ${context.eventId}).`,
    '',
    ...shown.map((r) => `  ${r.vpcId}${r.isDefault ? ' (default)' : ''}: ${r.outcome} — ${r.detail}`),
    ...(ordered.length > shown.length ? [`  … and ${ordered.length - shown.length} more (see the function's log)`] : []),
  ];
  if (summary) {
    const all = Object.entries(summary.byOutcome)
      .map(([o, n]) => `${n} ${o}`)
      .join(', ');
    lines.push('', `All VPCs:  ${summary.vpcs} (${all || 'none'})${summary.incomplete ? ' — INCOMPLETE (time budget reached)' : ''}`);
  }
  const undo = ordered.filter((r) => r.outcome === 'enabled').flatMap((r) => r.flowLogIds ?? []);
  if (undo.length > 0) lines.push('', `Undo:      aws ec2 delete-flow-logs --region ${context.region} --flow-log-ids ${undo.join(' ')}`);
  return {
    subject: truncate(subject, SUBJECT_LIMIT),
    document,
    text: lines.join('\n'),
    attributes: {
      severity,
      outcome,
      response,
      rule: VPC_FLOW_LOGS,
      account: context.account,
      region: context.region,
      kind: KIND,
    },
  };
}

function countsOf(reports: readonly VpcReport[]): string {
  const counts = new Map<VpcOutcome, number>();
  for (const r of reports) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  return [...counts].map(([o, n]) => `${n} ${o}`).join(', ');
}

// ── The deploy-time step (a CloudFormation custom resource behind CDK's provider framework) ─────

/** What CloudFormation asks of the deploy-time step, as the provider framework hands it on. */
export interface DeployRequest {
  readonly requestType: 'Create' | 'Update' | 'Delete';
  /** CloudFormation's request id: names the run (`deploy-<id>`) and tags the flow logs it creates. */
  readonly requestId: string;
  readonly physicalResourceId?: string;
}

/** The custom resource's physical id: one per stack, never replaced (so an update never deletes "the old one"). */
export const DEPLOY_RESOURCE_ID = 'eni-guard-vpc-flow-logs';

/** A CloudFormation custom-resource event, or undefined for anything else (an EventBridge event). */
export function deployRequestOf(input: unknown): DeployRequest | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const event = input as Record<string, unknown>;
  const type = event['RequestType'];
  if (type !== 'Create' && type !== 'Update' && type !== 'Delete') return undefined;
  const id = typeof event['RequestId'] === 'string' ? event['RequestId'] : '';
  const physical = event['PhysicalResourceId'];
  return {
    requestType: type,
    // The id becomes a tag value and a log key: anything outside the id grammar is replaced, not trusted.
    requestId: isEventId(id) ? id : 'unknown-request',
    ...(typeof physical === 'string' && physical !== '' ? { physicalResourceId: physical } : {}),
  };
}

/** The run's name for a deploy request. */
export function deployRunId(request: DeployRequest): string {
  return `deploy-${request.requestId}`.slice(0, 128);
}

/** What the step answers CloudFormation: its physical id and attributes (`Fn::GetAtt`), all strings. */
export interface DeployResponse {
  readonly PhysicalResourceId: string;
  readonly Data: Readonly<Record<string, string>>;
}

/** The answer for a pass: the counts, and the VPCs that are not logging (CloudFormation caps attributes at 4 KB). */
export function deployResponseOf(summary: VpcRunSummary): DeployResponse {
  const count = (o: VpcOutcome) => String(summary.byOutcome[o] ?? 0);
  const ids = (outcome: VpcOutcome) =>
    summary.notLogging
      .filter((b) => b.outcome === outcome)
      .map((b) => b.vpcId)
      .join(',')
      .slice(0, 1000);
  return {
    PhysicalResourceId: DEPLOY_RESOURCE_ID,
    Data: {
      Vpcs: String(summary.vpcs),
      Logging: count('logging'),
      Enabled: count('enabled'),
      Failed: count('failed'),
      Withheld: String((summary.byOutcome.withheld ?? 0) + (summary.byOutcome['dry-run'] ?? 0)),
      Exempted: count('exempted'),
      Skipped: count('skipped'),
      Incomplete: String(summary.incomplete),
      FailedVpcs: ids('failed'),
      EnabledVpcs: ids('enabled'),
    },
  };
}
