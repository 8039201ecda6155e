/**
 * CloudTrail records for the calls beyond CreateNetworkInterface, built from what EC2 (moto)
 * returned, in the shapes of the real records in test/fixtures/events/real (RunInstances,
 * AuthorizeSecurityGroupIngress).
 */
import { randomUUID } from 'node:crypto';
import type { Instance, IpPermission, SecurityGroupRule } from '@aws-sdk/client-ec2';
import { eventBridgeEnvelope, iamUserIdentity } from '../../scripts/lib/cloudtrail-events';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

function envelope(eventName: string, requestParameters: unknown, responseElements: unknown): Record<string, unknown> {
  return eventBridgeEnvelope({
    eventVersion: '1.10',
    userIdentity: iamUserIdentity(ACCOUNT),
    eventTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'ec2.amazonaws.com',
    eventName,
    awsRegion: REGION,
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.17.0',
    requestParameters,
    responseElements,
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  });
}

/** RunInstances as CloudTrail records it: each instance's primary interface under `networkInterfaceSet.items`. */
export function runInstancesEvent(instances: readonly Instance[]): Record<string, unknown> {
  return envelope(
    'RunInstances',
    { instancesSet: { items: [{ imageId: instances[0]?.ImageId, minCount: 1, maxCount: instances.length }] } },
    {
      requestId: randomUUID(),
      instancesSet: {
        items: instances.map((i) => ({
          instanceId: i.InstanceId,
          subnetId: i.SubnetId,
          vpcId: i.VpcId,
          networkInterfaceSet: {
            items: (i.NetworkInterfaces ?? []).map((ni) => ({
              networkInterfaceId: ni.NetworkInterfaceId,
              subnetId: ni.SubnetId,
              vpcId: ni.VpcId,
              interfaceType: ni.InterfaceType ?? 'interface',
              groupSet: { items: (ni.Groups ?? []).map((g) => ({ groupId: g.GroupId, groupName: g.GroupName })) },
              attachment: { deviceIndex: ni.Attachment?.DeviceIndex ?? 0, status: 'attaching' },
              privateIpAddressesSet: { item: [{ privateIpAddress: ni.PrivateIpAddress, primary: true }] },
              ipv6AddressesSet: {},
              tagSet: {},
            })),
          },
        })),
      },
    },
  );
}

/** AuthorizeSecurityGroupIngress in the `ipPermissions.items` shape, with the created rules in the response when given. */
export function authorizeIngressEvent(groupId: string, permissions: readonly IpPermission[], created: readonly SecurityGroupRule[] = []) {
  return envelope(
    'AuthorizeSecurityGroupIngress',
    {
      groupId,
      ipPermissions: {
        items: permissions.map((p) => ({
          ipProtocol: p.IpProtocol,
          fromPort: p.FromPort,
          toPort: p.ToPort,
          ipRanges: {
            items: (p.IpRanges ?? []).map((r) => ({ cidrIp: r.CidrIp, ...(r.Description ? { description: r.Description } : {}) })),
          },
          ipv6Ranges: {},
          prefixListIds: {},
          groups: {},
        })),
      },
    },
    {
      _return: true,
      requestId: randomUUID(),
      ...(created.length > 0
        ? {
            securityGroupRuleSet: {
              items: created.map((r) => ({
                securityGroupRuleId: r.SecurityGroupRuleId,
                groupId: r.GroupId,
                isEgress: r.IsEgress ?? false,
                ipProtocol: r.IpProtocol,
                fromPort: r.FromPort,
                toPort: r.ToPort,
                cidrIpv4: r.CidrIpv4,
              })),
            },
          }
        : {}),
    },
  );
}
