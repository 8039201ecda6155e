/**
 * What a first deploy relies on: the shadow-mode switch (`-c eniGuard:dryRun=true`) and how it
 * combines with the policy file, strict context keys (a typo fails synth, naming the closest key),
 * values as the CDK CLI passes them (every `-c` value is a string), the outputs the runbooks read,
 * and no retained resource with a name a redeploy would ask for again.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerTableDefinition } from '../../lambda/adapters/ledger-table';
import { ConfigError, loadConfig } from '../../lib/config';
import { STACK_VARIANTS, synthTemplate } from '../../scripts/lib/stack-variants';
import { buildStack } from '../support/synth';

const ROOT = join(__dirname, '..', '..');
const load = (context: Record<string, unknown>) => loadConfig(context, ROOT);

function problems(context: Record<string, unknown>): string {
  try {
    load(context);
    return '';
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
}

function policyFile(document: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'eni-guard-policy-')), 'policy.json');
  writeFileSync(file, JSON.stringify(document));
  return file;
}

describe('shadow mode at deploy time', () => {
  const live = policyFile({ version: 1, dryRun: false });
  const shadow = policyFile({ version: 1, dryRun: true });

  it.each<[string, string, unknown, boolean | 'error']>([
    ['live', 'not given', undefined, false],
    ['live', 'false', 'false', false],
    ['live', 'true', 'true', true],
    ['live', 'true (a cdk.json boolean)', true, true],
    ['shadow', 'not given', undefined, true],
    ['shadow', 'true', 'true', true],
    ['shadow', 'false', 'false', 'error'],
  ])('policy file %s, -c eniGuard:dryRun %s → %s', (file, _label, value, expected) => {
    const context = {
      'eniGuard:policyFile': file === 'live' ? live : shadow,
      ...(value === undefined ? {} : { 'eniGuard:dryRun': value }),
    };
    if (expected === 'error') {
      expect(problems(context)).toContain('eniGuard:dryRun=false cannot turn off the shadow mode');
      return;
    }
    const config = load(context);
    expect(config.policy.dryRun).toBe(expected);
    expect(config.mode.dryRun).toBe(expected);
  });

  it('says what set the mode', () => {
    expect(load({ 'eniGuard:dryRun': 'true' }).mode.because).toBe('eniGuard:dryRun=true');
    expect(load({ 'eniGuard:policyFile': shadow }).mode.because).toContain('"dryRun": true in eniGuard:policyFile');
  });

  it('ships the shadow policy to the function, grants nothing mutating and says so in the Mode output', () => {
    const { template } = buildStack({ 'eniGuard:dryRun': 'true' });
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs['Mode']!.Value).toMatch(/^shadow: evaluates and alerts, changes nothing \(set by eniGuard:dryRun=true\)$/);
    const actions = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap(
        (p) =>
          (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } }).Properties.PolicyDocument.Statement,
      )
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions.filter((a) => /^ec2:(Revoke|Authorize|Modify|CreateSecurityGroup|DeleteNetwork|Disassociate)/.test(a))).toEqual([]);
  });

  it('reports a live deploy and what it remediates', () => {
    const outputs = buildStack().template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs['Mode']!.Value).toMatch(
      /^live: remediates world-open-ingress, vpc-flow-logs \(set by "dryRun": false in eniGuard:policyFile policy\/default.json/,
    );
  });
});

describe('context keys are strict', () => {
  it.each([
    ['eniGuard:alertEmail', 'eniGuard:alertEmail: unknown context key: did you mean eniGuard:alertEmails?'],
    ['eniGuard:dryrun', 'did you mean eniGuard:dryRun?'],
    ['eniguard:dryRun', 'did you mean eniGuard:dryRun?'],
    ['eni-guard:sweepSchedule', 'did you mean eniGuard:sweepSchedule?'],
    ['eniGuard:frobnicate', 'eniGuard:frobnicate: unknown context key (the keys are listed in docs/configuration.md)'],
  ])('fails synth on %s, naming the closest known key', (key, message) => {
    expect(problems({ [key]: 'x' })).toContain(message);
  });

  it("leaves other namespaces alone (CDK's feature flags, aws:cdk:*, other apps)", () => {
    expect(problems({ '@aws-cdk/core:checkSecretUsage': true, 'aws:cdk:bundling-stacks': [], 'other:thing': 1 })).toBe('');
  });

  it('knows every key cdk.json sets', () => {
    const context = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
    expect(problems(context)).toBe('');
  });
});

describe('values as the CDK CLI passes them (-c key=value is always a string)', () => {
  it.each([
    ['["a@example.com", "b@example.com"]', ['a@example.com', 'b@example.com']],
    ['a@example.com, b@example.com', ['a@example.com', 'b@example.com']],
    [['a@example.com'], ['a@example.com']],
  ])('reads the list %j', (value, expected) => {
    expect(load({ 'eniGuard:alertEmails': value }).alertEmails).toEqual(expected);
  });

  it('reads a JSON list of VPC ids, and says what is wrong with a broken one', () => {
    expect(load({ 'eniGuard:flowLogVpcIds': '["vpc-12345678"]' }).flowLogs.vpcs).toEqual(['vpc-12345678']);
    expect(problems({ 'eniGuard:flowLogVpcIds': '["vpc-12345678"' })).toContain(
      'eniGuard:flowLogVpcIds: looks like a JSON list but is not valid JSON',
    );
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    [' false ', false],
    [false, false],
  ])('reads the boolean %j', (value, expected) => {
    expect(load({ 'eniGuard:trailCloudWatchLogs': value }).auditTrail.cloudWatchLogs).toBe(expected);
  });

  it('rejects a boolean it cannot read, naming the key', () => {
    expect(problems({ 'eniGuard:dryRun': 'yes' })).toContain('eniGuard:dryRun: must be true or false');
  });
});

describe('lib/app.ts as `cdk synth` runs it', () => {
  // The CDK CLI hands the app its context (cdk.json + -c, every -c value a string) in CDK_CONTEXT_JSON.
  const cdkJson = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
  const synth = (context: Record<string, unknown>) =>
    spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'lib', 'app.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'eni-guard-app-')),
        CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJson, 'aws:cdk:bundling-stacks': [], ...context }),
      },
    });

  it('fails on a mistyped key with the closest known one, before building anything', () => {
    const run = synth({ 'eniGuard:alertEmail': 'secops@example.com' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('eniGuard:alertEmail: unknown context key: did you mean eniGuard:alertEmails?');
  }, 60_000);

  it('deploys in shadow mode with -c eniGuard:dryRun=true', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'eni-guard-app-'));
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'lib', 'app.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJson, 'aws:cdk:bundling-stacks': [], 'eniGuard:dryRun': 'true' }),
      },
    });
    expect(run.stderr).not.toContain('Error');
    expect(run.status).toBe(0);
    const template = JSON.parse(readFileSync(join(outdir, 'EniGuardStack.template.json'), 'utf8')) as {
      Outputs: Record<string, { Value: string }>;
    };
    expect(template.Outputs['Mode']!.Value).toMatch(/^shadow/);
  }, 120_000);
});

describe('cdk destroy, then deploy again', () => {
  const templates = Object.entries(STACK_VARIANTS).map(([name, context]) => [name, synthTemplate(context)] as const);

  it.each(templates)('%s: no retained resource carries a fixed name a redeploy would ask for again', (_name, template) => {
    const fixed = Object.entries(template.Resources)
      .filter(([, resource]) => resource.DeletionPolicy === 'Retain' || resource.UpdateReplacePolicy === 'Retain')
      .flatMap(([id, resource]) =>
        Object.entries(resource.Properties ?? {})
          .filter(([key]) => /Name$/.test(key) && !['DisplayName', 'IndexName', 'KeyName'].includes(key))
          .filter(([, value]) => !JSON.stringify(value).includes('AWS::StackId'))
          .map(([key, value]) => `${id} (${resource.Type}) ${key}=${JSON.stringify(value)}`),
      );
    expect(fixed).toEqual([]);
  });
});

describe('a policy file that is not JSON', () => {
  it('fails synth at its line and column', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'eni-guard-policy-')), 'policy.json');
    writeFileSync(file, '{\n  "version": 1,\n  "rules": { "caller": { "mode": "notify", } }\n}\n');
    expect(problems({ 'eniGuard:policyFile': file })).toBe(
      `eniGuard:policyFile: ${file}:3:44: not valid JSON: expected a property name in double quotes, found "}"`,
    );
  });
});

describe('eni-guard create-ledger', () => {
  it('creates the table the stack deploys: same key, same index', () => {
    const definition = ledgerTableDefinition('t');
    const [table] = Object.values(buildStack().template.findResources('AWS::DynamoDB::Table')).filter((t) =>
      JSON.stringify(t).includes('"ledgerId"'),
    ) as { Properties: Record<string, unknown> }[];
    expect(table!.Properties['KeySchema']).toEqual(definition.KeySchema);
    expect(table!.Properties['AttributeDefinitions']).toEqual(expect.arrayContaining(definition.AttributeDefinitions!));
    expect(table!.Properties['GlobalSecondaryIndexes']).toEqual(definition.GlobalSecondaryIndexes);
  });
});
