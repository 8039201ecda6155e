/**
 * The hub's event bus in one hub Region (`HUB_BUS_NAME`): members forward their CloudTrail events to
 * it. Its resource policy admits `events:PutEvents` only from principals of the organization
 * (`aws:PrincipalOrgID`), and among them only the member forwarder roles.
 */
import { Aws } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { HUB_BUS_NAME, memberRoleNames } from '../../lambda/core/organization';

/** Props of `HubBus`. */
export interface HubBusProps {
  /** The organization (`o-…`) whose members may put events. */
  readonly organizationId: string;
  /** Base name of the member roles: only `<name>Forwarder` roles may put events. */
  readonly memberRoleName: string;
}

/** The hub bus and its policy. */
export class HubBus extends Construct {
  public readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: HubBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: HUB_BUS_NAME,
      description: 'eni-guard hub: CloudTrail interface events forwarded by the member accounts of the organization',
    });
    this.bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'MembersOfTheOrganizationForward',
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: {
          StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
          // Delivery by a member's forwarding rule is made as its forwarder role; nobody else in the organization needs this bus.
          ArnLike: { 'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::*:role/${memberRoleNames(props.memberRoleName).forwarder}` },
        },
      }),
    );
  }
}
