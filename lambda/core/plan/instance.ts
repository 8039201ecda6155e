/** Instance actions: isolate the instance whose credentials made the call (quarantine, forensic snapshots, tag; terminate only when the policy says so). */
import type { Action, ApiCall } from '../actions';
import { credentialInstance, proveInstanceCredentials } from '../caller';
import type { Evaluation } from '../evaluate';
import type { InstanceFacts, InterfaceFacts } from '../model';
import { modeOf, settingsOf, type Policy } from '../policy';
import { CALLER, type CallerSettings } from '../rules/caller';
import { quarantineGroupOf } from './network';
import { TAGS, type PlanInputs } from './shared';

/**
 * The instance to isolate (caller rule in remediate mode with isolateInstance, instance credentials
 * proven — see `proveInstanceCredentials`), or why not. A session merely named after an instance is
 * never grounds to isolate it.
 */
export function isolationTarget(
  evaluation: Evaluation,
  policy: Policy,
  facts: InterfaceFacts,
): { readonly instance: InstanceFacts } | { readonly reason: string } | undefined {
  const settings = settingsOf(policy, CALLER) as CallerSettings | undefined;
  if (!settings?.isolateInstance || modeOf(policy, CALLER) !== 'remediate') return undefined;
  const byInstance = evaluation.findings.some((f) => f.ruleId === CALLER && f.evidence['kind'] === 'ec2-instance');
  if (!byInstance) return undefined;
  const { caller } = facts.context;
  const instanceId = credentialInstance(caller);
  if (!instanceId) return { reason: `isolation: the session name ${caller.sessionName ?? '?'} is not an instance id` };
  const fact = facts.callerInstance;
  if (!fact) return { reason: `isolation: the instance behind ${instanceId} was not read` };
  if (fact.status !== 'ok') return { reason: `isolation: the calling instance could not be read: ${fact.reason}` };
  if (fact.value.instanceId !== instanceId) return { reason: `isolation: EC2 described ${fact.value.instanceId}, not ${instanceId}` };
  const proof = proveInstanceCredentials(caller, instanceId, fact.value.credentialOrigin);
  if (!proof.proven) return { reason: `isolation withheld: instance credentials not proven: ${proof.reason}` };
  return { instance: fact.value };
}

/**
 * Isolates the instance whose credentials made the call: every interface to the quarantine group of its
 * VPC, a snapshot of every volume (kept for forensics, never deleted by undo), a tag, and — only with
 * terminateInstance — termination.
 */
export function isolateInstance(instance: InstanceFacts, policy: Policy, inputs: PlanInputs): Action {
  const settings = settingsOf(policy, CALLER) as CallerSettings;
  const vpcId = instance.vpcId ?? inputs.facts.networkInterface.vpcId ?? '';
  const { group, calls, compensation, check } = quarantineGroupOf(vpcId, inputs);
  const interfaces = instance.networkInterfaces ?? [];
  for (const eni of interfaces) {
    calls.push({
      service: 'ec2',
      operation: 'ModifyNetworkInterfaceAttribute',
      input: { NetworkInterfaceId: eni.networkInterfaceId, Groups: [group] },
    });
  }
  instance.volumes.forEach((volume, index) =>
    calls.push({
      service: 'ec2',
      operation: 'CreateSnapshot',
      input: {
        VolumeId: volume.volumeId,
        Description: `eni-guard forensics: ${instance.instanceId} ${volume.volumeId}, ${inputs.ledgerId}`.slice(0, 255),
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: TAGS.ledger, Value: inputs.ledgerId }] }],
      },
      output: { name: `snapshot-${index}`, path: 'SnapshotId' },
    }),
  );
  const tag = { Key: TAGS.isolated, Value: `${inputs.now.toISOString()} ${inputs.ledgerId}`.slice(0, 256) };
  calls.push({ service: 'ec2', operation: 'CreateTags', input: { Resources: [instance.instanceId], Tags: [tag] } });
  if (settings.terminateInstance) {
    calls.push({ service: 'ec2', operation: 'TerminateInstances', input: { InstanceIds: [instance.instanceId] } });
  }
  return {
    kind: 'isolate-instance',
    ruleIds: [CALLER],
    summary: `isolate ${instance.instanceId}, whose credentials made this call: ${interfaces.length} interface(s) to quarantine, ${instance.volumes.length} volume snapshot(s)${settings.terminateInstance ? ', then terminate it' : ''}`,
    calls,
    compensation,
    checks: [
      ...interfaces.map((eni) => ({ kind: 'interface-groups' as const, networkInterfaceId: eni.networkInterfaceId, groupIds: [group] })),
      { kind: 'tags' as const, resourceId: instance.instanceId, tags: { [tag.Key]: tag.Value } },
      check,
    ],
    undo: [
      ...interfaces.map((eni): ApiCall => ({
        service: 'ec2',
        operation: 'ModifyNetworkInterfaceAttribute',
        input: { NetworkInterfaceId: eni.networkInterfaceId, Groups: [...eni.groupIds] },
      })),
      { service: 'ec2', operation: 'DeleteTags', input: { Resources: [instance.instanceId], Tags: [{ Key: tag.Key }] } },
    ],
    ...(settings.terminateInstance ? { irreversible: `${instance.instanceId} was terminated; its volume snapshots are kept` } : {}),
  };
}
