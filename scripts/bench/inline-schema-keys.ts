/**
 * An experiment the bench measures beside the deployed bundle (it is not deployed): AWS SDK clients
 * ≥ 3.9xx describe every shape in `dist-es/schemas/schemas_0.js` as array literals whose trait
 * objects use computed keys (`{ [_xN]: "Name" }`, with `const _xN = "xmlName"`). esbuild treats a
 * computed key as a possible side effect, so it keeps every shape, used or not (EC2: ≈ 560 kB
 * minified; aws/aws-sdk-js-v3#7607). Rewriting those keys to the string literals they name lets
 * tree-shaking drop the shapes no command reaches. The rewrite does not change what the code does.
 */
import { readFileSync } from 'node:fs';
import type { Plugin } from 'esbuild';

/** The SDK files rewritten: each client's generated schemas. */
const SCHEMA_FILE = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

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

/** The esbuild plugin applying `inlineSchemaKeys` to the SDK's schema files. */
export const inlineSchemaKeysPlugin: Plugin = {
  name: 'inline-sdk-schema-keys',
  setup(build) {
    build.onLoad({ filter: SCHEMA_FILE }, (args) => ({ contents: inlineSchemaKeys(readFileSync(args.path, 'utf8')).source, loader: 'js' }));
  },
};
