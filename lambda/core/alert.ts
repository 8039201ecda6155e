/**
 * Renders a decision as the SNS alert: a versioned JSON document for machines, plain text for
 * e-mail, a short subject, and message attributes for SNS filter policies. Every rendering is a
 * pure function of the document (`alertOf`), so an alert enriched after the fact (account alias,
 * the exact undo command) renders the same way as one built from a decision.
 */
import { describeCall, type ApiCall } from './actions';
import { actorOf, callerKind, type CallerKind } from './caller';
import { responseOf, severityOf, type ActionResult, type Decision, type Response } from './decision';
import { SEVERITIES, type Caller, type NetworkInterface, type Severity } from './model';

/**
 * Version of the JSON alert document; bumped on any incompatible change. 2: a message may also be a
 * burst digest (`kind: "digest"`); decision documents gained `kind`, `actor`, `links`, `accountAlias`,
 * `record`, `truncated` and exact call lines in `results[].calls` (all v1 fields are unchanged).
 */
export const ALERT_SCHEMA_VERSION = '2';
/** SNS caps subjects at 100 characters. */
export const SUBJECT_LIMIT = 100;

/** The names of the SNS message attributes every alert carries. */
export type AlertAttributeName = 'severity' | 'outcome' | 'response' | 'rule' | 'account' | 'region';

/** Everything the SNS adapter needs to publish one alert. */
export interface Alert {
  readonly subject: string;
  /** The JSON document (the `default` and machine protocols' message). */
  readonly document: AlertDocument;
  /** The e-mail rendering. */
  readonly text: string;
  /**
   * SNS message attributes, for subscription filter policies (`kind`: `decision` here, `digest` for burst
   * digests; `accountAlias` and, in organization mode, `ou` when known).
   */
  readonly attributes: Readonly<Record<AlertAttributeName, string>> & {
    readonly kind?: string;
    readonly accountAlias?: string;
    readonly ou?: string;
  };
}

/** Who made the call, as people read it. */
export interface AlertActor {
  readonly kind: CallerKind;
  /** `alice@example.com via role AWSReservedSSO_Admin_…`, `IAM user bob`, `AWS service (AWSServiceRoleForAutoScaling)`. */
  readonly name: string;
  /** The person behind an assumed-role session, when the session name carries one (SSO, e-mail session names). */
  readonly human?: string;
}

/** Console deep links (the interface's Region). */
export interface AlertLinks {
  readonly networkInterface: string;
  readonly securityGroups: Readonly<Record<string, string>>;
  readonly subnet?: string;
  readonly vpc?: string;
  readonly instance?: string;
  readonly cloudTrailEvent: string;
}

/** Where the whole record of an alert is kept, when the message had to be cut (or to look it up). */
export interface AlertRecordPointer {
  /** The remediation ledger record (`record.alert` holds the alert in full). */
  readonly ledgerId?: string;
  readonly ledgerTable?: string;
  /** The function's log group: the `interface decided` line with this event id. */
  readonly logGroup?: string;
  readonly eventId?: string;
  /** Burst digests: the window in the burst table, whose items list every alert in full detail. */
  readonly burstTable?: string;
  readonly windowKey?: string;
}

/** How a message was cut to fit SNS (or, for a decision event, EventBridge's 256 KiB per entry). */
export interface AlertTruncation {
  readonly reason: 'sns-size-limit' | 'event-size-limit';
  /** Bytes of the whole SNS message before cutting. */
  readonly originalBytes: number;
  /** JSON paths that were shortened, with how much was kept and left out. */
  readonly omitted: readonly { readonly path: string; readonly kept: number; readonly omitted: number }[];
  readonly fullRecord: AlertRecordPointer;
}

/** The machine-readable alert. */
export interface AlertDocument {
  readonly schemaVersion: string;
  readonly product: 'eni-guard';
  /**
   * What the document is about: `decision` (one interface) here. Documents built on this one say
   * what they add (`group-change`, `sweep-summary`); burst digests are `digest` (lambda/core/burst.ts).
   */
  readonly kind?: string;
  readonly eventId: string;
  readonly eventName: string;
  readonly eventTime: string;
  readonly account: string;
  /** The account's IAM alias, when known. */
  readonly accountAlias?: string;
  /** Organization mode: the account's own OU. */
  readonly ou?: string;
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
  readonly actor?: AlertActor;
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
    /** Each call as sent (operation and parameters), and how it ended: `RevokeSecurityGroupIngress GroupId=sg-1 … → ok`. */
    readonly calls: readonly string[];
    /** `succeeded`, `failed`, or `superseded`: history of an earlier attempt that a later one replaced (`supersededBy` says how). */
    readonly status: string;
    readonly verified?: boolean;
    readonly verification?: string;
    readonly supersededBy?: string;
    readonly error?: string;
  }[];
  /** The interface in the EC2 console (also in `links`). */
  readonly consoleUrl: string;
  readonly links?: AlertLinks;
  /** The remediation ledger record, and the command that restores the pre-state. */
  readonly ledgerId?: string;
  readonly undoCommand?: string;
  /** Where the full record is (set by the deployed function). */
  readonly record?: AlertRecordPointer;
  /** Present only when the message was cut to fit SNS. */
  readonly truncated?: AlertTruncation;
  /** Present when the ledger record could not be completed after acting: what is missing, and where the whole record is meanwhile. */
  readonly ledgerWarning?: string;
  /** Present when eni-guard stopped retrying a fix that would not take: a human must finish it. */
  readonly escalation?: string;
  /** Present on an alert published again after an interruption: subscribers may have received it already. */
  readonly possibleRepeat?: string;
}

/** What the deployed function knows besides the decision; the CLI renders without it. */
export interface AlertEnrichment {
  /** The account's IAM alias. */
  readonly accountAlias?: string;
  /** Organization mode: the account's own OU (from AWS Organizations), for subscribers who filter per team. */
  readonly ou?: string;
  /** The ledger table: the undo command names it, so it can be pasted as is. */
  readonly ledgerTable?: string;
  /** The function's log group. */
  readonly logGroup?: string;
  /** The Region the ledger is in, when it is not the event's (the CLI's `--region`). */
  readonly region?: string;
  /** An endpoint the ledger and the interface are reached at (the CLI against moto): the undo command names it. */
  readonly endpointUrl?: string;
}

/** Builds the alert for a decision. Pure: the same decision always renders the same alert. */
export function renderAlert(decision: Decision, enrichment: AlertEnrichment = {}): Alert {
  return enrichAlert(alertOf(documentOf(decision)), enrichment);
}

/**
 * Adds what the deployed function knows (alias, exact undo command, record pointer) and renders again.
 * Alerts with their own rendering (`kind` other than `decision`: group changes, sweep summaries, VPC
 * flow logs) keep their subject, text and attributes; only their document is enriched.
 */
export function enrichAlert(alert: Alert, enrichment: AlertEnrichment): Alert {
  const doc = alert.document;
  if (!enrichment.accountAlias && !enrichment.ou && !enrichment.ledgerTable && !enrichment.logGroup) return alert;
  const record: AlertRecordPointer = {
    ...(doc.ledgerId ? { ledgerId: doc.ledgerId } : {}),
    ...(doc.ledgerId && enrichment.ledgerTable ? { ledgerTable: enrichment.ledgerTable } : {}),
    ...(enrichment.logGroup ? { logGroup: enrichment.logGroup } : {}),
    eventId: doc.eventId,
  };
  const enriched: AlertDocument = {
    ...doc,
    ...(enrichment.accountAlias ? { accountAlias: enrichment.accountAlias } : {}),
    ...(enrichment.ou ? { ou: enrichment.ou } : {}),
    ...(doc.undoCommand && doc.ledgerId && enrichment.ledgerTable
      ? { undoCommand: exactUndoCommand(doc.ledgerId, enrichment.ledgerTable, enrichment.region ?? doc.region, enrichment.endpointUrl) }
      : {}),
    record,
  };
  const kind = alert.attributes.kind;
  if (kind !== undefined && kind !== 'decision') return { ...alert, document: enriched };
  return alertOf(enriched);
}

/** The command that undoes a ledger record. */
export function undoCommandOf(ledgerId: string): string {
  return `npx eni-guard undo ${ledgerId}`;
}

/** The undo command with everything it needs to run from a workstation: paste and go. */
export function exactUndoCommand(ledgerId: string, ledgerTable: string, region: string, endpointUrl?: string): string {
  return `${undoCommandOf(ledgerId)} --ledger-table ${ledgerTable} --region ${region}${endpointUrl ? ` --endpoint-url ${endpointUrl}` : ''}`;
}

/** The decision's document. */
export function documentOf(decision: Decision): AlertDocument {
  const { context } = decision;
  const ni = decision.networkInterface;
  const links = linksOf(context.region, context.eventId, decision.networkInterfaceId, ni);
  return {
    schemaVersion: ALERT_SCHEMA_VERSION,
    product: 'eni-guard',
    kind: 'decision',
    eventId: context.eventId,
    eventName: context.eventName,
    eventTime: context.eventTime,
    account: context.account,
    region: context.region,
    severity: severityOf(decision),
    outcome: decision.outcome,
    response: responseOf(decision),
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
    actor: actorDetails(context.caller),
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
    results: decision.results.map(resultEntryOf),
    consoleUrl: links.networkInterface,
    links,
    ...(decision.ledgerId ? { ledgerId: decision.ledgerId } : {}),
    ...(decision.ledgerId && decision.results.some((r) => r.status === 'succeeded')
      ? { undoCommand: undoCommandOf(decision.ledgerId) }
      : {}),
    ...(decision.ledgerWarning ? { ledgerWarning: decision.ledgerWarning } : {}),
    ...(decision.escalation ? { escalation: decision.escalation } : {}),
    ...(decision.possibleRepeat ? { possibleRepeat: decision.possibleRepeat } : {}),
  };
}

/** An action's result as the alert document lists it: each call described, with its outcome. */
export function resultEntryOf(r: ActionResult): AlertDocument['results'][number] {
  return {
    kind: r.action.kind,
    summary: r.action.summary,
    // An executed call has the planned call's operation and resolved input: described the same way.
    calls: r.calls.map(
      (c) =>
        `${describeCall({ service: 'ec2', operation: c.operation as ApiCall['operation'], input: c.input })} → ${c.outcome}${c.error ? ` (${c.error})` : ''}`,
    ),
    status: r.superseded !== undefined ? 'superseded' : r.status,
    ...(r.verified !== undefined ? { verified: r.verified } : {}),
    ...(r.verification ? { verification: r.verification } : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(r.superseded !== undefined ? { supersededBy: r.superseded } : {}),
  };
}

/** How a result ended, as alerts say it: `verified`, `NOT verified (…)`, `FAILED: …` or `superseded: …`. */
export function resultOutcome(r: AlertDocument['results'][number]): string {
  if (r.status === 'superseded') return `superseded: ${r.supersededBy ?? ''}`;
  if (r.status !== 'succeeded') return `FAILED: ${r.error ?? 'unknown error'}`;
  return r.verified ? 'verified' : `NOT verified (${r.verification ?? 'unknown'})`;
}

/** Subject, text and attributes of a document. */
export function alertOf(document: AlertDocument): Alert {
  const primary = primaryRuleOf(document);
  return {
    subject: subjectOf(document, primary),
    document,
    text: renderText(document),
    attributes: {
      severity: document.severity,
      outcome: document.outcome,
      response: document.response,
      rule: primary ?? 'none',
      account: document.account,
      region: document.region,
      kind: 'decision',
      ...(document.accountAlias ? { accountAlias: document.accountAlias } : {}),
      ...(document.ou ? { ou: document.ou } : {}),
    },
  };
}

/** The rule of the most severe finding (else the first rule that errored). */
export function primaryRuleOf(document: Pick<AlertDocument, 'findings' | 'ruleErrors'>): string | undefined {
  const bySeverity = [...document.findings].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
  return bySeverity[0]?.ruleId ?? document.ruleErrors[0]?.ruleId;
}

/** The finding of the primary rule, when there is one. */
export function primaryFindingOf(document: Pick<AlertDocument, 'findings' | 'ruleErrors'>): AlertDocument['findings'][number] | undefined {
  const primary = primaryRuleOf(document);
  return document.findings.find((f) => f.ruleId === primary);
}

// The subject names severity, the rule of the most severe finding (and how many other rules found
// something), the interface, and the response: enough to triage from the inbox.
function subjectOf(doc: AlertDocument, primary: string | undefined): string {
  const ruleIds = new Set([...doc.findings.map((f) => f.ruleId), ...doc.ruleErrors.map((e) => e.ruleId)]);
  const others = [...ruleIds].filter((id) => id !== primary).length;
  return truncate(
    `[eni-guard] ${doc.severity.toUpperCase()} ${primary ?? doc.outcome}${others > 0 ? ` (+${others})` : ''} on ${doc.networkInterface.id}: ${doc.response}`,
    SUBJECT_LIMIT,
  );
}

/** Who the caller is, for people: the session's human when its name carries one. */
export function actorDetails(caller: Caller): AlertActor {
  const kind = callerKind(caller);
  const human = humanOf(caller, kind);
  return { kind, name: actorOf(caller), ...(human ? { human } : {}) };
}

// IAM Identity Center sessions are named after the user; IdP federations usually use the e-mail
// address. Other session names (instance ids, SDK defaults, tool names) name no person.
function humanOf(caller: Caller, kind: CallerKind): string | undefined {
  if (kind === 'iam-user') return caller.userName;
  if (kind === 'root') return 'root';
  if (kind !== 'assumed-role' && kind !== 'federated-user') return undefined;
  const session = caller.sessionName ?? (kind === 'federated-user' ? caller.arn?.split('/').pop() : undefined);
  if (!session) return undefined;
  if (session.includes('@') || caller.sessionIssuerArn?.includes('/AWSReservedSSO_')) return session;
  return undefined;
}

function linksOf(region: string, eventId: string, networkInterfaceId: string, ni: NetworkInterface | undefined): AlertLinks {
  const ec2 = `https://${region}.console.aws.amazon.com/ec2/home?region=${region}#`;
  const vpc = `https://${region}.console.aws.amazon.com/vpcconsole/home?region=${region}#`;
  return {
    networkInterface: `${ec2}NetworkInterface:networkInterfaceId=${networkInterfaceId}`,
    securityGroups: Object.fromEntries((ni?.groups ?? []).map((g) => [g.groupId, `${ec2}SecurityGroup:groupId=${g.groupId}`])),
    ...(ni?.subnetId ? { subnet: `${vpc}SubnetDetails:subnetId=${ni.subnetId}` } : {}),
    ...(ni?.vpcId ? { vpc: `${vpc}VpcDetails:VpcId=${ni.vpcId}` } : {}),
    ...(ni?.attachedInstanceId ? { instance: `${ec2}InstanceDetails:instanceId=${ni.attachedInstanceId}` } : {}),
    cloudTrailEvent: `https://${region}.console.aws.amazon.com/cloudtrailv2/home?region=${region}#/events/${eventId}`,
  };
}

/** The e-mail rendering: what happened and what was done first, then where and who, then links. */
export function renderText(doc: AlertDocument): string {
  const ni = doc.networkInterface;
  const lines = [
    `${doc.severity.toUpperCase()}: ${doc.findings.length} finding(s) on ${ni.id} — response: ${doc.response}`,
    '',
    ...doc.findings.map((f) => `  [${f.severity}] ${f.ruleId}: ${f.title}`),
    ...doc.ruleErrors.map((e) => `  [error] ${e.ruleId} could not be evaluated: ${e.message}`),
  ];
  if (doc.results.length > 0) {
    lines.push('', 'Done:');
    for (const r of doc.results) lines.push(`  ${r.summary} → ${resultOutcome(r)}`, ...r.calls.map((c) => `      ${c}`));
    if (doc.undoCommand) lines.push('', `Undo:      ${doc.undoCommand}`);
  }
  if (doc.escalation) lines.push('', `ESCALATED: ${doc.escalation}`);
  if (doc.ledgerWarning) lines.push('', `WARNING — record incomplete: ${doc.ledgerWarning}`);
  if (doc.possibleRepeat) lines.push('', `Note: ${doc.possibleRepeat}.`);
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
  const who = doc.caller.arn ?? doc.caller.invokedBy ?? doc.caller.type;
  const groups = (ni.groups ?? []).map((g) => (g.groupName ? `${g.groupId} (${g.groupName})` : g.groupId)).join(', ');
  lines.push(
    '',
    `Interface: ${ni.id} in ${ni.vpcId ?? '?'} / ${ni.subnetId ?? '?'}`,
    ...(ni.attachedInstanceId ? [`Instance:  ${ni.attachedInstanceId}`] : []),
    ...(groups ? [`Groups:    ${groups}`] : []),
    ...(ni.publicIp ? [`Public IP: ${ni.publicIp}`] : []),
    `Caller:    ${who}${doc.caller.sourceIp ? ` from ${doc.caller.sourceIp}` : ''}${doc.caller.viaConsole ? ' (console)' : ''}`,
    ...(doc.actor?.human ? [`Person:    ${doc.actor.human}`] : []),
    `Event:     ${doc.eventName} ${doc.eventId} at ${doc.eventTime}`,
    `Account:   ${doc.account}${doc.accountAlias ? ` (${doc.accountAlias})` : ''}${doc.ou ? ` in ${doc.ou}` : ''} ${doc.region}`,
    `Console:   ${doc.consoleUrl}`,
    ...Object.values(doc.links?.securityGroups ?? {}).map((url) => `           ${url}`),
    ...(doc.links?.instance ? [`           ${doc.links.instance}`] : []),
    ...(doc.links ? [`CloudTrail: ${doc.links.cloudTrailEvent}`] : []),
  );
  if (doc.record?.ledgerId) lines.push(`Ledger:    ${doc.record.ledgerId}${doc.record.ledgerTable ? ` in ${doc.record.ledgerTable}` : ''}`);
  if (doc.truncated) lines.push('', truncationNote(doc.truncated));
  return lines.join('\n');
}

/** The line a cut message ends with: what was left out and where the whole record is. */
export function truncationNote(truncation: AlertTruncation): string {
  const where = pointerText(truncation.fullRecord);
  return `[This message was shortened to fit SNS (${truncation.originalBytes} bytes); ${truncation.omitted.length} part(s) cut. Full record: ${where}]`;
}

/** A record pointer as people read it. */
export function pointerText(pointer: AlertRecordPointer): string {
  const parts = [
    ...(pointer.ledgerId ? [`ledger ${pointer.ledgerId}${pointer.ledgerTable ? ` (table ${pointer.ledgerTable})` : ''}`] : []),
    ...(pointer.windowKey ? [`burst window ${pointer.windowKey}${pointer.burstTable ? ` (table ${pointer.burstTable})` : ''}`] : []),
    ...(pointer.logGroup ? [`log group ${pointer.logGroup}${pointer.eventId ? `, event ${pointer.eventId}` : ''}`] : []),
    ...(!pointer.logGroup && pointer.eventId ? [`the function's log, event ${pointer.eventId}`] : []),
  ];
  return parts.length > 0 ? parts.join('; ') : "the function's log";
}

/** Cuts text to `limit` characters, ending with an ellipsis when cut. */
export function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
