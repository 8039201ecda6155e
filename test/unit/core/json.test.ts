/**
 * JSON with errors that say where (lambda/core/json.ts): a policy file, an environment value or an
 * event file that is not JSON fails with the line and column an editor shows, and what was expected
 * there. The scanner must agree with `JSON.parse` on what is JSON.
 */
import fc from 'fast-check';
import { firstSyntaxError, JsonSyntaxError, locate, parseJson } from '../../../lambda/core/json';
import { propertyRuns } from '../../support/property-runs';

/** The error `parseJson` throws for `text`. */
function syntaxError(text: string): JsonSyntaxError {
  try {
    parseJson(text);
  } catch (error) {
    expect(error).toBeInstanceOf(JsonSyntaxError);
    return error as JsonSyntaxError;
  }
  throw new Error(`parsed ${JSON.stringify(text)}`);
}
const where = (text: string) => {
  const error = syntaxError(text);
  return `${error.line}:${error.column} ${error.reason}`;
};

const A_VALUE = 'a value (an object, array, string, number, true, false or null)';

describe('parseJson', () => {
  it('returns what JSON.parse returns for JSON', () => {
    expect(parseJson('{"version": 1, "dryRun": true, "rules": {"a": [null, false, -0.5e+10, "x\\u00e9\\n"]}}')).toEqual({
      version: 1,
      dryRun: true,
      rules: { a: [null, false, -0.5e10, 'xé\n'] },
    });
    expect(parseJson(' \t\r\n"text"\n')).toBe('text');
  });

  it('names the line and column of a typo in a policy file, and what was expected there', () => {
    const error = syntaxError('{\n  "version": 1,\n  "dryRun": tru\n}\n');
    expect(error).toMatchObject({ name: 'JsonSyntaxError', line: 3, column: 16, reason: 'expected "true", found "\\n"' });
    expect(error.message).toBe('line 3, column 16: expected "true", found "\\n"');
  });

  it.each<[string, string, string]>([
    ['an empty text', '', `1:1 expected ${A_VALUE}, found the end of the text`],
    ['blank lines only', '\n\n  ', `3:3 expected ${A_VALUE}, found the end of the text`],
    ['a word', 'yes', `1:1 expected ${A_VALUE}, found "y"`],
    ['a truncated null', 'nul', '1:4 expected "null", found the end of the text'],
    ['a misspelt false', 'falsy', '1:5 expected "false", found "y"'],
    ['a trailing comma in an object', '{"a": 1,}', '1:9 expected a property name in double quotes, found "}"'],
    ['a property name without quotes', '{a: 1}', '1:2 expected a property name in double quotes, found "a"'],
    ['a missing colon', '{"a" 1}', `1:6 expected ':' after the property name, found "1"`],
    ['a missing comma between properties', '{"a": 1\n "b": 2}', `2:2 expected ',' or '}' after the property value, found "\\""`],
    ['an unclosed object', '{"a": 1', `1:8 expected ',' or '}' after the property value, found the end of the text`],
    ['a missing value', '{"a": }', `1:7 expected ${A_VALUE}, found "}"`],
    ['a trailing comma in an array', '[1,]', `1:4 expected ${A_VALUE}, found "]"`],
    ['a missing comma in an array', '[1 2]', `1:4 expected ',' or ']' after the array element, found "2"`],
    ['an unclosed array after a line break', '[1,\n', `2:1 expected ${A_VALUE}, found the end of the text`],
    ['an unclosed string', '"abc', '1:5 expected a closing double quote, found the end of the text'],
    [
      'a line break inside a string',
      '"a\nb"',
      '1:3 expected a closing double quote (a line break or control character inside a string must be escaped), found "\\n"',
    ],
    [
      'a control character inside a string',
      '"\u001f"',
      '1:2 expected a closing double quote (a line break or control character inside a string must be escaped), found "\\u001f"',
    ],
    ['an unknown escape', '"\\x"', '1:3 expected an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX), found "x"'],
    ['a backslash at the end', '"\\', '1:3 expected an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX), found the end of the text'],
    ['a \\u escape with a letter that is no hex digit', '"\\u12G4"', '1:6 expected four hex digits after \\u, found "G"'],
    ['a short \\u escape at the end', '"\\u12', '1:6 expected four hex digits after \\u, found the end of the text'],
    ['a lone minus', '-', '1:2 expected a digit, found the end of the text'],
    ['a minus before a letter', '-x', '1:2 expected a digit, found "x"'],
    ['a number with a leading zero', '01', '1:2 expected the end of the text after the JSON value, found "1"'],
    ['a negative number with a leading zero', '-012', '1:3 expected the end of the text after the JSON value, found "1"'],
    ['a point without digits after it', '1.', '1:3 expected a digit, found the end of the text'],
    ['a point before the exponent', '1.e5', '1:3 expected a digit, found "e"'],
    ['an exponent without digits', '1e', '1:3 expected a digit, found the end of the text'],
    ['a signed exponent without digits', '1E+', '1:4 expected a digit, found the end of the text'],
    ['a number with a plus sign', '+1', `1:1 expected ${A_VALUE}, found "+"`],
    ['a second value', '{"a": 1} x', '1:10 expected the end of the text after the JSON value, found "x"'],
    ['two documents', '{}\n{}', '2:1 expected the end of the text after the JSON value, found "{"'],
  ])('reports %s', (_name, text, expected) => {
    expect(where(text)).toBe(expected);
  });

  it.each([
    '{}',
    '{ }',
    '[ ]',
    '{"a":[]}',
    '[1, [2, {"b": "c"}], "d"]',
    '"a b ~"',
    '"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uABCD \\u00e9"',
    '0',
    '-0',
    '10',
    '-10.25',
    '1E-5',
    '2e+3',
    '0.5e7',
    '\t[\r\n 1 ]\n',
    'true',
    'false',
    'null',
  ])('accepts %j', (text) => {
    expect(firstSyntaxError(text)).toBeUndefined();
    expect(parseJson(text)).toEqual(JSON.parse(text));
  });
});

describe('locate', () => {
  it('counts lines and columns from 1, a column restarting after each line break', () => {
    expect(locate('ab\ncd\n', 0)).toEqual({ line: 1, column: 1 });
    expect(locate('ab\ncd\n', 2)).toEqual({ line: 1, column: 3 });
    expect(locate('ab\ncd\n', 3)).toEqual({ line: 2, column: 1 });
    expect(locate('ab\ncd\n', 4)).toEqual({ line: 2, column: 2 });
    expect(locate('ab\ncd\n', 6)).toEqual({ line: 3, column: 1 });
  });
});

describe('the scanner (property)', () => {
  /** JSON texts, and near-JSON ones: a character deleted, replaced or inserted. */
  const nearJson = fc
    .tuple(
      fc.json(),
      fc.nat(),
      fc.constantFrom('delete', 'replace', 'insert', 'keep'),
      fc.constantFrom(...'{}[],:"\\ \n0-.eE+tfnu1aZ\u0001'),
    )
    .map(([text, at, edit, char]) => {
      const i = text.length === 0 ? 0 : at % text.length;
      if (edit === 'delete') return text.slice(0, i) + text.slice(i + 1);
      if (edit === 'replace') return text.slice(0, i) + char + text.slice(i + 1);
      if (edit === 'insert') return text.slice(0, i) + char + text.slice(i);
      return text;
    });

  it('finds an error exactly when JSON.parse rejects the text', () => {
    fc.assert(
      fc.property(fc.oneof(nearJson, fc.string()), (text) => {
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        expect(firstSyntaxError(text) === undefined).toBe(parses);
      }),
      { numRuns: propertyRuns(2000) },
    );
  });

  it('reports a position within the text (the end included)', () => {
    fc.assert(
      fc.property(nearJson, (text) => {
        const found = firstSyntaxError(text);
        if (found) {
          expect(found.offset).toBeGreaterThanOrEqual(0);
          expect(found.offset).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it('locates an offset on the line and column that lead back to it', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '\n', ' ') }), fc.nat(), (text, n) => {
        const offset = n % (text.length + 1);
        const { line, column } = locate(text, offset);
        const lines = text.split('\n');
        const start = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0);
        expect(start + column - 1).toBe(offset);
        expect(column - 1).toBeLessThanOrEqual(lines[line - 1]!.length);
      }),
    );
  });
});
