/** `NodejsFunction` with eni-guard's house defaults: ESM, tree-shaken SDK, ARM64, explicit log group. */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stage } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** esbuild settings shared by the deployed function and the benchmark/integration bundles. */
export const BUNDLING_DEFAULTS = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node24',
  format: nodejs.OutputFormat.ESM,
  // ESM builds of the SDK tree-shake far better than its CJS builds (see TOOLCHAIN.md).
  mainFields: ['module', 'main'],
  banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  // Ship the SDK version the tests ran against, not whatever the runtime carries.
  bundleAwsSDK: true,
  // …except the credential providers Lambda never reaches: the runtime always puts the role's keys
  // in the environment, which the SDK's default chain reads first; the other links are loaded by
  // dynamic import() only when that fails. Left out, they save ≈ 120 kB (12%) of the bundle and
  // ≈ 12 ms of cold load (npm run bench). Were one ever reached (AWS_PROFILE set on the function),
  // the call fails with "Could not load credentials from any providers", as with no credentials.
  externalModules: [
    '@aws-sdk/credential-provider-ini',
    '@aws-sdk/credential-provider-login',
    '@aws-sdk/credential-provider-process',
    '@aws-sdk/credential-provider-sso',
    '@aws-sdk/credential-provider-web-identity',
  ],
} as const;

/**
 * Which optional integrations a bundle carries. Off, esbuild leaves the integration's SDK client out
 * (lambda/functions/wiring.ts tests `process.env.ENI_GUARD_BUNDLE_*`, replaced by these literals at
 * build time): Security Hub's client alone is ≈ 127 kB of a default deployment's cold start otherwise.
 */
export interface BundleFlags {
  readonly securityHub: boolean;
  readonly decisionEvents: boolean;
}

/** The esbuild `define`s of the build flags. */
export function bundleFlagDefines(flags: BundleFlags): Record<string, string> {
  return {
    'process.env.ENI_GUARD_BUNDLE_SECURITY_HUB': JSON.stringify(String(flags.securityHub)),
    'process.env.ENI_GUARD_BUNDLE_DECISION_EVENTS': JSON.stringify(String(flags.decisionEvents)),
  };
}

/** Props of `GuardFunction`. */
export interface GuardFunctionProps {
  /** Path of the TypeScript entry file. */
  readonly entry: string;
  /** The execution role (created by the caller so every statement is explicit). */
  readonly role: iam.IRole;
  /** JSON written next to the bundle as `policy.json` (read at init). @default none (a function that reads no policy) */
  readonly policyDocument?: unknown;
  /** Key that encrypts the log group. */
  readonly encryptionKey: kms.IKey;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** @default 10 */
  readonly reservedConcurrentExecutions?: number;
  /** @default Duration.seconds(60) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** Extra environment variables. @default none */
  readonly environment?: Record<string, string>;
  /** Async invocation failure destination. @default none */
  readonly onFailure?: lambda.IDestination;
  /** @default a description naming eni-guard */
  readonly description?: string;
  /** The integrations the bundle carries. @default none */
  readonly bundleFlags?: BundleFlags;
}

/** One eni-guard Lambda function and its log group. */
export class GuardFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: GuardFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Staged in the cloud assembly directory, copied into the bundle by the afterBundling hook.
    let policyFile: string | undefined;
    if (props.policyDocument !== undefined) {
      const policyText = `${JSON.stringify(props.policyDocument, null, 2)}\n`;
      const outdir = Stage.of(this)?.outdir;
      if (!outdir) throw new Error('GuardFunction must be created inside a CDK App or Stage');
      mkdirSync(outdir, { recursive: true });
      policyFile = join(outdir, `eni-guard-policy.${createHash('sha256').update(policyText).digest('hex').slice(0, 16)}.json`);
      writeFileSync(policyFile, policyText);
    }

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(60),
      role: props.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions ?? 10,
      description: props.description ?? 'eni-guard',
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'eni-guard',
        ...props.environment,
      },
      ...(props.onFailure ? { onFailure: props.onFailure, retryAttempts: 2, maxEventAge: Duration.hours(6) } : {}),
      bundling: {
        ...BUNDLING_DEFAULTS,
        mainFields: [...BUNDLING_DEFAULTS.mainFields],
        externalModules: [...BUNDLING_DEFAULTS.externalModules],
        define: bundleFlagDefines(props.bundleFlags ?? { securityHub: false, decisionEvents: false }),
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) =>
            policyFile ? [`cp "${policyFile}" "${join(outputDir, 'policy.json')}"`] : [],
        },
      },
    });
  }
}
