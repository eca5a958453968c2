/**
 * Slabs whose pages another thread has touched already, for the cluster in Node (the bench,
 * the headless runner): see record-batch.ts provideSlabs. A fresh page's first touch is a
 * page fault, ~11 µs on this project's VMs, and the logs keep every byte produced, so at
 * 20,000 records/s a third of a 3 x 3 run went on faults. A worker thread allocates the
 * slabs and touches a byte a page (writing a zero: a read would map the shared zero page),
 * then transfers them; the cluster's thread takes them with receiveMessageOnPort, which
 * does not wait for the event loop (runUntil never yields). The touching runs on the
 * other core, in parallel; a slab not ready in time is allocated as before. Which buffer a
 * batch lands in changes none of its bytes, so a run is the same with or without one.
 *
 * The worker keeps AHEAD messages of PER slabs in flight and makes another for each one
 * taken: 8 MiB ready at most.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { provideSlabs, SLAB_SIZE } from '../kafka/log/record-batch';

const PER = 16;
const AHEAD = 8;
const PAGE = 4096;

/** The worker's code (evaluated: no file of its own to find under tsx, vitest or a bundle). */
const WARMER = `
const { workerData } = require('node:worker_threads');
const { port, size, per, page } = workerData;
let credit = workerData.ahead;
function make() {
  for (; credit > 0; credit--) {
    const slabs = [];
    for (let i = 0; i < per; i++) {
      const b = new ArrayBuffer(size);
      const u = new Uint8Array(b);
      for (let j = 0; j < size; j += page) u[j] = 0;
      slabs.push(b);
    }
    port.postMessage(slabs, slabs);
  }
}
port.on('message', (n) => { credit += n; make(); });
make();
`;

export interface SlabWarmer {
  /** Slabs handed to batchBytes so far (how many of its slabs came ready). */
  readonly taken: number;
  /** Takes what the thread has sent so far without waiting; how many slabs are ready now. */
  collect(): number;
  /** Removes the source and ends the thread. */
  stop(): void;
}

/** Starts the warmer and installs it as batchBytes' source of slabs (one per process). */
export function startSlabWarmer(): SlabWarmer {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WARMER, { eval: true, workerData: { port: port2, size: SLAB_SIZE, per: PER, ahead: AHEAD, page: PAGE }, transferList: [port2] });
  // Neither keeps the process alive: a runner that forgets stop() still exits.
  worker.unref();
  port1.unref();
  const ready: ArrayBuffer[] = [];
  let taken = 0;
  let stopped = false;
  /** One message from the thread into `ready` (and a credit back for another); false when none has come. */
  const receive = (): boolean => {
    const m = receiveMessageOnPort(port1);
    if (m === undefined) return false;
    for (const b of m.message as ArrayBuffer[]) ready.push(b);
    port1.postMessage(1);
    return true;
  };
  provideSlabs(() => {
    if (ready.length === 0 && !receive()) return null;
    const slab = ready.pop();
    if (slab === undefined) return null;
    taken++;
    return slab;
  });
  return {
    get taken() {
      return taken;
    },
    collect() {
      while (!stopped && receive());
      return ready.length;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      provideSlabs(null);
      port1.close();
      void worker.terminate();
    },
  };
}
