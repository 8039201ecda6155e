import { parseEvent } from '../../../lambda/core/event';
import { eventBridgeEnvelope } from '../../../scripts/lib/cloudtrail-events';
import { realRecord } from '../../support/fixtures';

// No real enveloped CreateNetworkInterface event exists in public sources: these tests wrap the
// real CloudTrail records in the documented EventBridge envelope.
describe('parseEvent with real CloudTrail records', () => {
  it('reads the EFS service-linked-role CreateNetworkInterface (requester-managed, groups from the response)', () => {
    const parsed = parseEvent(eventBridgeEnvelope(realRecord('efs-service-linked-role-requester-managed.json')));
    expect(parsed).toMatchObject({
      kind: 'interfaces',
      context: {
        eventId: 'aaaabbbb-1111-2222-3333-444444555555',
        eventName: 'CreateNetworkInterface',
        region: 'us-east-1',
        account: '111122223333',
        caller: {
          type: 'AssumedRole',
          sessionIssuerArn:
            'arn:aws:iam::0123456789ab:role/aws-service-role/elasticfilesystem.amazonaws.com/AWSServiceRoleForAmazonElasticFileSystem',
          sessionName: '0123456789ab',
          invokedBy: 'AWS Internal',
          sourceIp: 'elasticfilesystem.amazonaws.com',
          viaConsole: false,
        },
      },
      interfaces: [
        { networkInterfaceId: 'eni-0123456789abcdef0', requesterManaged: true, vpcId: 'vpc-01234567', groupIds: ['sg-c16d65b6'] },
      ],
    });
  });

  it('reads the same record unwrapped, as the CLI replays it', () => {
    const parsed = parseEvent(realRecord('efs-service-linked-role-requester-managed.json'));
    expect(parsed.kind).toBe('interfaces');
  });

  it('refuses an event whose envelope and record disagree on the account or the Region (one of them was written by someone else)', () => {
    const record = realRecord('efs-service-linked-role-requester-managed.json');
    expect(parseEvent(eventBridgeEnvelope(record, { account: '999999999999' }))).toMatchObject({
      kind: 'invalid',
      problems: [expect.stringMatching(/recipientAccountId: the record says \d{12}, the envelope's account 999999999999/)],
    });
    expect(parseEvent(eventBridgeEnvelope(record, { region: 'ap-south-2' }))).toMatchObject({
      kind: 'invalid',
      problems: [expect.stringMatching(/awsRegion: the record says .*, the envelope's region ap-south-2/)],
    });
  });

  it.each([
    ['attach-eni-root-console.json', 'AttachNetworkInterface'],
    ['related-runinstances-iamuser-implicit-primary-eni.json', 'RunInstances'],
    ['related-authorize-sg-ingress-iamuser-cli-ipPermissions.json', 'AuthorizeSecurityGroupIngress'],
    ['related-authorize-sg-ingress-iamuser-legacy-params.json', 'AuthorizeSecurityGroupIngress'],
  ])('evaluates %s (%s) — see event-changes.test.ts for what each yields', (file, eventName) => {
    const parsed = parseEvent(eventBridgeEnvelope(realRecord(file)));
    expect(parsed).toMatchObject({ kind: 'interfaces', context: { eventName } });
  });

  it('reads a root console caller: sessionIssuer {} and string booleans', () => {
    const parsed = parseEvent(realRecord('attach-eni-root-console.json'));
    expect(parsed.kind === 'interfaces' && parsed.context.caller).toEqual(
      expect.objectContaining({ type: 'Root', arn: 'arn:aws:iam::450502852875:root', viaConsole: true, mfaAuthenticated: true }),
    );
    expect(parsed.kind === 'interfaces' && parsed.context.caller.sessionIssuerArn).toBeUndefined();
  });

  it('ignores the Bedrock AgentCore dry run (abridged record completed with the fields it lacks)', () => {
    const abridged = realRecord('partial/bedrock-agentcore-slr-dryrun-ABRIDGED.json');
    const record = {
      ...abridged,
      eventSource: 'ec2.amazonaws.com',
      eventID: 'e-1',
      eventTime: '2025-01-01T00:00:00Z',
      awsRegion: 'us-west-2',
      recipientAccountId: '123456789012',
    };
    expect(parseEvent(eventBridgeEnvelope(record))).toMatchObject({ kind: 'ignored', reason: 'dry-run' });
  });

  it('rejects the abridged record as it stands: it has no eventID', () => {
    const parsed = parseEvent(realRecord('partial/bedrock-agentcore-slr-dryrun-ABRIDGED.json'));
    expect(parsed).toMatchObject({ kind: 'invalid', problems: [expect.stringContaining('eventID')] });
  });
});

describe('parseEvent with malformed and foreign input', () => {
  const good = () => realRecord('efs-service-linked-role-requester-managed.json');

  it.each<[string, unknown, string]>([
    ['null', null, 'expected a JSON object, got null'],
    ['an array', [], 'got an array'],
    ['a string', 'CreateNetworkInterface', 'got the string'],
    ['an object with neither envelope nor record fields', { hello: 'world' }, 'neither an EventBridge envelope'],
    [
      'an envelope whose detail is null',
      { ...eventBridgeEnvelope(good()), detail: null },
      'detail: expected the CloudTrail record object, got null',
    ],
    ['a record without eventID', { ...good(), eventID: undefined }, 'eventID: required string is missing'],
    ['a record whose eventID is a number', { ...good(), eventID: 7 }, 'eventID: required string is a number'],
    ['a record without awsRegion', { ...good(), awsRegion: null }, 'awsRegion'],
    ['a success without responseElements', { ...good(), responseElements: null }, 'networkInterfaceId'],
    [
      'a success whose interface id is not an eni-',
      { ...good(), responseElements: { networkInterface: { networkInterfaceId: 'i-123' } } },
      'networkInterfaceId',
    ],
  ])('rejects %s with a specific problem', (_name, input, problem) => {
    const parsed = parseEvent(input);
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' && parsed.problems.join('\n')).toContain(problem);
  });

  it('ignores events from other sources and detail types', () => {
    expect(parseEvent({ 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', detail: {} })).toMatchObject({
      kind: 'ignored',
      reason: 'not-cloudtrail-ec2',
    });
    expect(parseEvent(eventBridgeEnvelope({ ...good(), eventSource: 's3.amazonaws.com' }))).toMatchObject({
      kind: 'ignored',
      reason: 'not-cloudtrail-ec2',
    });
  });

  it('ignores failed calls and says why', () => {
    const failed = {
      ...good(),
      errorCode: 'Client.UnauthorizedOperation',
      errorMessage: 'You are not authorized to perform this operation.',
      responseElements: null,
    };
    expect(parseEvent(eventBridgeEnvelope(failed))).toMatchObject({
      kind: 'ignored',
      reason: 'failed-call',
      detail: 'Client.UnauthorizedOperation: You are not authorized to perform this operation.',
    });
  });

  it('accepts a Lambda-created interface and names the session', () => {
    const record = {
      ...good(),
      userIdentity: {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::465330168186:assumed-role/azul-indexer/awslambda_847_20230628214903095',
        sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::465330168186:role/azul-indexer' } },
      },
    };
    const parsed = parseEvent(record);
    expect(parsed.kind === 'interfaces' && parsed.context.caller.sessionName).toBe('awslambda_847_20230628214903095');
  });
});
