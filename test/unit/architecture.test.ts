/**
 * The import graph of the function code and the CDK app has no cycle, type-only imports included
 * (a cycle of types is still two modules that cannot be understood apart). The folder boundaries
 * themselves are ESLint rules (eslint.config.mjs).
 */
import { join } from 'node:path';
import madge from 'madge';

const ROOT = join(__dirname, '..', '..');

describe('the import graph', () => {
  it('has no cycle across lambda/ and lib/, type-only imports included', async () => {
    const graph = await madge([join(ROOT, 'lambda'), join(ROOT, 'lib')], {
      baseDir: ROOT,
      fileExtensions: ['ts'],
      tsConfig: join(ROOT, 'tsconfig.json'),
      detectiveOptions: { ts: { skipTypeImports: false }, tsx: { skipTypeImports: false } },
    });
    expect(graph.circular()).toEqual([]);
    // The graph really was read: the responder reaches the core through its ports.
    expect(graph.obj()['lambda/app/responder.ts']).toEqual(expect.arrayContaining(['lambda/app/ports.ts', 'lambda/core/evaluate.ts']));
  });
});
