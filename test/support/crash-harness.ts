/**
 * The crash-point harness: runs a remediation in a child process (the bundled handler, as Lambda
 * runs it) through the chaos proxy, kills it with SIGKILL at a chosen request — or takes an
 * endpoint away — then delivers again and checks that eni-guard converged:
 *
 * 1. no target interface is open to the world on the scenario's port;
 * 2. no copy or quarantine group eni-guard made is left unused (orphan) — leftovers are adopted or
 *    deleted (the VPC's recorded quarantine group, which later quarantines reuse, excepted);
 * 3. each target interface is reported remediated in exactly one alert, and an alert about one
 *    interface lists what was done in total (the kinds its ledger record lists);
 * 4. the ledger records are completed and list every mutating call moto carried out;
 * 5. `eni-guard undo` (the Undoer) restores every interface's groups and every group's rules;
 * 6. a delivery that could not complete a record says so: in every alert it published after, and
 *    in its failure.
 *
 * Scenarios: own group (revoke), shared group (per-interface copy), shared group with
 * `sharedGroups: quarantine`, a group change across N interfaces, caller revocation.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateRoleCommand, GetRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { PolicyInput } from '../../lambda/core/policy';
import type { LedgerEntry } from '../../lambda/core/ledger';
import { REVOKE_POLICY_NAME } from '../../lambda/core/revocation';
import { DynamoLedger } from '../../lambda/adapters/ledger';
import { DynamoQuarantineRegistry } from '../../lambda/adapters/quarantine-registry';
import { TAGS } from '../../lambda/core/plan/index';
import { createClients, createUndoer } from '../../lambda/functions/wiring';
import { bundleHandler, REVOKER_ENTRY, type Bundle } from '../../scripts/lib/bundle';
import { assumedRoleIdentity, createNetworkInterfaceRecord, eventBridgeEnvelope } from '../../scripts/lib/cloudtrail-events';
import {
  createGroup,
  createInterface,
  createNetwork,
  EMULATOR_ENV,
  enableFlowLogs,
  worldOpen,
  type ReceivedAlert,
} from '../../scripts/lib/sandbox';
import { startChaosProxy, type InvokeFunction, type SeenRequest, type Trap } from './chaos-proxy';
import { authorizeIngressEvent } from './change-records';
import { ACCOUNT, RESPONDER_ROLE, startEmulatedAccount, type EmulatedAccount } from './emulated-account';
import { invokeBundle, type Invocation } from './invoke';

/**
 * The ledger lease every child claims for: the deployed default, so a redelivery right after a
 * killed one is inside the dead holder's lease however slow the machine. The harness ends a lease
 * itself when the next delivery is to come after it (`endLeases`), rather than waiting for it.
 */
export const LEASE_SECONDS = 120;
/** The port the scenarios open to the world. */
const BAD_PORT = 22;

/** The scenarios. */
export type ScenarioName = 'own-group' | 'shared-copy' | 'quarantine' | 'group-change' | 'caller';

/** What one scenario planted, and how to deliver its events. */
export interface Target {
  readonly scenario: ScenarioName;
  readonly vpcId: string;
  /** The event that triggers the remediation (redelivered as is). */
  readonly event: Record<string, unknown>;
  /** A new event (new id) about the same interface(s). */
  readonly newEvent: () => Record<string, unknown>;
  /** Interfaces that must end up closed to the world. */
  readonly interfaces: readonly string[];
  /** Every interface's groups before (undo must restore them). */
  readonly groupsBefore: ReadonlyMap<string, readonly string[]>;
  /** Every group's ingress before, as `port/cidr` (undo must restore it). */
  readonly rulesBefore: ReadonlyMap<string, readonly string[]>;
  /** The role whose sessions the caller scenario revokes. */
  readonly roleName?: string;
  readonly policyFile: string;
}

/** The world the harness runs in: moto, its topic and ledger, the bundled handler. */
export interface ChaosWorld {
  readonly account: EmulatedAccount;
  readonly bundle: Bundle;
  /** The revoker function, as the responder invokes it (bundled, in a process of its own, against moto directly). */
  readonly invoke: InvokeFunction;
  readonly ec2: EC2Client;
  readonly iam: IAMClient;
  readonly ledger: DynamoLedger;
  readonly dynamodb: DynamoDBClient;
  /**
   * Every alert the subscriber received so far, in one list kill points running side by side share
   * (filter by event id). Drains run one after another: a message another drain has received but
   * not yet added would otherwise look missing.
   */
  collectAlerts(): Promise<readonly ReceivedAlert[]>;
  readonly policyDir: string;
}

/** The name the responder invokes the revoker function by (the proxy answers for it). */
const REVOKER_FUNCTION = 'eni-guard-revoker';

/** Starts moto, plants the account and bundles the handler and the revoker function. */
export async function startChaosWorld(): Promise<ChaosWorld> {
  const [account, bundle, revoker] = await Promise.all([
    startEmulatedAccount('10.70.0.0/16'),
    bundleHandler(mkdtempSync(join(tmpdir(), 'eni-guard-chaos-bundle-'))),
    bundleHandler(mkdtempSync(join(tmpdir(), 'eni-guard-chaos-revoker-')), undefined, REVOKER_ENTRY),
  ]);
  // As Lambda runs it: a fresh process per invocation, which lives on if the responder that invoked it dies.
  const invoke: InvokeFunction = async (functionName, payload) => {
    if (functionName !== REVOKER_FUNCTION)
      return { payload: JSON.stringify({ errorMessage: `no function ${functionName}` }), functionError: true };
    const run = await invokeBundle(revoker.entry, JSON.parse(payload), {
      ...EMULATOR_ENV,
      AWS_ENDPOINT_URL: account.moto.endpoint,
      REVOKER_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/EniGuardRevoker`,
      NEVER_REVOKE_ROLE_ARNS: JSON.stringify([RESPONDER_ROLE]),
      PROTECTED_PRINCIPALS: JSON.stringify([]),
      POWERTOOLS_DEV: 'false',
    });
    if (run.ok) return { payload: JSON.stringify(run.result ?? null) };
    const [errorType, ...rest] = (run.error ?? 'Error').split('\n')[0]!.split(': ');
    return { payload: JSON.stringify({ errorType, errorMessage: rest.join(': ') }), functionError: true };
  };
  const clients = createClients(account.connection);
  const dynamodb = new DynamoDBClient(account.connection);
  const alerts: ReceivedAlert[] = [];
  let drained: Promise<void> = Promise.resolve();
  return {
    account,
    bundle,
    invoke,
    ec2: account.ec2,
    iam: clients.iam,
    ledger: new DynamoLedger(dynamodb, account.ledgerTable),
    dynamodb,
    collectAlerts: () => {
      drained = drained.then(async () => {
        alerts.push(...(await account.subscriber.drain()));
      });
      return drained.then(() => alerts);
    },
    policyDir: mkdtempSync(join(tmpdir(), 'eni-guard-chaos-policy-')),
  };
}

const POLICIES: Record<ScenarioName, PolicyInput> = {
  'own-group': { version: 1 },
  'shared-copy': { version: 1 },
  quarantine: { version: 1, remediation: { sharedGroups: 'quarantine' } },
  'group-change': { version: 1 },
  caller: { version: 1, rules: { caller: { mode: 'remediate' } } },
};

/** How many interfaces the group-change scenario spans. */
export const GROUP_CHANGE_INTERFACES = 3;

const interfaceEvent = (ni: { NetworkInterfaceId?: string }, identity?: Record<string, unknown>, eventId?: string) =>
  eventBridgeEnvelope(
    createNetworkInterfaceRecord(ni, {
      account: ACCOUNT,
      region: EMULATOR_ENV.AWS_REGION,
      ...(identity ? { userIdentity: identity } : {}),
      ...(eventId ? { eventId } : {}),
    }),
  );

/** Plants a fresh target of `scenario` in its own VPC (kill points run side by side and must not share a quarantine group). */
export async function plant(world: ChaosWorld, scenario: ScenarioName): Promise<Target> {
  const { ec2 } = world;
  const { vpcId, subnetId } = await createNetwork(ec2, '10.80.0.0/16');
  // Flow logs on: the scenario's world-open rule is the only finding.
  await enableFlowLogs(ec2, vpcId);
  const tag = randomUUID().slice(0, 8);
  // One file per target: kill points run side by side, and a child must never read a half-written policy.
  const policyFile = join(world.policyDir, `${scenario}-${tag}.json`);
  writeFileSync(policyFile, JSON.stringify(POLICIES[scenario]));
  let event: Record<string, unknown>;
  let newEvent: () => Record<string, unknown>;
  let interfaces: string[];
  let groups: string[];
  let roleName: string | undefined;
  if (scenario === 'group-change') {
    const shared = await createGroup(ec2, vpcId, `chaos-change-${tag}`, [worldOpen(443)]);
    interfaces = [];
    for (let i = 0; i < GROUP_CHANGE_INTERFACES; i += 1)
      interfaces.push((await createInterface(ec2, subnetId, [shared])).NetworkInterfaceId!);
    const opened = await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: shared, IpPermissions: [worldOpen(BAD_PORT)] }));
    event = authorizeIngressEvent(shared, [worldOpen(BAD_PORT)], opened.SecurityGroupRules ?? []);
    newEvent = () => authorizeIngressEvent(shared, [worldOpen(BAD_PORT)], opened.SecurityGroupRules ?? []);
    groups = [shared];
  } else {
    const group = await createGroup(ec2, vpcId, `chaos-${scenario}-${tag}`, [worldOpen(BAD_PORT), worldOpen(443)]);
    const ni = await createInterface(ec2, subnetId, [group]);
    // A second user makes the group shared: the fix is a copy (or quarantine), never an edit of the group.
    if (scenario === 'shared-copy' || scenario === 'quarantine') await createInterface(ec2, subnetId, [group]);
    let identity: Record<string, unknown> | undefined;
    if (scenario === 'caller') {
      roleName = `chaos-app-${tag}`;
      const role = await world.iam.send(
        new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }) }),
      );
      identity = assumedRoleIdentity(role.Role!.Arn!, 'i-0123456789abcdef0');
    }
    event = interfaceEvent(ni, identity);
    newEvent = () => interfaceEvent(ni, identity);
    interfaces = [ni.NetworkInterfaceId!];
    groups = [group];
  }
  const groupsBefore = new Map<string, string[]>();
  for (const id of interfaces) groupsBefore.set(id, await groupsOf(ec2, id));
  const rulesBefore = new Map<string, string[]>();
  for (const id of groups) rulesBefore.set(id, await ingressOf(ec2, id));
  return { scenario, vpcId, event, newEvent, interfaces, groupsBefore, rulesBefore, policyFile, ...(roleName ? { roleName } : {}) };
}

/** One delivery to the child: what it returned and every request it made. */
export interface Delivery {
  readonly invocation: Invocation;
  readonly requests: readonly SeenRequest[];
}

/** The proxy a kill point runs its deliveries through (one per kill point: they run side by side). */
export type Proxy = Awaited<ReturnType<typeof startChaosProxy>>;

/** Delivers `event` to a fresh child, with `trap` armed. */
export async function deliver(world: ChaosWorld, proxy: Proxy, target: Target, event: unknown, trap?: Trap): Promise<Delivery> {
  let child: { kill(signal: NodeJS.Signals): boolean } | undefined;
  proxy.arm(trap, () => child?.kill('SIGKILL'));
  const guard = setTimeout(() => child?.kill('SIGKILL'), 60_000);
  const invocation = await invokeBundle(
    world.bundle.entry,
    event,
    {
      ...EMULATOR_ENV,
      AWS_ENDPOINT_URL: proxy.endpoint,
      ALERT_TOPIC_ARN: world.account.subscriber.topicArn,
      RESPONDER_ROLE_ARN: RESPONDER_ROLE,
      LEDGER_TABLE_NAME: world.account.ledgerTable,
      LEDGER_LEASE_SECONDS: String(LEASE_SECONDS),
      REVOKER_FUNCTION_NAME: REVOKER_FUNCTION,
      POLICY_FILE: target.policyFile,
      POWERTOOLS_DEV: 'false',
    },
    (spawned) => (child = spawned),
  );
  clearTimeout(guard);
  return { invocation, requests: proxy.take() };
}

/** Whether a request changes something (the calls the ledger must account for): EC2 and IAM writes, and revocations. */
export const isMutating = (r: SeenRequest) =>
  r.service === 'revoker' || ((r.service === 'ec2' || r.service === 'iam') && !/^(Describe|Get|List)/.test(r.action));

async function groupsOf(ec2: EC2Client, networkInterfaceId: string): Promise<string[]> {
  const out = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [networkInterfaceId] }));
  return (out.NetworkInterfaces?.[0]?.Groups ?? []).map((g) => g.GroupId!).sort();
}

async function ingressOf(ec2: EC2Client, groupId: string): Promise<string[]> {
  const out = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }));
  return (out.SecurityGroupRules ?? [])
    .filter((r) => !r.IsEgress)
    .map((r) => `${r.IpProtocol}/${r.FromPort}-${r.ToPort}/${r.CidrIpv4 ?? r.CidrIpv6 ?? r.PrefixListId ?? r.ReferencedGroupInfo?.GroupId}`)
    .sort();
}

/** The interfaces (of `ids`) that admit the whole internet on the scenario's port, as sentences. */
export async function openToTheWorld(ec2: EC2Client, ids: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const id of ids) {
    const groups = await groupsOf(ec2, id);
    const rules = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: groups }] }));
    const open = (rules.SecurityGroupRules ?? []).filter(
      (r) =>
        !r.IsEgress &&
        (r.CidrIpv4 === '0.0.0.0/0' || r.CidrIpv6 === '::/0') &&
        (r.IpProtocol === '-1' || (r.IpProtocol === 'tcp' && (r.FromPort ?? 0) <= BAD_PORT && BAD_PORT <= (r.ToPort ?? 65535))),
    );
    if (open.length > 0) problems.push(`${id} is still open to the world on ${BAD_PORT} (${open.map((r) => r.GroupId).join(',')})`);
  }
  return problems;
}

/** Problems with the state after the deliveries, one sentence each; empty when eni-guard converged. */
export async function violations(
  world: ChaosWorld,
  target: Target,
  eventIds: readonly string[],
  seen: readonly SeenRequest[],
): Promise<string[]> {
  const { ec2 } = world;
  const problems: string[] = [];

  // 1. Not open to the world.
  problems.push(...(await openToTheWorld(ec2, target.interfaces)));

  // 2. No orphans: no copy eni-guard made for an interface, and no quarantine group but the VPC's recorded one
  // (the one later quarantines reuse), is left that no interface uses.
  const ours = await ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [target.vpcId] },
        { Name: 'tag-key', Values: [TAGS.copyOf, TAGS.quarantine] },
      ],
    }),
  );
  const reused = await new DynamoQuarantineRegistry(world.dynamodb, world.account.ledgerTable).recorded(
    { account: ACCOUNT, region: EMULATOR_ENV.AWS_REGION },
    target.vpcId,
  );
  for (const group of (ours.SecurityGroups ?? []).filter((g) => g.GroupId !== reused)) {
    const users = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'group-id', Values: [group.GroupId!] }] }));
    if ((users.NetworkInterfaces ?? []).length === 0)
      problems.push(`orphan group ${group.GroupId} (${group.GroupName}) is used by no interface`);
  }

  // 3. Alerts, per event: each target interface reported remediated, once per event that acted on it (an alert
  // published again after an interruption says it may be a repeat); what an alert lists is what that event recorded.
  const alerts = (await world.collectAlerts()).filter((a) => eventIds.includes(String(a.document['eventId'])));
  const records = new Map<string, LedgerEntry>();
  for (const eventId of eventIds) {
    for (const id of target.interfaces) {
      const entry = await world.ledger.get(`${eventId}/${id}`);
      if (entry) records.set(entry.ledgerId, entry);
    }
  }
  const standing = (entry: LedgerEntry | undefined) =>
    (entry?.results ?? [])
      .filter((r) => r.status === 'succeeded' && r.superseded === undefined)
      .map((r) => r.action.kind)
      .sort();
  for (const id of target.interfaces) {
    let reported = 0;
    for (const eventId of eventIds) {
      const reports = alerts
        .filter((a) => String(a.document['eventId']) === eventId)
        .flatMap((a) => {
          const listed = a.document['interfaces'] as { id: string; response: string; possibleRepeat?: boolean }[] | undefined;
          if (listed) {
            return listed
              .filter((i) => i.id === id)
              .map((i) => ({ response: i.response, alert: a, combined: true, repeat: i.possibleRepeat === true }));
          }
          const about = (a.document['networkInterface'] as { id?: string } | undefined)?.id;
          return about === id
            ? [{ response: String(a.document['response']), alert: a, combined: false, repeat: Boolean(a.document['possibleRepeat']) }]
            : [];
        });
      reported += reports.length;
      const unmarked = reports.filter((r) => !r.repeat);
      if (reports.some((r) => r.response !== 'remediated') || unmarked.length > 1) {
        const listed = reports.map((r) => `${r.response}${r.repeat ? ' (repeat)' : ''}: ${r.alert.subject ?? ''}`);
        problems.push(
          `${id}, event ${eventId}: ${reports.length} alert(s) (${listed.join('; ')}); expected one saying remediated, any other marked a possible repeat`,
        );
      }
      const recorded = standing(records.get(`${eventId}/${id}`));
      for (const report of reports.filter((r) => !r.combined)) {
        const alerted = ((report.alert.document['results'] as { kind: string; status: string }[]) ?? [])
          .filter((r) => r.status === 'succeeded')
          .map((r) => r.kind)
          .sort();
        if (alerted.join() !== recorded.join())
          problems.push(`${id}: the alert lists ${alerted.join(',')} done, the ledger ${recorded.join(',')}`);
      }
      if (recorded.length > 0 && reports.length === 0)
        problems.push(`${id}: event ${eventId} recorded ${recorded.join(',')} and alerted nothing`);
    }
    if (reported === 0) problems.push(`${id}: no alert says it was remediated`);
  }

  // 4. Ledger: completed, listing every call moto carried out — and none it did not.
  for (const id of target.interfaces) {
    const mine = [...records.values()].filter((e) => e.networkInterfaceId === id);
    if (mine.length === 0) problems.push(`${id}: no ledger record`);
    for (const entry of mine) if (entry.status !== 'completed') problems.push(`${entry.ledgerId}: ledger record is ${entry.status}`);
  }
  const listed = [...records.values()].flatMap((e) => (e.results ?? []).flatMap((r) => [...r.calls, ...(r.compensation ?? [])]));
  const made = seen.filter((r) => isMutating(r) && r.reachedMoto && r.status !== undefined && r.status < 300).map((r) => r.action);
  const unlisted = missingFrom(
    made,
    listed.filter((c) => ['ok', 'recovered', 'unknown'].includes(c.outcome)).map((c) => c.operation),
  );
  if (unlisted.length > 0) problems.push(`calls made but not in the ledger: ${unlisted.join(', ')}`);
  const claimed = missingFrom(
    listed.filter((c) => c.outcome === 'ok' || c.outcome === 'recovered').map((c) => c.operation),
    made,
  );
  if (claimed.length > 0) problems.push(`calls the ledger says were made, which moto never carried out: ${claimed.join(', ')}`);

  // 5. Undo restores the pre-state.
  const undoer = createUndoer(createClients(world.account.connection), world.account.ledgerTable);
  const undoable = [...records.values()]
    .filter((e) => e.status === 'completed' && (e.results ?? []).some((r) => r.status === 'succeeded'))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  for (const entry of undoable) {
    try {
      const result = await undoer.undo(entry.ledgerId);
      if (result.status !== 'undone') problems.push(`undo ${entry.ledgerId}: ${result.status}: ${result.error ?? ''}`);
    } catch (error) {
      problems.push(`undo ${entry.ledgerId} threw: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (undoable.length > 0 || problems.length === 0) {
    for (const [id, before] of target.groupsBefore) {
      const now = await groupsOf(ec2, id);
      if (now.join() !== before.join()) problems.push(`after undo ${id} has groups ${now.join(',')}, had ${before.join(',')}`);
    }
    for (const [id, before] of target.rulesBefore) {
      const now = await ingressOf(ec2, id);
      if (now.join() !== before.join()) problems.push(`after undo ${id} has ingress ${now.join(' ')}, had ${before.join(' ')}`);
    }
    const left = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [target.vpcId] },
          { Name: 'tag-key', Values: ['eni-guard:copy-of'] },
        ],
      }),
    );
    if ((left.SecurityGroups ?? []).length > 0)
      problems.push(`after undo copies remain: ${(left.SecurityGroups ?? []).map((g) => g.GroupId).join(',')}`);
    if (target.roleName) {
      const still = await world.iam.send(new GetRolePolicyCommand({ RoleName: target.roleName, PolicyName: REVOKE_POLICY_NAME })).then(
        () => true,
        () => false,
      );
      if (still) problems.push(`after undo ${target.roleName} still has the revocation policy`);
    }
  }
  return problems;
}

/** The items of `wanted` (a multiset) that `have` lacks. */
function missingFrom(wanted: readonly string[], have: readonly string[]): string[] {
  const remaining = [...have];
  const missing: string[] = [];
  for (const item of wanted) {
    const at = remaining.indexOf(item);
    if (at >= 0) remaining.splice(at, 1);
    else missing.push(item);
  }
  return missing;
}

/** A kill point or an endpoint failure, and which follow-up delivery it is checked with. */
export interface CrashPoint {
  readonly scenario: ScenarioName;
  readonly trap: Trap;
  /** `same`: the same event is delivered again (inside the lease, then after it); `new`: a new event for the same interface first. */
  readonly then: 'same' | 'new';
  /** For the report: the request the trap fires at. */
  readonly label: string;
}

/** What one crash point did. */
export interface CrashOutcome {
  readonly point: CrashPoint;
  readonly problems: readonly string[];
  readonly ms: number;
  /** The redelivery inside the lease found the dead holder's claim still held (and failed, to be retried). */
  readonly metHeldClaim?: boolean;
}

/**
 * Runs out the lease of every claim `eventIds` hold on the target's interfaces, as the clock would
 * (a dead holder's claim becomes one to take over); records without a lease are left as they are.
 */
export async function endLeases(world: ChaosWorld, target: Target, eventIds: readonly string[]): Promise<void> {
  const past = (Date.now() / 1000 - 1).toFixed(3);
  for (const eventId of eventIds) {
    for (const id of target.interfaces) {
      await world.dynamodb
        .send(
          new UpdateItemCommand({
            TableName: world.account.ledgerTable,
            Key: { ledgerId: { S: `${eventId}/${id}` } },
            UpdateExpression: 'SET leaseUntil = :past',
            ConditionExpression: 'attribute_exists(leaseUntil)',
            ExpressionAttributeValues: { ':past': { N: past } },
          }),
        )
        .catch((error: unknown) => {
          if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
        });
    }
  }
}

const eventIdOf = (event: Record<string, unknown>) => String((event['detail'] as Record<string, unknown>)['eventID']);

/** Runs one crash point start to finish: plant, break, deliver again, check. */
export async function runCrashPoint(world: ChaosWorld, point: CrashPoint): Promise<CrashOutcome> {
  const started = Date.now();
  const proxy = await startChaosProxy(world.account.moto.endpoint, world.invoke);
  try {
    const target = await plant(world, point.scenario);
    const seen: SeenRequest[] = [];
    const problems: string[] = [];
    const first = await deliver(world, proxy, target, target.event, point.trap);
    seen.push(...first.requests);
    problems.push(...incompleteUnsaid(first));
    const eventIds = [eventIdOf(target.event)];
    let metHeldClaim = false;
    if (point.then === 'same') {
      // Inside the lease of a claim whose holder died: never "duplicate" while the interface is open.
      const inside = await deliver(world, proxy, target, target.event);
      seen.push(...inside.requests);
      metHeldClaim = !inside.invocation.ok && /claimed by another invocation/.test(inside.invocation.error ?? '');
      const result = inside.invocation.result as { decisions?: { outcome: string; networkInterfaceId: string }[] } | undefined;
      const duplicates = (result?.decisions ?? []).filter((d) => d.outcome === 'duplicate');
      if (inside.invocation.ok && duplicates.length > 0) {
        const open = await openToTheWorld(
          world.ec2,
          duplicates.map((d) => d.networkInterfaceId),
        );
        if (open.length > 0) problems.push(`redelivery inside the lease said "duplicate" (exit 0) while ${open.join('; ')}`);
      }
    } else {
      const fresh = target.newEvent();
      eventIds.push(eventIdOf(fresh));
      const other = await deliver(world, proxy, target, fresh);
      seen.push(...other.requests);
      if (!other.invocation.ok) problems.push(`the new event failed: ${firstLine(other.invocation.error)}`);
    }
    // After the lease: the same event again (a Lambda retry) takes over and finishes.
    await endLeases(world, target, eventIds);
    const last = await deliver(world, proxy, target, target.event);
    seen.push(...last.requests);
    if (!last.invocation.ok) {
      // One more, as Lambda's second retry would (retries are minutes apart: any lease has run out).
      await endLeases(world, target, eventIds);
      const retry = await deliver(world, proxy, target, target.event);
      seen.push(...retry.requests);
      if (!retry.invocation.ok) problems.push(`the redelivery after the lease failed twice: ${firstLine(retry.invocation.error)}`);
    }
    problems.push(...(await violations(world, target, eventIds, seen)));
    if (process.env['CHAOS_DEBUG'] && problems.length > 0) {
      const alerts = (await world.collectAlerts()).filter((a) => eventIds.includes(String(a.document['eventId'])));
      process.stdout.write(
        `${point.label}: ${JSON.stringify({ requests: seen.map((r) => `${r.seq}:${r.service}:${r.action}:${r.status ?? '-'}`), alerts: alerts.map((a) => ({ subject: a.subject, doc: a.document })) }, null, 1)}\n`,
      );
    }
    return { point, problems, ms: Date.now() - started, metHeldClaim };
  } finally {
    await proxy.close();
  }
}

/**
 * When a record's completion never reached the ledger, what the attempt published afterwards must
 * say the record is incomplete, and the delivery must fail saying so (a retry completes it).
 */
function incompleteUnsaid(delivery: Delivery): string[] {
  const lost = delivery.requests.find((r) => {
    if (r.service !== 'dynamodb' || r.action !== 'PutItem' || (r.status !== undefined && r.status < 300)) return false;
    let item: { status?: { S?: string }; alertSent?: { BOOL?: boolean } } | undefined;
    try {
      item = (JSON.parse(r.body) as { Item?: typeof item }).Item;
    } catch {
      return false;
    }
    // A claim is in progress; the note that the alert went out follows a completed record; a batch's note has no status.
    return item?.status?.S !== undefined && item.status.S !== 'in-progress' && item.alertSent?.BOOL !== true;
  });
  if (!lost) return [];
  const problems: string[] = [];
  for (const publish of delivery.requests.filter((r) => r.action === 'Publish' && r.seq > lost.seq && r.reachedMoto)) {
    const message = new URLSearchParams(publish.body).get('Message') ?? '';
    if (!message.includes('ledgerWarning') && !message.includes('record incomplete'))
      problems.push(
        `the alert published (#${publish.seq}) after the record's completion was lost (#${lost.seq}) does not say it is incomplete`,
      );
  }
  if (delivery.invocation.ok) problems.push(`the delivery that could not complete its record (#${lost.seq}) succeeded`);
  else if (delivery.invocation.signal === undefined && !/ledger record is incomplete/.test(delivery.invocation.error ?? ''))
    problems.push(`the delivery that could not complete its record failed without saying so: ${firstLine(delivery.invocation.error)}`);
  return problems;
}

function firstLine(text: string | undefined): string {
  return (
    (text ?? '')
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? ''
  );
}

/** Runs `scenario` once without faults and returns the requests it made (the kill points are the gaps between them). */
export async function baseline(world: ChaosWorld, scenario: ScenarioName): Promise<readonly SeenRequest[]> {
  const proxy = await startChaosProxy(world.account.moto.endpoint, world.invoke);
  try {
    const target = await plant(world, scenario);
    const run = await deliver(world, proxy, target, target.event);
    if (!run.invocation.ok) throw new Error(`baseline ${scenario} failed: ${run.invocation.error}`);
    await world.collectAlerts();
    return run.requests;
  } finally {
    await proxy.close();
  }
}

/** Every crash point of a scenario: a kill before and after each request, each checked both ways; an endpoint drop at each ledger and SNS request. */
export function allCrashPoints(scenario: ScenarioName, trace: readonly SeenRequest[]): CrashPoint[] {
  const points: CrashPoint[] = [];
  for (const request of trace) {
    for (const when of ['before', 'after'] as const) {
      for (const then of ['same', 'new'] as const) {
        points.push({
          scenario,
          trap: { effect: 'kill', at: request.seq, when },
          then,
          label: `kill ${when} #${request.seq} ${request.action}`,
        });
      }
    }
  }
  for (const service of ['dynamodb', 'sns']) {
    const mine = trace.filter((r) => r.service === service);
    mine.forEach((request, index) => {
      for (const when of ['before', 'after'] as const) {
        points.push({
          scenario,
          trap: { effect: 'drop', service, at: index + 1, when },
          then: 'same',
          label: `${service} gone ${when} its #${index + 1} ${request.action}`,
        });
      }
    });
  }
  return points;
}

/** A crash point named by the request it fires at: the `nth` request with `action` in the baseline trace. */
export function pointAt(
  scenario: ScenarioName,
  trace: readonly SeenRequest[],
  spec: { action: string; nth?: number; when: 'before' | 'after'; then?: 'same' | 'new'; drop?: string },
): CrashPoint {
  const matching = trace.filter((r) => r.action === spec.action && (!spec.drop || r.service === spec.drop));
  const request = matching[(spec.nth ?? 1) - 1];
  if (!request) throw new Error(`${scenario}: no request #${spec.nth ?? 1} ${spec.action} in ${trace.map((r) => r.action).join(', ')}`);
  const then = spec.then ?? 'same';
  if (spec.drop) {
    const at = trace.filter((r) => r.service === spec.drop).indexOf(request) + 1;
    return {
      scenario,
      trap: { effect: 'drop', service: spec.drop, at, when: spec.when },
      then,
      label: `${spec.drop} gone ${spec.when} its #${at} ${spec.action}`,
    };
  }
  return {
    scenario,
    trap: { effect: 'kill', at: request.seq, when: spec.when },
    then,
    label: `kill ${spec.when} #${request.seq} ${spec.action}`,
  };
}

/** Runs `points` with at most `concurrency` at a time (they mostly wait for child processes and moto). */
export async function runAll(world: ChaosWorld, points: readonly CrashPoint[], concurrency: number): Promise<CrashOutcome[]> {
  const out: CrashOutcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, points.length) }, async () => {
      while (next < points.length) {
        const point = points[next++]!;
        out.push(await runCrashPoint(world, point));
      }
    }),
  );
  return out;
}

/** A report line per crash point. */
export function report(outcomes: readonly CrashOutcome[]): string {
  const failed = outcomes.filter((o) => o.problems.length > 0);
  const same = outcomes.filter((o) => o.point.then === 'same');
  const lines = [
    `crash points: ${outcomes.length} tried, ${outcomes.length - failed.length} converged, ${failed.length} did not; ` +
      `${same.filter((o) => o.metHeldClaim).length} of ${same.length} redeliveries inside the lease found the dead holder's claim held`,
    ...failed.map((o) => `  ✗ ${o.point.scenario} ${o.point.label} ${o.point.then}: ${o.problems.join(' | ')}`),
  ];
  return `${lines.join('\n')}\n`;
}
