/**
 * Flow logs for every VPC of the account and Region (`eniGuard:flowLogVpcIds=all`): one function,
 * running the responder's own code path for "enable flow logs" as the responder's role, invoked
 * - at deploy, by a custom resource (CDK's provider framework): every VPC without an ACTIVE flow log
 *   gets one, before the deploy finishes;
 * - within seconds of a new VPC, by an EventBridge rule on CloudTrail's CreateVpc/CreateDefaultVpc.
 * The sweep (constructs/sweep.ts) keeps them so. No synth-time lookup: the list of VPCs is read at
 * run time, every time.
 */
import * as path from 'node:path';
import { CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IDependable } from 'constructs';
import { VPC_EVENT_NAMES } from '../../lambda/core/vpc-event';
import { GuardFunction } from './guard-function';

/** Props of `VpcFlowLogCoverage`. */
export interface VpcFlowLogCoverageProps {
  /** The responder's role: the function makes the responder's own flow-log calls, under the same grants. */
  readonly role: iam.IRole;
  /** The responder's environment (topic, role, ledger, flow-log destination). */
  readonly environment: Readonly<Record<string, string>>;
  /** The validated policy (bundled as `policy.json`): the `vpc-flow-logs` rule's mode and exemptions decide. */
  readonly policy: unknown;
  /** Encrypts the log groups. */
  readonly encryptionKey: kms.IKey;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** Created before the deploy step runs: the destination and its delivery role (and the grants to use them). */
  readonly dependsOn: readonly IDependable[];
  /**
   * The custom resource's properties: when one changes (a new destination, another mode), the deploy
   * step runs again on the next deploy; when none does, a redeploy does not run it.
   */
  readonly deployProperties: Readonly<Record<string, string>>;
  /** @default 2 — bursts of new VPCs queue in EventBridge's retries */
  readonly reservedConcurrency?: number;
}

/** The function, its CreateVpc rule, and the deploy-time custom resource. */
export class VpcFlowLogCoverage extends Construct {
  public readonly function: nodejs.NodejsFunction;
  /** CreateVpc / CreateDefaultVpc (successful calls) → the function. */
  public readonly rule: events.Rule;
  /** Runs the deploy-time step; its attributes count the VPCs (`Enabled`, `Logging`, `Failed`, …). */
  public readonly deployStep: CustomResource;
  public readonly provider: cr.Provider;

  constructor(scope: Construct, id: string, props: VpcFlowLogCoverageProps) {
    super(scope, id);
    const retention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;
    const guard = new GuardFunction(this, 'Handler', {
      entry: path.join(__dirname, '..', '..', 'lambda', 'functions', 'vpc-flow-logs.ts'),
      role: props.role,
      policyDocument: props.policy,
      encryptionKey: props.encryptionKey,
      logRetention: retention,
      reservedConcurrentExecutions: props.reservedConcurrency ?? 2,
      // Under the provider framework's 15 minutes, so a slow pass ends with an answer, not the framework's timeout;
      // the pass itself stops starting VPCs a minute before this.
      timeout: Duration.minutes(14),
      description: 'eni-guard: flow logs for every VPC (deploy-time step and new VPCs)',
      environment: { ...props.environment },
    });
    this.function = guard.function;
    guard.logGroup.grantWrite(props.role);

    this.rule = new events.Rule(this, 'NewVpcs', {
      description: 'eni-guard: successful CreateVpc / CreateDefaultVpc calls: give the new VPC a flow log',
      eventPattern: {
        source: ['aws.ec2'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['ec2.amazonaws.com'], eventName: [...VPC_EVENT_NAMES], errorCode: [{ exists: false }] },
      },
    });
    this.rule.addTarget(new targets.LambdaFunction(this.function, { retryAttempts: 8, maxEventAge: Duration.hours(24) }));

    // The framework function's own role and log group, instead of the provider's default (AWSLambdaBasicExecutionRole):
    // it may write its log and call this one function, nothing else.
    const frameworkLog = new logs.LogGroup(this, 'ProviderLogGroup', {
      encryptionKey: props.encryptionKey,
      retention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const frameworkRole = new iam.Role(this, 'ProviderRole', {
      description: 'eni-guard: CloudFormation custom-resource framework for the deploy-time flow-log step',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    frameworkLog.grantWrite(frameworkRole);
    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.function,
      frameworkOnEventRole: frameworkRole,
      logGroup: frameworkLog,
    });
    this.deployStep = new CustomResource(this, 'DeployStep', {
      serviceToken: this.provider.serviceToken,
      resourceType: 'Custom::VpcFlowLogs',
      properties: { ...props.deployProperties },
    });
    for (const dependency of props.dependsOn) this.deployStep.node.addDependency(dependency);

    const handlerId = Stack.of(this).getLogicalId(this.function.node.defaultChild as lambda.CfnFunction);
    Validations.of(frameworkRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${handlerId}.Arn>:*]`,
      reason:
        "CDK's provider framework may invoke any version of the one deploy-step function (lambda:InvokeFunction on its ARN and ARN:*).",
    });
  }
}
