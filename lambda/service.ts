/**
 * Orchestration: event → facts → findings → plan → act | notify. AWS is reached only through the
 * ports below; the pure core decides, this class sequences. It is the one place that runs actions.
 */
import type { Action } from './core/actions';
import { describeAction } from './core/actions';
import type { Alert } from './core/alert';
import { renderAlert } from './core/alert';
import type { ActionResult, Decision } from './core/decision';
import { needsAlert, responseOf, severityOf } from './core/decision';
import { evaluate, requiredFacts } from './core/evaluate';
import type { ParsedEvent } from './core/event';
import { parseEvent } from './core/event';
import type { EventContext, InterfaceHint, NetworkInterface, SecurityGroupRule } from './core/model';
import type { FactGatherer } from './facts';
import { groupsToEdit, planResponse } from './core/plan';
import type { Policy } from './core/policy';
import { triageCall, triageInterface } from './core/triage';

/** What the responder needs from EC2. */
export interface Ec2Port {
  /** The interface as EC2 sees it now, or undefined when it no longer exists. */
  describeInterface(networkInterfaceId: string): Promise<NetworkInterface | undefined>;
  /** Every rule (ingress and egress) of the given groups. */
  describeGroupRules(groupIds: readonly string[]): Promise<SecurityGroupRule[]>;
  /** How many interfaces use each group. */
  countInterfacesUsingGroups(groupIds: readonly string[]): Promise<Map<string, number>>;
  revokeIngress(groupId: string, securityGroupRuleIds: readonly string[]): Promise<void>;
}

/** Where alerts go. */
export interface AlertPort {
  publish(alert: Alert): Promise<void>;
}

/** Structured logging (Powertools Logger satisfies it). */
export interface LogPort {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/** Settings the responder is built with. */
export interface ResponderSettings {
  readonly policy: Policy;
  /** The function's own role: calls it makes are never evaluated (no loops). */
  readonly responderRoleArn?: string;
  /** The clock (exemption expiry, AMI age). @default () => new Date() */
  readonly now?: () => Date;
}

/** The result of handling one delivered event. */
export type HandleResult =
  | { readonly kind: 'invalid'; readonly problems: readonly string[]; readonly eventId?: string }
  | { readonly kind: 'ignored'; readonly reason: string; readonly detail: string; readonly eventId?: string }
  | { readonly kind: 'decided'; readonly eventId: string; readonly decisions: readonly Decision[] };

/** Raised when an alert about a decision could not be delivered; the alert is in the log line. */
export class AlertDeliveryError extends Error {
  constructor(eventId: string, cause: unknown) {
    super(`alert for event ${eventId} could not be published: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'AlertDeliveryError';
  }
}

/** Handles CloudTrail events about network interfaces. */
export class Responder {
  constructor(
    private readonly ec2: Ec2Port,
    private readonly facts: FactGatherer,
    private readonly alerts: AlertPort,
    private readonly log: LogPort,
    private readonly settings: ResponderSettings,
  ) {}

  /** Handles one delivered event. Throws only for failures worth a retry (AWS errors, alert delivery). */
  async handle(event: unknown): Promise<HandleResult> {
    const parsed: ParsedEvent = parseEvent(event);
    if (parsed.kind === 'invalid') {
      // Retrying cannot repair a malformed event: log it whole and drop it.
      this.log.error('event rejected: malformed', { eventId: parsed.eventId, problems: parsed.problems, event });
      return parsed;
    }
    if (parsed.kind === 'ignored') {
      const eventId = parsed.context?.eventId;
      this.log.info('event ignored', { eventId, reason: parsed.reason, detail: parsed.detail });
      return { kind: 'ignored', reason: parsed.reason, detail: parsed.detail, ...(eventId ? { eventId } : {}) };
    }
    const { context } = parsed;
    const callSkip = triageCall(context, this.settings.responderRoleArn);
    if (callSkip) {
      this.log.info('event ignored', { eventId: context.eventId, reason: callSkip.reason, detail: callSkip.detail });
      return { kind: 'ignored', reason: callSkip.reason, detail: callSkip.detail, eventId: context.eventId };
    }
    const decisions: Decision[] = [];
    for (const hint of parsed.interfaces) decisions.push(await this.decide(context, hint));
    return { kind: 'decided', eventId: context.eventId, decisions };
  }

  private async decide(context: EventContext, hint: InterfaceHint): Promise<Decision> {
    const base = {
      context,
      networkInterfaceId: hint.networkInterfaceId,
      findings: [],
      exempted: [],
      expiredExemptions: [],
      ruleErrors: [],
      results: [],
    };
    // Service-owned interfaces are skipped from the event alone: no AWS call at all.
    const hintSkip = triageInterface(hint);
    if (hintSkip) return this.finish({ ...base, outcome: 'skipped', reason: `${hintSkip.reason}: ${hintSkip.detail}` });

    const networkInterface = await this.ec2.describeInterface(hint.networkInterfaceId);
    if (!networkInterface) {
      return this.finish({ ...base, outcome: 'gone', reason: 'the interface no longer exists; nothing to evaluate' });
    }
    const currentSkip = triageInterface(networkInterface);
    if (currentSkip)
      return this.finish({ ...base, networkInterface, outcome: 'skipped', reason: `${currentSkip.reason}: ${currentSkip.detail}` });

    const { policy } = this.settings;
    const facts = await this.facts.gather(context, networkInterface, requiredFacts(policy));
    const evaluation = evaluate(facts, policy, (this.settings.now ?? (() => new Date()))());
    const toEdit = groupsToEdit(evaluation, policy);
    const groupUsage = toEdit.length > 0 ? await this.ec2.countInterfacesUsingGroups(toEdit) : new Map<string, number>();
    const plan = planResponse(evaluation, policy, groupUsage);
    const results = plan.mode === 'remediate' ? await this.execute(plan.actions) : [];
    const outcome = evaluation.findings.length > 0 ? 'noncompliant' : evaluation.errors.length > 0 ? 'error' : 'compliant';
    return this.finish({
      ...base,
      networkInterface,
      outcome,
      findings: evaluation.findings,
      exempted: evaluation.exempted,
      expiredExemptions: evaluation.expiredExemptions,
      ruleErrors: evaluation.errors,
      plan,
      results,
    });
  }

  /** Runs each action; one failure never hides the others. Then re-reads EC2 to verify. */
  private async execute(actions: readonly Action[]): Promise<ActionResult[]> {
    const attempted: { action: Action; error?: string }[] = [];
    for (const action of actions) {
      try {
        await this.ec2.revokeIngress(action.groupId, action.securityGroupRuleIds);
        attempted.push({ action });
      } catch (error) {
        attempted.push({ action, error: error instanceof Error ? error.message : String(error) });
      }
    }
    const succeeded = attempted.filter((a) => a.error === undefined);
    let remaining: Set<string> | undefined;
    let verifyError: string | undefined;
    if (succeeded.length > 0) {
      try {
        const rules = await this.ec2.describeGroupRules([...new Set(succeeded.map((a) => a.action.groupId))]);
        remaining = new Set(rules.map((r) => r.ruleId));
      } catch (error) {
        verifyError = error instanceof Error ? error.message : String(error);
      }
    }
    return attempted.map(({ action, error }): ActionResult => {
      if (error !== undefined) return { action, status: 'failed', error };
      if (!remaining) return { action, status: 'succeeded', verified: false, verification: `could not re-read the group: ${verifyError}` };
      const still = action.securityGroupRuleIds.filter((id) => remaining.has(id));
      return still.length === 0
        ? { action, status: 'succeeded', verified: true, verification: `re-read ${action.groupId}: rules gone` }
        : { action, status: 'succeeded', verified: false, verification: `re-read ${action.groupId}: still present ${still.join(',')}` };
    });
  }

  private async finish(decision: Decision): Promise<Decision> {
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
      results: decision.results.map((r) => ({ call: describeAction(r.action), status: r.status, verified: r.verified, error: r.error })),
    };
    const failed = decision.results.some((r) => r.status === 'failed' || r.verified !== true);
    if (failed || decision.ruleErrors.length > 0) this.log.error('interface decided', summary);
    else if (decision.outcome === 'noncompliant') this.log.warn('interface decided', summary);
    else this.log.info('interface decided', summary);

    if (needsAlert(decision)) {
      const alert = renderAlert(decision);
      try {
        await this.alerts.publish(alert);
      } catch (error) {
        // The decision (and any change already made) must not be lost with the alert.
        this.log.error('alert not delivered', {
          eventId,
          alert: alert.document,
          error: error instanceof Error ? error.message : String(error),
        });
        throw new AlertDeliveryError(eventId, error);
      }
    }
    return decision;
  }
}
