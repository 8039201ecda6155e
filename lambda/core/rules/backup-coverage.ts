/** backup-coverage: the attached instance is not selected by the AWS Backup plan (by its selection tag). */
import * as z from 'zod';
import { need } from '../model';
import type { Rule } from '../rule';
import { NOT_ATTACHED, remediableSettings } from '../rule';

/** Stable id of this rule. */
export const BACKUP_COVERAGE = 'backup-coverage';

const settings = remediableSettings('notify', {
  /** The tag the stack's Backup selection uses (keep in step with eniGuard:backupTagKey/Value). */
  tagKey: z.string().min(1).default('backup'),
  tagValue: z.string().default('daily'),
});
/** Settings of `backup-coverage`. */
export type BackupCoverageSettings = z.infer<typeof settings>;

/** Flags attached instances the backup plan does not select. */
export const backupCoverage: Rule<BackupCoverageSettings> = {
  id: BACKUP_COVERAGE,
  description: 'An attached instance must carry the Backup selection tag (default backup=daily).',
  requires: ['instance'],
  settings,
  evaluate(facts, config) {
    if (!facts.networkInterface.attachedInstanceId) return NOT_ATTACHED;
    const instance = need(facts.instance, 'instance');
    if (instance.tags[config.tagKey] === config.tagValue) return { status: 'compliant' };
    return {
      status: 'non-compliant',
      findings: [
        {
          ruleId: BACKUP_COVERAGE,
          severity: 'medium',
          title: `${instance.instanceId} is not selected for backup (tag ${config.tagKey}=${config.tagValue} missing)`,
          evidence: {
            instanceId: instance.instanceId,
            tagKey: config.tagKey,
            tagValue: config.tagValue,
            current: instance.tags[config.tagKey] ?? null,
          },
          remediation: {
            kind: 'tag-for-backup',
            instanceId: instance.instanceId,
            key: config.tagKey,
            value: config.tagValue,
            ...(instance.tags[config.tagKey] !== undefined ? { previous: instance.tags[config.tagKey] } : {}),
          },
        },
      ],
    };
  },
};
