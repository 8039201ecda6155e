/**
 * The alert contract as a schema: every SNS message's JSON document (`default`, `sqs`, `lambda`,
 * `https`, `email-json`) is a decision document or a burst digest. `alert/schema.json` is generated
 * from it (`npm run alert:schema`; a test fails when it is stale). Not imported by the function.
 */
import * as z from 'zod';
import { ALERT_SCHEMA_VERSION } from './alert';
import { SEVERITIES } from './model';

const severity = z.enum(SEVERITIES);
const response = z.enum(['remediated', 'remediation-failed', 'dry-run', 'notified', 'none']);
const outcome = z.enum(['skipped', 'compliant', 'noncompliant', 'gone', 'error', 'duplicate']);

const pointer = z
  .object({
    ledgerId: z.string().optional(),
    ledgerTable: z.string().optional(),
    logGroup: z.string().optional(),
    eventId: z.string().optional(),
    burstTable: z.string().optional(),
    windowKey: z.string().optional(),
  })
  .meta({ description: 'Where the full record is: the ledger record (its `alert` holds the whole alert), the log, the burst window.' });

const truncated = z
  .object({
    reason: z.enum(['sns-size-limit', 'event-size-limit']),
    originalBytes: z.number().int(),
    omitted: z.array(z.object({ path: z.string(), kept: z.number().int(), omitted: z.number().int() })),
    fullRecord: pointer,
  })
  .meta({
    description:
      'Present only when the message was cut to fit SNS, or EventBridge for a decision event (256 KiB each): what was cut, and where the whole record is.',
  });

const caller = z.object({
  type: z.string(),
  arn: z.string().optional(),
  accountId: z.string().optional(),
  principalId: z.string().optional(),
  accessKeyId: z.string().optional(),
  sessionIssuerArn: z.string().optional(),
  sessionName: z.string().optional(),
  userName: z.string().optional(),
  invokedBy: z.string().optional(),
  sourceIp: z.string().optional(),
  userAgent: z.string().optional(),
  viaConsole: z.boolean(),
  ec2RoleDelivery: z.string().optional(),
  mfaAuthenticated: z.boolean(),
});

const finding = z.object({
  ruleId: z.string(),
  severity,
  title: z.string(),
  evidence: z.record(z.string(), z.unknown()).meta({ description: 'The facts behind the finding: rule ids, ports, CIDRs, exposure.' }),
  groupId: z.string().optional(),
  ports: z
    .array(z.object({ protocol: z.string(), from: z.number().int(), to: z.number().int() }))
    .optional()
    .meta({
      description: 'The protocols and port ranges the finding is about (`-1`: every protocol); exemptions bounded by ports match these.',
    }),
  remediation: z.record(z.string(), z.unknown()).optional(),
});

/** A decision about one interface. */
export const DecisionDocumentSchema = z
  .object({
    schemaVersion: z.literal(ALERT_SCHEMA_VERSION),
    product: z.literal('eni-guard'),
    kind: z.string().optional().meta({ description: '`decision`; documents built on it (group changes, sweeps) name their own kind.' }),
    eventId: z.string().meta({ description: 'CloudTrail eventID.' }),
    eventName: z.string(),
    eventTime: z.string(),
    account: z.string(),
    accountAlias: z.string().optional(),
    ou: z.string().optional().meta({ description: 'Organization mode: the OU the account is in (from AWS Organizations).' }),
    region: z.string(),
    severity,
    outcome,
    response,
    networkInterface: z.object({
      id: z.string(),
      vpcId: z.string().optional(),
      subnetId: z.string().optional(),
      interfaceType: z.string().optional(),
      privateIpAddress: z.string().optional(),
      publicIp: z.string().optional(),
      attachedInstanceId: z.string().optional(),
      groups: z.array(z.object({ groupId: z.string(), groupName: z.string().optional() })).optional(),
      tags: z.record(z.string(), z.string()).optional(),
    }),
    caller,
    actor: z
      .object({ kind: z.string(), name: z.string(), human: z.string().optional() })
      .optional()
      .meta({ description: 'The caller as people read it; `human`: the person behind an assumed-role session, when its name says.' }),
    findings: z.array(finding),
    exemptions: z.object({
      used: z.array(
        z.object({
          exemptionId: z.string(),
          ruleId: z.string(),
          owner: z.string(),
          reason: z.string(),
          expires: z.string(),
          title: z.string(),
        }),
      ),
      expired: z.array(z.record(z.string(), z.unknown())),
    }),
    ruleErrors: z.array(z.object({ ruleId: z.string(), message: z.string() })),
    plan: z
      .object({
        mode: z.string(),
        actions: z.array(z.object({ kind: z.string(), summary: z.string(), ruleIds: z.array(z.string()), calls: z.array(z.string()) })),
        withheld: z.array(z.object({ ruleId: z.string(), reason: z.string() })),
      })
      .optional(),
    results: z.array(
      z.object({
        kind: z.string(),
        summary: z.string(),
        calls: z
          .array(z.string())
          .meta({ description: 'Each call as sent, and how it ended: `Operation Param=value … → ok|already-done|failed`.' }),
        status: z.string().meta({
          description: '`succeeded`, `failed`, or `superseded` (an earlier attempt a later one replaced; `supersededBy` says how).',
        }),
        verified: z.boolean().optional(),
        verification: z.string().optional(),
        error: z.string().optional(),
        supersededBy: z.string().optional(),
      }),
    ),
    consoleUrl: z.string(),
    links: z
      .object({
        networkInterface: z.string(),
        securityGroups: z.record(z.string(), z.string()),
        subnet: z.string().optional(),
        vpc: z.string().optional(),
        instance: z.string().optional(),
        cloudTrailEvent: z.string(),
      })
      .optional(),
    ledgerId: z.string().optional(),
    undoCommand: z
      .string()
      .optional()
      .meta({ description: 'Restores the pre-state: paste as is (`npx eni-guard undo … --ledger-table … --region …`).' }),
    record: pointer.optional(),
    truncated: truncated.optional(),
    ledgerWarning: z.string().optional().meta({
      description:
        'The ledger record could not be completed after acting: what is missing, and where the whole record is until a retry completes it.',
    }),
    escalation: z
      .string()
      .optional()
      .meta({ description: 'eni-guard stopped retrying a fix that would not take: a human must finish it.' }),
    possibleRepeat: z
      .string()
      .optional()
      .meta({ description: 'Published again after an interruption: the same alert may have been delivered before.' }),
  })
  .meta({ title: 'eni-guard decision alert' });

const held = z.object({
  itemId: z.string(),
  eventId: z.string(),
  eventTime: z.string(),
  networkInterfaceId: z.string(),
  ledgerId: z.string().optional(),
  title: z.string(),
  findings: z.number().int(),
  instanceId: z.string().optional(),
  subnetId: z.string().optional(),
  publicIp: z.string().optional(),
  heldAt: z.string(),
});

/** A burst digest: the alerts of one cause within one window. */
export const DigestDocumentSchema = z
  .object({
    schemaVersion: z.literal(ALERT_SCHEMA_VERSION),
    product: z.literal('eni-guard'),
    kind: z.literal('digest'),
    windowKey: z.string(),
    windowStart: z.string(),
    windowEnd: z.string(),
    account: z.string(),
    accountAlias: z.string().optional(),
    region: z.string(),
    severity,
    response,
    outcome,
    rule: z.string(),
    caller: z.string(),
    actor: z.string(),
    groupId: z.string(),
    count: z
      .number()
      .int()
      .meta({ description: 'Alerts listed in `alerts` before any truncation (the leading alert was sent on its own).' }),
    leading: held.optional(),
    alerts: z.array(held),
    record: pointer,
    truncated: truncated.optional(),
  })
  .meta({ title: 'eni-guard burst digest' });

/** Every eni-guard SNS JSON document. */
export const AlertMessageSchema = z.union([DigestDocumentSchema, DecisionDocumentSchema]).meta({
  title: 'eni-guard alert',
  description: 'The JSON document of an eni-guard SNS message: a decision about one interface, or a digest of a burst (`kind: "digest"`).',
});

/** The published JSON Schema (additional properties allowed: additive changes keep the version). */
export function alertJsonSchema(io: 'input' | 'output' = 'input'): Record<string, unknown> {
  return z.toJSONSchema(AlertMessageSchema, { io, unrepresentable: 'any' });
}

/**
 * The EventBridge event of a decision (`source: eni-guard`, `detail-type: eni-guard Decision`) as a
 * JSON Schema draft 4 — the dialect EventBridge's schema registry takes (`JSONSchemaDraft4`) — with
 * the decision document as `detail`. `alert/decision-event.schema.json` is generated from it.
 */
export function decisionEventJsonSchema(): Record<string, unknown> {
  const { $schema: _dialect, ...detail } = z.toJSONSchema(DecisionDocumentSchema, {
    target: 'draft-04',
    io: 'input',
    unrepresentable: 'any',
  });
  const text = { type: 'string' };
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: 'eni-guard Decision',
    description:
      'An eni-guard decision about one network interface, as EventBridge delivers it: the envelope, and as `detail` the alert document (schemaVersion 2; consumers ignore fields they do not know).',
    type: 'object',
    required: ['detail-type', 'source', 'account', 'region', 'time', 'resources', 'detail'],
    properties: {
      version: text,
      id: text,
      'detail-type': { type: 'string', enum: ['eni-guard Decision'] },
      source: { type: 'string', enum: ['eni-guard'] },
      account: text,
      time: { type: 'string', format: 'date-time' },
      region: text,
      resources: {
        type: 'array',
        items: text,
        description: 'ARNs: the interface first, then its security groups, then its instance.',
      },
      detail,
    },
  };
}
