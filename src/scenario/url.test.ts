/**
 * The share-URL codec: round trip, and every way an untrusted link can be wrong (tampered,
 * truncated, a zip bomb past the limit, an unknown version, not a scenario at all).
 */
import { describe, expect, it } from 'vitest';
import { defaultScenario } from './default-scenario';
import specExample from './fixtures/spec-example.json';
import { restoreScenarioOrThrow } from './restore';
import type { Scenario } from './types';
import {
  decodeScenarioFragment,
  encodeScenarioToFragment,
  fromBase64Url,
  MAX_SCENARIO_BYTES,
  momentParams,
  parseLinkMoment,
  parseSelect,
  scenarioParam,
  shareUrl,
  toBase64Url,
} from './url';

const example: Scenario = restoreScenarioOrThrow(specExample);

/** deflate-raw + base64url of arbitrary text, to build hostile links. */
async function fragmentOfText(text: string): Promise<string> {
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode(text));
      c.close();
    },
  }).pipeThrough(new CompressionStream('deflate-raw') as unknown as TransformStream<Uint8Array, Uint8Array>);
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  return `scenario=${toBase64Url(bytes)}`;
}

async function errorOf(fragment: string): Promise<string> {
  const r = await decodeScenarioFragment(fragment);
  if (r.ok) throw new Error('expected the link to be refused');
  expect(r.error.message).not.toMatch(/\n/);
  return r.error.message;
}

describe('share URL codec', () => {
  it('round-trips the spec example and the default scenario, with or without "#"', async () => {
    for (const s of [example, defaultScenario]) {
      const fragment = await encodeScenarioToFragment(s);
      expect(fragment).toMatch(/^scenario=[A-Za-z0-9_-]+$/); // base64url, no padding
      const back = await decodeScenarioFragment(fragment);
      expect(back.ok).toBe(true);
      if (back.ok) expect(back.scenario).toEqual(restoreScenarioOrThrow(s));
      const withHash = await decodeScenarioFragment(`#${fragment}`);
      expect(withHash).toEqual(back);
    }
  });

  it('encodes deterministically, and compresses', async () => {
    const a = await encodeScenarioToFragment(example);
    expect(await encodeScenarioToFragment(example)).toBe(a);
    expect(a.length).toBeLessThan(JSON.stringify(example).length);
  });

  it('keeps non-ASCII text intact', async () => {
    const s = { ...example, name: 'Zürich → 東京 🚀', description: '**ünïcödé** markdown' };
    const r = await decodeScenarioFragment(await encodeScenarioToFragment(s));
    expect(r.ok && r.scenario.name).toBe('Zürich → 東京 🚀');
  });

  it('shareUrl replaces any existing fragment', async () => {
    const url = await shareUrl('https://play.example/app/?x=1#scenario=old', example);
    expect(url.startsWith('https://play.example/app/?x=1#scenario=')).toBe(true);
    expect(url).not.toContain('old');
    const r = await decodeScenarioFragment(new URL(url).hash);
    expect(r.ok).toBe(true);
  });

  it('finds the scenario among other fragment parameters', () => {
    expect(scenarioParam('#a=1&scenario=abc&b=2')).toBe('abc');
    expect(scenarioParam('#nothing')).toBeNull();
  });

  it('a link without a scenario', async () => {
    expect(await errorOf('')).toMatch(/has no scenario in it/);
    expect(await errorOf('#view=1')).toMatch(/has no scenario in it/);
    expect(await errorOf('#scenario=')).toMatch(/has no scenario in it/);
  });

  it('bad base64url', async () => {
    expect(await errorOf('#scenario=abc$def')).toMatch(/^This link is broken \(its data has a character that cannot be in it at position 4\)/);
    expect(await errorOf('#scenario=abcde')).toMatch(/^This link is broken \(its data has an impossible length\)/);
  });

  it('a tampered link', async () => {
    const fragment = await encodeScenarioToFragment(example);
    const data = fragment.slice('scenario='.length);
    // Flip characters in the middle of the deflate stream: it no longer unpacks to a scenario.
    const mid = Math.floor(data.length / 2);
    const tampered = data.slice(0, mid) + (data[mid] === 'A' ? 'B' : 'A') + (data[mid + 1] === 'z' ? 'y' : 'z') + data.slice(mid + 2);
    const message = await errorOf(`scenario=${tampered}`);
    expect(message).toMatch(/^This link is broken \(its data does not unpack( to text| to JSON)?\)/);
    // A link of random-looking data is not a deflate stream at all.
    expect(await errorOf(`scenario=${'_w'.repeat(40)}`)).toMatch(/^This link is broken/);
  });

  it('a truncated link, cut anywhere', async () => {
    const fragment = await encodeScenarioToFragment(example);
    for (const keep of [0.9, 0.5, 0.2]) {
      const cut = fragment.slice(0, 'scenario='.length + Math.floor((fragment.length - 9) * keep));
      expect(await errorOf(cut)).toMatch(/^This link is broken \(/);
    }
    // Losing only the last characters still breaks the stream (or the base64 tail).
    for (let drop = 1; drop <= 4; drop++) expect(await errorOf(fragment.slice(0, -drop))).toMatch(/^This link is broken \(/);
  });

  it('a zip bomb stops at the size limit', async () => {
    // 3 MB of one character compresses to a few KB.
    const bomb = await fragmentOfText(`{"version":1,"name":"${'a'.repeat(3 * 1024 * 1024)}"}`);
    expect(bomb.length).toBeLessThan(10000);
    expect(await errorOf(bomb)).toBe(
      'This scenario is too large: it unpacks to more than 2 MB, the most the playground opens.',
    );
    expect(MAX_SCENARIO_BYTES).toBe(2 * 1024 * 1024);
  });

  it('a link whose compressed data alone passes the limit is refused before inflating', async () => {
    const r = await decodeScenarioFragment(`scenario=${'A'.repeat(2000)}`, 1000);
    expect(r).toMatchObject({ ok: false, error: { message: expect.stringMatching(/too large.*1000 bytes/) } });
  });

  it('a link of an unknown (newer) version', async () => {
    const message = await errorOf(await fragmentOfText(JSON.stringify({ ...example, version: 3 })));
    expect(message).toMatch(/^version: this scenario was made by a newer version of the playground \(scenario version 3/);
  });

  it('a link to something that is not JSON, or not a valid scenario', async () => {
    expect(await errorOf(await fragmentOfText('hello'))).toBe('This link is broken (its data does not unpack to JSON): it was probably cut off or changed when it was copied. Ask for the link again.');
    const bad = structuredClone(example) as Scenario;
    (bad.timeline![1] as unknown as Record<string, unknown>).op = 'explode';
    expect(await errorOf(await fragmentOfText(JSON.stringify(bad)))).toMatch(/^timeline\[1\]\.op: unknown op "explode"/);
  });
});

describe('base64url', () => {
  it('round-trips every length and byte', () => {
    const bytes = new Uint8Array(256).map((_, i) => i);
    for (let n = 0; n <= 10; n++) {
      const slice = bytes.subarray(250 - n, 256);
      const text = toBase64Url(slice);
      expect(text).not.toMatch(/[=+/]/);
      expect(fromBase64Url(text)).toEqual({ ok: true, bytes: slice });
    }
  });

  it('matches the RFC 4648 test vectors (url alphabet, no padding)', () => {
    const enc = (s: string) => toBase64Url(new TextEncoder().encode(s));
    expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map(enc)).toEqual(['', 'Zg', 'Zm8', 'Zm9v', 'Zm9vYg', 'Zm9vYmE', 'Zm9vYmFy']);
    expect(toBase64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
  });

  it('refuses non-canonical tails and foreign characters', () => {
    expect(fromBase64Url('Zh').ok).toBe(false); // "Zg" with a non-zero spare bit
    expect(fromBase64Url('Zm+v').ok).toBe(false);
    expect(fromBase64Url('Zm9v==').ok).toBe(true); // padding some tools add is tolerated
  });
});

describe('a link’s moment and selection (&t=, &select=)', () => {
  it('reads t and every kind of selection', () => {
    expect(parseLinkMoment('#scenario=abc&t=42300&select=partition:orders:1')).toEqual({ t: 42300, select: { kind: 'partition', topic: 'orders', partition: 1 }, notices: [] });
    expect(parseLinkMoment('scenario=abc&select=broker:2').select).toEqual({ kind: 'broker', id: 2 });
    expect(parseSelect('group:billing')).toEqual({ kind: 'group', id: 'billing' });
    expect(parseSelect('consumer:c1')).toEqual({ kind: 'consumer', id: 'c1' });
    expect(parseSelect('producer:p1')).toEqual({ kind: 'producer', id: 'p1' });
    expect(parseSelect('topic:orders')).toEqual({ kind: 'topic', name: 'orders' });
    expect(parseLinkMoment('#scenario=abc')).toEqual({ t: null, select: null, notices: [] });
  });

  it('round-trips through momentParams', () => {
    for (const select of [
      { kind: 'broker', id: 3 },
      { kind: 'partition', topic: 'a.b-c_d', partition: 12 },
      { kind: 'group', id: 'g-1' },
    ] as const) {
      expect(parseLinkMoment(`#scenario=x${momentParams(1234, select)}`)).toEqual({ t: 1234, select, notices: [] });
    }
    expect(momentParams(null, null)).toBe('');
  });

  it('drops bad values with a notice naming them, never throws', () => {
    for (const bad of ['-5', '1e3', '12.5', 'abc', '', '99999999999999', '%E0%A4%A']) {
      const m = parseLinkMoment(`#scenario=x&t=${bad}`);
      expect(m.t, bad).toBeNull();
      expect(m.notices, bad).toHaveLength(1);
    }
    expect(parseLinkMoment('#scenario=x&t=86400001').notices[0]).toMatch(/past 24 hours/);
    for (const bad of ['broker:x', 'broker:', 'partition:orders', 'partition::1', 'partition:orders:-1', 'ghost:1', 'nothing', '%E0%A4%A', 'group:a b', 'topic:' + 'x'.repeat(300)]) {
      const m = parseLinkMoment(`#scenario=x&select=${bad}`);
      expect(m.select, bad).toBeNull();
      expect(m.notices[0], bad).toMatch(/not something the playground can select/);
    }
  });
});
