/**
 * The brokers' disks in the browser: a ClusterStore on IndexedDB (through `idb`), written
 * from the cluster worker.
 *
 * Schema, version 6 (DB_VERSION; do not change a store or a key without a migration):
 * - `meta`            (out-of-line string keys): 'manifest' → Manifest, 'scenario' → {rev, doc},
 *                     'owner' → {epoch}: the fencing token of the tab that writes;
 * - `partitionChunks` (key: chunk id, a number) → whole batches of one partition, shared
 *                     by every replica log whose ranges name it: a Blob from 64 KiB up, a
 *                     Uint8Array below (chunkValue; both are read in every version).
 *
 * Version 6 changes only how the manifest's exact moment is encoded: a checkpoint image of
 * format 2 (kafka/checkpoint.ts CompactImage: its nodes as one Int32Array, its strings as one
 * JSON text, its bytes as one Uint8Array, so IndexedDB's synchronous structured clone of
 * the manifest copies three flat values instead of walking thousands of small objects on
 * every flush), and a batch a producer holds in flight is named by its leader's stored copy
 * (a 'like' token, storage/moment.ts) instead of being written again. Format-1 moments
 * (schemas 4 and 5) are still read; nothing is moved. The
 * version changes so that a tab of version 5, which cannot read format 2, is refused
 * ("written by a newer version") instead of restarting the brokers from their disks.
 *
 * Version 5 changed only how the manifest's exact moment (Manifest.moment) names the logs'
 * batches: by segment, one token for a segment's batches (storage/moment.ts), where version 4
 * named every batch by a LogBatchRef [broker, tp, baseOffset] (still read: a version-4 moment
 * resumes as saved). Nothing is moved by the upgrade; the version changes so that a tab of
 * version 4, which cannot read the new tokens, is refused ("written by a newer version")
 * instead of falling back to restarting the brokers from their disks.
 *
 * Version 3 stored the same chunks as Uint8Array values. A Blob is built from the batches
 * themselves (one copy, no concatenation, no serialization of the bytes on the worker), so
 * version 4 only changes the values' type: chunks written by version 3 stay as they are
 * and are read as before (`chunkBytes` takes both); the upgrade moves nothing. The version
 * still changes so that a tab of version 3, which would take a Blob for a missing chunk,
 * cannot open a database that holds them ("written by a newer version").
 *
 * Version 2 kept a copy per replica: `chunks` (key [broker, "topic-partition", firstOffset])
 * and manifest logs listing `chunks: [firstOffset, bytes][]`. `upgrade` gives each stored
 * chunk an id in `partitionChunks` and each log the ranges [id, 0, bytes] (nothing is
 * merged: replicas' old copies stay until retention or a rewrite lets them go).
 * Version 1 was the first prototype's layout: one `state` store holding a single record,
 * 'current' → {format, timeMs, savedAtWallMs, cluster, scenario, logs: [{info, segments}]},
 * the whole image rewritten on every save. `upgrade` turns it into chunks and a manifest.
 *
 * A flush first builds its chunks' values (large ones streamed into Blobs, streamedChunkValue),
 * then writes everything in one readwrite transaction over both stores, which first checks the owner
 * epoch: a tab that lost ownership (Web Locks stolen) cannot commit anything after the
 * new owner claimed the database, even with a write already in flight.
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import { assembleImage, usageOf } from './memory-store';
import {
  isQuotaError,
  StorageError,
  StorageFencedError,
  StorageQuotaError,
  StorageUnreadableError,
  type ClusterStore,
  type FlushPlan,
  type LoadedImage,
  type ChunkRange,
  type ChunkWrite,
  type LogInfo,
  type Manifest,
  type ManifestLog,
  type StoreUsage,
} from './types';

export const DB_NAME = 'kafka-playground';
export const DB_VERSION = 6;

/** A stored chunk: a Blob since schema 4, a Uint8Array before (both are read). */
export type ChunkValue = Blob | Uint8Array | ArrayBuffer;

interface PlaygroundDB extends DBSchema {
  meta: { key: string; value: unknown };
  partitionChunks: { key: number; value: ChunkValue };
}

/**
 * Chromium wraps an IndexedDB value over 64 KiB in a Blob of its own (Blink's
 * IDBValueWrapper threshold); below it the bytes are stored inline.
 */
export const INLINE_CHUNK_BYTES = 64 * 1024;

/**
 * What a chunk is stored as. A large chunk: one Blob made from the batches themselves, the
 * only copy of its bytes on this thread (a Uint8Array would be concatenated, serialized,
 * then wrapped in a Blob by the browser anyway). A small one (a busy cluster of many
 * partitions writes hundreds of them a flush, of a few batches each): the batches copied
 * into one Uint8Array, stored inline. A Blob per small chunk cost the worker a fifth of its
 * time at 50 brokers x 1,000 partitions (each Blob is registered with the browser process);
 * readers take both (chunkBytes).
 */
export function chunkValue(c: Pick<ChunkWrite, 'batches' | 'size'>): ChunkValue {
  if (c.size >= INLINE_CHUNK_BYTES && typeof Blob !== 'undefined') return new Blob(c.batches as Uint8Array<ArrayBuffer>[]);
  const bytes = new Uint8Array(c.size);
  let at = 0;
  for (const b of c.batches) {
    bytes.set(b, at);
    at += b.length;
  }
  return bytes;
}

/**
 * chunkValue, with a large chunk's Blob built from a stream of its batches instead of by the
 * Blob constructor. `new Blob(batches)` copies every byte into fresh memory on the calling
 * thread before it returns (in a Chromium worker a flush of 30 MB at 200,000 records/s held
 * the cluster's thread 0.5-1 s: first touches of fresh pages, which are slow on a VM); a
 * Response read from a ReadableStream of the same views hands them to the browser through
 * a data pipe, a few at a time, while the thread goes on running the cluster. The batches
 * are immutable views, so what is read later is what the plan named. Same value as
 * chunkValue (a Blob of the same bytes, or the same Uint8Array below 64 KiB): what is
 * stored does not change. Where Response or ReadableStream are missing, chunkValue.
 */
export async function streamedChunkValue(c: Pick<ChunkWrite, 'batches' | 'size'>): Promise<ChunkValue> {
  if (c.size < INLINE_CHUNK_BYTES || typeof Blob === 'undefined' || typeof Response === 'undefined' || typeof ReadableStream === 'undefined') return chunkValue(c);
  const batches = c.batches;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      // References only: the views are read (copied) as the other end drains them.
      for (const b of batches) if (b.length > 0) controller.enqueue(b);
      controller.close();
    },
  });
  const blob = await new Response(stream as ReadableStream<Uint8Array<ArrayBuffer>>).blob();
  if (blob.size !== c.size) throw new StorageError(`a chunk of ${c.size} bytes was built as a Blob of ${blob.size}`);
  return blob;
}

/** The bytes of a stored chunk value; undefined for a missing or unrecognised one (the log is cut there). */
export async function chunkBytes(v: unknown): Promise<Uint8Array | undefined> {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (typeof Blob !== 'undefined' && v instanceof Blob) return new Uint8Array(await v.arrayBuffer());
  return undefined;
}

/** A version-2 manifest (a copy of the chunks per replica), read only by the migration. */
export interface V2Manifest extends Omit<Manifest, 'logs' | 'chunks' | 'nextChunk'> {
  logs: (LogInfo & { chunks: [number, number][] })[];
}

/** The version-1 record (prototype layout), read only by the migration. */
export interface V1State {
  format: number;
  timeMs: number;
  savedAtWallMs: number;
  cluster: unknown;
  scenario: unknown;
  logs: { info: LogInfo; segments: { baseOffset: number; bytes: Uint8Array }[] }[];
}

export interface IdbStoreOptions {
  name?: string;
  /** Test hook: runs inside a flush's transaction after the chunks, before the manifest. */
  beforeManifest?: (tx: IDBTransaction) => void;
  /** Another connection wants to upgrade or delete the database: ours is closing. */
  onVersionChange?: () => void;
  /** Each write once it committed: where its wall time went (benchmarks: bench/browser). */
  onWritten?: (w: WriteTiming) => void;
}

/** One committed write: its chunks, and the wall ms spent building their values, then in the transaction. */
export interface WriteTiming {
  chunks: number;
  bytes: number;
  /** From the write call until every chunk's value was built (large ones streamed into Blobs). */
  buildMs: number;
  /** From then until the transaction committed. */
  txMs: number;
}

function errorOf(err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  if (isQuotaError(err)) return new StorageQuotaError(undefined, { cause: err });
  const e = err as { name?: string; message?: string } | null;
  const inner = (err as { target?: { error?: unknown } } | null)?.target?.error;
  if (inner && isQuotaError(inner)) return new StorageQuotaError(undefined, { cause: inner });
  return new StorageError(`IndexedDB: ${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`, { cause: err });
}

export class IdbClusterStore implements ClusterStore {
  /** Writes still building their chunks' values (before their transaction exists). */
  private readonly building = new Set<Promise<unknown>>();

  private constructor(
    private readonly db: IDBPDatabase<PlaygroundDB>,
    private readonly opts: IdbStoreOptions,
  ) {}

  /** Opens (creating or migrating) the database. A database this version cannot read throws StorageUnreadableError. */
  static async open(opts: IdbStoreOptions = {}): Promise<IdbClusterStore> {
    let db: IDBPDatabase<PlaygroundDB>;
    try {
      db = await openDB<PlaygroundDB>(opts.name ?? DB_NAME, DB_VERSION, {
        // idb runs this inside the versionchange transaction; every await here is on it.
        async upgrade(database, oldVersion, _newVersion, tx) {
          const raw = database as unknown as IDBPDatabase;
          const anyTx = tx as unknown as IDBPTransaction<unknown, string[], 'versionchange'>;
          if (!raw.objectStoreNames.contains('meta')) raw.createObjectStore('meta');
          if (!raw.objectStoreNames.contains('partitionChunks')) raw.createObjectStore('partitionChunks');
          if (oldVersion === 1 && raw.objectStoreNames.contains('state')) {
            const old = (await anyTx.objectStore('state').get('current')) as V1State | undefined;
            if (old) await migrateV1(anyTx, old);
            raw.deleteObjectStore('state');
          }
          // Version 3 → 4 → 5 → 6: nothing to move (Uint8Array chunks, LogBatchRef moments and format-1 images are still read).
          if (oldVersion === 2 && raw.objectStoreNames.contains('chunks')) {
            await migrateV2(anyTx);
            raw.deleteObjectStore('chunks');
          }
        },
        blocking() {
          // A newer tab wants to upgrade: let it, and stop using this connection.
          db.close();
          opts.onVersionChange?.();
        },
        terminated() {
          opts.onVersionChange?.();
        },
      });
    } catch (err) {
      const name = (err as { name?: string } | null)?.name;
      if (name === 'VersionError') {
        throw new StorageUnreadableError('The saved playground was written by a newer version of the playground.', { cause: err });
      }
      if (err instanceof StorageError) throw err;
      throw new StorageUnreadableError(`The saved playground could not be opened (${(err as Error)?.message ?? String(err)}).`, { cause: err });
    }
    return new IdbClusterStore(db, opts);
  }

  /**
   * Waits until no write is building its chunks' values. A claim, clear or load asked for
   * after write() was called comes after that write's transaction, as when a write queued
   * it within the call: a reset's clear is never followed by the write of a flush begun
   * before it (which would bring the reset run back), and a reopen in this tab reads what
   * that write stored.
   */
  private async afterWrites(): Promise<void> {
    while (this.building.size > 0) await Promise.allSettled([...this.building]);
  }

  async claim(): Promise<number> {
    await this.afterWrites();
    try {
      const tx = this.db.transaction('meta', 'readwrite');
      const owner = (await tx.store.get('owner')) as { epoch: number } | undefined;
      const epoch = (owner?.epoch ?? 0) + 1;
      await tx.store.put({ epoch }, 'owner');
      await tx.done;
      return epoch;
    } catch (err) {
      throw errorOf(err);
    }
  }

  async write(plan: FlushPlan, ownerEpoch: number, urgent = false): Promise<void> {
    // The chunks' values first, outside the transaction (which would commit while it waits):
    // large ones are streamed into Blobs (streamedChunkValue) while the caller's thread goes
    // on. A page that dies meanwhile has stored nothing of this flush. An urgent write (the
    // page is going away) builds them here, on this thread, and queues its transaction within
    // the call: no await comes before it.
    const startMs = performance.now();
    let values: ChunkValue[];
    if (urgent) {
      try {
        values = plan.chunks.map(chunkValue);
      } catch (err) {
        throw errorOf(err);
      }
    } else {
      const building = Promise.all(plan.chunks.map((c) => streamedChunkValue(c)));
      this.building.add(building);
      try {
        values = await building;
      } catch (err) {
        throw errorOf(err);
      } finally {
        this.building.delete(building);
      }
    }
    const builtMs = performance.now();
    // Created in the same step as `building` settled: before any claim, clear or load that waited for it.
    let tx: IDBPTransaction<PlaygroundDB, ('meta' | 'partitionChunks')[], 'readwrite'>;
    try {
      tx = this.db.transaction(['meta', 'partitionChunks'], 'readwrite');
    } catch (err) {
      throw errorOf(err); // the connection was closed meanwhile (another version took over)
    }
    // Requests are queued without awaiting each one, so the transaction never goes idle.
    const done = tx.done.catch((err: unknown) => {
      throw errorOf(err);
    });
    try {
      // The owner check is the transaction's first request and every write is queued behind
      // it at once, before awaiting its answer: a fenced tab aborts the transaction, which
      // undoes them all.
      const ownerRead = tx.objectStore('meta').get('owner');
      const chunks = tx.objectStore('partitionChunks');
      // A failed request also fails `done`; swallow each request's own rejection so only
      // one error surfaces (and none goes unhandled when the transaction aborts).
      const track = (p: Promise<unknown>) => void p.catch(() => undefined);
      track(ownerRead); // still awaited below; a write that throws first leaves it unread
      if (plan.replaceAll) track(chunks.clear());
      for (const id of plan.deleteChunks) track(chunks.delete(id));
      plan.chunks.forEach((c, i) => track(chunks.put(values[i]!, c.id)));
      this.opts.beforeManifest?.(tx as unknown as IDBTransaction);
      const meta = tx.objectStore('meta');
      track(meta.put(plan.manifest, 'manifest'));
      if (plan.scenario) track(meta.put(plan.scenario, 'scenario'));
      const owner = (await ownerRead) as { epoch: number } | undefined;
      const current = owner?.epoch ?? 0;
      if (current !== ownerEpoch) {
        tx.abort();
        await done.catch(() => undefined);
        throw new StorageFencedError(ownerEpoch, current);
      }
    } catch (err) {
      if (err instanceof StorageFencedError) throw err;
      try {
        tx.abort();
      } catch {
        /* already finished */
      }
      await done.catch(() => undefined);
      throw errorOf(err);
    }
    await done;
    if (this.opts.onWritten) {
      this.opts.onWritten({ chunks: plan.chunks.length, bytes: plan.chunkBytes, buildMs: builtMs - startMs, txMs: performance.now() - builtMs });
    }
  }

  async load(): Promise<LoadedImage | null> {
    await this.afterWrites();
    try {
      const tx = this.db.transaction(['meta', 'partitionChunks'], 'readonly');
      const manifest = await tx.objectStore('meta').get('manifest');
      if (manifest === undefined) {
        await tx.done;
        return null;
      }
      const scenario = ((await tx.objectStore('meta').get('scenario')) as { rev: number; doc: unknown } | undefined) ?? null;
      const m = manifest as Manifest;
      // Each named chunk is read once, however many replica logs name it.
      const ids = new Set<number>();
      for (const l of Array.isArray(m.logs) ? m.logs : []) for (const [id] of Array.isArray(l.refs) ? l.refs : []) ids.add(id);
      const values = new Map<number, ChunkValue | undefined>();
      const chunks = tx.objectStore('partitionChunks');
      await Promise.all([...ids].map((id) => chunks.get(id).then((v) => void values.set(id, v))));
      await tx.done;
      // Blobs (schema 4) are read after the transaction, all at once.
      const bytes = new Map<number, Uint8Array | undefined>();
      await Promise.all([...values].map(async ([id, v]) => void bytes.set(id, await chunkBytes(v))));
      return assembleImage(manifest, scenario, (id) => bytes.get(id));
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw new StorageUnreadableError(`The saved playground could not be read (${(err as Error)?.message ?? String(err)}).`, { cause: err });
    }
  }

  async clear(): Promise<void> {
    await this.afterWrites();
    try {
      const tx = this.db.transaction(['meta', 'partitionChunks'], 'readwrite');
      await Promise.all([tx.objectStore('meta').delete('manifest'), tx.objectStore('meta').delete('scenario'), tx.objectStore('partitionChunks').clear(), tx.done]);
    } catch (err) {
      throw errorOf(err);
    }
  }

  async usage(): Promise<StoreUsage> {
    try {
      return usageOf(((await this.db.get('meta', 'manifest')) as Manifest | undefined) ?? null);
    } catch (err) {
      throw errorOf(err);
    }
  }

  close(): void {
    this.db.close();
  }
}

/** Deletes the whole database (the reset of a database this version cannot open). */
export async function deleteIdbDatabase(name = DB_NAME): Promise<void> {
  await deleteDB(name);
}

/** Version 1 → 5: the single state record becomes a manifest, a scenario record and chunks (one per segment). */
async function migrateV1(tx: IDBPTransaction<unknown, string[], 'versionchange'>, old: V1State): Promise<void> {
  const chunks = tx.objectStore('partitionChunks');
  const logs: ManifestLog[] = [];
  const table: [number, number][] = [];
  let next = 1;
  for (const l of old.logs) {
    const refs: ChunkRange[] = [];
    for (const seg of l.segments) {
      if (seg.bytes.length === 0) continue;
      const id = next++;
      await chunks.put(seg.bytes, id);
      table.push([id, seg.bytes.length]);
      refs.push([id, 0, seg.bytes.length]);
    }
    logs.push({ ...l.info, refs });
  }
  const manifest: Manifest = {
    format: old.format,
    flushSeq: 1,
    timeMs: old.timeMs,
    savedAtWallMs: old.savedAtWallMs,
    cluster: old.cluster,
    scenarioRev: 1,
    logs,
    chunks: table,
    nextChunk: next,
  };
  const meta = tx.objectStore('meta');
  await meta.put({ rev: 1, doc: old.scenario }, 'scenario');
  await meta.put(manifest, 'manifest');
}

/**
 * Version 2 → 5: every chunk a log lists gets an id (its bytes move to `partitionChunks`
 * unchanged) and the log names it whole. A chunk the manifest lists but the store lost
 * keeps its id without bytes, so the log is cut there on load, as version 2 did.
 */
async function migrateV2(tx: IDBPTransaction<unknown, string[], 'versionchange'>): Promise<void> {
  const meta = tx.objectStore('meta');
  const old = (await meta.get('manifest')) as V2Manifest | undefined;
  const from = tx.objectStore('chunks');
  const to = tx.objectStore('partitionChunks');
  if (!old || !Array.isArray(old.logs)) return; // nothing saved (or unreadable: load says so)
  const table: [number, number][] = [];
  let next = 1;
  const logs: ManifestLog[] = [];
  for (const l of old.logs) {
    const { chunks: list, ...info } = l;
    const refs: ChunkRange[] = [];
    for (const [first, size] of Array.isArray(list) ? list : []) {
      const id = next++;
      const bytes = (await from.get([l.broker, l.tp, first])) as Uint8Array | undefined;
      if (bytes) {
        await to.put(bytes, id);
        table.push([id, bytes.length]);
      }
      refs.push([id, 0, size]);
    }
    logs.push({ ...info, refs });
  }
  const manifest: Manifest = { ...old, logs, chunks: table, nextChunk: next };
  await meta.put(manifest, 'manifest');
}
