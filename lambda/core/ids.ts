/**
 * AWS's id grammar. An id taken from an event is a pointer an outsider may have written (a forged
 * dead-letter message, a replayed file): it must be an id, never a pattern, before it reaches an EC2
 * filter — `Values: ['sg-*']` would match every group — or a key of ours.
 */

/** `i-` and 8 or 17 lower-case hex digits (EC2's two instance id lengths). */
const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** `sg-` and 8 or 17 lower-case hex digits. */
const GROUP_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** `vpc-` and 8 or 17 lower-case hex digits (AWS's two VPC id lengths; moto's are 17). */
const VPC_ID = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** `eni-` and hex digits (8 or 17 in AWS; tests and emulators use shorter ones, never a wildcard). */
const INTERFACE_ID = /^eni-[0-9a-f]{1,17}$/;
/**
 * CloudTrail's `eventID` is a UUID; replays and tests use other tokens. Whatever it is, it becomes a
 * tag value we filter on (`eni-guard:ledger = <eventId>/*`) and a ledger key: no wildcard (`*`, `?`),
 * no `/`, no spaces, at most 128 characters.
 */
const EVENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** True for an EC2 instance id. */
export const isInstanceId = (value: string): boolean => INSTANCE_ID.test(value);
/** True for a security group id. */
export const isGroupId = (value: string): boolean => GROUP_ID.test(value);
/** True for a VPC id. */
export const isVpcId = (value: string): boolean => VPC_ID.test(value);
/** True for a network interface id. */
export const isInterfaceId = (value: string): boolean => INTERFACE_ID.test(value);
/** True for an event id eni-guard may use as a key and in a tag filter. */
export const isEventId = (value: string): boolean => EVENT_ID.test(value);

/** A 12-digit AWS account id. */
export const isAccountId = (value: string): boolean => /^\d{12}$/.test(value);

/** The account of an ARN (`arn:partition:service:region:account:resource`), or undefined. */
export function accountOfArn(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account !== undefined && isAccountId(account) ? account : undefined;
}
