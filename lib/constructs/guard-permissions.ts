/**
 * What the role that judges and fixes interfaces may do, derived from the policy: the reads the
 * enabled rules need, the remediations the policy can lead to (lib/constructs/remediation-grants.ts)
 * and the reads that verify them. One builder for both places that role lives — the responder's own
 * role in account mode, and the member remediation role an organization hub assumes — so the two
 * can never drift apart. The cdk-nag acknowledgements are derived here too, each true for exactly the
 * statement it names.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  ACTION_READ_PERMISSIONS,
  FACT_PERMISSIONS,
  READ_PERMISSIONS,
  VPC_READ_PERMISSIONS,
  type ActionKind,
} from '../../lambda/core/actions';
import { requiredFacts } from '../../lambda/core/evaluate';
import type { FactKind } from '../../lambda/core/model';
import { possibleActionKinds } from '../../lambda/core/plan/index';
import type { Policy } from '../../lambda/core/policy';
import { remediationGrants, scopedArns, STACK_REGION, type RegionScope, type RemediationGrantOptions } from './remediation-grants';

/** A cdk-nag finding acknowledged, with the reason it is true for that exact statement. */
export interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

/** Options of `GuardPermissions`. */
export interface GuardPermissionsOptions {
  /** Where "enable flow logs" writes; without it, `vpc-flow-logs` can only notify. */
  readonly flowLogDestination?: RemediationGrantOptions['flowLogDestination'];
  /** @default STACK_REGION (this stack's account and Region) */
  readonly regions?: RegionScope;
  /** Also list every VPC and its flow logs (flow logs for every VPC: the deploy step, new VPCs, the sweep). @default false */
  readonly listVpcs?: boolean;
}

/** The read, remediation and verification statements a policy leads to, in the order the role carries them. */
export class GuardPermissions {
  /** The optional facts the enabled rules need. */
  public readonly facts: readonly FactKind[];
  /** The remediations the policy can lead to (none in dry-run). */
  public readonly actionKinds: readonly ActionKind[];
  /** The `ec2:Describe*` calls of `ReadNetworkState`. */
  public readonly describes: readonly string[];
  /** Reads of the facts: `ReadNetworkState`, and as the facts require `ReadInstanceProfilesOfRoles`, `ResolvePrefixLists`. */
  public readonly reads: readonly iam.PolicyStatement[];
  private readonly iamReads: readonly string[];
  private readonly options: GuardPermissionsOptions;
  private wildcards: readonly string[] = [];

  constructor(
    private readonly policy: Policy,
    options: GuardPermissionsOptions = {},
  ) {
    this.options = options;
    const scope = scopedArns(options.regions ?? STACK_REGION);
    // Reads: always the interface and its rules; the other facts only when an enabled rule needs them.
    this.facts = [...requiredFacts(policy)];
    const factReads = [...new Set(this.facts.filter((f) => f !== 'prefixLists').flatMap((f) => FACT_PERMISSIONS[f]))];
    const vpcReads = options.listVpcs ? VPC_READ_PERMISSIONS : [];
    this.describes = [...new Set([...READ_PERMISSIONS, ...vpcReads, ...factReads.filter((a) => a.startsWith('ec2:'))])].sort();
    this.iamReads = factReads.filter((a) => a.startsWith('iam:')).sort();
    const reads: iam.PolicyStatement[] = [
      new iam.PolicyStatement({
        sid: 'ReadNetworkState',
        actions: [...this.describes],
        resources: ['*'],
        ...ec2Conditions(scope.inRequestedRegions({})),
      }),
    ];
    if (this.iamReads.length > 0) {
      // The proof behind instance credentials: which instance profiles carry the session's role.
      reads.push(
        new iam.PolicyStatement({
          sid: 'ReadInstanceProfilesOfRoles',
          actions: [...this.iamReads],
          resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/*`],
        }),
      );
    }
    if (this.facts.includes('prefixLists')) {
      // AWS-managed prefix lists belong to the "aws" account, hence any owner.
      reads.push(
        new iam.PolicyStatement({
          sid: 'ResolvePrefixLists',
          actions: [...FACT_PERMISSIONS.prefixLists],
          resources: [`arn:${Aws.PARTITION}:ec2:${scope.arnRegion}:*:prefix-list/*`],
          ...ec2Conditions(scope.inRequestedRegions({})),
        }),
      );
    }
    this.reads = reads;
    this.actionKinds = possibleActionKinds(policy, options.flowLogDestination !== undefined);
  }

  /** True when the policy can revoke credentials (the revoker is needed). */
  get revokes(): boolean {
    return this.actionKinds.includes('revoke-role-sessions') || this.actionKinds.includes('deactivate-access-key');
  }

  /**
   * The remediation statements and the reads that plan and verify them. `revokerFunctionArn`: the
   * revoker the role may invoke (account mode; a member role asks nobody).
   */
  remediation(revokerFunctionArn?: string): iam.PolicyStatement[] {
    const scope = scopedArns(this.options.regions ?? STACK_REGION);
    const grants = remediationGrants(this.actionKinds, {
      policy: this.policy,
      ...(this.options.flowLogDestination ? { flowLogDestination: this.options.flowLogDestination } : {}),
      ...(revokerFunctionArn ? { revokerFunctionArn } : {}),
      ...(this.options.regions ? { regions: this.options.regions } : {}),
    });
    this.wildcards = grants.wildcards;
    const statements = [...grants.statements];
    const actionReads = [...new Set(this.actionKinds.flatMap((kind) => ACTION_READ_PERMISSIONS[kind] ?? []))];
    const ec2Reads = actionReads.filter((a) => a.startsWith('ec2:') && !this.describes.includes(a)).sort();
    if (ec2Reads.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'ReadForRemediation',
          actions: ec2Reads,
          resources: ['*'],
          ...ec2Conditions(scope.inRequestedRegions({})),
        }),
      );
    }
    if (this.actionKinds.includes('revoke-role-sessions')) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'VerifyRoleRevocation',
          actions: ['iam:GetRolePolicy'],
          resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/*`],
        }),
      );
    }
    if (this.actionKinds.includes('deactivate-access-key')) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'VerifyKeyDeactivation',
          actions: ['iam:ListAccessKeys'],
          resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:user/*`],
        }),
      );
    }
    return statements;
  }

  /** The cdk-nag acknowledgements of the statements above (call after `remediation`). */
  acknowledgements(): Acknowledgement[] {
    const scope = scopedArns(this.options.regions ?? STACK_REGION);
    const out: Acknowledgement[] = [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `The ec2:Describe* calls granted (${this.describes.join(', ')}) do not support resource-level permissions${this.wildcards.includes('*') ? '; nor does logs:CreateLogDelivery (flow logs to S3)' : ''}.`,
      },
    ];
    if (this.facts.includes('prefixLists')) {
      out.push({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:${scope.renderedRegion}:*:prefix-list/*]`,
        reason: 'Prefix lists referenced by security groups are known only at run time; AWS-managed ones are owned by the "aws" account.',
      });
    }
    for (const resource of this.wildcards.filter((r) => r !== '*')) {
      out.push({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason: `The resources to fix (groups, rules, interfaces, addresses, volumes, snapshots) are known only at run time; each statement is scoped to this account and ${scope.renderedRegion === '*' ? 'conditioned on the member Regions (aws:RequestedRegion)' : 'Region'} and conditioned (managed tags, tag keys, VPC, Region) as lib/constructs/remediation-grants.ts says.`,
      });
    }
    if (this.actionKinds.includes('revoke-role-sessions')) {
      out.push({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]',
        reason: 'iam:GetRolePolicy reads back a revocation on a role known only at run time (read-only).',
      });
    }
    if (this.actionKinds.includes('deactivate-access-key')) {
      out.push({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*]',
        reason: 'iam:ListAccessKeys reads back a deactivation on a user known only at run time (read-only).',
      });
    }
    if (this.iamReads.length > 0 && !this.actionKinds.includes('revoke-role-sessions')) {
      out.push({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]',
        reason: 'iam:ListInstanceProfilesForRole reads which instance profiles carry the role behind instance credentials (read-only).',
      });
    }
    return out;
  }
}

/** `{ conditions }` when there are any (account mode has none on its reads). */
function ec2Conditions(conditions: Record<string, unknown>): { conditions?: Record<string, unknown> } {
  return Object.keys(conditions).length > 0 ? { conditions } : {};
}
