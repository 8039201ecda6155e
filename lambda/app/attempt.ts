/**
 * One recorded attempt at an interface: claim the ledger record → reconcile what earlier attempts
 * did not see through with what AWS shows → act → verify → complete the record → alert. Every step
 * is written so that a crash anywhere converges on the next delivery:
 *
 * - The claim is a lease. A delivery that finds it held fails (the event is retried); once the
 *   lease has run out, the next delivery takes the record over, keeping everything it holds.
 * - An interrupted attempt's plan is reconciled with AWS before anything is done again: what took
 *   effect is recorded as recovered (and not redone), what it left half-made is adopted by the new
 *   plan (a copy, found by its tags) or rolled back.
 * - Only a verified outcome is final. A fix that failed on a transient error, or did not verify, is
 *   recorded as incomplete and the invocation fails, so the next delivery retries it — up to
 *   `MAX_ATTEMPTS`, then the alert escalates it to a human.
 * - The record is completed before the alert goes out; if it cannot be written (after retries),
 *   the alert says the record is incomplete and the invocation fails, so a later delivery completes it.
 *
 * The ledger is written twice in a normal remediation (claim, completion) plus once to note the
 * alert went out; progress in between is read back from AWS, not written after every call.
 */
import { actionTarget, isRef, type Action, type ApiCall } from '../core/actions';
import { renderAlert, type Alert } from '../core/alert';
import { currentResults, needsAlert, type ActionResult, type Decision } from '../core/decision';
import type { EventContext } from '../core/model';
import { findingOf, MAX_ATTEMPTS, type LedgerEntry } from '../core/ledger';
import { groupEvidence } from '../core/plan/leftovers';
import { TAGS, type Plan } from '../core/plan/index';
import type { BatchDecision } from './batch';
import { LedgerConflictError, type LedgerPort, type LogPort } from './ports';
import type { Redelivery } from './redelivery';
import type { PendingAction, Reconciled, Remediator } from './remediator';
import { LedgerIncompleteError, RemediationIncompleteError } from './retry';

/** What a later remediation of the same interface did, as its record says. */
interface Others {
  readonly ledgerId?: string;
  readonly targets: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
}

/** Publishes (or, deferred, hands back) a decision's alert and logs it: the responder's `finish`. */
export type Finish = (decision: Decision, alert: Alert | undefined, defer: boolean) => Promise<BatchDecision>;

/** Runs actions and records what they created that later remediations reuse (quarantine groups): the responder's `act`. */
export type Act = (context: EventContext, actions: readonly Action[]) => Promise<ActionResult[]>;

/** What an attempt needs besides the ports. */
export interface AttemptInput {
  readonly draft: Decision;
  readonly plan: Plan;
  /** The record as a fresh claim would write it. */
  readonly entry: LedgerEntry;
  readonly leaseUntil: Date;
  readonly now: Date;
  readonly defer: boolean;
  /** Runs before the claim (a batch notes its interfaces). */
  readonly beforeClaim?: () => Promise<void>;
}

/** Said on the alert of a takeover that finds the interrupted attempt's whole plan done. */
const MAYBE_ALERTED =
  'an earlier attempt made these changes and was interrupted before it recorded them; it may have published an alert about them already';

/** How often, and how far apart, a failed completion of the record is tried again before the alert says it is incomplete. */
const LEDGER_RETRIES_MS = [200, 1000];

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs recorded attempts. */
export class Attempts {
  constructor(
    private readonly ledger: LedgerPort,
    private readonly remediator: Remediator,
    private readonly redelivery: Redelivery,
    private readonly log: LogPort,
    private readonly finish: Finish,
    private readonly act: Act,
  ) {}

  async run(input: AttemptInput): Promise<BatchDecision> {
    const { draft, plan, entry, defer } = input;
    await input.beforeClaim?.();
    const claim = await this.ledger.claim(entry, input.leaseUntil, input.now);
    if (claim.kind === 'held') return this.redelivery.duplicate(draft, claim.entry, this.ledger, defer, claim.leaseUntil);
    const record = claim.entry;
    const attempt = record.attempt ?? 1;
    const { ledgerId } = record;
    // The record is kept small; the log keeps the whole pre-state of this attempt.
    this.log.info('remediation claimed', { ledgerId, attempt, preState: draft.networkInterface, plan: plan.actions.map((a) => a.kind) });

    // What earlier attempts left unfinished: interrupted plans, and results that were not final.
    const prior = record.results ?? [];
    const pending: PendingAction[] = [
      ...(record.interrupted ?? []).map((action) => ({ action })),
      ...prior.filter(open).map((r) => ({ action: r.action, outputs: r.outputs })),
    ];
    const seen = pending.length > 0 ? await this.remediator.reconcile(pending) : [];
    const interrupted = seen.slice(0, record.interrupted?.length ?? 0);
    const retried = seen.slice(interrupted.length);
    // A fix AWS shows may be another remediation's, made while this one lay interrupted (a new event for the
    // interface): the interface's ledger tag names the last one; its record says what it did itself.
    const theirs = await this.doneByOther(draft, record, interrupted);
    const recovered = interrupted
      .filter((r) => r.verified && !theirs.targets.has(actionTarget(r.action)))
      .map((r) => recoveredResult(r, attempt));
    // Tagging the interface is bookkeeping: once an earlier attempt did it, it is not done again.
    const tagged = prior.filter(
      (r) => r.action.kind === 'tag-interface' && !open(r) && r.status === 'succeeded' && r.superseded === undefined,
    );
    const done = new Set([...recovered, ...retried.filter((r) => r.verified), ...tagged].map((r) => actionTarget(r.action)));

    // The fresh plan, less what AWS shows is already done (a revocation that took before the crash).
    const toRun = plan.mode === 'remediate' ? plan.actions.filter((a) => !done.has(actionTarget(a))) : [];
    const ran = new Set(toRun.map(actionTarget));

    // What interrupted actions left: the groups their creates made (found by their creation tags) are listed
    // as made; those the fresh plan neither adopted nor uses are rolled back (their compensation) — before the
    // fresh plan runs, so that a create it repeats under the same name (a quarantine group's) cannot collide.
    const adopted = new Set(toRun.flatMap((a) => (a.recovered ?? []).map((c) => String(c.input['GroupId']))));
    const used = groupIdsIn(toRun);
    const history: ActionResult[] = [];
    for (const r of interrupted) {
      // Tagging cannot verify once a later remediation re-tagged the interface: it is the same case.
      const foreign = (r.verified || r.action.kind === 'tag-interface') && theirs.targets.has(actionTarget(r.action));
      if (r.verified && !foreign) continue;
      // A group a later remediation created is not this attempt's, whatever tags it shares (a quarantine group).
      const left = r.groups.filter((g) => !adopted.has(g.groupId) && !theirs.groups.has(g.groupId));
      const evidence = left.flatMap((g) => groupEvidence(g, createOf(r.action, r.outputs, g.groupId)));
      const unused = Object.fromEntries(
        Object.entries(r.outputs).filter(([, id]) => left.some((g) => g.groupId === id && g.users === 0 && !used.has(id))),
      );
      const compensation = Object.keys(unused).length > 0 ? await this.remediator.sendAll(r.action.compensation, unused) : [];
      // Its change is in place, made by another remediation too: whether this attempt's own calls went out is not known.
      const unknown = foreign
        ? r.action.calls
            .filter((c) => !configuresCreated(c))
            .map((c) => ({ operation: c.operation, input: resolvedInput(c.input, r.outputs), outcome: 'unknown' as const }))
        : [];
      if (evidence.length === 0 && compensation.length === 0 && unknown.length === 0) continue;
      const rolledBack =
        compensation.length > 0 ? `; what it left was deleted (${compensation.map((c) => `${c.operation} ${c.outcome}`).join(', ')})` : '';
      history.push({
        action: r.action,
        status: 'failed',
        error: 'interrupted before it took effect',
        calls: [...evidence, ...unknown],
        ...(compensation.length > 0 ? { compensation } : {}),
        outputs: r.outputs,
        superseded: foreign
          ? `interrupted; the change is in place, made by eni-guard ${theirs.ledgerId ?? '?'} meanwhile${rolledBack}`
          : `interrupted before it took effect${rolledBack}${ran.has(actionTarget(r.action)) ? `; redone by attempt ${attempt}` : ''}`,
      });
    }

    const fresh = (await this.act(draft.context, toRun)).map((r) => stamp(r, attempt));

    // Bookkeeping an interrupted or failed attempt did not finish (tagging the interface) is finished now.
    const resumed: ActionResult[] = [];
    const somethingDone = [...recovered, ...prior, ...fresh].some((r) => r.status === 'succeeded' && r.superseded === undefined);
    const tag = [...interrupted, ...retried].find((r) => r.action.kind === 'tag-interface' && !r.verified);
    // Not over a later remediation's tag: the interface says who fixed it last.
    const retag = tag && !theirs.targets.has(actionTarget(tag.action));
    if (somethingDone && tag && retag && !ran.has(actionTarget(tag.action)) && plan.mode === 'remediate') {
      resumed.push(...(await this.act(draft.context, [tag.action])).map((r) => stamp(r, attempt)));
    }

    // Earlier results: final ones stand; open ones are verified now, redone, or set aside.
    const earlier = prior.map((r) => {
      if (!open(r)) return r;
      const now = retried.find((s) => s.action === r.action);
      // It took after all (an answer lost on the way, eventual consistency): done, as AWS now shows.
      if (now?.verified) {
        const { error: _error, ...rest } = r;
        return {
          ...rest,
          status: 'succeeded' as const,
          verified: true,
          verification: `verified on attempt ${attempt}: ${now.verification}`,
          retryable: false,
        };
      }
      const why =
        ran.has(actionTarget(r.action)) || resumed.some((x) => x.action.kind === r.action.kind)
          ? `retried by attempt ${attempt}`
          : fresh.length > 0
            ? `replaced by attempt ${attempt}'s fix, planned on a fresh read`
            : `not needed any more (re-read on attempt ${attempt})`;
      return { ...r, superseded: why };
    });
    const results = [...earlier, ...history, ...recovered, ...fresh, ...resumed];

    const stillOpen = currentResults({ results }).filter(open);
    const final = stillOpen.length === 0 || attempt >= MAX_ATTEMPTS;
    const escalation =
      stillOpen.length > 0
        ? `eni-guard gave up after ${attempt} attempt(s): ${stillOpen.map((r) => `${r.action.kind}: ${r.error ?? r.verification ?? 'not verified'}`).join('; ')} — finish this by hand; the ledger record ${ledgerId} lists what was done`
        : undefined;
    // An interface the fresh read finds closed, because an interrupted attempt closed it: say what it found then.
    const fixedBefore = results.some((r) => r.status === 'succeeded');
    const findings = draft.findings.length > 0 ? draft.findings : fixedBefore ? (record.findings ?? []).map(findingOf) : [];
    // An interrupted attempt that got through its whole plan may have published its alert before it died.
    const maybeAlerted = interrupted.length > 0 && interrupted.every((r) => r.verified) && toRun.length === 0;
    const decision: Decision = {
      ...draft,
      findings,
      ...(findings.length > 0 && draft.outcome === 'compliant' ? { outcome: 'noncompliant' as const } : {}),
      results,
      ...(escalation && final ? { escalation } : {}),
      ...(maybeAlerted ? { possibleRepeat: MAYBE_ALERTED } : {}),
    };
    const slim: LedgerEntry = {
      ...withoutInterrupted(record),
      results,
      plan: { mode: plan.mode, actions: [], withheld: plan.withheld, ...(plan.escalation ? { escalation: plan.escalation } : {}) },
    };

    if (!final) {
      const incomplete: LedgerEntry = { ...slim, status: 'incomplete' };
      await this.write(incomplete).catch((error: unknown) =>
        // Still claimed: after the lease the next attempt reconciles this one's plan instead.
        this.log.error('ledger not updated after a failed attempt', { ledgerId, entry: incomplete, error: message(error) }),
      );
      this.log.warn('interface not fixed yet; the event will be delivered again', { ledgerId, attempt, open: stillOpen.map(summaryOf) });
      throw new RemediationIncompleteError(ledgerId, attempt, stillOpen.map(summaryOf).join('; '));
    }

    const alert = needsAlert(decision) ? renderAlert(decision) : undefined;
    const completed: LedgerEntry = { ...slim, status: 'completed', ...(alert ? { alertSent: false } : {}) };
    const failure = await this.write(completed).then(
      () => undefined,
      (error: unknown) => message(error),
    );
    if (failure === undefined) return this.alert(decision, alert, completed, defer);

    // Fixed but not recorded: the alert must say so, and the event is retried until the record is complete.
    const warned: Decision = {
      ...decision,
      ledgerWarning: `the ledger record ${ledgerId} could not be completed (${failure}): until a retry completes it, undo it from the function log line "ledger not updated after acting", which holds the whole record`,
    };
    this.log.error('ledger not updated after acting; alerting anyway', { ledgerId, entry: completed, error: failure });
    const warning = needsAlert(warned) ? renderAlert(warned) : undefined;
    const retry = new LedgerIncompleteError(ledgerId, failure);
    if (defer) return { ...(await this.finish(warned, warning, true)), retry };
    await this.finish(warned, warning, false);
    // The alert is out: one more try, now that time has passed.
    const late = await this.write({ ...completed, ...(warning ? { alertSent: true } : {}) }).then(
      () => true,
      () => false,
    );
    if (!late) throw retry;
    this.log.info('ledger record completed after the alert', { ledgerId });
    return { decision: warned };
  }

  /**
   * What a later remediation of the interface recorded (its ledger tag names it): the fixes it made
   * and the groups it created. An interrupted attempt's change AWS shows may be that one's.
   */
  private async doneByOther(draft: Decision, record: LedgerEntry, interrupted: readonly Reconciled[]): Promise<Others> {
    const other = draft.networkInterface?.tags[TAGS.ledger];
    const none: Others = { targets: new Set(), groups: new Set() };
    if (!other || other === record.ledgerId || interrupted.length === 0) return none;
    const entry = await this.ledger.get(other).catch(() => undefined);
    // An older remediation's tag only says this attempt never tagged the interface: its fixes are not that one's.
    if (!entry || entry.createdAt <= record.createdAt) return none;
    const done = (entry.results ?? []).filter((r) => r.status === 'succeeded');
    return {
      ledgerId: other,
      targets: new Set(done.map((r) => actionTarget(r.action))),
      groups: new Set(done.flatMap((r) => Object.values(r.outputs))),
    };
  }

  /** Publishes the completed decision's alert and notes it went out (a failed publish keeps the alert in the record for the redelivery). */
  private async alert(decision: Decision, alert: Alert | undefined, completed: LedgerEntry, defer: boolean): Promise<BatchDecision> {
    if (defer) return { ...(await this.finish(decision, alert, true)), ...(alert ? { unsent: completed } : {}) };
    try {
      await this.finish(decision, alert, false);
    } catch (error) {
      if (alert) {
        await this.ledger.save({ ...completed, alert, alertSent: false }, 'completed').catch(() => undefined);
      }
      throw error;
    }
    if (alert) await this.redelivery.markAlertSent(this.ledger, completed);
    return { decision };
  }

  /** Writes the record over this attempt's claim, trying again a little later when the ledger fails. */
  private async write(entry: LedgerEntry): Promise<void> {
    for (let i = 0; ; i += 1) {
      try {
        await this.ledger.save(entry, 'in-progress');
        return;
      } catch (error) {
        // A conflict is final (another attempt took the record over); anything else may pass.
        const delay = LEDGER_RETRIES_MS[i];
        if (delay === undefined || error instanceof LedgerConflictError) throw error;
        await sleep(delay);
      }
    }
  }
}

/** A result that is not final: failed on a transient error, or not verified. Superseded history is never open. */
function open(result: ActionResult): boolean {
  if (result.superseded !== undefined) return false;
  return result.status === 'failed' ? result.retryable === true : result.verified !== true;
}

function stamp(result: ActionResult, attempt: number): ActionResult {
  return attempt > 1 ? { ...result, attempt } : result;
}

function summaryOf(result: ActionResult): string {
  return `${result.action.kind}: ${result.status === 'failed' ? (result.error ?? 'failed') : `not verified (${result.verification ?? '?'})`}`;
}

/** An interrupted action whose effect AWS shows: done, though its attempt never learned it. */
function recoveredResult(r: Reconciled, attempt: number): ActionResult {
  return {
    action: r.action,
    status: 'succeeded',
    calls: r.action.calls.map((call) => ({
      operation: call.operation,
      input: resolvedInput(call.input, r.outputs),
      outcome: 'recovered' as const,
    })),
    outputs: r.outputs,
    verified: true,
    verification: `an interrupted attempt made this change; re-read on attempt ${attempt}: ${r.verification}`,
    attempt,
  };
}

function resolvedInput(
  input: Readonly<Record<string, unknown>>,
  outputs: Readonly<Record<string, string>>,
): Readonly<Record<string, unknown>> {
  const resolve = (value: unknown): unknown => {
    if (typeof value === 'object' && value !== null && '$ref' in value) return outputs[String(value.$ref)] ?? value;
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    return value;
  };
  return resolve(input) as Readonly<Record<string, unknown>>;
}

/** The create call of `action` whose output is `groupId`. */
function createOf(action: Action, outputs: Readonly<Record<string, string>>, groupId: string): ApiCall | undefined {
  return action.calls.find((c) => c.operation === 'CreateSecurityGroup' && c.output && outputs[c.output.name] === groupId);
}

/** A call that creates a group, or configures one the same action creates (its group id is a ref). */
function configuresCreated(call: ApiCall): boolean {
  return (call.operation === 'CreateSecurityGroup' && call.output !== undefined) || isRef(call.input['GroupId']);
}

/** Every security-group id the actions' calls name (the groups a plan puts an interface in, edits or adopts). */
function groupIdsIn(actions: readonly Action[]): ReadonlySet<string> {
  const ids = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === 'string' && value.startsWith('sg-')) ids.add(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk);
  };
  for (const action of actions) for (const call of action.calls) walk(call.input);
  return ids;
}

function withoutInterrupted(entry: LedgerEntry): LedgerEntry {
  const { interrupted: _interrupted, alert: _alert, ...rest } = entry;
  return rest;
}
