/** Builds the eni-guard stack for template tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig, type EniGuardConfig } from '../../lib/config';
import { EniGuardStack } from '../../lib/eni-guard-stack';
import { addOrganizationStacks } from '../../lib/organization-app';

/** The feature flags and defaults of cdk.json, so tests synthesize what `cdk synth` does. */
const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> })
  .context;

/** Builds the stack from context values (as `cdk.json` would give them); bundling is skipped unless asked. */
export function buildStack(context: Record<string, unknown> = {}, options: { bundle?: boolean; outdir?: string } = {}) {
  const app = new App({
    context: { ...CDK_JSON_CONTEXT, ...context, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const config: EniGuardConfig = loadConfig(app.node.getAllContext() as Record<string, unknown>, join(__dirname, '..', '..'));
  const stack = new EniGuardStack(app, 'EniGuardStack', { config, env: { account: '123456789012', region: 'eu-west-1' } });
  return { app, stack, template: Template.fromStack(stack) };
}

/** The context of organization mode in the tests: two hub Regions, one target OU (over cdk.json's). */
export const ORGANIZATION_CONTEXT = {
  'eniGuard:scope': 'organization',
  'eniGuard:organizationId': 'o-abc1234567',
  'eniGuard:hubRegions': 'us-east-1,eu-west-1',
  'eniGuard:targetOus': 'ou-abcd-11111111',
};

/** Builds the stacks of organization mode as lib/app.ts does (bundling skipped unless asked), for the hub account 123456789012. */
export function buildOrganization(context: Record<string, unknown> = {}, options: { bundle?: boolean; outdir?: string } = {}) {
  const app = new App({
    context: { ...CDK_JSON_CONTEXT, ...ORGANIZATION_CONTEXT, ...context, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const all = app.node.getAllContext() as Record<string, unknown>;
  const config = loadConfig(all, join(__dirname, '..', '..'));
  if (!config.organization) throw new Error('buildOrganization: the context is not organization mode');
  const stacks = addOrganizationStacks(app, { ...config, organization: config.organization }, all, '123456789012');
  return { app, config, ...stacks, template: (stack: Stack) => Template.fromStack(stack) };
}
