/**
 * Sends the API calls remediation plans list: operation name + input in, response out. The table
 * below is the whole set of mutating calls the responder can make; an unknown operation is a bug
 * and fails loudly. Errors come back as `AwsCallError` with the service's own error code.
 */
import {
  AssociateAddressCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateFlowLogsCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  DeleteFlowLogsCommand,
  DeleteNetworkInterfaceCommand,
  DeleteSecurityGroupCommand,
  DeleteTagsCommand,
  DisassociateAddressCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { DeleteRolePolicyCommand, PutRolePolicyCommand, UpdateAccessKeyCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { ApiCall, Operation } from '../core/actions';
import { AwsCallError, type CallPort } from '../app/ports';
import { wrap } from './errors';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command class takes its own input type; inputs come from the planner
type CommandClass = new (input: any) => any;

/** Every EC2 operation remediation may call (a test checks this covers `OPERATION_PERMISSIONS`). */
export const EC2_COMMANDS: Partial<Record<Operation, CommandClass>> = {
  RevokeSecurityGroupIngress: RevokeSecurityGroupIngressCommand,
  AuthorizeSecurityGroupIngress: AuthorizeSecurityGroupIngressCommand,
  RevokeSecurityGroupEgress: RevokeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupEgress: AuthorizeSecurityGroupEgressCommand,
  CreateSecurityGroup: CreateSecurityGroupCommand,
  DeleteSecurityGroup: DeleteSecurityGroupCommand,
  ModifyNetworkInterfaceAttribute: ModifyNetworkInterfaceAttributeCommand,
  DisassociateAddress: DisassociateAddressCommand,
  AssociateAddress: AssociateAddressCommand,
  CreateFlowLogs: CreateFlowLogsCommand,
  DeleteFlowLogs: DeleteFlowLogsCommand,
  CreateTags: CreateTagsCommand,
  DeleteTags: DeleteTagsCommand,
  DeleteNetworkInterface: DeleteNetworkInterfaceCommand,
  CreateSnapshot: CreateSnapshotCommand,
  TerminateInstances: TerminateInstancesCommand,
};

/** Every IAM operation remediation may call. */
export const IAM_COMMANDS: Partial<Record<Operation, CommandClass>> = {
  PutRolePolicy: PutRolePolicyCommand,
  DeleteRolePolicy: DeleteRolePolicyCommand,
  UpdateAccessKey: UpdateAccessKeyCommand,
};

/** Sends planned calls with the SDK clients. */
export class SdkCallSender implements CallPort {
  constructor(private readonly clients: { readonly ec2: EC2Client; readonly iam: IAMClient }) {}

  async send(call: ApiCall, input: Readonly<Record<string, unknown>>): Promise<unknown> {
    const Command = (call.service === 'ec2' ? EC2_COMMANDS : IAM_COMMANDS)[call.operation];
    if (!Command) throw new AwsCallError(call.operation, 'UnsupportedOperation', `no ${call.service} command for ${call.operation}`, false);
    let response: unknown;
    try {
      const command: never = new Command(input) as never;
      response = call.service === 'ec2' ? await this.clients.ec2.send(command) : await this.clients.iam.send(command);
    } catch (error) {
      throw wrap(call.operation, error);
    }
    // Some EC2 calls (CreateFlowLogs) report failures in the body instead of an error status.
    const unsuccessful = (response as { Unsuccessful?: { Error?: { Code?: string; Message?: string } }[] } | undefined)?.Unsuccessful;
    const failure = unsuccessful?.find((u) => u.Error);
    if (failure?.Error) {
      throw new AwsCallError(
        call.operation,
        failure.Error.Code ?? 'Unsuccessful',
        failure.Error.Message ?? 'the call reported an unsuccessful item',
        false,
      );
    }
    return response;
  }
}
