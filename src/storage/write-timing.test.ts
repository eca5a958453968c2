/**
 * IdbStoreOptions.onWritten (what the browser benchmark's flush timeline reads): once per
 * committed write, with that write's chunks and bytes and where its wall time went; never
 * for a write that did not commit.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { Cluster } from '../kafka/cluster';
import { scenario } from './fixtures/scenario';
import { FlushPlanner } from './flush-planner';
import { IdbClusterStore, type WriteTiming } from './idb-store';
import { StorageFencedError } from './types';

describe('write timings', () => {
  it('one per committed write (its chunks, its bytes, build and transaction ms); none for a fenced one', async () => {
    const seen: WriteTiming[] = [];
    const name = 'kafka-playground-write-timing';
    const store = await IdbClusterStore.open({ name, onWritten: (w) => seen.push(w) });
    const epoch = await store.claim();
    const cluster = new Cluster(scenario());
    const planner = new FlushPlanner();
    const sizes: [number, number][] = [];
    for (const until of [1000, 2000]) {
      cluster.runUntil(until);
      const planned = planner.plan(cluster, until);
      await store.write(planned.plan, epoch);
      planned.commit();
      sizes.push([planned.plan.chunks.length, planned.plan.chunks.reduce((n, c) => n + c.size, 0)]);
    }
    expect(seen.map((w) => [w.chunks, w.bytes])).toEqual(sizes);
    for (const [chunks, bytes] of sizes) {
      expect(chunks).toBeGreaterThan(0);
      expect(bytes).toBeGreaterThan(0);
    }
    for (const w of seen) {
      expect(w.buildMs).toBeGreaterThanOrEqual(0);
      expect(w.txMs).toBeGreaterThanOrEqual(0);
    }
    // Another tab claimed the database: this write is refused and reports nothing.
    const other = await IdbClusterStore.open({ name });
    await other.claim();
    cluster.runUntil(3000);
    await expect(store.write(planner.plan(cluster, 3000).plan, epoch)).rejects.toBeInstanceOf(StorageFencedError);
    expect(seen).toHaveLength(2);
    other.close();
    store.close();
  });
});
