/**
 * The periodic sweep, pure parts: the run's identity (a stable event id per scheduled run, so a
 * retried run finds its ledger records), its tally, and the summary alert.
 */
import type { Alert, AlertDocument } from './alert';
import { ALERT_SCHEMA_VERSION } from './alert';
import { worstResponse } from './alert-batch';
import type { Decision, Outcome, Response } from './decision';
import { needsAlert, responseOf, severityOf } from './decision';
import type { EventContext, Severity } from './model';
import { maxSeverity, SEVERITIES } from './model';
import { responseOfVpc, type VpcRunSummary } from './vpc';

/** The `eventName` of sweep decisions (logs, alerts, ledger records). */
export const SWEEP_EVENT_NAME = 'ScheduledSweep';

/** The scheduled run's context: `sweep-<scheduled time>` is the same for every retry of that run. */
export function sweepContext(scheduledTime: string, account: string, region: string): EventContext {
  return {
    eventId: `sweep-${scheduledTime}`,
    eventName: SWEEP_EVENT_NAME,
    eventTime: scheduledTime,
    account,
    region,
    // No one called anything: caller rules do not apply to a sweep (an AWS-service caller is never flagged).
    caller: { type: 'AWSService', invokedBy: 'eni-guard sweep', viaConsole: false, mfaAuthenticated: false },
  };
}

/** What one sweep run found and did. */
export interface SweepSummary {
  readonly sweepId: string;
  readonly account: string;
  readonly region: string;
  readonly startedAt: string;
  readonly durationMs: number;
  /** `DescribeNetworkInterfaces` pages read. */
  readonly pages: number;
  /** Interfaces listed (every type, service-owned included). */
  readonly interfaces: number;
  readonly byOutcome: Readonly<Partial<Record<Outcome, number>>>;
  /** Interfaces that alerted, by response. */
  readonly byResponse: Readonly<Partial<Record<Response, number>>>;
  readonly severity: Severity;
  /** Non-compliant interfaces (and errors), most severe first, at most `SUMMARY_LIST_LIMIT`. */
  readonly noncompliant: readonly {
    readonly id: string;
    readonly severity: Severity;
    readonly response: Response;
    readonly rules: readonly string[];
  }[];
  /** Interfaces that could not be evaluated (AWS error), with why. */
  readonly failures: readonly { readonly id: string; readonly error: string }[];
  /** True when the run stopped before the last page (time budget): the next run starts over. */
  readonly incomplete: boolean;
  /** The pass over every VPC (flow logs), when the sweep makes one (`eniGuard:flowLogVpcIds=all`). */
  readonly vpcs?: VpcRunSummary;
}

/** The `kind` message attribute: subscribers can filter summaries in or out. */
const KIND: Readonly<Record<string, string>> = { kind: 'sweep-summary' };

/** The summary lists at most this many interfaces (the log and the per-interface alerts have them all). */
export const SUMMARY_LIST_LIMIT = 50;

/** Adds decisions to a running tally. */
export class SweepTally {
  readonly byOutcome: Partial<Record<Outcome, number>> = {};
  readonly byResponse: Partial<Record<Response, number>> = {};
  readonly noncompliant: SweepSummary['noncompliant'][number][] = [];
  readonly failures: SweepSummary['failures'][number][] = [];
  severity: Severity = 'informational';
  interfaces = 0;
  pages = 0;

  add(decision: Decision): void {
    this.byOutcome[decision.outcome] = (this.byOutcome[decision.outcome] ?? 0) + 1;
    if (!needsAlert(decision)) return;
    const response = responseOf(decision);
    const severity = severityOf(decision);
    this.byResponse[response] = (this.byResponse[response] ?? 0) + 1;
    this.severity = maxSeverity(this.severity, severity);
    this.noncompliant.push({
      id: decision.networkInterfaceId,
      severity,
      response,
      rules: [...new Set([...decision.findings.map((f) => f.ruleId), ...decision.ruleErrors.map((e) => e.ruleId)])],
    });
  }

  fail(networkInterfaceId: string, error: string): void {
    this.byOutcome.error = (this.byOutcome.error ?? 0) + 1;
    this.severity = maxSeverity(this.severity, 'high');
    this.failures.push({ id: networkInterfaceId, error });
  }

  summary(context: EventContext, startedAt: Date, finishedAt: Date, incomplete: boolean, vpcs?: VpcRunSummary): SweepSummary {
    // VPCs without a flow log count like noncompliant interfaces; one that could not be fixed, or a pass that could not run, like an error.
    let severity = this.severity;
    if (vpcs && vpcs.notLogging.length > 0) severity = maxSeverity(severity, 'medium');
    if (vpcs && ((vpcs.byOutcome.failed ?? 0) > 0 || vpcs.error)) severity = maxSeverity(severity, 'high');
    return {
      sweepId: context.eventId,
      account: context.account,
      region: context.region,
      startedAt: startedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      pages: this.pages,
      interfaces: this.interfaces,
      byOutcome: { ...this.byOutcome },
      byResponse: { ...this.byResponse },
      severity,
      noncompliant: [...this.noncompliant]
        .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity))
        .slice(0, SUMMARY_LIST_LIMIT),
      failures: this.failures.slice(0, SUMMARY_LIST_LIMIT),
      incomplete,
      ...(vpcs ? { vpcs } : {}),
    };
  }
}

/** The summary document: the alert contract's fields (no interface: `networkInterface.id` is `*`) plus `scope` and `summary`. */
export interface SweepAlertDocument extends AlertDocument {
  readonly scope: 'sweep-summary';
  readonly summary: SweepSummary;
}

/** Renders the run's summary as an alert (published every run: a quiet day is a summary with no findings). */
export function renderSweepAlert(context: EventContext, summary: SweepSummary): Alert & { readonly document: SweepAlertDocument } {
  const noncompliant = summary.byOutcome.noncompliant ?? 0;
  const errors = summary.byOutcome.error ?? 0;
  const vpcsFlagged = summary.vpcs?.notLogging.length ?? 0;
  const outcome: Outcome = noncompliant > 0 || vpcsFlagged > 0 ? 'noncompliant' : errors > 0 || summary.vpcs?.error ? 'error' : 'compliant';
  const response = worstResponse([
    ...(Object.keys(summary.byResponse) as Response[]),
    ...(summary.vpcs?.notLogging ?? []).map(responseOfVpc),
  ]);
  const counts = Object.entries(summary.byOutcome)
    .map(([o, n]) => `${n} ${o}`)
    .join(', ');
  const document: SweepAlertDocument = {
    schemaVersion: ALERT_SCHEMA_VERSION,
    product: 'eni-guard',
    scope: 'sweep-summary',
    eventId: context.eventId,
    eventName: context.eventName,
    eventTime: context.eventTime,
    account: context.account,
    region: context.region,
    severity: summary.severity,
    outcome,
    response,
    networkInterface: { id: '*' },
    caller: context.caller,
    findings: [],
    exemptions: { used: [], expired: [] },
    ruleErrors: [],
    results: [],
    consoleUrl: `https://${context.region}.console.aws.amazon.com/ec2/home?region=${context.region}#NIC:`,
    summary,
  };
  const lines = [
    `eni-guard sweep of ${summary.account} ${summary.region}: ${summary.interfaces} interface(s) in ${summary.pages} page(s), ${(summary.durationMs / 1000).toFixed(1)} s${summary.incomplete ? ' — INCOMPLETE (time budget reached)' : ''}`,
    '',
    `Outcomes:  ${counts || 'none'}`,
    `Responses: ${
      Object.entries(summary.byResponse)
        .map(([r, n]) => `${n} ${r}`)
        .join(', ') || 'none'
    }`,
  ];
  if (summary.noncompliant.length > 0) {
    lines.push('', 'Non-compliant (each also alerted on its own):');
    lines.push(...summary.noncompliant.map((n) => `  ${n.id}: ${n.severity} ${n.rules.join(', ')} → ${n.response}`));
  }
  if (summary.failures.length > 0) lines.push('', 'Not evaluated:', ...summary.failures.map((f) => `  ${f.id}: ${f.error}`));
  if (summary.vpcs) {
    const v = summary.vpcs;
    const byOutcome = Object.entries(v.byOutcome)
      .map(([o, n]) => `${n} ${o}`)
      .join(', ');
    lines.push(
      '',
      `VPCs:      ${v.vpcs} (${byOutcome || 'none'})${v.incomplete ? ' — INCOMPLETE' : ''}${v.error ? ` — NOT LISTED: ${v.error}` : ''}`,
    );
    lines.push(...v.notLogging.map((b) => `  ${b.vpcId}: ${b.outcome} — ${b.detail}`));
  }
  lines.push('', `Sweep:     ${summary.sweepId} (started ${summary.startedAt})`);
  const subject = `[eni-guard] sweep ${summary.region}: ${summary.interfaces} interfaces, ${noncompliant} noncompliant${errors > 0 ? `, ${errors} errors` : ''}${vpcsFlagged > 0 ? `, ${vpcsFlagged} VPCs without flow logs` : ''}${summary.incomplete || summary.vpcs?.incomplete ? ' (incomplete)' : ''}`;
  return {
    subject: subject.length <= 100 ? subject : `${subject.slice(0, 99)}…`,
    document,
    text: lines.join('\n'),
    attributes: {
      severity: summary.severity,
      outcome,
      response,
      rule: 'sweep',
      account: context.account,
      region: context.region,
      ...KIND,
    },
  };
}
