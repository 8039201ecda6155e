/**
 * What runs around a responder in every deployment, the single-account stack and each organization
 * hub alike: the periodic sweep (as the responder's role), alert delivery (chat, account alias, burst
 * digests) for everything both publish, and the alarms on all of them. Added directly to the stack's
 * scope, so the construct ids — and the logical ids of what is already deployed — stay as they were.
 */
import type { Construct } from 'constructs';
import type { EniGuardConfig } from '../config';
import { AlertDelivery } from './alert-delivery';
import type { AlertTopic } from './alert-topic';
import type { DataKey } from './data-key';
import type { Responder } from './responder';
import { ResponderAlarms } from './responder-alarms';
import { Sweep } from './sweep';

/** What `addOperations` needs: the responder it surrounds and the configuration of the deployment. */
export interface OperationsProps {
  readonly responder: Responder;
  readonly alerts: AlertTopic;
  readonly dataKey: DataKey;
  readonly config: EniGuardConfig;
}

/** The sweep (when scheduled), alert delivery and alarms of one deployment. */
export interface Operations {
  readonly sweep?: Sweep;
  readonly alertDelivery: AlertDelivery;
  readonly alarms: ResponderAlarms;
}

/** Adds the sweep, alert delivery and alarms around `props.responder`, in `scope` itself. */
export function addOperations(scope: Construct, props: OperationsProps): Operations {
  const { responder, alerts, dataKey, config } = props;
  const sweep = config.sweep.schedule
    ? new Sweep(scope, 'Sweep', {
        schedule: config.sweep.schedule,
        role: responder.role,
        environment: responder.environment,
        policy: config.policy,
        encryptionKey: dataKey.key,
        logRetention: config.logRetentionDays,
      })
    : undefined;
  // Chat rendering, account alias and calm during bursts, for everything the responder publishes.
  const alertDelivery = new AlertDelivery(scope, 'AlertDelivery', {
    topic: alerts.topic,
    publisher: responder.function,
    // The sweep runs as the responder's role: same permissions, and the same delivery (bursts, chat, alias).
    ...(sweep ? { companions: [sweep.function] } : {}),
    dataKey,
    burstWindowSeconds: config.alerts.burstWindowSeconds,
    chat: config.alerts.chat,
    ledgerTableName: responder.ledger.tableName,
    logRetention: config.logRetentionDays,
    policyDocument: config.policy,
  });
  const alarms = new ResponderAlarms(scope, 'ResponderAlarms', {
    function: responder.function,
    deadLetterQueue: responder.deadLetterQueue,
    topic: alerts.topic,
    dataKey,
    companions: [
      ...(sweep
        ? [{ name: 'sweep', function: sweep.function, description: 'the periodic sweep failed; interfaces no event reported go unchecked' }]
        : []),
      ...(alertDelivery.flusher
        ? [{ name: 'flusher', function: alertDelivery.flusher, description: 'burst digests could not be flushed; held alerts are late' }]
        : []),
    ],
  });
  return { ...(sweep ? { sweep } : {}), alertDelivery, alarms };
}
