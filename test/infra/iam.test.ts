/**
 * Every IAM statement a security review asks about, per configuration: each statement on
 * `Resource: *` and each mutating statement without a condition, with the reason it is so. A new one
 * fails this test until it is justified here, and the counts only go down (the budget is the count
 * today; lower it when a change removes one).
 */
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { grantedStatements, keyOf, mutatingWithoutCondition, onEveryResource, type GrantedStatement } from '../support/iam-inventory';
import { buildOrganization, buildStack } from '../support/synth';

const POLICIES = join(__dirname, '..', 'fixtures', 'policies');

/** Why each statement on `*` exists. */
const ON_EVERY_RESOURCE: Readonly<Record<string, string>> = {
  'ResponderRoleDefaultPolicy ReadNetworkState': 'ec2:Describe* calls have no resource-level permissions',
  'ResponderRoleDefaultPolicy ReadForRemediation': 'ec2:DescribeSecurityGroups and DescribeTags have no resource-level permissions',
  'AlertDeliveryAccountAliasLookup ReadAccountAlias': 'iam:ListAccountAliases has no resource (read-only)',
  'EbsEncryptionByDefaultEnableCustomResourcePolicy ec2:EnableEbsEncryptionByDefault':
    'an account-level setting: EnableEbsEncryptionByDefault has no resource',
  'ChatChannelRoleDefaultPolicy DrawAlarmGraphs':
    'the chat channel role: cloudwatch:GetMetricData and GetMetricWidgetImage (read-only, the graph of an alarm notification) have no resource-level permissions',
  // Organization mode: the hub.
  'ResponderRoleDefaultPolicy ReadOrganization':
    'Organizations reads (where an account sits, for scope and overlays) take the account, OU or root as a parameter; read-only',
  // Organization mode: a member account's roles.
  'RolesRemediationDefaultPolicy ReadNetworkState':
    'ec2:Describe* calls have no resource-level permissions; conditioned on the member Regions (aws:RequestedRegion)',
  'RolesRemediationDefaultPolicy ReadForRemediation':
    'ec2:DescribeSecurityGroups and DescribeTags have no resource-level permissions; conditioned on the member Regions',
  'RolesRemediationDefaultPolicy ReadAccountAlias':
    'iam:ListAccountAliases has no resource (read-only): names the member account in alerts',
};

/** Why each mutating statement has no condition: scoped to one resource of the stack's own, or IAM offers none. */
const UNCONDITIONED: Readonly<Record<string, string>> = {
  'ResponderRoleDefaultPolicy Ledger': "the stack's own ledger table (one resource)",
  'ResponderRoleDefaultPolicy HoldBurstAlerts': "the stack's own burst-window table (one resource)",
  'ResponderRoleDefaultPolicy AskTheRevoker': "invoke the stack's own revoker function (one resource); it writes only the fixed document",
  'ResponderRoleDefaultPolicy sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:SendMessage':
    "the responder's own dead-letter queue (Lambda failure destination)",
  'ResponderRoleDefaultPolicy kms:Decrypt,kms:Encrypt,kms:GenerateDataKey*,kms:ReEncrypt*':
    "the stack's one data key (CDK grants for the topic and queue)",
  'ResponderRoleDefaultPolicy logs:CreateLogStream,logs:PutLogEvents': "the functions' own log groups",
  'ResponderRoleDefaultPolicy sns:Publish': "the stack's own alert topic",
  'ResponderRevokerRoleDefaultPolicy RevokeRoleSessions':
    'IAM has no condition on a PutRolePolicy document: the revoker code writes only the fixed deny, and a Deny spares eni-guard and protected roles',
  'ResponderRevokerRoleDefaultPolicy DeactivateAccessKeys': 'IAM has no condition on the key status: the revoker code only sets Inactive',
  'ResponderRevokerRoleDefaultPolicy logs:CreateLogStream,logs:PutLogEvents': "the revoker's own log group",
  'AlertDeliveryFlusherRoleDefaultPolicy logs:CreateLogStream,logs:PutLogEvents': "the flusher's own log group",
  'AlertDeliveryFlusherRoleDefaultPolicy FlushBurstWindows': "the stack's own burst-window table",
  'AlertDeliveryFlusherRoleDefaultPolicy sns:Publish': "the stack's own alert topic",
  'AlertDeliveryFlusherRoleDefaultPolicy kms:Decrypt,kms:GenerateDataKey*': "the stack's one data key (CDK grant for the topic)",
  'EbsEncryptionByDefaultRoleDefaultPolicy logs:CreateLogStream,logs:PutLogEvents': "the custom resource's own log group",
  'FlowLogsDeliveryRoleDefaultPolicy WriteFlowLogGroup':
    "the stack's one flow-log group (one resource); the role's trust admits only VPC Flow Logs, for this account's flow logs",
  'VpcFlowLogsProviderRoleDefaultPolicy logs:CreateLogStream,logs:PutLogEvents': "the deploy-step framework function's own log group",
  'VpcFlowLogsProviderRoleDefaultPolicy lambda:InvokeFunction':
    "CDK's provider framework invokes the stack's own flow-log function (one function); Lambda offers no narrower condition",
  'EbsEncryptionByDefaultEnableCustomResourcePolicy ec2:EnableEbsEncryptionByDefault':
    'an account-level setting with no resource and no condition key',
  // Organization mode: a member account's roles.
  'RolesRevokerDefaultPolicy RevokeRoleSessions':
    'IAM has no condition on a PutRolePolicy document: the hub revoker code writes only the fixed deny, and a Deny spares eni-guard and protected roles',
  'RolesRevokerDefaultPolicy DeactivateAccessKeys': 'IAM has no condition on the key status: the hub revoker code only sets Inactive',
  'RolesUndoDefaultPolicy DeleteSessionRevocations':
    'IAM has no condition on an inline policy name: undo deletes only the revocation document the ledger recorded writing',
  'RolesUndoDefaultPolicy ReactivateAccessKeys':
    'IAM has no condition on the key status: undo sets Active only the key the ledger recorded deactivating',
  'RolesFlowLogDeliveryDefaultPolicy WriteFlowLogGroups':
    "the account's eni-guard flow-log group of each member Region (named resources); the role's trust admits only VPC Flow Logs, for this account's flow logs",
  'RolesForwarderDefaultPolicy ForwardToHubBuses':
    "events:PutEvents on the hub buses of the member Regions only (named resources); the bus policies admit only the organization's forwarder roles",
};

/**
 * Configurations, with the counts measured when this test was written (before: the counts before issue 14's
 * changes). Issue 16 (flow logs for every VPC by default) added three, each on one resource of the stack's own:
 * the delivery role's write to the flow-log group (no longer only with listed VPCs), and the deploy step's
 * framework function's log and invocation of the flow-log function.
 */
const CONFIGURATIONS: [string, Record<string, unknown>, { onStar: number; unconditioned: number }][] = [
  ['default', {}, { onStar: 3, unconditioned: 15 }], // before: 3, 17; before issue 16: 3, 12
  ['every remediation on', { 'eniGuard:policyFile': join(POLICIES, 'everything-remediates.json') }, { onStar: 4, unconditioned: 19 }], // before: 4, 26; before issue 16: 4, 16
  ['shadow mode', { 'eniGuard:policyFile': join(POLICIES, 'shadow.json') }, { onStar: 3, unconditioned: 15 }], // before: 3, 12; before issue 16: 3, 12
  // Issue 19: every integration's statement names one resource and is conditioned (lib/constructs/integrations.ts), so none is added here.
  ['Security Hub findings', { 'eniGuard:securityHub': true }, { onStar: 3, unconditioned: 15 }],
  [
    'decision events on a bus of their own',
    { 'eniGuard:decisionEvents': true, 'eniGuard:decisionEventBus': 'create' },
    { onStar: 3, unconditioned: 15 },
  ],
  // The channel role's one read on * (alarm graphs); its guardrail (CloudWatchReadOnlyAccess) caps every role in the channel.
  ['a chat channel (Slack)', { 'eniGuard:chatChannel': 'slack:T0123ABCD/C0456EFGH' }, { onStar: 4, unconditioned: 15 }],
];

describe.each(CONFIGURATIONS)('IAM with %s', (_name, context, budget) => {
  const statements = grantedStatements(buildStack(context).template);

  it('has a reason for every statement on Resource *, and no more of them than before', () => {
    const keys = statements.filter(onEveryResource).map(keyOf);
    expect(keys.filter((key) => !(key in ON_EVERY_RESOURCE))).toEqual([]);
    expect(keys.length).toBeLessThanOrEqual(budget.onStar);
  });

  it('has a reason for every mutating statement without a condition, and no more of them than before', () => {
    const keys = statements.filter(mutatingWithoutCondition).map(keyOf);
    expect(keys.filter((key) => !(key in UNCONDITIONED))).toEqual([]);
    expect(keys.length).toBeLessThanOrEqual(budget.unconditioned);
  });

  it('allows nothing mutating on Resource * but the account-level EBS setting', () => {
    const mutatingOnStar = statements.filter((s) => onEveryResource(s) && mutatingWithoutCondition(s)).map(keyOf);
    expect(mutatingOnStar).toEqual(['EbsEncryptionByDefaultEnableCustomResourcePolicy ec2:EnableEbsEncryptionByDefault']);
  });
});

/** Organization mode: the hub of the first Region and the member templates, per policy (counts when this test was written). */
const ORGANIZATION: [
  string,
  Record<string, unknown>,
  Record<'hub' | 'stackSets' | 'roles' | 'forwarding', { onStar: number; unconditioned: number }>,
][] = [
  [
    'the default policy',
    {},
    {
      hub: { onStar: 2, unconditioned: 10 },
      stackSets: { onStar: 0, unconditioned: 0 },
      roles: { onStar: 2, unconditioned: 2 }, // before issue 16: 2, 1 (the flow-log delivery role's write)
      forwarding: { onStar: 0, unconditioned: 0 },
    },
  ],
  [
    'every remediation on',
    { 'eniGuard:policyFile': join(POLICIES, 'everything-remediates.json') },
    {
      hub: { onStar: 2, unconditioned: 12 },
      stackSets: { onStar: 0, unconditioned: 0 },
      roles: { onStar: 3, unconditioned: 6 }, // before issue 16: 3, 5
      forwarding: { onStar: 0, unconditioned: 0 },
    },
  ],
  // Issue 19 in a hub: decision events from the hub's role, Security Hub through the member remediation role; each conditioned.
  [
    'Security Hub findings and decision events',
    { 'eniGuard:securityHub': true, 'eniGuard:decisionEvents': true },
    {
      hub: { onStar: 2, unconditioned: 10 },
      stackSets: { onStar: 0, unconditioned: 0 },
      roles: { onStar: 2, unconditioned: 2 }, // the flow-log delivery role's write, as with the default policy
      forwarding: { onStar: 0, unconditioned: 0 },
    },
  ],
];

describe.each(ORGANIZATION)('IAM of organization mode with %s', (_name, context, budgets) => {
  const org = buildOrganization(context);
  const stacks = { hub: org.hubs[0]!, stackSets: org.stackSets, roles: org.memberRoles, forwarding: org.memberForwarding[0]! };
  const inventory = Object.entries(stacks).map(
    ([name, stack]) => [name, grantedStatements(Template.fromStack(stack))] as [keyof typeof budgets, GrantedStatement[]],
  );

  it.each(inventory)(
    '%s: has a reason for every statement on Resource * and every unconditioned mutating one, within budget',
    (name, statements) => {
      const onStar = statements.filter(onEveryResource).map(keyOf);
      const unconditioned = statements.filter(mutatingWithoutCondition).map(keyOf);
      expect(onStar.filter((key) => !(key in ON_EVERY_RESOURCE))).toEqual([]);
      expect(unconditioned.filter((key) => !(key in UNCONDITIONED))).toEqual([]);
      expect({ onStar: onStar.length, unconditioned: unconditioned.length }).toEqual(budgets[name]);
    },
  );

  it.each(inventory)('%s: allows nothing mutating on Resource *', (_stack, statements) => {
    expect(statements.filter((s) => onEveryResource(s) && mutatingWithoutCondition(s)).map(keyOf)).toEqual([]);
  });
});
