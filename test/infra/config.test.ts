import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../lib/config';

const ROOT = join(__dirname, '..', '..');
const load = (context: Record<string, unknown>) => loadConfig(context, ROOT);

/** The ConfigError problems for a context, or [] when it is valid. */
function problems(context: Record<string, unknown>): readonly string[] {
  try {
    load(context);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('baseline configuration', () => {
  it('defaults to the documented baseline: trail lifecycle, flow logs for every VPC, daily backup of backup=daily, EBS encryption on', () => {
    const config = load({});
    expect(config.auditTrail).toEqual({ transitionAfterDays: 90, expireAfterDays: 365, cloudWatchLogs: false });
    expect(config.flowLogs).toEqual({ vpcs: 'all', destination: 'cloud-watch-logs', retentionDays: 90 });
    expect(config.backup).toEqual({
      enabled: true,
      schedule: 'cron(0 0 * * ? *)',
      retentionDays: 30,
      tagKey: 'backup',
      tagValue: 'daily',
    });
    expect(config.ebsEncryption).toEqual({ enabled: true, kmsKey: 'aws-managed', disableOnDelete: false });
  });

  it('reads values given on the command line as strings', () => {
    const config = load({
      'eniGuard:trailCloudWatchLogs': 'true',
      'eniGuard:trailTransitionDays': '0',
      'eniGuard:flowLogVpcIds': 'vpc-0123456789abcdef0, vpc-12345678',
      'eniGuard:flowLogDestination': 's3',
      'eniGuard:backup': 'true',
      'eniGuard:backupRetentionDays': '200',
      'eniGuard:backupColdStorageAfterDays': '100',
      'eniGuard:ebsEncryptionByDefault': 'true',
      'eniGuard:ebsDisableOnDelete': 'true',
    });
    expect(config.auditTrail).toMatchObject({ transitionAfterDays: 0, cloudWatchLogs: true });
    expect(config.flowLogs).toMatchObject({ vpcs: ['vpc-0123456789abcdef0', 'vpc-12345678'], destination: 's3' });
    expect(config.backup).toMatchObject({ retentionDays: 200, coldStorageAfterDays: 100 });
    expect(config.ebsEncryption.disableOnDelete).toBe(true);
  });

  it.each([
    ['all', 'all'],
    [['all'], 'all'],
    ['none', 'none'],
    [['vpc-12345678'], ['vpc-12345678']],
    ['vpc-12345678,vpc-0123456789abcdef0', ['vpc-12345678', 'vpc-0123456789abcdef0']],
    // An empty list always meant "no flow logs".
    ['', 'none'],
    [[], 'none'],
  ])('accepts flow log VPCs %j', (value, expected) => {
    expect(load({ 'eniGuard:flowLogVpcIds': value }).flowLogs.vpcs).toEqual(expected);
  });

  it.each([
    'aws-managed',
    'create',
    'arn:aws:kms:eu-west-1:123456789012:key/12345678-1234-1234-1234-123456789012',
    'arn:aws:kms:eu-west-1:123456789012:alias/ebs',
  ])('accepts the EBS default key %s', (value) => {
    expect(load({ 'eniGuard:ebsDefaultKmsKey': value }).ebsEncryption.kmsKey).toBe(value);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ 'eniGuard:trailTransitionDays': -1 }, 'eniGuard:trailTransitionDays:'],
    [{ 'eniGuard:trailExpirationDays': 'soon' }, 'eniGuard:trailExpirationDays:'],
    [{ 'eniGuard:trailTransitionDays': 90, 'eniGuard:trailExpirationDays': 60 }, 'eniGuard:trailExpirationDays: must be greater than'],
    [{ 'eniGuard:trailCloudWatchLogs': 'yes' }, 'eniGuard:trailCloudWatchLogs:'],
    [{ 'eniGuard:flowLogVpcIds': 'vpc-12345678,all' }, 'eniGuard:flowLogVpcIds: "all" must be the only value, not mixed with VPC ids'],
    [{ 'eniGuard:flowLogVpcIds': 'none,all' }, 'eniGuard:flowLogVpcIds: "none" must be the only value'],
    [
      { 'eniGuard:flowLogVpcIds': 'al' },
      'eniGuard:flowLogVpcIds: "al" is not "all", "none" or a VPC id (vpc- and 8 or 17 lower-case hex digits)',
    ],
    [{ 'eniGuard:flowLogVpcIds': 'ALL' }, 'eniGuard:flowLogVpcIds: "ALL" is not "all", "none" or a VPC id'],
    [{ 'eniGuard:flowLogVpcIds': 'vpc-123' }, 'eniGuard:flowLogVpcIds: "vpc-123" is not "all", "none" or a VPC id'],
    [{ 'eniGuard:flowLogVpcIds': ['subnet-12345678', 'vpc-12345678'] }, '"subnet-12345678" is not "all", "none" or a VPC id'],
    [{ 'eniGuard:flowLogVpcIds': 42 }, 'eniGuard:flowLogVpcIds:'],
    [{ 'eniGuard:flowLogDestination': 'firehose' }, 'eniGuard:flowLogDestination:'],
    [{ 'eniGuard:flowLogRetentionDays': 10 }, 'eniGuard:flowLogRetentionDays: must be one of'],
    [{ 'eniGuard:backupSchedule': 'daily' }, 'eniGuard:backupSchedule: must be a six-field cron expression'],
    [{ 'eniGuard:backupSchedule': 'cron(0 0 * * ?)' }, 'eniGuard:backupSchedule:'],
    [{ 'eniGuard:backupRetentionDays': 0 }, 'eniGuard:backupRetentionDays:'],
    [
      { 'eniGuard:backupColdStorageAfterDays': 30 },
      'eniGuard:backupRetentionDays: must be at least eniGuard:backupColdStorageAfterDays + 90 (120)',
    ],
    [{ 'eniGuard:backupCopyToVaultArn': 'arn:aws:s3:::bucket' }, 'eniGuard:backupCopyToVaultArn: must be a backup vault ARN'],
    [{ 'eniGuard:backupTagKey': '' }, 'eniGuard:backupTagKey:'],
    [
      { 'eniGuard:ebsDefaultKmsKey': 'alias/aws/ebs' },
      'eniGuard:ebsDefaultKmsKey: must be "aws-managed", "create" or a KMS key or alias ARN',
    ],
    [{ 'eniGuard:ebsDisableOnDelete': 1 }, 'eniGuard:ebsDisableOnDelete:'],
  ])('rejects %j, naming the key and the reason', (context, message) => {
    expect(problems(context).join('\n')).toContain(message);
  });

  it('rejects a Backup selection tag the backup-coverage rule does not check', () => {
    expect(problems({ 'eniGuard:backupTagValue': 'weekly' })).toEqual([
      "eniGuard:backupTagKey/eniGuard:backupTagValue: the Backup selection uses backup=weekly but the policy's backup-coverage rule checks backup=daily; make them the same",
    ]);
  });

  it('accepts a different selection tag when the policy checks the same one, or when Backup is off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eni-guard-policy-'));
    const file = join(dir, 'policy.json');
    writeFileSync(
      file,
      JSON.stringify({ version: 1, rules: { 'backup-coverage': { mode: 'notify', tagKey: 'Backup', tagValue: 'yes' } } }),
    );
    expect(load({ 'eniGuard:policyFile': file, 'eniGuard:backupTagKey': 'Backup', 'eniGuard:backupTagValue': 'yes' }).backup).toMatchObject(
      {
        tagKey: 'Backup',
        tagValue: 'yes',
      },
    );
    expect(problems({ 'eniGuard:backup': false, 'eniGuard:backupTagValue': 'weekly' })).toEqual([]);
  });
});
