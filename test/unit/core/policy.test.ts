import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_POLICY, modeOf, parsePolicy, PolicyError, policyJsonSchema } from '../../../lambda/core/policy';
import { RULES } from '../../../lambda/core/rules/index';

const policyDir = join(__dirname, '..', '..', '..', 'policy');
const exemption = {
  id: 'legacy-bastion',
  rules: ['world-open-ingress'],
  match: { securityGroup: 'sg-1' },
  owner: 'platform@example.com',
  reason: 'migration',
  expires: '2027-01-31',
};

describe('policy', () => {
  it('ships safe defaults: world-open-ingress remediates, and vpc-flow-logs (a flow log changes no traffic); every other rule notifies', () => {
    expect(Object.fromEntries(RULES.map((rule) => [rule.id, modeOf(DEFAULT_POLICY, rule.id)]))).toEqual({
      'world-open-ingress': 'remediate',
      'public-ip': 'notify',
      'network-placement': 'notify',
      'vpc-flow-logs': 'remediate',
      'source-dest-check': 'notify',
      caller: 'notify',
      'required-tags': 'notify',
      'instance-ami-age': 'notify',
      'ebs-encryption': 'notify',
      'backup-coverage': 'notify',
      'plaintext-protocols': 'notify',
    });
    expect(DEFAULT_POLICY).toMatchObject({ version: 1, dryRun: false, exemptions: [] });
  });

  it('ships policy/default.json equal to the built-in defaults, spelled out', () => {
    const shipped = JSON.parse(readFileSync(join(policyDir, 'default.json'), 'utf8'));
    expect(parsePolicy(shipped)).toEqual({ $schema: './schema.json', ...DEFAULT_POLICY });
  });

  it('publishes policy/schema.json generated from the same schema (run npm run policy:schema after a change)', () => {
    expect(JSON.parse(readFileSync(join(policyDir, 'schema.json'), 'utf8'))).toEqual(policyJsonSchema());
  });

  it('accepts every rule in notify and exemptions with owner, reason and expiry', () => {
    const everything = Object.fromEntries(RULES.map((rule) => [rule.id, { mode: 'notify' }]));
    expect(() => parsePolicy({ version: 1, rules: everything, exemptions: [exemption] })).not.toThrow();
  });

  it.each<[string, unknown, string]>([
    ['a missing version', {}, 'version:'],
    [
      'an unknown rule (a typo must not silently disable a check)',
      { version: 1, rules: { 'world-open-ingres': {} } },
      'rules: Unrecognized key: "world-open-ingres"',
    ],
    ['an unknown mode', { version: 1, rules: { 'world-open-ingress': { mode: 'fix' } } }, 'rules.world-open-ingress.mode:'],
    [
      'remediate on a rule that cannot remediate',
      { version: 1, rules: { 'ebs-encryption': { mode: 'remediate' } } },
      'rules.ebs-encryption.mode: must be "off" or "notify": this rule has no automatic remediation',
    ],
    [
      'a port above 65535',
      { version: 1, rules: { 'world-open-ingress': { allowedPublicPorts: [{ protocol: 'tcp', from: 70000 }] } } },
      'rules.world-open-ingress.allowedPublicPorts.0.from:',
    ],
    [
      'a reversed range',
      { version: 1, rules: { 'world-open-ingress': { allowedPublicPorts: [{ protocol: 'tcp', from: 10, to: 5 }] } } },
      'allowedPublicPorts.0.to: "to" must be greater than or equal to "from"',
    ],
    ['dryRun as a string', { version: 1, dryRun: 'yes' }, 'dryRun:'],
    [
      'a principal that is not an ARN pattern',
      { version: 1, rules: { caller: { allowedPrincipals: ['alice'] } } },
      'rules.caller.allowedPrincipals.0: must be an ARN pattern',
    ],
    ['an exemption without an owner', { version: 1, exemptions: [{ ...exemption, owner: undefined }] }, 'exemptions.0.owner:'],
    [
      'an exemption with a bad date',
      { version: 1, exemptions: [{ ...exemption, expires: '31/01/2027' }] },
      'exemptions.0.expires: must be a date YYYY-MM-DD',
    ],
    [
      'an exemption for an unknown rule',
      { version: 1, exemptions: [{ ...exemption, rules: ['world-open'] }] },
      'exemptions.0.rules.0: unknown rule "world-open"',
    ],
    [
      'an exemption that matches nothing',
      { version: 1, exemptions: [{ ...exemption, match: {} }] },
      'exemptions.0.match: must name at least one of',
    ],
    [
      'duplicate exemption ids',
      { version: 1, exemptions: [exemption, exemption] },
      'exemptions.1.id: duplicate exemption id "legacy-bastion"',
    ],
  ])('rejects %s with the path and reason', (_name, input, message) => {
    expect(() => parsePolicy(input)).toThrow(PolicyError);
    expect(() => parsePolicy(input)).toThrow(message);
  });

  it.each<[string, unknown, string]>([
    [
      'a mistyped rule id',
      { version: 1, rules: { 'world-open-ingres': {} } },
      'rules: Unrecognized key: "world-open-ingres": did you mean "world-open-ingress"?',
    ],
    ['a mistyped top-level key', { version: 1, dryrun: true }, '(root): Unrecognized key: "dryrun": did you mean "dryRun"?'],
    [
      'a mistyped rule setting',
      { version: 1, rules: { 'world-open-ingress': { allowedPublicPort: [] } } },
      'rules.world-open-ingress: Unrecognized key: "allowedPublicPort": did you mean "allowedPublicPorts"?',
    ],
    [
      'a mistyped remediation key',
      { version: 1, remediation: { sharedGroup: 'copy' } },
      'remediation: Unrecognized key: "sharedGroup": did you mean "sharedGroups"?',
    ],
    [
      'a mistyped mode',
      { version: 1, rules: { 'world-open-ingress': { mode: 'remediat' } } },
      'rules.world-open-ingress.mode: Invalid option: expected one of "off"|"notify"|"remediate"; did you mean "remediate"?',
    ],
    [
      'a mistyped rule id in an exemption',
      { version: 1, exemptions: [{ ...exemption, rules: ['world-open-ingres'] }] },
      'did you mean "world-open-ingress"?',
    ],
    [
      'a mistyped exemption match key',
      { version: 1, exemptions: [{ ...exemption, match: { tags: { key: 'a', value: 'b' } } }] },
      'exemptions.0.match: Unrecognized key: "tags": did you mean "tag"?',
    ],
  ])('names the closest known key or value for %s', (_name, input, message) => {
    expect(() => parsePolicy(input)).toThrow(message);
  });

  it('suggests nothing when nothing is close', () => {
    expect(() => parsePolicy({ version: 1, frobnicate: 1 })).toThrow(/Unrecognized key: "frobnicate"\n|Unrecognized key: "frobnicate"$/);
  });

  it('lists every problem at once', () => {
    try {
      parsePolicy({ version: 2, dryRun: 1 });
      throw new Error('expected a PolicyError');
    } catch (error) {
      expect((error as PolicyError).problems).toHaveLength(2);
    }
  });
});
