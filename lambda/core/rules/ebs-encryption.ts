/** ebs-encryption: the attached instance has unencrypted EBS volumes (encryption at rest). */
import { need } from '../model';
import type { Rule } from '../rule';
import { NOT_ATTACHED, reportingSettings } from '../rule';

/** Stable id of this rule. */
export const EBS_ENCRYPTION = 'ebs-encryption';

const settings = reportingSettings('notify', {});

/** Flags unencrypted volumes on the attached instance. Existing volumes cannot be encrypted in place. */
export const ebsEncryption: Rule<{ mode: 'off' | 'notify' }> = {
  id: EBS_ENCRYPTION,
  description: 'Every EBS volume of an attached instance must be encrypted.',
  requires: ['instance'],
  settings,
  evaluate(facts) {
    if (!facts.networkInterface.attachedInstanceId) return NOT_ATTACHED;
    const instance = need(facts.instance, 'instance');
    const unencrypted = instance.volumes.filter((v) => !v.encrypted).map((v) => v.volumeId);
    if (unencrypted.length === 0) return { status: 'compliant' };
    return {
      status: 'non-compliant',
      findings: [
        {
          ruleId: EBS_ENCRYPTION,
          severity: 'high',
          title: `${instance.instanceId} has unencrypted EBS volume(s) ${unencrypted.join(', ')}`,
          evidence: { instanceId: instance.instanceId, unencryptedVolumes: unencrypted },
        },
      ],
    };
  },
};
