import { actionTarget, describeAction, ipPermissionOf, isRef, resolveRefs, type Action, type Check } from '../../../lambda/core/actions';
import { rule } from '../../support/fixtures';

const action = (kind: Action['kind'], checks: Check[]): Action => ({
  kind,
  ruleIds: ['r'],
  summary: 's',
  calls: [{ service: 'ec2', operation: 'CreateTags', input: { Resources: ['eni-1'], Tags: [{ Key: 'k', Value: 'v' }] } }],
  compensation: [],
  checks,
  undo: [],
});

describe('actionTarget: what an action is about, to tell two attempts’ fixes apart', () => {
  it.each<[string, Check, string]>([
    ['a group’s rules', { kind: 'rules-absent', groupId: 'sg-1', securityGroupRuleIds: ['sgr-1'], rules: [] }, 'sg-1'],
    ['a VPC’s flow log', { kind: 'flow-log-active', vpcId: 'vpc-1' }, 'vpc-1'],
    ['a resource’s tags', { kind: 'tags', resourceId: 'i-1', tags: { k: 'v' } }, 'i-1'],
    ['a role’s policy', { kind: 'role-policy', roleName: 'app', policyName: 'p' }, 'app'],
    ['an access key', { kind: 'access-key-inactive', userName: 'alice', accessKeyId: 'AKIA1' }, 'AKIA1'],
    ['an interface’s groups', { kind: 'interface-groups', networkInterfaceId: 'eni-1', groupIds: ['sg-2'] }, 'eni-1'],
    ['an address', { kind: 'address-detached', networkInterfaceId: 'eni-1', allocationId: 'eipalloc-1' }, 'eni-1'],
    ['the source/dest check', { kind: 'source-dest-check', networkInterfaceId: 'eni-1', enabled: true }, 'eni-1'],
    ['a deletion', { kind: 'interface-deleted', networkInterfaceId: 'eni-1' }, 'eni-1'],
    ['a quarantine group (not a target: the move’s is the interface)', { kind: 'group-empty', groupId: 'sg-q' }, ''],
  ])('%s', (_name, check, resource) => {
    expect(actionTarget(action('tag-interface', [check]))).toBe(`tag-interface:${resource}`);
  });

  it('names each resource once, sorted, whatever order the checks read them in', () => {
    const checks: Check[] = [
      { kind: 'rules-absent', groupId: 'sg-2', securityGroupRuleIds: [], rules: [] },
      { kind: 'group-empty', groupId: { $ref: 'quarantine-group' } },
      { kind: 'rules-absent', groupId: 'sg-1', securityGroupRuleIds: [], rules: [] },
      { kind: 'rules-absent', groupId: 'sg-2', securityGroupRuleIds: [], rules: [] },
    ];
    expect(actionTarget(action('revoke-ingress', checks))).toBe('revoke-ingress:sg-1,sg-2');
    expect(actionTarget(action('revoke-ingress', [...checks].reverse()))).toBe('revoke-ingress:sg-1,sg-2');
    // Another kind on the same resources is another fix.
    expect(actionTarget(action('replace-groups', checks))).toBe('replace-groups:sg-1,sg-2');
  });
});

describe('refs: ids created on the way', () => {
  it('are objects with a string $ref, nothing else', () => {
    expect(isRef({ $ref: 'copy' })).toBe(true);
    expect(isRef({ $ref: 1 })).toBe(false);
    expect(isRef(null)).toBe(false);
    expect(isRef('copy')).toBe(false);
  });

  it('resolve everywhere in a call’s input, and a missing one is named', () => {
    const input = {
      GroupId: { $ref: 'copy' },
      Groups: [{ $ref: 'copy' }, 'sg-2'],
      Nested: { Deep: [{ Id: { $ref: 'q' } }] },
      N: 3,
      B: false,
    };
    expect(resolveRefs(input, { copy: 'sg-9', q: 'sg-q' })).toEqual({
      GroupId: 'sg-9',
      Groups: ['sg-9', 'sg-2'],
      Nested: { Deep: [{ Id: 'sg-q' }] },
      N: 3,
      B: false,
    });
    expect(() => resolveRefs(input, { copy: 'sg-9' })).toThrow('no output named q (an earlier call did not run)');
    expect(resolveRefs(null, {})).toBeNull();
  });

  it('show as <name> when a call is described', () => {
    const described = action('replace-groups', []);
    const withRef: Action = {
      ...described,
      calls: [
        {
          service: 'ec2',
          operation: 'ModifyNetworkInterfaceAttribute',
          input: { NetworkInterfaceId: 'eni-1', Groups: [{ $ref: 'copy' }, 'sg-2'] },
        },
        {
          service: 'ec2',
          operation: 'AuthorizeSecurityGroupIngress',
          input: { GroupId: { $ref: 'copy' }, IpPermissions: [{ G: { $ref: 'copy' } }] },
        },
      ],
    };
    expect(describeAction(withRef)).toBe(
      'replace-groups: ModifyNetworkInterfaceAttribute NetworkInterfaceId=eni-1 Groups=<copy>,sg-2; AuthorizeSecurityGroupIngress GroupId=<copy> IpPermissions={"G":"<copy>"}',
    );
  });
});

describe('ipPermissionOf: a rule as Authorize/Revoke take it', () => {
  it.each<[string, Parameters<typeof rule>[0], Record<string, unknown>]>([
    [
      'an IPv4 rule with its description',
      { description: 'admin' },
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'admin' }] },
    ],
    [
      'an IPv6 rule',
      { cidrIpv4: undefined, cidrIpv6: '::/0' },
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
    ],
    [
      'a prefix-list rule with its description',
      { cidrIpv4: undefined, prefixListId: 'pl-1', description: 'd' },
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, PrefixListIds: [{ PrefixListId: 'pl-1', Description: 'd' }] },
    ],
    [
      'a rule referencing a group',
      { cidrIpv4: undefined, referencedGroupId: 'sg-9' },
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, UserIdGroupPairs: [{ GroupId: 'sg-9' }] },
    ],
    ['all traffic: no ports', { protocol: '-1', fromPort: -1, toPort: -1 }, { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    [
      'a rule without ports',
      { protocol: '50', fromPort: undefined, toPort: undefined },
      { IpProtocol: '50', IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    ],
  ])('%s', (_name, overrides, expected) => {
    expect(ipPermissionOf(rule(overrides))).toEqual(expected);
  });
});
