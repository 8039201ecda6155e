/**
 * What the deployed function adds to every alert besides the decision: the account alias (one IAM
 * call per container, on the first alert only), the exact undo command and where the full record is.
 */
import { ListAccountAliasesCommand, type IAMClient } from '@aws-sdk/client-iam';
import { enrichAlert, type Alert, type AlertEnrichment } from '../core/alert';
import type { AlertPort, LogPort } from '../app/ports';

/** Where an alert's account alias comes from. */
export interface AliasSource {
  aliasOf(account: string): Promise<string | undefined>;
}

/**
 * IAM account aliases, looked up once per account and container; none when there is none or it
 * cannot be read. `clientFor` gives the IAM client of an account (the function's own, or in
 * organization mode the member role's).
 */
export class AccountAliasLookup implements AliasSource {
  private readonly aliases = new Map<string, Promise<string | undefined>>();
  private readonly clientFor: (account: string) => IAMClient;

  constructor(
    client: IAMClient | ((account: string) => IAMClient),
    private readonly log?: Pick<LogPort, 'warn'>,
  ) {
    this.clientFor = typeof client === 'function' ? client : () => client;
  }

  aliasOf(account: string): Promise<string | undefined> {
    let alias = this.aliases.get(account);
    if (!alias) {
      alias = this.clientFor(account)
        .send(new ListAccountAliasesCommand({}))
        .then(
          (out) => out.AccountAliases?.[0],
          (error: unknown) => {
            // An alias is a courtesy: without it (no permission, throttled) alerts name the account id only.
            this.log?.warn('account alias unavailable', { account, error: error instanceof Error ? error.message : String(error) });
            return undefined;
          },
        );
      this.aliases.set(account, alias);
    }
    return alias;
  }
}

/** What `EnrichingAlerts` adds. */
export interface AlertContext {
  readonly accountAlias?: AliasSource;
  /** Organization mode: the account's own OU. */
  readonly ouOf?: (account: string) => Promise<string | undefined>;
  readonly ledgerTable?: string;
  readonly logGroup?: string;
}

/** Adds what the deployed function knows to an alert: the alert port, Security Hub and decision events all say the same. */
export class AlertEnricher {
  constructor(private readonly context: AlertContext) {}

  async enrich(alert: Alert): Promise<Alert> {
    const { account } = alert.document;
    const [accountAlias, ou] = await Promise.all([
      this.context.accountAlias?.aliasOf(account),
      this.context.ouOf?.(account).catch(() => undefined),
    ]);
    const enrichment: AlertEnrichment = {
      ...(accountAlias ? { accountAlias } : {}),
      ...(ou ? { ou } : {}),
      ...(this.context.ledgerTable ? { ledgerTable: this.context.ledgerTable } : {}),
      ...(this.context.logGroup ? { logGroup: this.context.logGroup } : {}),
    };
    return enrichAlert(alert, enrichment);
  }
}

/** An alert port that enriches each alert, then passes it on. */
export class EnrichingAlerts implements AlertPort {
  private readonly enricher: AlertEnricher;

  constructor(
    private readonly next: AlertPort,
    context: AlertContext | AlertEnricher,
  ) {
    this.enricher = context instanceof AlertEnricher ? context : new AlertEnricher(context);
  }

  async publish(alert: Alert): Promise<void> {
    await this.next.publish(await this.enricher.enrich(alert));
  }
}
