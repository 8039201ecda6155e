import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SnsAlertPublisher } from '../../../lambda/adapters/sns';
import { alertFor } from '../../support/alerts';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:alerts';
const CHAT = 'arn:aws:sns:eu-west-1:123456789012:chat';

beforeEach(() => sns.reset());

describe('SnsAlertPublisher', () => {
  it('publishes the JSON document by default, text by e-mail, the chat rendering over https, with filterable attributes', async () => {
    await new SnsAlertPublisher(new SNSClient({}), TOPIC, { format: { chatProtocols: ['https'] } }).publish(alertFor('autoScaling', 1));
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      TopicArn: TOPIC,
      MessageStructure: 'json',
      Subject: expect.stringContaining('[eni-guard] HIGH public-ip'),
    });
    expect(input.MessageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'high' },
      outcome: { DataType: 'String', StringValue: 'noncompliant' },
      response: { DataType: 'String', StringValue: 'notified' },
      rule: { DataType: 'String', StringValue: 'public-ip' },
      account: { DataType: 'String', StringValue: '123456789012' },
      region: { DataType: 'String', StringValue: 'eu-west-1' },
      kind: { DataType: 'String', StringValue: 'decision' },
    });
    const body = JSON.parse(input.Message!) as Record<string, string>;
    expect(JSON.parse(body['default']!)).toMatchObject({ schemaVersion: '2', kind: 'decision' });
    expect(JSON.parse(body['https']!)).toMatchObject({ version: '1.0', source: 'custom' });
    expect(body['email']).toMatch(/^HIGH: 1 finding\(s\) on eni-/);
  });

  it('also publishes the chat rendering to a chat-only topic, and a chat failure does not fail the alert', async () => {
    sns.on(PublishCommand, { TopicArn: CHAT }).rejects(new Error('no such topic'));
    const errors: string[] = [];
    const publisher = new SnsAlertPublisher(new SNSClient({}), TOPIC, {
      chatTopicArn: CHAT,
      log: { warn: () => undefined, error: (m) => void errors.push(m) },
    });
    await publisher.publish(alertFor('eksNodes', 1));
    const chat = sns.commandCalls(PublishCommand).find((c) => c.args[0].input.TopicArn === CHAT)!.args[0].input;
    expect(JSON.parse(JSON.parse(chat.Message!).default as string)).toMatchObject({ source: 'custom' });
    expect(errors).toEqual(['chat notification not delivered']);
  });
});
