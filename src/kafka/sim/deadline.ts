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
