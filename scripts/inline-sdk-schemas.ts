/**
 * Run by `npm ci` (`prepare`): rewrites the installed AWS SDK clients' schema keys so esbuild can
 * drop the shapes the functions never use (see scripts/lib/sdk-schema-keys.ts). Idempotent; a
 * second run changes nothing. Skipped installs (`--ignore-scripts`) only give a larger bundle.
 */
import { join } from 'node:path';
import { inlineInstalledSdkSchemas } from './lib/sdk-schema-keys';

const { files, replaced } = inlineInstalledSdkSchemas(join(__dirname, '..', 'node_modules'));
console.log(
  files > 0
    ? `inline-sdk-schemas: ${replaced} computed schema keys inlined in ${files} AWS SDK file(s)`
    : 'inline-sdk-schemas: already inlined',
);
