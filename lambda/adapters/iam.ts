/** IAM adapter: the reads that verify a credential revocation, and the role behind instance credentials. */
import type { IAMClient } from '@aws-sdk/client-iam';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  paginateListInstanceProfilesForRole,
  PutRolePolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { errorCode, type RevocationPort } from '../app/ports';
import { wrap } from './errors';

/** Reads IAM state for verification. */
export class IamAdapter {
  constructor(private readonly client: IAMClient) {}

  /** True when the role has the named inline policy. */
  async hasRolePolicy(roleName: string, policyName: string): Promise<boolean> {
    try {
      await this.client.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
      return true;
    } catch (error) {
      if (errorCode(error) === 'NoSuchEntity' || errorCode(error) === 'NoSuchEntityException') return false;
      throw wrap('GetRolePolicy', error);
    }
  }

  /** The ARNs of the instance profiles that carry the role (every page). A role that does not exist carries none. */
  async instanceProfilesForRole(roleArn: string): Promise<string[]> {
    const roleName = roleArn.split('/').pop() ?? '';
    const arns: string[] = [];
    try {
      for await (const page of paginateListInstanceProfilesForRole({ client: this.client }, { RoleName: roleName })) {
        for (const profile of page.InstanceProfiles ?? []) {
          // Same name, other path or account: not this role.
          if (profile.Arn && (profile.Roles ?? []).some((r) => r.Arn === roleArn)) arns.push(profile.Arn);
        }
      }
    } catch (error) {
      if (errorCode(error) === 'NoSuchEntity' || errorCode(error) === 'NoSuchEntityException') return [];
      throw wrap('ListInstanceProfilesForRole', error);
    }
    return arns;
  }

  /** `Active` / `Inactive`, or undefined when the user has no such key. */
  async accessKeyStatus(userName: string, accessKeyId: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new ListAccessKeysCommand({ UserName: userName }));
      return out.AccessKeyMetadata?.find((k) => k.AccessKeyId === accessKeyId)?.Status;
    } catch (error) {
      throw wrap('ListAccessKeys', error);
    }
  }
}

/** The revoker's IAM: the reads it checks a principal with, and its two writes. */
export class IamRevocationAdapter implements RevocationPort {
  constructor(private readonly client: IAMClient) {}

  async roleArn(roleName: string): Promise<string | undefined> {
    try {
      return (await this.client.send(new GetRoleCommand({ RoleName: roleName }))).Role?.Arn;
    } catch (error) {
      if (errorCode(error) === 'NoSuchEntity' || errorCode(error) === 'NoSuchEntityException') return undefined;
      throw wrap('GetRole', error);
    }
  }

  async putRolePolicy(roleName: string, policyName: string, document: string): Promise<void> {
    try {
      await this.client.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: document }));
    } catch (error) {
      throw wrap('PutRolePolicy', error);
    }
  }

  async userArn(userName: string): Promise<string | undefined> {
    try {
      return (await this.client.send(new GetUserCommand({ UserName: userName }))).User?.Arn;
    } catch (error) {
      if (errorCode(error) === 'NoSuchEntity' || errorCode(error) === 'NoSuchEntityException') return undefined;
      throw wrap('GetUser', error);
    }
  }

  async deactivateAccessKey(userName: string, accessKeyId: string): Promise<void> {
    try {
      await this.client.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' }));
    } catch (error) {
      throw wrap('UpdateAccessKey', error);
    }
  }
}
