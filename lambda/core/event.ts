/**
 * Parses what EventBridge delivers (or a raw CloudTrail record, as the CLI replays) into the
 * interfaces it points at. The event is only a pointer: the responder re-reads current state
 * from EC2 before it judges or acts.
 */
import { bool, isObject, obj, setItems, str, type JsonObject } from './cloudtrail';
import { isEventId, isGroupId, isInstanceId, isInterfaceId } from './ids';
import type { Caller, EventContext, InterfaceHint, SecurityGroupRule, Tag } from './model';

/** Calls that create or change an interface: the interfaces they name (or their instance's) are evaluated. */
export const INTERFACE_EVENT_NAMES = [
  'CreateNetworkInterface',
  'RunInstances',
  'AttachNetworkInterface',
  'ModifyNetworkInterfaceAttribute',
  'AssociateAddress',
] as const;

/** Calls that change a security group's rules: every interface using the group is evaluated, with one alert per change. */
export const GROUP_CHANGE_EVENT_NAMES = ['AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules'] as const;

/** The CloudTrail calls eni-guard understands, by `eventName` (the EventBridge rule matches exactly these). */
export const SUPPORTED_EVENT_NAMES = [...INTERFACE_EVENT_NAMES, ...GROUP_CHANGE_EVENT_NAMES] as const;

/** Interfaces the event does not name but points at: found in EC2 before they are evaluated. */
export type InterfaceLookup =
  /** The interfaces attached to an instance (`primaryOnly`: device index 0, where AssociateAddress puts an address). */
  | { readonly kind: 'instance'; readonly instanceId: string; readonly primaryOnly: boolean }
  /** Every interface that uses a security group. */
  | { readonly kind: 'group'; readonly groupId: string }
  /** Interfaces carrying a tag (`*` wildcards): those a redelivered change already moved off its group. */
  | { readonly kind: 'tagged'; readonly key: string; readonly value: string }
  /**
   * Interfaces using a security group that carries every one of `tags` (`*` wildcards): those a
   * redelivered change moved to a copy of its group before the process died, untagged.
   */
  | { readonly kind: 'on-tagged-group'; readonly tags: Readonly<Record<string, string>> };

/** A rule a change added or rewrote, as far as the record says (rule ids come from the response, when it has them). */
export type ChangedRule = Omit<SecurityGroupRule, 'ruleId' | 'groupId' | 'isEgress'> & { readonly ruleId?: string };

/** A change to a security group's rules. */
export interface GroupChange {
  readonly groupId: string;
  /** The rules added or rewritten; empty when the record does not say (the group is re-read anyway). */
  readonly rules: readonly ChangedRule[];
}

/** Why an event is deliberately not evaluated. */
export type IgnoreReason =
  /** Not an "AWS API Call via CloudTrail" event from EC2. */
  | 'not-cloudtrail-ec2'
  /** A CloudTrail EC2 call we do not evaluate. */
  | 'unsupported-event'
  /** A supported call that cannot change compliance (e.g. only an interface's description changed). */
  | 'irrelevant-change'
  /** The call failed (`errorCode` set): nothing was created. */
  | 'failed-call'
  /** `Client.DryRunOperation`: AWS services dry-run before they create. */
  | 'dry-run';

/** The result of parsing one delivered event. */
export type ParsedEvent =
  | {
      readonly kind: 'interfaces';
      readonly context: EventContext;
      /** Interfaces the record names. */
      readonly interfaces: readonly InterfaceHint[];
      /** Interfaces to find first (by instance or by group). */
      readonly lookups?: readonly InterfaceLookup[];
      /** Set for security-group rule changes: the interfaces are all those using `change.groupId`. */
      readonly change?: GroupChange;
    }
  | { readonly kind: 'ignored'; readonly reason: IgnoreReason; readonly detail: string; readonly context?: EventContext }
  | { readonly kind: 'invalid'; readonly problems: readonly string[]; readonly eventId?: string };

const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/**
 * A successful CloudTrail EC2 call whose envelope and record agree (event id grammar, account,
 * Region, time): what every call-specific parser starts from. Failed and dry-run calls are ignored
 * here, with their context.
 */
export type ParsedCall =
  | { readonly kind: 'call'; readonly context: EventContext; readonly record: JsonObject; readonly prefix: string }
  | Extract<ParsedEvent, { readonly kind: 'ignored' | 'invalid' }>;

/** Parses an EventBridge event or a bare CloudTrail record. Never throws. */
export function parseEvent(input: unknown): ParsedEvent {
  const call = parseCall(input);
  if (call.kind !== 'call') return call;
  const { record, context, prefix } = call;
  switch (context.eventName) {
    case 'CreateNetworkInterface':
      return parseCreateNetworkInterface(record, context, prefix);
    case 'RunInstances':
      return parseRunInstances(record, context, prefix);
    case 'AttachNetworkInterface':
      return parseNamedInterface(record, context, prefix);
    case 'ModifyNetworkInterfaceAttribute':
      return parseModifyNetworkInterfaceAttribute(record, context, prefix);
    case 'AssociateAddress':
      return parseAssociateAddress(record, context, prefix);
    case 'AuthorizeSecurityGroupIngress':
      return parseAuthorizeIngress(record, context, prefix);
    case 'ModifySecurityGroupRules':
      return parseModifySecurityGroupRules(record, context, prefix);
    default:
      return { kind: 'ignored', reason: 'unsupported-event', detail: `eventName ${context.eventName}`, context };
  }
}

/** The envelope (or a bare record) down to a checked call: the part every event eni-guard reads shares. Never throws. */
export function parseCall(input: unknown): ParsedCall {
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

function parseRecord(record: JsonObject, envelope: JsonObject | undefined): ParsedCall {
  const prefix = envelope ? 'detail.' : '';
  const problems: string[] = [];
  const eventId = str(record, 'eventID');
  const eventName = str(record, 'eventName');
  const eventSource = str(record, 'eventSource');
  if (!eventId) problems.push(`${prefix}eventID: required string is ${describeType(record['eventID'])}`);
  else if (!isEventId(eventId))
    problems.push(`${prefix}eventID: ${describeType(eventId)} is not an event id (letters, digits, . _ : -; no wildcard, no /; ≤ 128)`);
  if (!eventName) problems.push(`${prefix}eventName: required string is ${describeType(record['eventName'])}`);
  if (problems.length > 0) return invalid(problems, eventId && isEventId(eventId) ? eventId : undefined);

  if (eventSource !== 'ec2.amazonaws.com') {
    return { kind: 'ignored', reason: 'not-cloudtrail-ec2', detail: `eventSource ${JSON.stringify(record['eventSource'])}` };
  }
  const region = str(record, 'awsRegion') ?? str(envelope, 'region');
  const account = str(record, 'recipientAccountId') ?? str(envelope, 'account') ?? str(obj(record, 'userIdentity'), 'accountId');
  const eventTime = str(record, 'eventTime') ?? str(envelope, 'time');
  if (!region) problems.push(`${prefix}awsRegion: required string is ${describeType(record['awsRegion'])}`);
  if (!account) problems.push(`${prefix}recipientAccountId: no account in the envelope or the record`);
  // The envelope and the record must tell the same story: one of them was written by someone else.
  const recipient = str(record, 'recipientAccountId');
  if (envelope && str(envelope, 'account') && recipient && str(envelope, 'account') !== recipient)
    problems.push(`${prefix}recipientAccountId: the record says ${recipient}, the envelope's account ${str(envelope, 'account')}`);
  if (envelope && str(envelope, 'region') && str(record, 'awsRegion') && str(envelope, 'region') !== str(record, 'awsRegion'))
    problems.push(`${prefix}awsRegion: the record says ${str(record, 'awsRegion')}, the envelope's region ${str(envelope, 'region')}`);
  if (!eventTime) problems.push(`${prefix}eventTime: required string is ${describeType(record['eventTime'])}`);
  if (!region || !account || !eventTime || problems.length > 0) return invalid(problems, eventId);

  const envelopeId = str(envelope, 'id');
  const requestTags = callerTags(record);
  const context: EventContext = {
    eventId: eventId!,
    eventName: eventName!,
    eventTime,
    region,
    account,
    caller: parseCaller(record),
    ...(envelopeId ? { envelopeId } : {}),
    ...(requestTags.length > 0 ? { requestTags } : {}),
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

  return { kind: 'call', context, record, prefix };
}

function parseCreateNetworkInterface(record: JsonObject, context: EventContext, prefix: string): ParsedEvent {
  const ni = obj(obj(record, 'responseElements'), 'networkInterface');
  const id = str(ni, 'networkInterfaceId');
  if (!ni || !id || !isInterfaceId(id)) {
    return invalid(
      [
        `${prefix}responseElements.networkInterface.networkInterfaceId: a successful CreateNetworkInterface must name the interface (got ${describeType(ni?.['networkInterfaceId'])})`,
      ],
      context.eventId,
    );
  }
  return { kind: 'interfaces', context, interfaces: [interfaceHint(ni, id)] };
}

/**
 * RunInstances creates each instance's primary interface without a CreateNetworkInterface event:
 * `responseElements.instancesSet.items[].networkInterfaceSet.items[]`. An instance whose set is
 * missing or empty is looked up by its id instead.
 */
function parseRunInstances(record: JsonObject, context: EventContext, prefix: string): ParsedEvent {
  const instances = setItems(obj(record, 'responseElements'), 'instancesSet');
  const interfaces: InterfaceHint[] = [];
  const lookups: InterfaceLookup[] = [];
  for (const instance of instances) {
    const hints = setItems(instance, 'networkInterfaceSet').flatMap((ni) => {
      const id = str(ni, 'networkInterfaceId');
      return id && isInterfaceId(id) ? [interfaceHint(ni, id)] : [];
    });
    const instanceId = str(instance, 'instanceId');
    if (hints.length > 0) interfaces.push(...hints);
    else if (instanceId && isInstanceId(instanceId)) lookups.push({ kind: 'instance', instanceId, primaryOnly: false });
  }
  if (interfaces.length === 0 && lookups.length === 0) {
    return invalid(
      [
        `${prefix}responseElements.instancesSet: a successful RunInstances must name its instances (got ${describeType(obj(record, 'responseElements')?.['instancesSet'])}); the periodic sweep covers what it launched`,
      ],
      context.eventId,
    );
  }
  return { kind: 'interfaces', context, interfaces, ...(lookups.length > 0 ? { lookups } : {}) };
}

/** A call whose request names the interface (`requestParameters.networkInterfaceId`): AttachNetworkInterface and others. */
function parseNamedInterface(record: JsonObject, context: EventContext, prefix: string): ParsedEvent {
  const id = str(obj(record, 'requestParameters'), 'networkInterfaceId');
  if (!id || !isInterfaceId(id)) {
    return invalid(
      [
        `${prefix}requestParameters.networkInterfaceId: ${context.eventName} must name the interface (got ${describeType(obj(record, 'requestParameters')?.['networkInterfaceId'])})`,
      ],
      context.eventId,
    );
  }
  return { kind: 'interfaces', context, interfaces: [{ networkInterfaceId: id, groupIds: [] }] };
}

function parseModifyNetworkInterfaceAttribute(record: JsonObject, context: EventContext, prefix: string): ParsedEvent {
  const request = obj(record, 'requestParameters');
  // Only the description changed: nothing a rule looks at. An unknown attribute is evaluated (fail safe).
  const changed = Object.keys(request ?? {}).filter((key) => key !== 'networkInterfaceId');
  if (changed.length > 0 && changed.every((key) => key === 'description')) {
    return { kind: 'ignored', reason: 'irrelevant-change', detail: 'only the description changed', context };
  }
  const parsed = parseNamedInterface(record, context, prefix);
  const groupIds = setItems(request, 'groupSet')
    .map((g) => str(g, 'groupId'))
    .filter((id): id is string => id !== undefined);
  if (parsed.kind !== 'interfaces' || groupIds.length === 0) return parsed;
  return { ...parsed, interfaces: parsed.interfaces.map((hint) => ({ ...hint, groupIds })) };
}

/** AssociateAddress puts a public IP on an interface, or on an instance's primary interface. */
function parseAssociateAddress(record: JsonObject, context: EventContext, prefix: string): ParsedEvent {
  const request = obj(record, 'requestParameters');
  const id = str(request, 'networkInterfaceId');
  if (id && isInterfaceId(id)) return { kind: 'interfaces', context, interfaces: [{ networkInterfaceId: id, groupIds: [] }] };
  const instanceId = str(request, 'instanceId');
  if (instanceId && isInstanceId(instanceId))
    return { kind: 'interfaces', context, interfaces: [], lookups: [{ kind: 'instance', instanceId, primaryOnly: true }] };
  return invalid(
    [
      `${prefix}requestParameters: AssociateAddress must name a networkInterfaceId or an instanceId (got ${describeType(id ?? instanceId)})`,
    ],
    context.eventId,
  );
}

/**
 * AuthorizeSecurityGroupIngress, in both request shapes: `ipPermissions.items[]` and the legacy flat
 * `cidrIp`/`ipProtocol`/`fromPort`/`toPort` (with `ipPermissions: {}`). The response's
 * `securityGroupRuleSet` (with rule ids) is preferred when present.
 */
function parseAuthorizeIngress(record: JsonObject, context: EventContext, prefix: string): ParsedEvent {
  const request = obj(record, 'requestParameters');
  const created = setItems(obj(record, 'responseElements'), 'securityGroupRuleSet').filter((r) => bool(r, 'isEgress') !== true);
  const groupId = str(request, 'groupId') ?? created.map((r) => str(r, 'groupId')).find((id) => id !== undefined);
  if (!groupId || !isGroupId(groupId)) {
    return invalid(
      [
        `${prefix}requestParameters.groupId: ${context.eventName} must name the group by id (got ${describeType(groupId ?? request?.['groupId'])}; a group named only by groupName is not supported)`,
      ],
      context.eventId,
    );
  }
  const rules = created.length > 0 ? created.map(responseRule) : requestRules(request);
  return groupChange(context, { groupId, rules });
}

/**
 * ModifySecurityGroupRules. CloudTrail renders this newer API in PascalCase under a request wrapper:
 * `requestParameters.ModifySecurityGroupRulesRequest.{GroupId, SecurityGroupRule}`, where
 * `SecurityGroupRule` is one `{SecurityGroupRuleId, SecurityGroupRule: {IpProtocol, FromPort, ToPort, CidrIpv4, …}}`
 * or a list of them. The lowerCamel form is accepted too.
 */
function parseModifySecurityGroupRules(record: JsonObject, context: EventContext, prefix: string): ParsedEvent {
  const request = obj(record, 'requestParameters');
  const wrapped = obj(request, 'ModifySecurityGroupRulesRequest') ?? request;
  const groupId = str(wrapped, 'GroupId') ?? str(wrapped, 'groupId');
  if (!groupId || !isGroupId(groupId)) {
    return invalid(
      [
        `${prefix}requestParameters.ModifySecurityGroupRulesRequest.GroupId: ModifySecurityGroupRules must name the group by id (got ${describeType(groupId)})`,
      ],
      context.eventId,
    );
  }
  const updates = [
    ...listOf(wrapped?.['SecurityGroupRule']),
    ...listOf(wrapped?.['SecurityGroupRules']),
    ...setItems(wrapped, 'securityGroupRuleSet'),
  ];
  const rules = updates.map((update): ChangedRule => {
    const rule = obj(update, 'SecurityGroupRule') ?? obj(update, 'securityGroupRule') ?? {};
    const ruleId = str(update, 'SecurityGroupRuleId') ?? str(update, 'securityGroupRuleId');
    const pick = (pascal: string) => rule[pascal] ?? rule[pascal.charAt(0).toLowerCase() + pascal.slice(1)];
    return ruleOf({
      ruleId,
      protocol: pick('IpProtocol'),
      fromPort: pick('FromPort'),
      toPort: pick('ToPort'),
      cidrIpv4: pick('CidrIpv4'),
      cidrIpv6: pick('CidrIpv6'),
      prefixListId: pick('PrefixListId'),
      referencedGroupId: pick('ReferencedGroupId'),
      description: pick('Description'),
    });
  });
  return groupChange(context, { groupId, rules });
}

function groupChange(context: EventContext, change: GroupChange): ParsedEvent {
  return { kind: 'interfaces', context, interfaces: [], lookups: [{ kind: 'group', groupId: change.groupId }], change };
}

/** A rule of `responseElements.securityGroupRuleSet.items[]`. */
function responseRule(rule: JsonObject): ChangedRule {
  return ruleOf({
    ruleId: str(rule, 'securityGroupRuleId'),
    protocol: rule['ipProtocol'],
    fromPort: rule['fromPort'],
    toPort: rule['toPort'],
    cidrIpv4: rule['cidrIpv4'],
    cidrIpv6: rule['cidrIpv6'],
    prefixListId: rule['prefixListId'],
    referencedGroupId: str(obj(rule, 'referencedGroupInfo'), 'groupId'),
    description: rule['description'],
  });
}

/** The rules of the request: `ipPermissions.items[]` (one rule per source), or the legacy flat parameters. */
function requestRules(request: JsonObject | undefined): ChangedRule[] {
  const permissions = setItems(request, 'ipPermissions');
  if (permissions.length === 0) {
    const flat = ruleOf({
      protocol: request?.['ipProtocol'],
      fromPort: request?.['fromPort'],
      toPort: request?.['toPort'],
      cidrIpv4: request?.['cidrIp'],
    });
    return flat.cidrIpv4 || request?.['ipProtocol'] !== undefined ? [flat] : [];
  }
  return permissions.flatMap((p) => {
    const base = { protocol: p['ipProtocol'], fromPort: p['fromPort'], toPort: p['toPort'] };
    const sources = [
      ...setItems(p, 'ipRanges').map((r) => ruleOf({ ...base, cidrIpv4: r['cidrIp'], description: r['description'] })),
      ...setItems(p, 'ipv6Ranges').map((r) => ruleOf({ ...base, cidrIpv6: r['cidrIpv6'], description: r['description'] })),
      ...setItems(p, 'prefixListIds').map((r) => ruleOf({ ...base, prefixListId: r['prefixListId'], description: r['description'] })),
      ...setItems(p, 'groups').map((r) => ruleOf({ ...base, referencedGroupId: r['groupId'], description: r['description'] })),
    ];
    return sources.length > 0 ? sources : [ruleOf(base)];
  });
}

/** Normalises loosely typed rule fields (ports may be numbers or numeric strings; protocol numbers stay strings). */
function ruleOf(fields: Record<string, unknown>): ChangedRule {
  const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined);
  const port = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : undefined);
  const out: Record<string, unknown> = {
    ruleId: text(fields['ruleId']),
    fromPort: port(fields['fromPort']),
    toPort: port(fields['toPort']),
    cidrIpv4: text(fields['cidrIpv4']),
    cidrIpv6: text(fields['cidrIpv6']),
    prefixListId: text(fields['prefixListId']),
    referencedGroupId: text(fields['referencedGroupId']),
    description: text(fields['description']),
  };
  const defined = Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
  return { protocol: text(fields['protocol'])?.toLowerCase() ?? '-1', ...defined };
}

/** A value that may be one object or a list of them. */
function listOf(value: unknown): JsonObject[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
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

/**
 * The tags the caller itself put on what this call created: `requestParameters.tagSpecificationSet`
 * (interfaces and instances; `tags` is a plain array there) and the created interface's `tagSet`.
 * They say nothing the caller did not choose, so they never exempt this call (lambda/core/exemptions.ts).
 */
function callerTags(record: JsonObject): Tag[] {
  const tags: Tag[] = [];
  const add = (items: JsonObject[]) => {
    for (const t of items) {
      const key = str(t, 'key');
      if (key !== undefined) tags.push({ key, value: typeof t['value'] === 'string' ? t['value'] : '' });
    }
  };
  for (const spec of setItems(obj(record, 'requestParameters'), 'tagSpecificationSet')) {
    const resourceType = str(spec, 'resourceType');
    if (resourceType === undefined || resourceType === 'network-interface' || resourceType === 'instance') {
      add(Array.isArray(spec['tags']) ? spec['tags'].filter(isObject) : setItems(spec, 'tags'));
    }
  }
  add(setItems(obj(obj(record, 'responseElements'), 'networkInterface'), 'tagSet'));
  for (const instance of setItems(obj(record, 'responseElements'), 'instancesSet')) add(setItems(instance, 'tagSet'));
  return tags;
}

/** Normalises CloudTrail `userIdentity` (any field may be missing; `sessionIssuer` may be `{}`). */
export function parseCaller(record: JsonObject): Caller {
  const identity = obj(record, 'userIdentity');
  const sessionContext = obj(identity, 'sessionContext');
  const issuer = obj(sessionContext, 'sessionIssuer');
  const arn = str(identity, 'arn');
  const type = str(identity, 'type') ?? 'Unknown';
  const sessionName = type === 'AssumedRole' && arn ? arn.split('/').slice(2).join('/') || undefined : undefined;
  // Only the fields AWS sets for this identity type: a session issuer exists for role sessions and
  // federated users, instance delivery only for role sessions. Anything else in the record is noise
  // someone wrote (a forged replay), and must not make the call look like ours or an instance's.
  const hasIssuer = type === 'AssumedRole' || type === 'FederatedUser';
  const fields: Record<string, string | undefined> = {
    arn,
    accountId: str(identity, 'accountId'),
    principalId: str(identity, 'principalId'),
    accessKeyId: str(identity, 'accessKeyId'),
    sessionIssuerArn: hasIssuer ? str(issuer, 'arn') : undefined,
    sessionName,
    userName: str(identity, 'userName') ?? (hasIssuer ? str(issuer, 'userName') : undefined),
    invokedBy: str(identity, 'invokedBy'),
    ec2RoleDelivery: type === 'AssumedRole' ? str(sessionContext, 'ec2RoleDelivery') : undefined,
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

function invalid(problems: string[], eventId: string | undefined): Extract<ParsedEvent, { readonly kind: 'invalid' }> {
  return { kind: 'invalid', problems, ...(eventId ? { eventId } : {}) };
}

/** How a value reads in a problem message (`missing`, `the string "…"`, `a number`). */
export function describeType(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : `the string ${JSON.stringify(value.slice(0, 40))}`;
  return `a ${typeof value}`;
}
