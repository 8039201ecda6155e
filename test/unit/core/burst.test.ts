/**
 * Calm during bursts, the pure part (lambda/core/burst.ts): which alerts are never held, what makes
 * two alerts "the same cause", how windows are keyed, what the digest keeps of each alert, and what
 * the digest says. The holding and flushing over a store is test/unit/adapters/burst.test.ts.
 */
import fc from 'fast-check';
import type { Alert, AlertDocument } from '../../../lambda/core/alert';
import type { BurstCause, BurstWindow, HeldAlert } from '../../../lambda/core/burst';
import { causeOf, heldAlertOf, isUrgent, renderDigest, windowKeyOf, windowStart } from '../../../lambda/core/burst';
import type { Caller } from '../../../lambda/core/model';
import { alertFor } from '../../support/alerts';

/** `alert` with its document changed (attributes, subject and text left as they were). */
const withDoc = (alert: Alert, patch: Partial<AlertDocument>): Alert => ({ ...alert, document: { ...alert.document, ...patch } });
/** The eksNodes alert made by `caller`. */
const by = (caller: Caller): Alert => withDoc(alertFor('eksNodes', 0), { caller, actor: undefined });

describe('isUrgent: critical fixes are never held', () => {
  it.each([
    ['critical', 'remediated', true],
    ['critical', 'remediation-failed', true],
    ['critical', 'notified', false],
    ['critical', 'dry-run', false],
    ['high', 'remediated', false],
    ['high', 'remediation-failed', false],
  ] as const)('severity %s, response %s → %s', (severity, response, urgent) => {
    expect(isUrgent(withDoc(alertFor('worldOpenSsh', 0), { severity, response }))).toBe(urgent);
  });
});

describe('causeOf', () => {
  it('is everything a filter policy or a reader tells alerts apart by, and nothing about the interface', () => {
    expect(causeOf(alertFor('eksNodes', 7))).toStrictEqual({
      account: '123456789012',
      region: 'eu-west-1',
      caller: 'arn:aws:iam::123456789012:role/eks-node',
      actor: 'i-0aaa via role eks-node',
      rule: 'vpc-flow-logs',
      group: 'sg-nodes',
      severity: 'medium',
      response: 'notified',
      outcome: 'noncompliant',
    });
    expect(causeOf(alertFor('eksNodes', 7))).toStrictEqual(causeOf(alertFor('eksNodes', 8)));
  });

  it('is the primary finding’s group when it names one, else the interface’s groups sorted, else "-"', () => {
    expect(causeOf(alertFor('autoScaling', 0))?.group).toBe('sg-web');
    const eks = alertFor('eksNodes', 0);
    const groups = (ids: string[]) => ({ ...eks.document.networkInterface, groups: ids.map((groupId) => ({ groupId })) });
    expect(causeOf(withDoc(eks, { networkInterface: groups(['sg-b', 'sg-c', 'sg-a']) }))?.group).toBe('sg-a,sg-b,sg-c');
    expect(causeOf(withDoc(eks, { networkInterface: groups([]) }))?.group).toBe('-');
    const { groups: _none, ...noGroups } = eks.document.networkInterface;
    expect(causeOf(withDoc(eks, { networkInterface: noGroups }))?.group).toBe('-');
  });

  it('carries the account alias only when there is one', () => {
    expect(causeOf(withDoc(alertFor('eksNodes', 0), { accountAlias: 'prod' }))).toMatchObject({ accountAlias: 'prod' });
    expect(causeOf(withDoc(alertFor('eksNodes', 0), { accountAlias: '' }))).not.toHaveProperty('accountAlias');
    expect(causeOf(alertFor('eksNodes', 0))).not.toHaveProperty('accountAlias');
  });

  it('reads the actor from the document, else from the caller', () => {
    const eks = alertFor('eksNodes', 0);
    expect(causeOf(withDoc(eks, { actor: { kind: 'assumed-role', name: 'the EKS node role' } }))?.actor).toBe('the EKS node role');
    expect(causeOf(withDoc(eks, { actor: undefined }))?.actor).toBe('i-0aaa via role eks-node');
  });

  it('holds decisions only: documents with a kind of their own are never held', () => {
    const eks = alertFor('eksNodes', 0);
    expect(causeOf(withDoc(eks, { kind: undefined }))).toStrictEqual(causeOf(eks));
    expect(causeOf(withDoc(eks, { kind: 'group-change' }))).toBeUndefined();
    expect(causeOf(withDoc(eks, { kind: 'sweep-summary' }))).toBeUndefined();
    expect(causeOf(withDoc(eks, { kind: 'digest' }))).toBeUndefined();
  });

  describe('the caller: a machine session’s role, a person’s own session', () => {
    const ssoRole = 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123';
    const session = (name: string, role = 'Admin') => `arn:aws:sts::123456789012:assumed-role/${role}/${name}`;
    const assumed = (extra: Partial<Caller>): Caller => ({ type: 'AssumedRole', viaConsole: false, mfaAuthenticated: false, ...extra });

    it('tells two people in the same SSO role apart, and two instances of the same role not', () => {
      const person = (name: string) =>
        assumed({ arn: session(name, 'AWSReservedSSO_Admin_0123'), sessionIssuerArn: ssoRole, sessionName: name });
      expect(causeOf(by(person('alice@example.com')))?.caller).toBe(session('alice@example.com', 'AWSReservedSSO_Admin_0123'));
      expect(causeOf(by(person('bob@example.com')))?.caller).toBe(session('bob@example.com', 'AWSReservedSSO_Admin_0123'));
      // An SSO session is a person's even when its name is not an e-mail address.
      expect(causeOf(by(person('alice')))?.caller).toBe(session('alice', 'AWSReservedSSO_Admin_0123'));
      const node = (name: string) =>
        assumed({ arn: session(name, 'eks-node'), sessionIssuerArn: 'arn:aws:iam::123456789012:role/eks-node', sessionName: name });
      expect(causeOf(by(node('i-0aaa')))?.caller).toBe('arn:aws:iam::123456789012:role/eks-node');
      expect(causeOf(by(node('i-0bbb')))?.caller).toBe('arn:aws:iam::123456789012:role/eks-node');
    });

    it('names a person’s session by its ARN, else its role, else its type', () => {
      const role = 'arn:aws:iam::123456789012:role/Ops';
      expect(causeOf(by(assumed({ sessionIssuerArn: role, sessionName: 'carol@example.com' })))?.caller).toBe(role);
      expect(causeOf(by(assumed({ sessionName: 'carol@example.com' })))?.caller).toBe('AssumedRole');
      expect(causeOf(by(assumed({ arn: session('carol@example.com', 'Ops'), sessionName: 'carol@example.com' })))?.caller).toBe(
        session('carol@example.com', 'Ops'),
      );
    });

    it('takes an instance’s or a Lambda function’s session, even named like a person, by its role', () => {
      const role = 'arn:aws:iam::123456789012:role/worker';
      const arn = session('dave@example.com', 'worker');
      expect(causeOf(by(assumed({ arn, sessionIssuerArn: role, sessionName: 'dave@example.com', ec2RoleDelivery: '2.0' })))?.caller).toBe(
        role,
      );
      expect(
        causeOf(by(assumed({ arn: session('awslambda_1@x', 'worker'), sessionIssuerArn: role, sessionName: 'awslambda_1@x' })))?.caller,
      ).toBe(role);
    });

    it('names a role session without a role by its ARN, else the service that called, else its type', () => {
      expect(causeOf(by(assumed({ arn: session('job-1', 'Batch'), sessionName: 'job-1' })))?.caller).toBe(session('job-1', 'Batch'));
      expect(causeOf(by(assumed({ sessionName: 'job-1', invokedBy: 'batch.amazonaws.com' })))?.caller).toBe('batch.amazonaws.com');
      expect(causeOf(by(assumed({ sessionName: 'job-1' })))?.caller).toBe('AssumedRole');
    });

    it('names other callers by their ARN, else the service that called, else their type', () => {
      expect(
        causeOf(
          by({ type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/eve', userName: 'eve', viaConsole: false, mfaAuthenticated: false }),
        )?.caller,
      ).toBe('arn:aws:iam::123456789012:user/eve');
      expect(causeOf(by({ type: 'AWSService', invokedBy: 'ec2.amazonaws.com', viaConsole: false, mfaAuthenticated: false }))?.caller).toBe(
        'ec2.amazonaws.com',
      );
      expect(causeOf(by({ type: 'Root', viaConsole: true, mfaAuthenticated: true }))?.caller).toBe('Root');
    });
  });
});

describe('windows', () => {
  it('are aligned to the epoch: every alert in the same five minutes gets the same start', () => {
    const at = (iso: string) => windowStart(Date.parse(iso), 300);
    expect(at('2026-11-28T03:00:00.000Z')).toBe(Date.parse('2026-11-28T03:00:00.000Z'));
    expect(at('2026-11-28T03:04:59.999Z')).toBe(Date.parse('2026-11-28T03:00:00.000Z'));
    expect(at('2026-11-28T03:05:00.000Z')).toBe(Date.parse('2026-11-28T03:05:00.000Z'));
    expect(windowStart(Date.parse('2026-11-28T03:59:59Z'), 3600)).toBe(Date.parse('2026-11-28T03:00:00Z'));
  });

  it('start at a multiple of the window at or before now, less than one window earlier (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: 1, max: 3600 }), (now, seconds) => {
        const start = windowStart(now, seconds);
        expect(start % (seconds * 1000)).toBe(0);
        expect(start).toBeLessThanOrEqual(now);
        expect(now - start).toBeLessThan(seconds * 1000);
      }),
    );
  });

  it('are keyed by the cause (every part but the alias and actor) and the start, readably', () => {
    const cause = causeOf(alertFor('autoScaling', 0))!;
    expect(windowKeyOf(cause, Date.parse('2026-11-28T03:05:00Z'))).toBe(
      '123456789012|eu-west-1|public-ip|high|notified|noncompliant|sg-web|' +
        'arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling|2026-11-28T03:05:00.000Z',
    );
  });
});

describe('heldAlertOf', () => {
  const HELD_AT = new Date('2026-11-28T03:01:02.345Z');

  it('keeps what the digest lists of an alert, under its ledger id', () => {
    const alert = alertFor('eksNodes', 3);
    const ni = { ...alert.document.networkInterface, attachedInstanceId: 'i-0123456789abcdef0' };
    expect(heldAlertOf(withDoc(alert, { networkInterface: ni }), HELD_AT)).toStrictEqual({
      itemId: 'evt-eksNodes-3/eni-eks0000000000003',
      eventId: 'evt-eksNodes-3',
      eventTime: '2026-11-28T03:00:00Z',
      networkInterfaceId: 'eni-eks0000000000003',
      ledgerId: 'evt-eksNodes-3/eni-eks0000000000003',
      title: 'no active flow log on vpc-1',
      findings: 1,
      instanceId: 'i-0123456789abcdef0',
      subnetId: 'subnet-1',
      publicIp: '203.0.113.10',
      heldAt: '2026-11-28T03:01:02.345Z',
    });
  });

  it('is unique by event and interface without a ledger id, and leaves out what the interface lacks', () => {
    const alert = alertFor('autoScaling', 4);
    const { subnetId: _s, publicIp: _p, ...ni } = alert.document.networkInterface;
    expect(heldAlertOf(withDoc(alert, { ledgerId: undefined, networkInterface: ni }), HELD_AT)).toStrictEqual({
      itemId: 'evt-autoScaling-4/eni-aut0000000000004',
      eventId: 'evt-autoScaling-4',
      eventTime: '2026-11-28T03:00:00Z',
      networkInterfaceId: 'eni-aut0000000000004',
      title: 'public IP in subnet-1, which is not allowed to be public',
      findings: 1,
      heldAt: '2026-11-28T03:01:02.345Z',
    });
  });

  it('is titled by the primary finding, else the first rule error, else the outcome; and counts the findings', () => {
    const alert = alertFor('autoScaling', 0);
    const second = { ruleId: 'vpc-flow-logs', severity: 'medium' as const, title: 'no active flow log on vpc-1', evidence: {} };
    const both = heldAlertOf(withDoc(alert, { findings: [second, ...alert.document.findings] }), HELD_AT);
    expect([both.title, both.findings]).toEqual(['public IP in subnet-1, which is not allowed to be public', 2]);
    const errors = [
      { ruleId: 'public-ip', message: 'DescribeSubnets: throttled' },
      { ruleId: 'vpc-flow-logs', message: 'DescribeFlowLogs: denied' },
    ];
    const failed = heldAlertOf(withDoc(alert, { findings: [], ruleErrors: errors, outcome: 'error' }), HELD_AT);
    expect([failed.title, failed.findings]).toEqual(['DescribeSubnets: throttled', 0]);
    expect(heldAlertOf(withDoc(alert, { findings: [], ruleErrors: [], outcome: 'error' }), HELD_AT).title).toBe('error');
  });
});

describe('renderDigest', () => {
  const CAUSE: BurstCause = {
    account: '123456789012',
    accountAlias: 'prod',
    region: 'eu-west-1',
    caller: 'arn:aws:iam::123456789012:role/eks-node',
    actor: 'i-0aaa via role eks-node',
    rule: 'vpc-flow-logs',
    group: 'sg-nodes,sg-pods',
    severity: 'medium',
    response: 'notified',
    outcome: 'noncompliant',
  };
  const KEY =
    '123456789012|eu-west-1|vpc-flow-logs|medium|notified|noncompliant|sg-nodes,sg-pods|arn:aws:iam::123456789012:role/eks-node|2026-11-28T03:00:00.000Z';
  const held = (n: number, heldAt: string, extra: Partial<HeldAlert> = {}): HeldAlert => ({
    itemId: `evt-${n}/eni-${n}`,
    eventId: `evt-${n}`,
    eventTime: `2026-11-28T03:00:0${n}Z`,
    networkInterfaceId: `eni-${n}`,
    ledgerId: `evt-${n}/eni-${n}`,
    title: 'no active flow log on vpc-1',
    findings: 1,
    heldAt,
    ...extra,
  });
  const LEADING = held(0, '2026-11-28T03:00:00.500Z');
  const WINDOW: BurstWindow = {
    windowKey: KEY,
    cause: CAUSE,
    start: '2026-11-28T03:00:00.000Z',
    end: '2026-11-28T03:05:00.000Z',
    leading: LEADING,
  };
  const WHERE = { burstTable: 'Windows', ledgerTable: 'Ledger', logGroup: '/aws/lambda/responder' };
  // Held out of order; the third and the second were held in the same millisecond.
  const ITEMS = [
    held(3, '2026-11-28T03:02:00.000Z', { instanceId: 'i-3', subnetId: 'subnet-1', findings: 3 }),
    held(2, '2026-11-28T03:01:00.000Z', { instanceId: 'i-2', findings: 2 }),
    held(1, '2026-11-28T03:01:00.000Z', { subnetId: 'subnet-1' }),
  ];

  it('counts and lists the held alerts oldest first, names the leading one, and says where everything is', () => {
    const digest = renderDigest(WINDOW, ITEMS, '2', WHERE);
    const record = { windowKey: KEY, burstTable: 'Windows', ledgerTable: 'Ledger', logGroup: '/aws/lambda/responder' };
    const sorted = [ITEMS[2], ITEMS[1], ITEMS[0]];
    expect(digest.subject).toBe('[eni-guard] MEDIUM vpc-flow-logs ×3 on sg-nodes,sg-pods: notified (digest)');
    expect(digest.document).toStrictEqual({
      schemaVersion: '2',
      product: 'eni-guard',
      kind: 'digest',
      windowKey: KEY,
      windowStart: '2026-11-28T03:00:00.000Z',
      windowEnd: '2026-11-28T03:05:00.000Z',
      account: '123456789012',
      accountAlias: 'prod',
      region: 'eu-west-1',
      severity: 'medium',
      response: 'notified',
      outcome: 'noncompliant',
      rule: 'vpc-flow-logs',
      caller: 'arn:aws:iam::123456789012:role/eks-node',
      actor: 'i-0aaa via role eks-node',
      groupId: 'sg-nodes,sg-pods',
      count: 3,
      leading: LEADING,
      alerts: sorted,
      record,
    });
    expect(digest.pointer).toStrictEqual(record);
    expect(digest.text.split('\n')).toEqual([
      'MEDIUM: vpc-flow-logs on 3 more interfaces between 2026-11-28T03:00:00.000Z and 2026-11-28T03:05:00.000Z — response: notified',
      '',
      'Same cause: caller i-0aaa via role eks-node, rule vpc-flow-logs, group sg-nodes,sg-pods.',
      'The first, eni-0 (event evt-0), was alerted on its own at once.',
      '',
      '  2026-11-28T03:00:01Z  eni-1 in subnet-1: no active flow log on vpc-1',
      '  2026-11-28T03:00:02Z  eni-2 (i-2): no active flow log on vpc-1 (+1 more finding(s))',
      '  2026-11-28T03:00:03Z  eni-3 (i-3) in subnet-1: no active flow log on vpc-1 (+2 more finding(s))',
      '',
      'Caller:    arn:aws:iam::123456789012:role/eks-node',
      'Account:   123456789012 (prod) eu-west-1',
      "Details:   each interface's full alert is in the remediation ledger under its event id/interface id (table Ledger); " +
        `this window: burst window ${KEY} (table Windows); log group /aws/lambda/responder`,
    ]);
    expect(digest.chat).toStrictEqual({
      version: '1.0',
      source: 'custom',
      id: KEY,
      content: {
        textType: 'client-markdown',
        title: 'MEDIUM vpc-flow-logs on 3 more interfaces (digest): notified',
        description: [
          'Same cause within 2026-11-28T03:00:00.000Z – 2026-11-28T03:05:00.000Z: caller i-0aaa via role eks-node, group `sg-nodes,sg-pods`.',
          '• eni-1: no active flow log on vpc-1',
          '• eni-2 (i-2): no active flow log on vpc-1',
          '• eni-3 (i-3): no active flow log on vpc-1',
          '*Account* 123456789012 (prod) eu-west-1',
        ].join('\n'),
        keywords: ['medium', 'vpc-flow-logs', 'notified', 'digest'],
      },
      metadata: {
        threadId: 'vpc-flow-logs|sg-nodes,sg-pods',
        summary: '3 × vpc-flow-logs on sg-nodes,sg-pods',
        eventType: 'eni-guard-digest',
        relatedResources: ['sg-nodes', 'sg-pods', 'eni-1', 'eni-2', 'eni-3'],
        additionalContext: { account: '123456789012', region: 'eu-west-1', count: '3' },
      },
    });
    // Filter policies match a digest as they would each alert in it.
    expect(digest.attributes).toStrictEqual({
      severity: 'medium',
      outcome: 'noncompliant',
      response: 'notified',
      rule: 'vpc-flow-logs',
      account: '123456789012',
      region: 'eu-west-1',
      kind: 'digest',
    });
  });

  it('reads in the singular for one interface, and leaves out the alias, the leading alert and the tables it does not have', () => {
    const { accountAlias: _a, ...cause } = { ...CAUSE, group: '-' };
    const { leading: _l, ...window } = { ...WINDOW, cause };
    const digest = renderDigest(window, [held(1, '2026-11-28T03:01:00.000Z')], '2');
    expect(digest.document).not.toHaveProperty('accountAlias');
    expect(digest.document).not.toHaveProperty('leading');
    expect(digest.document).toMatchObject({ count: 1, groupId: '-' });
    expect(digest.pointer).toStrictEqual({ windowKey: KEY });
    expect(digest.subject).toBe('[eni-guard] MEDIUM vpc-flow-logs ×1 on -: notified (digest)');
    expect(digest.text.split('\n')).toEqual([
      'MEDIUM: vpc-flow-logs on 1 more interface between 2026-11-28T03:00:00.000Z and 2026-11-28T03:05:00.000Z — response: notified',
      '',
      'Same cause: caller i-0aaa via role eks-node, rule vpc-flow-logs, group -.',
      '',
      '  2026-11-28T03:00:01Z  eni-1: no active flow log on vpc-1',
      '',
      'Caller:    arn:aws:iam::123456789012:role/eks-node',
      'Account:   123456789012 eu-west-1',
      `Details:   each interface's full alert is in the remediation ledger under its event id/interface id; this window: burst window ${KEY}`,
    ]);
    expect(digest.chat.content.title).toBe('MEDIUM vpc-flow-logs on 1 more interface (digest): notified');
    expect(digest.chat.content.description.split('\n').at(-1)).toBe('*Account* 123456789012 eu-west-1');
    // No group is no resource.
    expect(digest.chat.metadata?.relatedResources).toEqual(['eni-1']);
  });

  it('does not reorder the caller’s list', () => {
    const items = [...ITEMS];
    renderDigest(WINDOW, items, '2', WHERE);
    expect(items).toEqual(ITEMS);
  });

  it('stays within SNS’s subject and chat’s title limits, and names at most 20 interfaces as chat resources', () => {
    const rule = `custom-${'x'.repeat(300)}`;
    const items = Array.from({ length: 25 }, (_, n) => held(n, `2026-11-28T03:01:${String(n).padStart(2, '0')}.000Z`));
    const digest = renderDigest({ ...WINDOW, cause: { ...CAUSE, rule } }, items, '2', WHERE);
    expect(digest.subject).toBe(`[eni-guard] MEDIUM ${rule}`.slice(0, 99) + '…');
    expect(digest.chat.content.title).toBe(`MEDIUM ${rule} on 25 more interfaces (digest): notified`.slice(0, 249) + '…');
    expect(digest.chat.metadata?.relatedResources).toEqual(['sg-nodes', 'sg-pods', ...items.slice(0, 20).map((a) => a.networkInterfaceId)]);
    expect(digest.document).toMatchObject({ count: 25 });
  });
});
