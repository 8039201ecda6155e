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
import { DeleteRolePolicyCommand, UpdateAccessKeyCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { ApiCall, Operation } from '../core/actions';
import { AwsCallError, type CallPort, type RevocationSender } from '../app/ports';
import type { RevocationRequest } from '../core/revocation';
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

/** Every IAM operation remediation may call: undo's, with an operator's credentials (the responder has no IAM write). */
export const IAM_COMMANDS: Partial<Record<Operation, CommandClass>> = {
  DeleteRolePolicy: DeleteRolePolicyCommand,
  UpdateAccessKey: UpdateAccessKeyCommand,
};

/** The operations sent to the revoker (lambda/core/revocation.ts), not to an AWS API. */
export const REVOKER_OPERATIONS: readonly Operation[] = ['RevokeRoleSessions', 'DeactivateAccessKey'];

/** Sends planned calls with the SDK clients; credential revocations go to `revoker` (absent: they fail, named). */
export class SdkCallSender implements CallPort {
  constructor(private readonly clients: { readonly ec2: EC2Client; readonly iam: IAMClient; readonly revoker?: RevocationSender }) {}

  async send(call: ApiCall, input: Readonly<Record<string, unknown>>): Promise<unknown> {
    if (call.service === 'revoker') return this.revoke(call, input);
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

  private async revoke(call: ApiCall, input: Readonly<Record<string, unknown>>): Promise<unknown> {
    if (!REVOKER_OPERATIONS.includes(call.operation)) {
      throw new AwsCallError(call.operation, 'UnsupportedOperation', `the revoker does not ${call.operation}`, false);
    }
    if (!this.clients.revoker) {
      throw new AwsCallError(call.operation, 'RevokerNotConfigured', 'no revoker function is configured (REVOKER_FUNCTION_NAME)', false);
    }
    try {
      return await this.clients.revoker.send({ operation: call.operation, input } as RevocationRequest);
    } catch (error) {
      throw wrap(call.operation, error);
    }
  }
}
