/**
 * The one scheduler that drives the cluster: a binary heap of events ordered by
 * (virtual time, sequence). Virtual time is in milliseconds, starts at 0 and only moves
 * when the scheduler runs an event, so a run never depends on the wall clock
 * (Kafka's MockTime / RaftEventSimulationTest; TigerBeetle's testing/time.zig).
 *
 * Invariant: events run in non-decreasing time; events at the same time run in the
 * order they were scheduled. That ordering is what makes the run deterministic.
 *
 * Progress: a loop that re-arms itself at the same virtual instant (a zero backoff, a
 * zero-latency round trip) would run forever without the clock moving; the browser tab
 * would spin and the runner would run out of heap. Every such loop in the cluster waits at
 * least MIN_TURN_MS between turns (real time always passes between two turns of a loop),
 * and as the last line of defence the scheduler refuses to run more than
 * MAX_EVENTS_PER_INSTANT events at one instant: it throws SimulationStalledError, a named
 * failure instead of a hang.
 */
import { invoke, type Call } from './call';

/**
 * What runs at a time: a Call (data, copied by checkpoints), never a closure, so the heap
 * of timers and messages in flight is part of the cluster's copyable state.
 */
export type Task = Call;

/**
 * The shortest wait between two turns of any retry or poll loop, in virtual ms. Kafka
 * accepts 0 for retry.backoff.ms, fetch.max.wait.ms, heartbeat.interval.ms and others; a
 * real process still spends time between turns, and on a millisecond clock that is a tick.
 */
export const MIN_TURN_MS = 1;

/**
 * Events one virtual instant may run before the run is declared stalled. The busiest
 * instant of the test suite and of a 20-broker, 2,000-partition cluster under load runs
 * under 2,000 events; a stalled loop reaches this in well under a second, long before
 * memory runs out.
 */
export const MAX_EVENTS_PER_INSTANT = 100_000;

/** The clock stopped: events kept re-arming at one virtual instant. */
export class SimulationStalledError extends Error {
  constructor(readonly atMs: number, readonly events: number) {
    super(`the simulation stalled: more than ${events} events ran at virtual time ${atMs} ms without the clock moving`);
    this.name = 'SimulationStalledError';
  }
}

export interface Timer {
  /** Cancel before it fires; a no-op after. */
  cancel(): void;
  readonly at: number;
}

/**
 * What the heap holds: something due at a virtual time, run in (at, seq) order. Either an
 * Entry (a Task at a time, the Timer callers get back) or an object that puts itself in the
 * heap again and again (the network's Exchange: one object for a request's arrival and for
 * its answer's, instead of a Call, an arguments array and an Entry per leg).
 */
export abstract class Scheduled {
  /** In the heap and still to run; false once it ran or was cancelled. */
  due = false;

  /**
   * `at` and `seq` are given when the object is made, not initialised to 0 and set when it is
   * scheduled: made that way, Entries ran 3 x 3 ~15% slower (measured; V8 widening the fields'
   * representation after the fact, it seems), though the stores are the same.
   */
  constructor(
    /** When it runs (set again by Scheduler.schedule). */
    public at: number,
    /** Its place among events of the same instant: the order they were scheduled in. */
    public seq: number,
  ) {}

  /** Runs it; the scheduler took it off the heap first (due is false, it may schedule itself again). */
  abstract fire(): void;
}

/** A scheduled task; a class (not an object literal with a method) so checkpoints copy it. */
export class Entry extends Scheduled implements Timer {
  constructor(
    at: number,
    seq: number,
    public task: Task | null,
    private readonly owner: Scheduler,
  ) {
    super(at, seq);
  }

  cancel(): void {
    if (!this.due) return;
    this.due = false;
    this.task = null;
    this.owner.noteCancelled();
  }

  fire(): void {
    const task = this.task!;
    this.task = null;
    invoke(task);
  }
}

export class Scheduler {
  private heap: Scheduled[] = [];
  /**
   * Cancelled entries still in the heap. Most timers are cancelled long before they are due
   * (a request's 30 s timeout, a batch's 120 s delivery timeout, answered in milliseconds):
   * left in place they made the heap hundreds of thousands deep at 20,000 records/s and
   * kept every one alive for the GC. When they are the majority, the heap is rebuilt
   * without them; order is (at, seq), a total order, so the run does not change.
   */
  private cancelled = 0;
  private seq = 0;
  private nowMs = 0;
  /** Count of events run: a cheap measure of simulation work for benchmarks. */
  eventsRun = 0;
  /** The instant the stall guard is counting, and how many events ran at it. */
  private instantMs = -1;
  private eventsThisInstant = 0;
  /** The stall guard's limit; tests lower it. */
  maxEventsPerInstant = MAX_EVENTS_PER_INSTANT;

  get now(): number {
    return this.nowMs;
  }

  /** Schedule a task at an absolute virtual time (clamped to now). */
  at(atMs: number, task: Task): Timer {
    const e = new Entry(atMs < this.nowMs ? this.nowMs : atMs, this.seq++, task, this);
    e.due = true;
    this.push(e);
    return e;
  }

  /**
   * Puts `e` in the heap at an absolute virtual time (clamped to now), after everything
   * already scheduled for that instant: `at` for a Task, or an object that schedules itself
   * (it must not be in the heap already).
   */
  schedule(e: Scheduled, atMs: number): void {
    if (e.due) throw new Error(`${e.constructor.name} is scheduled already (at ${e.at} ms)`);
    e.at = atMs < this.nowMs ? this.nowMs : atMs;
    e.seq = this.seq++;
    e.due = true;
    this.push(e);
  }

  /** An entry in the heap was cancelled (Entry.cancel). */
  noteCancelled(): void {
    this.cancelled++;
    if (this.cancelled > 1024 && this.cancelled * 2 > this.heap.length) this.compact();
  }

  /** Drops cancelled entries; a sorted array is a valid binary heap. */
  private compact(): void {
    const live = this.heap.filter((e) => e.due);
    live.sort((x, y) => (x.at !== y.at ? x.at - y.at : x.seq - y.seq));
    this.heap = live;
    this.cancelled = 0;
  }

  /** Schedule a task delayMs from now. */
  after(delayMs: number, task: Task): Timer {
    return this.at(this.nowMs + (delayMs > 0 ? delayMs : 0), task);
  }

  /** Time of the next live event, or Infinity. */
  peekTime(): number {
    while (this.heap.length > 0 && !this.heap[0]!.due) {
      this.pop();
      this.cancelled--;
    }
    return this.heap.length > 0 ? this.heap[0]!.at : Infinity;
  }

  /** Run the next event if it is due at or before limitMs. Returns false when none is. */
  step(limitMs: number): boolean {
    const t = this.peekTime();
    if (t > limitMs) return false;
    this.fireNext();
    return true;
  }

  /** Run every event due at or before limitMs, then set the clock to limitMs. */
  runUntil(limitMs: number): void {
    while (this.peekTime() <= limitMs) this.fireNext();
    if (limitMs > this.nowMs) this.nowMs = limitMs;
  }

  /**
   * Run every event due strictly before `beforeMs` (the clock stays at the last one run): what
   * comes before a timeline action at `beforeMs`, which itself precedes the events of its instant.
   */
  runBefore(beforeMs: number): void {
    while (this.peekTime() < beforeMs) this.fireNext();
  }

  /** Runs the least event (peekTime found a live one at the top). */
  private fireNext(): void {
    const e = this.pop()!;
    this.nowMs = e.at;
    if (e.at !== this.instantMs) {
      this.instantMs = e.at;
      this.eventsThisInstant = 0;
    } else if (++this.eventsThisInstant > this.maxEventsPerInstant) {
      throw new SimulationStalledError(e.at, this.maxEventsPerInstant);
    }
    e.due = false;
    this.eventsRun++;
    e.fire();
  }

  /** Moves the clock forward with no event (used when restoring a persisted run). */
  advanceTo(ms: number): void {
    if (ms > this.nowMs) this.nowMs = ms;
  }

  get pending(): number {
    return this.heap.length;
  }

  private less(x: Scheduled, y: Scheduled): boolean {
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  private push(e: Scheduled): void {
    const h = this.heap;
    const i = h.length;
    h.push(e);
    this.riseFrom(i, e);
  }

  /**
   * Puts `e` in the heap from the hole at `i` up: parents that come after it move down into
   * the hole, and `e` is stored once where it stops (a swap per level stored two pointers,
   * each through the GC's write barrier).
   */
  private riseFrom(hole: number, e: Scheduled): void {
    const h = this.heap;
    const at = e.at;
    const seq = e.seq;
    let i = hole;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const q = h[p]!;
      if (at > q.at || (at === q.at && seq > q.seq)) break;
      h[i] = q;
      i = p;
    }
    h[i] = e;
  }

  /**
   * Takes the least event. The hole left at the root sinks to a leaf along the lesser
   * children (one comparison a level), and the heap's last element rises from there
   * (Floyd's bottom-up heapsort step): it came from the bottom, so it rarely rises far. A
   * sift-down of the last element from the root took two comparisons a level and a swap.
   */
  private pop(): Scheduled | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    const n = h.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && this.less(h[r]!, h[l]!) ? r : l;
      h[i] = h[m]!;
      i = m;
    }
    this.riseFrom(i, last);
    return top;
  }
}
