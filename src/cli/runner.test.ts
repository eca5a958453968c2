/**
 * The headless runner without spawning a process: argument parsing, bad input (exit 2 and
 * exactly one line, no stack frames), internal errors (exit 1), and, with the real cluster,
 * the output's shape and byte-for-byte determinism on the spec's example.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunnerOutput } from '../kafka/snapshot';
import { defaultUntilMs, parseArgs, parseUntil, runCli, runScenario, USAGE, type ClusterFactory, type RunResult } from './runner';

const specPath = fileURLToPath(new URL('../scenario/fixtures/spec-example.json', import.meta.url));
const specText = readFileSync(specPath, 'utf8');

/** A stand-in cluster that records what it was asked to do. */
function fakeCluster(calls: { untilMs?: number } = {}): () => Promise<ClusterFactory> {
  return async () => (scenario) => ({
    runUntil: (ms: number) => {
      calls.untilMs = ms;
    },
    output: (): RunnerOutput => ({
      time: calls.untilMs ?? 0,
      brokers: scenario.cluster.brokers.map((b) => ({ id: b.id, rack: b.rack ?? null, status: 'up' as const, metadataOffset: 0 })),
      controller: 1,
      quorum: { leaderId: 1, epoch: 1, voters: [1], highWatermark: 0, logEndOffset: 0, nodes: [] },
      partitions: [],
      groups: [],
      produced: [],
      consumed: [],
      events: [],
    }),
  });
}

/** Bad input must never reach the cluster. */
const noCluster = async (): Promise<ClusterFactory> => {
  throw new Error('the cluster must not be loaded for bad input');
};

function expectBadInput(r: RunResult, pattern: RegExp): void {
  expect(r.exitCode).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n')).toBe(true);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\bat .*:\d+/); // no stack frames
  expect(r.stderr).toMatch(pattern);
}

/** The spec example with one field broken (`any`: a different one per test). */
function withTimeline(mutate: (doc: Record<string, any>) => void): string {
  const doc = JSON.parse(specText) as Record<string, any>;
  mutate(doc);
  return JSON.stringify(doc, null, 2);
}

describe('--until', () => {
  it('parses whole milliseconds', () => {
    expect(parseUntil('0')).toEqual({ ok: true, value: 0 });
    expect(parseUntil('10000')).toEqual({ ok: true, value: 10000 });
    for (const bad of ['', '-1', '1.5', '1e3', 'ten', '10ms', ' 5', '99999999999999999999']) {
      const r = parseUntil(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.message).toBe(`--until: expected a whole number of milliseconds (>= 0), got ${JSON.stringify(bad)}`);
    }
  });

  it('in both forms, once', () => {
    expect(parseArgs(['f.json', '--until', '500'])).toEqual({ ok: true, value: { help: false, file: 'f.json', untilMs: 500 } });
    expect(parseArgs(['--until=500', 'f.json'])).toEqual({ ok: true, value: { help: false, file: 'f.json', untilMs: 500 } });
    expect(parseArgs(['f.json'])).toEqual({ ok: true, value: { help: false, file: 'f.json', untilMs: null } });
    expect(parseArgs(['f.json', '--until'])).toMatchObject({ ok: false, message: expect.stringMatching(/^--until: missing/) });
    expect(parseArgs(['f.json', '--until', '1', '--until', '2'])).toMatchObject({ ok: false, message: expect.stringMatching(/given twice/) });
    expect(parseArgs(['--', '--odd-name.json'])).toEqual({ ok: true, value: { help: false, file: '--odd-name.json', untilMs: null } });
  });

  it('defaults to the last action plus 30000 ms', async () => {
    const calls: { untilMs?: number } = {};
    const r = await runScenario(specText, ['spec.json'], { loadCluster: fakeCluster(calls) });
    expect(r.exitCode).toBe(0);
    expect(calls.untilMs).toBe(6000 + 30000);
    expect(defaultUntilMs({ version: 1, seed: 1, cluster: { brokers: [] } })).toBe(30000);
    // The last action by time, not by position in the file.
    expect(defaultUntilMs({ version: 1, seed: 1, cluster: { brokers: [] }, timeline: [{ at: 900, op: 'killBroker', broker: 1 }, { at: 5, op: 'healBroker', broker: 1 }] })).toBe(30900);
  });

  it('is passed through when given', async () => {
    const calls: { untilMs?: number } = {};
    await runScenario(specText, ['spec.json', '--until', '1234'], { loadCluster: fakeCluster(calls) });
    expect(calls.untilMs).toBe(1234);
  });

  it('--help prints the usage, documenting the default, and exits 0', async () => {
    const r = await runCli(['--help'], { readFile: () => '' });
    expect(r).toEqual({ exitCode: 0, stdout: USAGE, stderr: '' });
    expect(USAGE).toContain('plus 30000 ms');
  });
});

describe('bad input: exit 2 and one line naming the problem', () => {
  const run = (text: string, args: string[] = ['s.json']) => runScenario(text, args, { loadCluster: noCluster });

  it('a missing file, and no file at all', async () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'nope.json'"), { code: 'ENOENT' });
    const r = await runCli(['nope.json'], {
      readFile: () => {
        throw enoent;
      },
      loadCluster: noCluster,
    });
    expectBadInput(r, /^nope\.json: cannot read the file: no such file\n$/);
    expectBadInput(await runCli([], { readFile: () => '', loadCluster: noCluster }), /^missing FILE\.json/);
  });

  it('unreadable JSON, with line and column', async () => {
    expectBadInput(await run('{\n  "version": 1,\n  "seed": ,\n}'), /^s\.json: This is not a playground scenario: it is not valid JSON \(line 3, column 11: unexpected ","\)\.$/m);
    expectBadInput(await run(''), /line 1, column 1: unexpected end of input/);
  });

  it('an unknown op', async () => {
    const text = withTimeline((d) => {
      d.timeline[1].op = 'explode';
    });
    expectBadInput(await run(text), /^s\.json: timeline\[1\]\.op: unknown op "explode" \(expected one of createTopic, /);
  });

  it('a field of the wrong type', async () => {
    const text = withTimeline((d) => {
      d.timeline[2].broker = 'two';
    });
    expectBadInput(await run(text), /^s\.json: timeline\[2\]\.broker: expected a broker id \(an integer ≥ 1\), got "two"$/m);
  });

  it('a config value of the wrong type for its key', async () => {
    const text = withTimeline((d) => {
      d.topics[0].config = { 'retention.ms': 'a week' };
    });
    expectBadInput(
      await run(text),
      /^s\.json: topics\[0\]\.config\["retention\.ms"\]: Invalid value "a week" for configuration retention\.ms: expected a whole number$/m,
    );
  });

  it('a newer version, and no version', async () => {
    expectBadInput(await run(withTimeline((d) => (d.version = 2))), /^s\.json: version: this scenario was made by a newer version/);
    expectBadInput(await run(withTimeline((d) => delete d.version)), /^s\.json: version: missing/);
  });

  it('bad arguments', async () => {
    expectBadInput(await run(specText, ['s.json', '--until', 'soon']), /^--until: expected a whole number of milliseconds \(>= 0\), got "soon"$/m);
    expectBadInput(await run(specText, ['s.json', '--fast']), /^unknown option "--fast" \(see --help\)$/m);
    expectBadInput(await run(specText, ['a.json', 'b.json']), /^unexpected argument "b\.json"/);
  });
});

describe('internal errors: exit 1, one line unless DEBUG', () => {
  const crashing = async (): Promise<ClusterFactory> => () => ({
    runUntil: () => {
      throw new Error('invariant broken:\nsecond line');
    },
    output: () => {
      throw new Error('unreachable');
    },
  });

  it('without DEBUG: one line, no stack', async () => {
    const r = await runScenario(specText, ['s.json'], { loadCluster: crashing });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('internal error: invariant broken: second line (run with DEBUG=1 for the stack)\n');
  });

  it('with DEBUG: the stack follows', async () => {
    const r = await runScenario(specText, ['s.json'], { loadCluster: crashing, debug: true });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe('internal error: invariant broken: second line');
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('a cluster module that fails to load is an internal error too', async () => {
    const r = await runScenario(specText, ['s.json'], {
      loadCluster: async () => {
        throw new Error('Cannot find module');
      },
    });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('with the real cluster (kafka/cluster.ts)', () => {
  it("runs the spec's example: RunnerOutput's shape, byte-identical on a second run", async () => {
    const first = await runScenario(specText, [specPath, '--until', '10000']);
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    const out = JSON.parse(first.stdout) as RunnerOutput;
    expect(Object.keys(out)).toEqual(['time', 'brokers', 'controller', 'quorum', 'partitions', 'groups', 'produced', 'consumed', 'events']);
    // The default quorum: three controller-only voters, 3000 active in epoch 1, every broker at its committed offset.
    expect(out.quorum).toMatchObject({ leaderId: 3000, epoch: 1, voters: [3000, 3001, 3002] });
    expect(out.controller).toBe(3000);
    expect(out.brokers.filter((b) => b.status === 'up').every((b) => b.metadataOffset === out.quorum.highWatermark)).toBe(true);
    expect(out.time).toBe(10000);
    expect(out.brokers.map((b) => b.id)).toEqual([1, 2, 3]);
    expect(out.partitions.filter((p) => p.topic === 'orders')).toHaveLength(3);
    for (const p of out.partitions) {
      expect(p.replicas).toHaveLength(3);
      expect(Array.isArray(p.records)).toBe(true);
    }
    // The single keyed produce at t=0 was acknowledged with an offset.
    const paid = out.produced.find((r) => r.at === 0 && r.key === 'user-7');
    expect(paid).toMatchObject({ producer: 'checkout', topic: 'orders', error: null });
    expect(out.events.some((e) => e.type === 'BrokerDown' && e.broker === 2 && e.at === 2000)).toBe(true);
    expect(out.groups.map((g) => g.groupId)).toContain('billing');

    const second = await runScenario(specText, [specPath, '--until', '10000']);
    expect(second.stdout).toBe(first.stdout);
  }, 60000);
});
