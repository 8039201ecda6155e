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
