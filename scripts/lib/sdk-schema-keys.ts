/**
 * AWS SDK clients
 * ≥ 3.9xx describe every shape in `dist-es/schemas/schemas_0.js` as array literals whose trait
 * objects use computed keys (`{ [_xN]: "Name" }`, with `const _xN = "xmlName"`). esbuild treats a
 * computed key as a possible side effect, so it keeps every shape, used or not (EC2: ≈ 560 kB
 * minified; aws/aws-sdk-js-v3#7607). Rewriting those keys to the string literals they name lets
 * tree-shaking drop the shapes no command reaches. The rewrite does not change what the code does:
 * `{ [_x]: "v" }` with `const _x = "xmlName"` is the object `{ xmlName: "v" }`.
 *
 * `npm ci` applies it to the installed clients' ESM schema files (`prepare` → scripts/inline-sdk-schemas.ts),
 * which is what the functions' esbuild bundles use.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Replaces `[_name]:` by `"value":` for each top-level `const _name = "value";` of `source`. */
export function inlineSchemaKeys(source: string): { source: string; replaced: number } {
  const constants = new Map<string, string>();
  for (const match of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) constants.set(match[1]!, match[2]!);
  let replaced = 0;
  const rewritten = source.replace(/\[(_\w+)\]:/g, (whole, name: string) => {
    const value = constants.get(name);
    if (value === undefined) return whole;
    replaced += 1;
    return `${value}:`;
  });
  return { source: rewritten, replaced };
}

/** Rewrites every installed `@aws-sdk/client-*` ESM schema file under `nodeModules` in place (idempotent). */
export function inlineInstalledSdkSchemas(nodeModules: string): { files: number; replaced: number } {
  const scope = join(nodeModules, '@aws-sdk');
  let files = 0;
  let replaced = 0;
  for (const client of readdirSync(scope).filter((name) => name.startsWith('client-'))) {
    const dir = join(scope, client, 'dist-es', 'schemas');
    let names: string[];
    try {
      names = readdirSync(dir).filter((name) => /^schemas_\d+\.js$/.test(name));
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      const result = inlineSchemaKeys(readFileSync(path, 'utf8'));
      if (result.replaced === 0) continue;
      writeFileSync(path, result.source);
      files += 1;
      replaced += result.replaced;
    }
  }
  return { files, replaced };
}
