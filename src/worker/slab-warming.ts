/**
 * Slabs whose pages another thread has touched already (record-batch.ts provideSlabs): a
 * fresh page's first touch is a page fault, ~11 µs on this project's VMs, and the logs keep
 * every byte produced, so at 20,000 records/s a third of a 3 x 3 run went on faults. A
 * thread of its own allocates the slabs, writes a zero a page (a read would map the shared
 * zero page) and transfers them; the cluster's thread takes them as it needs slabs. The
 * touching runs on the other core, in parallel; a slab not ready in time is allocated as
 * before. Which buffer a batch lands in changes none of its bytes: a run is the same with or
 * without.
 *
 * One stream per size of slab (SLAB_STREAMS): for each, the thread keeps `ahead` messages of
 * `per` slabs in flight and makes another for each one the cluster's thread starts on. The
 * small slabs start one message ahead (1 MiB: a light load never needs more), the large ones
 * none (only a fast producer's batches need them), and the cluster's side asks for one more
 * each time it finds none ready, up to `maxAhead` (8 MiB a size: at 20,000 records/s, 3 x 3 and
 * 6 x 50 take every slab ready in the bench; at 200,000, 84-93% in the browser bench).
 * Hosts: src/node/slab-warmer.ts (a worker thread, taken with receiveMessageOnPort: runUntil
 * never yields) and slab-warmer.worker.ts (the browser's cluster worker, whose messages
 * arrive between its slices).
 */
import { LARGE_SLAB_SIZE, provideSlabs, SLAB_SIZE } from '../kafka/log/record-batch';

/** The thread's settings (the page size is the smallest of the machines we run on). */
export interface WarmerOptions {
  size: number;
  per: number;
  /** Messages the thread makes before any credit: the cluster's side may grow it (SlabQueue). */
  ahead: number;
  page: number;
}

/** One size of slab the thread makes: `per` a message, `ahead` messages at first, at most `maxAhead` (SlabQueue grows it). */
export interface SlabStream {
  size: number;
  per: number;
  ahead: number;
  maxAhead: number;
}

/** The streams the hosts start: batchBytes' small slabs and its large ones (1 MiB each, one a message). */
export const SLAB_STREAMS: readonly SlabStream[] = [
  { size: SLAB_SIZE, per: 16, ahead: 1, maxAhead: 8 },
  { size: LARGE_SLAB_SIZE, per: 1, ahead: 0, maxAhead: 8 },
];

/** The smallest page of the machines we run on: a zero written every this many bytes touches every page. */
const PAGE = 4096;

/** What the thread is sent for a stream. */
export function warmerOptions(stream: SlabStream): WarmerOptions {
  return { size: stream.size, per: stream.per, ahead: stream.ahead, page: PAGE };
}

/** The port the thread talks through: a MessagePort in Node and in browsers. */
export interface WarmerPort {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((e: { data: unknown }) => void) | null;
}

/** A stream as the thread is given it: its port (a MessagePort where it runs) and its settings. */
export interface WarmerStream {
  port: MessagePort;
  options: WarmerOptions;
}

/**
 * The thread's whole program. Self-contained (no name from outside its body): Node runs it
 * from its source text (`String(warmSlabs)`), so it needs no file of its own under tsx,
 * vitest or a bundle.
 */
export function warmSlabs(port: WarmerPort, o: WarmerOptions): void {
  let credit = o.ahead;
  const make = (): void => {
    for (; credit > 0; credit--) {
      const slabs: ArrayBuffer[] = [];
      for (let i = 0; i < o.per; i++) {
        const b = new ArrayBuffer(o.size);
        const u = new Uint8Array(b);
        for (let j = 0; j < o.size; j += o.page) u[j] = 0;
        slabs.push(b);
      }
      port.postMessage(slabs, slabs);
    }
  };
  port.onmessage = (e) => {
    credit += Number(e.data) || 0;
    make();
  };
  make();
}

/**
 * The cluster thread's side of one stream: messages of slabs in arrival order; each one
 * started sends the thread a credit for another. Finding none ready once some have come (the
 * cluster fills slabs faster than the thread keeps ahead), or while none are asked for (a
 * stream that starts with none ahead), sends one credit more, up to `maxAhead` messages in
 * flight. `pull` takes a message that has arrived without waiting (Node), or is absent where
 * messages are pushed through `add` (the browser).
 */
export class SlabQueue {
  private readonly messages: ArrayBuffer[][] = [];
  private current: ArrayBuffer[] = [];
  /** Slabs handed to batchBytes so far. */
  taken = 0;
  /** Messages the thread keeps in flight: its `ahead`, plus the credits sent on finding none ready. */
  ahead: number;
  private received = 0;
  private installed = false;
  private closed = false;

  constructor(
    private readonly credit: () => void,
    private readonly pull?: () => ArrayBuffer[] | undefined,
    private readonly stream: SlabStream = SLAB_STREAMS[0]!,
  ) {
    this.ahead = stream.ahead;
  }

  /** A message of slabs from the thread. */
  add(slabs: ArrayBuffer[]): void {
    if (this.closed) return;
    this.messages.push(slabs);
    this.received++;
  }

  /** Takes whatever has arrived, without waiting; how many slabs are ready (0 once closed). */
  collect(): number {
    if (this.closed) return 0;
    if (this.pull) for (let m = this.pull(); m !== undefined; m = this.pull()) this.add(m);
    let n = this.current.length;
    for (const m of this.messages) n += m.length;
    return n;
  }

  /** A ready slab, or null: batchBytes allocates one then. */
  take(): ArrayBuffer | null {
    if (this.current.length === 0) {
      let next = this.messages.shift();
      if (next === undefined && this.pull) {
        next = this.pull();
        if (next !== undefined) this.received++;
      }
      if (next === undefined) {
        // None ready, though the thread has delivered before (not just starting) or has none to
        // deliver: keep one more ahead.
        if ((this.received > 0 || this.ahead === 0) && !this.closed && this.ahead < this.stream.maxAhead) {
          this.ahead++;
          this.credit();
        }
        return null;
      }
      this.current = next;
      this.credit();
    }
    const slab = this.current.pop();
    if (slab === undefined) return null;
    this.taken++;
    return slab;
  }

  /** batchBytes takes its slabs of this stream's size from here (one source a size per process: the last installed). */
  install(): void {
    if (this.closed) return;
    this.installed = true;
    provideSlabs(() => this.take(), this.stream.size);
  }

  /**
   * batchBytes allocates its slabs again, what is queued is dropped and nothing more is taken
   * in. True the first time (the host then ends its thread), false after.
   */
  close(): boolean {
    if (this.closed) return false;
    this.closed = true;
    if (this.installed) provideSlabs(null, this.stream.size);
    this.installed = false;
    this.messages.length = 0;
    this.current = [];
    return true;
  }
}

/** Every stream's SlabQueue, installed, counted and closed together: what a host (Node's, the browser's) holds. */
export class SlabQueues {
  constructor(private readonly queues: readonly SlabQueue[]) {}

  /** Slabs handed to batchBytes so far, of every size. */
  get taken(): number {
    return this.queues.reduce((n, q) => n + q.taken, 0);
  }

  /** SlabQueue.collect of every stream: the slabs of every size ready now. */
  collect(): number {
    return this.queues.reduce((n, q) => n + q.collect(), 0);
  }

  install(): void {
    for (const q of this.queues) q.install();
  }

  /** Closes every queue; true the first time (the host then ends its thread), false after. */
  close(): boolean {
    let first = false;
    for (const q of this.queues) if (q.close()) first = true;
    return first;
  }
}
