/**
 * JSON parsing whose syntax errors say where — line and column, as an editor shows them. Node 20's
 * `JSON.parse` names neither (only the offending token), so on failure a small scanner walks the text
 * to the first offending character. Pure.
 */

/** A JSON syntax error at a 1-based line and column. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
    this.name = 'JsonSyntaxError';
  }
}

/** `JSON.parse`, throwing `JsonSyntaxError` (line, column, reason) on a syntax error. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const found = firstSyntaxError(text);
    const { offset, reason } = found ?? { offset: 0, reason: error instanceof Error ? error.message : String(error) };
    const { line, column } = locate(text, offset);
    throw new JsonSyntaxError(reason, line, column);
  }
}

/** The 1-based line and column of `offset` in `text`. */
export function locate(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Thrown inside the scanner to unwind to its caller with where and why. */
class Stop extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Where and why `text` is not JSON (RFC 8259), or undefined when it is. */
export function firstSyntaxError(text: string): { offset: number; reason: string } | undefined {
  let i = 0;
  const describe = () => (i >= text.length ? 'the end of the text' : `${JSON.stringify(text[i])}`);
  const fail = (expected: string): never => {
    throw new Stop(i, `expected ${expected}, found ${describe()}`);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    for (const char of word) {
      if (text[i] !== char) fail(`${JSON.stringify(word)}`);
      i++;
    }
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) fail('a closing double quote');
      const char = text[i]!;
      if (char === '"') return void i++;
      if (char < ' ') fail('a closing double quote (a line break or control character inside a string must be escaped)');
      if (char === '\\') {
        i++;
        if (text[i] === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail('four hex digits after \\u');
          continue;
        }
        if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail('an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
      }
      i++;
    }
  };
  const digits = () => {
    if (!/[0-9]/.test(text[i] ?? '')) fail('a digit');
    while (/[0-9]/.test(text[i] ?? '')) i++;
  };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const value = (): void => {
    space();
    const char = text[i];
    if (char === '{') return object();
    if (char === '[') return array();
    if (char === '"') return string();
    if (char === 't') return literal('true');
    if (char === 'f') return literal('false');
    if (char === 'n') return literal('null');
    if (char === '-' || /[0-9]/.test(char ?? '')) return number();
    fail('a value (an object, array, string, number, true, false or null)');
  };
  const object = () => {
    i++;
    space();
    if (text[i] === '}') return void i++;
    for (;;) {
      space();
      if (text[i] !== '"') fail('a property name in double quotes');
      string();
      space();
      if (text[i] !== ':') fail("':' after the property name");
      i++;
      value();
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') return void i++;
      fail("',' or '}' after the property value");
    }
  };
  const array = () => {
    i++;
    space();
    if (text[i] === ']') return void i++;
    for (;;) {
      value();
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') return void i++;
      fail("',' or ']' after the array element");
    }
  };
  try {
    value();
    space();
    if (i < text.length) fail('the end of the text after the JSON value');
    return undefined;
  } catch (error) {
    if (error instanceof Stop) return { offset: error.offset, reason: error.reason };
    throw error;
  }
}
