/**
 * The floor for bundle size, cold load and memory: a Lambda entry that only imports and constructs
 * what lambda/functions/responder.ts constructs at init (its SDK clients with the same retry settings, and the
 * Powertools Logger) and none of our code. Bundled with the stack's esbuild settings by the bench,
 * which warns when the handler bundles a client this file does not construct.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';

const clientConfig = { maxAttempts: 5, retryMode: 'adaptive' } as const;
const logger = new Logger({ serviceName: 'eni-guard' });
const clients = [new EC2Client(clientConfig), new SNSClient(clientConfig), new IAMClient(clientConfig), new DynamoDBClient(clientConfig)];

/** Does nothing: this bundle exists to be loaded. */
export function handler(): Promise<{ clients: number; level: string }> {
  return Promise.resolve({ clients: clients.length, level: logger.getLevelName() });
}
