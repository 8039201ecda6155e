/**
 * Orchestration: event → facts → findings → plan → act | notify. AWS is reached only through the
 * ports (./ports.ts); the pure core decides, this class sequences. It is the one place that runs
 * actions. Group changes (./group-change.ts) and redeliveries (./redelivery.ts) are decided here
 * too, per interface, and answered there.
 */
import { describeAction, type Action } from '../core/actions';
import { renderAlert, type Alert } from '../core/alert';
import { currentResults, needsAlert, responseOf, severityOf, type ActionResult, type Decision } from '../core/decision';
import { evaluate, requiredFacts } from '../core/evaluate';
import { parseEvent, type InterfaceLookup, type ParsedEvent } from '../core/event';
import { briefOf, ledgerIdOf, recordedInterface, type LedgerEntry } from '../core/ledger';
import type { EventContext, InterfaceHint, NetworkInterface, OwnGroup } from '../core/model';
import {
  copiesToLookUp,
  groupsToEdit,
  isAutomationCaller,
  planResponse,
  QUARANTINE_OUTPUT,
  quarantineVpcs,
  TAGS,
  type FlowLogDestination,
} from '../core/plan/index';
import type { Policy } from '../core/policy';
import { summarizeInput } from '../core/summary';
import { triageCall, triageInterface } from '../core/triage';
import { Attempts } from './attempt';
import { BATCH_CONCURRENCY, forEachLimited, hintOf, type BatchDecision, type BatchOptions } from './batch';
import { AlertDelivery } from './delivery';
import type { FactGatherer } from './facts';
import { GroupChanges } from './group-change';
import type { AlertPort, DecisionObserver, Ec2Port, LedgerPort, LogPort, QuarantineRegistry } from './ports';
import { Redelivery } from './redelivery';
import type { Remediator } from './remediator';

/** What changes things: the remediation engine, and the ledger that records (and deduplicates) it. */
export interface Effects {
  readonly remediator: Remediator;
  /** Without a ledger (the CLI's evaluate), decisions are not recorded and duplicates are not detected. */
  readonly ledger?: LedgerPort;
  /** The quarantine groups eni-guard created. Without it every quarantine creates a new group. */
  readonly quarantine?: QuarantineRegistry;
}

/** Settings the responder is built with. */
export interface ResponderSettings {
  readonly policy: Policy;
  /** The function's own role: calls it makes are never evaluated (no loops), and it is never revoked. */
  readonly responderRoleArn?: string;
  /**
   * Organization mode: the member roles the hub acts through in this account (remediation, revoker):
   * their calls are eni-guard's own, and they are never revoked.
   */
  readonly ownRoleArns?: readonly string[];
  /** Organization mode: the account's OUs from the root down (from AWS Organizations), for exemptions by OU and alerts. */
  readonly ous?: readonly string[];
  /** Organization mode: the member role `eni-guard undo` assumes to restore this account's records (kept in each record). */
  readonly undoRoleArn?: string;
  /** The clock (exemption expiry, AMI age). @default () => new Date() */
  readonly now?: () => Date;
  /** Where "enable flow logs" sends them (the stack's flow-log destination). */
  readonly flowLogDestination?: FlowLogDestination;
  /** How long a ledger claim holds before another delivery may take over (≥ the function timeout). @default 120 s */
  readonly leaseSeconds?: number;
  /**
   * The accounts and Regions this responder guards. An event about any other is ignored (logged as
   * `out-of-scope`) before a single AWS call: ids in it would otherwise be looked up, and acted on, here.
   * Absent: every account and Region (the CLI's local evaluation).
   */
  readonly scope?: ResponderScope;
}

/** Where a responder may act. */
export interface ResponderScope {
  readonly accounts: readonly string[];
  /** @default every Region */
  readonly regions?: readonly string[];
}

/** The result of handling one delivered event. */
export type HandleResult =
  | { readonly kind: 'invalid'; readonly problems: readonly string[]; readonly eventId?: string }
  | { readonly kind: 'ignored'; readonly reason: string; readonly detail: string; readonly eventId?: string }
  | { readonly kind: 'decided'; readonly eventId: string; readonly decisions: readonly Decision[] };

/** Logs and returns the result for an event that points at no interface: malformed, or deliberately ignored. */
export function unhandled(parsed: Exclude<ParsedEvent, { kind: 'interfaces' }>, event: unknown, log: LogPort): HandleResult {
  if (parsed.kind === 'invalid') {
    // Retrying cannot repair a malformed event: log what arrived (bounded: the sender chose its size and depth) and drop it.
    log.error('event rejected: malformed', {
      eventId: parsed.eventId,
      problems: parsed.problems.slice(0, 20).map((p) => p.slice(0, 500)),
      event: summarizeInput(event),
    });
    return parsed;
  }
  const eventId = parsed.context?.eventId;
  log.info('event ignored', { eventId, reason: parsed.reason, detail: parsed.detail });
  return { kind: 'ignored', reason: parsed.reason, detail: parsed.detail, ...(eventId ? { eventId } : {}) };
}

/** Handles CloudTrail events about network interfaces. */
export class Responder {
  private readonly delivery: AlertDelivery;
  private readonly redelivery: Redelivery;
  private readonly groupChanges: GroupChanges;
  private readonly attempts: Attempts | undefined;

  constructor(
    private readonly ec2: Ec2Port,
    private readonly facts: FactGatherer,
    alerts: AlertPort,
    private readonly log: LogPort,
    private readonly settings: ResponderSettings,
    private readonly effects: Effects,
    /** The sinks besides SNS (Security Hub, decision events, metrics): told of every finished decision. */
    private readonly observer?: DecisionObserver,
  ) {
    this.delivery = new AlertDelivery(alerts, log);
    this.redelivery = new Redelivery(this.delivery, log);
    this.groupChanges = new GroupChanges(
      (...args) => this.decideBatch(...args),
      this.delivery,
      this.redelivery,
      log,
      effects.ledger,
      (id) => this.ec2.describeInterface(id),
    );
    this.attempts = effects.ledger
      ? new Attempts(
          effects.ledger,
          effects.remediator,
          this.redelivery,
          log,
          (decision, alert, defer) => this.finish(decision, alert, defer),
          (context, actions) => this.act(context, actions),
        )
      : undefined;
  }

  /** Handles one delivered event. Throws only for failures worth a retry (AWS errors, alert delivery). */
  async handle(event: unknown): Promise<HandleResult> {
    const parsed: ParsedEvent = parseEvent(event);
    if (parsed.kind !== 'interfaces') return unhandled(parsed, event, this.log);
    return this.handleParsed(parsed);
  }

  /** Handles an event already parsed into the interfaces it points at (the organization router parses first). */
  async handleParsed(parsed: Extract<ParsedEvent, { kind: 'interfaces' }>): Promise<HandleResult> {
    const context = this.settings.ous ? { ...parsed.context, ous: this.settings.ous } : parsed.context;
    const outside = this.outOfScope(context);
    if (outside) {
      this.log.warn('event ignored', { eventId: context.eventId, reason: 'out-of-scope', detail: outside });
      return { kind: 'ignored', reason: 'out-of-scope', detail: outside, eventId: context.eventId };
    }
    const callSkip = triageCall(context, [this.settings.responderRoleArn, ...(this.settings.ownRoleArns ?? [])]);
    if (callSkip) {
      this.log.info('event ignored', { eventId: context.eventId, reason: callSkip.reason, detail: callSkip.detail });
      return { kind: 'ignored', reason: callSkip.reason, detail: callSkip.detail, eventId: context.eventId };
    }
    // Interfaces the event reaches through an instance or a group are listed first (one paged call each).
    const found = new Map<string, NetworkInterface>();
    // A redelivered group change: interfaces it already moved to a copy no longer use the group, but carry its ledger
    // tag — or, when the process died between the swap and the tag, use a copy tagged with it.
    const remediated: InterfaceLookup[] = parsed.change
      ? [
          { kind: 'tagged', key: TAGS.ledger, value: `${context.eventId}/*` },
          { kind: 'on-tagged-group', tags: { [TAGS.copyOf]: parsed.change.groupId, [TAGS.ledger]: `${context.eventId}/*` } },
          // …or a copy this event left that a newer remediation adopted: this event's record is finished from there.
          { kind: 'on-tagged-group', tags: { [TAGS.copyOf]: parsed.change.groupId, [TAGS.adoptedFrom]: `${context.eventId}/*` } },
        ]
      : [];
    for (const lookup of [...(parsed.lookups ?? []), ...remediated]) {
      for (const ni of await this.ec2.findInterfaces(lookup)) found.set(ni.networkInterfaceId, ni);
    }
    // …and every interface a first delivery of the change noted before claiming it, whatever EC2 now shows.
    if (parsed.change) for (const ni of await this.groupChanges.noted(context.eventId, found)) found.set(ni.networkInterfaceId, ni);
    if (parsed.interfaces.length === 0 && found.size === 0) {
      // A group no interface uses, an instance already gone: nothing to evaluate (the sweep covers the rest).
      const detail = `no interface found for ${(parsed.lookups ?? []).map((l) => (l.kind === 'group' ? l.groupId : l.kind === 'instance' ? l.instanceId : l.kind === 'tagged' ? l.value : Object.values(l.tags).join('+'))).join(', ')}`;
      this.log.info('event ignored', { eventId: context.eventId, reason: 'no-interface', detail });
      return { kind: 'ignored', reason: 'no-interface', detail, eventId: context.eventId };
    }
    if (parsed.change) {
      const batch = await this.groupChanges.handle(context, parsed.change, [...found.values()]);
      return { kind: 'decided', eventId: context.eventId, decisions: batch.map((b) => b.decision) };
    }
    const decisions: Decision[] = [];
    for (const hint of parsed.interfaces) if (!found.has(hint.networkInterfaceId)) decisions.push(await this.decide(context, hint));
    for (const ni of found.values()) decisions.push((await this.decideOne(context, hintOf(ni), { current: ni })).decision);
    return { kind: 'decided', eventId: context.eventId, decisions };
  }

  /**
   * Decides listed interfaces, `BATCH_CONCURRENCY` at a time, each judged on the listing. Used by
   * group changes and the periodic sweep. A failure of one interface fails the batch (after the
   * others in flight finish) unless `onError` takes it.
   */
  async decideBatch(
    context: EventContext,
    interfaces: readonly NetworkInterface[],
    options: Omit<BatchOptions, 'current'> & { readonly onError?: (ni: NetworkInterface, error: unknown) => void } = {},
  ): Promise<BatchDecision[]> {
    const out: (BatchDecision | undefined)[] = interfaces.map(() => undefined);
    // One event, one caller: the first customer-owned interface answers for the caller (credentials, isolation).
    const callerHandledBy = interfaces.find((ni) => !triageInterface(ni))?.networkInterfaceId;
    await forEachLimited([...interfaces.keys()], BATCH_CONCURRENCY, async (i) => {
      const ni = interfaces[i]!;
      try {
        out[i] = await this.decideOne(context, hintOf(ni), { ...options, current: ni, ...(callerHandledBy ? { callerHandledBy } : {}) });
      } catch (error) {
        if (!options.onError) throw error;
        options.onError(ni, error);
      }
    });
    // In listing order, whatever order they finished in.
    return out.filter((b): b is BatchDecision => b !== undefined);
  }

  private async decide(context: EventContext, hint: InterfaceHint): Promise<Decision> {
    return (await this.decideOne(context, hint, {})).decision;
  }

  private async decideOne(context: EventContext, hint: InterfaceHint, options: BatchOptions): Promise<BatchDecision> {
    const base = {
      context,
      networkInterfaceId: hint.networkInterfaceId,
      findings: [],
      exempted: [],
      expiredExemptions: [],
      ruleErrors: [],
      results: [],
    };
    // What is skipped is decided from EC2's answer, never from the event (its sender chose what it says).
    const defer = options.deferAlert === true;
    const networkInterface = options.current ?? (await this.ec2.describeInterface(hint.networkInterfaceId));
    if (!networkInterface) {
      return this.finish({ ...base, outcome: 'gone', reason: 'the interface no longer exists; nothing to evaluate' }, undefined, defer);
    }
    const currentSkip = triageInterface(networkInterface);
    if (currentSkip)
      return this.finish(
        { ...base, networkInterface, outcome: 'skipped', reason: `${currentSkip.reason}: ${currentSkip.detail}` },
        undefined,
        defer,
      );

    const { policy } = this.settings;
    const now = (this.settings.now ?? (() => new Date()))();
    const ledgerId = ledgerIdOf(context.eventId, networkInterface.networkInterfaceId);
    // Alongside the facts: this event's record, if an earlier delivery left one (an interrupted attempt
    // may have fixed the interface before it could record it — the fresh read then finds nothing to do).
    const recorded = this.effects.ledger?.get(ledgerId).catch((error: unknown) => {
      this.log.warn('ledger not readable; an earlier attempt of this event cannot be looked up', {
        ledgerId,
        error: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    });
    const facts = await this.facts.gather(context, networkInterface, requiredFacts(policy));
    const evaluation = evaluate(facts, policy, now);
    const toEdit = groupsToEdit(evaluation, policy);
    const groupUsage = toEdit.length > 0 ? await this.usageOf(toEdit, options.usage) : new Map<string, number>();
    const quarantineGroups = new Map<string, string>();
    for (const vpcId of quarantineVpcs(evaluation, policy, groupUsage, facts)) {
      const groupId = await this.usableQuarantineGroup(context, vpcId);
      if (groupId) quarantineGroups.set(vpcId, groupId);
    }
    const ownCopies = new Map<string, OwnGroup>();
    if (networkInterface.vpcId && copiesToLookUp(evaluation, policy, groupUsage)) {
      // Copies an interrupted attempt left for this interface: adopted, never created a second time.
      const found = await this.ec2.findOwnGroups(networkInterface.vpcId, { [TAGS.interface]: networkInterface.networkInterfaceId });
      for (const group of found) {
        const of = group.tags[TAGS.copyOf];
        if (of && !ownCopies.has(of)) ownCopies.set(of, group);
      }
    }
    const planInputs = {
      facts,
      groupUsage,
      ledgerId,
      now,
      quarantineGroups,
      ...(ownCopies.size > 0 ? { ownCopies } : {}),
      ...(this.settings.flowLogDestination ? { flowLogDestination: this.settings.flowLogDestination } : {}),
      ...(this.settings.responderRoleArn ? { responderRoleArn: this.settings.responderRoleArn } : {}),
      ...(this.settings.ownRoleArns ? { ownRoleArns: this.settings.ownRoleArns } : {}),
      ...(options.callerHandledBy && options.callerHandledBy !== networkInterface.networkInterfaceId
        ? { callerHandledBy: options.callerHandledBy }
        : {}),
    };
    let plan = planResponse(evaluation, policy, planInputs);
    // The IaC-conflict guard: asked only when automation is about to be fought again (one ledger query).
    if (this.effects.ledger && plan.actions.length > 0 && isAutomationCaller(policy, facts)) {
      const since = new Date(now.getTime() - policy.automation.conflictWindowHours * 3_600_000);
      const priorFixes = await this.effects.ledger.countFixes(networkInterface.networkInterfaceId, since);
      plan = planResponse(evaluation, policy, { ...planInputs, priorFixes });
      if (plan.escalation) this.log.warn('IaC conflict: not fixing again', { eventId: context.eventId, escalation: plan.escalation });
    }
    // Judged on a listing, about to change something: decide again on a fresh read of the interface.
    if (options.current && plan.mode === 'remediate' && plan.actions.length > 0) {
      const { current: _listed, ...fresh } = options;
      return this.decideOne(context, hint, fresh);
    }
    const outcome = evaluation.findings.length > 0 ? 'noncompliant' : evaluation.errors.length > 0 ? 'error' : 'compliant';
    const { ledger } = this.effects;
    const draft: Decision = {
      ...base,
      networkInterface,
      outcome,
      findings: evaluation.findings,
      exempted: evaluation.exempted,
      expiredExemptions: evaluation.expiredExemptions,
      ruleErrors: evaluation.errors,
      plan,
      ...(ledger ? { ledgerId } : {}),
    };
    // Nothing to do and nothing to say: not recorded (a redelivery simply decides "compliant" again) —
    // unless an earlier delivery of this event left a record: a final one is a duplicate (its alert
    // may still have to go out); an unfinished one is taken over and finished, from what AWS shows.
    const quiet = !needsAlert(draft) && plan.actions.length === 0;
    const held = ledger && quiet ? await recorded : undefined;
    if (!ledger || !this.attempts || (quiet && !held)) {
      const results = plan.mode === 'remediate' ? await this.act(context, plan.actions) : [];
      return this.finish({ ...draft, results }, undefined, defer);
    }
    if (held && held.status !== 'in-progress' && held.status !== 'incomplete') return this.redelivery.duplicate(draft, held, ledger, defer);

    // Write-ahead: the pre-state, the findings and the planned calls are recorded before anything changes.
    const entry: LedgerEntry = {
      ledgerId,
      eventId: context.eventId,
      networkInterfaceId: networkInterface.networkInterfaceId,
      account: context.account,
      region: context.region,
      ...(this.settings.undoRoleArn ? { undoRoleArn: this.settings.undoRoleArn } : {}),
      status: 'in-progress',
      createdAt: now.toISOString(),
      preState: { networkInterface: recordedInterface(networkInterface) },
      findings: evaluation.findings.map(briefOf),
      plan,
    };
    const leaseUntil = new Date(now.getTime() + (this.settings.leaseSeconds ?? 120) * 1000);
    return this.attempts.run({
      draft,
      plan,
      entry,
      leaseUntil,
      now,
      defer,
      ...(options.beforeClaim ? { beforeClaim: options.beforeClaim } : {}),
    });
  }

  /** Runs the actions, then records every quarantine group they created (so that one, and only one of ours, is reused). */
  private async act(context: EventContext, actions: readonly Action[]): Promise<ActionResult[]> {
    const results = await this.effects.remediator.execute(actions);
    const registry = this.effects.quarantine;
    if (!registry) return results;
    for (const result of results) {
      const groupId = result.outputs[QUARANTINE_OUTPUT];
      const create = result.action.calls.find((c) => c.operation === 'CreateSecurityGroup' && c.output?.name === QUARANTINE_OUTPUT);
      const vpcId = create?.input['VpcId'];
      if (result.status !== 'succeeded' || result.verified !== true || !groupId || typeof vpcId !== 'string') continue;
      try {
        await registry.record(context, vpcId, groupId);
      } catch (error) {
        // Not fatal: the next quarantine in this VPC creates another group (never adopts one it did not record).
        this.log.warn('quarantine group not recorded', { vpcId, groupId, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return results;
  }

  /**
   * The VPC's quarantine group, if eni-guard recorded creating one and EC2 shows it still in that VPC
   * without a single rule; otherwise undefined (the plan creates a new one). Checked before every use:
   * a recorded group someone opened since is never used again.
   */
  private async usableQuarantineGroup(context: EventContext, vpcId: string): Promise<string | undefined> {
    const registry = this.effects.quarantine;
    if (!registry) return undefined;
    const groupId = await registry.recorded(context, vpcId);
    if (!groupId) return undefined;
    const group = await this.ec2.describeGroup(groupId);
    const problem = !group
      ? 'it no longer exists'
      : group.vpcId !== vpcId
        ? `it is in ${group.vpcId ?? 'no VPC'}`
        : group.ingressRules + group.egressRules > 0
          ? `it has ${group.ingressRules} ingress and ${group.egressRules} egress rule(s)`
          : undefined;
    if (!problem) return groupId;
    this.log.warn('recorded quarantine group not usable; a new one is created', { eventId: context.eventId, vpcId, groupId, problem });
    return undefined;
  }

  /** Why the event is outside the accounts and Regions this responder guards, or undefined. */
  private outOfScope(context: EventContext): string | undefined {
    const { scope } = this.settings;
    if (!scope) return undefined;
    if (!scope.accounts.includes(context.account)) {
      return `account ${context.account} is not guarded here (guarded: ${scope.accounts.join(', ')})`;
    }
    if (scope.regions && !scope.regions.includes(context.region)) {
      return `Region ${context.region} is not guarded here (guarded: ${scope.regions.join(', ')})`;
    }
    return undefined;
  }

  /** Interfaces using each group: from the batch's counts when it has them (counted once per batch), else read now. */
  private async usageOf(groupIds: readonly string[], shared: Map<string, number> | undefined): Promise<Map<string, number>> {
    if (!shared) return this.ec2.countInterfacesUsingGroups(groupIds);
    const missing = groupIds.filter((id) => !shared.has(id));
    if (missing.length > 0) for (const [id, n] of await this.ec2.countInterfacesUsingGroups(missing)) shared.set(id, n);
    return new Map(groupIds.map((id) => [id, shared.get(id) ?? 0]));
  }

  /** Logs the decision and publishes its alert (or, with `defer`, hands it back to the batch). */
  private async finish(decision: Decision, rendered?: Alert, defer = false): Promise<BatchDecision> {
    const { eventId } = decision.context;
    const summary = {
      eventId,
      networkInterfaceId: decision.networkInterfaceId,
      outcome: decision.outcome,
      ...(decision.reason ? { reason: decision.reason } : {}),
      severity: severityOf(decision),
      response: responseOf(decision),
      findings: decision.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, title: f.title })),
      exempted: decision.exempted.map((e) => ({
        ruleId: e.finding.ruleId,
        exemptionId: e.exemptionId,
        owner: e.owner,
        expires: e.expires,
      })),
      expiredExemptions: decision.expiredExemptions,
      ruleErrors: decision.ruleErrors,
      plan: decision.plan && {
        mode: decision.plan.mode,
        actions: decision.plan.actions.map(describeAction),
        withheld: decision.plan.withheld.map((w) => `${w.ruleId}: ${w.reason}`),
      },
      results: decision.results.map((r) => ({
        action: describeAction(r.action),
        status: r.status,
        verified: r.verified,
        verification: r.verification,
        error: r.error,
        ...(r.superseded !== undefined ? { superseded: r.superseded } : {}),
      })),
      ...(decision.ledgerWarning ? { ledgerWarning: decision.ledgerWarning } : {}),
      ...(decision.escalation ? { escalation: decision.escalation } : {}),
      ...(decision.ledgerId ? { ledgerId: decision.ledgerId } : {}),
    };
    const failed = currentResults(decision).some((r) => r.status === 'failed' || r.verified !== true);
    if (failed || decision.ruleErrors.length > 0 || decision.ledgerWarning) this.log.error('interface decided', summary);
    else if (decision.outcome === 'noncompliant') this.log.warn('interface decided', summary);
    else this.log.info('interface decided', summary);
    // Before the alert: a failed publish (retried) must not keep the other sinks from hearing of it; they never throw.
    await this.observer?.decided(decision);

    if (!needsAlert(decision)) return { decision };
    const alert = rendered ?? renderAlert(decision);
    if (defer) return { decision, alert };
    await this.delivery.publish(eventId, alert);
    return { decision };
  }
}
