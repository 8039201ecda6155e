/**
 * AWS calls per event, end-to-end time and memory: the bundled handler in a child process (one
 * per session, as one Lambda container), pointed at moto through the counting proxy. The first
 * event of a session is the cold invocation, the next ones are warm.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EC2Client, type NetworkInterface } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { needsAlert, responseOf, type Decision } from '../../lambda/core/decision';
import type { HandleResult } from '../../lambda/app/responder';
import { createNetworkInterfaceRecord, eventBridgeEnvelope } from '../lib/cloudtrail-events';
import { assertMotoInstalled, startMoto } from '../lib/moto';
import {
  createGroup,
  createInterface,
  createNetwork,
  createSubscribedTopic,
  EMULATOR_ENV,
  enableFlowLogs,
  worldOpen,
} from '../lib/sandbox';
import { startCountingProxy, type RecordedCall } from './counting-proxy';
import { WarmFunction } from './warm-runner';
import { sum } from './stats';

/**
 * The scenarios, each with the fewest calls it can be handled with (the floor): for a remediation,
 * the reads that justify it, the fix, the re-read that verifies it and the alert. What the function
 * adds on top (ledger writes, tags on the interface) shows as the ratio to this floor.
 */
export const AWS_SCENARIOS = {
  'requester-managed': {
    // Skipped on EC2's word, never the event's (docs/threat-model.md): one read. moto cannot create a
    // requester-managed interface, so its answer here is "no such interface" (gone); in AWS the same read
    // says RequesterManaged and the decision is skipped — the calls are the same.
    title: 'AWS-service interface (the real EFS record: skipped on EC2’s word)',
    minimum: ['DescribeNetworkInterfaces'],
    expected: 'gone',
  },
  compliant: {
    title: 'compliant interface',
    minimum: ['DescribeNetworkInterfaces', 'DescribeSecurityGroupRules'],
    expected: 'compliant',
  },
  remediated: {
    title: 'non-compliant interface, remediated',
    minimum: [
      'DescribeNetworkInterfaces',
      'DescribeSecurityGroupRules',
      'DescribeNetworkInterfaces (group usage)',
      'RevokeSecurityGroupIngress',
      'DescribeSecurityGroupRules (verify)',
      'Publish',
    ],
    expected: 'noncompliant/remediated',
  },
} as const;

/** A scenario name. */
export type AwsScenario = keyof typeof AWS_SCENARIOS;

/** One handled event. */
export interface InvocationRecord {
  readonly scenario: AwsScenario;
  readonly session: number;
  /** 0: the first event of a fresh process (cold); 1…: warm. */
  readonly index: number;
  /** Wall time of `await handler(event)` in the child. */
  readonly ms: number;
  readonly cpuMs: number;
  readonly maxRssKb: number;
  /** `outcome/response` of each decision, or the result kind. */
  readonly outcome: string;
  readonly calls: readonly RecordedCall[];
  /** Sum of the calls' round trips at the proxy. */
  readonly apiMs: number;
}

/** One fresh process: its init and the events it handled. */
export interface SessionRecord {
  readonly scenario: AwsScenario;
  readonly session: number;
  readonly initMs: number;
  readonly initMaxRssKb: number;
  /** Calls made while the bundle was imported (none expected). */
  readonly initCalls: readonly RecordedCall[];
}

/** Everything the AWS part measured. */
export interface AwsRun {
  readonly sessions: readonly SessionRecord[];
  readonly invocations: readonly InvocationRecord[];
  /** Alerts the SQS subscriber of the topic received, against the number expected. */
  readonly alertsReceived: number;
  readonly alertsExpected: number;
  readonly motoStartMs: number;
}

/** How the AWS part runs. */
export interface AwsRunOptions {
  readonly bundle: string;
  readonly policyFile: string;
  readonly runner: string;
  /** Node flags of the deployed function (its NODE_OPTIONS). */
  readonly nodeFlags: readonly string[];
  /** Fresh processes per scenario. */
  readonly sessions: number;
  /** Events per process (the first one cold). */
  readonly eventsPerSession: number;
  readonly log: (line: string) => void;
  /** Added to the function's environment (the integrations: SECURITY_HUB_FINDINGS, DECISION_EVENT_BUS). @default none */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** The scenarios to run. @default all */
  readonly scenarios?: readonly AwsScenario[];
}

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/EniGuardResponder`;
/** The remediation ledger's table, as the stack creates it (partition key `ledgerId`). */
export const LEDGER_TABLE = 'eni-guard-ledger';
/** Events per scenario in the unrecorded warm-up session. */
const WARM_UP_EVENTS = 2;
const EFS_RECORD = join(__dirname, '..', '..', 'test', 'fixtures', 'events', 'real', 'efs-service-linked-role-requester-managed.json');

/** Starts moto and the proxy, plants the account, runs every session, stops everything. */
export async function runAwsScenarios(options: AwsRunOptions): Promise<AwsRun> {
  assertMotoInstalled();
  const motoStarted = performance.now();
  const moto = await startMoto();
  const motoStartMs = performance.now() - motoStarted;
  try {
    const proxy = await startCountingProxy(moto.endpoint);
    try {
      return { ...(await runSessions(moto.endpoint, proxy, options)), motoStartMs };
    } finally {
      await proxy.close();
    }
  } finally {
    await moto.stop();
  }
}

async function runSessions(
  motoEndpoint: string,
  proxy: Awaited<ReturnType<typeof startCountingProxy>>,
  options: AwsRunOptions,
): Promise<Omit<AwsRun, 'motoStartMs'>> {
  // Planting talks to moto directly: only the function's own calls go through the proxy.
  const config = {
    endpoint: motoEndpoint,
    region: EMULATOR_ENV.AWS_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  const ec2 = new EC2Client(config);
  const subscriber = await createSubscribedTopic(new SNSClient(config), new SQSClient(config));
  await createLedgerTable(motoEndpoint);
  const { vpcId, subnetId } = await createNetwork(ec2);
  // A VPC with flow logs: a compliant interface is compliant with every default rule.
  await enableFlowLogs(ec2, vpcId);
  const httpsOnly = await createGroup(ec2, vpcId, 'https-only', [worldOpen(443)]);
  const efsRecord = JSON.parse(readFileSync(EFS_RECORD, 'utf8')) as Record<string, unknown>;
  const eventFor = (ni: NetworkInterface) =>
    eventBridgeEnvelope(createNetworkInterfaceRecord(ni, { account: ACCOUNT, region: EMULATOR_ENV.AWS_REGION }));

  const plant: Record<AwsScenario, (n: number) => Promise<unknown>> = {
    // The real record, moved into the emulated account (the function acts only for its own).
    'requester-managed': () => Promise.resolve(eventBridgeEnvelope({ ...efsRecord, recipientAccountId: ACCOUNT, eventID: randomUUID() })),
    compliant: async (n) => eventFor(await createInterface(ec2, subnetId, [httpsOnly], `compliant-${n}`)),
    remediated: async (n) => {
      const own = await createGroup(ec2, vpcId, `web-${n}`, [worldOpen(22), worldOpen(443)]);
      return eventFor(await createInterface(ec2, subnetId, [own], `web-${n}`));
    },
  };
  const scenarios = options.scenarios ?? (Object.keys(AWS_SCENARIOS) as AwsScenario[]);
  // Session -1 warms moto (its first Publish to a subscribed topic is slow) and the page cache; it is not recorded.
  const planted = new Map<AwsScenario, unknown[][]>();
  let n = 0;
  for (const scenario of scenarios) {
    const perSession: unknown[][] = [];
    for (let s = -1; s < options.sessions; s += 1) {
      const events: unknown[] = [];
      const count = s < 0 ? WARM_UP_EVENTS : options.eventsPerSession;
      for (let i = 0; i < count; i += 1) events.push(await plant[scenario]((n += 1)));
      perSession.push(events);
    }
    planted.set(scenario, perSession);
  }
  await subscriber.drain();

  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '',
    ...EMULATOR_ENV,
    AWS_ENDPOINT_URL: proxy.endpoint,
    ALERT_TOPIC_ARN: subscriber.topicArn,
    RESPONDER_ROLE_ARN: ROLE,
    LEDGER_TABLE_NAME: LEDGER_TABLE,
    POLICY_FILE: options.policyFile,
    POWERTOOLS_SERVICE_NAME: 'eni-guard',
    ...options.extraEnv,
  };
  const sessions: SessionRecord[] = [];
  const invocations: InvocationRecord[] = [];
  let alertsExpected = 0;
  // Sessions of different scenarios alternate, so drift of the machine or of moto spreads evenly.
  for (let s = -1; s < options.sessions; s += 1) {
    const record = s >= 0;
    for (const scenario of scenarios) {
      proxy.take();
      const fn = await WarmFunction.start(options.runner, options.bundle, env, options.nodeFlags);
      try {
        const initCalls = proxy.take();
        if (record) sessions.push({ scenario, session: s, initMs: fn.ready.initMs, initMaxRssKb: fn.ready.maxRssKb, initCalls });
        for (const [index, event] of planted.get(scenario)![s + 1]!.entries()) {
          const result = await fn.invoke(event);
          const calls = proxy.take();
          if (!result.ok) throw new Error(`handler failed on a ${scenario} event: ${result.error}`);
          if (scenario === 'remediated') alertsExpected += 1;
          if (!record) continue;
          invocations.push({
            scenario,
            session: s,
            index,
            ms: result.ms,
            cpuMs: result.cpuMs,
            maxRssKb: result.maxRssKb,
            outcome: outcomeOf(result.result as HandleResult),
            calls,
            apiMs: sum(calls.map((c) => c.ms)),
          });
        }
      } finally {
        await fn.stop();
      }
    }
    options.log(record ? `  session ${s + 1}/${options.sessions} done` : '  warm-up session done');
  }
  return { sessions, invocations, alertsReceived: (await subscriber.drain()).length, alertsExpected };
}

/** Creates the ledger table in moto with one DynamoDB JSON call (no DynamoDB client needed for it). */
async function createLedgerTable(endpoint: string): Promise<void> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.CreateTable',
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${EMULATOR_ENV.AWS_REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({
      TableName: LEDGER_TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'ledgerId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'ledgerId', KeyType: 'HASH' }],
    }),
  });
  if (!response.ok) throw new Error(`creating the ledger table in moto failed: HTTP ${response.status} ${await response.text()}`);
}

function outcomeOf(result: HandleResult): string {
  if (result.kind !== 'decided') return result.kind;
  return result.decisions.map((d: Decision) => (needsAlert(d) ? `${d.outcome}/${responseOf(d)}` : d.outcome)).join(',');
}
