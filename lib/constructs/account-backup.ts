/**
 * AWS Backup for the account: a KMS-encrypted vault, a plan (daily at 00:00 UTC, 30 days, by
 * default) and a selection of every resource that carries the backup tag — the tag the responder
 * checks (`backup-coverage`) and can add to an instance it finds unprotected.
 */
import { Aws, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Props of `AccountBackup`. */
export interface AccountBackupProps {
  /** When backups start: an AWS Backup cron expression, in UTC. @default 'cron(0 0 * * ? *)' (daily, 00:00 UTC) */
  readonly schedule?: string;
  /** Days each recovery point is kept. @default 30 */
  readonly retentionDays?: number;
  /** Days before recovery points move to cold storage (retention must be 90 days longer). @default never */
  readonly coldStorageAfterDays?: number;
  /** ARN of a vault (another Region or account) that receives a copy of each recovery point. @default no copy */
  readonly copyToVaultArn?: string;
  /** @default 'backup' */
  readonly tagKey?: string;
  /** @default 'daily' */
  readonly tagValue?: string;
}

/** The vault, plan, tag selection and service role. */
export class AccountBackup extends Construct {
  /** Encrypts the recovery points in the vault. */
  public readonly key: kms.Key;
  public readonly vault: backup.BackupVault;
  public readonly plan: backup.BackupPlan;
  public readonly selection: backup.BackupSelection;
  /** The role AWS Backup assumes to back up the selected resources. */
  public readonly role: iam.Role;
  /** Resources tagged `tagKey=tagValue` are backed up. */
  public readonly tagKey: string;
  public readonly tagValue: string;

  constructor(scope: Construct, id: string, props: AccountBackupProps = {}) {
    super(scope, id);
    this.tagKey = props.tagKey ?? 'backup';
    this.tagValue = props.tagValue ?? 'daily';
    const retention = Duration.days(props.retentionDays ?? 30);
    const coldStorage =
      props.coldStorageAfterDays !== undefined ? { moveToColdStorageAfter: Duration.days(props.coldStorageAfterDays) } : {};

    this.key = new kms.Key(this, 'Key', {
      description: 'eni-guard: AWS Backup vault encryption',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vault = new backup.BackupVault(this, 'Vault', {
      // The vault is retained on `cdk destroy` (it holds the recovery points), so its name must not be one a
      // redeploy of the same stack would ask for again: the stack id's UUID is new with every stack.
      backupVaultName: Fn.join('-', ['eni-guard', Fn.select(2, Fn.split('/', Aws.STACK_ID))]),
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: `${Stack.of(this).stackName}-tagged-${this.tagKey}`,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Scheduled',
          backupVault: this.vault,
          scheduleExpression: events.Schedule.expression(props.schedule ?? 'cron(0 0 * * ? *)'),
          deleteAfter: retention,
          ...coldStorage,
          ...(props.copyToVaultArn
            ? {
                copyActions: [
                  {
                    destinationBackupVault: backup.BackupVault.fromBackupVaultArn(this, 'CopyTarget', props.copyToVaultArn),
                    deleteAfter: retention,
                    ...coldStorage,
                  },
                ],
              }
            : {}),
        }),
      ],
    });
    this.role = new iam.Role(this, 'Role', {
      description: 'eni-guard: AWS Backup service role for the tag selection',
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
    });
    // The selection attaches AWSBackupServiceRolePolicyForBackup to the role (no restores).
    this.selection = this.plan.addSelection('ByTag', {
      resources: [backup.BackupResource.fromTag(this.tagKey, this.tagValue)],
      role: this.role,
      allowRestores: false,
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'AWS Backup’s own service-role policy: the selection is by tag, so the role must back up any supported resource type, and AWS maintains the policy as Backup adds types.',
    });
  }
}
