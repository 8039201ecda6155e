import fc from 'fast-check';
import { intervalSet, type IntervalSet, sizeOf, union } from '../../../lambda/core/cidr';
import { grantsOf, judgeUnions, serviceOf, SmallUnion, type Union, UnionMeasure } from '../../../lambda/core/ingress';
import { facts, rule } from '../../support/fixtures';
import { propertyRuns } from '../../support/property-runs';

/** A judge that calls every non-empty union "seen", or "world" when it is the whole internet, and skips nothing. */
const everything = {
  skip: () => [],
  classify: (u: Union) => (u.worldOpen ? ('world' as const) : ('seen' as const)),
};

describe('serviceOf', () => {
  it.each([
    ['6', 'tcp'],
    ['TCP', 'tcp'],
    ['006', 'tcp'],
    ['17', 'udp'],
    ['-1', 'all'],
    ['1', 'icmp'],
    ['58', 'icmpv6'],
    ['icmpv6', 'icmpv6'],
    ['47', '47'],
  ])('reads protocol %s as %s', (protocol, service) => {
    expect(serviceOf(protocol)).toBe(service);
  });
});

describe('grantsOf', () => {
  it('keeps only sources that touch the internet, per family, and skips egress and referenced groups', () => {
    const gaps: string[] = [];
    const grants = grantsOf(
      facts(
        [
          rule({ ruleId: 'private', cidrIpv4: '10.0.0.0/8' }),
          rule({ ruleId: 'group', cidrIpv4: undefined, referencedGroupId: 'sg-x' }),
          rule({ ruleId: 'egress', isEgress: true }),
          rule({ ruleId: 'list', cidrIpv4: undefined, prefixListId: 'pl-1' }),
        ],
        {},
        { prefixLists: { status: 'ok', value: new Map([['pl-1', ['10.0.0.0/8', '8.8.8.0/24', '2001:4860::/32', 'fc00::/7']]]) } },
      ),
      gaps,
    );
    expect(gaps).toEqual([]);
    expect(grants.map((g) => [g.rule.ruleId, g.family, g.sources.map((c) => c.text)])).toEqual([
      ['list', 'ipv4', ['8.8.8.0/24']],
      ['list', 'ipv6', ['2001:4860::/32']],
    ]);
  });

  it('describes what it could not read', () => {
    const gaps: string[] = [];
    grantsOf(
      facts([rule({ ruleId: 'bad', cidrIpv4: '1.2.3.4/40' }), rule({ ruleId: 'listed', cidrIpv4: undefined, prefixListId: 'pl-9' })]),
      gaps,
    );
    expect(gaps).toEqual([
      'rule bad: invalid CIDR "1.2.3.4/40": prefix length 40 exceeds 32',
      'prefix list pl-9 (rule listed) could not be resolved: not gathered',
    ]);
  });

  it('reads TCP and UDP port ranges, and all ports for other protocols or -1', () => {
    const grants = grantsOf(
      facts([
        rule({ fromPort: 30, toPort: 20 }),
        rule({ fromPort: -1, toPort: -1 }),
        rule({ protocol: 'icmp', fromPort: 8, toPort: 0 }),
        rule({ fromPort: 22, toPort: undefined }),
      ]),
      [],
    );
    expect(grants.map((g) => [g.from, g.to])).toEqual([
      [20, 30],
      [0, 65535],
      [0, 65535],
      [22, 22],
    ]);
  });
});

describe('judgeUnions', () => {
  it('merges adjacent ports with the same verdict and names every grant that overlaps the stretch', () => {
    const low = rule({ ruleId: 'low', fromPort: 10, toPort: 20, cidrIpv4: '0.0.0.0/1' });
    const high = rule({ ruleId: 'high', fromPort: 15, toPort: 30, cidrIpv4: '128.0.0.0/1' });
    const judged = judgeUnions(grantsOf(facts([low, high]), []), everything);
    expect(judged.map((j) => [j.service, j.from, j.to, j.verdict, j.grants.map((g) => g.rule.ruleId)])).toEqual([
      ['tcp', 10, 14, 'seen', ['low']],
      ['tcp', 15, 20, 'world', ['low', 'high']],
      ['tcp', 21, 30, 'seen', ['high']],
    ]);
  });

  it('judges all-traffic rules once, as "all", where no rule for the protocol itself applies', () => {
    const all = rule({ ruleId: 'all', protocol: '-1', cidrIpv4: '0.0.0.0/0' });
    const ssh = rule({ ruleId: 'ssh', cidrIpv4: '8.8.8.0/24' });
    const judged = judgeUnions(grantsOf(facts([all, ssh]), []), everything);
    expect(judged.map((j) => [j.service, j.from, j.to, j.verdict, j.grants.map((g) => g.rule.ruleId)])).toEqual([
      ['all', 0, 65535, 'world', ['all']],
      ['tcp', 22, 22, 'world', ['all', 'ssh']],
    ]);
  });

  it('skips the ports the judge skips', () => {
    const judged = judgeUnions(grantsOf(facts([rule({ fromPort: 440, toPort: 450 })]), []), {
      ...everything,
      skip: () => [[443n, 443n]],
    });
    expect(judged.map((j) => [j.from, j.to])).toEqual([
      [440, 442],
      [444, 450],
    ]);
  });
});

describe('union trackers (property)', () => {
  it('keep the measure of the union of the sets present, the segment tree exactly as the direct one', () => {
    const set = fc
      .array(fc.tuple(fc.bigInt({ min: 0n, max: 200n }), fc.bigInt({ min: 0n, max: 40n })), { minLength: 1, maxLength: 4 })
      .map((pairs): IntervalSet => intervalSet(pairs.map(([lo, length]) => [lo, lo + length] as const)));
    const scenario = fc
      .array(set, { minLength: 1, maxLength: 30 })
      .chain((sets) => fc.tuple(fc.constant(sets), fc.array(fc.tuple(fc.nat({ max: sets.length - 1 }), fc.boolean()), { maxLength: 60 })));
    fc.assert(
      fc.property(scenario, ([sets, steps]) => {
        const tree = new UnionMeasure(sets);
        const small = new SmallUnion();
        const present = new Map<number, number>();
        for (const [i, add] of steps) {
          const count = present.get(i) ?? 0;
          if (!add && count === 0) continue;
          present.set(i, count + (add ? 1 : -1));
          tree.add(sets[i]!, add ? 1 : -1);
          small.add(sets[i]!, add ? 1 : -1);
          const expected = sizeOf(union(...[...present].filter(([, n]) => n > 0).map(([k]) => sets[k]!)));
          expect([tree.measure(), small.measure()]).toEqual([expected, expected]);
        }
      }),
      { numRuns: propertyRuns(300) },
    );
  });
});

describe('ingress, pinned behaviour', () => {
  const bounds = { skip: () => [], classify: (u: Union) => `${u.from}-${u.to}` };

  it('a protocol that only starts with digits is kept as written', () => {
    expect(serviceOf('6x')).toBe('6x');
  });

  it('describes a prefix list missing from the resolved ones, and a bad IPv6 CIDR by its rule', () => {
    const gaps: string[] = [];
    grantsOf(
      facts(
        [
          rule({ ruleId: 'r1', cidrIpv4: undefined, prefixListId: 'pl-2' }),
          rule({ ruleId: 'r6', cidrIpv4: undefined, cidrIpv6: 'zz::/200' }),
        ],
        {},
        {
          prefixLists: { status: 'ok', value: new Map() },
        },
      ),
      gaps,
    );
    expect(gaps[0]).toBe('prefix list pl-2 (rule r1) is missing from the resolved prefix lists');
    expect(gaps[1]?.startsWith('rule r6: invalid CIDR')).toBe(true);
  });

  it('a to-port of -1 means just the from-port; a to-port of 0 below it is a reversed range', () => {
    const grants = grantsOf(facts([rule({ fromPort: 22, toPort: -1 }), rule({ fromPort: 22, toPort: 0 })]), []);
    expect(grants.map((g) => [g.from, g.to])).toEqual([
      [22, 22],
      [0, 22],
    ]);
  });

  it('judges all-traffic rules first even when a protocol rule comes first', () => {
    const judged = judgeUnions(grantsOf(facts([rule({ ruleId: 'ssh' }), rule({ ruleId: 'all', protocol: '-1' })]), []), everything);
    expect(judged.map((j) => [j.service, j.from, j.to])).toEqual([
      ['all', 0, 65535],
      ['tcp', 22, 22],
    ]);
  });

  it('a rule up to port 65535 is one stretch', () => {
    const judged = judgeUnions(grantsOf(facts([rule({ fromPort: 65000, toPort: 65535 })]), []), bounds);
    expect(judged.map((j) => j.verdict)).toEqual(['65000-65535']);
  });

  it('an all-traffic rule with a skipped port is judged around it', () => {
    const judged = judgeUnions(grantsOf(facts([rule({ protocol: '-1' })]), []), { ...everything, skip: () => [[443n, 443n]] });
    expect(judged.map((j) => [j.from, j.to])).toEqual([
      [0, 442],
      [444, 65535],
    ]);
  });

  it('overlapping world-open rules merge into one stretch', () => {
    const judged = judgeUnions(grantsOf(facts([rule({ fromPort: 10, toPort: 20 }), rule({ fromPort: 15, toPort: 30 })]), []), everything);
    expect(judged.map((j) => [j.from, j.to, j.verdict])).toEqual([[10, 30, 'world']]);
  });
});
