/** EC2 adapter: SDK v3 calls in, domain types out. */
import type { EC2Client, NetworkInterface as SdkNetworkInterface, SecurityGroupRule as SdkRule } from '@aws-sdk/client-ec2';
import {
  DescribeNetworkInterfacesCommand,
  RevokeSecurityGroupIngressCommand,
  paginateDescribeNetworkInterfaces,
  paginateDescribeSecurityGroupRules,
} from '@aws-sdk/client-ec2';
import type { NetworkInterface, SecurityGroupRule } from '../core/model';
import type { Ec2Port } from '../service';
import { errorCode, wrap } from './errors';

/** EC2 filters accept at most 200 values each. */
const FILTER_VALUES_LIMIT = 200;

/** Implements the responder's EC2 port with the AWS SDK. */
export class Ec2Adapter implements Ec2Port {
  constructor(private readonly client: EC2Client) {}

  async describeInterface(networkInterfaceId: string): Promise<NetworkInterface | undefined> {
    try {
      const out = await this.client.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [networkInterfaceId] }));
      const found = out.NetworkInterfaces?.find((ni) => ni.NetworkInterfaceId === networkInterfaceId);
      return found ? toNetworkInterface(found) : undefined;
    } catch (error) {
      if (errorCode(error) === 'InvalidNetworkInterfaceID.NotFound') return undefined;
      throw wrap('DescribeNetworkInterfaces', error);
    }
  }

  async describeGroupRules(groupIds: readonly string[]): Promise<SecurityGroupRule[]> {
    const rules: SecurityGroupRule[] = [];
    try {
      for (const chunk of chunks(groupIds, FILTER_VALUES_LIMIT)) {
        const pages = paginateDescribeSecurityGroupRules(
          { client: this.client, pageSize: 1000 },
          { Filters: [{ Name: 'group-id', Values: chunk }] },
        );
        for await (const page of pages) for (const rule of page.SecurityGroupRules ?? []) rules.push(toRule(rule));
      }
    } catch (error) {
      throw wrap('DescribeSecurityGroupRules', error);
    }
    return rules;
  }

  async countInterfacesUsingGroups(groupIds: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>(groupIds.map((id) => [id, 0]));
    try {
      for (const chunk of chunks(groupIds, FILTER_VALUES_LIMIT)) {
        const pages = paginateDescribeNetworkInterfaces(
          { client: this.client, pageSize: 1000 },
          { Filters: [{ Name: 'group-id', Values: chunk }] },
        );
        for await (const page of pages) {
          for (const ni of page.NetworkInterfaces ?? []) {
            for (const group of ni.Groups ?? []) {
              if (group.GroupId && counts.has(group.GroupId)) counts.set(group.GroupId, counts.get(group.GroupId)! + 1);
            }
          }
        }
      }
    } catch (error) {
      throw wrap('DescribeNetworkInterfaces', error);
    }
    return counts;
  }

  async revokeIngress(groupId: string, securityGroupRuleIds: readonly string[]): Promise<void> {
    try {
      await this.client.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: [...securityGroupRuleIds] }));
    } catch (error) {
      throw wrap('RevokeSecurityGroupIngress', error);
    }
  }
}

function toNetworkInterface(ni: SdkNetworkInterface): NetworkInterface {
  const tags: Record<string, string> = {};
  for (const tag of ni.TagSet ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
  return {
    networkInterfaceId: ni.NetworkInterfaceId!,
    interfaceType: ni.InterfaceType ?? 'interface',
    requesterManaged: ni.RequesterManaged === true,
    groups: (ni.Groups ?? [])
      .filter((g) => g.GroupId)
      .map((g) => ({ groupId: g.GroupId!, ...(g.GroupName ? { groupName: g.GroupName } : {}) })),
    tags,
    ...defined({
      vpcId: ni.VpcId,
      subnetId: ni.SubnetId,
      availabilityZone: ni.AvailabilityZone,
      description: ni.Description,
      status: ni.Status,
      requesterId: ni.RequesterId,
      ownerId: ni.OwnerId,
      privateIpAddress: ni.PrivateIpAddress,
      publicIp: ni.Association?.PublicIp,
      sourceDestCheck: ni.SourceDestCheck,
      attachedInstanceId: ni.Attachment?.InstanceId,
    }),
  };
}

function toRule(rule: SdkRule): SecurityGroupRule {
  return {
    ruleId: rule.SecurityGroupRuleId!,
    groupId: rule.GroupId!,
    isEgress: rule.IsEgress === true,
    protocol: rule.IpProtocol ?? '-1',
    ...defined({
      fromPort: rule.FromPort,
      toPort: rule.ToPort,
      cidrIpv4: rule.CidrIpv4,
      cidrIpv6: rule.CidrIpv6,
      prefixListId: rule.PrefixListId,
      referencedGroupId: rule.ReferencedGroupInfo?.GroupId,
      description: rule.Description,
    }),
  };
}

/** Drops undefined values so optional domain fields stay absent rather than `undefined`. */
function defined<T extends Record<string, unknown>>(fields: T): Partial<{ [K in keyof T]: Exclude<T[K], undefined> }> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<{
    [K in keyof T]: Exclude<T[K], undefined>;
  }>;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
