/**
 * The revoker: a small function that alone may write IAM, and only as its code allows — the one
 * inline deny of a role's older sessions, or deactivating a long-term key (lambda/app/revoker.ts).
 * The responder may invoke it and nothing else of IAM's writes; IAM also refuses the revoker the
 * responder's role, its own, and the policy's protected roles and users.
 */
import * as path from 'node:path';
import { Aws, Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { GuardFunction } from './guard-function';

/** Props of `Revoker`. */
export interface RevokerProps {
  /** The responder's role: never revoked, and the only principal that may invoke the revoker. */
  readonly responderRole: iam.IRole;
  /** ARN patterns the policy protects (`rules.caller.protectedPrincipals`): never revoked. @default none */
  readonly protectedPrincipals?: readonly string[];
  /** Encrypts the log group. */
  readonly encryptionKey: kms.IKey;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** Whether roles' sessions may be revoked. @default true */
  readonly revokeRoleSessions?: boolean;
  /** Whether users' access keys may be deactivated. @default true */
  readonly deactivateAccessKeys?: boolean;
}

/** The revoker function and its role. */
export class Revoker extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: RevokerProps) {
    super(scope, id);
    const account = Aws.ACCOUNT_ID;
    const partition = Aws.PARTITION;
    const protectedPrincipals = [...(props.protectedPrincipals ?? [])];
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'eni-guard revoker: writes the fixed session-revocation policy, deactivates access keys; nothing else',
    });
    const roles = `arn:${partition}:iam::${account}:role/*`;
    const users = `arn:${partition}:iam::${account}:user/*`;
    if (props.revokeRoleSessions ?? true) {
      this.role.addToPolicy(
        new iam.PolicyStatement({ sid: 'RevokeRoleSessions', actions: ['iam:GetRole', 'iam:PutRolePolicy'], resources: [roles] }),
      );
      // Belt and braces: the code refuses these too.
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'NeverRevokeEniGuardOrProtectedRoles',
          effect: iam.Effect.DENY,
          actions: ['iam:PutRolePolicy'],
          resources: [
            props.responderRole.roleArn,
            this.role.roleArn,
            ...protectedPrincipals.filter((p) => /^arn:[^:]+:iam::[^:]*:role\//.test(p)),
          ],
        }),
      );
    }
    if (props.deactivateAccessKeys ?? true) {
      this.role.addToPolicy(
        new iam.PolicyStatement({ sid: 'DeactivateAccessKeys', actions: ['iam:GetUser', 'iam:UpdateAccessKey'], resources: [users] }),
      );
      const protectedUsers = protectedPrincipals.filter((p) => /^arn:[^:]+:iam::[^:]*:user\//.test(p));
      if (protectedUsers.length > 0) {
        this.role.addToPolicy(
          new iam.PolicyStatement({
            sid: 'NeverTouchProtectedUsers',
            effect: iam.Effect.DENY,
            actions: ['iam:UpdateAccessKey'],
            resources: protectedUsers,
          }),
        );
      }
    }
    const guard = new GuardFunction(this, 'Handler', {
      entry: path.join(__dirname, '..', '..', 'lambda', 'functions', 'revoker.ts'),
      role: this.role,
      encryptionKey: props.encryptionKey,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      // Called synchronously by the responder and the sweep, a few times an event at most.
      reservedConcurrentExecutions: 2,
      timeout: Duration.seconds(30),
      memorySize: 128,
      description: 'eni-guard revoker: the only code that may write IAM (one fixed document, key deactivation)',
      environment: {
        REVOKER_ROLE_ARN: this.role.roleArn,
        NEVER_REVOKE_ROLE_ARNS: JSON.stringify([props.responderRole.roleArn]),
        PROTECTED_PRINCIPALS: JSON.stringify(protectedPrincipals),
      },
    });
    this.function = guard.function;
    guard.logGroup.grantWrite(this.role);
    if (props.revokeRoleSessions ?? true)
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]',
        reason:
          'The role whose sessions are revoked is known only at run time; IAM cannot condition PutRolePolicy on the document, so the code allows exactly one (lambda/core/revocation.ts), and eni-guard and protected roles are denied.',
      });
    if (props.deactivateAccessKeys ?? true)
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*]',
        reason: 'The user whose access key is deactivated is known only at run time; the code only ever sets Inactive.',
      });
  }
}
