import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Cluster } from '../kafka/cluster';
import { batchBytes, provideSlabs, slabCounts, SLAB_SIZE } from '../kafka/log/record-batch';
import { scaleScenario } from '../../bench/workload';
import { transformSync } from 'esbuild';
import { MessageChannel, Worker } from 'node:worker_threads';
import { WARMER_DEFAULTS, warmerOptions, warmSlabs } from '../worker/slab-warming';
import { startSlabWarmer, warmerProgram } from './slab-warmer';

afterEach(() => provideSlabs(null));

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

describe("the warmer thread's program", () => {
  it('runs from warmSlabs compiled as tsx compiles it (esbuild keepNames: a __name helper around inner functions)', async () => {
    // The function's text as tsx leaves it: compiled with keepNames, read back with String().
    const compiled = transformSync(`box.f = ${String(warmSlabs)};`, { keepNames: true, loader: 'js' }).code;
    const box: { f?: unknown } = {};
    new Function('box', compiled)(box);
    const source = String(box.f);
    expect(source).toContain('__name(');
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(warmerProgram(source), { eval: true, workerData: { port: port2, options: warmerOptions(SLAB_SIZE) }, transferList: [port2] });
    try {
      const first = await new Promise<unknown>((resolve, reject) => {
        port1.once('message', resolve);
        worker.once('error', reject);
      });
      expect(Array.isArray(first)).toBe(true);
      const slabs = first as ArrayBuffer[];
      expect(slabs).toHaveLength(WARMER_DEFAULTS.per);
      expect(slabs.every((b) => b instanceof ArrayBuffer && b.byteLength === SLAB_SIZE && new Uint8Array(b).every((x) => x === 0))).toBe(true);
    } finally {
      port1.close();
      await worker.terminate();
    }
  });
});
