/**
 * The responder's remediation permissions: one scoped statement per thing an action does, each with
 * the conditions AWS offers for it, and none that reverses a fix (undo runs with the operator's
 * credentials; credential revocation is the revoker function's). Derived from the action kinds the
 * policy can lead to, so a policy that cannot quarantine grants nothing to do it.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ActionKind } from '../../lambda/core/actions';
import { TAGS } from '../../lambda/core/plan/index';
import type { Policy } from '../../lambda/core/policy';
import { settingsOf } from '../../lambda/core/policy';
import { BACKUP_COVERAGE, type BackupCoverageSettings } from '../../lambda/core/rules/backup-coverage';
import { CALLER, type CallerSettings } from '../../lambda/core/rules/caller';
import { NETWORK_PLACEMENT, type NetworkPlacementSettings } from '../../lambda/core/rules/network-placement';

/**
 * Where the statements apply. `stack` (account mode): this stack's account and Region, by
 * pseudo-parameters. `regions` (a member role): the role's own account in each listed Region — EC2
 * ARNs name any Region and every EC2 statement is conditioned on `aws:RequestedRegion` instead.
 */
export type RegionScope = { readonly kind: 'stack' } | { readonly kind: 'regions'; readonly regions: readonly string[] };

/** The scope of account mode: this stack's Region. */
export const STACK_REGION: RegionScope = { kind: 'stack' };

/** What the statements are derived from besides the action kinds. */
export interface RemediationGrantOptions {
  readonly policy: Policy;
  /** Where "enable flow logs" writes, and the delivery role it passes (a role, or the ARN of one another template creates). */
  readonly flowLogDestination?: {
    readonly type: 'cloud-watch-logs' | 's3';
    readonly deliveryRole?: iam.IRole;
    readonly deliveryRoleArn?: string;
  };
  /** The revoker function the responder may invoke (and nothing else of Lambda). */
  readonly revokerFunctionArn?: string;
  /** @default STACK_REGION */
  readonly regions?: RegionScope;
}

/** The statements, and every wildcard resource among them as cdk-nag renders it (each acknowledged, no more). */
export interface RemediationGrants {
  readonly statements: iam.PolicyStatement[];
  readonly wildcards: string[];
}

/** An ARN pattern and how cdk-nag renders it in a finding id. */
export interface RenderedArn {
  readonly arn: string;
  readonly rendered: string;
}

/** ARNs and the Region condition of a scope. */
export interface ScopedArns {
  /** Resources of one EC2 type in the role's account (and Region; any Region of a member role). */
  readonly ec2: (type: string) => RenderedArn;
  /** Snapshot ARNs carry no account id. */
  readonly snapshot: RenderedArn;
  /** The value of `aws:RequestedRegion`: this Region, or the member Regions. */
  readonly requestedRegion: string | string[];
  /** The Region part of an EC2 ARN: this Region, or `*` (narrowed by `aws:RequestedRegion`). */
  readonly arnRegion: string;
  /** How cdk-nag renders `arnRegion`. */
  readonly renderedRegion: string;
  /** For member roles, `conditions` with `aws:RequestedRegion` added to its StringEquals when absent; unchanged in account mode. */
  readonly inRequestedRegions: (conditions: Record<string, unknown>) => Record<string, unknown>;
}

/** The ARNs and Region condition of a scope. */
export function scopedArns(scope: RegionScope = STACK_REGION): ScopedArns {
  const stack = scope.kind === 'stack';
  const arnRegion = stack ? Aws.REGION : '*';
  const renderedRegion = stack ? '<AWS::Region>' : '*';
  const requestedRegion = stack ? Aws.REGION : [...scope.regions];
  return {
    ec2: (type) => ({
      arn: `arn:${Aws.PARTITION}:ec2:${arnRegion}:${Aws.ACCOUNT_ID}:${type}/*`,
      rendered: `arn:<AWS::Partition>:ec2:${renderedRegion}:<AWS::AccountId>:${type}/*`,
    }),
    snapshot: {
      arn: `arn:${Aws.PARTITION}:ec2:${arnRegion}::snapshot/*`,
      rendered: `arn:<AWS::Partition>:ec2:${renderedRegion}::snapshot/*`,
    },
    requestedRegion,
    arnRegion,
    renderedRegion,
    inRequestedRegions: (conditions) => {
      if (stack) return conditions;
      const equals = (conditions['StringEquals'] ?? {}) as Record<string, unknown>;
      if ('aws:RequestedRegion' in equals) return conditions;
      return { ...conditions, StringEquals: { ...equals, 'aws:RequestedRegion': requestedRegion } };
    },
  };
}

/** One statement per action step the policy can lead to. */
export function remediationGrants(kinds: readonly ActionKind[], options: RemediationGrantOptions): RemediationGrants {
  const statements: iam.PolicyStatement[] = [];
  const wildcards = new Set<string>();
  const scope = scopedArns(options.regions);
  const EC2 = scope.ec2;
  const SNAPSHOT = scope.snapshot;
  const IN_REGION = { StringEquals: { 'aws:RequestedRegion': scope.requestedRegion } };
  /** Only security groups eni-guard created (tagged at creation, which IAM lets only eni-guard do for these tags). */
  const MANAGED_GROUP = { StringEquals: { [`aws:ResourceTag/${TAGS.managed}`]: 'true', 'aws:RequestedRegion': scope.requestedRegion } };
  const has = (...wanted: ActionKind[]) => wanted.some((kind) => kinds.includes(kind));
  const add = (sid: string, actions: string[], resources: RenderedArn[], conditions: Record<string, unknown>) => {
    for (const r of resources) wildcards.add(r.rendered);
    statements.push(
      new iam.PolicyStatement({
        sid,
        actions: [...actions].sort(),
        resources: resources.map((r) => r.arn),
        conditions: scope.inRequestedRegions(conditions),
      }),
    );
  };

  if (has('revoke-ingress')) {
    // Revoke only: re-authorizing a revoked rule is undo's, with the operator's credentials.
    add('RevokeWorldOpenRules', ['ec2:RevokeSecurityGroupIngress'], [EC2('security-group'), EC2('security-group-rule')], IN_REGION);
  }
  if (has('replace-groups', 'quarantine', 'isolate-instance')) {
    // A new group must carry the managed tag from its first moment, so only eni-guard's own groups can be filled below.
    add('CreateManagedGroups', ['ec2:CreateSecurityGroup'], [EC2('security-group')], {
      StringEquals: { [`aws:RequestTag/${TAGS.managed}`]: 'true', 'aws:RequestedRegion': scope.requestedRegion },
    });
    add('CreateGroupsInVpcs', ['ec2:CreateSecurityGroup'], [EC2('vpc')], IN_REGION);
    add('TagManagedGroupsOnCreate', ['ec2:CreateTags'], [EC2('security-group')], {
      StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' },
    });
    const fill = ['ec2:RevokeSecurityGroupEgress', 'ec2:DeleteSecurityGroup'];
    // A copy gets the original's other rules; a quarantine group gets none.
    if (has('replace-groups')) fill.push('ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress');
    add('FillManagedGroups', fill, [EC2('security-group')], MANAGED_GROUP);
    add(
      'MoveInterfacesBetweenGroups',
      ['ec2:ModifyNetworkInterfaceAttribute'],
      [EC2('network-interface'), EC2('security-group'), EC2('instance')],
      IN_REGION,
    );
  }
  if (has('restore-source-dest-check') && !has('replace-groups', 'quarantine', 'isolate-instance')) {
    add('RestoreSourceDestCheck', ['ec2:ModifyNetworkInterfaceAttribute'], [EC2('network-interface')], IN_REGION);
  }
  if (has('disassociate-address')) {
    // Disassociate only: re-associating is undo's.
    add('DetachElasticIps', ['ec2:DisassociateAddress'], [EC2('elastic-ip'), EC2('network-interface'), EC2('instance')], IN_REGION);
  }
  const destination = options.flowLogDestination;
  if (has('enable-flow-logs') && destination) {
    // On VPCs of this account and Region; the flow log it creates must carry the managed tag (and no other
    // tag than eni-guard's two), so this grant can create no flow log that is not visibly eni-guard's.
    const flowLogTags = { 'ForAllValues:StringEquals': { 'aws:TagKeys': [TAGS.managed, TAGS.ledger] } };
    add('EnableFlowLogsOnVpcs', ['ec2:CreateFlowLogs'], [EC2('vpc')], IN_REGION);
    add('CreateManagedFlowLogs', ['ec2:CreateFlowLogs'], [EC2('vpc-flow-log')], {
      StringEquals: { [`aws:RequestTag/${TAGS.managed}`]: 'true', 'aws:RequestedRegion': scope.requestedRegion },
      ...flowLogTags,
    });
    add('TagFlowLogsOnCreate', ['ec2:CreateTags'], [EC2('vpc-flow-log')], {
      StringEquals: { 'ec2:CreateAction': 'CreateFlowLogs', [`aws:RequestTag/${TAGS.managed}`]: 'true' },
      ...flowLogTags,
    });
    if (destination.type === 's3') {
      // Flow logs to S3 are delivered through CloudWatch Logs' vended-log delivery, which has no resource-level permissions.
      wildcards.add('*');
      statements.push(
        new iam.PolicyStatement({
          sid: 'CreateS3FlowLogDelivery',
          actions: ['logs:CreateLogDelivery'],
          resources: ['*'],
          conditions: IN_REGION,
        }),
      );
    }
    const deliveryRoleArn = destination.deliveryRole?.roleArn ?? destination.deliveryRoleArn;
    if (deliveryRoleArn) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'PassFlowLogDeliveryRole',
          actions: ['iam:PassRole'],
          resources: [deliveryRoleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'vpc-flow-logs.amazonaws.com' } },
        }),
      );
    }
  }
  if (has('tag-for-backup')) {
    const backup = settingsOf(options.policy, BACKUP_COVERAGE) as BackupCoverageSettings;
    add('TagInstancesForBackup', ['ec2:CreateTags'], [EC2('instance')], {
      'ForAllValues:StringEquals': { 'aws:TagKeys': [backup.tagKey] },
      StringEquals: { [`aws:RequestTag/${backup.tagKey}`]: backup.tagValue, 'aws:RequestedRegion': scope.requestedRegion },
    });
  }
  if (has('delete-interface')) {
    // Only where interfaces are not allowed: IAM refuses the rest even if the planner asked.
    const placement = settingsOf(options.policy, NETWORK_PLACEMENT) as NetworkPlacementSettings;
    const vpcArn = (id: string) => `arn:${Aws.PARTITION}:ec2:${scope.arnRegion}:${Aws.ACCOUNT_ID}:vpc/${id}`;
    const subnetArn = (id: string) => `arn:${Aws.PARTITION}:ec2:${scope.arnRegion}:${Aws.ACCOUNT_ID}:subnet/${id}`;
    if (placement.allowedVpcs.length > 0) {
      add('DeleteInterfacesOutsideAllowedVpcs', ['ec2:DeleteNetworkInterface'], [EC2('network-interface')], {
        ArnNotEquals: { 'ec2:Vpc': placement.allowedVpcs.map(vpcArn) },
        ...IN_REGION,
      });
    }
    if (placement.allowedSubnets.length > 0) {
      add('DeleteInterfacesOutsideAllowedSubnets', ['ec2:DeleteNetworkInterface'], [EC2('network-interface')], {
        ArnNotEquals: { 'ec2:Subnet': placement.allowedSubnets.map(subnetArn) },
        ...IN_REGION,
      });
    }
  }
  if (has('isolate-instance')) {
    add('SnapshotVolumesForForensics', ['ec2:CreateSnapshot'], [EC2('volume')], IN_REGION);
    add('CreateTaggedForensicSnapshots', ['ec2:CreateSnapshot'], [SNAPSHOT], { Null: { [`aws:RequestTag/${TAGS.ledger}`]: 'false' } });
    add('TagSnapshotsOnCreate', ['ec2:CreateTags'], [SNAPSHOT], { StringEquals: { 'ec2:CreateAction': 'CreateSnapshot' } });
    add('MarkIsolatedInstances', ['ec2:CreateTags'], [EC2('instance')], {
      'ForAllValues:StringEquals': { 'aws:TagKeys': [TAGS.isolated] },
      ...IN_REGION,
    });
    const caller = settingsOf(options.policy, CALLER) as CallerSettings;
    if (caller.terminateInstance) {
      // Only an instance the plan isolated (it tags it first, in the same action): never one of another's choosing.
      add('TerminateIsolatedInstances', ['ec2:TerminateInstances'], [EC2('instance')], {
        StringLike: { [`aws:ResourceTag/${TAGS.isolated}`]: '*' },
        ...IN_REGION,
      });
    }
  }
  if (has('tag-interface')) {
    add('TagRemediatedInterfaces', ['ec2:CreateTags'], [EC2('network-interface')], {
      'ForAllValues:StringEquals': { 'aws:TagKeys': [TAGS.remediated, TAGS.findings, TAGS.ledger] },
      ...IN_REGION,
    });
  }
  if (has('revoke-role-sessions', 'deactivate-access-key') && options.revokerFunctionArn) {
    statements.push(
      new iam.PolicyStatement({ sid: 'AskTheRevoker', actions: ['lambda:InvokeFunction'], resources: [options.revokerFunctionArn] }),
    );
  }
  return { statements, wildcards: [...wildcards].sort() };
}
