/**
 * Typed configuration of the eni-guard app. `lib/app.ts` passes CDK context in; everything else
 * receives the validated `EniGuardConfig`. A bad value fails `cdk synth` naming the key and why.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as z from 'zod';
import { MAX_WINDOW_SECONDS } from '../lambda/core/burst';
import { JsonSyntaxError, parseJson } from '../lambda/core/json';
import type { Policy } from '../lambda/core/policy';
import { parsePolicy, PolicyError, settingsOf } from '../lambda/core/policy';
import { DEFAULT_MEMBER_ROLE_NAME } from '../lambda/core/organization';
import { BACKUP_COVERAGE, type BackupCoverageSettings } from '../lambda/core/rules/backup-coverage';
import { applyShadowSwitch, DRY_RUN_CONTEXT_KEY, type DeployMode } from '../lambda/core/shadow-mode';
import { didYouMean } from '../lambda/core/suggest';

/** Context keys eni-guard reads (all prefixed `eniGuard:`). */
export const CONTEXT_KEYS = {
  policyFile: 'eniGuard:policyFile',
  dryRun: DRY_RUN_CONTEXT_KEY,
  alertEmails: 'eniGuard:alertEmails',
  alertBurstWindowSeconds: 'eniGuard:alertBurstWindowSeconds',
  alertChat: 'eniGuard:alertChat',
  trail: 'eniGuard:trail',
  logRetentionDays: 'eniGuard:logRetentionDays',
  reservedConcurrency: 'eniGuard:reservedConcurrency',
  trailTransitionDays: 'eniGuard:trailTransitionDays',
  trailExpirationDays: 'eniGuard:trailExpirationDays',
  trailCloudWatchLogs: 'eniGuard:trailCloudWatchLogs',
  flowLogVpcIds: 'eniGuard:flowLogVpcIds',
  flowLogDestination: 'eniGuard:flowLogDestination',
  flowLogRetentionDays: 'eniGuard:flowLogRetentionDays',
  backup: 'eniGuard:backup',
  backupSchedule: 'eniGuard:backupSchedule',
  backupRetentionDays: 'eniGuard:backupRetentionDays',
  backupColdStorageAfterDays: 'eniGuard:backupColdStorageAfterDays',
  backupCopyToVaultArn: 'eniGuard:backupCopyToVaultArn',
  backupTagKey: 'eniGuard:backupTagKey',
  backupTagValue: 'eniGuard:backupTagValue',
  ebsEncryptionByDefault: 'eniGuard:ebsEncryptionByDefault',
  ebsDefaultKmsKey: 'eniGuard:ebsDefaultKmsKey',
  ebsDisableOnDelete: 'eniGuard:ebsDisableOnDelete',
  sweepSchedule: 'eniGuard:sweepSchedule',
  securityHub: 'eniGuard:securityHub',
  decisionEvents: 'eniGuard:decisionEvents',
  decisionEventBus: 'eniGuard:decisionEventBus',
  chatChannel: 'eniGuard:chatChannel',
  scope: 'eniGuard:scope',
  organizationId: 'eniGuard:organizationId',
  hubRegions: 'eniGuard:hubRegions',
  memberRegions: 'eniGuard:memberRegions',
  targetOus: 'eniGuard:targetOus',
  excludedAccounts: 'eniGuard:excludedAccounts',
  memberRoleName: 'eniGuard:memberRoleName',
  stackSetsCallAs: 'eniGuard:stackSetsCallAs',
} as const;

/** The keys only organization mode reads: given with `eniGuard:scope=account`, they are a mistake. */
const ORGANIZATION_KEYS = [
  CONTEXT_KEYS.organizationId,
  CONTEXT_KEYS.hubRegions,
  CONTEXT_KEYS.memberRegions,
  CONTEXT_KEYS.targetOus,
  CONTEXT_KEYS.excludedAccounts,
  CONTEXT_KEYS.memberRoleName,
  CONTEXT_KEYS.stackSetsCallAs,
] as const;

/** Log retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** A CloudWatch Logs retention period, in days. */
export type LogRetentionDays = (typeof LOG_RETENTION_DAYS)[number];

/** AWS Backup needs recovery points in cold storage for at least this many days. */
export const COLD_STORAGE_MINIMUM_DAYS = 90;

/** The CloudTrail trail eni-guard creates (`trail=create`). */
export interface AuditTrailConfig {
  /** Days before log files move to Glacier Instant Retrieval; 0 keeps them in S3 Standard. */
  readonly transitionAfterDays: number;
  /** Days before log files (and non-current versions) expire. */
  readonly expireAfterDays: number;
  /** Also deliver the trail to a KMS-encrypted CloudWatch Logs group. */
  readonly cloudWatchLogs: boolean;
}

/** VPC flow logs. */
export interface FlowLogsConfig {
  /**
   * `all`: every VPC of the account and Region, at deploy and whenever one is created, kept so by the
   * sweep (docs/flow-logs.md); the ids given: one CloudFormation flow log each; `none`: no flow logs.
   */
  readonly vpcs: 'all' | 'none' | readonly string[];
  /** Where records go. */
  readonly destination: 'cloud-watch-logs' | 's3';
  /** Retention of the log group, or expiry of the S3 objects. */
  readonly retentionDays: LogRetentionDays;
}

/** AWS Backup vault, plan and tag selection. */
export interface BackupConfig {
  readonly enabled: boolean;
  /** A Backup `cron(…)` expression, evaluated in UTC. */
  readonly schedule: string;
  readonly retentionDays: number;
  /** Days before recovery points move to cold storage; undefined: never. */
  readonly coldStorageAfterDays?: number;
  /** A vault (in another Region or account) each recovery point is copied to; undefined: no copy. */
  readonly copyToVaultArn?: string;
  /** Resources carrying this tag key and value are backed up. */
  readonly tagKey: string;
  readonly tagValue: string;
}

/** EBS encryption by default for the account and Region. */
export interface EbsEncryptionConfig {
  readonly enabled: boolean;
  /** `aws-managed` (alias/aws/ebs), `create` (a new rotating CMK) or the ARN of an existing key. */
  readonly kmsKey: 'aws-managed' | 'create' | `arn:${string}`;
  /** Turn encryption by default off again (and reset the key) when the stack is deleted. */
  readonly disableOnDelete: boolean;
}

/** The periodic sweep over every interface. */
export interface SweepConfig {
  /** An EventBridge schedule expression (`cron(…)` in UTC, or `rate(…)`); undefined: no sweep. */
  readonly schedule?: string;
}

/** How alerts reach people. */
export interface AlertsConfig {
  /** Burst window: alerts of the same cause within it become one digest; 0 turns aggregation off. */
  readonly burstWindowSeconds: number;
  /**
   * The chat rendering (Amazon Q Developer / AWS Chatbot custom notifications): `none`; `https` (the
   * alert topic's HTTPS subscriptions, which is how Chatbot subscribes, get it); `topic` (a second
   * topic carries only chat renderings: subscribe Chatbot there).
   */
  readonly chat: 'none' | 'https' | 'topic';
}

/** A chat channel of Amazon Q Developer in chat applications (AWS Chatbot) the stack connects alerts to. */
export type ChatChannelConfig =
  | { readonly platform: 'slack'; readonly workspaceId: string; readonly channelId: string }
  | { readonly platform: 'teams'; readonly tenantId: string; readonly teamId: string; readonly channelId: string };

/** Where decisions go besides the alert topic. */
export interface IntegrationsConfig {
  /** Import each finding into AWS Security Hub (the account's default product). */
  readonly securityHub: boolean;
  /** Put each decision on an EventBridge bus: the account's default bus, or one the stack creates. */
  readonly decisionEvents?: { readonly bus: 'default' | 'create' };
  /** Connect the chat rendering (and the alarms) to this channel. */
  readonly chat?: ChatChannelConfig;
}

/**
 * Organization mode (`eniGuard:scope=organization`): one hub per hub Region guards the accounts of
 * the target OUs, which forward their CloudTrail events to it and let it assume their roles
 * (docs/organization.md).
 */
export interface OrganizationConfig {
  /** `o-…`. */
  readonly organizationId: string;
  /** Regions with a hub stack (`EniGuardHub-<region>`); the first also holds the StackSets stack. */
  readonly hubRegions: readonly string[];
  /** Regions whose events members forward (each to the hub of the same Region): a subset of the hub Regions. */
  readonly memberRegions: readonly string[];
  /** OU ids (or the root `r-…`) whose accounts, at any depth, are guarded. */
  readonly targetOus: readonly string[];
  /** Accounts never guarded, even inside a target OU (and left out of every StackSet). */
  readonly excludedAccounts: readonly string[];
  /** Base name of the member roles (`<name>`, `<name>Revoker`, `<name>Forwarder`, `<name>Undo`). */
  readonly memberRoleName: string;
  /** `DELEGATED_ADMIN`: the StackSets stack is deployed in a delegated administrator account; `SELF`: in the management account. */
  readonly stackSetsCallAs: 'DELEGATED_ADMIN' | 'SELF';
  /**
   * Flow logs for every VPC of every member account and Region (`eniGuard:flowLogVpcIds=all`, the
   * default): the member templates create the log group (per Region) and delivery role, the hub enables
   * them. Absent with `none`.
   */
  readonly flowLogs?: { readonly retentionDays: LogRetentionDays };
}

/** Validated configuration of the whole app. */
export interface EniGuardConfig {
  /** The policy the responder enforces (validated with the function's own schema). */
  readonly policy: Policy;
  /** Where the policy came from, for messages. */
  readonly policySource: string;
  /** Shadow mode or live, and which setting decided it (`eniGuard:dryRun` and the policy's `dryRun`; see lambda/core/shadow-mode.ts). */
  readonly mode: DeployMode;
  /** E-mail addresses subscribed to the alert topic. */
  readonly alertEmails: readonly string[];
  readonly alerts: AlertsConfig;
  /** `create`: the stack provisions a multi-Region trail; `existing`: an existing trail already logs write management events. */
  readonly trail: 'create' | 'existing';
  /** Retention of the responder's log group (and of the trail's log group). */
  readonly logRetentionDays: LogRetentionDays;
  /** Reserved concurrency of the responder. */
  readonly reservedConcurrency: number;
  readonly auditTrail: AuditTrailConfig;
  readonly flowLogs: FlowLogsConfig;
  readonly backup: BackupConfig;
  readonly ebsEncryption: EbsEncryptionConfig;
  readonly sweep: SweepConfig;
  readonly integrations: IntegrationsConfig;
  /** `account` (the default): one stack guards its own account and Region; `organization`: hubs and members. */
  readonly scope: 'account' | 'organization';
  /** Present exactly when `scope` is `organization`. */
  readonly organization?: OrganizationConfig;
}

/** Raised when configuration is invalid; the message names each key and reason. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`eni-guard configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Accepts a list as an array (cdk.json), a JSON list in a string (`-c 'key=["a","b"]'`: the CDK CLI
 * passes every `-c` value as a string) or a comma-separated string (`-c key=a,b`).
 */
const stringList = z.preprocess((value, ctx) => {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `looks like a JSON list but is not valid JSON (${error instanceof Error ? error.message : String(error)}); give ["a","b"] or a,b`,
      });
      return z.NEVER;
    }
  }
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}, z.array(z.string()));
/** A list (as `stringList` takes it) of distinct values matching `pattern`. */
function distinctList(pattern: RegExp, message: string) {
  return stringList.pipe(
    z
      .array(z.string().regex(pattern, { message }))
      .refine((items) => new Set(items).size === items.length, { message: 'lists a value twice' }),
  );
}

/** Accepts a number given as a string (`-c key=7`). */
const numeric = (schema: z.ZodNumber) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value), schema);

/** Accepts a boolean given as a string (`-c key=true` arrives as "true"; any case, surrounding spaces ignored). */
const boolean = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    const text = value.trim().toLowerCase();
    return text === 'true' ? true : text === 'false' ? false : value;
  },
  z.boolean({ error: 'must be true or false' }),
);
/** A whole number of days. */
const days = (min: number) => numeric(z.number().int().min(min).max(36500));
const logRetention = numeric(z.number()).refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), {
  message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
});
const VPC_ID = /^vpc-[0-9a-f]{8}([0-9a-f]{9})?$/;
/**
 * `all`, `none`, or VPC ids (a list, or comma-separated); each bad item is named. An empty list is
 * `none`, as it always meant "no flow logs".
 */
const flowLogVpcIds = stringList.transform((items, ctx): 'all' | 'none' | string[] => {
  const words = items.filter((item) => item === 'all' || item === 'none');
  if (words.length > 0 && items.length > 1) {
    ctx.addIssue({ code: 'custom', message: `"${words[0]}" must be the only value, not mixed with VPC ids (got ${items.join(',')})` });
    return z.NEVER;
  }
  if (items.length === 0) return 'none';
  if (words.length === 1) return words[0] as 'all' | 'none';
  const bad = items.filter((item) => !VPC_ID.test(item));
  if (bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `${bad.map((b) => JSON.stringify(b)).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not "all", "none" or a VPC id (vpc- and 8 or 17 lower-case hex digits)`,
    });
    return z.NEVER;
  }
  return items;
});
/** Six fields (minutes hours day-of-month month day-of-week year), as EventBridge and AWS Backup take them. */
const CRON = /^cron\((\S+ ){5}\S+\)$/;
/** `rate(1 day)`, `rate(12 hours)`, `rate(30 minutes)`: EventBridge's rate expressions. */
const RATE = /^rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)$/;
const BACKUP_VAULT_ARN = /^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:[A-Za-z0-9_.-]{2,50}$/;
/** A commercial, GovCloud or China Region name (us-east-1, eu-west-1, us-gov-west-1, cn-north-1, ap-southeast-5). */
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const ORG_UNIT_ID = /^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/;
const ACCOUNT_ID = /^\d{12}$/;
/** IAM role names (`\w+=,.@-`, at most 64): the longest member role adds `Forwarder` (9 characters). */
const MEMBER_ROLE_NAME = /^[\w+=,.@-]{1,55}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[0-9a-f-]{36}|key\/mrk-[0-9a-f]{32}|alias\/[A-Za-z0-9/_-]+)$/;

const GUID = '[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}';
/** Slack: workspace (team) id and channel id, as Amazon Q Developer's Slack channel configuration takes them. */
const SLACK_CHANNEL = /^slack:([0-9A-Z]{1,255})\/([A-Za-z0-9]{1,255})$/;
/** Microsoft Teams: tenant id, team id (GUIDs) and the channel id (`19%3a…%40thread.tacv2`, from the channel's link). */
const TEAMS_CHANNEL = new RegExp(`^teams:(${GUID})\\/(${GUID})\\/([a-zA-Z0-9-_=+/.,]*%3[aA][a-zA-Z0-9-_=+/.,]*%40[a-zA-Z0-9-_=+/.,]*)$`);

/** Parses `slack:WORKSPACE/CHANNEL` or `teams:TENANT/TEAM/CHANNEL`. */
export function parseChatChannel(value: string): ChatChannelConfig | undefined {
  const slack = SLACK_CHANNEL.exec(value.trim());
  if (slack) return { platform: 'slack', workspaceId: slack[1]!, channelId: slack[2]! };
  const teams = TEAMS_CHANNEL.exec(value.trim());
  if (teams) return { platform: 'teams', tenantId: teams[1]!, teamId: teams[2]!, channelId: teams[3]! };
  return undefined;
}

const ContextSchema = z.object({
  [CONTEXT_KEYS.policyFile]: z.string().min(1).optional(),
  // No default: without it the policy file's own dryRun applies (lambda/core/shadow-mode.ts).
  [CONTEXT_KEYS.dryRun]: boolean.optional(),
  [CONTEXT_KEYS.alertEmails]: stringList.pipe(z.array(z.email({ message: 'must be e-mail addresses' }))).default([]),
  [CONTEXT_KEYS.alertBurstWindowSeconds]: numeric(z.number().int())
    .refine((n) => n === 0 || (n >= 60 && n <= MAX_WINDOW_SECONDS), {
      message: `must be 0 (off) or from 60 to ${MAX_WINDOW_SECONDS} seconds`,
    })
    .default(300),
  [CONTEXT_KEYS.alertChat]: z.enum(['none', 'https', 'topic']).default('none'),
  [CONTEXT_KEYS.trail]: z.enum(['create', 'existing']).default('create'),
  [CONTEXT_KEYS.logRetentionDays]: logRetention.default(90),
  [CONTEXT_KEYS.reservedConcurrency]: numeric(z.number().int().min(1).max(1000)).default(10),
  [CONTEXT_KEYS.trailTransitionDays]: days(0).default(90),
  [CONTEXT_KEYS.trailExpirationDays]: days(1).default(365),
  [CONTEXT_KEYS.trailCloudWatchLogs]: boolean.default(false),
  [CONTEXT_KEYS.flowLogVpcIds]: flowLogVpcIds.default('all'),
  [CONTEXT_KEYS.flowLogDestination]: z.enum(['cloud-watch-logs', 's3']).default('cloud-watch-logs'),
  [CONTEXT_KEYS.flowLogRetentionDays]: logRetention.default(90),
  [CONTEXT_KEYS.backup]: boolean.default(true),
  [CONTEXT_KEYS.backupSchedule]: z
    .string()
    .regex(CRON, { message: 'must be a six-field cron expression in UTC, e.g. cron(0 0 * * ? *)' })
    .default('cron(0 0 * * ? *)'),
  [CONTEXT_KEYS.backupRetentionDays]: days(1).default(30),
  [CONTEXT_KEYS.backupColdStorageAfterDays]: days(1).optional(),
  [CONTEXT_KEYS.backupCopyToVaultArn]: z
    .string()
    .regex(BACKUP_VAULT_ARN, { message: 'must be a backup vault ARN (arn:aws:backup:<region>:<account>:backup-vault:<name>)' })
    .optional(),
  [CONTEXT_KEYS.backupTagKey]: z.string().min(1).max(128).default('backup'),
  [CONTEXT_KEYS.backupTagValue]: z.string().max(256).default('daily'),
  [CONTEXT_KEYS.ebsEncryptionByDefault]: boolean.default(true),
  [CONTEXT_KEYS.ebsDefaultKmsKey]: z
    .string()
    .refine((value) => value === 'aws-managed' || value === 'create' || KMS_KEY_ARN.test(value), {
      message: 'must be "aws-managed", "create" or a KMS key or alias ARN',
    })
    .default('aws-managed'),
  [CONTEXT_KEYS.ebsDisableOnDelete]: boolean.default(false),
  [CONTEXT_KEYS.sweepSchedule]: z
    .string()
    .refine((value) => value === 'off' || CRON.test(value) || RATE.test(value), {
      message: 'must be "off", a six-field cron expression in UTC (cron(0 4 * * ? *)) or a rate expression (rate(1 day))',
    })
    .default('cron(0 4 * * ? *)'),
  [CONTEXT_KEYS.securityHub]: boolean.default(false),
  [CONTEXT_KEYS.decisionEvents]: boolean.default(false),
  [CONTEXT_KEYS.decisionEventBus]: z.enum(['default', 'create']).default('default'),
  [CONTEXT_KEYS.chatChannel]: z
    .string()
    .refine((value) => parseChatChannel(value) !== undefined, {
      message:
        'must be slack:WORKSPACE_ID/CHANNEL_ID (e.g. slack:T0123ABCD/C0456EFGH) or teams:TENANT_ID/TEAM_ID/CHANNEL_ID (GUIDs, then the 19%3a…%40thread.tacv2 id from the channel link)',
    })
    .optional(),
  [CONTEXT_KEYS.scope]: z.enum(['account', 'organization']).default('account'),
  [CONTEXT_KEYS.organizationId]: z
    .string()
    .regex(ORGANIZATION_ID, { message: 'must be an organization id: o- and 10 to 32 lower-case letters or digits (o-abc1234567)' })
    .optional(),
  [CONTEXT_KEYS.hubRegions]: distinctList(REGION, 'must be Region names (us-east-1,eu-west-1)').optional(),
  [CONTEXT_KEYS.memberRegions]: distinctList(REGION, 'must be Region names (us-east-1,eu-west-1)').optional(),
  [CONTEXT_KEYS.targetOus]: distinctList(ORG_UNIT_ID, 'must be OU ids (ou-abcd-12345678) or the root id (r-abcd)').optional(),
  [CONTEXT_KEYS.excludedAccounts]: distinctList(ACCOUNT_ID, 'must be 12-digit account ids').optional(),
  [CONTEXT_KEYS.memberRoleName]: z
    .string()
    .regex(MEMBER_ROLE_NAME, {
      message:
        'must be an IAM role name of at most 55 characters (letters, digits, +=,.@_-): the member roles add Revoker, Forwarder and Undo to it',
    })
    .optional(),
  [CONTEXT_KEYS.stackSetsCallAs]: z.enum(['DELEGATED_ADMIN', 'SELF']).optional(),
});

type Context = z.infer<typeof ContextSchema>;

/** The value each context key takes when it is not given (undefined: none), for the generated reference (npm run docs). */
export function contextDefaults(): Readonly<Record<string, unknown>> {
  return ContextSchema.parse({});
}

/** The organization keys, checked together; `problems` collects what is wrong, naming the keys. */
function organizationConfig(values: Context, problems: string[]): OrganizationConfig | undefined {
  const given = ORGANIZATION_KEYS.filter((key) => values[key] !== undefined);
  if (values[CONTEXT_KEYS.scope] !== 'organization') {
    for (const key of given) {
      problems.push(`${key}: only read with ${CONTEXT_KEYS.scope}=organization (the scope is account): set the scope, or drop the key`);
    }
    return undefined;
  }
  const required = (key: string, value: unknown, what: string): void => {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) {
      problems.push(`${key}: required with ${CONTEXT_KEYS.scope}=organization: ${what}`);
    }
  };
  const organizationId = values[CONTEXT_KEYS.organizationId];
  const hubRegions = values[CONTEXT_KEYS.hubRegions];
  const targetOus = values[CONTEXT_KEYS.targetOus];
  required(
    CONTEXT_KEYS.organizationId,
    organizationId,
    'the organization whose accounts are guarded (aws organizations describe-organization)',
  );
  required(CONTEXT_KEYS.hubRegions, hubRegions, 'the Regions to deploy a hub in (us-east-1,eu-west-1)');
  required(CONTEXT_KEYS.targetOus, targetOus, 'the OUs (or the root r-…) whose accounts are guarded');
  const memberRegions = values[CONTEXT_KEYS.memberRegions] ?? hubRegions;
  if (hubRegions && memberRegions) {
    const outside = memberRegions.filter((region) => !hubRegions.includes(region));
    if (outside.length > 0) {
      problems.push(
        `${CONTEXT_KEYS.memberRegions}: ${outside.join(', ')} ${outside.length === 1 ? 'has' : 'have'} no hub (${CONTEXT_KEYS.hubRegions}: ${hubRegions.join(', ')}): members forward their events to the hub bus of the same Region, so every member Region must be a hub Region`,
      );
    }
    if (memberRegions.length === 0) problems.push(`${CONTEXT_KEYS.memberRegions}: must name at least one Region`);
  }
  if (targetOus) {
    const roots = targetOus.filter((ou) => ou.startsWith('r-'));
    if (roots.length > 1) problems.push(`${CONTEXT_KEYS.targetOus}: names ${roots.join(' and ')}: an organization has one root`);
  }
  // Members' flow logs: every VPC or none; VPC ids name one account's VPCs, and members deliver to their own log groups.
  const vpcs = values[CONTEXT_KEYS.flowLogVpcIds];
  if (Array.isArray(vpcs)) {
    problems.push(
      `${CONTEXT_KEYS.flowLogVpcIds}: with ${CONTEXT_KEYS.scope}=organization it is all (every VPC of every member) or none; VPC ids name VPCs of one account`,
    );
  } else if (vpcs === 'all' && values[CONTEXT_KEYS.flowLogDestination] !== 'cloud-watch-logs') {
    problems.push(
      `${CONTEXT_KEYS.flowLogDestination}: with ${CONTEXT_KEYS.scope}=organization members deliver flow logs to CloudWatch Logs only (their own log group per Region); set it to cloud-watch-logs, or ${CONTEXT_KEYS.flowLogVpcIds}=none`,
    );
  }
  if (!organizationId || !hubRegions?.length || !targetOus?.length || !memberRegions) return undefined;
  return {
    organizationId,
    hubRegions,
    memberRegions,
    targetOus,
    excludedAccounts: values[CONTEXT_KEYS.excludedAccounts] ?? [],
    memberRoleName: values[CONTEXT_KEYS.memberRoleName] ?? DEFAULT_MEMBER_ROLE_NAME,
    stackSetsCallAs: values[CONTEXT_KEYS.stackSetsCallAs] ?? 'DELEGATED_ADMIN',
    ...(vpcs === 'all' ? { flowLogs: { retentionDays: values[CONTEXT_KEYS.flowLogRetentionDays] as LogRetentionDays } } : {}),
  };
}

/** Rules between keys, each problem naming the keys involved. */
function crossChecks(values: Context, policy: Policy): string[] {
  const problems: string[] = [];
  const transition = values[CONTEXT_KEYS.trailTransitionDays];
  if (transition > 0 && values[CONTEXT_KEYS.trailExpirationDays] <= transition) {
    problems.push(`${CONTEXT_KEYS.trailExpirationDays}: must be greater than ${CONTEXT_KEYS.trailTransitionDays} (${transition})`);
  }
  const cold = values[CONTEXT_KEYS.backupColdStorageAfterDays];
  if (cold !== undefined && values[CONTEXT_KEYS.backupRetentionDays] < cold + COLD_STORAGE_MINIMUM_DAYS) {
    problems.push(
      `${CONTEXT_KEYS.backupRetentionDays}: must be at least ${CONTEXT_KEYS.backupColdStorageAfterDays} + ${COLD_STORAGE_MINIMUM_DAYS} (${cold + COLD_STORAGE_MINIMUM_DAYS}); AWS Backup keeps cold recovery points ${COLD_STORAGE_MINIMUM_DAYS} days at least`,
    );
  }
  if (values[CONTEXT_KEYS.decisionEventBus] === 'create' && !values[CONTEXT_KEYS.decisionEvents]) {
    problems.push(`${CONTEXT_KEYS.decisionEventBus}: a bus for decision events is created only with ${CONTEXT_KEYS.decisionEvents}=true`);
  }
  if (values[CONTEXT_KEYS.chatChannel] !== undefined && values[CONTEXT_KEYS.alertChat] === 'https') {
    problems.push(
      `${CONTEXT_KEYS.chatChannel}: connects the channel through a chat-only topic; ${CONTEXT_KEYS.alertChat}=https renders chat on the alert topic instead. Set ${CONTEXT_KEYS.alertChat} to none (or topic) with ${CONTEXT_KEYS.chatChannel}`,
    );
  }
  const coverage = settingsOf(policy, BACKUP_COVERAGE) as BackupCoverageSettings;
  const [tagKey, tagValue] = [values[CONTEXT_KEYS.backupTagKey], values[CONTEXT_KEYS.backupTagValue]];
  if (values[CONTEXT_KEYS.backup] && coverage.mode !== 'off' && (coverage.tagKey !== tagKey || coverage.tagValue !== tagValue)) {
    problems.push(
      `${CONTEXT_KEYS.backupTagKey}/${CONTEXT_KEYS.backupTagValue}: the Backup selection uses ${tagKey}=${tagValue} but the policy's backup-coverage rule checks ${coverage.tagKey}=${coverage.tagValue}; make them the same`,
    );
  }
  return problems;
}

/** Every key eni-guard reads. */
export const KNOWN_CONTEXT_KEYS: readonly string[] = Object.values(CONTEXT_KEYS);

/** True for a key in eni-guard's namespace however it is spelled (`eniGuard:`, `eniguard:`, `eni-guard:`). */
function inOurNamespace(key: string): boolean {
  const at = key.indexOf(':');
  return at > 0 && key.slice(0, at).toLowerCase().replace(/[-_]/g, '') === 'eniguard';
}

/** A key in our namespace that eni-guard does not read is a typo that would silently change nothing: an error. */
function unknownKeyProblems(context: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(context)
    .filter((key) => inOurNamespace(key) && !KNOWN_CONTEXT_KEYS.includes(key))
    .sort()
    .map((key) => {
      const hint = didYouMean(key, KNOWN_CONTEXT_KEYS);
      return `${key}: unknown context key${hint ? `: ${hint}` : ''} (the keys are listed in docs/configuration.md)`;
    });
}

/**
 * Builds the configuration from the whole CDK context (`app.node.getAllContext()`: cdk.json,
 * cdk.context.json and `-c`). `baseDir` resolves a relative policy path. Without a policy file the
 * documented default policy applies.
 */
export function loadConfig(context: Readonly<Record<string, unknown>>, baseDir: string): EniGuardConfig {
  const unknown = unknownKeyProblems(context);
  const raw = Object.fromEntries(KNOWN_CONTEXT_KEYS.map((key) => [key, context[key] ?? undefined]));
  const parsed = ContextSchema.safeParse(raw);
  if (!parsed.success || unknown.length > 0) {
    throw new ConfigError([...unknown, ...(parsed.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`)]);
  }
  const values = parsed.data;
  const policyFile = values[CONTEXT_KEYS.policyFile];
  const file = policyFile ? readPolicy(isAbsolute(policyFile) ? policyFile : resolve(baseDir, policyFile)) : defaultPolicy();
  const shadow = applyShadowSwitch(
    file.policy,
    values[CONTEXT_KEYS.dryRun],
    policyFile ? `${CONTEXT_KEYS.policyFile} ${policyFile}` : file.policySource,
  );
  if (!shadow.ok) throw new ConfigError([shadow.problem]);
  // The switch puts the whole deployment in shadow mode: an overlay cannot make an OU live again.
  const policy = values[CONTEXT_KEYS.dryRun] === true ? shadowOverlays(shadow.policy) : shadow.policy;
  const { policySource } = file;
  const problems = crossChecks(values, policy);
  const organization = organizationConfig(values, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  const cold = values[CONTEXT_KEYS.backupColdStorageAfterDays];
  const copyTo = values[CONTEXT_KEYS.backupCopyToVaultArn];
  const chatChannel = values[CONTEXT_KEYS.chatChannel];
  const chat = chatChannel !== undefined ? parseChatChannel(chatChannel) : undefined;
  return {
    policy,
    policySource,
    mode: shadow.mode,
    alertEmails: values[CONTEXT_KEYS.alertEmails],
    alerts: { burstWindowSeconds: values[CONTEXT_KEYS.alertBurstWindowSeconds], chat: values[CONTEXT_KEYS.alertChat] },
    trail: values[CONTEXT_KEYS.trail],
    logRetentionDays: values[CONTEXT_KEYS.logRetentionDays] as LogRetentionDays,
    reservedConcurrency: values[CONTEXT_KEYS.reservedConcurrency],
    auditTrail: {
      transitionAfterDays: values[CONTEXT_KEYS.trailTransitionDays],
      expireAfterDays: values[CONTEXT_KEYS.trailExpirationDays],
      cloudWatchLogs: values[CONTEXT_KEYS.trailCloudWatchLogs],
    },
    flowLogs: {
      vpcs: values[CONTEXT_KEYS.flowLogVpcIds],
      destination: values[CONTEXT_KEYS.flowLogDestination],
      retentionDays: values[CONTEXT_KEYS.flowLogRetentionDays] as LogRetentionDays,
    },
    backup: {
      enabled: values[CONTEXT_KEYS.backup],
      schedule: values[CONTEXT_KEYS.backupSchedule],
      retentionDays: values[CONTEXT_KEYS.backupRetentionDays],
      ...(cold !== undefined ? { coldStorageAfterDays: cold } : {}),
      ...(copyTo !== undefined ? { copyToVaultArn: copyTo } : {}),
      tagKey: values[CONTEXT_KEYS.backupTagKey],
      tagValue: values[CONTEXT_KEYS.backupTagValue],
    },
    ebsEncryption: {
      enabled: values[CONTEXT_KEYS.ebsEncryptionByDefault],
      kmsKey: values[CONTEXT_KEYS.ebsDefaultKmsKey] as EbsEncryptionConfig['kmsKey'],
      disableOnDelete: values[CONTEXT_KEYS.ebsDisableOnDelete],
    },
    sweep: values[CONTEXT_KEYS.sweepSchedule] === 'off' ? {} : { schedule: values[CONTEXT_KEYS.sweepSchedule] },
    integrations: {
      securityHub: values[CONTEXT_KEYS.securityHub],
      ...(values[CONTEXT_KEYS.decisionEvents] ? { decisionEvents: { bus: values[CONTEXT_KEYS.decisionEventBus] } } : {}),
      ...(chat ? { chat } : {}),
    },
    scope: values[CONTEXT_KEYS.scope],
    ...(organization ? { organization } : {}),
  };
}

/** The policy with every overlay's `dryRun: false` made `true` (the deploy-time switch wins everywhere). */
function shadowOverlays(policy: Policy): Policy {
  if (!policy.overlays.some((overlay) => overlay.policy['dryRun'] === false)) return policy;
  return {
    ...policy,
    overlays: policy.overlays.map((overlay) =>
      overlay.policy['dryRun'] === false ? { ...overlay, policy: { ...overlay.policy, dryRun: true } } : overlay,
    ),
  };
}

function readPolicy(path: string): { policy: Policy; policySource: string } {
  let json: unknown;
  try {
    json = parseJson(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ConfigError([
      error instanceof JsonSyntaxError
        ? `${CONTEXT_KEYS.policyFile}: ${path}:${error.line}:${error.column}: not valid JSON: ${error.reason}`
        : `${CONTEXT_KEYS.policyFile}: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`,
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
