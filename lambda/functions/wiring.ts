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
import { AccountAliasLookup, EnrichingAlerts } from '../adapters/alert-context';
import { SdkCallSender } from '../adapters/aws-calls';
import { BurstAlerts, BurstFlusher, DynamoBurstStore } from '../adapters/burst';
import { IamAdapter, IamRevocationAdapter } from '../adapters/iam';
import type { AlertPort, LedgerPort, LogPort, Place, QuarantineRegistry, RevocationSender } from '../app/ports';
import { Revoker } from '../app/revoker';
import { LambdaRevocationSender } from '../adapters/revoker-client';
import { settingsOf, type Policy } from '../core/policy';
import { CALLER, type CallerSettings } from '../core/rules/caller';
import { DynamoLedger } from '../adapters/ledger';
import { DynamoQuarantineRegistry } from '../adapters/quarantine-registry';
import { Remediator, UndoError } from '../app/remediator';
import { Undoer } from '../app/undoer';
import { CachingFactReader } from '../adapters/cache';
import { Ec2Adapter } from '../adapters/ec2';
import { AwsFactReader } from '../adapters/fact-reader';
import { SnsAlertPublisher } from '../adapters/sns';
import type { AlertEnvironment, ResponderEnvironment, RevokerEnvironment } from './environment';
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
  return new Responder(ec2, new FactGatherer(reader), parts.alerts, parts.log, parts.settings, {
    remediator,
    ...(ledger ? { ledger } : {}),
    ...(quarantine ? { quarantine } : {}),
  });
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

/** The deployed function's alert port: enrich (alias, undo command, record) → hold bursts → SNS. */
/** Organization mode's additions: each account's alias read in that account, and its OU. */
export interface AlertScopeOptions {
  readonly aliasClient?: (account: string) => IAMClient;
  readonly ouOf?: (account: string) => Promise<string | undefined>;
}

export function createAlerts(
  clients: Pick<AwsClients, 'sns' | 'iam' | 'dynamodb'>,
  settings: AlertEnvironment,
  log: LogPort,
  options: AlertScopeOptions = {},
): AlertPort {
  const sns = createPublisher(clients.sns, settings, log);
  const held = settings.burst
    ? new BurstAlerts(new DynamoBurstStore(clients.dynamodb, settings.burst.table), sns, log, {
        windowSeconds: settings.burst.windowSeconds,
      })
    : sns;
  return new EnrichingAlerts(held, {
    ...(settings.accountAlias ? { accountAlias: new AccountAliasLookup(options.aliasClient ?? clients.iam, log) } : {}),
    ...(options.ouOf ? { ouOf: options.ouOf } : {}),
    ...(settings.ledgerTable ? { ledgerTable: settings.ledgerTable } : {}),
    ...(settings.logGroup ? { logGroup: settings.logGroup } : {}),
  });
}

/** The burst flusher: publishes each ended window's digest through the same SNS publisher. */
export function createFlusher(clients: Pick<AwsClients, 'sns' | 'dynamodb'>, settings: AlertEnvironment, log: LogPort): BurstFlusher {
  if (!settings.burst) throw new Error('the burst flusher needs BURST_TABLE_NAME');
  return new BurstFlusher(new DynamoBurstStore(clients.dynamodb, settings.burst.table), createPublisher(clients.sns, settings, log), log, {
    burstTable: settings.burst.table,
    ...(settings.ledgerTable ? { ledgerTable: settings.ledgerTable } : {}),
    ...(settings.logGroup ? { logGroup: settings.logGroup } : {}),
  });
}

function createPublisher(sns: SNSClient, settings: AlertEnvironment, log: LogPort): SnsAlertPublisher {
  return new SnsAlertPublisher(sns, settings.topicArn, {
    format: { chatProtocols: settings.chatProtocols },
    ...(settings.chatTopicArn ? { chatTopicArn: settings.chatTopicArn } : {}),
    log,
  });
}

/**
 * The parts a deployed function (the responder, the sweep) builds from its environment: clients once
 * per container, the ledger, the full alert delivery (enrichment, chat, burst digests).
 */
export function functionParts(environment: ResponderEnvironment, alertEnvironment: AlertEnvironment, log: LogPort): ResponderParts {
  const clients = createClients();
  const revoker = environment.revokerFunctionName
    ? new LambdaRevocationSender(new LambdaClient({ ...RETRY }), environment.revokerFunctionName)
    : undefined;
  return {
    ...clients,
    ...(revoker ? { revoker } : {}),
    ledgerTable: environment.ledgerTable,
    alerts: createAlerts(clients, alertEnvironment, log),
    log,
    settings: {
      policy: environment.policy,
      responderRoleArn: environment.responderRoleArn,
      // Only events of this function's own account and Region are acted on.
      scope: { accounts: [environment.account], regions: [environment.region] },
      ...(environment.flowLogDestination ? { flowLogDestination: environment.flowLogDestination } : {}),
    },
  };
}
