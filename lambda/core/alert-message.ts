/**
 * One SNS message, every rendering of it, and how it fits SNS: the per-protocol body
 * (`MessageStructure: json`), the size SNS counts, and graceful truncation with a pointer to the
 * full record when a message would exceed the limit.
 */
import type { Alert, AlertRecordPointer, AlertTruncation } from './alert';
import { pointerText, truncate } from './alert';
import { type ChatNotification, renderChat } from './alert-chat';

/** SNS's limit for one publish: message body plus message attributes (256 KiB). */
export const SNS_MESSAGE_LIMIT = 262_144;
/** What eni-guard aims for, leaving room for SNS's own accounting of attribute names and types. */
export const SNS_MESSAGE_BUDGET = SNS_MESSAGE_LIMIT - 2_048;
/** E-mail text is cut first, to this many characters, when a message is too big. */
export const EMAIL_TEXT_LIMIT = 64 * 1024;

/** Subscription protocols that may receive the chat rendering instead of the JSON document. */
export const CHAT_PROTOCOLS = ['https', 'http', 'lambda', 'sqs', 'default'] as const;
/** A protocol the chat rendering can be selected for. */
export type ChatProtocol = (typeof CHAT_PROTOCOLS)[number];

/** How a topic's messages are laid out per protocol. */
export interface MessageFormat {
  /**
   * Protocols that get the chat rendering (Amazon Q Developer / AWS Chatbot subscribe over `https`);
   * `default` makes the chat rendering every protocol's message but e-mail (a chat-only topic).
   */
  readonly chatProtocols: readonly ChatProtocol[];
}

/** The JSON document of a message: a decision's or a digest's. */
export type MessageDocument = Readonly<Record<string, unknown>> & { readonly truncated?: AlertTruncation };

/** One message as every subscriber type reads it. */
export interface OutboundMessage {
  readonly subject: string;
  readonly document: MessageDocument;
  /** E-mail. */
  readonly text: string;
  readonly chat: ChatNotification;
  readonly attributes: Readonly<Record<string, string>>;
  /** Where the full record is, should the message have to be cut. */
  readonly pointer: AlertRecordPointer;
}

/** An alert as a message. */
export function messageOfAlert(alert: Alert): OutboundMessage {
  const doc = alert.document;
  return {
    subject: alert.subject,
    document: doc as unknown as MessageDocument,
    text: alert.text,
    chat: renderChat(doc),
    attributes: alert.attributes,
    pointer: doc.record ?? { ...(doc.ledgerId ? { ledgerId: doc.ledgerId } : {}), eventId: doc.eventId },
  };
}

/** The `Message` of a `MessageStructure: json` publish. Protocols without their own key get `default`. */
export function snsBody(message: OutboundMessage, format: MessageFormat): string {
  const json = JSON.stringify(message.document);
  const chat = JSON.stringify(message.chat);
  const chatEverywhere = format.chatProtocols.includes('default');
  // `default` is mandatory on AWS (moto is lenient; we are not). Only keys that differ from it are
  // sent: each copy counts against the 256 KiB limit.
  const body: Record<string, string> = { default: chatEverywhere ? chat : json, email: message.text };
  if (!chatEverywhere) for (const protocol of format.chatProtocols) body[protocol] = chat;
  else body['email-json'] = json;
  return JSON.stringify(body);
}

/** The bytes SNS counts for a publish: the message body, the subject and each attribute's name, type and value. */
export function snsMessageBytes(message: OutboundMessage, format: MessageFormat): number {
  const attributes = Object.entries(message.attributes).reduce(
    (sum, [name, value]) => sum + utf8Bytes(name) + utf8Bytes('String') + utf8Bytes(value),
    0,
  );
  return utf8Bytes(snsBody(message, format)) + utf8Bytes(message.subject) + attributes;
}

/**
 * Returns the message unchanged when it fits `budget`; otherwise cuts it: the e-mail text first (by
 * whole lines), then the document (the largest list halved, then the longest string shortened, until
 * it fits), and says so in both — `truncated` in the document, a closing line in the text — with a
 * pointer to the full record.
 */
export function fitToSns(message: OutboundMessage, format: MessageFormat, budget = SNS_MESSAGE_BUDGET): OutboundMessage {
  const originalBytes = snsMessageBytes(message, format);
  if (originalBytes <= budget) return message;
  const omitted: { path: string; kept: number; omitted: number }[] = [];
  const truncation = (): AlertTruncation => ({ reason: 'sns-size-limit', originalBytes, omitted, fullRecord: message.pointer });
  const note = () =>
    `\n\n[This message was shortened to fit SNS (${originalBytes} bytes); ${omitted.length} part(s) cut. Full record: ${pointerText(message.pointer)}]`;

  let text = message.text;
  if (text.length > EMAIL_TEXT_LIMIT) {
    text = cutLines(text, EMAIL_TEXT_LIMIT);
    omitted.push({ path: 'email', kept: text.length, omitted: message.text.length - text.length });
  }
  const doc = structuredClone(message.document) as Record<string, unknown>;
  const current = (): OutboundMessage => ({
    ...message,
    document: { ...doc, truncated: truncation() },
    text: `${text}${note()}`,
    chat: { ...message.chat, content: { ...message.chat.content, nextSteps: chatSteps(message) } },
  });
  for (let guard = 0; guard < 10_000 && snsMessageBytes(current(), format) > budget; guard++) {
    if (!shrinkOnce(doc, omitted)) {
      // Nothing left to cut in the document (pathological): the text goes down to a summary.
      text = cutLines(text, 4_096);
      omitted.push({ path: 'email', kept: text.length, omitted: message.text.length - text.length });
      break;
    }
  }
  return current();
}

/**
 * The document alone, cut the way `fitToSns` cuts it (largest list halved, then the longest string)
 * until its JSON takes at most `budget` bytes, saying so in `truncated`. For channels that carry only
 * the document (EventBridge decision events: 256 KiB per entry).
 */
export function fitDocument(
  document: MessageDocument,
  pointer: AlertRecordPointer,
  budget: number,
  reason: AlertTruncation['reason'] = 'event-size-limit',
): MessageDocument {
  const originalBytes = utf8Bytes(JSON.stringify(document));
  if (originalBytes <= budget) return document;
  const omitted: { path: string; kept: number; omitted: number }[] = [];
  const doc = structuredClone(document) as Record<string, unknown>;
  const current = (): MessageDocument => ({ ...doc, truncated: { reason, originalBytes, omitted, fullRecord: pointer } });
  for (let guard = 0; guard < 10_000 && utf8Bytes(JSON.stringify(current())) > budget; guard++) if (!shrinkOnce(doc, omitted)) break;
  return current();
}

function chatSteps(message: OutboundMessage): readonly string[] {
  return [...(message.chat.content.nextSteps ?? []), `Shortened to fit SNS; full record: ${pointerText(message.pointer)}`];
}

/** Halves the largest list (by serialized size) or, when no list has two items, shortens the longest string. */
function shrinkOnce(doc: Record<string, unknown>, omitted: { path: string; kept: number; omitted: number }[]): boolean {
  let largest:
    { path: string; holder: Record<string, unknown> | unknown[]; key: string | number; size: number; length: number } | undefined;
  let longest: { path: string; holder: Record<string, unknown> | unknown[]; key: string | number; length: number } | undefined;
  const visit = (value: unknown, path: string, holder: Record<string, unknown> | unknown[], key: string | number) => {
    if (Array.isArray(value)) {
      if (value.length > 1) {
        const size = JSON.stringify(value).length;
        if (!largest || size > largest.size) largest = { path, holder, key, size, length: value.length };
      }
      value.forEach((item, i) => visit(item, `${path}[${i}]`, value, i));
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) visit(v, `${path}.${k}`, value as Record<string, unknown>, k);
    } else if (typeof value === 'string' && value.length > 200 && (!longest || value.length > longest.length)) {
      longest = { path, holder, key, length: value.length };
    }
  };
  for (const [k, v] of Object.entries(doc)) visit(v, k, doc, k);
  // A list is worth halving when it is at least as big as the longest string.
  if (largest && (!longest || largest.size >= longest.length)) {
    const list = (largest.holder as Record<string | number, unknown[]>)[largest.key]!;
    const kept = Math.ceil(list.length / 2);
    (largest.holder as Record<string | number, unknown>)[largest.key] = list.slice(0, kept);
    record(omitted, largest.path, kept, list.length - kept);
    return true;
  }
  if (longest) {
    const value = (longest.holder as Record<string | number, string>)[longest.key]!;
    const kept = Math.max(100, Math.floor(value.length / 2));
    (longest.holder as Record<string | number, unknown>)[longest.key] = truncate(value, kept);
    record(omitted, longest.path, kept, value.length - kept);
    return true;
  }
  return false;
}

// A list halved several times is one entry: what was kept in the end, and how much was left out in all.
function record(omitted: { path: string; kept: number; omitted: number }[], path: string, kept: number, cut: number): void {
  const existing = omitted.find((o) => o.path === path);
  if (existing) {
    existing.omitted += cut;
    existing.kept = kept;
  } else omitted.push({ path, kept, omitted: cut });
}

function cutLines(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const cut = text.slice(0, limit);
  const end = cut.lastIndexOf('\n');
  const kept = end > limit / 2 ? cut.slice(0, end) : cut;
  // What follows the kept lines: past the newline that ended them (or the rest of a line cut in two).
  const rest = text.slice(kept.length).replace(/^\n/, '').split('\n').length;
  return `${kept}\n… ${rest} more line(s) cut`;
}

function utf8Bytes(text: string): number {
  // TextEncoder is a web-platform global in Node.js: no I/O, no import.
  return new TextEncoder().encode(text).length;
}
