import { evaluate } from '../../../lambda/core/evaluate';
import type { InstanceFacts, InterfaceFacts } from '../../../lambda/core/model';
import { copiesToLookUp, planResponse, quarantineVpcs } from '../../../lambda/core/plan/index';
import { planRevocation } from '../../../lambda/core/plan/identity';
import { isolationTarget } from '../../../lambda/core/plan/instance';
import { parsePolicy, type PolicyInput } from '../../../lambda/core/policy';
import { CONTEXT, facts, instance, NOW, planInputs, rule } from '../../support/fixtures';

const policy = (input: Partial<PolicyInput> = {}) => parsePolicy({ version: 1, remediation: { tagInterface: false }, ...input });
const usage = (entries: Record<string, number>) => new Map(Object.entries(entries));
const ssh = (ni: Parameters<typeof facts>[1] = {}) => facts([rule({ ruleId: 'sgr-ssh' })], ni);

describe('what must be looked up before planning a shared group’s fix', () => {
  const copy = policy({ remediation: { sharedGroups: 'copy', tagInterface: false } });
  const quarantine = policy({ remediation: { sharedGroups: 'quarantine', tagInterface: false } });
  const judged = (input: InterfaceFacts, p = copy) => evaluate(input, p, NOW);

  it('looks up leftover copies only when a shared group will be copied', () => {
    expect(copiesToLookUp(judged(ssh()), copy, usage({ 'sg-1': 2 }))).toBe(true);
    expect(copiesToLookUp(judged(ssh()), copy, usage({ 'sg-1': 1 }))).toBe(false);
    // Unknown usage: the fix is withheld, nothing is copied.
    expect(copiesToLookUp(judged(ssh()), copy, usage({}))).toBe(false);
    expect(copiesToLookUp(judged(ssh(), quarantine), quarantine, usage({ 'sg-1': 2 }))).toBe(false);
    expect(copiesToLookUp(judged(facts([])), copy, usage({ 'sg-1': 2 }))).toBe(false);
  });

  it('looks up the quarantine group of the interface’s VPC only when a shared group will be quarantined', () => {
    expect(quarantineVpcs(judged(ssh(), quarantine), quarantine, usage({ 'sg-1': 2 }), ssh())).toEqual(['vpc-1']);
    expect(quarantineVpcs(judged(ssh(), quarantine), quarantine, usage({ 'sg-1': 1 }), ssh())).toEqual([]);
    expect(quarantineVpcs(judged(ssh(), quarantine), quarantine, usage({}), ssh())).toEqual([]);
    expect(quarantineVpcs(judged(ssh()), copy, usage({ 'sg-1': 2 }), ssh())).toEqual([]);
    // An interface whose VPC is unknown: its shared group's fix is withheld, so there is no group to look up.
    const noVpc = ssh({ vpcId: undefined });
    expect(quarantineVpcs(judged(noVpc, quarantine), quarantine, usage({ 'sg-1': 2 }), noVpc)).toEqual([]);
    expect(planResponse(judged(noVpc, quarantine), quarantine, planInputs(noVpc, { 'sg-1': 2 })).withheld).toEqual([
      { ruleId: 'world-open-ingress', reason: "sg-1 is shared and the interface's VPC is unknown" },
    ]);
  });
});

describe('isolating the instance behind instance credentials: only when every fact proves them', () => {
  const INSTANCE = 'i-0123456789abcdef0';
  const PROFILE = 'arn:aws:iam::123456789012:instance-profile/app';
  const callerOf = (overrides: Record<string, unknown> = {}) => ({
    type: 'AssumedRole',
    arn: `arn:aws:sts::123456789012:assumed-role/app/${INSTANCE}`,
    sessionIssuerArn: 'arn:aws:iam::123456789012:role/app',
    sessionName: INSTANCE,
    ec2RoleDelivery: '2.0',
    viaConsole: false,
    mfaAuthenticated: false,
    ...overrides,
  });
  const proven = (overrides: Partial<InstanceFacts> = {}) =>
    instance({
      instanceId: INSTANCE,
      vpcId: 'vpc-9',
      credentialOrigin: { associatedProfiles: [PROFILE], roleProfiles: [PROFILE] },
      ...overrides,
    });
  const input = (caller = callerOf(), callerInstance: InterfaceFacts['callerInstance'] | 'unread' = { status: 'ok', value: proven() }) =>
    facts([], {}, { context: { ...CONTEXT, caller }, ...(callerInstance === 'unread' ? {} : { callerInstance }) });
  const isolating = policy({ rules: { 'world-open-ingress': { mode: 'off' }, caller: { mode: 'remediate', isolateInstance: true } } });
  const target = (i: InterfaceFacts, p = isolating) => isolationTarget(evaluate(i, p, NOW), p, i);

  it('isolates the proven instance, and looks up the quarantine group of its VPC', () => {
    expect(target(input())).toEqual({ instance: proven() });
    expect(quarantineVpcs(evaluate(input(), isolating, NOW), isolating, usage({}), input())).toEqual(['vpc-9']);
  });

  it('never isolates unless the policy opts in and remediates the caller rule', () => {
    expect(target(input(), policy({ rules: { 'world-open-ingress': { mode: 'off' }, caller: { mode: 'remediate' } } }))).toBeUndefined();
    const notify = policy({ rules: { 'world-open-ingress': { mode: 'off' }, caller: { mode: 'notify', isolateInstance: true } } });
    expect(target(input(), notify)).toBeUndefined();
  });

  it('does nothing when the call was not made with instance credentials at all', () => {
    expect(
      target(
        input(callerOf({ ec2RoleDelivery: undefined, sessionName: 'deploy', arn: 'arn:aws:sts::123456789012:assumed-role/app/deploy' })),
      ),
    ).toBeUndefined();
  });

  it.each<[string, InterfaceFacts, string]>([
    ['the instance was not read', input(callerOf(), 'unread'), `isolation: the instance behind ${INSTANCE} was not read`],
    [
      'the instance could not be read',
      input(callerOf(), { status: 'unavailable', reason: 'AccessDenied' }),
      'isolation: the calling instance could not be read: AccessDenied',
    ],
    [
      'EC2 described another instance',
      input(callerOf(), { status: 'ok', value: proven({ instanceId: 'i-0fedcba9876543210' }) }),
      `isolation: EC2 described i-0fedcba9876543210, not ${INSTANCE}`,
    ],
    [
      'the instance is not associated with a profile carrying the role',
      input(callerOf(), { status: 'ok', value: proven({ credentialOrigin: { associatedProfiles: [], roleProfiles: [PROFILE] } }) }),
      'isolation withheld: instance credentials not proven: ',
    ],
  ])('withholds, saying why, when %s', (_name, facts_, reason) => {
    const result = target(facts_);
    expect(result).toEqual({ reason: expect.stringContaining(reason) });
    expect(planResponse(evaluate(facts_, isolating, NOW), isolating, planInputs(facts_, {})).actions.map((a) => a.kind)).not.toContain(
      'isolate-instance',
    );
  });
});

describe('revoking the caller’s credentials: never ours, never a protected one, never another account’s', () => {
  const p = policy({
    rules: {
      'world-open-ingress': { mode: 'off' },
      caller: { mode: 'remediate', protectedPrincipals: ['arn:aws:iam::*:user/break-glass*'] },
    },
  });
  const inputs = (extra = {}) => planInputs(facts([]), {}, extra);
  const role = (roleArn: string) => ({
    kind: 'revoke-credentials' as const,
    principal: { type: 'role' as const, roleName: roleArn.split('/').pop()!, roleArn },
  });
  const user = (userArn: string | undefined) => ({
    kind: 'revoke-credentials' as const,
    principal: { type: 'user' as const, userName: 'u', accessKeyId: 'AKIAEXAMPLE', ...(userArn ? { userArn } : {}) },
  });

  it.each<[string, ReturnType<typeof role> | ReturnType<typeof user>, string]>([
    [
      'a role of another account',
      role('arn:aws:iam::999999999999:role/app'),
      "the caller's principal belongs to account 999999999999, not 123456789012, where eni-guard acts; revoke it there",
    ],
    [
      'a user of another account',
      user('arn:aws:iam::999999999999:user/u'),
      "the caller's principal belongs to account 999999999999, not 123456789012, where eni-guard acts; revoke it there",
    ],
    [
      'a protected user',
      user('arn:aws:iam::123456789012:user/break-glass-1'),
      'arn:aws:iam::123456789012:user/break-glass-1 is a protected principal (rules.caller.protectedPrincipals)',
    ],
  ])('withholds for %s', (_name, intent, reason) => {
    expect(planRevocation('caller', intent, p, inputs())).toEqual({ ruleId: 'caller', reason });
  });

  it("withholds for eni-guard's own member role, and for the responder", () => {
    const member = 'arn:aws:iam::123456789012:role/EniGuardMember';
    expect(planRevocation('caller', role(member), p, inputs({ ownRoleArns: [member] }))).toEqual({
      ruleId: 'caller',
      reason: `the caller is eni-guard's own member role ${member}; its sessions are never revoked`,
    });
    expect(planRevocation('caller', role(member), p, inputs({ responderRoleArn: member }))).toEqual({
      ruleId: 'caller',
      reason: 'the caller is the responder itself; its sessions are never revoked',
    });
    expect(planRevocation('caller', role(member), p, inputs({ ownRoleArns: ['arn:aws:iam::123456789012:role/Other'] }))).toMatchObject({
      kind: 'revoke-role-sessions',
    });
  });

  it('judges a user without an ARN of its own by the caller’s ARN, and answers the caller once per event', () => {
    // The fixture's caller is arn:aws:iam::123456789012:user/alice: in this account, not protected.
    expect(planRevocation('caller', user(undefined), p, inputs())).toMatchObject({ kind: 'deactivate-access-key' });
    expect(planRevocation('caller', user(undefined), p, inputs({ callerHandledBy: 'evt-1/eni-1' }))).toEqual({
      ruleId: 'caller',
      reason: 'the caller is answered once for this event, with evt-1/eni-1',
    });
  });
});

describe('what the plan never changes, and what it says it cannot undo', () => {
  const remediate = policy();

  it('never changes an interface of a type its owner manages (trunk, branch, one AWS adds tomorrow), but still answers the caller', () => {
    for (const interfaceType of ['trunk', 'branch', 'quantum_tunnel']) {
      const input = ssh({ interfaceType });
      const result = planResponse(evaluate(input, remediate, NOW), remediate, planInputs(input));
      expect(result.actions).toEqual([]);
      expect(result.withheld).toEqual([
        { ruleId: 'world-open-ingress', reason: expect.stringContaining(`interface type ${interfaceType}`) },
      ]);
    }
    const answering = policy({ rules: { caller: { mode: 'remediate', allowedPrincipals: ['arn:aws:iam::*:role/Deploy'] } } });
    const context = { ...CONTEXT, caller: { ...CONTEXT.caller, accessKeyId: 'AKIAEXAMPLE' } };
    const trunk = facts([rule({ ruleId: 'sgr-ssh' })], { interfaceType: 'trunk' }, { context });
    expect(planResponse(evaluate(trunk, answering, NOW), answering, planInputs(trunk)).actions.map((a) => a.kind)).toEqual([
      'deactivate-access-key',
    ]);
  });

  it('sends flow logs to S3 without a delivery role, and to CloudWatch Logs with one', () => {
    const on = policy({ rules: { 'world-open-ingress': { mode: 'off' }, 'vpc-flow-logs': { mode: 'remediate' } } });
    const input = facts([], {}, { flowLogs: { status: 'ok', value: { active: [] } } });
    const planned = (flowLogDestination: { type: 'cloud-watch-logs' | 's3'; arn: string; deliveryRoleArn?: string }) =>
      planResponse(evaluate(input, on, NOW), on, planInputs(input, {}, { flowLogDestination })).actions[0]?.calls[0]?.input;
    const s3 = planned({ type: 's3', arn: 'arn:aws:s3:::flow-logs' });
    expect(s3).toMatchObject({ LogDestinationType: 's3', LogDestination: 'arn:aws:s3:::flow-logs', MaxAggregationInterval: 60 });
    expect(s3).not.toHaveProperty('DeliverLogsPermissionArn');
    expect(
      planned({
        type: 'cloud-watch-logs',
        arn: 'arn:aws:logs:eu-west-1:123456789012:log-group:f',
        deliveryRoleArn: 'arn:aws:iam::123456789012:role/fl',
      }),
    ).toMatchObject({
      LogDestinationType: 'cloud-watch-logs',
      DeliverLogsPermissionArn: 'arn:aws:iam::123456789012:role/fl',
      TagSpecifications: [
        {
          ResourceType: 'vpc-flow-log',
          Tags: [
            { Key: 'eni-guard:managed', Value: 'true' },
            { Key: 'eni-guard:ledger', Value: 'evt-1/eni-0aaaaaaaaaaaaaaaa' },
          ],
        },
      ],
    });
  });

  it('says what a deleted interface was, since it cannot be restored', () => {
    const p = policy({ rules: { 'network-placement': { mode: 'remediate', allowedSubnets: ['subnet-9'] } } });
    const input = facts([], { status: 'available', privateIpAddress: '10.0.1.5', groups: [{ groupId: 'sg-1' }, { groupId: 'sg-2' }] });
    const [deletion] = planResponse(evaluate(input, p, NOW), p, planInputs(input)).actions;
    expect(deletion).toMatchObject({
      kind: 'delete-interface',
      summary: 'delete eni-0aaaaaaaaaaaaaaaa: unattached, in subnet-1 / vpc-1, where interfaces are not allowed',
      irreversible:
        "a deleted interface cannot be restored; its description (subnet subnet-1, groups sg-1,sg-2, private IP 10.0.1.5, tags) is in the ledger's pre-state",
      undo: [],
    });
  });
});
