/**
 * Plants a small, realistic account in an AWS API endpoint (moto in the demo and the tests):
 * a VPC, subnets, security groups, interfaces and instances, plus an SQS queue subscribed to the alert topic
 * standing in for a subscriber.
 */
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AttachNetworkInterfaceCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateFlowLogsCommand,
  CreateInternetGatewayCommand,
  CreateManagedPrefixListCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeSecurityGroupRulesCommand,
  RunInstancesCommand,
  type EC2Client,
  type IpPermission,
  type NetworkInterface,
  type SecurityGroupRule,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** Credentials and Region for an emulator: never real AWS. */
export const EMULATOR_ENV = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SESSION_TOKEN: 'testing',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
} as const;

/** World-open ingress on one TCP port, IPv4. */
export const worldOpen = (port: number): IpPermission => ({
  IpProtocol: 'tcp',
  FromPort: port,
  ToPort: port,
  IpRanges: [{ CidrIp: '0.0.0.0/0', Description: `world ${port}` }],
});

/** A VPC with one subnet. */
export async function createNetwork(ec2: EC2Client, cidr = '10.20.0.0/16'): Promise<{ vpcId: string; subnetId: string }> {
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }));
  const vpcId = vpc.Vpc!.VpcId!;
  const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr.replace(/\.0\.0\/16$/, '.1.0/24') }));
  return { vpcId, subnetId: subnet.Subnet!.SubnetId! };
}

/** A security group with the given ingress. */
export async function createGroup(ec2: EC2Client, vpcId: string, name: string, ingress: IpPermission[]): Promise<string> {
  const group = await ec2.send(
    new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: name, Description: `eni-guard sandbox: ${name}` }),
  );
  if (ingress.length > 0) await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: group.GroupId!, IpPermissions: ingress }));
  return group.GroupId!;
}

/** An interface in the subnet with the given groups. */
export async function createInterface(ec2: EC2Client, subnetId: string, groupIds: string[], description = ''): Promise<NetworkInterface> {
  const out = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: groupIds, Description: description }));
  return out.NetworkInterface!;
}

/** Ingress rules of a group, as EC2 reports them now. */
export async function ingressRules(ec2: EC2Client, groupId: string): Promise<SecurityGroupRule[]> {
  const out = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }));
  return (out.SecurityGroupRules ?? []).filter((r) => !r.IsEgress);
}

/** An alert as an SQS subscriber receives it: the SNS envelope, decoded. */
export interface ReceivedAlert {
  readonly subject?: string;
  readonly document: Record<string, unknown>;
  readonly attributes: Record<string, string>;
}

/** A topic with an SQS queue subscribed to it, standing in for the people and systems on call. */
export async function createSubscribedTopic(sns: SNSClient, sqs: SQSClient, name = 'eni-guard-alerts') {
  const topic = await sns.send(new CreateTopicCommand({ Name: name }));
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-subscriber` }));
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl!, AttributeNames: ['QueueArn'] }));
  await sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn!, Protocol: 'sqs', Endpoint: attributes.Attributes!['QueueArn']! }));
  const queueUrl = queue.QueueUrl!;
  return {
    topicArn: topic.TopicArn!,
    queueUrl,
    /** Takes every alert waiting in the queue. */
    async drain(): Promise<ReceivedAlert[]> {
      const alerts: ReceivedAlert[] = [];
      for (;;) {
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        const messages = out.Messages ?? [];
        if (messages.length === 0) return alerts;
        for (const message of messages) {
          const envelope = JSON.parse(message.Body ?? '{}') as {
            Subject?: string;
            Message?: string;
            MessageAttributes?: Record<string, { Value: string }>;
          };
          alerts.push({
            ...(envelope.Subject ? { subject: envelope.Subject } : {}),
            document: JSON.parse(envelope.Message ?? '{}') as Record<string, unknown>,
            attributes: Object.fromEntries(Object.entries(envelope.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value])),
          });
        }
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      }
    },
  };
}

/** Makes a subnet public: an internet gateway on the VPC and a route table sending 0.0.0.0/0 to it. */
export async function routeToInternet(
  ec2: EC2Client,
  vpcId: string,
  subnetId: string,
): Promise<{ internetGatewayId: string; routeTableId: string }> {
  const igw = await ec2.send(new CreateInternetGatewayCommand({}));
  const internetGatewayId = igw.InternetGateway!.InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: internetGatewayId, VpcId: vpcId }));
  const table = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
  const routeTableId = table.RouteTable!.RouteTableId!;
  await ec2.send(new CreateRouteCommand({ RouteTableId: routeTableId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: internetGatewayId }));
  await ec2.send(new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: subnetId }));
  return { internetGatewayId, routeTableId };
}

/** Another subnet in the VPC (private unless routed). */
export async function createSubnet(ec2: EC2Client, vpcId: string, cidr: string): Promise<string> {
  const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr }));
  return subnet.Subnet!.SubnetId!;
}

/** Allocates an Elastic IP and associates it with the interface. */
export async function attachElasticIp(ec2: EC2Client, networkInterfaceId: string): Promise<{ allocationId: string; publicIp: string }> {
  const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
  await ec2.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId!, NetworkInterfaceId: networkInterfaceId }));
  return { allocationId: eip.AllocationId!, publicIp: eip.PublicIp! };
}

/** A customer-managed prefix list with the given CIDRs. */
export async function createPrefixList(ec2: EC2Client, name: string, cidrs: string[]): Promise<string> {
  const out = await ec2.send(
    new CreateManagedPrefixListCommand({
      PrefixListName: name,
      AddressFamily: 'IPv4',
      MaxEntries: Math.max(cidrs.length, 1),
      Entries: cidrs.map((Cidr) => ({ Cidr })),
    }),
  );
  return out.PrefixList!.PrefixListId!;
}

/** A VPC flow log (all traffic) to a CloudWatch Logs group. */
export async function enableFlowLogs(ec2: EC2Client, vpcId: string, account = '123456789012'): Promise<string> {
  const out = await ec2.send(
    new CreateFlowLogsCommand({
      ResourceIds: [vpcId],
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: `/eni-guard/flow-logs/${vpcId}`,
      DeliverLogsPermissionArn: `arn:aws:iam::${account}:role/flow-logs-delivery`,
    }),
  );
  return out.FlowLogIds![0]!;
}

/** An instance in the subnet (one encrypted root volume unless told otherwise), tagged as given. */
export async function runInstance(
  ec2: EC2Client,
  subnetId: string,
  options: { tags?: Record<string, string>; encrypted?: boolean; imageId?: string; instanceType?: _InstanceType } = {},
): Promise<string> {
  const tags = Object.entries(options.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: options.imageId ?? 'ami-12c6146b',
      InstanceType: options.instanceType ?? 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: subnetId,
      BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: 8, Encrypted: options.encrypted ?? true } }],
      ...(tags.length > 0 ? { TagSpecifications: [{ ResourceType: 'instance', Tags: tags }] } : {}),
    }),
  );
  return out.Instances![0]!.InstanceId!;
}

/** Attaches an interface to an instance as its device `deviceIndex`. */
export async function attachInterface(ec2: EC2Client, networkInterfaceId: string, instanceId: string, deviceIndex = 1): Promise<void> {
  await ec2.send(
    new AttachNetworkInterfaceCommand({ NetworkInterfaceId: networkInterfaceId, InstanceId: instanceId, DeviceIndex: deviceIndex }),
  );
}
