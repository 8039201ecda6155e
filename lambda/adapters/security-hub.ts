/**
 * Decisions into AWS Security Hub (opt-in, `eniGuard:securityHub=true`): one ASFF finding per
 * interface and rule (lambda/core/asff.ts), imported with `BatchImportFindings` into the account's
 * default product, updated in place by the next decision, and resolved — re-imported `PASSED`, then
 * `BatchUpdateFindings` sets `Workflow.Status: RESOLVED` — when a fix is verified or the rule no
 * longer finds anything.
 *
 * Which findings are open on an interface is recorded in the ledger table (item
 * `securityhub-findings/<account>/<region>/<interface>`), so a compliant decision costs one
 * `GetItem` and resolves exactly what eni-guard raised — no `GetFindings` (3 requests a second) and
 * no PASSED finding for every compliant interface.
 */
import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  type AwsSecurityFinding,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isTransient, SinkDeliveryError, type DecisionObserver, type MetricsPort, type Place } from '../app/ports';
import { renderAlert, type Alert } from '../core/alert';
import { productArnOf, syncFindings, type AsffFinding, type OpenFindings } from '../core/asff';
import type { Decision } from '../core/decision';
import { securityHubMetrics } from '../core/metrics';
import { sendWithPartialRetries, wrap } from './errors';

/** BatchImportFindings and BatchUpdateFindings take at most 100 findings a call. */
const BATCH = 100;
/** Security Hub deletes findings not updated for 90 days; the record of open ones expires with them. */
const STATE_RETENTION_SECONDS = 90 * 86_400;

/** Where the open findings of each interface are recorded. */
export interface FindingStateStore {
  get(place: Place, networkInterfaceId: string): Promise<OpenFindings>;
  /**
   * Records what is open as of `now`, unless a decision as of `now` or later is recorded already —
   * Security Hub's own rule for the findings (an import whose `UpdatedAt` is not later is ignored),
   * so the record and Security Hub keep the same decision. False when it was not recorded.
   */
  put(place: Place, networkInterfaceId: string, open: OpenFindings, now: Date): Promise<boolean>;
}

/** The ledger-table key of an interface's open-findings record. */
export function findingStateKeyOf(place: Place, networkInterfaceId: string): string {
  return `securityhub-findings/${place.account}/${place.region}/${networkInterfaceId}`;
}

/** `FindingStateStore` on the ledger table (which only eni-guard's roles write). */
export class DynamoFindingState implements FindingStateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(place: Place, networkInterfaceId: string): Promise<OpenFindings> {
    try {
      const out = await this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { ledgerId: { S: findingStateKeyOf(place, networkInterfaceId) } },
          ConsistentRead: true,
        }),
      );
      const text = out.Item?.['findings']?.S;
      return text ? (JSON.parse(text) as OpenFindings) : {};
    } catch (error) {
      throw wrap('GetItem', error);
    }
  }

  async put(place: Place, networkInterfaceId: string, open: OpenFindings, now: Date): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ledgerId: { S: findingStateKeyOf(place, networkInterfaceId) },
            kind: { S: 'securityhub-findings' },
            findings: { S: JSON.stringify(open) },
            updatedAt: { S: now.toISOString() },
            expiresAt: { N: String(Math.floor(now.getTime() / 1000) + STATE_RETENTION_SECONDS) },
          },
          // ISO-8601 UTC strings of one format order as the instants they name.
          ConditionExpression: 'attribute_not_exists(updatedAt) OR updatedAt < :now',
          ExpressionAttributeValues: { ':now': { S: now.toISOString() } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw wrap('PutItem', error);
    }
  }
}

/** Settings of the Security Hub sink. */
export interface SecurityHubSettings {
  /** Rules the policy evaluates (an open finding of a rule turned off is archived). */
  readonly enabledRules: ReadonlySet<string>;
  /** What the deployed function adds to every alert (exact undo command, record). @default none */
  readonly enrich?: (alert: Alert) => Promise<Alert>;
  readonly metrics?: MetricsPort;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Pause between retries of findings Security Hub reported failed with a transient code. @default 100 ms */
  readonly backoffMs?: number;
}

/** The Security Hub sink. */
export class SecurityHubFindings implements DecisionObserver {
  /**
   * The last `UpdatedAt` this sink gave a decision. Security Hub ignores an import whose `UpdatedAt`
   * is not later than the finding's, and the open-findings record refuses a put that is not later
   * than its own: two decisions about one interface within a millisecond would drop the second (a
   * finding left open after the interface became compliant). One sink decides in order, so each
   * decision is at least a millisecond after the one before; two processes deciding in the same
   * millisecond are concurrent, and either may win.
   */
  private lastStampMs = 0;

  constructor(
    private readonly client: SecurityHubClient,
    private readonly state: FindingStateStore,
    private readonly settings: SecurityHubSettings,
  ) {}

  async decided(decision: Decision): Promise<void> {
    if (decision.outcome === 'skipped' || decision.outcome === 'duplicate') return;
    const place = decision.context;
    const open = await this.state.get(place, decision.networkInterfaceId);
    // Nothing found and nothing open: the common case costs the one read.
    if (decision.findings.length === 0 && Object.keys(open).length === 0) return;
    const clock = (this.settings.now ?? (() => new Date()))().getTime();
    this.lastStampMs = Math.max(clock, this.lastStampMs + 1);
    const now = new Date(this.lastStampMs);
    const rendered = renderAlert(decision);
    const document = (this.settings.enrich ? await this.settings.enrich(rendered) : rendered).document;
    const sync = syncFindings(decision, document, open, { now, enabledRules: this.settings.enabledRules });
    if (sync.imports.length === 0 && sameKeys(open, sync.open)) return;

    if (sync.imports.length > 0) await this.importAll(sync.imports);
    // Recorded only once Security Hub has them: a failed import is tried again by the next decision.
    // A later decision about the interface recorded first: Security Hub kept its findings (their UpdatedAt is later)
    // and ignored these, so nothing of this one is resolved — a RESOLVED now could close what the later one found.
    if (!(await this.state.put(place, decision.networkInterfaceId, sync.open, now))) return;
    this.settings.metrics?.record(securityHubMetrics(sync.statuses));
    if (sync.resolve.length > 0) await this.resolveAll(productArnOf(place), sync.resolve);
  }

  private async importAll(findings: readonly AsffFinding[]): Promise<void> {
    for (let i = 0; i < findings.length; i += BATCH) {
      const batch = findings.slice(i, i + BATCH);
      let failed;
      try {
        failed = await sendWithPartialRetries(
          batch,
          async (pending) => {
            const out = await this.client.send(new BatchImportFindingsCommand({ Findings: pending as AwsSecurityFinding[] }));
            return (out.FailedFindings ?? []).map((f) => ({
              item: pending.find((p) => p.Id === f.Id) ?? pending[0]!,
              code: f.ErrorCode ?? 'Unknown',
              message: f.ErrorMessage ?? '',
            }));
          },
          { ...(this.settings.backoffMs !== undefined ? { backoffMs: this.settings.backoffMs } : {}) },
        );
      } catch (error) {
        const wrapped = wrap('BatchImportFindings', error);
        throw new SinkDeliveryError(wrapped.message, { findings: batch }, wrapped.retryable, { cause: error, code: wrapped.code });
      }
      if (failed.length > 0) {
        throw new SinkDeliveryError(
          `BatchImportFindings: ${failed.length} of ${batch.length} finding(s) not imported: ${failed.map((f) => `${f.item.Id}: ${f.code}: ${f.message}`).join('; ')}`,
          { findings: failed.map((f) => f.item) },
          failed.some((f) => isTransient({ name: f.code })),
          { code: failed[0]!.code },
        );
      }
    }
  }

  /** `Workflow.Status: RESOLVED` — the one customer-owned field eni-guard sets, and only for what it resolved. */
  private async resolveAll(productArn: string, ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += BATCH) {
      const identifiers = ids.slice(i, i + BATCH).map((Id) => ({ Id, ProductArn: productArn }));
      let unprocessed;
      try {
        const out = await this.client.send(
          new BatchUpdateFindingsCommand({ FindingIdentifiers: identifiers, Workflow: { Status: 'RESOLVED' } }),
        );
        unprocessed = out.UnprocessedFindings ?? [];
      } catch (error) {
        const wrapped = wrap('BatchUpdateFindings', error);
        throw new SinkDeliveryError(wrapped.message, { resolve: identifiers }, wrapped.retryable, { cause: error, code: wrapped.code });
      }
      if (unprocessed.length > 0) {
        throw new SinkDeliveryError(
          `BatchUpdateFindings: ${unprocessed.length} finding(s) not set RESOLVED: ${unprocessed.map((u) => `${u.FindingIdentifier?.Id}: ${u.ErrorCode}: ${u.ErrorMessage}`).join('; ')}`,
          { resolve: unprocessed.map((u) => u.FindingIdentifier) },
          false,
          { code: unprocessed[0]!.ErrorCode ?? 'Unprocessed' },
        );
      }
    }
  }
}

function sameKeys(a: OpenFindings, b: OpenFindings): boolean {
  const [x, y] = [Object.keys(a).sort(), Object.keys(b).sort()];
  return x.length === y.length && x.every((k, i) => k === y[i]);
}
