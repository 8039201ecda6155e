/** Decisions for tests of what is built from them (Security Hub findings, decision events, metrics). */
import type { Decision } from '../../lambda/core/decision';
import { evaluate } from '../../lambda/core/evaluate';
import { planResponse } from '../../lambda/core/plan/index';
import { DEFAULT_POLICY, parsePolicy, type Policy } from '../../lambda/core/policy';
import { CONTEXT, facts, networkInterface, NOW, planInputs, rule } from './fixtures';

/** The interface the decisions are about. */
export const ENI = 'eni-0aaaaaaaaaaaaaaaa';

/**
 * World-open SSH on an interface with a public IP, decided under `policy` (default: world-open
 * remediated, public IP notified). `results`: how the planned actions went (default: all succeeded, verified).
 */
export function decided(
  options: { policy?: Policy; results?: 'verified' | 'failed' | 'none'; overrides?: Partial<Decision> } = {},
): Decision {
  const policy = options.policy ?? DEFAULT_POLICY;
  const input = facts([rule({ ruleId: 'sgr-ssh' })]);
  const evaluation = evaluate(input, policy, NOW);
  const plan = planResponse(evaluation, policy, planInputs(input));
  const how = options.results ?? (plan.mode === 'remediate' ? 'verified' : 'none');
  return {
    context: CONTEXT,
    networkInterfaceId: ENI,
    networkInterface: networkInterface({ publicIp: '203.0.113.10', attachedInstanceId: 'i-0123456789abcdef0' }),
    outcome: 'noncompliant',
    findings: evaluation.findings,
    exempted: [],
    expiredExemptions: [],
    ruleErrors: [],
    plan,
    results:
      how === 'none'
        ? []
        : plan.actions.map((action) => ({
            action,
            status: how === 'failed' ? ('failed' as const) : ('succeeded' as const),
            calls: action.calls.map((c) => ({
              operation: c.operation,
              input: c.input,
              outcome: how === 'failed' ? ('failed' as const) : ('ok' as const),
            })),
            outputs: {},
            ...(how === 'failed'
              ? { error: 'UnauthorizedOperation: not allowed' }
              : { verified: true, verification: 're-read sg-1: rules gone' }),
          })),
    ledgerId: `${CONTEXT.eventId}/${ENI}`,
    ...options.overrides,
  };
}

/** The same interface judged compliant (nothing found). */
export function compliant(overrides: Partial<Decision> = {}): Decision {
  return {
    context: { ...CONTEXT, eventId: '22222222-2222-3333-4444-555555555555', eventTime: '2026-11-28T04:00:00Z' },
    networkInterfaceId: ENI,
    networkInterface: networkInterface({ publicIp: undefined }),
    outcome: 'compliant',
    findings: [],
    exempted: [],
    expiredExemptions: [],
    ruleErrors: [],
    plan: { mode: 'remediate', actions: [], withheld: [] },
    results: [],
    ...overrides,
  };
}

/** Everything notified: findings stand, nothing is done. */
export const NOTIFY_ALL = parsePolicy({ version: 1, rules: { 'world-open-ingress': { mode: 'notify' } } });
