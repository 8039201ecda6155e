import { evaluate } from '../../../lambda/core/evaluate';
import { planResponse } from '../../../lambda/core/plan/index';
import { parsePolicy } from '../../../lambda/core/policy';
import { CONTEXT, facts, NOW, planInputs, rule } from '../../support/fixtures';

const base = {
  id: 'bastion',
  rules: ['world-open-ingress'],
  owner: 'platform@example.com',
  reason: 'legacy bastion until the VPN lands',
  expires: '2026-12-31',
};
const policyWith = (exemption: Record<string, unknown>) => parsePolicy({ version: 1, exemptions: [{ ...base, ...exemption }] });
const ssh = (ni: Parameters<typeof facts>[1] = {}) => facts([rule({ ruleId: 'sgr-ssh' })], { publicIp: undefined, ...ni });

describe('exemptions', () => {
  it.each<[string, Record<string, unknown>, Parameters<typeof facts>[1]]>([
    ['security group', { match: { securityGroup: 'sg-1' } }, {}],
    [
      'tag key and value, within the VPC the policy bounds it to',
      { match: { tag: { key: 'team', value: 'bastion' }, vpc: 'vpc-1' } },
      { tags: { team: 'bastion' } },
    ],
    ['VPC', { match: { vpc: 'vpc-1' } }, {}],
    ['subnet', { match: { subnet: 'subnet-1' } }, {}],
    ['interface', { match: { networkInterface: 'eni-0aaaaaaaaaaaaaaaa' } }, {}],
    ['principal pattern', { match: { principal: 'arn:aws:iam::123456789012:user/*' } }, {}],
    ['every rule (*)', { rules: ['*'], match: { vpc: 'vpc-1' } }, {}],
  ])('sets a finding aside by %s, and nothing is remediated', (_name, exemption, ni) => {
    const evaluation = evaluate(ssh(ni), policyWith(exemption), NOW);
    expect(evaluation.findings).toEqual([]);
    expect(evaluation.exempted).toEqual([
      expect.objectContaining({ exemptionId: 'bastion', owner: 'platform@example.com', expires: '2026-12-31' }),
    ]);
    expect(planResponse(evaluation, policyWith(exemption), planInputs(ssh(ni))).actions).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, Parameters<typeof facts>[1]]>([
    ['another group', { match: { securityGroup: 'sg-9' } }, {}],
    [
      'the right tag key with another value',
      { match: { tag: { key: 'team', value: 'bastion' }, vpc: 'vpc-1' } },
      { tags: { team: 'web' } },
    ],
    [
      'the right tag outside the VPC it is bounded to',
      { match: { tag: { key: 'team', value: 'bastion' }, vpc: 'vpc-2' } },
      { tags: { team: 'bastion' } },
    ],
    ['another rule', { rules: ['public-ip'], match: { vpc: 'vpc-1' } }, {}],
    ['a principal pattern that does not match', { match: { principal: 'arn:aws:iam::*:role/Deploy*' } }, {}],
    ['two conditions of which one fails', { match: { vpc: 'vpc-1', subnet: 'subnet-9' } }, {}],
  ])('does not apply to %s', (_name, exemption, ni) => {
    expect(evaluate(ssh(ni), policyWith(exemption), NOW).findings).toHaveLength(1);
  });

  it('bounded by ports, covers a finding only about those ports', () => {
    const sshOnly = policyWith({ match: { securityGroup: 'sg-1', ports: [{ protocol: 'tcp', from: 22 }] } });
    expect(evaluate(ssh(), sshOnly, NOW).exempted).toHaveLength(1);
    const everyPort = facts([rule({ ruleId: 'sgr-all', fromPort: 0, toPort: 65535 })], { publicIp: undefined });
    const worldOpen = (f: { ruleId: string }) => f.ruleId === 'world-open-ingress';
    expect(evaluate(everyPort, sshOnly, NOW).findings.filter(worldOpen)).toHaveLength(1);
    const allTraffic = facts([rule({ ruleId: 'sgr-any', protocol: '-1', fromPort: undefined, toPort: undefined })], {
      publicIp: undefined,
    });
    expect(evaluate(allTraffic, sshOnly, NOW).findings.filter(worldOpen)).toHaveLength(1);
  });

  it('bounded by accounts, covers only those accounts', () => {
    const here = policyWith({ match: { accounts: [CONTEXT.account] } });
    const elsewhere = policyWith({ match: { accounts: ['999999999999'] } });
    expect(evaluate(ssh(), here, NOW).exempted).toHaveLength(1);
    expect(evaluate(ssh(), elsewhere, NOW).findings).toHaveLength(1);
  });

  it('applies through its last day (UTC) and not after; an expired one is reported and the finding stands', () => {
    const policy = policyWith({ match: { securityGroup: 'sg-1' }, expires: '2026-11-28' });
    expect(evaluate(ssh(), policy, new Date('2026-11-28T23:59:59Z')).exempted).toHaveLength(1);
    const after = evaluate(ssh(), policy, new Date('2026-11-29T00:00:00Z'));
    expect(after.findings).toHaveLength(1);
    expect(after.expiredExemptions).toEqual([
      { exemptionId: 'bastion', ruleId: 'world-open-ingress', owner: 'platform@example.com', expired: '2026-11-28' },
    ]);
    expect(planResponse(after, policy, planInputs(ssh())).actions.map((a) => a.kind)).toEqual(['revoke-ingress', 'tag-interface']);
  });

  it('matches a principal against the role behind an assumed-role session', () => {
    const session = {
      ...CONTEXT,
      caller: {
        ...CONTEXT.caller,
        type: 'AssumedRole',
        arn: 'arn:aws:sts::123456789012:assumed-role/Deploy/ci',
        sessionIssuerArn: 'arn:aws:iam::123456789012:role/Deploy',
      },
    };
    const evaluation = evaluate(
      facts([rule()], { publicIp: undefined }, { context: session }),
      policyWith({ match: { principal: 'arn:aws:iam::123456789012:role/Deploy' } }),
      NOW,
    );
    expect(evaluation.exempted).toHaveLength(1);
  });
});
