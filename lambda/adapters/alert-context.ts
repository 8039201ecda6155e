/**
 * What the deployed function adds to every alert besides the decision: the account alias (one IAM
 * call per container, on the first alert only), the exact undo command and where the full record is.
 */
import { ListAccountAliasesCommand, type IAMClient } from '@aws-sdk/client-iam';
import { enrichAlert, type Alert, type AlertEnrichment } from '../core/alert';
import type { AlertPort, LogPort } from '../app/ports';

/** The account's IAM alias, looked up once per container; none when there is none or it cannot be read. */
export class AccountAliasLookup {
  private alias?: Promise<string | undefined>;

  constructor(
    private readonly client: IAMClient,
    private readonly log?: Pick<LogPort, 'warn'>,
  ) {}

  get(): Promise<string | undefined> {
    this.alias ??= this.client.send(new ListAccountAliasesCommand({})).then(
      (out) => out.AccountAliases?.[0],
      (error: unknown) => {
        // An alias is a courtesy: without it (no permission, throttled) alerts name the account id only.
        this.log?.warn('account alias unavailable', { error: error instanceof Error ? error.message : String(error) });
        return undefined;
      },
    );
    return this.alias;
  }
}

/** What `EnrichingAlerts` adds. */
export interface AlertContext {
  readonly accountAlias?: AccountAliasLookup;
  readonly ledgerTable?: string;
  readonly logGroup?: string;
}

/** Adds what the deployed function knows to an alert: the alert port, Security Hub and decision events all say the same. */
export class AlertEnricher {
  constructor(private readonly context: AlertContext) {}

  async enrich(alert: Alert): Promise<Alert> {
    const accountAlias = await this.context.accountAlias?.get();
    const enrichment: AlertEnrichment = {
      ...(accountAlias ? { accountAlias } : {}),
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
