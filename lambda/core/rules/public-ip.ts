/** public-ip: the interface has a public IPv4 address outside the subnets and VPCs allowed to be public. */
import * as z from 'zod';
import type { Rule } from '../rule';
import { remediableSettings } from '../rule';

/** Stable id of this rule. */
export const PUBLIC_IP = 'public-ip';

const settings = remediableSettings('notify', {
  publicVpcs: z.array(z.string().startsWith('vpc-')).default([]),
  publicSubnets: z.array(z.string().startsWith('subnet-')).default([]),
});
/** Settings of `public-ip`. */
export type PublicIpSettings = z.infer<typeof settings>;

/** Flags public IPv4 addresses where the network is not meant to be public. */
export const publicIp: Rule<PublicIpSettings> = {
  id: PUBLIC_IP,
  description: 'Interfaces outside the allowed public subnets and VPCs must not have a public IPv4 address.',
  requires: ['subnetNetwork'],
  settings,
  evaluate(facts, config) {
    const ni = facts.networkInterface;
    if (!ni.publicIp) return { status: 'compliant' };
    if ((ni.vpcId && config.publicVpcs.includes(ni.vpcId)) || (ni.subnetId && config.publicSubnets.includes(ni.subnetId))) {
      return { status: 'compliant' };
    }
    const network = facts.subnetNetwork;
    const routed = network?.status === 'ok' ? network.value.igwRouteIpv4 : undefined;
    const removable = ni.elasticIp
      ? `Elastic IP ${ni.elasticIp.allocationId} can be disassociated and kept`
      : 'auto-assigned public IP: it cannot be removed from the interface; disable auto-assign on the subnet or launch template and replace the interface';
    return {
      status: 'non-compliant',
      findings: [
        {
          ruleId: PUBLIC_IP,
          severity: routed === false ? 'medium' : 'high',
          title: `public IP ${ni.publicIp} in ${ni.subnetId ?? 'an unknown subnet'}, which is not allowed to be public${routed === false ? ' (no internet gateway route yet)' : ''}`,
          evidence: {
            publicIp: ni.publicIp,
            ...(ni.elasticIp ? { allocationId: ni.elasticIp.allocationId } : {}),
            vpcId: ni.vpcId,
            subnetId: ni.subnetId,
            internetGatewayRoute: routed ?? 'unknown',
            removable,
          },
          ...(ni.elasticIp?.associationId
            ? {
                remediation: {
                  kind: 'disassociate-address' as const,
                  allocationId: ni.elasticIp.allocationId,
                  associationId: ni.elasticIp.associationId,
                  publicIp: ni.publicIp,
                },
              }
            : {}),
        },
      ],
      ...(network?.status === 'unavailable' ? { incomplete: `subnet routes unavailable: ${network.reason}` } : {}),
    };
  },
};
