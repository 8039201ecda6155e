/**
 * The member → hub path of organization mode, through moto's EventBridge with the rules as the
 * templates synthesize them: a member account's default bus carries its CloudTrail records, the
 * member forwarding rule (its pattern and its target, the hub bus of the same Region) sends the ones
 * eni-guard judges across accounts, and the hub bus rule (its pattern) delivers them to a queue where
 * the responder would be. Real CloudTrail records (test/fixtures/events/real) are put as the member's
 * CloudTrail would write them; failed calls, other calls and other sources stay in the member.
 *
 * Two emulator facts shape it: moto lets a test put events with the `aws.ec2` source (EventBridge
 * reserves `aws.*` for AWS — nobody else can put them), and moto delivers a forwarded event without
 * the envelope's `account`, where EventBridge keeps the sender's. The last test shows what the
 * responder makes of each envelope.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseEvent } from '../../lambda/core/event';
import { HUB_BUS_NAME } from '../../lambda/core/organization';
import { assertMotoInstalled, startMoto, type Moto } from '../../scripts/lib/moto';
import { buildOrganization } from '../support/synth';

const HUB = '123456789012';
const MEMBER = '210987654321';
const REGION = 'us-east-1';
const REAL = join(__dirname, '..', 'fixtures', 'events', 'real');

let moto: Moto;
let at: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } };
let member: EventBridgeClient;
let queueUrl: string;

/** The one rule of `stack` with an event pattern (schedules aside), as synthesized. */
function ruleOf(stack: Stack): { EventPattern: unknown; Targets: { Arn: unknown; RoleArn?: unknown }[] } {
  const rules = (
    Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')) as {
      Properties: { EventPattern?: unknown; Targets: { Arn: unknown; RoleArn?: unknown }[] };
    }[]
  ).filter((r) => r.Properties.EventPattern !== undefined) as {
    Properties: { EventPattern: unknown; Targets: { Arn: unknown; RoleArn?: unknown }[] };
  }[];
  if (rules.length !== 1) throw new Error(`${stack.stackName}: ${rules.length} rules`);
  return rules[0]!.Properties;
}

/** Resolves the few intrinsics of a member target (`Fn::Join` of partition, Region, account ids). */
function resolve(value: unknown, refs: Record<string, string>): string {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  return join[1].map((part) => (typeof part === 'string' ? part : refs[(part as { Ref: string }).Ref]!)).join('');
}

/** A real CloudTrail record, as the member's CloudTrail would write it in `REGION`. */
function record(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const real = JSON.parse(readFileSync(join(REAL, name), 'utf8')) as Record<string, unknown>;
  return { ...real, recipientAccountId: MEMBER, awsRegion: REGION, ...overrides };
}
const entry = (detail: Record<string, unknown>, source = 'aws.ec2'): PutEventsRequestEntry => ({
  Source: source,
  DetailType: 'AWS API Call via CloudTrail',
  Detail: JSON.stringify(detail),
});

beforeAll(async () => {
  assertMotoInstalled();
  moto = await startMoto();
  at = { endpoint: moto.endpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const org = buildOrganization({ 'eniGuard:hubRegions': REGION });
  const hubRule = ruleOf(org.hubs[0]!);
  const forwarding = ruleOf(org.memberForwarding[0]!);

  // The hub: its bus, and a queue standing where the responder is.
  const hub = new EventBridgeClient(at);
  await hub.send(new CreateEventBusCommand({ Name: HUB_BUS_NAME }));
  const sqs = new SQSClient(at);
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'responder' }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes![
    'QueueArn'
  ]!;
  await hub.send(new PutRuleCommand({ Name: 'responder', EventBusName: HUB_BUS_NAME, EventPattern: JSON.stringify(hubRule.EventPattern) }));
  await hub.send(new PutTargetsCommand({ Rule: 'responder', EventBusName: HUB_BUS_NAME, Targets: [{ Id: 'responder', Arn: queueArn }] }));

  // The member, with its forwarding rule as the StackSet deploys it.
  const c = (
    await new STSClient(at).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/admin`, RoleSessionName: 'admin' }))
  ).Credentials!;
  member = new EventBridgeClient({
    ...at,
    credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
  });
  const refs = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': MEMBER, HubAccountId: HUB };
  const [target] = forwarding.Targets;
  await member.send(new PutRuleCommand({ Name: 'eni-guard-forward-to-hub', EventPattern: JSON.stringify(forwarding.EventPattern) }));
  await member.send(
    new PutTargetsCommand({
      Rule: 'eni-guard-forward-to-hub',
      Targets: [{ Id: 'hub', Arn: resolve(target!.Arn, refs), RoleArn: resolve(target!.RoleArn, refs) }],
    }),
  );
}, 120_000);

afterAll(async () => {
  await moto?.stop();
});

async function delivered(): Promise<Record<string, unknown>[]> {
  const sqs = new SQSClient(at);
  const out: Record<string, unknown>[] = [];
  for (;;) {
    const page = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    if (!page.Messages?.length) return out;
    out.push(...page.Messages.map((m) => JSON.parse(m.Body!) as Record<string, unknown>));
  }
}

describe('member → hub forwarding, with the synthesized rules', () => {
  let arrived: Record<string, unknown>[];

  beforeAll(async () => {
    const forwarded = [
      record('efs-service-linked-role-requester-managed.json'),
      record('attach-eni-root-console.json'),
      record('related-runinstances-iamuser-implicit-primary-eni.json'),
      record('related-authorize-sg-ingress-iamuser-legacy-params.json'),
    ];
    const kept = [
      entry(record('attach-eni-root-console.json', { errorCode: 'Client.UnauthorizedOperation', eventID: 'failed-call' })),
      entry(record('attach-eni-root-console.json', { eventName: 'DescribeNetworkInterfaces', eventID: 'a-read' })),
      entry(record('attach-eni-root-console.json', { eventID: 'forged-source' }), 'custom.ec2'),
    ];
    const out = await member.send(new PutEventsCommand({ Entries: [...forwarded.map((d) => entry(d)), ...kept] }));
    expect(out.FailedEntryCount ?? 0).toBe(0);
    arrived = await delivered();
  }, 60_000);

  it('delivers each successful call eni-guard judges to the hub of the same Region, its record untouched', () => {
    const names = arrived.map((e) => (e['detail'] as { eventName: string }).eventName).sort();
    expect(names).toEqual(['AttachNetworkInterface', 'AuthorizeSecurityGroupIngress', 'CreateNetworkInterface', 'RunInstances']);
    for (const e of arrived) {
      expect(e).toMatchObject({ source: 'aws.ec2', 'detail-type': 'AWS API Call via CloudTrail', region: REGION });
      expect(e['detail']).toMatchObject({ recipientAccountId: MEMBER, awsRegion: REGION });
    }
  });

  it('keeps failed calls, other calls and other sources in the member', () => {
    const ids = arrived.map((e) => (e['detail'] as { eventID: string }).eventID);
    expect(ids).not.toEqual(expect.arrayContaining(['failed-call']));
    expect(ids).not.toContain('a-read');
    expect(ids).not.toContain('forged-source');
  });

  it('reaches the responder for the member’s account and Region, and an envelope naming another account is refused', () => {
    const sample = arrived.find((e) => (e['detail'] as { eventName: string }).eventName === 'CreateNetworkInterface')!;
    // moto delivers the forwarded envelope without its `account`; the record's recipientAccountId names the member.
    expect(sample['account']).toBeUndefined();
    expect(parseEvent(sample)).toMatchObject({ kind: 'interfaces', context: { account: MEMBER, region: REGION } });
    // EventBridge keeps the sending account in the envelope: the same decision.
    expect(parseEvent({ ...sample, account: MEMBER })).toMatchObject({ kind: 'interfaces', context: { account: MEMBER, region: REGION } });
    // An envelope and a record that disagree: one of them was written by someone else.
    expect(parseEvent({ ...sample, account: HUB })).toMatchObject({ kind: 'invalid' });
  });
});
