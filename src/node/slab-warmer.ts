/**
 * Pre-touched slabs for the cluster in Node (the bench, npm run scenario): the warming
 * thread of src/worker/slab-warming.ts as a worker thread. The cluster's thread takes its
 * messages with receiveMessageOnPort, which does not wait for the event loop (runUntil
 * never yields to it).
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { SLAB_STREAMS, SlabQueue, SlabQueues, warmerOptions, warmSlabs } from '../worker/slab-warming';

export interface SlabWarmer {
  /** Slabs handed to batchBytes so far (of every size). */
  readonly taken: number;
  /** Takes what the thread has sent so far without waiting; how many slabs (of every size) are ready now. */
  collect(): number;
  /** batchBytes allocates its slabs again, and the thread ends. */
  stop(): void;
}

/**
 * The thread's program: warmSlabs from its source text (`source`) for each stream it is given,
 * so it needs no file of its own to find under tsx, vitest or a bundle. tsx compiles with
 * esbuild's keepNames, which wraps inner functions in a `__name` helper the text does not
 * carry: given here.
 */
export function warmerProgram(source: string): string {
  return `const __name = (f) => f;\nconst { workerData } = require('node:worker_threads');\nfor (const s of workerData.streams) (${source})(s.port, s.options);`;
}

/** Starts the thread and installs it as batchBytes' source of slabs of every size (one per process). */
export function startSlabWarmer(): SlabWarmer {
  const channels = SLAB_STREAMS.map(() => new MessageChannel());
  const streams = SLAB_STREAMS.map((stream, i) => ({ port: channels[i]!.port2, options: warmerOptions(stream) }));
  const worker = new Worker(warmerProgram(String(warmSlabs)), { eval: true, workerData: { streams }, transferList: streams.map((s) => s.port) });
  // A thread that fails leaves batchBytes allocating, as without one (nothing a run can see).
  worker.on('error', () => stop());
  // Neither keeps the process alive: a runner that forgets stop() still exits.
  worker.unref();
  const queues = new SlabQueues(
    SLAB_STREAMS.map((stream, i) => {
      const port = channels[i]!.port1;
      port.unref();
      return new SlabQueue(
        () => port.postMessage(1),
        () => receiveMessageOnPort(port)?.message as ArrayBuffer[] | undefined,
        stream,
      );
    }),
  );
  queues.install();
  function stop(): void {
    if (!queues.close()) return;
    for (const c of channels) c.port1.close();
    void worker.terminate();
  }
  return {
    get taken() {
      return queues.taken;
    },
    collect: () => queues.collect(),
    stop,
  };
}
