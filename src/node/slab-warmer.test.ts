import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Cluster } from '../kafka/cluster';
import { batchBytes, LARGE_SLAB_SIZE, provideSlabs, slabCounts, SLAB_SIZE } from '../kafka/log/record-batch';
import { scaleScenario } from '../../bench/workload';
import { transformSync } from 'esbuild';
import { MessageChannel, Worker, type MessagePort as NodePort } from 'node:worker_threads';
import { SLAB_STREAMS, warmerOptions, warmSlabs } from '../worker/slab-warming';
import { startSlabWarmer, warmerProgram } from './slab-warmer';

afterEach(() => {
  provideSlabs(null);
  provideSlabs(null, LARGE_SLAB_SIZE);
});

/** Every log's offsets and bytes, every event: what a run is. */
function digest(c: Cluster): string {
  const h = createHash('sha1');
  h.update(JSON.stringify(c.allEvents()));
  for (const [id, b] of [...c.brokers].sort((x, y) => x[0] - y[0])) {
    for (const [k, log] of [...b.logs].sort(([x], [y]) => (x < y ? -1 : 1))) {
      h.update(`${id} ${k} ${log.logStartOffset}/${log.highWatermark}/${log.logEndOffset}`);
      for (const s of log.segments) for (const x of s.batchList()) h.update(x);
    }
  }
  return h.digest('hex');
}

describe('batchBytes takes its slabs from the host when it has one ready', () => {
  const MAX_IN_SLAB = 8 * 1024; // SLAB_MAX_BATCH: eight fill a slab
  it('a ready slab is used whole; none ready, or one of another size, and it allocates', () => {
    // To the start of a slab of batchBytes' own (where the last test left it is unknown).
    provideSlabs(() => null);
    const started = slabCounts.started;
    while (slabCounts.started === started) batchBytes(MAX_IN_SLAB);
    for (let i = 1; i < 8; i++) batchBytes(MAX_IN_SLAB);
    expect(slabCounts.started).toBe(started + 1);

    const good = new ArrayBuffer(SLAB_SIZE);
    provideSlabs(() => good);
    const ready = slabCounts.ready;
    const a = batchBytes(64);
    expect(a.buffer).toBe(good);
    expect(a.byteOffset).toBe(0);
    expect(slabCounts.ready).toBe(ready + 1);
    for (let i = 1; i < 8; i++) expect(batchBytes(MAX_IN_SLAB).buffer).toBe(good);

    const wrong = new ArrayBuffer(100);
    provideSlabs(() => wrong);
    const b = batchBytes(MAX_IN_SLAB); // the slab is full: a new one, not the 100-byte buffer
    expect(b.buffer).not.toBe(wrong);
    expect(b.buffer.byteLength).toBe(SLAB_SIZE);
    expect(slabCounts.ready).toBe(ready + 1);
    expect(b.every((x) => x === 0)).toBe(true);
  });
});

describe('batchBytes sizes', () => {
  it('puts a batch past 8 KiB in a large slab (a ready one when the host has it), one past 64 KiB in a buffer of its own', () => {
    const big = new ArrayBuffer(LARGE_SLAB_SIZE);
    let asked = 0;
    provideSlabs(() => (asked++ === 0 ? big : null), LARGE_SLAB_SIZE);
    // To the end of the large slab batchBytes may be filling (where earlier tests left it is unknown).
    const started = slabCounts.started;
    while (slabCounts.started === started) batchBytes(64 * 1024);
    const inBig = [batchBytes(20_000), batchBytes(9_000), batchBytes(40_000)];
    // The first new large slab was the ready one, unless the loop above started it.
    const holder = inBig[0]!.buffer;
    expect(holder.byteLength).toBe(LARGE_SLAB_SIZE);
    expect(inBig.every((b) => b.buffer === holder)).toBe(true);
    expect(inBig.map((b) => b.byteOffset % 8)).toEqual([0, 0, 0]);
    expect(inBig[1]!.byteOffset).toBeGreaterThanOrEqual(inBig[0]!.byteOffset + 20_000);
    expect(asked).toBeGreaterThan(0);
    // Small batches keep to the small slabs; past 64 KiB, a buffer of its own.
    expect(batchBytes(100).buffer.byteLength).toBe(SLAB_SIZE);
    const huge = batchBytes(64 * 1024 + 1);
    expect(huge.buffer.byteLength).toBe(64 * 1024 + 1);
    expect(() => provideSlabs(() => null, 12345)).toThrow('no slabs of 12345 bytes');
  });
});

describe('the Node slab warmer', () => {
  it('hands over pre-touched slabs, and a run with them is the run without, byte for byte', async () => {
    const scenario = scaleScenario(3, 3, 20_000, 1e9);
    const plain = new Cluster(scenario);
    plain.runUntil(3_000);
    const want = digest(plain);

    const warmer = startSlabWarmer();
    try {
      // Waits for the thread's first slabs (a state, not a time).
      await vi.waitFor(() => expect(warmer.collect()).toBeGreaterThan(0), { timeout: 20_000, interval: 10 });
      const warmed = new Cluster(scenario);
      warmed.runUntil(3_000);
      expect(warmer.taken).toBeGreaterThan(0);
      expect(digest(warmed)).toBe(want);
    } finally {
      warmer.stop();
    }
    // Stopped: batchBytes allocates again.
    const before = slabCounts.ready;
    for (let i = 0; i < 20; i++) batchBytes(8 * 1024);
    expect(slabCounts.ready).toBe(before);
  });
});

describe('the Node slab warmer with a fast producer', () => {
  it('hands over large slabs once batches outgrow the small ones, and the run is the run without, byte for byte', async () => {
    // 200,000 records/s over 3 partitions: batches of ~38 KB, past the small slabs' 8 KiB.
    const scenario = scaleScenario(3, 3, 200_000, 1e9);
    const warmer = startSlabWarmer();
    let at = 0;
    try {
      const warmed = new Cluster(scenario);
      const ready0 = { ...slabCounts };
      // Large slabs taken ready = bytes ready past what the small ones account for.
      const largeCount = () => Math.max(0, Math.round((slabCounts.readyBytes - ready0.readyBytes - (slabCounts.ready - ready0.ready) * SLAB_SIZE) / (LARGE_SLAB_SIZE - SLAB_SIZE)));
      // The large stream starts with none ahead: the first miss asks for one. Run on until one
      // came and was taken (a state; each step is 20 virtual ms of the same run).
      await vi.waitFor(
        () => {
          at += 20;
          warmed.runUntil(at);
          expect(largeCount()).toBeGreaterThan(0);
        },
        { timeout: 30_000, interval: 5 },
      );
      const plain = (() => {
        warmer.stop();
        const c = new Cluster(scenario);
        c.runUntil(at);
        return c;
      })();
      expect(digest(warmed)).toBe(digest(plain));
    } finally {
      warmer.stop();
    }
  });
});

describe("the warmer thread's program", () => {
  it('runs from warmSlabs compiled as tsx compiles it (esbuild keepNames: a __name helper around inner functions)', async () => {
    // The function's text as tsx leaves it: compiled with keepNames, read back with String().
    const compiled = transformSync(`box.f = ${String(warmSlabs)};`, { keepNames: true, loader: 'js' }).code;
    const box: { f?: unknown } = {};
    new Function('box', compiled)(box);
    const source = String(box.f);
    expect(source).toContain('__name(');
    const [small, large] = [new MessageChannel(), new MessageChannel()];
    const streams = [
      { port: small.port2, options: warmerOptions(SLAB_STREAMS[0]!) },
      { port: large.port2, options: warmerOptions(SLAB_STREAMS[1]!) },
    ];
    const worker = new Worker(warmerProgram(source), { eval: true, workerData: { streams }, transferList: [small.port2, large.port2] });
    const next = (port: NodePort) =>
      new Promise<unknown>((resolve, reject) => {
        port.once('message', resolve);
        worker.once('error', reject);
      });
    const zeroed = (slabs: unknown, size: number) => Array.isArray(slabs) && slabs.every((b) => b instanceof ArrayBuffer && b.byteLength === size && new Uint8Array(b).every((x) => x === 0));
    try {
      // The small stream starts one message ahead; the large one makes none until asked.
      const first = await next(small.port1);
      expect(first).toHaveLength(SLAB_STREAMS[0]!.per);
      expect(zeroed(first, SLAB_SIZE)).toBe(true);
      const asked = next(large.port1);
      large.port1.postMessage(1);
      const bigOnes = await asked;
      expect(bigOnes).toHaveLength(SLAB_STREAMS[1]!.per);
      expect(zeroed(bigOnes, LARGE_SLAB_SIZE)).toBe(true);
    } finally {
      small.port1.close();
      large.port1.close();
      await worker.terminate();
    }
  });
});
