/**
 * The brokers' disks in the browser: a ClusterStore on IndexedDB (through `idb`), written
 * from the cluster worker.
 *
 * Schema, version 2 (DB_VERSION; do not change a store or a key without a migration):
 * - `meta`   (out-of-line string keys): 'manifest' → Manifest, 'scenario' → {rev, doc},
 *            'owner' → {epoch}: the fencing token of the tab that writes;
 * - `chunks` (key [broker, "topic-partition", firstOffset]) → Uint8Array of whole batches.
 *
 * Version 1 was the first prototype's layout: one `state` store holding a single record,
 * 'current' → {format, timeMs, savedAtWallMs, cluster, scenario, logs: [{info, segments}]},
 * the whole image rewritten on every save. `upgrade` turns it into chunks and a manifest.
 *
 * Every flush is one readwrite transaction over both stores, which first checks the owner
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
  type LogInfo,
  type Manifest,
  type StoreUsage,
} from './types';

export const DB_NAME = 'kafka-playground';
export const DB_VERSION = 2;

type ChunkKey = [number, string, number];

interface PlaygroundDB extends DBSchema {
  meta: { key: string; value: unknown };
  chunks: { key: ChunkKey; value: Uint8Array };
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
}

const logRange = (broker: number, tp: string) => IDBKeyRange.bound([broker, tp, -Infinity], [broker, tp, Infinity]);

function errorOf(err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  if (isQuotaError(err)) return new StorageQuotaError(undefined, { cause: err });
  const e = err as { name?: string; message?: string } | null;
  const inner = (err as { target?: { error?: unknown } } | null)?.target?.error;
  if (inner && isQuotaError(inner)) return new StorageQuotaError(undefined, { cause: inner });
  return new StorageError(`IndexedDB: ${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`, { cause: err });
}

export class IdbClusterStore implements ClusterStore {
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
          if (oldVersion < 2) {
            if (!database.objectStoreNames.contains('meta')) database.createObjectStore('meta');
            if (!database.objectStoreNames.contains('chunks')) database.createObjectStore('chunks');
          }
          if (oldVersion === 1 && raw.objectStoreNames.contains('state')) {
            const anyTx = tx as unknown as IDBPTransaction<unknown, string[], 'versionchange'>;
            const old = (await anyTx.objectStore('state').get('current')) as V1State | undefined;
            if (old) await migrateV1(anyTx, old);
            raw.deleteObjectStore('state');
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

  async claim(): Promise<number> {
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

  async write(plan: FlushPlan, ownerEpoch: number): Promise<void> {
    const tx = this.db.transaction(['meta', 'chunks'], 'readwrite');
    // Requests are queued without awaiting each one, so the transaction never goes idle.
    const done = tx.done.catch((err: unknown) => {
      throw errorOf(err);
    });
    try {
      const owner = (await tx.objectStore('meta').get('owner')) as { epoch: number } | undefined;
      const current = owner?.epoch ?? 0;
      if (current !== ownerEpoch) {
        tx.abort();
        await done.catch(() => undefined);
        throw new StorageFencedError(ownerEpoch, current);
      }
      const chunks = tx.objectStore('chunks');
      // A failed request also fails `done`; swallow each request's own rejection so only
      // one error surfaces (and none goes unhandled when the transaction aborts).
      const track = (p: Promise<unknown>) => void p.catch(() => undefined);
      if (plan.replaceAll) track(chunks.clear());
      for (const d of plan.dropLogs) track(chunks.delete(logRange(d.broker, d.tp)));
      for (const c of plan.deleteChunks) track(chunks.delete([c.broker, c.tp, c.firstOffset]));
      for (const c of plan.chunks) track(chunks.put(c.bytes, [c.broker, c.tp, c.firstOffset]));
      this.opts.beforeManifest?.(tx as unknown as IDBTransaction);
      const meta = tx.objectStore('meta');
      track(meta.put(plan.manifest, 'manifest'));
      if (plan.scenario) track(meta.put(plan.scenario, 'scenario'));
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
  }

  async load(): Promise<LoadedImage | null> {
    try {
      const tx = this.db.transaction(['meta', 'chunks'], 'readonly');
      const manifest = await tx.objectStore('meta').get('manifest');
      if (manifest === undefined) {
        await tx.done;
        return null;
      }
      const scenario = ((await tx.objectStore('meta').get('scenario')) as { rev: number; doc: unknown } | undefined) ?? null;
      const m = manifest as Manifest;
      const bytes = new Map<string, Uint8Array | undefined>();
      const chunks = tx.objectStore('chunks');
      const reads: Promise<void>[] = [];
      for (const l of Array.isArray(m.logs) ? m.logs : []) {
        for (const [first] of Array.isArray(l.chunks) ? l.chunks : []) {
          reads.push(chunks.get([l.broker, l.tp, first]).then((v) => void bytes.set(`${l.broker}/${l.tp}/${first}`, v)));
        }
      }
      await Promise.all(reads);
      await tx.done;
      return assembleImage(manifest, scenario, (b, tp, first) => bytes.get(`${b}/${tp}/${first}`));
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw new StorageUnreadableError(`The saved playground could not be read (${(err as Error)?.message ?? String(err)}).`, { cause: err });
    }
  }

  async clear(): Promise<void> {
    try {
      const tx = this.db.transaction(['meta', 'chunks'], 'readwrite');
      await Promise.all([tx.objectStore('meta').delete('manifest'), tx.objectStore('meta').delete('scenario'), tx.objectStore('chunks').clear(), tx.done]);
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

/** Version 1 → 2: the single state record becomes a manifest, a scenario record and chunks (one per segment). */
async function migrateV1(tx: IDBPTransaction<unknown, string[], 'versionchange'>, old: V1State): Promise<void> {
  const chunks = tx.objectStore('chunks');
  const logs = [];
  for (const l of old.logs) {
    const list: [number, number][] = [];
    for (const seg of l.segments) {
      if (seg.bytes.length === 0) continue;
      // The chunk is keyed by its first batch's base offset (bytes 0..7, big-endian).
      const first = Number(new DataView(seg.bytes.buffer, seg.bytes.byteOffset, 8).getBigInt64(0));
      await chunks.put(seg.bytes, [l.info.broker, l.info.tp, first]);
      list.push([first, seg.bytes.length]);
    }
    logs.push({ ...l.info, chunks: list });
  }
  const manifest: Manifest = {
    format: old.format,
    flushSeq: 1,
    timeMs: old.timeMs,
    savedAtWallMs: old.savedAtWallMs,
    cluster: old.cluster,
    scenarioRev: 1,
    logs,
  };
  const meta = tx.objectStore('meta');
  await meta.put({ rev: 1, doc: old.scenario }, 'scenario');
  await meta.put(manifest, 'manifest');
}
