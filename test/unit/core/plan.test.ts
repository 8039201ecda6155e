import * as z from 'zod';
import { describeCall, type Action } from '../../../lambda/core/actions';
import { evaluate, type Evaluation } from '../../../lambda/core/evaluate';
import type { InterfaceFacts } from '../../../lambda/core/model';
import { groupsToEdit, planResponse, possibleActionKinds, REVOKE_POLICY_NAME, type PlanInputs } from '../../../lambda/core/plan/index';
import { parsePolicy, type PolicyInput } from '../../../lambda/core/policy';
import type { Rule } from '../../../lambda/core/rule';
import { worldOpenIngress } from '../../../lambda/core/rules/world-open-ingress';
import {
  CONTEXT,
  facts,
  instance,
  INSTANCE_CREDENTIALS_CONTEXT,
  INSTANCE_PROFILE_ARN,
  NOW,
  planInputs,
  rule,
} from '../../support/fixtures';

const policy = (input: Partial<PolicyInput> = {}) => parsePolicy({ version: 1, remediation: { tagInterface: false }, ...input });
const remediate = policy();
const notify = policy({ rules: { 'world-open-ingress': { mode: 'notify' } } });
const dryRun = policy({ dryRun: true });
const sshFacts = () => facts([rule({ ruleId: 'sgr-ssh' })]);
const plan = (input: InterfaceFacts, p = remediate, usage: Record<string, number> = { 'sg-1': 1 }, extra: Partial<PlanInputs> = {}) =>
  planResponse(evaluate(input, p, NOW), p, planInputs(input, usage, extra));
const calls = (action: Action | undefined) => action?.calls.map(describeCall);

describe('planResponse: world-open ingress', () => {
  it('revokes exactly the offending rules, by rule id, when the group is used by this interface alone', () => {
    const input = facts([rule({ ruleId: 'sgr-ssh', description: 'admin' }), rule({ ruleId: 'sgr-https', fromPort: 443, toPort: 443 })]);
    const result = plan(input);
    expect(result.mode).toBe('remediate');
    expect(result.actions).toHaveLength(1);
    const [action] = result.actions;
    expect(action).toMatchObject({ kind: 'revoke-ingress', ruleIds: ['world-open-ingress'] });
    expect(calls(action)).toEqual(['RevokeSecurityGroupIngress GroupId=sg-1 SecurityGroupRuleIds=sgr-ssh']);
    expect(action?.checks).toEqual([
      {
        kind: 'rules-absent',
        groupId: 'sg-1',
        securityGroupRuleIds: ['sgr-ssh'],
        rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' }],
      },
    ]);
    // Undo re-authorizes exactly the revoked rule, description included.
    expect(action?.undo).toEqual([
      {
        service: 'ec2',
        operation: 'AuthorizeSecurityGroupIngress',
        input: {
          GroupId: 'sg-1',
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'admin' }] }],
        },
        alreadyDone: ['InvalidPermission.Duplicate'],
      },
    ]);
  });

  it('gives the interface a copy of a shared group without the offending rules, swapped in one call; the original is untouched', () => {
    const input = facts(
      [
        rule({ ruleId: 'sgr-ssh' }),
        rule({ ruleId: 'sgr-https', fromPort: 443, toPort: 443 }),
        rule({ ruleId: 'sgr-out', isEgress: true, protocol: '-1', fromPort: -1, toPort: -1 }),
        rule({ ruleId: 'sgr-db', groupId: 'sg-2', fromPort: 5432, toPort: 5432, cidrIpv4: '10.0.0.0/16' }),
      ],
      { groups: [{ groupId: 'sg-1', groupName: 'web' }, { groupId: 'sg-2' }] },
    );
    const result = plan(input, remediate, { 'sg-1': 4 });
    expect(result.actions.map((a) => a.kind)).toEqual(['replace-groups']);
    const [action] = result.actions;
    expect(calls(action)).toEqual([
      expect.stringMatching(
        /^CreateSecurityGroup GroupName=eni-guard-eni-0aaaaaaaaaaaaaaaa-sg-1-[0-9a-f]{8} Description=Copy of sg-1 \(web\)/,
      ),
      // The default egress of a new group equals the original's: nothing to change there.
      'AuthorizeSecurityGroupIngress GroupId=<copy-of-sg-1> IpPermissions={"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}',
      'ModifyNetworkInterfaceAttribute NetworkInterfaceId=eni-0aaaaaaaaaaaaaaaa Groups=<copy-of-sg-1>,sg-2',
    ]);
    expect(action?.calls.some((c) => c.input['GroupId'] === 'sg-1')).toBe(false);
    expect(action?.compensation.map(describeCall)).toEqual(['DeleteSecurityGroup GroupId=<copy-of-sg-1>']);
    expect(action?.undo.map(describeCall)).toEqual([
      'ModifyNetworkInterfaceAttribute NetworkInterfaceId=eni-0aaaaaaaaaaaaaaaa Groups=sg-1,sg-2',
      'DeleteSecurityGroup GroupId=<copy-of-sg-1>',
    ]);
  });

  it('copies a non-default egress exactly: the default rule revoked, the originals authorized', () => {
    const input = facts([rule({ ruleId: 'sgr-ssh' }), rule({ ruleId: 'sgr-out', isEgress: true, fromPort: 443, toPort: 443 })]);
    expect(calls(plan(input, remediate, { 'sg-1': 2 }).actions[0])).toEqual([
      expect.stringMatching(/^CreateSecurityGroup /),
      'RevokeSecurityGroupEgress GroupId=<copy-of-sg-1> IpPermissions={"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}',
      'AuthorizeSecurityGroupEgress GroupId=<copy-of-sg-1> IpPermissions={"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}',
      'ModifyNetworkInterfaceAttribute NetworkInterfaceId=eni-0aaaaaaaaaaaaaaaa Groups=<copy-of-sg-1>',
    ]);
  });

  it('quarantines instead when the policy says so, creating the quarantine group only if the VPC has none', () => {
    const quarantine = policy({ remediation: { sharedGroups: 'quarantine', tagInterface: false } });
    const fresh = plan(sshFacts(), quarantine, { 'sg-1': 2 });
    expect(calls(fresh.actions[0])).toEqual([
      // A name no one can plant in advance (it ends in a hash of this remediation), tagged as eni-guard's own.
      'CreateSecurityGroup GroupName=eni-guard-quarantine-b3169e80 Description=eni-guard quarantine: no ingress, no egress; created by evt-1/eni-0aaaaaaaaaaaaaaaa VpcId=vpc-1 TagSpecifications={"ResourceType":"security-group","Tags":[{"Key":"eni-guard:managed","Value":"true"},{"Key":"eni-guard:quarantine","Value":"true"},{"Key":"eni-guard:ledger","Value":"evt-1/eni-0aaaaaaaaaaaaaaaa"}]}',
      'RevokeSecurityGroupEgress GroupId=<quarantine-group> IpPermissions={"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}',
      'ModifyNetworkInterfaceAttribute NetworkInterfaceId=eni-0aaaaaaaaaaaaaaaa Groups=<quarantine-group>',
    ]);
    const existing = plan(sshFacts(), quarantine, { 'sg-1': 2 }, { quarantineGroups: new Map([['vpc-1', 'sg-q']]) });
    expect(calls(existing.actions[0])).toEqual(['ModifyNetworkInterfaceAttribute NetworkInterfaceId=eni-0aaaaaaaaaaaaaaaa Groups=sg-q']);
    expect(existing.actions[0]?.undo.map(describeCall)).toEqual([
      'ModifyNetworkInterfaceAttribute NetworkInterfaceId=eni-0aaaaaaaaaaaaaaaa Groups=sg-1',
    ]);
  });

  it('edits a shared group only when the policy says edit-shared, and withholds when it says withhold', () => {
    const edit = plan(sshFacts(), policy({ remediation: { sharedGroups: 'edit-shared' } }), { 'sg-1': 3 });
    expect(edit.actions[0]).toMatchObject({ kind: 'revoke-ingress', summary: expect.stringContaining('shared by 3 interfaces') });
    const withhold = plan(sshFacts(), policy({ remediation: { sharedGroups: 'withhold' } }), { 'sg-1': 3 });
    expect(withhold).toMatchObject({ mode: 'notify', actions: [] });
    expect(withhold.withheld[0]?.reason).toContain('sg-1 is shared by 3 interfaces');
  });

  it('withholds a fix when group usage is unknown', () => {
    expect(plan(sshFacts(), remediate, {}).withheld[0]?.reason).toContain('could not tell which interfaces use sg-1');
  });

  it('only notifies when the policy says notify', () => {
    const evaluation = evaluate(facts([rule()]), notify, NOW);
    expect(groupsToEdit(evaluation, notify)).toEqual([]);
    expect(plan(facts([rule()]), notify)).toMatchObject({
      mode: 'notify',
      actions: [],
      withheld: [{ reason: 'policy sets world-open-ingress to notify' }],
    });
  });

  it('in dry-run lists the very calls it would make, and marks the plan dry-run', () => {
    const live = plan(sshFacts());
    const shadow = plan(sshFacts(), dryRun);
    expect(shadow.mode).toBe('dry-run');
    expect(shadow.actions).toEqual(live.actions);
  });

  it('fails closed: a rule that throws stops every change for the interface', () => {
    const broken: Rule = {
      id: 'caller',
      description: 'throws',
      requires: [],
      settings: z.unknown(),
      evaluate: () => {
        throw new Error('boom');
      },
    };
    const input = facts([rule()]);
    const evaluation: Evaluation = evaluate(input, remediate, NOW, [worldOpenIngress, broken]);
    expect(evaluation.errors).toEqual([{ ruleId: 'caller', message: 'boom' }]);
    expect(groupsToEdit(evaluation, remediate)).toEqual([]);
    const result = planResponse(evaluation, remediate, planInputs(input));
    expect(result).toMatchObject({ mode: 'notify', actions: [] });
    expect(result.withheld[0]?.reason).toContain('rule caller failed');
  });
});

describe('planResponse: the other remediations', () => {
  const on = (ruleId: string, extra: Record<string, unknown> = {}) =>
    policy({ rules: { 'world-open-ingress': { mode: 'off' }, [ruleId]: { mode: 'remediate', ...extra } } });

  it('disassociates an Elastic IP (keeping the allocation) and can re-associate it on undo', () => {
    const input = facts([], { elasticIp: { allocationId: 'eipalloc-1', associationId: 'eipassoc-1' }, privateIpAddress: '10.0.1.5' });
    const [action] = plan(input, on('public-ip')).actions;
    expect(calls(action)).toEqual(['DisassociateAddress AssociationId=eipassoc-1']);
    expect(action?.undo.map(describeCall)).toEqual([
      'AssociateAddress AllocationId=eipalloc-1 NetworkInterfaceId=eni-0aaaaaaaaaaaaaaaa PrivateIpAddress=10.0.1.5',
    ]);
  });

  it('cannot remove an auto-assigned public IP, and says so in the finding instead of pretending', () => {
    const result = plan(facts([]), on('public-ip'));
    expect(result.actions).toEqual([]);
    const evaluation = evaluate(facts([]), on('public-ip'), NOW);
    expect(evaluation.findings[0]?.evidence['removable']).toContain('cannot be removed');
  });

  it('restores the source/destination check', () => {
    const [action] = plan(facts([], { sourceDestCheck: false }), on('source-dest-check')).actions;
    expect(calls(action)).toEqual([
      'ModifyNetworkInterfaceAttribute NetworkInterfaceId=eni-0aaaaaaaaaaaaaaaa SourceDestCheck={"Value":true}',
    ]);
  });

  it('enables flow logs to the stack destination, or withholds when the stack has none', () => {
    const input = facts([], {}, { flowLogs: { status: 'ok', value: { active: [] } } });
    const destination = {
      type: 'cloud-watch-logs' as const,
      arn: 'arn:aws:logs:eu-west-1:123456789012:log-group:flow',
      deliveryRoleArn: 'arn:aws:iam::123456789012:role/fl',
    };
    const [action] = plan(input, on('vpc-flow-logs'), {}, { flowLogDestination: destination }).actions;
    expect(action?.calls[0]).toMatchObject({
      operation: 'CreateFlowLogs',
      input: {
        ResourceIds: ['vpc-1'],
        ResourceType: 'VPC',
        TrafficType: 'ALL',
        LogDestination: destination.arn,
        DeliverLogsPermissionArn: destination.deliveryRoleArn,
      },
      alreadyDone: ['FlowLogAlreadyExists'],
    });
    expect(action?.undo.map(describeCall)).toEqual(['DeleteFlowLogs FlowLogIds=<flow-log>']);
    expect(plan(input, on('vpc-flow-logs')).withheld[0]?.reason).toContain('no flow-log destination');
  });

  it('tags an unprotected instance for the Backup plan, and restores a previous value on undo', () => {
    const input = facts(
      [],
      { attachedInstanceId: 'i-1' },
      { instance: { status: 'ok', value: instance({ instanceId: 'i-1', tags: { backup: 'none' } }) } },
    );
    const [action] = plan(input, on('backup-coverage')).actions;
    expect(calls(action)).toEqual(['CreateTags Resources=i-1 Tags={"Key":"backup","Value":"daily"}']);
    expect(action?.undo.map(describeCall)).toEqual(['CreateTags Resources=i-1 Tags={"Key":"backup","Value":"none"}']);
  });

  const roleCaller = (roleArn: string) => ({
    ...CONTEXT,
    caller: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::123456789012:assumed-role/${roleArn.split('/').pop()}/i-0123456789abcdef0`,
      sessionIssuerArn: roleArn,
      sessionName: 'i-0123456789abcdef0',
      viaConsole: false,
      mfaAuthenticated: false,
    },
  });

  it('revokes the sessions of a role whose instance credentials created an interface', () => {
    const input = facts([], {}, { context: roleCaller('arn:aws:iam::123456789012:role/app') });
    const [action] = plan(input, on('caller')).actions;
    expect(action).toMatchObject({ kind: 'revoke-role-sessions' });
    // The responder asks the revoker, which writes the one fixed document (lambda/core/revocation.ts); it cannot write IAM itself.
    expect(action?.calls[0]).toEqual({
      service: 'revoker',
      operation: 'RevokeRoleSessions',
      input: { RoleName: 'app', IssuedBefore: NOW.toISOString() },
    });
    expect(action?.undo.map(describeCall)).toEqual([`DeleteRolePolicy RoleName=app PolicyName=${REVOKE_POLICY_NAME}`]);
  });

  it('never revokes the responder itself or a protected principal', () => {
    const responder = 'arn:aws:iam::123456789012:role/EniGuardResponder';
    expect(
      plan(facts([], {}, { context: roleCaller(responder) }), on('caller'), {}, { responderRoleArn: responder }).withheld[0]?.reason,
    ).toContain('the responder itself');
    const breakGlass = on('caller', { protectedPrincipals: ['arn:aws:iam::*:role/BreakGlass*'] });
    expect(
      plan(facts([], {}, { context: roleCaller('arn:aws:iam::123456789012:role/BreakGlassAdmin') }), breakGlass).withheld[0]?.reason,
    ).toContain('protected principal');
  });

  it("deactivates an IAM user's long-term access key, which undo reactivates", () => {
    const context = { ...CONTEXT, caller: { ...CONTEXT.caller, accessKeyId: 'AKIAEXAMPLE' } };
    const p = on('caller', { allowedPrincipals: ['arn:aws:iam::*:role/Deploy'] });
    const [action] = plan(facts([], {}, { context }), p).actions;
    expect(calls(action)).toEqual(['DeactivateAccessKey UserName=alice AccessKeyId=AKIAEXAMPLE']);
    expect(action?.undo.map(describeCall)).toEqual(['UpdateAccessKey UserName=alice AccessKeyId=AKIAEXAMPLE Status=Active']);
  });

  it('deletes an unattached interface outside the allowed network (opt-in), and nothing else happens to it', () => {
    const p = policy({ rules: { 'network-placement': { mode: 'remediate', allowedSubnets: ['subnet-9'] } } });
    const input = facts([rule({ ruleId: 'sgr-ssh' })], { status: 'available' });
    const result = plan(input, p);
    expect(result.actions.map((a) => a.kind)).toEqual(['delete-interface']);
    expect(calls(result.actions[0])).toEqual(['DeleteNetworkInterface NetworkInterfaceId=eni-0aaaaaaaaaaaaaaaa']);
    expect(result.actions[0]?.irreversible).toContain('cannot be restored');
    expect(result.withheld).toEqual([{ ruleId: 'world-open-ingress', reason: 'revoke-ingress superseded: the interface is deleted' }]);
    // An attached interface is only reported.
    expect(plan(facts([], { status: 'in-use', attachedInstanceId: 'i-1' }), p).actions).toEqual([]);
  });

  it('isolates the instance behind instance credentials when opted in: interfaces quarantined, volumes snapshotted, tagged', () => {
    const context = INSTANCE_CREDENTIALS_CONTEXT;
    const profile = INSTANCE_PROFILE_ARN;
    const callerInstance = instance({
      instanceId: 'i-0123456789abcdef0',
      vpcId: 'vpc-1',
      networkInterfaces: [{ networkInterfaceId: 'eni-primary', groupIds: ['sg-app'] }],
      volumes: [{ volumeId: 'vol-1', encrypted: true }],
      // The proof: EC2 says the instance is associated with a profile that carries the session's role.
      credentialOrigin: { associatedProfiles: [profile], roleProfiles: [profile] },
    });
    const p = policy({ rules: { 'world-open-ingress': { mode: 'off' }, caller: { mode: 'remediate', isolateInstance: true } } });
    const input = facts([], {}, { context, callerInstance: { status: 'ok', value: callerInstance } });
    const result = plan(input, p, {}, { quarantineGroups: new Map([['vpc-1', 'sg-q']]) });
    expect(result.actions.map((a) => a.kind)).toEqual(['revoke-role-sessions', 'isolate-instance']);
    const isolate = result.actions[1]!;
    expect(calls(isolate)).toEqual([
      'ModifyNetworkInterfaceAttribute NetworkInterfaceId=eni-primary Groups=sg-q',
      expect.stringMatching(/^CreateSnapshot VolumeId=vol-1 Description=eni-guard forensics: i-0123456789abcdef0 vol-1/),
      expect.stringMatching(/^CreateTags Resources=i-0123456789abcdef0 Tags=\{"Key":"eni-guard:isolated"/),
    ]);
    expect(isolate.undo.map(describeCall)).toEqual([
      'ModifyNetworkInterfaceAttribute NetworkInterfaceId=eni-primary Groups=sg-app',
      'DeleteTags Resources=i-0123456789abcdef0 Tags={"Key":"eni-guard:isolated"}',
    ]);
    expect(isolate.irreversible).toBeUndefined();
    const terminate = policy({
      rules: { 'world-open-ingress': { mode: 'off' }, caller: { mode: 'remediate', isolateInstance: true, terminateInstance: true } },
    });
    const terminating = plan(input, terminate, {}, { quarantineGroups: new Map([['vpc-1', 'sg-q']]) }).actions[1]!;
    expect(calls(terminating)?.at(-1)).toBe('TerminateInstances InstanceIds=i-0123456789abcdef0');
    expect(terminating.irreversible).toContain('terminated');
  });

  it('tags the interface with what was found, what was done and the ledger id, when it changed something', () => {
    const result = plan(sshFacts(), parsePolicy({ version: 1 }));
    expect(result.actions.map((a) => a.kind)).toEqual(['revoke-ingress', 'tag-interface']);
    expect(result.actions[1]?.calls[0]?.input['Tags']).toEqual([
      { Key: 'eni-guard:remediated', Value: `${NOW.toISOString()} revoke-ingress` },
      { Key: 'eni-guard:findings', Value: 'world-open-ingress' },
      { Key: 'eni-guard:ledger', Value: 'evt-1/eni-0aaaaaaaaaaaaaaaa' },
    ]);
    expect(result.actions[1]?.undo.map(describeCall)).toEqual([
      'DeleteTags Resources=eni-0aaaaaaaaaaaaaaaa Tags={"Key":"eni-guard:remediated"},{"Key":"eni-guard:findings"},{"Key":"eni-guard:ledger"}',
    ]);
  });
});

describe('planResponse: IaC conflicts', () => {
  const pipeline = {
    ...CONTEXT,
    caller: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/terraform-deploy/build-42',
      sessionIssuerArn: 'arn:aws:iam::123456789012:role/terraform-deploy',
      sessionName: 'build-42',
      viaConsole: false,
      mfaAuthenticated: false,
    },
  };
  const automation = policy({
    automation: { principals: ['arn:aws:iam::*:role/terraform-*'], conflictThreshold: 3, conflictWindowHours: 24 },
  });
  const input = facts([rule({ ruleId: 'sgr-ssh' })], {}, { context: pipeline });

  it('keeps fixing below the threshold', () => {
    expect(plan(input, automation, { 'sg-1': 1 }, { priorFixes: 2 }).actions.map((a) => a.kind)).toEqual(['revoke-ingress']);
  });

  it('stops fixing and escalates once automation has re-applied the violation threshold times', () => {
    const result = plan(input, automation, { 'sg-1': 1 }, { priorFixes: 3 });
    expect(result).toMatchObject({ mode: 'notify', actions: [] });
    expect(result.escalation).toMatch(
      /^IaC conflict: arn:aws:iam::123456789012:role\/terraform-deploy re-applied .* fixed 3 time\(s\) in the last 24 h; eni-guard stops fixing it — fix the template/,
    );
    expect(result.withheld[0]?.reason).toBe(result.escalation);
  });

  it('never applies to callers that are not automation principals', () => {
    expect(plan(sshFacts(), automation, { 'sg-1': 1 }, { priorFixes: 99 }).actions).toHaveLength(1);
  });
});

describe('possibleActionKinds (what the stack grants)', () => {
  it('grants nothing in dry-run, and only what the default policy can do otherwise', () => {
    expect(possibleActionKinds(parsePolicy({ version: 1, dryRun: true }), true)).toEqual([]);
    expect(possibleActionKinds(parsePolicy({ version: 1 }), true)).toEqual([
      'enable-flow-logs',
      'replace-groups',
      'revoke-ingress',
      'tag-interface',
    ]);
    // Without a flow-log destination (eniGuard:flowLogVpcIds=none) the default enables none.
    expect(possibleActionKinds(parsePolicy({ version: 1 }), false)).toEqual(['replace-groups', 'revoke-ingress', 'tag-interface']);
  });

  it('adds flow logs only with a destination', () => {
    const p = parsePolicy({ version: 1, rules: { 'vpc-flow-logs': { mode: 'remediate' } } });
    expect(possibleActionKinds(p, false)).not.toContain('enable-flow-logs');
    expect(possibleActionKinds(p, true)).toContain('enable-flow-logs');
  });
});

describe('evaluate', () => {
  it('skips rules the policy switches off', () => {
    const off = parsePolicy({ version: 1, rules: { 'world-open-ingress': { mode: 'off' } } });
    expect(evaluate(facts([rule()]), off, NOW, [worldOpenIngress as Rule])).toEqual({
      findings: [],
      exempted: [],
      expiredExemptions: [],
      errors: [],
      passed: [],
    });
  });

  it('records rules that passed', () => {
    expect(evaluate(facts([rule({ fromPort: 443, toPort: 443 })]), remediate, NOW).passed).toContain('world-open-ingress');
  });
});
