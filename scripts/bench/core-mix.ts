/**
 * The realistic mix of events and facts the evaluation-throughput bench runs the pure core on.
 * Everything that knows the shape of the core's fact types lives in this one file: when
 * `InterfaceFacts`, `NetworkInterface` or `SecurityGroupRule` grow, update `baseFacts` and the
 * builders below (optional fields need no change: facts are built by spreading over defaults).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkInterface as SdkNetworkInterface } from '@aws-sdk/client-ec2';
import type { EventContext, InterfaceFacts, NaclEntry, NetworkInterface, SecurityGroupRule, SubnetNetwork } from '../../lambda/core/model';
import { assumedRoleIdentity, createNetworkInterfaceRecord, eventBridgeEnvelope, iamUserIdentity } from '../lib/cloudtrail-events';

/** The kinds of event in the mix. */
export type MixScenario = 'requester-managed' | 'compliant' | 'world-open-ssh' | 'shared-group' | 'malformed';

/**
 * Share of each scenario, in percent. An assumption, stated: in accounts that run Lambda in VPCs,
 * ECS/EKS or EFS most new interfaces are created by AWS services (requester-managed, skipped from
 * the event); most customer interfaces are compliant; a minority alert.
 */
export const MIX_WEIGHTS: Readonly<Record<MixScenario, number>> = {
  'requester-managed': 40,
  compliant: 40,
  'world-open-ssh': 8,
  'shared-group': 7,
  malformed: 5,
};

/** What the core must decide for an item; the bench checks it before timing anything. */
export type Expected = 'skipped' | 'compliant' | 'remediate' | 'notify' | 'invalid';

/** One event of the mix with the facts EC2 would return for it. */
export interface MixItem {
  readonly scenario: MixScenario;
  readonly expected: Expected;
  /** The event as EventBridge delivers it (the JSON.parse floor parses this). */
  readonly json: string;
  /** The same event, parsed once up front (the Lambda runtime hands the handler an object). */
  readonly event: unknown;
  /** What the adapters would report for the interface; absent when no AWS call is made. */
  readonly facts?: InterfaceFacts;
  /** How many interfaces use each group (the planner's input). */
  readonly groupUsage: ReadonlyMap<string, number>;
}

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
/** The responder's role, as the handler gets it in RESPONDER_ROLE_ARN. */
export const MIX_RESPONDER_ROLE = `arn:aws:iam::${ACCOUNT}:role/EniGuardResponder`;
export const MIX_NOW = new Date('2026-11-28T12:00:00Z');
const EFS_RECORD = join(__dirname, '..', '..', 'test', 'fixtures', 'events', 'real', 'efs-service-linked-role-requester-managed.json');

/** Facts with every field at its default; scenarios spread their own values over these. */
export function baseFacts(context: EventContext): InterfaceFacts {
  return {
    context,
    networkInterface: {
      networkInterfaceId: 'eni-00000000000000000',
      interfaceType: 'interface',
      requesterManaged: false,
      groups: [],
      tags: {},
    },
    groupRules: [],
  };
}

/** A customer interface as the EC2 adapter maps it. */
function customerInterface(n: number, groups: readonly { groupId: string; groupName: string }[]): NetworkInterface {
  const base = baseFacts(placeholderContext()).networkInterface;
  return {
    ...base,
    networkInterfaceId: `eni-0${hex(n, 16)}`,
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    subnetId: `subnet-0${hex(n % 6, 16)}`,
    availabilityZone: `${REGION}${'abc'[n % 3]}`,
    description: n % 3 === 0 ? '' : `app-${n % 17} worker`,
    status: 'in-use',
    ownerId: ACCOUNT,
    privateIpAddress: `10.20.${n % 250}.${(n * 7) % 250}`,
    sourceDestCheck: true,
    groups,
    tags: n % 2 === 0 ? { Name: `app-${n % 17}`, team: 'payments', env: 'prod' } : {},
  };
}

/** The same interface as EC2 returns it in the CreateNetworkInterface response. */
function toSdk(ni: NetworkInterface): SdkNetworkInterface {
  return {
    NetworkInterfaceId: ni.networkInterfaceId,
    SubnetId: ni.subnetId,
    VpcId: ni.vpcId,
    AvailabilityZone: ni.availabilityZone,
    Description: ni.description,
    OwnerId: ni.ownerId,
    RequesterManaged: ni.requesterManaged,
    InterfaceType: 'interface',
    MacAddress: '06:1f:2e:3d:4c:5b',
    PrivateIpAddress: ni.privateIpAddress,
    PrivateIpAddresses: [{ PrivateIpAddress: ni.privateIpAddress, Primary: true }],
    SourceDestCheck: true,
    Groups: ni.groups.map((g) => ({ GroupId: g.groupId, GroupName: g.groupName })),
  };
}

let ruleCounter = 0;
function rule(
  groupId: string,
  fields: Omit<SecurityGroupRule, 'ruleId' | 'groupId' | 'isEgress'> & { isEgress?: boolean },
): SecurityGroupRule {
  ruleCounter += 1;
  return { ruleId: `sgr-0${hex(ruleCounter, 16)}`, groupId, isEgress: false, ...fields };
}

/** The rules a typical application group carries: egress to anywhere, HTTPS from anywhere, internal access. */
function typicalRules(groupId: string, n: number): SecurityGroupRule[] {
  const rules = [
    rule(groupId, { isEgress: true, protocol: '-1', fromPort: -1, toPort: -1, cidrIpv4: '0.0.0.0/0' }),
    rule(groupId, { isEgress: true, protocol: '-1', fromPort: -1, toPort: -1, cidrIpv6: '::/0' }),
    rule(groupId, { protocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0', description: 'public HTTPS' }),
    rule(groupId, { protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '10.0.0.0/8', description: 'bastion' }),
  ];
  if (n % 2 === 0) rules.push(rule(groupId, { protocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv6: '::/0' }));
  if (n % 3 === 0) rules.push(rule(groupId, { protocol: 'tcp', fromPort: 5432, toPort: 5432, referencedGroupId: 'sg-0db0000000000001' }));
  if (n % 4 === 0) rules.push(rule(groupId, { protocol: 'tcp', fromPort: 8080, toPort: 8090, prefixListId: 'pl-0a1b2c3d' }));
  if (n % 5 === 0) rules.push(rule(groupId, { protocol: 'icmp', fromPort: 8, toPort: -1, cidrIpv4: '0.0.0.0/0' }));
  for (let i = 0; i < n % 4; i += 1) {
    rules.push(rule(groupId, { protocol: 'tcp', fromPort: 9000 + i, toPort: 9000 + i, cidrIpv4: `10.${i}.0.0/16` }));
  }
  return rules;
}

/** The default network ACL of a VPC: everything in and out, then the implicit deny. */
const DEFAULT_NACL: readonly NaclEntry[] = [false, true].flatMap((egress) => [
  { ruleNumber: 100, egress, protocol: '-1', action: 'allow', cidrIpv4: '0.0.0.0/0' } as const,
  { ruleNumber: 101, egress, protocol: '-1', action: 'allow', cidrIpv6: '::/0' } as const,
  { ruleNumber: 32767, egress, protocol: '-1', action: 'deny', cidrIpv4: '0.0.0.0/0' } as const,
]);

/** Routes and ACL of a subnet: public (a route to an internet gateway) or private. */
function subnetNetwork(n: number, isPublic: boolean): SubnetNetwork {
  return {
    routeTableId: `rtb-0${hex(n % 6, 16)}`,
    igwRouteIpv4: isPublic,
    igwRouteIpv6: false,
    networkAclId: 'acl-0a1b2c3d4e5f60718',
    naclEntries: DEFAULT_NACL,
  };
}

/**
 * The optional facts the gatherer reads for the default policy's rules (no instance: interfaces are
 * evaluated at creation, before they are attached): routes and ACL, flow logs (the VPC has one),
 * and the prefix lists ingress rules reference.
 */
function networkFacts(n: number, rules: readonly SecurityGroupRule[], isPublic: boolean): Partial<InterfaceFacts> {
  const prefixListIds = [...new Set(rules.filter((r) => !r.isEgress && r.prefixListId).map((r) => r.prefixListId!))];
  return {
    subnetNetwork: { status: 'ok', value: subnetNetwork(n, isPublic) },
    flowLogs: {
      status: 'ok',
      value: { active: [{ flowLogId: 'fl-0a1b2c3d4e5f60718', resourceId: 'vpc-0a1b2c3d4e5f60718', trafficType: 'ALL' }] },
    },
    ...(prefixListIds.length > 0
      ? { prefixLists: { status: 'ok', value: new Map(prefixListIds.map((id) => [id, ['10.64.0.0/16', '10.65.0.0/16']])) } }
      : {}),
  };
}

function customerEvent(n: number, ni: NetworkInterface): { json: string; event: unknown } {
  const identity =
    n % 3 === 0
      ? assumedRoleIdentity(`arn:aws:iam::${ACCOUNT}:role/terraform-deployer`, `ci-run-${n}`)
      : iamUserIdentity(ACCOUNT, `user${n % 5}`);
  const record = createNetworkInterfaceRecord(toSdk(ni), {
    account: ACCOUNT,
    region: REGION,
    userIdentity: identity,
    eventId: `00000000-0000-4000-8000-${hex(n, 12)}`,
    eventTime: '2026-11-28T03:00:00Z',
  });
  return delivered(eventBridgeEnvelope(record));
}

function delivered(event: unknown): { json: string; event: unknown } {
  const json = JSON.stringify(event);
  return { json, event: JSON.parse(json) as unknown };
}

/** Builds one item of the given scenario; `n` varies ids, callers and rules. */
function item(scenario: MixScenario, n: number): MixItem {
  switch (scenario) {
    case 'requester-managed': {
      const record = JSON.parse(readFileSync(EFS_RECORD, 'utf8')) as Record<string, unknown>;
      return {
        scenario,
        expected: 'skipped',
        ...delivered(eventBridgeEnvelope({ ...record, eventID: `efs00000-0000-4000-8000-${hex(n, 12)}` })),
        groupUsage: new Map(),
      };
    }
    case 'compliant': {
      const groups = [{ groupId: `sg-0${hex(n, 16)}`, groupName: `app-${n}` }];
      if (n % 3 === 0) groups.push({ groupId: 'sg-0f00000000000b0a1', groupName: 'monitoring' });
      // Half in public subnets (no public address: reachable only through a load balancer), half private.
      const rulesOf = (ni: NetworkInterface) => ni.groups.flatMap((g, i) => typicalRules(g.groupId, n + i));
      return withFacts(scenario, 'compliant', n, groups, rulesOf, 1, { publicSubnet: n % 2 === 0, publicIp: false });
    }
    case 'world-open-ssh': {
      const groupId = `sg-0${hex(n, 16)}`;
      return withFacts(
        scenario,
        'remediate',
        n,
        [{ groupId, groupName: `launch-wizard-${n}` }],
        () => [
          ...typicalRules(groupId, n),
          rule(groupId, { protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' }),
          ...(n % 2 === 0 ? [rule(groupId, { protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv6: '::/0' })] : []),
          ...(n % 3 === 0 ? [rule(groupId, { protocol: 'tcp', fromPort: 80, toPort: 80, cidrIpv4: '0.0.0.0/0' })] : []),
        ],
        1,
        // Half reachable now (public address, internet gateway route), half latent.
        { publicSubnet: true, publicIp: n % 2 === 0 },
      );
    }
    case 'shared-group': {
      const groupId = `sg-0${hex(n, 16)}`;
      return withFacts(
        scenario,
        // Fixed by swapping this interface onto a copy of the group without the rule: the others keep theirs.
        'remediate',
        n,
        [{ groupId, groupName: 'admin-hosts' }],
        () => [...typicalRules(groupId, n), rule(groupId, { protocol: 'tcp', fromPort: 3389, toPort: 3389, cidrIpv4: '0.0.0.0/0' })],
        2 + (n % 3),
        { publicSubnet: true, publicIp: true },
      );
    }
    case 'malformed':
      return { scenario, expected: 'invalid', ...delivered(malformedEvent(n)), groupUsage: new Map() };
  }
}

function withFacts(
  scenario: MixScenario,
  expected: Expected,
  n: number,
  groups: { groupId: string; groupName: string }[],
  rulesOf: (ni: NetworkInterface) => SecurityGroupRule[],
  usersPerGroup: number,
  network: { readonly publicSubnet: boolean; readonly publicIp: boolean },
): MixItem {
  const created = customerInterface(n, groups);
  // The event carries the interface as created; a public address shows up in EC2's current view.
  const delivery = customerEvent(n, created);
  const networkInterface = network.publicIp ? { ...created, publicIp: `203.0.113.${n % 250}` } : created;
  const groupRules = rulesOf(networkInterface);
  return {
    scenario,
    expected,
    ...delivery,
    facts: { ...baseFacts(placeholderContext()), networkInterface, groupRules, ...networkFacts(n, groupRules, network.publicSubnet) },
    groupUsage: new Map(groups.map((g) => [g.groupId, usersPerGroup])),
  };
}

/** Events the parser must reject: a record without its id, a response without the interface, a non-object detail. */
function malformedEvent(n: number): unknown {
  const ni = customerInterface(n, [{ groupId: 'sg-0aaaaaaaaaaaaaaaa', groupName: 'x' }]);
  const record = createNetworkInterfaceRecord(toSdk(ni), { account: ACCOUNT, region: REGION, eventTime: '2026-11-28T03:00:00Z' });
  switch (n % 3) {
    case 0:
      return eventBridgeEnvelope({ ...record, eventID: undefined });
    case 1:
      return eventBridgeEnvelope({ ...record, responseElements: null });
    default:
      return { ...eventBridgeEnvelope(record), detail: 'truncated' };
  }
}

/** Facts are stored with this context; the bench replaces it with the one parsed from the event. */
function placeholderContext(): EventContext {
  return {
    eventId: 'placeholder',
    eventName: 'CreateNetworkInterface',
    eventTime: '2026-11-28T03:00:00Z',
    region: REGION,
    account: ACCOUNT,
    caller: { type: 'IAMUser', viaConsole: false, mfaAuthenticated: false },
  };
}

/**
 * `size` items in the proportions of MIX_WEIGHTS, spread evenly (smooth weighted round-robin, so
 * the same scenario rarely repeats back to back). Deterministic apart from CloudTrail request ids.
 */
export function buildMix(size = 200): MixItem[] {
  const scenarios = Object.keys(MIX_WEIGHTS) as MixScenario[];
  const total = scenarios.reduce((t, s) => t + MIX_WEIGHTS[s], 0);
  const credit = new Map<MixScenario, number>(scenarios.map((s) => [s, 0]));
  const items: MixItem[] = [];
  for (let n = 0; n < size; n += 1) {
    for (const s of scenarios) credit.set(s, credit.get(s)! + MIX_WEIGHTS[s]);
    let pick = scenarios[0]!;
    for (const s of scenarios) if (credit.get(s)! > credit.get(pick)!) pick = s;
    credit.set(pick, credit.get(pick)! - total);
    items.push(item(pick, n));
  }
  return items;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0').slice(-width);
}
