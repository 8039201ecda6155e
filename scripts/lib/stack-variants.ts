/**
 * The stack configurations the docs and tests reason about: the defaults, and every optional feature
 * on (in the two flow-log flavours). Generated reference tables (stack outputs, retained resources)
 * are the union over these, so a resource or output that only exists with a feature is listed too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { loadConfig } from '../../lib/config';
import { EniGuardStack } from '../../lib/eni-guard-stack';

const ROOT = join(__dirname, '..', '..');

/**
 * Context of each variant, on top of cdk.json's: the defaults, then each optional feature switched on
 * (or a default feature switched off) alone, so a generated table can say which key brings a resource.
 */
export const STACK_VARIANTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  defaults: {},
  'eniGuard:trail=existing': { 'eniGuard:trail': 'existing' },
  'eniGuard:trailCloudWatchLogs=true': { 'eniGuard:trailCloudWatchLogs': true },
  'eniGuard:flowLogVpcIds=vpc-…': { 'eniGuard:flowLogVpcIds': ['vpc-0123456789abcdef0'] },
  'eniGuard:flowLogVpcIds=none': { 'eniGuard:flowLogVpcIds': 'none' },
  'eniGuard:flowLogDestination=s3': { 'eniGuard:flowLogDestination': 's3' },
  'eniGuard:backup=false': { 'eniGuard:backup': false },
  'eniGuard:ebsEncryptionByDefault=false': { 'eniGuard:ebsEncryptionByDefault': false },
  'eniGuard:ebsDefaultKmsKey=create': { 'eniGuard:ebsDefaultKmsKey': 'create' },
  'eniGuard:alertChat=topic': { 'eniGuard:alertChat': 'topic' },
  'eniGuard:alertBurstWindowSeconds=0': { 'eniGuard:alertBurstWindowSeconds': 0 },
  'eniGuard:sweepSchedule=off': { 'eniGuard:sweepSchedule': 'off' },
  'eniGuard:securityHub=true': { 'eniGuard:securityHub': true },
  'eniGuard:decisionEvents=true': { 'eniGuard:decisionEvents': true },
  'eniGuard:chatChannel=slack:…': { 'eniGuard:chatChannel': 'slack:T0123ABCD/C0456EFGH' },
  'every feature on': {
    'eniGuard:trailCloudWatchLogs': true,
    'eniGuard:flowLogVpcIds': ['vpc-0123456789abcdef0'],
    'eniGuard:backupColdStorageAfterDays': 30,
    'eniGuard:backupRetentionDays': 365,
    'eniGuard:backupCopyToVaultArn': 'arn:aws:backup:eu-central-1:123456789012:backup-vault:dr',
    'eniGuard:ebsDefaultKmsKey': 'create',
    'eniGuard:alertChat': 'topic',
    'eniGuard:securityHub': true,
    'eniGuard:decisionEvents': true,
    'eniGuard:decisionEventBus': 'create',
    'eniGuard:chatChannel': 'slack:T0123ABCD/C0456EFGH',
  },
};

/** A synthesized CloudFormation template (bundling skipped). */
export interface TemplateJson {
  readonly Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }
  >;
  readonly Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

/** cdk.json's context, as `cdk synth` starts from. */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
}

/** Synthesizes the stack for `context` (over cdk.json's) without bundling, and returns its template. */
export function synthTemplate(context: Readonly<Record<string, unknown>> = {}): TemplateJson {
  // Path metadata names each resource by its construct path, for the generated tables.
  const app = new App({
    context: { ...cdkJsonContext(), ...context, 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true },
  });
  const config = loadConfig(app.node.getAllContext() as Record<string, unknown>, ROOT);
  const stack = new EniGuardStack(app, 'EniGuardStack', { config, env: { account: '123456789012', region: 'eu-west-1' } });
  return app.synth().getStackByName(stack.stackName).template as TemplateJson;
}
