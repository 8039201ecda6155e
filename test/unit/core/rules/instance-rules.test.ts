import { backupCoverage } from '../../../../lambda/core/rules/backup-coverage';
import { ebsEncryption } from '../../../../lambda/core/rules/ebs-encryption';
import { instanceAmiAge } from '../../../../lambda/core/rules/instance-ami-age';
import type { InstanceFacts } from '../../../../lambda/core/model';
import type { Rule } from '../../../../lambda/core/rule';
import { facts, instance, run } from '../../../support/fixtures';

const INSTANCE_RULES = [instanceAmiAge, ebsEncryption, backupCoverage] as Rule<unknown>[];

const attached = (overrides: Partial<InstanceFacts> = {}) =>
  facts([], { attachedInstanceId: 'i-0123456789abcdef0' }, { instance: { status: 'ok', value: instance(overrides) } });

describe('rules about the attached instance', () => {
  it.each(INSTANCE_RULES)('$id does not apply to an unattached interface', (subject) => {
    expect(run(subject, facts([])).status).toBe('not-applicable');
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
