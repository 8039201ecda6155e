/**
 * One interface as mocked EC2 describes it: `eni-0123456789abcdef0` in a public subnet (route to an
 * internet gateway, open default ACL, flow logs on), its one group `sg-1` open to the world on SSH —
 * and the CloudTrail event that points at it. For tests that run the whole responder over
 * aws-sdk-client-mock and care about what happens after the decision.
 */
import {
  DescribeFlowLogsCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  type EC2ClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-ec2';
import type { AwsStub } from 'aws-sdk-client-mock';
import { createNetworkInterfaceRecord, eventBridgeEnvelope } from '../../scripts/lib/cloudtrail-events';

/** The interface. */
export const WORLD_OPEN_ENI = 'eni-0123456789abcdef0';

/** Makes the mock describe the interface, its world-open group and its public subnet. */
export function mockWorldOpenInterface(ec2: AwsStub<ServiceInputTypes, ServiceOutputTypes, EC2ClientResolvedConfig>): void {
  ec2.on(DescribeNetworkInterfacesCommand).resolves({
    NetworkInterfaces: [
      {
        NetworkInterfaceId: WORLD_OPEN_ENI,
        VpcId: 'vpc-1',
        SubnetId: 'subnet-1',
        InterfaceType: 'interface',
        RequesterManaged: false,
        Groups: [{ GroupId: 'sg-1', GroupName: 'web' }],
      },
    ],
  });
  ec2.on(DescribeSecurityGroupRulesCommand).resolves({
    SecurityGroupRules: [
      {
        SecurityGroupRuleId: 'sgr-ssh',
        GroupId: 'sg-1',
        IsEgress: false,
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        CidrIpv4: '0.0.0.0/0',
      },
    ],
  });
  mockPublicSubnet(ec2);
}

/** A public subnet (a route to an internet gateway) with the default network ACL, in a VPC with an active flow log. */
export function mockPublicSubnet(ec2: AwsStub<ServiceInputTypes, ServiceOutputTypes, EC2ClientResolvedConfig>): void {
  ec2.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [
      {
        RouteTableId: 'rtb-1',
        Associations: [{ Main: true }],
        Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1', State: 'active' }],
      },
    ],
  });
  ec2.on(DescribeNetworkAclsCommand).resolves({
    NetworkAcls: [
      {
        NetworkAclId: 'acl-1',
        IsDefault: true,
        Entries: [
          { RuleNumber: 100, Egress: false, Protocol: '-1', RuleAction: 'allow', CidrBlock: '0.0.0.0/0' },
          { RuleNumber: 32767, Egress: false, Protocol: '-1', RuleAction: 'deny', CidrBlock: '0.0.0.0/0' },
        ],
      },
    ],
  });
  ec2
    .on(DescribeFlowLogsCommand)
    .resolves({ FlowLogs: [{ FlowLogId: 'fl-1', ResourceId: 'vpc-1', FlowLogStatus: 'ACTIVE', TrafficType: 'ALL' }] });
}

/** The CreateNetworkInterface event about it, as EventBridge delivers it. */
export function worldOpenInterfaceEvent(eventId = 'evt-1') {
  return eventBridgeEnvelope(
    createNetworkInterfaceRecord(
      { NetworkInterfaceId: WORLD_OPEN_ENI, SubnetId: 'subnet-1', VpcId: 'vpc-1', Groups: [{ GroupId: 'sg-1' }], RequesterManaged: false },
      { account: '123456789012', region: 'eu-west-1', eventId },
    ),
  );
}
