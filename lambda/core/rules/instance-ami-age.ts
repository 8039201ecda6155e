/** instance-ami-age: the attached instance runs from an AMI older than the policy allows (or one that cannot be verified). */
import * as z from 'zod';
import { need } from '../model';
import type { Rule } from '../rule';
import { NOT_ATTACHED, reportingSettings } from '../rule';

/** Stable id of this rule. */
export const INSTANCE_AMI_AGE = 'instance-ami-age';

const settings = reportingSettings('notify', { maxAgeDays: z.number().int().min(1).default(180) });
/** Settings of `instance-ami-age`. */
export type InstanceAmiAgeSettings = z.infer<typeof settings>;

const DAY_MS = 86_400_000;

/** Flags attached instances launched from stale images. */
export const instanceAmiAge: Rule<InstanceAmiAgeSettings> = {
  id: INSTANCE_AMI_AGE,
  description: 'An attached instance must run from an AMI younger than maxAgeDays (default 180).',
  requires: ['instance'],
  settings,
  evaluate(facts, config, { now }) {
    if (!facts.networkInterface.attachedInstanceId) return NOT_ATTACHED;
    const instance = need(facts.instance, 'instance');
    if (!instance.imageCreationDate) {
      return {
        status: 'non-compliant',
        findings: [
          {
            ruleId: INSTANCE_AMI_AGE,
            severity: 'low',
            title: `the age of ${instance.imageId ?? 'the AMI'} of ${instance.instanceId} cannot be verified (deregistered or not visible)`,
            evidence: { instanceId: instance.instanceId, imageId: instance.imageId },
          },
        ],
      };
    }
    const ageDays = Math.floor((now.getTime() - Date.parse(instance.imageCreationDate)) / DAY_MS);
    if (ageDays <= config.maxAgeDays) return { status: 'compliant' };
    return {
      status: 'non-compliant',
      findings: [
        {
          ruleId: INSTANCE_AMI_AGE,
          severity: 'medium',
          title: `${instance.instanceId} runs ${instance.imageId ?? '?'}, ${ageDays} days old (limit ${config.maxAgeDays})`,
          evidence: {
            instanceId: instance.instanceId,
            imageId: instance.imageId,
            imageCreationDate: instance.imageCreationDate,
            ageDays,
            maxAgeDays: config.maxAgeDays,
          },
        },
      ],
    };
  },
};
