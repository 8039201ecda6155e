/**
 * The responder: an EventBridge rule for CloudTrail's EC2 calls → the Lambda → SNS alerts, with a
 * dead-letter queue for anything that could not be delivered or handled. IAM is exactly the calls
 * the function makes; mutating calls only when the policy can remediate.
 */
import * as path from 'node:path';
import { Aws, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
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
import { LEDGER_ACCOUNT_INDEX, LEDGER_INTERFACE_INDEX } from '../../lambda/core/ledger';
import type { ActionKind } from '../../lambda/core/actions';
import { hubRoleName, memberRoleNames } from '../../lambda/core/organization';
import { settingsOf, type Policy } from '../../lambda/core/policy';
import { CALLER, type CallerSettings } from '../../lambda/core/rules/caller';
import type { DataKey } from './data-key';
import { eniEventPattern } from './event-pattern';
import { GuardFunction, type BundleFlags } from './guard-function';
import { GuardPermissions } from './guard-permissions';
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
  /** The integrations the bundle carries (lib/constructs/integrations.ts turns them on). @default none */
  readonly bundleFlags?: BundleFlags;
  /**
   * Organization mode: the responder of a hub, which judges the accounts of the target OUs through
   * their member roles and holds no EC2 or IAM permission of its own. @default account mode
   */
  readonly organization?: ResponderOrganization;
}

/** What a hub's responder needs to know about the organization it guards. */
export interface ResponderOrganization {
  readonly organizationId: string;
  /** OU ids (or the root) whose accounts are guarded. */
  readonly targetOus: readonly string[];
  /** Accounts never guarded. */
  readonly excludedAccounts: readonly string[];
  /** Base name of the member roles (lambda/core/organization.ts `memberRoleNames`). */
  readonly memberRoleName: string;
  /** Regions whose members forward events to the hubs. */
  readonly memberRegions: readonly string[];
  /** The hub's event bus: members forward their CloudTrail events to it; the rule listens there. */
  readonly eventBus: events.IEventBus;
  /** The remediations some member account's policy can lead to (the union over the permission groups). */
  readonly actionKinds: readonly ActionKind[];
  /** Flow logs for every VPC of every member: members forward CreateVpc too, and have a log group and delivery role. @default false */
  readonly memberFlowLogs?: boolean;
}

/** The environment the functions of an organization hub read (the contract with lambda/functions). */
export function organizationEnvironment(organization: Omit<ResponderOrganization, 'eventBus' | 'actionKinds'>): Record<string, string> {
  return {
    SCOPE: 'organization',
    ORGANIZATION_ID: organization.organizationId,
    TARGET_OUS: JSON.stringify(organization.targetOus),
    EXCLUDED_ACCOUNTS: JSON.stringify(organization.excludedAccounts),
    MEMBER_ROLE_NAME: organization.memberRoleName,
    MEMBER_REGIONS: JSON.stringify(organization.memberRegions),
    ...(organization.memberFlowLogs ? { MEMBER_FLOW_LOGS: 'cloud-watch-logs' } : {}),
  };
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

    const org = props.organization;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: org
        ? 'eni-guard hub responder: assumes the member roles of the organization to judge and fix, publishes alerts'
        : 'eni-guard responder: reads interfaces and group rules, remediates per policy, publishes alerts',
      // Members trust this role by name (and the sweep runs as it): one per hub Region.
      ...(org ? { roleName: hubRoleName('responder', literalRegion(this)) } : {}),
    });
    // Account mode: the reads and fixes of the policy on this role. A hub reads and fixes nothing itself.
    const permissions = org
      ? undefined
      : new GuardPermissions(props.policy, {
          ...(props.flowLogDestination ? { flowLogDestination: props.flowLogDestination } : {}),
          ...(props.listVpcs ? { listVpcs: true } : {}),
        });
    for (const statement of permissions?.reads ?? []) this.role.addToPolicy(statement);
    if (org) {
      const inOrganization = { StringEquals: { 'aws:ResourceOrgID': org.organizationId } };
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'AssumeMemberRemediationRoles',
          actions: ['sts:AssumeRole'],
          resources: [`arn:${partition}:iam::*:role/${memberRoleNames(org.memberRoleName).remediation}`],
          conditions: inOrganization,
        }),
      );
      // Where each account sits (scope, overlays, the OU alerts name): read-only, and no resource-level permissions to narrow by.
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ReadOrganization',
          actions: [
            'organizations:DescribeAccount',
            'organizations:DescribeOrganization',
            'organizations:ListAccountsForParent',
            'organizations:ListChildren',
            'organizations:ListParents',
          ],
          resources: ['*'],
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
    if (org) {
      // A hub's records span accounts: what was done in one account, newest first (keys only; the record is one GetItem away).
      this.ledger.addGlobalSecondaryIndex({
        indexName: LEDGER_ACCOUNT_INDEX,
        partitionKey: { name: 'account', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'createdAt', type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      });
    }
    this.role.addToPolicy(
      new iam.PolicyStatement({ sid: 'Ledger', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [this.ledger.tableArn] }),
    );
    const automation = org
      ? props.policy.automation.principals.length > 0 || props.policy.overlays.some((o) => o.policy['automation'] !== undefined)
      : props.policy.automation.principals.length > 0;
    if (automation) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'LedgerConflictCount',
          actions: ['dynamodb:Query'],
          resources: [`${this.ledger.tableArn}/index/${LEDGER_INTERFACE_INDEX}`],
        }),
      );
    }

    this.actionKinds = org ? [...org.actionKinds] : permissions!.actionKinds;
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
        ...(org
          ? {
              organization: {
                roleName: hubRoleName('revoker', literalRegion(this)),
                organizationId: org.organizationId,
                memberRevokerRoleName: memberRoleNames(org.memberRoleName).revoker,
                environment: organizationEnvironment(org),
              },
            }
          : {}),
      });
    }
    if (permissions) {
      for (const statement of permissions.remediation(this.revoker?.function.functionArn)) this.role.addToPolicy(statement);
    } else if (this.revoker) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'AskTheRevoker',
          actions: ['lambda:InvokeFunction'],
          resources: [this.revoker.function.functionArn],
        }),
      );
    }

    this.environment = {
      ALERT_TOPIC_ARN: props.alertTopic.topicArn,
      RESPONDER_ROLE_ARN: this.role.roleArn,
      LEDGER_TABLE_NAME: this.ledger.tableName,
      ...(this.revoker ? { REVOKER_FUNCTION_NAME: this.revoker.function.functionName } : {}),
      ...(org ? organizationEnvironment(org) : {}),
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
      ...(props.bundleFlags ? { bundleFlags: props.bundleFlags } : {}),
    });
    this.function = guard.function;
    guard.logGroup.grantWrite(this.role);
    props.alertTopic.grantPublish(this.role);

    this.rule = new events.Rule(this, 'Rule', {
      description: 'eni-guard: successful EC2 calls that create or change network interfaces or their security groups',
      // A hub with flow logs for every member VPC also takes the CreateVpc calls the members forward.
      eventPattern: eniEventPattern({ vpcs: org?.memberFlowLogs === true }),
      // A hub listens on its own bus, where the members forward their events.
      ...(org ? { eventBus: org.eventBus } : {}),
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

    for (const acknowledgement of permissions?.acknowledgements() ?? []) Validations.of(this.role).acknowledge(acknowledgement);
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'From CDK grants to publish to the encrypted topic and send to the encrypted DLQ; limited to the one data key.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      reason: 'From the CDK grant to send to the encrypted DLQ (Lambda failure destination); limited to the one data key.',
    });
    if (org) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${memberRoleNames(org.memberRoleName).remediation}]`,
        reason:
          'The one member role of every guarded account, by name; the account is known only per event, and aws:ResourceOrgID keeps it inside the organization.',
      });
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Organizations reads (DescribeAccount, DescribeOrganization, ListAccountsForParent, ListChildren, ListParents) take the account, OU or root as a parameter, read-only; iam:ListAccountAliases (alert delivery) has no resource.',
      });
    }
  }
}

/** The stack's Region as a literal: a hub's roles are named after it, so members can trust them by name. */
function literalRegion(scope: Construct): string {
  const region = Stack.of(scope).region;
  if (Token.isUnresolved(region)) throw new Error('an organization hub needs its Region fixed (env.region): its roles are named after it');
  return region;
}
