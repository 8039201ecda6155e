/** Tagging actions: tag an instance for the stack's backup plan, and record on a remediated interface what was done. */
import type { Action, ApiCall } from '../actions';
import type { RemediationIntent } from '../model';
import { TAGS, type PlanInputs } from './shared';

/** Tags the attached instance so the stack's AWS Backup selection picks it up (the previous value is restored on undo). */
export function tagForBackup(ruleId: string, intent: Extract<RemediationIntent, { kind: 'tag-for-backup' }>): Action {
  return {
    kind: 'tag-for-backup',
    ruleIds: [ruleId],
    summary: `tag ${intent.instanceId} ${intent.key}=${intent.value} so the stack's AWS Backup plan selects it`,
    calls: [
      {
        service: 'ec2',
        operation: 'CreateTags',
        input: { Resources: [intent.instanceId], Tags: [{ Key: intent.key, Value: intent.value }] },
      },
    ],
    compensation: [],
    checks: [{ kind: 'tags', resourceId: intent.instanceId, tags: { [intent.key]: intent.value } }],
    undo: [
      intent.previous !== undefined
        ? {
            service: 'ec2',
            operation: 'CreateTags',
            input: { Resources: [intent.instanceId], Tags: [{ Key: intent.key, Value: intent.previous }] },
          }
        : {
            service: 'ec2',
            operation: 'DeleteTags',
            input: { Resources: [intent.instanceId], Tags: [{ Key: intent.key, Value: intent.value }] },
          },
    ],
  };
}

/** Records on the interface what was found, what was done and when (restored on undo). */
export function tagInterface(actions: readonly Action[], inputs: PlanInputs): Action {
  const ni = inputs.facts.networkInterface;
  const ruleIds = [...new Set(actions.flatMap((a) => a.ruleIds))];
  const tags = {
    [TAGS.remediated]: `${inputs.now.toISOString()} ${actions.map((a) => a.kind).join(',')}`.slice(0, 256),
    [TAGS.findings]: ruleIds.join(',').slice(0, 256),
    [TAGS.ledger]: inputs.ledgerId.slice(0, 256),
  };
  const previous = Object.keys(tags).filter((key) => ni.tags[key] !== undefined);
  const added = Object.keys(tags).filter((key) => ni.tags[key] === undefined);
  const undo: ApiCall[] = [];
  if (added.length > 0) {
    undo.push({
      service: 'ec2',
      operation: 'DeleteTags',
      input: { Resources: [ni.networkInterfaceId], Tags: added.map((Key) => ({ Key })) },
    });
  }
  if (previous.length > 0) {
    undo.push({
      service: 'ec2',
      operation: 'CreateTags',
      input: { Resources: [ni.networkInterfaceId], Tags: previous.map((Key) => ({ Key, Value: ni.tags[Key] })) },
    });
  }
  return {
    kind: 'tag-interface',
    ruleIds,
    summary: `tag ${ni.networkInterfaceId} with the findings, the fix and the ledger id`,
    calls: [
      {
        service: 'ec2',
        operation: 'CreateTags',
        input: { Resources: [ni.networkInterfaceId], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      },
    ],
    compensation: [],
    checks: [{ kind: 'tags', resourceId: ni.networkInterfaceId, tags }],
    undo,
  };
}
