/**
 * One alert for a security-group rule change that affected several interfaces. Built on the
 * single-interface alerts `renderAlert` produces (the ones each interface's ledger record keeps),
 * so a redelivered event can re-publish the same combined alert from the ledger.
 *
 * The combined document is a superset of the single-interface `AlertDocument` (schema "1"): its
 * top-level fields are those of the most severe interface, so consumers of the existing contract
 * keep working; `kind: "group-change"`, `change` and `interfaces[]` carry the whole change.
 */
import { resultOutcome, type Alert, type AlertDocument } from './alert';
import type { Response } from './decision';
import type { ChangedRule, GroupChange } from './event';
import type { EventContext, Severity } from './model';
import { SEVERITIES } from './model';

/** SNS caps subjects at 100 characters. */
const SUBJECT_LIMIT = 100;

/** Which response wins when interfaces ended differently: anything not fixed outranks a fix. */
const RESPONSE_RANK: readonly Response[] = ['remediation-failed', 'notified', 'dry-run', 'remediated', 'none'];

/** The response several interfaces add up to: the first of remediation-failed, notified, dry-run, remediated, none. */
export function worstResponse(responses: Iterable<Response>): Response {
  return [...responses].sort((a, b) => RESPONSE_RANK.indexOf(a) - RESPONSE_RANK.indexOf(b))[0] ?? 'none';
}

/** How many interfaces of each outcome a change led to (quiet ones included). */
export type OutcomeCounts = Readonly<Record<string, number>>;

/** One affected interface, in brief (its full document is in its ledger record, `ledgerId`). */
export interface ChangeInterface {
  readonly id: string;
  readonly subnetId?: string;
  readonly attachedInstanceId?: string;
  readonly severity: Severity;
  readonly outcome: AlertDocument['outcome'];
  readonly response: Response;
  readonly findings: readonly { readonly ruleId: string; readonly severity: Severity; readonly title: string }[];
  readonly ruleErrors: AlertDocument['ruleErrors'];
  /** What was done (`summary → verified`), would be done (dry run), or withheld (`not remediated: …`). */
  readonly actions: readonly string[];
  readonly ledgerId?: string;
  readonly undoCommand?: string;
  /** This interface's part may repeat an alert already sent (an interrupted attempt may have published it). */
  readonly possibleRepeat?: boolean;
  /** Acted on, but its ledger record could not be completed: what is missing, and where the record is meanwhile. */
  readonly ledgerWarning?: string;
  /** eni-guard stopped retrying a fix of this interface that would not take: a human must finish it. */
  readonly escalation?: string;
}

/** The combined alert document. */
export interface ChangeAlertDocument extends AlertDocument {
  /** Tells a combined alert from a single-interface one (`kind` stays the single-interface contract's). */
  readonly scope: 'group-change';
  readonly change: { readonly groupId: string; readonly rules: readonly ChangedRule[] };
  /** The interfaces that alerted, most severe first (at most `CHANGE_INTERFACE_LIMIT`). */
  readonly interfaces: readonly ChangeInterface[];
  /** Interfaces that alerted but are not listed (SNS messages are capped at 256 KB); each has its ledger record. */
  readonly interfacesOmitted?: number;
  /** Every interface using the group that was evaluated, by outcome (compliant and skipped ones do not alert). */
  readonly evaluated: OutcomeCounts;
  /** Interfaces not handled yet (another invocation holds them, a fix must be retried): the event is delivered again, and a later alert reports them. */
  readonly pending?: readonly { readonly id: string; readonly reason: string }[];
  /** Interfaces not handled yet beyond the `CHANGE_INTERFACE_LIMIT` listed in `pending`. */
  readonly pendingOmitted?: number;
}

/** The `kind` message attribute: subscribers can filter combined alerts in or out. */
const KIND: Readonly<Record<string, string>> = { kind: 'group-change' };

/** A combined alert lists at most this many interfaces in full. */
export const CHANGE_INTERFACE_LIMIT = 100;

/** A combined alert: an `Alert` whose document is a `ChangeAlertDocument`. */
export interface ChangeAlert extends Alert {
  readonly document: ChangeAlertDocument;
}

/** A rule as one line: `tcp/22 from 0.0.0.0/0 (sgr-…)`. */
export function describeChangedRule(rule: ChangedRule): string {
  const protocol = rule.protocol === '-1' ? 'all traffic' : rule.protocol;
  const ports =
    rule.protocol === '-1' || rule.fromPort === undefined || rule.fromPort === -1
      ? ''
      : rule.toPort !== undefined && rule.toPort !== rule.fromPort
        ? `/${rule.fromPort}-${rule.toPort}`
        : `/${rule.fromPort}`;
  const source = rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.prefixListId ?? rule.referencedGroupId ?? '?';
  return `${protocol}${ports} from ${source}${rule.ruleId ? ` (${rule.ruleId})` : ''}`;
}

/**
 * Combines the alerts of the interfaces one group change affected into one alert. Returns
 * undefined when none of them alerts. Pure: the same inputs always render the same alert.
 */
export function renderChangeAlert(
  context: EventContext,
  change: GroupChange,
  alerts: readonly Alert[],
  evaluated: OutcomeCounts,
  pending: readonly { readonly id: string; readonly reason: string }[] = [],
): ChangeAlert | undefined {
  const ordered = [...alerts].sort(
    (a, b) =>
      SEVERITIES.indexOf(a.document.severity) - SEVERITIES.indexOf(b.document.severity) ||
      a.document.networkInterface.id.localeCompare(b.document.networkInterface.id),
  );
  const primary = ordered[0];
  if (!primary) return undefined;
  const severity: Severity = primary.document.severity;
  // Interfaces still to be handled are not fixed: the change as a whole is not remediated yet.
  const response = worstResponse([
    ...ordered.map((a) => a.document.response),
    ...(pending.length > 0 ? (['remediation-failed'] as const) : []),
  ]);
  const outcome = ordered.some((a) => a.document.outcome === 'noncompliant') ? 'noncompliant' : primary.document.outcome;
  const rule = primary.attributes.rule;
  const document: ChangeAlertDocument = {
    ...primary.document,
    severity,
    outcome,
    response,
    scope: 'group-change',
    change: { groupId: change.groupId, rules: change.rules },
    interfaces: ordered.slice(0, CHANGE_INTERFACE_LIMIT).map((a) => briefOf(a.document)),
    ...(ordered.length > CHANGE_INTERFACE_LIMIT ? { interfacesOmitted: ordered.length - CHANGE_INTERFACE_LIMIT } : {}),
    evaluated,
    ...(pending.length > 0 ? { pending: pending.slice(0, CHANGE_INTERFACE_LIMIT) } : {}),
    ...(pending.length > CHANGE_INTERFACE_LIMIT ? { pendingOmitted: pending.length - CHANGE_INTERFACE_LIMIT } : {}),
  };
  const count = ordered.length;
  const subject = truncate(
    `[eni-guard] ${severity.toUpperCase()} ${rule} on ${change.groupId} (${count} interface${count === 1 ? '' : 's'}): ${response}`,
    SUBJECT_LIMIT,
  );
  return {
    subject,
    document,
    text: renderText(context, document),
    attributes: { severity, outcome, response, rule, account: context.account, region: context.region, ...KIND },
  };
}

function briefOf(doc: AlertDocument): ChangeInterface {
  const ni = doc.networkInterface;
  const done = doc.results.map((r) => `${r.summary} → ${resultOutcome(r)}`);
  const wouldCall = doc.plan?.mode === 'dry-run' ? doc.plan.actions.flatMap((a) => a.calls.map((c) => `would call: ${c}`)) : [];
  const withheld = (doc.plan?.withheld ?? []).map((w) => `not remediated: ${w.ruleId}: ${w.reason}`);
  return {
    id: ni.id,
    ...(ni.subnetId ? { subnetId: ni.subnetId } : {}),
    ...(ni.attachedInstanceId ? { attachedInstanceId: ni.attachedInstanceId } : {}),
    severity: doc.severity,
    outcome: doc.outcome,
    response: doc.response,
    findings: doc.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, title: f.title })),
    ruleErrors: doc.ruleErrors,
    actions: [...done, ...wouldCall, ...withheld],
    ...(doc.ledgerId ? { ledgerId: doc.ledgerId } : {}),
    ...(doc.undoCommand ? { undoCommand: doc.undoCommand } : {}),
    ...(doc.possibleRepeat ? { possibleRepeat: true } : {}),
    ...(doc.ledgerWarning ? { ledgerWarning: doc.ledgerWarning } : {}),
    ...(doc.escalation ? { escalation: doc.escalation } : {}),
  };
}

function renderText(context: EventContext, doc: ChangeAlertDocument): string {
  const who = context.caller.arn ?? context.caller.invokedBy ?? context.caller.type;
  const totals = Object.entries(doc.evaluated)
    .map(([outcome, n]) => `${n} ${outcome}`)
    .join(', ');
  const lines = [
    `${doc.severity.toUpperCase()}: ${context.eventName} on ${doc.change.groupId} affects ${doc.interfaces.length + (doc.interfacesOmitted ?? 0)} interface(s) — response: ${doc.response}`,
    '',
    'Change:',
    ...(doc.change.rules.length > 0
      ? doc.change.rules.map((r) => `  ${describeChangedRule(r)}`)
      : ['  (the record does not list the rules)']),
  ];
  for (const ni of doc.interfaces) {
    lines.push(
      '',
      `${ni.id} (${ni.subnetId ?? '?'}${ni.attachedInstanceId ? `, ${ni.attachedInstanceId}` : ''}) — ${ni.severity}, response: ${ni.response}`,
    );
    lines.push(...ni.findings.map((f) => `  [${f.severity}] ${f.ruleId}: ${f.title}`));
    lines.push(...ni.ruleErrors.map((e) => `  [error] ${e.ruleId} could not be evaluated: ${e.message}`));
    lines.push(...ni.actions.map((a) => `  ${a}`));
    if (ni.undoCommand) lines.push(`  undo: ${ni.undoCommand}`);
    if (ni.escalation) lines.push(`  ESCALATED: ${ni.escalation}`);
    if (ni.ledgerWarning) lines.push(`  WARNING — record incomplete: ${ni.ledgerWarning}`);
    if (ni.possibleRepeat) lines.push('  (may repeat an earlier alert: an interrupted attempt may have sent it)');
  }
  if (doc.interfacesOmitted)
    lines.push('', `… and ${doc.interfacesOmitted} more interface(s): see the function log for event ${context.eventId}`);
  if (doc.pending && doc.pending.length > 0) {
    lines.push(
      '',
      `Not handled yet (${doc.pending.length + (doc.pendingOmitted ?? 0)}; the event is delivered again and a later alert reports them):`,
      ...doc.pending.map((p) => `  ${p.id}: ${p.reason}`),
      ...(doc.pendingOmitted ? [`  … and ${doc.pendingOmitted} more`] : []),
    );
  }
  lines.push(
    '',
    `Evaluated: ${totals || 'nothing'} (every interface using ${doc.change.groupId})`,
    `Caller:    ${who}${context.caller.sourceIp ? ` from ${context.caller.sourceIp}` : ''}${context.caller.viaConsole ? ' (console)' : ''}`,
    `Event:     ${context.eventName} ${context.eventId} at ${context.eventTime}`,
    `Account:   ${context.account} ${context.region}`,
    `Console:   https://${context.region}.console.aws.amazon.com/ec2/home?region=${context.region}#SecurityGroup:groupId=${doc.change.groupId}`,
  );
  return lines.join('\n');
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
