/**
 * Member forwarding, in every member Region: the responder's event pattern on the account's
 * default bus, delivered to the hub bus of the same Region as the member forwarder role (EventBridge
 * delivers to an event bus of another account only with a role when the bus admits an organization).
 * With flow logs for every VPC, it forwards CreateVpc too, and holds the Region's flow-log group.
 */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HUB_BUS_NAME, MEMBER_FLOW_LOG_GROUP, memberRoleNames } from '../../lambda/core/organization';
import { eniEventPattern } from './event-pattern';
import { FORWARDING_RULE_NAME } from './member-roles';

/** Props of `MemberForwarding`. */
export interface MemberForwardingProps {
  /** The hub's account (a template parameter: StackSets pass it). */
  readonly hubAccountId: string;
  /** Base name of the member roles: the forwarder is `<name>Forwarder` (created by the roles stack). */
  readonly memberRoleName: string;
  /** Flow logs for every VPC: the Region's log group (encrypted, with this retention), and CreateVpc forwarded. @default none */
  readonly flowLogs?: { readonly retentionDays: logs.RetentionDays };
}

/** The forwarding rule of one member Region. */
export class MemberForwarding extends Construct {
  public readonly rule: events.Rule;
  /** The log group the hub sends this account's flow logs to, in this Region (`MEMBER_FLOW_LOG_GROUP`). */
  public readonly flowLogGroup?: logs.LogGroup;

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
      eventPattern: eniEventPattern({ vpcs: props.flowLogs !== undefined }),
      targets: [new targets.EventBus(hubBus, { role: forwarder })],
    });
    if (props.flowLogs) {
      // A fixed name, so the hub can name it without reading the member. It goes with the stack (an account that leaves the
      // OUs, or an uninstall, deletes it — and its key, after the waiting period), so a later stack here can create it again.
      const groupArn = `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${MEMBER_FLOW_LOG_GROUP}`;
      // The whole key policy, by pseudo-parameters (CDK's default statement would name the partition literally where the
      // Region is known): the StackSet body and the management account's deployable stack stay the same template.
      const key = new kms.Key(this, 'FlowLogKey', {
        description: "eni-guard member: encrypts this account's flow-log group in this Region",
        enableKeyRotation: true,
        pendingWindow: Duration.days(30),
        removalPolicy: RemovalPolicy.DESTROY,
        policy: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'AccountAdministersTheKey',
              principals: [new iam.ArnPrincipal(`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`)],
              actions: ['kms:*'],
              resources: ['*'],
            }),
            new iam.PolicyStatement({
              sid: 'CloudWatchLogsForTheFlowLogGroup',
              principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
              actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
              resources: ['*'],
              conditions: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': groupArn } },
            }),
          ],
        }),
      });
      this.flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
        logGroupName: MEMBER_FLOW_LOG_GROUP,
        encryptionKey: key,
        retention: props.flowLogs.retentionDays,
        removalPolicy: RemovalPolicy.DESTROY,
      });
    }
  }
}
