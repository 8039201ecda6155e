/**
 * Decisions as EventBridge events (lambda/core/decision-event.ts): which decisions become events,
 * and what an event carries — the alert's document as `detail`, cut to fit 256 KiB when it must be,
 * and the interface's ARNs as `resources`. Putting them on a bus is test/unit/adapters/integrations.test.ts.
 */
import Ajv from 'ajv';
import type { AlertDocument } from '../../../lambda/core/alert';
import { decisionEventJsonSchema } from '../../../lambda/core/alert-schema';
import { renderAlert } from '../../../lambda/core/alert';
import type { Outcome } from '../../../lambda/core/decision';
import {
  DECISION_EVENT_DETAIL_BUDGET,
  DECISION_EVENT_DETAIL_TYPE,
  DECISION_EVENT_SOURCE,
  decisionEventOf,
  publishesDecisionEvent,
} from '../../../lambda/core/decision-event';
import { compliant, decided, ENI } from '../../support/decisions';

const BUS = 'arn:aws:events:eu-west-1:123456789012:event-bus/decisions';
const NOW = new Date('2026-11-28T03:00:05.000Z');
const documentOf = (patch: Partial<AlertDocument> = {}): AlertDocument => ({ ...renderAlert(decided()).document, ...patch });

describe('publishesDecisionEvent', () => {
  it.each<[Outcome, boolean]>([
    ['compliant', true],
    ['noncompliant', true],
    ['error', true],
    ['gone', true],
    ['skipped', false],
    ['duplicate', false],
  ])('an interface decided %s → %s', (outcome, published) => {
    expect(publishesDecisionEvent(compliant({ outcome }))).toBe(published);
  });
});

describe('decisionEventOf', () => {
  it('is an eni-guard Decision on the bus, at now, with the alert’s document as detail and the interface’s ARNs as resources', () => {
    const document = documentOf();
    expect(decisionEventOf(document, BUS, NOW)).toStrictEqual({
      Source: 'eni-guard',
      DetailType: 'eni-guard Decision',
      Detail: JSON.stringify(document),
      Resources: [
        `arn:aws:ec2:eu-west-1:123456789012:network-interface/${ENI}`,
        'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1',
        'arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0',
      ],
      Time: NOW,
      EventBusName: BUS,
    });
    expect([DECISION_EVENT_SOURCE, DECISION_EVENT_DETAIL_TYPE]).toEqual(['eni-guard', 'eni-guard Decision']);
  });

  it('names every group, in the interface’s order, and no instance when none is attached', () => {
    const base = documentOf();
    const { attachedInstanceId: _i, ...ni } = base.networkInterface;
    const groups = [{ groupId: 'sg-b' }, { groupId: 'sg-a' }];
    expect(decisionEventOf({ ...base, networkInterface: { ...ni, groups } }, BUS, NOW).Resources).toEqual([
      `arn:aws:ec2:eu-west-1:123456789012:network-interface/${ENI}`,
      'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-b',
      'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-a',
    ]);
    const { groups: _g, ...bare } = ni;
    expect(decisionEventOf({ ...base, networkInterface: bare }, BUS, NOW).Resources).toEqual([
      `arn:aws:ec2:eu-west-1:123456789012:network-interface/${ENI}`,
    ]);
  });

  it('builds the ARNs in the event’s own partition', () => {
    const document = documentOf({ region: 'cn-north-1', account: '210987654321' });
    expect(decisionEventOf(document, 'default', NOW).Resources[0]).toBe(`arn:aws-cn:ec2:cn-north-1:210987654321:network-interface/${ENI}`);
  });

  describe('a document too big for EventBridge', () => {
    // 400 findings: about 350 KB of JSON.
    const big = (patch: Partial<AlertDocument> = {}): AlertDocument => {
      const base = documentOf(patch);
      const finding = base.findings[0]!;
      return {
        ...base,
        findings: Array.from({ length: 400 }, (_, n) => ({ ...finding, title: `${String(n).padStart(4, '0')} ${'x'.repeat(95)}` })),
      };
    };
    const detailOf = (document: AlertDocument) => {
      const detail = decisionEventOf(document, BUS, NOW).Detail;
      return { bytes: Buffer.byteLength(detail), detail: JSON.parse(detail) as AlertDocument };
    };

    it('is cut to the budget, keeping the first findings, and says what was left out and where the whole record is', () => {
      const document = big();
      const { bytes, detail } = detailOf(document);
      expect(Buffer.byteLength(JSON.stringify(document))).toBeGreaterThan(DECISION_EVENT_DETAIL_BUDGET);
      expect(DECISION_EVENT_DETAIL_BUDGET).toBe(253_952);
      expect(bytes).toBeLessThanOrEqual(DECISION_EVENT_DETAIL_BUDGET);
      expect(detail.findings).toEqual(document.findings.slice(0, detail.findings.length));
      expect(detail.truncated).toStrictEqual({
        reason: 'event-size-limit',
        originalBytes: Buffer.byteLength(JSON.stringify(document)),
        omitted: [{ path: 'findings', kept: detail.findings.length, omitted: 400 - detail.findings.length }],
        fullRecord: { ledgerId: document.ledgerId, eventId: document.eventId },
      });
      expect({ ...detail, findings: [], truncated: undefined }).toEqual({ ...document, findings: [], truncated: undefined });
    });

    it('points at the document’s record when it has one, else at the ledger and event, else at the event', () => {
      const record = { ledgerId: 'evt-1/eni-0', ledgerTable: 'Ledger', logGroup: '/aws/lambda/responder', eventId: 'evt-1' };
      expect(detailOf(big({ record })).detail.truncated?.fullRecord).toStrictEqual(record);
      expect(detailOf(big({ ledgerId: undefined })).detail.truncated?.fullRecord).toStrictEqual({ eventId: documentOf().eventId });
    });
  });
});

describe('the registered schema (alert-schema.ts)', () => {
  // What a subscriber receives: the envelope EventBridge builds from the PutEvents entry, the document as detail.
  const delivered = (document: AlertDocument) => {
    const entry = decisionEventOf(document, BUS, NOW);
    return {
      version: '0',
      id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: document.account,
      time: NOW.toISOString(),
      region: document.region,
      resources: entry.Resources,
      detail: JSON.parse(entry.Detail) as unknown,
    };
  };
  // The dialect is draft-04 (EventBridge's registry); Ajv's default dialect reads everything this schema uses.
  const validate = () => {
    const { $schema: _dialect, ...schema } = decisionEventJsonSchema();
    return new Ajv({ allErrors: true, strict: false, formats: { 'date-time': true } }).compile(schema);
  };

  it('admits the events eni-guard puts, for a fix and for a compliant interface', () => {
    const check = validate();
    for (const document of [documentOf(), renderAlert(compliant()).document]) {
      expect(check(delivered(document)) ? 'valid' : check.errors).toBe('valid');
    }
  });

  it('refuses an event of another source or detail type, or without its detail', () => {
    const check = validate();
    const event = delivered(documentOf());
    expect(check({ ...event, source: 'aws.ec2' })).toBe(false);
    expect(check({ ...event, 'detail-type': 'eni-guard Alert' })).toBe(false);
    const { detail: _detail, ...bare } = event;
    expect(check(bare)).toBe(false);
    expect(check({ ...event, detail: { ...(event.detail as object), severity: 'catastrophic' } })).toBe(false);
    expect(decisionEventJsonSchema()).toMatchObject({ $schema: 'http://json-schema.org/draft-04/schema#', title: 'eni-guard Decision' });
  });
});
