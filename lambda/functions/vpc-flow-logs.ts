/**
 * Lambda entry point of flow logs for every VPC: the deploy-time step (a CloudFormation custom
 * resource, called through CDK's provider framework) and new VPCs (CreateVpc/CreateDefaultVpc, from
 * an EventBridge rule). Built by the same wiring, environment and policy as the responder, for this
 * function's own account and Region.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { VpcEventResult } from '../app/vpc-flow-logs';
import { deployRequestOf, type DeployResponse } from '../core/vpc';
import { readAlertEnvironment, readEnvironment } from './environment';
import { createVpcFlowLogs, functionParts } from './wiring';

const logger = new Logger({ serviceName: 'eni-guard', persistentKeys: { component: 'vpc-flow-logs' } });
const environment = readEnvironment(process.env);
const vpcs = createVpcFlowLogs(functionParts(environment, readAlertEnvironment(process.env), logger), {
  account: environment.account,
  region: environment.region,
});

/** A custom-resource request runs the deploy step; anything else is a VPC event. */
export async function handler(event: unknown, context?: Context): Promise<DeployResponse | VpcEventResult> {
  if (context) logger.addContext(context);
  const request = deployRequestOf(event);
  if (request) return vpcs.deploy(request, context ? () => context.getRemainingTimeInMillis() : undefined);
  return vpcs.handleEvent(event);
}
