import {
  actorOf,
  callerKind,
  credentialInstance,
  impersonatedInstance,
  proveInstanceCredentials,
  revocableCredentials,
} from '../../../lambda/core/caller';
import { parseEvent } from '../../../lambda/core/event';
import type { Caller } from '../../../lambda/core/model';
import { realRecord } from '../../support/fixtures';

const caller = (c: Partial<Caller>): Caller => ({ type: 'AssumedRole', viaConsole: false, mfaAuthenticated: false, ...c });

describe('callerKind', () => {
  it.each<[string, Partial<Caller>, string]>([
    ['root', { type: 'Root' }, 'root'],
    ['an IAM user', { type: 'IAMUser' }, 'iam-user'],
    ['an AWS service', { type: 'AWSService', invokedBy: 'eks.amazonaws.com' }, 'aws-service'],
    [
      'a service-linked role',
      { sessionIssuerArn: 'arn:aws:iam::1:role/aws-service-role/elasticfilesystem.amazonaws.com/X' },
      'service-linked-role',
    ],
    [
      'an EC2 instance session (CloudTrail says ec2RoleDelivery)',
      { sessionName: 'i-0123456789abcdef0', ec2RoleDelivery: '2.0' },
      'ec2-instance',
    ],
    // Anyone who may assume a role can name the session after someone else's instance: that alone proves nothing.
    ['a role session merely named after an instance', { sessionName: 'i-0123456789abcdef0' }, 'assumed-role'],
    ['a Lambda execution role', { sessionName: 'awslambda_847_20230628214903095' }, 'lambda'],
    [
      'a person through SSO',
      { sessionName: 'alice@example.com', sessionIssuerArn: 'arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1' },
      'assumed-role',
    ],
  ])('%s', (_name, c, kind) => {
    expect(callerKind(caller(c))).toBe(kind);
  });

  it('names the person behind an assumed-role session', () => {
    expect(actorOf(caller({ sessionName: 'alice@example.com', sessionIssuerArn: 'arn:aws:iam::1:role/Admin' }))).toBe(
      'alice@example.com via role Admin',
    );
  });

  it.each([
    ['efs-service-linked-role-requester-managed.json', 'service-linked-role'],
    ['attach-eni-root-console.json', 'root'],
    ['related-runinstances-iamuser-implicit-primary-eni.json', 'iam-user'],
    ['related-authorize-sg-ingress-iamuser-legacy-params.json', 'iam-user'],
  ])('classifies the real record %s', (file, kind) => {
    const parsed = parseEvent(realRecord(file));
    const context = parsed.kind === 'interfaces' ? parsed.context : parsed.kind === 'ignored' ? parsed.context : undefined;
    expect(context && callerKind(context.caller)).toBe(kind);
  });
});

describe('who an alert names', () => {
  it.each<[string, Partial<Caller>, string]>([
    ['the root user, by account', { type: 'Root', accountId: '123456789012' }, 'root user of 123456789012'],
    ['the root user of an unnamed account', { type: 'Root' }, 'root user of the account'],
    ['an IAM user by name', { type: 'IAMUser', userName: 'alice', arn: 'arn:aws:iam::1:user/alice' }, 'IAM user alice'],
    [
      'an IAM user by ARN when the name is missing',
      { type: 'IAMUser', arn: 'arn:aws:iam::1:user/alice' },
      'IAM user arn:aws:iam::1:user/alice',
    ],
    ['an IAM user with neither', { type: 'IAMUser' }, 'IAM user ?'],
    [
      'an instance and its role',
      { sessionName: 'i-0123456789abcdef0', ec2RoleDelivery: '2.0', sessionIssuerArn: 'arn:aws:iam::1:role/web' },
      'EC2 instance i-0123456789abcdef0 (role web)',
    ],
    [
      'an instance whose session has no name',
      { ec2RoleDelivery: '2.0', arn: 'arn:aws:sts::1:assumed-role/web/x' },
      'EC2 instance ? (role web)',
    ],
    [
      'a Lambda function by its role',
      { sessionName: 'awslambda_1', sessionIssuerArn: 'arn:aws:iam::1:role/service-role/fn-role' },
      'Lambda function role fn-role',
    ],
    [
      'a service-linked role by its role',
      { sessionIssuerArn: 'arn:aws:iam::1:role/aws-service-role/elasticfilesystem.amazonaws.com/AWSServiceRoleForEFS' },
      'AWS service (AWSServiceRoleForEFS)',
    ],
    ['an AWS service by what invoked it', { type: 'AWSService', invokedBy: 'eks.amazonaws.com' }, 'AWS service eks.amazonaws.com'],
    ['an AWS service that gives no name', { type: 'AWSService' }, 'AWS service'],
    ['a role session without a name or role', { type: 'AssumedRole' }, '? via role ?'],
    ['a federated user by ARN', { type: 'FederatedUser', arn: 'arn:aws:sts::1:federated-user/bob' }, 'arn:aws:sts::1:federated-user/bob'],
    ['an unknown identity by its type', { type: 'SAMLUser' }, 'SAMLUser'],
  ])('%s', (_name, c, actor) => {
    expect(actorOf(caller(c))).toBe(actor);
  });
});

describe('instance credentials', () => {
  const id = 'i-0123456789abcdef0';
  const delivered = caller({ sessionName: id, ec2RoleDelivery: '2.0', sessionIssuerArn: 'arn:aws:iam::1:role/web' });

  it('a session named after an instance without CloudTrail’s word is suspected, never the instance’s', () => {
    expect(impersonatedInstance(caller({ sessionName: id }))).toBe(id);
    expect(credentialInstance(caller({ sessionName: id }))).toBeUndefined();
    expect(impersonatedInstance(delivered)).toBeUndefined();
    expect(credentialInstance(delivered)).toBe(id);
  });

  it.each<[string, Partial<Caller>]>([
    ['a session named like no instance', { sessionName: 'i-xyz' }],
    ['a session without a name', {}],
    ['an IAM user', { type: 'IAMUser', sessionName: 'i-0123456789abcdef0' }],
  ])('names no instance for %s', (_name, c) => {
    expect(impersonatedInstance(caller(c))).toBeUndefined();
    expect(credentialInstance(caller({ ...c, ec2RoleDelivery: '2.0' }))).toBeUndefined();
  });

  const origin = (associatedProfiles: string[], roleProfiles: string[]) => ({ associatedProfiles, roleProfiles });
  const profile = 'arn:aws:iam::1:instance-profile/web';

  it('is proven by the delivery, the session name and a profile of the instance carrying the role', () => {
    expect(proveInstanceCredentials(delivered, id, origin(['arn:aws:iam::1:instance-profile/other', profile], [profile]))).toEqual({
      proven: true,
      reason: `${id} is associated with ${profile}, which carries arn:aws:iam::1:role/web`,
    });
  });

  it.each<[string, Caller, ReturnType<typeof origin> | undefined, string]>([
    ['without the delivery', caller({ sessionName: id }), origin([profile], [profile]), 'CloudTrail does not say'],
    [
      'for a session named after another instance',
      { ...delivered, sessionName: 'i-0fffffffffffffff0' },
      origin([profile], [profile]),
      'named i-0fffffffffffffff0, not',
    ],
    ['when the profile was not read', delivered, undefined, 'was not read'],
    ['when the instance has no profile', delivered, origin([], [profile]), 'has no instance profile associated'],
    [
      'when its profile does not carry the role',
      delivered,
      origin(['arn:aws:iam::1:instance-profile/other'], [profile]),
      'does not carry arn:aws:iam::1:role/web',
    ],
  ])('is not proven %s', (_name, c, o, reason) => {
    const proof = proveInstanceCredentials(c, id, o);
    expect(proof.proven).toBe(false);
    expect(proof.reason).toContain(reason);
  });

  it('a delivered session without a name is not proven, and the reason says the name is missing', () => {
    expect(proveInstanceCredentials({ ...delivered, sessionName: undefined }, id, origin([profile], [profile]))).toEqual({
      proven: false,
      reason: `the session is named ?, not ${id}`,
    });
  });

  it('when none of the instance’s profiles carries the role, the reason names every one of them', () => {
    const other = 'arn:aws:iam::1:instance-profile/other';
    expect(proveInstanceCredentials(delivered, id, origin([other, 'arn:aws:iam::1:instance-profile/batch'], [profile]))).toEqual({
      proven: false,
      reason: `${id}'s instance profile (${other}, arn:aws:iam::1:instance-profile/batch) does not carry arn:aws:iam::1:role/web`,
    });
  });

  it('a session whose issuer CloudTrail does not name is called the session role', () => {
    const anonymous = { ...delivered, sessionIssuerArn: undefined };
    expect(proveInstanceCredentials(anonymous, id, origin([profile], [profile]))).toEqual({
      proven: true,
      reason: `${id} is associated with ${profile}, which carries the session role`,
    });
    expect(proveInstanceCredentials(anonymous, id, origin(['arn:aws:iam::1:instance-profile/other'], [profile]))).toEqual({
      proven: false,
      reason: `${id}'s instance profile (arn:aws:iam::1:instance-profile/other) does not carry the session role`,
    });
  });
});

describe('what can be revoked', () => {
  const account = '123456789012';
  const user = { type: 'IAMUser', userName: 'alice', arn: `arn:aws:iam::${account}:user/alice` };

  it('an IAM user’s long-term (AKIA) key is deactivated; a temporary (ASIA) key is a console session', () => {
    expect(revocableCredentials(caller({ ...user, accessKeyId: 'AKIAEXAMPLE' }), account)).toEqual({
      type: 'user',
      userName: 'alice',
      accessKeyId: 'AKIAEXAMPLE',
      userArn: user.arn,
    });
    expect(revocableCredentials(caller({ ...user, accessKeyId: 'ASIAEXAMPLE' }), account)).toMatchObject({
      type: 'none',
      reason: expect.stringContaining('console session'),
    });
    expect(revocableCredentials(caller({ ...user, accessKeyId: undefined }), account).type).toBe('none');
  });

  it('an IAM user is judged by the account of its ARN, else its account id; of another account it is not revoked', () => {
    const key = { accessKeyId: 'AKIAEXAMPLE' };
    expect(revocableCredentials(caller({ ...user, ...key, arn: 'arn:aws:iam::999999999999:user/alice' }), account)).toEqual({
      type: 'none',
      reason: `IAM user arn:aws:iam::999999999999:user/alice belongs to account 999999999999, not ${account}`,
    });
    expect(revocableCredentials(caller({ ...user, ...key, arn: undefined, accountId: account }), account)).toEqual({
      type: 'user',
      userName: 'alice',
      accessKeyId: 'AKIAEXAMPLE',
      userArn: '',
    });
    expect(revocableCredentials(caller({ ...user, ...key, arn: undefined }), account)).toEqual({
      type: 'none',
      reason: `IAM user alice belongs to account ?, not ${account}`,
    });
  });

  it.each<[string, Partial<Caller>]>([
    ['an ordinary assumed role', { sessionName: 'alice', sessionIssuerArn: `arn:aws:iam::${account}:role/path/Admin` }],
    ['a Lambda function’s role', { sessionName: 'awslambda_1', sessionIssuerArn: `arn:aws:iam::${account}:role/path/Admin` }],
    [
      'an instance’s role',
      { sessionName: 'i-0123456789abcdef0', ec2RoleDelivery: '2.0', sessionIssuerArn: `arn:aws:iam::${account}:role/path/Admin` },
    ],
  ])('%s is revoked on the role, by its last path segment', (_name, c) => {
    expect(revocableCredentials(caller(c), account)).toEqual({
      type: 'role',
      roleName: 'Admin',
      roleArn: `arn:aws:iam::${account}:role/path/Admin`,
    });
  });

  it('a role of another account, or a session issued by no role, is not revoked here', () => {
    expect(revocableCredentials(caller({ sessionIssuerArn: 'arn:aws:iam::999999999999:role/Admin' }), account)).toEqual({
      type: 'none',
      reason: `role arn:aws:iam::999999999999:role/Admin belongs to account 999999999999, not ${account}`,
    });
    expect(revocableCredentials(caller({ sessionIssuerArn: 'arn:aws:iam::bad:role/Admin' }), account)).toMatchObject({
      type: 'none',
      reason: expect.stringContaining('belongs to account ?'),
    });
    expect(revocableCredentials(caller({ sessionIssuerArn: `arn:aws:iam::${account}:user/x` }), account)).toEqual({
      type: 'none',
      reason: 'assumed-role credentials cannot be revoked automatically',
    });
  });

  it.each<[string, Partial<Caller>, string]>([
    ['the root user', { type: 'Root' }, 'root credentials cannot be revoked automatically: rotate them and check MFA now'],
    ['a federated user', { type: 'FederatedUser' }, 'federated-user credentials cannot be revoked automatically'],
    [
      'a service-linked role',
      { sessionIssuerArn: `arn:aws:iam::${account}:role/aws-service-role/x/Y` },
      'service-linked-role credentials cannot be revoked automatically',
    ],
  ])('%s has nothing to revoke', (_name, c, reason) => {
    expect(revocableCredentials(caller(c), account)).toEqual({ type: 'none', reason });
  });

  it.each<[string, Partial<Caller>, string]>([
    ['the root user', { type: 'Root' }, 'root credentials cannot be revoked automatically: rotate them and check MFA now'],
    ['a federated user', { type: 'FederatedUser' }, 'federated-user credentials cannot be revoked automatically'],
  ])('%s with a long-term (AKIA) key and a user name is not deactivated as if it were an IAM user', (_name, c, reason) => {
    const looksLikeAUser = { userName: 'alice', accessKeyId: 'AKIAEXAMPLE', arn: `arn:aws:iam::${account}:user/alice` };
    expect(revocableCredentials(caller({ ...looksLikeAUser, ...c }), account)).toEqual({ type: 'none', reason });
  });
});
