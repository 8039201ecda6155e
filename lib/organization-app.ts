/**
 * The stacks of organization mode, added to the CDK app by lib/app.ts (and by the tests): one hub
 * per hub Region, the StackSets stack in the first, and the member stacks — as StackSet templates
 * and as deployable stacks for the management account. No business logic here: the grouping of
 * target OUs is lib/organization-plan.ts.
 */
import type { App } from 'aws-cdk-lib';
import type { EniGuardConfig, OrganizationConfig } from './config';
import { EniGuardHubStack } from './hub-stack';
import { EniGuardMemberForwardingStack, EniGuardMemberRolesStack, memberTemplateBody } from './member-stacks';
import { EniGuardOrgStackSetsStack } from './org-stacksets-stack';
import { MEMBER_STACK_NAMES, planOrganization, type OrganizationPlan } from './organization-plan';

/** Stack names of organization mode. */
export const ORGANIZATION_STACK_NAMES = {
  hub: (region: string) => `EniGuardHub-${region}`,
  stackSets: 'EniGuardOrgStackSets',
  memberRoles: MEMBER_STACK_NAMES.roles,
  memberForwarding: (region: string) => `${MEMBER_STACK_NAMES.forwarding}-${region}`,
} as const;

/** What `addOrganizationStacks` created. */
export interface OrganizationStacks {
  readonly plan: OrganizationPlan;
  readonly hubs: readonly EniGuardHubStack[];
  readonly stackSets: EniGuardOrgStackSetsStack;
  /** The management account's roles (StackSets skip it). */
  readonly memberRoles: EniGuardMemberRolesStack;
  /** The management account's forwarding, one per member Region. */
  readonly memberForwarding: readonly EniGuardMemberForwardingStack[];
}

/**
 * Adds every stack of organization mode to `app`. `context` is the app's whole context (the
 * member templates are rendered with the same feature flags); `account`, the hub account if known.
 */
export function addOrganizationStacks(
  app: App,
  config: EniGuardConfig & { readonly organization: OrganizationConfig },
  context: Readonly<Record<string, unknown>>,
  account?: string,
): OrganizationStacks {
  const organization = config.organization;
  const plan = planOrganization(config.policy, organization);
  const env = (region: string) => ({ ...(account ? { account } : {}), region });
  const hubs = organization.hubRegions.map(
    (region) =>
      new EniGuardHubStack(app, ORGANIZATION_STACK_NAMES.hub(region), {
        config,
        organization,
        plan,
        env: env(region),
        description: `eni-guard hub (${region}): guards the target OUs of ${organization.organizationId} through their member roles`,
      }),
  );
  const rolesRegion = organization.memberRegions[0]!;
  const rolesDescription = (what: string) =>
    `eni-guard member roles (${what}): the hub of ${organization.organizationId} works through them`;
  const stackSets = new EniGuardOrgStackSetsStack(app, ORGANIZATION_STACK_NAMES.stackSets, {
    organization,
    env: env(organization.hubRegions[0]!),
    description: `eni-guard: the StackSets that deploy the member roles and forwarding to the target OUs of ${organization.organizationId}`,
    roles: plan.groups.map((group) => ({
      stackSetName: group.stackSetName,
      targetOus: group.targetOus,
      templateBody: memberTemplateBody(
        context,
        (scope) =>
          new EniGuardMemberRolesStack(scope, group.stackSetName, {
            organization,
            policy: group.policy,
            securityHub: config.integrations.securityHub,
            description: rolesDescription(group.targetOus.join(', ')),
          }),
      ),
    })),
    forwardingTemplateBody: memberTemplateBody(context, (scope) => forwardingStack(scope, MEMBER_STACK_NAMES.forwarding, organization)),
  });
  const memberRoles = new EniGuardMemberRolesStack(app, ORGANIZATION_STACK_NAMES.memberRoles, {
    organization,
    policy: plan.managementPolicy,
    securityHub: config.integrations.securityHub,
    env: { region: rolesRegion },
    description: rolesDescription('management account'),
  });
  const memberForwarding = organization.memberRegions.map((region) =>
    forwardingStack(app, ORGANIZATION_STACK_NAMES.memberForwarding(region), organization, region),
  );
  return { plan, hubs, stackSets, memberRoles, memberForwarding };
}

function forwardingStack(scope: App, id: string, organization: OrganizationConfig, region?: string): EniGuardMemberForwardingStack {
  return new EniGuardMemberForwardingStack(scope, id, {
    organization,
    ...(region ? { env: { region } } : {}),
    description: `eni-guard member forwarding: interface events to the hub bus of ${organization.organizationId}'s hub in the same Region`,
  });
}
