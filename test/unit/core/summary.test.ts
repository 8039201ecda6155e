/**
 * The log summary of untrusted input (lambda/core/summary.ts): JSON as long as the input is small,
 * and past the limits a bounded string that says what it left out, never an exception.
 */
import fc from 'fast-check';
import { summarizeInput } from '../../../lambda/core/summary';

describe('summarizeInput', () => {
  it('reads as JSON for an ordinary event', () => {
    const event = {
      'detail-type': 'AWS API Call via CloudTrail',
      detail: { eventName: 'CreateNetworkInterface', n: [1, -2.5, true, null] },
    };
    expect(summarizeInput(event)).toBe(JSON.stringify(event));
    expect(summarizeInput({})).toBe('{}');
    expect(summarizeInput([])).toBe('[]');
  });

  it('is the JSON of any small JSON value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        fc.pre(JSON.stringify(value).length <= 2000);
        expect(summarizeInput(value)).toBe(JSON.stringify(value));
      }),
    );
  });

  it('shows what JSON cannot: undefined, and the type of functions, symbols and big integers', () => {
    expect(summarizeInput(undefined)).toBe('undefined');
    expect(summarizeInput([undefined, NaN, () => 1, Symbol('s'), 10n])).toBe('[undefined,NaN,<function>,<symbol>,<bigint>]');
    expect(summarizeInput({ a: undefined })).toBe('{"a":undefined}');
  });

  it('cuts strings past 200 characters and says how long they were', () => {
    expect(summarizeInput('x'.repeat(200))).toBe(`"${'x'.repeat(200)}"`);
    expect(summarizeInput('x'.repeat(201))).toBe(`"${'x'.repeat(200)}…(201 chars)"`);
  });

  it('cuts keys past 80 characters', () => {
    expect(summarizeInput({ ['k'.repeat(80)]: 1 })).toBe(`{"${'k'.repeat(80)}":1}`);
    expect(summarizeInput({ ['k'.repeat(81)]: 1 })).toBe(`{"${'k'.repeat(80)}…":1}`);
  });

  it('shows 20 entries of an array or object by default, and counts the rest', () => {
    const range = (n: number) => Array.from({ length: n }, (_, i) => i);
    expect(summarizeInput(range(20))).toBe(JSON.stringify(range(20)));
    expect(summarizeInput(range(23))).toBe(`${JSON.stringify(range(20)).slice(0, -1)},…+3]`);
    const object = (n: number) => Object.fromEntries(range(n).map((i) => [`k${i}`, i]));
    expect(summarizeInput(object(20))).toBe(JSON.stringify(object(20)));
    expect(summarizeInput(object(21))).toBe(`${JSON.stringify(object(20)).slice(0, -1)},…+1 keys}`);
    expect(summarizeInput([1, 2, 3], { maxEntries: 1 })).toBe('[1,…+2]');
    expect(summarizeInput({ a: 1, b: 2, c: 3 }, { maxEntries: 2 })).toBe('{"a":1,"b":2,…+1 keys}');
    expect(summarizeInput([1, 2], { maxEntries: 0 })).toBe('[,…+2]');
  });

  it('shows six levels by default, and the size of what is deeper', () => {
    const nested = (levels: number, inner: unknown): unknown => (levels === 0 ? inner : [nested(levels - 1, inner)]);
    expect(summarizeInput(nested(6, 1))).toBe('[[[[[[1]]]]]]');
    expect(summarizeInput(nested(6, [1, 2]))).toBe('[[[[[[[…2]]]]]]]');
    expect(summarizeInput(nested(6, { a: 1, b: 2 }))).toBe('[[[[[[{…2 keys}]]]]]]');
    expect(summarizeInput({ a: { b: [1] } }, { maxDepth: 1 })).toBe('{"a":{…1 keys}}');
    expect(summarizeInput({ a: { b: [1] } }, { maxDepth: 2 })).toBe('{"a":{"b":[…1]}}');
    expect(summarizeInput([[1]], { maxDepth: 0 })).toBe('[…1]');
  });

  it('stops at 2,000 characters by default and says it cut', () => {
    const long = Array.from({ length: 20 }, () => 'y'.repeat(150));
    const json = JSON.stringify(long);
    expect(json.length).toBeGreaterThan(2000);
    expect(summarizeInput(long)).toBe(`${json.slice(0, 2000)}…(cut)`);
    const fits = [...Array.from({ length: 9 }, () => 'z'.repeat(197)), 'z'.repeat(196)];
    expect(JSON.stringify(fits).length).toBe(2000);
    expect(summarizeInput(fits)).toBe(JSON.stringify(fits));
  });

  it('cuts at exactly the limit: a summary as long as the limit is whole, one piece more is cut', () => {
    expect(summarizeInput([1, 2], { maxLength: 5 })).toBe('[1,2]');
    expect(summarizeInput([1, 2], { maxLength: 4 })).toBe('[1,2…(cut)');
    expect(summarizeInput([1, 2], { maxLength: 2 })).toBe('[1…(cut)');
    expect(summarizeInput({ a: 1, b: 2 }, { maxLength: 6 })).toBe('{"a":1…(cut)');
  });

  it('never throws on an input that cannot be read', () => {
    const keyless = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('no keys');
        },
      },
    );
    expect(summarizeInput({ a: keyless, b: 1 })).toBe('{"a":<unreadable>,"b":1}');
    const trap = {
      get boom(): unknown {
        throw new Error('getter');
      },
      ok: 1,
    };
    expect(summarizeInput(trap)).toBe('{"boom":"<unreadable>","ok":1}');
  });

  it('never recurses: an input nested 100,000 deep is summarized', () => {
    let deep: unknown = 0;
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    expect(summarizeInput(deep)).toBe('{"d":{"d":{"d":{"d":{"d":{"d":{…1 keys}}}}}}}');
  });

  it('is never longer than the limit and its marker, whatever the input (property)', () => {
    fc.assert(
      fc.property(fc.anything(), fc.integer({ min: 0, max: 300 }), (value, maxLength) => {
        expect(summarizeInput(value, { maxLength }).length).toBeLessThanOrEqual(maxLength + '…(cut)'.length);
      }),
    );
  });
});
