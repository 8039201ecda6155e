/**
 * Independent sinks: the responder tells Security Hub, the event bus and metrics of every decision,
 * and a failure of any of them — or of SNS — never costs the others their copy; each failure is
 * logged with what was not delivered and counted, never swallowed.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { BatchImportFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SnsAlertPublisher } from '../../../lambda/adapters/sns';
import { AlertDeliveryError } from '../../../lambda/app/delivery';
import type { DecisionObserver, LogPort } from '../../../lambda/app/ports';
import { DecisionSinks } from '../../../lambda/app/sinks';
import type { Decision } from '../../../lambda/core/decision';
import type { MetricPoint } from '../../../lambda/core/metrics';
import { parsePolicy } from '../../../lambda/core/policy';
import { createResponder, createSinks } from '../../../lambda/functions/wiring';
import { compliant } from '../../support/decisions';
import { mockWorldOpenInterface, WORLD_OPEN_ENI as ENI, worldOpenInterfaceEvent as event } from '../../support/mocked-ec2';

const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);
const securityHub = mockClient(SecurityHubClient);
const eventBridge = mockClient(EventBridgeClient);
const dynamodb = mockClient(DynamoDBClient);
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:alerts';
const BUS = 'arn:aws:events:eu-west-1:123456789012:event-bus/default';
const POLICY = parsePolicy({ version: 1, rules: { 'world-open-ingress': { mode: 'notify' } } });

const lines: { level: string; message: string; extra: Record<string, unknown> }[] = [];
const log: LogPort = {
  info: (message, extra = {}) => void lines.push({ level: 'info', message, extra }),
  warn: (message, extra = {}) => void lines.push({ level: 'warn', message, extra }),
  error: (message, extra = {}) => void lines.push({ level: 'error', message, extra }),
};
const recorded: MetricPoint[] = [];
const metrics = { record: (points: readonly MetricPoint[]) => void recorded.push(...points) };

function responder() {
  const observer = createSinks({
    integrations: { securityHub: true, decisionEventBus: BUS },
    clients: {
      dynamodb: new DynamoDBClient({ region: 'eu-west-1' }),
      securityHub: new SecurityHubClient({ region: 'eu-west-1' }),
      eventBridge: new EventBridgeClient({ region: 'eu-west-1', maxAttempts: 1 }),
    },
    ledgerTable: 'ledger',
    policy: POLICY,
    log,
    metrics,
  });
  return createResponder({
    ec2: new EC2Client({ region: 'eu-west-1' }),
    iam: new IAMClient({ region: 'eu-west-1' }),
    alerts: new SnsAlertPublisher(new SNSClient({ region: 'eu-west-1' }), TOPIC),
    log,
    settings: { policy: POLICY, responderRoleArn: 'arn:aws:iam::123456789012:role/EniGuardResponder' },
    observer,
  });
}

beforeEach(() => {
  for (const mock of [ec2, sns, securityHub, eventBridge, dynamodb]) mock.reset();
  lines.length = 0;
  recorded.length = 0;
  mockWorldOpenInterface(ec2);
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  dynamodb.on(GetItemCommand).resolves({});
  dynamodb.on(PutItemCommand).resolves({});
  securityHub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

describe('the sinks beside SNS', () => {
  it('hears every decision: the finding goes to Security Hub, the event to the bus, the counts to metrics, the alert to SNS', async () => {
    await responder().handle(event());
    expect(securityHub).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 1);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(recorded.map((p) => p.name)).toEqual(
      expect.arrayContaining(['Decisions', 'Findings', 'Remediations', 'SecurityHubFindings', 'DecisionEvents']),
    );
  });

  it('still publishes the SNS alert when Security Hub and the bus both fail, and logs and counts each failure', async () => {
    securityHub
      .on(BatchImportFindingsCommand)
      .rejects(Object.assign(new Error('Account is not subscribed to AWS Security Hub'), { name: 'InvalidAccessException' }));
    eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const result = await responder().handle(event());
    expect(result.kind).toBe('decided');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const failures = lines.filter((l) => l.message === 'decision not delivered to a sink');
    expect(failures.map((l) => l.extra['sink']).sort()).toEqual(['events', 'securityhub']);
    expect(failures.find((l) => l.extra['sink'] === 'securityhub')?.extra).toMatchObject({
      eventId: 'evt-1',
      networkInterfaceId: ENI,
      code: 'InvalidAccessException',
      undelivered: { findings: [expect.objectContaining({ GeneratorId: 'world-open-ingress' })] },
    });
    expect(
      recorded
        .filter((p) => p.name === 'SinkFailures')
        .map((p) => p.dimensions['Sink'])
        .sort(),
    ).toEqual(['events', 'securityhub']);
  });

  it('delivers to Security Hub and the bus before the alert, so an SNS failure (retried) does not cost them the decision', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException' }));
    await expect(responder().handle(event())).rejects.toThrow(AlertDeliveryError);
    expect(securityHub).toHaveReceivedCommandTimes(BatchImportFindingsCommand, 1);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  it('runs the sinks side by side and never throws, whatever one of them does', async () => {
    const heard: string[] = [];
    const failing: DecisionObserver = { decided: () => Promise.reject(new Error('boom')) };
    const listening: DecisionObserver = {
      decided: (d: Decision) => {
        heard.push(d.outcome);
        return Promise.resolve();
      },
    };
    const sinks = new DecisionSinks(
      [
        { name: 'securityhub', observer: failing },
        { name: 'events', observer: listening },
      ],
      log,
      metrics,
    );
    await expect(sinks.decided(compliant())).resolves.toBeUndefined();
    expect(heard).toEqual(['compliant']);
    expect(lines.filter((l) => l.message === 'decision not delivered to a sink').map((l) => l.extra['sink'])).toEqual(['securityhub']);
  });
});
