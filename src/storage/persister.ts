/**
 * The flush loop: at most one write in flight, at most one flush per `minIntervalMs` of
 * wall time (100 ms), each one transaction built by the FlushPlanner. Framework-free with
 * the wall clock and timers injected, so it runs under Vitest as it runs in the worker.
 *
 * Failures never stop the cluster, which keeps running in memory:
 * - quota (QuotaExceededError): status 'quota'; retried every `retryMs` and on retry(),
 *   so freeing space (retention, deleting topics, reset) lets saving resume;
 * - fenced (another tab claimed the database): status 'fenced'; never writes again;
 * - anything else: status 'error', retried like quota.
 */
import type { Cluster } from '../kafka/cluster';
import type { FlushPlanner } from './flush-planner';
import { StorageFencedError, StorageQuotaError, storedBytes, type ClusterStore } from './types';

export type PersistStatus =
  | { state: 'saving'; flushSeq: number; timeMs: number; savedAtWallMs: number; logBytes: number }
  | { state: 'quota'; message: string; sinceWallMs: number }
  | { state: 'fenced'; message: string }
  | { state: 'error'; message: string }
  | { state: 'off' };

export interface PersisterDeps {
  store: ClusterStore;
  planner: FlushPlanner;
  ownerEpoch: number;
  /** The cluster to save now (null: nothing loaded). */
  cluster(): Cluster | null;
  /** Wall clock: ms since the epoch (Date.now in the worker). */
  wallNow(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  onStatus?(status: PersistStatus): void;
}

export interface PersisterOptions {
  minIntervalMs: number;
  retryMs: number;
}

export interface FlushFigures {
  flushes: number;
  bytes: number;
  /** From a flush's start to its commit, summed (overlaps with the cluster running). */
  wallMs: number;
  /** Of which: building the plan, synchronous on the worker (the chunks and their batches, the manifest, the moment). */
  planMs: number;
  /** Wall ms of each flush's synchronous part, summed: planning and the store's write call up to its first wait (copying the batches out). */
  syncMs: number;
}

/**
 * The most of the worker's thread flushes' plans may take: after a plan, the next flush
 * starts at least (1 / PLAN_SHARE - 1) times the cheaper of the last two plans' costs later.
 * Each flush also costs about as much again off the thread (the IO worker's Blobs and transaction, the
 * browser's IndexedDB): at 6 x 50 and 20,000 records/s a plan took ~25 ms, and flushing every
 * 100 ms (a fifth) cost the playground's workers ~0.2 of a core, as much as running the
 * cluster. A small cluster's flushes still come every minIntervalMs.
 */
export const PLAN_SHARE = 0.1;

export class Persister {
  private readonly opts: PersisterOptions;
  private inFlight: Promise<void> | null = null;
  private timer: unknown = null;
  private lastStartWall = -Infinity;
  private dirty = false;
  private stopped = false;
  /** flushNow calls waiting for the write in flight (they start the next write themselves). */
  private nowWaiting = 0;
  status: PersistStatus = { state: 'off' };
  /** Totals since start (benchmarks, the storage panel). */
  readonly figures: FlushFigures = { flushes: 0, bytes: 0, wallMs: 0, planMs: 0, syncMs: 0 };
  private logBytes = 0;

  constructor(
    private readonly deps: PersisterDeps,
    opts: Partial<PersisterOptions> = {},
  ) {
    this.opts = { minIntervalMs: 100, retryMs: 10_000, ...opts };
    this.spacingMs = this.opts.minIntervalMs;
  }

  get blocked(): boolean {
    return this.status.state === 'fenced' || this.stopped;
  }

  /** The cluster changed: a flush will follow within minIntervalMs (coalescing every change until then). */
  requestFlush(): void {
    if (this.blocked) return;
    this.dirty = true;
    if (this.timer !== null || this.inFlight) return;
    if (this.status.state === 'quota' || this.status.state === 'error') return; // the retry timer is armed
    this.arm(Math.max(0, this.msUntilDue()));
  }

  /** Try again now (the user freed space). */
  retry(): void {
    if (this.blocked) return;
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = null;
    this.dirty = true;
    if (!this.inFlight) void this.flush();
  }

  /**
   * Writes now (waiting for a write in flight first); resolves when stored or failed.
   * `urgent`: the page is going away (hidden, closing): the store queues the whole write
   * within the call (ClusterStore.write).
   */
  async flushNow(urgent = false): Promise<void> {
    // While a flushNow waits, a settling write starts no flush of its own (flush's `finally`):
    // this one goes next, so an urgent write (the page going away) is never queued behind a
    // chain of ordinary ones. Another flushNow may have started one meanwhile: wait for it too.
    this.nowWaiting++;
    try {
      while (this.inFlight) await this.inFlight;
    } finally {
      this.nowWaiting--;
    }
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = null;
    this.dirty = true;
    await this.flush(urgent);
  }

  /** Stops for good (lost ownership, reset, page going away). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = null;
  }

  /** Wall ms until the next flush may start (spacingMs after the last start); ≤ 0 when due. */
  private msUntilDue(): number {
    return this.lastStartWall + this.spacingMs - this.deps.wallNow();
  }

  private arm(ms: number): void {
    this.timer = this.deps.setTimer(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  private setStatus(s: PersistStatus): void {
    this.status = s;
    this.deps.onStatus?.(s);
  }

  /** Wall ms between flush starts: minIntervalMs, or more when a flush costs the worker much. */
  private spacingMs = 0;
  /** Wall ms the last flush's plan took (0 before the first). */
  private lastPlanMs = 0;

  private flush(urgent = false): Promise<void> {
    if (this.blocked || !this.dirty) return Promise.resolve();
    const cluster = this.deps.cluster();
    if (!cluster) return Promise.resolve();
    this.dirty = false;
    const start = this.deps.wallNow();
    this.lastStartWall = start;
    let planned;
    let planMs;
    try {
      planned = this.deps.planner.plan(cluster, start);
      planMs = this.deps.wallNow() - start;
      this.figures.planMs += planMs;
    } catch (err) {
      this.setStatus({ state: 'error', message: `Could not prepare a save: ${(err as Error)?.message ?? String(err)}` });
      return Promise.resolve();
    }
    const p = this.deps.store.write(planned.plan, this.deps.ownerEpoch, urgent);
    // Planning (the manifest, the moment's image) runs on the worker's thread once a flush
    // whatever the flush holds: flushes are spaced so that it takes at most about a tenth of
    // the thread, however large the run has grown (PLAN_SHARE). The store's synchronous start
    // (copying the new batches out, for the IO worker) is not counted: it is work a byte, as
    // much in all however the bytes are grouped, and holding it back only let a fast run's
    // bytes pile up for a long last flush. (One write is in flight at a time.)
    this.figures.syncMs += this.deps.wallNow() - start;
    // The smaller of this plan's time and the last one's: one slow plan (a garbage collection
    // or another process taking the core while it ran) does not hold the next flush back, a
    // steady cost does. A persister's first flush is followed by the next at minIntervalMs.
    this.spacingMs = Math.max(this.opts.minIntervalMs, Math.min(planMs, this.lastPlanMs) / PLAN_SHARE);
    this.lastPlanMs = planMs;
    const settled = p
      .then(() => {
        planned.commit();
        this.figures.flushes++;
        this.figures.bytes += planned.plan.chunkBytes;
        this.figures.wallMs += this.deps.wallNow() - start;
        const logBytes = storedBytes(planned.plan.manifest);
        this.logBytes = logBytes;
        this.setStatus({ state: 'saving', flushSeq: planned.plan.manifest.flushSeq, timeMs: planned.plan.manifest.timeMs, savedAtWallMs: start, logBytes });
      })
      .catch((err: unknown) => {
        this.dirty = true;
        if (err instanceof StorageFencedError) {
          this.setStatus({ state: 'fenced', message: 'The playground was opened in another tab, which now saves it. This tab no longer saves.' });
          this.stop();
          return;
        }
        if (err instanceof StorageQuotaError) {
          if (this.status.state !== 'quota') {
            this.setStatus({ state: 'quota', message: 'The browser has no more storage space for the playground. It keeps running, but nothing new is saved.', sinceWallMs: start });
          }
        } else {
          this.setStatus({ state: 'error', message: `Saving failed: ${(err as Error)?.message ?? String(err)}` });
        }
        if (!this.stopped) this.arm(this.opts.retryMs);
      })
      .finally(() => {
        this.inFlight = null;
        // Changes that came in during the write go out with the next flush.
        if (this.dirty && !this.blocked && this.timer === null && this.status.state === 'saving') {
          const wait = this.msUntilDue();
          // Due already: the next flush starts here, not from a 0 ms timer (which waited behind
          // the cluster's next slice); a flushNow waiting for this write starts it instead.
          if (wait > 0) this.arm(wait);
          else if (this.nowWaiting === 0) void this.flush();
        }
      });
    this.inFlight = settled;
    return settled;
  }

  /** Bytes of log data the last committed manifest keeps (each chunk once). */
  get storedLogBytes(): number {
    return this.logBytes;
  }
}
