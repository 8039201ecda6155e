/**
 * Evaluation throughput: pure core decisions per second on the mix of core-mix.ts (one thread),
 * against the floor of `JSON.parse` of the same event strings.
 */
import { renderAlert } from '../../lambda/core/alert';
import { needsAlert, type ActionResult, type Decision } from '../../lambda/core/decision';
import { evaluate } from '../../lambda/core/evaluate';
import { parseEvent } from '../../lambda/core/event';
import { ledgerIdOf } from '../../lambda/core/ledger';
import { groupsToEdit, planResponse } from '../../lambda/core/plan/index';
import type { Policy } from '../../lambda/core/policy';
import { triageCall, triageInterface } from '../../lambda/core/triage';
import { MIX_NOW, MIX_RESPONDER_ROLE, type Expected, type MixItem, type MixScenario } from './core-mix';
import { median } from './stats';

/** Throughput of both loops, events per second (median of the timed rounds). */
export interface Throughput {
  readonly coreRate: number;
  readonly jsonParseRate: number;
  readonly rounds: number;
  readonly roundMs: number;
  readonly items: number;
  /** Core time per event of each kind of the mix, µs (one round each, after the timed rounds). */
  readonly microsByScenario: Readonly<Partial<Record<MixScenario, number>>>;
}

/**
 * One event through the core as the responder takes it, minus the I/O: parse → triage → evaluate →
 * plan → (the verified results a successful remediation yields) → alert. Returns what it decided
 * and a number that depends on all the work, so nothing can be optimised away.
 */
export function decideInMemory(item: MixItem, policy: Policy): { decided: Expected; weight: number } {
  const parsed = parseEvent(item.event);
  if (parsed.kind === 'invalid') return { decided: 'invalid', weight: parsed.problems.length };
  if (parsed.kind === 'ignored' || triageCall(parsed.context, MIX_RESPONDER_ROLE)) return { decided: 'skipped', weight: 1 };
  let decided: Expected = 'skipped';
  let weight = 0;
  for (const hint of parsed.interfaces) {
    // As the responder does: skipped on EC2's description of the interface, never on the event's.
    const skip = item.facts ? triageInterface(item.facts.networkInterface) : undefined;
    if (skip || !item.facts) {
      weight += skip?.detail.length ?? 0;
      continue;
    }
    const { context } = parsed;
    const facts = { ...item.facts, context };
    const evaluation = evaluate(facts, policy, MIX_NOW);
    const groupUsage = new Map(groupsToEdit(evaluation, policy).map((id) => [id, item.groupUsage.get(id) ?? 1]));
    const ledgerId = ledgerIdOf(context.eventId, hint.networkInterfaceId);
    const plan = planResponse(evaluation, policy, { facts, groupUsage, ledgerId, now: MIX_NOW, responderRoleArn: MIX_RESPONDER_ROLE });
    // What a successful, verified remediation reports (its calls are not rendered into the alert's size here).
    const results: ActionResult[] =
      plan.mode === 'remediate'
        ? plan.actions.map((action) => ({
            action,
            status: 'succeeded',
            calls: [],
            outputs: {},
            verified: true,
            verification: 're-read: done',
          }))
        : [];
    const decision: Decision = {
      // Whatever else the evaluation carries (as the core grows) travels with the decision, as in the service.
      ...evaluation,
      context,
      networkInterfaceId: hint.networkInterfaceId,
      networkInterface: item.facts.networkInterface,
      outcome: evaluation.findings.length > 0 ? 'noncompliant' : evaluation.errors.length > 0 ? 'error' : 'compliant',
      findings: evaluation.findings,
      ruleErrors: evaluation.errors,
      plan,
      results,
    };
    decided = decision.outcome === 'compliant' ? 'compliant' : plan.mode === 'remediate' ? 'remediate' : 'notify';
    weight += needsAlert(decision) ? renderAlert(decision).text.length : 1;
  }
  return { decided, weight };
}

/** Items whose decision differs from what the mix expects (the core changed): the figure is then for a different mix. */
export interface MixCheck {
  readonly stale: number;
  /** One line per scenario that drifted, e.g. `compliant: expected compliant, got notify (80×)`. */
  readonly drift: readonly string[];
}

/** Compares each item's decision with the mix's expectation. */
export function checkMix(items: readonly MixItem[], policy: Policy): MixCheck {
  const drift = new Map<string, number>();
  for (const item of items) {
    const { decided } = decideInMemory(item, policy);
    if (decided === item.expected) continue;
    const key = `${item.scenario}: expected ${item.expected}, got ${decided}`;
    drift.set(key, (drift.get(key) ?? 0) + 1);
  }
  return { stale: [...drift.values()].reduce((a, b) => a + b, 0), drift: [...drift].map(([key, n]) => `${key} (${n}×)`) };
}

/** Runs `fn` over the items in a loop for about `ms` milliseconds; returns events per second. */
function rate(items: readonly MixItem[], ms: number, fn: (item: MixItem) => number): { rate: number; sink: number } {
  let sink = 0;
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  // Bounded by time and by count (10 M events), whichever comes first.
  while (elapsed < ms && count < 10_000_000) {
    for (const item of items) sink += fn(item);
    count += items.length;
    elapsed = performance.now() - start;
  }
  return { rate: (count / elapsed) * 1000, sink };
}

/**
 * Alternates the two loops for `rounds` timed rounds of `roundMs` each (after one warm-up round
 * of each, for the JIT) and reports the median rate of each.
 */
export function measureThroughput(items: readonly MixItem[], policy: Policy, rounds: number, roundMs: number): Throughput {
  const core = (item: MixItem): number => decideInMemory(item, policy).weight;
  const floor = (item: MixItem): number => (JSON.parse(item.json) as { id?: string }).id?.length ?? 0;
  const coreRates: number[] = [];
  const parseRates: number[] = [];
  let sink = 0;
  for (let round = -1; round < rounds; round += 1) {
    const order = round % 2 === 0 ? ([core, floor] as const) : ([floor, core] as const);
    for (const fn of order) {
      const result = rate(items, roundMs, fn);
      sink += result.sink;
      if (round >= 0) (fn === core ? coreRates : parseRates).push(result.rate);
    }
  }
  const microsByScenario: Partial<Record<MixScenario, number>> = {};
  for (const scenario of new Set(items.map((i) => i.scenario))) {
    const result = rate(
      items.filter((i) => i.scenario === scenario),
      roundMs,
      core,
    );
    sink += result.sink;
    microsByScenario[scenario] = 1e6 / result.rate;
  }
  if (!Number.isFinite(sink)) throw new Error('unreachable: keeps the loops observable');
  return { coreRate: median(coreRates), jsonParseRate: median(parseRates), rounds, roundMs, items: items.length, microsByScenario };
}
