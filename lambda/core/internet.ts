/**
 * What "the internet" is, per IP family (docs/exposure.md). A source is exposure to the internet
 * only for the part of it that is internet; a union of sources is world-open when it covers all of it.
 *
 * IPv4: every address minus the special-purpose blocks the IANA registry (RFC 6890 and its
 * updates) marks as not globally reachable, plus multicast and the reserved 240/4, which are never
 * the source of a connection. Blocks the registry marks globally reachable (AS112 192.31.196.0/24
 * and 192.175.48.0/24, AMT 192.52.193.0/24) and the deprecated 6to4 relay anycast 192.88.99.0/24
 * stay in: leaving out a block makes the internet easier to cover, so only blocks no packet from
 * the internet can come from are left out. 192.0.0.0/24 is left out whole, although two of its
 * /32 anycast addresses are reachable: they are service addresses, not clients.
 *
 * IPv6: global unicast 2000::/3 (everything else — ::/128, ::1, IPv4-mapped ::ffff:0:0/96, ULA
 * fc00::/7, link-local fe80::/10, multicast ff00::/8 — never arrives from the internet), minus the
 * documentation and benchmarking blocks inside it, which are never routed.
 */
import type { Family, IntervalSet } from './cidr';
import { covers, intersect, parseCidr, rangeOf, subtract, union } from './cidr';

/** One block left out of the internet, and why. */
export interface SpecialBlock {
  readonly cidr: string;
  readonly what: string;
  readonly rfc: string;
}

/** The blocks subtracted from all addresses (IPv4) or from 2000::/3 (IPv6). */
export const NOT_INTERNET: Readonly<Record<Family, readonly SpecialBlock[]>> = {
  ipv4: [
    { cidr: '0.0.0.0/8', what: '"this network"', rfc: 'RFC 791' },
    { cidr: '10.0.0.0/8', what: 'private use', rfc: 'RFC 1918' },
    { cidr: '100.64.0.0/10', what: 'shared address space (carrier-grade NAT)', rfc: 'RFC 6598' },
    { cidr: '127.0.0.0/8', what: 'loopback', rfc: 'RFC 1122' },
    { cidr: '169.254.0.0/16', what: 'link-local (instance metadata)', rfc: 'RFC 3927' },
    { cidr: '172.16.0.0/12', what: 'private use', rfc: 'RFC 1918' },
    { cidr: '192.0.0.0/24', what: 'IETF protocol assignments', rfc: 'RFC 6890' },
    { cidr: '192.0.2.0/24', what: 'documentation (TEST-NET-1)', rfc: 'RFC 5737' },
    { cidr: '192.168.0.0/16', what: 'private use', rfc: 'RFC 1918' },
    { cidr: '198.18.0.0/15', what: 'benchmarking', rfc: 'RFC 2544' },
    { cidr: '198.51.100.0/24', what: 'documentation (TEST-NET-2)', rfc: 'RFC 5737' },
    { cidr: '203.0.113.0/24', what: 'documentation (TEST-NET-3)', rfc: 'RFC 5737' },
    { cidr: '224.0.0.0/4', what: 'multicast (never a source)', rfc: 'RFC 5771' },
    { cidr: '240.0.0.0/4', what: 'reserved, and 255.255.255.255 broadcast', rfc: 'RFC 1112, RFC 919' },
  ],
  ipv6: [
    { cidr: '2001:2::/48', what: 'benchmarking', rfc: 'RFC 5180' },
    { cidr: '2001:db8::/32', what: 'documentation', rfc: 'RFC 3849' },
    { cidr: '3fff::/20', what: 'documentation', rfc: 'RFC 9637' },
  ],
};

const ALL: Readonly<Record<Family, string>> = { ipv4: '0.0.0.0/0', ipv6: '2000::/3' };

const build = (family: Family): IntervalSet =>
  subtract(rangeOf(parseCidr(ALL[family], family)), union(...NOT_INTERNET[family].map((b) => rangeOf(parseCidr(b.cidr, family)))));

/** The internet of each family, as a set of addresses. */
export const INTERNET: Readonly<Record<Family, IntervalSet>> = { ipv4: build('ipv4'), ipv6: build('ipv6') };

/** The part of `addresses` that is the internet. */
export function internetPart(family: Family, addresses: IntervalSet): IntervalSet {
  return intersect(addresses, INTERNET[family]);
}

/** True when `addresses` hold the whole internet of the family. */
export function coversInternet(family: Family, addresses: IntervalSet): boolean {
  return covers(addresses, INTERNET[family]);
}
