import { actorOf, callerKind } from '../../../lambda/core/caller';
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
