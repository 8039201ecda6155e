/**
 * `npm run demo`: eni-guard's main job, locally, on its default policy. Starts moto on a free
 * loopback port, plants a small account (risky, shared and compliant interfaces), replays the
 * CloudTrail events through the real handler, prints what it found, did and sent, stops moto.
 *
 * Usage: npm run demo [-- --policy FILE] [-- --verbose]
 */
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EC2Client, type NetworkInterface } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { renderAlert } from '../lambda/core/alert';
import type { HandleResult } from '../lambda/service';
import { createNetworkInterfaceRecord, eventBridgeEnvelope } from './lib/cloudtrail-events';
import { assertMotoInstalled, MotoUnavailableError, startMoto, type Moto } from './lib/moto';
import {
  attachElasticIp,
  createGroup,
  createInterface,
  createNetwork,
  createSubscribedTopic,
  EMULATOR_ENV,
  enableFlowLogs,
  ingressRules,
  routeToInternet,
  worldOpen,
} from './lib/sandbox';

const ACCOUNT = '123456789012';
const ROOT = resolve(__dirname, '..');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { policy: { type: 'string' }, verbose: { type: 'boolean', default: false } } });
  assertMotoInstalled();
  const policySource = resolve(values.policy ?? join(ROOT, 'policy', 'default.json'));
  const started = Date.now();
  const moto = await startMoto();
  try {
    await run(moto, policySource, values.verbose === true);
  } finally {
    await moto.stop();
  }
  console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s; moto stopped.`);
}

async function run(moto: Moto, policySource: string, verbose: boolean): Promise<void> {
  console.log(`eni-guard demo — moto at ${moto.endpoint}, policy ${policySource}\n`);
  const config = {
    endpoint: moto.endpoint,
    region: EMULATOR_ENV.AWS_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  const ec2 = new EC2Client(config);
  const subscriber = await createSubscribedTopic(new SNSClient(config), new SQSClient(config));

  // The account: one VPC with flow logs and a public subnet; a web server with an Elastic IP whose
  // own group opens SSH and HTTP to the world; two admin hosts sharing a group open on RDP; an
  // HTTPS-only service.
  const { vpcId, subnetId } = await createNetwork(ec2);
  await routeToInternet(ec2, vpcId, subnetId);
  await enableFlowLogs(ec2, vpcId);
  const web = await createGroup(ec2, vpcId, 'web-server', [worldOpen(22), worldOpen(80), worldOpen(443)]);
  const admin = await createGroup(ec2, vpcId, 'admin-hosts', [worldOpen(3389)]);
  const https = await createGroup(ec2, vpcId, 'https-only', [worldOpen(443)]);
  const scenarios: { title: string; ni: NetworkInterface; groupId: string }[] = [
    { title: 'Web server, own group open on 22, 80 and 443', ni: await createInterface(ec2, subnetId, [web], 'web-1'), groupId: web },
    {
      title: 'Admin host, group open on 3389 shared with another host',
      ni: await createInterface(ec2, subnetId, [admin], 'admin-1'),
      groupId: admin,
    },
    { title: 'HTTPS-only service', ni: await createInterface(ec2, subnetId, [https], 'api-1'), groupId: https },
  ];
  await createInterface(ec2, subnetId, [admin], 'admin-2');
  await attachElasticIp(ec2, scenarios[0]!.ni.NetworkInterfaceId!);

  // The function's environment, exactly as the stack sets it (POLICY_FILE stands in for the bundled policy.json).
  const policyFile = join(mkdtempSync(join(tmpdir(), 'eni-guard-demo-')), 'policy.json');
  copyFileSync(policySource, policyFile);
  Object.assign(process.env, EMULATOR_ENV, {
    AWS_ENDPOINT_URL: moto.endpoint,
    ALERT_TOPIC_ARN: subscriber.topicArn,
    RESPONDER_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/EniGuardResponder`,
    POLICY_FILE: policyFile,
    POWERTOOLS_LOG_LEVEL: verbose ? 'INFO' : 'SILENT',
  });
  const { handler } = await import('../lambda/handler.js');

  for (const { title, ni, groupId } of scenarios) {
    console.log(`── ${title}: ${ni.NetworkInterfaceId} in ${groupId}`);
    console.log(`   before: ${await describeIngress(ec2, groupId)}`);
    const event = eventBridgeEnvelope(createNetworkInterfaceRecord(ni, { account: ACCOUNT, region: EMULATOR_ENV.AWS_REGION }));
    printResult(await handler(event));
    console.log(`   after:  ${await describeIngress(ec2, groupId)}\n`);
  }

  console.log('── An EFS mount target interface (a real CloudTrail record, created by an AWS service)');
  const efs = JSON.parse(
    readFileSync(join(ROOT, 'test', 'fixtures', 'events', 'real', 'efs-service-linked-role-requester-managed.json'), 'utf8'),
  ) as Record<string, unknown>;
  printResult(await handler(eventBridgeEnvelope(efs)));

  const alerts = await subscriber.drain();
  console.log(`\n══ ${alerts.length} alert(s) reached the SQS subscriber of the topic`);
  for (const alert of alerts) {
    console.log(`\n   Subject: ${alert.subject ?? '(none)'}`);
    console.log(
      `   Attributes: ${Object.entries(alert.attributes)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    console.log(
      `   JSON: schemaVersion ${String(alert.document['schemaVersion'])}, eventId ${String(alert.document['eventId'])}, ${(alert.document['findings'] as unknown[]).length} finding(s)`,
    );
  }
}

function printResult(result: HandleResult): void {
  if (result.kind !== 'decided') {
    console.log(`   ${result.kind}: ${'reason' in result ? `${result.reason} — ${result.detail}` : result.problems.join('; ')}`);
    return;
  }
  for (const decision of result.decisions) {
    console.log(`   decision: ${decision.outcome}${decision.reason ? ` (${decision.reason})` : ''}`);
    if (decision.findings.length === 0) continue;
    const alert = renderAlert(decision);
    console.log(`   alert e-mail, as a subscriber reads it:\n     Subject: ${alert.subject}`);
    console.log(
      alert.text
        .split('\n')
        .map((line) => `     ${line}`)
        .join('\n'),
    );
  }
}

async function describeIngress(ec2: EC2Client, groupId: string): Promise<string> {
  const rules = await ingressRules(ec2, groupId);
  return (
    rules
      .map((r) => `${r.IpProtocol}/${r.FromPort === r.ToPort ? r.FromPort : `${r.FromPort}-${r.ToPort}`} from ${r.CidrIpv4 ?? r.CidrIpv6}`)
      .join(', ') || '(no ingress)'
  );
}

main().catch((error: unknown) => {
  if (error instanceof MotoUnavailableError) console.error(`demo cannot run: ${error.message}`);
  else console.error(error);
  process.exitCode = 1;
});
