/** `eni-guard validate`: schema problems with path and reason, semantic warnings, how the policy file is found. */
import { EXIT } from '../../../lambda/cli/command';
import { semanticWarnings } from '../../../lambda/cli/policy-checks';
import { parsePolicy } from '../../../lambda/core/policy';
import { cli, tempDir, writeFiles } from './io';

const valid = { version: 1, dryRun: true };
const exemption = (overrides: Record<string, unknown> = {}) => ({
  id: 'legacy-bastion',
  rules: ['world-open-ingress'],
  match: { securityGroup: 'sg-0123' },
  owner: 'secops@example.com',
  reason: 'migrating to SSM',
  expires: '2099-12-31',
  ...overrides,
});

describe('eni-guard validate', () => {
  it('accepts a valid policy: exit 0, with what it enables', async () => {
    const dir = writeFiles(tempDir(), { 'p.json': valid });
    const run = await cli(['validate', '--policy', 'p.json'], { cwd: dir });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('p.json: valid');
    expect(run.stdout).toMatch(/11 rules: 2 remediate, 9 notify, 0 off; dryRun true \(shadow mode: nothing is changed\); 0 exemption\(s\)/);
  });

  it('lists every schema problem with its path and reason, and exits 1', async () => {
    const dir = writeFiles(tempDir(), {
      'p.json': { version: 2, rules: { 'world-open-ingress': { mode: 'fix' }, 'ebs-encryption': { mode: 'remediate' }, typo: {} } },
    });
    const run = await cli(['validate', '-p', 'p.json'], { cwd: dir });
    expect(run.code).toBe(EXIT.findings);
    expect(run.stdout).toContain('p.json: invalid');
    expect(run.stdout).toContain('  - version: ');
    expect(run.stdout).toContain('  - rules.world-open-ingress.mode: ');
    expect(run.stdout).toContain('  - rules.ebs-encryption.mode: must be "off" or "notify"');
    expect(run.stdout).toContain('typo');
  });

  it('reports a file that is not JSON as a problem of the policy (exit 1)', async () => {
    const dir = writeFiles(tempDir(), { 'p.json': '{\n  "version": 1,\n  "dryRun": tru\n}\n' });
    const run = await cli(['validate', '--policy', 'p.json'], { cwd: dir });
    expect(run.code).toBe(EXIT.findings);
    expect(run.stdout).toContain('  - (3:16): not valid JSON: expected "true", found "\\n"');
  });

  it('names an unreadable file and exits 3', async () => {
    const run = await cli(['validate', '--policy', 'nowhere.json']);
    expect(run.code).toBe(EXIT.error);
    expect(run.stderr).toMatch(/eni-guard validate: policy file .*nowhere\.json cannot be read: .*ENOENT/);
  });

  it('prints problems and warnings as JSON with --output json', async () => {
    const dir = writeFiles(tempDir(), { 'bad.json': { version: 1, dryRun: 'yes' } });
    const run = await cli(['validate', '--policy', 'bad.json', '--output', 'json'], { cwd: dir });
    expect(run.code).toBe(EXIT.findings);
    expect(JSON.parse(run.stdout)).toEqual({
      policy: `${dir}/bad.json`,
      valid: false,
      problems: [{ path: 'dryRun', reason: expect.stringContaining('expected boolean') }],
      warnings: [],
    });
  });

  it('warns about semantic problems but exits 0, and 1 with --strict', async () => {
    const dir = writeFiles(tempDir(), {
      'p.json': {
        version: 1,
        rules: {
          'world-open-ingress': {
            allowedPublicPorts: [
              { protocol: 'tcp', from: 443 },
              { protocol: 'tcp', from: 20, to: 23 },
            ],
          },
        },
        exemptions: [exemption({ expires: '2020-01-31' })],
      },
    });
    const run = await cli(['validate', '--policy', 'p.json'], { cwd: dir });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('warnings:');
    expect(run.stdout).toContain(
      '  - rules.world-open-ingress.allowedPublicPorts: tcp/20-23 lets the whole internet reach 20/FTP data, 21/FTP, 22/SSH, 23/Telnet',
    );
    expect(run.stdout).toContain('  - exemptions.0 (legacy-bastion).expires: expired on 2020-01-31');

    const strict = await cli(['validate', '--policy', 'p.json', '--strict', '--output', 'json'], { cwd: dir });
    expect(strict.code).toBe(EXIT.findings);
    expect(JSON.parse(strict.stdout)).toMatchObject({ valid: false, problems: [], warnings: [expect.anything(), expect.anything()] });
  });

  it('without --policy, validates the policy cdk.json deploys', async () => {
    const dir = writeFiles(tempDir(), {
      'cdk.json': { app: 'x', context: { 'eniGuard:policyFile': 'policies/prod.json' } },
      'policies/prod.json': { version: 1, dryRun: 'no' },
    });
    const run = await cli(['validate'], { cwd: dir });
    expect(run.code).toBe(EXIT.findings);
    expect(run.stdout).toContain('policies/prod.json (eniGuard:policyFile in cdk.json): invalid');
  });

  it('without --policy or cdk.json, validates the built-in default policy', async () => {
    const run = await cli(['validate']);
    expect(run).toMatchObject({ code: EXIT.ok, stdout: expect.stringContaining('the built-in default policy: valid') });
  });
});

describe('semantic warnings', () => {
  const now = new Date('2026-11-28T12:00:00Z');
  it.each([
    ['nothing for the default policy', { version: 1 }, []],
    [
      'every rule off',
      {
        version: 1,
        rules: Object.fromEntries(Object.keys(parsePolicy({ version: 1 }).rules).map((id) => [id, { mode: 'off' }])),
      },
      ['rules: every rule is off: the responder will judge nothing'],
    ],
    [
      'an exemption that expired yesterday',
      { version: 1, exemptions: [exemption({ expires: '2026-11-27' })] },
      ['exemptions.0 (legacy-bastion).expires: expired on 2026-11-27: it no longer applies; renew or remove it'],
    ],
    ['an exemption that ends today (still active)', { version: 1, exemptions: [exemption({ expires: '2026-11-28' })] }, []],
    [
      'an exemption for a rule that is off',
      { version: 1, rules: { 'public-ip': { mode: 'off' } }, exemptions: [exemption({ rules: ['public-ip'] })] },
      ['exemptions.0 (legacy-bastion).rules: every rule it exempts is off (public-ip): it has no effect'],
    ],
    [
      'an exemption an interface owner can grant themselves with a tag, within its bounds',
      { version: 1, exemptions: [exemption({ match: { tag: { key: 'role', value: 'bastion' }, vpc: 'vpc-0123' } })] },
      [
        'exemptions.0 (legacy-bastion).match.tag: anyone who can tag an interface or instance (vpc vpc-0123) can grant this exemption to themselves with role=bastion; findings of the caller rule and tags set in the creating call are never exempted',
      ],
    ],
    [
      'SSH allowed from the world',
      { version: 1, rules: { 'world-open-ingress': { allowedPublicPorts: [{ protocol: 'tcp', from: 22 }] } } },
      ['rules.world-open-ingress.allowedPublicPorts: tcp/22 lets the whole internet reach 22/SSH'],
    ],
  ])('%s', (_name, input, expected) => {
    expect(semanticWarnings(parsePolicy(input), now).map((w) => `${w.path}: ${w.reason}`)).toEqual(expected);
  });
});

describe('the policy cdk deploy would ship', () => {
  it('applies eniGuard:dryRun of ./cdk.json as cdk deploy does (shadow mode wins)', async () => {
    const dir = writeFiles(tempDir(), {
      'cdk.json': JSON.stringify({ context: { 'eniGuard:policyFile': 'p.json', 'eniGuard:dryRun': 'true' } }),
      'p.json': JSON.stringify({ version: 1, dryRun: false }),
    });
    const run = await cli(['validate', '--output', 'json'], { cwd: dir });
    expect(JSON.parse(run.stdout)).toMatchObject({ valid: true, summary: { dryRun: true } });
  });
});
