/**
 * The roles an organization hub works through in a member account, named from
 * `eniGuard:memberRoleName` (lambda/core/organization.ts `memberRoleNames`):
 *
 * - `<name>`: the remediation role, assumed only by the hubs' responder roles (and so the sweep):
 *   exactly the reads and fixes the account's effective policy can lead to — the same builder as the
 *   account-mode responder (lib/constructs/guard-permissions.ts) — plus the account alias for alerts
 *   and, with `eniGuard:securityHub=true`, importing and resolving the account's own findings;
 * - `<name>Revoker`: assumed only by the hubs' revoker roles: the revoker's statements, with eni-guard's
 *   own roles and the protected principals denied (only when the policy can revoke);
 * - `<name>Forwarder`: assumed by EventBridge for this account's forwarding rules only: puts events on
 *   the hub buses of the member Regions, nothing else;
 * - `<name>Undo`: assumed from the hub account by operators running `eni-guard undo`: exactly the undo
 *   calls (only when the policy can remediate);
 * - `<name>FlowLogs`: assumed by VPC Flow Logs for this account's flow logs only: writes to the member
 *   log group of each member Region (flow logs for every VPC; the forwarding stack creates the groups).
 *
 * IAM is global: these are deployed in one Region per account.
 */
import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { HUB_BUS_NAME, hubRoleName, MEMBER_FLOW_LOG_GROUP, memberRoleNames } from '../../lambda/core/organization';
import { modeOf, settingsOf, type Policy } from '../../lambda/core/policy';
import { VPC_FLOW_LOGS } from '../../lambda/core/rules/vpc-flow-logs';
import { CALLER, type CallerSettings } from '../../lambda/core/rules/caller';
import { GuardPermissions, type Acknowledgement } from './guard-permissions';
import { securityHubStatements } from './integrations';
import type { RegionScope } from './remediation-grants';
import { revocationAcknowledgements, revocationStatements } from './revoker';
import { undoGrants } from './undo-grants';

/** The name of the member forwarding rule in every member Region (the forwarder role trusts only it). */
export const FORWARDING_RULE_NAME = 'eni-guard-forward-to-hub';

/** What the member roles are derived from. */
export interface MemberRolesOptions {
  /** The effective policy of the accounts these roles are deployed to. */
  readonly policy: Policy;
  /** Base name of the roles. */
  readonly memberRoleName: string;
  /** Regions with a hub: their responder and revoker roles are trusted. */
  readonly hubRegions: readonly string[];
  /** Regions the remediation role acts in and the forwarder forwards from. */
  readonly memberRegions: readonly string[];
  /**
   * Flow logs for every VPC: the remediation role lists VPCs and may create flow logs to the member log
   * groups through `<name>FlowLogs` (passed to VPC Flow Logs only). @default false
   */
  readonly flowLogs?: boolean;
  /**
   * `eniGuard:securityHub=true`: the hub imports each finding in its own account (Security Hub takes
   * a default-product finding only from the account it names), through the remediation role, which
   * gets the import and resolve statements for this account in the member Regions. @default false
   */
  readonly securityHub?: boolean;
}

/** The identity statements of the member roles (no trust), for the roles and for comparing permission sets. */
export interface MemberRoleStatements {
  readonly remediation: iam.PolicyStatement[];
  /** Absent when the policy cannot revoke credentials. */
  readonly revoker?: iam.PolicyStatement[];
  /** Absent when the policy can remediate nothing (shadow mode). */
  readonly undo?: iam.PolicyStatement[];
  readonly acknowledgements: {
    readonly remediation: Acknowledgement[];
    readonly revoker: Acknowledgement[];
    readonly undo: Acknowledgement[];
  };
}

/** The member roles' identity statements for a policy (pure: no construct is created). */
export function memberRoleStatements(options: MemberRolesOptions): MemberRoleStatements {
  const regions: RegionScope = { kind: 'regions', regions: options.memberRegions };
  const names = memberRoleNames(options.memberRoleName);
  const guard = new GuardPermissions(options.policy, {
    regions,
    ...(options.flowLogs
      ? {
          flowLogDestination: {
            type: 'cloud-watch-logs',
            deliveryRoleArn: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${names.flowLogs}`,
          },
          // With the rule off nothing judges VPCs (lambda/app/vpc-flow-logs.ts): no reason to list them.
          listVpcs: modeOf(options.policy, VPC_FLOW_LOGS) !== 'off',
        }
      : {}),
  });
  const remediation = [
    ...guard.reads,
    ...guard.remediation(),
    // The account's alias names it in alerts; ListAccountAliases has no resource-level permissions.
    new iam.PolicyStatement({ sid: 'ReadAccountAlias', actions: ['iam:ListAccountAliases'], resources: ['*'] }),
    ...(options.securityHub ? securityHubStatements({ account: Aws.ACCOUNT_ID, regions: options.memberRegions }) : []),
  ];
  const can = {
    revokeRoleSessions: guard.actionKinds.includes('revoke-role-sessions'),
    deactivateAccessKeys: guard.actionKinds.includes('deactivate-access-key'),
  };
  const own = [names.remediation, names.revoker, names.forwarder, names.undo, names.flowLogs].map(
    (name) => `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${name}`,
  );
  const revoker = guard.revokes
    ? revocationStatements({
        ...can,
        neverRevokeRoleArns: own,
        protectedPrincipals: (settingsOf(options.policy, CALLER) as CallerSettings | undefined)?.protectedPrincipals ?? [],
      })
    : undefined;
  const undo = undoGrants(guard.actionKinds, { policy: options.policy, regions });
  return {
    remediation,
    ...(revoker ? { revoker } : {}),
    ...(undo.statements.length > 0 ? { undo: undo.statements } : {}),
    acknowledgements: {
      remediation: guard
        .acknowledgements()
        .map((a) =>
          a.id === 'AwsSolutions-IAM5[Resource::*]'
            ? { id: a.id, reason: `${a.reason} iam:ListAccountAliases has no resource (read-only).` }
            : a,
        ),
      revoker: revocationAcknowledgements(can),
      undo: undo.wildcards.map((resource) => ({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason: resource.includes(':iam::')
          ? 'The role or user whose revocation is undone is known only at run time; the undo code deletes only the revocation document, or sets a key Active again.'
          : 'The resources to restore are known only at run time (from the ledger record); each statement is conditioned on the member Regions and, where AWS offers it, on eni-guard tags.',
      })),
    },
  };
}

/** Props of `MemberRoles`. */
export interface MemberRolesProps extends MemberRolesOptions {
  /** The hub's account (a template parameter: StackSets pass it). */
  readonly hubAccountId: string;
}

/** The member roles in one account. */
export class MemberRoles extends Construct {
  public readonly remediation: iam.Role;
  public readonly revoker?: iam.Role;
  public readonly forwarder: iam.Role;
  public readonly undo?: iam.Role;
  /** The flow-log delivery role (flow logs for every VPC). */
  public readonly flowLogDelivery?: iam.Role;

  constructor(scope: Construct, id: string, props: MemberRolesProps) {
    super(scope, id);
    const names = memberRoleNames(props.memberRoleName);
    const statements = memberRoleStatements(props);
    const hubRoles = (kind: 'responder' | 'revoker') =>
      props.hubRegions.map((region) => `arn:${Aws.PARTITION}:iam::${props.hubAccountId}:role/${hubRoleName(kind, region)}`);
    // The hub account, and within it only the named roles: a condition rather than role principals, so the
    // trust does not turn into a stale unique id if a hub role is ever recreated, and needs no hub to exist first.
    // The partition as a pseudo-parameter (not the literal CDK derives from a Region): the StackSet body and the
    // deployable stack are then the same template.
    const hubAccount = new iam.ArnPrincipal(`arn:${Aws.PARTITION}:iam::${props.hubAccountId}:root`);
    const trustedHubRoles = (kind: 'responder' | 'revoker') =>
      new iam.PrincipalWithConditions(hubAccount, { ArnEquals: { 'aws:PrincipalArn': hubRoles(kind) } });

    this.remediation = new iam.Role(this, 'Remediation', {
      roleName: names.remediation,
      assumedBy: trustedHubRoles('responder'),
      description: 'eni-guard member: the hub responder and sweep read interfaces and fix them per policy through this role',
    });
    for (const statement of statements.remediation) this.remediation.addToPolicy(statement);
    for (const a of statements.acknowledgements.remediation) Validations.of(this.remediation).acknowledge(a);

    if (statements.revoker) {
      this.revoker = new iam.Role(this, 'Revoker', {
        roleName: names.revoker,
        assumedBy: trustedHubRoles('revoker'),
        description: 'eni-guard member: the hub revoker writes the fixed session revocation or deactivates a key through this role',
      });
      for (const statement of statements.revoker) this.revoker.addToPolicy(statement);
      for (const a of statements.acknowledgements.revoker) Validations.of(this.revoker).acknowledge(a);
    }

    if (statements.undo) {
      this.undo = new iam.Role(this, 'Undo', {
        roleName: names.undo,
        assumedBy: hubAccount,
        description: 'eni-guard member: operators in the hub account run eni-guard undo through this role (the undo calls only)',
      });
      for (const statement of statements.undo) this.undo.addToPolicy(statement);
      for (const a of statements.acknowledgements.undo) Validations.of(this.undo).acknowledge(a);
    }

    const rules = props.memberRegions.map(
      (region) => `arn:${Aws.PARTITION}:events:${region}:${Aws.ACCOUNT_ID}:rule/${FORWARDING_RULE_NAME}`,
    );
    this.forwarder = new iam.Role(this, 'Forwarder', {
      roleName: names.forwarder,
      // Only this account's forwarding rules (confused-deputy protection for a service principal).
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnEquals: { 'aws:SourceArn': rules },
      }),
      description: "eni-guard member: EventBridge forwards this account's interface events to the hub bus of the same Region",
    });
    this.forwarder.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ForwardToHubBuses',
        actions: ['events:PutEvents'],
        resources: props.memberRegions.map(
          (region) => `arn:${Aws.PARTITION}:events:${region}:${props.hubAccountId}:event-bus/${HUB_BUS_NAME}`,
        ),
      }),
    );
    if (props.flowLogs) {
      // As the single-account delivery role: only VPC Flow Logs acting for this account's flow logs, writing only eni-guard's groups.
      this.flowLogDelivery = new iam.Role(this, 'FlowLogDelivery', {
        roleName: names.flowLogs,
        assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com').withConditions({
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': props.memberRegions.map((r) => `arn:${Aws.PARTITION}:ec2:${r}:${Aws.ACCOUNT_ID}:vpc-flow-log/*`) },
        }),
        description: "eni-guard member: VPC Flow Logs delivers this account's flow logs to the eni-guard log group of each member Region",
      });
      this.flowLogDelivery.addToPolicy(
        new iam.PolicyStatement({
          sid: 'WriteFlowLogGroups',
          actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
          resources: props.memberRegions.map(
            (r) => `arn:${Aws.PARTITION}:logs:${r}:${Aws.ACCOUNT_ID}:log-group:${MEMBER_FLOW_LOG_GROUP}:*`,
          ),
        }),
      );
      for (const region of props.memberRegions) {
        Validations.of(this.flowLogDelivery).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${region}:<AWS::AccountId>:log-group:${MEMBER_FLOW_LOG_GROUP}:*]`,
          reason: 'The log streams of the one eni-guard flow-log group of this Region (VPC Flow Logs names a stream per interface).',
        });
      }
    }
    // Events reach the hub only once the roles it will assume exist (a new account's stack is created in one go).
    for (const role of [this.remediation, this.revoker, this.undo]) if (role) this.forwarder.node.addDependency(role);
  }
}
