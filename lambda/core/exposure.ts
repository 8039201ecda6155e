/**
 * Is an interface reachable from the internet on a port, right now? A world-open security group
 * rule matters most when it is: public address, a route to an internet gateway, and a network ACL
 * that lets the traffic in. The ACL is judged as address arithmetic (docs/exposure.md), so an ACL
 * that admits the internet in pieces admits it.
 */
import type { Family, IntervalSet } from './cidr';
import { intersect, parseCidr, rangeOf, subtract } from './cidr';
import { INTERNET } from './internet';
import type { NaclEntry, NetworkInterface, SubnetNetwork } from './model';

const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 };
const ALL_PROTOCOLS: IntervalSet = [[0n, 255n]];
const ALL_PORTS: IntervalSet = [[0n, 65535n]];

/** Why a world-open rule is, or is not, reachable. */
export interface Exposure {
  readonly reachable: boolean;
  readonly reasons: readonly string[];
}

/**
 * Judges reachability from the internet for traffic of `protocol` on ports [from, to] over one IP
 * family, from `sources` (default: the whole internet of the family). Throws a `CidrError` when an
 * ACL entry's CIDR cannot be read: the caller fails closed.
 */
export function exposureOf(
  ni: NetworkInterface,
  network: SubnetNetwork,
  family: Family,
  protocol: string,
  from: number,
  to: number,
  sources: IntervalSet = INTERNET[family],
): Exposure {
  const reasons: string[] = [];
  const address = family === 'ipv4' ? ni.publicIp : ni.ipv6Addresses?.[0];
  if (!address) reasons.push(family === 'ipv4' ? 'no public IPv4 address' : 'no IPv6 address');
  const route = family === 'ipv4' ? network.igwRouteIpv4 : network.igwRouteIpv6;
  if (!route) reasons.push(`subnet routes no ${family === 'ipv4' ? '0.0.0.0/0' : '::/0'} to an internet gateway`);
  if (!naclAdmits(network.naclEntries, family, protocol, from, to, sources)) {
    reasons.push(`network ACL ${network.networkAclId ?? ''} denies it`.replace('  ', ' '));
  }
  if (reasons.length > 0) return { reachable: false, reasons };
  return { reachable: true, reasons: [`${address} via internet gateway, network ACL allows it`] };
}

/** A region of traffic: protocol numbers × source addresses × ports. */
type Box = readonly [IntervalSet, IntervalSet, IntervalSet];

/**
 * True when some traffic of `protocol` on ports [from, to] from `sources` (default: the internet)
 * meets an inbound `allow` entry before any `deny` that covers it. Entries are evaluated in
 * rule-number order over protocol × address × port regions: a `deny` removes its region from what
 * is still undecided, an `allow` that touches what is undecided admits it, and whatever no entry
 * matched falls to the implicit deny.
 */
export function naclAdmits(
  entries: readonly NaclEntry[],
  family: Family,
  protocol: string,
  from: number,
  to: number,
  sources: IntervalSet = INTERNET[family],
): boolean {
  let undecided: Box[] = [[protocolsOf(protocol), sources, [[BigInt(from), BigInt(to)]]]];
  const ordered = entries.filter((e) => !e.egress && (family === 'ipv4' ? e.cidrIpv4 : e.cidrIpv6) !== undefined);
  ordered.sort((a, b) => a.ruleNumber - b.ruleNumber);
  for (const entry of ordered) {
    const region = entryBox(entry, family);
    if (entry.action === 'allow') {
      if (undecided.some((box) => meets(box, region))) return true;
      continue;
    }
    undecided = undecided.flatMap((box) => without(box, region));
    // Stryker disable next-line ConditionalExpression: a shortcut. With nothing undecided, no later allow can meet it and the loop ends in the same false.
    if (undecided.length === 0) return false;
  }
  return false;
}

/** The protocol numbers a security group or ACL protocol stands for (`-1`: all). */
function protocolsOf(protocol: string): IntervalSet {
  const name = protocol.toLowerCase();
  // Stryker disable next-line ConditionalExpression,StringLiteral: explicit only. `-1` and `all` are no known name or number either, and an unknown protocol reads as every protocol.
  if (name === '-1' || name === 'all') return ALL_PROTOCOLS;
  const number = PROTOCOL_NUMBERS[name] ?? (/^\d+$/.test(name) ? Number(name) : undefined);
  // An unknown protocol name is read as every protocol: it can only make a deny or an allow wider.
  return number === undefined ? ALL_PROTOCOLS : [[BigInt(number), BigInt(number)]];
}

/** The traffic one ACL entry matches. Port ranges apply to TCP and UDP only. */
function entryBox(entry: NaclEntry, family: Family): Box {
  const protocols = protocolsOf(entry.protocol);
  const cidr = parseCidr((family === 'ipv4' ? entry.cidrIpv4 : entry.cidrIpv6)!, family);
  const ported = entry.protocol === '6' || entry.protocol === '17';
  const ports: IntervalSet =
    ported && entry.fromPort !== undefined && entry.fromPort >= 0
      ? [[BigInt(entry.fromPort), BigInt(entry.toPort ?? entry.fromPort)]]
      : ALL_PORTS;
  return [protocols, rangeOf(cidr), ports];
}

/** True when two regions share some traffic. */
function meets(a: Box, b: Box): boolean {
  return a.every((dimension, i) => intersect(dimension, b[i]!).length > 0);
}

/** The region `a` less the region `b`, as disjoint regions. */
function without(a: Box, b: Box): Box[] {
  // Stryker disable next-line ConditionalExpression: a shortcut. Disjoint regions split into pieces that still make up `a` (plus empty pieces, which meet nothing).
  if (!meets(a, b)) return [a];
  const out: Box[] = [];
  const core: IntervalSet[] = [...a];
  for (let i = 0; i < 3; i += 1) {
    const outside = subtract(core[i]!, b[i]!);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a piece with an empty dimension is an empty region: it meets nothing, so keeping it changes no answer.
    if (outside.length > 0) out.push(core.map((d, j) => (j === i ? outside : d)) as unknown as Box);
    core[i] = intersect(core[i]!, b[i]!);
  }
  return out;
}
