/**
 * A corpus of malformed and adversarial events through the real responder wiring (AWS mocked):
 * each is classified in the log (malformed, ignored with a reason, or decided), none throws — so
 * none is retried by Lambda, and none can crash-loop the function — and none causes a change.
 */
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { SnsAlertPublisher } from '../../lambda/adapters/sns';
import { parsePolicy } from '../../lambda/core/policy';
import type { LogPort } from '../../lambda/app/ports';
import { createResponder } from '../../lambda/functions/wiring';
import { createNetworkInterfaceRecord, eventBridgeEnvelope } from '../../scripts/lib/cloudtrail-events';
import { realRecord } from '../support/fixtures';

const ec2 = mockClient(EC2Client);
const iam = mockClient(IAMClient);
const sns = mockClient(SNSClient);
const lines: { level: string; message: string; extra: Record<string, unknown> }[] = [];
const log: LogPort = {
  info: (message, extra = {}) => lines.push({ level: 'info', message, extra }),
  warn: (message, extra = {}) => lines.push({ level: 'warn', message, extra }),
  error: (message, extra = {}) => lines.push({ level: 'error', message, extra }),
};

const base = () =>
  createNetworkInterfaceRecord(
    { NetworkInterfaceId: 'eni-0123456789abcdef0', SubnetId: 'subnet-1', VpcId: 'vpc-1', Groups: [{ GroupId: 'sg-1' }] },
    { account: '123456789012', region: 'eu-west-1', eventId: 'evt-hostile' },
  ) as Record<string, unknown> & { responseElements: Record<string, Record<string, unknown>> };
const wrap = (record: unknown) => eventBridgeEnvelope(record as Record<string, unknown>);
const withInterface = (patch: Record<string, unknown>) => {
  const record = base();
  record.responseElements['networkInterface'] = { ...record.responseElements['networkInterface'], ...patch };
  return wrap(record);
};
const withRecord = (patch: Record<string, unknown>) => wrap({ ...base(), ...patch });
let nested: unknown = { leaf: true };
for (let i = 0; i < 2_000; i += 1) nested = { nested };

/** [name, event]: every kind of junk the issue lists, and then some. */
const CORPUS: [string, unknown][] = [
  ['null', null],
  ['undefined', undefined],
  ['a number', 42],
  ['a string', 'CreateNetworkInterface'],
  ['an array', [wrap(base())]],
  ['an empty object', {}],
  ['detail null', { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', detail: null }],
  ['detail a string', { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', detail: 'x' }],
  ['detail empty', { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', detail: {} }],
  [
    'an EC2 state-change notification',
    { 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', detail: { state: 'running' } },
  ],
  ['a scheduled event', { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }],
  ['an S3 API call', { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.s3', detail: { eventName: 'PutObject' } }],
  ['another EC2 call (DescribeInstances)', withRecord({ eventName: 'DescribeInstances' })],
  ['another EC2 call (DeleteNetworkInterface)', withRecord({ eventName: 'DeleteNetworkInterface' })],
  ['eventName a number', withRecord({ eventName: 7 })],
  ['eventSource of another service', withRecord({ eventSource: 'iam.amazonaws.com' })],
  ['a failed call', withRecord({ errorCode: 'Client.UnauthorizedOperation', errorMessage: 'no', responseElements: null })],
  ['a dry-run call', withRecord({ errorCode: 'Client.DryRunOperation', responseElements: null })],
  ['responseElements null', withRecord({ responseElements: null })],
  ['responseElements a string', withRecord({ responseElements: 'ok' })],
  ['networkInterface null', withRecord({ responseElements: { networkInterface: null } })],
  ['networkInterfaceId missing', withInterface({ networkInterfaceId: undefined })],
  ['networkInterfaceId a number', withInterface({ networkInterfaceId: 12345 })],
  ['networkInterfaceId not an eni id', withInterface({ networkInterfaceId: 'i-0123456789abcdef0' })],
  ['networkInterfaceId 100k characters', withInterface({ networkInterfaceId: `eni-${'a'.repeat(100_000)}` })],
  ['networkInterfaceId in unicode', withInterface({ networkInterfaceId: 'eni-𝔲𝔫𝔦𝔠𝔬𝔡𝔢' })],
  ['groupSet null', withInterface({ groupSet: null })],
  ['groupSet items [null]', withInterface({ groupSet: { items: [null] } })],
  ['groupSet item instead of items', withInterface({ groupSet: { item: [{ groupId: 'sg-1' }] } })],
  ['groupSet an empty object', withInterface({ groupSet: {} })],
  ['groupSet an array', withInterface({ groupSet: [{ groupId: 'sg-1' }] })],
  ['requesterManaged the string "true"', withInterface({ requesterManaged: 'true' })],
  ['an unknown interface type', withInterface({ interfaceType: 'quantum_tunnel' })],
  ['interfaceType a number', withInterface({ interfaceType: 9 })],
  ['a 1 MB description', withInterface({ description: 'x'.repeat(1_000_000) })],
  ['10,000 tags', withInterface({ tagSet: { items: Array.from({ length: 10_000 }, (_, i) => ({ key: `k${i}`, value: 'v' })) } })],
  ['unicode everywhere', withInterface({ description: '🔥'.repeat(1000), tagSet: { items: [{ key: 'ключ', value: '値' }] } })],
  ['userIdentity missing', withRecord({ userIdentity: undefined })],
  ['userIdentity null', withRecord({ userIdentity: null })],
  ['userIdentity a string', withRecord({ userIdentity: 'root' })],
  ['eventID missing', withRecord({ eventID: undefined })],
  ['eventID an object', withRecord({ eventID: { id: 1 } })],
  ['eventTime not a time', withRecord({ eventTime: 'yesterday' })],
  ['awsRegion missing', withRecord({ awsRegion: undefined })],
  ['a __proto__ key', JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(wrap(base())).slice(1)}`)],
  ['2,000 levels of nesting', withInterface({ description: nested })],
  [
    'RunInstances with instancesSet items [null]',
    withRecord({ eventName: 'RunInstances', responseElements: { instancesSet: { items: [null] } } }),
  ],
  [
    'RunInstances with networkInterfaceSet {}',
    withRecord({
      eventName: 'RunInstances',
      responseElements: { instancesSet: { items: [{ instanceId: 'i-1', networkInterfaceSet: {} }] } },
    }),
  ],
  [
    'AuthorizeSecurityGroupIngress without a group',
    withRecord({ eventName: 'AuthorizeSecurityGroupIngress', requestParameters: {}, responseElements: {} }),
  ],
  ['a real record for another call (AttachNetworkInterface)', wrap(realRecord('attach-eni-root-console.json'))],
];

beforeEach(() => {
  ec2.reset();
  iam.reset();
  sns.reset();
  lines.length = 0;
  // Whatever an event points at is gone: the responder must still not crash.
  ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

const responder = () =>
  createResponder({
    ec2: new EC2Client({ region: 'eu-west-1' }),
    iam: new IAMClient({ region: 'eu-west-1' }),
    alerts: new SnsAlertPublisher(new SNSClient({ region: 'eu-west-1' }), 'arn:aws:sns:eu-west-1:123456789012:alerts'),
    log,
    settings: { policy: parsePolicy({ version: 1 }), responderRoleArn: 'arn:aws:iam::123456789012:role/EniGuardResponder' },
  });

describe(`hostile input: a corpus of ${CORPUS.length} malformed and adversarial events`, () => {
  it.each(CORPUS)('%s: classified in the log, never thrown, never acted on', async (_name, event) => {
    const result = await responder().handle(event);

    expect(['invalid', 'ignored', 'decided']).toContain(result.kind);
    if (result.kind === 'decided') {
      for (const decision of result.decisions) expect(['gone', 'skipped', 'compliant']).toContain(decision.outcome);
    }
    const classified = lines.filter((l) =>
      ['event rejected: malformed', 'event ignored', 'interface decided', 'event decided nothing: no interface found'].includes(l.message),
    );
    expect(classified.length).toBeGreaterThan(0);
    const mutating = ec2.calls().filter((c) => !/^(Describe|Get)/.test(c.args[0].constructor.name));
    expect(mutating).toEqual([]);
    expect(iam.calls()).toEqual([]);
    expect(sns.calls()).toEqual([]);
    // The log line stays bounded even for megabyte inputs: the problems, not the payload, are what is kept.
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});
