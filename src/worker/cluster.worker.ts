/**
 * The worker entry: binds the host to `self`. Nothing else lives here, so everything that
 * can be tested runs under Node in host.ts.
 */
import { cloneCluster, cloneFootprint } from '../kafka/checkpoint';
import { Cluster } from '../kafka/cluster';
import { batchBytesHeld, slabCounts } from '../kafka/log/record-batch';
import { openBrowserStore } from '../storage/open-store';
import { WorkerPersistence, type LockManagerLike } from '../storage/worker-persistence';
import { startBrowserSlabWarmer } from './browser-slab-warmer';
import { FEW_CORES_BEHIND_REST, WorkerHost } from './host';
import { fromWorker, type FromWorker } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

// The logs' slabs come with their pages touched, from a worker of their own (slab-warming.ts).
startBrowserSlabWarmer();
// How many of the slabs came so: readable from the browser's devtools and the e2e tests.
(scope as unknown as { slabCounts: typeof slabCounts }).slabCounts = slabCounts;

// The brokers' disks: IndexedDB, owned by one tab at a time (src/storage/).
const persistence = new WorkerPersistence({
  post: (ev) => scope.postMessage(fromWorker({ type: 'storage', ...ev })),
  // Flushes are committed by an IO worker of their own (storage/remote-store.ts).
  openStore: () => openBrowserStore({ onVersionChange: () => persistence.versionChanged() }),
  locks: (navigator as Navigator & { locks?: LockManagerLike }).locks ?? null,
  wallNow: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
});

// The host's loop asks for its next turn "at once" while the cluster is behind the clock
// or a seek is left over. setTimeout(0) is clamped to 4 ms once nested, idle time the
// cluster needs; a message to ourselves comes after what the page sent meanwhile, no later.
const soon = new MessageChannel();
const SOON = Symbol('soon');
let soonFn: (() => void) | null = null;
soon.port1.onmessage = () => {
  const fn = soonFn;
  soonFn = null;
  fn?.();
};
const hostTimer = (fn: () => void, ms: number): unknown => {
  if (ms > 0) return setTimeout(fn, ms);
  soonFn = fn;
  soon.port2.postMessage(0);
  return SOON;
};
const clearHostTimer = (handle: unknown): void => {
  if (handle === SOON) soonFn = null;
  else clearTimeout(handle as ReturnType<typeof setTimeout>);
};

const host = new WorkerHost({
  // Every cluster the host shows (a new run, a replay to another moment) reaches
  // persistence through HostStorage.clusterCreated.
  createCluster: (scenario) => new Cluster(scenario),
  // Time-travel checkpoints: an exact copy of the cluster (src/kafka/checkpoint.ts), so a
  // seek back restores the nearest checkpoint and runs forward instead of replaying from 0.
  clone: (c) => cloneCluster(c as Cluster),
  // What each copy holds: the checkpoints keep within a memory budget (time-machine.ts).
  footprint: (c) => cloneFootprint(c as Cluster),
  // The records' memory: playing pauses before it takes the tab down (host.ts pauseIfMemoryFull).
  batchBytesHeld,
  storage: persistence,
  post: (message: FromWorker) => scope.postMessage(message),
  wallNow: () => performance.now(),
  setTimer: hostTimer,
  clearTimer: clearHostTimer,
}, {
  deltas: true,
  // A cluster behind the clock leaves the page room on a machine of few cores.
  behindRest: (navigator.hardwareConcurrency ?? 4) <= 2 ? FEW_CORES_BEHIND_REST : 0,
});

scope.onmessage = (e: MessageEvent<unknown>) => host.handle(e.data);
// Failures outside the host's guard must reach the page, or it waits ("Opening…") for a
// reply that never comes: a message that cannot be deserialized here, a promise rejected
// with nobody to catch it. (A plain uncaught error reaches the page as the Worker's 'error'.)
const fatal = (message: string) => scope.postMessage(fromWorker({ type: 'error', message, fatal: true }));
scope.onmessageerror = () => fatal('a message to the cluster worker could not be read');
scope.onunhandledrejection = (e: PromiseRejectionEvent) => {
  e.preventDefault();
  const r: unknown = e.reason;
  fatal(r instanceof Error ? r.message : String(r));
};
host.start();
