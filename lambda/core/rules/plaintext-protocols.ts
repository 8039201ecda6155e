/**
 * plaintext-protocols (encryption in transit): ingress on plaintext protocols (HTTP, FTP, Telnet,
 * …) from the world or from VPC-wide ranges, and attached instance types without Nitro's automatic
 * in-transit encryption.
 */
import * as z from 'zod';
import { rangeOf, tryParseCidr } from '../cidr';
import { coversInternet } from '../internet';
import type { Finding, PortSpan } from '../model';
import type { Rule } from '../rule';
import { PortRangeSchema, reportingSettings } from '../rule';

/** Stable id of this rule. */
export const PLAINTEXT_PROTOCOLS = 'plaintext-protocols';

const settings = reportingSettings('notify', {
  ports: z.array(PortRangeSchema).default([
    { protocol: 'tcp', from: 21 },
    { protocol: 'tcp', from: 23 },
    { protocol: 'tcp', from: 80 },
    { protocol: 'tcp', from: 110 },
    { protocol: 'tcp', from: 143 },
    { protocol: 'tcp', from: 389 },
    { protocol: 'tcp', from: 8080 },
  ]),
  /** IPv4 sources with a prefix this short or shorter (e.g. a /16 VPC range) count as VPC-wide. */
  broadPrefixLength: z.number().int().min(0).max(32).default(16),
  checkInstanceType: z.boolean().default(true),
});
/** Settings of `plaintext-protocols`. */
export type PlaintextProtocolsSettings = z.infer<typeof settings>;

const PROTOCOL_ALIASES: Readonly<Record<string, string>> = { '6': 'tcp', '17': 'udp' };

/** Flags plaintext services reachable from broad sources, and instance types that cannot encrypt in transit. */
export const plaintextProtocols: Rule<PlaintextProtocolsSettings> = {
  id: PLAINTEXT_PROTOCOLS,
  description: 'Plaintext protocols must not be open to the world or VPC-wide; instances should support in-transit encryption.',
  requires: ['instance'],
  settings,
  evaluate(facts, config) {
    const findings: Finding[] = [];
    const exposed: { ruleId: string; groupId: string; port: string; source: string; world: boolean; span: PortSpan }[] = [];
    const unreadable: string[] = [];
    for (const rule of facts.groupRules) {
      if (rule.isEgress) continue;
      const source = rule.cidrIpv4 ?? rule.cidrIpv6;
      if (!source) continue;
      // The same canonical reading as world-open-ingress (lambda/core/cidr.ts): 1.2.3.4/0 is the world too.
      const cidr = tryParseCidr(source, rule.cidrIpv4 !== undefined ? 'ipv4' : 'ipv6');
      if (cidr instanceof Error) {
        unreadable.push(`rule ${rule.ruleId}: ${cidr.message}`);
        continue;
      }
      const world = coversInternet(cidr.family, rangeOf(cidr));
      const broad = world || cidr.prefixLength <= (cidr.family === 'ipv4' ? config.broadPrefixLength : 56);
      if (!broad) continue;
      const protocol = PROTOCOL_ALIASES[rule.protocol] ?? rule.protocol;
      const all = protocol === '-1' || rule.fromPort === undefined || rule.fromPort < 0;
      const from = all ? 0 : rule.fromPort;
      const to = all ? 65535 : (rule.toPort ?? from);
      for (const p of config.ports) {
        if (protocol !== '-1' && protocol !== p.protocol) continue;
        const hi = p.to ?? p.from;
        if (p.from <= to && hi >= from)
          exposed.push({
            ruleId: rule.ruleId,
            groupId: rule.groupId,
            port: `${p.protocol}/${p.from === hi ? p.from : `${p.from}-${hi}`}`,
            source,
            world,
            span: { protocol: p.protocol, from: p.from, to: hi },
          });
      }
    }
    for (const groupId of new Set(exposed.map((e) => e.groupId))) {
      const entries = exposed.filter((e) => e.groupId === groupId);
      const world = entries.some((e) => e.world);
      findings.push({
        ruleId: PLAINTEXT_PROTOCOLS,
        severity: world ? 'high' : 'medium',
        title: `${groupId} admits plaintext ${[...new Set(entries.map((e) => e.port))].join(', ')} from ${world ? 'the world' : 'VPC-wide ranges'}`,
        groupId,
        evidence: { groupId, rules: entries.map(({ span: _span, ...shown }) => shown) },
        ports: entries.map((e) => e.span),
      });
    }
    let incomplete = unreadable.join('; ');
    if (config.checkInstanceType && facts.networkInterface.attachedInstanceId) {
      const instance = facts.instance;
      if (instance?.status === 'ok') {
        if (instance.value.encryptionInTransitSupported === false) {
          findings.push({
            ruleId: PLAINTEXT_PROTOCOLS,
            severity: 'low',
            title: `instance type ${instance.value.instanceType ?? '?'} of ${instance.value.instanceId} does not encrypt traffic in transit automatically`,
            evidence: {
              instanceId: instance.value.instanceId,
              instanceType: instance.value.instanceType,
              encryptionInTransitSupported: false,
            },
          });
        }
      } else {
        const gap = `instance facts unavailable: ${instance?.status === 'unavailable' ? instance.reason : 'not gathered'}`;
        incomplete = incomplete ? `${incomplete}; ${gap}` : gap;
      }
    }
    if (findings.length === 0 && !incomplete) return { status: 'compliant' };
    return { status: 'non-compliant', findings, ...(incomplete ? { incomplete } : {}) };
  },
};
