/**
 * The policy: what eni-guard checks, and whether it only notifies or also remediates.
 * One schema, used by `cdk synth` (lib/config.ts) and again when the function starts.
 */
import * as z from 'zod';

/** What a rule does when it finds something. */
export const RuleModeSchema = z.enum(['off', 'notify', 'remediate']);
/** What a rule does when it finds something: nothing, alert, or alert and fix. */
export type RuleMode = z.infer<typeof RuleModeSchema>;

const port = z.number().int().min(0).max(65535);

/** A protocol and port range that may be open to the world. */
export const PortRangeSchema = z
  .strictObject({
    protocol: z.enum(['tcp', 'udp']),
    from: port,
    to: port.optional(),
  })
  .refine((range) => range.to === undefined || range.to >= range.from, {
    message: '"to" must be greater than or equal to "from"',
    path: ['to'],
  });
/** A protocol and port range that may be open to the world (`to` defaults to `from`). */
export type PortRange = z.infer<typeof PortRangeSchema>;

/** Settings of the `world-open-ingress` rule. */
export const WorldOpenIngressSettingsSchema = z.strictObject({
  mode: RuleModeSchema.default('remediate'),
  allowedPublicPorts: z.array(PortRangeSchema).default([{ protocol: 'tcp', from: 443 }]),
  allowPublicIcmp: z.boolean().default(true),
});

/** The whole policy document. Unknown keys are errors: a typo must not silently disable a check. */
export const PolicySchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1),
  dryRun: z.boolean().default(false),
  rules: z
    .strictObject({
      'world-open-ingress': WorldOpenIngressSettingsSchema.prefault({}),
    })
    .prefault({}),
});

/** A validated policy with every default filled in. */
export type Policy = z.infer<typeof PolicySchema>;
/** A policy as a user writes it (defaults may be omitted). */
export type PolicyInput = z.input<typeof PolicySchema>;

/** Raised for a policy that does not validate; `problems` are `path: reason` lines. */
export class PolicyError extends Error {
  constructor(
    readonly problems: readonly string[],
    source = 'policy',
  ) {
    super(`${source} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

/** Validates a policy document and fills in defaults; throws `PolicyError` listing every problem. */
export function parsePolicy(input: unknown, source?: string): Policy {
  const result = PolicySchema.safeParse(input);
  if (!result.success) {
    throw new PolicyError(
      result.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`),
      source,
    );
  }
  return result.data;
}

/** The policy that applies when the user gives none. */
export const DEFAULT_POLICY: Policy = parsePolicy({ version: 1 });
