/**
 * Issue 8's document-side defects, each reproduced first: deep nesting at the door,
 * prototype-named config keys, raw characters in a JSON syntax error, and the playground's
 * limits on work (brokers, partitions, load rate, time), through restoreScenario and the
 * headless runner (exit 2, one line naming the field, no stack).
 */
import { describe, expect, it } from 'vitest';
import { OUTPUT_TOO_LARGE, runScenario, type ClusterFactory, type RunResult } from '../cli/runner';
import { LIMITS } from '../kafka/limits';
import spec from './fixtures/spec-example.json';
import { parseJsonText } from './json';
import { restoreScenario, tooDeepAt } from './restore';

type Doc = Record<string, any>;
const doc = (mutate: (d: Doc) => void = () => {}): Doc => {
  const d = structuredClone(spec) as Doc;
  mutate(d);
  return d;
};

function errorOf(input: unknown): string {
  const r = restoreScenario(input);
  if (r.ok) throw new Error('expected the document to be refused');
  return r.error.message;
}

function expectBadInput(r: RunResult, pattern: RegExp): void {
  expect(r.exitCode).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\bat .*:\d+/);
  expect(r.stderr).toMatch(pattern);
}

/** `{"a":{"a":...1...}}` nested `depth` levels, as text (JSON.parse builds it without recursion). */
function nestedText(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

describe('nesting depth is limited at the door', () => {
  it('5,000 levels in an unknown field: a named error, not a stack overflow', async () => {
    const text = JSON.stringify(doc()).replace('"seed":42', `"seed":42,"extra":${nestedText(5000)}`);
    const parsed = parseJsonText(text);
    expect(parsed.ok).toBe(true);
    const message = errorOf(parsed.ok ? parsed.value : null);
    expect(message).toMatch(/^This scenario nests too deeply: extra\.a\.a\.a\.a\.a… is more than 64 levels/);
    const r = await runScenario(text, ['deep.json']);
    expectBadInput(r, /^deep\.json: This scenario nests too deeply/);
  });

  it('the same depth inside an array, and an older version (structuredClone before migration)', () => {
    const arr = JSON.parse(`{"version":0,"x":${'['.repeat(3000)}${']'.repeat(3000)}}`);
    expect(errorOf(arr)).toMatch(/nests too deeply: x\[0\]\[0\]\[0\]\[0\]\[0\]… is more than 64 levels/);
  });

  it('depth up to the limit is fine, one more is not; cycles terminate', () => {
    expect(tooDeepAt(JSON.parse(nestedText(LIMITS.depth)), LIMITS.depth)).toBeNull();
    expect(tooDeepAt(JSON.parse(nestedText(LIMITS.depth + 1)), LIMITS.depth)).toBe('a.a.a.a.a.a…');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(tooDeepAt(cyclic, LIMITS.depth)).toBeNull();
    expect(restoreScenario(doc()).ok).toBe(true);
  });
});

describe('config keys named like Object.prototype members are unknown keys, kept', () => {
  for (const key of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', 'isPrototypeOf']) {
    it(`"${key}" in every config map`, () => {
      // Written as text: an object literal would set the prototype for "__proto__".
      const text = JSON.stringify(doc())
        .replace('"config":{"unclean', `"config":{"${key}":1,"unclean`)
        .replace('"config":{"min.insync', `"config":{"${key}":"x","min.insync`)
        .replace('"config":{"acks"', `"config":{"${key}":true,"acks"`)
        .replace('"config":{"auto.offset', `"config":{"${key}":null,"auto.offset`);
      const r = restoreScenario(JSON.parse(text));
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const s = r.scenario;
      expect(Object.hasOwn(s.cluster.config!, key)).toBe(true);
      expect(Object.hasOwn(s.topics[0]!.config!, key)).toBe(true);
      expect(Object.hasOwn(s.clients[0]!.config!, key)).toBe(true);
      expect(Object.hasOwn(s.clients[1]!.config!, key)).toBe(true);
      expect(s.cluster.config![key]).toBe(1);
      expect(Object.getPrototypeOf(s.cluster.config)).toBe(Object.prototype);
      // Round trip: the key survives serialisation.
      expect(JSON.stringify(s)).toContain(`"${key}":1`);
    });
  }

  it('the runner reports each as ConfigIgnored, as Kafka logs an unknown config', async () => {
    const text = JSON.stringify(doc()).replace('"config":{"acks"', '"config":{"constructor":1,"__proto__":2,"acks"');
    const r = await runScenario(text, ['p.json', '--until', '100']);
    expect(r.exitCode).toBe(0);
    const events = (JSON.parse(r.stdout) as { events: { type: string; key?: string; name?: string }[] }).events;
    const ignored = events.filter((e) => e.type === 'ConfigIgnored' && e.name === 'checkout').map((e) => e.key);
    expect(ignored).toEqual(['constructor', '__proto__']);
  });
});

describe('a JSON syntax error shows the offending character quoted', () => {
  it('a NUL byte is written as its code point, never raw', async () => {
    const text = '{"version": 1,\u0000}';
    const parsed = parseJsonText(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.message).toContain('the character U+0000');
    expect(parsed.error.message).not.toContain('\u0000');
    const r = await runScenario(text, ['nul.json']);
    expectBadInput(r, /U\+0000/);
    expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  it('control, format and separator characters too; printable ones stay readable', () => {
    for (const [ch, shown] of [
      ['\u0007', 'U+0007'],
      ['\u202e', 'U+202E'],
      ['\u2028', 'U+2028'],
      ['\ud800', 'U+D800'],
      ['\u00a0', 'U+00A0'],
    ] as const) {
      const r = parseJsonText(`{"a":1 ${ch}}`);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.message).toContain(shown);
        expect(r.error.message).not.toContain(ch);
      }
    }
    const r = parseJsonText('{"a":1 é}');
    expect(!r.ok && r.error.message).toContain('column 8: "é" where "," or "}" was expected');
  });

  it('a field error quotes a hostile string value with invisible characters escaped', () => {
    const message = errorOf(doc((d) => (d.cluster.brokers[0].rack = 7)));
    expect(message).toBe('cluster.brokers[0].rack: expected a rack name (a string) or null, got 7');
    const bidi = errorOf(doc((d) => (d.seed = 'a\u202eb\u0000')));
    expect(bidi).toContain('"a\\u202eb\\u0000"');
  });
});

describe('limits on work from a small document', () => {
  it('brokers', () => {
    const brokers = Array.from({ length: LIMITS.brokers + 1 }, (_, i) => ({ id: i + 1 }));
    expect(errorOf(doc((d) => (d.cluster.brokers = brokers)))).toBe(
      `cluster.brokers: at most ${LIMITS.brokers} brokers (the playground's limit), got ${LIMITS.brokers + 1}`,
    );
    expect(restoreScenario(doc((d) => (d.cluster.brokers = brokers.slice(0, LIMITS.brokers)))).ok).toBe(true);
  });

  it('partitions over all topics, and replicas', () => {
    const topics = (n: number, partitions: number, rf: number) =>
      Array.from({ length: n }, (_, i) => ({ name: `t${i}`, partitions, replicationFactor: rf }));
    expect(errorOf(doc((d) => (d.topics = topics(3, 1000, 1))))).toBe(
      `topics[2].partitions: the topics have 3000 partitions in all so far, more than the playground's limit of ${LIMITS.totalPartitions}`,
    );
    expect(errorOf(doc((d) => (d.topics = topics(2, 1000, 4))))).toMatch(
      /^topics\[1\]\.replicationFactor: the topics have 8000 partition replicas .* limit of 6000$/,
    );
    expect(restoreScenario(doc((d) => (d.topics = topics(2, 1000, 3)))).ok).toBe(true);
    // One topic's partitions (and the partition index) keep their own limit.
    expect(errorOf(doc((d) => (d.topics[0].partitions = 1001)))).toMatch(/^topics\[0\]\.partitions: expected a partition count from 1 to 1000, got 1001$/);
  });

  it('a load generator: records per second, value size, and their product', () => {
    const load = (ratePerSec: number, valueBytes: number) =>
      doc((d) => (d.timeline = [{ at: 0, op: 'startLoad', producer: 'checkout', topic: 'orders', ratePerSec, valueBytes }]));
    expect(errorOf(load(1000, 1048576))).toBe(
      "timeline[0].ratePerSec: ratePerSec x valueBytes is 1000 MB/s (1000 records/s of 1048576 bytes), more than the playground's limit of 2 MB/s: lower ratePerSec or valueBytes",
    );
    expect(errorOf(load(200_000, 10))).toMatch(/^timeline\[0\]\.ratePerSec: expected records per second \(a number > 0, at most 100000\), got 200000$/);
    expect(errorOf(load(1, 2_000_000))).toMatch(/^timeline\[0\]\.valueBytes: expected a value size in bytes from 0 to 1048576, got 2000000$/);
    expect(restoreScenario(load(1, 1048576)).ok).toBe(true);
    expect(restoreScenario(load(100_000, 10)).ok).toBe(true);
    expect(errorOf(load(100_000, 100))).toMatch(/is 9\.5 MB\/s \(100000 records\/s of 100 bytes\)/);
  });

  it('virtual time: an action\'s at, a delay, and the runner\'s --until', async () => {
    expect(errorOf(doc((d) => (d.timeline[0].at = 1e15)))).toBe('timeline[0].at: expected a time in ms (a number from 0 to 86400000, 24 h), got 1000000000000000');
    expect(errorOf(doc((d) => d.timeline.push({ at: 0, op: 'slowBroker', broker: 1, delayMs: 1e12 })))).toMatch(/^timeline\[\d\]\.delayMs: expected a duration in ms/);
    const r = await runScenario(JSON.stringify(doc()), ['s.json', '--until', '100000000000']);
    expectBadInput(r, /^--until: at most 86400000 ms \(24 h\) of virtual time, got 100000000000\n$/);
  });

  it('clients and timeline length', () => {
    const clients = Array.from({ length: LIMITS.clients + 1 }, (_, i) => ({ kind: 'producer', id: `p${i}` }));
    expect(errorOf(doc((d) => (d.clients = clients)))).toBe(`clients: at most ${LIMITS.clients} clients (the playground's limit), got ${LIMITS.clients + 1}`);
  });
});

describe('a result too large to print', () => {
  it('is one line of bad input, not an internal error', async () => {
    // JSON.stringify of a result past V8's string limit throws RangeError: Invalid string length.
    const huge = async (): Promise<ClusterFactory> => () => ({
      runUntil: () => {},
      output: () => ({ toJSON: () => { throw new RangeError('Invalid string length'); } }) as never,
    });
    const r = await runScenario(JSON.stringify(doc()), ['big.json'], { loadCluster: huge });
    expectBadInput(r, new RegExp(`^big\\.json: ${OUTPUT_TOO_LARGE.replace(/[()~.]/g, '\\$&')}`));
  });
});
