/** `npm run build:cli` (also run by `prepare`, so `npm ci` and `npm pack` build it): bundles the CLI for bin/eni-guard.mjs. */
import { relative } from 'node:path';
import { bundleCli } from './lib/cli-bundle';

bundleCli().then(
  (outfile) => console.log(`eni-guard CLI bundled: ${relative(process.cwd(), outfile)}`),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
