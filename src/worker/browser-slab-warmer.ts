/**
 * Pre-touched slabs for the cluster in a browser worker (slab-warming.ts): the warming
 * thread as a worker of the cluster's worker. Its messages arrive between the host's
 * slices; a slab not ready in time is allocated as before.
 */
import { SLAB_STREAMS, SlabQueue, SlabQueues, warmerOptions, type WarmerStream } from './slab-warming';

export interface BrowserSlabWarmer {
  /** Slabs handed to batchBytes so far (of every size). */
  readonly taken: number;
  /** batchBytes allocates its slabs again, and the worker ends. */
  stop(): void;
}

/** Starts the warmer and installs it as batchBytes' source of slabs of every size; null where workers cannot be made. */
export function startBrowserSlabWarmer(): BrowserSlabWarmer | null {
  if (typeof Worker === 'undefined' || typeof MessageChannel === 'undefined') return null;
  let worker: Worker;
  try {
    worker = new Worker(new URL('./slab-warmer.worker.ts', import.meta.url), { type: 'module', name: 'kafka-playground-slabs' });
  } catch {
    return null;
  }
  const channels = SLAB_STREAMS.map(() => new MessageChannel());
  const queues = new SlabQueues(
    SLAB_STREAMS.map((stream, i) => {
      const port = channels[i]!.port1;
      const queue = new SlabQueue(() => port.postMessage(1), undefined, stream);
      port.onmessage = (e: MessageEvent<ArrayBuffer[]>) => queue.add(e.data);
      return queue;
    }),
  );
  const streams: WarmerStream[] = SLAB_STREAMS.map((stream, i) => ({ port: channels[i]!.port2, options: warmerOptions(stream) }));
  worker.postMessage({ streams }, streams.map((s) => s.port));
  const stop = (): void => {
    if (!queues.close()) return;
    for (const c of channels) c.port1.close();
    worker.terminate();
  };
  // A worker that fails leaves batchBytes allocating, as without one (nothing a run can see).
  worker.onerror = (e) => {
    e.preventDefault();
    stop();
  };
  queues.install();
  return {
    get taken() {
      return queues.taken;
    },
    stop,
  };
}
