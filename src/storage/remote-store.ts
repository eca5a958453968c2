/**
 * IndexedDB writes in a worker of their own (issue 10): the cluster worker keeps the
 * ClusterStore interface, but a flush's transaction is built and run by an "IO worker"
 * (storage/io.worker.ts) on its own connection, so building the chunks' values (the copy of
 * every byte into Blobs) and the transaction's work leave the cluster's thread.
 *
 * RemoteClusterStore.write copies each chunk's batches into 1 MiB slabs taken from a pool
 * (BufferPool: once warm, no fresh pages are touched on the cluster's thread), posts the
 * plan with the slabs TRANSFERRED, and settles when the IO worker answers: committed (the
 * slabs come back to the pool), or failed (fenced → StorageFencedError, quota →
 * StorageQuotaError, others StorageError, with the IO side's messages). The IO worker runs
 * IdbClusterStore.write on chunks whose batches are views of the slabs: the same schema and
 * the same values, byte for byte, as when the cluster worker wrote them itself. It takes
 * the streamed path there (large chunks read into Blobs through a Response, whose data
 * pipe the IO worker refills at once): measured in the browser bench, `new Blob(views)` on
 * the IO worker cost more (median 1.88x against main's 1.61x, 3 alternated runs), the
 * streamed path less (1.51x against 1.60x).
 *
 * claim, load, clear, usage and the urgent write (the page is going away: its transaction is
 * queued within the call) run on the cluster worker's own connection (`local`), after the
 * remote writes in flight (a reset's clear never precedes a flush begun before it; a reopen
 * reads what it stored). Each connection closes itself on a version change; either one
 * closing reports it (once) through onVersionChange.
 */
import { IdbClusterStore, type IdbStoreOptions, type WriteTiming } from './idb-store';
import {
  StorageError,
  StorageFencedError,
  StorageQuotaError,
  StorageUnreadableError,
  type ChunkWrite,
  type ClusterStore,
  type FlushPlan,
  type LoadedImage,
  type StoreUsage,
} from './types';

/** Bytes of one pooled slab. */
export const SLAB_BYTES = 1 << 20;
/** Slabs the pool keeps between flushes (64 MiB); more are made when a flush needs them, and dropped when they come back. */
export const POOL_KEEP_SLABS = 64;
/** Warm slabs asked for when the store opens. */
export const INITIAL_WARM_SLABS = 4;

/** Fixed-size ArrayBuffers reused across flushes: a returned slab's pages are already touched. */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];
  /** Slabs made here since the start (fresh pages touched on this thread), and warm ones received (figures, tests). */
  made = 0;
  warmed = 0;

  constructor(
    readonly slabBytes = SLAB_BYTES,
    readonly keep = POOL_KEEP_SLABS,
  ) {}

  take(): ArrayBuffer {
    const b = this.free.pop();
    if (b) return b;
    this.made++;
    return new ArrayBuffer(this.slabBytes);
  }

  give(b: ArrayBuffer): void {
    // A detached or foreign buffer is not kept.
    if (b.byteLength === this.slabBytes && this.free.length < this.keep) this.free.push(b);
  }

  get size(): number {
    return this.free.length;
  }
}

/** A chunk as posted: its bytes as pieces [slab, start, length] of the message's slabs, in order. */
export interface PackedChunk {
  id: number;
  tp: string;
  size: number;
  pieces: [slab: number, start: number, length: number][];
}

export interface PackedPlan extends Omit<FlushPlan, 'chunks'> {
  chunks: PackedChunk[];
}

/** Copies the plan's batches into slabs of `pool`, back to back (a batch may straddle two slabs). */
export function packPlan(plan: FlushPlan, pool: BufferPool): { packed: PackedPlan; slabs: ArrayBuffer[] } {
  const slabs: ArrayBuffer[] = [];
  let slab: Uint8Array | null = null;
  let at = 0;
  const chunks: PackedChunk[] = [];
  for (const c of plan.chunks) {
    const pieces: PackedChunk['pieces'] = [];
    for (const b of c.batches) {
      let from = 0;
      while (from < b.length) {
        if (!slab || at === slab.length) {
          slab = new Uint8Array(pool.take());
          slabs.push(slab.buffer as ArrayBuffer);
          at = 0;
        }
        const n = Math.min(b.length - from, slab.length - at);
        slab.set(from === 0 && n === b.length ? b : b.subarray(from, from + n), at);
        const last = pieces[pieces.length - 1];
        // Contiguous with the previous piece in the same slab: one piece.
        if (last && last[0] === slabs.length - 1 && last[1] + last[2] === at) last[2] += n;
        else pieces.push([slabs.length - 1, at, n]);
        at += n;
        from += n;
      }
    }
    chunks.push({ id: c.id, tp: c.tp, size: c.size, pieces });
  }
  const { chunks: _omit, ...rest } = plan;
  void _omit;
  return { packed: { ...rest, chunks }, slabs };
}

/** The plan again, each chunk's batches views of the received slabs. */
export function unpackPlan(packed: PackedPlan, slabs: readonly ArrayBuffer[]): FlushPlan {
  const chunks: ChunkWrite[] = packed.chunks.map((c) => ({
    id: c.id,
    tp: c.tp,
    size: c.size,
    batches: c.pieces.map(([s, start, n]) => new Uint8Array(slabs[s]!, start, n)),
  }));
  return { ...packed, chunks };
}

/** What crosses between the cluster worker and the IO worker. */
export type ToIo =
  | { type: 'open'; name?: string }
  | { type: 'write'; id: number; plan: PackedPlan; slabs: ArrayBuffer[]; ownerEpoch: number; warm: number }
  | { type: 'warm'; count: number; slabBytes: number }
  | { type: 'close' };

export interface IoError {
  kind: 'fenced' | 'quota' | 'unreadable' | 'error';
  message: string;
  ownerEpoch?: number;
  currentEpoch?: number;
}

export type FromIo =
  | { type: 'opened' }
  | { type: 'openFailed'; error: IoError }
  | { type: 'written'; id: number; slabs: ArrayBuffer[]; timing: WriteTiming | null }
  | { type: 'failed'; id: number; slabs: ArrayBuffer[]; error: IoError }
  | { type: 'versionchange' }
  /** Fresh slabs whose pages the IO worker touched (so first touches are not the cluster's). */
  | { type: 'slabs'; slabs: ArrayBuffer[] };

/** A MessagePort, a Worker, or a worker's own scope. */
export interface PortLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent) => unknown) | null;
}

export function ioError(err: unknown): IoError {
  if (err instanceof StorageFencedError) return { kind: 'fenced', message: err.message, ownerEpoch: err.ownerEpoch, currentEpoch: err.currentEpoch };
  if (err instanceof StorageQuotaError) return { kind: 'quota', message: err.message };
  if (err instanceof StorageUnreadableError) return { kind: 'unreadable', message: err.message };
  if (err instanceof StorageError) return { kind: 'error', message: err.message };
  return { kind: 'error', message: `IndexedDB: ${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}` };
}

export function storageError(e: IoError): StorageError {
  switch (e.kind) {
    case 'fenced':
      return new StorageFencedError(e.ownerEpoch ?? 0, e.currentEpoch ?? 0);
    case 'quota':
      return new StorageQuotaError(e.message);
    case 'unreadable':
      return new StorageUnreadableError(e.message);
    default:
      return new StorageError(e.message);
  }
}

/**
 * The IO worker's side: answers `port` (its own scope in the browser). `open` opens the
 * store it writes with (IdbClusterStore on its own connection).
 */
export function serveIo(port: PortLike, open: (opts: IdbStoreOptions) => Promise<IdbClusterStore>, onClosed?: () => void): void {
  let store: IdbClusterStore | null = null;
  let timing: WriteTiming | null = null;
  const inFlight = new Set<Promise<unknown>>();
  const post = (m: FromIo, transfer: Transferable[] = []) => port.postMessage(m, transfer);
  let slabBytes = SLAB_BYTES;
  const warm = (count: number) => {
    if (count <= 0) return;
    const slabs: ArrayBuffer[] = [];
    for (let i = 0; i < count; i++) {
      const b = new ArrayBuffer(slabBytes);
      const u = new Uint8Array(b);
      // One write per 4 KiB page: each page is faulted in here, not on the cluster's thread.
      for (let at = 0; at < u.length; at += 4096) u[at] = 1;
      slabs.push(b);
    }
    post({ type: 'slabs', slabs }, slabs);
  };
  port.onmessage = (e: MessageEvent) => {
    const m = e.data as ToIo;
    switch (m.type) {
      case 'open':
        void open({ name: m.name, onVersionChange: () => post({ type: 'versionchange' }), onWritten: (w) => void (timing = w) }).then(
          (s) => {
            store = s;
            post({ type: 'opened' });
          },
          (err: unknown) => post({ type: 'openFailed', error: ioError(err) }),
        );
        return;
      case 'write': {
        const answer = (async () => {
          try {
            if (!store) throw new StorageError('the IO worker has no open store');
            timing = null;
            // Large chunks streamed into Blobs (as the cluster worker did), small ones copied here.
            await store.write(unpackPlan(m.plan, m.slabs), m.ownerEpoch, false);
            post({ type: 'written', id: m.id, slabs: m.slabs, timing }, m.slabs);
          } catch (err) {
            post({ type: 'failed', id: m.id, slabs: m.slabs, error: ioError(err) }, m.slabs);
          }
          warm(m.warm);
        })();
        inFlight.add(answer);
        void answer.finally(() => inFlight.delete(answer));
        return;
      }
      case 'warm':
        slabBytes = m.slabBytes;
        warm(m.count);
        return;
      case 'close':
        void Promise.allSettled([...inFlight]).then(() => {
          store?.close();
          store = null;
          onClosed?.();
        });
        return;
    }
  };
}

export interface RemoteStoreOptions extends IdbStoreOptions {
  pool?: BufferPool;
}

export class RemoteClusterStore implements ClusterStore {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(): void; reject(err: unknown): void; done: Promise<void>; startMs: number; packMs: number; chunks: number; bytes: number }>();
  private versionChanged = false;
  /** Warm slabs asked of the IO worker and not yet received. */
  private asked = 0;
  private closed = false;
  /** The IO worker stopped (ioStopped): writes go to `local`. */
  private ioDown = false;
  readonly pool: BufferPool;

  private constructor(
    private readonly local: IdbClusterStore,
    private readonly port: PortLike,
    private readonly opts: RemoteStoreOptions,
  ) {
    this.pool = opts.pool ?? new BufferPool();
    port.onmessage = (e: MessageEvent) => this.answer(e.data as FromIo);
  }

  /**
   * Opens this worker's connection, then the IO worker's (through `port`). `failed` settles if
   * the IO worker fails: before it answered the open, the open rejects (this connection
   * closed again); later, the store goes on without it (ioStopped).
   */
  static async open(port: PortLike, opts: RemoteStoreOptions = {}, failed?: Promise<unknown>): Promise<RemoteClusterStore> {
    let store: RemoteClusterStore | null = null;
    const changed = () => store?.onVersionChange();
    const local = await IdbClusterStore.open({ name: opts.name, beforeManifest: opts.beforeManifest, onVersionChange: changed, onWritten: opts.onWritten });
    let started = false;
    await new Promise<void>((resolve, reject) => {
      const fail = (err: StorageError) => {
        if (started) return;
        started = true;
        local.close();
        reject(err);
      };
      port.onmessage = (e: MessageEvent) => {
        const m = e.data as FromIo;
        if (m.type === 'opened' && !started) {
          started = true;
          resolve();
        } else if (m.type === 'openFailed') fail(storageError(m.error));
      };
      port.postMessage({ type: 'open', name: opts.name } satisfies ToIo, []);
      // Once open, a failure is the store's (ioStopped below), not the open's: the connection stays.
      void failed?.then(() => fail(new StorageError('the IO worker did not start')));
    });
    const opened = new RemoteClusterStore(local, port, opts);
    store = opened;
    // The IO worker failing later (an error it did not catch, its script gone): what it
    // held is answered with an error and this connection writes from then on.
    void failed?.then(() => opened.ioStopped());
    opened.asked = INITIAL_WARM_SLABS;
    port.postMessage({ type: 'warm', count: INITIAL_WARM_SLABS, slabBytes: opened.pool.slabBytes } satisfies ToIo, []);
    return opened;
  }

  /**
   * The IO worker stopped: the writes it held reject (their flushes are planned again, as
   * after any failed write: nothing is lost that the brokers hold) and every later write
   * runs on this worker's own connection, as before the IO worker existed. Its slabs are
   * gone with it; the pool makes new ones if the IO worker is ever asked again (it is not).
   */
  ioStopped(): void {
    if (this.ioDown) return;
    this.ioDown = true;
    const held = [...this.pending.values()];
    this.pending.clear();
    for (const p of held) p.reject(new StorageError('the IO worker stopped before it committed this flush; the next flush writes it again from the cluster worker'));
  }

  private onVersionChange(): void {
    if (this.versionChanged) return;
    this.versionChanged = true;
    this.opts.onVersionChange?.();
  }

  private answer(m: FromIo): void {
    if (m.type === 'versionchange') {
      this.onVersionChange();
      return;
    }
    if (m.type === 'slabs') {
      this.asked = Math.max(0, this.asked - m.slabs.length);
      this.pool.warmed += m.slabs.length;
      for (const s of m.slabs) this.pool.give(s);
      return;
    }
    if (m.type !== 'written' && m.type !== 'failed') return;
    for (const s of m.slabs) this.pool.give(s);
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === 'failed') {
      p.reject(storageError(m.error));
      return;
    }
    if (this.opts.onWritten) {
      const now = performance.now();
      const build = p.packMs + (m.timing?.buildMs ?? 0);
      this.opts.onWritten({ chunks: p.chunks, bytes: p.bytes, buildMs: build, txMs: now - p.startMs - build });
    }
    p.resolve();
  }

  /** Waits until the IO worker answered every write posted so far. */
  private async afterRemote(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending.values()].map((p) => p.done));
  }

  async claim(): Promise<number> {
    await this.afterRemote();
    return this.local.claim();
  }

  async load(): Promise<LoadedImage | null> {
    await this.afterRemote();
    return this.local.load();
  }

  async clear(): Promise<void> {
    await this.afterRemote();
    return this.local.clear();
  }

  usage(): Promise<StoreUsage> {
    return this.local.usage();
  }

  write(plan: FlushPlan, ownerEpoch: number, urgent = false): Promise<void> {
    if (urgent) {
      // Queued within the call on this connection; after a remote write still in flight if any.
      return this.pending.size === 0 ? this.local.write(plan, ownerEpoch, true) : this.afterRemote().then(() => this.local.write(plan, ownerEpoch, true));
    }
    if (this.closed || this.versionChanged) return Promise.reject(new StorageError('IndexedDB: InvalidStateError: The database connection is closing.'));
    if (this.ioDown) return this.local.write(plan, ownerEpoch, false);
    const startMs = performance.now();
    const { packed, slabs } = packPlan(plan, this.pool);
    const id = this.nextId++;
    const packMs = performance.now() - startMs;
    let settle!: { resolve(): void; reject(err: unknown): void };
    const done = new Promise<void>((resolve, reject) => void (settle = { resolve, reject }));
    this.pending.set(id, { ...settle, done, startMs, packMs, chunks: plan.chunks.length, bytes: plan.chunkBytes });
    try {
      // The next flush is likely larger (a run's flushes grow): ask for warm slabs up to twice this one's, within what the pool keeps.
      const want = Math.min(this.pool.keep, 2 * slabs.length) - (this.pool.size + slabs.length + this.asked);
      const warm = Math.max(0, want);
      this.asked += warm;
      this.port.postMessage({ type: 'write', id, plan: packed, slabs, ownerEpoch, warm } satisfies ToIo, slabs);
    } catch (err) {
      this.pending.delete(id);
      for (const s of slabs) this.pool.give(s);
      return Promise.reject(new StorageError(`the flush could not be sent to the IO worker (${(err as Error)?.message ?? String(err)})`, { cause: err }));
    }
    return done;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.local.close();
    // The IO side closes its connection once its writes in flight are done, then ends.
    this.port.postMessage({ type: 'close' } satisfies ToIo, []);
  }
}
