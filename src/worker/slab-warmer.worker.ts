/**
 * The browser's slab warmer (slab-warming.ts): started by the cluster worker, it makes the
 * slabs the cluster's logs fill, their pages touched, on a thread of its own.
 */
import { warmSlabs, type WarmerOptions, type WarmerPort } from './slab-warming';

const scope = self as unknown as DedicatedWorkerGlobalScope;
scope.onmessage = (e: MessageEvent<{ port: MessagePort; options: WarmerOptions }>) => {
  scope.onmessage = null;
  warmSlabs(e.data.port as unknown as WarmerPort, e.data.options);
};
