/**
 * The remediation ledger: one record per interface decision that alerts or acts, written before
 * anything changes (the pre-state and the planned calls), completed with what was done and its
 * verification, and used to (1) make duplicate deliveries harmless, (2) let the next delivery finish
 * what a dead or failed attempt started, and (3) undo.
 *
 * A record is claimed with a lease, then written once more when the attempt ends: `completed` when
 * every fix is verified (or eni-guard gave up and escalated), `incomplete` when a fix failed on a
 * transient error or did not verify (the next delivery takes it over at once). A claim whose holder
 * died stays `in-progress` until its lease ends; the next delivery then takes it over and reconciles
 * the dead attempt's plan (`interrupted`) with what AWS shows. Records stay small (a claim and a
 * completion of about a kilobyte each): the bulk of the pre-state is in the function's log.
 */
import type { Alert } from './alert';
import type { Action, ExecutedCall } from './actions';
import type { ActionResult } from './decision';
import type { Finding, NetworkInterface, SecurityGroupRule, Severity } from './model';
import type { Plan } from './plan/index';

/** Where a record is in its life. */
export type LedgerStatus = 'in-progress' | 'incomplete' | 'completed' | 'undoing' | 'undone' | 'undo-failed';

/** How many attempts (claims) a record gets before eni-guard stops retrying a fix that does not take and escalates. */
export const MAX_ATTEMPTS = 3;

/** What the interface looked like before eni-guard acted. */
export interface PreState {
  readonly networkInterface: NetworkInterface;
  /**
   * Every rule of the interface's groups (records written before the ledger was slimmed down). Newer
   * records leave it out: the undo calls carry the rules a fix removed, the log line has the rest.
   */
  readonly groupRules?: readonly SecurityGroupRule[];
}

/** A finding as the record keeps it: enough to say in an alert what was found, after the process that found it died. */
export interface FindingBrief {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly title: string;
  readonly groupId?: string;
}

/** One ledger record. */
export interface LedgerEntry {
  readonly ledgerId: string;
  readonly eventId: string;
  readonly networkInterfaceId: string;
  /** Where the interface is: undo acts there (in organization mode, through the member's undo role). */
  readonly account?: string;
  readonly region?: string;
  /** Organization mode: the member role `eni-guard undo` assumes in `account` to restore it. */
  readonly undoRoleArn?: string;
  readonly status: LedgerStatus;
  readonly createdAt: string;
  /** The claim this record was last written under (1, 2, …): a completion only overwrites its own claim. */
  readonly attempt?: number;
  readonly preState?: PreState;
  readonly findings?: readonly FindingBrief[];
  /** The plan of the attempt that holds (or last held) the record. Completed records keep only its mode and withheld fixes. */
  readonly plan?: Plan;
  /** What was done, over every attempt (results of earlier attempts that a later one replaced are marked superseded). */
  readonly results?: readonly ActionResult[];
  /** Actions of attempts that were interrupted before they recorded a result: the next attempt reconciles them with AWS. */
  readonly interrupted?: readonly Action[];
  /** The alert, kept only when it could not be delivered (the redelivery publishes it). */
  readonly alert?: Alert;
  readonly alertSent?: boolean;
  readonly undo?: { readonly at: string; readonly calls: readonly ExecutedCall[]; readonly error?: string };
}

/** The ledger id of a decision: the CloudTrail event and the interface. Stable across redeliveries. */
export function ledgerIdOf(eventId: string, networkInterfaceId: string): string {
  return `${eventId}/${networkInterfaceId}`;
}

/** The ledger's index by interface and time (partition `networkInterfaceId`, sort `createdAt`, projects `fixed`). */
export const LEDGER_INTERFACE_INDEX = 'byInterface';
/**
 * Organization mode: the ledger's index by account and time (partition `account`, sort `createdAt`,
 * keys only) — what eni-guard did in one member account, newest first (docs/organization.md).
 */
export const LEDGER_ACCOUNT_INDEX = 'byAccount';

/** True when a record may be claimed by a new attempt: nobody holds it and it is not final. */
export function claimable(entry: LedgerEntry, leaseUntil: Date | undefined, now: Date): boolean {
  if (entry.status === 'incomplete') return true;
  return entry.status === 'in-progress' && leaseUntil !== undefined && leaseUntil.getTime() < now.getTime();
}

/**
 * The record a new attempt claims over `prior` (an expired claim or an incomplete record): the new
 * plan, the original pre-state and findings, every result recorded so far, and the plan of an
 * attempt that died before recording anything, kept for reconciliation. Nothing recorded is dropped.
 */
export function resumeEntry(prior: LedgerEntry, fresh: LedgerEntry): LedgerEntry {
  const died = prior.status === 'in-progress' ? (prior.plan?.actions ?? []) : [];
  const findings = [...(prior.findings ?? [])];
  for (const f of fresh.findings ?? []) if (!findings.some((g) => g.ruleId === f.ruleId && g.title === f.title)) findings.push(f);
  const { alert: _alert, alertSent: _sent, ...rest } = prior;
  return {
    ...rest,
    status: 'in-progress',
    attempt: (prior.attempt ?? 1) + 1,
    ...((prior.preState ?? fresh.preState) ? { preState: prior.preState ?? fresh.preState } : {}),
    findings,
    ...(fresh.plan ? { plan: fresh.plan } : {}),
    interrupted: [...(prior.interrupted ?? []), ...died],
  };
}

/** A finding in brief, as the record keeps it. */
export function briefOf(finding: Finding): FindingBrief {
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    title: finding.title,
    ...(finding.groupId ? { groupId: finding.groupId } : {}),
  };
}

/** A recorded finding as an alert shows it (its evidence stayed in the log of the attempt that found it). */
export function findingOf(brief: FindingBrief): Finding {
  return {
    ruleId: brief.ruleId,
    severity: brief.severity,
    title: brief.title,
    evidence: { recorded: 'found by an earlier attempt; its evidence is in that attempt’s log line' },
    ...(brief.groupId ? { groupId: brief.groupId } : {}),
  };
}

/** The interface as a record keeps it: no tags but eni-guard's own (an interface may carry fifty). */
export function recordedInterface(ni: NetworkInterface): NetworkInterface {
  const tags = Object.fromEntries(Object.entries(ni.tags).filter(([key]) => key.startsWith('eni-guard:')));
  return { ...ni, tags };
}
