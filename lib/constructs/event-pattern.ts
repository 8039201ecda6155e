/** The EventBridge pattern of the CloudTrail calls eni-guard judges: the responder's rule and the members' forwarding rule match the same. */
import type * as events from 'aws-cdk-lib/aws-events';
import { SUPPORTED_EVENT_NAMES } from '../../lambda/core/event';
import { VPC_EVENT_NAMES } from '../../lambda/core/vpc-event';

/**
 * Successful CloudTrail EC2 calls that create or change an interface or its security groups; with
 * `vpcs`, those that create a VPC too (an organization hub gives members' new VPCs their flow logs).
 */
export function eniEventPattern(options: { readonly vpcs?: boolean } = {}): events.EventPattern {
  return {
    source: ['aws.ec2'],
    detailType: ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['ec2.amazonaws.com'],
      eventName: [...SUPPORTED_EVENT_NAMES, ...(options.vpcs ? VPC_EVENT_NAMES : [])],
      // Failed and dry-run calls create nothing; the function skips them too, but need not wake for them.
      errorCode: [{ exists: false }],
    },
  };
}
