/**
 * Ingress exposure as a union (docs/exposure.md). Every ingress rule of every group on the
 * interface is read once into grants — one protocol, one port range, its sources as address
 * intervals, and their internet part — and then, per family and protocol, a sweep over the ports
 * keeps the union of the sources that apply at each port and asks a judge what that union is.
 *
 * Sources are CIDRs and managed prefix lists (resolved to their entries). A rule that references
 * another security group admits only that group's members, by their private addresses: it
 * contributes nothing to internet exposure, and is not read here.
 *
 * The sweep costs O(g log g) for g grants (a segment tree keeps the measure of the union as
 * grants start and end; for a few grants, recomputing the union is cheaper), so a group with
 * hundreds of rules stays cheap.
 */
import type { Cidr, Family, IntervalSet } from './cidr';
import { intervalSet, rangeOf, sizeOf, tryParseCidr, union } from './cidr';
import { INTERNET, internetPart } from './internet';
import type { InterfaceFacts, SecurityGroupRule } from './model';

/** A protocol as exposure judges it: `all` (protocol -1), `tcp`, `udp`, `icmp`, `icmpv6`, or a protocol number. */
export type Service = string;

const SERVICES: Readonly<Record<string, Service>> = { '-1': 'all', all: 'all', '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };
const PORTED: ReadonlySet<Service> = new Set(['tcp', 'udp']);
const LAST_PORT = 65535;

/** The service a security group rule's protocol stands for (names are case-insensitive; numbers are numbers). */
export function serviceOf(protocol: string): Service {
  const name = protocol.toLowerCase();
  const canonical = /^\d+$/.test(name) ? String(Number(name)) : name;
  return SERVICES[canonical] ?? canonical;
}

/** One ingress rule's sources of one family, with the protocol and ports they are admitted on. */
export interface Grant {
  readonly rule: SecurityGroupRule;
  readonly family: Family;
  readonly service: Service;
  /** Ports [from, to]; 0–65535 for protocols without ports. */
  readonly from: number;
  readonly to: number;
  /** The sources that touch the internet, canonical: the rule's CIDR, or its prefix list's entries. */
  readonly sources: readonly Cidr[];
  /** The internet part of those sources; never empty (a grant without one is not exposure). */
  readonly internet: IntervalSet;
}

/**
 * Reads every ingress rule into grants. A source that cannot be read (a malformed CIDR, a prefix
 * list that was not resolved) is left out and described in `gaps`: the rule then reports
 * incomplete evidence and the response fails closed.
 */
export function grantsOf(facts: InterfaceFacts, gaps: string[]): Grant[] {
  const grants: Grant[] = [];
  for (const rule of facts.groupRules) {
    if (rule.isEgress) continue;
    const texts: { text: string; family?: Family; where: string }[] = [];
    if (rule.cidrIpv4 !== undefined) texts.push({ text: rule.cidrIpv4, family: 'ipv4', where: `rule ${rule.ruleId}` });
    if (rule.cidrIpv6 !== undefined) texts.push({ text: rule.cidrIpv6, family: 'ipv6', where: `rule ${rule.ruleId}` });
    if (rule.prefixListId) {
      const where = `prefix list ${rule.prefixListId} (rule ${rule.ruleId})`;
      const lists = facts.prefixLists;
      const entries = lists?.status === 'ok' ? lists.value.get(rule.prefixListId) : undefined;
      if (lists?.status !== 'ok') {
        gaps.push(`${where} could not be resolved: ${lists?.status === 'unavailable' ? lists.reason : 'not gathered'}`);
      } else if (!entries) {
        gaps.push(`${where} is missing from the resolved prefix lists`);
      } else {
        texts.push(...entries.map((text) => ({ text, where })));
      }
    }
    const byFamily: Record<Family, Cidr[]> = { ipv4: [], ipv6: [] };
    for (const { text, family, where } of texts) {
      const cidr = tryParseCidr(text, family);
      if (cidr instanceof Error) gaps.push(`${where}: ${cidr.message}`);
      else byFamily[cidr.family].push(cidr);
    }
    const service = serviceOf(rule.protocol);
    const [from, to] = portsOf(rule, service);
    for (const family of ['ipv4', 'ipv6'] as const) {
      const parts = byFamily[family].map((c) => ({ c, part: internetPart(family, rangeOf(c)) })).filter((p) => p.part.length > 0);
      if (parts.length === 0) continue;
      const internet = union(...parts.map((p) => p.part));
      grants.push({ rule, family, service, from, to, sources: parts.map((p) => p.c), internet });
    }
  }
  return grants;
}

/** The ports a rule opens: TCP and UDP by its range (-1 or absent: all), every other protocol all of them. */
function portsOf(rule: SecurityGroupRule, service: Service): [number, number] {
  if (!PORTED.has(service) || rule.fromPort === undefined || rule.fromPort < 0) return [0, LAST_PORT];
  const a = rule.fromPort;
  const b = rule.toPort === undefined || rule.toPort < 0 ? a : rule.toPort;
  return [Math.max(0, Math.min(a, b)), Math.min(LAST_PORT, Math.max(a, b))];
}

/** What the judge sees of one union: its family and protocol, the ports, how much internet it admits, and whether all. */
export interface Union {
  readonly family: Family;
  readonly service: Service;
  readonly from: number;
  readonly to: number;
  /** How many internet addresses the union admits. */
  readonly internetAddresses: bigint;
  /** True when the union covers the whole internet of the family. */
  readonly worldOpen: boolean;
}

/** The policy side of the sweep: which ports not to judge, and what a union amounts to. */
export interface Judge<V extends string> {
  /** Ports of a protocol that are not judged (allowed publicly); an empty set judges every port. */
  skip(family: Family, service: Service): IntervalSet;
  /** The verdict on a union, or undefined when it is nothing to report. */
  classify(union: Union): V | undefined;
}

/** A stretch of one protocol's ports, in one family, on which every port got the same verdict. */
export interface Judged<V extends string> {
  readonly family: Family;
  readonly service: Service;
  readonly from: number;
  readonly to: number;
  readonly verdict: V;
  /** Every grant on this protocol whose ports overlap the stretch: revoking fewer would leave part of it open. */
  readonly grants: readonly Grant[];
}

/**
 * Judges the union of sources for every protocol and port. Rules for all protocols (-1) apply to
 * every protocol; where they are the only rules on a port, the verdict is the one reported for
 * "all traffic", so it is not repeated per protocol.
 */
export function judgeUnions<V extends string>(grants: readonly Grant[], judge: Judge<V>): Judged<V>[] {
  const out: Judged<V>[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    const mine = grants.filter((g) => g.family === family);
    // All-traffic rules first, then each protocol in the order its first grant appears.
    const present = [...new Set(mine.map((g) => g.service))];
    const services: Service[] = [...present.filter((s) => s === 'all'), ...present.filter((s) => s !== 'all')];
    for (const service of services) {
      const applicable = mine.filter((g) => g.service === service || g.service === 'all');
      out.push(...sweep(family, service, applicable, judge));
    }
  }
  return out;
}

/** One family and protocol: walks the ports where the set of applicable grants changes. */
function sweep<V extends string>(family: Family, service: Service, grants: readonly Grant[], judge: Judge<V>): Judged<V>[] {
  const starts = new Map<number, Grant[]>();
  const ends = new Map<number, Grant[]>();
  const at = (map: Map<number, Grant[]>, port: number, g: Grant) => map.set(port, [...(map.get(port) ?? []), g]);
  for (const g of grants) {
    at(starts, g.from, g);
    at(ends, g.to + 1, g);
  }
  const skipped = judge.skip(family, service);
  const cuts = new Set<number>([0, LAST_PORT + 1, ...starts.keys(), ...ends.keys()]);
  for (const [lo, hi] of skipped) cuts.add(Number(lo)).add(Number(hi) + 1);
  // A skipped range may reach outside 0–65535; a stretch out there has no grants (all start at 0 or later and
  // end by LAST_PORT + 1, always a cut), so it is never judged.
  const ports = [...cuts].sort((a, b) => a - b);

  const tree = trackerFor(grants.map((g) => g.internet));
  const whole = sizeOf(INTERNET[family]);
  let specific = 0;
  const runs: { from: number; to: number; verdict: V }[] = [];
  // Stryker disable next-line EqualityOperator: one step more starts at the last cut, where every grant has ended: its union is empty and it is not judged.
  for (let i = 0; i + 1 < ports.length; i += 1) {
    const from = ports[i]!;
    const to = ports[i + 1]! - 1;
    for (const g of ends.get(from) ?? []) {
      tree.add(g.internet, -1);
      // Stryker disable next-line ConditionalExpression,StringLiteral: an all-traffic grant spans every port, so it ends only at the last cut, after which nothing is judged.
      if (g.service !== 'all') specific -= 1;
    }
    for (const g of starts.get(from) ?? []) {
      tree.add(g.internet, 1);
      if (g.service !== 'all') specific += 1;
    }
    if (service !== 'all' && specific === 0) continue;
    if (skipped.some(([lo, hi]) => BigInt(from) >= lo && BigInt(from) <= hi)) continue;
    const internetAddresses = tree.measure();
    // Stryker disable next-line ConditionalExpression: defensive. A judged stretch has a grant of its protocol (or is `all`, whose grants span every port), and every grant's internet part is non-empty.
    if (internetAddresses === 0n) continue;
    const verdict = judge.classify({ family, service, from, to, internetAddresses, worldOpen: internetAddresses === whole });
    if (verdict === undefined) continue;
    const last = runs[runs.length - 1];
    if (last && last.verdict === verdict && last.to + 1 === from) last.to = to;
    else runs.push({ from, to, verdict });
  }
  // Attach each grant to the runs its ports overlap (runs are sorted and disjoint: binary search).
  const members: Grant[][] = runs.map(() => []);
  for (const g of grants) {
    let lo = 0;
    let hi = runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (runs[mid]!.to < g.from) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < runs.length && runs[k]!.from <= g.to; k += 1) members[k]!.push(g);
  }
  return runs.map((run, k) => ({ family, service, ...run, grants: members[k]! }));
}

/** The union of the internet parts of some grants (what a stretch of ports admits). */
export function unionOf(grants: readonly Grant[]): IntervalSet {
  return union(...grants.map((g) => g.internet));
}

/** The measure (number of addresses) of a union of interval sets, as sets are added and removed. */
export interface UnionTracker {
  /** Adds (+1) or removes (-1) one set. */
  add(set: IntervalSet, delta: 1 | -1): void;
  /** How many addresses the sets present hold together. */
  measure(): bigint;
}

/** Below this many sets, recomputing the union is cheaper than keeping a segment tree. */
const SMALL = 24;

/** A tracker for these sets: direct for a few, a segment tree for many. */
export function trackerFor(sets: readonly IntervalSet[]): UnionTracker {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: both trackers measure the same union (the property test pins that); the threshold only picks the cheaper.
  return sets.length < SMALL ? new SmallUnion() : new UnionMeasure(sets);
}

/** Recomputes the union of the sets present when asked (after a change). */
export class SmallUnion implements UnionTracker {
  private readonly present = new Map<IntervalSet, number>();
  private cached: bigint | undefined = 0n;

  add(set: IntervalSet, delta: 1 | -1): void {
    const count = (this.present.get(set) ?? 0) + delta;
    if (count > 0) this.present.set(set, count);
    else this.present.delete(set);
    this.cached = undefined;
  }

  measure(): bigint {
    this.cached ??= sizeOf(intervalSet([...this.present.keys()].flat()));
    return this.cached;
  }
}

/**
 * A segment tree over the compressed endpoints of all the sets that may be added, each node
 * counting the sets that cover it whole and keeping the measure it covers: O(log n) per interval.
 */
export class UnionMeasure implements UnionTracker {
  private readonly xs: bigint[];
  private readonly count: Int32Array;
  private readonly covered: bigint[];

  constructor(sets: readonly IntervalSet[]) {
    const points: bigint[] = [];
    for (const set of sets) for (const [lo, hi] of set) points.push(lo, hi + 1n);
    points.sort((a, b) => Number(a - b)); // the sign of a difference of bigints survives Number()
    this.xs = [...new Set(points)];
    // Stryker disable next-line ArithmeticOperator: more cells than needed only allocate more memory.
    const cells = Math.max(this.xs.length - 1, 1);
    this.count = new Int32Array(4 * cells);
    this.covered = Array<bigint>(4 * cells).fill(0n);
  }

  add(set: IntervalSet, delta: 1 | -1): void {
    for (const [lo, hi] of set) this.update(1, 0, this.xs.length - 2, this.index(lo), this.index(hi + 1n) - 1, delta);
  }

  measure(): bigint {
    return this.covered[1]!; // 0n until a set is added, also for a tracker of no sets
  }

  private index(x: bigint): number {
    let lo = 0;
    // Stryker disable next-line ArithmeticOperator: every x looked up is one of xs (the tracker is built from the sets it is given), so a higher bound finds the same first index.
    let hi = this.xs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.xs[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private update(node: number, l: number, r: number, ql: number, qr: number, delta: number): void {
    if (qr < l || r < ql) return;
    if (ql <= l && r <= qr) {
      this.count[node]! += delta;
    } else {
      const mid = (l + r) >> 1;
      this.update(2 * node, l, mid, ql, qr, delta);
      this.update(2 * node + 1, mid + 1, r, ql, qr, delta);
    }
    this.covered[node] =
      this.count[node]! > 0 ? this.xs[r + 1]! - this.xs[l]! : l === r ? 0n : this.covered[2 * node]! + this.covered[2 * node + 1]!;
  }
}
