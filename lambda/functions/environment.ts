/** Reads and checks the function's environment once, at init. A missing value fails init, clearly. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHAT_PROTOCOLS, type ChatProtocol } from '../core/alert-message';
import { MAX_WINDOW_SECONDS } from '../core/burst';
import type { FlowLogDestination } from '../core/plan/index';
import { accountOfArn } from '../core/ids';
import type { OrganizationScope } from '../core/organization';
import { JsonSyntaxError, parseJson } from '../core/json';
import { parsePolicy, PolicyError, type Policy } from '../core/policy';

/** Raised at init when the environment is incomplete or the policy file is unusable. */
export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

/** The function's settings, from its environment. */
export interface ResponderEnvironment {
  readonly topicArn: string;
  readonly responderRoleArn: string;
  readonly policyFile: string;
  readonly policy: Policy;
  /** The remediation ledger (DynamoDB table name). */
  readonly ledgerTable: string;
  /** The account and Region this function guards: its role's account, and the Region it runs in. */
  readonly account: string;
  readonly region: string;
  /** Where the "enable flow logs" remediation sends them, when the stack provides a destination. */
  readonly flowLogDestination?: FlowLogDestination;
  /** How long a ledger claim holds before another delivery may take it over (`LEDGER_LEASE_SECONDS`). @default 120 */
  readonly leaseSeconds?: number;
  /** The revoker function credential revocations are sent to, when the policy can revoke. */
  readonly revokerFunctionName?: string;
}

/** The ledger lease when `LEDGER_LEASE_SECONDS` is not set: two minutes, twice the function's default timeout. */
export const DEFAULT_LEASE_SECONDS = 120;
/** The longest lease accepted: Lambda's longest timeout (a claim must outlive the invocation that holds it). */
export const MAX_LEASE_SECONDS = 900;

/**
 * Reads `ALERT_TOPIC_ARN`, `RESPONDER_ROLE_ARN` (its account is the one guarded), `LEDGER_TABLE_NAME`,
 * Lambda's `AWS_REGION` (the Region guarded), the optional flow-log destination
 * (`FLOW_LOGS_DESTINATION_ARN`, `FLOW_LOGS_DESTINATION_TYPE` = `cloud-watch-logs` | `s3`, `FLOW_LOGS_ROLE_ARN`),
 * the ledger lease (`LEDGER_LEASE_SECONDS`, default 120), the revoker (`REVOKER_FUNCTION_NAME`) and the
 * policy file (`POLICY_FILE`, default `$LAMBDA_TASK_ROOT/policy.json`).
 */
export function readEnvironment(env: NodeJS.ProcessEnv): ResponderEnvironment {
  const missing = ['ALERT_TOPIC_ARN', 'RESPONDER_ROLE_ARN', 'LEDGER_TABLE_NAME', 'AWS_REGION'].filter((name) => !env[name]);
  if (missing.length > 0) throw new EnvironmentError(`missing environment variable(s): ${missing.join(', ')}`);
  const account = accountOfArn(env['RESPONDER_ROLE_ARN']);
  if (!account)
    throw new EnvironmentError(`RESPONDER_ROLE_ARN is not a role ARN with an account id: ${JSON.stringify(env['RESPONDER_ROLE_ARN'])}`);
  const policyFile = env['POLICY_FILE'] ?? join(env['LAMBDA_TASK_ROOT'] ?? process.cwd(), 'policy.json');
  const flowLogDestination = readFlowLogDestination(env);
  return {
    topicArn: env['ALERT_TOPIC_ARN']!,
    responderRoleArn: env['RESPONDER_ROLE_ARN']!,
    ledgerTable: env['LEDGER_TABLE_NAME']!,
    account,
    region: env['AWS_REGION']!,
    policyFile,
    policy: loadPolicyFile(policyFile),
    ...(flowLogDestination ? { flowLogDestination } : {}),
    leaseSeconds: readLeaseSeconds(env),
    ...(env['REVOKER_FUNCTION_NAME'] ? { revokerFunctionName: env['REVOKER_FUNCTION_NAME'] } : {}),
  };
}

/**
 * `LEDGER_LEASE_SECONDS`: a number of seconds above 0 and at most 900 (fractions allowed, so tests can
 * watch a takeover happen). Unset: 120. Anything else fails init: a lease shorter than the invocation
 * lets two invocations act at once, and a malformed one must not silently become the default.
 */
export function readLeaseSeconds(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env['LEDGER_LEASE_SECONDS'];
  if (raw === undefined || raw === '') return DEFAULT_LEASE_SECONDS;
  const seconds = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(seconds > 0 && seconds <= MAX_LEASE_SECONDS)) {
    throw new EnvironmentError(
      `LEDGER_LEASE_SECONDS must be a number of seconds above 0 and at most ${MAX_LEASE_SECONDS}, not ${JSON.stringify(raw)}`,
    );
  }
  return seconds;
}

/** The revoker function's settings. */
export interface RevokerEnvironment {
  /** The account it acts in (its own role's). */
  readonly account: string;
  /** Role ARNs it never revokes: the responder's and its own. */
  readonly neverRevoke: readonly string[];
  /** The policy's protected principal patterns. */
  readonly protectedPrincipals: readonly string[];
}

/**
 * Reads `REVOKER_ROLE_ARN` (its own role: account, never revoked), `NEVER_REVOKE_ROLE_ARNS` and
 * `PROTECTED_PRINCIPALS` (JSON lists). A missing or malformed value fails init: a revoker that does not
 * know whom to spare must not run.
 */
export function readRevokerEnvironment(env: NodeJS.ProcessEnv): RevokerEnvironment {
  const own = env['REVOKER_ROLE_ARN'];
  const account = accountOfArn(own);
  if (!own || !account) throw new EnvironmentError(`REVOKER_ROLE_ARN must be the revoker's role ARN, not ${JSON.stringify(own)}`);
  const list = (name: string): string[] => {
    let value: unknown;
    try {
      value = JSON.parse(env[name] ?? '');
    } catch {
      throw new EnvironmentError(`${name} must be a JSON list of ARNs, not ${JSON.stringify(env[name])}`);
    }
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.startsWith('arn:'))) {
      throw new EnvironmentError(`${name} must be a JSON list of ARNs, not ${JSON.stringify(env[name])}`);
    }
    return value as string[];
  };
  return { account, neverRevoke: [own, ...list('NEVER_REVOKE_ROLE_ARNS')], protectedPrincipals: list('PROTECTED_PRINCIPALS') };
}

function readFlowLogDestination(env: NodeJS.ProcessEnv): FlowLogDestination | undefined {
  const arn = env['FLOW_LOGS_DESTINATION_ARN'];
  if (!arn) return undefined;
  const type = env['FLOW_LOGS_DESTINATION_TYPE'] ?? 'cloud-watch-logs';
  if (type !== 'cloud-watch-logs' && type !== 's3') {
    throw new EnvironmentError(`FLOW_LOGS_DESTINATION_TYPE must be cloud-watch-logs or s3, not ${JSON.stringify(type)}`);
  }
  const role = env['FLOW_LOGS_ROLE_ARN'];
  if (type === 'cloud-watch-logs' && !role)
    throw new EnvironmentError('FLOW_LOGS_ROLE_ARN is required for a cloud-watch-logs flow-log destination');
  return { type, arn, ...(role ? { deliveryRoleArn: role } : {}) };
}

/** Reads and validates a policy file; errors name the file and every problem. */
export function loadPolicyFile(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new EnvironmentError(`policy file ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  let json: unknown;
  try {
    json = parseJson(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const where = error instanceof JsonSyntaxError ? `${error.line}:${error.column}` : 'file';
    const reason = error instanceof JsonSyntaxError ? error.reason : String(error);
    throw new PolicyError([`(${where}): not valid JSON: ${reason}`], `policy file ${path}`);
  }
  return parsePolicy(json, `policy file ${path}`);
}

/** How alerts are published: the topics, the chat rendering, bursts and the enrichment. */
export interface AlertEnvironment {
  readonly topicArn: string;
  /** A chat-only topic (every message in the chat rendering). */
  readonly chatTopicArn?: string;
  /** Protocols of the alert topic that get the chat rendering. */
  readonly chatProtocols: readonly ChatProtocol[];
  /** Burst aggregation; absent: every alert is published at once. */
  readonly burst?: { readonly table: string; readonly windowSeconds: number };
  readonly ledgerTable?: string;
  readonly logGroup?: string;
  /** Look up the account alias (iam:ListAccountAliases, once per container). */
  readonly accountAlias: boolean;
}

/**
 * Reads `ALERT_TOPIC_ARN`, `ALERT_CHAT_TOPIC_ARN`, `ALERT_CHAT_PROTOCOLS` (comma-separated),
 * `BURST_TABLE_NAME` with `BURST_WINDOW_SECONDS`, `LEDGER_TABLE_NAME`, `ACCOUNT_ALIAS_LOOKUP`
 * (`false` turns it off) and Lambda's `AWS_LAMBDA_LOG_GROUP_NAME`.
 */
export function readAlertEnvironment(env: NodeJS.ProcessEnv): AlertEnvironment {
  const topicArn = env['ALERT_TOPIC_ARN'];
  if (!topicArn) throw new EnvironmentError('missing environment variable(s): ALERT_TOPIC_ARN');
  const chatProtocols = (env['ALERT_CHAT_PROTOCOLS'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const unknown = chatProtocols.filter((p) => !(CHAT_PROTOCOLS as readonly string[]).includes(p));
  if (unknown.length > 0)
    throw new EnvironmentError(`ALERT_CHAT_PROTOCOLS: not a chat protocol: ${unknown.join(', ')} (one of ${CHAT_PROTOCOLS.join(', ')})`);
  const table = env['BURST_TABLE_NAME'];
  const windowSeconds = Number(env['BURST_WINDOW_SECONDS'] ?? '300');
  if (table && !(Number.isInteger(windowSeconds) && windowSeconds >= 10 && windowSeconds <= MAX_WINDOW_SECONDS)) {
    throw new EnvironmentError(
      `BURST_WINDOW_SECONDS must be an integer from 10 to ${MAX_WINDOW_SECONDS}, not ${JSON.stringify(env['BURST_WINDOW_SECONDS'])}`,
    );
  }
  return {
    topicArn,
    ...(env['ALERT_CHAT_TOPIC_ARN'] ? { chatTopicArn: env['ALERT_CHAT_TOPIC_ARN'] } : {}),
    chatProtocols: chatProtocols as ChatProtocol[],
    ...(table ? { burst: { table, windowSeconds } } : {}),
    ...(env['LEDGER_TABLE_NAME'] ? { ledgerTable: env['LEDGER_TABLE_NAME'] } : {}),
    ...(env['AWS_LAMBDA_LOG_GROUP_NAME'] ? { logGroup: env['AWS_LAMBDA_LOG_GROUP_NAME'] } : {}),
    accountAlias: env['ACCOUNT_ALIAS_LOOKUP'] !== 'false',
  };
}

/** The sinks besides SNS a deployed function delivers decisions to. */
export interface IntegrationEnvironment {
  /** Import findings into Security Hub (the account's default product; open findings recorded in the ledger table). */
  readonly securityHub: boolean;
  /** The EventBridge bus decision events go to (a name or ARN); absent: none. */
  readonly decisionEventBus?: string;
}

/** Reads `SECURITY_HUB_FINDINGS` (`true` turns it on) and `DECISION_EVENT_BUS`. */
export function readIntegrationEnvironment(env: NodeJS.ProcessEnv): IntegrationEnvironment {
  const securityHub = env['SECURITY_HUB_FINDINGS'];
  if (securityHub !== undefined && securityHub !== 'true' && securityHub !== 'false') {
    throw new EnvironmentError(`SECURITY_HUB_FINDINGS must be true or false, not ${JSON.stringify(securityHub)}`);
  }
  return {
    securityHub: securityHub === 'true',
    ...(env['DECISION_EVENT_BUS'] ? { decisionEventBus: env['DECISION_EVENT_BUS'] } : {}),
  };
}

/** Organization mode's settings of the hub functions (lib/ sets them on the responder, the sweep and the revoker). */
export interface OrganizationEnvironment {
  readonly scope: OrganizationScope;
  /** The member roles' base name (`eniGuard:memberRoleName`). */
  readonly memberRoleName: string;
  /** The Regions members forward from (this hub guards its own Region among them). */
  readonly memberRegions: readonly string[];
  /** The partition of the hub's role ARNs (`aws`, `aws-cn`, …), for the member roles' ARNs. */
  readonly partition: string;
  /**
   * Flow logs for every VPC of every member (`MEMBER_FLOW_LOGS=cloud-watch-logs`): each member's log
   * group and delivery role in its Region (lambda/core/organization.ts `memberFlowLogDestination`).
   */
  readonly memberFlowLogs: boolean;
}

/**
 * Reads `SCOPE` (`organization`, else undefined: the single-account mode), `ORGANIZATION_ID`,
 * `TARGET_OUS` and `EXCLUDED_ACCOUNTS` (JSON lists), `MEMBER_ROLE_NAME`, `MEMBER_REGIONS` (JSON list)
 * and the partition of `roleArn` (the function's own role); `MEMBER_FLOW_LOGS` (`cloud-watch-logs`, or
 * absent: no flow logs for members). A missing or malformed value fails init.
 */
export function readOrganizationEnvironment(env: NodeJS.ProcessEnv, roleArn: string | undefined): OrganizationEnvironment | undefined {
  if (env['SCOPE'] === undefined || env['SCOPE'] === 'account') return undefined;
  if (env['SCOPE'] !== 'organization')
    throw new EnvironmentError(`SCOPE must be account or organization, not ${JSON.stringify(env['SCOPE'])}`);
  const missing = ['ORGANIZATION_ID', 'TARGET_OUS', 'MEMBER_ROLE_NAME', 'MEMBER_REGIONS'].filter((name) => !env[name]);
  if (missing.length > 0) throw new EnvironmentError(`organization mode: missing environment variable(s): ${missing.join(', ')}`);
  const list = (name: string, pattern: RegExp, what: string): string[] => {
    let value: unknown;
    try {
      value = JSON.parse(env[name] ?? '[]');
    } catch {
      value = undefined;
    }
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && pattern.test(v))) {
      throw new EnvironmentError(`${name} must be a JSON list of ${what}, not ${JSON.stringify(env[name])}`);
    }
    return value as string[];
  };
  const organizationId = env['ORGANIZATION_ID']!;
  if (!/^o-[a-z0-9]{10,32}$/.test(organizationId))
    throw new EnvironmentError(`ORGANIZATION_ID is not an organization id: ${JSON.stringify(organizationId)}`);
  const partition = roleArn?.split(':')[1];
  if (!partition) throw new EnvironmentError('organization mode needs the function role ARN to name the partition');
  const flowLogs = env['MEMBER_FLOW_LOGS'];
  if (flowLogs !== undefined && flowLogs !== 'cloud-watch-logs')
    throw new EnvironmentError(`MEMBER_FLOW_LOGS must be cloud-watch-logs (or absent), not ${JSON.stringify(flowLogs)}`);
  return {
    scope: {
      organizationId,
      targetOus: list('TARGET_OUS', /^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/, 'OU or root ids'),
      excludedAccounts: env['EXCLUDED_ACCOUNTS'] ? list('EXCLUDED_ACCOUNTS', /^\d{12}$/, 'account ids') : [],
    },
    memberRoleName: env['MEMBER_ROLE_NAME']!,
    memberRegions: list('MEMBER_REGIONS', /^[a-z]{2}(-[a-z]+)+-\d$/, 'Regions'),
    partition,
    memberFlowLogs: flowLogs === 'cloud-watch-logs',
  };
}
