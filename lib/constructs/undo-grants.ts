/**
 * What `eni-guard undo` needs in a member account: exactly the undo calls of the actions the policy
 * can lead to (`UNDO_OPERATIONS` in lambda/core/actions.ts), each scoped and conditioned as the
 * forward call is (lib/constructs/remediation-grants.ts). The member undo role carries these; the
 * operators who assume it run undo from the hub account.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { OPERATION_PERMISSIONS, UNDO_OPERATIONS, type ActionKind } from '../../lambda/core/actions';
import { TAGS } from '../../lambda/core/plan/index';
import { settingsOf, type Policy } from '../../lambda/core/policy';
import { BACKUP_COVERAGE, type BackupCoverageSettings } from '../../lambda/core/rules/backup-coverage';
import { scopedArns, type RegionScope, type RemediationGrants, type RenderedArn } from './remediation-grants';

/** The IAM actions the undo calls of `kinds` need (the table the statements below must cover exactly). */
export function undoActions(kinds: readonly ActionKind[]): string[] {
  return [...new Set(kinds.flatMap((kind) => UNDO_OPERATIONS[kind]).map((operation) => OPERATION_PERMISSIONS[operation]))].sort();
}

/** One scoped statement per undo step of the action kinds. */
export function undoGrants(
  kinds: readonly ActionKind[],
  options: { readonly policy: Policy; readonly regions: RegionScope },
): RemediationGrants {
  const scope = scopedArns(options.regions);
  const EC2 = scope.ec2;
  const IN_REGION = { StringEquals: { 'aws:RequestedRegion': scope.requestedRegion } };
  const statements: iam.PolicyStatement[] = [];
  const wildcards = new Set<string>();
  const has = (...wanted: ActionKind[]) => wanted.some((kind) => kinds.includes(kind));
  const add = (sid: string, actions: string[], resources: RenderedArn[], conditions?: Record<string, unknown>) => {
    for (const r of resources) wildcards.add(r.rendered);
    statements.push(
      new iam.PolicyStatement({
        sid,
        actions: [...actions].sort(),
        resources: resources.map((r) => r.arn),
        ...(conditions ? { conditions: scope.inRequestedRegions(conditions) } : {}),
      }),
    );
  };
  const iamArn = (type: string): RenderedArn => ({
    arn: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:${type}/*`,
    rendered: `arn:<AWS::Partition>:iam::<AWS::AccountId>:${type}/*`,
  });

  if (has('revoke-ingress')) add('ReauthorizeRevokedRules', ['ec2:AuthorizeSecurityGroupIngress'], [EC2('security-group')], IN_REGION);
  if (has('replace-groups', 'quarantine', 'isolate-instance')) {
    add(
      'RestoreInterfaceGroups',
      ['ec2:ModifyNetworkInterfaceAttribute'],
      [EC2('network-interface'), EC2('security-group'), EC2('instance')],
      IN_REGION,
    );
  } else if (has('restore-source-dest-check')) {
    add('RestoreSourceDestCheckSetting', ['ec2:ModifyNetworkInterfaceAttribute'], [EC2('network-interface')], IN_REGION);
  }
  if (has('replace-groups')) {
    // Only eni-guard's own copies: they carry the managed tag from their creation.
    add('DeleteManagedGroupCopies', ['ec2:DeleteSecurityGroup'], [EC2('security-group')], {
      StringEquals: { [`aws:ResourceTag/${TAGS.managed}`]: 'true', 'aws:RequestedRegion': scope.requestedRegion },
    });
  }
  if (has('disassociate-address')) {
    add('ReassociateElasticIps', ['ec2:AssociateAddress'], [EC2('elastic-ip'), EC2('network-interface'), EC2('instance')], IN_REGION);
  }
  if (has('enable-flow-logs')) add('DeleteEnabledFlowLogs', ['ec2:DeleteFlowLogs'], [EC2('vpc-flow-log')], IN_REGION);
  if (has('tag-for-backup')) {
    const backup = settingsOf(options.policy, BACKUP_COVERAGE) as BackupCoverageSettings;
    add('RestoreBackupTag', ['ec2:CreateTags', 'ec2:DeleteTags'], [EC2('instance')], {
      'ForAllValues:StringEquals': { 'aws:TagKeys': [backup.tagKey] },
      ...IN_REGION,
    });
  }
  if (has('tag-interface')) {
    add('RestoreInterfaceTags', ['ec2:CreateTags', 'ec2:DeleteTags'], [EC2('network-interface')], {
      'ForAllValues:StringEquals': { 'aws:TagKeys': [TAGS.remediated, TAGS.findings, TAGS.ledger] },
      ...IN_REGION,
    });
  }
  if (has('isolate-instance')) {
    add('UnmarkIsolatedInstances', ['ec2:DeleteTags'], [EC2('instance')], {
      'ForAllValues:StringEquals': { 'aws:TagKeys': [TAGS.isolated] },
      ...IN_REGION,
    });
  }
  // IAM offers no condition on an inline policy's name or on a key's status: the undo code writes only these.
  if (has('revoke-role-sessions')) add('DeleteSessionRevocations', ['iam:DeleteRolePolicy'], [iamArn('role')]);
  if (has('deactivate-access-key')) add('ReactivateAccessKeys', ['iam:UpdateAccessKey'], [iamArn('user')]);
  return { statements, wildcards: [...wildcards].sort() };
}
