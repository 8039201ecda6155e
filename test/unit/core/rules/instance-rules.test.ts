import { backupCoverage } from '../../../../lambda/core/rules/backup-coverage';
import { ebsEncryption } from '../../../../lambda/core/rules/ebs-encryption';
import { instanceAmiAge } from '../../../../lambda/core/rules/instance-ami-age';
import type { InstanceFacts } from '../../../../lambda/core/model';
import type { Rule } from '../../../../lambda/core/rule';
import { facts, instance, NOW, run } from '../../../support/fixtures';

const INSTANCE_RULES = [instanceAmiAge, ebsEncryption, backupCoverage] as Rule<unknown>[];

const attached = (overrides: Partial<InstanceFacts> = {}) =>
  facts([], { attachedInstanceId: 'i-0123456789abcdef0' }, { instance: { status: 'ok', value: instance(overrides) } });

describe('rules about the attached instance', () => {
  it.each(INSTANCE_RULES)('$id does not apply to an unattached interface, and says why', (subject) => {
    expect(run(subject, facts([]))).toEqual({ status: 'not-applicable', reason: 'interface is not attached to an instance' });
  });

  it.each(INSTANCE_RULES)('$id throws (fail closed) when the instance could not be read', (subject) => {
    const input = facts([], { attachedInstanceId: 'i-1' }, { instance: { status: 'unavailable', reason: 'denied' } });
    expect(() => run(subject, input)).toThrow('instance unavailable: denied');
  });

  describe('instance-ami-age', () => {
    it.each<[string, Partial<InstanceFacts>, unknown, string | undefined]>([
      ['a 58-day-old AMI', {}, {}, undefined],
      ['a 400-day-old AMI', { imageCreationDate: '2025-10-24T00:00:00Z' }, {}, 'medium'],
      ['a 58-day-old AMI with a 30-day limit', {}, { maxAgeDays: 30 }, 'medium'],
      ['a deregistered AMI (age unknown)', { imageCreationDate: undefined }, {}, 'low'],
    ])('%s', (_name, overrides, settings, severity) => {
      const verdict = run(instanceAmiAge, attached(overrides), settings);
      if (!severity) expect(verdict.status).toBe('compliant');
      else expect(verdict).toMatchObject({ status: 'non-compliant', findings: [{ severity }] });
    });
  });

  describe('ebs-encryption', () => {
    it('accepts encrypted volumes and flags unencrypted ones by id', () => {
      expect(run(ebsEncryption, attached()).status).toBe('compliant');
      expect(
        run(
          ebsEncryption,
          attached({
            volumes: [
              { volumeId: 'vol-1', encrypted: true },
              { volumeId: 'vol-2', encrypted: false },
            ],
          }),
        ),
      ).toMatchObject({
        findings: [{ severity: 'high', evidence: { unencryptedVolumes: ['vol-2'] } }],
      });
    });
  });

  describe('backup-coverage', () => {
    it.each<[string, Record<string, string>, unknown, string]>([
      ['tagged backup=daily', { backup: 'daily' }, {}, 'compliant'],
      ['untagged', {}, {}, 'non-compliant'],
      ['tagged with another value', { backup: 'weekly' }, {}, 'non-compliant'],
      ['tagged with a custom selection tag', { 'backup-plan': 'gold' }, { tagKey: 'backup-plan', tagValue: 'gold' }, 'compliant'],
    ])('%s', (_name, tags, settings, status) => {
      expect(run(backupCoverage, attached({ tags }), settings).status).toBe(status);
    });
  });
});

describe('rules about the attached instance, exactly', () => {
  const DAY = 86_400_000;
  const created = (msBeforeNow: number) => new Date(NOW.getTime() - msBeforeNow).toISOString();

  it.each<[string, number, string]>([
    ['exactly 180 days old', 180 * DAY, 'compliant'],
    ['a millisecond short of 181 days old', 181 * DAY - 1, 'compliant'],
    ['181 days old', 181 * DAY, 'non-compliant'],
  ])('an AMI %s, with the default limit of 180 days', (_name, age, status) => {
    expect(run(instanceAmiAge, attached({ imageCreationDate: created(age) })).status).toBe(status);
  });

  it('says how old the AMI is, and the limit', () => {
    expect(run(instanceAmiAge, attached({ imageCreationDate: created(200 * DAY) }))).toEqual({
      status: 'non-compliant',
      findings: [
        {
          ruleId: 'instance-ami-age',
          severity: 'medium',
          title: 'i-0123456789abcdef0 runs ami-1, 200 days old (limit 180)',
          evidence: {
            instanceId: 'i-0123456789abcdef0',
            imageId: 'ami-1',
            imageCreationDate: created(200 * DAY),
            ageDays: 200,
            maxAgeDays: 180,
          },
        },
      ],
    });
    expect(run(instanceAmiAge, attached({ imageCreationDate: undefined, imageId: undefined }))).toMatchObject({
      findings: [{ title: 'the age of the AMI of i-0123456789abcdef0 cannot be verified (deregistered or not visible)' }],
    });
  });

  it('an AMI whose age cannot be verified names the instance and the image in the evidence', () => {
    expect(run(instanceAmiAge, attached({ imageCreationDate: undefined }))).toEqual({
      status: 'non-compliant',
      findings: [
        {
          ruleId: 'instance-ami-age',
          severity: 'low',
          title: 'the age of ami-1 of i-0123456789abcdef0 cannot be verified (deregistered or not visible)',
          evidence: { instanceId: 'i-0123456789abcdef0', imageId: 'ami-1' },
        },
      ],
    });
  });

  it('a stale AMI whose id the instance does not report is named ?', () => {
    expect(run(instanceAmiAge, attached({ imageCreationDate: created(200 * DAY), imageId: undefined }))).toMatchObject({
      findings: [{ title: 'i-0123456789abcdef0 runs ?, 200 days old (limit 180)' }],
    });
  });

  it('names every unencrypted volume', () => {
    const volumes = [
      { volumeId: 'vol-1', encrypted: false },
      { volumeId: 'vol-2', encrypted: true },
      { volumeId: 'vol-3', encrypted: false },
    ];
    expect(run(ebsEncryption, attached({ volumes }))).toEqual({
      status: 'non-compliant',
      findings: [
        {
          ruleId: 'ebs-encryption',
          severity: 'high',
          title: 'i-0123456789abcdef0 has unencrypted EBS volume(s) vol-1, vol-3',
          evidence: { instanceId: 'i-0123456789abcdef0', unencryptedVolumes: ['vol-1', 'vol-3'] },
        },
      ],
    });
  });

  it('asks to tag the instance for backup, and keeps the value it replaces', () => {
    expect(run(backupCoverage, attached({ tags: { backup: 'weekly' } }))).toEqual({
      status: 'non-compliant',
      findings: [
        {
          ruleId: 'backup-coverage',
          severity: 'medium',
          title: 'i-0123456789abcdef0 is not selected for backup (tag backup=daily missing)',
          evidence: { instanceId: 'i-0123456789abcdef0', tagKey: 'backup', tagValue: 'daily', current: 'weekly' },
          remediation: { kind: 'tag-for-backup', instanceId: 'i-0123456789abcdef0', key: 'backup', value: 'daily', previous: 'weekly' },
        },
      ],
    });
    expect(run(backupCoverage, attached({ tags: {} }))).toMatchObject({
      findings: [{ evidence: { current: null }, remediation: { kind: 'tag-for-backup', key: 'backup', value: 'daily' } }],
    });
    const untagged = run(backupCoverage, attached({ tags: {} }));
    expect(untagged.status === 'non-compliant' && untagged.findings[0]!.remediation).not.toHaveProperty('previous');
  });
});
