/**
 * The Security Hub and EventBridge sinks over mocked SDK clients: the requests they send, what they
 * do with partial failures, and what they record. `BatchUpdateFindings` (the RESOLVED workflow) is
 * asserted here because moto does not implement it; the moto tests assert the findings themselves.
 */
import { BatchImportFindingsCommand, BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EventBridgeDecisions } from '../../../lambda/adapters/decision-events';
import { SecurityHubFindings, type FindingStateStore } from '../../../lambda/adapters/security-hub';
import { SinkDeliveryError, type Place } from '../../../lambda/app/ports';
import type { OpenFindings } from '../../../lambda/core/asff';
import type { MetricPoint } from '../../../lambda/core/metrics';
import { RULES } from '../../../lambda/core/rules/index';
import { compliant, decided, ENI, NOTIFY_ALL } from '../../support/decisions';

const securityHub = mockClient(SecurityHubClient);
const eventBridge = mockClient(EventBridgeClient);
const PRODUCT = 'arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default';
const ALL_RULES = new Set(RULES.map((r) => r.id));

/** The open-findings record, in memory, kept like DynamoFindingState: a put older than the record's is refused. */
class MemoryState implements FindingStateStore {
  readonly records = new Map<string, OpenFindings>();
  readonly stamps = new Map<string, string>();
  puts = 0;
  get(place: Place, eni: string) {
    return Promise.resolve(this.records.get(`${place.account}/${place.region}/${eni}`) ?? {});
  }
  put(place: Place, eni: string, open: OpenFindings, now: Date) {
    const key = `${place.account}/${place.region}/${eni}`;
    const stamp = this.stamps.get(key);
    if (stamp !== undefined && stamp >= now.toISOString()) return Promise.resolve(false);
    this.puts += 1;
    this.records.set(key, open);
    this.stamps.set(key, now.toISOString());
    return Promise.resolve(true);
  }
}

const recorded: MetricPoint[] = [];
const metrics = { record: (points: readonly MetricPoint[]) => void recorded.push(...points) };

beforeEach(() => {
  securityHub.reset();
  eventBridge.reset();
  recorded.length = 0;
  securityHub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
  securityHub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

const sink = (state = new MemoryState()) =>
  new SecurityHubFindings(new SecurityHubClient({ region: 'eu-west-1' }), state, { enabledRules: ALL_RULES, metrics, backoffMs: 1 });

describe('Security Hub sink', () => {
  it('imports the findings, records what is open, and counts them by status', async () => {
    const state = new MemoryState();
    await sink(state).decided(decided({ policy: NOTIFY_ALL }));
    expect(securityHub).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 1);
    const input = securityHub.commandCalls(BatchImportFindingsCommand)[0]!.args[0].input;
    expect(input.Findings!.map((f) => [f.Id, f.ProductArn, f.Compliance?.Status])).toEqual([
      [`eni-guard/123456789012/eu-west-1/${ENI}/world-open-ingress`, PRODUCT, 'FAILED'],
      [`eni-guard/123456789012/eu-west-1/${ENI}/public-ip`, PRODUCT, 'FAILED'],
    ]);
    expect(securityHub).not.toHaveReceivedCommand(BatchUpdateFindingsCommand);
    expect(Object.keys([...state.records.values()][0]!)).toEqual(['world-open-ingress', 'public-ip']);
    expect(recorded).toEqual([{ name: 'SecurityHubFindings', unit: 'Count', value: 2, dimensions: { Status: 'failed' } }]);
  });

  it('records a second decision made within the same millisecond as later, so the finding is still resolved', async () => {
    const state = new MemoryState();
    const at = new Date('2026-12-02T07:00:00.000Z');
    const frozen = new SecurityHubFindings(new SecurityHubClient({ region: 'eu-west-1' }), state, {
      enabledRules: ALL_RULES,
      metrics,
      backoffMs: 1,
      now: () => at,
    });
    await frozen.decided(decided({ policy: NOTIFY_ALL }));
    await frozen.decided(compliant());
    expect(state.records.size).toBe(1);
    expect([...state.records.values()][0]).toEqual({});
    expect(securityHub.commandCalls(BatchUpdateFindingsCommand)).toHaveLength(1);
  });

  it('resolves on a later compliant decision: PASSED re-import, then Workflow RESOLVED and nothing else on the same ids', async () => {
    const state = new MemoryState();
    // One container's sink, deciding one after the other (two sinks in the same millisecond would be two concurrent containers).
    const one = sink(state);
    await one.decided(decided({ policy: NOTIFY_ALL }));
    await one.decided(compliant());
    const update = securityHub.commandCalls(BatchUpdateFindingsCommand)[0]!.args[0].input;
    expect(update).toEqual({
      FindingIdentifiers: [
        { Id: `eni-guard/123456789012/eu-west-1/${ENI}/world-open-ingress`, ProductArn: PRODUCT },
        { Id: `eni-guard/123456789012/eu-west-1/${ENI}/public-ip`, ProductArn: PRODUCT },
      ],
      Workflow: { Status: 'RESOLVED' },
    });
    const reimport = securityHub.commandCalls(BatchImportFindingsCommand)[1]!.args[0].input;
    expect(reimport.Findings!.map((f) => f.Compliance?.Status)).toEqual(['PASSED', 'PASSED']);
    expect([...state.records.values()][0]).toEqual({});
  });

  it('resolves nothing when a later decision recorded the interface first (Security Hub keeps the later one too)', async () => {
    const state = new MemoryState();
    const at = (iso: string) => () => new Date(iso);
    // Decided later, finished first: the finding is open as of 03:00:05.
    await new SecurityHubFindings(new SecurityHubClient({ region: 'eu-west-1' }), state, {
      enabledRules: ALL_RULES,
      now: at('2026-11-28T03:00:05Z'),
    }).decided(decided({ policy: NOTIFY_ALL }));
    // Decided earlier (compliant, before someone re-opened SSH), finished last.
    await new SecurityHubFindings(new SecurityHubClient({ region: 'eu-west-1' }), state, {
      enabledRules: ALL_RULES,
      now: at('2026-11-28T03:00:04Z'),
      metrics,
    }).decided(compliant());
    expect(securityHub).not.toHaveReceivedCommand(BatchUpdateFindingsCommand);
    expect(Object.keys([...state.records.values()][0]!)).toEqual(['world-open-ingress', 'public-ip']);
    expect(recorded).toEqual([]);
  });

  it('makes one read and no Security Hub call for a compliant interface with nothing open', async () => {
    const state = new MemoryState();
    await sink(state).decided(compliant());
    expect(securityHub.calls()).toHaveLength(0);
    expect(state.puts).toBe(0);
  });

  it('retries findings Security Hub failed with a transient code, and only those', async () => {
    securityHub
      .on(BatchImportFindingsCommand)
      .resolvesOnce({
        FailedCount: 1,
        SuccessCount: 1,
        FailedFindings: [
          { Id: `eni-guard/123456789012/eu-west-1/${ENI}/public-ip`, ErrorCode: 'InternalException', ErrorMessage: 'try again' },
        ],
      })
      .resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
    await sink().decided(decided({ policy: NOTIFY_ALL }));
    const calls = securityHub.commandCalls(BatchImportFindingsCommand);
    expect(calls.map((c) => c.args[0].input.Findings!.map((f) => f.GeneratorId))).toEqual([
      ['world-open-ingress', 'public-ip'],
      ['public-ip'],
    ]);
  });

  it('raises the findings it could not import (logged by the sinks), and records nothing so the next decision tries again', async () => {
    securityHub.on(BatchImportFindingsCommand).resolves({
      FailedCount: 2,
      SuccessCount: 0,
      FailedFindings: [
        {
          Id: `eni-guard/123456789012/eu-west-1/${ENI}/world-open-ingress`,
          ErrorCode: 'InvalidAccess',
          ErrorMessage: 'Security Hub is not enabled',
        },
        {
          Id: `eni-guard/123456789012/eu-west-1/${ENI}/public-ip`,
          ErrorCode: 'InvalidAccess',
          ErrorMessage: 'Security Hub is not enabled',
        },
      ],
    });
    const state = new MemoryState();
    const failure = await sink(state)
      .decided(decided({ policy: NOTIFY_ALL }))
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SinkDeliveryError);
    expect((failure as SinkDeliveryError).message).toMatch(
      /2 of 2 finding\(s\) not imported: .*InvalidAccess: Security Hub is not enabled/,
    );
    expect((failure as SinkDeliveryError).undelivered).toMatchObject({
      findings: [{ GeneratorId: 'world-open-ingress' }, { GeneratorId: 'public-ip' }],
    });
    expect(securityHub).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 1);
    expect(state.puts).toBe(0);
  });
});

describe('decision-event sink', () => {
  const events = () =>
    new EventBridgeDecisions(new EventBridgeClient({ region: 'eu-west-1' }), {
      eventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/default',
      metrics,
      backoffMs: 1,
    });

  it('puts the alert document as the detail of an eni-guard Decision event, with the interface’s ARNs as resources', async () => {
    await events().decided(decided());
    const [entry] = eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries!;
    expect(entry).toMatchObject({
      Source: 'eni-guard',
      DetailType: 'eni-guard Decision',
      EventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/default',
      Resources: [
        `arn:aws:ec2:eu-west-1:123456789012:network-interface/${ENI}`,
        'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1',
        'arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0',
      ],
    });
    expect(JSON.parse(entry!.Detail!)).toMatchObject({
      schemaVersion: '2',
      kind: 'decision',
      outcome: 'noncompliant',
      response: 'remediated',
    });
    expect(recorded).toEqual([{ name: 'DecisionEvents', unit: 'Count', value: 1, dimensions: {} }]);
  });

  it('puts compliant decisions too, but not interfaces AWS services own', async () => {
    await events().decided(compliant());
    await events().decided(compliant({ outcome: 'skipped', reason: 'requester-managed: …' }));
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  it('sends an entry EventBridge throttled again (PutEvents succeeds as a call when an entry fails)', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-2' }] });
    await events().decided(decided());
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
  });

  it('raises an entry that keeps failing, with the entry, instead of swallowing it', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDeniedException', ErrorMessage: 'no' }] });
    const failure = (await events()
      .decided(decided())
      .catch((e: unknown) => e)) as SinkDeliveryError;
    expect(failure).toBeInstanceOf(SinkDeliveryError);
    expect(failure.message).toMatch(/AccessDeniedException: no/);
    expect(failure.undelivered).toMatchObject({ entries: [{ DetailType: 'eni-guard Decision' }] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(recorded).toEqual([]);
  });
});
