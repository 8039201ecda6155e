/** Options several commands share, their help lines, and how the policy file is found. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EnvironmentError, loadPolicyFile } from '../functions/environment';
import { JsonSyntaxError, parseJson } from '../core/json';
import { DEFAULT_POLICY, type Policy } from '../core/policy';
import { applyShadowSwitch, DRY_RUN_CONTEXT_KEY } from '../core/shadow-mode';
import type { AwsConnection } from '../functions/wiring';
import { CliError, messageOf, stringOption, UsageError, type CliIo, type Invocation, type OptionSpecs } from './command';

/** `--policy FILE`. */
export const POLICY_OPTION: OptionSpecs = { policy: { type: 'string', short: 'p' } };
/** `--output text|json`. */
export const OUTPUT_OPTION: OptionSpecs = { output: { type: 'string', short: 'o' } };
/** Where AWS is: endpoint, Region, profile. */
export const AWS_OPTIONS: OptionSpecs = {
  'endpoint-url': { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
};
/** `--verbose`: the responder's structured log on stderr. */
export const VERBOSE_OPTION: OptionSpecs = { verbose: { type: 'boolean', short: 'v' } };

/** Help lines for the shared options. */
export const HELP = {
  policy:
    '  -p, --policy FILE        policy file (default: eniGuard:policyFile of ./cdk.json if there is one, else the built-in default policy)',
  output: '  -o, --output text|json   output format (default: text)',
  aws: [
    '      --endpoint-url URL   AWS endpoint for every service, e.g. moto (default: AWS_ENDPOINT_URL, else AWS)',
    "      --region REGION      Region to call (default: the event's own Region, then AWS_REGION / the profile's)",
    '      --profile NAME       shared-config profile (default: AWS_PROFILE / the standard credential chain)',
  ].join('\n'),
  verbose: "  -v, --verbose            print the responder's structured log (JSON lines) on stderr",
} as const;

/** The AWS connection from `--endpoint-url`, `--region`, `--profile` (the SDK reads `AWS_*` variables itself). */
export function awsConnection(invocation: Invocation): AwsConnection {
  const endpoint = stringOption(invocation, 'endpoint-url');
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new UsageError(`--endpoint-url must be an http(s) URL, not ${JSON.stringify(endpoint)}`);
  }
  const region = stringOption(invocation, 'region');
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new UsageError(`--region must be a Region name such as eu-west-1, not ${JSON.stringify(region)}`);
  }
  const profile = stringOption(invocation, 'profile');
  return { ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}), ...(profile ? { profile } : {}) };
}

/** Which policy a command uses: a file (with how it was chosen), or the built-in default. */
export interface PolicySource {
  readonly file?: string;
  /** For messages: the file as given, and why it was chosen. */
  readonly label: string;
  /** `eniGuard:dryRun` of ./cdk.json, when the policy came from there: applied as `cdk deploy` applies it. */
  readonly dryRunSwitch?: boolean;
}

const CDK_POLICY_KEY = 'eniGuard:policyFile';

/** `--policy`, else the policy `cdk deploy` would ship from this directory, else the built-in default. */
export function policySource(invocation: Invocation, io: CliIo): PolicySource {
  const given = stringOption(invocation, 'policy');
  if (given !== undefined) {
    if (given === '') throw new UsageError('--policy needs a file name');
    return { file: resolve(io.cwd, given), label: given };
  }
  const cdkJson = resolve(io.cwd, 'cdk.json');
  if (existsSync(cdkJson)) {
    let context: unknown;
    let dryRun: unknown;
    try {
      const all = (parseJson(readFileSync(cdkJson, 'utf8')) as { context?: Record<string, unknown> }).context;
      context = all?.[CDK_POLICY_KEY];
      dryRun = all?.[DRY_RUN_CONTEXT_KEY];
    } catch (error) {
      const where = error instanceof JsonSyntaxError ? `${cdkJson}:${error.line}:${error.column}` : cdkJson;
      throw new CliError(
        `${where}: cannot be read as JSON (it is where the default policy file is looked up): ${error instanceof JsonSyntaxError ? error.reason : messageOf(error)}`,
      );
    }
    if (typeof context === 'string' && context !== '') {
      const dryRunSwitch =
        dryRun === true || String(dryRun).toLowerCase() === 'true'
          ? true
          : dryRun === false || String(dryRun).toLowerCase() === 'false'
            ? false
            : undefined;
      return {
        file: resolve(dirname(cdkJson), context),
        label: `${context} (${CDK_POLICY_KEY} in cdk.json${dryRunSwitch === true ? `; shadow mode: ${DRY_RUN_CONTEXT_KEY} in cdk.json` : ''})`,
        ...(dryRunSwitch !== undefined ? { dryRunSwitch } : {}),
      };
    }
  }
  return { label: 'the built-in default policy' };
}

/** Loads the policy; an unreadable file is a `CliError`, an invalid one a `PolicyError` (the caller decides how to report it). */
export function loadPolicy(source: PolicySource): Policy {
  if (source.file === undefined) return DEFAULT_POLICY;
  try {
    const shadow = applyShadowSwitch(loadPolicyFile(source.file), source.dryRunSwitch, source.label);
    if (!shadow.ok) throw new CliError(shadow.problem);
    return shadow.policy;
  } catch (error) {
    if (error instanceof EnvironmentError) throw new CliError(error.message);
    throw error;
  }
}
