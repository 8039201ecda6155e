/**
 * An attacker who may create interfaces, tag them, name their sessions and write to the dead-letter
 * queue tries to steer the responder into hurting something, or to slip past it. Every case runs the
 * real responder wiring over mocked AWS clients and asserts what AWS would have been asked to do.
 * (The moto suite, `moto.test.ts`, repeats the cases whose truth lies in AWS's state.)
 */
import {
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  DescribeFlowLogsCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  TerminateInstancesCommand,
  type NetworkInterface,
  type NetworkInterfaceType,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { IAMClient, ListInstanceProfilesForRoleCommand, PutRolePolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { LogPort } from '../../lambda/app/ports';
import type { HandleResult, ResponderSettings } from '../../lambda/app/responder';
import { SnsAlertPublisher } from '../../lambda/adapters/sns';
import { parsePolicy, type Policy, type PolicyInput } from '../../lambda/core/policy';
import { createResponder } from '../../lambda/functions/wiring';
import { assumedRoleIdentity, createNetworkInterfaceRecord, eventBridgeEnvelope } from '../../scripts/lib/cloudtrail-events';

const ec2 = mockClient(EC2Client);
const iam = mockClient(IAMClient);
const sns = mockClient(SNSClient);

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/EniGuardResponder`;
const ENI = 'eni-0aaaaaaaaaaaaaaaa';
const GROUP = 'sg-0aaaaaaaaaaaaaaaa';
const VPC = 'vpc-0aaaaaaaaaaaaaaaa';
const SUBNET = 'subnet-0aaaaaaaaaaaaaaaa';
const VICTIM = 'i-0bbbbbbbbbbbbbbbb';
const VICTIM_ENI = 'eni-0bbbbbbbbbbbbbbbb';

const lines: { level: string; message: string; extra: Record<string, unknown> }[] = [];
const log: LogPort = {
  info: (message, extra = {}) => lines.push({ level: 'info', message, extra }),
  warn: (message, extra = {}) => lines.push({ level: 'warn', message, extra }),
  error: (message, extra = {}) => lines.push({ level: 'error', message, extra }),
};

const policy = (input: Partial<PolicyInput> = {}): Policy => parsePolicy({ version: 1, ...input });

/** The function as deployed in ACCOUNT/REGION: its own role, its own account and Region in scope. */
function responder(p: Policy = policy(), logger: LogPort = log) {
  const settings: ResponderSettings & Record<string, unknown> = {
    policy: p,
    responderRoleArn: ROLE,
    scope: { accounts: [ACCOUNT], regions: [REGION] },
  };
  return createResponder({
    ec2: new EC2Client({ region: REGION }),
    iam: new IAMClient({ region: REGION }),
    alerts: new SnsAlertPublisher(new SNSClient({ region: REGION }), `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`),
    log: logger,
    settings,
  });
}

const sshFromWorld: SecurityGroupRule = {
  SecurityGroupRuleId: 'sgr-0ssh',
  GroupId: GROUP,
  IsEgress: false,
  IpProtocol: 'tcp',
  FromPort: 22,
  ToPort: 22,
  CidrIpv4: '0.0.0.0/0',
};

/** What EC2 says about the attacker's interface: public, in GROUP (its only user), open on SSH to the world. */
function givenInterface(patch: Partial<NetworkInterface> = {}, rules: SecurityGroupRule[] = [sshFromWorld]) {
  const ni: NetworkInterface = {
    NetworkInterfaceId: ENI,
    VpcId: VPC,
    SubnetId: SUBNET,
    InterfaceType: 'interface',
    RequesterManaged: false,
    Groups: [{ GroupId: GROUP, GroupName: 'attacker' }],
    Association: { PublicIp: '203.0.113.10', IpOwnerId: 'amazon' },
    TagSet: [],
    ...patch,
  };
  ec2.on(DescribeNetworkInterfacesCommand, { NetworkInterfaceIds: [ENI] }).resolves({ NetworkInterfaces: [ni] });
  ec2.on(DescribeNetworkInterfacesCommand, { Filters: [{ Name: 'group-id', Values: [GROUP] }] }).resolves({ NetworkInterfaces: [ni] });
  ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: rules });
  return ni;
}

/** A CreateNetworkInterface event for ENI, as EventBridge delivers it, with parts of the record replaced. */
function createEvent(
  options: { userIdentity?: Record<string, unknown>; account?: string; record?: (r: Record<string, unknown>) => void } = {},
) {
  const record = createNetworkInterfaceRecord(
    { NetworkInterfaceId: ENI, SubnetId: SUBNET, VpcId: VPC, Groups: [{ GroupId: GROUP }] },
    {
      account: options.account ?? ACCOUNT,
      region: REGION,
      eventId: 'a1b2c3d4-0000-4000-8000-000000000001',
      ...(options.userIdentity ? { userIdentity: options.userIdentity } : {}),
    },
  );
  options.record?.(record);
  return eventBridgeEnvelope(record);
}

/** The `networkInterface` of a record's response, to edit what the event claims. */
const responseInterface = (record: Record<string, unknown>) =>
  (record['responseElements'] as Record<string, Record<string, unknown>>)['networkInterface']!;

const mutations = () =>
  [...ec2.calls(), ...iam.calls()]
    .map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, ''))
    .filter((name) => !/^(Describe|Get|List)/.test(name));

function decisions(result: HandleResult) {
  if (result.kind !== 'decided') throw new Error(`expected decisions, got ${JSON.stringify(result).slice(0, 400)}`);
  return result.decisions;
}

beforeEach(() => {
  ec2.reset();
  iam.reset();
  sns.reset();
  lines.length = 0;
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  ec2.onAnyCommand().resolves({});
  iam.onAnyCommand().resolves({});
  ec2.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [
      {
        RouteTableId: 'rtb-1',
        Associations: [{ Main: true }],
        Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1', State: 'active' }],
      },
    ],
  });
  ec2.on(DescribeNetworkAclsCommand).resolves({
    NetworkAcls: [
      {
        NetworkAclId: 'acl-1',
        IsDefault: true,
        Entries: [{ RuleNumber: 100, Egress: false, Protocol: '-1', RuleAction: 'allow', CidrBlock: '0.0.0.0/0' }],
      },
    ],
  });
  ec2
    .on(DescribeFlowLogsCommand)
    .resolves({ FlowLogs: [{ FlowLogId: 'fl-1', ResourceId: VPC, FlowLogStatus: 'ACTIVE', TrafficType: 'ALL' }] });
  ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
  // Whatever the responder decides to create, AWS creates: a steered remediation would go through.
  ec2.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-0999999999999999a' });
  ec2.on(CreateSnapshotCommand).resolves({ SnapshotId: 'snap-0999999999999999a' });
});

describe('instance credentials must be proven, never inferred from a session name', () => {
  const isolate = policy({
    rules: { 'world-open-ingress': { mode: 'notify' }, caller: { mode: 'remediate', isolateInstance: true, terminateInstance: true } },
  });
  const attackerRole = `arn:aws:iam::${ACCOUNT}:role/Mallory`;
  const appRole = `arn:aws:iam::${ACCOUNT}:role/app`;
  const profile = `arn:aws:iam::${ACCOUNT}:instance-profile/app`;

  /** The victim instance as EC2 describes it; `associated` is its instance profile, if any. */
  function givenVictim(associated: string | undefined) {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: VICTIM,
              VpcId: VPC,
              NetworkInterfaces: [{ NetworkInterfaceId: VICTIM_ENI, Groups: [{ GroupId: 'sg-0cccccccccccccccc' }] }],
              BlockDeviceMappings: [{ Ebs: { VolumeId: 'vol-0ccccccccccccccc' } }],
            },
          ],
        },
      ],
    });
    ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({
      IamInstanceProfileAssociations: associated
        ? [{ InstanceId: VICTIM, State: 'associated', IamInstanceProfile: { Arn: associated } }]
        : [],
    });
    iam.on(ListInstanceProfilesForRoleCommand).resolves({
      InstanceProfiles: [
        {
          Arn: profile,
          InstanceProfileName: 'app',
          InstanceProfileId: 'AIP',
          Path: '/',
          CreateDate: new Date(),
          Roles: [{ Arn: appRole, RoleName: 'app', RoleId: 'AR', Path: '/', CreateDate: new Date() }],
        },
      ],
    });
  }

  const victimTouched = () =>
    [
      ...ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand).filter((c) => c.args[0].input.NetworkInterfaceId === VICTIM_ENI),
      ...ec2.commandCalls(CreateSnapshotCommand),
      ...ec2.commandCalls(TerminateInstancesCommand),
      ...ec2.commandCalls(CreateTagsCommand).filter((c) => c.args[0].input.Resources?.includes(VICTIM)),
    ].length;

  it.each<[string, Record<string, unknown>]>([
    ['a session named after the victim (no ec2RoleDelivery)', assumedRoleIdentity(attackerRole, VICTIM)],
    [
      'a forged ec2RoleDelivery on a session of a role no instance profile of the victim carries',
      withDelivery(assumedRoleIdentity(attackerRole, VICTIM)),
    ],
    [
      'ec2RoleDelivery on a session named after another instance than described',
      withDelivery(assumedRoleIdentity(appRole, 'i-0dddddddddddddddd')),
    ],
    ['ec2RoleDelivery on a session whose name is no instance id', withDelivery(assumedRoleIdentity(appRole, `${VICTIM}-x`))],
  ])('never isolates or terminates the victim for %s', async (_name, identity) => {
    givenInterface();
    givenVictim(profile);
    await responder(isolate).handle(createEvent({ userIdentity: identity }));
    expect(victimTouched()).toBe(0);
  });

  it('never isolates the victim when EC2 says it carries no instance profile, even with ec2RoleDelivery and the app role', async () => {
    givenInterface();
    givenVictim(undefined);
    await responder(isolate).handle(createEvent({ userIdentity: withDelivery(assumedRoleIdentity(appRole, VICTIM)) }));
    expect(victimTouched()).toBe(0);
  });

  it('isolates (and, opted in, terminates) only when CloudTrail, EC2 and IAM agree: the control case', async () => {
    givenInterface();
    givenVictim(profile);
    await responder(isolate).handle(createEvent({ userIdentity: withDelivery(assumedRoleIdentity(appRole, VICTIM)) }));
    expect(ec2).toHaveReceivedCommandWith(ModifyNetworkInterfaceAttributeCommand, { NetworkInterfaceId: VICTIM_ENI });
    expect(ec2).toHaveReceivedCommandWith(TerminateInstancesCommand, { InstanceIds: [VICTIM] });
  });
});

function withDelivery(identity: Record<string, unknown>): Record<string, unknown> {
  const context = identity['sessionContext'] as Record<string, unknown>;
  return { ...identity, sessionContext: { ...context, ec2RoleDelivery: '2.0' } };
}

describe('a quarantine group is never one someone else planted', () => {
  const quarantine = policy({ remediation: { sharedGroups: 'quarantine', tagInterface: false } });
  const PLANTED = 'sg-0eeeeeeeeeeeeeeee';

  it('does not move the interface into a group tagged as the quarantine group, open to the world', async () => {
    givenInterface();
    // GROUP is shared: quarantine is planned.
    ec2.on(DescribeNetworkInterfacesCommand, { Filters: [{ Name: 'group-id', Values: [GROUP] }] }).resolves({
      NetworkInterfaces: [
        { NetworkInterfaceId: ENI, Groups: [{ GroupId: GROUP }] },
        { NetworkInterfaceId: 'eni-0ffffffffffffffff', Groups: [{ GroupId: GROUP }] },
      ],
    });
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        {
          GroupId: PLANTED,
          VpcId: VPC,
          GroupName: 'eni-guard-quarantine',
          Tags: [{ Key: 'eni-guard:quarantine', Value: 'true' }],
          IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        },
      ],
    });
    await responder(quarantine).handle(createEvent());
    const moved = ec2.commandCalls(ModifyNetworkInterfaceAttributeCommand).flatMap((c) => c.args[0].input.Groups ?? []);
    expect(moved).not.toContain(PLANTED);
    expect(ec2).toHaveReceivedCommand(CreateSecurityGroupCommand);
    // Its own group is created empty: the default egress rule is revoked before anything moves in.
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupEgressCommand, { GroupId: 'sg-0999999999999999a' });
  });
});

describe('exemptions are the policy owner’s to grant, not the interface owner’s', () => {
  const exemption = {
    id: 'bastions',
    rules: ['world-open-ingress'],
    match: { tag: { key: 'role', value: 'bastion' }, vpc: VPC },
    owner: 'security@example.com',
    reason: 'bastions of the VPN-less VPC',
    expires: '2099-12-31',
  };

  it('refuses a policy whose exemption any interface owner could grant themselves with a tag', () => {
    expect(() => policy({ exemptions: [{ ...exemption, match: { tag: exemption.match.tag } }] })).toThrow(/tag alone/);
  });

  it('refuses a tag exemption of caller findings (root, instance credentials): the caller sets the tags', () => {
    expect(() => policy({ exemptions: [{ ...exemption, rules: ['caller'] }] })).toThrow(/never exempted by a tag/);
  });

  it('does not exempt an open interface its creator tagged as exempt in the very CreateNetworkInterface call', async () => {
    givenInterface({ TagSet: [{ Key: 'role', Value: 'bastion' }] });
    const event = createEvent({
      record: (r) => {
        (r['requestParameters'] as Record<string, unknown>)['tagSpecificationSet'] = {
          items: [{ resourceType: 'network-interface', tags: [{ key: 'role', value: 'bastion' }] }],
        };
        responseInterface(r)['tagSet'] = { items: [{ key: 'role', value: 'bastion' }] };
      },
    });
    const [decision] = decisions(await responder(policy({ exemptions: [exemption] })).handle(event));
    expect(decision?.exempted).toEqual([]);
    expect(ec2).toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
  });

  it('never lets a "*" tag exemption silence a root-user finding', async () => {
    givenInterface({ TagSet: [{ Key: 'role', Value: 'bastion' }] });
    const root = { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT };
    const [decision] = decisions(
      await responder(policy({ exemptions: [{ ...exemption, rules: ['*'] }] })).handle(createEvent({ userIdentity: root })),
    );
    expect(decision?.findings.map((f) => f.ruleId)).toContain('caller');
  });

  it('honours a tag set beforehand, inside the bounds the policy gives it: the control case', async () => {
    givenInterface({ TagSet: [{ Key: 'role', Value: 'bastion' }] });
    const [decision] = decisions(await responder(policy({ exemptions: [exemption] })).handle(createEvent()));
    expect(decision?.exempted.map((e) => e.exemptionId)).toEqual(['bastions']);
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
  });
});

describe('accounts are bound: the responder acts only for the account it guards', () => {
  it('ignores an event about another account before any AWS call', async () => {
    givenInterface();
    const result = await responder().handle(createEvent({ account: '999999999999' }));
    expect(result).toMatchObject({ kind: 'ignored' });
    expect(ec2.calls()).toHaveLength(0);
  });

  it('refuses a record whose account disagrees with its envelope', async () => {
    givenInterface();
    const event = { ...createEvent(), account: '999999999999' };
    expect(await responder().handle(event)).toMatchObject({ kind: 'invalid' });
    expect(ec2.calls()).toHaveLength(0);
  });

  it("never revokes this account's Admin for a caller that is another account's Admin", async () => {
    givenInterface();
    const revoke = policy({ rules: { caller: { mode: 'remediate', allowedPrincipals: [`arn:aws:iam::${ACCOUNT}:role/Deploy`] } } });
    const foreignAdmin = assumedRoleIdentity('arn:aws:iam::999999999999:role/Admin', 'mallory');
    await responder(revoke).handle(createEvent({ userIdentity: { ...foreignAdmin, accountId: ACCOUNT } }));
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
  });

  it("never deactivates a key of this account's user for another account's user of the same name", async () => {
    givenInterface();
    const revoke = policy({ rules: { caller: { mode: 'remediate', allowedPrincipals: [`arn:aws:iam::${ACCOUNT}:role/Deploy`] } } });
    const foreignUser = {
      type: 'IAMUser',
      principalId: 'AIDAX',
      arn: 'arn:aws:iam::999999999999:user/alice',
      accountId: '999999999999',
      accessKeyId: 'AKIAEXAMPLEEXAMPLE01',
      userName: 'alice',
    };
    await responder(revoke).handle(createEvent({ userIdentity: foreignUser }));
    expect(iam).not.toHaveReceivedCommand(UpdateAccessKeyCommand);
  });
});

describe('a replayed or forged event is a pointer: what it claims is checked against AWS', () => {
  it.each<[string, (r: Record<string, unknown>) => void]>([
    ['requesterManaged: true', (r) => void (responseInterface(r)['requesterManaged'] = true)],
    ['a service-owned interface type', (r) => void (responseInterface(r)['interfaceType'] = 'vpc_endpoint')],
  ])('judges an interface the event claims is %s when EC2 says it is the customer’s', async (_name, forge) => {
    givenInterface();
    const [decision] = decisions(await responder().handle(createEvent({ record: forge })));
    expect(decision?.outcome).toBe('noncompliant');
    expect(ec2).toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
  });

  it.each<[string, Record<string, unknown>]>([
    [
      'a group id wildcard (AuthorizeSecurityGroupIngress)',
      { eventName: 'AuthorizeSecurityGroupIngress', requestParameters: { groupId: 'sg-*', ipPermissions: {} }, responseElements: {} },
    ],
    [
      'a group id wildcard (ModifySecurityGroupRules)',
      {
        eventName: 'ModifySecurityGroupRules',
        requestParameters: { ModifySecurityGroupRulesRequest: { GroupId: 'sg-0*' } },
        responseElements: {},
      },
    ],
    [
      'an instance id wildcard (AssociateAddress)',
      { eventName: 'AssociateAddress', requestParameters: { instanceId: 'i-*', allocationId: 'eipalloc-1' }, responseElements: {} },
    ],
    [
      'an instance id wildcard (RunInstances)',
      { eventName: 'RunInstances', requestParameters: {}, responseElements: { instancesSet: { items: [{ instanceId: 'i-?*' }] } } },
    ],
    [
      'an event id wildcard on a group change',
      {
        eventID: '*',
        eventName: 'AuthorizeSecurityGroupIngress',
        requestParameters: { groupId: GROUP, ipPermissions: {} },
        responseElements: {},
      },
    ],
  ])('never lets %s reach an EC2 filter', async (_name, patch) => {
    const record = {
      ...createNetworkInterfaceRecord(
        { NetworkInterfaceId: ENI, SubnetId: SUBNET, VpcId: VPC, Groups: [] },
        { account: ACCOUNT, region: REGION },
      ),
      ...patch,
    };
    await responder().handle(eventBridgeEnvelope(record));
    const filtered = ec2.commandCalls(DescribeNetworkInterfacesCommand).flatMap((c) => c.args[0].input.Filters ?? []);
    expect(filtered.flatMap((f) => f.Values ?? []).filter((v) => /[*?]/.test(v))).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    [
      'an IAM user whose record names the responder role as session issuer',
      {
        type: 'IAMUser',
        principalId: 'AIDAMALLORY',
        arn: `arn:aws:iam::${ACCOUNT}:user/mallory`,
        accountId: ACCOUNT,
        userName: 'mallory',
        sessionContext: { sessionIssuer: { type: 'Role', arn: ROLE, accountId: ACCOUNT, userName: 'EniGuardResponder' } },
      },
    ],
    [
      'a session of another role naming the responder role as issuer',
      {
        ...assumedRoleIdentity(`arn:aws:iam::${ACCOUNT}:role/Mallory`, 'x'),
        sessionContext: { sessionIssuer: { type: 'Role', arn: ROLE } },
      },
    ],
  ])('judges %s instead of skipping it as its own call', async (_name, identity) => {
    givenInterface();
    const result = await responder().handle(createEvent({ userIdentity: identity }));
    expect(result.kind).toBe('decided');
    expect(ec2).toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
  });
});

describe('interface types eni-guard does not know are judged, not skipped', () => {
  it.each([['trunk'], ['branch'], ['quantum_tunnel']])(
    'alerts about a world-open %s interface, and changes nothing on it',
    async (type) => {
      givenInterface({ InterfaceType: type as NetworkInterfaceType });
      const [decision] = decisions(
        await responder().handle(createEvent({ record: (r) => void (responseInterface(r)['interfaceType'] = type) })),
      );
      expect(decision?.outcome).toBe('noncompliant');
      expect(sns).toHaveReceivedCommand(PublishCommand);
      expect(mutations()).toEqual([]);
    },
  );
});

describe('no input makes the handler throw', () => {
  it('drops an invalid event nested 5,000 levels deep, logged by the real Powertools logger, without throwing', async () => {
    let nested: unknown = { leaf: true };
    for (let i = 0; i < 5_000; i += 1) nested = { nested };
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const logger = new Logger({ serviceName: 'eni-guard-adversarial' });
      const result = await responder(policy(), logger).handle({
        'detail-type': 'AWS API Call via CloudTrail',
        source: 'aws.ec2',
        detail: { eventName: 'CreateNetworkInterface', nested },
      });
      expect(result.kind).toBe('invalid');
    } finally {
      write.mockRestore();
    }
  });
});
