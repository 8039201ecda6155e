/** Organization mode's context keys: defaults, values as the CLI passes them, and one clear error per mistake. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../lib/config';

const ROOT = join(__dirname, '..', '..');
const load = (context: Record<string, unknown>) => loadConfig(context, ROOT);

function problems(context: Record<string, unknown>): string {
  try {
    load(context);
    return '';
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
}

const ORG = {
  'eniGuard:scope': 'organization',
  'eniGuard:organizationId': 'o-abc1234567',
  'eniGuard:hubRegions': 'us-east-1,eu-west-1',
  'eniGuard:targetOus': 'ou-abcd-11111111',
};

describe('organization configuration', () => {
  it('is off by default: the scope is account and there is no organization', () => {
    const config = load({});
    expect(config.scope).toBe('account');
    expect(config.organization).toBeUndefined();
  });

  it('reads the keys as the CDK CLI passes them, with the documented defaults', () => {
    expect(load(ORG).organization).toEqual({
      organizationId: 'o-abc1234567',
      hubRegions: ['us-east-1', 'eu-west-1'],
      memberRegions: ['us-east-1', 'eu-west-1'],
      targetOus: ['ou-abcd-11111111'],
      excludedAccounts: [],
      memberRoleName: 'EniGuardMember',
      stackSetsCallAs: 'DELEGATED_ADMIN',
      // Flow logs for every VPC of every member, as in account mode.
      flowLogs: { retentionDays: 90 },
    });
    expect(
      load({
        ...ORG,
        'eniGuard:memberRegions': '["eu-west-1"]',
        'eniGuard:targetOus': ['r-abcd'],
        'eniGuard:excludedAccounts': '111122223333, 444455556666',
        'eniGuard:memberRoleName': 'SecOpsEniGuard',
        'eniGuard:stackSetsCallAs': 'SELF',
      }).organization,
    ).toMatchObject({
      memberRegions: ['eu-west-1'],
      targetOus: ['r-abcd'],
      excludedAccounts: ['111122223333', '444455556666'],
      memberRoleName: 'SecOpsEniGuard',
      stackSetsCallAs: 'SELF',
    });
    // none: no flow logs for members (and then S3 is no contradiction).
    expect(load({ ...ORG, 'eniGuard:flowLogVpcIds': 'none', 'eniGuard:flowLogDestination': 's3' }).organization?.flowLogs).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown scope', { 'eniGuard:scope': 'org' }, 'eniGuard:scope: Invalid option'],
    [
      'no organization id',
      { ...ORG, 'eniGuard:organizationId': undefined },
      'eniGuard:organizationId: required with eniGuard:scope=organization',
    ],
    ['a malformed organization id', { ...ORG, 'eniGuard:organizationId': 'o-123' }, 'eniGuard:organizationId: must be an organization id'],
    ['no hub Region', { ...ORG, 'eniGuard:hubRegions': undefined }, 'eniGuard:hubRegions: required with eniGuard:scope=organization'],
    ['a hub Region that is not one', { ...ORG, 'eniGuard:hubRegions': 'us-east-1,europe' }, 'eniGuard:hubRegions.1: must be Region names'],
    ['a hub Region twice', { ...ORG, 'eniGuard:hubRegions': 'us-east-1,us-east-1' }, 'eniGuard:hubRegions: lists a value twice'],
    [
      'a member Region without a hub',
      { ...ORG, 'eniGuard:memberRegions': 'us-east-1,eu-central-1' },
      'eniGuard:memberRegions: eu-central-1 has no hub (eniGuard:hubRegions: us-east-1, eu-west-1): members forward their events to the hub bus of the same Region',
    ],
    ['no target OU', { ...ORG, 'eniGuard:targetOus': '' }, 'eniGuard:targetOus: required with eniGuard:scope=organization'],
    ['a target that is an account', { ...ORG, 'eniGuard:targetOus': '111122223333' }, 'eniGuard:targetOus.0: must be OU ids'],
    [
      'two roots',
      { ...ORG, 'eniGuard:targetOus': 'r-abcd,r-efgh' },
      'eniGuard:targetOus: names r-abcd and r-efgh: an organization has one root',
    ],
    [
      'an excluded account that is not an id',
      { ...ORG, 'eniGuard:excludedAccounts': 'prod' },
      'eniGuard:excludedAccounts.0: must be 12-digit',
    ],
    [
      'a member role name too long for its Forwarder',
      { ...ORG, 'eniGuard:memberRoleName': 'x'.repeat(56) },
      'eniGuard:memberRoleName: must be an IAM role name of at most 55 characters',
    ],
    ['an unknown CallAs', { ...ORG, 'eniGuard:stackSetsCallAs': 'ADMIN' }, 'eniGuard:stackSetsCallAs: Invalid option'],
    [
      'flow logs for listed VPC ids (they name one account’s VPCs)',
      { ...ORG, 'eniGuard:flowLogVpcIds': 'vpc-12345678' },
      'eniGuard:flowLogVpcIds: with eniGuard:scope=organization it is all (every VPC of every member) or none',
    ],
    [
      'members’ flow logs to S3',
      { ...ORG, 'eniGuard:flowLogDestination': 's3' },
      'eniGuard:flowLogDestination: with eniGuard:scope=organization members deliver flow logs to CloudWatch Logs only',
    ],
    [
      'organization keys without the scope',
      { 'eniGuard:organizationId': 'o-abc1234567', 'eniGuard:targetOus': 'ou-abcd-11111111' },
      'eniGuard:organizationId: only read with eniGuard:scope=organization (the scope is account)',
    ],
  ])('rejects %s, naming the key and why', (_name, context, message) => {
    expect(problems(context)).toContain(message);
  });

  it('suggests the key for a misspelt organization key', () => {
    expect(problems({ ...ORG, 'eniGuard:targetOu': 'ou-abcd-11111111' })).toContain('did you mean eniGuard:targetOus?');
  });

  it('keeps every OU in shadow mode under -c eniGuard:dryRun=true, even one an overlay makes live', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'eni-guard-policy-')), 'policy.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        dryRun: true,
        overlays: [{ id: 'payments-live', match: { ous: ['ou-abcd-11111111'] }, policy: { dryRun: false } }],
      }),
    );
    expect(load({ ...ORG, 'eniGuard:policyFile': file }).policy.overlays[0]!.policy).toEqual({ dryRun: false });
    expect(load({ ...ORG, 'eniGuard:policyFile': file, 'eniGuard:dryRun': 'true' }).policy.overlays[0]!.policy).toEqual({ dryRun: true });
  });
});
