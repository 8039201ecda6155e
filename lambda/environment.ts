/** Reads and checks the function's environment once, at init. A missing value fails init, clearly. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Policy } from './core/policy';
import { parsePolicy, PolicyError } from './core/policy';

/** Raised at init when the environment is incomplete or the policy file is unusable. */
export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

/** The function's settings, from its environment. */
export interface ResponderEnvironment {
  readonly topicArn: string;
  readonly responderRoleArn: string;
  readonly policyFile: string;
  readonly policy: Policy;
}

/** Reads `ALERT_TOPIC_ARN`, `RESPONDER_ROLE_ARN` and the policy file (`POLICY_FILE`, default `$LAMBDA_TASK_ROOT/policy.json`). */
export function readEnvironment(env: NodeJS.ProcessEnv): ResponderEnvironment {
  const missing = ['ALERT_TOPIC_ARN', 'RESPONDER_ROLE_ARN'].filter((name) => !env[name]);
  if (missing.length > 0) throw new EnvironmentError(`missing environment variable(s): ${missing.join(', ')}`);
  const policyFile = env['POLICY_FILE'] ?? join(env['LAMBDA_TASK_ROOT'] ?? process.cwd(), 'policy.json');
  return {
    topicArn: env['ALERT_TOPIC_ARN']!,
    responderRoleArn: env['RESPONDER_ROLE_ARN']!,
    policyFile,
    policy: loadPolicyFile(policyFile),
  };
}

/** Reads and validates a policy file; errors name the file and every problem. */
export function loadPolicyFile(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new EnvironmentError(`policy file ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PolicyError([`(file): not valid JSON: ${error instanceof Error ? error.message : String(error)}`], `policy file ${path}`);
  }
  return parsePolicy(json, `policy file ${path}`);
}
