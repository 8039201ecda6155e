/**
 * Builds the responder from its parts. One wiring for both entry points: the Lambda handler
 * (clients once per container) and the `eni-guard` CLI (clients per endpoint and Region), so the
 * CLI runs exactly the object graph the function runs.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { AccountAliasLookup, AlertEnricher, EnrichingAlerts } from '../adapters/alert-context';
import { SdkCallSender } from '../adapters/aws-calls';
import { BurstAlerts, BurstFlusher, DynamoBurstStore } from '../adapters/burst';
import { IamAdapter, IamRevocationAdapter } from '../adapters/iam';
import type {
  AlertPort,
  DecisionObserver,
  LedgerPort,
  LogPort,
  MetricsPort,
  Place,
  QuarantineRegistry,
  RevocationSender,
} from '../app/ports';
import { DecisionMetrics, DecisionSinks, type NamedSink } from '../app/sinks';
import { EventBridgeDecisions } from '../adapters/decision-events';
import { DynamoFindingState, SecurityHubFindings } from '../adapters/security-hub';
import { SINKS } from '../core/metrics';
import { RULES } from '../core/rules/index';
import { Revoker } from '../app/revoker';
import { LambdaRevocationSender } from '../adapters/revoker-client';
import { modeOf, settingsOf, type Policy } from '../core/policy';
import type { Alert } from '../core/alert';
import { CALLER, type CallerSettings } from '../core/rules/caller';
import { DynamoLedger } from '../adapters/ledger';
import { DynamoQuarantineRegistry } from '../adapters/quarantine-registry';
import { Remediator, UndoError } from '../app/remediator';
import { Undoer } from '../app/undoer';
import { CachingFactReader } from '../adapters/cache';
import { Ec2Adapter } from '../adapters/ec2';
import { AwsFactReader } from '../adapters/fact-reader';
import { SnsAlertPublisher } from '../adapters/sns';
import type { AlertEnvironment, IntegrationEnvironment, ResponderEnvironment, RevokerEnvironment } from './environment';
import { FactGatherer } from '../app/facts';
import { Responder, type ResponderSettings } from '../app/responder';
import { Sweeper, type SweepSettings } from '../app/sweeper';
import { VpcFlowLogs, type VpcFlowLogSettings } from '../app/vpc-flow-logs';
import { defined, RETRY, RoleClients, type AwsConnection } from './connection';

export type { AwsConnection } from './connection';

/** The SDK clients the responder uses. */
export interface AwsClients {
  readonly ec2: EC2Client;
  readonly sns: SNSClient;
  readonly iam: IAMClient;
  readonly dynamodb: DynamoDBClient;
}

/** Builds the EC2 and SNS clients; `snsRegion` lets alerts go to a topic in another Region. */
export function createClients(connection: AwsConnection = {}, snsRegion?: string): AwsClients {
  const set = defined(connection);
  return {
    ec2: new EC2Client({ ...RETRY, ...set }),
    sns: new SNSClient({ ...RETRY, ...set, ...(snsRegion ? { region: snsRegion } : {}) }),
    iam: new IAMClient({ ...RETRY, ...set }),
    dynamodb: new DynamoDBClient({ ...RETRY, ...set }),
  };
}

/** Publishes alerts to an SNS topic, as the deployed function does. */
export function snsAlerts(sns: SNSClient, topicArn: string): AlertPort {
  return new SnsAlertPublisher(sns, topicArn);
}

/** Everything a responder is built from. */
export interface ResponderParts {
  readonly ec2: EC2Client;
  readonly alerts: AlertPort;
  readonly log: LogPort;
  readonly settings: ResponderSettings;
  /** For remediation (IAM: credential revocation) and the ledger. */
  readonly iam: IAMClient;
  readonly dynamodb?: DynamoDBClient;
  /** The ledger table; without it decisions are not recorded (no duplicate detection, no undo). */
  readonly ledgerTable?: string;
  /** A ready ledger (tests, tools); takes precedence over `ledgerTable`. */
  readonly ledger?: LedgerPort;
  /** A ready quarantine registry (tests); otherwise the ledger table's, when there is one. */
  readonly quarantine?: QuarantineRegistry;
  /** Where credential revocations go (the revoker function, or `localRevoker` in the CLI); absent, they fail, named. */
  readonly revoker?: RevocationSender;
  /** The sinks besides SNS (Security Hub, decision events, metrics): told of every finished decision. @default none */
  readonly observer?: DecisionObserver;
}

/** Builds the responder: EC2 adapter, fact gatherer with its cache, alert port, log. */
export function createResponder(parts: ResponderParts): Responder {
  const ec2 = new Ec2Adapter(parts.ec2);
  // Warm invocations reuse what rarely changes (routes, ACLs, flow logs, prefix lists); never the interface or its rules.
  const remediator = createRemediator(parts.ec2, parts.iam, parts.revoker);
  const ledger = parts.ledger ?? (parts.ledgerTable && parts.dynamodb ? new DynamoLedger(parts.dynamodb, parts.ledgerTable) : undefined);
  const quarantine =
    parts.quarantine ?? (parts.ledgerTable && parts.dynamodb ? new DynamoQuarantineRegistry(parts.dynamodb, parts.ledgerTable) : undefined);
  const reader = new CachingFactReader(new AwsFactReader(ec2, new IamAdapter(parts.iam)));
  return new Responder(
    ec2,
    new FactGatherer(reader),
    parts.alerts,
    parts.log,
    parts.settings,
    {
      remediator,
      ...(ledger ? { ledger } : {}),
      ...(quarantine ? { quarantine } : {}),
    },
    parts.observer,
  );
}

/** The remediation engine over the SDK clients: sends planned calls, verifies with fresh reads. */
export function createRemediator(ec2Client: EC2Client, iamClient: IAMClient, revoker?: RevocationSender): Remediator {
  const ec2 = new Ec2Adapter(ec2Client);
  const iam = new IamAdapter(iamClient);
  return new Remediator(new SdkCallSender({ ec2: ec2Client, iam: iamClient, ...(revoker ? { revoker } : {}) }), {
    describeInterface: (id) => ec2.describeInterface(id),
    describeGroupRules: (ids) => ec2.describeGroupRules(ids),
    describeFlowLogs: (ids) => ec2.describeFlowLogs(ids),
    describeTags: (id) => ec2.describeTags(id),
    hasRolePolicy: (role, policy) => iam.hasRolePolicy(role, policy),
    accessKeyStatus: (user, key) => iam.accessKeyStatus(user, key),
    findOwnGroups: (vpcId, tags) => ec2.findOwnGroups(vpcId, tags),
  });
}

/**
 * Revocations carried out in this process, with its own credentials (the CLI's `respond`), by the same
 * `Revoker` the revoker function runs: the same checks, the same one document.
 */
export function localRevoker(iamClient: IAMClient, policy: Policy, log: LogPort, neverRevoke: readonly string[] = []): RevocationSender {
  const caller = settingsOf(policy, CALLER) as CallerSettings | undefined;
  return new Revoker(new IamRevocationAdapter(iamClient), { neverRevoke, protectedPrincipals: caller?.protectedPrincipals ?? [] }, log);
}

/** The revoker function's graph: IAM writes behind the revoker's checks. */
export function createRevoker(environment: RevokerEnvironment, log: LogPort): Revoker {
  const iam = new IAMClient({ ...RETRY });
  return new Revoker(
    new IamRevocationAdapter(iam),
    { account: environment.account, neverRevoke: environment.neverRevoke, protectedPrincipals: environment.protectedPrincipals },
    log,
  );
}

/** Undoes ledger records in `ledgerTable` with the given clients (the `eni-guard undo` command). */
/**
 * Undoes ledger records in `ledgerTable`. A record that names an undo role (a member account's, in
 * organization mode) is undone as that role in the record's Region, assumed with `connection`'s
 * credentials; any other record with `clients` (the caller's own account).
 */
export function createUndoer(
  clients: Pick<AwsClients, 'ec2' | 'iam' | 'dynamodb'>,
  ledgerTable: string,
  connection: AwsConnection = {},
): Undoer {
  const own = createRemediator(clients.ec2, clients.iam);
  const roles = new RoleClients(connection, 'eni-guard-undo');
  return new Undoer(new DynamoLedger(clients.dynamodb, ledgerTable), (entry) => {
    if (!entry.undoRoleArn) return own;
    const roleAccount = entry.undoRoleArn.split(':')[4];
    if (!entry.account || !entry.region || roleAccount !== entry.account) {
      throw new UndoError(
        `${entry.ledgerId} names undo role ${entry.undoRoleArn} but the interface's account ${entry.account ?? '?'} in ${entry.region ?? '?'}: not undone`,
      );
    }
    const member = roles.for(entry.undoRoleArn, entry.region);
    return createRemediator(member.ec2, member.iam);
  });
}

/**
 * Builds the periodic sweep over the responder the same parts build (same engine, ledger and alerts);
 * with `vpcs`, it also passes over every VPC of that account and Region (flow logs for every VPC).
 */
export function createSweeper(parts: ResponderParts, settings: SweepSettings = {}, options: { vpcs?: Place } = {}): Sweeper {
  const vpcs = options.vpcs ? createVpcFlowLogs(parts, options.vpcs) : undefined;
  return new Sweeper(new Ec2Adapter(parts.ec2), createResponder(parts), parts.alerts, parts.log, settings, vpcs);
}

/**
 * Flow logs for every VPC of one account and Region (the deploy step, new VPCs, the sweep's VPC pass):
 * the parts' EC2 client, the same remediation engine, policy, destination and alerts as the responder.
 * The account and Region come from the caller, not the environment, so one process can build one per
 * account and Region.
 */
export function createVpcFlowLogs(
  parts: ResponderParts,
  place: Place,
  settings: Partial<Omit<VpcFlowLogSettings, 'policy' | 'place'>> = {},
): VpcFlowLogs {
  const { policy, flowLogDestination } = parts.settings;
  return new VpcFlowLogs(new Ec2Adapter(parts.ec2), createRemediator(parts.ec2, parts.iam, parts.revoker), parts.alerts, parts.log, {
    policy,
    place,
    ...(flowLogDestination ? { flowLogDestination } : {}),
    ...settings,
  });
}

/** Organization mode's additions: each account's alias read in that account, and its OU. */
export interface AlertScopeOptions {
  readonly aliasClient?: (account: string) => IAMClient;
  readonly ouOf?: (account: string) => Promise<string | undefined>;
}

/**
 * What the deployed function adds to every alert — the account alias (one lookup per account and
 * container), in organization mode the OU, the exact undo command, the record — for the alert port
 * and the sinks alike.
 */
export function createEnricher(
  clients: Pick<AwsClients, 'iam'>,
  settings: AlertEnvironment,
  log: LogPort,
  options: AlertScopeOptions = {},
): AlertEnricher {
  return new AlertEnricher({
    ...(settings.accountAlias ? { accountAlias: new AccountAliasLookup(options.aliasClient ?? clients.iam, log) } : {}),
    ...(options.ouOf ? { ouOf: options.ouOf } : {}),
    ...(settings.ledgerTable ? { ledgerTable: settings.ledgerTable } : {}),
    ...(settings.logGroup ? { logGroup: settings.logGroup } : {}),
  });
}

/** The deployed function's alert port: enrich (alias, OU, undo command, record) → hold bursts → SNS. */
export function createAlerts(
  clients: Pick<AwsClients, 'sns' | 'iam' | 'dynamodb'>,
  settings: AlertEnvironment,
  log: LogPort,
  options: AlertScopeOptions & { readonly metrics?: MetricsPort; readonly enricher?: AlertEnricher } = {},
): AlertPort {
  const sns = createPublisher(clients.sns, settings, log, options.metrics);
  const held = settings.burst
    ? new BurstAlerts(new DynamoBurstStore(clients.dynamodb, settings.burst.table), sns, log, {
        windowSeconds: settings.burst.windowSeconds,
        ...(options.metrics ? { metrics: options.metrics } : {}),
      })
    : sns;
  return new EnrichingAlerts(held, options.enricher ?? createEnricher(clients, settings, log, options));
}

/** The environment turns on an integration the bundle was built without (the stack builds and configures them together). */
export class IntegrationNotBundledError extends Error {
  constructor(variable: string) {
    super(`${variable} is set, but this bundle was built without that integration (ENI_GUARD_BUNDLE_* build flags)`);
    this.name = 'IntegrationNotBundledError';
  }
}

/** Clients of the sinks besides SNS, built only for the sinks that are on. */
export interface IntegrationClients {
  readonly securityHub?: SecurityHubClient;
  readonly eventBridge?: EventBridgeClient;
}

/**
 * How the sinks' clients call: the decision waits for the sinks before its alert is published, so a
 * sink that hangs must give up in seconds, not at the function's timeout (the SDK's default is no
 * timeout at all). Three attempts of at most 3 s each (1 s to connect): ≈ 10 s in the worst case,
 * well inside the responder's 60 s; a sink that gave up is logged and counted, and converges on the
 * next decision or sweep.
 */
export const SINK_CLIENT = {
  maxAttempts: 3,
  retryMode: 'standard',
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
} as const;

/** The sinks' clients, for the sinks that are on (and in the bundle: the build flags fold the others away). */
export function createIntegrationClients(integrations: IntegrationEnvironment, connection: AwsConnection = {}): IntegrationClients {
  const set = defined(connection);
  const clients: { securityHub?: SecurityHubClient; eventBridge?: EventBridgeClient } = {};
  if (process.env.ENI_GUARD_BUNDLE_SECURITY_HUB !== 'false') {
    if (integrations.securityHub) clients.securityHub = new SecurityHubClient({ ...SINK_CLIENT, ...set });
  }
  if (process.env.ENI_GUARD_BUNDLE_DECISION_EVENTS !== 'false') {
    if (integrations.decisionEventBus) clients.eventBridge = new EventBridgeClient({ ...SINK_CLIENT, ...set });
  }
  return clients;
}

/**
 * The sinks besides SNS, side by side (app/sinks.ts): metrics always, Security Hub and decision
 * events when they are on. Each failure is logged and counted, never thrown.
 */
export function createSinks(parts: {
  readonly integrations: IntegrationEnvironment;
  readonly clients: IntegrationClients & Pick<AwsClients, 'dynamodb'>;
  readonly ledgerTable?: string;
  readonly policy: Policy;
  readonly log: LogPort;
  readonly metrics?: MetricsPort;
  readonly enrich?: (alert: Alert) => Promise<Alert>;
}): DecisionObserver {
  const { integrations, clients, metrics, enrich } = parts;
  const common = { ...(metrics ? { metrics } : {}), ...(enrich ? { enrich } : {}) };
  const sinks: NamedSink[] = [];
  if (metrics) sinks.push({ name: SINKS.metrics, observer: new DecisionMetrics(metrics) });
  // Build flags (bundleFlags in lib/constructs/guard-function.ts): a bundle built with an integration off leaves its SDK
  // client out entirely — esbuild folds the literal and drops the branch and all it imports. From source, all is in.
  if (process.env.ENI_GUARD_BUNDLE_SECURITY_HUB !== 'false') {
    if (integrations.securityHub) {
      if (!parts.ledgerTable || !clients.securityHub)
        throw new Error('Security Hub findings need the ledger table and a Security Hub client');
      const enabledRules = new Set(RULES.filter((rule) => modeOf(parts.policy, rule.id) !== 'off').map((rule) => rule.id));
      const state = new DynamoFindingState(clients.dynamodb, parts.ledgerTable);
      sinks.push({ name: SINKS.securityHub, observer: new SecurityHubFindings(clients.securityHub, state, { enabledRules, ...common }) });
    }
  } else if (integrations.securityHub) throw new IntegrationNotBundledError('SECURITY_HUB_FINDINGS');
  if (process.env.ENI_GUARD_BUNDLE_DECISION_EVENTS !== 'false') {
    if (integrations.decisionEventBus) {
      if (!clients.eventBridge) throw new Error('decision events need an EventBridge client');
      const eventBusName = integrations.decisionEventBus;
      sinks.push({ name: SINKS.decisionEvents, observer: new EventBridgeDecisions(clients.eventBridge, { eventBusName, ...common }) });
    }
  } else if (integrations.decisionEventBus) throw new IntegrationNotBundledError('DECISION_EVENT_BUS');
  return new DecisionSinks(sinks, parts.log, metrics);
}

/** The burst flusher: publishes each ended window's digest through the same SNS publisher. */
export function createFlusher(
  clients: Pick<AwsClients, 'sns' | 'dynamodb'>,
  settings: AlertEnvironment,
  log: LogPort,
  metrics?: MetricsPort,
): BurstFlusher {
  if (!settings.burst) throw new Error('the burst flusher needs BURST_TABLE_NAME');
  return new BurstFlusher(
    new DynamoBurstStore(clients.dynamodb, settings.burst.table),
    createPublisher(clients.sns, settings, log, metrics),
    log,
    {
      burstTable: settings.burst.table,
      ...(settings.ledgerTable ? { ledgerTable: settings.ledgerTable } : {}),
      ...(settings.logGroup ? { logGroup: settings.logGroup } : {}),
    },
  );
}

function createPublisher(sns: SNSClient, settings: AlertEnvironment, log: LogPort, metrics?: MetricsPort): SnsAlertPublisher {
  return new SnsAlertPublisher(sns, settings.topicArn, {
    format: { chatProtocols: settings.chatProtocols },
    ...(settings.chatTopicArn ? { chatTopicArn: settings.chatTopicArn } : {}),
    log,
    ...(metrics ? { metrics } : {}),
  });
}

/**
 * The parts a deployed function (the responder, the sweep) builds from its environment: clients once
 * per container, the ledger, the full alert delivery (enrichment, chat, burst digests).
 */
export function functionParts(
  environment: ResponderEnvironment,
  alertEnvironment: AlertEnvironment,
  log: LogPort,
  options: { readonly integrations?: IntegrationEnvironment; readonly metrics?: MetricsPort } = {},
): ResponderParts {
  const clients = createClients();
  const revoker = environment.revokerFunctionName
    ? new LambdaRevocationSender(new LambdaClient({ ...RETRY }), environment.revokerFunctionName)
    : undefined;
  const integrations = options.integrations ?? { securityHub: false };
  const enricher = createEnricher(clients, alertEnvironment, log);
  const observer = createSinks({
    integrations,
    clients: { dynamodb: clients.dynamodb, ...createIntegrationClients(integrations) },
    ledgerTable: environment.ledgerTable,
    policy: environment.policy,
    log,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    enrich: (alert) => enricher.enrich(alert),
  });
  return {
    ...clients,
    ...(revoker ? { revoker } : {}),
    ledgerTable: environment.ledgerTable,
    alerts: createAlerts(clients, alertEnvironment, log, { ...(options.metrics ? { metrics: options.metrics } : {}), enricher }),
    observer,
    log,
    settings: {
      policy: environment.policy,
      responderRoleArn: environment.responderRoleArn,
      ...(environment.leaseSeconds ? { leaseSeconds: environment.leaseSeconds } : {}),
      // Only events of this function's own account and Region are acted on.
      scope: { accounts: [environment.account], regions: [environment.region] },
      ...(environment.flowLogDestination ? { flowLogDestination: environment.flowLogDestination } : {}),
    },
  };
}
