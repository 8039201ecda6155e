/**
 * Lambda entry point. Clients, environment and policy are set up once per container (a bad
 * policy or missing variable fails init, visibly); each invocation parses, decides, logs.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { CachingFactReader } from './adapters/cache';
import { Ec2Adapter } from './adapters/ec2';
import { SnsAlertPublisher } from './adapters/sns';
import { readEnvironment } from './environment';
import { FactGatherer } from './facts';
import type { HandleResult } from './service';
import { Responder } from './service';

const logger = new Logger({ serviceName: 'eni-guard' });
const environment = readEnvironment(process.env);
// Adaptive retry backs off under EC2 throttling instead of failing the event.
const clientConfig = { maxAttempts: 5, retryMode: 'adaptive' } as const;
const ec2 = new Ec2Adapter(new EC2Client(clientConfig));
// Warm invocations reuse what rarely changes (routes, ACLs, flow logs, prefix lists); never the interface or its rules.
const responder = new Responder(
  ec2,
  new FactGatherer(new CachingFactReader(ec2)),
  new SnsAlertPublisher(new SNSClient(clientConfig), environment.topicArn),
  logger,
  { policy: environment.policy, responderRoleArn: environment.responderRoleArn },
);
logger.info('responder ready', { policyFile: environment.policyFile, dryRun: environment.policy.dryRun });

/** Handles one EventBridge delivery. Throws only for failures a retry can fix. */
export async function handler(event: unknown, context?: Context): Promise<HandleResult> {
  if (context) logger.addContext(context);
  return responder.handle(event);
}
