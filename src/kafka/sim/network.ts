/**
 * The simulated network between brokers and clients. Every message is a closure
 * delivered later by the scheduler, after `latencyMs` plus up to `jitterMs` (from the
 * seeded PRNG) plus any slowness of either end. Like a TCP connection, a link keeps
 * order: a message never overtakes an earlier one on the same (from, to) link.
 *
 * A message is lost, silently, when at send time or at delivery time
 * - either end is isolated (its network is cut to and from everyone), or
 * - the receiver is not running (a killed broker, a crashed client).
 * Senders learn of loss only by their own timeouts, as in Kafka.
 */
import type { Prng } from './prng';
import { MIN_TURN_MS, type Scheduler } from './scheduler';

/** "broker:1", "client:checkout": one address per process. */
export type NodeId = string;

export const brokerNode = (id: number): NodeId => `broker:${id}`;
export const clientNode = (id: string): NodeId => `client:${id}`;

export interface NetworkConfig {
  latencyMs: number;
  jitterMs: number;
}

export class Network {
  private readonly isolated = new Set<NodeId>();
  private readonly slowMs = new Map<NodeId, number>();
  private readonly running = new Set<NodeId>();
  /** Last scheduled delivery time per link, to keep per-link FIFO order. */
  private readonly lastDelivery = new Map<string, number>();
  /** Bytes sent per node, for BytesIn/BytesOut style metrics. */
  messagesDropped = 0;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly prng: Prng,
    public config: NetworkConfig,
  ) {}

  /** A process starts listening (broker start/restart, client creation). */
  up(node: NodeId): void {
    this.running.add(node);
  }

  /**
   * A process dies: everything in flight to it is lost on arrival, and every connection it
   * held open is reset, so requests waiting on it fail at their senders (as a SIGKILLed
   * broker's sockets do), unlike a network cut, where senders only time out.
   */
  down(node: NodeId): void {
    this.running.delete(node);
    const waiting = this.openRequests.get(node);
    if (!waiting) return;
    this.openRequests.delete(node);
    for (const w of waiting) w();
  }

  /** Requests delivered to a node and not yet answered: their reset callbacks. */
  private readonly openRequests = new Map<NodeId, Set<() => void>>();

  isUp(node: NodeId): boolean {
    return this.running.has(node);
  }

  isolate(node: NodeId): void {
    this.isolated.add(node);
  }

  heal(node: NodeId): void {
    this.isolated.delete(node);
  }

  isIsolated(node: NodeId): boolean {
    return this.isolated.has(node);
  }

  /** Adds delayMs to every message to and from node (0 removes it). */
  slow(node: NodeId, delayMs: number): void {
    if (delayMs > 0) this.slowMs.set(node, delayMs);
    else this.slowMs.delete(node);
  }

  slowness(node: NodeId): number {
    return this.slowMs.get(node) ?? 0;
  }

  /** Can a message from `from` reach `to` right now? */
  canReach(from: NodeId, to: NodeId): boolean {
    if (from === to) return this.running.has(to);
    return !this.isolated.has(from) && !this.isolated.has(to) && this.running.has(to);
  }

  /**
   * Sends a one-way message; `deliver` runs at the receiver if it arrives.
   * Messages from a node to itself arrive at once (same process), in order.
   */
  send(from: NodeId, to: NodeId, deliver: () => void, onDropAtArrival?: () => void, notBeforeMs = 0): void {
    if (!this.canReach(from, to) || !this.running.has(from)) {
      this.messagesDropped++;
      return;
    }
    const now = this.scheduler.now;
    let at = now;
    if (from !== to) {
      const jitter = this.config.jitterMs > 0 ? this.prng.int(this.config.jitterMs + 1) : 0;
      at = now + this.config.latencyMs + jitter + this.slowness(from) + this.slowness(to);
    }
    if (at < notBeforeMs) at = notBeforeMs;
    const link = from + '>' + to;
    const last = this.lastDelivery.get(link) ?? 0;
    if (at < last) at = last;
    this.lastDelivery.set(link, at);
    this.scheduler.at(at, () => {
      if (!this.canReach(from, to)) {
        this.messagesDropped++;
        onDropAtArrival?.();
        return;
      }
      deliver();
    });
  }

  /**
   * A request and its response: `handle` runs at the receiver and returns the response,
   * which travels back and is handed to `onResponse` at the sender. Either leg may be lost.
   * The handler may instead return a Deferred to answer later (long-poll fetch, join).
   *
   * Between two processes a round trip (answer or reset) takes at least MIN_TURN_MS, even
   * with zero latency: otherwise a client that asks again on every answer (a fetch with
   * fetch.max.wait.ms=0, a retry with retry.backoff.ms=0) would loop at one instant forever.
   */
  request<R>(from: NodeId, to: NodeId, handle: () => R | Deferred<R>, onResponse: (r: R) => void, onReset?: () => void): void {
    const answerNotBefore = from === to ? 0 : this.scheduler.now + MIN_TURN_MS;
    // A dead (not cut off) receiver resets the connection: the sender hears it one trip later.
    const refused = () => !this.running.has(to) && !this.isolated.has(from) && !this.isolated.has(to);
    const resetBack = () => {
      if (!onReset) return;
      this.scheduler.at(Math.max(this.scheduler.now + this.config.latencyMs, answerNotBefore), () => {
        if (this.running.has(from) && !this.isolated.has(from)) onReset();
      });
    };
    if (!this.running.has(from)) return;
    if (onReset && refused()) return resetBack();
    this.send(
      from,
      to,
      () => {
        const r = handle();
        if (r instanceof Deferred) {
          let reset: (() => void) | null = null;
          if (onReset) {
            reset = resetBack;
            const set = this.openRequests.get(to) ?? new Set<() => void>();
            set.add(reset);
            this.openRequests.set(to, set);
          }
          r.then((v) => {
            if (reset) this.openRequests.get(to)?.delete(reset);
            this.send(to, from, () => onResponse(v), undefined, answerNotBefore);
          });
        } else {
          this.send(to, from, () => onResponse(r), undefined, answerNotBefore);
        }
      },
      () => {
        if (refused()) resetBack();
      },
    );
  }
}

/** A response that the receiver will complete later (a delayed, long-polled answer). */
export class Deferred<R> {
  private cb: ((r: R) => void) | null = null;
  private value: { v: R } | null = null;
  private done = false;

  then(cb: (r: R) => void): void {
    if (this.value) cb(this.value.v);
    else this.cb = cb;
  }

  resolve(v: R): void {
    if (this.done) return;
    this.done = true;
    if (this.cb) this.cb(v);
    else this.value = { v };
  }

  get isDone(): boolean {
    return this.done;
  }
}
