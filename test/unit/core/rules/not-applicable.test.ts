/** A rule that does not apply says why, in words the alert and the CLI show. */
import type { Rule } from '../../../../lambda/core/rule';
import { networkPlacement } from '../../../../lambda/core/rules/network-placement';
import { requiredTags } from '../../../../lambda/core/rules/required-tags';
import { sourceDestCheck } from '../../../../lambda/core/rules/source-dest-check';
import { judgeVpc, vpcFlowLogs } from '../../../../lambda/core/rules/vpc-flow-logs';
import { worldOpenIngress } from '../../../../lambda/core/rules/world-open-ingress';
import { facts, run } from '../../../support/fixtures';

describe('a rule that does not apply says why', () => {
  it.each<[string, Rule<never>, Parameters<typeof facts>[1], string]>([
    ['network-placement with nothing allowed configured', networkPlacement as Rule<never>, {}, 'no allowed VPCs or subnets are configured'],
    ['required-tags with no tags configured', requiredTags as Rule<never>, {}, 'no required tags are configured'],
    [
      'source-dest-check when EC2 did not report it',
      sourceDestCheck as Rule<never>,
      { sourceDestCheck: undefined },
      'EC2 did not report the source/destination check',
    ],
    ['vpc-flow-logs outside a VPC', vpcFlowLogs as Rule<never>, { vpcId: undefined }, 'interface is not in a VPC'],
    ['world-open-ingress without security groups', worldOpenIngress as Rule<never>, { groups: [] }, 'interface has no security groups'],
  ])('%s', (_name, subject, ni, reason) => {
    expect(run(subject, facts([], ni))).toEqual({ status: 'not-applicable', reason });
  });
});

describe('vpc-flow-logs of a VPC itself', () => {
  it('a VPC without a flow log of its own is asked for one; a flow log on a subnet does not count', () => {
    const expected = {
      status: 'non-compliant',
      findings: [
        {
          ruleId: 'vpc-flow-logs',
          severity: 'medium',
          title: 'vpc-1 has no active flow log',
          evidence: { vpcId: 'vpc-1' },
          remediation: { kind: 'enable-flow-logs', vpcId: 'vpc-1' },
        },
      ],
    };
    expect(judgeVpc('vpc-1', { active: [] })).toEqual(expected);
    expect(judgeVpc('vpc-1', { active: [{ flowLogId: 'fl-1', resourceId: 'subnet-1' }] })).toEqual(expected);
  });
});

describe('required-tags, a missing tag with allowed values', () => {
  it('is missing, not also a value that is not allowed', () => {
    const settings = { tags: [{ key: 'env', values: ['prod'] }] };
    expect(run(requiredTags, facts([], { tags: {} }), settings)).toMatchObject({
      findings: [{ title: 'required tags: missing env', evidence: { missing: ['env'], wrong: [] } }],
    });
  });
});
