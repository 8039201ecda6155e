/**
 * The responder gathers only the optional facts the enabled rules declare (`Rule.requires`): a rule
 * that reads a fact it does not declare would, in production, see it missing and fail closed.
 */
import { evaluate, requiredFacts } from '../../../../lambda/core/evaluate';
import type { FactKind, InterfaceFacts } from '../../../../lambda/core/model';
import { parsePolicy } from '../../../../lambda/core/policy';
import { RULES } from '../../../../lambda/core/rules/index';
import { facts, instance, NOW, rule, subnetNetwork } from '../../../support/fixtures';

const KINDS: readonly FactKind[] = ['prefixLists', 'subnetNetwork', 'flowLogs', 'instance', 'callerInstance'];

/** An interface every rule has something to say about, with every optional fact gathered. */
const everything: InterfaceFacts = facts(
  [rule({ cidrIpv4: undefined, prefixListId: 'pl-1' }), rule({ fromPort: 23, toPort: 23 })],
  {
    attachedInstanceId: 'i-0123456789abcdef0',
    sourceDestCheck: false,
    elasticIp: { allocationId: 'eipalloc-1', associationId: 'eipassoc-1' },
  },
  {
    prefixLists: { status: 'ok', value: new Map([['pl-1', ['0.0.0.0/0']]]) },
    subnetNetwork: { status: 'ok', value: subnetNetwork({ igwRouteIpv4: false }) },
    flowLogs: { status: 'ok', value: { active: [] } },
    instance: {
      status: 'ok',
      value: instance({
        tags: {},
        imageCreationDate: '2020-01-01T00:00:00.000Z',
        volumes: [{ volumeId: 'vol-1', encrypted: false }],
        encryptionInTransitSupported: false,
      }),
    },
  },
);

/** The facts as the responder would gather them for `kinds`: the others left out. */
function gathered(kinds: ReadonlySet<FactKind>): InterfaceFacts {
  const copy: Record<string, unknown> = { ...everything };
  for (const kind of KINDS) if (!kinds.has(kind)) delete copy[kind];
  return copy as unknown as InterfaceFacts;
}

/** Settings that give the rules with nothing to check by default something to check. */
const SETTINGS: Record<string, Record<string, unknown>> = {
  'required-tags': { tags: [{ key: 'owner' }] },
  'network-placement': { allowedVpcs: ['vpc-2'] },
  caller: { allowedPrincipals: ['arn:aws:iam::*:role/Deploy'] },
};

/** A policy with only `ruleId` on. */
const only = (ruleId: string, settings: Record<string, unknown> | undefined = {}) =>
  parsePolicy({
    version: 1,
    rules: Object.fromEntries(RULES.map((r) => [r.id, r.id === ruleId ? { mode: 'notify', ...settings } : { mode: 'off' }])),
  });

describe('the facts a rule declares', () => {
  it.each(RULES.map((r) => [r.id]))('are all %s needs to decide as it would with every fact', (ruleId) => {
    const policy = only(ruleId, SETTINGS[ruleId]);
    const full = evaluate(everything, policy, NOW);
    // The interface is one this rule has findings about, so the facts it reads matter.
    expect(full.findings.map((f) => f.ruleId)).toContain(ruleId);
    expect(full.errors).toEqual([]);
    expect(evaluate(gathered(requiredFacts(policy)), policy, NOW)).toEqual(full);
  });

  it('include nothing for a rule that is off', () => {
    expect([...requiredFacts(only('caller'))]).toEqual([]);
  });

  it('include the instance behind the caller’s credentials only when the caller rule may isolate it', () => {
    const caller = (mode: string, isolateInstance: boolean) =>
      requiredFacts(parsePolicy({ version: 1, rules: { caller: { mode, isolateInstance } } })).has('callerInstance');
    expect(caller('remediate', true)).toBe(true);
    expect(caller('remediate', false)).toBe(false);
    expect(caller('notify', true)).toBe(false);
  });
});
