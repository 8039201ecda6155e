/** Publishing an alert about a decision: a failure is logged with the whole alert, then raised so the event is retried. */
import type { Alert } from '../core/alert';
import type { AlertPort, LogPort } from './ports';

/** Raised when an alert about a decision could not be delivered; the alert is in the log line. */
export class AlertDeliveryError extends Error {
  constructor(eventId: string, cause: unknown) {
    super(`alert for event ${eventId} could not be published: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'AlertDeliveryError';
  }
}

/** Publishes decision alerts; throws `AlertDeliveryError` (after logging the alert) when the port fails. */
export class AlertDelivery {
  constructor(
    private readonly alerts: AlertPort,
    private readonly log: LogPort,
  ) {}

  async publish(eventId: string, alert: Alert): Promise<void> {
    try {
      await this.alerts.publish(alert);
    } catch (error) {
      // The decision (and any change already made) must not be lost with the alert.
      this.log.error('alert not delivered', {
        eventId,
        alert: alert.document,
        error: error instanceof Error ? error.message : String(error),
      });
      throw new AlertDeliveryError(eventId, error);
    }
  }
}
