/**
 * The revoker function as it deploys — bundled, in a fresh process — against moto's IAM: it writes
 * the one fixed revocation, deactivates a key, and refuses eni-guard's own role, protected
 * principals and anything its contract does not allow, leaving IAM untouched.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { bundleHandler, REVOKER_ENTRY, type Bundle } from '../../scripts/lib/bundle';
import { assertMotoInstalled, startMoto, type Moto } from '../../scripts/lib/moto';
import { EMULATOR_ENV } from '../../scripts/lib/sandbox';
import { invokeBundle } from '../support/invoke';

const ACCOUNT = '123456789012';
let moto: Moto;
let iam: IAMClient;
let bundle: Bundle;
let responderRole: string;

beforeAll(async () => {
  assertMotoInstalled();
  [moto, bundle] = await Promise.all([
    startMoto(),
    bundleHandler(mkdtempSync(join(tmpdir(), 'eni-guard-revoker-')), undefined, REVOKER_ENTRY),
  ]);
  iam = new IAMClient({
    endpoint: moto.endpoint,
    region: EMULATOR_ENV.AWS_REGION,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  responderRole = await role('EniGuardResponder');
}, 90_000);
afterAll(() => moto.stop());

async function role(name: string): Promise<string> {
  const out = await iam.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }) }),
  );
  return out.Role!.Arn!;
}

const revoker = (event: unknown) =>
  invokeBundle(bundle.entry, event, {
    ...EMULATOR_ENV,
    AWS_ENDPOINT_URL: moto.endpoint,
    REVOKER_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/EniGuardRevoker`,
    NEVER_REVOKE_ROLE_ARNS: JSON.stringify([responderRole]),
    PROTECTED_PRINCIPALS: JSON.stringify([`arn:aws:iam::${ACCOUNT}:role/BreakGlass*`, `arn:aws:iam::${ACCOUNT}:user/ops`]),
  });
const inlinePolicies = async (name: string) => (await iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames ?? [];

describe('the revoker function against moto', () => {
  it("revokes a role's sessions with the one fixed document", async () => {
    await role('app');
    const cutOff = new Date(Date.now() - 1000).toISOString();
    const run = await revoker({ operation: 'RevokeRoleSessions', input: { RoleName: 'app', IssuedBefore: cutOff } });
    expect(run).toMatchObject({ ok: true, result: { operation: 'RevokeRoleSessions', principalArn: `arn:aws:iam::${ACCOUNT}:role/app` } });
    const policy = await iam.send(new GetRolePolicyCommand({ RoleName: 'app', PolicyName: 'eni-guard-revoke-older-sessions' }));
    expect(JSON.parse(decodeURIComponent(policy.PolicyDocument!))).toMatchObject({
      Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': cutOff } } }],
    });
  });

  it('deactivates a long-term access key, and only that', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'mallory' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'mallory' }))).AccessKey!.AccessKeyId!;
    const run = await revoker({ operation: 'DeactivateAccessKey', input: { UserName: 'mallory', AccessKeyId: key } });
    expect(run.ok).toBe(true);
    expect((await iam.send(new ListAccessKeysCommand({ UserName: 'mallory' }))).AccessKeyMetadata![0]!.Status).toBe('Inactive');
  });

  it.each<[string, () => Promise<unknown>, RegExp]>([
    [
      "the responder's role",
      () =>
        Promise.resolve({
          operation: 'RevokeRoleSessions',
          input: { RoleName: 'EniGuardResponder', IssuedBefore: new Date().toISOString() },
        }),
      /own role/,
    ],
    [
      'a protected role',
      async () => (
        await role('BreakGlassAdmin'),
        { operation: 'RevokeRoleSessions', input: { RoleName: 'BreakGlassAdmin', IssuedBefore: new Date().toISOString() } }
      ),
      /protected/,
    ],
    [
      'a cut-off in the future',
      async () => (
        await role('future'),
        { operation: 'RevokeRoleSessions', input: { RoleName: 'future', IssuedBefore: '2099-01-01T00:00:00Z' } }
      ),
      /future/,
    ],
    [
      'a document of its own',
      async () => (
        await role('custom'),
        {
          operation: 'RevokeRoleSessions',
          input: {
            RoleName: 'custom',
            IssuedBefore: new Date().toISOString(),
            PolicyDocument: '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
          },
        }
      ),
      /unknown input/,
    ],
  ])('refuses %s and writes nothing', async (_name, request, reason) => {
    const event = (await request()) as { input: { RoleName: string } };
    const run = await revoker(event);
    expect(run.ok).toBe(false);
    expect(run.error).toMatch(reason);
    expect(await inlinePolicies(event.input.RoleName)).toEqual([]);
  });
});
