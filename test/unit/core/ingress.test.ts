import fc from 'fast-check';
import { intervalSet, type IntervalSet, sizeOf, union } from '../../../lambda/core/cidr';
import { grantsOf, judgeUnions, serviceOf, SmallUnion, type Union, UnionMeasure } from '../../../lambda/core/ingress';
import { facts, rule } from '../../support/fixtures';

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
      { numRuns: 300 },
    );
  });
});
