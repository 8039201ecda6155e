/**
 * ARNs of the things an alert is about, built from the event's own account and Region (never from
 * the function's: organization mode decides per event where a resource lives).
 */

/** Where a resource lives: an account and Region. */
export interface ArnPlace {
  readonly account: string;
  readonly region: string;
}

/** The partition of a Region (`aws`, `aws-cn`, `aws-us-gov`, the isolated ones). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  return 'aws';
}

/** An EC2 resource's ARN: `arn:aws:ec2:eu-west-1:123456789012:network-interface/eni-…`. */
export function ec2Arn(place: ArnPlace, type: 'network-interface' | 'security-group' | 'instance' | 'subnet' | 'vpc', id: string): string {
  return `arn:${partitionOf(place.region)}:ec2:${place.region}:${place.account}:${type}/${id}`;
}

/** The interface and everything an alert about it names, as ARNs: the interface first, then its groups, its instance. */
export function resourceArnsOf(
  place: ArnPlace,
  networkInterfaceId: string,
  groupIds: readonly string[] = [],
  instanceId?: string,
): string[] {
  return [
    ec2Arn(place, 'network-interface', networkInterfaceId),
    ...groupIds.map((id) => ec2Arn(place, 'security-group', id)),
    ...(instanceId ? [ec2Arn(place, 'instance', instanceId)] : []),
  ];
}
