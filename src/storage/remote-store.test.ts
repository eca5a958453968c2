/**
 * The IO worker's protocol (remote-store.ts) under Node: the cluster side and the IO side
 * joined by a MessageChannel, both on fake-indexeddb. What is stored is what IdbClusterStore
 * stores for the same plans; slabs go back to the pool; a fenced write stores nothing;
 * claim, clear and load come after the writes in flight; an urgent write is queued within
 * the call; a version change closes both connections.
 */
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster } from '../kafka/cluster';
import { expectClearClaimLoadAfterWrites } from './fixtures/ordering';
import { scenario } from './fixtures/scenario';
import { FlushPlanner } from './flush-planner';
import { chunkBytes, DB_VERSION, IdbClusterStore, INLINE_CHUNK_BYTES } from './idb-store';
import { BufferPool, ioError, packPlan, RemoteClusterStore, serveIo, storageError, unpackPlan, type PortLike } from './remote-store';
import { StorageError, StorageFencedError, StorageQuotaError, type FlushPlan } from './types';

let dbCount = 0;
const freshName = () => `kafka-playground-remote-test-${++dbCount}`;
const channels: MessageChannel[] = [];

afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

/** A remote store whose IO side runs in this process, on the other end of a MessageChannel. */
async function openRemote(name: string, opts: { pool?: BufferPool; onVersionChange?: () => void; beforeManifest?: (tx: IDBTransaction) => void } = {}) {
  const channel = new MessageChannel();
  channels.push(channel);
  let ioStore: IdbClusterStore | null = null;
  serveIo(channel.port2 as unknown as PortLike, async (o) => (ioStore = await IdbClusterStore.open(o)));
  const store = await RemoteClusterStore.open(channel.port1 as unknown as PortLike, { name, ...opts });
  return { store, ioStore: () => ioStore! };
}

/** Everything a database holds: its meta records and each chunk as [type, bytes]. */
async function dump(name: string) {
  const db = await openDB(name, DB_VERSION);
  const meta = new Map<string, unknown>();
  for (const k of await db.getAllKeys('meta')) meta.set(String(k), await db.get('meta', k));
  const chunks = new Map<number, [string, string]>();
  for (const k of await db.getAllKeys('partitionChunks')) {
    const v: unknown = await db.get('partitionChunks', k);
    chunks.set(k as number, [v instanceof Blob ? 'Blob' : (v as object).constructor.name, Buffer.from((await chunkBytes(v))!).toString('base64')]);
  }
  db.close();
  return { meta, chunks };
}

const wall = (c: Cluster) => 1_700_000_000_000 + c.now;

describe('IO worker store (remote-store.ts)', () => {
  it('stores what IdbClusterStore stores for the same plans, byte for byte, Blobs and inline chunks alike', async () => {
    const direct = freshName();
    const remote = freshName();
    const a = await IdbClusterStore.open({ name: direct });
    const { store: b } = await openRemote(remote, { pool: new BufferPool(64 * 1024, 8) });
    const [ea, eb] = [await a.claim(), await b.claim()];
    expect(ea).toBe(eb);
    const cluster = new Cluster(scenario());
    const pa = new FlushPlanner();
    const pb = new FlushPlanner();
    let large = 0;
    for (const until of [500, 1500, 4000, 8000]) {
      cluster.runUntil(until);
      const x = pa.plan(cluster, wall(cluster));
      const y = pb.plan(cluster, wall(cluster));
      large += y.plan.chunks.filter((c) => c.size >= INLINE_CHUNK_BYTES).length;
      await Promise.all([a.write(x.plan, ea), b.write(y.plan, eb)]);
      x.commit();
      y.commit();
    }
    expect(large).toBeGreaterThan(0);
    a.close();
    b.close();
    const [da, db] = [await dump(direct), await dump(remote)];
    expect(db.chunks.size).toBeGreaterThan(0);
    expect([...db.chunks.values()].some(([t]) => t === 'Blob')).toBe(true);
    expect([...db.chunks.values()].some(([t]) => t === 'Uint8Array')).toBe(true);
    expect(db.chunks).toEqual(da.chunks);
    expect(db.meta).toEqual(da.meta);
  });

  it('packs a plan into slabs (batches straddling them) and unpacks the same bytes', () => {
    const cluster = new Cluster(scenario());
    cluster.runUntil(3000);
    const { plan } = new FlushPlanner().plan(cluster, 0);
    const pool = new BufferPool(4096, 100);
    const { packed, slabs } = packPlan(plan, pool);
    expect(slabs.length).toBeGreaterThan(1);
    const back = unpackPlan(packed, slabs);
    const bytesOf = (p: FlushPlan) => p.chunks.map((c) => [c.id, c.size, Buffer.concat(c.batches.map((x) => Buffer.from(x))).toString('base64')]);
    expect(bytesOf(back)).toEqual(bytesOf(plan));
    expect(back.manifest).toBe(plan.manifest);
  });

  it('hands the slabs back to the pool when the IO worker committed: the next flushes take no new ones', async () => {
    const pool = new BufferPool(64 * 1024, 64);
    const { store } = await openRemote(freshName(), { pool });
    const epoch = await store.claim();
    const cluster = new Cluster(scenario());
    const planner = new FlushPlanner();
    cluster.runUntil(4000);
    const first = planner.plan(cluster, wall(cluster));
    const written = store.write(first.plan, epoch);
    // Transferred: the pool holds none of this flush's slabs until the answer.
    const out = pool.made + pool.warmed - pool.size;
    expect(out).toBeGreaterThan(1);
    await written;
    first.commit();
    // Every slab came back, and the warm ones asked for arrived (touched by the IO side).
    await new Promise((r) => setTimeout(r, 20));
    expect(pool.warmed).toBeGreaterThan(0);
    expect(pool.size).toBe(pool.made + pool.warmed);
    const made = pool.made;
    for (const until of [4100, 4200, 4300]) {
      cluster.runUntil(until);
      const p = planner.plan(cluster, wall(cluster));
      await store.write(p.plan, epoch);
      p.commit();
    }
    expect(pool.made).toBe(made);
    store.close();
  });

  it('a fenced write rejects with StorageFencedError and stores nothing; its slabs still come back', async () => {
    const name = freshName();
    const pool = new BufferPool(64 * 1024, 64);
    const { store } = await openRemote(name, { pool });
    const epoch = await store.claim();
    const cluster = new Cluster(scenario());
    const planner = new FlushPlanner();
    cluster.runUntil(1000);
    const first = planner.plan(cluster, wall(cluster));
    await store.write(first.plan, epoch);
    first.commit();
    const before = await dump(name);
    // Another tab takes over.
    const other = await IdbClusterStore.open({ name });
    expect(await other.claim()).toBe(epoch + 1);
    cluster.runUntil(5000);
    const next = planner.plan(cluster, wall(cluster));
    const err = await store.write(next.plan, epoch).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageFencedError);
    expect((err as StorageFencedError).message).toBe(new StorageFencedError(epoch, epoch + 1).message);
    const after = await dump(name);
    expect(after.chunks).toEqual(before.chunks);
    expect((after.meta.get('manifest') as { flushSeq: number }).flushSeq).toBe((before.meta.get('manifest') as { flushSeq: number }).flushSeq);
    await new Promise((r) => setTimeout(r, 20));
    expect(pool.size).toBe(pool.made + pool.warmed);
    other.close();
    store.close();
  });

  it('errors cross as the same classes and messages (quota, fenced, others)', () => {
    const q = storageError(ioError(new StorageQuotaError()));
    expect(q).toBeInstanceOf(StorageQuotaError);
    expect(q.message).toBe(new StorageQuotaError().message);
    const f = storageError(ioError(new StorageFencedError(3, 4)));
    expect(f).toBeInstanceOf(StorageFencedError);
    expect([(f as StorageFencedError).ownerEpoch, (f as StorageFencedError).currentEpoch]).toEqual([3, 4]);
    const o = storageError(ioError(new StorageError('IndexedDB: AbortError: gone')));
    expect(o).toBeInstanceOf(StorageError);
    expect(o).not.toBeInstanceOf(StorageQuotaError);
    expect(o.message).toBe('IndexedDB: AbortError: gone');
  });

  it('a clear, claim or load asked for while a write is with the IO worker comes after that write', async () => {
    const { store } = await openRemote(freshName());
    const epoch = await store.claim();
    const cluster = new Cluster(scenario());
    cluster.runUntil(8000);
    await expectClearClaimLoadAfterWrites(store, epoch, new FlushPlanner().plan(cluster, wall(cluster)).plan, cluster, wall(cluster), 8000);
    store.close();
  });

  it('the IO worker stopping after the open: the write it held rejects, later writes go to this connection and land', async () => {
    const name = freshName();
    const channel = new MessageChannel();
    channels.push(channel);
    serveIo(channel.port2 as unknown as PortLike, (o) => IdbClusterStore.open(o));
    let stop!: () => void;
    const failed = new Promise<void>((resolve) => (stop = resolve));
    const store = await RemoteClusterStore.open(channel.port1 as unknown as PortLike, { name }, failed);
    const epoch = await store.claim();
    // The IO side goes silent (a worker that died answers nothing), then its error arrives.
    channel.port2.onmessage = null;
    const cluster = new Cluster(scenario());
    cluster.runUntil(4000);
    const planner = new FlushPlanner();
    const held = planner.plan(cluster, wall(cluster));
    const heldWrite = store.write(held.plan, epoch);
    stop();
    await expect(heldWrite).rejects.toThrow(/IO worker stopped/);
    await expect(heldWrite).rejects.toBeInstanceOf(StorageError);
    // Not committed: the next plan carries the same batches again, written on this worker's connection.
    cluster.runUntil(6000);
    const next = planner.plan(cluster, wall(cluster));
    await store.write(next.plan, epoch);
    next.commit();
    const loaded = await store.load();
    expect(loaded!.manifest.timeMs).toBe(6000);
    expect(loaded!.logs.some((l) => l.batches.length > 0)).toBe(true);
    expect(loaded!.logs.every((l) => l.cut === null)).toBe(true);
    store.close();
  });

  it('an urgent write is queued on this connection within the call, and stores the same bytes', async () => {
    const name = freshName();
    let queued = 0;
    const { store } = await openRemote(name, { beforeManifest: () => queued++ });
    const epoch = await store.claim();
    const cluster = new Cluster(scenario());
    cluster.runUntil(8000);
    const planned = new FlushPlanner().plan(cluster, wall(cluster));
    const written = store.write(planned.plan, epoch, true);
    expect(queued).toBe(1);
    await written;
    const image = (await store.load())!;
    expect(image.manifest.timeMs).toBe(8000);
    expect(image.problems).toEqual([]);
    store.close();
  });

  it('a newer version opened elsewhere closes both connections and says so once; later writes fail', async () => {
    const name = freshName();
    let changed = 0;
    const { store } = await openRemote(name, { onVersionChange: () => changed++ });
    const epoch = await store.claim();
    const newer = await openDB(name, DB_VERSION + 1);
    expect(changed).toBe(1);
    newer.close();
    const cluster = new Cluster(scenario());
    cluster.runUntil(500);
    await expect(store.write(new FlushPlanner().plan(cluster, 0).plan, epoch)).rejects.toBeInstanceOf(StorageError);
    store.close();
  });
});
