/**
 * The storage layer on fake-indexeddb (and the memory store): a real cluster written flush
 * by flush and reopened, a flush that aborts half-way, a corrupted batch, a database of
 * the previous schema, quota failures, and two writers.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import { gunzipSync } from 'node:zlib';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { CLUSTER_SHAPE, cloneCluster, imageNodes, type CompactImage } from '../kafka/checkpoint';
import { Cluster } from '../kafka/cluster';
import { exportDurableState, restoreCluster } from '../kafka/durable';
import { PlaceMap } from '../kafka/log/place-map';
import { batchBaseOffset, batchNextOffset, concatBatches } from '../kafka/log/record-batch';
import { UnifiedLog } from '../kafka/log/unified-log';
import { Prng } from '../kafka/sim/prng';
import { expectClearClaimLoadAfterWrites } from './fixtures/ordering';
import { scenario } from './fixtures/scenario';
import { benchScenario, scaleScenario } from '../../bench/workload';
import { BatchPlaces, CHUNK_TARGET_BYTES, FlushPlanner, MAX_OPEN_CHUNKS } from './flush-planner';
import { chunkBytes, chunkValue, streamedChunkValue, DB_VERSION, INLINE_CHUNK_BYTES, IdbClusterStore, deleteIdbDatabase, type V1State, type V2Manifest } from './idb-store';
import { imageToDurableState, imageToMoment } from './image';
import { MemoryClusterStore } from './memory-store';
import { Persister, PLAN_SHARE, type PersistStatus } from './persister';
import { StorageError, StorageFencedError, StorageQuotaError, StorageUnreadableError, storedBytes, type ChunkWrite, type ClusterStore, type FlushPlan, type LoadedImage, type Manifest } from './types';

let dbCount = 0;
const freshName = () => `kafka-playground-test-${++dbCount}`;

/**
 * A frozen database's session restarted from its disks at 3.5 s (every record read back,
 * no offset cut), and a planner that takes over its saved chunks to go on saving.
 */
async function resumeFromDisks(store: IdbClusterStore, image: LoadedImage): Promise<{ cluster: Cluster; planner: FlushPlanner; epoch: number }> {
  const { state, report } = imageToDurableState(image);
  expect(report.records).toBeGreaterThan(0);
  expect(report.cutOffsets).toBe(0);
  const cluster = restoreCluster(state);
  expect(cluster.now).toBe(3500);
  const epoch = await store.claim();
  const planner = new FlushPlanner(undefined, () => true);
  planner.adopt(cluster, image);
  return { cluster, planner, epoch };
}

/**
 * A database as an older version left it, from a frozen dump in fixtures/ (v8-serialized,
 * gzipped: its version, every `meta` record and every chunk record of `chunkStore`), put
 * into a fresh IndexedDB database of that version.
 */
async function frozenDatabase<Chunk extends [unknown, unknown]>(file: string, version: number, chunkStore: string): Promise<{ name: string; dump: { version: number; meta: [string, unknown][]; chunks: Chunk[] } }> {
  const dump = deserialize(gunzipSync(readFileSync(join(import.meta.dirname, 'fixtures', file)))) as { version: number; meta: [string, unknown][]; chunks: Chunk[]; blobs?: boolean; blobIds?: unknown[] };
  expect(dump.version).toBe(version);
  const name = freshName();
  const old = await openDB(name, version, {
    upgrade(db) {
      db.createObjectStore('meta');
      db.createObjectStore(chunkStore);
    },
  });
  for (const [k, v] of dump.meta) await old.put('meta', v, k);
  // A dump of Blob chunks (schema 4; schema 5 lists which under `blobIds`) holds their bytes: they go back in as Blobs.
  for (const [k, v] of dump.chunks) await old.put(chunkStore, dump.blobs || dump.blobIds?.includes(k) ? new Blob([v as Uint8Array<ArrayBuffer>]) : v, k as IDBValidKey);
  old.close();
  return { name, dump };
}

/** A fresh database, claimed, with a cluster of the fixture scenario and a planner to flush it. */
async function openFlushing(): Promise<{ name: string; store: IdbClusterStore; epoch: number; cluster: Cluster; planner: FlushPlanner }> {
  const name = freshName();
  const store = await IdbClusterStore.open({ name });
  const epoch = await store.claim();
  return { name, store, epoch, cluster: new Cluster(scenario()), planner: new FlushPlanner() };
}

/** One flush as the persister does it, synchronously awaited. */
async function flush(planner: FlushPlanner, store: ClusterStore, cluster: Cluster, epoch: number): Promise<FlushPlan> {
  const planned = planner.plan(cluster, 1_700_000_000_000 + cluster.now);
  await store.write(planned.plan, epoch);
  planned.commit();
  return planned.plan;
}

/** Runs the cluster to `until`, flushing every `everyMs` of virtual time. */
async function runFlushing(cluster: Cluster, planner: FlushPlanner, store: ClusterStore, epoch: number, until: number, everyMs = 100): Promise<number> {
  let flushes = 0;
  for (let t = cluster.now + everyMs; t <= until; t += everyMs) {
    cluster.runUntil(t);
    await flush(planner, store, cluster, epoch);
    flushes++;
  }
  return flushes;
}

function logBytes(c: Cluster): Map<string, { bytes: string; lso: number; hw: number; leo: number; epochs: string }> {
  const out = new Map<string, { bytes: string; lso: number; hw: number; leo: number; epochs: string }>();
  const state = exportDurableState(c);
  for (const l of state.logs) {
    out.set(`${l.info.broker}/${l.info.tp}`, {
      bytes: l.segments.map((s) => `${s.baseOffset}:${Buffer.from(s.bytes).toString('base64')}`).join('|'),
      lso: l.info.logStartOffset,
      hw: l.info.highWatermark,
      leo: l.info.logEndOffset,
      epochs: JSON.stringify(l.info.epochs),
    });
  }
  return out;
}

function committed(c: Cluster): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const g of c.coordinator.groupIds()) for (let p = 0; p < 3; p++) out[`${g}/orders-${p}`] = c.coordinator.committed(g, 'orders', p);
  return out;
}

/**
 * A store whose flush can be made to abort after its chunks, before its manifest:
 * `abortedFlush` plans a flush holding chunks and checks that writing it fails.
 */
async function abortableStore(name: string): Promise<{ store: IdbClusterStore; abortedFlush: (planner: FlushPlanner, cluster: Cluster, epoch: number) => Promise<void> }> {
  let abortNext = false;
  const store = await IdbClusterStore.open({
    name,
    beforeManifest: (tx) => {
      if (abortNext) tx.abort();
    },
  });
  const abortedFlush = async (planner: FlushPlanner, cluster: Cluster, epoch: number) => {
    abortNext = true;
    try {
      const planned = planner.plan(cluster, 0);
      expect(planned.plan.chunks.length).toBeGreaterThan(0);
      await expect(store.write(planned.plan, epoch)).rejects.toThrow();
    } finally {
      abortNext = false;
    }
  };
  return { store, abortedFlush };
}

async function reopen(image: LoadedImage | null): Promise<Cluster> {
  expect(image).not.toBeNull();
  return restoreCluster(imageToDurableState(image!).state);
}

describe('IndexedDB store: write and reopen', () => {
  it('reopens a real run at the same time with the same logs byte for byte and the same committed offsets', async () => {
    const { name, store, epoch, cluster, planner } = await openFlushing();
    const flushes = await runFlushing(cluster, planner, store, epoch, 8000);
    expect(flushes).toBe(80);
    // Compaction and retention happened, so some logs were rewritten, not only appended.
    const all = [...cluster.brokers.values()].flatMap((b) => [...b.logs.entries()]);
    expect(all.some(([tp, log]) => tp === 'clicks-0' && log.logStartOffset > 0)).toBe(true);
    expect(all.some(([tp, log]) => tp === 'users-0' && log.rewrites > 0)).toBe(true);
    store.close();

    const again = await IdbClusterStore.open({ name });
    const image = await again.load();
    expect(image!.problems).toEqual([]);
    const restored = await reopen(image);
    expect(restored.now).toBe(cluster.now);
    expect(logBytes(restored)).toEqual(logBytes(cluster));
    expect(committed(restored)).toEqual(committed(cluster));
    expect(Object.values(committed(cluster)).some((v) => (v ?? 0) > 100)).toBe(true);
    expect(restored.scenario().timeline).toEqual(cluster.scenario().timeline);
    // Small chunks were merged (fewer than MAX_OPEN_CHUNKS per size tier, and the sizes here
    // span a few tiers): 80 flushes leave each log a few dozen ranges at most, not 80.
    for (const l of image!.manifest.logs) expect(l.refs.length).toBeLessThanOrEqual(3 * MAX_OPEN_CHUNKS);
    expect(Math.max(...image!.manifest.logs.map((l) => l.refs.length))).toBeLessThan(flushes / 3);
    // Replicas name the same bytes: what is stored is far less than a copy per replica.
    const named = image!.manifest.logs.reduce((n, l) => n + l.refs.reduce((m, r) => m + r[2], 0), 0);
    expect(storedBytes(image!.manifest)).toBeLessThan(named / 2);
    again.close();
  });

  it('a long run of many small partitions keeps each log to about one range a chunk, and reopens byte for byte', async () => {
    // 30 partitions at 2,000 records/s: each flush adds a few hundred bytes a partition,
    // whose chunks are merged again and again, in more than one size tier. Merged chunk by
    // chunk, a log's batches in a merged chunk came in runs out of offset order; merged tier
    // by tier, two tiers held alternate runs: either way its ranges grew with every flush
    // (here 164 ranges for a log, 15 for one chunk; then 36 and 4).
    const store = new MemoryClusterStore();
    const epoch = await store.claim();
    const cluster = new Cluster(scaleScenario(3, 30, 2000, 1e9));
    const planner = new FlushPlanner();
    for (let t = 100; t <= 60_000; t += 100) {
      cluster.runUntil(t);
      const planned = planner.plan(cluster, t);
      await store.write(planned.plan, epoch);
      planned.commit();
    }
    const plan = planner.plan(cluster, 60_000);
    await store.write(plan.plan, epoch);
    plan.commit();
    const logs = plan.plan.manifest.logs;
    expect(logs).toHaveLength(90);
    for (const l of logs) {
      const chunks = new Set(l.refs.map((r) => r[0])).size;
      expect(l.refs.length, `${l.broker}/${l.tp}`).toBeLessThanOrEqual(Math.ceil(1.5 * chunks));
      expect(l.refs.length, `${l.broker}/${l.tp}`).toBeLessThan(30);
    }
    const restored = await reopen(await store.load());
    expect(logBytes(restored)).toEqual(logBytes(cluster));
  });

  it('writes only new batches on a flush where logs just grew', async () => {
    const store = new MemoryClusterStore();
    const epoch = await store.claim();
    const cluster = new Cluster(scenario());
    const planner = new FlushPlanner();
    cluster.runUntil(1000);
    await flush(planner, store, cluster, epoch);
    cluster.runUntil(1100);
    const plan = await flush(planner, store, cluster, epoch);
    expect(plan.deleteChunks).toEqual([]);
    expect(plan.scenario).toBeUndefined();
    const written = plan.chunks.reduce((s, c) => s + c.size, 0);
    // ~100 ms of ~400 records/s of ≈150 bytes, on 3 replicas: a few tens of KB, not the whole log.
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(60_000);
    const restored = await reopen(await store.load());
    expect(logBytes(restored)).toEqual(logBytes(cluster));
  });

  it('a run that goes on in an exact copy (a time-travel hand-over) keeps appending, without a rewrite', async () => {
    const store = new MemoryClusterStore();
    const epoch = await store.claim();
    const original = new Cluster(scenario());
    const planner = new FlushPlanner();
    original.runUntil(1000);
    await flush(planner, store, original, epoch);
    const copy = cloneCluster(original);
    planner.follow(original, copy);
    copy.runUntil(1100);
    const plan = await flush(planner, store, copy, epoch);
    expect(plan.deleteChunks).toEqual([]);
    const written = plan.chunks.reduce((s, c) => s + c.size, 0);
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(60_000);
    expect(logBytes(await reopen(await store.load()))).toEqual(logBytes(copy));
    // Without follow, another cluster's logs are other logs: their ranges are derived again,
    // but the batches they share with what is stored (a copy shares the batch bytes) are not written again.
    const other = cloneCluster(copy);
    other.runUntil(1200);
    const rewrite = await flush(planner, store, other, epoch);
    expect(rewrite.chunks.reduce((s, c) => s + c.size, 0)).toBeLessThan(60_000);
    expect(logBytes(await reopen(await store.load()))).toEqual(logBytes(other));
  });

  it('after a reopen, keeps appending to what it restored (no full rewrite) and reopens again', async () => {
    const { store, epoch, cluster } = await openFlushing();
    await runFlushing(cluster, new FlushPlanner(), store, epoch, 2000);
    const image = await store.load();
    const restored = await reopen(image);
    const planner = new FlushPlanner();
    planner.adopt(restored, image!);
    restored.runUntil(2100);
    const plan = await flush(planner, store, restored, epoch);
    // Only what the last 100 ms added is written (the restored batches are where they were).
    expect(plan.chunks.reduce((s, c) => s + c.size, 0)).toBeLessThan(60_000);
    expect(plan.deleteChunks).toEqual([]);
    await runFlushing(restored, planner, store, epoch, 5000);
    const second = await reopen(await store.load());
    expect(second.now).toBe(5000);
    expect(logBytes(second)).toEqual(logBytes(restored));
    store.close();
  });

  it('drops a deleted topic from disk', async () => {
    const store = new MemoryClusterStore();
    const epoch = await store.claim();
    const cluster = new Cluster(scenario());
    const planner = new FlushPlanner();
    await runFlushing(cluster, planner, store, epoch, 1000);
    const clicksChunks = new Set(store.manifest!.logs.filter((l) => l.tp === 'clicks-0').flatMap((l) => l.refs.map(([id]) => id)));
    expect(clicksChunks.size).toBeGreaterThan(0);
    // Stop sending to it first: with auto.create.topics.enable (Kafka's default) the load would create it again.
    cluster.perform({ op: 'stopLoad', producer: 'p', topic: 'clicks' });
    cluster.perform({ op: 'deleteTopic', name: 'clicks' });
    planner.markScenarioChanged();
    cluster.runUntil(1200);
    const plan = await flush(planner, store, cluster, epoch);
    for (const id of clicksChunks) expect(plan.deleteChunks).toContain(id);
    expect(plan.scenario).toBeDefined();
    expect([...store.chunks.keys()].some((id) => clicksChunks.has(id))).toBe(false);
    expect(store.manifest!.logs.some((l) => l.tp === 'clicks-0')).toBe(false);
    const restored = await reopen(await store.load());
    expect(restored.controller.topics.has('clicks')).toBe(false);
    expect(restored.scenario().timeline!.some((a) => a.op === 'deleteTopic')).toBe(true);
  });
});

describe('chunk values', () => {
  it('a chunk from 64 KiB up is one Blob of its batches, a smaller one a Uint8Array of them; both read back the same bytes', async () => {
    const small = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])];
    const v = chunkValue({ batches: small, size: 5 });
    expect(v).toBeInstanceOf(Uint8Array);
    expect([...(await chunkBytes(v))!]).toEqual([1, 2, 3, 4, 5]);
    const big = [new Uint8Array(INLINE_CHUNK_BYTES - 10).fill(7), new Uint8Array(10).fill(9)];
    const w = chunkValue({ batches: big, size: INLINE_CHUNK_BYTES });
    expect(w).toBeInstanceOf(Blob);
    const back = (await chunkBytes(w))!;
    expect(back.length).toBe(INLINE_CHUNK_BYTES);
    expect(back[0]).toBe(7);
    expect(back[INLINE_CHUNK_BYTES - 1]).toBe(9);
  });

  it('streamedChunkValue: the same value as chunkValue, from views anywhere in shared buffers, leaving them as they were', async () => {
    const shared = new Uint8Array(3 * INLINE_CHUNK_BYTES);
    for (let i = 0; i < shared.length; i++) shared[i] = (i * 7 + 3) & 255;
    const before = Buffer.from(shared);
    // Odd offsets and lengths, out of order, one empty: as batches sit in slabs.
    const batches = [shared.subarray(5, 40_005), shared.subarray(100_001, 130_002), new Uint8Array(0), shared.subarray(40_005, 40_006)];
    const size = batches.reduce((n, b) => n + b.length, 0);
    expect(size).toBeGreaterThanOrEqual(INLINE_CHUNK_BYTES);
    const v = await streamedChunkValue({ batches, size });
    expect(v).toBeInstanceOf(Blob);
    expect(Buffer.from((await chunkBytes(v))!)).toEqual(Buffer.from((await chunkBytes(chunkValue({ batches, size })))!));
    expect(Buffer.from(shared)).toEqual(before);
    const small = await streamedChunkValue({ batches: [shared.subarray(1, 4), shared.subarray(9, 11)], size: 5 });
    expect(small).toBeInstanceOf(Uint8Array);
    expect([...(small as Uint8Array)]).toEqual([...shared.subarray(1, 4), ...shared.subarray(9, 11)]);
    await expect(streamedChunkValue({ batches, size: size - 1 })).rejects.toBeInstanceOf(StorageError);
  });

  it('one flush after 8 s holds both kinds (the orders partitions over 64 KiB, the others under), and reopens byte for byte', async () => {
    const { name, store, epoch, cluster } = await openFlushing();
    await runFlushing(cluster, new FlushPlanner(), store, epoch, 8000, 8000);
    store.close();
    const raw = await openDB(name, DB_VERSION);
    const values: unknown[] = await raw.getAll('partitionChunks');
    raw.close();
    const blobs = values.filter((v) => v instanceof Blob) as Blob[];
    const inline = values.filter((v) => v instanceof Uint8Array) as Uint8Array[];
    expect(blobs.length + inline.length).toBe(values.length);
    expect(blobs.length).toBeGreaterThan(0);
    expect(inline.length).toBeGreaterThan(0);
    expect(blobs.every((b) => b.size >= INLINE_CHUNK_BYTES)).toBe(true);
    expect(inline.every((b) => b.length < INLINE_CHUNK_BYTES)).toBe(true);
    const again = await IdbClusterStore.open({ name });
    const image = await again.load();
    expect(image!.problems).toEqual([]);
    expect(logBytes(await reopen(image))).toEqual(logBytes(cluster));
    again.close();
  });
});

describe('chunk sizes', () => {
  it('a flush holding more than CHUNK_TARGET_BYTES of a partition splits it into chunks of at most that size, in order; it reopens byte for byte', async () => {
    const store = new MemoryClusterStore();
    const epoch = await store.claim();
    // 200,000 records/s of ~117-byte records for 1.2 s over 3 partitions: ~9 MB each, in one flush.
    const cluster = new Cluster(benchScenario(200_000, 1200));
    cluster.runUntil(1400);
    const plan = await flush(new FlushPlanner(), store, cluster, epoch);
    const byTp = new Map<string, number[]>();
    for (const c of plan.chunks) byTp.set(c.tp, [...(byTp.get(c.tp) ?? []), c.size]);
    expect([...byTp.keys()].sort()).toEqual(['bench-0', 'bench-1', 'bench-2']);
    let split = 0;
    for (const [, sizes] of byTp) {
      // Every chunk but the last is full up to the batch that did not fit (batches here are far below the target).
      for (const size of sizes) expect(size).toBeLessThanOrEqual(CHUNK_TARGET_BYTES);
      for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThan(CHUNK_TARGET_BYTES - 100_000);
      if (sizes.length > 1) split++;
    }
    expect(split).toBeGreaterThan(0);
    // Each partition's batches lie in its chunks in offset order, whole.
    for (const c of plan.chunks) {
      let next = -1;
      let at = 0;
      for (const b of c.batches) {
        expect(batchBaseOffset(b)).toBeGreaterThan(next);
        next = batchNextOffset(b) - 1;
        at += b.length;
      }
      expect(at).toBe(c.size);
    }
    expect(logBytes(await reopen(await store.load()))).toEqual(logBytes(cluster));
  });
});

describe('each batch stored once', () => {
  it("a batch's place is found by its buffer, offset and length: batches side by side in one slab keep their own", () => {
    const places = new BatchPlaces();
    const slab = new ArrayBuffer(1024);
    const a = new Uint8Array(slab, 0, 100);
    const b = new Uint8Array(slab, 100, 200);
    places.set(a, 7, 0);
    places.set(b, 9, 4096);
    const found = (v: Uint8Array) => (places.find(v) ? [places.chunk, places.start] : undefined);
    expect(found(a)).toEqual([7, 0]);
    expect(found(b)).toEqual([9, 4096]);
    // Another view of the same bytes is the same batch (immutable bytes, one place).
    expect(found(new Uint8Array(slab, 100, 200))).toEqual([9, 4096]);
    // Not a batch that was placed: other bytes at the same offset, another buffer, the slab's free end.
    expect(found(new Uint8Array(slab, 100, 50))).toBeUndefined();
    expect(found(new Uint8Array(new ArrayBuffer(1024), 0, 100))).toBeUndefined();
    expect(found(new Uint8Array(slab, 300, 100))).toBeUndefined();
    // Placed again (a merge moved it): the new place; chunk ids past 2^31 are kept whole.
    places.set(b, 2 ** 33 + 5, 12);
    expect(found(b)).toEqual([2 ** 33 + 5, 12]);
  });

  it('places stay right as a buffer fills with thousands of batches, in any order (the table grows)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const prng = new Prng(seed);
      const rnd = () => prng.float();
      const places = new BatchPlaces();
      const buf = new ArrayBuffer(1 << 20);
      const truth = new Map<number, [number, number, number]>();
      for (let i = 0; i < 3000; i++) {
        const off = Math.floor(rnd() * 20000) * 8;
        const len = 61 + Math.floor(rnd() * 100);
        const chunk = 1 + Math.floor(rnd() * 1e6);
        const start = Math.floor(rnd() * (8 << 20));
        places.set(new Uint8Array(buf, off, len), chunk, start);
        truth.set(off, [len, chunk, start]);
      }
      for (const [off, [len, chunk, start]] of truth) {
        expect(places.find(new Uint8Array(buf, off, len))).toBe(true);
        expect([places.chunk, places.start]).toEqual([chunk, start]);
        expect(places.find(new Uint8Array(buf, off, len + 1))).toBe(false);
      }
      for (let i = 0; i < 2000; i++) {
        const off = Math.floor(rnd() * 20000) * 8 + 4;
        expect(places.find(new Uint8Array(buf, off, 61))).toBe(false);
      }
    }
  });

  /** Every distinct batch object the logs hold, per partition, and the bytes all replicas hold. */
  function batchesByTp(c: Cluster, tps: string[]): { distinct: number; replicas: number } {
    // A batch is its bytes' place: replicas sharing it read views of the same bytes.
    const seen = new PlaceMap<true>();
    let distinct = 0;
    let replicas = 0;
    for (const b of c.brokers.values()) {
      for (const [tp, log] of b.logs) {
        if (!tps.includes(tp)) continue;
        for (const batch of log.read(log.logStartOffset, Number.MAX_SAFE_INTEGER, log.logEndOffset).batches) {
          replicas += batch.length;
          if (seen.add(batch.buffer, batch.byteOffset, true)) distinct += batch.length;
        }
      }
    }
    return { distinct, replicas };
  }

  it('replicas name the same stored bytes: a partition costs its batches once, not once per replica', async () => {
    const store = new MemoryClusterStore();
    const epoch = await store.claim();
    const cluster = new Cluster(scenario());
    const planner = new FlushPlanner();
    let written = 0;
    let plainFlushes = 0;
    for (let t = 100; t <= 10_000; t += 100) {
      const before = batchesByTp(cluster, ['orders-0', 'orders-1', 'orders-2', 'users-0', 'clicks-0']).distinct;
      cluster.runUntil(t);
      const plan = await flush(planner, store, cluster, epoch);
      const bytes = plan.chunks.reduce((n, c) => n + c.size, 0);
      written += bytes;
      if (plan.deleteChunks.length === 0 && t < 3000) {
        // A flush that merged nothing (and before the broker is killed) writes each new batch once.
        plainFlushes++;
        expect(bytes).toBe(batchesByTp(cluster, ['orders-0', 'orders-1', 'orders-2', 'users-0', 'clicks-0']).distinct - before);
      }
    }
    expect(plainFlushes).toBeGreaterThan(10);
    const orders = ['orders-0', 'orders-1', 'orders-2'];
    const { distinct, replicas } = batchesByTp(cluster, orders);
    expect(replicas).toBeGreaterThan(2.9 * distinct); // RF=3, all in sync
    const m = store.manifest!;
    const ids = new Set(m.logs.filter((l) => orders.includes(l.tp)).flatMap((l) => l.refs.map(([id]) => id)));
    const stored = m.chunks.filter(([id]) => ids.has(id)).reduce((n, [, b]) => n + b, 0);
    // Stored: each orders batch once (no retention or compaction on orders, so nothing dead in a chunk).
    expect(stored).toBe(distinct);
    // Written over the whole run: each byte once, plus once per size tier its chunk was merged through.
    expect(written).toBeLessThan(4 * storedBytes(m));
    // The store holds exactly the chunks the manifest lists.
    expect([...store.chunks.keys()].sort((x, y) => x - y)).toEqual(m.chunks.map(([id]) => id));
    const image = (await store.load())!;
    // Read back, replicas naming the same ranges get the same batches (each range checked once).
    for (const tp of orders) {
      const [first, ...others] = image.logs.filter((l) => l.info.tp === tp);
      expect(others).toHaveLength(2);
      for (const o of others) {
        expect(o.info.refs).toEqual(first!.info.refs);
        expect(o.batches.length).toBe(first!.batches.length);
        expect(o.batches.every((b, i) => b === first!.batches[i])).toBe(true);
      }
    }
    expect(logBytes(await reopen(image))).toEqual(logBytes(cluster));
  });

  it('a diverged replica keeps its own bytes; the others still share theirs, and a reopen has every log exactly', async () => {
    const store = new MemoryClusterStore();
    const epoch = await store.claim();
    const cluster = new Cluster(scenario());
    const planner = new FlushPlanner();
    await runFlushing(cluster, planner, store, epoch, 1500);
    // Broker 3's orders-1 replica diverges: its tail is cut and replaced by copies (other
    // byte arrays) of the leader's batches, as a follower whose log came from elsewhere.
    const log = cluster.brokers.get(3)!.logs.get('orders-1')!;
    const all = log.read(log.logStartOffset, Number.MAX_SAFE_INTEGER, log.logEndOffset).batches;
    expect(all.length).toBeGreaterThan(4);
    const tail = all.slice(2);
    const own = tail.map((b) => b.slice());
    log.truncateTo(batchBaseOffset(tail[0]!));
    log.appendAsFollower(own);
    const ownBytes = own.reduce((n, b) => n + b.length, 0);
    const plan = await flush(planner, store, cluster, epoch);
    const written = plan.chunks.reduce((n, c) => n + c.size, 0);
    // Its own batches are written, in a chunk only it names; its untouched prefix and the other replicas are not.
    expect(written).toBeGreaterThanOrEqual(ownBytes);
    const m = store.manifest!;
    const namedBy = (id: number) => m.logs.filter((l) => l.refs.some(([c]) => c === id)).map((l) => `${l.broker}/${l.tp}`);
    const onlyBroker3 = m.chunks.filter(([id]) => namedBy(id).join() === '3/orders-1');
    expect(onlyBroker3.reduce((n, [, b]) => n + b, 0)).toBe(ownBytes);
    const refsOf = (b: number) => m.logs.find((l) => l.broker === b && l.tp === 'orders-1')!.refs;
    const first = (b: number) => refsOf(b)[0]!;
    expect(first(3)[0]).toBe(first(1)[0]); // the shared prefix
    const last3 = refsOf(3)[refsOf(3).length - 1]!;
    expect(refsOf(1).some(([id, s]) => id === last3[0] && s === last3[1])).toBe(false); // its own tail
    const image = await store.load();
    expect(image!.problems).toEqual([]);
    expect(logBytes(await reopen(image))).toEqual(logBytes(cluster));
  });

  it('retention and compaction let chunks go: what is stored stays near what the logs hold', async () => {
    const store = new MemoryClusterStore();
    const epoch = await store.claim();
    const cluster = new Cluster(scenario());
    const planner = new FlushPlanner();
    await runFlushing(cluster, planner, store, epoch, 20_000, 200);
    const live = batchesByTp(cluster, ['clicks-0', 'users-0', 'orders-0', 'orders-1', 'orders-2']);
    // Dead bytes only in partly named chunks (at most a chunk or so per partition), never the history.
    expect(storedBytes(store.manifest!)).toBeLessThan(live.distinct * 1.5 + 50_000);
    const clicks = cluster.brokers.get(1)!.logs.get('clicks-0') ?? cluster.brokers.get(2)!.logs.get('clicks-0')!;
    expect(clicks.logStartOffset).toBeGreaterThan(0);
    expect(logBytes(await reopen(await store.load()))).toEqual(logBytes(cluster));
  });
});

describe('the exact moment (a reload resumes where it was)', () => {
  const fingerprint = (c: Cluster) => JSON.stringify(c.output()) + JSON.stringify(c.snapshot());

  it('a flush carries the whole cluster; read back, it runs on byte for byte as the uninterrupted run', async () => {
    const store = await IdbClusterStore.open({ name: freshName() });
    const epoch = await store.claim();
    let playing = true;
    const planner = new FlushPlanner(undefined, () => playing);
    const cluster = new Cluster(scenario(), { recordConsumed: true });
    // Flushes through a kill, a restart, compaction and retention, then a last one while paused.
    await runFlushing(cluster, planner, store, epoch, 5000, 250);
    cluster.runUntil(5321);
    playing = false;
    await flush(planner, store, cluster, epoch);
    const image = await store.load();
    const moment = imageToMoment(image!);
    if ('reason' in moment) throw new Error(moment.reason);
    expect(moment.playing).toBe(false);
    expect(moment.cluster.now).toBe(5321);
    // The image names the logs' batches instead of holding them: it stays small.
    const stored = JSON.stringify(imageNodes(image!.manifest.moment!.image).filter((n) => n[0] === 'b').map((n) => (n[1] as Uint8Array).length));
    expect(imageNodes(image!.manifest.moment!.image).some((n) => n[0] === 'x')).toBe(true);
    expect(stored.length).toBeLessThan(4000);

    const straight = new Cluster(scenario(), { recordConsumed: true });
    straight.runUntil(9000);
    moment.cluster.runUntil(9000);
    expect(fingerprint(moment.cluster)).toBe(fingerprint(straight));
    store.close();
  });

  it('a damaged compact moment (format 2) says what is wrong, and the brokers restart from their disks with nothing lost', async () => {
    const store = await IdbClusterStore.open({ name: freshName() });
    const epoch = await store.claim();
    const planner = new FlushPlanner(undefined, () => true);
    const cluster = new Cluster(scenario());
    await runFlushing(cluster, planner, store, epoch, 2000, 250);
    // A moment holding bytes of its own (a batch on its way to its leader, stored nowhere
    // yet), so cutting the image's bytes is a damage: move on a few ms at a time until one does.
    let image = (await store.load())!;
    for (let i = 0; i < 200 && image.manifest.moment!.image.format === 2 && image.manifest.moment!.image.bytes.length === 0; i++) {
      cluster.runUntil(cluster.now + 1);
      await flush(planner, store, cluster, epoch);
      image = (await store.load())!;
    }
    const good = image.manifest.moment!.image;
    if (good.format !== 2) throw new Error('not compact');
    expect(good.bytes.length).toBeGreaterThan(0);
    const whole = imageToDurableState(image).report;
    const damaged: [CompactImage, RegExp][] = [
      [{ ...good, nodes: good.nodes.subarray(0, good.nodes.length - 3) }, /^checkpoint image: damaged /],
      [{ ...good, text: '["oops"' }, /^checkpoint image: damaged text/],
      [{ ...good, bytes: new Uint8Array(0) }, /^checkpoint image: damaged bytes|^checkpoint image: damaged \(/],
      [{ ...good, nodes: Int32Array.from(good.nodes, (x, i) => (i === 4 ? 0x7ffffffc : x)) }, /^checkpoint image: damaged reference to node/],
    ];
    for (const [bad, message] of damaged) {
      const hostile: LoadedImage = { ...image, manifest: { ...image.manifest, moment: { image: bad, playing: true } } };
      const moment = imageToMoment(hostile);
      if (!('reason' in moment)) throw new Error(`a damaged moment was read (expected ${String(message)})`);
      expect(moment.reason).toMatch(message);
      // What the brokers keep is all there: the same logs, records and offsets as the good save.
      const { state, report } = imageToDurableState(hostile);
      expect(report).toEqual(whole);
      expect(logBytes(restoreCluster(state))).toEqual(logBytes(restoreCluster(imageToDurableState(image).state)));
    }
    // The good one reads.
    expect('cluster' in imageToMoment(image)).toBe(true);
    store.close();
  });

  it("a batch a producer holds in flight is named by the leader's stored copy and its own first 16 bytes; the moment resumes byte for byte", async () => {
    const store = new MemoryClusterStore();
    const epoch = await store.claim();
    const planner = new FlushPlanner(undefined, () => true);
    const workload = benchScenario(20_000, 3000);
    const cluster = new Cluster(workload, { recordConsumed: true });
    let likes = 0;
    let inImage = 0;
    // The leader stores the array a produce request carries (no copy), so a batch's first send
    // is the stored array itself and the moment names it with its segment. A retry sends a
    // copy (Producer.sendTo): that is what the 'like' token is for. Here every batch in flight
    // is swapped for such a copy before each flush.
    const producer = cluster.producers.get('p') as unknown as { queues: Map<string, { inFlight: { bytes: Uint8Array | null }[] }> };
    const copyInFlight = () => {
      for (const q of producer.queues.values()) for (const b of q.inFlight) if (b.bytes) b.bytes = b.bytes.slice();
    };
    // Some batch in flight was appended (the leader's copy is stored) and awaits acks=all.
    const appendedInFlight = () => {
      const stored = new Set<Uint8Array>();
      for (const br of cluster.brokers.values()) for (const l of br.logs.values()) for (const s of l.segments) for (const x of s.batchList()) stored.add(x);
      for (const q of producer.queues.values()) for (const b of q.inFlight) if (b.bytes && stored.has(b.bytes)) return true;
      return false;
    };
    for (let t = 150; t <= 1500; t += 150) {
      cluster.runUntil(t);
      // Every other flush at an instant with such a batch (at most instants every batch in
      // flight is still on its way to its leader: the flushes between see those).
      if (t % 300 === 0) for (let k = 1; k <= 20 && !appendedInFlight(); k++) cluster.runUntil(t + k);
      copyInFlight();
      const plan = await flush(planner, store, cluster, epoch);
      const image = plan.manifest.moment!.image;
      const nodes = imageNodes(image);
      likes += nodes.filter((n) => n[0] === 'x' && Array.isArray(n[1]) && n[1][0] === 'like').length;
      inImage += nodes.reduce((sum, n) => sum + (n[0] === 'b' ? n[1].length : 0), 0);
    }
    // Copies of batches appended and awaiting acks=all: named, not written again. (At the
    // other instants the batches in flight are still on their way to the leader: those are in
    // the image, as they are stored nowhere yet.)
    expect(likes).toBeGreaterThan(5);
    expect(inImage).toBeGreaterThan(0);
    const loaded = (await store.load())!;
    const moment = imageToMoment(loaded);
    if ('reason' in moment) throw new Error(moment.reason);
    const fingerprint = (c: Cluster) => JSON.stringify(c.output()) + JSON.stringify(c.snapshot());
    const straight = new Cluster(workload, { recordConsumed: true });
    straight.runUntil(4000);
    moment.cluster.runUntil(4000);
    expect(fingerprint(moment.cluster)).toBe(fingerprint(straight));

    // A 'like' token whose head is damaged, or whose place holds another length: the moment
    // cannot be read (naming the token), the brokers restart from their disks, every log whole.
    const good = loaded.manifest.moment!.image;
    if (good.format !== 2) throw new Error('not compact');
    const [keys, constants, tokens] = JSON.parse(good.text) as [unknown, unknown, unknown[]];
    const at = tokens.findIndex((t) => Array.isArray(t) && t[0] === 'like');
    expect(at).toBeGreaterThanOrEqual(0);
    for (const bad of [(t: unknown[]) => [...t.slice(0, 4), [1, 2, 3]], (t: unknown[]) => [t[0], t[1], t[2], (t[3] as number) + 1, t[4]], (t: unknown[]) => [...t.slice(0, 4), Array(16).fill(256)]]) {
      const broken = tokens.map((t, i) => (i === at ? bad(t as unknown[]) : t));
      const hostile: LoadedImage = { ...loaded, manifest: { ...loaded.manifest, moment: { image: { ...good, text: JSON.stringify([keys, constants, broken]) }, playing: true } } };
      const read = imageToMoment(hostile);
      if (!('reason' in read)) throw new Error('a damaged token was read');
      expect(read.reason).toMatch(/^checkpoint image: missing stored bytes \["like",/);
      expect(imageToDurableState(hostile).report).toEqual(imageToDurableState(loaded).report);
    }
  });

  it('a cut log or an older save without a moment says why, and the disks restart instead', async () => {
    const store = new MemoryClusterStore();
    const epoch = await store.claim();
    const cluster = new Cluster(scenario());
    await runFlushing(cluster, new FlushPlanner(), store, epoch, 1000, 500);
    const image = (await store.load())!;
    expect(imageToMoment(image)).toEqual({ reason: 'no exact moment was saved' });
    const cut: LoadedImage = { ...image, manifest: { ...image.manifest, moment: { image: { format: 1, classes: [], nodes: [] }, playing: true } }, logs: image.logs.map((l, i) => (i === 0 ? { ...l, cut: { atOffset: 0, reason: 'torn', droppedBytes: 1 } } : l)) };
    expect(imageToMoment(cut)).toEqual({ reason: 'a log was cut when it was read back' });
    const foreign: LoadedImage = { ...image, manifest: { ...image.manifest, moment: { image: { format: 1, classes: ['Nope'], nodes: [] }, playing: true } } };
    expect('reason' in imageToMoment(foreign)).toBe(true);
    expect(restoreCluster(imageToDurableState(image).state).now).toBe(1000);
  });
});

describe('the exact moment names segments, not batches (schema 5)', () => {
  const fingerprint = (c: Cluster) => JSON.stringify(c.output()) + JSON.stringify(c.snapshot());

  /**
   * Which batch objects the logs share: for every batch held by more than one place, the
   * places (broker/tp/segment/index). A follower shares its leader's batches; a moment read
   * back must share exactly the same ones.
   */
  function sharing(c: Cluster): string[] {
    // Which logs share each batch's bytes (its place in memory: buffer and start).
    const at = new PlaceMap<string[]>();
    for (const [id, b] of [...c.brokers].sort((x, y) => x[0] - y[0])) {
      for (const [tp, log] of [...b.logs].sort((x, y) => x[0].localeCompare(y[0]))) {
        log.segments.forEach((seg, si) =>
          seg.batchList().forEach((batch, i) => {
            const place = `${id}/${tp}/${si}/${i}`;
            if (!at.add(batch.buffer, batch.byteOffset, [place])) at.get(batch.buffer, batch.byteOffset)!.push(place);
          }),
        );
      }
    }
    return [...at.values()].filter((l) => l.length > 1).map((l) => l.join(' ')).sort();
  }

  const batchCount = (c: Cluster) => [...c.brokers.values()].reduce((n, b) => n + [...b.logs.values()].reduce((m, l) => m + l.segments.reduce((k, s) => k + s.count, 0), 0), 0);

  /** Loads what the store holds and resumes its moment (failing the test if it cannot). */
  async function resume(store: ClusterStore): Promise<Cluster> {
    const image = (await store.load())!;
    expect(image.problems).toEqual([]);
    const moment = imageToMoment(image);
    if ('reason' in moment) throw new Error(moment.reason);
    return moment.cluster;
  }

  /**
   * The storage scenario plus a topic written with acks=1 whose leaders are killed in turn:
   * the old leaders come back with batches the new leader never had and truncate them
   * (divergence), besides compaction (users) and retention by size (clicks).
   */
  function divergent(): ReturnType<typeof scenario> {
    const s = scenario();
    s.topics!.push({ name: 'loose', partitions: 2, replicationFactor: 3, config: { 'min.insync.replicas': 1, 'segment.bytes': 4096 } });
    s.clients!.push({ kind: 'producer', id: 'q', config: { acks: 1, 'linger.ms': 0 } });
    s.timeline = [
      ...s.timeline!.filter((a) => a.op === 'startLoad'),
      { at: 50, op: 'startLoad', producer: 'q', topic: 'loose', ratePerSec: 800, keys: 0, valueBytes: 60 },
      { at: 1500, op: 'killBroker', broker: 1 },
      { at: 2500, op: 'restartBroker', broker: 1 },
      { at: 4000, op: 'killBroker', broker: 2 },
      { at: 5000, op: 'restartBroker', broker: 2 },
      { at: 6500, op: 'killBroker', broker: 3 },
      { at: 7500, op: 'restartBroker', broker: 3 },
    ];
    return s;
  }

  it('the image stays the same size while the logs grow: one token per segment, none per batch', async () => {
    const store = new MemoryClusterStore();
    const epoch = await store.claim();
    const planner = new FlushPlanner(undefined, () => true);
    const cluster = new Cluster(scenario());
    cluster.runUntil(2000);
    const early = (await flush(planner, store, cluster, epoch)).manifest.moment!.image;
    const batchesEarly = batchCount(cluster);
    cluster.runUntil(12_000);
    const late = (await flush(planner, store, cluster, epoch)).manifest.moment!.image;
    const batchesLate = batchCount(cluster);
    expect(batchesLate).toBeGreaterThan(3 * batchesEarly);
    // The nodes follow partitions and clients (a few more segments, requests in flight), not batches.
    expect(imageNodes(late).length).toBeLessThan(imageNodes(early).length * 1.3 + 100);
    expect(imageNodes(late).length).toBeLessThan(batchesLate);
    const segments = [...cluster.brokers.values()].reduce((n, b) => n + [...b.logs.values()].reduce((m, l) => m + l.segments.length, 0), 0);
    // Every segment is named by its stored log: its batch list, one node.
    expect(imageNodes(late).filter((n) => n[0] === 'r').length).toBe(segments);
    // Single batches named by place are the few in flight, never the logs' own.
    expect(imageNodes(late).filter((n) => n[0] === 'x').length).toBeLessThan(segments);
    const back = await resume(store);
    expect(back.now).toBe(12_000);
    expect(sharing(back)).toEqual(sharing(cluster));
  });

  it('after divergence and truncation of replicas, compaction and retention: every saved moment resumes as the run that never reloaded', async () => {
    const doc = divergent();
    const end = 10_000;
    const straight = new Cluster(doc, { recordConsumed: true });
    straight.runUntil(end);
    const want = fingerprint(straight);

    const store = new MemoryClusterStore();
    const epoch = await store.claim();
    const planner = new FlushPlanner(undefined, () => true);
    const cluster = new Cluster(doc, { recordConsumed: true });
    // Truncations that dropped offsets (a diverged suffix), counted as the saved run goes.
    let truncated = 0;
    const realTruncate = UnifiedLog.prototype.truncateTo;
    UnifiedLog.prototype.truncateTo = function (this: UnifiedLog, offset: number) {
      const dropped = realTruncate.call(this, offset);
      if (dropped > 0) truncated++;
      return dropped;
    };
    let checked = 0;
    let placed = 0;
    try {
      for (let t = 250; t <= 9000; t += 250) {
        cluster.runUntil(t);
        const plan = await flush(planner, store, cluster, epoch);
        placed += imageNodes(plan.manifest.moment!.image).filter((n) => n[0] === 'x').length;
        if (t % 1500 !== 0) continue;
        const back = await resume(store);
        expect(back.now).toBe(t);
        expect(sharing(back)).toEqual(sharing(cluster));
        expect(logBytes(back)).toEqual(logBytes(cluster));
        back.runUntil(end);
        expect(fingerprint(back)).toBe(want);
        checked++;
      }
    } finally {
      UnifiedLog.prototype.truncateTo = realTruncate;
    }
    expect(checked).toBe(6);
    expect(truncated).toBeGreaterThan(0);
    // Batches in flight were named by their stored place, not copied into the image.
    expect(placed).toBeGreaterThan(0);
    const logs = [...cluster.brokers.values()].flatMap((b) => [...b.logs.entries()]);
    expect(logs.some(([tp, log]) => tp === 'clicks-0' && log.logStartOffset > 0)).toBe(true);
    expect(logs.some(([tp, log]) => tp === 'users-0' && log.rewrites > 0)).toBe(true);
  });

  it('a segment holding batches below its log start (DeleteRecords) is named batch by batch and resumes exactly', async () => {
    const store = new MemoryClusterStore();
    const epoch = await store.claim();
    const planner = new FlushPlanner(undefined, () => true);
    const cluster = new Cluster(scenario(), { recordConsumed: true });
    await runFlushing(cluster, planner, store, epoch, 1500, 250);
    // DeleteRecords on orders-0 (UnifiedLog.maybeIncrementLogStartOffset on every replica):
    // the log start moves to the fourth batch of the first segment, which keeps the three before it.
    const replicas = [...cluster.brokers.values()].map((b) => b.logs.get('orders-0')).filter((l) => l !== undefined);
    expect(replicas.length).toBe(3);
    const to = replicas[0]!.segments[0]!.baseAt(3);
    for (const log of replicas) expect(log.maybeIncrementLogStartOffset(to)).toBe(true);
    for (const log of replicas) expect(batchNextOffset(log.segments[0]!.batchAt(0))).toBeLessThanOrEqual(log.logStartOffset);
    cluster.runUntil(1600);
    const image = (await flush(planner, store, cluster, epoch)).manifest.moment!.image;
    const segments = [...cluster.brokers.values()].reduce((n, b) => n + [...b.logs.values()].reduce((m, l) => m + l.segments.length, 0), 0);
    // Those three segments are written batch by batch: the batches below the log start as bytes, the rest by place.
    expect(imageNodes(image).filter((n) => n[0] === 'r').length).toBe(segments - 3);
    expect(imageNodes(image).filter((n) => n[0] === 'b').length).toBeGreaterThanOrEqual(3);
    const back = await resume(store);
    expect(back.now).toBe(1600);
    expect(sharing(back)).toEqual(sharing(cluster));
    expect(logBytes(back)).toEqual(logBytes(cluster));
    for (const c of [back, cluster]) c.runUntil(6000);
    expect(fingerprint(back)).toBe(fingerprint(cluster));
  });

  it('a flush that fails after its chunks, before its manifest and moment: the reload resumes at the moment before, exactly', async () => {
    const { store, abortedFlush } = await abortableStore(freshName());
    const epoch = await store.claim();
    const doc = divergent();
    const planner = new FlushPlanner(undefined, () => true);
    const cluster = new Cluster(doc, { recordConsumed: true });
    await runFlushing(cluster, planner, store, epoch, 3000, 250);
    cluster.runUntil(3400);
    await abortedFlush(planner, cluster, epoch);

    const straight = new Cluster(doc, { recordConsumed: true });
    straight.runUntil(9000);
    // Once: a snapshot's rates count from the previous snapshot.
    const want = fingerprint(straight);
    const back = await resume(store);
    expect(back.now).toBe(3000);
    back.runUntil(9000);
    expect(fingerprint(back)).toBe(want);

    // The chunks of the failed flush are never named: the next moments resume exactly too.
    await runFlushing(cluster, planner, store, epoch, 6400, 250);
    const later = await resume(store);
    expect(later.now).toBe(6400);
    later.runUntil(9000);
    expect(fingerprint(later)).toBe(want);
    store.close();
  });
});

describe('torn and corrupt writes', () => {
  it('a flush that aborts half-way leaves the previous manifest and chunks consistent', async () => {
    const { store, abortedFlush } = await abortableStore(freshName());
    const epoch = await store.claim();
    const cluster = new Cluster(scenario());
    const planner = new FlushPlanner();
    await runFlushing(cluster, planner, store, epoch, 3000);
    const atLastFlush = logBytes(cluster);
    const timeAtLastFlush = cluster.now;
    cluster.runUntil(3500);
    await abortedFlush(planner, cluster, epoch);

    const image = await store.load();
    expect(image!.problems).toEqual([]);
    const restored = await reopen(image);
    expect(restored.now).toBe(timeAtLastFlush);
    expect(logBytes(restored)).toEqual(atLastFlush);

    // The planner did not move its cursors: the next flush carries everything since.
    await flush(planner, store, cluster, epoch);
    expect(logBytes(await reopen(await store.load()))).toEqual(logBytes(cluster));
    store.close();
  });

  it('a chunk with a corrupted batch: every replica log naming it is cut at the last valid batch, and the rest of those logs is dropped', async () => {
    const { name, store, epoch, cluster, planner } = await openFlushing();
    await runFlushing(cluster, planner, store, epoch, 2000, 250);
    const manifest = (await store.load())!.manifest;
    const target = manifest.logs.find((l) => l.broker === 1 && l.tp === 'orders-0')!;
    expect(target.refs.length).toBeGreaterThan(1);
    const [id, start] = target.refs[0]!;
    // Flip one byte inside the log's second batch (inside its CRC'd part).
    const raw = await openDB(name, DB_VERSION);
    const value: unknown = await raw.get('partitionChunks', id);
    expect(value).toBeInstanceOf(Uint8Array); // a chunk under 64 KiB is stored inline
    const bytes = (await chunkBytes(value))!;
    const firstBatchSize = 12 + new DataView(bytes.buffer, bytes.byteOffset + start).getInt32(8);
    const at = start + firstBatchSize;
    const secondBase = Number(new DataView(bytes.buffer, bytes.byteOffset + at).getBigInt64(0));
    bytes[at + 70] = bytes[at + 70]! ^ 0xff;
    await raw.put('partitionChunks', bytes, id);
    raw.close();
    // The batch is stored once: every replica of orders-0 names those bytes.
    const sharing = manifest.logs.filter((l) => l.refs.some(([c, s, n]) => c === id && s <= at && at < s + n));
    expect(sharing.map((l) => l.tp)).toEqual(['orders-0', 'orders-0', 'orders-0']);

    const image = await store.load();
    const log = image!.logs.find((l) => l.info.broker === 1 && l.info.tp === 'orders-0')!;
    expect(log.cut).not.toBeNull();
    expect(log.cut!.atOffset).toBe(secondBase);
    expect(log.batches).toHaveLength(1);
    expect(log.info.logEndOffset).toBe(secondBase);
    expect(log.info.highWatermark).toBeLessThanOrEqual(secondBase);
    expect(image!.problems.join(' ')).toMatch(/Broker 1, orders-0: a batch whose CRC does not match/);
    // The replicas naming the corrupt batch are cut there; other logs are whole; the cluster restarts and runs on.
    const cut = image!.logs.filter((l) => l.cut);
    expect(cut.map((l) => [l.info.broker, l.info.tp, l.cut!.atOffset])).toEqual(sharing.map((l) => [l.broker, l.tp, secondBase]));
    const { report } = imageToDurableState(image!);
    expect(report.cutOffsets).toBe(sharing.reduce((n, l) => n + l.logEndOffset - secondBase, 0));
    const restored = await reopen(image);
    expect(restored.brokers.get(1)!.logs.get('orders-0')!.logEndOffset).toBe(secondBase);
    restored.runUntil(restored.now + 5000);
    const leo = (b: number) => restored.brokers.get(b)!.logs.get('orders-0')!.logEndOffset;
    expect(leo(1)).toBeGreaterThan(target.logEndOffset);
    store.close();
  });

  it('a torn chunk (cut mid-batch) keeps only whole batches', async () => {
    const store = new MemoryClusterStore();
    const epoch = await store.claim();
    const cluster = new Cluster(scenario());
    await runFlushing(cluster, new FlushPlanner(), store, epoch, 1000, 500);
    const refs = store.manifest!.logs.find((l) => l.broker === 2 && l.tp === 'orders-1')!.refs;
    const [id, start, len] = refs[refs.length - 1]!;
    // The chunk ends 7 bytes before the end of the log's last range: its last batch is torn.
    store.chunks.set(id, store.chunks.get(id)!.subarray(0, start + len - 7));
    const image = await store.load();
    const log = image!.logs.find((l) => l.info.broker === 2 && l.info.tp === 'orders-1')!;
    expect(log.cut?.reason).toMatch(/torn/);
    for (const b of log.batches) expect(b.length).toBeGreaterThan(61);
    expect(() => restoreCluster(imageToDurableState(image!).state)).not.toThrow();
  });
});

describe('schema versions', () => {
  it('opens a database written with schema version 1 (the prototype layout) and migrates it', async () => {
    const name = freshName();
    const cluster = new Cluster(scenario());
    cluster.runUntil(3000);
    const state = exportDurableState(cluster);
    const v1: V1State = { format: 1, timeMs: state.meta.timeMs, savedAtWallMs: 1_600_000_000_000, cluster: state.meta, scenario: state.scenario, logs: state.logs };
    const old = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('state');
      },
    });
    await old.put('state', v1, 'current');
    old.close();

    const store = await IdbClusterStore.open({ name });
    const image = await store.load();
    expect(image!.problems).toEqual([]);
    expect(image!.manifest.timeMs).toBe(3000);
    const restored = await reopen(image);
    expect(logBytes(restored)).toEqual(logBytes(cluster));
    store.close();
    const raw = await openDB(name);
    expect(raw.version).toBe(DB_VERSION);
    expect([...raw.objectStoreNames].sort()).toEqual(['meta', 'partitionChunks']);
    raw.close();
  });

  it('opens the frozen v1 fixture (src/storage/fixtures/v1-state.json, written by the schema-1 layout)', async () => {
    const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'v1-state.json'), 'utf8')) as Omit<V1State, 'logs'> & {
      logs: { info: V1State['logs'][number]['info']; segments: { baseOffset: number; bytes: string }[] }[];
    };
    const v1: V1State = { ...fixture, logs: fixture.logs.map((l) => ({ info: l.info, segments: l.segments.map((g) => ({ baseOffset: g.baseOffset, bytes: new Uint8Array(Buffer.from(g.bytes, 'base64')) })) })) };
    const name = freshName();
    const old = await openDB(name, 1, {
      upgrade(db) {
        db.createObjectStore('state');
      },
    });
    await old.put('state', v1, 'current');
    old.close();

    const store = await IdbClusterStore.open({ name });
    const image = (await store.load())!;
    expect(image.problems).toEqual([]);
    const { state, report } = imageToDurableState(image);
    expect(report.timeMs).toBe(6000);
    const restored = restoreCluster(state);
    expect(restored.now).toBe(6000);
    expect(restored.scenario().layout).toEqual({ 'broker-1': { x: 40, y: 60 } });
    for (const l of fixture.logs) expect(restored.brokers.get(l.info.broker)!.logs.get(l.info.tp)!.logEndOffset).toBe(l.info.logEndOffset);
    expect(restored.coordinator.committed('billing', 'orders', 0)).toBeGreaterThan(0);
    restored.runUntil(12_000);
    expect(restored.snapshot().partitions.every((p) => p.highWatermark > 0)).toBe(true);
    store.close();
  });

  it('opens the frozen schema-2 database (src/storage/fixtures/v2-db.bin.gz: a copy per replica) and migrates it without losing a byte', async () => {
    // Written by the schema-2 code (commit 32bfc91, src/storage/fixtures/write-v2-fixture.ts):
    // the scenario above run to 3.5 s, flushed every 250 ms with the exact moment.
    const { name, dump } = await frozenDatabase<[[number, string, number], Uint8Array]>('v2-db.bin.gz', 2, 'chunks');
    const v2 = dump.meta.find(([k]) => k === 'manifest')![1] as V2Manifest;
    const v2Chunks = new Map(dump.chunks.map(([[b, tp, first], bytes]) => [`${b}/${tp}/${first}`, bytes]));

    const store = await IdbClusterStore.open({ name });
    const raw = await openDB(name);
    expect(raw.version).toBe(DB_VERSION);
    expect([...raw.objectStoreNames].sort()).toEqual(['meta', 'partitionChunks']);
    raw.close();
    const image = (await store.load())!;
    expect(image.problems).toEqual([]);
    expect(image.manifest.timeMs).toBe(3500);
    expect(image.manifest.flushSeq).toBe(v2.flushSeq);
    // Every log reads back exactly the bytes its schema-2 chunks held.
    expect(image.logs.map((l) => `${l.info.broker}/${l.info.tp}`)).toEqual(v2.logs.map((l) => `${l.broker}/${l.tp}`));
    for (const l of image.logs) {
      const was = v2.logs.find((x) => x.broker === l.info.broker && x.tp === l.info.tp)!;
      expect(Buffer.from(concatBatches(l.batches))).toEqual(Buffer.concat(was.chunks.map(([first]) => v2Chunks.get(`${was.broker}/${was.tp}/${first}`)!)));
      expect(l.info.logEndOffset).toBe(was.logEndOffset);
    }
    // The session restores from its disks at 3.5 s: its exact moment was written by code
    // whose cluster classes had other fields (no CLUSTER_SHAPE), so it is refused, naming why.
    const moment = imageToMoment(image);
    expect(moment).toEqual({ reason: 'the saved moment was written by an older version of the playground' });
    const { cluster, planner, epoch } = await resumeFromDisks(store, image);
    // Saving goes on: the migrated chunks are kept, the run's new batches are stored once.
    const next = await flush(planner, store, cluster, epoch);
    expect(next.deleteChunks).toEqual([]);
    await runFlushing(cluster, planner, store, epoch, 6000, 250);
    const again = (await store.load())!;
    expect(again.problems).toEqual([]);
    expect(logBytes(await reopen(again))).toEqual(logBytes(cluster));
    store.close();
  });

  it('opens the frozen schema-3 database (src/storage/fixtures/v3-db.bin.gz: Uint8Array chunks) as it is, and goes on saving Blobs beside them', async () => {
    // Written by the schema-3 code (commit 54af7b6, src/storage/fixtures/write-v3-fixture.ts):
    // the scenario above run to 3.5 s, flushed every 250 ms with the exact moment.
    const { name, dump } = await frozenDatabase<[number, Uint8Array]>('v3-db.bin.gz', 3, 'partitionChunks');
    expect(dump.chunks.every(([, v]) => v instanceof Uint8Array)).toBe(true);
    const v3 = dump.meta.find(([k]) => k === 'manifest')![1] as Manifest;
    const v3Chunks = new Map(dump.chunks);

    const store = await IdbClusterStore.open({ name });
    let raw = await openDB(name);
    expect(raw.version).toBe(DB_VERSION);
    expect([...raw.objectStoreNames].sort()).toEqual(['meta', 'partitionChunks']);
    // Nothing was moved: the schema-3 chunks are the same Uint8Array records.
    expect(((await raw.getAllKeys('partitionChunks')) as number[]).sort((a, b) => a - b)).toEqual(dump.chunks.map(([k]) => k).sort((a, b) => a - b));
    expect(await raw.get('partitionChunks', dump.chunks[0]![0])).toBeInstanceOf(Uint8Array);
    raw.close();
    const image = (await store.load())!;
    expect(image.problems).toEqual([]);
    expect(image.manifest).toEqual(v3);
    // Every log reads back exactly the bytes its ranges name in the schema-3 chunks.
    for (const l of image.logs) {
      const want = Buffer.concat(l.info.refs.map(([id, start, len]) => v3Chunks.get(id)!.subarray(start, start + len)));
      expect(Buffer.from(concatBatches(l.batches))).toEqual(want);
    }
    const { cluster, planner, epoch } = await resumeFromDisks(store, image);
    // Saving goes on: the schema-3 chunks are kept and named, the new batches go into new chunks.
    cluster.runUntil(3750);
    const next = await flush(planner, store, cluster, epoch);
    expect(next.chunks.length).toBeGreaterThan(0);
    raw = await openDB(name);
    expect(await raw.get('partitionChunks', next.chunks[0]!.id)).toEqual(chunkValue(next.chunks[0]!));
    expect(await raw.get('partitionChunks', dump.chunks[0]![0])).toBeInstanceOf(Uint8Array);
    raw.close();
    const mixed = (await store.load())!;
    expect(mixed.problems).toEqual([]);
    expect(logBytes(await reopen(mixed))).toEqual(logBytes(cluster));
    await runFlushing(cluster, planner, store, epoch, 6000, 250);
    const again = (await store.load())!;
    expect(again.problems).toEqual([]);
    expect(logBytes(await reopen(again))).toEqual(logBytes(cluster));
    store.close();
  });

  /** A frozen save whose moment is of cluster shape 4: refused by name; the brokers restart from disks with the saved run's logs byte for byte. */
  async function refusedThenResumedFromDisks(store: IdbClusterStore, image: LoadedImage) {
    expect(imageToMoment(image)).toEqual({ reason: `the saved moment was written by another version of the playground (cluster shape 4, this version reads ${CLUSTER_SHAPE})` });
    const straight = new Cluster(scenario());
    straight.runUntil(3500);
    const resumed = await resumeFromDisks(store, image);
    expect(logBytes(resumed.cluster)).toEqual(logBytes(straight));
    return resumed;
  }

  /** Saving goes on to 5 s; the moment saved then resumes and runs to 8 s as the run that saved it. The saved image, for more checks. */
  async function savedMomentRunsOn(store: IdbClusterStore, cluster: Cluster, planner: FlushPlanner, epoch: number): Promise<LoadedImage> {
    await runFlushing(cluster, planner, store, epoch, 5000, 250);
    const again = (await store.load())!;
    const later = imageToMoment(again);
    if ('reason' in later) throw new Error(later.reason);
    expect(later.cluster.now).toBe(5000);
    const fingerprint = (c: Cluster) => JSON.stringify(c.output()) + JSON.stringify(c.snapshot());
    cluster.runUntil(8000);
    later.cluster.runUntil(8000);
    expect(fingerprint(later.cluster)).toBe(fingerprint(cluster));
    return again;
  }

  it('opens the frozen schema-4 database (src/storage/fixtures/v4-db.bin.gz: a moment naming every batch), refuses its moment of another cluster shape and resumes from its disks', async () => {
    // Written by the schema-4 code (commit dc77588, src/storage/fixtures/write-v4-fixture.ts):
    // the scenario above run to 3.5 s, flushed every 250 ms with the exact moment, whose
    // image named each log batch by a LogBatchRef [broker, tp, baseOffset].
    const { name, dump } = await frozenDatabase<[number, Uint8Array]>('v4-db.bin.gz', 4, 'partitionChunks');
    const v4 = dump.meta.find(([k]) => k === 'manifest')![1] as Manifest;
    expect(imageNodes(v4.moment!.image).filter((n) => n[0] === 'x').every((n) => Array.isArray(n[1]) && typeof (n[1] as unknown[])[0] === 'number')).toBe(true);
    const store = await IdbClusterStore.open({ name });
    const raw = await openDB(name);
    expect(raw.version).toBe(DB_VERSION);
    expect(await raw.get('partitionChunks', dump.chunks[0]![0])).toBeInstanceOf(Blob);
    raw.close();
    const image = (await store.load())!;
    expect(image.problems).toEqual([]);
    expect(image.manifest).toEqual(v4);
    // The moment of schema 4 was written by cluster shape 4; this version's classes have other
    // fields (shape 5), so it is refused, naming why, and the session restarts from its disks,
    // whose logs are the saved run's byte for byte.
    expect(v4.moment!.image.shape).toBe(4);
    const { cluster, planner, epoch } = await refusedThenResumedFromDisks(store, image);
    // It goes on saving in schema 5 (segments named, this shape), and that moment resumes as the run it saved.
    const again = await savedMomentRunsOn(store, cluster, planner, epoch);
    expect(imageNodes(again.manifest.moment!.image).some((n) => n[0] === 'r')).toBe(true);
    expect(again.manifest.moment!.image.shape).toBe(CLUSTER_SHAPE);
    store.close();
  });

  it('opens the frozen schema-5 database (src/storage/fixtures/v5-db.bin.gz: a moment of format 1, cluster shape 4), resumes from its disks, then saves format 2 that resumes exactly', async () => {
    // Written by the schema-5 code (commit d371a15, src/storage/fixtures/write-v5-fixture.ts):
    // the scenario above run to 3.5 s, flushed every 250 ms with the exact moment, a
    // checkpoint image of format 1 (structured-clone nodes) naming each segment's batches.
    const { name, dump } = await frozenDatabase<[number, Uint8Array]>('v5-db.bin.gz', 5, 'partitionChunks');
    const v5 = dump.meta.find(([k]) => k === 'manifest')![1] as Manifest;
    expect(v5.moment!.image.format).toBe(1);
    expect(imageNodes(v5.moment!.image).some((n) => n[0] === 'r')).toBe(true);
    const store = await IdbClusterStore.open({ name });
    const raw = await openDB(name);
    expect(raw.version).toBe(DB_VERSION);
    raw.close();
    const image = (await store.load())!;
    expect(image.problems).toEqual([]);
    expect(image.manifest).toEqual(v5);
    // Its format-1 moment decodes, but was written by cluster shape 4 (this version's is 5):
    // refused by name, and the brokers restart from their disks with every log as saved.
    expect(v5.moment!.image.shape).toBe(4);
    const { cluster, planner, epoch } = await refusedThenResumedFromDisks(store, image);
    // It goes on saving in schema 6 (a compact image, format 2), and that moment resumes exactly.
    const again = await savedMomentRunsOn(store, cluster, planner, epoch);
    const compact = again.manifest.moment!.image;
    expect(compact.format).toBe(2);
    if (compact.format !== 2) throw new Error('not compact');
    expect(compact.nodes).toBeInstanceOf(Int32Array);
    expect(imageNodes(compact).some((n) => n[0] === 'r')).toBe(true);
    store.close();
  });

  it('a database from a newer version is reported unreadable, and can be reset', async () => {
    const name = freshName();
    const newer = await openDB(name, DB_VERSION + 1, {
      upgrade(db) {
        db.createObjectStore('future');
      },
    });
    newer.close();
    await expect(IdbClusterStore.open({ name })).rejects.toBeInstanceOf(StorageUnreadableError);
    await deleteIdbDatabase(name);
    const store = await IdbClusterStore.open({ name });
    expect(await store.load()).toBeNull();
    store.close();
  });

  it('an image of an unknown cluster format is reported unreadable', async () => {
    const store = new MemoryClusterStore();
    const epoch = await store.claim();
    const cluster = new Cluster(scenario());
    cluster.runUntil(500);
    const planned = new FlushPlanner().plan(cluster, 0);
    (planned.plan.manifest.cluster as { format: number }).format = 42;
    await store.write(planned.plan, epoch);
    const image = await store.load();
    expect(() => imageToDurableState(image!)).toThrow(StorageUnreadableError);
  });

  it('a manifest that is not one is reported unreadable', async () => {
    const name = freshName();
    const store = await IdbClusterStore.open({ name });
    const raw = await openDB(name, DB_VERSION);
    await raw.put('meta', 'garbage', 'manifest');
    raw.close();
    await expect(store.load()).rejects.toBeInstanceOf(StorageUnreadableError);
    await store.clear();
    expect(await store.load()).toBeNull();
    store.close();
  });
});

/** Lets the promise chains a resolved write or a fired timer started run to their end (microtasks, then one task). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
}

/** Fake wall clock and timers for the persister. */
function fakeTimers() {
  let now = 1_700_000_000_000;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let id = 0;
  return {
    wallNow: () => now,
    setTimer: (fn: () => void, ms: number) => {
      timers.set(++id, { at: now + ms, fn });
      return id;
    },
    clearTimer: (h: unknown) => void timers.delete(h as number),
    /** Advance wall time, running due timers and letting promises settle. */
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
        await settle();
      }
      now = end;
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}

/** A store that hands every call to `inner`; the stores below change only how writes go. */
class StoreWrapper implements ClusterStore {
  constructor(readonly inner: MemoryClusterStore) {}
  claim() {
    return this.inner.claim();
  }
  load() {
    return this.inner.load();
  }
  write(plan: FlushPlan, epoch: number, _urgent = false) {
    return this.inner.write(plan, epoch);
  }
  clear() {
    return this.inner.clear();
  }
  usage() {
    return this.inner.usage();
  }
  close() {}
}

/** A store that fails writes with the browser's QuotaExceededError while `full` is set. */
class FullDisk extends StoreWrapper {
  full = false;
  override async write(plan: FlushPlan, epoch: number) {
    if (this.full) throw new StorageQuotaError(undefined, { cause: new DOMException('The quota has been exceeded.', 'QuotaExceededError') });
    return this.inner.write(plan, epoch);
  }
}

describe('persister', () => {
  it('flushes at most every 100 ms of wall time, one transaction per flush, never one per record', async () => {
    const t = fakeTimers();
    const store = new MemoryClusterStore();
    const cluster = new Cluster(scenario());
    const persister = new Persister({ store, planner: new FlushPlanner(), ownerEpoch: await store.claim(), cluster: () => cluster, ...t });
    for (let i = 0; i < 100; i++) {
      cluster.runUntil(cluster.now + 10);
      persister.requestFlush();
      await t.advance(10);
    }
    // 1 s of wall time, 100 changes: about 10 flushes.
    expect(store.writes).toBeGreaterThanOrEqual(9);
    expect(store.writes).toBeLessThanOrEqual(11);
    await persister.flushNow();
    expect(logBytes(await reopen(await store.load()))).toEqual(logBytes(cluster));
  });

  it('on QuotaExceededError says so, keeps the cluster running in memory, and resumes saving once space is freed', async () => {
    const t = fakeTimers();
    const disk = new FullDisk(new MemoryClusterStore());
    const statuses: PersistStatus[] = [];
    const cluster = new Cluster(scenario());
    const persister = new Persister(
      { store: disk, planner: new FlushPlanner(), ownerEpoch: await disk.claim(), cluster: () => cluster, onStatus: (s) => statuses.push(s), ...t },
      { retryMs: 5000 },
    );
    cluster.runUntil(500);
    persister.requestFlush();
    await t.advance(200);
    expect(persister.status.state).toBe('saving');
    disk.full = true;
    for (let i = 0; i < 20; i++) {
      cluster.runUntil(cluster.now + 100);
      persister.requestFlush();
      await t.advance(100);
    }
    expect(persister.status.state).toBe('quota');
    expect((persister.status as { message: string }).message).toMatch(/no more storage space/);
    expect(statuses.filter((s) => s.state === 'quota')).toHaveLength(1);
    // The run went on in memory.
    expect(cluster.now).toBe(2500);
    expect((await disk.load())!.manifest.timeMs).toBe(500);
    // Space freed: the retry writes everything since the last good flush.
    disk.full = false;
    persister.retry();
    await t.advance(10);
    expect(persister.status.state).toBe('saving');
    expect(logBytes(await reopen(await disk.load()))).toEqual(logBytes(cluster));
  });

  /** A run of 8 s planned for its first flush, and that plan's chunks large enough to be Blobs (at least one). */
  function planWithLargeChunks() {
    const cluster = new Cluster(scenario());
    cluster.runUntil(8000);
    const planned = new FlushPlanner().plan(cluster, 0);
    const large = planned.plan.chunks.filter((c) => c.size >= INLINE_CHUNK_BYTES);
    expect(large.length).toBeGreaterThan(0);
    return { cluster, planned, large };
  }

  /** Each large chunk is stored as a Blob of exactly its batches, and the store reopens as the run. */
  async function expectLargeChunksStored(name: string, store: IdbClusterStore, large: ChunkWrite[], cluster: Cluster): Promise<void> {
    const raw = await openDB(name, DB_VERSION);
    for (const c of large) {
      const v: unknown = await raw.get('partitionChunks', c.id);
      expect(v).toBeInstanceOf(Blob);
      expect(Buffer.from((await chunkBytes(v))!)).toEqual(Buffer.from(concatBatches(c.batches)));
    }
    raw.close();
    const image = (await store.load())!;
    expect(image.problems).toEqual([]);
    expect(logBytes(await reopen(image))).toEqual(logBytes(cluster));
    store.close();
  }

  it('builds no Blob of batches within the call: large chunks are streamed into Blobs after it returns, then stored with the manifest in one transaction', async () => {
    const name = freshName();
    let queued = 0;
    const store = await IdbClusterStore.open({ name, beforeManifest: () => queued++ });
    const epoch = await store.claim();
    const { cluster, planned, large } = planWithLargeChunks();
    // Every Blob constructed on this thread while write() runs synchronously (new Blob(batches) copies them all then).
    const RealBlob = globalThis.Blob;
    let constructed = 0;
    globalThis.Blob = new Proxy(RealBlob, {
      construct(target, args: ConstructorParameters<typeof Blob>) {
        constructed++;
        return new target(...args);
      },
    });
    let written: Promise<void>;
    try {
      written = store.write(planned.plan, epoch);
    } finally {
      globalThis.Blob = RealBlob;
    }
    expect(constructed).toBe(0);
    expect(queued).toBe(0);
    await written;
    planned.commit();
    expect(queued).toBe(1);
    await expectLargeChunksStored(name, store, large, cluster);
  });

  it('an urgent write (the page is going away) queues its whole transaction within the call, Blobs built there, and stores the same bytes', async () => {
    const name = freshName();
    let queued = 0;
    const store = await IdbClusterStore.open({ name, beforeManifest: () => queued++ });
    const epoch = await store.claim();
    const { cluster, planned, large } = planWithLargeChunks();
    const written = store.write(planned.plan, epoch, true);
    // The manifest's put is queued before write() returns: no await came before the transaction.
    expect(queued).toBe(1);
    await written;
    planned.commit();
    await expectLargeChunksStored(name, store, large, cluster);
  });

  it('a clear, claim or load asked for while a write builds its chunks comes after that write, as if it had been queued within the call', async () => {
    const { store, epoch, cluster, planner } = await openFlushing();
    await runFlushing(cluster, planner, store, epoch, 1000, 1000);
    cluster.runUntil(8000);
    const first = planner.plan(cluster, 0);
    expect(first.plan.chunks.some((c) => c.size >= INLINE_CHUNK_BYTES)).toBe(true);
    await expectClearClaimLoadAfterWrites(store, epoch, first.plan, cluster, 0, 8000);
    store.close();
  });

  it('a chunk whose value cannot be built stores nothing of its flush (the previous image stays whole)', async () => {
    const { name, store, epoch, cluster, planner } = await openFlushing();
    await runFlushing(cluster, planner, store, epoch, 1000, 1000);
    cluster.runUntil(8000);
    const planned = planner.plan(cluster, 0);
    const i = planned.plan.chunks.findIndex((c) => c.size >= INLINE_CHUNK_BYTES);
    expect(i).toBeGreaterThanOrEqual(0);
    // A chunk whose batches fall one byte short of its size: its Blob is refused, after the other chunks' were built.
    const chunks = planned.plan.chunks.map((c, k) => (k === i ? { ...c, size: c.size + 1 } : c));
    await expect(store.write({ ...planned.plan, chunks }, epoch)).rejects.toBeInstanceOf(StorageError);
    const raw = await openDB(name, DB_VERSION);
    for (const c of chunks) expect(await raw.get('partitionChunks', c.id)).toBeUndefined();
    raw.close();
    const image = (await store.load())!;
    expect(image.manifest.timeMs).toBe(1000);
    expect(image.problems).toEqual([]);
    store.close();
  });

  it('maps IndexedDB QuotaExceededError to a quota failure and keeps the previous image', async () => {
    const name = freshName();
    let fail = false;
    const store = await IdbClusterStore.open({
      name,
      beforeManifest: () => {
        if (fail) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      },
    });
    const epoch = await store.claim();
    const cluster = new Cluster(scenario());
    const planner = new FlushPlanner();
    await runFlushing(cluster, planner, store, epoch, 1000, 500);
    fail = true;
    cluster.runUntil(1500);
    await expect(store.write(planner.plan(cluster, 0).plan, epoch)).rejects.toBeInstanceOf(StorageQuotaError);
    expect((await store.load())!.manifest.timeMs).toBe(1000);
    store.close();
  });
});

describe('two writers', () => {
  it('the tab that claimed the database last is the only one that can write; the other is fenced', async () => {
    const name = freshName();
    const a = await IdbClusterStore.open({ name });
    const b = await IdbClusterStore.open({ name });
    const ea = await a.claim();
    const ca = new Cluster(scenario());
    const pa = new FlushPlanner();
    await runFlushing(ca, pa, a, ea, 1000, 500);
    const eb = await b.claim();
    expect(eb).toBe(ea + 1);
    ca.runUntil(1500);
    await expect(a.write(pa.plan(ca, 0).plan, ea)).rejects.toBeInstanceOf(StorageFencedError);
    // The new owner reads what A had committed and carries on.
    const restored = await reopen(await b.load());
    expect(restored.now).toBe(1000);
    const pb = new FlushPlanner();
    await flush(pb, b, restored, eb);

    const t = fakeTimers();
    const statuses: PersistStatus[] = [];
    const persister = new Persister({ store: a, planner: pa, ownerEpoch: ea, cluster: () => ca, onStatus: (s) => statuses.push(s), ...t });
    persister.requestFlush();
    await t.advance(200);
    expect(persister.status.state).toBe('fenced');
    persister.requestFlush();
    await t.advance(1000);
    expect(statuses).toHaveLength(1);
    expect((await b.load())!.manifest.timeMs).toBe(1000);
    a.close();
    b.close();
  });
});

describe('persister: how often it flushes', () => {
  /**
   * Flush starts (wall ms) over 3 s of a run that changes every 10 ms; the n-th plan costs
   * `planMs(n)` of the worker's time and each store write call `writeMs` synchronously.
   */
  async function flushStarts(planMs: (n: number) => number, writeMs = 0): Promise<number[]> {
    const t = fakeTimers();
    let spent = 0;
    const wallNow = () => t.wallNow() + spent;
    const inner = new FlushPlanner();
    const starts: number[] = [];
    const planner = {
      plan(c: Cluster, at: number) {
        starts.push(wallNow());
        const planned = inner.plan(c, at);
        spent += planMs(starts.length - 1); // the plan's synchronous work, as the worker's clock sees it
        return planned;
      },
    } as unknown as FlushPlanner;
    class SlowCallStore extends StoreWrapper {
      override write(plan: FlushPlan, epoch: number, urgent = false) {
        spent += writeMs; // copying the batches out before the call returns
        return this.inner.write(plan, epoch, urgent);
      }
    }
    const store = new SlowCallStore(new MemoryClusterStore());
    const cluster = new Cluster(scenario());
    const persister = new Persister({ store, planner, ownerEpoch: await store.claim(), cluster: () => cluster, ...t, wallNow });
    for (let ms = 10; ms <= 3000; ms += 10) {
      cluster.runUntil(ms);
      persister.requestFlush();
      await t.advance(10);
    }
    return starts;
  }
  const gaps = (s: number[]) => s.slice(1).map((x, i) => x - s[i]!);

  it(`plans that cost the worker much are followed by ${Math.round(1 / PLAN_SHARE) - 1} times their cost; cheap ones by minIntervalMs`, async () => {
    const costly = await flushStarts(() => 30);
    // The first flush is followed at minIntervalMs (one plan's time is not yet a steady cost).
    expect(gaps(costly)[0]).toBeLessThan(30 / PLAN_SHARE);
    for (const g of gaps(costly).slice(1)) expect(g).toBeGreaterThanOrEqual(30 / PLAN_SHARE);
    expect(costly.length).toBeGreaterThanOrEqual(9); // still saving: about every 300 ms over 3 s
    const cheap = await flushStarts(() => 2);
    for (const g of gaps(cheap)) expect(g).toBeGreaterThanOrEqual(100);
    expect(cheap.length).toBeGreaterThanOrEqual(25);
  });

  it('one slow plan (a collection, a busy core) does not hold the next flush back', async () => {
    const starts = await flushStarts((n) => (n === 5 ? 60 : 2));
    const g = gaps(starts);
    // After the slow sixth plan: the next flush still comes at minIntervalMs (+ the plan itself), not 600 ms on.
    expect(g[5]).toBeLessThan(200);
    expect(starts.length).toBeGreaterThanOrEqual(25);
  });

  it("the store's copying out of the bytes does not space flushes (it is work a byte, however they are grouped)", async () => {
    const starts = await flushStarts(() => 2, 30);
    for (const g of gaps(starts)) expect(g).toBeLessThan(30 / PLAN_SHARE);
    expect(starts.length).toBeGreaterThanOrEqual(20);
  });
});

describe('persister: the next flush when a write settles', () => {
  /** A store whose writes settle when the test says. */
  class GatedStore extends StoreWrapper {
    readonly held: (() => void)[] = [];
    /** Each write's `urgent` flag, in call order. */
    readonly urgent: boolean[] = [];
    override async write(plan: FlushPlan, epoch: number, urgent = false) {
      this.urgent.push(urgent);
      await new Promise<void>((r) => this.held.push(r));
      await this.inner.write(plan, epoch);
    }
  }

  /** A persister whose first write is in flight, with the run moved on past the flush spacing (the next flush is due). */
  async function writeInFlightAndNextDue() {
    const t = fakeTimers();
    const disk = new GatedStore(new MemoryClusterStore());
    const cluster = new Cluster(scenario());
    const persister = new Persister({ store: disk, planner: new FlushPlanner(), ownerEpoch: await disk.claim(), cluster: () => cluster, ...t });
    cluster.runUntil(500);
    persister.requestFlush();
    await t.advance(0);
    expect(disk.held).toHaveLength(1);
    // Changes while the write is in flight, which outlasts the 100 ms spacing.
    cluster.runUntil(1000);
    persister.requestFlush();
    await t.advance(150);
    return { t, disk, cluster, persister };
  }

  it('a flush already due when the write in flight settles starts there, not from a timer; one not yet due waits for its timer', async () => {
    const { t, disk, cluster, persister } = await writeInFlightAndNextDue();
    expect(disk.held).toHaveLength(1);
    // Settled: the next write starts without any timer running (wall time does not move).
    disk.held[0]!();
    await settle();
    expect(disk.held).toHaveLength(2);
    // Settled within the spacing: the next one waits for its timer.
    cluster.runUntil(1500);
    persister.requestFlush();
    disk.held[1]!();
    await settle();
    expect(disk.held).toHaveLength(2);
    await t.advance(100);
    expect(disk.held).toHaveLength(3);
    let finished = false;
    const done = persister.flushNow().then(() => void (finished = true));
    for (let k = 0; k < 50 && !finished; k++) {
      for (const h of disk.held) h();
      await new Promise((r) => setTimeout(r, 0));
    }
    await done;
    expect(persister.status.state).toBe('saving');
    expect(logBytes(await reopen(await disk.load()))).toEqual(logBytes(cluster));
  });

  it('an urgent flushNow goes right after the write in flight, never behind another ordinary write', async () => {
    const { disk, cluster, persister } = await writeInFlightAndNextDue();
    // The page is going away: the urgent write is the next one, once the one in flight settles.
    const done = persister.flushNow(true);
    disk.held[0]!();
    await settle();
    expect(disk.urgent).toEqual([false, true]);
    disk.held[1]!();
    await done;
    expect(persister.status.state).toBe('saving');
    expect(logBytes(await reopen(await disk.load()))).toEqual(logBytes(cluster));
  });
});
