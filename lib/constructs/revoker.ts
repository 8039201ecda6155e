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
  /**
   * Organization mode: the hub's revoker holds no IAM permission of its own; it assumes the member
   * accounts' revoker role, which carries `revocationStatements`. @default account mode
   */
  readonly organization?: RevokerOrganization;
}

/** A hub revoker's role and what it may assume. */
export interface RevokerOrganization {
  /** The role's fixed name: member revoker roles trust it by ARN. */
  readonly roleName: string;
  readonly organizationId: string;
  /** The member revoker role's name (the same in every account). */
  readonly memberRevokerRoleName: string;
  /** The organization contract the functions read (SCOPE, ORGANIZATION_ID, …). */
  readonly environment: Readonly<Record<string, string>>;
}

/** What the revocation statements are derived from. */
export interface RevocationStatementOptions {
  /** Roles whose sessions may be revoked. */
  readonly revokeRoleSessions: boolean;
  /** Users whose access keys may be deactivated. */
  readonly deactivateAccessKeys: boolean;
  /** eni-guard's own roles in this account: IAM refuses to write a revocation on them. */
  readonly neverRevokeRoleArns: readonly string[];
  /** ARN patterns the policy protects (`rules.caller.protectedPrincipals`). */
  readonly protectedPrincipals: readonly string[];
}

/**
 * The revoker's IAM, in this account (`AWS::AccountId`): the account-mode revoker's role and the
 * member revoker role carry exactly these, so the two cannot drift.
 */
export function revocationStatements(options: RevocationStatementOptions): iam.PolicyStatement[] {
  const roles = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/*`;
  const users = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:user/*`;
  const statements: iam.PolicyStatement[] = [];
  if (options.revokeRoleSessions) {
    statements.push(
      new iam.PolicyStatement({ sid: 'RevokeRoleSessions', actions: ['iam:GetRole', 'iam:PutRolePolicy'], resources: [roles] }),
    );
    // Belt and braces: the code refuses these too.
    statements.push(
      new iam.PolicyStatement({
        sid: 'NeverRevokeEniGuardOrProtectedRoles',
        effect: iam.Effect.DENY,
        actions: ['iam:PutRolePolicy'],
        resources: [...options.neverRevokeRoleArns, ...options.protectedPrincipals.filter((p) => /^arn:[^:]+:iam::[^:]*:role\//.test(p))],
      }),
    );
  }
  if (options.deactivateAccessKeys) {
    statements.push(
      new iam.PolicyStatement({ sid: 'DeactivateAccessKeys', actions: ['iam:GetUser', 'iam:UpdateAccessKey'], resources: [users] }),
    );
    const protectedUsers = options.protectedPrincipals.filter((p) => /^arn:[^:]+:iam::[^:]*:user\//.test(p));
    if (protectedUsers.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'NeverTouchProtectedUsers',
          effect: iam.Effect.DENY,
          actions: ['iam:UpdateAccessKey'],
          resources: protectedUsers,
        }),
      );
    }
  }
  return statements;
}

/** The cdk-nag acknowledgements of `revocationStatements`. */
export function revocationAcknowledgements(options: Pick<RevocationStatementOptions, 'revokeRoleSessions' | 'deactivateAccessKeys'>) {
  return [
    ...(options.revokeRoleSessions
      ? [
          {
            id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]',
            reason:
              'The role whose sessions are revoked is known only at run time; IAM cannot condition PutRolePolicy on the document, so the code allows exactly one (lambda/core/revocation.ts), and eni-guard and protected roles are denied.',
          },
        ]
      : []),
    ...(options.deactivateAccessKeys
      ? [
          {
            id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*]',
            reason: 'The user whose access key is deactivated is known only at run time; the code only ever sets Inactive.',
          },
        ]
      : []),
  ];
}

/** The revoker function and its role. */
export class Revoker extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: RevokerProps) {
    super(scope, id);
    const protectedPrincipals = [...(props.protectedPrincipals ?? [])];
    const org = props.organization;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: org
        ? 'eni-guard hub revoker: assumes the member revoker roles of the organization; nothing else'
        : 'eni-guard revoker: writes the fixed session-revocation policy, deactivates access keys; nothing else',
      ...(org ? { roleName: org.roleName } : {}),
    });
    const can = {
      revokeRoleSessions: props.revokeRoleSessions ?? true,
      deactivateAccessKeys: props.deactivateAccessKeys ?? true,
    };
    if (org) {
      // The writes themselves are the member revoker role's, in the account of the principal revoked.
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'AssumeMemberRevokerRoles',
          actions: ['sts:AssumeRole'],
          resources: [`arn:${Aws.PARTITION}:iam::*:role/${org.memberRevokerRoleName}`],
          conditions: { StringEquals: { 'aws:ResourceOrgID': org.organizationId } },
        }),
      );
    } else {
      const statements = revocationStatements({
        ...can,
        neverRevokeRoleArns: [props.responderRole.roleArn, this.role.roleArn],
        protectedPrincipals,
      });
      for (const statement of statements) this.role.addToPolicy(statement);
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
        ...(org?.environment ?? {}),
      },
    });
    this.function = guard.function;
    guard.logGroup.grantWrite(this.role);
    if (org) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${org.memberRevokerRoleName}]`,
        reason:
          'The one member revoker role of every guarded account, by name; the account is known only per request, and aws:ResourceOrgID keeps it inside the organization.',
      });
    } else {
      for (const acknowledgement of revocationAcknowledgements(can)) Validations.of(this.role).acknowledge(acknowledgement);
    }
  }
}
