/** source-dest-check: the interface forwards traffic not addressed to it (source/destination check off). */
import * as z from 'zod';
import type { Rule } from '../rule';
import { remediableSettings } from '../rule';

/** Stable id of this rule. */
export const SOURCE_DEST_CHECK = 'source-dest-check';

const settings = remediableSettings('notify', {
  /** NAT instances and appliances legitimately disable the check: tag them with this key and value. */
  allowTag: z
    .strictObject({ key: z.string().min(1), value: z.string() })
    .default({ key: 'eni-guard:source-dest-check', value: 'disabled' }),
});
/** Settings of `source-dest-check`. */
export type SourceDestCheckSettings = z.infer<typeof settings>;

/** Flags interfaces with source/destination checking disabled, unless tagged as allowed. */
export const sourceDestCheck: Rule<SourceDestCheckSettings> = {
  id: SOURCE_DEST_CHECK,
  description: 'Source/destination check must stay enabled, except on interfaces tagged as routers (NAT instances).',
  requires: [],
  settings,
  evaluate(facts, config) {
    const ni = facts.networkInterface;
    if (ni.sourceDestCheck === undefined) return { status: 'not-applicable', reason: 'EC2 did not report the source/destination check' };
    if (ni.sourceDestCheck) return { status: 'compliant' };
    if (ni.tags[config.allowTag.key] === config.allowTag.value) return { status: 'compliant' };
    return {
      status: 'non-compliant',
      findings: [
        {
          ruleId: SOURCE_DEST_CHECK,
          severity: 'medium',
          title: `source/destination check is disabled on ${ni.networkInterfaceId}`,
          evidence: { sourceDestCheck: false, allowTag: config.allowTag },
          remediation: { kind: 'restore-source-dest-check' },
        },
      ],
    };
  },
};
