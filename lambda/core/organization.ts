/**
 * Organization mode: one hub guards every account of the organization's target OUs, in several
 * Regions. This module is the contract between the hub's code and its templates: names of the bus
 * and the roles, who is in scope, and an account's place in the organization.
 */
import type { FlowLogDestination } from './plan/shared';

/** The hub's event bus in each hub Region: members forward their CloudTrail events to it. */
export const HUB_BUS_NAME = 'eni-guard';
/** The member remediation role's name unless `eniGuard:memberRoleName` says otherwise. */
export const DEFAULT_MEMBER_ROLE_NAME = 'EniGuardMember';

/** The roles the member templates create, all named from `eniGuard:memberRoleName`. */
export function memberRoleNames(base: string): {
  /** Assumed by the hub's responder and sweep: reads and the remediations the policy can lead to. */
  readonly remediation: string;
  /** Assumed by the hub's revoker only: the one fixed revocation document, key deactivation. */
  readonly revoker: string;
  /** Assumed by EventBridge in the member account: puts events on the hub's bus. */
  readonly forwarder: string;
  /** Assumed by operators in the hub account for `eni-guard undo`: the undo calls. */
  readonly undo: string;
  /** Assumed by VPC Flow Logs only: delivers the account's flow logs to its log group (flow logs for every VPC). */
  readonly flowLogs: string;
} {
  return {
    remediation: base,
    revoker: `${base}Revoker`,
    forwarder: `${base}Forwarder`,
    undo: `${base}Undo`,
    flowLogs: `${base}FlowLogs`,
  };
}

/** The log group the member forwarding stack creates in each member Region for the account's flow logs. */
export const MEMBER_FLOW_LOG_GROUP = 'eni-guard-vpc-flow-logs';

/**
 * Where the hub sends a member account's flow logs in one Region (flow logs for every VPC): that
 * Region's member log group, through the member delivery role. Both have fixed names, so the hub
 * computes them and the member templates need no output the hub would have to read.
 */
export function memberFlowLogDestination(partition: string, account: string, region: string, base: string): FlowLogDestination {
  return {
    type: 'cloud-watch-logs',
    arn: `arn:${partition}:logs:${region}:${account}:log-group:${MEMBER_FLOW_LOG_GROUP}`,
    deliveryRoleArn: roleArn(partition, account, memberRoleNames(base).flowLogs),
  };
}

/** The hub's roles have fixed names (members trust them by ARN); one per hub Region. */
export function hubRoleName(kind: 'responder' | 'revoker', region: string): string {
  return `EniGuardHub-${kind === 'responder' ? 'Responder' : 'Revoker'}-${region}`;
}

/** A role of `account` by name. */
export function roleArn(partition: string, account: string, name: string): string {
  return `arn:${partition}:iam::${account}:role/${name}`;
}

/** Which accounts a hub guards. */
export interface OrganizationScope {
  readonly organizationId: string;
  /** OU ids (or the root `r-…`) whose accounts, at any depth, are guarded. */
  readonly targetOus: readonly string[];
  /** Accounts never guarded, even inside a target OU. */
  readonly excludedAccounts: readonly string[];
}

/** Where an account sits: its organization and the OUs from the root down to its parent. */
export interface AccountPlace {
  readonly account: string;
  readonly organizationId: string;
  /** The root first, the account's own parent last (`r-…`, `ou-…`, …). */
  readonly path: readonly string[];
  /** The account's name in the organization, when known. */
  readonly name?: string;
}

/** Why the account is outside the hub's scope, or undefined when it is guarded. */
export function outsideScope(scope: OrganizationScope, place: AccountPlace): string | undefined {
  if (place.organizationId !== scope.organizationId) {
    return `account ${place.account} is in organization ${place.organizationId}, not ${scope.organizationId}`;
  }
  if (scope.excludedAccounts.includes(place.account)) return `account ${place.account} is excluded (eniGuard:excludedAccounts)`;
  if (!place.path.some((ou) => scope.targetOus.includes(ou))) {
    return `account ${place.account} is in ${place.path.join(' / ') || 'no OU'}, outside the target OUs (${scope.targetOus.join(', ')})`;
  }
  return undefined;
}

/** The OU an account's alerts name: its own parent (the last of its path). */
export function ouOf(place: AccountPlace): string | undefined {
  return place.path[place.path.length - 1];
}
