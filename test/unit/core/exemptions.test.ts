import { evaluate } from '../../../lambda/core/evaluate';
import { applyVpcExemptions, matches } from '../../../lambda/core/exemptions';
import { planResponse } from '../../../lambda/core/plan/index';
import { parsePolicy, type Exemption } from '../../../lambda/core/policy';
import { CONTEXT, facts, instance, NOW, planInputs, rule } from '../../support/fixtures';

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

describe('exemptions that must not match', () => {
  // The rule ids of the findings that stand, less those of rules the exemption is not about.
  const standing = (input: ReturnType<typeof facts>, exemption: Record<string, unknown>) => {
    const rules = (exemption['rules'] as string[] | undefined) ?? base.rules;
    return evaluate(input, policyWith(exemption), NOW)
      .findings.map((f) => f.ruleId)
      .filter((id) => rules.includes('*') || rules.includes(id));
  };

  it.each<[string, Record<string, unknown>]>([
    ['an exemption for vpc-2 does not cover an interface in vpc-1', { vpc: 'vpc-2' }],
    ['an exemption for subnet-2 does not cover an interface in subnet-1', { subnet: 'subnet-2' }],
    ['an exemption for another interface does not cover this one', { networkInterface: 'eni-0bbbbbbbbbbbbbbbb' }],
    ['an exemption for OU ou-abcd-22222222 does not cover an account outside it', { ous: ['ou-abcd-22222222'] }],
  ])('%s', (_name, match) => {
    expect(standing(ssh(), { match })).toEqual(['world-open-ingress']);
  });

  it('an exemption for an OU covers an account below it, whichever level of the path it names', () => {
    const below = facts([rule()], { publicIp: undefined }, { context: { ...CONTEXT, ous: ['r-abcd', 'ou-abcd-11111111'] } });
    expect(standing(below, { match: { ous: ['ou-abcd-11111111'] } })).toEqual([]);
    expect(standing(below, { match: { ous: ['r-abcd'] } })).toEqual([]);
    expect(standing(below, { match: { ous: ['ou-abcd-22222222'] } })).toEqual(['world-open-ingress']);
  });

  it('a group exemption covers a finding about that group only, even when the interface also uses it', () => {
    // Two groups on the interface, the world-open rule in sg-2: an exemption for sg-1 does not cover it.
    const input = facts([rule({ groupId: 'sg-2' })], {
      publicIp: undefined,
      groups: [
        { groupId: 'sg-1', groupName: 'web' },
        { groupId: 'sg-2', groupName: 'admin' },
      ],
    });
    expect(standing(input, { match: { securityGroup: 'sg-1' } })).toEqual(['world-open-ingress']);
    expect(standing(input, { match: { securityGroup: 'sg-2' } })).toEqual([]);
  });

  it('a group exemption covers a finding about no group only when the interface uses that group', () => {
    const onPublicIp = { rules: ['public-ip'] };
    const exposed = facts([rule()]);
    expect(evaluate(exposed, policyWith({ ...onPublicIp, match: { securityGroup: 'sg-1' } }), NOW).exempted).toHaveLength(1);
    expect(standing(exposed, { ...onPublicIp, match: { securityGroup: 'sg-9' } })).toContain('public-ip');
  });

  it('a tag on the attached instance counts as the interface’s; another value on either does not', () => {
    const attached = (tags: Record<string, string>) =>
      facts(
        [rule()],
        { publicIp: undefined, attachedInstanceId: 'i-0123456789abcdef0' },
        { instance: { status: 'ok', value: instance({ tags }) } },
      );
    const byTag = { match: { tag: { key: 'team', value: 'bastion' }, vpc: 'vpc-1' } };
    expect(standing(attached({ team: 'bastion' }), byTag)).toEqual([]);
    expect(standing(attached({ team: 'web' }), byTag)).toEqual(['world-open-ingress']);
    // An instance whose facts could not be read lends the interface no tags.
    const unread = facts([rule()], { publicIp: undefined }, { instance: { status: 'unavailable', reason: 'throttled' } });
    expect(standing(unread, byTag)).toEqual(['world-open-ingress']);
  });

  it('a tag the caller set in this very call exempts nothing; the same tag set earlier does', () => {
    const tagged = facts([rule()], { publicIp: undefined, tags: { team: 'bastion' } });
    const byTag = { match: { tag: { key: 'team', value: 'bastion' }, vpc: 'vpc-1' } };
    expect(standing(tagged, byTag)).toEqual([]);
    const inThisCall = { ...tagged, context: { ...CONTEXT, requestTags: [{ key: 'team', value: 'bastion' }] } };
    expect(standing(inThisCall, byTag)).toEqual(['world-open-ingress']);
    // A request tag with the same key and another value is no such call.
    const otherValue = { ...tagged, context: { ...CONTEXT, requestTags: [{ key: 'team', value: 'web' }] } };
    expect(standing(otherValue, byTag)).toEqual([]);
  });

  it('a tag-bound exemption for every rule still leaves the caller’s own findings standing', () => {
    const byRoot = facts(
      [rule()],
      { publicIp: undefined, tags: { team: 'bastion' } },
      {
        context: { ...CONTEXT, caller: { ...CONTEXT.caller, type: 'Root', arn: 'arn:aws:iam::123456789012:root' } },
      },
    );
    expect(standing(byRoot, { rules: ['*'], match: { tag: { key: 'team', value: 'bastion' }, vpc: 'vpc-1' } })).toEqual(['caller']);
  });

  it('a principal exemption needs the caller or the role behind its session to match', () => {
    const noArn = facts([rule()], { publicIp: undefined }, { context: { ...CONTEXT, caller: { ...CONTEXT.caller, arn: undefined } } });
    expect(standing(noArn, { match: { principal: '*' } })).toEqual(['world-open-ingress']);
    expect(standing(ssh(), { match: { principal: 'arn:aws:iam::123456789012:user/alice' } })).toEqual([]);
  });

  describe('bounded by ports', () => {
    const on = (fromPort: number, toPort: number, protocol = 'tcp') =>
      facts([rule({ protocol, fromPort, toPort })], { publicIp: undefined });
    const within = (input: ReturnType<typeof facts>, ports: unknown[]) =>
      standing(input, { match: { securityGroup: 'sg-1', ports } }).length === 0;

    it.each<[string, [number, number], unknown[], boolean]>([
      ['a range ending exactly at the last exempted port', [20, 25], [{ protocol: 'tcp', from: 20, to: 25 }], true],
      ['a range one port past the exempted ones', [20, 26], [{ protocol: 'tcp', from: 20, to: 25 }], false],
      ['a range one port before the exempted ones', [19, 25], [{ protocol: 'tcp', from: 20, to: 25 }], false],
      [
        'a range covered by two adjacent exempted ranges',
        [20, 30],
        [
          { protocol: 'tcp', from: 26, to: 30 },
          { protocol: 'tcp', from: 20, to: 25 },
        ],
        true,
      ],
      [
        'a range over a gap between two exempted ranges',
        [20, 30],
        [
          { protocol: 'tcp', from: 20, to: 24 },
          { protocol: 'tcp', from: 26, to: 30 },
        ],
        false,
      ],
      [
        'a range covered by overlapping exempted ranges',
        [20, 30],
        [
          { protocol: 'tcp', from: 20, to: 28 },
          { protocol: 'tcp', from: 22, to: 24 },
          { protocol: 'tcp', from: 27, to: 30 },
        ],
        true,
      ],
      ['a range the same ports on the other protocol exempt', [20, 25], [{ protocol: 'udp', from: 20, to: 25 }], false],
    ])('%s', (_name, [from, to], ports, exempted) => {
      expect(within(on(from, to), ports)).toBe(exempted);
    });
  });
});

describe('exemptions, what the match bounds', () => {
  const standing = (input: ReturnType<typeof facts>, exemption: Record<string, unknown>) =>
    evaluate(input, policyWith(exemption), NOW)
      .findings.map((f) => f.ruleId)
      .filter((id) => id === 'world-open-ingress');

  it('a request tag of another key, with the exemption’s value, does not void the tag set earlier', () => {
    const tagged = facts([rule()], { publicIp: undefined, tags: { team: 'bastion' } });
    const sameValue = { ...tagged, context: { ...CONTEXT, requestTags: [{ key: 'owner', value: 'bastion' }] } };
    expect(standing(sameValue, { match: { tag: { key: 'team', value: 'bastion' }, vpc: 'vpc-1' } })).toEqual([]);
  });

  it('a ports exemption covers a finding only when every one of its stretches is within the ports', () => {
    const twoStretches = facts([rule({ ruleId: 'sgr-22' }), rule({ ruleId: 'sgr-3389', fromPort: 3389, toPort: 3389 })], {
      publicIp: undefined,
    });
    expect(standing(twoStretches, { match: { ports: [{ protocol: 'tcp', from: 22 }] } })).toEqual(['world-open-ingress']);
    expect(
      standing(twoStretches, {
        match: {
          ports: [
            { protocol: 'tcp', from: 22 },
            { protocol: 'tcp', from: 3389 },
          ],
        },
      }),
    ).toEqual([]);
  });

  it('a ports exemption does not cover a finding about no ports', () => {
    const finding = { ruleId: 'world-open-ingress', severity: 'high' as const, title: 't', evidence: {}, ports: [] };
    const exemption = policyWith({ match: { ports: [{ protocol: 'tcp', from: 0, to: 65535 }] } }).exemptions[0]!;
    expect(matches(exemption, finding, ssh())).toBe(false);
    expect(matches(exemption, { ...finding, ports: [{ protocol: 'tcp', from: 22, to: 22 }] }, ssh())).toBe(true);
  });

  it('a group exemption covers a finding about no group when the interface uses that group among others', () => {
    const exposed = facts([rule()], { groups: [{ groupId: 'sg-0' }, { groupId: 'sg-1' }] });
    expect(evaluate(exposed, policyWith({ rules: ['public-ip'], match: { securityGroup: 'sg-1' } }), NOW).exempted).toHaveLength(1);
  });
});

describe('exemptions of a VPC’s own findings', () => {
  const flowLogs = { ruleId: 'vpc-flow-logs', severity: 'medium' as const, title: 'vpc-1 has no active flow log', evidence: {} };
  const place = { account: CONTEXT.account, vpcId: 'vpc-1' };
  const exempted = (match: Record<string, unknown>, rules = ['vpc-flow-logs']) =>
    applyVpcExemptions([flowLogs], policyWith({ rules, match }).exemptions, place, NOW).exempted.length === 1;

  it('covers the VPC when bounded by that VPC or that account', () => {
    expect(exempted({ vpc: 'vpc-1' })).toBe(true);
    expect(exempted({ accounts: [CONTEXT.account] })).toBe(true);
    expect(exempted({ vpc: 'vpc-1', accounts: [CONTEXT.account] })).toBe(true);
    expect(exempted({ vpc: 'vpc-1' }, ['*'])).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['another VPC', { vpc: 'vpc-2' }, ['vpc-flow-logs']],
    ['another account', { accounts: ['999999999999'] }, ['vpc-flow-logs']],
    ['the VPC and another account', { vpc: 'vpc-1', accounts: ['999999999999'] }, ['vpc-flow-logs']],
    ['another rule', { vpc: 'vpc-1' }, ['world-open-ingress']],
    ['a subnet of the VPC (part of its traffic, not the VPC)', { vpc: 'vpc-1', subnet: 'subnet-1' }, ['vpc-flow-logs']],
    ['a group in the VPC', { vpc: 'vpc-1', securityGroup: 'sg-1' }, ['vpc-flow-logs']],
    ['a principal only', { principal: '*' }, ['vpc-flow-logs']],
  ])('does not cover it when bounded by %s', (_name, match, rules) => {
    expect(exempted(match, rules)).toBe(false);
  });

  it('an exemption bounded by nothing (which the policy schema refuses) covers no VPC', () => {
    const unbounded = { ...base, rules: ['*'], match: {} } as Exemption;
    expect(applyVpcExemptions([flowLogs], [unbounded], place, NOW).exempted).toEqual([]);
  });
});
