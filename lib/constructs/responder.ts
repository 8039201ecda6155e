/**
 * The responder: an EventBridge rule for CloudTrail's EC2 calls → the Lambda → SNS alerts, with a
 * dead-letter queue for anything that could not be delivered or handled. IAM is exactly the calls
 * the function makes; mutating calls only when the policy can remediate.
 */
import * as path from 'node:path';
import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LEDGER_INTERFACE_INDEX } from '../../lambda/core/ledger';
import {
  ACTION_READ_PERMISSIONS,
  FACT_PERMISSIONS,
  READ_PERMISSIONS,
  VPC_READ_PERMISSIONS,
  type ActionKind,
} from '../../lambda/core/actions';
import { requiredFacts } from '../../lambda/core/evaluate';
import { SUPPORTED_EVENT_NAMES } from '../../lambda/core/event';
import { possibleActionKinds } from '../../lambda/core/plan/index';
import { settingsOf, type Policy } from '../../lambda/core/policy';
import { CALLER, type CallerSettings } from '../../lambda/core/rules/caller';
import type { DataKey } from './data-key';
import { GuardFunction } from './guard-function';
import { remediationGrants } from './remediation-grants';
import { Revoker as RevokerFunction } from './revoker';

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
  /**
   * Where the "enable flow logs" remediation sends flow logs (the account baseline's destination).
   * Without it, `vpc-flow-logs` can only notify.
   */
  readonly flowLogDestination?: ResponderFlowLogDestination;
  /** Roles whose sessions the responder must never revoke, besides its own (break-glass, pipelines). */
  readonly protectedRoleArns?: readonly string[];
  /** The role lists every VPC and its flow logs (flow logs for every VPC: the deploy step, new VPCs, the sweep). @default false */
  readonly listVpcs?: boolean;
}

/** A flow-log destination the responder may use. */
export interface ResponderFlowLogDestination {
  readonly type: 'cloud-watch-logs' | 's3';
  /** Log group ARN or bucket ARN. */
  readonly arn: string;
  /** The delivery role (CloudWatch Logs destinations); the responder may pass it to VPC Flow Logs only. */
  readonly deliveryRole?: iam.IRole;
}

/** The event-driven responder and everything it needs to run. */
export class Responder extends Construct {
  public readonly rule: events.Rule;
  public readonly function: nodejs.NodejsFunction;
  public readonly role: iam.Role;
  public readonly deadLetterQueue: sqs.Queue;
  /** The remediation ledger: pre-state, calls, verification, undo; also the duplicate-delivery guard. */
  public readonly ledger: dynamodb.Table;
  /** The remediations the policy can lead to (empty in dry-run): the role may make exactly their calls. */
  public readonly actionKinds: readonly ActionKind[];
  /** The revoker function, when the policy can revoke credentials. */
  public readonly revoker?: RevokerFunction;
  /** The function's environment (topic, role, ledger, flow-log destination): the sweep runs with the same. */
  public readonly environment: Readonly<Record<string, string>>;

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
    const factReads = [...new Set(facts.filter((f) => f !== 'prefixLists').flatMap((f) => FACT_PERMISSIONS[f]))];
    const vpcReads = props.listVpcs ? VPC_READ_PERMISSIONS : [];
    const describes = [...new Set([...READ_PERMISSIONS, ...vpcReads, ...factReads.filter((a) => a.startsWith('ec2:'))])].sort();
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadNetworkState', actions: describes, resources: ['*'] }));
    const iamReads = factReads.filter((a) => a.startsWith('iam:')).sort();
    if (iamReads.length > 0) {
      // The proof behind instance credentials: which instance profiles carry the session's role.
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ReadInstanceProfilesOfRoles',
          actions: iamReads,
          resources: [`arn:${partition}:iam::${account}:role/*`],
        }),
      );
    }
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
    this.ledger = new dynamodb.Table(this, 'Ledger', {
      partitionKey: { name: 'ledgerId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.dataKey.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      // The ledger is the record of what eni-guard changed and how to undo it: it outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Remediations per interface over time: the IaC-conflict guard counts them.
    this.ledger.addGlobalSecondaryIndex({
      indexName: LEDGER_INTERFACE_INDEX,
      partitionKey: { name: 'networkInterfaceId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'createdAt', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: ['fixed'],
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({ sid: 'Ledger', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [this.ledger.tableArn] }),
    );
    if (props.policy.automation.principals.length > 0) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'LedgerConflictCount',
          actions: ['dynamodb:Query'],
          resources: [`${this.ledger.tableArn}/index/${LEDGER_INTERFACE_INDEX}`],
        }),
      );
    }

    this.actionKinds = possibleActionKinds(props.policy, props.flowLogDestination !== undefined);
    const revokes = this.actionKinds.includes('revoke-role-sessions') || this.actionKinds.includes('deactivate-access-key');
    if (revokes) {
      // The only IAM writes, in a function of their own whose code writes one fixed document (lambda/app/revoker.ts).
      this.revoker = new RevokerFunction(this, 'Revoker', {
        responderRole: this.role,
        protectedPrincipals: [
          ...((settingsOf(props.policy, CALLER) as CallerSettings | undefined)?.protectedPrincipals ?? []),
          ...(props.protectedRoleArns ?? []),
        ],
        encryptionKey: props.dataKey.key,
        ...(props.logRetention ? { logRetention: props.logRetention } : {}),
        revokeRoleSessions: this.actionKinds.includes('revoke-role-sessions'),
        deactivateAccessKeys: this.actionKinds.includes('deactivate-access-key'),
      });
    }
    const grants = remediationGrants(this.actionKinds, {
      policy: props.policy,
      ...(props.flowLogDestination ? { flowLogDestination: props.flowLogDestination } : {}),
      ...(this.revoker ? { revokerFunctionArn: this.revoker.function.functionArn } : {}),
    });
    for (const statement of grants.statements) this.role.addToPolicy(statement);
    const actionReads = [...new Set(this.actionKinds.flatMap((kind) => ACTION_READ_PERMISSIONS[kind] ?? []))];
    const ec2Reads = actionReads.filter((a) => a.startsWith('ec2:') && !describes.includes(a)).sort();
    if (ec2Reads.length > 0)
      this.role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadForRemediation', actions: ec2Reads, resources: ['*'] }));
    if (this.actionKinds.includes('revoke-role-sessions')) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'VerifyRoleRevocation',
          actions: ['iam:GetRolePolicy'],
          resources: [`arn:${partition}:iam::${account}:role/*`],
        }),
      );
    }
    if (this.actionKinds.includes('deactivate-access-key')) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'VerifyKeyDeactivation',
          actions: ['iam:ListAccessKeys'],
          resources: [`arn:${partition}:iam::${account}:user/*`],
        }),
      );
    }

    this.environment = {
      ALERT_TOPIC_ARN: props.alertTopic.topicArn,
      RESPONDER_ROLE_ARN: this.role.roleArn,
      LEDGER_TABLE_NAME: this.ledger.tableName,
      ...(this.revoker ? { REVOKER_FUNCTION_NAME: this.revoker.function.functionName } : {}),
      ...(props.flowLogDestination && this.actionKinds.includes('enable-flow-logs')
        ? {
            FLOW_LOGS_DESTINATION_TYPE: props.flowLogDestination.type,
            FLOW_LOGS_DESTINATION_ARN: props.flowLogDestination.arn,
            ...(props.flowLogDestination.deliveryRole ? { FLOW_LOGS_ROLE_ARN: props.flowLogDestination.deliveryRole.roleArn } : {}),
          }
        : {}),
    };
    const guard = new GuardFunction(this, 'Handler', {
      entry: path.join(__dirname, '..', '..', 'lambda', 'functions', 'responder.ts'),
      role: this.role,
      policyDocument: props.policy,
      encryptionKey: props.dataKey.key,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      reservedConcurrentExecutions: props.reservedConcurrency ?? 10,
      description: 'eni-guard: evaluates new and changed network interfaces and responds per policy',
      environment: this.environment,
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });
    this.function = guard.function;
    guard.logGroup.grantWrite(this.role);
    props.alertTopic.grantPublish(this.role);

    this.rule = new events.Rule(this, 'Rule', {
      description: 'eni-guard: successful EC2 calls that create or change network interfaces or their security groups',
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
    // Replay reads this queue: only the rule (its dead letters) and the function (its failures) may write it, so a
    // message in it was put there by EventBridge or Lambda — and is still only a pointer the responder checks.
    this.deadLetterQueue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheRuleAndTheFunctionSend',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.queueArn],
        conditions: {
          StringNotEquals: { 'aws:PrincipalArn': this.role.roleArn },
          ArnNotEquals: { 'aws:SourceArn': this.rule.ruleArn },
        },
      }),
    );

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `The ec2:Describe* calls granted (${describes.join(', ')}) do not support resource-level permissions${grants.wildcards.includes('*') ? '; nor does logs:CreateLogDelivery (flow logs to S3)' : ''}.`,
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
    for (const resource of grants.wildcards.filter((r) => r !== '*')) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason:
          'The resources to fix (groups, rules, interfaces, addresses, volumes, snapshots) are known only at run time; each statement is scoped to this account and Region and conditioned (managed tags, tag keys, VPC, Region) as lib/constructs/remediation-grants.ts says.',
      });
    }
    if (this.actionKinds.includes('revoke-role-sessions')) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]',
        reason: 'iam:GetRolePolicy reads back a revocation on a role known only at run time (read-only).',
      });
    }
    if (this.actionKinds.includes('deactivate-access-key')) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*]',
        reason: 'iam:ListAccessKeys reads back a deactivation on a user known only at run time (read-only).',
      });
    }
    if (iamReads.length > 0 && !this.actionKinds.includes('revoke-role-sessions')) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]',
        reason: 'iam:ListInstanceProfilesForRole reads which instance profiles carry the role behind instance credentials (read-only).',
      });
    }
  }
}
