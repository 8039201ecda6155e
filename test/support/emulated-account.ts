/**
 * The emulated account the integration tests share: moto on a free loopback port, an SQS subscriber
 * on the alert topic, the remediation ledger, and a public subnet (internet-gateway route) of a VPC
 * with flow logs. Plus the production wiring (lambda/functions/wiring.ts) pointed at it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parsePolicy, type PolicyInput } from '../../lambda/core/policy';
import type { LogPort } from '../../lambda/app/ports';
import type { ResponderSettings } from '../../lambda/app/responder';
import {
  createClients,
  createResponder,
  localRevoker,
  snsAlerts,
  type AwsClients,
  type AwsConnection,
  type ResponderParts,
} from '../../lambda/functions/wiring';
import { createLedgerTable } from '../../scripts/lib/ledger-table';
import { assertMotoInstalled, startMoto, type Moto } from '../../scripts/lib/moto';
import { createNetwork, createSubscribedTopic, EMULATOR_ENV, enableFlowLogs, routeToInternet } from '../../scripts/lib/sandbox';

export const ACCOUNT = '123456789012';
export const RESPONDER_ROLE = `arn:aws:iam::${ACCOUNT}:role/EniGuardResponder`;
export const SILENT: LogPort = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** What `startEmulatedAccount` planted. */
export interface EmulatedAccount {
  readonly moto: Moto;
  /** For any SDK client: moto's endpoint, the emulator Region, throwaway credentials. */
  readonly connection: AwsConnection & { readonly endpoint: string; readonly region: string };
  readonly ec2: EC2Client;
  readonly subscriber: Awaited<ReturnType<typeof createSubscribedTopic>>;
  readonly ledgerTable: string;
  readonly network: { readonly vpcId: string; readonly subnetId: string };
}

/** Starts moto and plants the account; `cidr` keeps each test file's VPC apart in logs. */
export async function startEmulatedAccount(cidr: string): Promise<EmulatedAccount> {
  assertMotoInstalled();
  const moto = await startMoto();
  const connection = {
    endpoint: moto.endpoint,
    region: EMULATOR_ENV.AWS_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  const ec2 = new EC2Client(connection);
  const subscriber = await createSubscribedTopic(new SNSClient(connection), new SQSClient(connection));
  const ledgerTable = await createLedgerTable(new DynamoDBClient(connection));
  const network = await createNetwork(ec2, cidr);
  await routeToInternet(ec2, network.vpcId, network.subnetId);
  await enableFlowLogs(ec2, network.vpcId);
  return { moto, connection, ec2, subscriber, ledgerTable, network };
}

/**
 * The parts of the production responder against the account: alerts to its topic, decisions in its
 * ledger. `clients` lets a test instrument them first (middleware); `settings` adds to the policy's.
 */
export function responderParts(
  account: EmulatedAccount,
  policy: PolicyInput = { version: 1 },
  options: { clients?: AwsClients; settings?: Partial<ResponderSettings> } = {},
): ResponderParts {
  const clients = options.clients ?? createClients(account.connection);
  const parsed = parsePolicy(policy);
  return {
    ...clients,
    ledgerTable: account.ledgerTable,
    alerts: snsAlerts(clients.sns, account.subscriber.topicArn),
    log: SILENT,
    // The revoker function's code, in-process: the same checks and the one document, on the emulator's IAM.
    revoker: localRevoker(clients.iam, parsed, SILENT, [RESPONDER_ROLE]),
    settings: { policy: parsed, responderRoleArn: RESPONDER_ROLE, ...options.settings },
  };
}

/** The production responder against the account. */
export function responderFor(account: EmulatedAccount, policy?: PolicyInput, options?: Parameters<typeof responderParts>[2]) {
  return createResponder(responderParts(account, policy, options));
}
