/**
 * Pre-touched slabs for the cluster in a browser worker (slab-warming.ts): the warming
 * thread as a worker of the cluster's worker. Its messages arrive between the host's
 * slices; a slab not ready in time is allocated as before.
 */
import { SLAB_SIZE } from '../kafka/log/record-batch';
import { SlabQueue, warmerOptions } from './slab-warming';

export interface BrowserSlabWarmer {
  /** Slabs handed to batchBytes so far. */
  readonly taken: number;
  /** batchBytes allocates its slabs again, and the worker ends. */
  stop(): void;
}

/** Starts the warmer and installs it as batchBytes' source; null where workers cannot be made. */
export function startBrowserSlabWarmer(): BrowserSlabWarmer | null {
  if (typeof Worker === 'undefined' || typeof MessageChannel === 'undefined') return null;
  let worker: Worker;
  try {
    worker = new Worker(new URL('./slab-warmer.worker.ts', import.meta.url), { type: 'module', name: 'kafka-playground-slabs' });
  } catch {
    return null;
  }
  const channel = new MessageChannel();
  const queue = new SlabQueue(() => channel.port1.postMessage(1));
  channel.port1.onmessage = (e: MessageEvent<ArrayBuffer[]>) => queue.add(e.data);
  worker.postMessage({ port: channel.port2, options: warmerOptions(SLAB_SIZE) }, [channel.port2]);
  const stop = (): void => {
    if (!queue.close()) return;
    channel.port1.close();
    worker.terminate();
  };
  // A worker that fails leaves batchBytes allocating, as without one (nothing a run can see).
  worker.onerror = (e) => {
    e.preventDefault();
    stop();
  };
  queue.install();
  return {
    get taken() {
      return queue.taken;
    },
    stop,
  };
}
