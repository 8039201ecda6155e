/**
 * Organization mode at scale, against moto: an organization of `accounts` members (half in a target
 * OU, half in an OU nested below it), `interfaces` interfaces in each member and Region (one in 25
 * world-open on a shared group, the rest compliant), and the bundled hub functions — the artifacts
 * that deploy — in warm child processes behind the counting proxy:
 *
 * - the hub sweep of each Region: wall time, CPU, peak RSS, AWS calls per interface, AssumeRole and
 *   Organizations calls (per account and Region, however many interfaces);
 * - the hub responder on member events: what the first event of an account costs (AssumeRole and
 *   Organizations lookups) beside the next one (nothing more than in single-account mode).
 *
 * moto answers every call itself, slower than AWS on big lists: wall times are moto's; calls, the
 * assumptions and memory are the deployed code's own.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateNetworkInterfaceCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { hubRoleName } from '../../lambda/core/organization';
import { bundleHandler, HANDLER_ENTRY } from '../lib/bundle';
import { createNetworkInterfaceRecord, eventBridgeEnvelope } from '../lib/cloudtrail-events';
import { createLedgerTable } from '../lib/ledger-table';
import { startMoto } from '../lib/moto';
import {
  createGroup,
  createNetwork,
  createSubscribedTopic,
  EMULATOR_ENV,
  enableFlowLogs,
  routeToInternet,
  worldOpen,
} from '../lib/sandbox';
import { startCountingProxy, type RecordedCall } from './counting-proxy';
import { buildRunner, WarmFunction } from './warm-runner';

export const SWEEP_ENTRY = join(__dirname, '..', '..', 'lambda', 'functions', 'sweep.ts');
const HUB = '123456789012';
const MEMBER_ROLE = 'EniGuardMember';

/** How big the organization is. */
export interface OrganizationScale {
  readonly accounts: number;
  readonly regions: readonly string[];
  /** Interfaces per member account and Region. */
  readonly interfaces: number;
}

export const ORGANIZATION_SCALES = {
  full: { accounts: 20, regions: ['us-east-1', 'eu-west-1'], interfaces: 250 },
  quick: { accounts: 3, regions: ['us-east-1', 'eu-west-1'], interfaces: 12 },
} as const satisfies Record<string, OrganizationScale>;

/** One Region's hub sweep. */
export interface RegionSweep {
  readonly region: string;
  readonly accounts: number;
  readonly interfaces: number;
  readonly failedAccounts: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssKb: number;
  readonly calls: number;
  readonly ec2Calls: number;
  readonly ec2CallsPerInterface: number;
  readonly assumeRoles: number;
  readonly organizationsCalls: number;
  readonly byAction: Readonly<Record<string, number>>;
}

/** The hub responder on member events. */
export interface EventCosts {
  /** First event of the container and of its account: the member role is assumed, Organizations read. */
  readonly firstOfAccount: { readonly ms: number; readonly calls: readonly string[] };
  /** Next event of the same account. */
  readonly sameAccount: { readonly ms: number; readonly calls: readonly string[] };
  /** First event of another account, in a warm container. */
  readonly newAccountWarm: { readonly ms: number; readonly calls: readonly string[] };
}

export interface OrganizationBench {
  readonly scale: OrganizationScale;
  readonly setupSeconds: number;
  readonly sweeps: readonly RegionSweep[];
  readonly events: EventCosts;
}

/** Runs the organization bench at `scale`, building the bundles under `workDir`. */
export async function runOrganizationBench(
  scale: OrganizationScale,
  workDir: string,
  log: (line: string) => void,
): Promise<OrganizationBench> {
  const moto = await startMoto();
  const proxy = await startCountingProxy(moto.endpoint);
  try {
    const t0 = performance.now();
    const [sweepBundle, responderBundle, runner] = await Promise.all([
      bundleHandler(join(workDir, 'org-sweep'), { version: 1 }, SWEEP_ENTRY),
      bundleHandler(join(workDir, 'org-responder'), { version: 1 }, HANDLER_ENTRY),
      buildRunner(join(workDir, 'org-runner')),
    ]);
    const world = await plantOrganization(moto.endpoint, scale, log);
    const setupSeconds = (performance.now() - t0) / 1000;
    log(`  organization planted in ${setupSeconds.toFixed(0)} s`);

    const sweeps: RegionSweep[] = [];
    for (const region of scale.regions) {
      const sweep = await WarmFunction.start(
        runner,
        sweepBundle.entry,
        hubEnvironment(world, region, proxy.endpoint, join(sweepBundle.dir, 'policy.json')),
        ['--enable-source-maps'],
      ).catch((error: unknown) => {
        throw new Error(`the sweep bundle did not start: ${String(error)}`);
      });
      proxy.take();
      const result = await sweep.invoke({ time: '2026-12-01T04:00:00Z', region, account: HUB }, 1_800_000);
      await sweep.stop();
      if (!result.ok) throw new Error(`hub sweep in ${region} failed: ${result.error}`);
      const summary = result.result as { accounts: number; swept: { account: string; error?: string; summary?: { interfaces: number } }[] };
      const calls = proxy.take();
      const ec2 = calls.filter((c) => c.service === 'ec2');
      const interfaces = summary.swept.reduce((n, s) => n + (s.summary?.interfaces ?? 0), 0);
      sweeps.push({
        region,
        accounts: summary.accounts,
        interfaces,
        failedAccounts: summary.swept.filter((s) => s.error).length,
        wallMs: result.ms,
        cpuMs: result.cpuMs,
        maxRssKb: result.maxRssKb,
        calls: calls.length,
        ec2Calls: ec2.length,
        ec2CallsPerInterface: interfaces > 0 ? ec2.length / interfaces : 0,
        assumeRoles: calls.filter((c) => c.action === 'AssumeRole').length,
        organizationsCalls: calls.filter((c) => c.service === 'organizations').length,
        byAction: tally(calls),
      });
      log(`  sweep ${region}: ${interfaces} interfaces in ${summary.accounts} accounts, ${(result.ms / 1000).toFixed(1)} s`);
    }

    const events = await eventCosts(world, responderBundle, runner, proxy);
    return { scale, setupSeconds, sweeps, events };
  } finally {
    await proxy.close();
    await moto.stop();
  }
}

interface PlantedOrganization {
  readonly organizationId: string;
  readonly targetOu: string;
  readonly members: readonly string[];
  readonly topics: Readonly<Record<string, string>>;
  readonly ledgers: Readonly<Record<string, string>>;
  /** Per member and Region: its public subnet and the shared world-open group there. */
  readonly exposed: Readonly<Record<string, { readonly subnetId: string; readonly groupId: string }>>;
  readonly admin: (account: string, region: string) => Promise<EC2Client>;
}

async function plantOrganization(endpoint: string, scale: OrganizationScale, log: (line: string) => void): Promise<PlantedOrganization> {
  const hub = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const org = new OrganizationsClient(hub);
  const organizationId = (await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization!.Id!;
  const root = (await org.send(new ListRootsCommand({}))).Roots![0]!.Id!;
  const targetOu = (await org.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'Workloads' }))).OrganizationalUnit!.Id!;
  const nestedOu = (await org.send(new CreateOrganizationalUnitCommand({ ParentId: targetOu, Name: 'Payments' }))).OrganizationalUnit!.Id!;
  const members: string[] = [];
  for (let i = 0; i < scale.accounts; i += 1) {
    const created = await org.send(new CreateAccountCommand({ AccountName: `member-${i}`, Email: `member-${i}@example.com` }));
    const account = created.CreateAccountStatus!.AccountId!;
    await org.send(
      new MoveAccountCommand({ AccountId: account, SourceParentId: root, DestinationParentId: i % 2 === 0 ? targetOu : nestedOu }),
    );
    members.push(account);
  }
  const sts = new STSClient(hub);
  const admin = async (account: string, region: string) => {
    const c = (
      await sts.send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`, RoleSessionName: 'admin' }),
      )
    ).Credentials!;
    return new EC2Client({
      ...hub,
      region,
      credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
    });
  };
  const topics: Record<string, string> = {};
  const ledgers: Record<string, string> = {};
  for (const region of scale.regions) {
    topics[region] = (await createSubscribedTopic(new SNSClient({ ...hub, region }), new SQSClient({ ...hub, region }))).topicArn;
    ledgers[region] = await createLedgerTable(new DynamoDBClient({ ...hub, region }));
  }
  const exposed: Record<string, { subnetId: string; groupId: string }> = {};
  let planted = 0;
  const total = scale.accounts * scale.regions.length * scale.interfaces;
  await forEach(
    members.flatMap((account) => scale.regions.map((region) => ({ account, region }))),
    4,
    async ({ account, region }) => {
      const ec2 = await admin(account, region);
      // A private subnet with flow logs for the compliant majority; a public one beside it for the exposed few.
      const network = await createNetwork(ec2, '10.60.0.0/16');
      await enableFlowLogs(ec2, network.vpcId, account);
      const publicNet = await createNetwork(ec2, '10.61.0.0/16');
      await routeToInternet(ec2, publicNet.vpcId, publicNet.subnetId);
      await enableFlowLogs(ec2, publicNet.vpcId, account);
      const groupId = await createGroup(ec2, publicNet.vpcId, 'shared-ssh', [worldOpen(22)]);
      exposed[`${account}/${region}`] = { subnetId: publicNet.subnetId, groupId };
      for (let i = 0; i < scale.interfaces; i += 1) {
        const risky = i % 25 === 0;
        await ec2.send(
          new CreateNetworkInterfaceCommand(risky ? { SubnetId: publicNet.subnetId, Groups: [groupId] } : { SubnetId: network.subnetId }),
        );
        planted += 1;
        if (planted % 1000 === 0) log(`  ${planted}/${total} interfaces planted`);
      }
    },
  );
  return { organizationId, targetOu, members, topics, ledgers, exposed, admin };
}

function hubEnvironment(world: PlantedOrganization, region: string, endpoint: string, policyFile: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '',
    ...EMULATOR_ENV,
    AWS_REGION: region,
    AWS_ENDPOINT_URL: endpoint,
    ALERT_TOPIC_ARN: world.topics[region]!,
    RESPONDER_ROLE_ARN: `arn:aws:iam::${HUB}:role/${hubRoleName('responder', region)}`,
    LEDGER_TABLE_NAME: world.ledgers[region]!,
    POLICY_FILE: policyFile,
    SCOPE: 'organization',
    ORGANIZATION_ID: world.organizationId,
    TARGET_OUS: JSON.stringify([world.targetOu]),
    MEMBER_ROLE_NAME: MEMBER_ROLE,
    MEMBER_REGIONS: JSON.stringify(Object.keys(world.topics)),
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
}

async function eventCosts(
  world: PlantedOrganization,
  bundle: { dir: string; entry: string },
  runner: string,
  proxy: Awaited<ReturnType<typeof startCountingProxy>>,
): Promise<EventCosts> {
  const region = Object.keys(world.topics)[0]!;
  const [first, second] = world.members;
  const eventIn = async (account: string) => {
    const ec2 = await world.admin(account, region);
    const { subnetId, groupId } = world.exposed[`${account}/${region}`]!;
    const ni = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [groupId] }))).NetworkInterface!;
    return eventBridgeEnvelope(createNetworkInterfaceRecord(ni, { account, region }));
  };
  const events = [await eventIn(first!), await eventIn(first!), await eventIn(second!)];
  const responder = await WarmFunction.start(
    runner,
    bundle.entry,
    hubEnvironment(world, region, proxy.endpoint, join(bundle.dir, 'policy.json')),
    ['--enable-source-maps'],
  );
  const measured: { ms: number; calls: string[] }[] = [];
  try {
    for (const event of events) {
      proxy.take();
      const result = await responder.invoke(event, 120_000);
      if (!result.ok) throw new Error(`hub responder failed: ${result.error}`);
      measured.push({ ms: result.ms, calls: proxy.take().map((c) => c.action) });
    }
  } finally {
    await responder.stop();
  }
  return { firstOfAccount: measured[0]!, sameAccount: measured[1]!, newAccountWarm: measured[2]! };
}

function tally(calls: readonly RecordedCall[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of calls) counts[c.action] = (counts[c.action] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([, a], [, b]) => b - a));
}

async function forEach<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** The Organizations calls the hub makes (events list action names only). */
const ORGANIZATIONS_ACTIONS = new Set(['DescribeAccount', 'DescribeOrganization', 'ListParents', 'ListChildren', 'ListAccountsForParent']);

/**
 * What must hold at any scale, whatever moto's speed: every account swept, one assumption per account
 * and Region, and a warm container's next event of an account costing no assumption and no
 * Organizations call. Returns the broken ones.
 */
export function brokenInvariants(result: OrganizationBench): string[] {
  const broken: string[] = [];
  for (const s of result.sweeps) {
    if (s.failedAccounts > 0) broken.push(`${s.region}: ${s.failedAccounts} account(s) not swept`);
    if (s.assumeRoles !== s.accounts) broken.push(`${s.region}: ${s.assumeRoles} AssumeRole calls for ${s.accounts} accounts`);
  }
  const again = result.events.sameAccount.calls.filter((c) => c === 'AssumeRole' || ORGANIZATIONS_ACTIONS.has(c));
  if (again.length > 0) broken.push(`the next event of an account called ${again.join(', ')} again`);
  if (result.events.firstOfAccount.calls.filter((c) => c === 'AssumeRole').length !== 1)
    broken.push('the first event of an account did not assume its member role exactly once');
  return broken;
}

/** `npm run bench:organization [-- --quick]`: this bench alone, its results in `.bench/organization.json`; exits 1 on a broken invariant. */
if (require.main === module) {
  const quick = process.argv.includes('--quick');
  const scale = quick ? ORGANIZATION_SCALES.quick : ORGANIZATION_SCALES.full;
  const workDir = mkdtempSync(join(tmpdir(), 'eni-guard-org-bench-'));
  runOrganizationBench(scale, workDir, (line) => process.stderr.write(`${line}\n`))
    .then((result) => {
      const out = join(__dirname, '..', '..', '.bench');
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, 'organization.json'), `${JSON.stringify(result, null, 2)}\n`);
      console.log(JSON.stringify(result, null, 2));
      const broken = brokenInvariants(result);
      for (const b of broken) process.stderr.write(`bench:organization: ${b}\n`);
      if (broken.length > 0) process.exitCode = 1;
    })
    .finally(() => rmSync(workDir, { recursive: true, force: true }))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
