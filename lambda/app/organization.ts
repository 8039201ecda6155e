/**
 * Organization mode in the hub: one responder, sweep and revoker guard every account of the target
 * OUs in this Region. Each event is routed to the responder of its account — built by the wiring
 * with that account's member-role clients and its effective policy — after AWS Organizations (never
 * the event) says the account is inside the scope.
 */
import { parseEvent } from '../core/event';
import type { EventContext } from '../core/model';
import { outsideScope, type AccountPlace, type OrganizationScope } from '../core/organization';
import { parseVpcEvent } from '../core/vpc-event';
import { parseRevocationRequest, RevocationRefusedError } from '../core/revocation';
import { forEachLimited } from './batch';
import type { LogPort, OrganizationPort, RevocationSender } from './ports';
import { unhandled, type HandleResult, type Responder } from './responder';
import type { Revoker, RevocationDone } from './revoker';
import type { Sweeper } from './sweeper';
import type { SweepSummary } from '../core/sweep';
import type { VpcEventResult, VpcFlowLogs } from './vpc-flow-logs';

/** Who the hub guards, and the Region it runs in (it receives only this Region's events). */
export interface HubSettings {
  readonly scope: OrganizationScope;
  readonly region: string;
}

/** Builds (and caches) the responder of one account in this Region: composition supplies it. */
export type ResponderOf = (place: AccountPlace) => Responder;

/** Why an account is not guarded here, from Organizations, or its place when it is. */
async function placeInScope(org: OrganizationPort, scope: OrganizationScope, account: string): Promise<AccountPlace | string> {
  const place = await org.placeOf(account);
  if (!place) return `account ${account} is not a member of organization ${scope.organizationId}`;
  return outsideScope(scope, place) ?? place;
}

/**
 * Routes each event to the responder of its account, or ignores it when the account is outside the
 * scope. With flow logs for every VPC (`vpcFlowLogsOf`), a member's CreateVpc goes, after the same
 * checks, to that account's flow-log service, which acts through the same member role.
 */
export class OrganizationResponder {
  constructor(
    private readonly org: OrganizationPort,
    private readonly responderOf: ResponderOf,
    private readonly log: LogPort,
    private readonly settings: HubSettings,
    private readonly vpcFlowLogsOf?: (place: AccountPlace) => VpcFlowLogs,
  ) {}

  async handle(event: unknown): Promise<HandleResult | VpcEventResult> {
    const vpcEvent = this.vpcFlowLogsOf ? parseVpcEvent(event) : undefined;
    if (vpcEvent && vpcEvent.kind !== 'ignored') {
      if (vpcEvent.kind === 'invalid') return unhandled(vpcEvent, event, this.log);
      const place = await this.placeOf(vpcEvent.context);
      if (typeof place === 'string') return this.ignore(vpcEvent.context, place);
      return this.vpcFlowLogsOf!(place).handleEvent(event);
    }
    const parsed = parseEvent(event);
    if (parsed.kind !== 'interfaces') return unhandled(parsed, event, this.log);
    const place = await this.placeOf(parsed.context);
    if (typeof place === 'string') return this.ignore(parsed.context, place);
    return this.responderOf(place).handleParsed(parsed);
  }

  /** The account's place when this hub guards it here, or why not. */
  private async placeOf(context: EventContext): Promise<AccountPlace | string> {
    // Members forward to the hub bus of their own Region: an event of another Region is not this hub's.
    if (context.region !== this.settings.region) return `Region ${context.region} is guarded by its own hub, not ${this.settings.region}'s`;
    return placeInScope(this.org, this.settings.scope, context.account);
  }

  private ignore(context: EventContext, detail: string): HandleResult {
    this.log.warn('event ignored', { eventId: context.eventId, reason: 'out-of-scope', detail });
    return { kind: 'ignored', reason: 'out-of-scope', detail, eventId: context.eventId };
  }
}

/** One account's sweep result, or why it could not be swept. */
export type AccountSweep =
  { readonly account: string; readonly summary: SweepSummary } | { readonly account: string; readonly error: string };

/** What a sweep of the organization found, per account. */
export interface OrganizationSweepSummary {
  readonly region: string;
  readonly accounts: number;
  readonly swept: readonly AccountSweep[];
  /** Accounts not started before the time budget ran out (the next run starts them). */
  readonly notStarted: readonly string[];
}

/** Sweeps every account of the scope in this Region, a few at a time, each through its own sweeper. */
export class OrganizationSweeper {
  constructor(
    private readonly org: OrganizationPort,
    private readonly sweeperOf: (place: AccountPlace) => Sweeper,
    private readonly log: LogPort,
    private readonly settings: HubSettings & {
      /** Accounts swept at once: bounded, to stay inside each account's EC2 rate limits and the function's memory. @default 4 */
      readonly concurrency?: number;
      /** No new account is started with less time than this left. @default 180 000 ms */
      readonly reserveMs?: number;
    },
  ) {}

  async run(run: { readonly scheduledTime: string; readonly remainingMs?: () => number }): Promise<OrganizationSweepSummary> {
    const { scope, region } = this.settings;
    const places = (await this.org.accountsBelow(scope.targetOus)).filter((place) => !outsideScope(scope, place));
    const swept: AccountSweep[] = [];
    const notStarted: string[] = [];
    const reserve = this.settings.reserveMs ?? 180_000;
    this.log.info('organization sweep started', { region, accounts: places.length });
    await forEachLimited(places, this.settings.concurrency ?? 4, async (place) => {
      if (run.remainingMs && run.remainingMs() < reserve) {
        notStarted.push(place.account);
        return;
      }
      try {
        const summary = await this.sweeperOf(place).run({
          scheduledTime: run.scheduledTime,
          account: place.account,
          region,
          ...(run.remainingMs ? { remainingMs: run.remainingMs } : {}),
        });
        swept.push({ account: place.account, summary });
      } catch (error) {
        // One account that cannot be swept (its member role missing, its summary undeliverable) never stops the others.
        const message = error instanceof Error ? error.message : String(error);
        this.log.error('account not swept', { account: place.account, region, error: message });
        swept.push({ account: place.account, error: message });
      }
    });
    const summary = { region, accounts: places.length, swept, notStarted };
    const failed = swept.filter((s) => 'error' in s).length;
    this.log[failed > 0 || notStarted.length > 0 ? 'error' : 'info']('organization sweep finished', {
      region,
      accounts: places.length,
      failed,
      notStarted: notStarted.length,
    });
    return summary;
  }
}

/**
 * The hub's revoker: a request names its account; the account must be inside the scope (Organizations
 * says so), and the revocation is then carried out there by that account's revoker, through the
 * member revoker role — with every refusal the single-account revoker makes.
 */
export class OrganizationRevoker implements RevocationSender {
  constructor(
    private readonly org: OrganizationPort,
    private readonly revokerOf: (account: string) => Revoker,
    private readonly scope: OrganizationScope,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(value: unknown): Promise<RevocationDone> {
    const request = parseRevocationRequest(value, this.now());
    if (!request.account) throw new RevocationRefusedError('in organization mode a request must name its account');
    const place = await placeInScope(this.org, this.scope, request.account);
    if (typeof place === 'string') throw new RevocationRefusedError(place);
    return this.revokerOf(request.account).send(value);
  }
}
