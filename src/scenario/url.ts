/**
 * The share URL (scenario.md, "The share URL"): the app's address with
 *   #scenario=<base64url, no padding, of the raw-DEFLATE of the UTF-8 JSON>
 * in its fragment, which never reaches a server.
 *
 * A link is untrusted input. Decoding never throws and always ends in restoreScenario:
 * bad base64url, a truncated or tampered deflate stream, bytes that are not UTF-8, text
 * that is not JSON, an unknown version, each gives one clear line. Inflation is streamed
 * and cancelled as soon as it passes MAX_SCENARIO_BYTES, so a zip bomb (a few KB that
 * unpack to gigabytes) costs at most that much memory.
 *
 * Browser and Node alike: CompressionStream/DecompressionStream("deflate-raw"),
 * TextEncoder/TextDecoder and ReadableStream are globals in both; no Node built-ins here.
 * Raw DEFLATE has no checksum, so a tampered link that still inflates to a valid document
 * opens as that document: it is then simply a different scenario, validated like any other.
 */
import { linkBroken, linkMissingScenario, tooLarge } from './messages';
import { parseJsonText } from './json';
import { restoreScenario, type RestoredScenario } from './restore';
import type { ScenarioError } from './schema';
import type { Scenario } from './types';

/** The most a link may unpack to. Changing it changes which links open: keep it generous. */
export const MAX_SCENARIO_BYTES = 2 * 1024 * 1024;

export const FRAGMENT_KEY = 'scenario';

export type DecodeResult = { ok: true; scenario: RestoredScenario; migratedFrom?: number } | { ok: false; error: ScenarioError };

// ---- base64url (RFC 4648 §5), strict, without padding ---------------------------------------

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/** Bytes, or the reason the text is not canonical base64url (so a cut link is caught early). */
export function fromBase64Url(text: string): { ok: true; bytes: Uint8Array } | { ok: false; reason: string } {
  // Tolerate padding some tools append, nothing else.
  const s = text.replace(/=+$/, '');
  if (s.length % 4 === 1) return { ok: false, reason: 'its data has an impossible length' };
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? LOOKUP[c]! : -1;
    if (v < 0) return { ok: false, reason: `its data has a character that cannot be in it at position ${i + 1}` };
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  // Canonical encoders leave the spare low bits zero; non-zero ones mean the tail was altered.
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) return { ok: false, reason: 'its data ends in a way no encoder writes' };
  return { ok: true, bytes: out };
}

// ---- streams ------------------------------------------------------------------------------

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** TS's DOM lib types the transform's ends loosely (BufferSource); our chunks are Uint8Arrays. */
function transform(format: 'compress' | 'decompress'): TransformStream<Uint8Array, Uint8Array> {
  const t = format === 'compress' ? new CompressionStream('deflate-raw') : new DecompressionStream('deflate-raw');
  return t as unknown as TransformStream<Uint8Array, Uint8Array>;
}

type Collected = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'too-large' } | { ok: false; reason: 'stream-error'; detail: string };

/** Reads a stream to the end, cancelling it as soon as it passes `limit` bytes. Never throws. */
async function collect(stream: ReadableStream<Uint8Array>, limit: number): Promise<Collected> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, reason: 'too-large' };
      }
      chunks.push(value);
    }
  } catch (e) {
    return { ok: false, reason: 'stream-error', detail: e instanceof Error ? e.message : String(e) };
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return { ok: true, bytes };
}

// ---- the codec ----------------------------------------------------------------------------

/** `scenario=<base64url(deflate-raw(utf8 JSON))>`, without the leading '#'. */
export async function encodeScenarioToFragment(s: Scenario): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(s));
  const deflated = await collect(streamOf(json).pipeThrough(transform('compress')), Number.MAX_SAFE_INTEGER);
  // Compressing bytes we made cannot fail short of running out of memory.
  if (!deflated.ok) throw new Error(`could not compress the scenario (${deflated.reason})`);
  return `${FRAGMENT_KEY}=${toBase64Url(deflated.bytes)}`;
}

/** `base` with its fragment (if any) replaced by the scenario's. */
export async function shareUrl(base: string, s: Scenario): Promise<string> {
  const hash = base.indexOf('#');
  return `${hash >= 0 ? base.slice(0, hash) : base}#${await encodeScenarioToFragment(s)}`;
}

/** The `scenario` parameter of a fragment (`#scenario=...`, `scenario=...`, `#a=1&scenario=...`), or null. */
export function scenarioParam(fragment: string): string | null {
  const body = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  for (const part of body.split('&')) {
    const eq = part.indexOf('=');
    if (eq >= 0 && part.slice(0, eq) === FRAGMENT_KEY) return part.slice(eq + 1);
  }
  return null;
}

function failure(message: string): { ok: false; error: ScenarioError } {
  return { ok: false, error: { path: '', message } };
}

/**
 * A fragment to a restored scenario, or one line saying why not. Accepts it with or without
 * the leading '#'. Never throws.
 */
export async function decodeScenarioFragment(fragment: string, limit: number = MAX_SCENARIO_BYTES): Promise<DecodeResult> {
  const data = scenarioParam(fragment);
  if (data === null || data === '') return failure(linkMissingScenario());
  // Base64 is 4/3 the size of its bytes, and deflate never shrinks below ~1/1032: a link
  // whose compressed bytes alone pass the limit is refused before any work.
  if (data.length > Math.ceil((limit * 4) / 3) + 4) return failure(tooLarge(limit));
  const decoded = fromBase64Url(data);
  if (!decoded.ok) return failure(linkBroken(decoded.reason));

  const inflated = await collect(streamOf(decoded.bytes).pipeThrough(transform('decompress')), limit);
  if (!inflated.ok) {
    return inflated.reason === 'too-large' ? failure(tooLarge(limit)) : failure(linkBroken('its data does not unpack'));
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(inflated.bytes);
  } catch {
    return failure(linkBroken('its data does not unpack to text'));
  }
  const json = parseJsonText(text);
  if (!json.ok) return failure(linkBroken('its data does not unpack to JSON'));
  return restoreScenario(json.value);
}

// ---- the moment and the selection a link opens at (scenario.md, "The share URL") -----------

/** What a link may select: `broker:2`, `partition:orders:1`, `topic:orders`, `group:billing`, `consumer:c1`, `producer:p1`. */
export type LinkSelection =
  | { kind: 'broker'; id: number }
  | { kind: 'partition'; topic: string; partition: number }
  | { kind: 'topic'; name: string }
  | { kind: 'group'; id: string }
  | { kind: 'consumer'; id: string }
  | { kind: 'producer'; id: string };

/** The latest moment a link may open at: a day of virtual time (a longer replay is no link anyone waits for). */
export const MAX_LINK_TIME_MS = 24 * 60 * 60 * 1000;

export interface LinkMoment {
  /** Virtual ms to open paused at, or null: play from 0. */
  t: number | null;
  select: LinkSelection | null;
  /** One line per parameter that was there but could not be used (the link still opens). */
  notices: string[];
}

function param(fragment: string, key: string): string | null {
  const body = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  for (const part of body.split('&')) {
    const eq = part.indexOf('=');
    if (eq >= 0 && part.slice(0, eq) === key) return part.slice(eq + 1);
  }
  return null;
}

function decodePart(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** A name as Kafka allows it for topics, groups and client ids (no separators, printable). */
const NAME = /^[A-Za-z0-9._\-]{1,249}$/;

/** `select=` to a selection, or null when it is not one this version knows. Strict, never throws. */
export function parseSelect(text: string): LinkSelection | null {
  const raw = decodePart(text);
  if (raw === null) return null;
  const colon = raw.indexOf(':');
  if (colon < 0) return null;
  const kind = raw.slice(0, colon);
  const rest = raw.slice(colon + 1);
  switch (kind) {
    case 'broker':
      return /^\d{1,9}$/.test(rest) ? { kind: 'broker', id: Number(rest) } : null;
    case 'partition': {
      const last = rest.lastIndexOf(':');
      const topic = rest.slice(0, last);
      const partition = rest.slice(last + 1);
      return last > 0 && NAME.test(topic) && /^\d{1,6}$/.test(partition) ? { kind: 'partition', topic, partition: Number(partition) } : null;
    }
    case 'topic':
      return NAME.test(rest) ? { kind: 'topic', name: rest } : null;
    case 'group':
    case 'consumer':
    case 'producer':
      return NAME.test(rest) ? { kind, id: rest } : null;
    default:
      return null;
  }
}

export function selectParam(s: LinkSelection): string {
  switch (s.kind) {
    case 'broker':
      return `broker:${s.id}`;
    case 'partition':
      return `partition:${encodeURIComponent(s.topic)}:${s.partition}`;
    case 'topic':
      return `topic:${encodeURIComponent(s.name)}`;
    default:
      return `${s.kind}:${encodeURIComponent(s.id)}`;
  }
}

/**
 * The `t` and `select` parameters of a link's fragment. Bad values are dropped with a
 * notice naming them; the link itself still opens (from 0, or without a selection).
 */
export function parseLinkMoment(fragment: string): LinkMoment {
  const notices: string[] = [];
  let t: number | null = null;
  let select: LinkSelection | null = null;
  const rawT = param(fragment, 't');
  if (rawT !== null) {
    if (!/^\d{1,12}$/.test(rawT)) notices.push(`The link's moment “t=${rawT.slice(0, 40)}” is not a time in milliseconds; it opens at the start instead.`);
    else if (Number(rawT) > MAX_LINK_TIME_MS) notices.push(`The link's moment t=${rawT} is past 24 hours of virtual time; it opens at the start instead.`);
    else t = Number(rawT);
  }
  const rawSelect = param(fragment, 'select');
  if (rawSelect !== null) {
    select = parseSelect(rawSelect);
    if (!select) notices.push(`The link selects “${rawSelect.slice(0, 60)}”, which is not something the playground can select; nothing is selected.`);
  }
  return { t, select, notices };
}

/** The fragment parameters after `scenario=…` for a moment and a selection. */
export function momentParams(t: number | null, select: LinkSelection | null): string {
  let out = '';
  if (t !== null && Number.isFinite(t) && t >= 0) out += `&t=${Math.floor(t)}`;
  if (select) out += `&select=${selectParam(select)}`;
  return out;
}
