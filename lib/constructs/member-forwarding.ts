/**
 * Member forwarding, in every member Region: the responder's event pattern on the account's
 * default bus, delivered to the hub bus of the same Region as the member forwarder role (EventBridge
 * delivers to an event bus of another account only with a role when the bus admits an organization).
 */
import { Aws } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { HUB_BUS_NAME, memberRoleNames } from '../../lambda/core/organization';
import { eniEventPattern } from './event-pattern';
import { FORWARDING_RULE_NAME } from './member-roles';

/** Props of `MemberForwarding`. */
export interface MemberForwardingProps {
  /** The hub's account (a template parameter: StackSets pass it). */
  readonly hubAccountId: string;
  /** Base name of the member roles: the forwarder is `<name>Forwarder` (created by the roles stack). */
  readonly memberRoleName: string;
}

/** The forwarding rule of one member Region. */
export class MemberForwarding extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: MemberForwardingProps) {
    super(scope, id);
    // The hub bus of this Region; the role lives in the roles stack (IAM is global), so it is named, not created.
    const hubBus = events.EventBus.fromEventBusArn(
      this,
      'HubBus',
      `arn:${Aws.PARTITION}:events:${Aws.REGION}:${props.hubAccountId}:event-bus/${HUB_BUS_NAME}`,
    );
    const forwarder = iam.Role.fromRoleArn(
      this,
      'Forwarder',
      `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${memberRoleNames(props.memberRoleName).forwarder}`,
      { mutable: false },
    );
    this.rule = new events.Rule(this, 'Rule', {
      ruleName: FORWARDING_RULE_NAME,
      description: "eni-guard: this account's interface and security-group changes, forwarded to the eni-guard hub of this Region",
      eventPattern: eniEventPattern(),
      targets: [new targets.EventBus(hubBus, { role: forwarder })],
    });
  }
}
