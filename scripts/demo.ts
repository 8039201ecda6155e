/**
 * `npm run demo`: eni-guard's main job, locally. Starts moto on a free loopback port, plants a small
 * account (public and private subnets, own and shared groups, risky and compliant interfaces, an
 * instance without a backup tag), writes the matching CloudTrail events to a directory and replays
 * them through `eni-guard respond` — the CLI's code path, which runs the function's own responder —
 * then prints each interface before and after, the decision, and the alerts as subscribers see them.
 *
 * Usage: npm run demo [-- --policy FILE] [-- --keep DIR] [-- --endpoint-url URL] [-- --verbose]
 *   --policy FILE       your policy (checked before anything is planted); default policy/default.json
 *   --keep DIR          write the event files to DIR/events and keep them, to replay with eni-guard later
 *   --endpoint-url URL  plant into a moto you started (it keeps running: the printed undo commands then work)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface as readLines } from 'node:readline/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EC2Client } from '@aws-sdk/client-ec2';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createLedgerTable } from '../lambda/adapters/ledger-table';
import { main as eniGuard } from '../lambda/cli/main';
import { EnvironmentError, loadPolicyFile } from '../lambda/functions/environment';
import { PolicyError } from '../lambda/core/policy';
import { createNetworkInterfaceRecord, eventBridgeEnvelope } from './lib/cloudtrail-events';
import { assertMotoInstalled, INSTALL_HINT, LOCAL_VENV, MotoUnavailableError, startMoto, type Moto } from './lib/moto';
import {
  attachElasticIp,
  attachInterface,
  createGroup,
  createInterface,
  createNetwork,
  createSubnet,
  createSubscribedTopic,
  EMULATOR_ENV,
  enableFlowLogs,
  ingressRules,
  routeToInternet,
  runInstance,
  worldOpen,
} from './lib/sandbox';

const ACCOUNT = '123456789012';
const REGION = EMULATOR_ENV.AWS_REGION;
const ROOT = resolve(__dirname, '..');

/** One planted interface and the event that announces it. */
interface Scenario {
  readonly title: string;
  /** The event file's name in the replayed directory (also how its output is found). */
  readonly file: string;
  readonly detail?: string;
  readonly groupId?: string;
  readonly event: unknown;
}

/** The demo's ledger table: the printed undo commands name it. */
const LEDGER_TABLE = 'eni-guard-demo-ledger';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      policy: { type: 'string' },
      keep: { type: 'string' },
      'endpoint-url': { type: 'string' },
      verbose: { type: 'boolean', default: false },
    },
  });
  // The policy first: a typo in the user's file must not surface after moto started and an account was planted.
  const policy = resolve(values.policy ?? join(ROOT, 'policy', 'default.json'));
  if (!policyIsValid(values.policy ?? relative(process.cwd(), policy), policy)) {
    process.exitCode = 1;
    return;
  }
  const external = values['endpoint-url'];
  if (!external) await ensureMoto();
  const started = Date.now();
  const moto: Moto = external ? { endpoint: external, reset: () => Promise.resolve(), stop: () => Promise.resolve() } : await startMoto();
  const keep = values.keep ? resolve(values.keep) : undefined;
  const work = keep ?? mkdtempSync(join(tmpdir(), 'eni-guard-demo-'));
  let code: number;
  try {
    code = await run(moto, work, policy, values.verbose === true, keep !== undefined);
  } finally {
    await moto.stop();
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
  if (keep) {
    console.log(`\nThe events are kept in ${join(keep, 'events')}: replay them with`);
    console.log(`   npx eni-guard evaluate --event ${join(keep, 'events')} --endpoint-url <a moto with the demo's account>`);
  }
  console.log(
    external
      ? `\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s; ${external} keeps running, so the undo commands above work as printed.`
      : `\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s; moto stopped (the undo commands above needed it: to try one, start moto_server -H 127.0.0.1 -p 5000 and run npm run demo -- --endpoint-url http://127.0.0.1:5000).`,
  );
  // Findings (exit 1) are the demo working; anything else is the demo failing.
  if (code !== 0 && code !== 1) process.exitCode = 1;
}

/** Checks the policy with the function's own loader; prints the problems naming the user's file. */
function policyIsValid(label: string, file: string): boolean {
  try {
    loadPolicyFile(file);
    return true;
  } catch (error) {
    if (!(error instanceof PolicyError || error instanceof EnvironmentError)) throw error;
    const problems = error instanceof PolicyError ? error.problems.map((p) => `  - ${p}`).join('\n') : `  - ${error.message}`;
    console.error(`demo: the policy ${label} is invalid; nothing was started or planted:\n${problems}`);
    console.error(`Check it with: npx eni-guard validate --policy ${label}`);
    return false;
  }
}

/**
 * moto is required. When it is missing, say how to get it; at a terminal (never in CI, never without
 * asking), offer to create the project-local venv the install hint describes.
 */
async function ensureMoto(): Promise<void> {
  try {
    assertMotoInstalled();
    return;
  } catch (error) {
    if (!(error instanceof MotoUnavailableError)) throw error;
    const python = spawnSync('python3', ['-c', 'import venv, ensurepip'], { stdio: 'ignore' });
    const interactive = process.stdin.isTTY && process.stdout.isTTY && !process.env['CI'];
    if (!interactive || python.error || python.status !== 0) throw error;
    console.error(error.message);
    const prompt = readLines({ input: process.stdin, output: process.stdout });
    const answer = await prompt.question(
      `\nCreate ${relative(process.cwd(), LOCAL_VENV) || LOCAL_VENV} (a Python venv in this project) and pip install "moto[server]" into it now? [y/N] `,
    );
    prompt.close();
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new MotoUnavailableError('moto is required; install it as above and run npm run demo again.');
    for (const [command, args] of [
      ['python3', ['-m', 'venv', LOCAL_VENV]],
      [join(LOCAL_VENV, 'bin', 'pip'), ['install', 'moto[server]']],
    ] as const) {
      const step = spawnSync(command, args, { stdio: 'inherit' });
      if (step.error || step.status !== 0) throw new MotoUnavailableError(`${command} ${args.join(' ')} failed.\n${INSTALL_HINT}`);
    }
    assertMotoInstalled();
  }
}

async function run(moto: Moto, work: string, policySource: string, verbose: boolean, kept: boolean): Promise<number> {
  // A kept directory is the user's: show its real path; a temporary one is $DEMO.
  const shown = (text: string) => (kept ? text : text.replace(work, '$DEMO'));
  console.log(`eni-guard demo — moto at ${moto.endpoint}, policy ${relative(process.cwd(), policySource) || policySource}\n`);
  // The CLI uses the standard credential chain: the emulator's dummy credentials, from the environment.
  Object.assign(process.env, EMULATOR_ENV);
  const config = { endpoint: moto.endpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const ec2 = new EC2Client(config);
  const subscriber = await createSubscribedTopic(new SNSClient(config), new SQSClient(config));
  // The ledger, as a deployed stack has one: every fix is recorded and the alerts print a working undo command.
  await createLedgerTable(new DynamoDBClient(config), LEDGER_TABLE);

  // The account: a VPC with flow logs, a public subnet (default route to an internet gateway) and a private one.
  const { vpcId, subnetId: publicSubnet } = await createNetwork(ec2);
  const { internetGatewayId } = await routeToInternet(ec2, vpcId, publicSubnet);
  const privateSubnet = await createSubnet(ec2, vpcId, '10.20.2.0/24');
  await enableFlowLogs(ec2, vpcId);
  const web = await createGroup(ec2, vpcId, 'web-server', [worldOpen(22), worldOpen(80), worldOpen(443)]);
  const admin = await createGroup(ec2, vpcId, 'admin-hosts', [worldOpen(3389)]);
  const database = await createGroup(ec2, vpcId, 'orders-db', [worldOpen(5432)]);
  const https = await createGroup(ec2, vpcId, 'https-only', [worldOpen(443)]);
  const app = await createGroup(ec2, vpcId, 'app-internal', [
    { IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, IpRanges: [{ CidrIp: '10.20.0.0/16' }] },
  ]);
  const instanceId = await runInstance(ec2, privateSubnet, { tags: { Name: 'orders-app' } });

  const webNi = await createInterface(ec2, publicSubnet, [web], 'web-1');
  await attachElasticIp(ec2, webNi.NetworkInterfaceId!);
  const adminNi = await createInterface(ec2, publicSubnet, [admin], 'admin-1');
  await createInterface(ec2, publicSubnet, [admin], 'admin-2');
  const databaseNi = await createInterface(ec2, privateSubnet, [database], 'orders-db-1');
  const httpsNi = await createInterface(ec2, publicSubnet, [https], 'api-1');
  const appNi = await createInterface(ec2, privateSubnet, [app], 'orders-app data interface');
  await attachInterface(ec2, appNi.NetworkInterfaceId!, instanceId);

  const eventOf = (ni: typeof webNi) => eventBridgeEnvelope(createNetworkInterfaceRecord(ni, { account: ACCOUNT, region: REGION }));
  const scenarios: Scenario[] = [
    {
      title: 'Web server, public subnet, Elastic IP; its own group opens 22, 80 and 443 to the world',
      file: '1-web-server.json',
      groupId: web,
      event: eventOf(webNi),
    },
    {
      title: 'Admin host, public subnet; its group opens RDP to the world and is shared with another host',
      file: '2-admin-host.json',
      groupId: admin,
      event: eventOf(adminNi),
    },
    {
      title: 'Database, private subnet (no internet route); its own group opens PostgreSQL to the world',
      file: '3-database.json',
      groupId: database,
      event: eventOf(databaseNi),
    },
    { title: 'HTTPS-only service, public subnet, no public IP', file: '4-https-service.json', groupId: https, event: eventOf(httpsNi) },
    {
      title: `App server's second interface, private subnet; the instance ${instanceId} has no backup tag`,
      file: '5-app-server.json',
      groupId: app,
      event: eventOf(appNi),
    },
    {
      title:
        "A real CloudTrail record of another account (an EFS mount target in 111122223333, raw, as CloudTrail stores it): not this account's, so not acted on",
      file: '6-efs-mount-target.json',
      event: JSON.parse(
        readFileSync(join(ROOT, 'test', 'fixtures', 'events', 'real', 'efs-service-linked-role-requester-managed.json'), 'utf8'),
      ),
    },
  ];

  console.log(`The account (${ACCOUNT}, ${REGION}):`);
  console.log(`   ${vpcId} 10.20.0.0/16, VPC flow logs on`);
  console.log(`   public subnet  ${publicSubnet} 10.20.1.0/24, 0.0.0.0/0 → ${internetGatewayId}`);
  console.log(`   private subnet ${privateSubnet} 10.20.2.0/24, no route to the internet`);
  console.log(`   instance       ${instanceId} (t3.micro, encrypted root volume, tagged Name=orders-app, no backup tag)\n`);

  // The events, one file each, in the directory `respond` replays.
  const events = join(work, 'events');
  mkdirSync(events, { recursive: true });
  for (const scenario of scenarios) writeFileSync(join(events, scenario.file), `${JSON.stringify(scenario.event, null, 2)}\n`);
  // The user's own file, so anything said about the policy names it.
  const policy = relative(process.cwd(), policySource).startsWith('..') ? policySource : relative(process.cwd(), policySource);

  const before = new Map<string, string>();
  for (const { groupId } of scenarios) if (groupId) before.set(groupId, await describeIngress(ec2, groupId));

  const args = [
    'respond',
    '--event',
    events,
    '--policy',
    policy,
    '--topic-arn',
    subscriber.topicArn,
    '--endpoint-url',
    moto.endpoint,
    '--region',
    REGION,
    '--ledger-table',
    LEDGER_TABLE,
    ...(verbose ? ['--verbose'] : []),
  ];
  console.log('Replaying the CloudTrail events as the deployed function would handle them:');
  console.log(`   $ eni-guard ${args.map(shown).join(' ')}\n`);
  const chunks: string[] = [];
  const code = await eniGuard(args, {
    stdout: (text) => chunks.push(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    stdin: () => Promise.resolve(''),
  });

  for (const [index, scenario] of scenarios.entries()) {
    console.log(`── ${index + 1}. ${scenario.title}`);
    if (scenario.groupId) console.log(`   before: ${scenario.groupId} ${before.get(scenario.groupId)}`);
    const output = chunks.find((chunk) => chunk.includes(`${scenario.file}:`)) ?? '   (no output for this event)\n';
    console.log(
      output
        .trimEnd()
        .split('\n')
        .map((line) => (line === '' ? '' : `   ${shown(line).replace(/^── /, 'event ')}`))
        .join('\n'),
    );
    if (scenario.groupId) console.log(`   after:  ${scenario.groupId} ${await describeIngress(ec2, scenario.groupId)}`);
    console.log('');
  }
  const summary = chunks.at(-1) ?? '';
  console.log(`respond: ${summary.trim()} Exit code ${code}${code === 1 ? ' (non-compliant interfaces found)' : ''}.`);

  const alerts = await subscriber.drain();
  console.log(`\n══ ${alerts.length} alert(s) reached the SQS subscriber of the topic`);
  for (const alert of alerts) {
    console.log(`\n   Subject: ${alert.subject ?? '(none)'}`);
    console.log(
      `   Attributes: ${Object.entries(alert.attributes)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    const findings = alert.document['findings'] as { ruleId: string; severity: string }[];
    console.log(
      `   JSON: schemaVersion ${String(alert.document['schemaVersion'])}, eventId ${String(alert.document['eventId'])}, findings ${findings.map((f) => `${f.ruleId}(${f.severity})`).join(', ')}`,
    );
  }
  return code;
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
