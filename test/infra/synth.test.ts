import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStack } from '../support/synth';

// One real synthesis: esbuild bundles the handler (no Docker) and cfn-lint checks the template.
describe('cdk synth with real bundling', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'eni-guard-cdk-out-'));
  const { app } = buildStack({}, { bundle: true, outdir });
  const assembly = app.synth();
  const templateFile = join(assembly.directory, 'EniGuardStack.template.json');
  const assetDir = readdirSync(assembly.directory)
    .map((name) => join(assembly.directory, name))
    .find((path) => statSync(path).isDirectory() && readdirSync(path).includes('index.mjs'));

  it('bundles the handler as minified ESM with a source map and the policy next to it', () => {
    expect(assetDir).toBeDefined();
    const files = readdirSync(assetDir!).sort();
    expect(files).toEqual(['index.mjs', 'index.mjs.map', 'policy.json']);
    const code = readFileSync(join(assetDir!, 'index.mjs'), 'utf8');
    expect(code.startsWith("import { createRequire as __cr } from 'node:module'")).toBe(true);
    expect(code).toContain('//# sourceMappingURL=index.mjs.map');
    expect(JSON.parse(readFileSync(join(assetDir!, 'policy.json'), 'utf8'))).toMatchObject({
      version: 1,
      rules: { 'world-open-ingress': { mode: 'remediate' } },
    });
  });

  it('passes cfn-lint with no errors or warnings (except W3005/W3045, which CDK itself emits)', () => {
    const lint = spawnSync('cfn-lint', ['--ignore-checks', 'W3005', 'W3045', '--', templateFile], { encoding: 'utf8' });
    if (lint.error) throw new Error(`cfn-lint is required for this test (pip install cfn-lint): ${lint.error.message}`);
    expect({ status: lint.status, output: `${lint.stdout}${lint.stderr}` }).toEqual({ status: 0, output: '' });
  });
});
