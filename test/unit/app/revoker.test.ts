/**
 * The revoker holds the IAM writes IAM cannot scope. Whatever it is asked, it writes at most the one
 * fixed document, on a role of its account that is neither eni-guard's nor protected, or deactivates
 * (never activates) one long-term key.
 */
import fc from 'fast-check';
import type { LogPort, RevocationPort } from '../../../lambda/app/ports';
import { Revoker } from '../../../lambda/app/revoker';
import { REVOKE_POLICY_NAME, RevocationRefusedError, revocationDocument } from '../../../lambda/core/revocation';

const ACCOUNT = '123456789012';
const NOW = new Date('2026-12-01T12:00:00Z');
const quiet: LogPort = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** An IAM where every role and user exists in `account`, recording the writes. */
function fakeIam(account = ACCOUNT) {
  const writes: { op: string; args: string[] }[] = [];
  const iam: RevocationPort = {
    roleArn: (name) => Promise.resolve(name === 'ghost' ? undefined : `arn:aws:iam::${account}:role/${name}`),
    userArn: (name) => Promise.resolve(name === 'ghost' ? undefined : `arn:aws:iam::${account}:user/${name}`),
    putRolePolicy: (...args) => (writes.push({ op: 'PutRolePolicy', args }), Promise.resolve()),
    deactivateAccessKey: (...args) => (writes.push({ op: 'DeactivateAccessKey', args }), Promise.resolve()),
  };
  return { iam, writes };
}

const revoker = (iam: RevocationPort) =>
  new Revoker(
    iam,
    {
      account: ACCOUNT,
      neverRevoke: [`arn:aws:iam::${ACCOUNT}:role/EniGuardResponder`],
      protectedPrincipals: [`arn:aws:iam::${ACCOUNT}:role/BreakGlass*`],
      now: () => NOW,
    },
    quiet,
  );

describe('Revoker', () => {
  it('writes the fixed deny of sessions issued before the cut-off, and nothing else', async () => {
    const { iam, writes } = fakeIam();
    await revoker(iam).send({ operation: 'RevokeRoleSessions', input: { RoleName: 'app', IssuedBefore: '2026-12-01T11:59:00.000Z' } });
    expect(writes).toEqual([{ op: 'PutRolePolicy', args: ['app', REVOKE_POLICY_NAME, revocationDocument('2026-12-01T11:59:00.000Z')] }]);
  });

  it('deactivates a long-term key', async () => {
    const { iam, writes } = fakeIam();
    await revoker(iam).send({ operation: 'DeactivateAccessKey', input: { UserName: 'alice', AccessKeyId: 'AKIAABCDEFGHIJKLMNOP' } });
    expect(writes).toEqual([{ op: 'DeactivateAccessKey', args: ['alice', 'AKIAABCDEFGHIJKLMNOP'] }]);
  });

  // The request's own checks (fields, names, key ids, cut-offs) are test/unit/core/revocation.test.ts;
  // here, that the revoker refuses whom it must and that a refused request writes nothing.
  it.each<[string, unknown, RegExp]>([
    [
      'the responder role',
      { operation: 'RevokeRoleSessions', input: { RoleName: 'EniGuardResponder', IssuedBefore: '2026-12-01T11:00:00Z' } },
      /own role/,
    ],
    [
      'a protected role',
      { operation: 'RevokeRoleSessions', input: { RoleName: 'BreakGlassAdmin', IssuedBefore: '2026-12-01T11:00:00Z' } },
      /protected/,
    ],
    [
      'a role that does not exist',
      { operation: 'RevokeRoleSessions', input: { RoleName: 'ghost', IssuedBefore: '2026-12-01T11:00:00Z' } },
      /does not exist/,
    ],
    [
      'activating a key',
      { operation: 'DeactivateAccessKey', input: { UserName: 'alice', AccessKeyId: 'AKIAABCDEFGHIJKLMNOP', Status: 'Active' } },
      /unknown input/,
    ],
    [
      'a temporary key',
      { operation: 'DeactivateAccessKey', input: { UserName: 'alice', AccessKeyId: 'ASIAABCDEFGHIJKLMNOP' } },
      /long-term/,
    ],
  ])('refuses %s and writes nothing', async (_name, request, reason) => {
    const { iam, writes } = fakeIam();
    await expect(revoker(iam).send(request)).rejects.toThrow(reason);
    await expect(revoker(iam).send(request)).rejects.toBeInstanceOf(RevocationRefusedError);
    expect(writes).toEqual([]);
  });

  it("refuses a principal of another account (IAM names another account's role)", async () => {
    const { iam, writes } = fakeIam('999999999999');
    await expect(
      revoker(iam).send({ operation: 'RevokeRoleSessions', input: { RoleName: 'Admin', IssuedBefore: '2026-12-01T11:00:00Z' } }),
    ).rejects.toThrow(/not of account 123456789012/);
    expect(writes).toEqual([]);
  });

  it('whatever it is sent, writes at most the fixed document with a past cut-off, or one deactivation', async () => {
    const request = fc.oneof(
      fc.anything(),
      fc.record({
        operation: fc.constantFrom('RevokeRoleSessions', 'DeactivateAccessKey', 'PutRolePolicy'),
        input: fc.dictionary(
          fc.constantFrom('RoleName', 'IssuedBefore', 'UserName', 'AccessKeyId', 'PolicyDocument', 'Status'),
          fc.oneof(
            fc.string(),
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            fc.constant('AKIAABCDEFGHIJKLMNOP'),
          ),
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(request, async (value) => {
        const { iam, writes } = fakeIam();
        await revoker(iam)
          .send(value)
          .catch(() => undefined);
        expect(writes.length).toBeLessThanOrEqual(1);
        for (const write of writes) {
          if (write.op === 'PutRolePolicy') {
            const [, name, document] = write.args;
            expect(name).toBe(REVOKE_POLICY_NAME);
            const cutOff = JSON.parse(document!).Statement[0].Condition.DateLessThan['aws:TokenIssueTime'] as string;
            expect(document).toBe(revocationDocument(cutOff));
            expect(Date.parse(cutOff)).toBeLessThanOrEqual(NOW.getTime() + 5 * 60_000);
          } else {
            expect(write.op).toBe('DeactivateAccessKey');
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
