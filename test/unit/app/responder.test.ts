import {
  DescribeFlowLogsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupIngressCommand,
  type NetworkInterface,
  type NetworkInterfaceType,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { IAMClient } from '@aws-sdk/client-iam';
import { AwsCallError, type LedgerPort, type LogPort } from '../../../lambda/app/ports';
import { SnsAlertPublisher } from '../../../lambda/adapters/sns';
import { parsePolicy, type Policy } from '../../../lambda/core/policy';
import { RULES } from '../../../lambda/core/rules/index';
import { AlertDeliveryError } from '../../../lambda/app/delivery';
import { ClaimHeldError, RemediationIncompleteError } from '../../../lambda/app/retry';
import type { LedgerEntry } from '../../../lambda/core/ledger';
import { revokeIngress } from '../../../lambda/core/plan/network';
import { type Responder, type HandleResult } from '../../../lambda/app/responder';
import { createResponder } from '../../../lambda/functions/wiring';
import { assumedRoleIdentity, createNetworkInterfaceRecord, eventBridgeEnvelope } from '../../../scripts/lib/cloudtrail-events';
import { realRecord } from '../../support/fixtures';
import { MemoryLedger } from '../../support/memory-ledger';
import { mockPublicSubnet } from '../../support/mocked-ec2';

const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:alerts';
const ROLE = 'arn:aws:iam::123456789012:role/EniGuardResponder';
const ENI = 'eni-0123456789abcdef0';
const log: LogPort & { lines: { level: string; message: string; extra: Record<string, unknown> }[] } = {
  lines: [],
  info(message, extra = {}) {
    this.lines.push({ level: 'info', message, extra });
  },
  warn(message, extra = {}) {
    this.lines.push({ level: 'warn', message, extra });
  },
  error(message, extra = {}) {
    this.lines.push({ level: 'error', message, extra });
  },
};

/** The default policy without interface tagging, so single-action tests see exactly one action. */
const UNTAGGED = parsePolicy({ version: 1, remediation: { tagInterface: false } });

function responder(policy: Policy = UNTAGGED, ledger?: LedgerPort): Responder {
  // The production wiring, over mocked SDK clients.
  return createResponder({
    ec2: new EC2Client({ region: 'eu-west-1' }),
    iam: new IAMClient({ region: 'eu-west-1' }),
    alerts: new SnsAlertPublisher(new SNSClient({ region: 'eu-west-1' }), TOPIC),
    log,
    settings: { policy, responderRoleArn: ROLE },
    ...(ledger ? { ledger } : {}),
  });
}

const event = (overrides: { userIdentity?: Record<string, unknown>; requesterManaged?: boolean } = {}) =>
  eventBridgeEnvelope(
    createNetworkInterfaceRecord(
      {
        NetworkInterfaceId: ENI,
        SubnetId: 'subnet-1',
        VpcId: 'vpc-1',
        Groups: [{ GroupId: 'sg-1' }],
        RequesterManaged: overrides.requesterManaged ?? false,
      },
      {
        account: '123456789012',
        region: 'eu-west-1',
        eventId: 'evt-1',
        ...(overrides.userIdentity ? { userIdentity: overrides.userIdentity } : {}),
      },
    ),
  );

const ssh: SecurityGroupRule = {
  SecurityGroupRuleId: 'sgr-ssh',
  GroupId: 'sg-1',
  IsEgress: false,
  IpProtocol: 'tcp',
  FromPort: 22,
  ToPort: 22,
  CidrIpv4: '0.0.0.0/0',
};
const https: SecurityGroupRule = {
  SecurityGroupRuleId: 'sgr-https',
  GroupId: 'sg-1',
  IsEgress: false,
  IpProtocol: 'tcp',
  FromPort: 443,
  ToPort: 443,
  CidrIpv4: '0.0.0.0/0',
};
const egress: SecurityGroupRule = {
  SecurityGroupRuleId: 'sgr-out',
  GroupId: 'sg-1',
  IsEgress: true,
  IpProtocol: '-1',
  FromPort: -1,
  ToPort: -1,
  CidrIpv4: '0.0.0.0/0',
};

function givenInterface(options: { users?: number; requesterManaged?: boolean; interfaceType?: string; publicIp?: boolean } = {}) {
  const ni: NetworkInterface = {
    NetworkInterfaceId: ENI,
    VpcId: 'vpc-1',
    SubnetId: 'subnet-1',
    InterfaceType: (options.interfaceType ?? 'interface') as NetworkInterfaceType,
    RequesterManaged: options.requesterManaged ?? false,
    Groups: [{ GroupId: 'sg-1', GroupName: 'web' }],
    ...(options.publicIp === false ? {} : { Association: { PublicIp: '203.0.113.10', IpOwnerId: 'amazon' } }),
  };
  ec2.on(DescribeNetworkInterfacesCommand, { NetworkInterfaceIds: [ENI] }).resolves({ NetworkInterfaces: [ni] });
  const users = Array.from({ length: options.users ?? 1 }, (_, i) => ({ ...ni, NetworkInterfaceId: i === 0 ? ENI : `eni-other${i}` }));
  ec2.on(DescribeNetworkInterfacesCommand, { Filters: [{ Name: 'group-id', Values: ['sg-1'] }] }).resolves({ NetworkInterfaces: users });
}

function decisions(result: HandleResult) {
  if (result.kind !== 'decided') throw new Error(`expected decisions, got ${JSON.stringify(result)}`);
  return result.decisions;
}

beforeEach(() => {
  ec2.reset();
  sns.reset();
  log.lines = [];
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  // No copy an interrupted attempt left behind.
  ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
  mockPublicSubnet(ec2);
});

describe('Responder with the real adapters and mocked AWS clients', () => {
  it('revokes exactly the offending rule of an unshared group, verifies it, and alerts once', async () => {
    givenInterface();
    ec2
      .on(DescribeSecurityGroupRulesCommand)
      .resolvesOnce({ SecurityGroupRules: [ssh, https, egress] })
      .resolves({ SecurityGroupRules: [https, egress] });
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });

    const [decision] = decisions(await responder().handle(event()));

    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, { GroupId: 'sg-1', SecurityGroupRuleIds: ['sgr-ssh'] });
    expect(decision).toMatchObject({ outcome: 'noncompliant', results: [{ status: 'succeeded', verified: true }] });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const publish = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(publish).toMatchObject({
      TopicArn: TOPIC,
      MessageStructure: 'json',
      MessageAttributes: { severity: { DataType: 'String', StringValue: 'critical' }, response: { StringValue: 'remediated' } },
    });
    const message = JSON.parse(publish.Message!);
    // Protocols without their own key (sqs, lambda, https, email-json) get `default`: each copy counts against SNS's 256 KiB.
    expect(Object.keys(message)).toEqual(['default', 'email']);
    expect(JSON.parse(message.default)).toMatchObject({ eventId: 'evt-1', response: 'remediated' });
    expect(log.lines.find((l) => l.message === 'interface decided')?.extra).toMatchObject({ eventId: 'evt-1', outcome: 'noncompliant' });
  });

  it('reads five things for a compliant interface cold, and only the interface and its rules warm; no alert', async () => {
    givenInterface({ publicIp: false });
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [https, egress] });
    const warm = responder();

    const [cold] = decisions(await warm.handle(event()));
    expect(cold?.outcome).toBe('compliant');
    expect(
      ec2
        .calls()
        .map((c) => c.args[0].constructor.name)
        .sort(),
    ).toEqual([
      'DescribeFlowLogsCommand',
      'DescribeNetworkAclsCommand',
      'DescribeNetworkInterfacesCommand',
      'DescribeRouteTablesCommand',
      'DescribeSecurityGroupRulesCommand',
    ]);

    ec2.resetHistory();
    await warm.handle(event());
    expect(
      ec2
        .calls()
        .map((c) => c.args[0].constructor.name)
        .sort(),
    ).toEqual(['DescribeNetworkInterfacesCommand', 'DescribeSecurityGroupRulesCommand']);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('reads nothing about the instance, flow logs or routes when the rules that need them are off', async () => {
    givenInterface({ publicIp: false });
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [https] });
    const only = parsePolicy({
      version: 1,
      rules: Object.fromEntries(RULES.map((r) => [r.id, { mode: r.id === 'caller' ? 'notify' : 'off' }])),
    });
    await responder(only).handle(event());
    expect(ec2.calls()).toHaveLength(2);
  });

  it('fails closed to notify when a fact cannot be read for a permanent reason, and says why', async () => {
    givenInterface();
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [ssh] });
    ec2
      .on(DescribeFlowLogsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation', $fault: 'client' }));
    const [decision] = decisions(await responder().handle(event()));
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
    expect(decision?.ruleErrors).toEqual([
      { ruleId: 'vpc-flow-logs', message: expect.stringContaining('DescribeFlowLogs failed: UnauthorizedOperation') },
    ]);
    expect(decision?.plan?.withheld[0]?.reason).toContain('fails closed');
    const message = JSON.parse(JSON.parse(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!).default);
    expect(message.ruleErrors).toHaveLength(1);
  });

  it('retries (throws) when a fact read is throttled, instead of deciding on partial facts', async () => {
    givenInterface();
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [ssh] });
    ec2
      .on(DescribeRouteTablesCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded', $fault: 'client' }));
    await expect(responder().handle(event())).rejects.toThrow('DescribeRouteTables failed: RequestLimitExceeded');
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
  });

  it('leaves a group shared with another interface untouched and says so (sharedGroups: withhold)', async () => {
    givenInterface({ users: 2 });
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [ssh, https] });
    const policy = parsePolicy({ version: 1, remediation: { sharedGroups: 'withhold' } });
    const [decision] = decisions(await responder(policy).handle(event()));
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
    expect(decision?.plan?.withheld[0]?.reason).toContain('shared by 2 interfaces');
    expect(JSON.parse(JSON.parse(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!).default)).toMatchObject({
      response: 'notified',
    });
  });

  it.each([
    ['notify mode', parsePolicy({ version: 1, rules: { 'world-open-ingress': { mode: 'notify' } } }), 'notified'],
    ['dry-run (shared group)', parsePolicy({ version: 1, dryRun: true }), 'dry-run'],
    ['dry-run', parsePolicy({ version: 1, dryRun: true }), 'dry-run'],
  ])('changes nothing in %s, but alerts', async (_name, policy, response) => {
    givenInterface();
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [ssh] });
    await responder(policy).handle(event());
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.MessageAttributes?.['response']?.StringValue).toBe(response);
  });

  it("skips a requester-managed interface (the real EFS record) on EC2's word: one read, nothing else", async () => {
    givenInterface({ requesterManaged: true });
    const result = await responder().handle(eventBridgeEnvelope(realRecord('efs-service-linked-role-requester-managed.json')));
    expect(decisions(result)[0]).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('requester-managed') });
    expect(ec2.calls()).toHaveLength(1);
    expect(sns.calls()).toHaveLength(0);
  });

  it("makes no AWS call for the responder's own calls", async () => {
    const result = await responder().handle(event({ userIdentity: assumedRoleIdentity(ROLE, 'eni-guard') }));
    expect(result).toMatchObject({ kind: 'ignored', reason: 'own-call' });
    expect(ec2.calls()).toHaveLength(0);
  });

  it('skips an interface EC2 now reports as service-owned, even if the event did not say so', async () => {
    givenInterface({ interfaceType: 'vpc_endpoint', requesterManaged: true });
    const [decision] = decisions(await responder().handle(event()));
    expect(decision).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('vpc_endpoint') });
    expect(ec2.calls()).toHaveLength(1);
  });

  it('reports an interface that is already gone, without crashing or alerting', async () => {
    ec2
      .on(DescribeNetworkInterfacesCommand)
      .rejects(Object.assign(new Error("The networkInterface ID 'eni-…' does not exist"), { name: 'InvalidNetworkInterfaceID.NotFound' }));
    const [decision] = decisions(await responder().handle(event()));
    expect(decision?.outcome).toBe('gone');
    expect(sns.calls()).toHaveLength(0);
  });

  it('reports a revoke that failed as failed, with the AWS error, and still alerts', async () => {
    givenInterface();
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [ssh] });
    ec2
      .on(RevokeSecurityGroupIngressCommand)
      .rejects(Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' }));
    const [decision] = decisions(await responder().handle(event()));
    expect(decision?.results).toEqual([
      expect.objectContaining({
        status: 'failed',
        error: expect.stringContaining('RevokeSecurityGroupIngress failed: UnauthorizedOperation'),
      }),
    ]);
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.MessageAttributes?.['response']?.StringValue).toBe('remediation-failed');
  });

  it('does not claim success when the re-read still shows the rule', async () => {
    givenInterface();
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [ssh] });
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    const [decision] = decisions(await responder().handle(event()));
    expect(decision?.results[0]).toMatchObject({
      status: 'succeeded',
      verified: false,
      verification: 're-read sg-1: still present sgr-ssh',
    });
  });

  it('throws a typed error for a read failure so the event is retried, then dead-lettered', async () => {
    ec2.on(DescribeNetworkInterfacesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }));
    await expect(responder().handle(event())).rejects.toThrow(AwsCallError);
    await expect(responder().handle(event())).rejects.toThrow('DescribeNetworkInterfaces failed: RequestLimitExceeded');
  });

  it('throws when the alert cannot be delivered, after logging the whole alert', async () => {
    givenInterface({ users: 2 });
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [ssh] });
    sns.on(PublishCommand).rejects(Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException' }));
    await expect(responder().handle(event())).rejects.toThrow(AlertDeliveryError);
    expect(log.lines.find((l) => l.message === 'alert not delivered')?.extra).toMatchObject({
      eventId: 'evt-1',
      alert: { eventId: 'evt-1' },
    });
  });

  it('drops a malformed event with a logged reason instead of throwing (a retry cannot fix it)', async () => {
    const result = await responder().handle({
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.ec2',
      detail: { eventName: 'CreateNetworkInterface' },
    });
    expect(result).toMatchObject({ kind: 'invalid' });
    expect(log.lines[0]).toMatchObject({ level: 'error', message: 'event rejected: malformed' });
    expect(ec2.calls()).toHaveLength(0);
  });
});

describe('Responder remediation: shared groups, half-done actions, duplicates', () => {
  it('gives an interface on a shared group a copy without the offending rule, and never edits the shared group', async () => {
    givenInterface({ users: 2 });
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [ssh, https, egress] });
    ec2.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-copy' });
    ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
    ec2.on(ModifyNetworkInterfaceAttributeCommand).resolves({});
    // After the swap EC2 reports the copy on the interface.
    ec2
      .on(DescribeNetworkInterfacesCommand, { NetworkInterfaceIds: [ENI] })
      .resolvesOnce({
        NetworkInterfaces: [{ NetworkInterfaceId: ENI, VpcId: 'vpc-1', SubnetId: 'subnet-1', Groups: [{ GroupId: 'sg-1' }] }],
      })
      .resolves({
        NetworkInterfaces: [{ NetworkInterfaceId: ENI, VpcId: 'vpc-1', SubnetId: 'subnet-1', Groups: [{ GroupId: 'sg-copy' }] }],
      });

    const [decision] = decisions(await responder().handle(event()));

    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
    expect(ec2).toHaveReceivedCommandWith(AuthorizeSecurityGroupIngressCommand, {
      GroupId: 'sg-copy',
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    expect(ec2).toHaveReceivedCommandWith(ModifyNetworkInterfaceAttributeCommand, { NetworkInterfaceId: ENI, Groups: ['sg-copy'] });
    expect(decision?.results[0]).toMatchObject({ status: 'succeeded', verified: true, outputs: { 'copy-of-sg-1': 'sg-copy' } });
  });

  it('deletes a half-made copy when the swap fails, and reports which call failed', async () => {
    givenInterface({ users: 2 });
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [ssh, https, egress] });
    ec2.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-copy' });
    ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
    ec2.on(ModifyNetworkInterfaceAttributeCommand).rejects(
      Object.assign(new Error('You have reached the maximum number of security groups'), {
        name: 'SecurityGroupsPerInterfaceLimitExceeded',
      }),
    );
    ec2.on(DeleteSecurityGroupCommand).resolves({});

    const [decision] = decisions(await responder().handle(event()));

    expect(ec2).toHaveReceivedCommandWith(DeleteSecurityGroupCommand, { GroupId: 'sg-copy' });
    expect(decision?.results[0]).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(
        /^ModifyNetworkInterfaceAttribute: .*SecurityGroupsPerInterfaceLimitExceeded.*rolled back: DeleteSecurityGroup ok/,
      ),
    });
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.MessageAttributes?.['response']?.StringValue).toBe('remediation-failed');
  });

  it('acts and alerts once when the same event is delivered three times (ledger)', async () => {
    givenInterface();
    // Revoked: every read after the first sees SSH gone.
    ec2
      .on(DescribeSecurityGroupRulesCommand)
      .resolvesOnce({ SecurityGroupRules: [ssh, https] })
      .resolves({ SecurityGroupRules: [https] });
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    const ledger = new MemoryLedger();
    const guard = responder(UNTAGGED, ledger);

    const outcomes = [];
    for (let i = 0; i < 3; i += 1) outcomes.push(decisions(await guard.handle(event()))[0]?.outcome);

    expect(outcomes).toEqual(['noncompliant', 'duplicate', 'duplicate']);
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const [entry] = [...ledger.entries.values()].map((e) => e.entry);
    expect(entry).toMatchObject({
      ledgerId: `evt-1/${ENI}`,
      status: 'completed',
      alertSent: true,
      attempt: 1,
      preState: { networkInterface: { networkInterfaceId: ENI } },
      findings: [
        expect.objectContaining({ ruleId: 'world-open-ingress', severity: 'critical' }),
        expect.objectContaining({ ruleId: 'public-ip' }),
      ],
    });
  });

  it('publishes the recorded alert on redelivery when the first publish failed, without acting again', async () => {
    givenInterface();
    ec2
      .on(DescribeSecurityGroupRulesCommand)
      .resolvesOnce({ SecurityGroupRules: [ssh] })
      .resolves({ SecurityGroupRules: [] });
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    sns
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('throttled'), { name: 'Throttled' }))
      .resolves({ MessageId: 'm-2' });
    const ledger = new MemoryLedger();
    const guard = responder(UNTAGGED, ledger);

    await expect(guard.handle(event())).rejects.toThrow(AlertDeliveryError);
    const [retry] = decisions(await guard.handle(event()));

    expect(retry?.outcome).toBe('duplicate');
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect([...ledger.entries.values()][0]?.entry.alertSent).toBe(true);
  });

  it('lets another delivery take over a claim whose holder died once the lease has expired', async () => {
    givenInterface();
    ec2
      .on(DescribeSecurityGroupRulesCommand)
      .resolvesOnce({ SecurityGroupRules: [ssh] })
      .resolves({ SecurityGroupRules: [] });
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    const ledger = new MemoryLedger();
    const stale = {
      ledgerId: `evt-1/${ENI}`,
      eventId: 'evt-1',
      networkInterfaceId: ENI,
      status: 'in-progress' as const,
      createdAt: '2026-11-28T00:00:00Z',
    };
    ledger.entries.set(stale.ledgerId, { entry: stale, leaseUntil: Date.now() - 1000 });

    const [decision] = decisions(await responder(UNTAGGED, ledger).handle(event()));

    expect(decision?.outcome).toBe('noncompliant');
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 1);
  });
});

describe('Responder after a crash: held claims, takeovers, retries', () => {
  const stale = (leaseUntil: number, extra: Partial<LedgerEntry> = {}) => ({
    entry: {
      ledgerId: `evt-1/${ENI}`,
      eventId: 'evt-1',
      networkInterfaceId: ENI,
      status: 'in-progress' as const,
      createdAt: '2026-11-28T00:00:00Z',
      attempt: 1,
      findings: [{ ruleId: 'world-open-ingress', severity: 'critical' as const, title: 'sg-1 admits the whole internet on tcp/22' }],
      ...extra,
    },
    leaseUntil,
  });
  const revokeSsh = revokeIngress(
    'world-open-ingress',
    'sg-1',
    ['sgr-ssh'],
    [{ ruleId: 'sgr-ssh', groupId: 'sg-1', isEgress: false, protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' }],
    1,
  );

  it('fails a delivery that finds the claim still held (a live holder, or a dead one inside its lease): never "duplicate"', async () => {
    givenInterface();
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [ssh] });
    const ledger = new MemoryLedger();
    ledger.entries.set(`evt-1/${ENI}`, stale(Date.now() + 60_000));

    await expect(responder(UNTAGGED, ledger).handle(event())).rejects.toThrow(ClaimHeldError);
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('takes over a dead claim whose fix took: records it as recovered, does not do it again, and alerts once', async () => {
    givenInterface();
    // The dead attempt revoked SSH before it could record it: the interface reads compliant now.
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [https] });
    const ledger = new MemoryLedger();
    ledger.entries.set(`evt-1/${ENI}`, stale(Date.now() - 1000, { plan: { mode: 'remediate', actions: [revokeSsh], withheld: [] } }));

    const [decision] = decisions(await responder(UNTAGGED, ledger).handle(event()));

    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
    expect(decision?.results.map((r) => [r.action.kind, r.status, r.verified, r.calls.map((c) => c.outcome)])).toEqual([
      ['revoke-ingress', 'succeeded', true, ['recovered']],
    ]);
    expect(decision?.possibleRepeat).toBeDefined();
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.MessageAttributes?.['response']?.StringValue).toBe('remediated');
    expect((await ledger.get(`evt-1/${ENI}`))?.status).toBe('completed');
  });

  it('records a fix that failed on a transient error as incomplete and fails the delivery; the next one retries it', async () => {
    givenInterface();
    // Read by attempt 1, then by attempt 2 (its facts, its reconciliation): SSH is there until attempt 2 revokes it.
    ec2
      .on(DescribeSecurityGroupRulesCommand)
      .resolvesOnce({ SecurityGroupRules: [ssh] })
      .resolvesOnce({ SecurityGroupRules: [ssh] })
      .resolvesOnce({ SecurityGroupRules: [ssh] })
      .resolves({ SecurityGroupRules: [] });
    ec2
      .on(RevokeSecurityGroupIngressCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } }))
      .resolves({ Return: true });
    const ledger = new MemoryLedger();
    const guard = responder(UNTAGGED, ledger);

    await expect(guard.handle(event())).rejects.toThrow(RemediationIncompleteError);
    expect((await ledger.get(`evt-1/${ENI}`))?.status).toBe('incomplete');
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    const [retry] = decisions(await guard.handle(event()));

    expect(retry?.results.map((r) => [r.status, r.superseded, r.attempt])).toEqual([
      ['failed', 'retried by attempt 2', undefined],
      ['succeeded', undefined, 2],
    ]);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.MessageAttributes?.['response']?.StringValue).toBe('remediated');
  });
});
