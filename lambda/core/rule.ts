/** The contract every rule implements, and the shared shape of a rule's policy settings. */
import * as z from 'zod';
import type { FactKind, Finding, InterfaceFacts } from './model';

/** A rule's answer for one interface. */
export type Verdict =
  | { readonly status: 'not-applicable'; readonly reason: string }
  | { readonly status: 'compliant' }
  | {
      readonly status: 'non-compliant';
      readonly findings: readonly Finding[];
      /** Set when part of the evidence could not be gathered: the findings stand, and the response fails closed. */
      readonly incomplete?: string;
    };

/** The verdict of a rule about the attached instance for an interface that has none. */
export const NOT_ATTACHED: Verdict = { status: 'not-applicable', reason: 'interface is not attached to an instance' };

/** What a rule may know besides the facts: the clock, injected so rules stay pure. */
export interface RuleContext {
  readonly now: Date;
}

/** A pure check `(facts, settings) => verdict`. The id is stable and equals the rule's file name. */
export interface Rule<S = unknown> {
  readonly id: string;
  readonly description: string;
  /** Optional facts the rule reads; only these are gathered (and only when the rule is on). */
  readonly requires: readonly FactKind[];
  /**
   * Validates and defaults the rule's section of the policy. Whether the rule can remediate is said
   * here and only here: `remediableSettings` accepts `remediate`, `reportingSettings` rejects it.
   */
  readonly settings: z.ZodType<S>;
  evaluate(facts: InterfaceFacts, settings: S, context: RuleContext): Verdict;
}

/** Settings of a rule that can remediate: `off | notify | remediate` plus its own keys. */
export function remediableSettings<T extends z.ZodRawShape>(defaultMode: 'off' | 'notify' | 'remediate', shape: T) {
  return z.strictObject({ mode: z.enum(['off', 'notify', 'remediate']).default(defaultMode), ...shape });
}

/** Settings of a rule that only reports: `off | notify` (remediate is rejected by the schema) plus its own keys. */
export function reportingSettings<T extends z.ZodRawShape>(defaultMode: 'off' | 'notify', shape: T) {
  return z.strictObject({
    mode: z.enum(['off', 'notify'], { error: 'must be "off" or "notify": this rule has no automatic remediation' }).default(defaultMode),
    ...shape,
  });
}

/** A port range on TCP or UDP (`to` defaults to `from`). */
export const PortRangeSchema = z
  .strictObject({
    protocol: z.enum(['tcp', 'udp']),
    from: z.number().int().min(0).max(65535),
    to: z.number().int().min(0).max(65535).optional(),
  })
  .refine((range) => range.to === undefined || range.to >= range.from, {
    message: '"to" must be greater than or equal to "from"',
    path: ['to'],
  });
/** A port range on TCP or UDP (`to` defaults to `from`). */
export type PortRange = z.infer<typeof PortRangeSchema>;

/** ARN patterns with `*` (any run of characters) and `?` (one character). */
export const ArnPatternSchema = z.string().regex(/^(arn:[^\s]+|\*)$/, { message: 'must be an ARN pattern (arn:…, * and ? allowed)' });

/** True when `value` matches the glob `pattern` (`*` any run, `?` one character; case-sensitive). */
export function globMatch(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return regex.test(value);
}

/** True when any of the patterns matches any of the values. */
export function anyGlobMatch(patterns: readonly string[], values: readonly (string | undefined)[]): boolean {
  return patterns.some((pattern) => values.some((value) => value !== undefined && globMatch(pattern, value)));
}
