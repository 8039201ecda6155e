/**
 * The docs stay true: generated reference tables match the code (npm run docs rewrites them), every
 * relative link and anchor resolves, the README stays a front door, and LICENSE and CHANGELOG match
 * package.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { docFiles, GENERATORS } from '../../scripts/docs';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const packageJson = JSON.parse(read('package.json')) as { version: string; license: string };

/** GitHub's heading anchors. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of markdown.replace(/```[\s\S]*?```/g, '').split('\n')) {
    const heading = /^#{1,6} (.*)$/.exec(line)?.[1];
    if (!heading) continue;
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

describe('the docs', () => {
  // `npm run docs` itself, in a child process (Prettier, which formats the regions, needs native ESM).
  let rendered: { file: string; stale: boolean; regions: string[] }[];
  beforeAll(() => {
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/docs.ts', '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`scripts/docs.ts failed: ${run.stderr}`);
    rendered = JSON.parse(run.stdout) as typeof rendered;
  }, 120_000);

  it('have every generated region up to date (run npm run docs after changing the code they describe)', () => {
    expect(rendered.filter((r) => r.stale).map((r) => r.file)).toEqual([]);
  });

  it('use every generator', () => {
    expect([...new Set(rendered.flatMap((r) => r.regions))].sort()).toEqual(Object.keys(GENERATORS).sort());
  });

  it('link only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of docFiles()) {
      const text = read(file).replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:)/.test(target!)) continue;
        const [path, anchor] = target!.split('#') as [string, string | undefined];
        const resolved = path === '' ? file : join(dirname(file), path);
        if (!existsSync(join(ROOT, resolved))) broken.push(`${file}: ${target} (no ${resolved})`);
        else if (anchor && resolved.endsWith('.md') && !anchors(read(resolved)).has(anchor)) broken.push(`${file}: ${target} (no heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('keep the README a front door: a few screens, the two commands, shadow mode first', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(160); // a few screens, the generated performance table included
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm test ');
    expect(readme.indexOf('-c eniGuard:dryRun=true')).toBeGreaterThan(0);
    expect(read('.ci/run')).toMatch(/^npm test$/m);
  });

  it('cite no project issue numbers and call nothing "in progress"', () => {
    for (const file of docFiles())
      expect({ file, hits: read(file).match(/\bissue \d+|\bin progress\b|\buntil it lands\b/gi) }).toEqual({ file, hits: null });
  });
});

describe('project metadata', () => {
  it('ships the Apache-2.0 LICENSE that package.json declares', () => {
    expect(packageJson.license).toBe('Apache-2.0');
    expect(read('LICENSE')).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(read('LICENSE')).toContain('END OF TERMS AND CONDITIONS');
  });

  it("has a CHANGELOG entry for package.json's version", () => {
    expect(read('CHANGELOG.md')).toMatch(new RegExp(`^## \\[${packageJson.version.replace(/\./g, '\\.')}\\]`, 'm'));
  });
});
