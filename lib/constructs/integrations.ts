/**
 * Where decisions go besides the alert topic: AWS Security Hub findings and EventBridge decision
 * events (both opt-in). The responder and the sweep share one role, so the grants are made once on
 * it and both functions get the environment (in organization mode the Security Hub grants are the
 * member roles', where the findings are imported). Each statement names its one resource and
 * carries the conditions AWS offers for it:
 * - `securityhub:BatchImportFindings` on this account's default product, `securityhub:TargetAccount` = this account;
 * - `securityhub:BatchUpdateFindings` on this account's hub, only to set `Workflow.Status` to `RESOLVED`
 *   (and never severity, types, notes or verification state — the customer's fields);
 * - `events:PutEvents` on the one bus, only with `source: eni-guard` and `detail-type: eni-guard Decision`.
 */
import { Aws } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { decisionEventJsonSchema } from '../../lambda/core/alert-schema';
import { DECISION_EVENT_DETAIL_TYPE, DECISION_EVENT_SOURCE } from '../../lambda/core/decision-event';

/** Props of `Integrations`. */
export interface IntegrationsProps {
  /** The responder's role (the sweep runs as it too). */
  readonly role: iam.IRole;
  /** The functions that decide (the responder, the sweep): they get the environment. */
  readonly functions: readonly lambda.Function[];
  /** Import findings into Security Hub. @default false */
  readonly securityHub?: boolean;
  /**
   * Organization mode: each finding is imported in its own account, through that account's member
   * role (which member-roles.ts grants the same statements): the hub's role gets none. @default false
   */
  readonly securityHubThroughMemberRoles?: boolean;
  /** Put decisions on the account's default bus, or on a bus this construct creates. @default none */
  readonly decisionEvents?: { readonly bus: 'default' | 'create' };
}

/** Security Hub findings and decision events. */
export class Integrations extends Construct {
  /** The bus decision events go to. */
  public readonly eventBus?: events.IEventBus;
  /** The schema registry that holds the decision event's schema. */
  public readonly schemaRegistry?: eventschemas.CfnRegistry;
  /** The environment given to the functions. */
  public readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: IntegrationsProps) {
    super(scope, id);
    const { REGION: region, ACCOUNT_ID: account, PARTITION: partition } = Aws;
    const environment: Record<string, string> = {};

    if (props.securityHub) {
      if (!props.securityHubThroughMemberRoles) {
        for (const statement of securityHubStatements({ account, regions: [region] })) props.role.addToPrincipalPolicy(statement);
      }
      environment['SECURITY_HUB_FINDINGS'] = 'true';
    }

    if (props.decisionEvents) {
      const bus =
        props.decisionEvents.bus === 'create'
          ? new events.EventBus(this, 'DecisionBus', { description: 'eni-guard: one event per decision (source eni-guard)' })
          : events.EventBus.fromEventBusArn(this, 'DefaultBus', `arn:${partition}:events:${region}:${account}:event-bus/default`);
      this.eventBus = bus;
      props.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'PutDecisionEvents',
          actions: ['events:PutEvents'],
          resources: [bus.eventBusArn],
          conditions: { StringEquals: { 'events:source': DECISION_EVENT_SOURCE, 'events:detail-type': DECISION_EVENT_DETAIL_TYPE } },
        }),
      );
      environment['DECISION_EVENT_BUS'] = bus.eventBusArn;
      // The schema, where EventBridge's console and code bindings look for it (registries and custom schemas cost nothing).
      this.schemaRegistry = new eventschemas.CfnRegistry(this, 'SchemaRegistry', {
        registryName: `eni-guard-${Aws.STACK_NAME}`,
        description: 'eni-guard: the decision event schema',
      });
      new eventschemas.CfnSchema(this, 'DecisionSchema', {
        registryName: this.schemaRegistry.attrRegistryName,
        schemaName: 'eni-guard@Decision',
        type: 'JSONSchemaDraft4',
        description: 'eni-guard Decision: the alert document (alert/schema.json) as the detail of an EventBridge event',
        content: JSON.stringify(decisionEventJsonSchema()),
      });
    }

    this.environment = environment;
    for (const fn of props.functions) for (const [name, value] of Object.entries(environment)) fn.addEnvironment(name, value);
  }
}

/**
 * The two Security Hub statements of the role that imports an account's findings: its own (account
 * mode) or a member role (organization mode, `regions` = the member Regions). Each names the one
 * resource per Region and carries the conditions Security Hub offers for it.
 */
export function securityHubStatements(where: { readonly account: string; readonly regions: readonly string[] }): iam.PolicyStatement[] {
  const { PARTITION: partition } = Aws;
  const { account, regions } = where;
  return [
    new iam.PolicyStatement({
      sid: 'ImportSecurityHubFindings',
      actions: ['securityhub:BatchImportFindings'],
      // The custom-integration product of the account (lambda/core/asff.ts productArnOf); findings only for the account.
      resources: regions.map((region) => `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`),
      conditions: { StringEquals: { 'securityhub:TargetAccount': account } },
    }),
    new iam.PolicyStatement({
      sid: 'ResolveSecurityHubFindings',
      actions: ['securityhub:BatchUpdateFindings'],
      resources: regions.map((region) => `arn:${partition}:securityhub:${region}:${account}:hub/default`),
      conditions: {
        StringEquals: { 'securityhub:ASFFSyntaxPath/Workflow.Status': 'RESOLVED' },
        // The request may carry nothing else: the customer's fields stay the customer's.
        Null: {
          'securityhub:ASFFSyntaxPath/Severity.Label': 'true',
          'securityhub:ASFFSyntaxPath/Note.Text': 'true',
          'securityhub:ASFFSyntaxPath/VerificationState': 'true',
          'securityhub:ASFFSyntaxPath/Types': 'true',
          'securityhub:ASFFSyntaxPath/Confidence': 'true',
          'securityhub:ASFFSyntaxPath/Criticality': 'true',
        },
      },
    }),
  ];
}
