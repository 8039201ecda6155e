/** The EventBridge pattern of the CloudTrail calls eni-guard judges: the responder's rule and the members' forwarding rule match the same. */
import type * as events from 'aws-cdk-lib/aws-events';
import { SUPPORTED_EVENT_NAMES } from '../../lambda/core/event';

/** Successful CloudTrail EC2 calls that create or change an interface or its security groups. */
export function eniEventPattern(): events.EventPattern {
  return {
    source: ['aws.ec2'],
    detailType: ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['ec2.amazonaws.com'],
      eventName: [...SUPPORTED_EVENT_NAMES],
      // Failed and dry-run calls create nothing; the function skips them too, but need not wake for them.
      errorCode: [{ exists: false }],
    },
  };
}
