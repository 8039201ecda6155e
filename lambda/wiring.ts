/**
 * Builds the responder from its parts. One wiring for both entry points: the Lambda handler
 * (clients once per container) and the `eni-guard` CLI (clients per endpoint and Region), so the
 * CLI runs exactly the object graph the function runs.
 */
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { CachingFactReader } from './adapters/cache';
import { Ec2Adapter } from './adapters/ec2';
import { SnsAlertPublisher } from './adapters/sns';
import { FactGatherer } from './facts';
import type { AlertPort, LogPort, ResponderSettings } from './service';
import { Responder } from './service';

/** Where and as whom the AWS clients connect. Every field is optional: the SDK's defaults (and `AWS_*` variables) apply. */
export interface AwsConnection {
  /** An endpoint for every service (moto, LocalStack). The SDK also honours `AWS_ENDPOINT_URL`. */
  readonly endpoint?: string;
  readonly region?: string;
  /** A profile of the shared config/credentials files (as `AWS_PROFILE`). */
  readonly profile?: string;
  /** Explicit credentials; otherwise the standard credential chain. */
  readonly credentials?: EC2ClientConfig['credentials'];
}

/** The SDK clients the responder uses. */
export interface AwsClients {
  readonly ec2: EC2Client;
  readonly sns: SNSClient;
}

// Adaptive retry backs off under EC2 throttling instead of failing the event.
const RETRY = { maxAttempts: 5, retryMode: 'adaptive' } as const;

/** Builds the EC2 and SNS clients; `snsRegion` lets alerts go to a topic in another Region. */
export function createClients(connection: AwsConnection = {}, snsRegion?: string): AwsClients {
  // Only keys that are set: an explicit `undefined` must not shadow the SDK's own resolution.
  const defined = Object.fromEntries(Object.entries(connection).filter(([, value]) => value !== undefined));
  return {
    ec2: new EC2Client({ ...RETRY, ...defined }),
    sns: new SNSClient({ ...RETRY, ...defined, ...(snsRegion ? { region: snsRegion } : {}) }),
  };
}

/** Publishes alerts to an SNS topic, as the deployed function does. */
export function snsAlerts(sns: SNSClient, topicArn: string): AlertPort {
  return new SnsAlertPublisher(sns, topicArn);
}

/** Everything a responder is built from. */
export interface ResponderParts {
  readonly ec2: EC2Client;
  readonly alerts: AlertPort;
  readonly log: LogPort;
  readonly settings: ResponderSettings;
}

/** Builds the responder: EC2 adapter, fact gatherer with its cache, alert port, log. */
export function createResponder(parts: ResponderParts): Responder {
  const ec2 = new Ec2Adapter(parts.ec2);
  // Warm invocations reuse what rarely changes (routes, ACLs, flow logs, prefix lists); never the interface or its rules.
  return new Responder(ec2, new FactGatherer(new CachingFactReader(ec2)), parts.alerts, parts.log, parts.settings);
}
