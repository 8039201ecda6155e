/**
 * Verification (lambda/core/verify.ts): after acting, what the responder re-read either shows the
 * promised change or the fix is NOT verified, and the detail says what was found instead. What could
 * not be re-read is never taken for a fix.
 */
import type { Check } from '../../../lambda/core/actions';
import type { NetworkInterface, SecurityGroupRule } from '../../../lambda/core/model';
import { verifyAll, verifyCheck, type AfterState } from '../../../lambda/core/verify';
import { networkInterface, rule } from '../../support/fixtures';

const ENI = 'eni-0aaaaaaaaaaaaaaaa';

/** A re-read state: nothing was read unless given. */
function state(read: Partial<{ [K in keyof AfterState]: AfterState[K] }> = {}): AfterState {
  return {
    interfaces: new Map(),
    groupRules: new Map(),
    flowLogs: new Map(),
    tags: new Map(),
    rolePolicies: new Map(),
    accessKeys: new Map(),
    ...read,
  };
}
const withInterface = (ni: NetworkInterface | null) => state({ interfaces: new Map([[ENI, ni]]) });
const withRules = (groupId: string, rules: readonly SecurityGroupRule[]) => state({ groupRules: new Map([[groupId, rules]]) });
const verify = (check: Check, after: AfterState, outputs: Record<string, string> = {}) => verifyCheck(check, outputs, after);

describe('rules-absent: the revoked world-open rules are gone', () => {
  const ssh = rule({ ruleId: 'sgr-ssh', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' });
  const check: Check = {
    kind: 'rules-absent',
    groupId: 'sg-1',
    securityGroupRuleIds: ['sgr-ssh'],
    rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' }],
  };

  it('is verified when neither the rule nor one like it is left', () => {
    const https = rule({ ruleId: 'sgr-https', fromPort: 443, toPort: 443 });
    expect(verify(check, withRules('sg-1', [https]))).toEqual({ ok: true, detail: 're-read sg-1: rules gone' });
    expect(verify(check, withRules('sg-1', []))).toEqual({ ok: true, detail: 're-read sg-1: rules gone' });
  });

  it('is not verified while a revoked rule is still present', () => {
    expect(verify(check, withRules('sg-1', [ssh]))).toEqual({ ok: false, detail: 're-read sg-1: still present sgr-ssh' });
  });

  it('is not verified when the same rule was added again under a new id', () => {
    const again = rule({ ruleId: 'sgr-again', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' });
    expect(verify(check, withRules('sg-1', [again]))).toEqual({ ok: false, detail: 're-read sg-1: still present sgr-again (re-added)' });
    expect(verify(check, withRules('sg-1', [ssh, again]))).toEqual({
      ok: false,
      detail: 're-read sg-1: still present sgr-ssh,sgr-again (re-added)',
    });
  });

  it('is not verified when the same rule was added again with its CIDR written another way', () => {
    const spelled = rule({ ruleId: 'sgr-again', fromPort: 22, toPort: 22, cidrIpv4: '203.0.113.7/0' });
    expect(verify(check, withRules('sg-1', [spelled]))).toEqual({ ok: false, detail: 're-read sg-1: still present sgr-again (re-added)' });
    const v6: Check = { ...check, rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv6: '::/0' }] };
    const upper = rule({ ruleId: 'sgr-v6', fromPort: 22, toPort: 22, cidrIpv4: undefined, cidrIpv6: '0:0:0:0:0:0:0:0/0' });
    expect(verify(v6, withRules('sg-1', [upper]))).toEqual({ ok: false, detail: 're-read sg-1: still present sgr-v6 (re-added)' });
  });

  it('compares a source that is no CIDR as written', () => {
    const odd: Check = {
      ...check,
      securityGroupRuleIds: [],
      rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: 'not-a-cidr' }],
    };
    expect(verify(odd, withRules('sg-1', [rule({ ruleId: 'sgr-odd', cidrIpv4: 'not-a-cidr' })]))).toEqual({
      ok: false,
      detail: 're-read sg-1: still present sgr-odd (re-added)',
    });
    expect(verify(odd, withRules('sg-1', [rule({ ruleId: 'sgr-other', cidrIpv4: 'also-not-a-cidr' })]))).toEqual({
      ok: true,
      detail: 're-read sg-1: rules gone',
    });
  });

  it('does not take a different rule for a re-added one: another port, protocol, source, or an egress rule', () => {
    const others = [
      rule({ ruleId: 'sgr-port-from', fromPort: 21, toPort: 22 }),
      rule({ ruleId: 'sgr-port-to', fromPort: 22, toPort: 23 }),
      rule({ ruleId: 'sgr-udp', protocol: 'udp' }),
      rule({ ruleId: 'sgr-office', cidrIpv4: '198.51.100.0/24' }),
      rule({ ruleId: 'sgr-v6', cidrIpv4: undefined, cidrIpv6: '::/0' }),
      rule({ ruleId: 'sgr-both', cidrIpv6: '::/0' }),
      rule({ ruleId: 'sgr-list', prefixListId: 'pl-1' }),
      rule({ ruleId: 'sgr-out', isEgress: true }),
    ];
    expect(verify(check, withRules('sg-1', others))).toEqual({ ok: true, detail: 're-read sg-1: rules gone' });
  });

  it('matches a re-added rule on every field of the shape, prefix lists and IPv6 included', () => {
    const shapes: Check = {
      ...check,
      securityGroupRuleIds: [],
      rules: [
        { protocol: '-1', cidrIpv6: '::/0' },
        { protocol: 'tcp', fromPort: 443, toPort: 443, prefixListId: 'pl-world' },
      ],
    };
    const all = rule({ ruleId: 'sgr-all', protocol: '-1', fromPort: undefined, toPort: undefined, cidrIpv4: undefined, cidrIpv6: '::/0' });
    const listed = rule({ ruleId: 'sgr-pl', fromPort: 443, toPort: 443, cidrIpv4: undefined, prefixListId: 'pl-world' });
    const otherList = rule({ ruleId: 'sgr-pl2', fromPort: 443, toPort: 443, cidrIpv4: undefined, prefixListId: 'pl-office' });
    expect(verify(shapes, withRules('sg-1', [all, listed, otherList]))).toEqual({
      ok: false,
      detail: 're-read sg-1: still present sgr-all (re-added),sgr-pl (re-added)',
    });
  });

  it('is not verified when the group could not be re-read', () => {
    expect(verify(check, state())).toEqual({ ok: false, detail: 'could not re-read sg-1' });
    expect(verify(check, withRules('sg-2', []))).toEqual({ ok: false, detail: 'could not re-read sg-1' });
  });
});

describe('interface-groups: the interface has exactly the expected groups', () => {
  const groups = (...ids: string[]) => networkInterface({ groups: ids.map((groupId) => ({ groupId, groupName: groupId })) });
  const check: Check = { kind: 'interface-groups', networkInterfaceId: ENI, groupIds: ['sg-keep', { $ref: 'copy-of-sg-1' }] };
  const outputs = { 'copy-of-sg-1': 'sg-copy' };

  it('is verified with the expected groups in any order, a created group resolved from its output', () => {
    expect(verify(check, withInterface(groups('sg-copy', 'sg-keep')), outputs)).toEqual({
      ok: true,
      detail: `re-read ${ENI}: groups sg-copy,sg-keep`,
    });
  });

  it('is not verified with a group missing, one too many, or another in its place', () => {
    expect(verify(check, withInterface(groups('sg-keep')), outputs)).toEqual({
      ok: false,
      detail: `re-read ${ENI}: groups sg-keep, expected sg-keep,sg-copy`,
    });
    expect(verify(check, withInterface(groups('sg-keep', 'sg-copy', 'sg-1')), outputs)).toEqual({
      ok: false,
      detail: `re-read ${ENI}: groups sg-keep,sg-copy,sg-1, expected sg-keep,sg-copy`,
    });
    expect(verify(check, withInterface(groups('sg-keep', 'sg-1')), outputs)).toEqual({
      ok: false,
      detail: `re-read ${ENI}: groups sg-keep,sg-1, expected sg-keep,sg-copy`,
    });
  });

  it('is not verified when the interface could not be re-read or is gone', () => {
    expect(verify(check, state(), outputs)).toEqual({ ok: false, detail: `could not re-read ${ENI}` });
    expect(verify(check, withInterface(null), outputs)).toEqual({ ok: false, detail: `could not re-read ${ENI}` });
  });
});

describe('address-detached: the Elastic IP is no longer on the interface', () => {
  const check: Check = { kind: 'address-detached', networkInterfaceId: ENI, allocationId: 'eipalloc-1' };

  it('is verified when the interface has no Elastic IP, or another one', () => {
    expect(verify(check, withInterface(networkInterface({ elasticIp: undefined })))).toEqual({
      ok: true,
      detail: `re-read ${ENI}: eipalloc-1 no longer associated`,
    });
    expect(verify(check, withInterface(networkInterface({ elasticIp: { allocationId: 'eipalloc-2' } })))).toEqual({
      ok: true,
      detail: `re-read ${ENI}: eipalloc-1 no longer associated`,
    });
  });

  it('is not verified while the address is still associated, or when the interface could not be re-read', () => {
    expect(verify(check, withInterface(networkInterface({ elasticIp: { allocationId: 'eipalloc-1' } })))).toEqual({
      ok: false,
      detail: `re-read ${ENI}: eipalloc-1 still associated`,
    });
    expect(verify(check, state())).toEqual({ ok: false, detail: `could not re-read ${ENI}` });
  });
});

describe('source-dest-check: the check is as restored', () => {
  it('is verified when it is on (or off) as promised', () => {
    expect(
      verify(
        { kind: 'source-dest-check', networkInterfaceId: ENI, enabled: true },
        withInterface(networkInterface({ sourceDestCheck: true })),
      ),
    ).toEqual({ ok: true, detail: `re-read ${ENI}: source/destination check on` });
    expect(
      verify(
        { kind: 'source-dest-check', networkInterfaceId: ENI, enabled: false },
        withInterface(networkInterface({ sourceDestCheck: false })),
      ),
    ).toEqual({ ok: true, detail: `re-read ${ENI}: source/destination check off` });
  });

  it('is not verified when it differs or is not known, or the interface could not be re-read', () => {
    const check: Check = { kind: 'source-dest-check', networkInterfaceId: ENI, enabled: true };
    expect(verify(check, withInterface(networkInterface({ sourceDestCheck: false })))).toEqual({
      ok: false,
      detail: `re-read ${ENI}: source/destination check is false`,
    });
    expect(verify(check, withInterface(networkInterface({ sourceDestCheck: undefined })))).toEqual({
      ok: false,
      detail: `re-read ${ENI}: source/destination check is undefined`,
    });
    expect(verify(check, state())).toEqual({ ok: false, detail: `could not re-read ${ENI}` });
  });
});

describe('flow-log-active: the VPC has an ACTIVE flow log', () => {
  const check: Check = { kind: 'flow-log-active', vpcId: 'vpc-1' };
  const flowLogs = (...active: { flowLogId: string; resourceId: string }[]) => state({ flowLogs: new Map([['vpc-1', { active }]]) });

  it("is verified by the VPC's own active flow logs", () => {
    expect(verify(check, flowLogs({ flowLogId: 'fl-1', resourceId: 'vpc-1' }, { flowLogId: 'fl-2', resourceId: 'vpc-1' }))).toEqual({
      ok: true,
      detail: 're-read vpc-1: flow log fl-1,fl-2 ACTIVE',
    });
    expect(verify(check, flowLogs({ flowLogId: 'fl-s', resourceId: 'subnet-1' }, { flowLogId: 'fl-1', resourceId: 'vpc-1' }))).toEqual({
      ok: true,
      detail: 're-read vpc-1: flow log fl-1 ACTIVE',
    });
  });

  it("is not verified by none, or by another resource's flow log, or when they could not be re-read", () => {
    expect(verify(check, flowLogs())).toEqual({ ok: false, detail: 're-read vpc-1: no ACTIVE flow log' });
    expect(verify(check, flowLogs({ flowLogId: 'fl-s', resourceId: 'subnet-1' }))).toEqual({
      ok: false,
      detail: 're-read vpc-1: no ACTIVE flow log',
    });
    expect(verify(check, state())).toEqual({ ok: false, detail: 'could not re-read the flow logs of vpc-1' });
  });
});

describe('tags: the promised tags are in place', () => {
  const check: Check = { kind: 'tags', resourceId: 'i-1', tags: { backup: 'daily', owner: 'eni-guard' } };
  const tagged = (tags: Record<string, string>) => state({ tags: new Map([['i-1', tags]]) });

  it('is verified when every promised tag has its value, other tags or not', () => {
    expect(verify(check, tagged({ backup: 'daily', owner: 'eni-guard', team: 'web' }))).toEqual({
      ok: true,
      detail: 're-read i-1: tags present',
    });
  });

  it('is not verified when one is missing or has another value, naming them', () => {
    expect(verify(check, tagged({ backup: 'weekly' }))).toEqual({
      ok: false,
      detail: 're-read i-1: tag(s) backup,owner missing or different',
    });
    expect(verify(check, state())).toEqual({ ok: false, detail: 'could not re-read the tags of i-1' });
  });
});

describe('role-policy: the revocation policy is on the role', () => {
  const check: Check = { kind: 'role-policy', roleName: 'app', policyName: 'eni-guard-revoke-older-sessions' };
  const policies = (present: boolean) => state({ rolePolicies: new Map([['app/eni-guard-revoke-older-sessions', present]]) });

  it('is verified when the policy is there, not when it is missing or could not be re-read', () => {
    expect(verify(check, policies(true))).toEqual({ ok: true, detail: 're-read role app: eni-guard-revoke-older-sessions in place' });
    expect(verify(check, policies(false))).toEqual({ ok: false, detail: 're-read role app: eni-guard-revoke-older-sessions missing' });
    expect(verify(check, state({ rolePolicies: new Map([['app/other', true]]) }))).toEqual({
      ok: false,
      detail: 'could not re-read role app',
    });
  });
});

describe('interface-deleted: the interface no longer exists', () => {
  const check: Check = { kind: 'interface-deleted', networkInterfaceId: ENI };

  it('is verified only when the re-read says it is gone', () => {
    expect(verify(check, withInterface(null))).toEqual({ ok: true, detail: `re-read: ${ENI} no longer exists` });
    expect(verify(check, withInterface(networkInterface({ status: 'available' })))).toEqual({
      ok: false,
      detail: `re-read: ${ENI} still exists (available)`,
    });
    expect(verify(check, withInterface(networkInterface({ status: undefined })))).toEqual({
      ok: false,
      detail: `re-read: ${ENI} still exists (?)`,
    });
    expect(verify(check, state())).toEqual({ ok: false, detail: `could not re-read ${ENI}` });
  });
});

describe('group-empty: the quarantine group has no rule at all', () => {
  const check: Check = { kind: 'group-empty', groupId: { $ref: 'quarantine' } };
  const outputs = { quarantine: 'sg-q' };

  it('is verified for the created group (resolved from its output) with no ingress and no egress', () => {
    expect(verify(check, withRules('sg-q', []), outputs)).toEqual({ ok: true, detail: 're-read sg-q: no ingress, no egress' });
  });

  it('is not verified when anyone opened it, egress included, or it could not be re-read', () => {
    const out = rule({ ruleId: 'sgr-out', groupId: 'sg-q', isEgress: true });
    const inbound = rule({ ruleId: 'sgr-in', groupId: 'sg-q' });
    expect(verify(check, withRules('sg-q', [out, inbound]), outputs)).toEqual({
      ok: false,
      detail: 're-read sg-q: the quarantine group has 2 rule(s): sgr-out,sgr-in',
    });
    expect(verify(check, withRules('sg-other', []), outputs)).toEqual({ ok: false, detail: 'could not re-read sg-q' });
  });
});

describe('access-key-inactive: the long-term key is deactivated', () => {
  const check: Check = { kind: 'access-key-inactive', userName: 'alice', accessKeyId: 'AKIAABCDEFGHIJKLMNOP' };
  const keys = (status: string) => state({ accessKeys: new Map([['AKIAABCDEFGHIJKLMNOP', status]]) });

  it('is verified only when IAM says Inactive', () => {
    expect(verify(check, keys('Inactive'))).toEqual({ ok: true, detail: 're-read AKIAABCDEFGHIJKLMNOP: Inactive' });
    expect(verify(check, keys('Active'))).toEqual({ ok: false, detail: 're-read AKIAABCDEFGHIJKLMNOP: Active' });
    expect(verify(check, state())).toEqual({ ok: false, detail: 'could not re-read access key AKIAABCDEFGHIJKLMNOP' });
  });
});

describe('verifyAll', () => {
  const deleted: Check = { kind: 'interface-deleted', networkInterfaceId: ENI };
  const key: Check = { kind: 'access-key-inactive', userName: 'alice', accessKeyId: 'AKIAABCDEFGHIJKLMNOP' };

  it('verifies an action only when every check holds, and says what each found', () => {
    const after = state({ interfaces: new Map([[ENI, null]]), accessKeys: new Map([['AKIAABCDEFGHIJKLMNOP', 'Inactive']]) });
    expect(verifyAll([deleted, key], {}, after)).toEqual({
      ok: true,
      detail: `re-read: ${ENI} no longer exists; re-read AKIAABCDEFGHIJKLMNOP: Inactive`,
    });
    const half = state({ interfaces: new Map([[ENI, null]]), accessKeys: new Map([['AKIAABCDEFGHIJKLMNOP', 'Active']]) });
    expect(verifyAll([deleted, key], {}, half)).toEqual({
      ok: false,
      detail: `re-read: ${ENI} no longer exists; re-read AKIAABCDEFGHIJKLMNOP: Active`,
    });
  });

  it('verifies an action without checks (nothing to re-read)', () => {
    expect(verifyAll([], {}, state())).toEqual({ ok: true, detail: '' });
  });
});
