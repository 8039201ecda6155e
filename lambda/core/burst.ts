/**
 * Calm during bursts, the pure part. Alerts of the same cause — same account and Region, same caller,
 * same rule, same security group, and the same severity, response and outcome (so every SNS filter
 * policy matches a digest exactly as it would each alert in it) — within one window are held and
 * published as one digest at the window's end, which counts and lists them.
 *
 * - The first alert of a cause in a window is published at once (people hear about a new cause
 *   immediately); only the ones after it are held.
 * - Critical remediations (severity critical, a fix attempted) are never held.
 * - Windows are aligned to the clock (`windowStart`), so every invocation computes the same key.
 */
import type { Alert, AlertDocument, AlertRecordPointer } from './alert';
import { pointerText, primaryFindingOf, SUBJECT_LIMIT, truncate } from './alert';
import type { ChatNotification } from './alert-chat';
import { CHAT_DESCRIPTION_LIMIT, fitLines } from './alert-chat';
import type { MessageDocument, OutboundMessage } from './alert-message';
import { actorOf, callerKind } from './caller';
import type { Caller, Severity } from './model';

/** The window table's sparse index of windows not yet flushed (the stack creates it, the flusher queries it). */
export const PENDING_INDEX = 'pending';

/** The longest window: an hour (a digest later than that is no longer news). */
export const MAX_WINDOW_SECONDS = 3600;

/** What makes alerts "the same cause": one digest per cause and window. */
export interface BurstCause {
  readonly account: string;
  readonly accountAlias?: string;
  readonly region: string;
  /** The caller, as a stable identity: a role for machine sessions, the session for people. */
  readonly caller: string;
  /** The caller as people read it. */
  readonly actor: string;
  readonly rule: string;
  /** The security group of the primary finding, else the interface's groups; `-` for none. */
  readonly group: string;
  readonly severity: Severity;
  readonly response: string;
  readonly outcome: string;
}

/** One held alert, as the digest lists it (the full alert stays in the ledger under `ledgerId`). */
export interface HeldAlert {
  /** Unique per alert: the ledger id, else `eventId/interface`. Holding the same alert twice counts it once. */
  readonly itemId: string;
  readonly eventId: string;
  readonly eventTime: string;
  readonly networkInterfaceId: string;
  readonly ledgerId?: string;
  readonly title: string;
  readonly findings: number;
  readonly instanceId?: string;
  readonly subnetId?: string;
  readonly publicIp?: string;
  readonly heldAt: string;
}

/** A window of one cause. */
export interface BurstWindow {
  readonly windowKey: string;
  readonly cause: BurstCause;
  /** ISO times. */
  readonly start: string;
  readonly end: string;
  /** The alert published at once when the window opened. */
  readonly leading?: HeldAlert;
}

/** The digest document (`kind: "digest"`). */
export interface DigestDocument {
  readonly schemaVersion: string;
  readonly product: 'eni-guard';
  readonly kind: 'digest';
  readonly windowKey: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly account: string;
  readonly accountAlias?: string;
  readonly region: string;
  readonly severity: Severity;
  readonly response: string;
  readonly outcome: string;
  readonly rule: string;
  readonly caller: string;
  readonly actor: string;
  readonly groupId: string;
  /** Alerts in this digest (the leading alert, published on its own, is not counted here). */
  readonly count: number;
  readonly leading?: HeldAlert;
  readonly alerts: readonly HeldAlert[];
  readonly record: AlertRecordPointer;
}

/** True for alerts that are never held: critical findings whose fix was attempted. */
export function isUrgent(alert: Alert): boolean {
  const { severity, response } = alert.document;
  return severity === 'critical' && (response === 'remediated' || response === 'remediation-failed');
}

/** The cause of a decision alert (documents built on it — group changes, sweeps — have their own kind and are never held). */
export function causeOf(alert: Alert): BurstCause | undefined {
  const doc = alert.document;
  if (doc.kind !== undefined && doc.kind !== 'decision') return undefined;
  const finding = primaryFindingOf(doc);
  const groups = (doc.networkInterface.groups ?? []).map((g) => g.groupId).sort();
  return {
    account: doc.account,
    ...(doc.accountAlias ? { accountAlias: doc.accountAlias } : {}),
    region: doc.region,
    caller: callerIdentity(doc.caller),
    actor: doc.actor?.name ?? actorOf(doc.caller),
    rule: alert.attributes.rule,
    group: finding?.groupId ?? (groups.length > 0 ? groups.join(',') : '-'),
    severity: doc.severity,
    response: doc.response,
    outcome: doc.outcome,
  };
}

// Machine sessions are named per instance or per run (`i-…`, `botocore-session-…`): their role is
// the cause. A person's session (SSO, e-mail) is theirs alone.
function callerIdentity(caller: Caller): string {
  const kind = callerKind(caller);
  if (kind === 'assumed-role' && (caller.sessionName?.includes('@') || caller.sessionIssuerArn?.includes('/AWSReservedSSO_'))) {
    return caller.arn ?? caller.sessionIssuerArn ?? caller.type;
  }
  if (caller.sessionIssuerArn) return caller.sessionIssuerArn;
  return caller.arn ?? caller.invokedBy ?? caller.type;
}

/** The start of the window `now` falls in (epoch ms), windows aligned to the epoch. */
export function windowStart(nowMs: number, windowSeconds: number): number {
  const size = windowSeconds * 1000;
  return Math.floor(nowMs / size) * size;
}

/** The key of a cause's window: readable, and the same in every invocation. */
export function windowKeyOf(cause: BurstCause, startMs: number): string {
  return [
    cause.account,
    cause.region,
    cause.rule,
    cause.severity,
    cause.response,
    cause.outcome,
    cause.group,
    cause.caller,
    new Date(startMs).toISOString(),
  ].join('|');
}

/** What the digest keeps of one alert. */
export function heldAlertOf(alert: Alert, now: Date): HeldAlert {
  const doc: AlertDocument = alert.document;
  const finding = primaryFindingOf(doc);
  const ni = doc.networkInterface;
  return {
    itemId: doc.ledgerId ?? `${doc.eventId}/${ni.id}`,
    eventId: doc.eventId,
    eventTime: doc.eventTime,
    networkInterfaceId: ni.id,
    ...(doc.ledgerId ? { ledgerId: doc.ledgerId } : {}),
    title: finding?.title ?? doc.ruleErrors[0]?.message ?? doc.outcome,
    findings: doc.findings.length,
    ...(ni.attachedInstanceId ? { instanceId: ni.attachedInstanceId } : {}),
    ...(ni.subnetId ? { subnetId: ni.subnetId } : {}),
    ...(ni.publicIp ? { publicIp: ni.publicIp } : {}),
    heldAt: now.toISOString(),
  };
}

/** Renders the digest of a window's held alerts (listed oldest first). */
export function renderDigest(
  window: BurstWindow,
  items: readonly HeldAlert[],
  schemaVersion: string,
  where: { readonly burstTable?: string; readonly ledgerTable?: string; readonly logGroup?: string } = {},
): OutboundMessage {
  const { cause } = window;
  const alerts = [...items].sort((a, b) => a.heldAt.localeCompare(b.heldAt) || a.itemId.localeCompare(b.itemId));
  const record: AlertRecordPointer = {
    windowKey: window.windowKey,
    ...(where.burstTable ? { burstTable: where.burstTable } : {}),
    ...(where.ledgerTable ? { ledgerTable: where.ledgerTable } : {}),
    ...(where.logGroup ? { logGroup: where.logGroup } : {}),
  };
  const document: DigestDocument = {
    schemaVersion,
    product: 'eni-guard',
    kind: 'digest',
    windowKey: window.windowKey,
    windowStart: window.start,
    windowEnd: window.end,
    account: cause.account,
    ...(cause.accountAlias ? { accountAlias: cause.accountAlias } : {}),
    region: cause.region,
    severity: cause.severity,
    response: cause.response,
    outcome: cause.outcome,
    rule: cause.rule,
    caller: cause.caller,
    actor: cause.actor,
    groupId: cause.group,
    count: alerts.length,
    ...(window.leading ? { leading: window.leading } : {}),
    alerts,
    record,
  };
  const interfaces = alerts.length === 1 ? '1 more interface' : `${alerts.length} more interfaces`;
  const subject = truncate(
    `[eni-guard] ${cause.severity.toUpperCase()} ${cause.rule} ×${alerts.length} on ${cause.group}: ${cause.response} (digest)`,
    SUBJECT_LIMIT,
  );
  const account = `${cause.account}${cause.accountAlias ? ` (${cause.accountAlias})` : ''} ${cause.region}`;
  const lines = [
    `${cause.severity.toUpperCase()}: ${cause.rule} on ${interfaces} between ${window.start} and ${window.end} — response: ${cause.response}`,
    '',
    `Same cause: caller ${cause.actor}, rule ${cause.rule}, group ${cause.group}.`,
    ...(window.leading
      ? [`The first, ${window.leading.networkInterfaceId} (event ${window.leading.eventId}), was alerted on its own at once.`]
      : []),
    '',
    ...alerts.map(
      (a) =>
        `  ${a.eventTime}  ${a.networkInterfaceId}${a.instanceId ? ` (${a.instanceId})` : ''}${a.subnetId ? ` in ${a.subnetId}` : ''}: ${a.title}${a.findings > 1 ? ` (+${a.findings - 1} more finding(s))` : ''}`,
    ),
    '',
    `Caller:    ${cause.caller}`,
    `Account:   ${account}`,
    `Details:   each interface's full alert is in the remediation ledger under its event id/interface id${where.ledgerTable ? ` (table ${where.ledgerTable})` : ''}; this window: ${pointerText(record)}`,
  ];
  const chat: ChatNotification = {
    version: '1.0',
    source: 'custom',
    id: window.windowKey,
    content: {
      textType: 'client-markdown',
      title: truncate(`${cause.severity.toUpperCase()} ${cause.rule} on ${interfaces} (digest): ${cause.response}`, 250),
      description: fitLines(
        [
          `Same cause within ${window.start} – ${window.end}: caller ${cause.actor}, group \`${cause.group}\`.`,
          ...alerts.map((a) => `• ${a.networkInterfaceId}${a.instanceId ? ` (${a.instanceId})` : ''}: ${a.title}`),
          `*Account* ${account}`,
        ],
        CHAT_DESCRIPTION_LIMIT,
      ),
      keywords: [cause.severity, cause.rule, cause.response, 'digest'],
    },
    metadata: {
      threadId: `${cause.rule}|${cause.group}`,
      summary: `${alerts.length} × ${cause.rule} on ${cause.group}`,
      eventType: 'eni-guard-digest',
      relatedResources: [...(cause.group === '-' ? [] : cause.group.split(',')), ...alerts.slice(0, 20).map((a) => a.networkInterfaceId)],
      additionalContext: { account: cause.account, region: cause.region, count: String(alerts.length) },
    },
  };
  return {
    subject,
    document: document as unknown as MessageDocument,
    text: lines.join('\n'),
    chat,
    attributes: {
      severity: cause.severity,
      outcome: cause.outcome,
      response: cause.response,
      rule: cause.rule,
      account: cause.account,
      region: cause.region,
      kind: 'digest',
    },
    pointer: record,
  };
}
