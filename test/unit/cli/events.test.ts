/** Reading events: files, directories, JSON lines, gzip, stdin, and the containers AWS hands events out in. */
import { gzipSync } from 'node:zlib';
import { CliError, type CliIo } from '../../../lambda/cli/command';
import { parseEventText, readEvents } from '../../../lambda/cli/events';
import { tempDir, writeFiles } from './io';

const record = (id: string) => ({ eventID: id, eventName: 'CreateNetworkInterface', eventSource: 'ec2.amazonaws.com' });
const envelope = (id: string) => ({ 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', detail: record(id) });
const io = (cwd: string, stdin = ''): CliIo => ({
  stdout: () => undefined,
  stderr: () => undefined,
  env: {},
  cwd,
  stdin: () => Promise.resolve(stdin),
});
const ids = (events: { event: unknown }[]) =>
  events.map(({ event }) => {
    const e = event as { eventID?: string; detail?: { eventID: string } };
    return e.eventID ?? e.detail?.eventID;
  });

describe('readEvents', () => {
  it('reads one event from a file, an EventBridge envelope or a raw CloudTrail record', async () => {
    const dir = writeFiles(tempDir(), { 'a.json': envelope('a'), 'b.json': record('b') });
    const events = await readEvents(['a.json', 'b.json'], io(dir));
    expect(events).toEqual([
      { source: 'a.json', event: envelope('a') },
      { source: 'b.json', event: record('b') },
    ]);
  });

  it('reads a JSON array and JSON lines, labelling each event with its index or line', async () => {
    const dir = writeFiles(tempDir(), {
      'array.json': [record('1'), record('2')],
      'lines.jsonl': `${JSON.stringify(record('3'))}\n\n${JSON.stringify(envelope('4'))}\n`,
    });
    const events = await readEvents(['array.json', 'lines.jsonl'], io(dir));
    expect(events.map((e) => e.source)).toEqual(['array.json[0]', 'array.json[1]', 'lines.jsonl:1', 'lines.jsonl:3']);
    expect(ids(events)).toEqual(['1', '2', '3', '4']);
  });

  it('reads a directory recursively in name order, only event files, and gzip', async () => {
    const dir = writeFiles(tempDir(), {
      'events/b.json': record('b'),
      'events/a/z.jsonl': JSON.stringify(record('az')),
      'events/README.md': '# not an event',
      'events/c.json.gz': gzipSync(JSON.stringify({ Records: [record('c1'), record('c2')] })),
    });
    const events = await readEvents(['events'], io(dir));
    expect(events.map((e) => e.source)).toEqual([
      'events/a/z.jsonl',
      'events/b.json',
      'events/c.json.gz Records[0]',
      'events/c.json.gz Records[1]',
    ]);
  });

  it('reads standard input for -', async () => {
    const events = await readEvents(['-'], io(tempDir(), JSON.stringify(record('stdin'))));
    expect(events).toEqual([{ source: '(stdin)', event: record('stdin') }]);
  });

  it.each([
    ['a missing file', 'nowhere.json', {}, /cannot read events from nowhere\.json: ENOENT/],
    ['an empty directory', 'empty', { 'empty/notes.txt': 'x' }, /no event files .* in directory empty/],
    ['an empty file', 'e.json', { 'e.json': '  \n' }, /e\.json: empty/],
    [
      'a broken document, at its line and column',
      'bad.json',
      { 'bad.json': '\n{\n  "eventID": "x",\n  "detail": { "a": 1 "b": 2 }\n}\n' },
      /^bad\.json:4:22: not valid JSON: expected ',' or '}' after the property value, found "\\""/,
    ],
    [
      'a document cut short',
      'cut.json',
      { 'cut.json': '{\n  "eventID": "x",\n' },
      /^cut\.json:3:1: not valid JSON: expected a property name/,
    ],
    [
      'a broken line of JSON lines',
      'bad.jsonl',
      { 'bad.jsonl': `${JSON.stringify(record('1'))}\n{oops\n` },
      /^bad\.jsonl:2:2: not valid JSON \(read as JSON lines, one event per line\): expected a property name in double quotes, found "o"/,
    ],
    ['a corrupt gzip file', 'x.json.gz', { 'x.json.gz': 'not gzip' }, /cannot read events from x\.json\.gz: /],
  ])('names the file for %s', async (_name, path, files, message) => {
    const dir = writeFiles(tempDir(), files);
    const failure = readEvents([path], io(dir));
    await expect(failure).rejects.toBeInstanceOf(CliError);
    await expect(failure).rejects.toThrow(message);
  });
});

describe('the containers events come in', () => {
  it('opens a CloudTrail log file (Records)', () => {
    expect(parseEventText(JSON.stringify({ Records: [record('r')] }), 'log.json')).toEqual([
      { source: 'log.json Records[0]', event: record('r') },
    ]);
  });

  it('opens aws cloudtrail lookup-events output (Events[].CloudTrailEvent, a JSON string)', () => {
    const text = JSON.stringify({ Events: [{ EventId: 'x', CloudTrailEvent: JSON.stringify(record('l')) }] });
    expect(parseEventText(text, 'lookup.json')).toEqual([{ source: 'lookup.json Events[0].CloudTrailEvent', event: record('l') }]);
  });

  it('opens aws sqs receive-message output from the dead-letter queue, including Lambda failure records', () => {
    const failure = {
      version: '1.0',
      requestContext: { condition: 'RetriesExhausted' },
      requestPayload: envelope('f'),
      responsePayload: {},
    };
    const text = JSON.stringify({ Messages: [{ Body: JSON.stringify(envelope('e')) }, { Body: JSON.stringify(failure) }] });
    expect(parseEventText(text, 'dlq.json')).toEqual([
      { source: 'dlq.json Messages[0].Body', event: envelope('e') },
      { source: 'dlq.json Messages[1].Body requestPayload', event: envelope('f') },
    ]);
  });

  it('passes anything else through for the parser to judge', () => {
    expect(parseEventText('42', 'n.json')).toEqual([{ source: 'n.json', event: 42 }]);
  });

  it('names the place of a container entry that is not a JSON string', () => {
    expect(() => parseEventText(JSON.stringify({ Events: [{ CloudTrailEvent: '{nope' }] }), 'l.json')).toThrow(
      /l\.json Events\[0\]\.CloudTrailEvent: not valid JSON/,
    );
  });
});
