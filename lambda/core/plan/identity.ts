/** Identity actions: revoke a role's older sessions, or deactivate an IAM user's access key. Never the responder's own or a protected principal's. */
import type { Action } from '../actions';
import { accountOfArn } from '../ids';
import type { RemediationIntent } from '../model';
import { settingsOf, type Policy } from '../policy';
import { globMatch } from '../rule';
import { CALLER, type CallerSettings } from '../rules/caller';
import { REVOKE_POLICY_NAME } from '../revocation';
import type { PlanInputs, Withheld } from './shared';

/** Answers the caller's credentials once per event (a group change reaching N interfaces withholds it on the others). */
export function planRevocation(
  ruleId: string,
  intent: Extract<RemediationIntent, { kind: 'revoke-credentials' }>,
  policy: Policy,
  inputs: PlanInputs,
): Action | Withheld {
  if (inputs.callerHandledBy) return { ruleId, reason: `the caller is answered once for this event, with ${inputs.callerHandledBy}` };
  return revokeCredentials(ruleId, intent.principal, policy, inputs);
}

function revokeCredentials(
  ruleId: string,
  principal: Extract<RemediationIntent, { kind: 'revoke-credentials' }>['principal'],
  policy: Policy,
  inputs: PlanInputs,
): Action | Withheld {
  const protectedPatterns = (settingsOf(policy, CALLER) as CallerSettings | undefined)?.protectedPrincipals ?? [];
  // Belt and braces (the caller rule already checks): IAM calls take a bare name and act in this account.
  const account = inputs.facts.context.account;
  const owner = accountOfArn(principal.type === 'role' ? principal.roleArn : (principal.userArn ?? inputs.facts.context.caller.arn));
  if (owner !== account) {
    return {
      ruleId,
      reason: `the caller's principal belongs to account ${owner ?? '?'}, not ${account}, where eni-guard acts; revoke it there`,
    };
  }
  if (principal.type === 'role') {
    if (inputs.responderRoleArn && principal.roleArn === inputs.responderRoleArn) {
      return { ruleId, reason: 'the caller is the responder itself; its sessions are never revoked' };
    }
    if (inputs.ownRoleArns?.includes(principal.roleArn)) {
      return { ruleId, reason: `the caller is eni-guard's own member role ${principal.roleArn}; its sessions are never revoked` };
    }
    if (protectedPatterns.some((p) => globMatch(p, principal.roleArn))) {
      return { ruleId, reason: `${principal.roleArn} is a protected principal (rules.caller.protectedPrincipals)` };
    }
    const issuedBefore = inputs.now.toISOString();
    return {
      kind: 'revoke-role-sessions',
      ruleIds: [ruleId],
      summary: `revoke every session of role ${principal.roleName} issued before ${issuedBefore} (as the console's "Revoke active sessions")`,
      // The revoker function writes the one fixed inline deny (lambda/core/revocation.ts); the responder cannot write IAM policy.
      calls: [{ service: 'revoker', operation: 'RevokeRoleSessions', input: { RoleName: principal.roleName, IssuedBefore: issuedBefore } }],
      compensation: [],
      checks: [{ kind: 'role-policy', roleName: principal.roleName, policyName: REVOKE_POLICY_NAME }],
      undo: [
        {
          service: 'iam',
          operation: 'DeleteRolePolicy',
          input: { RoleName: principal.roleName, PolicyName: REVOKE_POLICY_NAME },
          alreadyDone: ['NoSuchEntity'],
        },
      ],
    };
  }
  const userArn = principal.userArn ?? inputs.facts.context.caller.arn ?? '';
  if (protectedPatterns.some((p) => globMatch(p, userArn))) {
    return { ruleId, reason: `${userArn} is a protected principal (rules.caller.protectedPrincipals)` };
  }
  const key = { UserName: principal.userName, AccessKeyId: principal.accessKeyId };
  return {
    kind: 'deactivate-access-key',
    ruleIds: [ruleId],
    summary: `deactivate access key ${principal.accessKeyId} of IAM user ${principal.userName} (kept, can be reactivated)`,
    calls: [{ service: 'revoker', operation: 'DeactivateAccessKey', input: key }],
    compensation: [],
    checks: [{ kind: 'access-key-inactive', userName: principal.userName, accessKeyId: principal.accessKeyId }],
    undo: [{ service: 'iam', operation: 'UpdateAccessKey', input: { ...key, Status: 'Active' } }],
  };
}
