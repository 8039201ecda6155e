/**
 * Domain model of eni-guard. Pure types: no AWS SDK shapes, no I/O.
 * Adapters map AWS responses onto these; rules and the planner only ever see these.
 */

/** Who made the API call, normalised from CloudTrail `userIdentity`. */
export interface Caller {
  /** CloudTrail identity type: `IAMUser`, `AssumedRole`, `Root`, `AWSService`, `FederatedUser`, … */
  readonly type: string;
  /** The principal ARN as CloudTrail gives it (an STS assumed-role ARN for role sessions). */
  readonly arn?: string;
  readonly accountId?: string;
  readonly principalId?: string;
  readonly accessKeyId?: string;
  /** For role sessions: the IAM role ARN that issued the session. */
  readonly sessionIssuerArn?: string;
  /** For role sessions: the session name (an instance id, `awslambda_…`, a user's e-mail, …). */
  readonly sessionName?: string;
  readonly userName?: string;
  /** Set when an AWS service made the call on the caller's behalf. */
  readonly invokedBy?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  /** True when the session came from the AWS console. */
  readonly viaConsole: boolean;
  /** Set when the session's credentials were delivered to an EC2 instance (`sessionContext.ec2RoleDelivery`). */
  readonly ec2RoleDelivery?: string;
  /** True when CloudTrail says the session was MFA-authenticated. */
  readonly mfaAuthenticated: boolean;
}

/** What an event says about one interface, before AWS is asked. */
export interface InterfaceHint {
  readonly networkInterfaceId: string;
  readonly requesterManaged?: boolean;
  readonly interfaceType?: string;
  readonly subnetId?: string;
  readonly vpcId?: string;
  /** Security groups named in the call's response. */
  readonly groupIds: readonly string[];
}

/** The parts of a CloudTrail record that every decision carries along. */
export interface EventContext {
  /** CloudTrail `eventID`: the key of every log line and alert about this event. */
  readonly eventId: string;
  readonly eventName: string;
  readonly eventTime: string;
  readonly region: string;
  /** The account the call was made in (`recipientAccountId`; the envelope's `account` must agree). */
  readonly account: string;
  readonly caller: Caller;
  /** The EventBridge envelope id, when the record came wrapped in one. */
  readonly envelopeId?: string;
  /** Tags the caller set in this very call (on the interface or instance it created): never grounds for an exemption. */
  readonly requestTags?: readonly Tag[];
  /** Organization mode: the account's OUs, from the root down (set by the hub from AWS Organizations, never from the event). */
  readonly ous?: readonly string[];
}

/** A resource tag. */
export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** A security-group rule as EC2 reports it now. */
export interface SecurityGroupRule {
  readonly ruleId: string;
  readonly groupId: string;
  readonly isEgress: boolean;
  /** `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all) or a protocol number as a string. */
  readonly protocol: string;
  /** -1 or absent means all ports (or all ICMP types). */
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrIpv4?: string;
  readonly cidrIpv6?: string;
  readonly prefixListId?: string;
  readonly referencedGroupId?: string;
  readonly description?: string;
}

/**
 * A security group found by eni-guard's tags (a per-interface copy, a quarantine group): maybe one an
 * interrupted attempt left behind. Tags are outsider-controlled: what it may be used for is decided
 * from its VPC, its users and its rules, as read from EC2.
 */
export interface OwnGroup {
  readonly groupId: string;
  readonly groupName?: string;
  readonly vpcId?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Every rule (ingress and egress). */
  readonly rules: readonly SecurityGroupRule[];
  /** How many interfaces use it. */
  readonly users: number;
}

/** A security group attached to an interface. */
export interface GroupRef {
  readonly groupId: string;
  readonly groupName?: string;
}

/** The interface as EC2 reports it now. */
export interface NetworkInterface {
  readonly networkInterfaceId: string;
  readonly vpcId?: string;
  readonly subnetId?: string;
  readonly availabilityZone?: string;
  readonly description?: string;
  readonly status?: string;
  /** `interface`, `efa`, `lambda`, `nat_gateway`, `vpc_endpoint`, … */
  readonly interfaceType: string;
  readonly requesterManaged: boolean;
  readonly requesterId?: string;
  readonly ownerId?: string;
  readonly privateIpAddress?: string;
  /** The public IPv4 address (auto-assigned or Elastic IP) on the primary private address. */
  readonly publicIp?: string;
  /** Present when the public IPv4 is an Elastic IP (it can be disassociated and kept). */
  readonly elasticIp?: { readonly allocationId: string; readonly associationId?: string };
  /** IPv6 addresses (globally routable when the subnet routes ::/0 to an internet gateway). */
  readonly ipv6Addresses?: readonly string[];
  readonly sourceDestCheck?: boolean;
  readonly attachedInstanceId?: string;
  /** Who owns what the interface is attached to: an account id, or an AWS service (`amazon-elb`, `amazon-rds`, …). */
  readonly attachmentOwnerId?: string;
  readonly groups: readonly GroupRef[];
  readonly tags: Readonly<Record<string, string>>;
}

/** One network ACL entry. */
export interface NaclEntry {
  readonly ruleNumber: number;
  readonly egress: boolean;
  /** `-1` (all) or a protocol number as a string (`6` TCP, `17` UDP). */
  readonly protocol: string;
  readonly action: 'allow' | 'deny';
  readonly cidrIpv4?: string;
  readonly cidrIpv6?: string;
  readonly fromPort?: number;
  readonly toPort?: number;
}

/** How the interface's subnet reaches the internet. */
export interface SubnetNetwork {
  readonly routeTableId?: string;
  /** `0.0.0.0/0` routes to an internet gateway. */
  readonly igwRouteIpv4: boolean;
  /** `::/0` routes to an internet gateway. */
  readonly igwRouteIpv6: boolean;
  readonly networkAclId?: string;
  readonly naclEntries: readonly NaclEntry[];
}

/** The VPC flow logs that cover the interface (VPC-, subnet- or interface-level). */
export interface FlowLogCoverage {
  /** Flow logs whose status is ACTIVE, by id, with the resource they are attached to. */
  readonly active: readonly { readonly flowLogId: string; readonly resourceId: string; readonly trafficType?: string }[];
}

/** A VPC as EC2 describes it: the flow-log baseline judges VPCs themselves, with or without interfaces. */
export interface Vpc {
  readonly vpcId: string;
  /** The account that owns it; a VPC shared with this account (RAM) is its owner's to log. */
  readonly ownerId?: string;
  readonly isDefault: boolean;
  /** `pending` | `available`. */
  readonly state?: string;
  readonly cidrBlock?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** An EBS volume attached to the instance. */
export interface Volume {
  readonly volumeId: string;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
}

/** The instance the interface is attached to. */
export interface InstanceFacts {
  readonly instanceId: string;
  readonly instanceType?: string;
  readonly imageId?: string;
  /** The AMI's creation date; absent when the AMI is deregistered or not visible to this account. */
  readonly imageCreationDate?: string;
  readonly launchTime?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly volumes: readonly Volume[];
  /** `DescribeInstanceTypes` → `NetworkInfo.EncryptionInTransitSupported`. */
  readonly encryptionInTransitSupported?: boolean;
  readonly vpcId?: string;
  /** Every interface of the instance with its groups (isolation moves them all to quarantine). */
  readonly networkInterfaces?: readonly { readonly networkInterfaceId: string; readonly groupIds: readonly string[] }[];
  /** For the instance behind instance credentials: its instance profiles and the session role's (the proof isolation needs). */
  readonly credentialOrigin?: CredentialOrigin;
}

/** What EC2 and IAM say about the instance and the role behind instance credentials. */
export interface CredentialOrigin {
  /** Instance profiles associated with the instance now (`DescribeIamInstanceProfileAssociations`, state associated). */
  readonly associatedProfiles: readonly string[];
  /** Instance profiles that carry the session's role (`ListInstanceProfilesForRole`). */
  readonly roleProfiles: readonly string[];
}

/** A fact that could be gathered, or why not (rules that need it then fail closed). */
export type Fact<T> = { readonly status: 'ok'; readonly value: T } | { readonly status: 'unavailable'; readonly reason: string };

/** Everything a rule may look at for one interface. Optional facts are gathered only when a rule needs them. */
export interface InterfaceFacts {
  readonly context: EventContext;
  readonly networkInterface: NetworkInterface;
  /** The union of the rules of every group attached to the interface. */
  readonly groupRules: readonly SecurityGroupRule[];
  /** Managed prefix lists referenced by ingress rules, resolved to their CIDRs. */
  readonly prefixLists?: Fact<ReadonlyMap<string, readonly string[]>>;
  /** Routes and network ACL of the interface's subnet. */
  readonly subnetNetwork?: Fact<SubnetNetwork>;
  readonly flowLogs?: Fact<FlowLogCoverage>;
  /** Present only for an interface attached to an instance. */
  readonly instance?: Fact<InstanceFacts>;
  /** The instance whose credentials made the call (session name `i-…`), when the caller rule may isolate it. */
  readonly callerInstance?: Fact<InstanceFacts>;
}

/** The kinds of optional fact a rule can ask for. */
export type FactKind = 'prefixLists' | 'subnetNetwork' | 'flowLogs' | 'instance' | 'callerInstance';

/** Raised by a rule that needs a fact which could not be gathered; the evaluator records it and fails closed. */
export class FactUnavailableError extends Error {
  constructor(kind: FactKind, reason: string) {
    super(`${kind} unavailable: ${reason}`);
    this.name = 'FactUnavailableError';
  }
}

/** Returns the fact's value; throws `FactUnavailableError` when it could not be gathered, or was not. */
export function need<T>(fact: Fact<T> | undefined, kind: FactKind): T {
  if (!fact) throw new FactUnavailableError(kind, 'not gathered');
  if (fact.status === 'unavailable') throw new FactUnavailableError(kind, fact.reason);
  return fact.value;
}

/** How bad a finding is, most severe first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'] as const;
/** How bad a finding is. */
export type Severity = (typeof SEVERITIES)[number];

/** Returns the more severe of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}

/**
 * A change a rule proposes; the planner decides whether (and how) it is carried out. Intents name
 * what is wrong, never how to call AWS: that is the planner's job (lambda/core/plan/).
 */
export type RemediationIntent =
  /** Close world-open ingress rules of one group (revoked, or the interface moved off the group). */
  | { readonly kind: 'close-ingress'; readonly groupId: string; readonly securityGroupRuleIds: readonly string[] }
  /** Take an Elastic IP off the interface (the allocation is kept). */
  | { readonly kind: 'disassociate-address'; readonly allocationId: string; readonly associationId: string; readonly publicIp: string }
  /** Turn source/destination checking back on. */
  | { readonly kind: 'restore-source-dest-check' }
  /** Create a flow log for the VPC to the stack's destination. */
  | { readonly kind: 'enable-flow-logs'; readonly vpcId: string }
  /** Tag the attached instance so the stack's AWS Backup selection picks it up. */
  | {
      readonly kind: 'tag-for-backup';
      readonly instanceId: string;
      readonly key: string;
      readonly value: string;
      readonly previous?: string;
    }
  /** Delete the (unattached) interface: it sits where interfaces are not allowed. */
  | { readonly kind: 'delete-interface' }
  /** Revoke the caller's credentials: a role's active sessions, or an IAM user's access key. */
  | {
      readonly kind: 'revoke-credentials';
      readonly principal:
        | { readonly type: 'role'; readonly roleName: string; readonly roleArn: string }
        | { readonly type: 'user'; readonly userName: string; readonly accessKeyId: string; readonly userArn?: string };
    };

/** A protocol and a port range (`-1`: every protocol; ports 0–65535 when the protocol has none). */
export interface PortSpan {
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
}

/** One thing wrong with an interface. */
export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly title: string;
  /** Machine-readable facts behind the finding (rule ids, ports, CIDRs, …). */
  readonly evidence: Readonly<Record<string, unknown>>;
  /** The security group the finding is about, when it is about one (exemptions by group match it). */
  readonly groupId?: string;
  /** The protocols and ports the finding is about, when it is about some (exemptions bounded by ports match them). */
  readonly ports?: readonly PortSpan[];
  readonly remediation?: RemediationIntent;
}
