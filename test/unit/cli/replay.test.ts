/**
 * `evaluate` and `respond` in-process, over the real responder and adapters with mocked AWS clients:
 * what each may call, what they print, and their exit codes.
 */
import {
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EXIT } from '../../../lambda/cli/command';
import { exitCodeOf, type EventReport } from '../../../lambda/cli/replay';
import type { Decision } from '../../../lambda/core/decision';
import { createNetworkInterfaceRecord, eventBridgeEnvelope } from '../../../scripts/lib/cloudtrail-events';
import { CONTEXT } from '../../support/fixtures';
import { realRecord } from '../../support/fixtures';
import { mockPublicSubnet } from '../../support/mocked-ec2';
import { cli, jsonLines, tempDir, writeFiles } from './io';

const ec2 = mockClient(EC2Client);
const sns = mockClient(SNSClient);
// `respond` acts only for the account of its credentials: STS says which.
const sts = mockClient(STSClient);
const ENI = 'eni-0123456789abcdef0';
/** The interface of the EFS record (requester-managed). */
const EFS_ENI = 'eni-0eeeeeeeeeeeeeeee';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:alerts';
const rule = (id: string, port: number): SecurityGroupRule => ({
  SecurityGroupRuleId: id,
  GroupId: 'sg-1',
  IsEgress: false,
  IpProtocol: 'tcp',
  FromPort: port,
  ToPort: port,
  CidrIpv4: '0.0.0.0/0',
});
const record = createNetworkInterfaceRecord(
  { NetworkInterfaceId: ENI, SubnetId: 'subnet-1', VpcId: 'vpc-1', Groups: [{ GroupId: 'sg-1' }] },
  { account: '123456789012', region: 'eu-west-1', eventId: 'evt-1' },
);

/** A public, flow-logged interface in sg-1 (its only user) whose rules are `rules`, then `after` once revoked. */
function given(rules: SecurityGroupRule[], after: SecurityGroupRule[] = rules) {
  const ni = {
    NetworkInterfaceId: ENI,
    VpcId: 'vpc-1',
    SubnetId: 'subnet-1',
    InterfaceType: 'interface' as const,
    Groups: [{ GroupId: 'sg-1' }],
  };
  ec2.on(DescribeNetworkInterfacesCommand, { NetworkInterfaceIds: [ENI] }).resolves({ NetworkInterfaces: [ni] });
  ec2.on(DescribeNetworkInterfacesCommand, { Filters: [{ Name: 'group-id', Values: ['sg-1'] }] }).resolves({ NetworkInterfaces: [ni] });
  ec2.on(DescribeSecurityGroupRulesCommand).resolvesOnce({ SecurityGroupRules: rules }).resolves({ SecurityGroupRules: after });
  ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
  mockPublicSubnet(ec2);
}

let dir: string;
beforeEach(() => {
  ec2.reset();
  sns.reset();
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/operator' });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  dir = writeFiles(tempDir(), {
    'event.json': eventBridgeEnvelope(record),
    'raw.json': record,
    // The real EFS record, its interface renamed so the mocks can tell it from event.json's.
    'efs.json': JSON.parse(
      JSON.stringify(realRecord('efs-service-linked-role-requester-managed.json')).replaceAll('eni-0123456789abcdef0', EFS_ENI),
    ) as unknown,
  });
});

describe('eni-guard evaluate', () => {
  it('prints the decision and the plan, exits 1 for a non-compliant interface, and changes and publishes nothing', async () => {
    given([rule('sgr-ssh', 22), rule('sgr-https', 443)]);
    const run = await cli(['evaluate', '--event', 'event.json'], { cwd: dir });

    expect(run.code).toBe(EXIT.findings);
    expect(run.stdout).toContain(`${ENI}: noncompliant — response: dry-run`);
    expect(run.stdout).toContain('alert (not sent: evaluate changes nothing and publishes nothing)');
    expect(run.stdout).toContain('Dry run — would have called:');
    expect(run.stdout).toContain('RevokeSecurityGroupIngress GroupId=sg-1 SecurityGroupRuleIds=sgr-ssh');
    expect(run.stdout).toMatch(/1 event\(s\), 1 interface\(s\): 1 noncompliant; 1 alert\(s\) not sent; nothing changed \(dry run\)\.\n$/);
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it('prints, with --output json, the alert document per decision', async () => {
    given([rule('sgr-ssh', 22)]);
    const run = await cli(['evaluate', '--event', 'raw.json', '--output', 'json'], { cwd: dir });

    expect(run.code).toBe(EXIT.findings);
    const [document, ...rest] = jsonLines(run);
    expect(rest).toEqual([]);
    expect(document).toMatchObject({
      schemaVersion: '2',
      product: 'eni-guard',
      eventId: 'evt-1',
      outcome: 'noncompliant',
      response: 'dry-run',
      networkInterface: { id: ENI },
      findings: [expect.objectContaining({ ruleId: 'world-open-ingress', severity: 'high', evidence: expect.any(Object) })],
      plan: {
        mode: 'dry-run',
        actions: [
          expect.objectContaining({ kind: 'revoke-ingress', calls: [expect.stringContaining('sgr-ssh')] }),
          expect.objectContaining({ kind: 'tag-interface' }),
        ],
      },
    });
  });

  it("exits 0 for a compliant interface and a requester-managed one (skipped on EC2's word, not the event's)", async () => {
    given([rule('sgr-https', 443)]);
    ec2
      .on(DescribeNetworkInterfacesCommand, { NetworkInterfaceIds: [EFS_ENI] })
      .resolves({ NetworkInterfaces: [{ NetworkInterfaceId: EFS_ENI, InterfaceType: 'interface', RequesterManaged: true, Groups: [] }] });
    const run = await cli(['evaluate', '--event', 'event.json', '--event', 'efs.json', '--output', 'json'], { cwd: dir });

    expect(run.code).toBe(EXIT.ok);
    expect(jsonLines(run).map((d) => [d['outcome'], d['response'], d['reason']])).toEqual([
      ['compliant', expect.any(String), undefined],
      ['skipped', 'none', 'requester-managed: EC2 reports the interface interface as requester-managed by an AWS service'],
    ]);
    expect(
      ec2
        .calls()
        .filter(
          (c) => JSON.stringify(c.args[0].input).includes('0123456789abcdef0') && c.args[0] instanceof DescribeNetworkInterfacesCommand,
        ),
    ).toHaveLength(1);
  });

  it('exits 3 for a malformed event, and reports ignored ones without failing', async () => {
    writeFiles(dir, {
      'mixed.jsonl': [
        JSON.stringify({ ...record, eventID: undefined }),
        JSON.stringify({ ...record, errorCode: 'Client.DryRunOperation' }),
      ].join('\n'),
    });
    const run = await cli(['evaluate', '--event', 'mixed.jsonl'], { cwd: dir });

    expect(run.code).toBe(EXIT.error);
    expect(run.stdout).toContain('── mixed.jsonl:1: INVALID event, not evaluated:\n     - eventID: required string is missing');
    expect(run.stdout).toContain('── mixed.jsonl:2: ignored (dry-run): Client.DryRunOperation');
    expect(ec2.calls()).toHaveLength(0);
  });

  it('exits 3 and names the event when AWS fails, and goes on with the next event', async () => {
    ec2.on(DescribeNetworkInterfacesCommand).rejects(Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation' }));
    const run = await cli(['evaluate', '--event', 'event.json', '--event', 'efs.json', '--output', 'json'], { cwd: dir });

    expect(run.code).toBe(EXIT.error);
    expect(jsonLines(run)).toEqual([
      { product: 'eni-guard', source: 'event.json', kind: 'error', error: expect.stringContaining('UnauthorizedOperation') },
      // Even a requester-managed interface is described before it is skipped: that event fails the same way, and is still tried.
      { product: 'eni-guard', source: 'efs.json', kind: 'error', error: expect.stringContaining('UnauthorizedOperation') },
    ]);
  });

  it('names an unreadable event file or an invalid policy, and exits 3', async () => {
    const missing = await cli(['evaluate', '--event', 'nowhere.json'], { cwd: dir });
    expect(missing).toMatchObject({ code: EXIT.error, stderr: expect.stringContaining('cannot read events from nowhere.json') });
    writeFiles(dir, { 'bad-policy.json': { version: 1, dryRun: 'sometimes' } });
    const policy = await cli(['evaluate', '--event', 'event.json', '--policy', 'bad-policy.json'], { cwd: dir });
    expect(policy).toMatchObject({ code: EXIT.error, stderr: expect.stringContaining('bad-policy.json: policy file') });
    expect(policy.stderr).toContain('dryRun: ');
  });
});

describe('eni-guard respond', () => {
  it('remediates and publishes as the function does; the printed document is the one SNS carries', async () => {
    given([rule('sgr-ssh', 22), rule('sgr-https', 443)], [rule('sgr-https', 443)]);
    // Interface tagging verifies against a re-read the mock cannot show; the fix itself is what this test is about.
    writeFiles(dir, { 'untagged.json': { version: 1, remediation: { tagInterface: false } } });
    const run = await cli(['respond', '--event', 'event.json', '--policy', 'untagged.json', '--output', 'json'], {
      cwd: dir,
      env: { ALERT_TOPIC_ARN: TOPIC },
    });

    expect(run.code).toBe(EXIT.findings);
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, { GroupId: 'sg-1', SecurityGroupRuleIds: ['sgr-ssh'] });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const published = JSON.parse(JSON.parse(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!).default as string);
    expect(jsonLines(run)).toEqual([published]);
    expect(published).toMatchObject({ response: 'remediated' });
  });

  it('says where the alert went, in text', async () => {
    given([rule('sgr-ssh', 22)], []);
    const run = await cli(['respond', '--event', 'event.json', '--topic-arn', TOPIC], { cwd: dir });
    expect(run.stdout).toContain(`alert published to ${TOPIC}, as an e-mail subscriber reads it:`);
    expect(run.stdout).toContain('Subject: [eni-guard] HIGH world-open-ingress');
    expect(run.stdout).toContain('1 alert(s) published.');
  });

  it('exits 3 when the alert cannot be published', async () => {
    given([rule('sgr-ssh', 22)], []);
    sns.on(PublishCommand).rejects(Object.assign(new Error('topic does not exist'), { name: 'NotFound' }));
    const run = await cli(['respond', '--event', 'event.json', '--topic-arn', TOPIC], { cwd: dir });
    expect(run.code).toBe(EXIT.error);
    expect(run.stdout).toContain('── event.json: FAILED: alert for event evt-1 could not be published');
  });
});

describe('exitCodeOf', () => {
  const decision = (overrides: Partial<Decision>): Decision => ({
    context: CONTEXT,
    networkInterfaceId: ENI,
    outcome: 'compliant',
    findings: [],
    exempted: [],
    expiredExemptions: [],
    ruleErrors: [],
    results: [],
    ...overrides,
  });
  const decided = (...decisions: Decision[]): EventReport => ({
    source: 'e',
    alerts: [],
    result: { kind: 'decided', eventId: 'x', decisions },
  });
  it.each<[string, EventReport[], number]>([
    ['nothing at all', [], 0],
    ['compliant, skipped and gone', [decided(decision({}), decision({ outcome: 'skipped' }), decision({ outcome: 'gone' }))], 0],
    ['an ignored event', [{ source: 'e', alerts: [], result: { kind: 'ignored', reason: 'dry-run', detail: '' } }], 0],
    ['a non-compliant interface', [decided(decision({}), decision({ outcome: 'noncompliant' }))], 1],
    ['a rule that could not be evaluated', [decided(decision({ outcome: 'noncompliant' }), decision({ outcome: 'error' }))], 3],
    ['a malformed event', [{ source: 'e', alerts: [], result: { kind: 'invalid', problems: ['x'] } }], 3],
    ['an event that failed', [decided(decision({ outcome: 'noncompliant' })), { source: 'e', alerts: [], error: 'throttled' }], 3],
  ])('%s → %d', (_name, reports, code) => {
    expect(exitCodeOf(reports)).toBe(code);
  });
});
