import { parseEvent } from '../../../../lambda/core/event';
import type { Caller } from '../../../../lambda/core/model';
import { caller } from '../../../../lambda/core/rules/caller';
import { CONTEXT, facts, realRecord, run } from '../../../support/fixtures';

const as = (who: Partial<Caller>) =>
  facts([], {}, { context: { ...CONTEXT, caller: { viaConsole: false, mfaAuthenticated: false, type: 'IAMUser', ...who } } });
const role = 'arn:aws:iam::123456789012:role/eks-node';

describe('caller', () => {
  it.each<[string, Partial<Caller>, unknown, string[]]>([
    ['an IAM user, no allow-list', { arn: 'arn:aws:iam::123456789012:user/alice' }, {}, []],
    ['the root user', { type: 'Root', arn: 'arn:aws:iam::123456789012:root' }, {}, ['critical']],
    ['the root user when root is not flagged', { type: 'Root' }, { flagRoot: false }, []],
    [
      'EC2 instance credentials (session name i-…)',
      { type: 'AssumedRole', sessionName: 'i-0123456789abcdef0', sessionIssuerArn: role },
      {},
      ['high'],
    ],
    [
      'EC2 instance credentials (ec2RoleDelivery)',
      { type: 'AssumedRole', sessionName: 'x', ec2RoleDelivery: '2.0', sessionIssuerArn: role },
      {},
      ['high'],
    ],
    [
      'an allowed EKS node role using instance credentials',
      { type: 'AssumedRole', sessionName: 'i-0123456789abcdef0', sessionIssuerArn: role },
      { allowedInstanceRoles: ['arn:aws:iam::*:role/eks-*'] },
      [],
    ],
    [
      'a principal outside the allow-list',
      { arn: 'arn:aws:iam::123456789012:user/mallory' },
      { allowedPrincipals: ['arn:aws:iam::123456789012:role/Deploy*'] },
      ['high'],
    ],
    [
      'a deploy role session inside the allow-list',
      {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::123456789012:assumed-role/DeployPipeline/run-1',
        sessionIssuerArn: 'arn:aws:iam::123456789012:role/DeployPipeline',
      },
      { allowedPrincipals: ['arn:aws:iam::123456789012:role/Deploy*'] },
      [],
    ],
  ])('%s', (_name, who, settings, severities) => {
    const verdict = run(caller, as(who), settings);
    if (severities.length === 0) expect(verdict.status).toBe('compliant');
    else expect(verdict).toMatchObject({ status: 'non-compliant', findings: severities.map((severity) => ({ severity })) });
  });

  it('does not apply to AWS services (the real EFS service-linked-role record)', () => {
    const parsed = parseEvent(realRecord('efs-service-linked-role-requester-managed.json'));
    if (parsed.kind !== 'interfaces') throw new Error('expected interfaces');
    expect(run(caller, facts([], {}, { context: parsed.context })).status).toBe('not-applicable');
  });

  it('flags the root console session of the real AttachNetworkInterface record', () => {
    const parsed = parseEvent(realRecord('attach-eni-root-console.json'));
    if (parsed.kind === 'invalid' || !parsed.context) throw new Error('expected a context');
    expect(run(caller, facts([], {}, { context: parsed.context }))).toMatchObject({
      findings: [{ severity: 'critical', evidence: { kind: 'root', actor: 'root user of 450502852875' } }],
    });
  });
});

describe('caller, what it says and proposes', () => {
  const instanceSession = {
    type: 'AssumedRole',
    sessionName: 'i-0123456789abcdef0',
    sessionIssuerArn: role,
    arn: 'arn:aws:sts::123456789012:assumed-role/eks-node/i-0123456789abcdef0',
  };

  it('instance credentials: the instance and CloudTrail’s delivery in the evidence, the role to revoke', () => {
    const verdict = run(caller, as({ ...instanceSession, ec2RoleDelivery: '2.0', sourceIp: '10.0.0.5', userAgent: 'aws-cli' }));
    expect(verdict).toEqual({
      status: 'non-compliant',
      findings: [
        {
          ruleId: 'caller',
          severity: 'high',
          title: 'EC2 instance credentials (i-0123456789abcdef0) made this call',
          evidence: {
            kind: 'ec2-instance',
            actor: 'EC2 instance i-0123456789abcdef0 (role eks-node)',
            arn: instanceSession.arn,
            sessionIssuerArn: role,
            sourceIp: '10.0.0.5',
            userAgent: 'aws-cli',
            instanceId: 'i-0123456789abcdef0',
            ec2RoleDelivery: '2.0',
          },
          remediation: { kind: 'revoke-credentials', principal: { type: 'role', roleName: 'eks-node', roleArn: role } },
        },
      ],
    });
  });

  it('a session merely named after an instance is suspected, and says so', () => {
    expect(run(caller, as(instanceSession))).toMatchObject({
      findings: [
        {
          severity: 'high',
          title:
            'a role session named after instance i-0123456789abcdef0 made this call (suspected instance credentials: CloudTrail does not say they were delivered to an instance)',
          evidence: { kind: 'assumed-role', suspectedInstance: 'i-0123456789abcdef0' },
        },
      ],
    });
    expect(run(caller, as(instanceSession), { flagInstanceCredentials: false }).status).toBe('compliant');
    expect(run(caller, as(instanceSession), { allowedInstanceRoles: [role] }).status).toBe('compliant');
  });

  it('instance credentials delivered to a session with no name say the instance is unknown', () => {
    const verdict = run(caller, as({ ...instanceSession, sessionName: undefined, ec2RoleDelivery: '2.0' }));
    expect(verdict.status === 'non-compliant' && verdict.findings.map((f) => f.title)).toEqual([
      'EC2 instance credentials (?) made this call',
    ]);
  });

  it('instance credentials are not flagged when the policy does not flag them', () => {
    expect(run(caller, as({ ...instanceSession, ec2RoleDelivery: '2.0' }), { flagInstanceCredentials: false }).status).toBe('compliant');
  });

  it('a principal outside the allow-list is named; one that cannot be revoked says why', () => {
    const verdict = run(caller, as({ arn: 'arn:aws:iam::123456789012:user/mallory', userName: 'mallory' }), {
      allowedPrincipals: ['arn:aws:iam::123456789012:role/Deploy'],
    });
    expect(verdict).toMatchObject({
      findings: [
        {
          title: 'IAM user mallory is not an allowed principal',
          evidence: { notRevocable: 'an IAM user console session (temporary key): disable the user’s console access by hand' },
        },
      ],
    });
    expect(verdict.status === 'non-compliant' && verdict.findings[0]).not.toHaveProperty('remediation');
  });

  it('root and a principal not allowed are two findings, each with the same proposal', () => {
    const verdict = run(caller, as({ type: 'Root', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' }), {
      allowedPrincipals: ['arn:aws:iam::123456789012:role/Deploy'],
    });
    expect(verdict).toMatchObject({
      findings: [
        {
          severity: 'critical',
          title: 'the root user made this call',
          evidence: { notRevocable: expect.stringContaining('root credentials') },
        },
        { severity: 'high', title: 'root user of 123456789012 is not an allowed principal' },
      ],
    });
  });

  it('an allow-list matches the role behind a session as well as the session', () => {
    const session = {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/Deploy/run-1',
      sessionIssuerArn: 'arn:aws:iam::123456789012:role/Deploy',
    };
    expect(run(caller, as(session), { allowedPrincipals: ['arn:aws:sts::123456789012:assumed-role/Deploy/*'] }).status).toBe('compliant');
    expect(run(caller, as(session), { allowedPrincipals: ['arn:aws:iam::123456789012:role/Deploy'] }).status).toBe('compliant');
    expect(run(caller, as(session), { allowedPrincipals: ['arn:aws:iam::123456789012:role/Deplo'] }).status).toBe('non-compliant');
  });
});

describe('caller, callers it does not judge and settings it refuses', () => {
  it.each<[string, Partial<Caller>]>([
    ['an AWS service', { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' }],
    [
      'a service-linked role',
      {
        type: 'AssumedRole',
        sessionIssuerArn:
          'arn:aws:iam::123456789012:role/aws-service-role/elasticfilesystem.amazonaws.com/AWSServiceRoleForAmazonElasticFileSystem',
      },
    ],
  ])('%s is not applicable, and says so', (_name, who) => {
    expect(run(caller, as(who))).toEqual({ status: 'not-applicable', reason: 'called by an AWS service' });
  });

  it('terminating an instance without isolating it first is refused; with isolation it is accepted', () => {
    expect(() => caller.settings.parse({ mode: 'remediate', terminateInstance: true })).toThrow(/terminateInstance needs isolateInstance/);
    expect(caller.settings.parse({ mode: 'remediate', isolateInstance: true, terminateInstance: true })).toMatchObject({
      terminateInstance: true,
    });
  });
});
