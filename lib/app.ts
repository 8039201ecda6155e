#!/usr/bin/env node
/** The CDK app: the only place that reads context. Context → typed config → stack. */
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, loadConfig, type EniGuardConfig } from './config';
import { EniGuardStack } from './eni-guard-stack';
import { addOrganizationStacks } from './organization-app';

const app = new App();
const context = app.node.getAllContext() as Record<string, unknown>;
/** Configuration errors (and organization mode's refusals) end synth with the message, not a stack trace. */
function orExit<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
const config: EniGuardConfig = orExit(() => loadConfig(context, path.resolve(__dirname, '..')));
const { organization } = config;
if (organization) {
  // Organization mode: hubs (env Region fixed), the StackSets stack, and the member stacks (docs/organization.md).
  const stacks = orExit(() => addOrganizationStacks(app, { ...config, organization }, context, process.env['CDK_DEFAULT_ACCOUNT']));
  for (const hub of stacks.hubs) console.error(`eni-guard: ${hub.stackName}: ${hub.modeDescription}`);
} else {
  const stack = new EniGuardStack(app, 'EniGuardStack', {
    config,
    description: 'eni-guard: real-time guard for elastic network interfaces',
    env: { account: process.env['CDK_DEFAULT_ACCOUNT'], region: process.env['CDK_DEFAULT_REGION'] },
  });
  // Say which mode this deploy is in before anything else: the same sentence is the stack output Mode.
  console.error(`eni-guard: ${stack.modeDescription}`);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
