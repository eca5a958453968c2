/**
 * How the message browser shows and exports records: JSON values pretty-printed, control
 * and bidirectional-override characters made visible (a value cannot rewrite the row it is
 * shown in), and CSV (RFC 4180 quoting) / JSON exports of the records loaded.
 */
import type { BrowsedRecord } from '../../kafka/browse';

/** The value pretty-printed (2 spaces) when it is a JSON object or array, else null. */
export function prettyJson(value: string | null): string | null {
  if (value === null) return null;
  const t = value.trim();
  if (!((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']')))) return null;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return null;
  }
}

// C0 and C1 controls, DEL, and the bidi embeddings/overrides/isolates (U+202A–202E, 2066–2069).
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f]/g;

/**
 * Text safe to show on one line: tabs and newlines become ⇥ and ↵, other control and
 * direction characters their \uXXXX escape. React renders it as text, never HTML.
 */
export function visibleText(s: string): string {
  return s
    .replace(/\r\n|\n|\r/g, '↵')
    .replace(/\t/g, '⇥')
    .replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Like visibleText but keeps line breaks and tabs (a multi-line view: pretty JSON, a full value). */
export function visibleBlock(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One CSV field: quoted when it holds a comma, quote, CR or LF (quotes doubled); null is empty. */
export function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) || s === '' || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_COLUMNS = ['partition', 'offset', 'timestamp', 'key', 'value', 'value_bytes', 'value_truncated', 'headers'] as const;

/**
 * RFC 4180 CSV, CRLF line ends, a header row. A null key or value is an empty field, an
 * empty string a quoted empty field ""; headers as a JSON object (null value: null).
 */
export function toCsv(records: readonly BrowsedRecord[]): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const r of records) {
    rows.push(
      [
        r.partition,
        r.offset,
        r.timestamp,
        r.key,
        r.value,
        r.valueBytes < 0 ? null : r.valueBytes,
        r.valueTruncated,
        r.headers.length > 0 ? JSON.stringify(Object.fromEntries(r.headers)) : null,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return rows.join('\r\n') + '\r\n';
}

export interface ExportMeta {
  topic: string;
  /** The virtual time the records were read at. */
  readAt: number;
}

/** The records as a JSON document: the topic, when read, and each record (values as text). */
export function toJsonExport(records: readonly BrowsedRecord[], meta: ExportMeta): string {
  return (
    JSON.stringify(
      {
        topic: meta.topic,
        readAtMs: meta.readAt,
        records: records.map((r) => ({
          partition: r.partition,
          offset: r.offset,
          timestamp: r.timestamp,
          key: r.key,
          value: r.value,
          ...(r.valueTruncated ? { valueTruncated: true, valueBytes: r.valueBytes } : {}),
          headers: Object.fromEntries(r.headers),
        })),
      },
      null,
      2,
    ) + '\n'
  );
}

/** Starts a file download of text (the browser's Save). */
export function download(filename: string, text: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A file name from a topic name (Kafka allows only [a-zA-Z0-9._-], but a deleted/odd name must not escape). */
export function exportName(topic: string, ext: 'csv' | 'json'): string {
  return `${topic.replace(/[^a-zA-Z0-9._-]/g, '_') || 'topic'}-messages.${ext}`;
}

/**
 * A virtual time typed by hand: "12500" (ms), "12.5 s" / "12.5s", or "1:05.250" (m:ss as
 * the clock shows it). Null when it is none of these.
 */
export function parseTimeInput(text: string): number | null {
  const t = text.trim();
  let m: RegExpMatchArray | null;
  if ((m = t.match(/^(\d+)\s*(ms)?$/))) return Number(m[1]);
  if ((m = t.match(/^(\d+(?:\.\d+)?)\s*s$/))) return Math.round(Number(m[1]) * 1000);
  if ((m = t.match(/^(\d+):(\d{1,2}(?:\.\d+)?)$/)) && Number(m[2]) < 60) return Math.round(Number(m[1]) * 60_000 + Number(m[2]) * 1000);
  return null;
}

/** "name" or "name=text" (the first = splits); null when empty. */
export function parseHeaderFilter(text: string): { key: string; value?: string } | null {
  if (text.trim() === '') return null;
  const i = text.indexOf('=');
  if (i < 0) return { key: text.trim() };
  return { key: text.slice(0, i).trim(), value: text.slice(i + 1) };
}
