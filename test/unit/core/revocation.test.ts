/**
 * The revoker's contract (lambda/core/revocation.ts): the only two requests it accepts, checked field
 * by field, and the one document it writes. Who may be revoked (own role, protected principals,
 * another account's) is the revoker's own check, tested in test/unit/app/revoker.test.ts.
 */
import {
  MAX_CLOCK_SKEW_MS,
  parseRevocationRequest,
  REVOKE_POLICY_NAME,
  RevocationRefusedError,
  revocationDocument,
} from '../../../lambda/core/revocation';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const KEY = 'AKIAABCDEFGHIJKLMNOP';
const revoke = (input: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  operation: 'RevokeRoleSessions',
  input,
  ...extra,
});
const deactivate = (input: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  operation: 'DeactivateAccessKey',
  input,
  ...extra,
});

/** The refusal's message, or the accepted request. */
function refusal(value: unknown, now = NOW): string {
  try {
    parseRevocationRequest(value, now);
  } catch (error) {
    expect(error).toBeInstanceOf(RevocationRefusedError);
    expect((error as Error).name).toBe('RevocationRefusedError');
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(value)}`);
}

describe('parseRevocationRequest: what it accepts', () => {
  it("revokes a role's sessions issued before a past cut-off, with or without milliseconds", () => {
    expect(parseRevocationRequest(revoke({ RoleName: 'app', IssuedBefore: '2026-12-01T11:59:00.000Z' }), NOW)).toStrictEqual({
      operation: 'RevokeRoleSessions',
      input: { RoleName: 'app', IssuedBefore: '2026-12-01T11:59:00.000Z' },
    });
    expect(parseRevocationRequest(revoke({ RoleName: 'app', IssuedBefore: '2026-12-01T11:59:00Z' }), NOW)).toStrictEqual({
      operation: 'RevokeRoleSessions',
      input: { RoleName: 'app', IssuedBefore: '2026-12-01T11:59:00Z' },
    });
  });

  it('accepts a cut-off up to the clock skew ahead of now, not a millisecond more', () => {
    expect(MAX_CLOCK_SKEW_MS).toBe(300_000);
    const atSkew = new Date(NOW.getTime() + MAX_CLOCK_SKEW_MS).toISOString();
    expect(parseRevocationRequest(revoke({ RoleName: 'app', IssuedBefore: atSkew }), NOW).input).toEqual({
      RoleName: 'app',
      IssuedBefore: '2026-12-01T12:05:00.000Z',
    });
    expect(refusal(revoke({ RoleName: 'app', IssuedBefore: '2026-12-01T12:05:00.001Z' }))).toBe(
      'IssuedBefore 2026-12-01T12:05:00.001Z is in the future: it would deny sessions not yet issued',
    );
  });

  it('deactivates a long-term (AKIA) access key of a user', () => {
    expect(parseRevocationRequest(deactivate({ UserName: 'alice', AccessKeyId: KEY }), NOW)).toStrictEqual({
      operation: 'DeactivateAccessKey',
      input: { UserName: 'alice', AccessKeyId: KEY },
    });
  });

  it('keeps the member account of an organization-mode request, and adds none when absent', () => {
    expect(
      parseRevocationRequest(revoke({ RoleName: 'app', IssuedBefore: '2026-12-01T11:00:00Z' }, { account: '210987654321' }), NOW),
    ).toStrictEqual({
      operation: 'RevokeRoleSessions',
      input: { RoleName: 'app', IssuedBefore: '2026-12-01T11:00:00Z' },
      account: '210987654321',
    });
    expect(parseRevocationRequest(deactivate({ UserName: 'alice', AccessKeyId: KEY }, { account: '210987654321' }), NOW)).toStrictEqual({
      operation: 'DeactivateAccessKey',
      input: { UserName: 'alice', AccessKeyId: KEY },
      account: '210987654321',
    });
  });

  it("accepts every character of IAM's name grammar, up to 64 of them", () => {
    for (const name of ['a', 'svc+deploy=ci,eu.west@team-1_x', 'r'.repeat(64)]) {
      expect(parseRevocationRequest(revoke({ RoleName: name, IssuedBefore: '2026-12-01T11:00:00Z' }), NOW).input).toEqual({
        RoleName: name,
        IssuedBefore: '2026-12-01T11:00:00Z',
      });
      expect(parseRevocationRequest(deactivate({ UserName: name, AccessKeyId: KEY }), NOW).input).toEqual({
        UserName: name,
        AccessKeyId: KEY,
      });
    }
  });
});

describe('parseRevocationRequest: what it refuses', () => {
  it.each<[string, unknown, string]>([
    ['nothing', null, 'the request must be an object'],
    ['a string', 'RevokeRoleSessions', 'the request must be an object'],
    ['a field of its own', { ...revoke({}), dryRun: true, force: 1 }, 'unknown field(s): dryRun, force'],
    ['no input', { operation: 'RevokeRoleSessions' }, 'input must be an object'],
    ['a null input', { operation: 'RevokeRoleSessions', input: null }, 'input must be an object'],
    ['an input that is a string', { operation: 'RevokeRoleSessions', input: 'app' }, 'input must be an object'],
    [
      'a document of its own',
      revoke({ RoleName: 'app', IssuedBefore: '2026-12-01T11:00:00Z', PolicyDocument: '{}' }),
      'unknown input field(s): PolicyDocument',
    ],
    [
      'activating a key',
      deactivate({ UserName: 'alice', AccessKeyId: KEY, Status: 'Active', Force: true }),
      'unknown input field(s): Status, Force',
    ],
    ["a user's field in a role revocation", revoke({ RoleName: 'app', UserName: 'alice' }), 'unknown input field(s): UserName'],
    ["a role's field in a key deactivation", deactivate({ RoleName: 'app', AccessKeyId: KEY }), 'unknown input field(s): RoleName'],
    [
      'another operation',
      { operation: 'PutRolePolicy', input: {} },
      'unknown operation "PutRolePolicy": only RevokeRoleSessions and DeactivateAccessKey',
    ],
    ['no operation', { input: {} }, 'unknown operation undefined: only RevokeRoleSessions and DeactivateAccessKey'],
  ])('refuses %s', (_name, value, message) => {
    expect(refusal(value)).toBe(message);
  });

  it.each<[string, unknown]>([
    ['a number', 123456789012],
    ['eleven digits', '12345678901'],
    ['thirteen digits', '1234567890123'],
    ['a letter before the digits', 'x123456789012'],
    ['a letter after the digits', '123456789012x'],
    ['an ARN', 'arn:aws:iam::123456789012:root'],
  ])('refuses an account that is %s', (_name, account) => {
    expect(refusal(revoke({ RoleName: 'app', IssuedBefore: '2026-12-01T11:00:00Z' }, { account }))).toBe(
      'account must be a 12-digit account id',
    );
  });

  it.each<[string, unknown]>([
    ['missing', undefined],
    ['a number', 42],
    ['empty', ''],
    ['a path', 'a/b'],
    ['65 characters long', 'r'.repeat(65)],
    ['a name with a space', 'my role'],
    ['a name after a line break', 'ok\nevil'],
  ])('refuses a role and user name that is %s', (_name, name) => {
    expect(refusal(revoke({ RoleName: name, IssuedBefore: '2026-12-01T11:00:00Z' }))).toBe('RoleName is not an IAM role name');
    expect(refusal(deactivate({ UserName: name, AccessKeyId: KEY }))).toBe('UserName is not an IAM user name');
  });

  it.each<[string, unknown]>([
    ['missing', undefined],
    ['a number', Date.parse('2026-12-01T11:00:00Z')],
    ['a word', 'tomorrow'],
    ['a date without a time', '2026-12-01'],
    ['a local time (no Z)', '2026-12-01T11:00:00'],
    ['an offset instead of Z', '2026-12-01T11:00:00+01:00'],
    ['a tenth of a second', '2026-12-01T11:00:00.5Z'],
    ['text before it', 'x2026-12-01T11:00:00Z'],
    ['text after it', '2026-12-01T11:00:00Zx'],
    ['letters for digits', 'YYYY-MM-DDTHH:MM:SSZ'],
  ])('refuses a cut-off that is %s', (_name, issuedBefore) => {
    expect(refusal(revoke({ RoleName: 'app', IssuedBefore: issuedBefore }))).toBe('IssuedBefore must be an ISO-8601 UTC timestamp');
  });

  it('refuses a cut-off in the shape of a timestamp that is no date', () => {
    expect(refusal(revoke({ RoleName: 'app', IssuedBefore: '2026-13-45T11:00:00Z' }))).toBe('IssuedBefore is not a date');
  });

  it.each<[string, unknown]>([
    ['a temporary (ASIA) key: it cannot be deactivated', 'ASIAABCDEFGHIJKLMNOP'],
    ['in lower case', 'akiaabcdefghijklmnop'],
    ['one character short', 'AKIAABCDEFGHIJKLMNO'],
    ['one character long', 'AKIAABCDEFGHIJKLMNOPQ'],
    ['a long-term key id after other text', 'xAKIAABCDEFGHIJKLMNOP'],
    ['a key with a lower-case letter', 'AKIAABCDEFGHIJKLMNOp'],
    ['a number', 1234],
    ['missing', undefined],
  ])('refuses an access key id that is %s', (_name, accessKeyId) => {
    expect(refusal(deactivate({ UserName: 'alice', AccessKeyId: accessKeyId }))).toBe(
      'AccessKeyId is not a long-term access key id (AKIA…)',
    );
  });
});

describe('revocationDocument', () => {
  it('denies everything to the sessions issued before the cut-off, and nothing else', () => {
    expect(REVOKE_POLICY_NAME).toBe('eni-guard-revoke-older-sessions');
    expect(JSON.parse(revocationDocument('2026-12-01T11:59:00.000Z'))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EniGuardRevokeOlderSessions',
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-12-01T11:59:00.000Z' } },
        },
      ],
    });
  });
});
