/**
 * The share URL (scenario.md, "The share URL"): `#scenario=` + base64url (no padding) of
 * the raw-DEFLATE of the UTF-8 JSON. A link is untrusted: decoding streams the inflation
 * and stops past MAX_SCENARIO_BYTES, and any damage gives a ScenarioError that says so.
 * Uses CompressionStream / DecompressionStream, global in browsers and Node ≥ 18.
 */
import { messages } from './messages';
import { ScenarioError, restoreScenario } from './restore';
import type { Scenario } from './types';

export const MAX_SCENARIO_BYTES = 2 * 1024 * 1024;
const PREFIX = 'scenario=';

function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new ScenarioError(messages.linkBadEncoding());
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    throw new ScenarioError(messages.linkBadEncoding());
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function pump(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new ScenarioError(messages.tooLarge(limit));
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** `scenario=<base64url>` for a document (no leading '#'). */
export async function encodeScenarioToFragment(s: Scenario): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(s));
  const deflated = await pump(streamOf(json).pipeThrough(new CompressionStream('deflate-raw') as unknown as TransformStream<Uint8Array, Uint8Array>), Number.MAX_SAFE_INTEGER);
  return PREFIX + toBase64Url(deflated);
}

export async function shareUrl(base: string, s: Scenario): Promise<string> {
  const u = base.replace(/#.*$/, '');
  return `${u}#${await encodeScenarioToFragment(s)}`;
}

/** The JSON value a fragment carries (not yet validated). Throws ScenarioError. */
export async function decodeScenarioFragment(fragment: string, limit = MAX_SCENARIO_BYTES): Promise<unknown> {
  const f = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  if (!f.startsWith(PREFIX)) throw new ScenarioError(messages.linkNotScenario());
  const bytes = fromBase64Url(f.slice(PREFIX.length));
  let json: Uint8Array;
  try {
    json = await pump(streamOf(bytes).pipeThrough(new DecompressionStream('deflate-raw') as unknown as TransformStream<Uint8Array, Uint8Array>), limit);
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError(messages.linkBadCompression());
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch {
    throw new ScenarioError(messages.notUtf8());
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ScenarioError(messages.notJson(e instanceof Error ? e.message : String(e)));
  }
}

/** Decode and restore in one step. */
export async function scenarioFromFragment(fragment: string): Promise<Scenario> {
  return restoreScenario(await decodeScenarioFragment(fragment));
}
