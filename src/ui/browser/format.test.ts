import { describe, expect, it } from 'vitest';
import type { BrowsedRecord } from '../../kafka/browse';
import { csvField, exportName, parseHeaderFilter, parseTimeInput, prettyJson, toCsv, toJsonExport, visibleBlock, visibleText } from './format';

const rec = (over: Partial<BrowsedRecord> = {}): BrowsedRecord => ({
  partition: 0,
  offset: 1,
  timestamp: 100,
  key: 'k',
  value: 'v',
  valueBytes: 1,
  valueTruncated: false,
  headers: [],
  ...over,
});

/** A small RFC 4180 reader, to check the writer round-trips. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field), rows.push(row), (row = []), (field = ''), i++;
    } else field += c;
  }
  return rows;
}

describe('pretty JSON', () => {
  it('pretty-prints objects and arrays, leaves other text alone', () => {
    expect(prettyJson('{"a":1,"b":[1,2]}')).toBe('{\n  "a": 1,\n  "b": [\n    1,\n    2\n  ]\n}');
    expect(prettyJson(' [1] ')).toBe('[\n  1\n]');
    expect(prettyJson('{not json}')).toBeNull();
    expect(prettyJson('42')).toBeNull();
    expect(prettyJson('"text"')).toBeNull();
    expect(prettyJson('hello')).toBeNull();
    expect(prettyJson(null)).toBeNull();
    expect(prettyJson('{"a":1} trailing')).toBeNull();
  });
});

describe('visible text', () => {
  it('shows control and direction characters as escapes, line breaks and tabs as marks', () => {
    expect(visibleText('a\u0000b\u001b[31mc')).toBe('a\\u0000b\\u001b[31mc');
    expect(visibleText('evil\u202Egnp.exe')).toBe('evil\\u202egnp.exe');
    expect(visibleText('one\ntwo\r\nthree\tfour')).toBe('one↵two↵three⇥four');
    expect(visibleText('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>');
    expect(visibleBlock('{\n  "a": "\u0007"\n}')).toBe('{\n  "a": "\\u0007"\n}');
  });
});

describe('CSV export', () => {
  it('quotes commas, quotes, line breaks and edge spaces; null is empty, "" is quoted', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('cr\rx')).toBe('"cr\rx"');
    expect(csvField(' pad')).toBe('" pad"');
    expect(csvField('')).toBe('""');
    expect(csvField(null)).toBe('');
    expect(csvField(12)).toBe('12');
  });

  it('writes a header row and round-trips hostile values exactly', () => {
    const hostile = '=cmd|"/c calc"!A1,\r\n<script>alert(1)</script>\u0000';
    const csv = toCsv([
      rec({ key: null, value: hostile, valueBytes: 99, headers: [['h,1', 'x"y'], ['n', null]] }),
      rec({ offset: 2, key: '', value: null, valueBytes: -1 }),
    ]);
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual(['partition', 'offset', 'timestamp', 'key', 'value', 'value_bytes', 'value_truncated', 'headers']);
    expect(rows[1]).toEqual(['0', '1', '100', '', hostile, '99', 'false', '{"h,1":"x\\"y","n":null}']);
    expect(rows[2]).toEqual(['0', '2', '100', '', '', '', 'false', '']);
    expect(rows).toHaveLength(3);
    // The null key and the empty key differ in the file itself.
    expect(csv.split('\r\n').at(-2)).toBe('0,2,100,"",,,false,');
  });
});

describe('JSON export', () => {
  it('is a document with the topic, the moment and each record; values stay text', () => {
    const out = JSON.parse(
      toJsonExport([rec({ value: '{"a":1}', headers: [['trace', 'abc']] }), rec({ offset: 2, value: 'x'.repeat(10), valueTruncated: true, valueBytes: 50000 })], {
        topic: 'orders',
        readAt: 1234,
      }),
    );
    expect(out).toEqual({
      topic: 'orders',
      readAtMs: 1234,
      records: [
        { partition: 0, offset: 1, timestamp: 100, key: 'k', value: '{"a":1}', headers: { trace: 'abc' } },
        { partition: 0, offset: 2, timestamp: 100, key: 'k', value: 'xxxxxxxxxx', valueTruncated: true, valueBytes: 50000, headers: {} },
      ],
    });
  });

  it('names files after the topic, safely', () => {
    expect(exportName('orders', 'csv')).toBe('orders-messages.csv');
    expect(exportName('../x y', 'json')).toBe('.._x_y-messages.json');
  });
});

describe('the form fields', () => {
  it('reads a virtual time as ms, seconds or m:ss as the clock shows it', () => {
    expect(parseTimeInput('12500')).toBe(12500);
    expect(parseTimeInput('12500 ms')).toBe(12500);
    expect(parseTimeInput('12.5 s')).toBe(12500);
    expect(parseTimeInput('3s')).toBe(3000);
    expect(parseTimeInput('1:05.250')).toBe(65250);
    expect(parseTimeInput('1:75')).toBeNull();
    expect(parseTimeInput('soon')).toBeNull();
    expect(parseTimeInput('-5')).toBeNull();
    expect(parseTimeInput('')).toBeNull();
  });

  it('reads a header filter as a name, or name=text', () => {
    expect(parseHeaderFilter('')).toBeNull();
    expect(parseHeaderFilter(' source ')).toEqual({ key: 'source' });
    expect(parseHeaderFilter('source=web')).toEqual({ key: 'source', value: 'web' });
    expect(parseHeaderFilter('a=b=c')).toEqual({ key: 'a', value: 'b=c' });
  });
});
