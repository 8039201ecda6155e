/**
 * A chat channel of Amazon Q Developer in chat applications (formerly AWS Chatbot), created by the
 * stack from the workspace and channel ids: a Slack channel configuration or a Microsoft Teams
 * channel configuration, subscribed to the chat-only topic (every eni-guard message in the chat
 * rendering) and to the topics the alarms notify. Prerequisite, once per workspace or tenant and not
 * possible in CloudFormation: authorize the workspace (or Teams tenant) in the Amazon Q Developer
 * console.
 *
 * Least privilege: the channel role may only read what an alarm notification shows (the alarm and
 * its graph), and the guardrail caps every role used in the channel at CloudWatch read-only — the
 * service's default guardrail, when none is given, is AdministratorAccess.
 */
import { Aws, Validations } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Which channel. */
export type ChatChannelTarget =
  | { readonly platform: 'slack'; readonly workspaceId: string; readonly channelId: string }
  | { readonly platform: 'teams'; readonly tenantId: string; readonly teamId: string; readonly channelId: string };

/** Props of `ChatChannel`. */
export interface ChatChannelProps {
  readonly channel: ChatChannelTarget;
  /** Topics whose messages go to the channel (the chat-only topic; the alarms'). */
  readonly topics: readonly sns.ITopic[];
  /** The alarms whose notifications the channel shows (ARN pattern): the channel role may describe these only. */
  readonly alarmArnPattern: string;
  /** @default `eni-guard-<stack name>` */
  readonly configurationName?: string;
}

/** The channel configuration and its role. */
export class ChatChannel extends Construct {
  public readonly role: iam.Role;
  public readonly configuration: chatbot.CfnSlackChannelConfiguration | chatbot.CfnMicrosoftTeamsChannelConfiguration;
  /** The guardrail: the most any role in the channel may do. */
  public readonly guardrailPolicyArn: string;

  constructor(scope: Construct, id: string, props: ChatChannelProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
      description: 'eni-guard chat channel: reads the alarm and graph behind a notification, nothing else',
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({ sid: 'DescribeAlarms', actions: ['cloudwatch:DescribeAlarms'], resources: [props.alarmArnPattern] }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DrawAlarmGraphs',
        actions: ['cloudwatch:GetMetricData', 'cloudwatch:GetMetricWidgetImage'],
        // Neither supports resource-level permissions.
        resources: ['*'],
      }),
    );
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:GetMetricData and GetMetricWidgetImage (read-only: the graph of an alarm notification) support no resource-level permissions.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:<AWS::StackName>-responder-*]',
      reason: "cloudwatch:DescribeAlarms (read-only) on this stack's alarms only, by their name prefix.",
    });
    this.guardrailPolicyArn = `arn:${Aws.PARTITION}:iam::aws:policy/CloudWatchReadOnlyAccess`;
    const common = {
      configurationName: props.configurationName ?? `eni-guard-${Aws.STACK_NAME}`,
      iamRoleArn: this.role.roleArn,
      snsTopicArns: props.topics.map((t) => t.topicArn),
      guardrailPolicies: [this.guardrailPolicyArn],
      // Everyone in the channel acts with the channel role (read-only), not with a role of their own.
      userRoleRequired: false,
      loggingLevel: 'ERROR',
    };
    const { channel } = props;
    this.configuration =
      channel.platform === 'slack'
        ? new chatbot.CfnSlackChannelConfiguration(this, 'Slack', {
            ...common,
            slackWorkspaceId: channel.workspaceId,
            slackChannelId: channel.channelId,
          })
        : new chatbot.CfnMicrosoftTeamsChannelConfiguration(this, 'Teams', {
            ...common,
            teamsTenantId: channel.tenantId,
            teamId: channel.teamId,
            teamsChannelId: channel.channelId,
          });
  }
}
