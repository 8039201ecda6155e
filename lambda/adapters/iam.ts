/** IAM adapter: the reads that verify a credential revocation. */
import type { IAMClient } from '@aws-sdk/client-iam';
import { GetRolePolicyCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { errorCode } from '../app/ports';
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
