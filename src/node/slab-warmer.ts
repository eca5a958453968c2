/**
 * Pre-touched slabs for the cluster in Node (the bench, npm run scenario): the warming
 * thread of src/worker/slab-warming.ts as a worker thread. The cluster's thread takes its
 * messages with receiveMessageOnPort, which does not wait for the event loop (runUntil
 * never yields to it).
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { SLAB_SIZE } from '../kafka/log/record-batch';
import { SlabQueue, warmerOptions, warmSlabs } from '../worker/slab-warming';

export interface SlabWarmer {
  /** Slabs handed to batchBytes so far. */
  readonly taken: number;
  /** Takes what the thread has sent so far without waiting; how many slabs are ready now. */
  collect(): number;
  /** batchBytes allocates its slabs again, and the thread ends. */
  stop(): void;
}

/**
 * The thread's program: warmSlabs from its source text (`source`), so it needs no file of its
 * own to find under tsx, vitest or a bundle. tsx compiles with esbuild's keepNames, which
 * wraps inner functions in a `__name` helper the text does not carry: given here.
 */
export function warmerProgram(source: string): string {
  return `const __name = (f) => f;\nconst { workerData } = require('node:worker_threads');\n(${source})(workerData.port, workerData.options);`;
}

/** Starts the thread and installs it as batchBytes' source of slabs (one per process). */
export function startSlabWarmer(): SlabWarmer {
  const { port1, port2 } = new MessageChannel();
  const options = warmerOptions(SLAB_SIZE);
  const worker = new Worker(warmerProgram(String(warmSlabs)), { eval: true, workerData: { port: port2, options }, transferList: [port2] });
  // A thread that fails leaves batchBytes allocating, as without one (nothing a run can see).
  worker.on('error', () => stop());
  // Neither keeps the process alive: a runner that forgets stop() still exits.
  worker.unref();
  port1.unref();
  const queue = new SlabQueue(
    () => port1.postMessage(1),
    () => receiveMessageOnPort(port1)?.message as ArrayBuffer[] | undefined,
  );
  queue.install();
  function stop(): void {
    if (!queue.close()) return;
    port1.close();
    void worker.terminate();
  }
  return {
    get taken() {
      return queue.taken;
    },
    collect: () => queue.collect(),
    stop,
  };
}
