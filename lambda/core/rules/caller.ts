/** caller: who created or changed the interface — the root user, EC2 instance credentials, or a principal not allowed. */
import * as z from 'zod';
import { actorOf, callerKind, impersonatedInstance, revocableCredentials } from '../caller';
import type { Finding } from '../model';
import type { Rule } from '../rule';
import { anyGlobMatch, ArnPatternSchema, remediableSettings } from '../rule';

/** Stable id of this rule. */
export const CALLER = 'caller';

const settings = remediableSettings('notify', {
  /** Principals allowed to create interfaces (ARN patterns matched against the caller and its role); empty allows anyone. */
  allowedPrincipals: z.array(ArnPatternSchema).default([]),
  flagRoot: z.boolean().default(true),
  /** Stolen instance credentials are a classic pivot; the VPC CNI of EKS legitimately uses them (allow its node role below). */
  flagInstanceCredentials: z.boolean().default(true),
  allowedInstanceRoles: z.array(ArnPatternSchema).default([]),
  /** In remediate mode: principals whose credentials are never revoked (break-glass, pipelines); the responder's own role is always protected. */
  protectedPrincipals: z.array(ArnPatternSchema).default([]),
  /**
   * In remediate mode, when EC2 instance credentials made the call: also isolate that instance — all its
   * interfaces to the VPC's quarantine group, snapshots of its volumes for forensics, a tag. Opt-in.
   */
  isolateInstance: z.boolean().default(false),
  /** With isolateInstance: terminate the instance after the snapshots are taken. Irreversible; explicit opt-in. */
  terminateInstance: z.boolean().default(false),
}).refine((s) => !s.terminateInstance || s.isolateInstance, {
  message: 'terminateInstance needs isolateInstance: an instance is only terminated after it is isolated and snapshotted',
  path: ['terminateInstance'],
});
/** Settings of `caller`. */
export type CallerSettings = z.infer<typeof settings>;

/** Flags unexpected callers. Calls by AWS services and service-linked roles never reach here (they are triaged out). */
export const caller: Rule<CallerSettings> = {
  id: CALLER,
  description: 'Interfaces must be created by allowed principals: not the root user, not EC2 instance credentials.',
  requires: [],
  settings,
  evaluate(facts, config) {
    const who = facts.context.caller;
    const kind = callerKind(who);
    if (kind === 'aws-service' || kind === 'service-linked-role') return { status: 'not-applicable', reason: 'called by an AWS service' };
    const identities = [who.arn, who.sessionIssuerArn];
    const evidence = {
      kind,
      actor: actorOf(who),
      arn: who.arn,
      sessionIssuerArn: who.sessionIssuerArn,
      sourceIp: who.sourceIp,
      userAgent: who.userAgent,
    };
    const findings: Finding[] = [];
    if (kind === 'root' && config.flagRoot) {
      findings.push({ ruleId: CALLER, severity: 'critical', title: 'the root user made this call', evidence });
    }
    if (kind === 'ec2-instance' && config.flagInstanceCredentials && !anyGlobMatch(config.allowedInstanceRoles, identities)) {
      findings.push({
        ruleId: CALLER,
        severity: 'high',
        title: `EC2 instance credentials (${who.sessionName ?? '?'}) made this call`,
        evidence: { ...evidence, instanceId: who.sessionName, ec2RoleDelivery: who.ec2RoleDelivery },
      });
    }
    // A session named after an instance, without CloudTrail's word that it is one: suspected, never acted on as the instance.
    const named = impersonatedInstance(who);
    if (named && config.flagInstanceCredentials && !anyGlobMatch(config.allowedInstanceRoles, identities)) {
      findings.push({
        ruleId: CALLER,
        severity: 'high',
        title: `a role session named after instance ${named} made this call (suspected instance credentials: CloudTrail does not say they were delivered to an instance)`,
        evidence: { ...evidence, suspectedInstance: named },
      });
    }
    if (config.allowedPrincipals.length > 0 && !anyGlobMatch(config.allowedPrincipals, identities)) {
      findings.push({ ruleId: CALLER, severity: 'high', title: `${actorOf(who)} is not an allowed principal`, evidence });
    }
    if (findings.length === 0) return { status: 'compliant' };
    // The planner decides whether to revoke (remediate mode, never protected principals); the rule only says what could be.
    const credentials = revocableCredentials(who, facts.context.account);
    const remediation = credentials.type === 'none' ? undefined : { kind: 'revoke-credentials' as const, principal: credentials };
    return {
      status: 'non-compliant',
      findings: findings.map((finding) =>
        remediation
          ? { ...finding, remediation }
          : { ...finding, evidence: { ...finding.evidence, notRevocable: credentials.type === 'none' ? credentials.reason : undefined } },
      ),
    };
  },
};
