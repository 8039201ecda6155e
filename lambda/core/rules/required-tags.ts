/** required-tags: the interface lacks tags the organisation requires (or has a value not allowed). */
import * as z from 'zod';
import type { Rule } from '../rule';
import { reportingSettings } from '../rule';

/** Stable id of this rule. */
export const REQUIRED_TAGS = 'required-tags';

const settings = reportingSettings('notify', {
  tags: z.array(z.strictObject({ key: z.string().min(1), values: z.array(z.string()).min(1).optional() })).default([]),
});
/** Settings of `required-tags`. */
export type RequiredTagsSettings = z.infer<typeof settings>;

/** Flags missing or disallowed tag values on the interface. */
export const requiredTags: Rule<RequiredTagsSettings> = {
  id: REQUIRED_TAGS,
  description: 'Interfaces must carry the required tags, with allowed values.',
  requires: [],
  settings,
  evaluate(facts, config) {
    if (config.tags.length === 0) return { status: 'not-applicable', reason: 'no required tags are configured' };
    const tags = facts.networkInterface.tags;
    const missing = config.tags.filter((t) => tags[t.key] === undefined).map((t) => t.key);
    const wrong = config.tags
      .filter((t) => tags[t.key] !== undefined && t.values && !t.values.includes(tags[t.key]!))
      .map((t) => `${t.key}=${tags[t.key]}`);
    if (missing.length === 0 && wrong.length === 0) return { status: 'compliant' };
    const parts = [
      missing.length > 0 ? `missing ${missing.join(', ')}` : '',
      wrong.length > 0 ? `not allowed ${wrong.join(', ')}` : '',
    ].filter(Boolean);
    return {
      status: 'non-compliant',
      findings: [{ ruleId: REQUIRED_TAGS, severity: 'low', title: `required tags: ${parts.join('; ')}`, evidence: { missing, wrong } }],
    };
  },
};
