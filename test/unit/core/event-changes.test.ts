/**
 * The calls beyond CreateNetworkInterface: RunInstances (primary interfaces), AttachNetworkInterface,
 * ModifyNetworkInterfaceAttribute, AssociateAddress, and security-group rule changes. Real records
 * (test/fixtures/events/real) are wrapped in the documented EventBridge envelope; the shapes no
 * public record shows (ModifyNetworkInterfaceAttribute, AssociateAddress, ModifySecurityGroupRules)
 * follow SCHEMA.md §8 and public detection rules that read them.
 */
import { parseEvent, SUPPORTED_EVENT_NAMES } from '../../../lambda/core/event';
import { eventBridgeEnvelope } from '../../../scripts/lib/cloudtrail-events';
import { realRecord } from '../../support/fixtures';

/** A successful EC2 record of `eventName` with the given request and response. */
function record(eventName: string, requestParameters: unknown, responseElements: unknown = { _return: true }) {
  return eventBridgeEnvelope({
    eventVersion: '1.10',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012', userName: 'alice' },
    eventTime: '2026-11-28T03:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName,
    awsRegion: 'eu-west-1',
    requestParameters,
    responseElements,
    eventID: `evt-${eventName}`,
    recipientAccountId: '123456789012',
  });
}

describe('parseEvent: RunInstances', () => {
  it('evaluates the primary interface of the real RunInstances record (no CreateNetworkInterface event exists for it)', () => {
    expect(parseEvent(eventBridgeEnvelope(realRecord('related-runinstances-iamuser-implicit-primary-eni.json')))).toEqual(
      expect.objectContaining({
        kind: 'interfaces',
        context: expect.objectContaining({ eventId: '2018a64c-166e-41dd-b498-a90cb1394152', eventName: 'RunInstances' }),
        interfaces: [
          {
            networkInterfaceId: 'eni-0e2047025f1642a88',
            interfaceType: 'interface',
            subnetId: 'subnet-ff9ec5b2',
            vpcId: 'vpc-e9e14694',
            groupIds: ['sg-04bd74569fe50fdb5'],
          },
        ],
      }),
    );
  });

  const instance = (networkInterfaceSet: unknown, instanceId = 'i-0aaaaaaaaaaaaaaaa') => ({
    instanceId,
    ...(networkInterfaceSet === undefined ? {} : { networkInterfaceSet }),
  });
  const eni = (id: string) => ({ networkInterfaceId: id, interfaceType: 'interface', groupSet: { items: [{ groupId: 'sg-11111111' }] } });

  it.each([
    ['items', { items: [eni('eni-01')] }],
    ['item (singular)', { item: [eni('eni-01')] }],
    ['a bare array', [eni('eni-01')]],
  ])('reads networkInterfaceSet given as %s', (_shape, set) => {
    const parsed = parseEvent(record('RunInstances', {}, { instancesSet: { items: [instance(set)] } }));
    expect(parsed).toMatchObject({ kind: 'interfaces', interfaces: [{ networkInterfaceId: 'eni-01', groupIds: ['sg-11111111'] }] });
    expect(parsed.kind === 'interfaces' && parsed.lookups).toBeUndefined();
  });

  it.each([
    ['absent', undefined],
    ['{}', {}],
    ['{items: []}', { items: [] }],
    ['{item: []}', { item: [] }],
  ])('looks the instance up when its networkInterfaceSet is %s', (_shape, set) => {
    expect(parseEvent(record('RunInstances', {}, { instancesSet: { items: [instance(set)] } }))).toMatchObject({
      kind: 'interfaces',
      interfaces: [],
      lookups: [{ kind: 'instance', instanceId: 'i-0aaaaaaaaaaaaaaaa', primaryOnly: false }],
    });
  });

  it('reads every instance of a multi-instance launch', () => {
    const parsed = parseEvent(
      record(
        'RunInstances',
        {},
        {
          instancesSet: {
            items: [
              instance({ items: [eni('eni-01')] }, 'i-11111111'),
              instance({}, 'i-22222222'),
              instance({ items: [eni('eni-03')] }, 'i-33333333'),
            ],
          },
        },
      ),
    );
    expect(parsed).toMatchObject({
      interfaces: [{ networkInterfaceId: 'eni-01' }, { networkInterfaceId: 'eni-03' }],
      lookups: [{ kind: 'instance', instanceId: 'i-22222222' }],
    });
  });

  it.each([
    ['no responseElements', null],
    ['instancesSet {}', { instancesSet: {} }],
  ])('rejects a successful RunInstances with %s, pointing at the sweep', (_name, response) => {
    const parsed = parseEvent(record('RunInstances', {}, response));
    expect(parsed.kind === 'invalid' && parsed.problems.join()).toMatch(/instancesSet.*sweep/);
  });
});

describe('parseEvent: calls that name an interface or an instance', () => {
  it('evaluates the interface of the real AttachNetworkInterface record (root console session)', () => {
    expect(parseEvent(realRecord('attach-eni-root-console.json'))).toMatchObject({
      kind: 'interfaces',
      context: { eventName: 'AttachNetworkInterface', caller: { type: 'Root', viaConsole: true } },
      interfaces: [{ networkInterfaceId: 'eni-0a9c4b60624c0e41d', groupIds: [] }],
    });
  });

  it.each([
    [
      'groups',
      { networkInterfaceId: 'eni-01', groupSet: { items: [{ groupId: 'sg-99999999' }, { groupId: 'sg-88888888' }] } },
      ['sg-99999999', 'sg-88888888'],
    ],
    ['source/dest check', { networkInterfaceId: 'eni-01', sourceDestCheck: { value: false } }, []],
    [
      'an attachment setting',
      { networkInterfaceId: 'eni-01', attachment: { attachmentId: 'eni-attach-1', deleteOnTermination: false } },
      [],
    ],
  ])('evaluates ModifyNetworkInterfaceAttribute of %s', (_what, request, groupIds) => {
    expect(parseEvent(record('ModifyNetworkInterfaceAttribute', request))).toMatchObject({
      kind: 'interfaces',
      interfaces: [{ networkInterfaceId: 'eni-01', groupIds }],
    });
  });

  it('ignores a ModifyNetworkInterfaceAttribute that only changes the description', () => {
    expect(
      parseEvent(record('ModifyNetworkInterfaceAttribute', { networkInterfaceId: 'eni-01', description: { value: 'web' } })),
    ).toMatchObject({
      kind: 'ignored',
      reason: 'irrelevant-change',
    });
  });

  it('evaluates the interface an Elastic IP was associated with', () => {
    expect(
      parseEvent(
        record(
          'AssociateAddress',
          { allocationId: 'eipalloc-1', networkInterfaceId: 'eni-01' },
          { _return: true, associationId: 'eipassoc-1' },
        ),
      ),
    ).toMatchObject({ kind: 'interfaces', interfaces: [{ networkInterfaceId: 'eni-01' }] });
  });

  it("looks up the instance's primary interface when the address went to an instance", () => {
    expect(parseEvent(record('AssociateAddress', { allocationId: 'eipalloc-1', instanceId: 'i-01010101' }))).toMatchObject({
      kind: 'interfaces',
      interfaces: [],
      lookups: [{ kind: 'instance', instanceId: 'i-01010101', primaryOnly: true }],
    });
  });

  it.each([
    ['AttachNetworkInterface', { instanceId: 'i-01010101', deviceIndex: 1 }],
    ['ModifyNetworkInterfaceAttribute', { sourceDestCheck: { value: false } }],
    ['AssociateAddress', { publicIp: '203.0.113.9' }],
  ])('rejects %s naming no interface', (eventName, request) => {
    expect(parseEvent(record(eventName, request)).kind).toBe('invalid');
  });
});

describe('parseEvent: security-group rule changes', () => {
  it('reads the real AuthorizeSecurityGroupIngress (ipPermissions shape): the group, and the rule with its id from the response', () => {
    expect(parseEvent(eventBridgeEnvelope(realRecord('related-authorize-sg-ingress-iamuser-cli-ipPermissions.json')))).toMatchObject({
      kind: 'interfaces',
      interfaces: [],
      lookups: [{ kind: 'group', groupId: 'sg-0f63fecfa17ef4fee' }],
      change: {
        groupId: 'sg-0f63fecfa17ef4fee',
        rules: [{ ruleId: 'sgr-027eb7c59241731e0', protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '203.0.113.0/24' }],
      },
    });
  });

  it('reads the real legacy flat AuthorizeSecurityGroupIngress (cidrIp 208.236.235.254/0 is the whole internet)', () => {
    expect(parseEvent(eventBridgeEnvelope(realRecord('related-authorize-sg-ingress-iamuser-legacy-params.json')))).toMatchObject({
      context: { region: 'us-northeast-1r' },
      change: {
        groupId: 'sg-003dc7f1f1c686164',
        rules: [{ ruleId: 'sgr-09b3e3d2ca1edf2a2', protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '208.236.235.254/0' }],
      },
    });
  });

  it('falls back to the request when the response has no rule set: both shapes, every source kind', () => {
    const modern = parseEvent(
      record(
        'AuthorizeSecurityGroupIngress',
        {
          groupId: 'sg-11111111',
          ipPermissions: {
            items: [
              {
                ipProtocol: 'tcp',
                fromPort: 22,
                toPort: 22,
                ipRanges: { items: [{ cidrIp: '0.0.0.0/0', description: 'ssh' }] },
                ipv6Ranges: { items: [{ cidrIpv6: '::/0' }] },
                prefixListIds: { items: [{ prefixListId: 'pl-1' }] },
                groups: { items: [{ groupId: 'sg-22222222' }] },
              },
            ],
          },
        },
        { _return: true },
      ),
    );
    expect(modern.kind === 'interfaces' && modern.change?.rules).toEqual([
      { protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0', description: 'ssh' },
      { protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv6: '::/0' },
      { protocol: 'tcp', fromPort: 22, toPort: 22, prefixListId: 'pl-1' },
      { protocol: 'tcp', fromPort: 22, toPort: 22, referencedGroupId: 'sg-22222222' },
    ]);
    const legacy = parseEvent(
      record('AuthorizeSecurityGroupIngress', {
        groupId: 'sg-11111111',
        ipProtocol: 'TCP',
        fromPort: '3389',
        toPort: '3389',
        cidrIp: '0.0.0.0/0',
        ipPermissions: {},
      }),
    );
    expect(legacy.kind === 'interfaces' && legacy.change?.rules).toEqual([
      { protocol: 'tcp', fromPort: 3389, toPort: 3389, cidrIpv4: '0.0.0.0/0' },
    ]);
  });

  it('takes the group from the response when the request names it only by name', () => {
    const parsed = parseEvent(
      record(
        'AuthorizeSecurityGroupIngress',
        { groupName: 'default', ipPermissions: {} },
        {
          securityGroupRuleSet: {
            items: [{ groupId: 'sg-77777777', securityGroupRuleId: 'sgr-1', ipProtocol: '-1', cidrIpv4: '0.0.0.0/0', isEgress: false }],
          },
        },
      ),
    );
    expect(parsed).toMatchObject({
      change: { groupId: 'sg-77777777', rules: [{ ruleId: 'sgr-1', protocol: '-1', cidrIpv4: '0.0.0.0/0' }] },
    });
  });

  it('rejects an AuthorizeSecurityGroupIngress whose group cannot be told', () => {
    expect(parseEvent(record('AuthorizeSecurityGroupIngress', { groupName: 'default', ipPermissions: {} }, { _return: true })).kind).toBe(
      'invalid',
    );
  });

  it.each([
    [
      'one rule (CloudTrail PascalCase request wrapper)',
      {
        ModifySecurityGroupRulesRequest: {
          GroupId: 'sg-11111111',
          SecurityGroupRule: {
            SecurityGroupRuleId: 'sgr-1',
            SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0', tag: 1 },
            tag: 1,
          },
        },
      },
      [{ ruleId: 'sgr-1', protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' }],
    ],
    [
      'a list of rules',
      {
        ModifySecurityGroupRulesRequest: {
          GroupId: 'sg-11111111',
          SecurityGroupRule: [
            { SecurityGroupRuleId: 'sgr-1', SecurityGroupRule: { IpProtocol: '-1', CidrIpv6: '::/0' } },
            { SecurityGroupRuleId: 'sgr-2', SecurityGroupRule: { IpProtocol: 'udp', FromPort: 53, ToPort: 53, PrefixListId: 'pl-1' } },
          ],
        },
      },
      [
        { ruleId: 'sgr-1', protocol: '-1', cidrIpv6: '::/0' },
        { ruleId: 'sgr-2', protocol: 'udp', fromPort: 53, toPort: 53, prefixListId: 'pl-1' },
      ],
    ],
    [
      'the lowerCamel form',
      {
        groupId: 'sg-11111111',
        securityGroupRuleSet: {
          items: [
            { securityGroupRuleId: 'sgr-1', securityGroupRule: { ipProtocol: 'tcp', fromPort: 80, toPort: 80, cidrIpv4: '10.0.0.0/8' } },
          ],
        },
      },
      [{ ruleId: 'sgr-1', protocol: 'tcp', fromPort: 80, toPort: 80, cidrIpv4: '10.0.0.0/8' }],
    ],
    ['no rule detail', { ModifySecurityGroupRulesRequest: { GroupId: 'sg-11111111' } }, []],
  ])('reads ModifySecurityGroupRules with %s', (_shape, request, rules) => {
    expect(parseEvent(record('ModifySecurityGroupRules', request))).toEqual(
      expect.objectContaining({ lookups: [{ kind: 'group', groupId: 'sg-11111111' }], change: { groupId: 'sg-11111111', rules } }),
    );
  });
});

describe('the covered events', () => {
  it('are exactly the seven calls the EventBridge rule matches', () => {
    expect(SUPPORTED_EVENT_NAMES).toEqual([
      'CreateNetworkInterface',
      'RunInstances',
      'AttachNetworkInterface',
      'ModifyNetworkInterfaceAttribute',
      'AssociateAddress',
      'AuthorizeSecurityGroupIngress',
      'ModifySecurityGroupRules',
    ]);
  });

  it.each(SUPPORTED_EVENT_NAMES.map((name) => [name]))('ignores a failed %s (nothing changed)', (eventName) => {
    const failed = record(eventName, {}, null);
    (failed['detail'] as Record<string, unknown>)['errorCode'] = 'Client.UnauthorizedOperation';
    expect(parseEvent(failed)).toMatchObject({ kind: 'ignored', reason: 'failed-call' });
  });
});

describe('records that are not one of the covered calls, or not whole', () => {
  it('ignores an EC2 call it does not cover, naming it', () => {
    expect(parseEvent(record('DeleteNetworkInterface', { networkInterfaceId: 'eni-01' }))).toMatchObject({
      kind: 'ignored',
      reason: 'unsupported-event',
      detail: 'eventName DeleteNetworkInterface',
    });
  });

  it('refuses a record without an event name or id, naming each missing field and keeping a readable id', () => {
    const nameless = record('CreateNetworkInterface', {});
    delete (nameless['detail'] as Record<string, unknown>)['eventName'];
    const parsed = parseEvent(nameless);
    expect(parsed).toMatchObject({ kind: 'invalid', eventId: 'evt-CreateNetworkInterface' });
    expect(parsed.kind === 'invalid' && parsed.problems).toEqual(['detail.eventName: required string is missing']);

    const idless = record('CreateNetworkInterface', {});
    (idless['detail'] as Record<string, unknown>)['eventID'] = 'evt/*';
    const refused = parseEvent(idless);
    expect(refused.kind === 'invalid' && refused.eventId).toBeUndefined();
    expect(refused.kind === 'invalid' && refused.problems.join('\n')).toMatch(/^detail\.eventID: .* is not an event id/);
  });

  it.each([
    ['no group id', { ModifySecurityGroupRulesRequest: {} }],
    ['a group name where the id goes', { ModifySecurityGroupRulesRequest: { GroupId: 'default' } }],
  ])('refuses ModifySecurityGroupRules with %s: a group is named by id', (_shape, request) => {
    const parsed = parseEvent(record('ModifySecurityGroupRules', request));
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' && parsed.problems.join('\n')).toContain(
      'detail.requestParameters.ModifySecurityGroupRulesRequest.GroupId: ModifySecurityGroupRules must name the group by id',
    );
  });
});
