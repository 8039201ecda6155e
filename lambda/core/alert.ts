/**
 * Renders a decision as the SNS alert: a versioned JSON document for machines, plain text for
 * e-mail, a short subject, and message attributes for SNS filter policies.
 */
import { describeCall } from './actions';
import { undoCommandOf } from './ledger';
import type { Decision, Response } from './decision';
import { responseOf, severityOf } from './decision';
import type { NetworkInterface, Severity } from './model';
import { SEVERITIES } from './model';

/** Version of the JSON alert document; bumped on any incompatible change. */
export const ALERT_SCHEMA_VERSION = '1';
/** SNS caps subjects at 100 characters. */
const SUBJECT_LIMIT = 100;

/** Everything the SNS adapter needs to publish one alert. */
export interface Alert {
  readonly subject: string;
  /** The JSON document (the `default` and machine protocols' message). */
  readonly document: AlertDocument;
  /** The e-mail rendering. */
  readonly text: string;
  /** SNS message attributes, for subscription filter policies. */
  readonly attributes: Readonly<Record<'severity' | 'outcome' | 'response' | 'rule' | 'account' | 'region', string>>;
}

/** The machine-readable alert. */
export interface AlertDocument {
  readonly schemaVersion: string;
  readonly product: 'eni-guard';
  readonly eventId: string;
  readonly eventName: string;
  readonly eventTime: string;
  readonly account: string;
  readonly region: string;
  readonly severity: Severity;
  readonly outcome: Decision['outcome'];
  readonly response: Response;
  readonly networkInterface: {
    readonly id: string;
    readonly vpcId?: string;
    readonly subnetId?: string;
    readonly interfaceType?: string;
    readonly privateIpAddress?: string;
    readonly publicIp?: string;
    readonly attachedInstanceId?: string;
    readonly groups?: NetworkInterface['groups'];
    readonly tags?: NetworkInterface['tags'];
  };
  readonly caller: Decision['context']['caller'];
  readonly findings: Decision['findings'];
  /** Exemptions used (their findings were set aside) and expired (their findings stand). */
  readonly exemptions: {
    readonly used: readonly {
      readonly exemptionId: string;
      readonly ruleId: string;
      readonly owner: string;
      readonly reason: string;
      readonly expires: string;
      readonly title: string;
    }[];
    readonly expired: Decision['expiredExemptions'];
  };
  readonly ruleErrors: Decision['ruleErrors'];
  readonly plan?: {
    readonly mode: string;
    readonly actions: readonly {
      readonly kind: string;
      readonly summary: string;
      readonly ruleIds: readonly string[];
      readonly calls: readonly string[];
    }[];
    readonly withheld: readonly { readonly ruleId: string; readonly reason: string }[];
  };
  readonly results: readonly {
    readonly kind: string;
    readonly summary: string;
    /** Each call as sent, and how it ended. */
    readonly calls: readonly string[];
    readonly status: string;
    readonly verified?: boolean;
    readonly verification?: string;
    readonly error?: string;
  }[];
  readonly consoleUrl: string;
  /** The remediation ledger record, and the command that restores the pre-state. */
  readonly ledgerId?: string;
  readonly undoCommand?: string;
}

/** Builds the alert for a decision. Pure: the same decision always renders the same alert. */
export function renderAlert(decision: Decision): Alert {
  const { context } = decision;
  const severity = severityOf(decision);
  const response = responseOf(decision);
  const ni = decision.networkInterface;
  const ruleIds = [...new Set([...decision.findings.map((f) => f.ruleId), ...decision.ruleErrors.map((e) => e.ruleId)])];
  const consoleUrl = `https://${context.region}.console.aws.amazon.com/ec2/home?region=${context.region}#NetworkInterface:networkInterfaceId=${decision.networkInterfaceId}`;
  const document: AlertDocument = {
    schemaVersion: ALERT_SCHEMA_VERSION,
    product: 'eni-guard',
    eventId: context.eventId,
    eventName: context.eventName,
    eventTime: context.eventTime,
    account: context.account,
    region: context.region,
    severity,
    outcome: decision.outcome,
    response,
    networkInterface: {
      id: decision.networkInterfaceId,
      ...(ni
        ? {
            vpcId: ni.vpcId,
            subnetId: ni.subnetId,
            interfaceType: ni.interfaceType,
            privateIpAddress: ni.privateIpAddress,
            publicIp: ni.publicIp,
            attachedInstanceId: ni.attachedInstanceId,
            groups: ni.groups,
            tags: ni.tags,
          }
        : {}),
    },
    caller: context.caller,
    findings: decision.findings,
    exemptions: {
      used: decision.exempted.map((e) => ({
        exemptionId: e.exemptionId,
        ruleId: e.finding.ruleId,
        owner: e.owner,
        reason: e.reason,
        expires: e.expires,
        title: e.finding.title,
      })),
      expired: decision.expiredExemptions,
    },
    ruleErrors: decision.ruleErrors,
    ...(decision.plan
      ? {
          plan: {
            mode: decision.plan.mode,
            actions: decision.plan.actions.map((a) => ({
              kind: a.kind,
              summary: a.summary,
              ruleIds: a.ruleIds,
              calls: a.calls.map(describeCall),
            })),
            withheld: decision.plan.withheld.map((w) => ({ ruleId: w.ruleId, reason: w.reason })),
          },
        }
      : {}),
    results: decision.results.map((r) => ({
      kind: r.action.kind,
      summary: r.action.summary,
      calls: r.calls.map((c) => `${c.operation} → ${c.outcome}${c.error ? ` (${c.error})` : ''}`),
      status: r.status,
      ...(r.verified !== undefined ? { verified: r.verified } : {}),
      ...(r.verification ? { verification: r.verification } : {}),
      ...(r.error ? { error: r.error } : {}),
    })),
    consoleUrl,
    ...(decision.ledgerId ? { ledgerId: decision.ledgerId } : {}),
    ...(decision.ledgerId && decision.results.some((r) => r.status === 'succeeded')
      ? { undoCommand: undoCommandOf(decision.ledgerId) }
      : {}),
  };

  // The subject names the rule of the most severe finding, and how many other rules found something.
  const primary =
    [...decision.findings].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity))[0]?.ruleId ?? ruleIds[0];
  const others = ruleIds.filter((id) => id !== primary).length;
  const subject = truncate(
    `[eni-guard] ${severity.toUpperCase()} ${primary ?? decision.outcome}${others > 0 ? ` (+${others})` : ''} on ${decision.networkInterfaceId}: ${response}`,
    SUBJECT_LIMIT,
  );
  return {
    subject,
    document,
    text: renderText(document),
    attributes: {
      severity,
      outcome: decision.outcome,
      response,
      rule: primary ?? 'none',
      account: context.account,
      region: context.region,
    },
  };
}

function renderText(doc: AlertDocument): string {
  const ni = doc.networkInterface;
  const who = doc.caller.arn ?? doc.caller.invokedBy ?? doc.caller.type;
  const lines = [
    `${doc.severity.toUpperCase()}: ${doc.findings.length} finding(s) on ${ni.id} — response: ${doc.response}`,
    '',
    ...doc.findings.map((f) => `  [${f.severity}] ${f.ruleId}: ${f.title}`),
    ...doc.ruleErrors.map((e) => `  [error] ${e.ruleId} could not be evaluated: ${e.message}`),
  ];
  if (doc.results.length > 0) {
    lines.push('', 'Done:');
    for (const r of doc.results) {
      const how =
        r.status === 'succeeded'
          ? r.verified
            ? 'verified'
            : `NOT verified (${r.verification ?? 'unknown'})`
          : `FAILED: ${r.error ?? 'unknown error'}`;
      lines.push(`  ${r.summary} → ${how}`);
    }
  }
  if (doc.plan && doc.plan.mode === 'dry-run' && doc.plan.actions.length > 0) {
    lines.push('', 'Dry run — would have called:', ...doc.plan.actions.flatMap((a) => a.calls.map((c) => `  ${c}`)));
  }
  if (doc.exemptions.used.length > 0) {
    lines.push(
      '',
      'Exempted (not acted on):',
      ...doc.exemptions.used.map(
        (e) => `  ${e.ruleId}: ${e.title} — exemption ${e.exemptionId} (${e.owner}, until ${e.expires}): ${e.reason}`,
      ),
    );
  }
  if (doc.exemptions.expired.length > 0) {
    lines.push(
      '',
      'Expired exemptions (no longer applied):',
      ...doc.exemptions.expired.map((e) => `  ${e.exemptionId} for ${e.ruleId} (${e.owner}) expired ${e.expired}`),
    );
  }
  if (doc.plan && doc.plan.withheld.length > 0) {
    lines.push('', 'Not remediated:', ...doc.plan.withheld.map((w) => `  ${w.ruleId}: ${w.reason}`));
  }
  lines.push(
    '',
    `Interface: ${ni.id} in ${ni.vpcId ?? '?'} / ${ni.subnetId ?? '?'}`,
    `Caller:    ${who}${doc.caller.sourceIp ? ` from ${doc.caller.sourceIp}` : ''}${doc.caller.viaConsole ? ' (console)' : ''}`,
    `Event:     ${doc.eventName} ${doc.eventId} at ${doc.eventTime}`,
    `Account:   ${doc.account} ${doc.region}`,
    `Console:   ${doc.consoleUrl}`,
  );
  if (doc.undoCommand) lines.push(`Undo:      ${doc.undoCommand}`);
  return lines.join('\n');
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
