/**
 * A member role is assumed once per account, Region and container, shared by every concurrent
 * caller, renewed only shortly before it expires, and never cached when the assumption failed.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AssumedRoleCredentials } from '../../../lambda/adapters/assumed-role';
import { AwsCallError } from '../../../lambda/app/ports';

const ROLE = 'arn:aws:iam::111111111111:role/EniGuardMember';
const sts = mockClient(STSClient);
beforeEach(() => sts.reset());

const issued = (expiration: Date, key = 'ASIAEXAMPLE') => ({
  Credentials: { AccessKeyId: key, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: expiration },
});

describe('AssumedRoleCredentials', () => {
  it('assumes the role once for any number of concurrent callers, then reuses it', async () => {
    let clock = Date.parse('2026-12-01T12:00:00Z');
    sts.on(AssumeRoleCommand).resolves(issued(new Date(clock + 3_600_000)));
    const credentials = new AssumedRoleCredentials(new STSClient({}), ROLE, 'eni-guard-hub', () => clock);
    const first = await Promise.all(Array.from({ length: 25 }, () => credentials.provider()));
    clock += 50 * 60_000; // 50 minutes on: still 10 minutes before expiry
    await credentials.provider();
    expect(credentials.assumptions).toBe(1);
    expect(new Set(first.map((c) => c.accessKeyId))).toEqual(new Set(['ASIAEXAMPLE']));
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toEqual({
      RoleArn: ROLE,
      RoleSessionName: 'eni-guard-hub',
      DurationSeconds: 3600,
    });
  });

  it('renews the credentials shortly before they expire', async () => {
    let clock = Date.parse('2026-12-01T12:00:00Z');
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(issued(new Date(clock + 3_600_000), 'ASIAFIRST'))
      .resolvesOnce(issued(new Date(clock + 7_200_000), 'ASIASECOND'));
    const credentials = new AssumedRoleCredentials(new STSClient({}), ROLE, 'eni-guard-hub', () => clock);
    expect((await credentials.provider()).accessKeyId).toBe('ASIAFIRST');
    clock += 56 * 60_000; // four minutes before expiry
    expect((await credentials.provider()).accessKeyId).toBe('ASIASECOND');
    expect(credentials.assumptions).toBe(2);
  });

  it('keeps no failed assumption: the error names the call, and the next caller tries again', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }))
      .resolves(issued(new Date(Date.now() + 3_600_000)));
    const credentials = new AssumedRoleCredentials(new STSClient({}), ROLE, 'eni-guard-hub');
    const failure = await credentials.provider().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AwsCallError);
    expect(String(failure)).toMatch(/AssumeRole/);
    expect((await credentials.provider()).accessKeyId).toBe('ASIAEXAMPLE');
    expect(credentials.assumptions).toBe(2);
  });

  it('refuses an answer without credentials', async () => {
    sts.on(AssumeRoleCommand).resolves({});
    const credentials = new AssumedRoleCredentials(new STSClient({}), ROLE, 'eni-guard-hub');
    await expect(credentials.provider()).rejects.toThrow(/returned no credentials/);
  });
});
