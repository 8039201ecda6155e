#!/usr/bin/env node
/** The CDK app: the only place that reads context. Context → typed config → stack. */
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, loadConfig } from './config';
import { EniGuardStack } from './eni-guard-stack';

const app = new App();
let config;
try {
  config = loadConfig(app.node.getAllContext() as Record<string, unknown>, path.resolve(__dirname, '..'));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
const stack = new EniGuardStack(app, 'EniGuardStack', {
  config,
  description: 'eni-guard: real-time guard for elastic network interfaces',
  env: { account: process.env['CDK_DEFAULT_ACCOUNT'], region: process.env['CDK_DEFAULT_REGION'] },
});
// Say which mode this deploy is in before anything else: the same sentence is the stack output Mode.
console.error(`eni-guard: ${stack.modeDescription}`);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
