/**
 * What a decision amounts to (lambda/core/decision.ts): the response subscribers filter on (only a
 * verified fix is "remediated"; history a later attempt superseded does not count), its severity,
 * and whether it is alerted at all.
 */
import { currentResults, needsAlert, responseOf, severityOf, type ActionResult, type Decision } from '../../../lambda/core/decision';
import { parsePolicy } from '../../../lambda/core/policy';
import { compliant, decided } from '../../support/decisions';

const remediated = decided();
const [first] = remediated.results as [ActionResult];
const withResults = (results: readonly ActionResult[], base: Decision = remediated): Decision => ({ ...base, results });

describe('the response of a decision', () => {
  it('is remediated only when every current result succeeded and was verified', () => {
    expect(responseOf(remediated)).toBe('remediated');
    expect(responseOf(withResults([{ ...first, verified: false }]))).toBe('remediation-failed');
    expect(responseOf(withResults([{ ...first, verified: undefined }]))).toBe('remediation-failed');
    expect(responseOf(withResults([first, { ...first, status: 'failed', error: 'RequestLimitExceeded' }]))).toBe('remediation-failed');
    // A remediation plan that ran nothing fixed nothing.
    expect(responseOf(withResults([]))).toBe('remediation-failed');
  });

  it('leaves out results a later attempt superseded, both ways', () => {
    const failedEarlier: ActionResult = { ...first, status: 'failed', error: 'connection reset', superseded: 'redone by attempt 2' };
    expect(currentResults(withResults([failedEarlier, first]))).toEqual([first]);
    expect(responseOf(withResults([failedEarlier, first]))).toBe('remediated');
    // A verified result that was superseded is no proof that the interface is fixed now.
    const verifiedEarlier: ActionResult = { ...first, superseded: 'rolled back by attempt 2' };
    expect(responseOf(withResults([verifiedEarlier]))).toBe('remediation-failed');
  });

  it('says dry-run and notified from the plan, and none without one', () => {
    expect(responseOf(decided({ policy: parsePolicy({ version: 1, dryRun: true }) }))).toBe('dry-run');
    const notify = decided({ policy: parsePolicy({ version: 1, rules: { 'world-open-ingress': { mode: 'notify' } } }) });
    expect(notify.plan?.mode).toBe('notify');
    expect(responseOf(notify)).toBe('notified');
    // A takeover whose plan found the fix already made by the interrupted attempt notifies; a result makes it a fix again.
    expect(responseOf(withResults([first], notify))).toBe('remediated');
    const { plan: _plan, ...planless } = remediated;
    expect(responseOf(planless as Decision)).toBe('none');
  });
});

describe('severity and alerting', () => {
  it('takes the most severe finding, high for a decision that could not be judged, informational for none', () => {
    expect(severityOf(remediated)).toBe('critical');
    const low = { ...remediated, findings: remediated.findings.map((f) => ({ ...f, severity: 'low' as const })) };
    expect(severityOf(low)).toBe('low');
    expect(severityOf({ ...low, ruleErrors: [{ ruleId: 'public-ip', message: 'boom' }] })).toBe('high');
    expect(severityOf({ ...low, findings: [], outcome: 'error' })).toBe('high');
    expect(severityOf(compliant())).toBe('informational');
  });

  it('alerts on findings, rule errors and errors, never on a compliant or skipped interface', () => {
    expect(needsAlert(remediated)).toBe(true);
    expect(needsAlert(compliant())).toBe(false);
    expect(needsAlert({ ...compliant(), ruleErrors: [{ ruleId: 'public-ip', message: 'boom' }] })).toBe(true);
    expect(needsAlert({ ...compliant(), outcome: 'error', reason: 'DescribeNetworkInterfaces: throttled' })).toBe(true);
    expect(needsAlert({ ...compliant(), outcome: 'skipped', reason: 'requester-managed' })).toBe(false);
  });
});
