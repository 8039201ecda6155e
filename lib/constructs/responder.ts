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
import { ACTION_READ_PERMISSIONS, FACT_PERMISSIONS, READ_PERMISSIONS, type ActionKind } from '../../lambda/core/actions';
import { requiredFacts } from '../../lambda/core/evaluate';
import { SUPPORTED_EVENT_NAMES } from '../../lambda/core/event';
import { possibleActionKinds } from '../../lambda/core/plan/index';
import { settingsOf, type Policy } from '../../lambda/core/policy';
import { CALLER, type CallerSettings } from '../../lambda/core/rules/caller';
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
  /**
   * Where the "enable flow logs" remediation sends flow logs (the account baseline's destination).
   * Without it, `vpc-flow-logs` can only notify.
   */
  readonly flowLogDestination?: ResponderFlowLogDestination;
  /** Roles whose sessions the responder must never revoke, besides its own (break-glass, pipelines). */
  readonly protectedRoleArns?: readonly string[];
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
    for (const statement of remediationStatements(this.actionKinds, props.flowLogDestination, terminatesInstances(props.policy)))
      this.role.addToPolicy(statement);
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
      // Belt and braces: the planner never revokes these, and IAM refuses it even if it tried.
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'NeverRevokeProtectedRoles',
          effect: iam.Effect.DENY,
          actions: ['iam:PutRolePolicy', 'iam:DeleteRolePolicy'],
          resources: [this.role.roleArn, ...(props.protectedRoleArns ?? []), ...protectedRolePatterns(props.policy)],
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
    if (this.actionKinds.includes('enable-flow-logs') && props.flowLogDestination?.type === 's3') {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'logs:CreateLogDelivery/DeleteLogDelivery (flow logs to S3) have no resource-level permissions.',
      });
    }
    for (const resource of remediationWildcards(this.actionKinds)) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason:
          'The resources to fix (groups, interfaces, addresses, roles, users) are known only at run time; scoped to this account and Region.',
      });
    }
  }
}

const EC2_ARN = (type: string) => `arn:${Aws.PARTITION}:ec2:${Aws.REGION}:${Aws.ACCOUNT_ID}:${type}/*`;

/** One scoped statement per action kind the policy can lead to: the calls it makes, on the resource types it touches. */
export function remediationStatements(
  kinds: readonly ActionKind[],
  flowLogDestination?: ResponderFlowLogDestination,
  terminate = false,
): iam.PolicyStatement[] {
  const statements: iam.PolicyStatement[] = [];
  const add = (sid: string, actions: string[], types: string[]) =>
    statements.push(
      new iam.PolicyStatement({ sid, actions: actions.sort(), resources: types.map((t) => (t.startsWith('arn:') ? t : EC2_ARN(t))) }),
    );
  const has = (kind: ActionKind) => kinds.includes(kind);
  if (has('revoke-ingress')) {
    add(
      'RevokeWorldOpenRules',
      ['ec2:RevokeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupIngress'],
      ['security-group', 'security-group-rule'],
    );
  }
  if (has('replace-groups') || has('quarantine') || has('isolate-instance')) {
    add('CreateReplacementGroups', ['ec2:CreateSecurityGroup'], ['security-group', 'vpc']);
    add(
      'FillReplacementGroups',
      ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupEgress', 'ec2:DeleteSecurityGroup'],
      ['security-group', 'security-group-rule'],
    );
    add('SwapInterfaceGroups', ['ec2:ModifyNetworkInterfaceAttribute'], ['network-interface', 'security-group', 'instance']);
    statements.push(
      new iam.PolicyStatement({
        sid: 'TagReplacementGroupsOnCreate',
        actions: ['ec2:CreateTags'],
        resources: [EC2_ARN('security-group')],
        conditions: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' } },
      }),
    );
  }
  if (has('restore-source-dest-check')) add('RestoreSourceDestCheck', ['ec2:ModifyNetworkInterfaceAttribute'], ['network-interface']);
  if (has('disassociate-address')) {
    add('DetachElasticIps', ['ec2:DisassociateAddress', 'ec2:AssociateAddress'], ['elastic-ip', 'network-interface', 'instance']);
  }
  if (has('enable-flow-logs') && flowLogDestination) {
    add('EnableFlowLogs', ['ec2:CreateFlowLogs', 'ec2:DeleteFlowLogs'], ['vpc', 'vpc-flow-log']);
    statements.push(
      new iam.PolicyStatement({
        sid: 'TagFlowLogsOnCreate',
        actions: ['ec2:CreateTags'],
        resources: [EC2_ARN('vpc-flow-log')],
        conditions: { StringEquals: { 'ec2:CreateAction': 'CreateFlowLogs' } },
      }),
    );
    if (flowLogDestination.type === 's3') {
      // Flow logs to S3 are delivered through CloudWatch Logs' vended-log delivery, which has no resource-level permissions.
      statements.push(
        new iam.PolicyStatement({
          sid: 'CreateS3FlowLogDelivery',
          actions: ['logs:CreateLogDelivery', 'logs:DeleteLogDelivery'],
          resources: ['*'],
        }),
      );
    }
    if (flowLogDestination.deliveryRole) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'PassFlowLogDeliveryRole',
          actions: ['iam:PassRole'],
          resources: [flowLogDestination.deliveryRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'vpc-flow-logs.amazonaws.com' } },
        }),
      );
    }
  }
  if (has('tag-for-backup') || has('isolate-instance')) add('TagInstances', ['ec2:CreateTags', 'ec2:DeleteTags'], ['instance']);
  if (has('delete-interface')) add('DeleteForbiddenInterfaces', ['ec2:DeleteNetworkInterface'], ['network-interface']);
  if (has('isolate-instance')) {
    add('QuarantineInstanceInterfaces', ['ec2:ModifyNetworkInterfaceAttribute'], ['network-interface', 'security-group', 'instance']);
    // Snapshot ARNs carry no account id.
    add('SnapshotForForensics', ['ec2:CreateSnapshot'], ['volume', `arn:${Aws.PARTITION}:ec2:${Aws.REGION}::snapshot/*`]);
    statements.push(
      new iam.PolicyStatement({
        sid: 'TagSnapshotsOnCreate',
        actions: ['ec2:CreateTags'],
        resources: [`arn:${Aws.PARTITION}:ec2:${Aws.REGION}::snapshot/*`],
        conditions: { StringEquals: { 'ec2:CreateAction': 'CreateSnapshot' } },
      }),
    );
    if (terminate) add('TerminateIsolatedInstances', ['ec2:TerminateInstances'], ['instance']);
  }
  if (has('tag-interface')) add('TagRemediatedInterfaces', ['ec2:CreateTags', 'ec2:DeleteTags'], ['network-interface']);
  if (has('revoke-role-sessions')) {
    add('RevokeRoleSessions', ['iam:PutRolePolicy', 'iam:DeleteRolePolicy'], [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/*`]);
  }
  if (has('deactivate-access-key'))
    add('DeactivateAccessKeys', ['iam:UpdateAccessKey'], [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:user/*`]);
  return statements;
}

/** The wildcard resources the statements above use, as cdk-nag renders them (each acknowledged with a reason). */
function remediationWildcards(kinds: readonly ActionKind[]): string[] {
  if (kinds.length === 0) return [];
  const ec2 = ['security-group', 'security-group-rule', 'vpc', 'network-interface', 'instance', 'elastic-ip', 'vpc-flow-log', 'volume'].map(
    (t) => `arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:${t}/*`,
  );
  return [
    ...ec2,
    'arn:<AWS::Partition>:ec2:<AWS::Region>::snapshot/*',
    'arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*',
    'arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*',
  ];
}

/** True when the policy lets the responder terminate an isolated instance (caller.isolateInstance + terminateInstance). */
function terminatesInstances(policy: Policy): boolean {
  const caller = settingsOf(policy, CALLER) as CallerSettings | undefined;
  return !policy.dryRun && caller?.mode === 'remediate' && caller.isolateInstance && caller.terminateInstance;
}

/** The policy's protected principals that name roles (ARN patterns are valid IAM resource ARNs: `*` and `?` wildcards). */
function protectedRolePatterns(policy: Policy): string[] {
  const caller = settingsOf(policy, CALLER) as CallerSettings | undefined;
  return (caller?.protectedPrincipals ?? []).filter((pattern) => /^arn:[^:]+:iam::[^:]*:role\//.test(pattern));
}
