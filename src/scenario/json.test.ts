/** JSON text → value, with "line L, column C" for the error whatever the engine says. */
import { describe, expect, it } from 'vitest';
import { lineColumn, locateJsonError, parseJsonText } from './json';

describe('parseJsonText', () => {
  it('parses JSON, ignoring a byte-order mark', () => {
    expect(parseJsonText('\uFEFF{"a": [1, "x", null]}')).toEqual({ ok: true, value: { a: [1, 'x', null] } });
  });

  it.each([
    ['{\n  "a": 1,\n  "b": }', 3, 8, 'unexpected "}"'],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, `'"' where "," or "}" was expected`],
    ['{"a": 1,}', 1, 9, 'where a property name in double quotes was expected'],
    ['[1, 2', 1, 6, 'unexpected end of input'],
    ['', 1, 1, 'unexpected end of input'],
    ["{'a': 1}", 1, 2, 'property name in double quotes'],
    ['{"a": "x\ny"}', 1, 9, 'control character'],
    ['{"a": 1} x', 1, 10, 'after the end of the document'],
    ['{"a": tru}', 1, 7, 'unexpected "t"'],
    ['{"a": 01}', 1, 8, '"1" where "," or "}" was expected'],
  ])('%j → line %i, column %i', (text, line, column, reason) => {
    const r = parseJsonText(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toContain(`line ${line}, column ${column}: `);
    expect(r.error.message).toContain(reason);
    expect(r.error.message).not.toMatch(/\n/);
  });

  it('locates errors in deeply nested input without recursion', () => {
    const text = '['.repeat(100000) + '}';
    expect(locateJsonError(text)).toEqual({ offset: 100000, reason: 'unexpected "}"' });
  });

  it('lineColumn counts from 1', () => {
    expect(lineColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
