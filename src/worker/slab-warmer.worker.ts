/**
 * The browser's slab warmer (slab-warming.ts): started by the cluster worker, it makes the
 * slabs the cluster's logs fill, their pages touched, on a thread of its own.
 */
import { warmSlabs, type WarmerPort, type WarmerStream } from './slab-warming';

const scope = self as unknown as DedicatedWorkerGlobalScope;
scope.onmessage = (e: MessageEvent<{ streams: WarmerStream[] }>) => {
  scope.onmessage = null;
  for (const s of e.data.streams) warmSlabs(s.port as unknown as WarmerPort, s.options);
};
