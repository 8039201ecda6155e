/** Builders for core tests, and the real CloudTrail records under test/fixtures/events/real (copied from ../shared/events). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanInputs } from '../../lambda/core/plan/index';
import type {
  EventContext,
  InstanceFacts,
  InterfaceFacts,
  NaclEntry,
  NetworkInterface,
  SecurityGroupRule,
  SubnetNetwork,
} from '../../lambda/core/model';
import type { Rule, Verdict } from '../../lambda/core/rule';

/** Reads a real record by file name (relative to test/fixtures/events/real). */
export function realRecord(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'events', 'real', name), 'utf8')) as Record<string, unknown>;
}

/** The clock core tests run at. */
export const NOW = new Date('2026-11-28T03:00:00Z');

/** A plausible event context for core tests. */
export const CONTEXT: EventContext = {
  eventId: '11111111-2222-3333-4444-555555555555',
  eventName: 'CreateNetworkInterface',
  eventTime: '2026-11-28T03:00:00Z',
  region: 'eu-west-1',
  account: '123456789012',
  caller: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/alice', userName: 'alice', viaConsole: false, mfaAuthenticated: false },
};

/** The instance profile whose role the instance-credentials caller below uses. */
export const INSTANCE_PROFILE_ARN = 'arn:aws:iam::123456789012:instance-profile/app';

/** A call made with instance i-0123456789abcdef0's credentials (role `app`, delivered by EC2: `ec2RoleDelivery`). */
export const INSTANCE_CREDENTIALS_CONTEXT: EventContext = {
  ...CONTEXT,
  caller: {
    type: 'AssumedRole',
    arn: 'arn:aws:sts::123456789012:assumed-role/app/i-0123456789abcdef0',
    sessionIssuerArn: 'arn:aws:iam::123456789012:role/app',
    sessionName: 'i-0123456789abcdef0',
    ec2RoleDelivery: '2.0',
    viaConsole: false,
    mfaAuthenticated: false,
  },
};

/** A customer-owned interface in one group, with a public IPv4 and an IPv6 address, overridable. */
export function networkInterface(overrides: Partial<NetworkInterface> = {}): NetworkInterface {
  return {
    networkInterfaceId: 'eni-0aaaaaaaaaaaaaaaa',
    vpcId: 'vpc-1',
    subnetId: 'subnet-1',
    interfaceType: 'interface',
    requesterManaged: false,
    publicIp: '203.0.113.10',
    ipv6Addresses: ['2001:db8::10'],
    sourceDestCheck: true,
    groups: [{ groupId: 'sg-1', groupName: 'web' }],
    tags: {},
    ...overrides,
  };
}

/** The default network ACL: allow everything in and out, then the implicit deny. */
export const DEFAULT_NACL: NaclEntry[] = [
  { ruleNumber: 100, egress: false, protocol: '-1', action: 'allow', cidrIpv4: '0.0.0.0/0' },
  { ruleNumber: 101, egress: false, protocol: '-1', action: 'allow', cidrIpv6: '::/0' },
  { ruleNumber: 32767, egress: false, protocol: '-1', action: 'deny', cidrIpv4: '0.0.0.0/0' },
  { ruleNumber: 32768, egress: false, protocol: '-1', action: 'deny', cidrIpv6: '::/0' },
];

/** A public subnet (IGW routes for both families, default ACL), overridable. */
export function subnetNetwork(overrides: Partial<SubnetNetwork> = {}): SubnetNetwork {
  return { routeTableId: 'rtb-1', igwRouteIpv4: true, igwRouteIpv6: true, networkAclId: 'acl-1', naclEntries: DEFAULT_NACL, ...overrides };
}

/** An attached instance's facts, overridable. */
export function instance(overrides: Partial<InstanceFacts> = {}): InstanceFacts {
  return {
    instanceId: 'i-0123456789abcdef0',
    instanceType: 'm7i.large',
    imageId: 'ami-1',
    imageCreationDate: '2026-10-01T00:00:00.000Z',
    tags: { backup: 'daily' },
    volumes: [{ volumeId: 'vol-1', encrypted: true }],
    encryptionInTransitSupported: true,
    ...overrides,
  };
}

let nextRule = 0;
/** An ingress rule of sg-1 (SSH from the world unless overridden). */
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

/** Facts for one interface with the given group rules, in a public subnet of a VPC with flow logs; not attached. */
export function facts(
  groupRules: SecurityGroupRule[],
  ni: Partial<NetworkInterface> = {},
  extra: Partial<InterfaceFacts> = {},
): InterfaceFacts {
  return {
    context: CONTEXT,
    networkInterface: networkInterface(ni),
    groupRules,
    subnetNetwork: { status: 'ok', value: subnetNetwork() },
    flowLogs: { status: 'ok', value: { active: [{ flowLogId: 'fl-1', resourceId: 'vpc-1', trafficType: 'ALL' }] } },
    ...extra,
  };
}

/** Runs one rule with its settings parsed from `settings` (defaults filled in), at `NOW`. */
export function run<S>(subject: Rule<S>, input: InterfaceFacts, settings: unknown = {}): Verdict {
  return subject.evaluate(input, subject.settings.parse(settings), { now: NOW });
}

/** Planner inputs for `input` with each group's number of users (default: sg-1 used by this interface alone). */
export function planInputs(
  input: InterfaceFacts,
  usage: Record<string, number> = { 'sg-1': 1 },
  extra: Partial<PlanInputs> = {},
): PlanInputs {
  return { facts: input, groupUsage: new Map(Object.entries(usage)), ledgerId: 'evt-1/eni-0aaaaaaaaaaaaaaaa', now: NOW, ...extra };
}
