/**
 * The member templates of organization mode: the roles (one Region per account: IAM is global) and
 * the forwarding rule (every member Region). StackSets deploy them from `EniGuardOrgStackSets`; they
 * are also plain deployable stacks, for the management account (which StackSets never deploy to).
 * Synthesized without bootstrap (`BootstraplessSynthesizer`): no asset, no bootstrap version rule,
 * nothing a fresh member account would have to prepare.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, BootstraplessSynthesizer, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Policy } from '../lambda/core/policy';
import type { OrganizationConfig } from './config';
import { MemberForwarding } from './constructs/member-forwarding';
import { MemberRoles } from './constructs/member-roles';

/** The template parameter through which StackSets (or the operator) name the hub's account. */
export const HUB_ACCOUNT_PARAMETER = 'HubAccountId';

/** Props of the member stacks. */
export interface MemberStackProps extends StackProps {
  readonly organization: OrganizationConfig;
}

/** Props of `EniGuardMemberRolesStack`. */
export interface MemberRolesStackProps extends MemberStackProps {
  /** The effective policy of the accounts it is deployed to. */
  readonly policy: Policy;
  /** The hub imports findings into Security Hub through the remediation role (`eniGuard:securityHub`). @default false */
  readonly securityHub?: boolean;
}

/** The member roles of one account. */
export class EniGuardMemberRolesStack extends Stack {
  public readonly roles: MemberRoles;

  constructor(scope: Construct, id: string, props: MemberRolesStackProps) {
    super(scope, id, { ...props, synthesizer: new BootstraplessSynthesizer(), analyticsReporting: false });
    this.roles = new MemberRoles(this, 'Roles', {
      policy: props.policy,
      memberRoleName: props.organization.memberRoleName,
      hubRegions: props.organization.hubRegions,
      memberRegions: props.organization.memberRegions,
      ...(props.organization.flowLogs ? { flowLogs: true } : {}),
      hubAccountId: hubAccountParameter(this).valueAsString,
      ...(props.securityHub ? { securityHub: true } : {}),
    });
  }
}

/** The forwarding rule of one account and Region. */
export class EniGuardMemberForwardingStack extends Stack {
  public readonly forwarding: MemberForwarding;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, { ...props, synthesizer: new BootstraplessSynthesizer(), analyticsReporting: false });
    this.forwarding = new MemberForwarding(this, 'Forwarding', {
      hubAccountId: hubAccountParameter(this).valueAsString,
      memberRoleName: props.organization.memberRoleName,
      ...(props.organization.flowLogs ? { flowLogs: props.organization.flowLogs } : {}),
    });
  }
}

function hubAccountParameter(stack: Stack): CfnParameter {
  return new CfnParameter(stack, HUB_ACCOUNT_PARAMETER, {
    type: 'String',
    allowedPattern: '^\\d{12}$',
    constraintDescription: 'a 12-digit AWS account id',
    description: "The eni-guard hub's account: its responder and revoker roles are trusted, its buses receive this account's events",
  });
}

/**
 * The template of a member stack as a StackSet's `TemplateBody`: built by `build` in an app of its
 * own with the same context (feature flags) as the real one, so it is the template of the deployable
 * stack, without the construct-path metadata (smaller; CloudFormation ignores it).
 */
export function memberTemplateBody(context: Readonly<Record<string, unknown>>, build: (scope: App) => Stack): string {
  const outdir = mkdtempSync(join(tmpdir(), 'eni-guard-member-template-'));
  try {
    const app = new App({
      outdir,
      autoSynth: false,
      analyticsReporting: false,
      context: { ...context },
      // After the CLI's context (which turns path metadata on): the body carries none.
      postCliContext: { 'aws:cdk:enable-path-metadata': false },
    });
    const stack = build(app);
    return JSON.stringify(app.synth().getStackByName(stack.stackName).template);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
