/** "Did you mean …?" for names a person types: context keys, policy keys, rule ids, option values. Pure. */
import { distance } from 'fastest-levenshtein';

/**
 * The known name closest to `typed`, when it is close enough to be a typo of it: case is ignored,
 * and at most a third of the typed name's characters may differ (at least 1, at most 4).
 */
export function closest(typed: string, known: Iterable<string>): string | undefined {
  const wanted = typed.toLowerCase();
  const budget = Math.min(4, Math.max(1, Math.floor(wanted.length / 3)));
  let best: { name: string; cost: number } | undefined;
  for (const name of known) {
    if (name === typed) continue;
    const cost = distance(wanted, name.toLowerCase());
    if (cost <= budget && (!best || cost < best.cost)) best = { name, cost };
  }
  return best?.name;
}

/** `did you mean X?` (with the suggestion quoted as `quote` does), or undefined when nothing is close. */
export function didYouMean(typed: string, known: Iterable<string>, quote: (name: string) => string = (name) => name): string | undefined {
  const suggestion = closest(typed, known);
  return suggestion === undefined ? undefined : `did you mean ${quote(suggestion)}?`;
}
