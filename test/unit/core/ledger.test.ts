/**
 * The remediation ledger's pure part (lambda/core/ledger.ts): which record a new attempt may take
 * over, what a takeover keeps (nothing recorded is dropped), and what a record keeps of a finding and
 * of an interface (small: the brief of a finding, eni-guard's own tags).
 */
import fc from 'fast-check';
import type { Action } from '../../../lambda/core/actions';
import type { ActionResult } from '../../../lambda/core/decision';
import {
  briefOf,
  claimable,
  findingOf,
  LEDGER_ACCOUNT_INDEX,
  LEDGER_INTERFACE_INDEX,
  ledgerIdOf,
  MAX_ATTEMPTS,
  recordedInterface,
  resumeEntry,
  type FindingBrief,
  type LedgerEntry,
  type LedgerStatus,
} from '../../../lambda/core/ledger';
import { SEVERITIES, type Finding } from '../../../lambda/core/model';
import { facts, NOW, networkInterface } from '../../support/fixtures';

const action = (kind: Action['kind']): Action => ({ kind, ruleIds: [], summary: '', calls: [], compensation: [], checks: [], undo: [] });
const claim: LedgerEntry = {
  ledgerId: 'evt-1/eni-1',
  eventId: 'evt-1',
  networkInterfaceId: 'eni-1',
  status: 'in-progress',
  createdAt: '2026-11-28T03:00:00.000Z',
  attempt: 1,
  preState: { networkInterface: facts([]).networkInterface },
  findings: [{ ruleId: 'world-open-ingress', severity: 'high', title: 'open' }],
  plan: { mode: 'remediate', actions: [action('revoke-ingress')], withheld: [] },
};

describe('the ledger', () => {
  it('keys a record by the CloudTrail event and the interface, and names its indexes', () => {
    expect(ledgerIdOf('evt-1', 'eni-0aaaaaaaaaaaaaaaa')).toBe('evt-1/eni-0aaaaaaaaaaaaaaaa');
    expect([LEDGER_INTERFACE_INDEX, LEDGER_ACCOUNT_INDEX]).toEqual(['byInterface', 'byAccount']);
    expect(MAX_ATTEMPTS).toBe(3);
  });
});

describe('claimable', () => {
  const before = new Date(NOW.getTime() - 1);
  const after = new Date(NOW.getTime() + 1);

  it('lets a new attempt take over a claim whose lease ended, not one whose lease runs', () => {
    expect(claimable(claim, before, NOW)).toBe(true);
    expect(claimable(claim, after, NOW)).toBe(false);
    expect(claimable(claim, NOW, NOW)).toBe(false);
    expect(claimable(claim, undefined, NOW)).toBe(false);
  });

  it('lets a new attempt take over an incomplete record at once, lease or not', () => {
    expect(claimable({ ...claim, status: 'incomplete' }, after, NOW)).toBe(true);
    expect(claimable({ ...claim, status: 'incomplete' }, undefined, NOW)).toBe(true);
  });

  it('never takes over a final record or an undo, even with an ended lease', () => {
    for (const status of ['completed', 'undoing', 'undone', 'undo-failed'] satisfies LedgerStatus[]) {
      expect(claimable({ ...claim, status }, before, NOW)).toBe(false);
    }
  });
});

describe('resumeEntry', () => {
  const fresh: LedgerEntry = {
    ...claim,
    attempt: undefined,
    preState: undefined,
    findings: [{ ruleId: 'public-ip', severity: 'high', title: 'ip' }],
    plan: { mode: 'notify', actions: [], withheld: [] },
  };

  it("takes over with the new plan, the original pre-state and findings, and the dead attempt's plan as interrupted", () => {
    const { plan: _plan, ...priorWithoutPlan } = claim;
    expect(resumeEntry(claim, fresh)).toStrictEqual({
      ...priorWithoutPlan,
      status: 'in-progress',
      attempt: 2,
      preState: claim.preState,
      findings: [
        { ruleId: 'world-open-ingress', severity: 'high', title: 'open' },
        { ruleId: 'public-ip', severity: 'high', title: 'ip' },
      ],
      plan: { mode: 'notify', actions: [], withheld: [] },
      interrupted: [action('revoke-ingress')],
    });
  });

  it('keeps what earlier takeovers found interrupted, and counts on from the claim the record was under', () => {
    const third = resumeEntry({ ...claim, attempt: 2, interrupted: [action('quarantine')] }, fresh);
    expect(third.attempt).toBe(3);
    expect(third.interrupted).toEqual([action('quarantine'), action('revoke-ingress')]);
    expect(resumeEntry({ ...claim, attempt: undefined }, fresh).attempt).toBe(2);
  });

  it('interrupts nothing of an incomplete record: its attempt recorded its results, which stay', () => {
    const results: ActionResult[] = [{ action: action('revoke-ingress'), status: 'failed', calls: [], outputs: {}, retryable: true }];
    const next = resumeEntry({ ...claim, status: 'incomplete', results }, fresh);
    expect(next.interrupted).toEqual([]);
    expect(next.results).toBe(results);
    expect(next.status).toBe('in-progress');
  });

  it('interrupts nothing of a dead claim that had no plan', () => {
    const { plan: _plan, ...planless } = claim;
    expect(resumeEntry(planless, fresh).interrupted).toEqual([]);
  });

  it('adds only the findings it did not have (same rule and title), keeping their order', () => {
    const next = resumeEntry(claim, {
      ...fresh,
      findings: [
        { ruleId: 'world-open-ingress', severity: 'critical', title: 'open' },
        { ruleId: 'world-open-ingress', severity: 'high', title: 'open again' },
        { ruleId: 'public-ip', severity: 'high', title: 'open' },
      ],
    });
    expect(next.findings).toEqual([
      { ruleId: 'world-open-ingress', severity: 'high', title: 'open' },
      { ruleId: 'world-open-ingress', severity: 'high', title: 'open again' },
      { ruleId: 'public-ip', severity: 'high', title: 'open' },
    ]);
    expect(resumeEntry({ ...claim, findings: undefined }, { ...fresh, findings: undefined }).findings).toEqual([]);
  });

  it('takes the fresh pre-state when the record has none, and invents none when neither has one', () => {
    const preState = { networkInterface: networkInterface({ networkInterfaceId: 'eni-1' }) };
    const { preState: _preState, ...bare } = claim;
    const { preState: _none, ...bareFresh } = fresh;
    expect(resumeEntry(bare, { ...fresh, preState }).preState).toBe(preState);
    expect('preState' in resumeEntry(bare, bareFresh)).toBe(false);
  });

  it("keeps the record's plan when the new attempt brings none", () => {
    const { plan: _plan, ...planless } = fresh;
    expect(resumeEntry({ ...claim, status: 'incomplete' }, planless).plan).toBe(claim.plan);
  });

  it('drops the undelivered alert: the new attempt sends its own', () => {
    const next = resumeEntry({ ...claim, alertSent: false, alert: { text: 'x' } as unknown as LedgerEntry['alert'] }, fresh);
    expect('alert' in next).toBe(false);
    expect('alertSent' in next).toBe(false);
  });
});

describe('what a record keeps of a finding', () => {
  const finding: Finding = {
    ruleId: 'world-open-ingress',
    severity: 'critical',
    title: 'SSH open to the internet',
    evidence: { ruleIds: ['sgr-1'], cidr: '0.0.0.0/0' },
    groupId: 'sg-1',
    ports: [{ protocol: 'tcp', from: 22, to: 22 }],
  };

  it('keeps its rule, severity, title and group, not its evidence', () => {
    expect(briefOf(finding)).toStrictEqual({
      ruleId: 'world-open-ingress',
      severity: 'critical',
      title: 'SSH open to the internet',
      groupId: 'sg-1',
    });
    const { groupId: _groupId, ...groupless } = finding;
    expect(briefOf(groupless)).toStrictEqual({ ruleId: 'world-open-ingress', severity: 'critical', title: 'SSH open to the internet' });
  });

  it('shows a recorded finding with a pointer to the log line that has its evidence', () => {
    expect(findingOf(briefOf(finding))).toStrictEqual({
      ruleId: 'world-open-ingress',
      severity: 'critical',
      title: 'SSH open to the internet',
      evidence: { recorded: 'found by an earlier attempt; its evidence is in that attempt’s log line' },
      groupId: 'sg-1',
    });
    expect('groupId' in findingOf({ ruleId: 'public-ip', severity: 'high', title: 'ip' })).toBe(false);
  });

  it('round-trips: the brief of a recorded finding is the brief it was recorded from (property)', () => {
    const brief = fc.record<FindingBrief>(
      {
        ruleId: fc.string({ minLength: 1 }),
        severity: fc.constantFrom(...SEVERITIES),
        title: fc.string(),
        groupId: fc.string({ minLength: 1 }),
      },
      { requiredKeys: ['ruleId', 'severity', 'title'] },
    );
    fc.assert(fc.property(brief, (b) => expect(briefOf(findingOf(b))).toStrictEqual({ ...b })));
  });
});

describe('what a record keeps of an interface', () => {
  it("keeps everything but the tags that are not eni-guard's own", () => {
    const ni = networkInterface({
      tags: { Name: 'web', 'eni-guard:ledger': 'evt-1/eni-1', 'eni-guard:exempt': 'yes', 'x-eni-guard:y': 'z' },
    });
    expect(recordedInterface(ni)).toStrictEqual({ ...ni, tags: { 'eni-guard:ledger': 'evt-1/eni-1', 'eni-guard:exempt': 'yes' } });
    expect(ni.tags['Name']).toBe('web');
  });

  it('changes nothing more when recorded again, and keeps every eni-guard tag (property)', () => {
    const tags = fc.dictionary(
      fc.oneof(
        fc.string(),
        fc.string().map((k) => `eni-guard:${k}`),
      ),
      fc.string(),
    );
    fc.assert(
      fc.property(tags, (t) => {
        const once = recordedInterface(networkInterface({ tags: t }));
        expect(recordedInterface(once)).toStrictEqual(once);
        expect(Object.keys(once.tags).sort()).toEqual(
          Object.keys(t)
            .filter((k) => k.startsWith('eni-guard:'))
            .sort(),
        );
      }),
    );
  });
});
