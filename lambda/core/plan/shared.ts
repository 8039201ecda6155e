/**
 * What every action family of the planner shares: the plan's shape, what the planner is given,
 * and the names and tags eni-guard writes on what it creates or changes.
 */
import type { Action } from '../actions';
import type { InterfaceFacts, OwnGroup, SecurityGroupRule } from '../model';

/** A fix the policy asked for but that is not carried out, and why. */
export interface Withheld {
  readonly ruleId: string;
  readonly reason: string;
}

/** What the responder will do for one interface. */
export interface Plan {
  /** `remediate`: actions run; `dry-run`: actions are reported only; `notify`: nothing to run. */
  readonly mode: 'remediate' | 'notify' | 'dry-run';
  readonly actions: readonly Action[];
  readonly withheld: readonly Withheld[];
  /** Set when eni-guard deliberately stops fixing this interface and a human must act (an IaC conflict). */
  readonly escalation?: string;
}

/** Where the stack sends flow logs the responder enables (the account baseline's destination). */
export interface FlowLogDestination {
  readonly type: 'cloud-watch-logs' | 's3';
  /** Log group ARN or bucket ARN. */
  readonly arn: string;
  /** The delivery role, for CloudWatch Logs destinations. */
  readonly deliveryRoleArn?: string;
}

/** What the planner knows besides the evaluation. Everything here was read before planning. */
export interface PlanInputs {
  readonly facts: InterfaceFacts;
  /** Interfaces using each group a fix would edit (this one included). */
  readonly groupUsage: ReadonlyMap<string, number>;
  /**
   * Usable quarantine groups by VPC id, for the VPCs `quarantineVpcs` named: groups eni-guard recorded
   * creating (never one found by a tag anyone can set), re-read just now and found without a single rule.
   * Absent: a new one is created.
   */
  readonly quarantineGroups?: ReadonlyMap<string, string>;
  /**
   * Copies eni-guard made earlier for this interface (tagged `eni-guard:interface`), by the group they
   * copy: what an interrupted attempt may have left. Read only when a shared group is to be copied.
   */
  readonly ownCopies?: ReadonlyMap<string, OwnGroup>;
  readonly flowLogDestination?: FlowLogDestination;
  /** The responder's own role: never revoked. */
  readonly responderRoleArn?: string;
  /** Organization mode: the member roles eni-guard acts through in this account: never revoked either. */
  readonly ownRoleArns?: readonly string[];
  /** Identifies this remediation in tags and the ledger. */
  readonly ledgerId: string;
  /**
   * How many times eni-guard already fixed this interface within `automation.conflictWindowHours`; read
   * from the ledger only when the caller is an automation principal and the plan would act.
   */
  readonly priorFixes?: number;
  /** Another interface of the same event acts on the caller (a group change reaching N interfaces): withhold it here. */
  readonly callerHandledBy?: string;
  readonly now: Date;
}

/** Tag keys eni-guard writes on what it changes. */
export const TAGS = {
  remediated: 'eni-guard:remediated',
  findings: 'eni-guard:findings',
  ledger: 'eni-guard:ledger',
  copyOf: 'eni-guard:copy-of',
  quarantine: 'eni-guard:quarantine',
  /** On an instance eni-guard isolated; IAM lets the responder terminate only instances that carry it. */
  isolated: 'eni-guard:isolated',
  /**
   * On every security group eni-guard creates (copies, quarantine): IAM lets the responder fill and delete only
   * these; and on every flow log it creates (IAM lets it create no other).
   */
  managed: 'eni-guard:managed',
  interface: 'eni-guard:interface',
  /** On a copy one remediation adopted from another (interrupted) one: the ledger id of the one it was left by. */
  adoptedFrom: 'eni-guard:adopted-from',
} as const;

/** Name prefix of the per-VPC quarantine group (no ingress, no egress); each one's name ends in a hash of the remediation that created it. */
export const QUARANTINE_GROUP_NAME = 'eni-guard-quarantine';
/** The output (`$ref`) under which an action names the quarantine group it created. */
export const QUARANTINE_OUTPUT = 'quarantine-group';

/** Error codes meaning a rule to revoke is already gone. */
export const GONE_RULE = ['InvalidPermission.NotFound', 'InvalidSecurityGroupRuleId.NotFound'];
/** The egress rule a new security group starts with (allow all IPv4). */
export const DEFAULT_EGRESS = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] };

/** What identifies a rule apart from its id: protocol, ports and source. */
export function ruleShape(
  rule: SecurityGroupRule,
): Pick<SecurityGroupRule, 'protocol' | 'fromPort' | 'toPort' | 'cidrIpv4' | 'cidrIpv6' | 'prefixListId'> {
  return {
    protocol: rule.protocol,
    ...(rule.fromPort !== undefined ? { fromPort: rule.fromPort } : {}),
    ...(rule.toPort !== undefined ? { toPort: rule.toPort } : {}),
    ...(rule.cidrIpv4 ? { cidrIpv4: rule.cidrIpv4 } : {}),
    ...(rule.cidrIpv6 ? { cidrIpv6: rule.cidrIpv6 } : {}),
    ...(rule.prefixListId ? { prefixListId: rule.prefixListId } : {}),
  };
}
