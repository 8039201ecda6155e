/**
 * Alert delivery against moto: SNS filter policies on the message attributes, delivery to SQS,
 * truncation of an oversized alert, and a 500-event burst through the window table (DynamoDB) and
 * the flusher — counting the messages sent and checking that no alert was dropped.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { BurstAlerts, BurstFlusher, DynamoBurstStore } from '../../lambda/adapters/burst';
import { SnsAlertPublisher } from '../../lambda/adapters/sns';
import { alertOf } from '../../lambda/core/alert';
import { SNS_MESSAGE_LIMIT } from '../../lambda/core/alert-message';
import { PENDING_INDEX } from '../../lambda/core/burst';
import { assertMotoInstalled, startMoto, type Moto } from '../../scripts/lib/moto';
import { EMULATOR_ENV } from '../../scripts/lib/sandbox';
import { alertFor } from '../support/alerts';
import { oneRequestAtATime } from '../support/moto-dynamodb';

let moto: Moto;
let sns: SNSClient;
let sqs: SQSClient;
let dynamodb: DynamoDBClient;
/** The same, one request at a time (moto's transactions are not isolated: test/support/moto-dynamodb.ts). */
let isolated: DynamoDBClient;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** What one SQS subscriber received: the SNS envelope, decoded, and its size. */
interface Received {
  subject?: string;
  document: Record<string, unknown>;
  attributes: Record<string, string>;
  bytes: number;
}

/** A topic with an unfiltered SQS subscriber and one whose filter policy takes only critical remediations. */
async function topicWithSubscribers(name: string) {
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn!;
  const subscribe = async (suffix: string, filterPolicy?: object) => {
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-${suffix}` }))).QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes![
      'QueueArn'
    ]!;
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: arn,
        ...(filterPolicy ? { Attributes: { FilterPolicy: JSON.stringify(filterPolicy) } } : {}),
      }),
    );
    return queueUrl;
  };
  return {
    topicArn,
    all: await subscribe('all'),
    // The README's filter policy: critical findings that eni-guard fixed (or tried to).
    critical: await subscribe('critical', { severity: ['critical'], response: ['remediated', 'remediation-failed'] }),
  };
}

async function drain(queueUrl: string): Promise<Received[]> {
  const received: Received[] = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    const messages = out.Messages ?? [];
    if (messages.length === 0) return received;
    for (const message of messages) {
      const envelope = JSON.parse(message.Body!) as {
        Subject?: string;
        Message: string;
        MessageAttributes?: Record<string, { Value: string }>;
      };
      received.push({
        ...(envelope.Subject ? { subject: envelope.Subject } : {}),
        document: JSON.parse(envelope.Message) as Record<string, unknown>,
        attributes: Object.fromEntries(Object.entries(envelope.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value])),
        bytes: Buffer.byteLength(envelope.Message),
      });
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

/** The window table as the stack creates it. */
async function createBurstTable(name: string): Promise<string> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: 'windowKey', AttributeType: 'S' },
        { AttributeName: 'itemId', AttributeType: 'S' },
        { AttributeName: 'pending', AttributeType: 'S' },
        { AttributeName: 'windowEnd', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'windowKey', KeyType: 'HASH' },
        { AttributeName: 'itemId', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: PENDING_INDEX,
          KeySchema: [
            { AttributeName: 'pending', KeyType: 'HASH' },
            { AttributeName: 'windowEnd', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return name;
}

beforeAll(async () => {
  assertMotoInstalled();
  moto = await startMoto();
  const config = {
    endpoint: moto.endpoint,
    region: EMULATOR_ENV.AWS_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  sns = new SNSClient(config);
  sqs = new SQSClient(config);
  // The function's retry settings (lambda/functions/wiring.ts).
  dynamodb = new DynamoDBClient({ ...config, maxAttempts: 5, retryMode: 'adaptive' });
  isolated = oneRequestAtATime(new DynamoDBClient({ ...config, maxAttempts: 5, retryMode: 'adaptive' }));
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

describe('alert delivery against moto', () => {
  it('delivers through an SNS filter policy: the critical-remediation subscriber gets only critical remediations', async () => {
    const topic = await topicWithSubscribers('filter');
    const publisher = new SnsAlertPublisher(sns, topic.topicArn, { format: { chatProtocols: ['https'] } });
    await publisher.publish(alertFor('worldOpenSsh', 1));
    await publisher.publish(alertFor('autoScaling', 1));
    await publisher.publish(alertFor('eksNodes', 1));

    const all = await drain(topic.all);
    const critical = await drain(topic.critical);
    expect(all.map((a) => a.attributes['rule']).sort()).toEqual(['public-ip', 'vpc-flow-logs', 'world-open-ingress']);
    expect(critical).toHaveLength(1);
    expect(critical[0]).toMatchObject({
      subject: expect.stringMatching(/^\[eni-guard\] CRITICAL world-open-ingress on eni-/),
      attributes: { severity: 'critical', response: 'remediated', rule: 'world-open-ingress', outcome: 'noncompliant', kind: 'decision' },
      // An SQS subscriber gets `default`: the JSON document.
      document: { schemaVersion: '2', kind: 'decision', eventId: 'evt-worldOpenSsh-1' },
    });
  });

  it('cuts an alert above the SNS limit and delivers it with a pointer to the full record', async () => {
    const topic = await topicWithSubscribers('large');
    const base = alertFor('autoScaling', 7).document;
    const rules = Array.from({ length: 12_000 }, (_, i) => ({ ruleId: `sgr-${String(i).padStart(17, '0')}`, cidr: '0.0.0.0/0' }));
    const huge = alertOf({ ...base, findings: [{ ...base.findings[0]!, evidence: { rules } }] });
    await new SnsAlertPublisher(sns, topic.topicArn).publish(huge);

    const [received] = await drain(topic.all);
    expect(received!.bytes).toBeLessThan(SNS_MESSAGE_LIMIT);
    expect(received!.document).toMatchObject({
      eventId: 'evt-autoScaling-7',
      truncated: { reason: 'sns-size-limit', fullRecord: { ledgerId: 'evt-autoScaling-7/eni-aut0000000000007' } },
    });
  });

  it('turns a 500-event scale-out into a handful of messages, publishes critical remediations at once, and drops nothing', async () => {
    const topic = await topicWithSubscribers('burst');
    const table = await createBurstTable('eni-guard-burst-windows');
    // moto's transactions are not isolated (test/support/moto-dynamodb.ts): the store's requests reach it one at a time.
    const store = new DynamoBurstStore(isolated, table);
    const publisher = new SnsAlertPublisher(sns, topic.topicArn);
    let now = Date.parse('2026-11-28T03:01:00Z');
    const clock = () => new Date(now);
    const warnings: unknown[] = [];
    const alerts = new BurstAlerts(
      store,
      publisher,
      { ...quiet, warn: (...args: unknown[]) => void warnings.push(args) },
      { windowSeconds: 300, now: clock },
    );

    // 300 pod interfaces from EKS nodes, 180 web servers from Auto Scaling, 20 with SSH open (fixed each time), interleaved.
    const burst = [
      ...Array.from({ length: 300 }, (_, n) => alertFor('eksNodes', n)),
      ...Array.from({ length: 180 }, (_, n) => alertFor('autoScaling', n)),
      ...Array.from({ length: 20 }, (_, n) => alertFor('worldOpenSsh', n)),
    ].sort((a, b) => a.document.eventId.length - b.document.eventId.length || (a.document.eventId < b.document.eventId ? -1 : 1));
    // As the function runs them: 10 at a time (its reserved concurrency).
    const queue = [...burst];
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let alert = queue.shift(); alert; alert = queue.shift()) await alerts.publish(alert);
      }),
    );
    const immediate = await drain(topic.all);

    // No further event: the schedule runs the flusher after the window has ended.
    now += 5 * 60_000;
    const report = await new BurstFlusher(store, publisher, quiet, { now: clock, burstTable: table }).flushDue();
    const digests = await drain(topic.all);
    const sent = immediate.length + digests.length;
    console.log(
      `500 alerts → ${sent} SNS messages: ${immediate.length} at once (${immediate.filter((m) => m.attributes['severity'] === 'critical').length} critical remediations), ${digests.length} digest(s) listing ${report.alerts}; largest ${Math.max(...[...immediate, ...digests].map((m) => m.bytes))} bytes`,
    );

    // Nothing falls back to publishing at once: the window table answered every hold.
    expect(warnings).toEqual([]);
    expect(immediate.filter((m) => m.attributes['rule'] === 'world-open-ingress')).toHaveLength(20);
    expect(immediate).toHaveLength(22); // 20 critical remediations + the first of each of the 2 other causes
    expect(digests).toHaveLength(2);
    expect(digests.map((d) => d.attributes['kind'])).toEqual(['digest', 'digest']);
    expect(digests.map((d) => [d.attributes['rule'], d.document['count']]).sort()).toEqual([
      ['public-ip', 179],
      ['vpc-flow-logs', 299],
    ]);
    // Nothing dropped, nothing twice: every interface is in exactly one message.
    const delivered = [
      ...immediate.map((m) => (m.document['networkInterface'] as { id: string }).id),
      ...digests.flatMap((d) => (d.document['alerts'] as { networkInterfaceId: string }[]).map((a) => a.networkInterfaceId)),
    ];
    expect(delivered).toHaveLength(500);
    expect(new Set(delivered)).toEqual(new Set(burst.map((a) => a.document.networkInterface.id)));
    // The critical-remediation subscriber heard about each of them, at once, and about nothing else.
    expect(await drain(topic.critical)).toHaveLength(20);
    // A second run finds nothing left to flush.
    expect(await new BurstFlusher(store, publisher, quiet, { now: clock }).flushDue()).toMatchObject({ windows: 0 });
  }, 120_000);
});
