import { naclAdmits } from '../../../lambda/core/exposure';
import type { NaclEntry } from '../../../lambda/core/model';
import { DEFAULT_NACL } from '../../support/fixtures';

const entry = (e: Partial<NaclEntry>): NaclEntry => ({
  ruleNumber: 100,
  egress: false,
  protocol: '6',
  action: 'allow',
  cidrIpv4: '0.0.0.0/0',
  ...e,
});

describe('naclAdmits', () => {
  it.each<[string, NaclEntry[], string, number, number, boolean]>([
    ['the default ACL, SSH', DEFAULT_NACL, 'tcp', 22, 22, true],
    ['only the implicit deny', [entry({ ruleNumber: 32767, protocol: '-1', action: 'deny' })], 'tcp', 22, 22, false],
    [
      'deny 22 before allow all',
      [entry({ ruleNumber: 90, action: 'deny', fromPort: 22, toPort: 22 }), ...DEFAULT_NACL],
      'tcp',
      22,
      22,
      false,
    ],
    [
      'deny 22 before allow all, range 20-25 still partly open',
      [entry({ ruleNumber: 90, action: 'deny', fromPort: 22, toPort: 22 }), ...DEFAULT_NACL],
      'tcp',
      20,
      25,
      true,
    ],
    ['allow only 443, asking 22', [entry({ fromPort: 443, toPort: 443 })], 'tcp', 22, 22, false],
    ['allow UDP all, asking TCP 22', [entry({ protocol: '17', fromPort: 0, toPort: 65535 })], 'tcp', 22, 22, false],
    ['allow TCP 22, asking all protocols', [entry({ fromPort: 22, toPort: 22 })], '-1', 0, 65535, true],
    ['allow from 10.0.0.0/8 only', [entry({ cidrIpv4: '10.0.0.0/8', protocol: '-1' })], 'tcp', 22, 22, false],
    [
      'entries out of order are sorted by rule number',
      [entry({ ruleNumber: 200, protocol: '-1' }), entry({ ruleNumber: 100, protocol: '-1', action: 'deny' })],
      'tcp',
      22,
      22,
      false,
    ],
  ])('%s', (_name, entries, protocol, from, to, expected) => {
    expect(naclAdmits(entries, 'ipv4', protocol, from, to)).toBe(expected);
  });

  it('reads only IPv6 entries for IPv6 traffic', () => {
    expect(naclAdmits([entry({})], 'ipv6', 'tcp', 22, 22)).toBe(false);
    expect(naclAdmits(DEFAULT_NACL, 'ipv6', 'tcp', 22, 22)).toBe(true);
  });

  it('ignores outbound entries', () => {
    expect(naclAdmits([entry({ egress: true, protocol: '-1' })], 'ipv4', 'tcp', 22, 22)).toBe(false);
  });
});
