/** Organization mode's contract: who is in scope, and the policy each account gets from the overlays. */
import { outsideScope, ouOf, memberFlowLogDestination, memberRoleNames, hubRoleName, roleArn } from '../../../lambda/core/organization';
import { effectivePolicy, parsePolicy } from '../../../lambda/core/policy';

const scope = { organizationId: 'o-abc1234567', targetOus: ['ou-root-workloads'], excludedAccounts: ['333333333333'] };
const place = (account: string, path: string[], organizationId = 'o-abc1234567') => ({ account, organizationId, path });

describe('organization scope', () => {
  it.each([
    ['an account directly in a target OU', place('111111111111', ['r-root', 'ou-root-workloads']), undefined],
    ['an account nested below a target OU', place('111111111111', ['r-root', 'ou-root-workloads', 'ou-work-payments1']), undefined],
    ['an account in another OU', place('111111111111', ['r-root', 'ou-root-sandbox']), /outside the target OUs/],
    ['an excluded account inside a target OU', place('333333333333', ['r-root', 'ou-root-workloads']), /excluded/],
    [
      'an account of another organization',
      place('111111111111', ['r-root', 'ou-root-workloads'], 'o-other00000'),
      /organization o-other00000/,
    ],
  ])('%s', (_name, where, expected) => {
    const reason = outsideScope(scope, where);
    if (expected === undefined) expect(reason).toBeUndefined();
    else expect(reason).toMatch(expected);
  });

  it('says exactly why an account is left out: its organization first, then exclusion, then its place', () => {
    // Another organization wins over exclusion: the account is not one of ours at all.
    expect(outsideScope(scope, place('333333333333', ['r-root', 'ou-root-workloads'], 'o-other00000'))).toBe(
      'account 333333333333 is in organization o-other00000, not o-abc1234567',
    );
    expect(outsideScope(scope, place('333333333333', ['r-root', 'ou-root-sandbox']))).toBe(
      'account 333333333333 is excluded (eniGuard:excludedAccounts)',
    );
    expect(outsideScope({ ...scope, targetOus: ['ou-a', 'ou-b'] }, place('111111111111', ['r-root', 'ou-root-sandbox']))).toBe(
      'account 111111111111 is in r-root / ou-root-sandbox, outside the target OUs (ou-a, ou-b)',
    );
    expect(outsideScope(scope, place('111111111111', []))).toBe(
      'account 111111111111 is in no OU, outside the target OUs (ou-root-workloads)',
    );
    // The root as a target covers every account under it.
    expect(outsideScope({ ...scope, targetOus: ['r-root'] }, place('111111111111', ['r-root', 'ou-root-sandbox']))).toBeUndefined();
    expect(ouOf(place('111111111111', []))).toBeUndefined();
  });

  it('names the revoker role of the hub apart from its responder, per Region, in any partition', () => {
    expect(hubRoleName('revoker', 'us-gov-west-1')).toBe('EniGuardHub-Revoker-us-gov-west-1');
    expect(roleArn('aws-us-gov', '111122223333', hubRoleName('revoker', 'us-gov-west-1'))).toBe(
      'arn:aws-us-gov:iam::111122223333:role/EniGuardHub-Revoker-us-gov-west-1',
    );
  });

  it('names an account by its own parent OU, and its roles from one base name', () => {
    expect(ouOf(place('1', ['r-root', 'ou-root-workloads']))).toBe('ou-root-workloads');
    expect(memberRoleNames('EniGuardMember')).toEqual({
      remediation: 'EniGuardMember',
      revoker: 'EniGuardMemberRevoker',
      forwarder: 'EniGuardMemberForwarder',
      undo: 'EniGuardMemberUndo',
      flowLogs: 'EniGuardMemberFlowLogs',
    });
    expect(hubRoleName('responder', 'eu-west-1')).toBe('EniGuardHub-Responder-eu-west-1');
  });

  it('names the flow-log destination of a member account in a Region: its log group there, through its delivery role', () => {
    expect(memberFlowLogDestination('aws', '111122223333', 'eu-west-1', 'SecOpsEniGuard')).toEqual({
      type: 'cloud-watch-logs',
      arn: 'arn:aws:logs:eu-west-1:111122223333:log-group:eni-guard-vpc-flow-logs',
      deliveryRoleArn: 'arn:aws:iam::111122223333:role/SecOpsEniGuardFlowLogs',
    });
  });
});

describe('policy overlays', () => {
  const policy = parsePolicy({
    version: 1,
    rules: { 'public-ip': { mode: 'notify' } },
    exemptions: [{ id: 'base', rules: ['public-ip'], match: { vpc: 'vpc-1' }, owner: 'o', reason: 'r', expires: '2099-01-01' }],
    overlays: [
      { id: 'sandbox-shadow', match: { ous: ['ou-root-sandbox1'] }, policy: { dryRun: true } },
      { id: 'workloads', match: { ous: ['ou-root-workloads'] }, policy: { rules: { 'public-ip': { mode: 'remediate' } } } },
      { id: 'payments', match: { ous: ['ou-work-payments1'] }, policy: { rules: { 'public-ip': { mode: 'off' } } } },
      {
        id: 'one-account',
        match: { accounts: ['111111111111'] },
        policy: {
          exemptions: [
            { id: 'extra', rules: ['*'], match: { accounts: ['111111111111'] }, owner: 'o', reason: 'r', expires: '2099-01-01' },
          ],
        },
      },
    ],
  });

  it('leaves an account no overlay matches on the base policy', () => {
    const base = effectivePolicy(policy, { account: '222222222222', path: ['r-root', 'ou-root-other'] });
    expect(base.rules['public-ip']!.mode).toBe('notify');
    expect(base.dryRun).toBe(false);
    expect(base.overlays).toEqual([]);
  });

  it('applies OU overlays from the root down, so the deeper OU wins, then account overlays (exemptions added, not replaced)', () => {
    const payments = effectivePolicy(policy, { account: '111111111111', path: ['r-root', 'ou-root-workloads', 'ou-work-payments1'] });
    expect(payments.rules['public-ip']!.mode).toBe('off');
    expect(payments.exemptions.map((e) => e.id)).toEqual(['base', 'extra']);
    expect(effectivePolicy(policy, { account: '222222222222', path: ['r-root', 'ou-root-workloads'] }).rules['public-ip']!.mode).toBe(
      'remediate',
    );
  });

  it('lets an overlay set shadow mode for its OU', () => {
    expect(effectivePolicy(policy, { account: '222222222222', path: ['r-root', 'ou-root-sandbox1'] }).dryRun).toBe(true);
  });

  it.each([
    [
      'an overlay that breaks the merged policy',
      { id: 'bad', match: { ous: ['ou-root-sandbox1'] }, policy: { rules: { 'ebs-encryption': { mode: 'remediate' } } } },
      /overlays\.0 \(bad\): rules\.ebs-encryption\.mode/,
    ],
    [
      'an overlay setting the version',
      { id: 'v', match: { accounts: ['111111111111'] }, policy: { version: 2 } },
      /may set dryRun, remediation, automation, rules, exemptions/,
    ],
    ['an overlay matching nothing', { id: 'none', match: {}, policy: {} }, /must name ous or accounts/],
    ['an overlay for a malformed OU id', { id: 'ou', match: { ous: ['workloads'] }, policy: {} }, /OU id/],
  ])('refuses %s, naming it', (_name, overlay, message) => {
    expect(() => parsePolicy({ version: 1, overlays: [overlay] })).toThrow(message);
  });

  it('refuses two overlays with one id', () => {
    const overlay = { id: 'twice', match: { accounts: ['111111111111'] }, policy: {} };
    expect(() => parsePolicy({ version: 1, overlays: [overlay, overlay] })).toThrow(/duplicate overlay id "twice"/);
  });
});
