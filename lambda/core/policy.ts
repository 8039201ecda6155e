/**
 * The policy: what eni-guard checks, and whether each rule is off, only notifies, or remediates;
 * global dry-run; exemptions with an owner, a reason and an expiry. One schema, used by `cdk synth`
 * (lib/config.ts), by the function at start, and published as policy/schema.json.
 */
import * as z from 'zod';
import { ArnPatternSchema, PortRangeSchema } from './rule';
import { didYouMean } from './suggest';
import { backupCoverage } from './rules/backup-coverage';
import { caller } from './rules/caller';
import { ebsEncryption } from './rules/ebs-encryption';
import { RULES } from './rules/index';
import { instanceAmiAge } from './rules/instance-ami-age';
import { networkPlacement } from './rules/network-placement';
import { plaintextProtocols } from './rules/plaintext-protocols';
import { publicIp } from './rules/public-ip';
import { requiredTags } from './rules/required-tags';
import { sourceDestCheck } from './rules/source-dest-check';
import { vpcFlowLogs } from './rules/vpc-flow-logs';
import { worldOpenIngress } from './rules/world-open-ingress';

/** What a rule does when it finds something: nothing, alert, or alert and fix. */
export type RuleMode = 'off' | 'notify' | 'remediate';

const RULE_IDS: readonly string[] = RULES.map((rule) => rule.id);
const CALLER_RULE = caller.id;

/**
 * The conditions of an exemption that the owner of an interface does not control: where it is, who
 * made the call, which group it uses. A `tag` is the interface owner's to set, so it may only *point
 * at* an exemption these bound (see `EXEMPTION_BOUNDS`).
 */
export const EXEMPTION_BOUNDS = ['accounts', 'ous', 'vpc', 'subnet', 'securityGroup', 'networkInterface', 'principal'] as const;

/** An organizational unit id (`ou-…`) or the organization's root (`r-…`). */
const OrgUnitIdSchema = z.string().regex(/^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/, {
  message: 'must be an OU id (ou-abcd-12345678) or the root id (r-abcd)',
});

/** What an exemption applies to; every key given must match. */
const ExemptionMatchSchema = z
  .strictObject({
    /** An interface (or its instance) tag. Never alone: whoever creates an interface can tag it. */
    tag: z.strictObject({ key: z.string().min(1), value: z.string() }).optional(),
    principal: ArnPatternSchema.optional(),
    accounts: z
      .array(z.string().regex(/^\d{12}$/, { message: 'must be a 12-digit account id' }))
      .min(1)
      .optional(),
    /** Organization mode: accounts anywhere below these OUs (or the root). */
    ous: z.array(OrgUnitIdSchema).min(1).optional(),
    vpc: z.string().startsWith('vpc-').optional(),
    subnet: z.string().startsWith('subnet-').optional(),
    securityGroup: z.string().startsWith('sg-').optional(),
    networkInterface: z.string().startsWith('eni-').optional(),
    /** Only findings about these protocols and ports (world-open-ingress, plaintext-protocols) are exempted. */
    ports: z.array(PortRangeSchema).min(1).optional(),
  })
  .refine((match) => Object.values(match).some((v) => v !== undefined), {
    message: 'must name at least one of tag, principal, accounts, ous, vpc, subnet, securityGroup, networkInterface, ports',
  })
  .refine((match) => !match.tag || EXEMPTION_BOUNDS.some((key) => match[key] !== undefined), {
    message: `a tag alone would let anyone who can create or tag an interface exempt it: bound the exemption with ${EXEMPTION_BOUNDS.join(', ')}`,
    path: ['tag'],
  });

/** A deliberate, owned, expiring exception to one or more rules. */
export const ExemptionSchema = z
  .strictObject({
    id: z.string().min(1),
    rules: z
      .array(
        z.enum(['*', ...RULE_IDS] as [string, ...string[]], {
          error: (issue) => `unknown rule ${JSON.stringify(issue.input)}; known: *, ${RULE_IDS.join(', ')}`,
        }),
      )
      .min(1),
    match: ExemptionMatchSchema,
    owner: z.string().min(1),
    reason: z.string().min(1),
    /** Last day (UTC) the exemption applies, inclusive. */
    expires: z.iso.date({ error: 'must be a date YYYY-MM-DD' }),
  })
  .refine((exemption) => !exemption.match.tag || !exemption.rules.includes(CALLER_RULE), {
    message: `${CALLER_RULE} findings (root, instance credentials, principals not allowed) are never exempted by a tag — the caller sets the tags; exempt a principal instead`,
    path: ['rules'],
  });
/** A deliberate, owned, expiring exception to one or more rules. */
export type Exemption = z.infer<typeof ExemptionSchema>;

/** The keys an overlay may set: everything but the document's own `version`, `$schema` and `overlays`. */
const OVERLAY_KEYS = ['dryRun', 'remediation', 'automation', 'rules', 'exemptions'] as const;

/**
 * Organization mode: a change of the base policy for some OUs or accounts. Its `policy` is a part of
 * a policy document — objects are merged into the base, lists replace the base's, `exemptions` are
 * added to the base's — and the merged document must itself be valid (checked at synth and start).
 */
const OverlaySchema = z.strictObject({
  id: z.string().min(1),
  match: z
    .strictObject({
      ous: z.array(OrgUnitIdSchema).min(1).optional(),
      accounts: z
        .array(z.string().regex(/^\d{12}$/, { message: 'must be a 12-digit account id' }))
        .min(1)
        .optional(),
    })
    .refine((m) => m.ous !== undefined || m.accounts !== undefined, { message: 'must name ous or accounts' }),
  policy: z.record(z.string(), z.unknown()).superRefine((part, ctx) => {
    for (const key of Object.keys(part)) {
      if (!(OVERLAY_KEYS as readonly string[]).includes(key)) {
        ctx.addIssue({ code: 'custom', message: `an overlay may set ${OVERLAY_KEYS.join(', ')}, not ${JSON.stringify(key)}`, path: [key] });
      }
    }
  }),
});
/** One overlay of the policy. */
export type Overlay = z.infer<typeof OverlaySchema>;

/** The whole policy document. Unknown keys are errors: a typo must not silently disable a check. */
export const PolicySchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1),
  dryRun: z.boolean().default(false),
  remediation: z
    .strictObject({
      /**
       * A world-open rule in a group other interfaces also use: `copy` gives this interface a copy of the group
       * without the offending rules; `quarantine` moves it to an empty quarantine group; `edit-shared` revokes the
       * rules for everyone (explicit opt-in); `withhold` only alerts.
       */
      sharedGroups: z.enum(['copy', 'quarantine', 'edit-shared', 'withhold']).default('copy'),
      /** Tag a remediated interface with what was found, what was done, when, and the ledger id. */
      tagInterface: z.boolean().default(true),
    })
    .prefault({}),
  /**
   * Infrastructure-as-code and other automation (CloudFormation, Terraform pipelines). When one of these
   * principals re-applies a violation eni-guard has already fixed `conflictThreshold` times within
   * `conflictWindowHours` on the same interface, eni-guard stops fixing it and escalates: the template wins
   * every time, so the fight only churns production. Fix the template, or exempt the resource.
   */
  automation: z
    .strictObject({
      principals: z.array(ArnPatternSchema).default([]),
      conflictThreshold: z.number().int().min(1).max(100).default(3),
      conflictWindowHours: z.number().int().min(1).max(720).default(24),
    })
    .prefault({}),
  rules: z
    .strictObject({
      [worldOpenIngress.id]: worldOpenIngress.settings.prefault({}),
      [publicIp.id]: publicIp.settings.prefault({}),
      [networkPlacement.id]: networkPlacement.settings.prefault({}),
      [vpcFlowLogs.id]: vpcFlowLogs.settings.prefault({}),
      [sourceDestCheck.id]: sourceDestCheck.settings.prefault({}),
      [caller.id]: caller.settings.prefault({}),
      [requiredTags.id]: requiredTags.settings.prefault({}),
      [instanceAmiAge.id]: instanceAmiAge.settings.prefault({}),
      [ebsEncryption.id]: ebsEncryption.settings.prefault({}),
      [backupCoverage.id]: backupCoverage.settings.prefault({}),
      [plaintextProtocols.id]: plaintextProtocols.settings.prefault({}),
    })
    .prefault({}),
  exemptions: z
    .array(ExemptionSchema)
    .default([])
    .superRefine((exemptions, ctx) => {
      const seen = new Set<string>();
      exemptions.forEach((exemption, index) => {
        if (seen.has(exemption.id))
          ctx.addIssue({ code: 'custom', message: `duplicate exemption id ${JSON.stringify(exemption.id)}`, path: [index, 'id'] });
        seen.add(exemption.id);
      });
    }),
  /** Organization mode: changes of this policy for some OUs or accounts, applied in order (OUs from the root down, then accounts). */
  overlays: z.array(OverlaySchema).default([]),
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

/**
 * How policies are parsed: a container parses its policy a few times (at init, and per account with
 * overlays), so zod's JIT — which generates and compiles a parser per object schema on first use, to
 * win on the thousandth parse — only costs cold start; `jitless` parses with the same schemas directly.
 */
const PARSE = { reportInput: true, jitless: true } as const;

/** Validates a policy document and fills in defaults; throws `PolicyError` listing every problem. */
export function parsePolicy(input: unknown, source?: string): Policy {
  const result = PolicySchema.safeParse(input, PARSE);
  if (!result.success) throw new PolicyError(result.error.issues.flatMap(problemsOf), source);
  // Each overlay must give a valid policy merged onto the base, on its own: it applies alone to some accounts.
  const problems = result.data.overlays.flatMap((overlay, index) => {
    const merged = PolicySchema.safeParse(mergeOverlay(result.data, overlay), PARSE);
    return merged.success ? [] : merged.error.issues.flatMap(problemsOf).map((p) => `overlays.${index} (${overlay.id}): ${p}`);
  });
  const ids = result.data.overlays.map((o) => o.id);
  ids.forEach((id, index) => {
    if (ids.indexOf(id) !== index) problems.push(`overlays.${index}.id: duplicate overlay id ${JSON.stringify(id)}`);
  });
  if (problems.length > 0) throw new PolicyError(problems, source);
  return result.data;
}

/** The base policy with one overlay merged in (objects merged, lists replaced, exemptions added), overlays dropped. */
function mergeOverlay(base: Policy, overlay: Overlay): Record<string, unknown> {
  const { overlays: _overlays, ...rest } = base;
  const merged = mergeObjects(rest, overlay.policy);
  const extra = overlay.policy['exemptions'];
  if (Array.isArray(extra)) merged['exemptions'] = [...base.exemptions, ...(extra as unknown[])];
  return merged;
}

function mergeObjects(base: Record<string, unknown>, part: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(part)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeObjects(current, value) : value;
  }
  return out;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The policy that applies to an account: the base with every overlay that matches it merged in — OU
 * overlays in the order of the account's path from the root down, then account overlays, each group in
 * the order written. Pure; callers cache it per account.
 */
export function effectivePolicy(policy: Policy, place: { readonly account: string; readonly path?: readonly string[] }): Policy {
  const path = place.path ?? [];
  const byOu = policy.overlays
    .map((overlay, index) => ({ overlay, index, depth: Math.max(-1, ...(overlay.match.ous ?? []).map((ou) => path.indexOf(ou))) }))
    .filter((o) => o.depth >= 0)
    .sort((a, b) => a.depth - b.depth || a.index - b.index)
    .map((o) => o.overlay);
  const byAccount = policy.overlays.filter((overlay) => overlay.match.accounts?.includes(place.account));
  const applicable = [...byOu, ...byAccount];
  if (applicable.length === 0) return policy.overlays.length === 0 ? policy : { ...policy, overlays: [] };
  let merged: Policy = { ...policy, overlays: [] };
  for (const overlay of applicable) merged = PolicySchema.parse(mergeOverlay(merged, overlay), { jitless: true });
  return merged;
}

/** `path: reason` lines for one issue; a mistyped key or value names the closest one the schema knows. */
function problemsOf(issue: z.core.$ZodIssue): string[] {
  const at = issue.path.length ? issue.path.join('.') : '(root)';
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(PolicySchema, issue.path);
    return issue.keys.map((key) => {
      const hint = known ? didYouMean(key, known, (name) => JSON.stringify(name)) : undefined;
      return `${at}: Unrecognized key: ${JSON.stringify(key)}${hint ? `: ${hint}` : ''}`;
    });
  }
  if (issue.code === 'invalid_value' && typeof issue.input === 'string') {
    const hint = didYouMean(
      issue.input,
      issue.values.filter((v): v is string => typeof v === 'string'),
      (name) => JSON.stringify(name),
    );
    if (hint) return [`${at}: ${issue.message}; ${hint}`];
  }
  return [`${at}: ${issue.message}`];
}

/** The keys the schema's object at `path` accepts (through defaults, optionals, pipes and arrays), if it is an object. */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  const unwrap = (node: z.core.$ZodType | undefined): z.core.$ZodType | undefined => {
    let current = node;
    for (;;) {
      const def = current?._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType } | undefined;
      if (def?.innerType) current = def.innerType;
      else if (def?.type === 'pipe' && def.in) current = def.in;
      else return current;
    }
  };
  let node = unwrap(schema);
  for (const segment of path) {
    const def = node?._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType } | undefined;
    if (def?.type === 'object') node = unwrap(def.shape?.[String(segment)]);
    else if (def?.type === 'array') node = unwrap(def.element);
    else return undefined;
  }
  const def = node?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}

/** The settings the policy gives a rule. */
export function settingsOf(policy: Policy, ruleId: string): { readonly mode: RuleMode } | undefined {
  return (policy.rules as Readonly<Record<string, { readonly mode: RuleMode }>>)[ruleId];
}

/** The mode the policy sets for a rule; a rule the policy does not know is off. */
export function modeOf(policy: Policy, ruleId: string): RuleMode {
  return settingsOf(policy, ruleId)?.mode ?? 'off';
}

/** The JSON Schema of the policy file as users write it (published as policy/schema.json). */
export function policyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(PolicySchema, { io: 'input', unrepresentable: 'any' });
}

/** The policy that applies when the user gives none. */
export const DEFAULT_POLICY: Policy = parsePolicy({ version: 1 });
