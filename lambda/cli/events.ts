/**
 * Reads the events to replay: a file, a directory (recursively, in name order) or standard input;
 * one JSON document, a JSON array, or JSON lines; gzip (`.gz`) as CloudTrail writes its logs. The
 * containers AWS hands events out in are opened: a CloudTrail log file (`Records`), `aws
 * cloudtrail lookup-events` output (`Events[].CloudTrailEvent`), `aws sqs receive-message` output
 * from the dead-letter queue (`Messages[].Body`) and Lambda's failure record (`requestPayload`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { JsonSyntaxError, parseJson } from '../core/json';
import { CliError, messageOf, type CliIo } from './command';

/** One event and where it came from (`file`, `file:LINE`, `file[INDEX]`, …), for messages. */
export interface SourcedEvent {
  readonly source: string;
  readonly event: unknown;
}

const EVENT_FILE = /\.(json|jsonl|ndjson)(\.gz)?$/i;

/** Reads every event named by `paths` (`-` is standard input). Throws `CliError` naming the file for anything unreadable. */
export async function readEvents(paths: readonly string[], io: CliIo): Promise<SourcedEvent[]> {
  const events: SourcedEvent[] = [];
  for (const path of paths) {
    if (path === '-') {
      events.push(...parseEventText(await io.stdin(), '(stdin)'));
      continue;
    }
    const absolute = resolve(io.cwd, path);
    let isDirectory: boolean;
    try {
      isDirectory = statSync(absolute).isDirectory();
    } catch (error) {
      throw new CliError(`cannot read events from ${path}: ${messageOf(error)}`);
    }
    if (isDirectory) {
      const files = listEventFiles(absolute);
      if (files.length === 0) throw new CliError(`no event files (*.json, *.jsonl, *.ndjson, optionally .gz) in directory ${path}`);
      for (const file of files) {
        const label = join(path, relative(absolute, file));
        events.push(...parseEventText(readText(file, label), label));
      }
    } else {
      events.push(...parseEventText(readText(absolute, path), path));
    }
  }
  return events;
}

function listEventFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: false }) as string[])
    .filter((name) => EVENT_FILE.test(name))
    .map((name) => join(dir, name))
    .filter((file) => statSync(file).isFile())
    .sort();
}

function readText(file: string, label: string): string {
  try {
    const bytes = readFileSync(file);
    return (file.toLowerCase().endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  } catch (error) {
    throw new CliError(`cannot read events from ${label}: ${messageOf(error)}`);
  }
}

/** Parses one file's text: a JSON document, or JSON lines. Syntax errors say `FILE:LINE:COLUMN`. */
export function parseEventText(text: string, source: string): SourcedEvent[] {
  // Only the BOM goes: trimming leading blank lines would shift every line number an error reports.
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw new CliError(`${source}: empty: expected an event as JSON, a JSON array or JSON lines`);
  let whole: unknown;
  try {
    whole = parseJson(body);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return parseJsonLines(body, source, error);
  }
  return unwrap(whole, source);
}

/** JSON lines; when even the first line is not JSON, the file was meant as one document and its own error is the useful one. */
function parseJsonLines(body: string, source: string, documentError: JsonSyntaxError): SourcedEvent[] {
  const events: SourcedEvent[] = [];
  lines(body).forEach(({ text: line, number, indent }, index) => {
    let value: unknown;
    try {
      value = parseJson(line);
    } catch (error) {
      if (!(error instanceof JsonSyntaxError)) throw error;
      if (index === 0) {
        throw new CliError(`${source}:${documentError.line}:${documentError.column}: not valid JSON: ${documentError.reason}`);
      }
      throw new CliError(
        `${source}:${number}:${indent + error.column}: not valid JSON (read as JSON lines, one event per line): ${error.reason}`,
      );
    }
    events.push(...unwrap(value, `${source}:${number}`));
  });
  return events;
}

function lines(body: string): { text: string; number: number; indent: number }[] {
  return body
    .split(/\r?\n/)
    .map((text, index) => ({ text: text.trim(), number: index + 1, indent: text.length - text.trimStart().length }))
    .filter((line) => line.text !== '');
}

/** Opens the containers events come in; anything else is an event (the parser judges it). */
function unwrap(value: unknown, source: string): SourcedEvent[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => unwrap(item, `${source}[${index}]`));
  if (typeof value !== 'object' || value === null) return [{ source, event: value }];
  const object = value as Record<string, unknown>;
  // A CloudTrail log file (S3): {"Records": [record, …]}.
  if (Array.isArray(object['Records']))
    return (object['Records'] as unknown[]).map((event, index) => ({ source: `${source} Records[${index}]`, event }));
  // aws cloudtrail lookup-events: {"Events": [{"CloudTrailEvent": "<record as a JSON string>"}, …]}.
  if (Array.isArray(object['Events'])) {
    return (object['Events'] as unknown[]).flatMap((item, index) =>
      unwrapString((item as Record<string, unknown> | null)?.['CloudTrailEvent'], `${source} Events[${index}].CloudTrailEvent`),
    );
  }
  // aws sqs receive-message (the dead-letter queue): {"Messages": [{"Body": "<event as a JSON string>"}, …]}.
  if (Array.isArray(object['Messages'])) {
    return (object['Messages'] as unknown[]).flatMap((item, index) =>
      unwrapString((item as Record<string, unknown> | null)?.['Body'], `${source} Messages[${index}].Body`),
    );
  }
  // Lambda's asynchronous-invocation failure record: the event is `requestPayload`.
  if ('requestPayload' in object && 'requestContext' in object) return unwrap(object['requestPayload'], `${source} requestPayload`);
  return [{ source, event: value }];
}

function unwrapString(text: unknown, source: string): SourcedEvent[] {
  if (typeof text !== 'string') throw new CliError(`${source}: expected the event as a JSON string, got ${typeof text}`);
  try {
    return unwrap(JSON.parse(text), source);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${source}: not valid JSON: ${messageOf(error)}`);
  }
}
