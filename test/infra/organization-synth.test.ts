/**
 * lib/app.ts itself in organization mode, as `cdk synth` runs it (offline: no account, no
 * credentials): the stacks it writes, the mode it prints per hub, and a configuration mistake ending
 * synth with the message and exit code 1. Bundling is skipped (the account stack's synth test bundles).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CDK_JSON = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
const BRIEF = {
  'eniGuard:scope': 'organization',
  'eniGuard:organizationId': 'o-abc1234567',
  'eniGuard:hubRegions': 'us-east-1,eu-west-1',
  'eniGuard:targetOus': 'ou-abcd-11111111',
};

/** Runs lib/app.ts the way the CDK CLI does: context in CDK_CONTEXT_JSON, output to CDK_OUTDIR. */
function synth(context: Record<string, unknown>) {
  const outdir = mkdtempSync(join(tmpdir(), 'eni-guard-org-synth-'));
  const run = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'lib/app.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON, ...context, 'aws:cdk:bundling-stacks': [] }),
      CDK_DEFAULT_ACCOUNT: '',
      CDK_DEFAULT_REGION: '',
    },
  });
  return { status: run.status, stderr: run.stderr, outdir };
}

describe('cdk synth in organization mode', () => {
  const run = synth(BRIEF);

  it('writes the hubs, the StackSets stack and the management account member stacks, offline', () => {
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(run.outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string; environment?: string }>;
    };
    const stacks = Object.entries(manifest.artifacts)
      .filter(([, a]) => a.type === 'aws:cloudformation:stack')
      .map(([name, a]) => [name, a.environment]);
    expect(stacks).toEqual([
      ['EniGuardHub-us-east-1', 'aws://unknown-account/us-east-1'],
      ['EniGuardHub-eu-west-1', 'aws://unknown-account/eu-west-1'],
      ['EniGuardOrgStackSets', 'aws://unknown-account/us-east-1'],
      ['EniGuardMember-Roles', 'aws://unknown-account/us-east-1'],
      ['EniGuardMember-Forwarding-us-east-1', 'aws://unknown-account/us-east-1'],
      ['EniGuardMember-Forwarding-eu-west-1', 'aws://unknown-account/eu-west-1'],
    ]);
  });

  it('says each hub’s mode per group of target OUs', () => {
    expect(run.stderr).toContain(
      'eni-guard: EniGuardHub-us-east-1: organization o-abc1234567, ou-abcd-11111111: live: remediates world-open-ingress',
    );
  });

  it('ends with the configuration problem and exit code 1 when a key is missing', () => {
    const bad = synth({ ...BRIEF, 'eniGuard:targetOus': undefined });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('eniGuard:targetOus: required with eniGuard:scope=organization');
  });
});
