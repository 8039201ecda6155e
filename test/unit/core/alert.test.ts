import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { alertOf, enrichAlert, renderAlert } from '../../../lambda/core/alert';
import { renderChat } from '../../../lambda/core/alert-chat';
import {
  EMAIL_TEXT_LIMIT,
  fitToSns,
  messageOfAlert,
  SNS_MESSAGE_BUDGET,
  snsBody,
  snsMessageBytes,
} from '../../../lambda/core/alert-message';
import { alertJsonSchema } from '../../../lambda/core/alert-schema';
import { needsAlert, responseOf, type Decision } from '../../../lambda/core/decision';
import { evaluate } from '../../../lambda/core/evaluate';
import { planResponse } from '../../../lambda/core/plan/index';
import { DEFAULT_POLICY, parsePolicy } from '../../../lambda/core/policy';
import { renderSweepAlert, sweepContext, SweepTally } from '../../../lambda/core/sweep';
import { CONTEXT, facts, networkInterface, NOW, planInputs, rule } from '../../support/fixtures';

const ROOT = join(__dirname, '..', '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'alerts');

function decided(overrides: Partial<Decision> = {}, policy = DEFAULT_POLICY): Decision {
  const input = facts([rule({ ruleId: 'sgr-ssh' })]);
  const evaluation = evaluate(input, policy, NOW);
  const plan = planResponse(evaluation, policy, planInputs(input));
  return {
    context: CONTEXT,
    networkInterfaceId: 'eni-0aaaaaaaaaaaaaaaa',
    networkInterface: networkInterface({ publicIp: '203.0.113.10', attachedInstanceId: 'i-0123456789abcdef0' }),
    outcome: 'noncompliant',
    findings: evaluation.findings,
    exempted: [],
    expiredExemptions: [],
    ruleErrors: [],
    plan,
    results: plan.actions.map((action) => ({
      action,
      status: 'succeeded',
      calls: action.calls.map((c) => ({ operation: c.operation, input: c.input, outcome: 'ok' })),
      outputs: {},
      verified: true,
      verification: 're-read sg-1: rules gone',
    })),
    ...overrides,
  };
}

const ENRICHMENT = { accountAlias: 'acme-prod', ledgerTable: 'EniGuardLedger', logGroup: '/aws/lambda/eni-guard' };

/** Compares with a fixture file; `UPDATE_FIXTURES=1` rewrites it (review the diff). */
function expectFixture(name: string, actual: string): void {
  const file = join(FIXTURES, name);
  if (process.env['UPDATE_FIXTURES'] === '1' || !existsSync(file)) writeFileSync(file, actual);
  // JSON fixtures are compared as data (prettier lays them out); text fixtures byte for byte.
  if (name.endsWith('.json')) expect(JSON.parse(actual)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  else expect(actual).toBe(readFileSync(file, 'utf8'));
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
const published = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'alert', 'schema.json'), 'utf8')) as object);
// The same schema without additional properties: a field the schema does not document fails.
const exact = new Ajv2020({ allErrors: true, strict: false }).compile(alertJsonSchema('output'));
const conforms = (document: unknown) => {
  const ok = published(document) && exact(document);
  return ok ? 'valid' : ajv.errorsText([...(published.errors ?? []), ...(exact.errors ?? [])]);
};

describe('renderAlert', () => {
  it('renders a remediated critical finding for machines, people and filter policies', () => {
    const alert = renderAlert(decided({ ledgerId: 'ledger-1' }));
    expect(alert.subject).toBe('[eni-guard] CRITICAL world-open-ingress (+1) on eni-0aaaaaaaaaaaaaaaa: remediated');
    expect(alert.attributes).toEqual({
      severity: 'critical',
      outcome: 'noncompliant',
      response: 'remediated',
      rule: 'world-open-ingress',
      account: '123456789012',
      region: 'eu-west-1',
      kind: 'decision',
    });
    expect(alert.document).toMatchObject({
      schemaVersion: '2',
      kind: 'decision',
      eventId: CONTEXT.eventId,
      severity: 'critical',
      response: 'remediated',
      networkInterface: {
        id: 'eni-0aaaaaaaaaaaaaaaa',
        vpcId: 'vpc-1',
        publicIp: '203.0.113.10',
        attachedInstanceId: 'i-0123456789abcdef0',
      },
      caller: { arn: 'arn:aws:iam::123456789012:user/alice' },
      actor: { kind: 'iam-user', name: 'IAM user alice', human: 'alice' },
      plan: {
        mode: 'remediate',
        actions: [
          { kind: 'revoke-ingress', calls: ['RevokeSecurityGroupIngress GroupId=sg-1 SecurityGroupRuleIds=sgr-ssh'] },
          { kind: 'tag-interface', calls: [expect.stringContaining('CreateTags Resources=eni-0aaaaaaaaaaaaaaaa')] },
        ],
      },
      ledgerId: 'ledger-1',
      undoCommand: 'npx eni-guard undo ledger-1',
      results: [
        {
          kind: 'revoke-ingress',
          status: 'succeeded',
          verified: true,
          calls: ['RevokeSecurityGroupIngress GroupId=sg-1 SecurityGroupRuleIds=sgr-ssh → ok'],
        },
        { kind: 'tag-interface', status: 'succeeded', verified: true },
      ],
      links: {
        securityGroups: { 'sg-1': 'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#SecurityGroup:groupId=sg-1' },
        instance: 'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#InstanceDetails:instanceId=i-0123456789abcdef0',
        cloudTrailEvent: `https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events/${CONTEXT.eventId}`,
      },
    });
    expect(alert.text.split('\n')[0]).toBe('CRITICAL: 2 finding(s) on eni-0aaaaaaaaaaaaaaaa — response: remediated');
  });

  it('conforms to the published JSON Schema, which is generated from the contract (npm run alert:schema)', () => {
    expect(JSON.parse(readFileSync(join(ROOT, 'alert', 'schema.json'), 'utf8'))).toEqual(alertJsonSchema());
    const policy = parsePolicy({ version: 1, dryRun: true });
    const documents = [
      renderAlert(decided({ ledgerId: 'ledger-1' }), ENRICHMENT).document,
      renderAlert(decided({ results: [] }, policy)).document,
      renderAlert(decided({ networkInterface: undefined, results: [], plan: undefined })).document,
      renderAlert(decided({ findings: [], outcome: 'error', ruleErrors: [{ ruleId: 'vpc-flow-logs', message: 'flowLogs unavailable' }] }))
        .document,
    ];
    for (const document of documents) expect(conforms(JSON.parse(JSON.stringify(document)))).toBe('valid');
    expect(conforms({ ...documents[0], severity: 'urgent' })).toMatch(/severity/);
    expect(conforms({ ...documents[0], surprise: true })).toMatch(/additional properties/);
  });

  it('reads, in e-mail, as the fixture: findings and what was done first, then where, who, links and the exact undo command', () => {
    const alert = renderAlert(decided({ ledgerId: `${CONTEXT.eventId}/eni-0aaaaaaaaaaaaaaaa` }), ENRICHMENT);
    expectFixture('remediated.email.txt', `Subject: ${alert.subject}\n\n${alert.text}\n`);
    expect(alert.subject.length).toBeLessThanOrEqual(100);
    expect(alert.text).toContain(
      `Undo:      npx eni-guard undo ${CONTEXT.eventId}/eni-0aaaaaaaaaaaaaaaa --ledger-table EniGuardLedger --region eu-west-1`,
    );
    expect(alert.text).toContain('Account:   123456789012 (acme-prod) eu-west-1');
  });

  it('reads, in e-mail, a dry run as the fixture', () => {
    const alert = renderAlert(decided({ results: [] }, parsePolicy({ version: 1, dryRun: true })));
    expectFixture('dry-run.email.txt', `Subject: ${alert.subject}\n\n${alert.text}\n`);
    expect(alert.text).toContain('Dry run — would have called:\n  RevokeSecurityGroupIngress GroupId=sg-1');
  });

  it('names the person behind an SSO session', () => {
    const caller = {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123/carol@example.com',
      sessionIssuerArn: 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123',
      sessionName: 'carol@example.com',
      viaConsole: true,
      mfaAuthenticated: false,
    };
    const alert = renderAlert(decided({ context: { ...CONTEXT, caller } }));
    expect(alert.document.actor).toEqual({
      kind: 'assumed-role',
      name: 'carol@example.com via role AWSReservedSSO_Admin_0123',
      human: 'carol@example.com',
    });
    expect(alert.text).toContain('Person:    carol@example.com');
    const instance = renderAlert(
      decided({
        context: { ...CONTEXT, caller: { ...caller, sessionName: 'i-0abc', sessionIssuerArn: 'arn:aws:iam::123456789012:role/node' } },
      }),
    );
    expect(instance.document.actor?.human).toBeUndefined();
  });

  it('renders the chat notification in the Amazon Q Developer / AWS Chatbot custom format', () => {
    const chat = renderChat(renderAlert(decided({ ledgerId: 'ledger-1' }), ENRICHMENT).document);
    expect(chat).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: {
        textType: 'client-markdown',
        title: ':red_circle: CRITICAL world-open-ingress on eni-0aaaaaaaaaaaaaaaa: remediated',
        nextSteps: ['Undo: `npx eni-guard undo ledger-1 --ledger-table EniGuardLedger --region eu-west-1`'],
        keywords: ['critical', 'world-open-ingress', 'remediated', 'eu-west-1'],
      },
      metadata: {
        threadId: 'eni-0aaaaaaaaaaaaaaaa',
        eventType: 'eni-guard-alert',
        relatedResources: ['eni-0aaaaaaaaaaaaaaaa', 'sg-1', 'i-0123456789abcdef0'],
      },
    });
    expect(chat.content.description).toContain('*Account* acme-prod (123456789012) eu-west-1');
    expectFixture('remediated.chat.json', `${JSON.stringify(chat, null, 2)}\n`);
  });

  it('says a fix that did not verify is a failure, never a success', () => {
    const base = decided();
    const unverified = decided({
      results: base.results.map((r) => ({ ...r, verified: false, verification: 're-read sg-1: still present sgr-ssh' })),
    });
    expect(responseOf(unverified)).toBe('remediation-failed');
    expect(renderAlert(unverified).text).toContain('NOT verified (re-read sg-1: still present sgr-ssh)');
  });

  it('keeps the subject within the SNS limit of 100 characters', () => {
    const long = decided({ networkInterfaceId: `eni-${'f'.repeat(200)}` });
    expect(renderAlert(long).subject.length).toBeLessThanOrEqual(100);
  });

  it('renders an enriched alert the same from its document', () => {
    const alert = enrichAlert(renderAlert(decided()), ENRICHMENT);
    expect(alertOf(alert.document)).toEqual(alert);
  });

  it('keeps the subject, text and kind of alerts with their own rendering (sweep summaries, VPC flow logs) when it enriches them', () => {
    const summary = renderSweepAlert(
      sweepContext('2026-11-28T04:00:00Z', '123456789012', 'eu-west-1'),
      new SweepTally().summary(sweepContext('2026-11-28T04:00:00Z', '123456789012', 'eu-west-1'), NOW, NOW, false),
    );
    const enriched = enrichAlert(summary, ENRICHMENT);
    expect(enriched).toMatchObject({ subject: summary.subject, text: summary.text, attributes: { kind: 'sweep-summary' } });
    expect(enriched.document).toMatchObject({ accountAlias: 'acme-prod', record: { logGroup: '/aws/lambda/eni-guard' } });
  });

  it('alerts on findings and errors, not on compliant or skipped interfaces', () => {
    expect(needsAlert(decided())).toBe(true);
    expect(needsAlert(decided({ findings: [], outcome: 'compliant' }))).toBe(false);
    expect(needsAlert(decided({ findings: [], outcome: 'compliant', ruleErrors: [{ ruleId: 'x', message: 'boom' }] }))).toBe(true);
  });
});

describe('what the e-mail text says beyond the fix', () => {
  const base = decided();
  const [finding] = base.findings;
  const [result] = base.results;

  it('lists what was exempted, with whom, until when and why, and exemptions that expired', () => {
    const text = renderAlert(
      decided({
        exempted: [{ finding: finding!, exemptionId: 'bastion-ssh', owner: 'net-team', reason: 'jump host', expires: '2027-01-31' }],
        expiredExemptions: [{ exemptionId: 'old-ssh', ruleId: 'world-open-ingress', owner: 'ops', expired: '2026-10-01' }],
      }),
    ).text;
    const lines = text.split('\n');
    const exempted = lines.indexOf('Exempted (not acted on):');
    expect(exempted).toBeGreaterThan(0);
    expect(lines[exempted + 1]).toBe(
      `  world-open-ingress: ${finding!.title} — exemption bastion-ssh (net-team, until 2027-01-31): jump host`,
    );
    const expired = lines.indexOf('Expired exemptions (no longer applied):');
    expect(expired).toBeGreaterThan(exempted);
    expect(lines[expired + 1]).toBe('  old-ssh for world-open-ingress (ops) expired 2026-10-01');
    expect(renderAlert(base).text).not.toMatch(/Exempted|Expired exemptions/);
  });

  it('says when a human must finish, when the record is incomplete, and when the alert may be a repeat', () => {
    const text = renderAlert(
      decided({
        escalation: 'gave up after 3 attempts: the rule came back each time',
        ledgerWarning: 'the completion could not be written (ProvisionedThroughputExceededException)',
        possibleRepeat: 'published again after a retry',
      }),
    ).text;
    expect(text).toContain('\nESCALATED: gave up after 3 attempts: the rule came back each time\n');
    expect(text).toContain('\nWARNING — record incomplete: the completion could not be written (ProvisionedThroughputExceededException)\n');
    expect(text).toContain('\nNote: published again after a retry.\n');
    expect(renderAlert(base).text).not.toMatch(/ESCALATED|WARNING|Note:/);
  });

  it('says how each result ended: failed (with or without a reason), superseded, or not verified for want of a re-read', () => {
    const outcomes = (r: typeof result) =>
      renderAlert(decided({ results: [r!] }))
        .text.split('\n')
        .find((l) => l.includes(' → '));
    expect(outcomes({ ...result!, status: 'failed', verified: undefined, error: 'UnauthorizedOperation' })).toMatch(
      /→ FAILED: UnauthorizedOperation$/,
    );
    expect(outcomes({ ...result!, status: 'failed', verified: undefined })).toMatch(/→ FAILED: unknown error$/);
    expect(outcomes({ ...result!, superseded: 'redone by attempt 2' })).toMatch(/→ superseded: redone by attempt 2$/);
    expect(outcomes({ ...result!, verified: false, verification: undefined })).toMatch(/→ NOT verified \(unknown\)$/);
  });

  it('lists no dry-run calls for a dry run that planned nothing', () => {
    const dry = decided({ findings: [], plan: { mode: 'dry-run', actions: [], withheld: [] }, results: [] });
    expect(renderAlert(dry).text).not.toContain('Dry run — would have called:');
  });
});

describe('fitting SNS', () => {
  /** A finding whose evidence lists `rules` world-open rules (a group with thousands of rules, say). */
  function huge(rules: number) {
    const alert = renderAlert(decided({ ledgerId: 'evt/eni-0aaaaaaaaaaaaaaaa' }), ENRICHMENT);
    const [first, ...rest] = alert.document.findings;
    const evidence = {
      ...first!.evidence,
      rules: Array.from({ length: rules }, (_, i) => ({
        ruleId: `sgr-${String(i).padStart(17, '0')}`,
        ports: String(i),
        cidr: '0.0.0.0/0',
      })),
    };
    return alertOf({ ...alert.document, findings: [{ ...first!, evidence }, ...rest] });
  }
  const format = { chatProtocols: ['https' as const] };

  it('sends each rendering once: default (JSON), email (text) and the chat protocols; others fall back to default', () => {
    const message = messageOfAlert(renderAlert(decided()));
    const body = JSON.parse(snsBody(message, format)) as Record<string, string>;
    expect(Object.keys(body)).toEqual(['default', 'email', 'https']);
    expect(JSON.parse(body['default']!)).toEqual(message.document);
    expect(JSON.parse(body['https']!)).toMatchObject({ version: '1.0', source: 'custom' });
    const chatTopic = JSON.parse(snsBody(message, { chatProtocols: ['default'] })) as Record<string, string>;
    expect(JSON.parse(chatTopic['default']!)).toMatchObject({ source: 'custom' });
  });

  it('leaves a message that fits alone', () => {
    const message = messageOfAlert(huge(100));
    expect(fitToSns(message, format)).toBe(message);
  });

  it('cuts an e-mail text past its limit by whole lines, and a long string when no list is left to halve', () => {
    const base = messageOfAlert(renderAlert(decided({ ledgerId: 'evt/eni-0aaaaaaaaaaaaaaaa' }), ENRICHMENT));
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${String(i).padStart(6, '0')}`);
    const summary = 'x'.repeat(300_000);
    const message = {
      ...base,
      text: lines.join('\n'),
      document: { ...base.document, findings: (base.document.findings as Record<string, unknown>[]).map((f) => ({ ...f, summary })) },
    };
    const fitted = fitToSns(message, format);
    expect(snsMessageBytes(fitted, format)).toBeLessThanOrEqual(SNS_MESSAGE_BUDGET);
    const [kept, ...after] = fitted.text.split('\n\n[This message was shortened');
    expect(after).toHaveLength(1);
    // Whole lines up to the limit, then how many were cut.
    expect(kept!.length).toBeLessThanOrEqual(EMAIL_TEXT_LIMIT + 40);
    const keptLines = kept!.split('\n');
    expect(keptLines.slice(0, -1)).toEqual(lines.slice(0, keptLines.length - 1));
    expect(keptLines.at(-1)).toBe(`… ${lines.length - (keptLines.length - 1)} more line(s) cut`);
    const { omitted } = fitted.document.truncated!;
    expect(omitted[0]).toEqual({ path: 'email', kept: kept!.length, omitted: message.text.length - kept!.length });
    const cutSummary = omitted.find((o) => o.path === 'findings[0].summary')!;
    expect(cutSummary.kept + cutSummary.omitted).toBe(summary.length);
    expect((fitted.document.findings as { summary: string }[])[0]!.summary.length).toBeLessThan(summary.length);
  });

  it('cuts a single line too long for the e-mail limit where the limit falls, and counts its rest as one line', () => {
    const base = messageOfAlert(renderAlert(decided({ ledgerId: 'evt/eni-0aaaaaaaaaaaaaaaa' }), ENRICHMENT));
    const message = { ...base, text: `head\n${'y'.repeat(300_000)}` };
    const [kept] = fitToSns(message, format).text.split('\n\n[This message was shortened');
    expect(kept).toBe(`head\n${'y'.repeat(EMAIL_TEXT_LIMIT - 5)}\n… 1 more line(s) cut`);
  });

  it('cuts an oversized alert below 256 KiB, says what was cut, and points to the full record', () => {
    const message = messageOfAlert(huge(20_000));
    expect(snsMessageBytes(message, format)).toBeGreaterThan(1_000_000);
    const fitted = fitToSns(message, format);
    const bytes = snsMessageBytes(fitted, format);
    expect(bytes).toBeLessThanOrEqual(SNS_MESSAGE_BUDGET);
    expect(bytes).toBeGreaterThan(SNS_MESSAGE_BUDGET * 0.5);
    expect(fitted.document.truncated).toMatchObject({
      reason: 'sns-size-limit',
      originalBytes: snsMessageBytes(message, format),
      omitted: expect.arrayContaining([expect.objectContaining({ path: 'findings[0].evidence.rules' })]),
      fullRecord: { ledgerId: 'evt/eni-0aaaaaaaaaaaaaaaa', ledgerTable: 'EniGuardLedger', logGroup: '/aws/lambda/eni-guard' },
    });
    const cut = fitted.document.truncated!.omitted.find((o) => o.path === 'findings[0].evidence.rules')!;
    expect(cut.kept + cut.omitted).toBe(20_000);
    expect(fitted.text).toMatch(
      /\[This message was shortened to fit SNS \(\d+ bytes\); .* Full record: ledger evt\/eni-0aaaaaaaaaaaaaaaa \(table EniGuardLedger\)/,
    );
    expect(conforms(JSON.parse(JSON.stringify(fitted.document)))).toBe('valid');
    // Everything else a subscriber acts on is intact.
    expect(fitted.document).toMatchObject({
      severity: 'critical',
      response: 'remediated',
      undoCommand: expect.stringContaining('--ledger-table'),
    });
  });
});
