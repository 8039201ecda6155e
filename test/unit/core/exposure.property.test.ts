/**
 * Property: for random rule sets (both families, non-canonical spellings, protocols by name and
 * number, port ranges, several groups, managed prefix lists), the rules world-open-ingress asks to
 * revoke are exactly those a brute-force oracle finds: for every protocol and elementary port
 * segment, the union of the applicable sources covers the internet (checked on exact sample
 * addresses: the edges of every range and of every excluded block), and the rule's source touches
 * the internet. The oracle uses its own numbers (test/support/ip-oracle.ts), never lambda/core/cidr.ts.
 */
import fc from 'fast-check';
import type { Finding, SecurityGroupRule } from '../../../lambda/core/model';
import type { PortRange } from '../../../lambda/core/rule';
import { worldOpenIngress } from '../../../lambda/core/rules/world-open-ingress';
import { facts, run } from '../../support/fixtures';
import {
  BITS,
  type Family,
  internetPieces,
  lastOf,
  NOT_INTERNET,
  numeric,
  type NumericCidr,
  rangeTouchesInternet,
  unionCoversInternet,
  v4Text,
  v6Groups,
  v6Text,
} from '../../support/ip-oracle';
import { propertyRuns } from '../../support/property-runs';

const GROUPS = ['sg-a', 'sg-b', 'sg-c'] as const;
const PORTS = [0, 20, 21, 22, 23, 79, 80, 442, 443, 444, 1000, 8080, 65535] as const;
/** Protocol spellings → what they mean to the oracle. */
const PROTOCOLS: Readonly<Record<string, string>> = {
  tcp: 'tcp',
  '6': 'tcp',
  TCP: 'tcp',
  udp: 'udp',
  '17': 'udp',
  '-1': 'all',
  icmp: 'icmp',
  '1': 'icmp',
  '47': '47',
};

/** One source as the generator knows it (numbers) and as the rule spells it (text). */
interface Source {
  readonly cidr: NumericCidr;
  readonly text: string;
}

const pieces: Record<Family, NumericCidr[]> = { ipv4: internetPieces('ipv4').map(numeric), ipv6: internetPieces('ipv6').map(numeric) };
const special: Record<Family, NumericCidr[]> = { ipv4: NOT_INTERNET.ipv4.map(numeric), ipv6: NOT_INTERNET.ipv6.map(numeric) };

/** A CIDR of the family: a block of a coarse partition, an internet piece, an excluded block, or anything. */
const cidrOf = (family: Family): fc.Arbitrary<NumericCidr> => {
  const bits = BITS[family];
  const block = fc
    .integer({ min: 1, max: 3 })
    .chain((k) => fc.integer({ min: 0, max: 2 ** k - 1 }).map((j) => ({ family, first: BigInt(j) << BigInt(bits - k), prefix: k })));
  const anything = fc
    .tuple(
      fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }),
      fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: bits })),
    )
    .map(([address, prefix]) => {
      const host = BigInt(bits - prefix);
      return { family, first: (address >> host) << host, prefix };
    });
  return fc.oneof(
    { arbitrary: block, weight: 4 },
    { arbitrary: fc.constantFrom(...pieces[family]), weight: 2 },
    { arbitrary: fc.constantFrom(...special[family]), weight: 2 },
    { arbitrary: anything, weight: 2 },
  );
};

/** Spells a CIDR the way EC2 never returns it but an attacker (or moto) might: host bits, case, padding, dotted tails. */
const spell = (cidr: NumericCidr): fc.Arbitrary<string> => {
  const bits = BITS[cidr.family];
  const hostMax = (1n << BigInt(bits - cidr.prefix)) - 1n;
  return fc.tuple(fc.bigInt({ min: 0n, max: hostMax }), fc.integer({ min: 0, max: 4 })).map(([host, style]) => {
    const address = cidr.first | host;
    if (cidr.family === 'ipv4') return `${v4Text(address)}/${cidr.prefix}`;
    const groups = v6Groups(address);
    const text = [
      v6Text(address),
      v6Text(address).toUpperCase(),
      groups.join(':'),
      groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':'),
      `${groups.slice(0, 6).join(':')}:${v4Text(address & 0xffffffffn)}`,
    ][style]!;
    return `${text}/${cidr.prefix}`;
  });
};

const sourceOf = (family: Family): fc.Arbitrary<Source> => cidrOf(family).chain((cidr) => spell(cidr).map((text) => ({ cidr, text })));

/** A generated ingress rule with the oracle's view of it. */
interface Generated {
  readonly rule: SecurityGroupRule;
  readonly family: Family;
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  readonly sources: readonly Source[];
  readonly prefixList?: { readonly id: string; readonly entries: readonly string[] };
}

const generated = (index: number): fc.Arbitrary<Generated> =>
  fc
    .record({
      groupId: fc.constantFrom(...GROUPS),
      family: fc.constantFrom<Family>('ipv4', 'ipv4', 'ipv6'),
      protocol: fc.constantFrom(...Object.keys(PROTOCOLS)),
      ports: fc.oneof(fc.constant<[number, number] | undefined>(undefined), fc.tuple(fc.constantFrom(...PORTS), fc.constantFrom(...PORTS))),
      viaPrefixList: fc.boolean().map((b) => b && index % 3 === 0),
    })
    .chain(({ groupId, family, protocol, ports, viaPrefixList }) =>
      fc.array(sourceOf(family), { minLength: 1, maxLength: viaPrefixList ? 4 : 1 }).map((sources): Generated => {
        const meaning = PROTOCOLS[protocol]!;
        const ported = meaning === 'tcp' || meaning === 'udp';
        const [lo, hi] = ported && ports ? [Math.min(...ports), Math.max(...ports)] : [0, 65535];
        const portFields = ported && ports ? { fromPort: lo, toPort: hi } : { fromPort: -1, toPort: -1 };
        const ruleId = `sgr-${String(index).padStart(4, '0')}`;
        const base = { ruleId, groupId, isEgress: false, protocol, ...portFields };
        if (viaPrefixList) {
          const id = `pl-${index}`;
          return {
            rule: { ...base, prefixListId: id },
            family,
            protocol: meaning,
            from: lo,
            to: hi,
            sources,
            prefixList: { id, entries: sources.map((s) => s.text) },
          };
        }
        const text = sources[0]!.text;
        return {
          rule: { ...base, ...(family === 'ipv4' ? { cidrIpv4: text } : { cidrIpv6: text }) },
          family,
          protocol: meaning,
          from: lo,
          to: hi,
          sources,
        };
      }),
    );

const ruleSet = fc.integer({ min: 1, max: 10 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => generated(i))));
const settings = fc.record({
  allowPublicIcmp: fc.boolean(),
  allowedPublicPorts: fc.constantFrom<PortRange[]>(
    [{ protocol: 'tcp', from: 443 }],
    [],
    [
      { protocol: 'tcp', from: 20, to: 23 },
      { protocol: 'udp', from: 0, to: 1000 },
    ],
  ),
});

/** One verdict of the oracle: is the union on this protocol and port the whole internet? */
interface PortVerdict {
  readonly family: Family;
  readonly service: string;
  readonly port: number;
  readonly worldOpen: boolean;
}

/**
 * The oracle, by brute force over protocols and elementary port segments: every rule id that must
 * be revoked, and the world-open verdict at the first port of every segment that is judged.
 */
function oracle(rules: readonly Generated[], config: { allowPublicIcmp: boolean; allowedPublicPorts: PortRange[] }) {
  const flagged = new Set<string>();
  const verdicts: PortVerdict[] = [];
  const ranges = (g: Generated) => g.sources.map((s) => [s.cidr.first, lastOf(s.cidr)] as const);
  const touches = (g: Generated) => ranges(g).some(([lo, hi]) => rangeTouchesInternet(g.family, lo, hi));
  const judge = (family: Family, service: string, port: number, active: readonly Generated[]) => {
    const worldOpen = active.length > 0 && unionCoversInternet(family, active.flatMap(ranges));
    verdicts.push({ family, service, port, worldOpen });
    if (worldOpen) for (const g of active.filter(touches)) flagged.add(g.rule.ruleId);
  };
  for (const family of ['ipv4', 'ipv6'] as const) {
    const mine = rules.filter((g) => g.family === family);
    for (const service of ['tcp', 'udp'] as const) {
      const applicable = mine.filter((g) => g.protocol === service || g.protocol === 'all');
      const allowed = config.allowedPublicPorts.filter((p) => p.protocol === service).map((p) => [p.from, p.to ?? p.from] as const);
      const cuts = [
        ...new Set([0, 65536, ...applicable.flatMap((g) => [g.from, g.to + 1]), ...allowed.flatMap(([a, b]) => [a, b + 1])]),
      ].sort((a, b) => a - b);
      for (const port of cuts.slice(0, -1)) {
        if (allowed.some(([a, b]) => port >= a && port <= b)) continue;
        judge(
          family,
          service,
          port,
          applicable.filter((g) => g.from <= port && g.to >= port),
        );
      }
    }
    if (!config.allowPublicIcmp)
      judge(
        family,
        'icmp',
        0,
        mine.filter((g) => g.protocol === 'icmp' || g.protocol === 'all'),
      );
    judge(
      family,
      '47',
      0,
      mine.filter((g) => g.protocol === '47' || g.protocol === 'all'),
    );
    judge(
      family,
      'all',
      0,
      mine.filter((g) => g.protocol === 'all'),
    );
  }
  return { revoked: [...flagged].sort(), verdicts };
}

/** True when a world-open exposure in the findings covers this protocol and port (all traffic covers every one). */
function reportedWorldOpen(findings: readonly Finding[], { family, service, port }: PortVerdict): boolean {
  const exposures = findings
    .filter((f) => f.remediation)
    .flatMap((f) => f.evidence['exposures'] as { family: string; protocol: string; ports: string }[]);
  return exposures.some((e) => {
    if (e.family !== family) return false;
    if (e.protocol === 'all') return true;
    if (e.protocol !== service) return false;
    if (e.ports === 'all') return true;
    const [from, to = from] = e.ports.split('-').map(Number) as [number, number?];
    return port >= from && port <= to;
  });
}

describe('world-open-ingress against a brute-force oracle', () => {
  it('says world-open exactly where the union covers the internet, and revokes exactly the rules that contribute', () => {
    fc.assert(
      fc.property(ruleSet, settings, (rules, config) => {
        const lists = new Map(rules.flatMap((g) => (g.prefixList ? [[g.prefixList.id, [...g.prefixList.entries]] as const] : [])));
        const input = facts(
          rules.map((g) => g.rule),
          { groups: GROUPS.map((groupId) => ({ groupId })) },
          { prefixLists: { status: 'ok', value: lists } },
        );
        const verdict = run(worldOpenIngress, input, config);
        const findings: readonly Finding[] = verdict.status === 'non-compliant' ? verdict.findings : [];
        expect(verdict.status === 'non-compliant' ? verdict.incomplete : undefined).toBeUndefined();
        const revoked = findings.flatMap((f) => (f.remediation?.kind === 'close-ingress' ? f.remediation.securityGroupRuleIds : [])).sort();
        const expected = oracle(rules, config);
        expect(revoked).toEqual(expected.revoked);
        // The verdict per protocol and port, as the findings' exposures state it.
        for (const verdict of expected.verdicts)
          expect([verdict, reportedWorldOpen(findings, verdict)]).toEqual([verdict, verdict.worldOpen]);
        // Each fix stays inside its own group, and notify-only findings propose none.
        for (const f of findings) {
          const fix = f.remediation;
          if (fix?.kind === 'close-ingress') {
            const own = new Set(rules.filter((g) => g.rule.groupId === fix.groupId).map((g) => g.rule.ruleId));
            expect(fix.securityGroupRuleIds.every((id) => own.has(id))).toBe(true);
          } else {
            expect(f.evidence['exposure']).toBe('broad');
            expect(f.remediation).toBeUndefined();
          }
        }
      }),
      { numRuns: propertyRuns(300) },
    );
  });
});
