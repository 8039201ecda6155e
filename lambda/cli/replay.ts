/**
 * Replays events through the responder the function runs (`lambda/functions/wiring.ts`), one responder per
 * Region: `evaluate` with the policy forced to dry-run and alerts captured, `respond` exactly as
 * deployed (acts per policy, publishes to the topic).
 */
import type { Alert } from '../core/alert';
import { responseOf } from '../core/decision';
import { parseEvent } from '../core/event';
import type { Policy } from '../core/policy';
import type { AlertPort, LogPort } from '../app/ports';
import type { HandleResult, Responder } from '../app/responder';
import { createClients, createResponder, snsAlerts, type AwsConnection } from '../functions/wiring';
import { EXIT, messageOf } from './command';
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

/** An alert port that keeps what it is given, after passing it on to `next` (if any). */
class CapturingAlerts implements AlertPort {
  captured: Alert[] = [];
  constructor(private readonly next?: AlertPort) {}
  async publish(alert: Alert): Promise<void> {
    await this.next?.publish(alert);
    this.captured.push(alert);
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

  const responderFor = (region: string | undefined) => {
    const key = region ?? '';
    let entry = responders.get(key);
    if (!entry) {
      const clients = createClients({ ...settings.connection, ...(region ? { region } : {}) }, topicRegion);
      const alerts = new CapturingAlerts(settings.mode === 'respond' ? snsAlerts(clients.sns, settings.topicArn!) : undefined);
      entry = {
        alerts,
        // Every client the function's wiring takes; `respond` records in the function's ledger when given one.
        responder: createResponder({
          ...clients,
          ...(settings.mode === 'respond' && settings.ledgerTable ? { ledgerTable: settings.ledgerTable } : {}),
          alerts,
          log: settings.log,
          settings: {
            policy,
            ...(settings.responderRoleArn ? { responderRoleArn: settings.responderRoleArn } : {}),
            ...(settings.leaseSeconds ? { leaseSeconds: settings.leaseSeconds } : {}),
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
    const { responder, alerts } = responderFor(settings.connection.region ?? regionOf(event));
    alerts.captured = [];
    let report: EventReport;
    try {
      report = { source, result: await responder.handle(event), alerts: alerts.captured };
    } catch (error) {
      report = { source, alerts: alerts.captured, error: messageOf(error) };
    }
    reports.push(report);
    onReport(report);
  }
  return reports;
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
      if (decision.outcome === 'noncompliant') code = EXIT.findings;
    }
  }
  return code;
}
