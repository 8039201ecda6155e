/** network-placement: the interface sits in a VPC or subnet that is not on the allow-list. */
import * as z from 'zod';
import type { Rule } from '../rule';
import { remediableSettings } from '../rule';

/** Stable id of this rule. */
export const NETWORK_PLACEMENT = 'network-placement';

/** In remediate mode an unattached interface outside the allowed network is deleted (opt-in: the default is notify). */
const settings = remediableSettings('notify', {
  allowedVpcs: z.array(z.string().startsWith('vpc-')).default([]),
  allowedSubnets: z.array(z.string().startsWith('subnet-')).default([]),
});
/** Settings of `network-placement`. */
export type NetworkPlacementSettings = z.infer<typeof settings>;

/** Flags interfaces outside the allowed VPCs and subnets (each list applies only when non-empty). */
export const networkPlacement: Rule<NetworkPlacementSettings> = {
  id: NETWORK_PLACEMENT,
  description: 'Interfaces must be created only in the allowed VPCs and subnets.',
  requires: [],
  settings,
  evaluate(facts, config) {
    if (config.allowedVpcs.length === 0 && config.allowedSubnets.length === 0) {
      return { status: 'not-applicable', reason: 'no allowed VPCs or subnets are configured' };
    }
    const { vpcId, subnetId } = facts.networkInterface;
    const problems: string[] = [];
    if (config.allowedVpcs.length > 0 && (!vpcId || !config.allowedVpcs.includes(vpcId)))
      problems.push(`VPC ${vpcId ?? '?'} is not allowed`);
    if (config.allowedSubnets.length > 0 && (!subnetId || !config.allowedSubnets.includes(subnetId)))
      problems.push(`subnet ${subnetId ?? '?'} is not allowed`);
    if (problems.length === 0) return { status: 'compliant' };
    return {
      status: 'non-compliant',
      findings: [
        {
          ruleId: NETWORK_PLACEMENT,
          severity: 'medium',
          title: problems.join('; '),
          evidence: { vpcId, subnetId, allowedVpcs: config.allowedVpcs, allowedSubnets: config.allowedSubnets },
          // Only an interface nothing uses can be deleted; an attached one is reported.
          ...(!facts.networkInterface.attachedInstanceId && facts.networkInterface.status === 'available'
            ? { remediation: { kind: 'delete-interface' as const } }
            : {}),
        },
      ],
    };
  },
};
