/**
 * Verification: after acting, the responder re-reads what each action changed and compares it with
 * what the action promised. A fix that did not take (or was reverted behind its back) is a failure.
 */
import type { Check } from './actions';
import { resolveRefs } from './actions';
import { CidrError, tryParseCidr } from './cidr';
import type { FlowLogCoverage, NetworkInterface, SecurityGroupRule } from './model';

/** What was re-read after acting. `undefined` entries were not read; `null` interface: it is gone. */
export interface AfterState {
  readonly interfaces: ReadonlyMap<string, NetworkInterface | null>;
  readonly groupRules: ReadonlyMap<string, readonly SecurityGroupRule[]>;
  readonly flowLogs: ReadonlyMap<string, FlowLogCoverage>;
  readonly tags: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** `role/policyName` → whether the inline policy exists. */
  readonly rolePolicies: ReadonlyMap<string, boolean>;
  /** access key id → `Active` | `Inactive`. */
  readonly accessKeys: ReadonlyMap<string, string>;
}

/** The verdict on one check. */
export interface CheckResult {
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * A CIDR as EC2 canonicalises it (`203.0.113.7/0` is `0.0.0.0/0`, IPv6 in RFC 5952 form), so a rule
 * re-added with its source written another way is still the same rule. EC2's own answers are
 * canonical already; this does not depend on it (an emulator's may not be). Text that is no CIDR
 * is compared as written.
 */
function canonical(cidr: string | undefined): string | undefined {
  if (cidr === undefined) return undefined;
  const parsed = tryParseCidr(cidr);
  return parsed instanceof CidrError ? cidr : parsed.text;
}

/** Compares one check with the re-read state; `outputs` resolves refs (e.g. a created group's id). */
export function verifyCheck(check: Check, outputs: Readonly<Record<string, string>>, state: AfterState): CheckResult {
  switch (check.kind) {
    case 'rules-absent': {
      const rules = state.groupRules.get(check.groupId);
      if (!rules) return { ok: false, detail: `could not re-read ${check.groupId}` };
      const still = check.securityGroupRuleIds.filter((id) => rules.some((r) => r.ruleId === id));
      const readded = rules.filter(
        (r) =>
          !r.isEgress &&
          !still.includes(r.ruleId) &&
          check.rules.some(
            (shape) =>
              shape.protocol === r.protocol &&
              shape.fromPort === r.fromPort &&
              shape.toPort === r.toPort &&
              canonical(shape.cidrIpv4) === canonical(r.cidrIpv4) &&
              canonical(shape.cidrIpv6) === canonical(r.cidrIpv6) &&
              shape.prefixListId === r.prefixListId,
          ),
      );
      if (still.length === 0 && readded.length === 0) return { ok: true, detail: `re-read ${check.groupId}: rules gone` };
      return {
        ok: false,
        detail: `re-read ${check.groupId}: still present ${[...still, ...readded.map((r) => `${r.ruleId} (re-added)`)].join(',')}`,
      };
    }
    case 'interface-groups': {
      const ni = state.interfaces.get(check.networkInterfaceId);
      if (!ni) return { ok: false, detail: `could not re-read ${check.networkInterfaceId}` };
      const expected = resolveRefs(check.groupIds, outputs) as string[];
      const actual = ni.groups.map((g) => g.groupId);
      const same = expected.length === actual.length && expected.every((id) => actual.includes(id));
      return same
        ? { ok: true, detail: `re-read ${check.networkInterfaceId}: groups ${actual.join(',')}` }
        : { ok: false, detail: `re-read ${check.networkInterfaceId}: groups ${actual.join(',')}, expected ${expected.join(',')}` };
    }
    case 'address-detached': {
      const ni = state.interfaces.get(check.networkInterfaceId);
      if (!ni) return { ok: false, detail: `could not re-read ${check.networkInterfaceId}` };
      return ni.elasticIp?.allocationId === check.allocationId
        ? { ok: false, detail: `re-read ${check.networkInterfaceId}: ${check.allocationId} still associated` }
        : { ok: true, detail: `re-read ${check.networkInterfaceId}: ${check.allocationId} no longer associated` };
    }
    case 'source-dest-check': {
      const ni = state.interfaces.get(check.networkInterfaceId);
      if (!ni) return { ok: false, detail: `could not re-read ${check.networkInterfaceId}` };
      return ni.sourceDestCheck === check.enabled
        ? { ok: true, detail: `re-read ${check.networkInterfaceId}: source/destination check ${check.enabled ? 'on' : 'off'}` }
        : { ok: false, detail: `re-read ${check.networkInterfaceId}: source/destination check is ${String(ni.sourceDestCheck)}` };
    }
    case 'flow-log-active': {
      const coverage = state.flowLogs.get(check.vpcId);
      if (!coverage) return { ok: false, detail: `could not re-read the flow logs of ${check.vpcId}` };
      const active = coverage.active.filter((f) => f.resourceId === check.vpcId);
      return active.length > 0
        ? { ok: true, detail: `re-read ${check.vpcId}: flow log ${active.map((f) => f.flowLogId).join(',')} ACTIVE` }
        : { ok: false, detail: `re-read ${check.vpcId}: no ACTIVE flow log` };
    }
    case 'tags': {
      const tags = state.tags.get(check.resourceId);
      if (!tags) return { ok: false, detail: `could not re-read the tags of ${check.resourceId}` };
      const wrong = Object.entries(check.tags).filter(([key, value]) => tags[key] !== value);
      return wrong.length === 0
        ? { ok: true, detail: `re-read ${check.resourceId}: tags present` }
        : { ok: false, detail: `re-read ${check.resourceId}: tag(s) ${wrong.map(([k]) => k).join(',')} missing or different` };
    }
    case 'role-policy': {
      const present = state.rolePolicies.get(`${check.roleName}/${check.policyName}`);
      if (present === undefined) return { ok: false, detail: `could not re-read role ${check.roleName}` };
      return present
        ? { ok: true, detail: `re-read role ${check.roleName}: ${check.policyName} in place` }
        : { ok: false, detail: `re-read role ${check.roleName}: ${check.policyName} missing` };
    }
    case 'interface-deleted': {
      const ni = state.interfaces.get(check.networkInterfaceId);
      if (ni === undefined) return { ok: false, detail: `could not re-read ${check.networkInterfaceId}` };
      return ni === null
        ? { ok: true, detail: `re-read: ${check.networkInterfaceId} no longer exists` }
        : { ok: false, detail: `re-read: ${check.networkInterfaceId} still exists (${ni.status ?? '?'})` };
    }
    case 'group-empty': {
      const groupId = resolveRefs(check.groupId, outputs) as string;
      const rules = state.groupRules.get(groupId);
      if (!rules) return { ok: false, detail: `could not re-read ${groupId}` };
      return rules.length === 0
        ? { ok: true, detail: `re-read ${groupId}: no ingress, no egress` }
        : {
            ok: false,
            detail: `re-read ${groupId}: the quarantine group has ${rules.length} rule(s): ${rules.map((r) => r.ruleId).join(',')}`,
          };
    }
    case 'access-key-inactive': {
      const status = state.accessKeys.get(check.accessKeyId);
      if (status === undefined) return { ok: false, detail: `could not re-read access key ${check.accessKeyId}` };
      return status === 'Inactive'
        ? { ok: true, detail: `re-read ${check.accessKeyId}: Inactive` }
        : { ok: false, detail: `re-read ${check.accessKeyId}: ${status}` };
    }
  }
}

/** Verdict on all checks of an action: verified only when every check holds. */
export function verifyAll(checks: readonly Check[], outputs: Readonly<Record<string, string>>, state: AfterState): CheckResult {
  const results = checks.map((check) => verifyCheck(check, outputs, state));
  return { ok: results.every((r) => r.ok), detail: results.map((r) => r.detail).join('; ') };
}
