/**
 * Shadow mode at deploy time (lambda/core/shadow-mode.ts): the `eniGuard:dryRun` switch can put a
 * deployment in shadow mode, never take it out of the shadow mode its policy file asks for. What a
 * shadow deployment then does (reports its actions, changes nothing) is the plan's: plan.test.ts.
 */
import { parsePolicy } from '../../../lambda/core/policy';
import { applyShadowSwitch, DRY_RUN_CONTEXT_KEY } from '../../../lambda/core/shadow-mode';

const live = parsePolicy({ version: 1, dryRun: false });
const shadow = parsePolicy({ version: 1, dryRun: true });

describe('applyShadowSwitch', () => {
  it('is the eniGuard:dryRun context key', () => {
    expect(DRY_RUN_CONTEXT_KEY).toBe('eniGuard:dryRun');
  });

  it.each<[string, boolean, boolean | undefined, boolean, string]>([
    ['a live file, no switch', false, undefined, false, '"dryRun": false in the policy file and no eniGuard:dryRun'],
    ['a live file, the switch off', false, false, false, '"dryRun": false in the policy file and eniGuard:dryRun=false'],
    ['a live file, the switch on', false, true, true, 'eniGuard:dryRun=true'],
    ['a shadow file, no switch', true, undefined, true, '"dryRun": true in the policy file'],
    ['a shadow file, the switch on', true, true, true, '"dryRun": true in the policy file'],
  ])('deploys %s as the table says, and says why', (_name, fileDryRun, dryRunSwitch, dryRun, because) => {
    const policy = fileDryRun ? shadow : live;
    const result = applyShadowSwitch(policy, dryRunSwitch);
    expect(result.ok && { dryRun: result.policy.dryRun, mode: result.mode }).toEqual({ dryRun, mode: { dryRun, because } });
  });

  it('turns a live policy into a shadow one without changing the policy it was given or anything else in it', () => {
    const result = applyShadowSwitch(live, true);
    expect(result).toEqual({ ok: true, policy: { ...live, dryRun: true }, mode: { dryRun: true, because: 'eniGuard:dryRun=true' } });
    expect(live.dryRun).toBe(false);
  });

  it('deploys the policy it was given as it is when the switch changes nothing', () => {
    for (const [policy, dryRunSwitch] of [
      [live, undefined],
      [live, false],
      [shadow, undefined],
      [shadow, true],
    ] as const) {
      const result = applyShadowSwitch(policy, dryRunSwitch);
      expect(result.ok && result.policy).toBe(policy);
    }
  });

  it('refuses to turn off the shadow mode a file asks for, saying to edit the file', () => {
    expect(applyShadowSwitch(shadow, false)).toEqual({
      ok: false,
      problem:
        'eniGuard:dryRun=false cannot turn off the shadow mode the policy file asks for ("dryRun": true): the switch only turns shadow mode on. To go live, set "dryRun": false in the file (and drop the switch)',
    });
  });

  it('names the policy source it is given', () => {
    const source = 'eniGuard:policyFile policies/prod.json';
    expect(applyShadowSwitch(shadow, false, source)).toEqual({
      ok: false,
      problem: `eniGuard:dryRun=false cannot turn off the shadow mode ${source} asks for ("dryRun": true): the switch only turns shadow mode on. To go live, set "dryRun": false in the file (and drop the switch)`,
    });
    expect(applyShadowSwitch(shadow, undefined, source)).toMatchObject({ mode: { because: `"dryRun": true in ${source}` } });
    expect(applyShadowSwitch(live, undefined, source)).toMatchObject({
      mode: { because: `"dryRun": false in ${source} and no eniGuard:dryRun` },
    });
  });
});
