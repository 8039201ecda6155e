/**
 * The parser reads what anyone could have written (a replayed file, a forged dead-letter message):
 * no input makes it throw, and whatever it extracts that reaches an EC2 filter or a key of ours is an
 * id in AWS's grammar, never a pattern.
 */
import fc from 'fast-check';
import { parseEvent } from '../../lambda/core/event';
import { summarizeInput } from '../../lambda/core/summary';

const SUPPORTED = [
  'CreateNetworkInterface',
  'RunInstances',
  'AttachNetworkInterface',
  'ModifyNetworkInterfaceAttribute',
  'AssociateAddress',
  'AuthorizeSecurityGroupIngress',
  'ModifySecurityGroupRules',
];

/** Strings an attacker would try where ids go: wildcards, near-ids, huge, unicode. */
const hostileString = fc.oneof(
  fc.string(),
  fc.constantFrom(
    '*',
    '?',
    'sg-*',
    'i-*',
    'eni-*',
    'sg-0*',
    'i-0123456789abcdef?',
    'eni-0aaaaaaaaaaaaaaaa',
    'sg-0aaaaaaaaaaaaaaaa',
    'i-0aaaaaaaaaaaaaaaa',
    '../',
    '%2a',
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);
const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(hostileString, fc.constantFrom('items', 'item', 'groupId', 'instanceId', 'networkInterfaceId', 'GroupId')),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;

/** A CloudTrail-shaped record whose every field may be junk. */
const record = fc.record(
  {
    eventID: fc.oneof(fc.uuid(), hostileString),
    eventName: fc.oneof(fc.constantFrom(...SUPPORTED), hostileString),
    eventSource: fc.oneof(fc.constant('ec2.amazonaws.com'), hostileString),
    awsRegion: fc.oneof(fc.constant('eu-west-1'), hostileString),
    eventTime: fc.oneof(fc.constant('2026-12-01T00:00:00Z'), hostileString),
    recipientAccountId: fc.oneof(fc.constant('123456789012'), hostileString),
    userIdentity: jsonish,
    requestParameters: jsonish,
    responseElements: jsonish,
    errorCode: fc.option(hostileString, { nil: undefined }),
  },
  { requiredKeys: ['eventID', 'eventName', 'eventSource'] },
);
/** Records of each supported call with an attacker's string where its ids go. */
const idBearing = fc
  .oneof(
    fc.record({
      eventName: fc.constant('AuthorizeSecurityGroupIngress'),
      requestParameters: fc.record({ groupId: hostileString, ipPermissions: fc.constant({}) }),
    }),
    fc.record({
      eventName: fc.constant('ModifySecurityGroupRules'),
      requestParameters: hostileString.map((GroupId) => ({ ModifySecurityGroupRulesRequest: { GroupId } })),
    }),
    fc.record({
      eventName: fc.constant('AssociateAddress'),
      requestParameters: fc.oneof(
        hostileString.map((instanceId) => ({ instanceId })),
        hostileString.map((networkInterfaceId) => ({ networkInterfaceId })),
      ),
    }),
    fc.record({
      eventName: fc.constant('RunInstances'),
      responseElements: fc.tuple(hostileString, fc.option(hostileString, { nil: undefined })).map(([instanceId, eni]) => ({
        instancesSet: { items: [{ instanceId, networkInterfaceSet: { items: eni === undefined ? [] : [{ networkInterfaceId: eni }] } }] },
      })),
    }),
    fc.record({
      eventName: fc.constant('CreateNetworkInterface'),
      responseElements: hostileString
        .map((networkInterfaceId) => ({ networkInterfaceId }))
        .map((networkInterface) => ({ networkInterface })),
    }),
    fc.record({
      eventName: fc.constantFrom('AttachNetworkInterface', 'ModifyNetworkInterfaceAttribute'),
      requestParameters: hostileString.map((networkInterfaceId) => ({ networkInterfaceId })),
    }),
  )
  .chain((call) =>
    fc.oneof(fc.uuid(), hostileString).map((eventID) => ({
      eventID,
      eventSource: 'ec2.amazonaws.com',
      awsRegion: 'eu-west-1',
      eventTime: '2026-12-01T00:00:00Z',
      recipientAccountId: '123456789012',
      userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/mallory' },
      ...call,
    })),
  );
const envelope = record.map((detail) => ({
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.ec2',
  account: '123456789012',
  region: 'eu-west-1',
  detail,
}));

const ID = { instance: /^i-([0-9a-f]{8}|[0-9a-f]{17})$/, group: /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/, eni: /^eni-[0-9a-f]{1,17}$/ };

describe('parseEvent on hostile input', () => {
  it('never throws on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => void parseEvent(value)),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.anything(), (value) => void parseEvent(value)),
      { numRuns: 1000 },
    );
  });

  it('never throws on CloudTrail-shaped junk, and lets only well-formed ids through to lookups and keys', () => {
    fc.assert(
      fc.property(fc.oneof(record, envelope, idBearing), (event) => {
        const parsed = parseEvent(event);
        if (parsed.kind !== 'interfaces') return;
        expect(parsed.context.eventId).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/);
        for (const hint of parsed.interfaces) expect(hint.networkInterfaceId).toMatch(ID.eni);
        for (const lookup of parsed.lookups ?? []) {
          if (lookup.kind === 'instance') expect(lookup.instanceId).toMatch(ID.instance);
          if (lookup.kind === 'group') expect(lookup.groupId).toMatch(ID.group);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('summarises any input for a log line within its bound, never throwing', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 8 }), (value) => {
        expect(summarizeInput(value).length).toBeLessThanOrEqual(2010);
      }),
      { numRuns: 1000 },
    );
  });
});
