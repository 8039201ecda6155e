/** The fact reader over AWS: EC2 for the network and instances, IAM for the role behind instance credentials. */
import type { FactReader } from '../app/ports';
import type { CredentialOrigin, FlowLogCoverage, InstanceFacts, SecurityGroupRule, SubnetNetwork } from '../core/model';
import type { Ec2Adapter } from './ec2';
import type { IamAdapter } from './iam';

/** Implements `FactReader` with the EC2 and IAM adapters. */
export class AwsFactReader implements FactReader {
  constructor(
    private readonly ec2: Ec2Adapter,
    private readonly iam: IamAdapter,
  ) {}

  describeGroupRules(groupIds: readonly string[]): Promise<SecurityGroupRule[]> {
    return this.ec2.describeGroupRules(groupIds);
  }

  resolvePrefixLists(prefixListIds: readonly string[]): Promise<Map<string, string[]>> {
    return this.ec2.resolvePrefixLists(prefixListIds);
  }

  describeSubnetNetwork(vpcId: string, subnetId: string): Promise<SubnetNetwork> {
    return this.ec2.describeSubnetNetwork(vpcId, subnetId);
  }

  describeFlowLogs(resourceIds: readonly string[]): Promise<FlowLogCoverage> {
    return this.ec2.describeFlowLogs(resourceIds);
  }

  describeInstance(instanceId: string): Promise<InstanceFacts | undefined> {
    return this.ec2.describeInstance(instanceId);
  }

  async describeCredentialOrigin(instanceId: string, roleArn: string): Promise<CredentialOrigin> {
    const [associatedProfiles, roleProfiles] = await Promise.all([
      this.ec2.instanceProfileAssociations(instanceId),
      this.iam.instanceProfilesForRole(roleArn),
    ]);
    return { associatedProfiles, roleProfiles };
  }
}
