/**
 * Every port the application layer (responder, sweeper, remediator, undoer, fact gathering)
 * depends on, and how a port reports failure. The application imports ports only from here;
 * adapters in lambda/adapters implement them; the entry points in lambda/functions (and the CLI)
 * wire one to the other.
 */
import type { ApiCall } from '../core/actions';
import type { Alert } from '../core/alert';
import type { Decision } from '../core/decision';
import type { InterfaceLookup } from '../core/event';
import type { LedgerEntry, LedgerStatus } from '../core/ledger';
import type { MetricPoint } from '../core/metrics';
import type { AccountPlace } from '../core/organization';
import type { RevocationRequest } from '../core/revocation';
import type {
  CredentialOrigin,
  FlowLogCoverage,
  InstanceFacts,
  NetworkInterface,
  OwnGroup,
  SecurityGroupRule,
  SubnetNetwork,
  Vpc,
} from '../core/model';

/** What the responder and the sweep read from EC2. Adapter: `Ec2Adapter` (adapters/ec2.ts). */
export interface Ec2Port {
  /** The interface as EC2 sees it now, or undefined when it no longer exists. */
  describeInterface(networkInterfaceId: string): Promise<NetworkInterface | undefined>;
  /** Every rule (ingress and egress) of the given groups. */
  describeGroupRules(groupIds: readonly string[]): Promise<SecurityGroupRule[]>;
  /** How many interfaces use each group. */
  countInterfacesUsingGroups(groupIds: readonly string[]): Promise<Map<string, number>>;
  /** Security groups of the VPC carrying every one of `tags` (what eni-guard created, or an interrupted attempt left), with their rules and users. */
  findOwnGroups(vpcId: string, tags: Readonly<Record<string, string>>): Promise<OwnGroup[]>;
  /** A security group as EC2 describes it now (its VPC and how many rules it has), or undefined when it does not exist. */
  describeGroup(groupId: string): Promise<GroupSummary | undefined>;
  /** The interfaces attached to an instance, or using a group (every page). */
  findInterfaces(lookup: InterfaceLookup): Promise<NetworkInterface[]>;
  /** Every interface in the Region, page by page (the periodic sweep). */
  interfacePages(pageSize?: number): AsyncIterable<NetworkInterface[]>;
}

/**
 * What flow logs for every VPC read from EC2 (the deploy step, new VPCs, the sweep's pass over VPCs).
 * Adapter: `Ec2Adapter` (adapters/ec2.ts). Creating a flow log goes through `CallPort`, as every fix does.
 */
export interface VpcPort {
  /** Every VPC in the Region (shared ones included), page by page. */
  vpcPages(pageSize?: number): AsyncIterable<Vpc[]>;
  /** The VPC as EC2 sees it now, or undefined when it does not exist. */
  describeVpc(vpcId: string): Promise<Vpc | undefined>;
  /** The ACTIVE flow logs attached to any of these resources (VPC ids here), every page. */
  describeFlowLogs(resourceIds: readonly string[]): Promise<FlowLogCoverage>;
}

/** The reads fact gathering needs. Adapter: `AwsFactReader` (adapters/fact-reader.ts: EC2 and IAM), behind `CachingFactReader` (adapters/cache.ts). */
export interface FactReader {
  describeGroupRules(groupIds: readonly string[]): Promise<SecurityGroupRule[]>;
  resolvePrefixLists(prefixListIds: readonly string[]): Promise<Map<string, string[]>>;
  describeSubnetNetwork(vpcId: string, subnetId: string): Promise<SubnetNetwork>;
  describeFlowLogs(resourceIds: readonly string[]): Promise<FlowLogCoverage>;
  describeInstance(instanceId: string): Promise<InstanceFacts | undefined>;
  /** The instance's associated instance profiles and the profiles that carry `roleArn` (EC2 + IAM). */
  describeCredentialOrigin(instanceId: string, roleArn: string): Promise<CredentialOrigin>;
}

/** Sends one planned call (input already resolved); throws `AwsCallError` on failure. Adapter: `SdkCallSender` (adapters/aws-calls.ts). */
export interface CallPort {
  send(call: ApiCall, input: Readonly<Record<string, unknown>>): Promise<unknown>;
}

/**
 * Asks for a credential revocation (the calls of service `revoker`). Adapters: `LambdaRevocationSender`
 * (adapters/revoker-client.ts, the deployed responder invokes the revoker function) and, in-process for
 * the CLI (operator credentials), the `Revoker` itself (app/revoker.ts).
 */
export interface RevocationSender {
  send(request: RevocationRequest): Promise<unknown>;
}

/** The IAM writes (and the reads they rest on) of the revoker function. Adapter: `IamRevocationAdapter` (adapters/iam.ts). */
export interface RevocationPort {
  /** The role's ARN, or undefined when there is no such role. */
  roleArn(roleName: string): Promise<string | undefined>;
  putRolePolicy(roleName: string, policyName: string, document: string): Promise<void>;
  /** The user's ARN, or undefined when there is no such user. */
  userArn(userName: string): Promise<string | undefined>;
  deactivateAccessKey(userName: string, accessKeyId: string): Promise<void>;
}

/** The reads verification needs after acting. Adapters: `Ec2Adapter` and `IamAdapter` (adapters/iam.ts), joined in the wiring. */
export interface VerifyReader {
  describeInterface(networkInterfaceId: string): Promise<NetworkInterface | undefined>;
  describeGroupRules(groupIds: readonly string[]): Promise<SecurityGroupRule[]>;
  describeFlowLogs(resourceIds: readonly string[]): Promise<FlowLogCoverage>;
  describeTags(resourceId: string): Promise<Record<string, string>>;
  hasRolePolicy(roleName: string, policyName: string): Promise<boolean>;
  accessKeyStatus(userName: string, accessKeyId: string): Promise<string | undefined>;
  /** As `Ec2Port.findOwnGroups`: resolves the ids an interrupted attempt's creates returned, from their tags. */
  findOwnGroups(vpcId: string, tags: Readonly<Record<string, string>>): Promise<OwnGroup[]>;
}

/** What a claim found: the record is now this attempt's (a new one, or one taken over), or someone else's. */
export type Claim =
  /** Claimed: `entry` is the record as written (for a takeover: the earlier attempts' results and interrupted plans kept). */
  | { readonly kind: 'claimed'; readonly entry: LedgerEntry }
  /** Held by a live claim (until `leaseUntil`), or final (completed, undone …). */
  | { readonly kind: 'held'; readonly entry: LedgerEntry; readonly leaseUntil?: Date };

/**
 * The remediation ledger: write-ahead claims, records, the IaC-conflict count. Adapter: `DynamoLedger`
 * (adapters/ledger.ts); tests use an in-memory one.
 */
export interface LedgerPort {
  /**
   * Claims `entry.ledgerId` until `leaseUntil`: creates the record, or takes over one nobody holds
   * (an expired claim, an incomplete record) with `resumeEntry` — never discarding what it recorded.
   */
  claim(entry: LedgerEntry, leaseUntil: Date, now: Date): Promise<Claim>;
  /**
   * Overwrites the record; with `expected`, only if its status still is that and it is still under
   * the entry's `attempt` (else throws `LedgerConflictError`: another attempt took it over).
   */
  save(entry: LedgerEntry, expected?: LedgerStatus): Promise<void>;
  get(ledgerId: string): Promise<LedgerEntry | undefined>;
  /**
   * Notes the interfaces a batch (a group change) claims under `eventId`, before the first claim: a
   * redelivery then finds each of them, even one a newer event moved before anything of this one's
   * touched it (nothing in EC2 would point at it).
   */
  noteBatch(eventId: string, networkInterfaceIds: readonly string[]): Promise<void>;
  /** The interfaces `noteBatch` noted for `eventId` (none: not a batch, or not noted). */
  batchOf(eventId: string): Promise<readonly string[]>;
  /** How many records since `since` changed something on this interface (the IaC-conflict guard). */
  countFixes(networkInterfaceId: string, since: Date): Promise<number>;
}

/**
 * The quarantine groups eni-guard created, one per account, Region and VPC, recorded where only
 * eni-guard writes (the ledger table) — never found by a tag anyone can set. Adapter:
 * `DynamoQuarantineRegistry` (adapters/quarantine-registry.ts).
 */
export interface QuarantineRegistry {
  recorded(place: Place, vpcId: string): Promise<string | undefined>;
  record(place: Place, vpcId: string, groupId: string): Promise<void>;
}

/** An account and Region. */
export interface Place {
  readonly account: string;
  readonly region: string;
}

/** A security group's identity and size, as `Ec2Port.describeGroup` reads it. */
export interface GroupSummary {
  readonly groupId: string;
  readonly vpcId?: string;
  readonly ingressRules: number;
  readonly egressRules: number;
}

/**
 * The organization, as the hub reads it (AWS Organizations). Adapter: `OrganizationsAdapter`
 * (adapters/organizations.ts), which caches what it read for the container's life (minutes).
 */
export interface OrganizationPort {
  /** Where the account sits (organization, OU path from the root), or undefined when it is not a member. */
  placeOf(account: string): Promise<AccountPlace | undefined>;
  /** Every active account below the OUs (at any depth), with its place. */
  accountsBelow(ous: readonly string[]): Promise<AccountPlace[]>;
}

/**
 * Where alerts go. Adapters: `SnsAlertPublisher` (adapters/sns.ts), wrapped by `BurstAlerts`
 * (adapters/burst.ts) and `EnrichingAlerts` (adapters/alert-context.ts); the CLI collects them.
 */
export interface AlertPort {
  publish(alert: Alert): Promise<void>;
}

/**
 * Hears every decision the responder (and the sweep) finishes, before its alert is published: the
 * sinks besides SNS. Implementations never throw — a sink that fails logs it and counts it.
 * Adapters: `SecurityHubFindings` (adapters/security-hub.ts), `EventBridgeDecisions`
 * (adapters/decision-events.ts); in the application, `DecisionMetrics`, all joined by `DecisionSinks` (app/sinks.ts).
 */
export interface DecisionObserver {
  decided(decision: Decision): Promise<void>;
}

/** Metric points of the current invocation, flushed by the entry point. Adapter: `PowertoolsMetrics` (adapters/metrics.ts, EMF). */
export interface MetricsPort {
  record(points: readonly MetricPoint[]): void;
}

/** Structured logging. Adapters: Powertools `Logger` (the functions), `cliLog` (lambda/cli/log.ts). */
export interface LogPort {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

// ── How ports fail ───────────────────────────────────────────────────────────────────────────────

/** Error codes that mean "try again later" even when the SDK's own retries are spent. */
const TRANSIENT_CODES = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestThrottled',
  'ServiceUnavailable',
  'Unavailable',
  'InternalError',
  'InternalFailure',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalException',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
]);

/** An AWS API call failed after the SDK's own retries. `retryable` says whether a later attempt may succeed. */
export class AwsCallError extends Error {
  constructor(
    readonly operation: string,
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(`${operation} failed: ${code}: ${message}`, options);
    this.name = 'AwsCallError';
  }
}

/** A sink (Security Hub, the event bus) did not take what it was sent; carries what was not delivered, for the log (and a replay by hand). */
export class SinkDeliveryError extends Error {
  constructor(
    message: string,
    /** What the sink could not deliver (the findings, the event entries). */
    readonly undelivered: unknown,
    readonly retryable: boolean,
    options: { readonly cause?: unknown; readonly code?: string } = {},
  ) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'SinkDeliveryError';
    this.code = options.code ?? 'PartialFailure';
  }

  /** The service's error code (of the call, or of the first item that failed). */
  readonly code: string;
}

/** Raised by `LedgerPort.save` when a conditional save finds the record in another state (someone else changed it). */
export class LedgerConflictError extends Error {
  constructor(ledgerId: string, expected: LedgerStatus) {
    super(`ledger record ${ledgerId} is no longer ${expected}; it was changed concurrently`);
    this.name = 'LedgerConflictError';
  }
}

/** The error code of a failure (`name`, or `Code` on some EC2 errors). */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const candidate = (error as { Code?: unknown }).Code ?? (error as { code?: unknown }).code ?? (error as { name?: unknown }).name;
    if (typeof candidate === 'string') return candidate;
  }
  return 'UnknownError';
}

/** True for throttling, server faults, timeouts and connection resets: a later attempt may succeed. */
export function isTransient(error: unknown): boolean {
  if (error instanceof AwsCallError) return error.retryable;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { $fault?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.$retryable) return true;
  if (e.$fault === 'server') return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  return TRANSIENT_CODES.has(errorCode(error));
}
