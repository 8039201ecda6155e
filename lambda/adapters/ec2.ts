/** EC2 adapter: SDK v3 calls in, domain types out. */
import {
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  paginateDescribeFlowLogs,
  paginateDescribeNetworkInterfaces,
  paginateDescribeSecurityGroupRules,
  paginateDescribeSecurityGroups,
  paginateDescribeTags,
  paginateDescribeVpcs,
  paginateGetManagedPrefixListEntries,
  type _InstanceType,
  type EC2Client,
  type NetworkInterface as SdkNetworkInterface,
  type SecurityGroupRule as SdkRule,
  type Vpc as SdkVpc,
} from '@aws-sdk/client-ec2';
import type { InterfaceLookup } from '../core/event';
import type {
  FlowLogCoverage,
  InstanceFacts,
  NaclEntry,
  NetworkInterface,
  OwnGroup,
  SecurityGroupRule,
  SubnetNetwork,
  Vpc,
} from '../core/model';
import { errorCode, type Ec2Port, type GroupSummary, type VpcPort } from '../app/ports';
import { wrap } from './errors';

/** EC2 filters accept at most 200 values each. */
const FILTER_VALUES_LIMIT = 200;

/** Implements the responder's EC2 port (and the VPC port of flow logs for every VPC) with the AWS SDK. */
export class Ec2Adapter implements Ec2Port, VpcPort {
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

  /** The interfaces an event points at through an instance or a security group (all pages). */
  async findInterfaces(lookup: InterfaceLookup): Promise<NetworkInterface[]> {
    if (lookup.kind === 'on-tagged-group') {
      let groupIds: string[] = [];
      try {
        const out = await this.client.send(
          new DescribeSecurityGroupsCommand({
            Filters: Object.entries(lookup.tags).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] })),
          }),
        );
        groupIds = (out.SecurityGroups ?? []).map((g) => g.GroupId).filter((id): id is string => id !== undefined);
      } catch (error) {
        throw wrap('DescribeSecurityGroups', error);
      }
      const found = new Map<string, NetworkInterface>();
      for (const groupId of groupIds)
        for (const ni of await this.findInterfaces({ kind: 'group', groupId })) found.set(ni.networkInterfaceId, ni);
      return [...found.values()];
    }
    const filter =
      lookup.kind === 'instance'
        ? { Name: 'attachment.instance-id', Values: [lookup.instanceId] }
        : lookup.kind === 'group'
          ? { Name: 'group-id', Values: [lookup.groupId] }
          : { Name: `tag:${lookup.key}`, Values: [lookup.value] };
    const found: NetworkInterface[] = [];
    try {
      for await (const page of paginateDescribeNetworkInterfaces({ client: this.client, pageSize: 1000 }, { Filters: [filter] })) {
        for (const ni of page.NetworkInterfaces ?? []) {
          // AssociateAddress with an instance id puts the address on its primary interface (device index 0).
          if (lookup.kind === 'instance' && lookup.primaryOnly && ni.Attachment?.DeviceIndex !== 0) continue;
          if (ni.NetworkInterfaceId) found.push(toNetworkInterface(ni));
        }
      }
    } catch (error) {
      throw wrap('DescribeNetworkInterfaces', error);
    }
    return found;
  }

  /** Every interface in the Region, one page (up to `pageSize`) at a time: the periodic sweep. */
  async *interfacePages(pageSize = 1000): AsyncIterable<NetworkInterface[]> {
    const pages = paginateDescribeNetworkInterfaces({ client: this.client, pageSize }, {});
    try {
      for await (const page of pages) {
        yield (page.NetworkInterfaces ?? []).filter((ni) => ni.NetworkInterfaceId).map(toNetworkInterface);
      }
    } catch (error) {
      throw wrap('DescribeNetworkInterfaces', error);
    }
  }

  async resolvePrefixLists(prefixListIds: readonly string[]): Promise<Map<string, string[]>> {
    const resolved = new Map<string, string[]>();
    for (const id of prefixListIds) {
      const cidrs: string[] = [];
      try {
        for await (const page of paginateGetManagedPrefixListEntries({ client: this.client }, { PrefixListId: id })) {
          for (const entry of page.Entries ?? []) if (entry.Cidr) cidrs.push(entry.Cidr);
        }
      } catch (error) {
        throw wrap('GetManagedPrefixListEntries', error);
      }
      resolved.set(id, cidrs);
    }
    return resolved;
  }

  async describeSubnetNetwork(vpcId: string, subnetId: string): Promise<SubnetNetwork> {
    const [tables, acls] = await Promise.all([
      this.client.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })).catch((error: unknown) => {
        throw wrap('DescribeRouteTables', error);
      }),
      this.client.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })).catch((error: unknown) => {
        throw wrap('DescribeNetworkAcls', error);
      }),
    ]);
    // A subnet uses its explicitly associated route table, else the VPC's main one; likewise for ACLs.
    const routeTables = tables.RouteTables ?? [];
    const table =
      routeTables.find((t) => t.Associations?.some((a) => a.SubnetId === subnetId)) ??
      routeTables.find((t) => t.Associations?.some((a) => a.Main));
    const igw = (destination: 'v4' | 'v6') =>
      (table?.Routes ?? []).some(
        (r) =>
          (destination === 'v4' ? r.DestinationCidrBlock === '0.0.0.0/0' : r.DestinationIpv6CidrBlock === '::/0') &&
          r.GatewayId?.startsWith('igw-') === true &&
          r.State !== 'blackhole',
      );
    const networkAcls = acls.NetworkAcls ?? [];
    const acl = networkAcls.find((a) => a.Associations?.some((x) => x.SubnetId === subnetId)) ?? networkAcls.find((a) => a.IsDefault);
    const entries: NaclEntry[] = (acl?.Entries ?? []).map((e) => ({
      ruleNumber: e.RuleNumber ?? 32767,
      egress: e.Egress === true,
      protocol: e.Protocol ?? '-1',
      action: e.RuleAction === 'allow' ? 'allow' : 'deny',
      ...defined({ cidrIpv4: e.CidrBlock, cidrIpv6: e.Ipv6CidrBlock, fromPort: e.PortRange?.From, toPort: e.PortRange?.To }),
    }));
    return {
      igwRouteIpv4: igw('v4'),
      igwRouteIpv6: igw('v6'),
      naclEntries: entries,
      ...defined({ routeTableId: table?.RouteTableId, networkAclId: acl?.NetworkAclId }),
    };
  }

  async describeFlowLogs(resourceIds: readonly string[]): Promise<FlowLogCoverage> {
    const active: FlowLogCoverage['active'][number][] = [];
    try {
      // A page of VPCs can name more resources than one filter takes.
      for (const chunk of chunks(resourceIds, FILTER_VALUES_LIMIT)) {
        for await (const page of paginateDescribeFlowLogs({ client: this.client }, { Filter: [{ Name: 'resource-id', Values: chunk }] })) {
          for (const log of page.FlowLogs ?? []) {
            if (log.FlowLogStatus === 'ACTIVE' && log.FlowLogId && log.ResourceId) {
              active.push({ flowLogId: log.FlowLogId, resourceId: log.ResourceId, ...defined({ trafficType: log.TrafficType }) });
            }
          }
        }
      }
    } catch (error) {
      throw wrap('DescribeFlowLogs', error);
    }
    return { active };
  }

  /** Every VPC in the Region, one page (up to `pageSize`, 5–1000) at a time. */
  async *vpcPages(pageSize = 200): AsyncIterable<Vpc[]> {
    const pages = paginateDescribeVpcs({ client: this.client, pageSize }, {});
    try {
      for await (const page of pages) yield (page.Vpcs ?? []).filter((v) => v.VpcId).map(toVpc);
    } catch (error) {
      throw wrap('DescribeVpcs', error);
    }
  }

  async describeVpc(vpcId: string): Promise<Vpc | undefined> {
    try {
      const out = await this.client.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
      const found = out.Vpcs?.find((v) => v.VpcId === vpcId);
      return found ? toVpc(found) : undefined;
    } catch (error) {
      if (errorCode(error) === 'InvalidVpcID.NotFound') return undefined;
      throw wrap('DescribeVpcs', error);
    }
  }

  async describeInstance(instanceId: string): Promise<InstanceFacts | undefined> {
    let described;
    try {
      described = await this.client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    } catch (error) {
      if (errorCode(error) === 'InvalidInstanceID.NotFound') return undefined;
      throw wrap('DescribeInstances', error);
    }
    const instance = described.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
    if (!instance) return undefined;
    const volumeIds = (instance.BlockDeviceMappings ?? []).map((b) => b.Ebs?.VolumeId).filter((id): id is string => id !== undefined);
    const [images, volumes, encryptionInTransit] = await Promise.all([
      instance.ImageId
        ? this.client.send(new DescribeImagesCommand({ ImageIds: [instance.ImageId] })).catch((error: unknown) => {
            // A deregistered or unshared AMI is a fact ("age unknown"), not a failure.
            if (errorCode(error).startsWith('InvalidAMIID')) return { Images: [] };
            throw wrap('DescribeImages', error);
          })
        : Promise.resolve({ Images: [] }),
      volumeIds.length > 0
        ? this.client.send(new DescribeVolumesCommand({ VolumeIds: volumeIds })).catch((error: unknown) => {
            throw wrap('DescribeVolumes', error);
          })
        : Promise.resolve({ Volumes: [] }),
      instance.InstanceType ? this.encryptionInTransitSupported(instance.InstanceType) : Promise.resolve(undefined),
    ]);
    const tags: Record<string, string> = {};
    for (const tag of instance.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
    return {
      instanceId,
      tags,
      volumes: (volumes.Volumes ?? []).map((v) => ({
        volumeId: v.VolumeId!,
        encrypted: v.Encrypted === true,
        ...defined({ kmsKeyId: v.KmsKeyId }),
      })),
      ...defined({
        instanceType: instance.InstanceType,
        imageId: instance.ImageId,
        imageCreationDate: images.Images?.find((i) => i.ImageId === instance.ImageId)?.CreationDate,
        launchTime: instance.LaunchTime?.toISOString(),
        encryptionInTransitSupported: encryptionInTransit,
        vpcId: instance.VpcId,
      }),
      networkInterfaces: (instance.NetworkInterfaces ?? [])
        .filter((n) => n.NetworkInterfaceId)
        .map((n) => ({
          networkInterfaceId: n.NetworkInterfaceId!,
          groupIds: (n.Groups ?? []).map((g) => g.GroupId).filter((id): id is string => id !== undefined),
        })),
    };
  }

  /** The ARNs of the instance profiles associated with the instance now (state `associated`). */
  async instanceProfileAssociations(instanceId: string): Promise<string[]> {
    try {
      const out = await this.client.send(
        new DescribeIamInstanceProfileAssociationsCommand({
          Filters: [
            { Name: 'instance-id', Values: [instanceId] },
            { Name: 'state', Values: ['associated'] },
          ],
        }),
      );
      return (out.IamInstanceProfileAssociations ?? [])
        .filter((a) => a.InstanceId === instanceId && (a.State === undefined || a.State === 'associated'))
        .map((a) => a.IamInstanceProfile?.Arn)
        .filter((arn): arn is string => arn !== undefined);
    } catch (error) {
      throw wrap('DescribeIamInstanceProfileAssociations', error);
    }
  }

  /** Instance type capabilities never change: cached for the life of the container. */
  private readonly instanceTypeCache = new Map<string, Promise<boolean | undefined>>();

  private encryptionInTransitSupported(instanceType: _InstanceType): Promise<boolean | undefined> {
    let cached = this.instanceTypeCache.get(instanceType);
    if (!cached) {
      cached = this.client
        .send(new DescribeInstanceTypesCommand({ InstanceTypes: [instanceType] }))
        .then((out) => out.InstanceTypes?.[0]?.NetworkInfo?.EncryptionInTransitSupported)
        .catch((error: unknown) => {
          this.instanceTypeCache.delete(instanceType);
          throw wrap('DescribeInstanceTypes', error);
        });
      this.instanceTypeCache.set(instanceType, cached);
    }
    return cached;
  }

  /** Tags of any EC2 resource (verification of tags eni-guard wrote on an instance). */
  async describeTags(resourceId: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    try {
      for await (const page of paginateDescribeTags(
        { client: this.client },
        { Filters: [{ Name: 'resource-id', Values: [resourceId] }] },
      )) {
        for (const tag of page.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
      }
    } catch (error) {
      throw wrap('DescribeTags', error);
    }
    return tags;
  }

  /** Groups of the VPC tagged with every one of `tags` (tag filters are ANDed), with their rules and how many interfaces use them. */
  async findOwnGroups(vpcId: string, tags: Readonly<Record<string, string>>): Promise<OwnGroup[]> {
    const found: { groupId: string; groupName?: string; vpcId?: string; tags: Record<string, string> }[] = [];
    try {
      for await (const page of paginateDescribeSecurityGroups(
        { client: this.client, pageSize: 1000 },
        {
          Filters: [
            { Name: 'vpc-id', Values: [vpcId] },
            ...Object.entries(tags).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] })),
          ],
        },
      )) {
        for (const group of page.SecurityGroups ?? []) {
          if (!group.GroupId) continue;
          const groupTags: Record<string, string> = {};
          for (const tag of group.Tags ?? []) if (tag.Key !== undefined) groupTags[tag.Key] = tag.Value ?? '';
          found.push({ groupId: group.GroupId, tags: groupTags, ...defined({ groupName: group.GroupName, vpcId: group.VpcId }) });
        }
      }
    } catch (error) {
      throw wrap('DescribeSecurityGroups', error);
    }
    if (found.length === 0) return [];
    const ids = found.map((g) => g.groupId);
    const [rules, users] = await Promise.all([this.describeGroupRules(ids), this.countInterfacesUsingGroups(ids)]);
    return found.map((g) => ({ ...g, rules: rules.filter((r) => r.groupId === g.groupId), users: users.get(g.groupId) ?? 0 }));
  }

  /** The VPC's quarantine group (tagged `eni-guard:quarantine=true`), if eni-guard created one before. */
  async describeGroup(groupId: string): Promise<GroupSummary | undefined> {
    try {
      const out = await this.client.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
      const group = out.SecurityGroups?.find((g) => g.GroupId === groupId);
      if (!group) return undefined;
      // Each permission may hold several sources; every source is a rule.
      const count = (permissions: typeof group.IpPermissions) =>
        (permissions ?? []).reduce(
          (n, p) =>
            n +
            Math.max(
              1,
              (p.IpRanges?.length ?? 0) + (p.Ipv6Ranges?.length ?? 0) + (p.PrefixListIds?.length ?? 0) + (p.UserIdGroupPairs?.length ?? 0),
            ),
          0,
        );
      return {
        groupId,
        ingressRules: count(group.IpPermissions),
        egressRules: count(group.IpPermissionsEgress),
        ...defined({ vpcId: group.VpcId }),
      };
    } catch (error) {
      if (errorCode(error) === 'InvalidGroup.NotFound' || errorCode(error) === 'InvalidGroupId.Malformed') return undefined;
      throw wrap('DescribeSecurityGroups', error);
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
    ipv6Addresses: (ni.Ipv6Addresses ?? []).map((a) => a.Ipv6Address).filter((a): a is string => a !== undefined),
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
      elasticIp: ni.Association?.AllocationId
        ? { allocationId: ni.Association.AllocationId, ...defined({ associationId: ni.Association.AssociationId }) }
        : undefined,
      sourceDestCheck: ni.SourceDestCheck,
      attachedInstanceId: ni.Attachment?.InstanceId,
      attachmentOwnerId: ni.Attachment?.InstanceOwnerId,
    }),
  };
}

function toVpc(vpc: SdkVpc): Vpc {
  const tags: Record<string, string> = {};
  for (const tag of vpc.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
  return {
    vpcId: vpc.VpcId!,
    isDefault: vpc.IsDefault === true,
    tags,
    ...defined({ ownerId: vpc.OwnerId, state: vpc.State, cidrBlock: vpc.CidrBlock }),
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
