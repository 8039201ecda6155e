/**
 * Renders replay reports. Text: each event, each interface's decision, and the alert as an e-mail
 * subscriber reads it. JSON (one object per line): per decision, the document the SNS alert carries
 * (`renderAlert(decision).document`, plus `reason` for skipped and gone interfaces, which never
 * alert), and for a security-group change the combined document it published; per event without a
 * decision, what happened to it.
 */
import { renderAlert, type Alert } from '../core/alert';
import { needsAlert, responseOf, type Decision } from '../core/decision';
import type { EventReport, ReplayMode } from './replay';

/** One report as JSON lines. */
export function reportJson(report: EventReport): string {
  const { result } = report;
  const base = { product: 'eni-guard', source: report.source };
  let objects: unknown[];
  if (report.error !== undefined) objects = [{ ...base, kind: 'error', error: report.error }];
  else if (!result) objects = [];
  else if (result.kind === 'decided') {
    // Per interface, its document; for a security-group change also the one combined document it published.
    const combined = report.alerts.filter((a) => (a.document as { scope?: string }).scope === 'group-change').map((a) => a.document);
    objects = [...result.decisions.map((d) => decisionJson(d, combined.length > 0 ? undefined : publishedFor(report, d))), ...combined];
  } else objects = [{ ...base, ...result }];
  return objects.map((o) => `${JSON.stringify(o)}\n`).join('');
}

/**
 * The alert document for a decision: the one published when there was one (byte for byte), else the
 * one it renders to, with `reason` added when it was not published because it needs none or was
 * already handled (a duplicate).
 */
export function decisionJson(decision: Decision, published?: Alert): unknown {
  if (published) return published.document;
  const { document } = renderAlert(decision);
  return decision.reason !== undefined && (!needsAlert(decision) || decision.outcome === 'duplicate')
    ? { ...document, reason: decision.reason }
    : document;
}

/** The alert published for this decision's interface, if one was. */
function publishedFor(report: EventReport, decision: Decision): Alert | undefined {
  return report.alerts.find(
    (a) => a.document.networkInterface.id === decision.networkInterfaceId && (a.document as { scope?: string }).scope !== 'group-change',
  );
}

/** One report as text. */
export function reportText(report: EventReport, mode: ReplayMode, topicArn?: string): string {
  const { result } = report;
  if (report.error !== undefined) return `── ${report.source}: FAILED: ${report.error}\n\n`;
  if (!result) return '';
  if (result.kind === 'invalid') return `── ${report.source}: INVALID event, not evaluated:\n${bullets(result.problems)}\n\n`;
  if (result.kind === 'ignored') {
    return `── ${report.source}: ignored (${result.reason}): ${result.detail}${result.eventId ? ` [event ${result.eventId}]` : ''}\n\n`;
  }
  const context = result.decisions[0]?.context;
  const caller = context ? (context.caller.arn ?? context.caller.invokedBy ?? context.caller.type) : '?';
  const lines = [
    `── ${report.source}: ${context?.eventName ?? '?'} ${result.eventId} by ${caller} (${context?.account ?? '?'} ${context?.region ?? '?'})`,
  ];
  // A security-group change publishes one alert for all its interfaces: show it once, after them.
  const combined = report.alerts.find((a) => (a.document as { scope?: string }).scope === 'group-change');
  for (const decision of result.decisions) {
    const heading = `   ${decision.networkInterfaceId}: ${decision.outcome}${decision.reason ? ` (${decision.reason})` : ''}`;
    const published = combined ? undefined : publishedFor(report, decision);
    if (decision.outcome === 'duplicate') {
      // Handled before: say what is true now, not what the earlier record says was done.
      lines.push(`${heading}: nothing done again${published ? '' : ', no alert published'}`);
      if (decision.findings.length > 0) {
        lines.push(
          `      non-compliant now (${decision.findings.length} finding(s)), left as it is:`,
          ...decision.findings.map((f) => `        [${f.severity}] ${f.ruleId}: ${f.title}`),
        );
      }
      if (!published) continue;
    } else if (!needsAlert(decision)) {
      lines.push(heading);
      continue;
    } else {
      lines.push(`${heading} — response: ${responseOf(decision)}`);
    }
    if (combined) continue;
    if (mode === 'respond' && !published) {
      lines.push('   no alert published for it');
      continue;
    }
    const alert = published ?? renderAlert(decision);
    lines.push(
      mode === 'respond'
        ? `   alert published to ${topicArn ?? 'the topic'}${decision.outcome === 'duplicate' ? ' (the recorded alert, which had not been delivered)' : ''}, as an e-mail subscriber reads it:`
        : '   alert (not sent: evaluate changes nothing and publishes nothing), as an e-mail subscriber would read it:',
      `     Subject: ${alert.subject}`,
      ...alert.text.split('\n').map((line) => (line === '' ? '' : `     ${line}`)),
    );
    if (mode === 'respond' && !decision.ledgerId && decision.results.some((r) => r.status === 'succeeded')) {
      lines.push('   not recorded (no --ledger-table): this fix cannot be undone with eni-guard undo');
    }
  }
  if (combined) {
    lines.push(
      mode === 'respond'
        ? `   one alert for the change, published to ${topicArn ?? 'the topic'}, as an e-mail subscriber reads it:`
        : '   one alert for the change (not sent: evaluate publishes nothing), as an e-mail subscriber would read it:',
      `     Subject: ${combined.subject}`,
      ...combined.text.split('\n').map((line) => (line === '' ? '' : `     ${line}`)),
    );
  }
  return `${lines.join('\n')}\n\n`;
}

/** The closing summary (text output only). */
export function summaryText(reports: readonly EventReport[], mode: ReplayMode): string {
  const decisions = reports.flatMap((r) => (r.result?.kind === 'decided' ? r.result.decisions : []));
  const outcomes = new Map<string, number>();
  for (const d of decisions) outcomes.set(d.outcome, (outcomes.get(d.outcome) ?? 0) + 1);
  const count = (kind: string) => reports.filter((r) => r.result?.kind === kind).length;
  const failed = reports.filter((r) => r.error !== undefined).length;
  const alerts = reports.reduce((sum, r) => sum + r.alerts.length, 0);
  const openDuplicates = decisions.filter((d) => d.outcome === 'duplicate' && d.findings.length > 0).length;
  const outcome = ([o, n]: [string, number]) =>
    `${n} ${o}${o === 'duplicate' && openDuplicates > 0 ? ` (${openDuplicates} of them non-compliant now)` : ''}`;
  const parts = [
    `${reports.length} event(s), ${decisions.length} interface(s)${outcomes.size > 0 ? `: ${[...outcomes].map(outcome).join(', ')}` : ''}`,
    ...(count('ignored') > 0 ? [`${count('ignored')} ignored`] : []),
    ...(count('invalid') > 0 ? [`${count('invalid')} invalid`] : []),
    ...(failed > 0 ? [`${failed} failed`] : []),
    mode === 'respond' ? `${alerts} alert(s) published` : `${alerts} alert(s) not sent; nothing changed (dry run)`,
  ];
  return `${parts.join('; ')}.\n`;
}

function bullets(items: readonly string[]): string {
  return items.map((item) => `     - ${item}`).join('\n');
}
