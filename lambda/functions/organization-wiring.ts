/**
 * Organization mode's composition: the hub's own clients (ledger, alerts, Organizations), member
 * clients per account and Region through the member roles (one AssumeRole each per container), and a
 * responder, sweeper or revoker per account built from the same wiring as the single-account mode.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { Ec2Adapter } from '../adapters/ec2';
import { IamRevocationAdapter } from '../adapters/iam';
import { DynamoLedger } from '../adapters/ledger';
import { OrganizationsAdapter } from '../adapters/organizations';
import { DynamoQuarantineRegistry } from '../adapters/quarantine-registry';
import { LambdaRevocationSender } from '../adapters/revoker-client';
import { OrganizationResponder, OrganizationRevoker, OrganizationSweeper } from '../app/organization';
import type { AlertPort, LogPort, MetricsPort, OrganizationPort } from '../app/ports';
import type { Responder } from '../app/responder';
import { Revoker } from '../app/revoker';
import { Sweeper, type SweepSettings } from '../app/sweeper';
import { memberFlowLogDestination, memberRoleNames, ouOf, roleArn, type AccountPlace } from '../core/organization';
import { effectivePolicy } from '../core/policy';
import type {
  AlertEnvironment,
  IntegrationEnvironment,
  OrganizationEnvironment,
  ResponderEnvironment,
  RevokerEnvironment,
} from './environment';
import { defined, RETRY, RoleClients, type AwsConnection } from './connection';
import type { VpcFlowLogs } from '../app/vpc-flow-logs';
import {
  createAlerts,
  createClients,
  createEnricher,
  createIntegrationClients,
  createResponder,
  createSinks,
  createVpcFlowLogs,
  type ResponderParts,
} from './wiring';

/** Clients of member accounts, as their member roles (role names from `MEMBER_ROLE_NAME`). */
export class MemberClients {
  private readonly roles: RoleClients;

  constructor(
    private readonly partition: string,
    connection: AwsConnection = {},
    sessionName = 'eni-guard-hub',
  ) {
    this.roles = new RoleClients(connection, sessionName);
  }

  for(account: string, region: string, role: string) {
    return this.roles.for(roleArn(this.partition, account, role), region);
  }

  /** AssumeRole calls made so far (the scale bench reports it). */
  get assumptions(): number {
    return this.roles.assumptions;
  }
}

/**
 * The sinks besides SNS in a hub (as `functionParts` takes them in account mode). Each account's
 * decisions reach Security Hub in that account — a finding in a default product is accepted only
 * from the account it names (`AwsAccountId`), so the hub imports and resolves it as the account's
 * remediation role, and Security Hub's own aggregation carries it to its administrator; decision
 * events go to the hub's bus and metrics to the hub's log, as the hub.
 */
export interface HubSinks {
  /** @default none on */
  readonly integrations?: IntegrationEnvironment;
  readonly metrics?: MetricsPort;
}

/** The hub's parts shared by every account: its own clients, Organizations, member clients. */
interface Hub {
  readonly org: OrganizationPort;
  readonly members: MemberClients;
  readonly alerts: AlertPort;
  readonly responderOf: (place: AccountPlace) => Responder;
  /** Flow logs for every VPC of the account in this Region, through its member role (`MEMBER_FLOW_LOGS`); else undefined. */
  readonly vpcFlowLogsOf?: (place: AccountPlace) => VpcFlowLogs;
}

function hub(
  environment: ResponderEnvironment,
  organization: OrganizationEnvironment,
  alertEnvironment: AlertEnvironment,
  log: LogPort,
  sinks: HubSinks = {},
  connection: AwsConnection = {},
): Hub {
  const own = createClients(connection);
  const org = new OrganizationsAdapter(new OrganizationsClient({ ...RETRY, ...defined(connection) }));
  const members = new MemberClients(organization.partition, connection);
  const names = memberRoleNames(organization.memberRoleName);
  const region = environment.region;
  const remediationRole = (account: string) => members.for(account, region, names.remediation);
  const enricher = createEnricher(own, alertEnvironment, log, {
    aliasClient: (account) => remediationRole(account).iam,
    ouOf: async (account) => {
      const place = await org.placeOf(account);
      return place ? ouOf(place) : undefined;
    },
  });
  const metrics = sinks.metrics ? { metrics: sinks.metrics } : {};
  const alerts = createAlerts(own, alertEnvironment, log, { enricher, ...metrics });
  const integrations = sinks.integrations ?? { securityHub: false };
  // The hub's own bus, as the hub; Security Hub per account, below.
  const { eventBridge } = createIntegrationClients(
    { securityHub: false, ...(integrations.decisionEventBus ? { decisionEventBus: integrations.decisionEventBus } : {}) },
    connection,
  );
  const ledger = new DynamoLedger(own.dynamodb, environment.ledgerTable);
  const quarantine = new DynamoQuarantineRegistry(own.dynamodb, environment.ledgerTable);
  const lambda = environment.revokerFunctionName ? new LambdaClient({ ...RETRY, ...defined(connection) }) : undefined;
  // One account's parts, as the single-account wiring takes them: its member role's clients, its effective policy.
  const partsOf = (place: AccountPlace): ResponderParts => {
    const clients = remediationRole(place.account);
    const arn = (name: string) => roleArn(organization.partition, place.account, name);
    const policy = effectivePolicy(environment.policy, place);
    // As the account's remediation role (its credentials), where the hub's clients connect (an endpoint, the Region).
    const { securityHub } = createIntegrationClients(
      { securityHub: integrations.securityHub },
      defined({ endpoint: connection.endpoint, region, credentials: clients.credentials.provider }),
    );
    const observer = createSinks({
      integrations,
      clients: { dynamodb: own.dynamodb, ...(securityHub ? { securityHub } : {}), ...(eventBridge ? { eventBridge } : {}) },
      ledgerTable: environment.ledgerTable,
      policy,
      log,
      ...metrics,
      enrich: (alert) => enricher.enrich(alert),
    });
    return {
      ec2: clients.ec2,
      iam: clients.iam,
      dynamodb: own.dynamodb,
      alerts,
      log,
      ledger,
      quarantine,
      ...(lambda && environment.revokerFunctionName
        ? { revoker: new LambdaRevocationSender(lambda, environment.revokerFunctionName, place.account) }
        : {}),
      observer,
      settings: {
        policy,
        responderRoleArn: environment.responderRoleArn,
        ownRoleArns: [arn(names.remediation), arn(names.revoker)],
        scope: { accounts: [place.account], regions: [region] },
        ous: place.path,
        undoRoleArn: arn(names.undo),
        ...(environment.leaseSeconds ? { leaseSeconds: environment.leaseSeconds } : {}),
        // The account's own log group in this Region, through its own delivery role (the member templates create both).
        ...(organization.memberFlowLogs
          ? { flowLogDestination: memberFlowLogDestination(organization.partition, place.account, region, organization.memberRoleName) }
          : {}),
      },
    };
  };
  const responderOf = cachedBy((place) => createResponder(partsOf(place)));
  const vpcFlowLogsOf = organization.memberFlowLogs
    ? cachedBy((place) => createVpcFlowLogs(partsOf(place), { account: place.account, region }))
    : undefined;
  return { org, members, alerts, responderOf, ...(vpcFlowLogsOf ? { vpcFlowLogsOf } : {}) };
}

/** Builds once per account and container. */
function cachedBy<T>(build: (place: AccountPlace) => T): (place: AccountPlace) => T {
  const built = new Map<string, T>();
  return (place) => {
    let value = built.get(place.account);
    if (value === undefined) {
      value = build(place);
      built.set(place.account, value);
    }
    return value;
  };
}

/** The hub's responder: routes each event to its account's responder, inside the scope only. */
export function createOrganizationResponder(
  environment: ResponderEnvironment,
  organization: OrganizationEnvironment,
  alertEnvironment: AlertEnvironment,
  log: LogPort,
  sinks: HubSinks = {},
  connection?: AwsConnection,
): OrganizationResponder & { readonly members: MemberClients } {
  const { org, members, responderOf, vpcFlowLogsOf } = hub(environment, organization, alertEnvironment, log, sinks, connection);
  const settings = { scope: organization.scope, region: environment.region };
  return Object.assign(new OrganizationResponder(org, responderOf, log, settings, vpcFlowLogsOf), { members });
}

/** The hub's sweep: every account of the scope in this Region, a few at a time. */
export function createOrganizationSweeper(
  environment: ResponderEnvironment,
  organization: OrganizationEnvironment,
  alertEnvironment: AlertEnvironment,
  log: LogPort,
  settings: SweepSettings & { readonly concurrency?: number; readonly sinks?: HubSinks } = {},
  connection?: AwsConnection,
): OrganizationSweeper & { readonly members: MemberClients } {
  const { sinks, concurrency, ...sweepSettings } = settings;
  const parts = hub(environment, organization, alertEnvironment, log, sinks, connection);
  const names = memberRoleNames(organization.memberRoleName);
  // With flow logs for every VPC, each account's sweep passes over its VPCs first, as the single-account sweep does.
  const sweeperOf = (place: AccountPlace) =>
    new Sweeper(
      new Ec2Adapter(parts.members.for(place.account, environment.region, names.remediation).ec2),
      parts.responderOf(place),
      parts.alerts,
      log,
      sweepSettings,
      parts.vpcFlowLogsOf?.(place),
    );
  return Object.assign(
    new OrganizationSweeper(parts.org, sweeperOf, log, {
      scope: organization.scope,
      region: environment.region,
      ...(concurrency ? { concurrency } : {}),
    }),
    { members: parts.members },
  );
}

/** The hub's revoker: each request carried out in its account through that account's member revoker role. */
export function createOrganizationRevoker(
  environment: RevokerEnvironment,
  organization: OrganizationEnvironment,
  region: string,
  log: LogPort,
  connection: AwsConnection = {},
): OrganizationRevoker {
  const org = new OrganizationsAdapter(new OrganizationsClient({ ...RETRY, ...defined(connection) }));
  const members = new MemberClients(organization.partition, connection, 'eni-guard-revoker');
  const names = memberRoleNames(organization.memberRoleName);
  const revokers = new Map<string, Revoker>();
  const revokerOf = (account: string): Revoker => {
    let revoker = revokers.get(account);
    if (!revoker) {
      const own = Object.values(names).map((name) => roleArn(organization.partition, account, name));
      revoker = new Revoker(
        new IamRevocationAdapter(members.for(account, region, names.revoker).iam),
        { account, neverRevoke: [...environment.neverRevoke, ...own], protectedPrincipals: environment.protectedPrincipals },
        log,
      );
      revokers.set(account, revoker);
    }
    return revoker;
  };
  return new OrganizationRevoker(org, revokerOf, organization.scope);
}
