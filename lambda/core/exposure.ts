/**
 * Is an interface reachable from the internet on a port, right now? A world-open security group
 * rule matters most when it is: public address, a route to an internet gateway, and a network ACL
 * that lets the traffic in.
 */
import type { NaclEntry, NetworkInterface, SubnetNetwork } from './model';

const PROTOCOL_NUMBERS: Readonly<Record<string, string>> = { tcp: '6', udp: '17', icmp: '1', icmpv6: '58' };

/** Why a world-open rule is, or is not, reachable. */
export interface Exposure {
  readonly reachable: boolean;
  readonly reasons: readonly string[];
}

/**
 * Judges reachability from the internet for traffic of `protocol` on ports [from, to] over one IP
 * family. Only NACL entries for the whole internet (0.0.0.0/0, ::/0) are considered: narrower
 * allow entries admit only part of the internet and are treated as not opening it to everyone.
 */
export function exposureOf(
  ni: NetworkInterface,
  network: SubnetNetwork,
  family: 'ipv4' | 'ipv6',
  protocol: string,
  from: number,
  to: number,
): Exposure {
  const reasons: string[] = [];
  const address = family === 'ipv4' ? ni.publicIp : ni.ipv6Addresses?.[0];
  if (!address) reasons.push(family === 'ipv4' ? 'no public IPv4 address' : 'no IPv6 address');
  const route = family === 'ipv4' ? network.igwRouteIpv4 : network.igwRouteIpv6;
  if (!route) reasons.push(`subnet routes no ${family === 'ipv4' ? '0.0.0.0/0' : '::/0'} to an internet gateway`);
  if (!naclAdmits(network.naclEntries, family, protocol, from, to)) {
    reasons.push(`network ACL ${network.networkAclId ?? ''} denies it`.replace('  ', ' '));
  }
  if (reasons.length > 0) return { reachable: false, reasons };
  return { reachable: true, reasons: [`${address} via internet gateway, network ACL allows it`] };
}

/** True when the first matching world-wide inbound NACL entries allow at least one port of the range. */
export function naclAdmits(entries: readonly NaclEntry[], family: 'ipv4' | 'ipv6', protocol: string, from: number, to: number): boolean {
  const world = family === 'ipv4' ? '0.0.0.0/0' : '::/0';
  const wanted = protocol === '-1' || protocol === 'all' ? '-1' : (PROTOCOL_NUMBERS[protocol] ?? protocol);
  let undecided: [number, number][] = [[from, to]];
  const ordered = entries
    .filter((e) => !e.egress && (family === 'ipv4' ? e.cidrIpv4 === world : e.cidrIpv6 === world))
    .sort((a, b) => a.ruleNumber - b.ruleNumber);
  for (const entry of ordered) {
    if (entry.protocol !== '-1' && wanted !== '-1' && entry.protocol !== wanted) continue;
    const portless = entry.protocol === '-1' || entry.fromPort === undefined || (entry.protocol !== '6' && entry.protocol !== '17');
    const lo = portless ? 0 : entry.fromPort;
    const hi = portless ? 65535 : (entry.toPort ?? entry.fromPort);
    const overlapping = undecided.some(([a, b]) => a <= hi && b >= lo);
    if (!overlapping) continue;
    if (entry.action === 'allow') return true;
    undecided = undecided.flatMap(([a, b]): [number, number][] => {
      if (b < lo || a > hi) return [[a, b]];
      const parts: [number, number][] = [];
      if (a < lo) parts.push([a, lo - 1]);
      if (b > hi) parts.push([hi + 1, b]);
      return parts;
    });
    if (undecided.length === 0) return false;
  }
  return false;
}
