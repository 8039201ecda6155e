/**
 * The chat rendering: an Amazon Q Developer in chat applications (formerly AWS Chatbot) custom
 * notification — `version: "1.0"`, `source: "custom"`, `content` (client-markdown title,
 * description, next steps, keywords) and `metadata` (thread, summary, event type, related resources).
 */
import type { AlertDocument } from './alert';
import { pointerText, primaryFindingOf, primaryRuleOf, truncate } from './alert';

/** An Amazon Q Developer / AWS Chatbot custom notification. */
export interface ChatNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id?: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps?: readonly string[];
    readonly keywords?: readonly string[];
  };
  readonly metadata?: {
    readonly threadId?: string;
    readonly summary?: string;
    readonly eventType?: string;
    readonly relatedResources?: readonly string[];
    readonly additionalContext?: Readonly<Record<string, string>>;
  };
}

/** Chat messages are read on phones: the description stays short (our cap, well inside Slack's and Teams' limits). */
export const CHAT_DESCRIPTION_LIMIT = 3500;
const CHAT_TITLE_LIMIT = 250;

const ICON: Record<string, string> = { critical: ':red_circle:', high: ':large_orange_circle:', medium: ':large_yellow_circle:' };

/** Renders a decision document for chat. */
export function renderChat(doc: AlertDocument): ChatNotification {
  const primary = primaryRuleOf(doc) ?? doc.outcome;
  const finding = primaryFindingOf(doc);
  const ni = doc.networkInterface;
  const account = `${doc.accountAlias ? `${doc.accountAlias} (${doc.account})` : doc.account}${doc.ou ? ` in ${doc.ou}` : ''}`;
  const lines = [
    ...doc.findings.map((f) => `• *${f.severity}* \`${f.ruleId}\`: ${f.title}`),
    ...doc.ruleErrors.map((e) => `• *error* \`${e.ruleId}\` could not be evaluated: ${e.message}`),
    ...doc.results.map(
      (r) =>
        `• ${r.status === 'succeeded' ? (r.verified ? ':white_check_mark: done, verified' : ':warning: done, NOT verified') : ':x: failed'}: ${r.summary}`,
    ),
    ...(doc.plan?.withheld ?? []).map((w) => `• :hand: not remediated (\`${w.ruleId}\`): ${w.reason}`),
    ...doc.exemptions.used.map((e) => `• exempted \`${e.ruleId}\` by ${e.exemptionId} (${e.owner}, until ${e.expires})`),
    `*Interface* <${doc.consoleUrl}|${ni.id}> in ${ni.vpcId ?? '?'} / ${ni.subnetId ?? '?'}${ni.attachedInstanceId ? `, instance ${ni.attachedInstanceId}` : ''}`,
    `*Caller* ${doc.actor?.name ?? doc.caller.arn ?? doc.caller.type}${doc.caller.sourceIp ? ` from ${doc.caller.sourceIp}` : ''}`,
    `*Account* ${account} ${doc.region} · event ${doc.eventId}`,
  ];
  const nextSteps = [
    ...(doc.undoCommand ? [`Undo: \`${doc.undoCommand}\``] : []),
    ...(doc.response === 'notified' || doc.response === 'dry-run' ? [`Review the interface: ${doc.consoleUrl}`] : []),
    ...(doc.response === 'remediation-failed' ? ['The fix failed or did not verify: fix it by hand, see the e-mail or JSON alert'] : []),
    ...(doc.truncated ? [`Full record: ${pointerText(doc.truncated.fullRecord)}`] : []),
  ];
  return {
    version: '1.0',
    source: 'custom',
    id: `${doc.eventId}/${ni.id}`,
    content: {
      textType: 'client-markdown',
      title: truncate(
        `${ICON[doc.severity] ?? ':white_circle:'} ${doc.severity.toUpperCase()} ${primary} on ${ni.id}: ${doc.response}`,
        CHAT_TITLE_LIMIT,
      ),
      description: fitLines(lines, CHAT_DESCRIPTION_LIMIT),
      ...(nextSteps.length > 0 ? { nextSteps } : {}),
      keywords: [doc.severity, primary, doc.response, doc.region].filter((k) => k !== undefined),
    },
    metadata: {
      // Threads per interface: a later alert about it lands under the first.
      threadId: ni.id,
      summary: truncate(finding ? `${primary}: ${finding.title}` : `${primary} on ${ni.id}`, CHAT_TITLE_LIMIT),
      eventType: 'eni-guard-alert',
      relatedResources: [ni.id, ...(ni.groups ?? []).map((g) => g.groupId), ...(ni.attachedInstanceId ? [ni.attachedInstanceId] : [])],
      additionalContext: { account: doc.account, region: doc.region, severity: doc.severity, response: doc.response },
    },
  };
}

/** Joins lines up to `limit` characters; what does not fit is counted, never cut mid-line. */
export function fitLines(lines: readonly string[], limit: number): string {
  const kept: string[] = [];
  let size = 0;
  for (const [index, line] of lines.entries()) {
    const more = `… and ${lines.length - index} more line(s)`;
    if (size + line.length + 1 + more.length > limit && index < lines.length - 1) {
      kept.push(more);
      break;
    }
    kept.push(truncate(line, limit - more.length - 1));
    size += line.length + 1;
  }
  return kept.join('\n');
}
