/**
 * The brokers' disks as the playground's cluster worker opens them (and the browser
 * benchmark, bench/browser/bench.worker.ts, so its figures are the app's): IndexedDB, with
 * the flushes written by an IO worker of their own (remote-store.ts). Where a worker cannot
 * start one (no nested workers, its script failed), the cluster worker writes them itself
 * (IdbClusterStore), as before.
 */
import { IdbClusterStore, type IdbStoreOptions } from './idb-store';
import { RemoteClusterStore, type PortLike } from './remote-store';
import { StorageUnreadableError, type ClusterStore } from './types';

export async function openBrowserStore(opts: IdbStoreOptions = {}): Promise<ClusterStore> {
  if (typeof Worker === 'undefined') return IdbClusterStore.open(opts);
  let io: Worker;
  try {
    io = new Worker(new URL('./io.worker.ts', import.meta.url), { type: 'module', name: 'kafka-playground-io' });
  } catch {
    return IdbClusterStore.open(opts);
  }
  const failed = new Promise<void>((resolve) => {
    io.onerror = (e) => {
      e.preventDefault?.();
      resolve();
    };
  });
  try {
    return await RemoteClusterStore.open(io as unknown as PortLike, opts, failed);
  } catch (err) {
    io.terminate();
    if (err instanceof StorageUnreadableError) throw err;
    return IdbClusterStore.open(opts);
  }
}
