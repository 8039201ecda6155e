/**
 * How an organization's target OUs map to member roles. Every account gets one remediation role
 * (and one revoker and undo role), deployed by the roles StackSet of its target OU, so the roles can
 * differ only between target OUs: the target OUs are grouped by the permission set their effective
 * policy leads to (a shadow OU's role is read-only), one roles StackSet per group. An overlay for an
 * OU below a target OU, or for one account, shares its target OU's role: it may need fewer
 * permissions (the function simply uses fewer), never more — synth refuses it and says why.
 *
 * "Permission set" is compared as IAM grants it: each statement is split into atoms (effect,
 * action, resource, condition); an overlay below a target OU must need no Allow atom its role lacks,
 * and keep every Deny atom its role has.
 */
import { Tokenization } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { ActionKind } from '../lambda/core/actions';
import { possibleActionKinds } from '../lambda/core/plan/index';
import { effectivePolicy, type Policy } from '../lambda/core/policy';
import { ConfigError, CONTEXT_KEYS, type OrganizationConfig } from './config';
import { memberRoleStatements, type MemberRolesOptions } from './constructs/member-roles';

/** The StackSet names' stem: `EniGuardMember-Roles-<first target OU of the group>`, `EniGuardMember-Forwarding`. */
export const MEMBER_STACK_NAMES = {
  roles: 'EniGuardMember-Roles',
  forwarding: 'EniGuardMember-Forwarding',
} as const;

/** Target OUs whose accounts get the same member roles. */
export interface PermissionGroup {
  /** The roles StackSet's name: stable while the group's first target OU stays in it. */
  readonly stackSetName: string;
  /** The target OUs, in the order of `eniGuard:targetOus`. */
  readonly targetOus: readonly string[];
  /** The effective policy of the group's first target OU: the roles are rendered from it. */
  readonly policy: Policy;
  /** The remediations its roles allow (none: a shadow group). */
  readonly actionKinds: readonly ActionKind[];
}

/** The organization's member roles, by group. */
export interface OrganizationPlan {
  readonly groups: readonly PermissionGroup[];
  /**
   * The policy of an account directly under the root, with no overlay of its own: the management
   * account's standalone roles stack (StackSets never deploy to the management account).
   */
  readonly managementPolicy: Policy;
  /** Every remediation some member role allows (the hub needs the revoker if any can revoke). */
  readonly actionKinds: readonly ActionKind[];
}

/** One IAM grant: an effect, one action on one resource, under a condition. */
interface Atom {
  readonly key: string;
  readonly effect: string;
  /** `action on resource (sid)`, for messages. */
  readonly what: string;
}

/** Groups the target OUs and checks every overlay below them; throws `ConfigError` naming each overlay refused. */
export function planOrganization(policy: Policy, organization: OrganizationConfig): OrganizationPlan {
  const problems: string[] = [];
  const roles = (p: Policy) => atomsOf(p, organization);
  const roots = [...new Set([...organization.targetOus, ...policy.overlays.flatMap((o) => o.match.ous ?? [])].filter(isRoot))];
  if (roots.length > 1) {
    problems.push(
      `${CONTEXT_KEYS.policyFile}: the overlays and ${CONTEXT_KEYS.targetOus} name the roots ${roots.join(' and ')}: an organization has one root`,
    );
  }
  const pathTo = (target: string): string[] => (isRoot(target) ? [target] : [...roots, target]);
  const placeOf = (target: string) => ({ account: '', path: pathTo(target) });

  // Group the target OUs by the atoms of their roles.
  const groups = new Map<string, { ous: string[]; policy: Policy; atoms: Atom[] }>();
  for (const target of organization.targetOus) {
    const effective = effectivePolicy(policy, placeOf(target));
    const atoms = roles(effective);
    const key = atoms
      .map((a) => a.key)
      .sort()
      .join('\n');
    const group = groups.get(key) ?? { ous: [], policy: effective, atoms };
    group.ous.push(target);
    groups.set(key, group);
  }
  const root = organization.targetOus.find(isRoot);
  if (root && groups.size > 1) {
    problems.push(
      `${CONTEXT_KEYS.targetOus}: ${root} holds every OU, but the overlays give ${[...groups.values()]
        .filter((g) => !g.ous.includes(root))
        .flatMap((g) => g.ous)
        .join(
          ', ',
        )} different member roles: an account below both would get two roles StackSets with the same role names. Target the OUs one by one instead of the root`,
    );
  }

  // Overlays below a target OU (an OU that is not a target, or an account) share the target OU's roles.
  const targets = new Set([...organization.targetOus, ...roots]);
  const nested = policy.overlays
    .map((overlay, index) => ({ overlay, index, ous: (overlay.match.ous ?? []).filter((ou) => !targets.has(ou)) }))
    .filter(({ overlay, ous }) => ous.length > 0 || (overlay.match.accounts?.length ?? 0) > 0);
  for (const { overlay, index, ous } of nested) {
    const refusals = new Map<string, string[]>();
    for (const group of groups.values()) {
      for (const target of group.ous) {
        const places = [
          ...ous.map((ou) => ({ account: '', path: [...pathTo(target), ou] })),
          ...(overlay.match.accounts ?? []).map((account) => ({ account, path: pathTo(target) })),
        ];
        for (const place of places) {
          const extra = exceeding(roles(effectivePolicy(policy, place)), group.atoms);
          if (extra.length > 0) refusals.set(target, [...new Set([...(refusals.get(target) ?? []), ...extra])]);
        }
      }
    }
    for (const [target, extra] of refusals) {
      const where = [...ous, ...(overlay.match.accounts ?? [])].join(', ');
      problems.push(
        `${CONTEXT_KEYS.policyFile}: overlays.${index} (${overlay.id}) for ${where} would need permissions the member roles of target OU ${target} do not have: ${extra.join('; ')}. ` +
          `Every account has one ${organization.memberRoleName} role, deployed by its target OU's StackSet, so an overlay below a target OU may only narrow what the OU's overlay allows: ` +
          `give the change to ${target}'s own overlay, or move those accounts into a target OU of their own`,
      );
    }
  }
  // All the overlays below a target OU at once (one account below every nested OU), as the function would merge them.
  if (problems.length === 0 && nested.length > 0) {
    const allOus = [...new Set(nested.flatMap((n) => n.ous))];
    const accounts = [...new Set(nested.flatMap((n) => n.overlay.match.accounts ?? []))];
    for (const group of groups.values()) {
      for (const target of group.ous) {
        for (const account of accounts.length > 0 ? accounts : ['']) {
          const extra = exceeding(roles(effectivePolicy(policy, { account, path: [...pathTo(target), ...allOus] })), group.atoms);
          if (extra.length > 0) {
            problems.push(
              `${CONTEXT_KEYS.policyFile}: the overlays for ${[...allOus, ...(account ? [account] : [])].join(', ')}, together, would need permissions the member roles of target OU ${target} do not have: ${extra.join('; ')}; an overlay below a target OU may only narrow what the OU's overlay allows`,
            );
          }
        }
      }
    }
  }
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);

  const planned = [...groups.values()].map((group) => ({
    stackSetName: `${MEMBER_STACK_NAMES.roles}-${group.ous[0]!}`,
    targetOus: group.ous,
    policy: group.policy,
    actionKinds: possibleActionKinds(group.policy, false),
  }));
  const managementPolicy = effectivePolicy(policy, { account: '', path: roots });
  const actionKinds = [...new Set([...planned.flatMap((g) => g.actionKinds), ...possibleActionKinds(managementPolicy, false)])].sort();
  return { groups: planned, managementPolicy, actionKinds };
}

const isRoot = (ou: string) => ou.startsWith('r-');

/** The member roles' statements of a policy, as atoms. */
function atomsOf(policy: Policy, organization: OrganizationConfig): Atom[] {
  const options: MemberRolesOptions = {
    policy,
    memberRoleName: organization.memberRoleName,
    hubRegions: organization.hubRegions,
    memberRegions: organization.memberRegions,
    ...(organization.flowLogs ? { flowLogs: true } : {}),
  };
  const statements = memberRoleStatements(options);
  return [...statements.remediation, ...(statements.revoker ?? []), ...(statements.undo ?? [])].flatMap(atomize);
}

function atomize(statement: iam.PolicyStatement): Atom[] {
  const json = statement.toStatementJson() as {
    Sid?: string;
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
    Condition?: unknown;
  };
  const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
  const condition = stableJson(json.Condition ?? {});
  return list(json.Action).flatMap((action) =>
    list(json.Resource).map((resource) => ({
      key: `${json.Effect} ${action} ${resource} ${condition}`,
      effect: json.Effect,
      what: `${json.Effect === 'Deny' ? 'no longer denied: ' : ''}${action} on ${readable(resource)}${json.Condition ? ` if ${readable(condition)}` : ''}${json.Sid ? ` (${json.Sid})` : ''}`,
    })),
  );
}

/** What `needed` allows beyond `granted`, and what `granted` denies that `needed` no longer does. */
function exceeding(needed: readonly Atom[], granted: readonly Atom[]): string[] {
  const has = (atoms: readonly Atom[], key: string) => atoms.some((a) => a.key === key);
  return [
    ...needed.filter((a) => a.effect === 'Allow' && !has(granted, a.key)).map((a) => a.what),
    ...granted.filter((a) => a.effect === 'Deny' && !has(needed, a.key)).map((a) => a.what),
  ];
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Pseudo-parameter tokens as `<AWS::Partition>`, for messages. */
function readable(text: string): string {
  return Tokenization.isResolvable(text) ? '<token>' : text.replace(/\$\{Token\[AWS\.(\w+)\.\d+\]\}/g, '<AWS::$1>');
}
