/**
 * Builds the bundles the bench loads: the deployed handler (scripts/lib/bundle.ts, the stack's own
 * settings), the SDK-clients-only floor with the same settings, and the same handler with
 * `NodejsFunction`'s default esbuild options (SDK bundled, and SDK left to the runtime), for the
 * side-by-side comparison.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { BUNDLING_DEFAULTS } from '../../lib/constructs/guard-function';
import type { BundleFlags } from '../../lib/constructs/guard-function';
import { HANDLER_ENTRY, stackBuildOptions } from '../lib/bundle';

/** One built bundle. */
export interface BuiltBundle {
  readonly name: string;
  /** The file Node loads. */
  readonly entry: string;
  readonly bytes: number;
  /** Source map size, when the variant emits one. */
  readonly mapBytes?: number;
}

/** All variants, plus what the deployed bundle is made of. */
export interface Bundles {
  readonly deployed: BuiltBundle;
  readonly sdkOnly: BuiltBundle;
  readonly nodejsDefaults: BuiltBundle;
  /** NodejsFunction's true defaults: `@aws-sdk/*` and `@smithy/*` left to the runtime (load it with `NODE_PATH`). */
  readonly nodejsDefaultsRuntimeSdk: BuiltBundle;
  /** `policy.json` beside the deployed bundle, for POLICY_FILE. */
  readonly policyFile: string;
  /** Bytes of the minified deployed bundle by npm package (our own code as `eni-guard`), largest first. */
  readonly composition: readonly { readonly origin: string; readonly bytes: number }[];
  /** `@aws-sdk/client-*` packages the handler bundles but the SDK-only floor does not (update sdk-only-entry.ts). */
  readonly clientsMissingFromFloor: readonly string[];
  /**
   * The handler as the stack builds it with integrations on (its build flags, lib/constructs/guard-function.ts): each
   * alone, and all; and the default build with Powertools Metrics replaced by a stub (metrics are always on: what they cost to load).
   */
  readonly integrations: Readonly<Record<IntegrationVariant, BuiltBundle>>;
}

/** Bundles measured for the integrations. */
export type IntegrationVariant = 'securityHub' | 'decisionEvents' | 'all' | 'withoutMetrics';

/** The build flags of a default deployment (every integration off) and of each variant. */
export const INTEGRATION_FLAGS: Readonly<Record<'off' | 'securityHub' | 'decisionEvents' | 'all', BundleFlags>> = {
  off: { securityHub: false, decisionEvents: false },
  securityHub: { securityHub: true, decisionEvents: false },
  decisionEvents: { securityHub: false, decisionEvents: true },
  all: { securityHub: true, decisionEvents: true },
};

/** Powertools Metrics replaced by a no-op (the bench's "without metrics" bundle). */
const METRICS_STUB: Plugin = {
  name: 'metrics-stub',
  setup(b) {
    b.onResolve({ filter: /^@aws-lambda-powertools\/metrics$/ }, (args) => ({ path: args.path, namespace: 'metrics-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'metrics-stub' }, () => ({
      contents: 'export class Metrics { addDimension() {} addMetric() {} publishStoredMetrics() {} }',
      loader: 'js',
    }));
  },
};

/**
 * What `NodejsFunction` passes to esbuild when no bundling option is set (aws-cdk-lib
 * aws-lambda-nodejs `buildEsbuildArgs`): `--bundle --target=node24 --platform=node
 * --outfile=index.js`, no `--format` (esbuild then emits CommonJS for platform node), no
 * `--minify`, no `--sourcemap`, no `--main-fields` (esbuild's node default `main,module` picks the
 * SDK's CommonJS builds, which do not tree-shake). Its default `--external:@aws-sdk/*` (and
 * `@smithy/*`, with the `sdkV3ExcludeSmithyPackages` flag cdk.json sets) is dropped here
 * (`bundleAwsSDK: true`), so this bundle carries the same SDK as ours; `RUNTIME_SDK_EXTERNALS`
 * builds the other case.
 */
export const NODEJS_FUNCTION_DEFAULTS = {
  bundle: true,
  platform: 'node',
  target: BUNDLING_DEFAULTS.target,
  format: 'cjs',
} as const satisfies BuildOptions;

/** The externals of NodejsFunction's defaults on Node.js 18+ with cdk.json's feature flags: the runtime provides the SDK. */
export const RUNTIME_SDK_EXTERNALS = ['@aws-sdk/*', '@smithy/*'] as const;

/** Builds every variant under `outdir` (emptied first); `policy` is written beside the deployed bundle. */
export async function buildBundles(outdir: string, policy: unknown): Promise<Bundles> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const deployedDir = join(outdir, 'deployed');
  const deployedEntry = join(deployedDir, 'index.mjs');
  // A default deployment: every integration off (the stack's build flags).
  const meta = await build({ ...stackBuildOptions(HANDLER_ENTRY, deployedEntry, INTEGRATION_FLAGS.off), metafile: true });
  writeFileSync(join(deployedDir, 'policy.json'), JSON.stringify(policy));
  const sdkOnlyEntry = join(outdir, 'sdk-only', 'index.mjs');
  const floorMeta = await build({ ...stackBuildOptions(join(__dirname, 'sdk-only-entry.ts'), sdkOnlyEntry), metafile: true });
  const defaultsEntry = join(outdir, 'nodejs-defaults', 'index.js');
  await build({ ...NODEJS_FUNCTION_DEFAULTS, entryPoints: [HANDLER_ENTRY], outfile: defaultsEntry, logLevel: 'silent' });
  const runtimeSdkEntry = join(outdir, 'nodejs-defaults-runtime-sdk', 'index.js');
  await build({
    ...NODEJS_FUNCTION_DEFAULTS,
    entryPoints: [HANDLER_ENTRY],
    outfile: runtimeSdkEntry,
    external: [...RUNTIME_SDK_EXTERNALS],
    logLevel: 'silent',
  });

  const integrations = {} as Record<IntegrationVariant, BuiltBundle>;
  for (const name of ['securityHub', 'decisionEvents', 'all', 'withoutMetrics'] as const) {
    const entry = join(outdir, `integrations-${name}`, 'index.mjs');
    const flags = name === 'withoutMetrics' ? INTEGRATION_FLAGS.off : INTEGRATION_FLAGS[name];
    await build({ ...stackBuildOptions(HANDLER_ENTRY, entry, flags), ...(name === 'withoutMetrics' ? { plugins: [METRICS_STUB] } : {}) });
    writeFileSync(join(outdir, `integrations-${name}`, 'policy.json'), JSON.stringify(policy));
    integrations[name] = describe(`integrations-${name}`, entry);
  }

  const deployed = describe('deployed', deployedEntry);
  return {
    integrations,
    deployed,
    sdkOnly: describe('sdk-only', sdkOnlyEntry),
    nodejsDefaults: describe('nodejs-defaults', defaultsEntry),
    nodejsDefaultsRuntimeSdk: describe('nodejs-defaults-runtime-sdk', runtimeSdkEntry),
    policyFile: join(deployedDir, 'policy.json'),
    composition: composition(meta.metafile),
    clientsMissingFromFloor: clientsOf(meta.metafile).filter((c) => !clientsOf(floorMeta.metafile).includes(c)),
  };
}

function describe(name: string, entry: string): BuiltBundle {
  const map = `${entry}.map`;
  let mapBytes: number | undefined;
  try {
    mapBytes = statSync(map).size;
  } catch {
    mapBytes = undefined;
  }
  return { name, entry, bytes: statSync(entry).size, ...(mapBytes !== undefined ? { mapBytes } : {}) };
}

/** The SDK client packages in a build. */
function clientsOf(metafile: Metafile): string[] {
  return composition(metafile)
    .map((c) => c.origin)
    .filter((origin) => origin.startsWith('@aws-sdk/client-'));
}

/** Groups the output bytes of the (single) output by npm package. */
function composition(metafile: Metafile): { origin: string; bytes: number }[] {
  const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith('.mjs'))?.[1];
  const byOrigin = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const origin = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? 'eni-guard';
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + input.bytesInOutput);
  }
  return [...byOrigin].map(([origin, bytes]) => ({ origin, bytes })).sort((a, b) => b.bytes - a.bytes);
}
