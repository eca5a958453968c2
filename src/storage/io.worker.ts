/**
 * The IO worker (storage/remote-store.ts): started by the cluster worker, it owns the
 * IndexedDB connection that commits the flushes, so their values are built and their
 * transactions run off the cluster's thread.
 */
import { IdbClusterStore } from './idb-store';
import { serveIo, type PortLike } from './remote-store';

const scope = self as unknown as DedicatedWorkerGlobalScope;
serveIo(scope as unknown as PortLike, (opts) => IdbClusterStore.open(opts), () => scope.close());
