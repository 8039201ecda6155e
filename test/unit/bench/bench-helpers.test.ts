import { actionOf } from '../../../scripts/bench/counting-proxy';
import { costPerMillion, cpuScaledMs, PRICES, recommendMemoryMb, usageOf } from '../../../scripts/bench/cost';
import { inlineSchemaKeys } from '../../../scripts/lib/sdk-schema-keys';
import { bytes, markdownTable, ms, ratio, targetsTable } from '../../../scripts/bench/report';
import { median, percentile, round, sum } from '../../../scripts/bench/stats';

describe('bench statistics', () => {
  it.each([
    [[], Number.NaN],
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])('takes the median of %j as %d', (samples, expected) => {
    expect(median(samples)).toBe(expected);
  });

  it('interpolates percentiles between the nearest samples and leaves the input unsorted', () => {
    const samples = [40, 10, 30, 20];
    expect(percentile(samples, 0)).toBe(10);
    expect(percentile(samples, 100)).toBe(40);
    expect(percentile(samples, 90)).toBeCloseTo(37);
    expect(samples).toEqual([40, 10, 30, 20]);
  });

  it('sums and rounds for stable JSON', () => {
    expect(sum([0.1, 0.2, 0.3])).toBeCloseTo(0.6);
    expect(round(1.23456)).toBe(1.23);
    expect(round(1.5, 0)).toBe(2);
  });
});

describe('bench cost model', () => {
  it.each([
    [20, 128],
    [85.3, 128],
    [86, 256],
    [101.9, 256],
    [200, 384],
  ])('recommends %d MiB peak RSS × 1.5 rounded up to 128 MB steps: %d MB', (peak, memory) => {
    expect(recommendMemoryMb(peak)).toBe(memory);
  });

  it('bills compute per started millisecond at the stated arm64 price, plus requests, alerts and ledger writes', () => {
    const none = { publishes: 0, writeUnits: 0, readUnits: 0 };
    const cost = costPerMillion(23.2, 256, none);
    // 24 ms × 0.25 GB × 1M × $0.0000133334 per GB-s = $0.08
    expect(cost.compute).toBeCloseTo(0.08, 6);
    expect(cost.requests).toBe(PRICES.lambdaPerMillionRequests);
    expect(cost.sns + cost.dynamodb).toBe(0);
    const alerted = costPerMillion(23.2, 256, { publishes: 1, writeUnits: 4, readUnits: 0 });
    expect(alerted.total - cost.total).toBeCloseTo(PRICES.snsPerMillionPublishes + 4 * PRICES.dynamodbPerMillionWriteUnits);
  });

  it('counts alerts and sizes DynamoDB writes from the recorded calls', () => {
    const usage = usageOf([
      { action: 'DescribeNetworkInterfaces', requestBytes: 80 },
      { action: 'PutItem', requestBytes: 300 },
      { action: 'PutItem', requestBytes: 2500 },
      { action: 'GetItem', requestBytes: 100 },
      { action: 'Publish', requestBytes: 4000 },
    ]);
    expect(usage).toEqual({ publishes: 1, writeUnits: 4, readUnits: 1 });
  });

  it('stretches only the CPU part of a duration with the memory size, never below one vCPU', () => {
    expect(cpuScaledMs(20, 5, 1769)).toBe(25);
    expect(cpuScaledMs(20, 5, 3538)).toBe(25);
    expect(cpuScaledMs(20, 5, 1769 / 4)).toBe(40);
  });
});

describe('bench report formatting', () => {
  it('pads a Markdown table to its widest cell', () => {
    expect(markdownTable(['a', 'bb'], [['ccc', 'd']])).toBe(['| a   | bb |', '| --- | -- |', '| ccc | d  |'].join('\n'));
  });

  it('judges targets PASS or FAIL', () => {
    const table = targetsTable([
      { id: 'x', target: 'bundle ≤ 1 MB', measured: '0.9 MB', pass: true },
      { id: 'y', target: 'e2e ≤ 1.2×', measured: '1.3×', pass: false },
    ]);
    expect(table).toContain('| bundle ≤ 1 MB | 0.9 MB   | PASS    |');
    expect(table).toContain('| e2e ≤ 1.2×    | 1.3×     | FAIL    |');
  });

  it('formats sizes in decimal MB, times and ratios', () => {
    expect(bytes(1_014_565)).toBe('1,014,565 B (1.01 MB)');
    expect(ms(4.567)).toBe('4.57 ms');
    expect(ms(123.45)).toBe('123.5 ms');
    expect(ms(Number.NaN)).toBe('n/a');
    expect(ratio(1.5)).toBe('1.50×');
    expect(ratio(Number.POSITIVE_INFINITY)).toBe('n/a');
  });
});

describe('bench counting proxy', () => {
  it.each([
    ['a query-protocol form body (EC2, SNS)', {}, '/', 'Action=DescribeNetworkInterfaces&Version=2016-11-15', 'DescribeNetworkInterfaces'],
    ['a query string', {}, '/?Action=Publish', '', 'Publish'],
    ['a JSON-protocol target header', { 'x-amz-target': 'AmazonSQS.ReceiveMessage' }, '/', '{}', 'ReceiveMessage'],
    ['a Smithy RPC v2 path', {}, '/service/GraniteServiceVersion20100801/operation/GetMetricData', '', 'GetMetricData'],
    ['a REST-JSON path (Security Hub)', {}, '/findings/import', '{"Findings":[]}', 'BatchImportFindings'],
    ['nothing it knows', {}, '/', '', '?'],
  ])('names the action of %s', (_what, headers, url, body, action) => {
    expect(actionOf(headers, url, body)).toBe(action);
  });
});

describe('SDK schema-key inlining (bench experiment)', () => {
  it('replaces computed keys that name top-level string constants, and nothing else', () => {
    const source = [
      'const _xN = "xmlName";',
      'const _eQN = "ec2QueryName";',
      'let other = "x";',
      'export var A$ = [3, n0, _A, 0, [_M], [[1, { [_eQN]: `Min`, [_xN]: _m }]]];',
      'var B = { [other]: 1, [_xN]: 2 };',
    ].join('\n');
    const { source: out, replaced } = inlineSchemaKeys(source);
    expect(replaced).toBe(3);
    expect(out).toContain('[[1, { "ec2QueryName": `Min`, "xmlName": _m }]]');
    expect(out).toContain('var B = { [other]: 1, "xmlName": 2 };');
  });
});
