/**
 * `npm run docs`: rewrites the generated regions of README.md and docs/*.md from the code, so the
 * reference tables cannot drift from it — context keys and their defaults (lib/config.ts), policy keys
 * and defaults (the policy schema), the rules with the modes each accepts (so which can remediate),
 * stack outputs and retained resources (synthesized templates), the CLI's options (the command table), the
 * metrics (lambda/core/metrics.ts), the mutation score per file of the core (Stryker's report,
 * test/mutation/stryker-incremental.json).
 * `npm run docs -- --check` exits 1 when a region is stale; test/infra/docs.test.ts does the same.
 *
 * A region is `<!-- generated:NAME … -->` … `<!-- /generated:NAME -->`; edit this file, not the region.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { contextDefaults, KNOWN_CONTEXT_KEYS } from '../lib/config';
import { DEFAULT_POLICY, parsePolicy, policyJsonSchema } from '../lambda/core/policy';
import { RULES } from '../lambda/core/rules/index';
import { COMMANDS } from '../lambda/cli/commands';
import { METRICS, METRICS_NAMESPACE } from '../lambda/core/metrics';
import { commandUsage, topUsage } from '../lambda/cli/main';
import { mutationScoreRows } from './lib/mutation-score';
import { STACK_VARIANTS, synthTemplate, type TemplateJson } from './lib/stack-variants';
import { resultsTable, targetsTable, type RecordedRun } from './bench/report';

const ROOT = join(__dirname, '..');

/** What each context key does; every key of lib/config.ts must be here (the generator fails otherwise). */
const CONTEXT_KEY_DOCS: Readonly<Record<string, string>> = {
  'eniGuard:policyFile': 'path of the policy file, relative to the project',
  'eniGuard:dryRun':
    'boolean: deploy in shadow mode — evaluate and alert, change nothing, no mutating IAM. Can only turn shadow mode on ([how it combines with the policy](#shadow-mode-at-deploy-time))',
  'eniGuard:alertEmails': 'list of e-mail addresses (JSON list or comma-separated) subscribed to the alert topic',
  'eniGuard:alertBurstWindowSeconds':
    'seconds: alerts of the same cause within a window become one digest ([alerts](alerts.md#calm-during-bursts)); `0`: off; 60–3600',
  'eniGuard:alertChat':
    '`none` \\| `https` \\| `topic`: the chat rendering for HTTPS subscribers, or a chat-only topic ([alerts](alerts.md)); `eniGuard:chatChannel` connects a channel for you',
  'eniGuard:trail': '`create` \\| `existing` ([about the trail](#about-the-trail))',
  'eniGuard:logRetentionDays': 'a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, …) for the functions’ log groups',
  'eniGuard:reservedConcurrency': 'integer 1–1000: reserved concurrency of the responder',
  'eniGuard:trailTransitionDays': 'days before trail logs move to Glacier Instant Retrieval; `0`: never',
  'eniGuard:trailExpirationDays': 'days before trail logs expire (greater than the transition)',
  'eniGuard:trailCloudWatchLogs': 'boolean: also deliver the trail to a KMS-encrypted log group',
  'eniGuard:flowLogVpcIds':
    '`all`: every VPC, at deploy, on `CreateVpc` and by the sweep ([flow logs](flow-logs.md)); `none`; or VPC ids (JSON list or comma-separated: one flow log each; empty: `none`)',
  'eniGuard:flowLogDestination': '`cloud-watch-logs` \\| `s3`',
  'eniGuard:flowLogRetentionDays': 'a CloudWatch Logs retention (also the S3 expiry)',
  'eniGuard:backup': 'boolean: create the Backup vault, plan and tag selection',
  'eniGuard:backupSchedule': 'six-field AWS Backup `cron(…)` expression, UTC',
  'eniGuard:backupRetentionDays': 'integer days (≥ cold storage + 90 when cold storage is on)',
  'eniGuard:backupColdStorageAfterDays': 'integer days before recovery points move to cold storage',
  'eniGuard:backupCopyToVaultArn': 'backup vault ARN receiving a copy of each recovery point',
  'eniGuard:backupTagKey': 'tag key the selection matches (must equal the `backup-coverage` rule’s)',
  'eniGuard:backupTagValue': 'tag value the selection matches',
  'eniGuard:ebsEncryptionByDefault': 'boolean: turn on EBS encryption by default in the account and Region',
  'eniGuard:ebsDefaultKmsKey': '`aws-managed` \\| `create` \\| a KMS key or alias ARN',
  'eniGuard:ebsDisableOnDelete': 'boolean: turn encryption by default off (and reset the key) on `cdk destroy`',
  'eniGuard:sweepSchedule': '[sweep](architecture.md#the-sweep) schedule: `cron(…)` (UTC), `rate(…)` or `off`',
  'eniGuard:securityHub':
    'boolean: import every finding into AWS Security Hub, updated and resolved in place ([integrations](integrations.md#security-hub-findings)); Security Hub must be enabled',
  'eniGuard:decisionEvents':
    'boolean: put every decision on an EventBridge bus as `eni-guard Decision` events ([integrations](integrations.md#decision-events))',
  'eniGuard:decisionEventBus': '`default` (the account’s default bus) \\| `create` (a bus the stack creates)',
  'eniGuard:chatChannel':
    '`slack:WORKSPACE_ID/CHANNEL_ID` \\| `teams:TENANT_ID/TEAM_ID/CHANNEL_ID`: an Amazon Q Developer (AWS Chatbot) channel for the chat rendering and the alarms ([integrations](integrations.md#chat))',
  'eniGuard:scope':
    '`account` \\| `organization`: one stack for its own account and Region, or [organization mode](organization.md) (hubs, StackSets, members); the keys below are read only with `organization`',
  'eniGuard:organizationId': 'the organization (`o-…`) whose accounts are guarded',
  'eniGuard:hubRegions': 'list of Regions to deploy a hub in (`EniGuardHub-<region>`); the first also holds `EniGuardOrgStackSets`',
  'eniGuard:memberRegions': 'list of Regions whose events members forward, each to the hub of the same Region; a subset of the hub Regions',
  'eniGuard:targetOus': 'list of OU ids (`ou-…`) or the root (`r-…`) whose accounts, at any depth, are guarded',
  'eniGuard:excludedAccounts': 'list of 12-digit account ids never guarded, even inside a target OU (no StackSet deploys to them)',
  'eniGuard:memberRoleName':
    'base name of the member roles: the remediation role, and the same with `Revoker`, `Forwarder`, `Undo` appended (at most 55 characters)',
  'eniGuard:stackSetsCallAs':
    '`DELEGATED_ADMIN` (the StackSets stack is deployed in a delegated administrator account) \\| `SELF` (in the management account)',
};

/** An example value for each key, as given with -c. */
const CONTEXT_KEY_EXAMPLES: Readonly<Record<string, string>> = {
  'eniGuard:policyFile': '`prod.json`',
  'eniGuard:alertEmails': '`a@example.com,b@example.com`',
  'eniGuard:alertBurstWindowSeconds': '`600`',
  'eniGuard:alertChat': '`topic`',
  'eniGuard:trail': '`existing`',
  'eniGuard:logRetentionDays': '`365`',
  'eniGuard:reservedConcurrency': '`20`',
  'eniGuard:trailTransitionDays': '`30`',
  'eniGuard:trailExpirationDays': '`2557`',
  'eniGuard:trailCloudWatchLogs': '`true`',
  'eniGuard:flowLogVpcIds': '`vpc-0a1b2c3d4e5f60718,vpc-12345678`',
  'eniGuard:flowLogDestination': '`s3`',
  'eniGuard:flowLogRetentionDays': '`365`',
  'eniGuard:backup': '`false`',
  'eniGuard:backupSchedule': '`cron(30 2 ? * SUN *)`',
  'eniGuard:backupRetentionDays': '`35`',
  'eniGuard:backupColdStorageAfterDays': '`30`',
  'eniGuard:backupCopyToVaultArn': '`arn:aws:backup:eu-central-1:111122223333:backup-vault:dr`',
  'eniGuard:backupTagKey': '`Backup`',
  'eniGuard:backupTagValue': '`true`',
  'eniGuard:ebsEncryptionByDefault': '`false`',
  'eniGuard:ebsDefaultKmsKey': '`create`',
  'eniGuard:ebsDisableOnDelete': '`true`',
  'eniGuard:sweepSchedule': '`rate(12 hours)`',
  'eniGuard:dryRun': '`true`',
  'eniGuard:securityHub': '`true`',
  'eniGuard:decisionEvents': '`true`',
  'eniGuard:decisionEventBus': '`create`',
  'eniGuard:chatChannel': '`slack:T0123ABCD/C0456EFGH`',
  'eniGuard:scope': '`organization`',
  'eniGuard:organizationId': '`o-abc1234567`',
  'eniGuard:hubRegions': '`us-east-1,eu-west-1`',
  'eniGuard:memberRegions': '`eu-west-1`',
  'eniGuard:targetOus': '`ou-abcd-11111111,ou-abcd-22222222`',
  'eniGuard:excludedAccounts': '`111122223333`',
  'eniGuard:memberRoleName': '`SecOpsEniGuard`',
  'eniGuard:stackSetsCallAs': '`SELF`',
};

/** What a key with no default means when it is not given. */
const CONTEXT_KEY_UNSET: Readonly<Record<string, string>> = {
  'eniGuard:policyFile': 'the built-in default policy',
  'eniGuard:dryRun': 'the policy file’s `dryRun`',
  'eniGuard:backupColdStorageAfterDays': 'never',
  'eniGuard:backupCopyToVaultArn': 'no copy',
  'eniGuard:chatChannel': 'no channel',
  'eniGuard:organizationId': 'none (required in organization mode)',
  'eniGuard:hubRegions': 'none (required in organization mode)',
  'eniGuard:memberRegions': 'the hub Regions',
  'eniGuard:targetOus': 'none (required in organization mode)',
  'eniGuard:excludedAccounts': '`[]`',
  'eniGuard:memberRoleName': '`"EniGuardMember"`',
  'eniGuard:stackSetsCallAs': '`"DELEGATED_ADMIN"`',
};

/** What each policy key does (`rules` and `exemptions` have their own sections). */
const POLICY_KEY_DOCS: Readonly<Record<string, string>> = {
  $schema: 'path or URL of `policy/schema.json`, for editors; ignored otherwise',
  version: 'policy format version; must be `1`',
  dryRun:
    'shadow mode: evaluate, plan and alert, change nothing. The stack then grants **no** mutating IAM action. `-c eniGuard:dryRun=true` turns it on at deploy time',
  'remediation.sharedGroups':
    'a world-open rule in a group other interfaces use: `copy` \\| `quarantine` \\| `edit-shared` \\| `withhold` ([remediation](remediation.md#the-actions))',
  'remediation.tagInterface': 'tag fixed interfaces with the findings, the fix and the ledger id',
  'automation.principals':
    'ARN patterns of IaC pipelines and other automation; a violation they keep re-applying escalates instead of being fixed again',
  'automation.conflictThreshold': 'fixes of one interface, within the window, after which eni-guard stops and escalates',
  'automation.conflictWindowHours': 'the window of `conflictThreshold`, in hours',
  rules: 'one section per rule: `mode` and the rule’s own settings ([rules](#rules))',
  exemptions: 'owned, expiring exceptions ([exemptions](#exemptions))',
  overlays:
    'organization mode: changes of this policy for some OUs or accounts (`{id, match: {ous?, accounts?}, policy}`), merged onto it in order ([overlays](#overlays))',
};

const cell = (value: unknown): string => (value === undefined ? '' : `\`${JSON.stringify(value)}\``);
const table = (head: readonly string[], rows: readonly (readonly string[])[]): string =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

function contextKeys(): string {
  const defaults = contextDefaults();
  const cdkJson = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
  const rows = KNOWN_CONTEXT_KEYS.map((key) => {
    const what = CONTEXT_KEY_DOCS[key];
    if (!what) throw new Error(`scripts/docs.ts: describe the context key ${key} in CONTEXT_KEY_DOCS`);
    const unset = defaults[key] === undefined ? (CONTEXT_KEY_UNSET[key] ?? 'none') : cell(defaults[key]);
    return [`\`${key}\``, what, unset, key in cdkJson ? cell(cdkJson[key]) : '—', CONTEXT_KEY_EXAMPLES[key] ?? ''];
  });
  return table(['key', 'what', 'when not given', 'in cdk.json', 'example'], rows);
}

interface JsonSchemaNode {
  readonly properties?: Record<string, JsonSchemaNode>;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly type?: string;
}

function policyKeys(): string {
  const schema = policyJsonSchema() as JsonSchemaNode & { required?: string[] };
  const rows: string[][] = [];
  const add = (path: string, node: JsonSchemaNode, required: boolean) => {
    const what = POLICY_KEY_DOCS[path];
    if (!what) throw new Error(`scripts/docs.ts: describe the policy key ${path} in POLICY_KEY_DOCS`);
    const value = required ? '(required)' : node.default === undefined ? '—' : path === 'rules' ? 'per rule' : cell(node.default);
    rows.push([`\`${path}\``, what, value]);
  };
  for (const [key, node] of Object.entries(schema.properties ?? {})) {
    const nested = key === 'remediation' || key === 'automation';
    if (!nested) add(key, node, schema.required?.includes(key) ?? false);
    else for (const [child, childNode] of Object.entries(node.properties ?? {})) add(`${key}.${child}`, childNode, false);
  }
  return table(['key', 'meaning', 'default'], rows);
}

/** True when the schema accepts `mode` for the rule. */
function accepts(ruleId: string, mode: string): boolean {
  try {
    parsePolicy({ version: 1, rules: { [ruleId]: { mode } } });
    return true;
  } catch {
    return false;
  }
}

function rules(): string {
  const rows = RULES.map((rule) => {
    const modes = ['off', 'notify', 'remediate'].filter((mode) => accepts(rule.id, mode));
    const defaultMode = (DEFAULT_POLICY.rules as Record<string, { mode: string }>)[rule.id]?.mode ?? 'off';
    return [
      `\`${rule.id}\``,
      rule.description,
      modes.map((m) => `\`${m}\``).join(' '),
      `\`${defaultMode}\``,
      modes.includes('remediate') ? 'yes' : 'no',
    ];
  });
  return table(['rule', 'checks', 'modes it accepts', 'default', 'can remediate'], rows);
}

let templates: [string, TemplateJson][] | undefined;
const synthesized = () => (templates ??= Object.entries(STACK_VARIANTS).map(([name, context]) => [name, synthTemplate(context)]));
/** Where a resource or output is, from the variants it appears in: by default (unless a key removes it), or with the key that adds it. */
const where = (names: readonly string[]): string => {
  const switches = synthesized()
    .map(([name]) => name)
    .filter((name) => name !== 'defaults' && name !== 'every feature on');
  if (names.includes('defaults')) {
    const without = switches.filter((name) => !names.includes(name));
    return without.length === 0 ? 'always' : `by default; not with ${without.map((n) => `\`${n}\``).join(', ')}`;
  }
  const adding = switches.filter((name) => names.includes(name));
  return adding.length > 0 ? `with ${adding.map((n) => `\`${n}\``).join(' or ')}` : 'with several features together';
};

function stackOutputs(): string {
  const outputs = new Map<string, { description: string; variants: string[] }>();
  for (const [name, template] of synthesized()) {
    for (const [key, output] of Object.entries(template.Outputs ?? {})) {
      const entry = outputs.get(key) ?? { description: output.Description ?? '', variants: [] };
      entry.variants.push(name);
      outputs.set(key, entry);
    }
  }
  const rows = [...outputs].map(([key, { description, variants }]) => {
    if (!description) throw new Error(`lib/eni-guard-stack.ts: give the stack output ${key} a description`);
    return [`\`${key}\``, description, where(variants)];
  });
  return table(['output', 'what', 'present'], rows);
}

/** How to delete what `cdk destroy` leaves, by resource type. */
const DELETE_RETAINED: Readonly<Record<string, string>> = {
  'AWS::S3::Bucket': 'empty it — every object version (versioned: the S3 console’s **Empty**) — then `aws s3 rb s3://BUCKET`',
  'AWS::KMS::Key': 'last, once nothing it encrypts is kept: `aws kms schedule-key-deletion --key-id KEY --pending-window-in-days 30`',
  'AWS::DynamoDB::Table':
    'the ledger holds every fix and its pre-state (undo needs it): export what you keep, then `aws dynamodb delete-table --table-name TABLE`',
  'AWS::Logs::LogGroup': '`aws logs delete-log-group --log-group-name GROUP`',
  'AWS::Backup::BackupVault':
    'delete its recovery points (`aws backup list-recovery-points-by-backup-vault --backup-vault-name VAULT`, then `aws backup delete-recovery-point … --recovery-point-arn ARN` each), then `aws backup delete-backup-vault --backup-vault-name VAULT`',
};

function retainedResources(): string {
  const retained = new Map<string, { type: string; path: string; variants: string[] }>();
  for (const [name, template] of synthesized()) {
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (resource.DeletionPolicy !== 'Retain') continue;
      const path = (resource as { Metadata?: Record<string, string> }).Metadata?.['aws:cdk:path'] ?? id;
      const entry = retained.get(id) ?? {
        type: resource.Type,
        path: path.replace(/^EniGuardStack\//, '').replace(/\/Resource$/, ''),
        variants: [],
      };
      entry.variants.push(name);
      retained.set(id, entry);
    }
  }
  const rows = [...retained].map(([id, { type, path, variants }]) => {
    const how = DELETE_RETAINED[type];
    if (!how) throw new Error(`scripts/docs.ts: say how to delete a retained ${type} in DELETE_RETAINED`);
    return [`\`${path}\``, `\`${type}\``, `\`${id}\``, where(variants), how];
  });
  return table(['resource (construct path)', 'type', 'logical id', 'present', 'delete it'], rows);
}

function cli(): string {
  return [
    '```text',
    '$ eni-guard --help',
    topUsage(),
    ...COMMANDS.flatMap((c) => ['', `$ eni-guard ${c.name} --help`, commandUsage(c)]),
    '```',
  ].join('\n');
}

function metrics(): string {
  const rows = Object.values(METRICS).map((m) => [
    `\`${m.name}\``,
    m.unit,
    m.dimensions.length > 0 ? m.dimensions.map((d) => `\`${d}\``).join(', ') : '—',
    m.what,
  ]);
  return [
    `Namespace \`${METRICS_NAMESPACE}\`; every metric also carries \`service=eni-guard\` (lambda/core/metrics.ts).`,
    '',
    table(['metric', 'unit', 'dimensions', 'what'], rows),
  ].join('\n');
}

/** The bench run the docs show: `npm run bench -- --record` writes it, from the bench's own results. */
function recordedRun(): RecordedRun {
  return JSON.parse(readFileSync(join(ROOT, 'docs', 'performance-run.json'), 'utf8')) as RecordedRun;
}

/** The README's performance table: each target, the earlier run beside the recorded one. */
function benchTargets(): string {
  const run = recordedRun();
  return [`From \`${run.header}\` (\`npm run bench\`; [how it measures](docs/performance.md)):`, '', targetsTable(run.targets)].join('\n');
}

/** The recorded run in full: every figure beside its floor, the targets, and the bench's own notes. */
function benchRun(): string {
  const run = recordedRun();
  return [
    `\`${run.header}\``,
    '',
    resultsTable(run.rows),
    '',
    targetsTable(run.targets),
    '',
    'What the run says (its own notes, as `npm run bench` prints them):',
    '',
    ...run.notes.map((n) => `- ${n}`),
    ...run.warnings.map((w) => `- WARNING: ${w}`),
  ].join('\n');
}

/** The mutation score per file, from the report `npm run test:mutation` keeps for its next (incremental) run. */
function mutationScore(): string {
  const report = join(ROOT, 'test', 'mutation', 'stryker-incremental.json');
  if (!existsSync(report)) return '_No results yet: `npm run test:mutation` writes them._';
  const { head, rows } = mutationScoreRows(report);
  return table(head, rows);
}

/** Every generated region, by name. */
export const GENERATORS: Readonly<Record<string, () => string>> = {
  'context-keys': contextKeys,
  'policy-keys': policyKeys,
  rules,
  'stack-outputs': stackOutputs,
  'retained-resources': retainedResources,
  cli,
  metrics,
  'bench-targets': benchTargets,
  'bench-run': benchRun,
  'mutation-score': mutationScore,
};

/** The Markdown files that may hold regions. */
export function docFiles(): string[] {
  return [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => join('docs', f)),
  ];
}

const REGION = /(<!-- generated:([a-z-]+)[^>]*-->\n)[\s\S]*?(<!-- \/generated:\2 -->)/g;

/** Each file's text with its regions regenerated (and formatted as Prettier formats the repository), and whether it changed. */
export async function renderDocs(): Promise<{ file: string; text: string; stale: boolean; regions: string[] }[]> {
  // Loaded here, not at the top: Prettier 3 loads its plugins with import(), which Jest's CommonJS runtime refuses.
  const { format, resolveConfig } = await import('prettier');
  const cache = new Map<string, string>();
  const results = [];
  for (const file of docFiles()) {
    const path = join(ROOT, file);
    const before = readFileSync(path, 'utf8');
    const regions: string[] = [];
    const replaced = before.replace(REGION, (_whole, open: string, name: string, close: string) => {
      const generate = GENERATORS[name];
      if (!generate) throw new Error(`${file}: unknown generated region ${name} (known: ${Object.keys(GENERATORS).join(', ')})`);
      regions.push(name);
      if (!cache.has(name)) cache.set(name, generate());
      return `${open}${cache.get(name)}\n${close}`;
    });
    const text = await format(replaced, { ...(await resolveConfig(path)), filepath: path });
    results.push({ file, text, stale: text !== before, regions });
  }
  return results;
}

if (require.main === module) {
  void (async () => {
    const check = process.argv.includes('--check');
    const results = await renderDocs();
    if (process.argv.includes('--json')) {
      console.log(JSON.stringify(results.map(({ file, stale, regions }) => ({ file, stale, regions }))));
      return;
    }
    const stale = results.filter((r) => r.stale);
    for (const result of stale) {
      if (check) console.error(`${result.file}: stale generated region(s) ${result.regions.join(', ')}: run npm run docs`);
      else {
        writeFileSync(join(ROOT, result.file), result.text);
        console.log(`${relative(process.cwd(), join(ROOT, result.file))}: rewritten (${result.regions.join(', ') || 'formatting'})`);
      }
    }
    if (stale.length === 0) console.log('docs: every generated region is up to date');
    if (check && stale.length > 0) process.exitCode = 1;
  })();
}
