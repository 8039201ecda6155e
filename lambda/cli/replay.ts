/**
 * Replays events through the responder the function runs (`lambda/functions/wiring.ts`), one responder per
 * Region: `evaluate` with the policy forced to dry-run and alerts captured, `respond` exactly as
 * deployed (acts per policy, publishes to the topic).
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { enrichAlert, type Alert, type AlertEnrichment } from '../core/alert';
import { responseOf } from '../core/decision';
import { parseEvent } from '../core/event';
import type { Policy } from '../core/policy';
import type { AlertPort, LogPort } from '../app/ports';
import type { HandleResult, Responder } from '../app/responder';
import { createClients, createResponder, localRevoker, snsAlerts, type AwsConnection } from '../functions/wiring';
import { explainAwsError } from './aws-errors';
import { EXIT } from './command';
import type { SourcedEvent } from './events';

/** `evaluate` changes nothing and publishes nothing; `respond` does what the function does. */
export type ReplayMode = 'evaluate' | 'respond';

/** How to replay. */
export interface ReplaySettings {
  readonly mode: ReplayMode;
  readonly policy: Policy;
  readonly connection: AwsConnection;
  /** The alert topic (`respond` only). */
  readonly topicArn?: string;
  /** The deployed function's role: calls it made are skipped, as the function skips them. */
  readonly responderRoleArn?: string;
  /** The remediation ledger (`respond` only): decisions are recorded (duplicates skipped, undo possible) as the function does. */
  readonly ledgerTable?: string;
  /** The ledger lease (`LEDGER_LEASE_SECONDS`, as the function reads it). @default 120 */
  readonly leaseSeconds?: number;
  /** The endpoint in use (`--endpoint-url` or `AWS_ENDPOINT_URL`), so the printed undo command reaches the same place. */
  readonly endpointUrl?: string;
  readonly log: LogPort;
}

/** What happened to one event. */
export interface EventReport {
  readonly source: string;
  /** The responder's result; absent when it threw. */
  readonly result?: HandleResult;
  /** Alerts published (`respond`) or that would have been (`evaluate`), in decision order. */
  readonly alerts: readonly Alert[];
  /** Why the event could not be handled (AWS failure, alert not delivered). */
  readonly error?: string;
}

/**
 * An alert port that completes each alert as the deployed function does (the exact undo command: ledger
 * table, Region and endpoint), passes it on to `next` (if any), and keeps it — so what is printed is
 * what was published, and only what was published is said to be.
 */
class CapturingAlerts implements AlertPort {
  captured: Alert[] = [];
  constructor(
    private readonly enrichment: AlertEnrichment,
    private readonly next?: AlertPort,
  ) {}
  async publish(alert: Alert): Promise<void> {
    const complete = enrichAlert(alert, this.enrichment);
    await this.next?.publish(complete);
    this.captured.push(complete);
  }
}

/** Replays `events` in order; `onReport` sees each report as soon as it is ready. */
export async function replay(
  events: readonly SourcedEvent[],
  settings: ReplaySettings,
  onReport: (report: EventReport) => void = () => undefined,
): Promise<EventReport[]> {
  const responders = new Map<string, { responder: Responder; alerts: CapturingAlerts }>();
  const policy: Policy = settings.mode === 'evaluate' ? { ...settings.policy, dryRun: true } : settings.policy;
  const topicRegion = settings.topicArn?.split(':')[3] || undefined;

  const responderFor = async (region: string | undefined) => {
    const key = region ?? '';
    let entry = responders.get(key);
    if (!entry) {
      const clients = createClients({ ...settings.connection, ...(region ? { region } : {}) }, topicRegion);
      // Acting, the CLI guards the account its credentials are in, as the function guards its own: an event
      // about another account is not acted on here (its ids would be looked up, and changed, in this one).
      const scope = settings.mode === 'respond' ? { accounts: [await callerAccount(settings.connection, region)] } : undefined;
      const recorded = settings.mode === 'respond' && settings.ledgerTable !== undefined;
      const enrichment: AlertEnrichment = recorded
        ? {
            ledgerTable: settings.ledgerTable,
            ...(region ? { region } : {}),
            ...(settings.endpointUrl ? { endpointUrl: settings.endpointUrl } : {}),
          }
        : {};
      const alerts = new CapturingAlerts(enrichment, settings.mode === 'respond' ? snsAlerts(clients.sns, settings.topicArn!) : undefined);
      entry = {
        alerts,
        // Every client the function's wiring takes; `respond` records in the function's ledger when given one.
        responder: createResponder({
          ...clients,
          ...(settings.mode === 'respond' && settings.ledgerTable ? { ledgerTable: settings.ledgerTable } : {}),
          alerts,
          log: settings.log,
          // Revocations with the operator's own credentials, through the same checks as the revoker function.
          revoker: localRevoker(clients.iam, policy, settings.log, settings.responderRoleArn ? [settings.responderRoleArn] : []),
          settings: {
            policy,
            ...(settings.responderRoleArn ? { responderRoleArn: settings.responderRoleArn } : {}),
            ...(settings.leaseSeconds ? { leaseSeconds: settings.leaseSeconds } : {}),
            ...(scope ? { scope } : {}),
          },
        }),
      };
      responders.set(key, entry);
    }
    return entry;
  };

  const reports: EventReport[] = [];
  for (const { source, event } of events) {
    // The event's own Region is where its interface lives, unless --region says otherwise.
    let report: EventReport;
    let captured: Alert[] = [];
    try {
      const { responder, alerts } = await responderFor(settings.connection.region ?? regionOf(event));
      alerts.captured = [];
      captured = alerts.captured;
      report = { source, result: await responder.handle(event), alerts: alerts.captured };
    } catch (error) {
      const target = {
        ...(settings.endpointUrl ? { endpoint: settings.endpointUrl } : {}),
        ...((settings.connection.region ?? regionOf(event)) ? { region: settings.connection.region ?? regionOf(event)! } : {}),
        ...(settings.mode === 'respond' && settings.ledgerTable ? { ledgerTable: settings.ledgerTable } : {}),
      };
      report = { source, alerts: captured, error: explainAwsError(error, target) };
    }
    reports.push(report);
    onReport(report);
  }
  return reports;
}

/** The account of the credentials in use (STS GetCallerIdentity, once per Region). */
async function callerAccount(connection: AwsConnection, region: string | undefined): Promise<string> {
  const defined = Object.fromEntries(Object.entries({ ...connection, ...(region ? { region } : {}) }).filter(([, v]) => v !== undefined));
  const out = await new STSClient(defined).send(new GetCallerIdentityCommand({}));
  if (!out.Account) throw new Error('STS GetCallerIdentity returned no account: cannot tell which account these credentials guard');
  return out.Account;
}

function regionOf(event: unknown): string | undefined {
  const parsed = parseEvent(event);
  return parsed.kind === 'invalid' ? undefined : parsed.context?.region;
}

/**
 * The exit code of a replay: 3 when anything could not be done (an event failed or was malformed,
 * a rule could not be evaluated, a remediation failed or was not verified), else 1 when an
 * interface is non-compliant, else 0.
 */
export function exitCodeOf(reports: readonly EventReport[]): number {
  let code: number = EXIT.ok;
  for (const report of reports) {
    if (report.error !== undefined || report.result?.kind === 'invalid') return EXIT.error;
    if (report.result?.kind !== 'decided') continue;
    for (const decision of report.result.decisions) {
      if (decision.outcome === 'error' || responseOf(decision) === 'remediation-failed') return EXIT.error;
      // A duplicate was not acted on again, but its findings are today's: after an undo, say non-compliant.
      if (decision.outcome === 'noncompliant' || (decision.outcome === 'duplicate' && decision.findings.length > 0)) code = EXIT.findings;
    }
  }
  return code;
}
