/** Identity actions: revoke a role's older sessions, or deactivate an IAM user's access key. Never the responder's own or a protected principal's. */
import type { Action } from '../actions';
import type { RemediationIntent } from '../model';
import { settingsOf, type Policy } from '../policy';
import { globMatch } from '../rule';
import { CALLER, type CallerSettings } from '../rules/caller';
import { REVOKE_POLICY_NAME, type PlanInputs, type Withheld } from './shared';

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
  if (principal.type === 'role') {
    if (inputs.responderRoleArn && principal.roleArn === inputs.responderRoleArn) {
      return { ruleId, reason: 'the caller is the responder itself; its sessions are never revoked' };
    }
    if (protectedPatterns.some((p) => globMatch(p, principal.roleArn))) {
      return { ruleId, reason: `${principal.roleArn} is a protected principal (rules.caller.protectedPrincipals)` };
    }
    const issuedBefore = inputs.now.toISOString();
    const document = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EniGuardRevokeOlderSessions',
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': issuedBefore } },
        },
      ],
    };
    return {
      kind: 'revoke-role-sessions',
      ruleIds: [ruleId],
      summary: `revoke every session of role ${principal.roleName} issued before ${issuedBefore} (as the console's "Revoke active sessions")`,
      calls: [
        {
          service: 'iam',
          operation: 'PutRolePolicy',
          input: { RoleName: principal.roleName, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: JSON.stringify(document) },
        },
      ],
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
  const userArn = inputs.facts.context.caller.arn ?? '';
  if (protectedPatterns.some((p) => globMatch(p, userArn))) {
    return { ruleId, reason: `${userArn} is a protected principal (rules.caller.protectedPrincipals)` };
  }
  const key = { UserName: principal.userName, AccessKeyId: principal.accessKeyId };
  return {
    kind: 'deactivate-access-key',
    ruleIds: [ruleId],
    summary: `deactivate access key ${principal.accessKeyId} of IAM user ${principal.userName} (kept, can be reactivated)`,
    calls: [{ service: 'iam', operation: 'UpdateAccessKey', input: { ...key, Status: 'Inactive' } }],
    compensation: [],
    checks: [{ kind: 'access-key-inactive', userName: principal.userName, accessKeyId: principal.accessKeyId }],
    undo: [{ service: 'iam', operation: 'UpdateAccessKey', input: { ...key, Status: 'Active' } }],
  };
}
