/** Alerts for burst and delivery tests: one rendered decision, varied per interface and cause. */
import type { Alert } from '../../lambda/core/alert';
import { alertOf, renderAlert } from '../../lambda/core/alert';
import type { Caller, Finding } from '../../lambda/core/model';
import { CONTEXT, networkInterface } from './fixtures';

/** Causes of a typical scale-out burst, and one critical remediation. */
export const CAUSES = {
  /** EKS nodes creating pod interfaces (VPC CNI, instance-role sessions) in a VPC without flow logs. */
  eksNodes: {
    caller: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/eks-node/i-0aaa',
      sessionIssuerArn: 'arn:aws:iam::123456789012:role/eks-node',
      sessionName: 'i-0aaa',
      viaConsole: false,
      mfaAuthenticated: false,
    },
    finding: { ruleId: 'vpc-flow-logs', severity: 'medium', title: 'no active flow log on vpc-1', evidence: { vpcId: 'vpc-1' } },
    response: 'notified',
    group: 'sg-nodes',
  },
  /** An Auto Scaling group launching web servers with public IPs in a subnet not allowed to be public. */
  autoScaling: {
    caller: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling',
      sessionIssuerArn: 'arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
      sessionName: 'AutoScaling',
      invokedBy: 'autoscaling.amazonaws.com',
      viaConsole: false,
      mfaAuthenticated: false,
    },
    finding: {
      ruleId: 'public-ip',
      severity: 'high',
      title: 'public IP in subnet-1, which is not allowed to be public',
      evidence: {},
      groupId: 'sg-web',
    },
    response: 'notified',
    group: 'sg-web',
  },
  /** SSH open to the world on each new interface, fixed each time: critical remediations, never held. */
  worldOpenSsh: {
    caller: CONTEXT.caller,
    finding: {
      ruleId: 'world-open-ingress',
      severity: 'critical',
      title: 'sg-ssh admits the whole internet on tcp/22',
      evidence: {},
      groupId: 'sg-ssh',
    },
    response: 'remediated',
    group: 'sg-ssh',
  },
} as const satisfies Record<string, { caller: Caller; finding: Finding; response: string; group: string }>;

/** The alert about interface number `n` of `cause`. */
export function alertFor(cause: keyof typeof CAUSES, n: number): Alert {
  const { caller, finding, response, group } = CAUSES[cause];
  const base = renderAlert({
    context: { ...CONTEXT, caller },
    networkInterfaceId: 'eni-0',
    networkInterface: networkInterface(),
    outcome: 'noncompliant',
    findings: [],
    exempted: [],
    expiredExemptions: [],
    ruleErrors: [],
    results: [],
  }).document;
  const id = `eni-${cause.toLowerCase().slice(0, 3)}${String(n).padStart(13, '0')}`;
  const eventId = `evt-${cause}-${n}`;
  return alertOf({
    ...base,
    eventId,
    severity: finding.severity,
    response: response,
    networkInterface: { ...base.networkInterface, id, groups: [{ groupId: group }] },
    findings: [finding],
    ledgerId: `${eventId}/${id}`,
  });
}
