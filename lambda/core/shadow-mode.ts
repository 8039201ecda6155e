/**
 * Shadow mode (dry run) decided at deploy time: how the `eniGuard:dryRun` context switch and the
 * policy file's `dryRun` combine. Shadow mode wins: the switch can turn it on for a deploy, never
 * off — a policy file that asks for shadow mode is only made live by editing the file.
 *
 * | policy `dryRun` | `-c eniGuard:dryRun=` | deployed as                                |
 * | --------------- | --------------------- | ------------------------------------------ |
 * | `false`         | (not given)           | live                                       |
 * | `false`         | `false`               | live                                       |
 * | `false`         | `true`                | shadow                                     |
 * | `true`          | (not given), `true`   | shadow                                     |
 * | `true`          | `false`               | error: synth fails and says to edit the file |
 */
import type { Policy } from './policy';

/** The context key of the deploy-time switch. */
export const DRY_RUN_CONTEXT_KEY = 'eniGuard:dryRun';

/** The mode a deployment runs in, and what set it. */
export interface DeployMode {
  readonly dryRun: boolean;
  /** For people: which setting made it so. */
  readonly because: string;
}

/** The policy as deployed (its `dryRun` set by the rules above) and the mode, or the conflict that stops synth. */
export type ShadowModeResult =
  { readonly ok: true; readonly policy: Policy; readonly mode: DeployMode } | { readonly ok: false; readonly problem: string };

/** Combines the policy file's `dryRun` with the deploy-time switch (`undefined`: not given). */
export function applyShadowSwitch(policy: Policy, dryRunSwitch: boolean | undefined, policySource = 'the policy file'): ShadowModeResult {
  if (dryRunSwitch === false && policy.dryRun) {
    return {
      ok: false,
      problem: `${DRY_RUN_CONTEXT_KEY}=false cannot turn off the shadow mode ${policySource} asks for ("dryRun": true): the switch only turns shadow mode on. To go live, set "dryRun": false in the file (and drop the switch)`,
    };
  }
  if (dryRunSwitch === true && !policy.dryRun) {
    return { ok: true, policy: { ...policy, dryRun: true }, mode: { dryRun: true, because: `${DRY_RUN_CONTEXT_KEY}=true` } };
  }
  const because = policy.dryRun
    ? `"dryRun": true in ${policySource}`
    : `"dryRun": false in ${policySource}${dryRunSwitch === false ? ` and ${DRY_RUN_CONTEXT_KEY}=false` : ` and no ${DRY_RUN_CONTEXT_KEY}`}`;
  return { ok: true, policy, mode: { dryRun: policy.dryRun, because } };
}
