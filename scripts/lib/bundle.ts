/**
 * Bundles the Lambda handler with esbuild exactly as `NodejsFunction` does for the stack (same
 * BUNDLING_DEFAULTS), so tests and benchmarks run the artifact that deploys.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { BUNDLING_DEFAULTS, bundleFlagDefines, type BundleFlags } from '../../lib/constructs/guard-function';

/** The handler's entry file. */
export const HANDLER_ENTRY = join(__dirname, '..', '..', 'lambda', 'functions', 'responder.ts');
/** The revoker function's entry file. */
export const REVOKER_ENTRY = join(__dirname, '..', '..', 'lambda', 'functions', 'revoker.ts');
/** The sweep function's entry file. */
export const SWEEP_ENTRY = join(__dirname, '..', '..', 'lambda', 'functions', 'sweep.ts');
/** The entry file of flow logs for every VPC (deploy-time step, new VPCs). */
export const VPC_FLOW_LOGS_ENTRY = join(__dirname, '..', '..', 'lambda', 'functions', 'vpc-flow-logs.ts');

/** Paths of a bundled handler. */
export interface Bundle {
  readonly dir: string;
  readonly entry: string;
}

/**
 * The esbuild options `NodejsFunction` derives from BUNDLING_DEFAULTS, for `entry` bundled into `outfile`; `flags`:
 * the integration build flags the stack sets (bundleFlags in guard-function.ts). @default every integration in
 */
export function stackBuildOptions(entry: string, outfile: string, flags?: BundleFlags): BuildOptions {
  return {
    ...(flags ? { define: bundleFlagDefines(flags) } : {}),
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLING_DEFAULTS.target,
    minify: BUNDLING_DEFAULTS.minify,
    sourcemap: BUNDLING_DEFAULTS.sourceMap,
    sourcesContent: BUNDLING_DEFAULTS.sourcesContent,
    mainFields: [...BUNDLING_DEFAULTS.mainFields],
    banner: { js: BUNDLING_DEFAULTS.banner },
    external: [...BUNDLING_DEFAULTS.externalModules],
    logLevel: 'silent',
  };
}

/** Bundles `source` (the responder's entry by default) into `outdir/index.mjs` (+ map), with `policy` as `policy.json` beside it. */
export async function bundleHandler(outdir: string, policy?: unknown, source = HANDLER_ENTRY): Promise<Bundle> {
  mkdirSync(outdir, { recursive: true });
  const entry = join(outdir, 'index.mjs');
  await build(stackBuildOptions(source, entry));
  if (policy !== undefined) writeFileSync(join(outdir, 'policy.json'), JSON.stringify(policy));
  return { dir: outdir, entry };
}
