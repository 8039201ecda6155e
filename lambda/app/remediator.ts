/**
 * Runs planned actions, verifies them, and undoes them from the ledger. Generic over the calls the
 * planner listed: it sends exactly those calls (refs resolved), in order, and nothing else.
 *
 * - One action failing never stops the others.
 * - An action that fails half-way runs its compensation (e.g. deletes a group copy that was never
 *   swapped in), so nothing is left half-done; the result says which call failed and what was undone.
 * - An error code the call lists as `alreadyDone` (a rule already revoked) is not a failure.
 * - After acting, everything the actions promised is re-read; a fix that did not take is reported
 *   as not verified, never as success.
 */
import { isRef, resolveRefs, type Action, type ApiCall, type Check } from '../core/actions';
import type { ActionResult, ExecutedCall } from '../core/decision';
import type { LedgerEntry } from '../core/ledger';
import type { NetworkInterface, OwnGroup, SecurityGroupRule } from '../core/model';
import { verifyAll, type AfterState } from '../core/verify';
import { errorCode, isTransient, type CallPort, type VerifyReader } from './ports';

/** The outcome of an undo. */
export interface UndoResult {
  readonly ledgerId: string;
  readonly status: 'undone' | 'undo-failed';
  readonly calls: readonly ExecutedCall[];
  readonly error?: string;
}

/** Raised when a ledger record cannot be undone (unknown, not finished, already undone). */
export class UndoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UndoError';
  }
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** An action an earlier attempt planned and did not see through, with what is known of its outputs. */
export interface PendingAction {
  readonly action: Action;
  /** Outputs recorded with its result; for an interrupted action, empty (resolved from AWS by their tags). */
  readonly outputs?: Readonly<Record<string, string>>;
}

/** What AWS shows of a pending action. */
export interface Reconciled {
  readonly action: Action;
  /** Its checks hold now: it took effect (whoever finished it). */
  readonly verified: boolean;
  readonly verification: string;
  /** Its outputs, recorded or resolved from tags (the id of a group it created). */
  readonly outputs: Readonly<Record<string, string>>;
  /** The groups its creates made that still exist, with their rules and users. */
  readonly groups: readonly OwnGroup[];
}

/** Executes, verifies and undoes remediation actions. */
export class Remediator {
  constructor(
    private readonly calls: CallPort,
    private readonly reader: VerifyReader,
  ) {}

  /** Runs every action (one failure never hides the others), then verifies those that succeeded. */
  async execute(actions: readonly Action[]): Promise<ActionResult[]> {
    const ran: ActionResult[] = [];
    for (const action of actions) ran.push(await this.run(action));
    const succeeded = ran.filter((r) => r.status === 'succeeded');
    if (succeeded.length === 0) return ran;
    let state: AfterState | undefined;
    let readError: string | undefined;
    try {
      state = await this.readAfterState(succeeded.flatMap((r) => readableChecks(r.action.checks, r.outputs)));
    } catch (error) {
      readError = message(error);
    }
    return ran.map((result) => {
      if (result.status !== 'succeeded') return result;
      // A fix that did not verify may yet take (eventual consistency) or may need doing again: retryable.
      if (!state)
        return { ...result, verified: false, retryable: true, verification: `could not re-read: ${readError ?? 'unknown error'}` };
      const verdict = verifyAll(result.action.checks, result.outputs, state);
      return { ...result, verified: verdict.ok, verification: verdict.detail, ...(verdict.ok ? {} : { retryable: true }) };
    });
  }

  /**
   * Reads what AWS shows of actions an earlier attempt did not see through: the ids its creates
   * returned (found by the tags they were created with), the groups those are, and whether its
   * checks hold now. Sends nothing that changes anything.
   */
  async reconcile(pending: readonly PendingAction[]): Promise<Reconciled[]> {
    const resolved = await Promise.all(
      pending.map(async ({ action, outputs }) => {
        const known: Record<string, string> = { ...outputs };
        const groups: OwnGroup[] = [];
        for (const call of action.calls) {
          const spec = createdGroup(call);
          if (!spec) continue;
          const id = known[spec.output];
          const found = (await this.reader.findOwnGroups(spec.vpcId, spec.tags)).filter((g) => id === undefined || g.groupId === id);
          const group = found[0];
          if (group) {
            known[spec.output] = group.groupId;
            groups.push(group);
          }
        }
        return { action, outputs: known, groups };
      }),
    );
    let state: AfterState | undefined;
    let readError = '';
    try {
      state = await this.readAfterState(resolved.flatMap((r) => readableChecks(r.action.checks, r.outputs)));
    } catch (error) {
      readError = message(error);
    }
    return resolved.map((r) => {
      if (!state) return { ...r, verified: false, verification: `could not re-read: ${readError}` };
      try {
        const verdict = verifyAll(r.action.checks, r.outputs, state);
        return { ...r, verified: verdict.ok, verification: verdict.detail };
      } catch (error) {
        // A check on a group that was never created: the action did not take.
        return { ...r, verified: false, verification: message(error) };
      }
    });
  }

  /** Runs `calls` (a compensation) with `outputs`, skipping those whose refs were never produced. */
  async sendAll(calls: readonly ApiCall[], outputs: Readonly<Record<string, string>>): Promise<ExecutedCall[]> {
    const executed: ExecutedCall[] = [];
    for (const call of calls) {
      if (!refsResolvable(call, outputs)) continue;
      executed.push((await this.sendOne(call, outputs)).executed);
    }
    return executed;
  }

  /** Replays the undo calls of each succeeded action of a ledger record, newest first. The caller checks the record's status. */
  async undo(entry: LedgerEntry): Promise<UndoResult> {
    const done = (entry.results ?? []).filter((r) => r.status === 'succeeded');
    if (done.length === 0) throw new UndoError(`${entry.ledgerId} changed nothing; there is nothing to undo`);
    const irreversible = done.filter((r) => r.action.irreversible);
    if (irreversible.length > 0) {
      throw new UndoError(
        `${entry.ledgerId} cannot be undone: ${irreversible.map((r) => `${r.action.kind}: ${r.action.irreversible}`).join('; ')}`,
      );
    }
    const executed: ExecutedCall[] = [];
    const errors: string[] = [];
    for (const result of [...done].reverse()) {
      for (const call of result.action.undo) {
        const outcome = await this.sendOne(call, result.outputs);
        executed.push(outcome.executed);
        if (outcome.executed.outcome === 'failed') errors.push(`${result.action.kind}: ${outcome.executed.error ?? 'failed'}`);
      }
    }
    return errors.length === 0
      ? { ledgerId: entry.ledgerId, status: 'undone', calls: executed }
      : { ledgerId: entry.ledgerId, status: 'undo-failed', calls: executed, error: errors.join('; ') };
  }

  private async run(action: Action): Promise<ActionResult> {
    const outputs: Record<string, string> = {};
    // What an interrupted attempt already did for this action (a copy it adopts) heads its calls.
    const executed: ExecutedCall[] = [...(action.recovered ?? [])];
    for (const call of action.calls) {
      const { executed: done, response, transient } = await this.sendOne(call, outputs);
      executed.push(done);
      if (done.outcome === 'failed') {
        const compensation: ExecutedCall[] = [];
        for (const undoCall of action.compensation) {
          // Only take back what was created: a call whose refs were never produced is skipped.
          if (!refsResolvable(undoCall, outputs)) continue;
          compensation.push((await this.sendOne(undoCall, outputs)).executed);
        }
        return {
          action,
          status: 'failed',
          error: `${call.operation}: ${done.error ?? 'failed'}${compensation.length > 0 ? ` (rolled back: ${compensation.map((c) => `${c.operation} ${c.outcome}`).join(', ')})` : ''}`,
          calls: executed,
          ...(compensation.length > 0 ? { compensation } : {}),
          outputs,
          ...(transient ? { retryable: true } : {}),
        };
      }
      if (call.output && response !== undefined) {
        const value = pathOf(response, call.output.path);
        if (typeof value === 'string') outputs[call.output.name] = value;
      }
    }
    return { action, status: 'succeeded', calls: executed, outputs };
  }

  private async sendOne(
    call: ApiCall,
    outputs: Readonly<Record<string, string>>,
  ): Promise<{ executed: ExecutedCall; response?: unknown; transient?: boolean }> {
    let input: Readonly<Record<string, unknown>>;
    try {
      input = resolveRefs(call.input, outputs);
    } catch (error) {
      return { executed: { operation: call.operation, input: call.input, outcome: 'failed', error: message(error) } };
    }
    try {
      const response = await this.calls.send(call, input);
      return { executed: { operation: call.operation, input, outcome: 'ok' }, response };
    } catch (error) {
      const code = errorCode(error);
      if (call.alreadyDone?.includes(code)) return { executed: { operation: call.operation, input, outcome: 'already-done', error: code } };
      return {
        executed: {
          operation: call.operation,
          input,
          outcome: 'failed',
          error: `${message(error)}${isTransient(error) ? ' (transient)' : ''}`,
        },
        transient: isTransient(error),
      };
    }
  }

  private async readAfterState(checks: readonly Check[]): Promise<AfterState> {
    const interfaceIds = new Set<string>();
    const groupIds = new Set<string>();
    const vpcIds = new Set<string>();
    const tagResources = new Set<string>();
    const rolePolicies = new Set<string>();
    const accessKeys = new Map<string, string>();
    for (const check of checks) {
      if (check.kind === 'rules-absent') groupIds.add(check.groupId);
      else if (check.kind === 'group-empty') groupIds.add(check.groupId as string);
      else if (
        check.kind === 'interface-groups' ||
        check.kind === 'address-detached' ||
        check.kind === 'source-dest-check' ||
        check.kind === 'interface-deleted'
      )
        interfaceIds.add(check.networkInterfaceId);
      else if (check.kind === 'flow-log-active') vpcIds.add(check.vpcId);
      else if (check.kind === 'tags') tagResources.add(check.resourceId);
      else if (check.kind === 'role-policy') rolePolicies.add(`${check.roleName}/${check.policyName}`);
      else accessKeys.set(check.accessKeyId, check.userName);
    }
    // Interface tags come with the interface; other resources' tags need their own read.
    for (const id of tagResources) if (id.startsWith('eni-')) interfaceIds.add(id);
    const [interfaces, rules, flowLogs, tags, policies, keys] = await Promise.all([
      Promise.all([...interfaceIds].map(async (id) => [id, (await this.reader.describeInterface(id)) ?? null] as const)),
      groupIds.size > 0 ? this.reader.describeGroupRules([...groupIds]) : Promise.resolve([]),
      Promise.all([...vpcIds].map(async (id) => [id, await this.reader.describeFlowLogs([id])] as const)),
      Promise.all(
        [...tagResources].filter((id) => !id.startsWith('eni-')).map(async (id) => [id, await this.reader.describeTags(id)] as const),
      ),
      Promise.all(
        [...rolePolicies].map(async (key) => {
          const [role, policy] = key.split('/') as [string, string];
          return [key, await this.reader.hasRolePolicy(role, policy)] as const;
        }),
      ),
      Promise.all([...accessKeys].map(async ([keyId, user]) => [keyId, await this.reader.accessKeyStatus(user, keyId)] as const)),
    ]);
    const interfaceMap = new Map<string, NetworkInterface | null>(interfaces);
    const tagMap = new Map<string, Readonly<Record<string, string>>>(tags);
    for (const [id, ni] of interfaceMap) if (ni) tagMap.set(id, ni.tags);
    const groupRules = new Map<string, SecurityGroupRule[]>([...groupIds].map((id) => [id, []]));
    for (const rule of rules) groupRules.get(rule.groupId)?.push(rule);
    return {
      interfaces: interfaceMap,
      groupRules,
      flowLogs: new Map(flowLogs),
      tags: tagMap,
      rolePolicies: new Map(policies),
      accessKeys: new Map(keys.filter((k): k is readonly [string, string] => k[1] !== undefined)),
    };
  }
}

/** For a call that creates a security group tagged at creation: where, with which tags, and which output names its id. */
function createdGroup(call: ApiCall): { output: string; vpcId: string; tags: Record<string, string> } | undefined {
  if (call.operation !== 'CreateSecurityGroup' || !call.output) return undefined;
  const vpcId = call.input['VpcId'];
  const specs = call.input['TagSpecifications'] as { ResourceType?: string; Tags?: { Key?: string; Value?: string }[] }[] | undefined;
  const tags: Record<string, string> = {};
  for (const tag of specs?.find((s) => s.ResourceType === 'security-group')?.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
  if (typeof vpcId !== 'string' || Object.keys(tags).length === 0) return undefined;
  return { output: call.output.name, vpcId, tags };
}

/**
 * The checks to read AWS for: a check naming a group the action created reads that group (its id is
 * in the outputs); one whose group was never created reads nothing (verifying it then fails, named).
 */
function readableChecks(checks: readonly Check[], outputs: Readonly<Record<string, string>>): Check[] {
  return checks.flatMap((c) => {
    if (c.kind !== 'group-empty' || !isRef(c.groupId)) return [c];
    const groupId = outputs[c.groupId.$ref];
    return groupId ? [{ ...c, groupId }] : [];
  });
}

function refsResolvable(call: ApiCall, outputs: Readonly<Record<string, string>>): boolean {
  try {
    resolveRefs(call.input, outputs);
    return true;
  } catch {
    return false;
  }
}

function pathOf(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
