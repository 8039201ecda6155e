/**
 * What each function's bundle carries (lib/constructs/guard-function.ts BundleFlags): a one-account
 * stack's responder and sweep leave organization mode out, a policy that cannot revoke credentials
 * leaves the revoker's client out — and a bundle refuses, at init, an environment that needs what it
 * left out. The bench measures the bundle a default deploy builds.
 */
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { INTEGRATION_FLAGS } from '../../scripts/bench/bundles';
import { HANDLER_ENTRY, SWEEP_ENTRY, stackBuildOptions } from '../../scripts/lib/bundle';
import type { BundleFlags } from '../../lib/constructs/guard-function';
import { buildOrganization, buildStack } from '../support/synth';

const POLICIES = join(__dirname, '..', 'fixtures', 'policies');

describe('the build flags a stack gives its functions', () => {
  it('a default deploy: no integration, no organization mode, no revoker — the bundle the bench measures', () => {
    const { stack } = buildStack();
    const expected: BundleFlags = { securityHub: false, decisionEvents: false, organization: false, revoker: false };
    expect(stack.responder.bundleFlags).toEqual(expected);
    expect(INTEGRATION_FLAGS.off).toEqual(expected);
  });

  it('a policy that revokes credentials: the revoker client is in, for the responder and the sweep alike', () => {
    const { stack } = buildStack({ 'eniGuard:policyFile': join(POLICIES, 'everything-remediates.json') });
    expect(stack.responder.revoker).toBeDefined();
    expect(stack.responder.bundleFlags).toMatchObject({ revoker: true, organization: false });
  });

  it('a hub: organization mode is in', () => {
    const { hubs } = buildOrganization();
    expect(hubs[0]!.responder.bundleFlags).toMatchObject({ organization: true });
  });
});

describe('a bundle built without organization mode and the revoker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eni-guard-flags-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function inputsOf(entry: string, flags: BundleFlags): Promise<string[]> {
    const out = await build({ ...stackBuildOptions(entry, join(dir, 'index.mjs'), flags), metafile: true, write: false });
    // What the output holds (esbuild's `inputs` also lists what it read and then shook out).
    const output = Object.values(out.metafile.outputs).find((o) => o.entryPoint !== undefined)!;
    return Object.entries(output.inputs)
      .filter(([, i]) => i.bytesInOutput > 0)
      .map(([p]) => relative(join(__dirname, '..', '..'), p));
  }

  it.each([
    ['responder', HANDLER_ENTRY],
    ['sweep', SWEEP_ENTRY],
  ])(
    'leaves their code and clients out of the %s',
    async (_name, entry) => {
      const off = await inputsOf(entry, INTEGRATION_FLAGS.off);
      const left = (inputs: string[]) =>
        inputs.filter((p) =>
          /client-(organizations|sts|lambda)\/|lambda\/functions\/organization-wiring|lambda\/app\/organization/.test(p),
        );
      expect(left(off)).toEqual([]);
      // …which the same bundle with them on does carry (the test sees what it claims to).
      const on = await inputsOf(entry, { ...INTEGRATION_FLAGS.off, organization: true, revoker: true });
      expect(left(on).some((p) => p.includes('client-organizations'))).toBe(true);
      expect(left(on).some((p) => p.includes('client-lambda'))).toBe(true);
    },
    60_000,
  );

  it.each([
    [
      'SCOPE=organization',
      {
        SCOPE: 'organization',
        ORGANIZATION_ID: 'o-abc1234567',
        TARGET_OUS: '["r-ab12"]',
        MEMBER_ROLE_NAME: 'EniGuardMember',
        MEMBER_REGIONS: '["us-east-1"]',
      },
    ],
    ['REVOKER_FUNCTION_NAME', { REVOKER_FUNCTION_NAME: 'eni-guard-revoker' }],
  ])(
    'refuses at init an environment with %s, naming what the bundle lacks',
    async (variable, env) => {
      const entry = join(dir, 'refuses.mjs');
      await build(stackBuildOptions(HANDLER_ENTRY, entry, INTEGRATION_FLAGS.off));
      const policyFile = join(dir, 'policy.json');
      writeFileSync(policyFile, JSON.stringify({ version: 1 }));
      const run = spawnSync(process.execPath, [entry], {
        env: {
          PATH: process.env['PATH'] ?? '',
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
          ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts',
          RESPONDER_ROLE_ARN: 'arn:aws:iam::123456789012:role/EniGuardResponder',
          LEDGER_TABLE_NAME: 'ledger',
          POLICY_FILE: policyFile,
          ...env,
        },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain(`${variable} is set, but this bundle was built without that integration`);
    },
    60_000,
  );
});
