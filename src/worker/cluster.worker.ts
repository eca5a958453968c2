/**
 * The worker entry: binds the host to `self`. Nothing else lives here, so everything that
 * can be tested runs under Node in host.ts.
 */
import { cloneCluster } from '../kafka/checkpoint';
import { Cluster } from '../kafka/cluster';
import { IdbClusterStore } from '../storage/idb-store';
import { WorkerPersistence, type LockManagerLike } from '../storage/worker-persistence';
import { WorkerHost } from './host';
import { fromWorker, type FromWorker } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

// The brokers' disks: IndexedDB, owned by one tab at a time (src/storage/).
const persistence = new WorkerPersistence({
  post: (ev) => scope.postMessage(fromWorker({ type: 'storage', ...ev })),
  openStore: () => IdbClusterStore.open({ onVersionChange: () => persistence.versionChanged() }),
  locks: (navigator as Navigator & { locks?: LockManagerLike }).locks ?? null,
  wallNow: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
});

const host = new WorkerHost({
  // Every cluster the host shows (a new run, a replay to another moment) reaches
  // persistence through HostStorage.clusterCreated.
  createCluster: (scenario) => new Cluster(scenario),
  // Time-travel checkpoints: an exact copy of the cluster (src/kafka/checkpoint.ts), so a
  // seek back restores the nearest checkpoint and runs forward instead of replaying from 0.
  clone: (c) => cloneCluster(c as Cluster),
  storage: persistence,
  post: (message: FromWorker) => scope.postMessage(message),
  wallNow: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
});

scope.onmessage = (e: MessageEvent<unknown>) => host.handle(e.data);
host.start();
