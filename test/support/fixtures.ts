/** Loads the real CloudTrail records under test/fixtures/events/real (copied from ../shared/events). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventContext, InterfaceFacts, NetworkInterface, SecurityGroupRule } from '../../lambda/core/model';

/** Reads a real record by file name (relative to test/fixtures/events/real). */
export function realRecord(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'events', 'real', name), 'utf8')) as Record<string, unknown>;
}

/** A plausible event context for core tests. */
export const CONTEXT: EventContext = {
  eventId: '11111111-2222-3333-4444-555555555555',
  eventName: 'CreateNetworkInterface',
  eventTime: '2026-11-28T03:00:00Z',
  region: 'eu-west-1',
  account: '123456789012',
  caller: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/alice', userName: 'alice', viaConsole: false, mfaAuthenticated: false },
};

/** A customer-owned interface in one group, overridable. */
export function networkInterface(overrides: Partial<NetworkInterface> = {}): NetworkInterface {
  return {
    networkInterfaceId: 'eni-0aaaaaaaaaaaaaaaa',
    vpcId: 'vpc-1',
    subnetId: 'subnet-1',
    interfaceType: 'interface',
    requesterManaged: false,
    groups: [{ groupId: 'sg-1', groupName: 'web' }],
    tags: {},
    ...overrides,
  };
}

let nextRule = 0;
/** An ingress rule of sg-1, overridable. */
export function rule(overrides: Partial<SecurityGroupRule> = {}): SecurityGroupRule {
  nextRule += 1;
  return {
    ruleId: `sgr-${String(nextRule).padStart(4, '0')}`,
    groupId: 'sg-1',
    isEgress: false,
    protocol: 'tcp',
    fromPort: 22,
    toPort: 22,
    cidrIpv4: '0.0.0.0/0',
    ...overrides,
  };
}

/** Facts for one interface with the given group rules. */
export function facts(groupRules: SecurityGroupRule[], ni: Partial<NetworkInterface> = {}): InterfaceFacts {
  return { context: CONTEXT, networkInterface: networkInterface(ni), groupRules };
}
