/**
 * Builds CloudTrail records and EventBridge envelopes in the shape AWS delivers them (modelled on
 * the real records in test/fixtures/events/real/), for the demo, the CLI and the tests.
 * No real CreateNetworkInterface envelope was found in public sources: these wrap the record
 * exactly as the EventBridge documentation describes.
 */
import { randomUUID } from 'node:crypto';
import type { NetworkInterface } from '@aws-sdk/client-ec2';

/** An IAM user calling from the AWS CLI (the most common shape in the real samples). */
export function iamUserIdentity(account: string, userName = 'alice'): Record<string, unknown> {
  return {
    type: 'IAMUser',
    principalId: 'AIDAEXAMPLEPRINCIPAL',
    arn: `arn:aws:iam::${account}:user/${userName}`,
    accountId: account,
    accessKeyId: 'AKIAEXAMPLEACCESSKEY',
    userName,
  };
}

/** An assumed-role session (`arn:aws:sts::…:assumed-role/ROLE/SESSION`) issued by `roleArn`. */
export function assumedRoleIdentity(roleArn: string, sessionName: string): Record<string, unknown> {
  const [, , , , account = '', resource = ''] = roleArn.split(':');
  const roleName = resource.split('/').pop() ?? '';
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLE:${sessionName}`,
    arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
    accountId: account,
    accessKeyId: 'ASIAEXAMPLEACCESSKEY',
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLE', arn: roleArn, accountId: account, userName: roleName },
      attributes: { creationDate: new Date().toISOString(), mfaAuthenticated: 'false' },
    },
  };
}

/** Who made an EC2 call, where and when, and its ids: the frame every record built here shares. */
interface RecordOptions {
  account: string;
  region: string;
  userIdentity?: Record<string, unknown>;
  eventId?: string;
  eventTime?: string;
}

/** A successful EC2 management-event record of `eventName` around the call's own parameters and response. */
function ec2Record(
  eventName: string,
  options: RecordOptions,
  call: { requestParameters: Record<string, unknown>; responseElements: Record<string, unknown> },
): Record<string, unknown> {
  return {
    eventVersion: '1.10',
    userIdentity: options.userIdentity ?? iamUserIdentity(options.account),
    eventTime: options.eventTime ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'ec2.amazonaws.com',
    eventName,
    awsRegion: options.region,
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8',
    ...call,
    requestID: randomUUID(),
    eventID: options.eventId ?? randomUUID(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: options.account,
    eventCategory: 'Management',
  };
}

/** A successful CreateNetworkInterface record whose response describes `ni` (as EC2 returned it). */
export function createNetworkInterfaceRecord(ni: NetworkInterface, options: RecordOptions): Record<string, unknown> {
  return ec2Record('CreateNetworkInterface', options, {
    requestParameters: {
      subnetId: ni.SubnetId,
      groupSet: { items: (ni.Groups ?? []).map((g) => ({ groupId: g.GroupId })) },
      privateIpAddressesSet: {},
    },
    responseElements: {
      requestId: randomUUID(),
      networkInterface: {
        networkInterfaceId: ni.NetworkInterfaceId,
        subnetId: ni.SubnetId,
        vpcId: ni.VpcId,
        availabilityZone: ni.AvailabilityZone,
        description: ni.Description ?? '',
        ownerId: ni.OwnerId ?? options.account,
        requesterId: ni.RequesterId,
        requesterManaged: ni.RequesterManaged ?? false,
        status: 'pending',
        macAddress: ni.MacAddress,
        privateIpAddress: ni.PrivateIpAddress,
        sourceDestCheck: ni.SourceDestCheck ?? true,
        interfaceType: ni.InterfaceType ?? 'interface',
        groupSet: { items: (ni.Groups ?? []).map((g) => ({ groupId: g.GroupId, groupName: g.GroupName })) },
        privateIpAddressesSet: {
          item: (ni.PrivateIpAddresses ?? []).map((p) => ({ privateIpAddress: p.PrivateIpAddress, primary: p.Primary })),
        },
        ipv6AddressesSet: {},
        tagSet: {},
      },
    },
  });
}

/**
 * A successful CreateVpc record (or CreateDefaultVpc) for `vpcId`, in the shape CloudTrail writes it
 * (`responseElements.vpc`, modelled on public samples of the record).
 */
export function createVpcRecord(
  vpcId: string,
  options: RecordOptions & { cidrBlock?: string; eventName?: 'CreateVpc' | 'CreateDefaultVpc' },
): Record<string, unknown> {
  const cidrBlock = options.cidrBlock ?? '10.0.0.0/16';
  return ec2Record(options.eventName ?? 'CreateVpc', options, {
    requestParameters: options.eventName === 'CreateDefaultVpc' ? {} : { cidrBlock, instanceTenancy: 'default' },
    responseElements: {
      requestId: randomUUID(),
      vpc: {
        vpcId,
        state: 'pending',
        ownerId: options.account,
        cidrBlock,
        cidrBlockAssociationSet: {
          items: [{ cidrBlock, associationId: 'vpc-cidr-assoc-0123456789abcdef0', cidrBlockState: { state: 'associated' } }],
        },
        ipv6CidrBlockAssociationSet: {},
        dhcpOptionsId: 'dopt-0123456789abcdef0',
        instanceTenancy: 'default',
        tagSet: {},
        isDefault: options.eventName === 'CreateDefaultVpc',
      },
    },
  });
}

/** Wraps a CloudTrail record in the EventBridge envelope ("AWS API Call via CloudTrail"). */
export function eventBridgeEnvelope(
  record: Record<string, unknown>,
  overrides: { account?: string; region?: string } = {},
): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ec2',
    account: overrides.account ?? record['recipientAccountId'] ?? '123456789012',
    time: record['eventTime'] ?? new Date().toISOString(),
    region: overrides.region ?? record['awsRegion'] ?? 'us-east-1',
    resources: [],
    detail: record,
  };
}
