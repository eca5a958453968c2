/**
 * A re-armable timeout for an owner with one request outstanding at a time (a fetch session
 * to one leader, a follower's fetcher): `set(at)` when the request goes, `clear()` when it
 * is answered. Almost every such timeout is cleared long before it is due (request.timeout.ms
 * is 30 s, a fetch is answered in milliseconds): scheduling a timer per request and
 * cancelling it made an Entry, a Call and a heap push per request, and garbage for the GC.
 *
 * Here at most one event is in the scheduler per Deadline. It is armed at the due time of
 * the request that armed it; when it fires early (that request was answered, a later one is
 * outstanding) it re-arms at the current due time; when nothing is due it stops. Due times
 * only move later between two fires (each request is sent after the previous was answered),
 * so the expiry still runs at exactly the due instant, as a timer would have.
 *
 * Plain data (a Call, numbers) so checkpoints copy it.
 */
import { call, invoke, type Call } from './call';
import type { Scheduler } from './scheduler';

export class Deadline {
  /** When the outstanding request times out; Infinity when none is outstanding. */
  due = Infinity;
  /** The time of this Deadline's event in the scheduler, -1 when none. */
  private armedAt = -1;
  /** Tells the current event from one superseded by an earlier re-arm. */
  private gen = 0;

  constructor(
    private readonly scheduler: Scheduler,
    /** Runs at the due instant of a request still outstanding. */
    private readonly onExpire: Call,
  ) {}

  set(atMs: number): void {
    this.due = atMs;
    if (this.armedAt < 0 || this.armedAt > atMs) this.arm(atMs);
  }

  clear(): void {
    this.due = Infinity;
  }

  now(): number {
    return this.scheduler.now;
  }

  private arm(atMs: number): void {
    this.armedAt = atMs;
    this.scheduler.at(atMs, call(this, this.fire, ++this.gen));
  }

  /** @scheduled */
  fire(gen: number): void {
    if (gen !== this.gen) return;
    this.armedAt = -1;
    if (this.due === Infinity) return;
    if (this.due > this.scheduler.now) return this.arm(this.due);
    this.due = Infinity;
    invoke(this.onExpire);
  }
}

/** Something a TimeoutQueue expires at `due` unless it was `settled` (answered) before. */
export interface Expiring {
  due: number;
  settled: boolean;
}

/**
 * Timeouts of many outstanding requests of one owner (the fetches parked at a broker, its
 * parked acks=all produces): a queue in due order with one Deadline for its front, instead
 * of a timer per request that is nearly always cancelled. An answered request is only
 * marked settled; it leaves the queue when it reaches the front. Items due at one instant
 * expire in the order they were added, as their timers would have.
 */
export class TimeoutQueue<T extends Expiring> {
  private items: T[] = [];
  private head = 0;
  private readonly deadline: Deadline;

  constructor(
    scheduler: Scheduler,
    /** Called with each expired item as its last argument. */
    private readonly onExpire: Call,
  ) {
    this.deadline = new Deadline(scheduler, call(this, this.expireDue));
  }

  get size(): number {
    return this.items.length - this.head;
  }

  add(item: T): void {
    const items = this.items;
    while (this.head < items.length && items[this.head]!.settled) this.head++;
    let i = items.length;
    items.push(item);
    // Usually due times arrive in order; otherwise slide it in after every item due no later.
    while (i > this.head && items[i - 1]!.due > item.due) {
      items[i] = items[i - 1]!;
      i--;
    }
    items[i] = item;
    this.compact();
    const front = this.items[this.head]!;
    if (front.due < this.deadline.due) this.deadline.set(front.due);
  }

  /** @scheduled The front's due time came: expire what is due and not settled. */
  expireDue(): void {
    const now = this.deadlineNow();
    while (this.head < this.items.length) {
      const it = this.items[this.head]!;
      if (!it.settled && it.due > now) break;
      this.head++;
      if (!it.settled) invoke(this.onExpire, it);
    }
    this.compact();
    while (this.head < this.items.length && this.items[this.head]!.settled) this.head++;
    if (this.head < this.items.length) this.deadline.set(this.items[this.head]!.due);
  }

  private deadlineNow(): number {
    return this.deadline.now();
  }

  private compact(): void {
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
