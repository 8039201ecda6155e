/**
 * `EniGuardOrgStackSets`, deployed once in the hub account (a delegated administrator for StackSets,
 * or the management account with `SELF`) in the first hub Region: service-managed StackSets with
 * automatic deployment, so every account of a target OU — including one created or moved there
 * tomorrow — gets the member roles (one roles StackSet per permission group, one Region) and the
 * forwarding rule (every member Region), and loses them when it leaves. Excluded accounts are left
 * out of every StackSet. No business logic here.
 */
import { Aws, CfnStackSet, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { OrganizationConfig } from './config';
import { HUB_ACCOUNT_PARAMETER } from './member-stacks';
import { MEMBER_STACK_NAMES } from './organization-plan';

/** The inline `TemplateBody` limit of `AWS::CloudFormation::StackSet` (bytes). */
export const TEMPLATE_BODY_LIMIT = 51_200;

/** A roles StackSet to create. */
export interface RolesStackSet {
  readonly stackSetName: string;
  readonly targetOus: readonly string[];
  /** The member roles template of the group (lib/member-stacks.ts `memberTemplateBody`). */
  readonly templateBody: string;
}

/** Props of `EniGuardOrgStackSetsStack`. */
export interface EniGuardOrgStackSetsStackProps extends StackProps {
  readonly organization: OrganizationConfig;
  readonly roles: readonly RolesStackSet[];
  readonly forwardingTemplateBody: string;
}

/** The StackSets that deploy the member templates. */
export class EniGuardOrgStackSetsStack extends Stack {
  public readonly roleStackSets: CfnStackSet[];
  public readonly forwardingStackSet: CfnStackSet;

  constructor(scope: Construct, id: string, props: EniGuardOrgStackSetsStackProps) {
    super(scope, id, props);
    const { organization } = props;
    const stackSet = (
      logicalId: string,
      name: string,
      description: string,
      body: string,
      ous: readonly string[],
      regions: readonly string[],
    ) => {
      if (Buffer.byteLength(body, 'utf8') > TEMPLATE_BODY_LIMIT) {
        throw new Error(
          `${name}: the member template is ${Buffer.byteLength(body, 'utf8')} bytes, over the ${TEMPLATE_BODY_LIMIT}-byte TemplateBody limit`,
        );
      }
      const excluded = organization.excludedAccounts;
      return new CfnStackSet(this, logicalId, {
        stackSetName: name,
        description,
        permissionModel: 'SERVICE_MANAGED',
        callAs: organization.stackSetsCallAs,
        // A new account in a target OU is guarded without anyone running anything; one that leaves loses the roles.
        autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
        // Queue conflicting operations (an auto-deployment during an update) instead of failing them.
        managedExecution: { Active: true },
        capabilities: ['CAPABILITY_NAMED_IAM'],
        operationPreferences: { regionConcurrencyType: 'PARALLEL', maxConcurrentPercentage: 100, failureTolerancePercentage: 10 },
        parameters: [{ parameterKey: HUB_ACCOUNT_PARAMETER, parameterValue: Aws.ACCOUNT_ID }],
        stackInstancesGroup: [
          {
            deploymentTargets: {
              organizationalUnitIds: [...ous],
              ...(excluded.length > 0 ? { accounts: [...excluded], accountFilterType: 'DIFFERENCE' } : { accountFilterType: 'NONE' }),
            },
            regions: [...regions],
          },
        ],
        templateBody: body,
      });
    };
    // IAM is global: the roles in one Region of each account.
    const rolesRegion = organization.memberRegions[0]!;
    this.roleStackSets = props.roles.map((group) =>
      stackSet(
        // After the group's first target OU, as its name: stable while the OU stays first in its group.
        `MemberRoles${pascal(group.targetOus[0]!)}`,
        group.stackSetName,
        `eni-guard member roles for ${group.targetOus.join(', ')} (remediation, revoker, forwarder, undo)`,
        group.templateBody,
        group.targetOus,
        [rolesRegion],
      ),
    );
    this.forwardingStackSet = stackSet(
      'MemberForwarding',
      MEMBER_STACK_NAMES.forwarding,
      'eni-guard member forwarding: interface events to the hub bus of the same Region',
      props.forwardingTemplateBody,
      organization.targetOus,
      organization.memberRegions,
    );
    // First deployment: the roles first (the StackSet resource waits for its stack instances), so the
    // forwarded events find the roles the hub assumes. Auto-deployments to new accounts run both StackSets
    // at once; a forwarding rule whose role is not there yet fails its deliveries, which EventBridge retries.
    for (const roles of this.roleStackSets) this.forwardingStackSet.addResourceDependency(roles);
  }
}

/** `ou-abcd-11111111` → `OuAbcd11111111`, for logical ids. */
function pascal(id: string): string {
  return id
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
