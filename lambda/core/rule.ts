/** The contract every rule implements. */
import type { Finding, InterfaceFacts } from './model';
import type { Policy } from './policy';

/** A rule's answer for one interface. */
export type Verdict =
  | { readonly status: 'not-applicable'; readonly reason: string }
  | { readonly status: 'compliant' }
  | { readonly status: 'non-compliant'; readonly findings: readonly Finding[] };

/** A pure check: `(facts, policy) => verdict`. The id is stable and equals the rule's file name. */
export interface Rule {
  readonly id: string;
  readonly description: string;
  evaluate(facts: InterfaceFacts, policy: Policy): Verdict;
}
