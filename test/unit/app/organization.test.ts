/**
 * The hub routes an event to its account's responder only when AWS Organizations — never the event —
 * places the account inside the scope; sweeps every account of the scope without one failure
 * stopping the others; and revokes only inside the scope.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogPort, OrganizationPort } from '../../../lambda/app/ports';
import { OrganizationResponder, OrganizationRevoker, OrganizationSweeper } from '../../../lambda/app/organization';
import type { Responder } from '../../../lambda/app/responder';
import type { Revoker } from '../../../lambda/app/revoker';
import type { Sweeper } from '../../../lambda/app/sweeper';
import type { AccountPlace } from '../../../lambda/core/organization';
import { RevocationRefusedError } from '../../../lambda/core/revocation';

const ORG = 'o-abc1234567';
const ROOT = 'r-ab12';
const WORKLOADS = 'ou-ab12-workload';
const SANDBOX = 'ou-ab12-sandbox1';
const scope = { organizationId: ORG, targetOus: [WORKLOADS], excludedAccounts: ['333333333333'] };
const quiet: LogPort = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** An organization: 111… and 333… in Workloads (333… excluded), 222… in Sandbox, 444… in Workloads/Payments, 999… not a member. */
function organization(): OrganizationPort & { lookups: string[] } {
  const places: Record<string, string[]> = {
    '111111111111': [ROOT, WORKLOADS],
    '222222222222': [ROOT, SANDBOX],
    '333333333333': [ROOT, WORKLOADS],
    '444444444444': [ROOT, WORKLOADS, 'ou-ab12-payments'],
  };
  const lookups: string[] = [];
  const placeOf = (account: string): AccountPlace | undefined =>
    places[account] ? { account, organizationId: ORG, path: places[account] } : undefined;
  return {
    lookups,
    placeOf: (account) => (lookups.push(account), Promise.resolve(placeOf(account))),
    accountsBelow: () => Promise.resolve(Object.keys(places).map((account) => placeOf(account)!)),
  };
}

const example = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', 'examples', 'events', 'create-network-interface.json'), 'utf8'),
) as {
  account: string;
  region: string;
  detail: { recipientAccountId: string; awsRegion: string; userIdentity: { accountId: string; arn: string } };
};

/** The example CreateNetworkInterface record, as if made in `account` and `region`. */
function eventIn(account: string, region = 'eu-west-1') {
  const event = structuredClone(example);
  event.account = account;
  event.region = region;
  event.detail.recipientAccountId = account;
  event.detail.awsRegion = region;
  event.detail.userIdentity.accountId = account;
  event.detail.userIdentity.arn = `arn:aws:iam::${account}:user/alice`;
  return event;
}

/** A responder per account that records what it was given. */
function responders() {
  const routed: { account: string; path: readonly string[] }[] = [];
  const responderOf = (place: AccountPlace) =>
    ({
      handleParsed: (parsed: { context: { account: string } }) => {
        routed.push({ account: parsed.context.account, path: place.path });
        return Promise.resolve({ kind: 'decided', eventId: 'e', decisions: [] });
      },
    }) as unknown as Responder;
  return { routed, responderOf };
}

describe('OrganizationResponder', () => {
  const hub = () => {
    const org = organization();
    const { routed, responderOf } = responders();
    return { org, routed, router: new OrganizationResponder(org, responderOf, quiet, { scope, region: 'eu-west-1' }) };
  };

  it.each([
    ['an account directly in a target OU', '111111111111', [ROOT, WORKLOADS]],
    ['an account nested below a target OU', '444444444444', [ROOT, WORKLOADS, 'ou-ab12-payments']],
  ])('routes %s to that account’s responder, with its OU path from Organizations', async (_name, account, path) => {
    const { router, routed } = hub();
    expect(await router.handle(eventIn(account))).toMatchObject({ kind: 'decided' });
    expect(routed).toEqual([{ account, path }]);
  });

  it.each([
    ['an account in another OU', '222222222222', /outside the target OUs/],
    ['an excluded account', '333333333333', /excluded/],
    ['an account that is not a member', '999999999999', /not a member of organization o-abc1234567/],
  ])('ignores %s, acting on nothing', async (_name, account, why) => {
    const { router, routed } = hub();
    const result = await router.handle(eventIn(account));
    expect(result).toMatchObject({ kind: 'ignored', reason: 'out-of-scope' });
    expect(result.kind === 'ignored' && result.detail).toMatch(why);
    expect(routed).toEqual([]);
  });

  it('ignores another Region’s event (its own hub guards it) without asking Organizations', async () => {
    const { router, routed, org } = hub();
    expect(await router.handle(eventIn('111111111111', 'us-east-1'))).toMatchObject({ kind: 'ignored', reason: 'out-of-scope' });
    expect(routed).toEqual([]);
    expect(org.lookups).toEqual([]);
  });

  it('never takes the account from the caller or the event’s claims: an envelope that disagrees with its record is rejected', async () => {
    const { router, routed, org } = hub();
    // An out-of-scope sender relabels the envelope as an in-scope account: the record still names its own.
    const forged = { ...eventIn('222222222222'), account: '111111111111' };
    expect(await router.handle(forged)).toMatchObject({ kind: 'invalid' });
    expect(routed).toEqual([]);
    expect(org.lookups).toEqual([]);
  });

  it('rejects a malformed event before any lookup', async () => {
    const { router, org } = hub();
    const malformed = eventIn('111111111111');
    malformed.detail.recipientAccountId = '1111; DROP';
    expect(await router.handle(malformed)).toMatchObject({ kind: 'invalid' });
    expect(org.lookups).toEqual([]);
  });
});

describe('OrganizationSweeper', () => {
  const summary = (account: string) => ({ account }) as never;

  it('sweeps each account of the scope once, and one that fails never stops the others', async () => {
    const started: string[] = [];
    const sweeperOf = (place: AccountPlace) =>
      ({
        run: (run: { account: string; region: string }) => {
          started.push(`${run.account}/${run.region}`);
          if (place.account === '444444444444') return Promise.reject(new Error('AssumeRole: AccessDenied'));
          return Promise.resolve(summary(place.account));
        },
      }) as unknown as Sweeper;
    const sweeper = new OrganizationSweeper(organization(), sweeperOf, quiet, { scope, region: 'eu-west-1', concurrency: 2 });
    const result = await sweeper.run({ scheduledTime: '2026-12-01T00:00:00Z' });
    // 222… (Sandbox) and 333… (excluded) are outside the scope.
    expect(started.sort()).toEqual(['111111111111/eu-west-1', '444444444444/eu-west-1']);
    expect(result.accounts).toBe(2);
    expect(result.swept).toEqual(
      expect.arrayContaining([
        { account: '111111111111', summary: summary('111111111111') },
        { account: '444444444444', error: 'AssumeRole: AccessDenied' },
      ]),
    );
    expect(result.notStarted).toEqual([]);
  });

  it('starts no account once the time budget is spent, and says which it left for the next run', async () => {
    let remaining = 200_000;
    const sweeperOf = (place: AccountPlace) =>
      ({
        run: () => {
          remaining = 100_000; // the first account used most of the time
          return Promise.resolve(summary(place.account));
        },
      }) as unknown as Sweeper;
    const sweeper = new OrganizationSweeper(organization(), sweeperOf, quiet, { scope, region: 'eu-west-1', concurrency: 1 });
    const result = await sweeper.run({ scheduledTime: '2026-12-01T00:00:00Z', remainingMs: () => remaining });
    expect(result.swept).toHaveLength(1);
    expect(result.notStarted).toHaveLength(1);
  });
});

describe('OrganizationRevoker', () => {
  const request = (account?: string) => ({
    operation: 'RevokeRoleSessions',
    input: { RoleName: 'app', IssuedBefore: '2026-12-01T11:59:00.000Z' },
    ...(account ? { account } : {}),
  });
  const revokers = () => {
    const sent: string[] = [];
    const revokerOf = (account: string) =>
      ({ send: () => (sent.push(account), Promise.resolve({ operation: 'RevokeRoleSessions' })) }) as unknown as Revoker;
    return { sent, revoker: new OrganizationRevoker(organization(), revokerOf, scope, () => new Date('2026-12-01T12:00:00Z')) };
  };

  it('carries out a request in its account when that account is inside the scope', async () => {
    const { sent, revoker } = revokers();
    await revoker.send(request('111111111111'));
    expect(sent).toEqual(['111111111111']);
  });

  it.each([
    ['names no account', undefined, /must name its account/],
    ['names an account outside the target OUs', '222222222222', /outside the target OUs/],
    ['names an excluded account', '333333333333', /excluded/],
    ['names an account outside the organization', '999999999999', /not a member/],
  ])('refuses a request that %s', async (_name, account, why) => {
    const { sent, revoker } = revokers();
    await expect(revoker.send(request(account))).rejects.toThrow(RevocationRefusedError);
    await expect(revoker.send(request(account))).rejects.toThrow(why);
    expect(sent).toEqual([]);
  });
});
