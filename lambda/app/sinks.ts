/**
 * The sinks a finished decision goes to besides the SNS alert: Security Hub, the EventBridge bus,
 * metrics. Each is independent of the others and of SNS: they run side by side, a failure of one is
 * logged (with what could not be delivered) and counted (`SinkFailures`), and never stops the
 * others or the alert. Retries are each sink's own (the SDK's, and per-entry retries of partial
 * failures); Security Hub converges again on the next decision about the interface or the next sweep.
 */
import type { Decision } from '../core/decision';
import { decisionMetrics, sinkFailureMetric, type SinkName } from '../core/metrics';
import { errorCode, isTransient, SinkDeliveryError, type DecisionObserver, type LogPort, type MetricsPort } from './ports';

/** A sink, by the name its failures are logged and counted under (`securityhub`, `events`, `metrics`: core/metrics.ts SINKS). */
export interface NamedSink {
  readonly name: SinkName;
  readonly observer: DecisionObserver;
}

/** Every sink, side by side; never throws. */
export class DecisionSinks implements DecisionObserver {
  constructor(
    private readonly sinks: readonly NamedSink[],
    private readonly log: Pick<LogPort, 'error'>,
    private readonly metrics?: MetricsPort,
  ) {}

  async decided(decision: Decision): Promise<void> {
    await Promise.all(
      this.sinks.map(async ({ name, observer }) => {
        try {
          await observer.decided(decision);
        } catch (error) {
          this.log.error('decision not delivered to a sink', {
            sink: name,
            eventId: decision.context.eventId,
            networkInterfaceId: decision.networkInterfaceId,
            outcome: decision.outcome,
            error: error instanceof Error ? error.message : String(error),
            code: errorCode(error),
            retryable: error instanceof SinkDeliveryError ? error.retryable : isTransient(error),
            ...(error instanceof SinkDeliveryError ? { undelivered: error.undelivered } : {}),
          });
          this.metrics?.record([sinkFailureMetric(name)]);
        }
      }),
    );
  }
}

/** Counts each decision: outcome, findings, remediations, time to remediate, IaC conflicts. */
export class DecisionMetrics implements DecisionObserver {
  constructor(
    private readonly metrics: MetricsPort,
    private readonly now: () => Date = () => new Date(),
  ) {}

  decided(decision: Decision): Promise<void> {
    this.metrics.record(decisionMetrics(decision, this.now()));
    return Promise.resolve();
  }
}
