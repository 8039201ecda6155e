/**
 * `npm run demo` as a new user meets it: a bad policy is caught before anything is planted and named
 * by its own path; a missing moto says exactly how to get it (and never prompts without a terminal);
 * `--keep DIR` leaves the event files for reuse.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function demo(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // stdin is not a terminal here, as in CI: the demo must not ask anything.
    const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/demo.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('npm run demo', () => {
  it("checks the user's policy before starting or planting anything, and names the file", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'eni-guard-demo-policy-')), 'mine.json');
    writeFileSync(file, JSON.stringify({ version: 1, rules: { 'world-open-ingres': {} } }));
    // moto is made unavailable: the policy check must come first, so its error never shows.
    const run = await demo(['--policy', file], { MOTO_SERVER: '/nonexistent/moto_server' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`demo: the policy ${file} is invalid; nothing was started or planted:`);
    expect(run.stderr).toContain('did you mean "world-open-ingress"?');
    expect(run.stderr).not.toContain('moto');
  }, 60_000);

  it('says exactly how to get moto when it is missing, and fails without asking (CI)', async () => {
    const run = await demo([], { MOTO_SERVER: '/nonexistent/moto_server', CI: 'true' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('pipx install "moto[server]"');
    expect(run.stderr).toContain('python3 -m venv .venv-moto && .venv-moto/bin/pip install "moto[server]"');
    expect(run.stdout).not.toContain('[y/N]');
  }, 60_000);

  it('keeps the event files with --keep DIR, one per scenario, and prints undo commands that name the ledger', async () => {
    const keep = mkdtempSync(join(tmpdir(), 'eni-guard-demo-keep-'));
    const run = await demo(['--keep', keep]);
    expect(run.code).toBe(0);
    expect(readdirSync(join(keep, 'events')).sort()).toEqual([
      '1-web-server.json',
      '2-admin-host.json',
      '3-database.json',
      '4-https-service.json',
      '5-app-server.json',
      '6-efs-mount-target.json',
    ]);
    expect(run.stdout).toContain(`The events are kept in ${join(keep, 'events')}`);
    expect(run.stdout).toMatch(
      /Undo: +npx eni-guard undo \S+ --ledger-table eni-guard-demo-ledger --region us-east-1 --endpoint-url http:\/\/127\.0\.0\.1:\d+/,
    );
  }, 120_000);
});
