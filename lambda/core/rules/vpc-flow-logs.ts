/** vpc-flow-logs: no active flow log covers the interface (at VPC, subnet or interface level). */
import type { Rule } from '../rule';
import { remediableSettings } from '../rule';
import { need } from '../model';

/** Stable id of this rule. */
export const VPC_FLOW_LOGS = 'vpc-flow-logs';

const settings = remediableSettings('notify', {});

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
      findings: [
        {
          ruleId: VPC_FLOW_LOGS,
          severity: 'medium',
          title: `no active flow log covers ${vpcId} / ${subnetId ?? '?'}`,
          evidence: { vpcId, subnetId },
          remediation: { kind: 'enable-flow-logs', vpcId },
        },
      ],
    };
  },
};
