import { renderAlert, enrichAlert } from '../../../lambda/core/alert';
import { findingIdOf, fixedRules, productArnOf, syncFindings, type OpenFindings } from '../../../lambda/core/asff';
import type { Decision } from '../../../lambda/core/decision';
import { parsePolicy } from '../../../lambda/core/policy';
import { RULES } from '../../../lambda/core/rules/index';
import { compliant, decided, ENI, NOTIFY_ALL } from '../../support/decisions';
import { CONTEXT } from '../../support/fixtures';

const NOW = new Date('2026-11-28T03:00:05Z');
const LATER = new Date('2026-11-28T04:00:05Z');
const ALL_RULES = new Set(RULES.map((r) => r.id));
const documentOf = (d: Decision) => enrichAlert(renderAlert(d), { ledgerTable: 'EniGuardLedger' }).document;
const sync = (d: Decision, open: OpenFindings = {}, now = NOW, enabledRules: ReadonlySet<string> = ALL_RULES) =>
  syncFindings(d, documentOf(d), open, { now, enabledRules });

describe('Security Hub findings from decisions (ASFF)', () => {
  it('imports one FAILED finding per rule, into the default product of the event’s account and Region, with a stable id', () => {
    const out = sync(decided({ policy: NOTIFY_ALL }));
    expect(out.imports.map((f) => f.GeneratorId)).toEqual(['world-open-ingress', 'public-ip']);
    const [finding] = out.imports;
    expect(finding).toMatchObject({
      SchemaVersion: '2018-10-08',
      Id: `eni-guard/123456789012/eu-west-1/${ENI}/world-open-ingress`,
      ProductArn: 'arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default',
      AwsAccountId: '123456789012',
      Region: 'eu-west-1',
      GeneratorId: 'world-open-ingress',
      CreatedAt: NOW.toISOString(),
      UpdatedAt: NOW.toISOString(),
      FirstObservedAt: CONTEXT.eventTime,
      FindingProviderFields: {
        Severity: { Label: 'CRITICAL', Original: 'critical' },
        Types: ['Software and Configuration Checks/AWS Security Best Practices/Network Reachability'],
      },
      Compliance: { Status: 'FAILED' },
      RecordState: 'ACTIVE',
      Workflow: { Status: 'NEW' },
      ProductFields: expect.objectContaining({
        'eni-guard/RuleId': 'world-open-ingress',
        'eni-guard/LedgerId': `${CONTEXT.eventId}/${ENI}`,
      }),
    });
    expect(finding!.Resources.map((r) => [r.Type, r.Id])).toEqual([
      ['AwsEc2NetworkInterface', `arn:aws:ec2:eu-west-1:123456789012:network-interface/${ENI}`],
      ['AwsEc2Instance', 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0'],
      ['AwsEc2Subnet', 'arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-1'],
      ['AwsEc2Vpc', 'arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1'],
      ['AwsEc2SecurityGroup', 'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1'],
    ]);
    expect(finding!.Remediation.Recommendation.Text).toMatch(/Fix it by hand: .*policy sets world-open-ingress to notify/);
    expect(out.resolve).toEqual([]);
    expect(Object.keys(out.open)).toEqual(['world-open-ingress', 'public-ip']);
  });

  it('updates the same finding on the next decision: same id, the first CreatedAt and FirstObservedAt, a later UpdatedAt, no Workflow', () => {
    const first = sync(decided({ policy: NOTIFY_ALL }));
    const again = sync(
      decided({ policy: NOTIFY_ALL, overrides: { context: { ...CONTEXT, eventId: 'evt-2', eventTime: '2026-11-28T04:00:00Z' } } }),
      first.open,
      LATER,
    );
    const [before, after] = [first.imports[0]!, again.imports[0]!];
    expect(after.Id).toBe(before.Id);
    expect(after).toMatchObject({ CreatedAt: before.CreatedAt, FirstObservedAt: before.FirstObservedAt, UpdatedAt: LATER.toISOString() });
    expect(after.Workflow).toBeUndefined();
    expect(again.resolve).toEqual([]);
  });

  it('imports a fix verified in the same decision as PASSED and RESOLVED (a new finding), keeps the rule that was only notified open', () => {
    const out = sync(decided());
    const byRule = Object.fromEntries(out.imports.map((f) => [f.GeneratorId, f]));
    expect(byRule['world-open-ingress']).toMatchObject({
      Compliance: { Status: 'PASSED' },
      Workflow: { Status: 'RESOLVED' },
      FindingProviderFields: { Severity: { Label: 'INFORMATIONAL', Original: 'critical' } },
      ProductFields: expect.objectContaining({
        'eni-guard/UndoCommand': expect.stringMatching(/^npx eni-guard undo .* --ledger-table EniGuardLedger/),
      }),
    });
    expect(byRule['world-open-ingress']!.Remediation.Recommendation.Text).toMatch(/^Fixed by eni-guard and verified/);
    expect(byRule['public-ip']).toMatchObject({ Compliance: { Status: 'FAILED' } });
    expect(out.statuses).toEqual({ 'world-open-ingress': 'passed', 'public-ip': 'failed' });
    expect(Object.keys(out.open)).toEqual(['public-ip']);
    // Nothing existed yet: the import's Workflow takes effect, no BatchUpdateFindings needed.
    expect(out.resolve).toEqual([]);
  });

  it('resolves an open finding whose fix is verified later: PASSED re-import plus a RESOLVED workflow update', () => {
    const first = sync(decided({ policy: NOTIFY_ALL }));
    const fixed = sync(decided({ overrides: { context: { ...CONTEXT, eventId: 'evt-2' } } }), first.open, LATER);
    const id = findingIdOf(CONTEXT, ENI, 'world-open-ingress');
    expect(fixed.resolve).toEqual([id]);
    expect(fixed.imports.find((f) => f.Id === id)).toMatchObject({ Compliance: { Status: 'PASSED' }, CreatedAt: NOW.toISOString() });
    expect(fixed.imports.find((f) => f.Id === id)!.Workflow).toBeUndefined();
  });

  it('resolves what was open when the interface is judged compliant, and imports nothing for rules that never found anything', () => {
    const first = sync(decided({ policy: NOTIFY_ALL }));
    const out = sync(compliant(), first.open, LATER);
    expect(out.imports.map((f) => [f.GeneratorId, f.Compliance.Status, f.Title])).toEqual([
      ['world-open-ingress', 'PASSED', first.imports[0]!.Title],
      ['public-ip', 'PASSED', first.imports[1]!.Title],
    ]);
    expect(out.resolve).toHaveLength(2);
    expect(out.open).toEqual({});
    expect(sync(compliant())).toMatchObject({ imports: [], resolve: [], open: {} });
  });

  it('archives the open findings of an interface that is gone, and of a rule the policy no longer evaluates', () => {
    const first = sync(decided({ policy: NOTIFY_ALL }));
    const gone = sync(compliant({ outcome: 'gone', networkInterface: undefined }), first.open, LATER);
    expect(gone.imports.map((f) => [f.GeneratorId, f.RecordState])).toEqual([
      ['world-open-ingress', 'ARCHIVED'],
      ['public-ip', 'ARCHIVED'],
    ]);
    expect(gone.resolve).toEqual([]);
    const ruleOff = sync(compliant(), first.open, LATER, new Set(['world-open-ingress']));
    expect(Object.fromEntries(ruleOff.imports.map((f) => [f.GeneratorId, f.RecordState]))).toEqual({
      'world-open-ingress': 'ACTIVE',
      'public-ip': 'ARCHIVED',
    });
  });

  it('leaves an open finding alone when its rule could not be evaluated this time, or an exemption set it aside', () => {
    const first = sync(decided({ policy: NOTIFY_ALL }));
    const errored = compliant({ outcome: 'error', ruleErrors: [{ ruleId: 'public-ip', message: 'boom' }] });
    const out = sync(errored, first.open, LATER);
    expect(out.imports).toEqual([]);
    expect(out.open).toEqual(first.open);
  });

  it('changes nothing for an interface AWS services own or a redelivery', () => {
    const first = sync(decided({ policy: NOTIFY_ALL }));
    for (const outcome of ['skipped', 'duplicate'] as const) {
      expect(sync(compliant({ outcome }), first.open, LATER)).toMatchObject({ imports: [], resolve: [], open: first.open });
    }
  });

  it('counts a rule as fixed only when every action for it succeeded and was verified, not by the interface tag', () => {
    expect([...fixedRules(decided())]).toEqual(['world-open-ingress']);
    expect([...fixedRules(decided({ results: 'failed' }))]).toEqual([]);
    expect([...fixedRules(decided({ policy: NOTIFY_ALL }))]).toEqual([]);
  });

  it('builds ARNs in the partition of the event’s Region (organization mode: never the function’s own)', () => {
    expect(productArnOf({ account: '210987654321', region: 'cn-north-1' })).toBe(
      'arn:aws-cn:securityhub:cn-north-1:210987654321:product/210987654321/default',
    );
    const out = sync(
      decided({ policy: NOTIFY_ALL, overrides: { context: { ...CONTEXT, account: '210987654321', region: 'us-gov-west-1' } } }),
    );
    expect(out.imports[0]).toMatchObject({
      AwsAccountId: '210987654321',
      ProductArn: 'arn:aws-us-gov:securityhub:us-gov-west-1:210987654321:product/210987654321/default',
    });
    expect(out.imports[0]!.Resources[0]).toMatchObject({ Partition: 'aws-us-gov', Region: 'us-gov-west-1' });
  });
});

describe('what a Security Hub finding says was done, and what to do', () => {
  const textOf = (d: Decision, ruleId = 'world-open-ingress') => {
    const finding = sync(d).imports.find((f) => f.GeneratorId === ruleId)!;
    return { description: finding.Description, recommendation: finding.Remediation.Recommendation.Text };
  };

  it('a failed fix: what was tried and why it failed, and that it is for a person now', () => {
    const { description, recommendation } = textOf(decided({ results: 'failed' }));
    expect(description).toContain('eni-guard tried to fix it and could not: ');
    expect(description).toContain('(UnauthorizedOperation: not allowed)');
    expect(recommendation).toBe(
      'Fix it by hand, or set world-open-ingress to remediate in the eni-guard policy. The alert has the details (event 11111111-2222-3333-4444-555555555555).',
    );
  });

  it('shadow mode: what it would do, live', () => {
    const shadow = parsePolicy({ version: 1, dryRun: true });
    const d = decided({ policy: shadow });
    const summary = d.plan!.actions.find((a) => a.ruleIds.includes('world-open-ingress'))!.summary;
    const { description, recommendation } = textOf(d);
    expect(description).toContain(`Shadow mode: eni-guard would ${summary}.`);
    expect(recommendation).toBe(`Deployed live, eni-guard would ${summary}. Or fix it by hand.`);
  });

  it('a verified fix: nothing to do, and how to restore the previous state', () => {
    const d = decided();
    const imported = sync(d).imports.find((f) => f.GeneratorId === 'world-open-ingress')!;
    expect(imported.Compliance.Status).toBe('PASSED');
    expect(imported.Description).toContain('eni-guard fixed it and verified the fix: ');
    expect(imported.Remediation.Recommendation.Text).toMatch(
      /^Fixed by eni-guard and verified; nothing to do\. To restore the previous state: .*undo/,
    );
  });
});
