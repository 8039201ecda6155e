/**
 * The periodic sweep: an EventBridge schedule → a second function, built from the same code and
 * policy as the responder, that evaluates every interface in the account and Region. It runs as the
 * responder's role: it makes exactly the responder's calls (DescribeNetworkInterfaces without a
 * filter, paged, is the same IAM action), and the responder recognises the events its fixes cause
 * as its own (no loops).
 */
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { GuardFunction, type BundleFlags } from './guard-function';

/** Props of `Sweep`. */
export interface SweepProps {
  /** An EventBridge schedule expression: `cron(…)` (UTC) or `rate(…)`. */
  readonly schedule: string;
  /** The responder's role (the sweep makes the same calls). */
  readonly role: iam.IRole;
  /** The responder's environment (topic, role, ledger, flow-log destination). */
  readonly environment: Readonly<Record<string, string>>;
  /** The validated policy (bundled as `policy.json`, as for the responder). */
  readonly policy: unknown;
  /** Encrypts the log group. */
  readonly encryptionKey: kms.IKey;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** @default Duration.minutes(15) — the run stops starting new pages 2 minutes before */
  readonly timeout?: Duration;
  /** The integrations the bundle carries, as the responder's. @default none */
  readonly bundleFlags?: BundleFlags;
}

/** The scheduled sweep function and its rule. */
export class Sweep extends Construct {
  public readonly rule: events.Rule;
  public readonly function: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: SweepProps) {
    super(scope, id);
    const guard = new GuardFunction(this, 'Handler', {
      entry: path.join(__dirname, '..', '..', 'lambda', 'functions', 'sweep.ts'),
      role: props.role,
      policyDocument: props.policy,
      encryptionKey: props.encryptionKey,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      // One run at a time: two sweeps would double the API load and race on the same interfaces.
      reservedConcurrentExecutions: 1,
      timeout: props.timeout ?? Duration.minutes(15),
      memorySize: 512,
      description: 'eni-guard: periodic sweep of every network interface in the account and Region',
      environment: { ...props.environment },
      ...(props.bundleFlags ? { bundleFlags: props.bundleFlags } : {}),
    });
    this.function = guard.function;
    guard.logGroup.grantWrite(props.role);
    this.rule = new events.Rule(this, 'Schedule', {
      description: 'eni-guard: periodic sweep of every network interface',
      schedule: events.Schedule.expression(props.schedule),
    });
    // A run that fails is retried once with the same event (same sweep id: the ledger makes it resume, not repeat).
    this.rule.addTarget(new targets.LambdaFunction(this.function, { retryAttempts: 1, maxEventAge: Duration.hours(2) }));
  }
}
