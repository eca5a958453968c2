/**
 * JSON text → value for the load paths that start from text (a file, an inflated share link,
 * the headless runner). `JSON.parse` does the parsing; when it fails we locate the error
 * ourselves, because engines word it differently (V8 gives a position for some errors and a
 * snippet for others; Firefox gives line and column), and a user fixing a hand-edited file
 * needs the same "line L, column C" everywhere.
 */
import { notJson } from './messages';
import type { ScenarioError } from './schema';

export type JsonResult = { ok: true; value: unknown } | { ok: false; error: ScenarioError };

export function parseJsonText(text: string): JsonResult {
  // Editors on Windows save a byte-order mark; it is not part of the JSON.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    const { offset, reason } = locateJsonError(body);
    const { line, column } = lineColumn(body, offset);
    return { ok: false, error: { path: '', message: notJson(line, column, reason) } };
  }
}

/** 1-based line and column of a UTF-16 offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * A character of the input as the message shows it. Printable ASCII is shown quoted; any
 * other character (a NUL byte, a control or format character, a lone surrogate, a
 * right-to-left override) as its code point, so nothing raw reaches a terminal or a toast.
 */
function show(ch: string | undefined): string {
  if (ch === undefined) return 'end of input';
  if (ch === '\n') return 'a line break';
  if (ch === '"') return `'"'`;
  if (/^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch)) return `"${ch}"`;
  const code = ch.charCodeAt(0);
  return `the character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The offset of the first syntax error in text that `JSON.parse` rejected. Iterative (an
 * explicit stack), since untrusted input may nest thousands of levels deep.
 */
export function locateJsonError(text: string): { offset: number; reason: string } {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (reason?: string): { offset: number; reason: string } => ({
    offset: i,
    reason: reason ?? (i >= text.length ? 'unexpected end of input' : `unexpected ${show(text[i])}`),
  });
  /** Scans a string starting at the opening quote; returns an error or null. */
  const string = (): { offset: number; reason: string } | null => {
    i++;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return null;
      }
      if (c < 0x20) return fail('a control character (such as a line break) inside a string');
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return fail('a bad \\u escape in a string');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return fail('a bad escape in a string');
      } else i++;
    }
    return fail('a string that is never closed');
  };
  const scalar = (): { offset: number; reason: string } | null => {
    const c = text[i];
    if (c === '"') return string();
    const lit = /^(?:true|false|null)/.exec(text.slice(i, i + 5));
    if (lit) {
      i += lit[0].length;
      return null;
    }
    const num = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (num && num[0] !== '-') {
      i += num[0].length;
      return null;
    }
    return fail();
  };

  // The stack holds what each open container expects next.
  type Frame = 'array' | 'object';
  const stack: Frame[] = [];
  ws();
  for (;;) {
    // Expect a value.
    ws();
    const c = text[i];
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
      } else {
        stack.push('array');
        continue;
      }
    } else if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
      } else {
        if (text[i] !== '"') return fail(text[i] === undefined ? undefined : `${show(text[i])} where a property name in double quotes was expected`);
        const e = string();
        if (e) return e;
        ws();
        if (text[i] !== ':') return fail(`${show(text[i])} where ":" was expected`);
        i++;
        stack.push('object');
        continue;
      }
    } else {
      const e = scalar();
      if (e) return e;
    }
    // After a value: close containers or move to the next element.
    for (;;) {
      ws();
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (i < text.length) return fail(`${show(text[i])} after the end of the document`);
        // JSON.parse rejected it, yet we found nothing: point at the end rather than lie.
        return { offset: text.length, reason: 'invalid JSON' };
      }
      const close = top === 'array' ? ']' : '}';
      if (text[i] === close) {
        i++;
        stack.pop();
        continue;
      }
      if (text[i] !== ',') return fail(i >= text.length ? undefined : `${show(text[i])} where "," or "${close}" was expected`);
      i++;
      ws();
      if (top === 'object') {
        if (text[i] !== '"') return fail(text[i] === undefined ? undefined : `${show(text[i])} where a property name in double quotes was expected`);
        const e = string();
        if (e) return e;
        ws();
        if (text[i] !== ':') return fail(`${show(text[i])} where ":" was expected`);
        i++;
      }
      break;
    }
  }
}
