import { describeCall } from '../../../lambda/core/actions';
import { evaluate } from '../../../lambda/core/evaluate';
import type { OwnGroup } from '../../../lambda/core/model';
import { groupEvidence, rulesDiff } from '../../../lambda/core/plan/leftovers';
import { shortHash } from '../../../lambda/core/plan/network';
import { planResponse } from '../../../lambda/core/plan/index';
import { parsePolicy } from '../../../lambda/core/policy';
import { facts, NOW, planInputs, rule } from '../../support/fixtures';

const ENI = 'eni-0aaaaaaaaaaaaaaaa';
const policy = parsePolicy({ version: 1, remediation: { tagInterface: false } });
const defaultEgress = rule({ ruleId: 'sgr-def', groupId: 'sg-copy', isEgress: true, protocol: '-1', fromPort: -1, toPort: -1 });
const https = (groupId: string, ruleId: string) => rule({ ruleId, groupId, fromPort: 443, toPort: 443 });
const leftover = (overrides: Partial<OwnGroup> = {}): OwnGroup => ({
  groupId: 'sg-copy',
  groupName: `eni-guard-${ENI}-sg-1-00000000`,
  vpcId: 'vpc-1',
  tags: { 'eni-guard:copy-of': 'sg-1', 'eni-guard:interface': ENI, 'eni-guard:ledger': 'evt-0/eni-0aaaaaaaaaaaaaaaa' },
  rules: [defaultEgress],
  users: 0,
  ...overrides,
});

describe('leftovers of an interrupted attempt', () => {
  it('diffs a group to exactly the wanted rules: extra ones revoked by id, missing ones authorized', () => {
    const have = [defaultEgress, rule({ ruleId: 'sgr-extra', groupId: 'sg-copy', fromPort: 3389, toPort: 3389 })];
    const wanted = [rule({ ruleId: 'sgr-o', isEgress: true, protocol: '-1' }), https('sg-1', 'sgr-h')];
    expect(rulesDiff('sg-copy', have, wanted).map(describeCall)).toEqual([
      'RevokeSecurityGroupIngress GroupId=sg-copy SecurityGroupRuleIds=sgr-extra',
      'AuthorizeSecurityGroupIngress GroupId=sg-copy IpPermissions={"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}',
    ]);
    expect(rulesDiff('sg-copy', [defaultEgress, https('sg-copy', 'sgr-c')], wanted)).toEqual([]);
  });

  it('reconstructs the calls that made a group look as it does, from a fresh group', () => {
    expect(groupEvidence(leftover(), undefined).map((c) => [c.operation, c.outcome])).toEqual([['CreateSecurityGroup', 'recovered']]);
    const configured = leftover({
      rules: [rule({ ruleId: 'sgr-e', groupId: 'sg-copy', isEgress: true, fromPort: 443, toPort: 443 }), https('sg-copy', 'sgr-i')],
    });
    expect(groupEvidence(configured, undefined).map((c) => c.operation)).toEqual([
      'CreateSecurityGroup',
      'RevokeSecurityGroupEgress',
      'AuthorizeSecurityGroupEgress',
      'AuthorizeSecurityGroupIngress',
    ]);
  });

  it('names what it creates with a short stable hash of the ledger id', () => {
    expect(shortHash('evt-1/eni-1')).toMatch(/^[0-9a-f]{8}$/);
    expect(shortHash('evt-1/eni-1')).toBe(shortHash('evt-1/eni-1'));
    expect(shortHash('evt-1/eni-1')).not.toBe(shortHash('evt-2/eni-1'));
  });

  describe('a copy left for the interface', () => {
    const outbound = rule({ ruleId: 'sgr-out', isEgress: true, protocol: '-1', fromPort: -1, toPort: -1 });
    const input = facts([rule({ ruleId: 'sgr-ssh' }), https('sg-1', 'sgr-https'), outbound], {
      groups: [{ groupId: 'sg-1', groupName: 'web' }],
    });
    const plan = (copy: OwnGroup) =>
      planResponse(evaluate(input, policy, NOW), policy, planInputs(input, { 'sg-1': 3 }, { ownCopies: new Map([['sg-1', copy]]) }))
        .actions[0];

    it('is adopted instead of created again: its rules made right, tagged with this remediation, swapped in', () => {
      const action = plan(leftover());
      expect(action?.calls.map(describeCall)).toEqual([
        'AuthorizeSecurityGroupIngress GroupId=sg-copy IpPermissions={"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}',
        'CreateTags Resources=sg-copy Tags={"Key":"eni-guard:ledger","Value":"evt-1/eni-0aaaaaaaaaaaaaaaa"},{"Key":"eni-guard:adopted-from","Value":"evt-0/eni-0aaaaaaaaaaaaaaaa"}',
        `ModifyNetworkInterfaceAttribute NetworkInterfaceId=${ENI} Groups=sg-copy`,
      ]);
      expect(action?.recovered?.map((c) => [c.operation, c.input['GroupId'], c.outcome])).toEqual([
        ['CreateSecurityGroup', 'sg-copy', 'recovered'],
      ]);
      expect(action?.undo.map(describeCall)).toEqual([
        `ModifyNetworkInterfaceAttribute NetworkInterfaceId=${ENI} Groups=sg-1`,
        'DeleteSecurityGroup GroupId=sg-copy',
      ]);
      expect(action?.summary).toContain('adopting sg-copy');
    });

    it('is not adopted when an interface uses it or it is in another VPC: a new copy, under another name', () => {
      for (const copy of [leftover({ users: 1 }), leftover({ vpcId: 'vpc-other' })]) {
        expect(plan(copy)?.calls[0]).toMatchObject({
          operation: 'CreateSecurityGroup',
          input: { GroupName: expect.stringMatching(/-sg-1-[0-9a-f]{8}$/) },
        });
      }
    });
  });
});
