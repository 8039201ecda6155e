/**
 * A sink that does not answer must not hold the alert. The deployed function's parts
 * (`functionParts`, as the responder's entry point builds them) with Security Hub and the bus
 * pointing at a server that accepts connections and never replies: the decision still reaches SNS
 * in bounded time, and both sinks' failures are logged as retryable.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { LogPort } from '../../../lambda/app/ports';
import { parsePolicy } from '../../../lambda/core/policy';
import { createResponder, functionParts } from '../../../lambda/functions/wiring';
import { mockWorldOpenInterface, WORLD_OPEN_ENI, worldOpenInterfaceEvent } from '../../support/mocked-ec2';

const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);
const dynamodb = mockClient(DynamoDBClient);
mockClient(IAMClient);

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:alerts';
const lines: { message: string; extra: Record<string, unknown> }[] = [];
const log: LogPort = {
  info: () => undefined,
  warn: () => undefined,
  error: (message, extra = {}) => void lines.push({ message, extra }),
};

let server: Server;
const held: Socket[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  // Accepts, reads, never answers: a sink endpoint that hangs.
  server = createServer((socket) => void held.push(socket.on('data', () => undefined)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_ENDPOINT_URL_SECURITYHUB: `http://127.0.0.1:${port}`,
    AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${port}`,
  });
});

afterAll(async () => {
  process.env = saved;
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  mockWorldOpenInterface(ec2);
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  dynamodb.on(GetItemCommand).resolves({});
});

it('publishes the alert within seconds when Security Hub and the bus hang, and logs both as retryable failures', async () => {
  const policy = parsePolicy({ version: 1, rules: { 'world-open-ingress': { mode: 'notify' } } });
  const parts = functionParts(
    {
      topicArn: TOPIC,
      responderRoleArn: 'arn:aws:iam::123456789012:role/EniGuardResponder',
      policyFile: 'policy.json',
      policy,
      ledgerTable: 'ledger',
      account: '123456789012',
      region: 'eu-west-1',
    },
    { topicArn: TOPIC, chatProtocols: [], accountAlias: false },
    log,
    { integrations: { securityHub: true, decisionEventBus: 'default' } },
  );
  const started = Date.now();
  const result = await createResponder(parts).handle(worldOpenInterfaceEvent());
  const elapsed = Date.now() - started;

  expect(result.kind).toBe('decided');
  expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  expect(elapsed).toBeLessThan(20_000);
  const failures = lines.filter((l) => l.message === 'decision not delivered to a sink');
  expect(failures.map((l) => l.extra['sink']).sort()).toEqual(['events', 'securityhub']);
  for (const failure of failures) {
    expect(failure.extra).toMatchObject({ networkInterfaceId: WORLD_OPEN_ENI, retryable: true });
  }
}, 40_000);
