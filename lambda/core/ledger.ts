/**
 * The remediation ledger: one record per interface decision that alerts or acts, written before
 * anything changes (the pre-state and the planned calls), completed with what was done and its
 * verification, and used to (1) make duplicate deliveries harmless and (2) undo.
 */
import type { Alert } from './alert';
import type { ActionResult, ExecutedCall } from './decision';
import type { NetworkInterface, SecurityGroupRule } from './model';
import type { Plan } from './plan/index';

/** Where a record is in its life. */
export type LedgerStatus = 'in-progress' | 'completed' | 'undoing' | 'undone' | 'undo-failed';

/** What the interface looked like before eni-guard acted. */
export interface PreState {
  readonly networkInterface: NetworkInterface;
  /** Every rule of the interface's groups. */
  readonly groupRules: readonly SecurityGroupRule[];
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
  readonly preState?: PreState;
  readonly plan?: Plan;
  readonly results?: readonly ActionResult[];
  /** The alert as published (or to publish again if the first attempt failed). */
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
