/**
 * A bounded rendering of untrusted input for logs. A rejected event is logged so an operator can see
 * what arrived, but the event is whatever its sender wrote: 5,000 levels deep, megabytes wide, full
 * of keys. Logging it whole let one such event overflow the logger's stack and crash-loop the
 * function; its summary is a string of at most `maxLength` characters, built without recursion.
 */

/** How much of an input a log line shows. */
export interface SummaryLimits {
  /** Objects and arrays nested deeper than this are shown as `{…}` / `[…]`. @default 6 */
  readonly maxDepth?: number;
  /** Keys or items shown per object or array. @default 20 */
  readonly maxEntries?: number;
  /** Characters of the whole summary. @default 2000 */
  readonly maxLength?: number;
}

/** Renders `value` as JSON-like text, cut at the limits; never throws, never recurses. */
export function summarizeInput(value: unknown, limits: SummaryLimits = {}): string {
  const maxDepth = limits.maxDepth ?? 6;
  const maxEntries = limits.maxEntries ?? 20;
  const maxLength = limits.maxLength ?? 2000;
  let out = '';
  // A work list of pieces to emit: literal text, or a value at a depth.
  const stack: ({ text: string } | { value: unknown; depth: number })[] = [{ value, depth: 0 }];
  while (stack.length > 0 && out.length <= maxLength) {
    const item = stack.pop()!;
    if ('text' in item) {
      out += item.text;
      continue;
    }
    const { value: v, depth } = item;
    if (v === null || typeof v === 'number' || typeof v === 'boolean') out += String(v);
    else if (v === undefined) out += 'undefined';
    else if (typeof v === 'string') out += JSON.stringify(v.length > 200 ? `${v.slice(0, 200)}…(${v.length} chars)` : v);
    else if (typeof v !== 'object') out += `<${typeof v}>`;
    else if (Array.isArray(v)) {
      if (depth >= maxDepth) out += `[…${v.length}]`;
      else {
        const shown = v.slice(0, maxEntries);
        const pieces: ({ text: string } | { value: unknown; depth: number })[] = [{ text: '[' }];
        shown.forEach((entry: unknown, i) => {
          if (i > 0) pieces.push({ text: ',' });
          pieces.push({ value: entry, depth: depth + 1 });
        });
        if (v.length > shown.length) pieces.push({ text: `,…+${v.length - shown.length}` });
        pieces.push({ text: ']' });
        stack.push(...pieces.reverse());
      }
    } else {
      let keys: string[];
      try {
        keys = Object.keys(v);
      } catch {
        out += '<unreadable>';
        continue;
      }
      if (depth >= maxDepth) out += `{…${keys.length} keys}`;
      else {
        const shown = keys.slice(0, maxEntries);
        const pieces: ({ text: string } | { value: unknown; depth: number })[] = [{ text: '{' }];
        shown.forEach((key, i) => {
          pieces.push({ text: `${i > 0 ? ',' : ''}${JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key)}:` });
          let entry: unknown;
          try {
            entry = (v as Record<string, unknown>)[key];
          } catch {
            entry = '<unreadable>';
          }
          pieces.push({ value: entry, depth: depth + 1 });
        });
        if (keys.length > shown.length) pieces.push({ text: `,…+${keys.length - shown.length} keys` });
        pieces.push({ text: '}' });
        stack.push(...pieces.reverse());
      }
    }
  }
  return out.length > maxLength ? `${out.slice(0, maxLength)}…(cut)` : out;
}
