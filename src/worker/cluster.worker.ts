/**
 * The worker entry: binds the host to `self`. Nothing else lives here, so everything that
 * can be tested runs under Node in host.ts.
 */
import { Cluster } from '../kafka/cluster';
import { WorkerHost } from './host';
import type { FromWorker } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

const host = new WorkerHost({
  createCluster: (scenario) => new Cluster(scenario),
  post: (message: FromWorker) => scope.postMessage(message),
  wallNow: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
});

scope.onmessage = (e: MessageEvent<unknown>) => host.handle(e.data);
host.start();
