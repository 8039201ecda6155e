/**
 * Typed configuration of the eni-guard app. `lib/app.ts` passes CDK context in; everything else
 * receives the validated `EniGuardConfig`. A bad value fails `cdk synth` naming the key and why.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as z from 'zod';
import type { Policy } from '../lambda/core/policy';
import { parsePolicy, PolicyError } from '../lambda/core/policy';

/** Context keys eni-guard reads (all prefixed `eniGuard:`). */
export const CONTEXT_KEYS = {
  policyFile: 'eniGuard:policyFile',
  alertEmails: 'eniGuard:alertEmails',
  trail: 'eniGuard:trail',
  logRetentionDays: 'eniGuard:logRetentionDays',
  reservedConcurrency: 'eniGuard:reservedConcurrency',
} as const;

/** Log retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Validated configuration of the whole app. */
export interface EniGuardConfig {
  /** The policy the responder enforces (validated with the function's own schema). */
  readonly policy: Policy;
  /** Where the policy came from, for messages. */
  readonly policySource: string;
  /** E-mail addresses subscribed to the alert topic. */
  readonly alertEmails: readonly string[];
  /** `create`: the stack provisions a multi-Region trail; `existing`: an existing trail already logs write management events. */
  readonly trail: 'create' | 'existing';
  readonly logRetentionDays: (typeof LOG_RETENTION_DAYS)[number];
  /** Reserved concurrency of the responder. */
  readonly reservedConcurrency: number;
}

/** Raised when configuration is invalid; the message names each key and reason. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`eni-guard configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Accepts a list as an array or as a comma-separated string (`-c key=a,b` on the command line). */
const stringList = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0)
      : value,
  z.array(z.string()),
);
/** Accepts a number given as a string (`-c key=7`). */
const numeric = (schema: z.ZodNumber) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value), schema);

const ContextSchema = z.object({
  [CONTEXT_KEYS.policyFile]: z.string().min(1).optional(),
  [CONTEXT_KEYS.alertEmails]: stringList.pipe(z.array(z.email({ message: 'must be e-mail addresses' }))).default([]),
  [CONTEXT_KEYS.trail]: z.enum(['create', 'existing']).default('create'),
  [CONTEXT_KEYS.logRetentionDays]: numeric(z.number())
    .refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), {
      message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(90),
  [CONTEXT_KEYS.reservedConcurrency]: numeric(z.number().int().min(1).max(1000)).default(10),
});

/**
 * Builds the configuration from context values. `baseDir` resolves a relative policy path.
 * Without a policy file the documented default policy applies.
 */
export function loadConfig(context: (key: string) => unknown, baseDir: string): EniGuardConfig {
  const raw = Object.fromEntries(Object.values(CONTEXT_KEYS).map((key) => [key, context(key) ?? undefined]));
  const parsed = ContextSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const values = parsed.data;
  const policyFile = values[CONTEXT_KEYS.policyFile];
  const { policy, policySource } = policyFile
    ? readPolicy(isAbsolute(policyFile) ? policyFile : resolve(baseDir, policyFile))
    : defaultPolicy();
  return {
    policy,
    policySource,
    alertEmails: values[CONTEXT_KEYS.alertEmails],
    trail: values[CONTEXT_KEYS.trail],
    logRetentionDays: values[CONTEXT_KEYS.logRetentionDays] as EniGuardConfig['logRetentionDays'],
    reservedConcurrency: values[CONTEXT_KEYS.reservedConcurrency],
  };
}

function readPolicy(path: string): { policy: Policy; policySource: string } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError([
      `${CONTEXT_KEYS.policyFile}: cannot read ${path} as JSON: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
  try {
    return { policy: parsePolicy(json), policySource: path };
  } catch (error) {
    if (error instanceof PolicyError) throw new ConfigError(error.problems.map((p) => `${CONTEXT_KEYS.policyFile} (${path}): ${p}`));
    throw error;
  }
}

function defaultPolicy(): { policy: Policy; policySource: string } {
  return { policy: parsePolicy({ version: 1 }), policySource: 'built-in default policy' };
}
