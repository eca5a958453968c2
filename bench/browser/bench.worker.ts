/**
 * The benchmark, inside a dedicated worker as the playground runs: the cluster of issue 2's
 * workload (3 brokers, RF=3, acks=all, idempotent, keyed, 100-byte values, a group of three
 * consumers) run as fast as the worker allows, with persistence on (IndexedDB, the real
 * FlushPlanner and Persister, one transaction per ≥100 ms) or off.
 *
 * Both modes run the cluster in ~16 ms slices and yield between them (a MessageChannel
 * task, not a clamped timer), as the worker host does, so IndexedDB's callbacks get to run;
 * the only difference is the saving. The run ends when every record is acknowledged and,
 * with persistence, stored (a last flush is waited for: its cost is counted).
 */
import { deleteDB } from 'idb';
import { Cluster } from '../../src/kafka/cluster';
import { slabCounts } from '../../src/kafka/log/record-batch';
import { restoreCluster } from '../../src/kafka/durable';
import { benchScenario as scenario } from '../workload';
import { FlushPlanner } from '../../src/storage/flush-planner';
import { openBrowserStore } from '../../src/storage/open-store';
import type { ClusterStore } from '../../src/storage/types';
import { imageToDurableState } from '../../src/storage/image';
import { Persister } from '../../src/storage/persister';
import { startBrowserSlabWarmer } from '../../src/worker/browser-slab-warmer';

export interface BenchRequest {
  persist: boolean;
  ratePerSec: number;
  virtualMs: number;
  /** Every flush also carries the exact moment (Manifest.moment), as the playground's worker saves. */
  moment?: boolean;
  /** Diagnosis: the Persister's minimum wall ms between flush starts (its default, 100, when unset). */
  flushMs?: number;
  /**
   * Virtual ms of the same workload run first, unmeasured, in the same worker (and with
   * persistence through the same store and IO worker); unset: the measured run's own length;
   * 0: none. The figures are then the steady state of a playground open a while, as the Node
   * table is measured after a warm-up: a one-second run of a fresh worker spent about a
   * core-second compiling (V8's Maglev and TurboFan threads), on the core that the writes to
   * IndexedDB share (bench/browser/trace.ts).
   */
  warmupVirtualMs?: number;
  /** After the warm-up, wait for the page's 'go' (bench/browser/run.ts reads the CPU counters between). */
  hold?: boolean;
  /** false: the logs' slabs are allocated on the cluster's thread, not pre-touched by a warmer (slab-warming.ts). */
  warmSlabs?: boolean;
}

export interface BenchResult {
  persist: boolean;
  wallMs: number;
  virtualMs: number;
  acked: number;
  /** Batch bytes written to IndexedDB (each batch once since schema 3, plus merges of small chunks). */
  bytesStored: number;
  flushes: number;
  /** Wall ms from a flush's start to its commit, summed (overlaps with running the cluster). */
  flushWallMs: number;
  /** Bytes of log data the final manifest references. */
  logBytes: number;
  /** Wall ms spent running the cluster (the rest: yielding, and with persistence its synchronous work). */
  clusterMs: number;
  /** Wall ms from the cluster's end to the last flush's commit (waiting for IndexedDB). */
  tailMs: number;
  /** Wall ms building flush plans (copying batches, exporting metadata). */
  planMs: number;
  /** Wall ms of the flushes' synchronous work on the worker: planning and the store's write call up to its first wait (large chunks are streamed into Blobs after it). */
  syncMs: number;
  /**
   * Each committed flush: [wall ms since the run's start when its write began, MB of chunks,
   * chunks, ms building their values, ms in the transaction]; and when the cluster ended.
   */
  flushTimeline: [number, number, number, number, number][];
  clusterEndMs: number;
  /** Reopen: wall ms to read the image back (CRC checks included) and to restart the cluster from it. */
  loadMs: number;
  restoreMs: number;
  /** Slabs the cluster started while it ran, and how many of them came pre-touched from the warmer. */
  slabs: number;
  slabsReady: number;
}

const DB = 'kafka-playground-bench';

const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();
/** Yields one task: IndexedDB events and timers run, no 4 ms clamp. */
const yieldTask = () =>
  new Promise<void>((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(0);
  });

export async function run(req: BenchRequest, ran?: () => void, warmed?: () => Promise<void> | void): Promise<BenchResult> {
  // As the playground's worker does (cluster.worker.ts): the logs' slabs come pre-touched.
  const warmer = req.warmSlabs === false ? null : startBrowserSlabWarmer();
  try {
    return await runWith(req, ran, warmed);
  } finally {
    warmer?.stop();
  }
}


/** One run of the workload: `virtualMs` at `ratePerSec`, saved through `store` when given. */
async function runOnce(req: BenchRequest, virtualMs: number, store: ClusterStore | null, epoch: number, started: (t0: number) => void) {
  const cluster = new Cluster(scenario(req.ratePerSec, virtualMs));
  const persister = store
    ? new Persister({
        store,
        planner: new FlushPlanner(undefined, req.moment ? () => true : null),
        ownerEpoch: epoch,
        cluster: () => cluster,
        wallNow: () => performance.now(),
        setTimer: (fn, ms) => setTimeout(fn, ms),
        clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      }, req.flushMs ? { minIntervalMs: req.flushMs } : {})
    : null;
  const slabs0 = { ...slabCounts };
  const end = virtualMs + 2000;
  const t0 = performance.now();
  started(t0);
  let clusterMs = 0;
  while (cluster.now < end) {
    const slice = performance.now();
    while (cluster.now < end && performance.now() - slice < 16) cluster.runUntil(Math.min(end, cluster.now + 20));
    clusterMs += performance.now() - slice;
    persister?.requestFlush();
    await yieldTask();
  }
  const tail = performance.now();
  if (persister) await persister.flushNow();
  const tailMs = performance.now() - tail;
  const wallMs = performance.now() - t0;
  if (persister && persister.status.state !== 'saving') throw new Error(`persistence ended in state ${persister.status.state}`);
  const acked = [...cluster.producers.values()].reduce((s, p) => s + p.acked, 0);
  return { cluster, persister, wallMs, clusterMs, tailMs, end, acked, clusterEndMs: tail - t0, slabs: slabCounts.started - slabs0.started, slabsReady: slabCounts.ready - slabs0.ready };
}

async function runWith(req: BenchRequest, ran: (() => void) | undefined, warmed: (() => Promise<void> | void) | undefined): Promise<BenchResult> {
  const timeline: BenchResult['flushTimeline'] = [];
  /** When the run being measured started (flush times are given from it). */
  let runStart = performance.now();
  const started = (t0: number) => void (runStart = t0);
  let measuring = false;
  let store: ClusterStore | null = null;
  let epoch = 0;
  if (req.persist) {
    await deleteDB(DB);
    // The store the playground's worker opens (src/worker/cluster.worker.ts): flushes written by an IO worker.
    store = await openBrowserStore({
      name: DB,
      onWritten: (w) => {
        if (!measuring) return;
        const end = performance.now();
        timeline.push([end - w.buildMs - w.txMs - runStart, w.bytes / 1e6, w.chunks, w.buildMs, w.txMs]);
      },
    });
    epoch = await store.claim();
  }
  if (req.warmupVirtualMs !== 0) {
    await runOnce(req, req.warmupVirtualMs ?? req.virtualMs, store, epoch, started);
    // The measured run starts from an empty store, as a new run does.
    await store?.clear();
  }
  // The page may hold the measured run until it has read the CPU counters (BenchRequest.hold).
  await warmed?.();
  measuring = true;
  const r = await runOnce(req, req.virtualMs, store, epoch, started);
  const { cluster, persister } = r;
  const result: BenchResult = {
    persist: req.persist,
    wallMs: r.wallMs,
    virtualMs: r.end,
    acked: r.acked,
    bytesStored: persister?.figures.bytes ?? 0,
    flushes: persister?.figures.flushes ?? 0,
    flushWallMs: persister?.figures.wallMs ?? 0,
    logBytes: persister?.storedLogBytes ?? 0,
    clusterMs: r.clusterMs,
    tailMs: r.tailMs,
    flushTimeline: timeline,
    clusterEndMs: r.clusterEndMs,
    planMs: persister?.figures.planMs ?? 0,
    syncMs: persister?.figures.syncMs ?? 0,
    loadMs: 0,
    restoreMs: 0,
    slabs: r.slabs,
    slabsReady: r.slabsReady,
  };
  ran?.();
  if (store) {
    // What a reopen costs: a new connection, read and check everything, restart the cluster.
    store.close();
    const t1 = performance.now();
    const again = await openBrowserStore({ name: DB });
    const image = await again.load();
    const t2 = performance.now();
    const restored = restoreCluster(imageToDurableState(image!).state);
    result.loadMs = t2 - t1;
    result.restoreMs = performance.now() - t2;
    if (restored.now !== cluster.now) throw new Error('the reopened cluster is not at the saved time');
    again.close();
  }
  return result;
}

/**
 * After the warm-up: with BenchRequest.hold, a promise of the page's 'go' (`setGo` is given
 * what starts the measured run); without, nothing to wait for.
 */
export function holdUntilGo(req: BenchRequest, setGo: (go: () => void) => void): Promise<void> | undefined {
  return req.hold ? new Promise<void>((resolve) => setGo(resolve)) : undefined;
}

/** Starts the measured run once the page says 'go' (when the request holds it). */
let go: (() => void) | null = null;

if (typeof window === 'undefined') self.onmessage = (e: MessageEvent<BenchRequest | 'go'>) => {
  if (e.data === 'go') {
    go?.();
    go = null;
    return;
  }
  const req = e.data;
  const warmed = () => {
    self.postMessage({ warmed: true });
    return holdUntilGo(req, (resolve) => void (go = resolve));
  };
  run(req, () => self.postMessage({ ran: true }), warmed).then(
    (r) => self.postMessage(r),
    (err: unknown) => self.postMessage({ error: err instanceof Error ? err.message : String(err) }),
  );
};
