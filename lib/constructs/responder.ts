/**
 * The responder: an EventBridge rule for CloudTrail's EC2 calls → the Lambda → SNS alerts, with a
 * dead-letter queue for anything that could not be delivered or handled. IAM is exactly the calls
 * the function makes; mutating calls only when the policy can remediate.
 */
import * as path from 'node:path';
import { Aws, Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ACTION_PERMISSIONS, FACT_PERMISSIONS, READ_PERMISSIONS } from '../../lambda/core/actions';
import { requiredFacts } from '../../lambda/core/evaluate';
import { SUPPORTED_EVENT_NAMES } from '../../lambda/core/event';
import { modeOf } from '../../lambda/core/policy';
import { RULES } from '../../lambda/core/rules/index';
import type { Policy } from '../../lambda/core/policy';
import type { DataKey } from './data-key';
import { GuardFunction } from './guard-function';

/** Props of `Responder`. */
export interface ResponderProps {
  /** The validated policy the function enforces. */
  readonly policy: Policy;
  /** Where alerts are published. */
  readonly alertTopic: sns.ITopic;
  /** Encrypts the dead-letter queue and the log group. */
  readonly dataKey: DataKey;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** @default 10 */
  readonly reservedConcurrency?: number;
}

/** The event-driven responder and everything it needs to run. */
export class Responder extends Construct {
  public readonly rule: events.Rule;
  public readonly function: nodejs.NodejsFunction;
  public readonly role: iam.Role;
  public readonly deadLetterQueue: sqs.Queue;
  /** The IAM actions the policy lets the function take to change things (empty in dry-run). */
  public readonly remediationActions: readonly string[];

  constructor(scope: Construct, id: string, props: ResponderProps) {
    super(scope, id);
    // Pseudo-parameters, not resolved values: the same template (and nag finding ids) in every environment.
    const { REGION: region, ACCOUNT_ID: account, PARTITION: partition } = Aws;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryptionMasterKey: props.dataKey.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the EventBridge target and of the Lambda failure destination.',
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'eni-guard responder: reads interfaces and group rules, remediates per policy, publishes alerts',
    });
    // Reads: always the interface and its rules; the other facts only when an enabled rule needs them.
    const facts = [...requiredFacts(props.policy)];
    const describes = [...READ_PERMISSIONS, ...facts.filter((f) => f !== 'prefixLists').flatMap((f) => FACT_PERMISSIONS[f])].sort();
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadNetworkState', actions: describes, resources: ['*'] }));
    if (facts.includes('prefixLists')) {
      // AWS-managed prefix lists belong to the "aws" account, hence any owner.
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ResolvePrefixLists',
          actions: [...FACT_PERMISSIONS.prefixLists],
          resources: [`arn:${partition}:ec2:${region}:*:prefix-list/*`],
        }),
      );
    }
    this.remediationActions = remediationActionsFor(props.policy);
    if (this.remediationActions.length > 0) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'RemediateSecurityGroups',
          actions: [...this.remediationActions],
          resources: [
            `arn:${partition}:ec2:${region}:${account}:security-group/*`,
            `arn:${partition}:ec2:${region}:${account}:security-group-rule/*`,
          ],
        }),
      );
    }

    const guard = new GuardFunction(this, 'Handler', {
      entry: path.join(__dirname, '..', '..', 'lambda', 'handler.ts'),
      role: this.role,
      policyDocument: props.policy,
      encryptionKey: props.dataKey.key,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      reservedConcurrentExecutions: props.reservedConcurrency ?? 10,
      description: 'eni-guard: evaluates new network interfaces and responds per policy',
      environment: { ALERT_TOPIC_ARN: props.alertTopic.topicArn, RESPONDER_ROLE_ARN: this.role.roleArn },
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });
    this.function = guard.function;
    guard.logGroup.grantWrite(this.role);
    props.alertTopic.grantPublish(this.role);

    this.rule = new events.Rule(this, 'Rule', {
      description: 'eni-guard: successful EC2 calls that create network interfaces',
      eventPattern: {
        source: ['aws.ec2'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['ec2.amazonaws.com'],
          eventName: [...SUPPORTED_EVENT_NAMES],
          // Failed and dry-run calls create nothing; the function skips them too, but need not wake for them.
          errorCode: [{ exists: false }],
        },
      },
    });
    this.rule.addTarget(
      new targets.LambdaFunction(this.function, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
      }),
    );
    props.dataKey.allowServiceForSources('events.amazonaws.com', `arn:${partition}:events:${region}:${account}:rule/*`);

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The ec2:Describe* calls granted (interfaces, group rules, route tables, ACLs, flow logs, instances, images, volumes, instance types) do not support resource-level permissions.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'From CDK grants to publish to the encrypted topic and send to the encrypted DLQ; limited to the one data key.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      reason: 'From the CDK grant to send to the encrypted DLQ (Lambda failure destination); limited to the one data key.',
    });
    if (facts.includes('prefixLists')) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:*:prefix-list/*]',
        reason: 'Prefix lists referenced by security groups are known only at run time; AWS-managed ones are owned by the "aws" account.',
      });
    }
    if (this.remediationActions.length > 0) {
      for (const resource of ['security-group/*', 'security-group-rule/*']) {
        Validations.of(this.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:${resource}]`,
          reason: 'The groups to fix are known only at run time; scoped to this account and Region.',
        });
      }
    }
  }
}

/** The mutating IAM actions the policy can use; none when it is dry-run or only notifies. */
export function remediationActionsFor(policy: Policy): string[] {
  if (policy.dryRun) return [];
  const remediating = RULES.some((rule) => modeOf(policy, rule.id) === 'remediate');
  return remediating ? [...new Set(Object.values(ACTION_PERMISSIONS).flat())].sort() : [];
}
