/**
 * Decisions as AWS Security Hub findings (the AWS Security Finding Format, ASFF). Pure: given a
 * decision, its rendered alert document and the findings eni-guard has open on the interface, it
 * says which findings to import (create or update) and which to mark resolved, and what is open after.
 *
 * One finding per interface and rule, with a stable `Id`, so the next decision about the same
 * interface and rule updates it instead of adding another. Security Hub's semantics (User Guide,
 * "BatchImportFindings for finding providers", "Setting the workflow status"):
 * - a finding provider re-imports the whole finding with the same `Id` and a later `UpdatedAt`;
 *   severity and types go in `FindingProviderFields`;
 * - `Workflow` is the customer's once the finding exists (BatchImportFindings ignores it), and only
 *   findings from Security Hub's own controls are set `RESOLVED` automatically on `PASSED`; so a
 *   resolution is a re-import with `Compliance.Status: PASSED` plus `BatchUpdateFindings` setting
 *   `Workflow.Status: RESOLVED` (the one field eni-guard touches there);
 * - Security Hub moves a `RESOLVED` finding back to `NEW` by itself when it is re-imported `FAILED`.
 */
import type { AlertDocument } from './alert';
import { ec2Arn, partitionOf, type ArnPlace } from './arns';
import type { Decision } from './decision';
import type { Finding, Severity } from './model';
import { SEVERITIES } from './model';

/** The ASFF version every finding declares. */
export const ASFF_SCHEMA_VERSION = '2018-10-08';

/** What `UpdatedBy` and `ProductName`/`CompanyName` say. */
export const ASFF_PRODUCT_NAME = 'eni-guard';

/** ASFF severity labels. */
export type AsffSeverityLabel = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';

/** The ASFF fields eni-guard sets (a subset of `AwsSecurityFinding`; the SDK's type accepts it as is). */
export interface AsffFinding {
  readonly SchemaVersion: string;
  readonly Id: string;
  readonly ProductArn: string;
  readonly ProductName: string;
  readonly CompanyName: string;
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  readonly Region: string;
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly FirstObservedAt: string;
  readonly LastObservedAt: string;
  readonly Title: string;
  readonly Description: string;
  readonly FindingProviderFields: {
    readonly Severity: { readonly Label: AsffSeverityLabel; readonly Original: string };
    readonly Types: string[];
  };
  readonly Compliance: { readonly Status: 'PASSED' | 'FAILED' };
  readonly RecordState: 'ACTIVE' | 'ARCHIVED';
  /** Only honoured by Security Hub when the finding is new. */
  readonly Workflow?: { readonly Status: 'NEW' | 'RESOLVED' };
  readonly Remediation: { readonly Recommendation: { readonly Text: string; readonly Url?: string } };
  readonly SourceUrl?: string;
  readonly ProductFields: Record<string, string>;
  readonly Resources: AsffResource[];
}

/** One resource of a finding. */
export interface AsffResource {
  readonly Type: 'AwsEc2NetworkInterface' | 'AwsEc2SecurityGroup' | 'AwsEc2Instance' | 'AwsEc2Subnet' | 'AwsEc2Vpc';
  readonly Id: string;
  readonly Partition: 'aws' | 'aws-cn' | 'aws-us-gov';
  readonly Region: string;
  readonly Details?: {
    readonly AwsEc2NetworkInterface?: {
      readonly NetworkInterfaceId: string;
      readonly SecurityGroups?: { GroupId: string; GroupName?: string }[];
      readonly PublicIp?: string;
      readonly SourceDestCheck?: boolean;
    };
  };
}

/** What eni-guard remembers of a finding it has open (FAILED) on an interface. */
export interface OpenFinding {
  readonly createdAt: string;
  readonly firstObservedAt: string;
  readonly title: string;
  readonly severity: Severity;
}

/** The open findings of one interface, by rule id. */
export type OpenFindings = Readonly<Record<string, OpenFinding>>;

/** What to send for one decision. */
export interface FindingSync {
  /** Findings to import (new or updated), at most one per rule. */
  readonly imports: AsffFinding[];
  /** Ids of findings that existed and are resolved now: `BatchUpdateFindings` sets `Workflow.Status: RESOLVED`. */
  readonly resolve: string[];
  /** The open findings after this decision (what the state record should say). */
  readonly open: OpenFindings;
  /** For each imported rule: `failed`, `passed` (fixed and verified, or no longer found) or `archived`. */
  readonly statuses: Readonly<Record<string, 'failed' | 'passed' | 'archived'>>;
}

/** Settings the mapping needs besides the decision. */
export interface FindingSyncOptions {
  readonly now: Date;
  /** Rules the policy evaluates: an open finding of a rule switched off since is archived, not passed. */
  readonly enabledRules: ReadonlySet<string>;
}

/** Security Hub's default product of an account and Region: where custom integrations import findings. */
export function productArnOf(place: ArnPlace): string {
  return `arn:${partitionOf(place.region)}:securityhub:${place.region}:${place.account}:product/${place.account}/default`;
}

/** The hub of an account and Region (the resource `BatchUpdateFindings` is authorized on). */
export function hubArnOf(place: ArnPlace): string {
  return `arn:${partitionOf(place.region)}:securityhub:${place.region}:${place.account}:hub/default`;
}

/** The stable id of the finding about one interface and rule. */
export function findingIdOf(place: ArnPlace, networkInterfaceId: string, ruleId: string): string {
  return `eni-guard/${place.account}/${place.region}/${networkInterfaceId}/${ruleId}`;
}

/** ASFF types per rule ("namespace/category/classifier" of Security Hub's types taxonomy). */
const TYPES: Readonly<Record<string, string>> = {
  'world-open-ingress': 'Software and Configuration Checks/AWS Security Best Practices/Network Reachability',
  'public-ip': 'Software and Configuration Checks/AWS Security Best Practices/Network Reachability',
  'network-placement': 'Software and Configuration Checks/AWS Security Best Practices/Network Reachability',
  'plaintext-protocols': 'Software and Configuration Checks/AWS Security Best Practices/Network Reachability',
  caller: 'Unusual Behaviors/User',
};
const DEFAULT_TYPE = 'Software and Configuration Checks/AWS Security Best Practices';

const LIMITS = { title: 256, description: 1024, recommendation: 512, productField: 2048 } as const;

/** The rules whose findings this decision fixed and verified: every action for the rule succeeded and was verified, none was withheld. */
export function fixedRules(decision: Decision): Set<string> {
  const fixed = new Set<string>();
  if (decision.plan?.mode !== 'remediate') return fixed;
  const withheld = new Set(decision.plan.withheld.map((w) => w.ruleId));
  const byRule = new Map<string, boolean>();
  for (const result of decision.results) {
    // Tagging the interface records the fix; it fixes nothing itself.
    if (result.action.kind === 'tag-interface') continue;
    for (const ruleId of result.action.ruleIds) {
      const ok = result.status === 'succeeded' && result.verified === true;
      byRule.set(ruleId, (byRule.get(ruleId) ?? true) && ok);
    }
  }
  for (const [ruleId, ok] of byRule) if (ok && !withheld.has(ruleId)) fixed.add(ruleId);
  return fixed;
}

/**
 * The imports and resolutions for one decision about an interface, given the findings eni-guard has
 * open on it. Skipped and duplicate decisions change nothing (nothing was judged again).
 */
export function syncFindings(decision: Decision, document: AlertDocument, open: OpenFindings, options: FindingSyncOptions): FindingSync {
  const none: FindingSync = { imports: [], resolve: [], open, statuses: {} };
  if (decision.outcome === 'skipped' || decision.outcome === 'duplicate') return none;
  const place = decision.context;
  const now = options.now.toISOString();
  const byRule = new Map<string, Finding[]>();
  for (const finding of decision.findings) byRule.set(finding.ruleId, [...(byRule.get(finding.ruleId) ?? []), finding]);
  const fixed = fixedRules(decision);
  const errored = new Set(decision.ruleErrors.map((e) => e.ruleId));
  const exempted = new Set(decision.exempted.map((e) => e.finding.ruleId));

  const imports: AsffFinding[] = [];
  const resolve: string[] = [];
  const next: Record<string, OpenFinding> = {};
  const statuses: Record<string, 'failed' | 'passed' | 'archived'> = {};
  const base = (ruleId: string, known: OpenFinding | undefined, title: string, severity: Severity) => ({
    id: findingIdOf(place, decision.networkInterfaceId, ruleId),
    createdAt: known?.createdAt ?? now,
    firstObservedAt: known?.firstObservedAt ?? decision.context.eventTime,
    title,
    severity,
  });

  for (const [ruleId, findings] of byRule) {
    const worst = [...findings].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity))[0]!;
    const title = findings.length > 1 ? `${worst.title} (+${findings.length - 1} more)` : worst.title;
    const known = open[ruleId];
    const b = base(ruleId, known, title, worst.severity);
    const passed = fixed.has(ruleId);
    statuses[ruleId] = passed ? 'passed' : 'failed';
    imports.push(
      asff(decision, document, ruleId, b, {
        now,
        compliance: passed ? 'PASSED' : 'FAILED',
        record: 'ACTIVE',
        description: `${findings.map((f) => f.title).join('; ')}. ${responseSentence(decision, document, ruleId, passed)}`,
        recommendation: recommendationOf(decision, document, ruleId, passed),
        ...(known ? {} : { workflow: passed ? 'RESOLVED' : 'NEW' }),
      }),
    );
    if (passed && known) resolve.push(b.id);
    if (!passed) next[ruleId] = { createdAt: b.createdAt, firstObservedAt: b.firstObservedAt, title: b.title, severity: b.severity };
  }

  for (const [ruleId, known] of Object.entries(open)) {
    if (byRule.has(ruleId)) continue;
    const b = base(ruleId, known, known.title, known.severity);
    if (decision.outcome === 'gone' || !options.enabledRules.has(ruleId)) {
      // The interface is gone, or the rule is off: the finding no longer applies (ARCHIVED hides it by default).
      statuses[ruleId] = 'archived';
      imports.push(
        asff(decision, document, ruleId, b, {
          now,
          compliance: 'FAILED',
          record: 'ARCHIVED',
          description: `${known.title}. ${decision.outcome === 'gone' ? 'The interface no longer exists.' : `The policy no longer evaluates ${ruleId}.`}`,
          recommendation: 'Nothing to do: the finding no longer applies.',
        }),
      );
      continue;
    }
    if (errored.has(ruleId) || exempted.has(ruleId) || decision.outcome === 'error') {
      // Not judged this time (the rule failed), or set aside by an exemption: the finding stays as it is.
      next[ruleId] = known;
      continue;
    }
    statuses[ruleId] = 'passed';
    imports.push(
      asff(decision, document, ruleId, b, {
        now,
        compliance: 'PASSED',
        record: 'ACTIVE',
        description: `${known.title}. No longer found: eni-guard judged ${decision.networkInterfaceId} again (${decision.context.eventName} ${decision.context.eventId}) and ${ruleId} found nothing.`,
        recommendation: 'Nothing to do: the interface is compliant with this rule now.',
      }),
    );
    resolve.push(b.id);
  }
  return { imports, resolve, open: next, statuses };
}

interface Shape {
  readonly now: string;
  readonly compliance: 'PASSED' | 'FAILED';
  readonly record: 'ACTIVE' | 'ARCHIVED';
  readonly description: string;
  readonly recommendation: string;
  readonly workflow?: 'NEW' | 'RESOLVED';
}

function asff(
  decision: Decision,
  document: AlertDocument,
  ruleId: string,
  b: { id: string; createdAt: string; firstObservedAt: string; title: string; severity: Severity },
  shape: Shape,
): AsffFinding {
  const place = decision.context;
  const ni = document.networkInterface;
  const partition = partitionOf(place.region) as AsffResource['Partition'];
  const resource = (type: AsffResource['Type'], arnType: Parameters<typeof ec2Arn>[1], id: string): AsffResource => ({
    Type: type,
    Id: ec2Arn(place, arnType, id),
    Partition: partition,
    Region: place.region,
  });
  const resources: AsffResource[] = [
    {
      ...resource('AwsEc2NetworkInterface', 'network-interface', ni.id),
      Details: {
        AwsEc2NetworkInterface: {
          NetworkInterfaceId: ni.id,
          ...(ni.groups
            ? { SecurityGroups: ni.groups.map((g) => ({ GroupId: g.groupId, ...(g.groupName ? { GroupName: g.groupName } : {}) })) }
            : {}),
          ...(ni.publicIp ? { PublicIp: ni.publicIp } : {}),
        },
      },
    },
    // Security Hub takes at most 32 resources; the interface, its instance and VPC come first.
    ...(ni.attachedInstanceId ? [resource('AwsEc2Instance', 'instance', ni.attachedInstanceId)] : []),
    ...(ni.subnetId ? [resource('AwsEc2Subnet', 'subnet', ni.subnetId)] : []),
    ...(ni.vpcId ? [resource('AwsEc2Vpc', 'vpc', ni.vpcId)] : []),
    ...(ni.groups ?? []).map((g) => resource('AwsEc2SecurityGroup', 'security-group', g.groupId)),
  ].slice(0, 32);
  // A resolved finding reads INFORMATIONAL, as Security Hub's own controls do on PASSED; the original severity stays in Original.
  const label: AsffSeverityLabel = shape.compliance === 'PASSED' ? 'INFORMATIONAL' : (b.severity.toUpperCase() as AsffSeverityLabel);
  const productFields: Record<string, string> = {
    'eni-guard/RuleId': ruleId,
    'eni-guard/EventId': document.eventId,
    'eni-guard/EventName': document.eventName,
    'eni-guard/Response': document.response,
    'eni-guard/Outcome': document.outcome,
    ...(document.ledgerId ? { 'eni-guard/LedgerId': document.ledgerId } : {}),
    ...(document.undoCommand ? { 'eni-guard/UndoCommand': document.undoCommand } : {}),
    ...(document.actor ? { 'eni-guard/Actor': document.actor.name } : {}),
    ...(document.record?.ledgerTable ? { 'eni-guard/LedgerTable': document.record.ledgerTable } : {}),
  };
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: b.id,
    ProductArn: productArnOf(place),
    ProductName: ASFF_PRODUCT_NAME,
    CompanyName: ASFF_PRODUCT_NAME,
    GeneratorId: ruleId,
    AwsAccountId: place.account,
    Region: place.region,
    CreatedAt: b.createdAt,
    UpdatedAt: shape.now,
    FirstObservedAt: b.firstObservedAt,
    LastObservedAt: shape.now,
    Title: cut(b.title, LIMITS.title),
    Description: cut(shape.description, LIMITS.description),
    FindingProviderFields: { Severity: { Label: label, Original: b.severity }, Types: [TYPES[ruleId] ?? DEFAULT_TYPE] },
    Compliance: { Status: shape.compliance },
    RecordState: shape.record,
    ...(shape.workflow ? { Workflow: { Status: shape.workflow } } : {}),
    Remediation: { Recommendation: { Text: cut(shape.recommendation, LIMITS.recommendation), Url: document.consoleUrl } },
    SourceUrl: document.consoleUrl,
    ProductFields: Object.fromEntries(Object.entries(productFields).map(([k, v]) => [k, cut(v, LIMITS.productField)])),
    Resources: resources,
  };
}

/** Results of the actions taken for a rule (the interface tag is bookkeeping, not a fix). */
function resultsFor(decision: Decision, ruleId: string) {
  return decision.results.filter((r) => r.action.kind !== 'tag-interface' && r.action.ruleIds.includes(ruleId));
}

function responseSentence(decision: Decision, document: AlertDocument, ruleId: string, passed: boolean): string {
  const results = resultsFor(decision, ruleId);
  const withheld = decision.plan?.withheld.filter((w) => w.ruleId === ruleId) ?? [];
  if (passed) return `eni-guard fixed it and verified the fix: ${results.map((r) => r.action.summary).join('; ')}.`;
  if (results.some((r) => r.status === 'failed' || r.verified !== true)) {
    return `eni-guard tried to fix it and could not: ${results.map((r) => `${r.action.summary} (${r.error ?? r.verification ?? r.status})`).join('; ')}.`;
  }
  if (decision.plan?.mode === 'dry-run') {
    const planned = decision.plan.actions.filter((a) => a.kind !== 'tag-interface' && a.ruleIds.includes(ruleId));
    return planned.length > 0
      ? `Shadow mode: eni-guard would ${planned.map((a) => a.summary).join('; ')}.`
      : 'Shadow mode: no fix planned.';
  }
  if (withheld.length > 0) return `Not fixed automatically: ${withheld.map((w) => w.reason).join('; ')}.`;
  return `Response: ${document.response}.`;
}

function recommendationOf(decision: Decision, document: AlertDocument, ruleId: string, passed: boolean): string {
  if (passed) {
    return document.undoCommand
      ? `Fixed by eni-guard and verified; nothing to do. To restore the previous state: ${document.undoCommand}`
      : 'Fixed by eni-guard and verified; nothing to do.';
  }
  const withheld = decision.plan?.withheld.filter((w) => w.ruleId === ruleId) ?? [];
  const planned = decision.plan?.actions.filter((a) => a.kind !== 'tag-interface' && a.ruleIds.includes(ruleId)) ?? [];
  if (decision.plan?.mode === 'dry-run' && planned.length > 0) {
    return `Deployed live, eni-guard would ${planned.map((a) => a.summary).join('; ')}. Or fix it by hand.`;
  }
  if (withheld.length > 0) return `Fix it by hand: ${withheld.map((w) => w.reason).join('; ')}.`;
  return `Fix it by hand, or set ${ruleId} to remediate in the eni-guard policy. The alert has the details (event ${document.eventId}).`;
}

function cut(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
