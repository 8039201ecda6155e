/**
 * Parses what EventBridge delivers (or a raw CloudTrail record, as the CLI replays) into the
 * interfaces it points at. The event is only a pointer: the responder re-reads current state
 * from EC2 before it judges or acts.
 */
import { bool, isObject, obj, setItems, str, type JsonObject } from './cloudtrail';
import type { Caller, EventContext, InterfaceHint } from './model';

/** The CloudTrail calls eni-guard understands, by `eventName`. */
export const SUPPORTED_EVENT_NAMES = ['CreateNetworkInterface'] as const;

/** Why an event is deliberately not evaluated. */
export type IgnoreReason =
  /** Not an "AWS API Call via CloudTrail" event from EC2. */
  | 'not-cloudtrail-ec2'
  /** A CloudTrail EC2 call we do not evaluate. */
  | 'unsupported-event'
  /** The call failed (`errorCode` set): nothing was created. */
  | 'failed-call'
  /** `Client.DryRunOperation`: AWS services dry-run before they create. */
  | 'dry-run';

/** The result of parsing one delivered event. */
export type ParsedEvent =
  | { readonly kind: 'interfaces'; readonly context: EventContext; readonly interfaces: readonly InterfaceHint[] }
  | { readonly kind: 'ignored'; readonly reason: IgnoreReason; readonly detail: string; readonly context?: EventContext }
  | { readonly kind: 'invalid'; readonly problems: readonly string[]; readonly eventId?: string };

const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/** Parses an EventBridge event or a bare CloudTrail record. Never throws. */
export function parseEvent(input: unknown): ParsedEvent {
  if (!isObject(input)) {
    return { kind: 'invalid', problems: [`event: expected a JSON object, got ${describeType(input)}`] };
  }
  const wrapped = 'detail' in input || 'detail-type' in input;
  if (wrapped) {
    const detailType = input['detail-type'];
    const source = input['source'];
    if (detailType !== CLOUDTRAIL_DETAIL_TYPE || source !== 'aws.ec2') {
      return {
        kind: 'ignored',
        reason: 'not-cloudtrail-ec2',
        detail: `source ${JSON.stringify(source)}, detail-type ${JSON.stringify(detailType)}`,
      };
    }
    if (!isObject(input['detail'])) {
      return { kind: 'invalid', problems: [`detail: expected the CloudTrail record object, got ${describeType(input['detail'])}`] };
    }
    return parseRecord(input['detail'], input);
  }
  if ('eventSource' in input || 'eventName' in input) return parseRecord(input, undefined);
  return {
    kind: 'invalid',
    problems: ['event: neither an EventBridge envelope (detail-type, detail) nor a CloudTrail record (eventSource, eventName)'],
  };
}

function parseRecord(record: JsonObject, envelope: JsonObject | undefined): ParsedEvent {
  const prefix = envelope ? 'detail.' : '';
  const problems: string[] = [];
  const eventId = str(record, 'eventID');
  const eventName = str(record, 'eventName');
  const eventSource = str(record, 'eventSource');
  if (!eventId) problems.push(`${prefix}eventID: required string is ${describeType(record['eventID'])}`);
  if (!eventName) problems.push(`${prefix}eventName: required string is ${describeType(record['eventName'])}`);
  if (problems.length > 0) return invalid(problems, eventId);

  if (eventSource !== 'ec2.amazonaws.com') {
    return { kind: 'ignored', reason: 'not-cloudtrail-ec2', detail: `eventSource ${JSON.stringify(record['eventSource'])}` };
  }
  const region = str(record, 'awsRegion') ?? str(envelope, 'region');
  const account = str(envelope, 'account') ?? str(record, 'recipientAccountId') ?? str(obj(record, 'userIdentity'), 'accountId');
  const eventTime = str(record, 'eventTime') ?? str(envelope, 'time');
  if (!region) problems.push(`${prefix}awsRegion: required string is ${describeType(record['awsRegion'])}`);
  if (!account) problems.push(`${prefix}recipientAccountId: no account in the envelope or the record`);
  if (!eventTime) problems.push(`${prefix}eventTime: required string is ${describeType(record['eventTime'])}`);
  if (!region || !account || !eventTime) return invalid(problems, eventId);

  const envelopeId = str(envelope, 'id');
  const context: EventContext = {
    eventId: eventId!,
    eventName: eventName!,
    eventTime,
    region,
    account,
    caller: parseCaller(record),
    ...(envelopeId ? { envelopeId } : {}),
  };

  const errorCode = str(record, 'errorCode');
  if (errorCode) {
    const dryRun = errorCode === 'Client.DryRunOperation' || errorCode === 'DryRunOperation';
    return {
      kind: 'ignored',
      reason: dryRun ? 'dry-run' : 'failed-call',
      detail: `${errorCode}${str(record, 'errorMessage') ? `: ${str(record, 'errorMessage')}` : ''}`,
      context,
    };
  }

  switch (eventName) {
    case 'CreateNetworkInterface':
      return parseCreateNetworkInterface(record, context, prefix);
    default:
      return { kind: 'ignored', reason: 'unsupported-event', detail: `eventName ${eventName}`, context };
  }
}

function parseCreateNetworkInterface(record: JsonObject, context: EventContext, prefix: string): ParsedEvent {
  const ni = obj(obj(record, 'responseElements'), 'networkInterface');
  const id = str(ni, 'networkInterfaceId');
  if (!ni || !id || !id.startsWith('eni-')) {
    return invalid(
      [
        `${prefix}responseElements.networkInterface.networkInterfaceId: a successful CreateNetworkInterface must name the interface (got ${describeType(ni?.['networkInterfaceId'])})`,
      ],
      context.eventId,
    );
  }
  return { kind: 'interfaces', context, interfaces: [interfaceHint(ni, id)] };
}

function interfaceHint(ni: JsonObject, id: string): InterfaceHint {
  const requesterManaged = bool(ni, 'requesterManaged');
  const interfaceType = str(ni, 'interfaceType');
  const subnetId = str(ni, 'subnetId');
  const vpcId = str(ni, 'vpcId');
  // The response, not the request, names the groups: a request without groups gets the default one.
  const groupIds = setItems(ni, 'groupSet')
    .map((group) => str(group, 'groupId'))
    .filter((groupId): groupId is string => groupId !== undefined);
  return {
    groupIds,
    networkInterfaceId: id,
    ...(requesterManaged !== undefined ? { requesterManaged } : {}),
    ...(interfaceType ? { interfaceType } : {}),
    ...(subnetId ? { subnetId } : {}),
    ...(vpcId ? { vpcId } : {}),
  };
}

/** Normalises CloudTrail `userIdentity` (any field may be missing; `sessionIssuer` may be `{}`). */
export function parseCaller(record: JsonObject): Caller {
  const identity = obj(record, 'userIdentity');
  const sessionContext = obj(identity, 'sessionContext');
  const issuer = obj(sessionContext, 'sessionIssuer');
  const arn = str(identity, 'arn');
  const type = str(identity, 'type') ?? 'Unknown';
  const sessionName = type === 'AssumedRole' && arn ? arn.split('/').slice(2).join('/') || undefined : undefined;
  const fields: Record<string, string | undefined> = {
    arn,
    accountId: str(identity, 'accountId'),
    principalId: str(identity, 'principalId'),
    accessKeyId: str(identity, 'accessKeyId'),
    sessionIssuerArn: str(issuer, 'arn'),
    sessionName,
    userName: str(identity, 'userName') ?? str(issuer, 'userName'),
    invokedBy: str(identity, 'invokedBy'),
    ec2RoleDelivery: str(sessionContext, 'ec2RoleDelivery'),
    sourceIp: str(record, 'sourceIPAddress'),
    userAgent: str(record, 'userAgent'),
  };
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return {
    type,
    ...defined,
    viaConsole: bool(record, 'sessionCredentialFromConsole') === true,
    mfaAuthenticated: bool(obj(sessionContext, 'attributes'), 'mfaAuthenticated') === true,
  };
}

function invalid(problems: string[], eventId: string | undefined): ParsedEvent {
  return { kind: 'invalid', problems, ...(eventId ? { eventId } : {}) };
}

function describeType(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : `the string ${JSON.stringify(value.slice(0, 40))}`;
  return `a ${typeof value}`;
}
