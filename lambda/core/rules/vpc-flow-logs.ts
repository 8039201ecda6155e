/** vpc-flow-logs: no active flow log covers the interface (at VPC, subnet or interface level), or the VPC itself. */
import type { Rule, Verdict } from '../rule';
import { remediableSettings } from '../rule';
import { need, type Finding, type FlowLogCoverage } from '../model';

/** Stable id of this rule. */
export const VPC_FLOW_LOGS = 'vpc-flow-logs';

// Remediates by default: a flow log records traffic and changes none of it, so enabling one can break nothing.
const settings = remediableSettings('remediate', {});

/** Flags interfaces whose traffic no active flow log records. */
export const vpcFlowLogs: Rule<{ mode: 'off' | 'notify' | 'remediate' }> = {
  id: VPC_FLOW_LOGS,
  description: 'The interface’s VPC (or its subnet, or the interface) must have an active flow log.',
  requires: ['flowLogs'],
  settings,
  evaluate(facts) {
    const { vpcId, subnetId } = facts.networkInterface;
    if (!vpcId) return { status: 'not-applicable', reason: 'interface is not in a VPC' };
    const coverage = need(facts.flowLogs, 'flowLogs');
    if (coverage.active.length > 0) return { status: 'compliant' };
    return {
      status: 'non-compliant',
      findings: [finding(`no active flow log covers ${vpcId} / ${subnetId ?? '?'}`, { vpcId, subnetId }, vpcId)],
    };
  },
};

/**
 * The same rule for a VPC itself (the deploy step, a new VPC, the sweep's pass over VPCs — a VPC
 * with no interface has nothing the interface rule could judge): compliant when a flow log attached
 * to the VPC is ACTIVE, whatever its destination. Subnet- and interface-level flow logs do not
 * cover the VPC's other subnets, so they do not count here.
 */
export function judgeVpc(vpcId: string, coverage: FlowLogCoverage): Verdict {
  if (coverage.active.some((f) => f.resourceId === vpcId)) return { status: 'compliant' };
  return { status: 'non-compliant', findings: [finding(`${vpcId} has no active flow log`, { vpcId }, vpcId)] };
}

function finding(title: string, evidence: Record<string, unknown>, vpcId: string): Finding {
  return { ruleId: VPC_FLOW_LOGS, severity: 'medium', title, evidence, remediation: { kind: 'enable-flow-logs', vpcId } };
}
