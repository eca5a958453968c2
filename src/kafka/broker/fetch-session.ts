/**
 * KIP-227's incremental fetch sessions, between a follower broker and a leader broker, made
 * exact: an answer is what reading every partition of the fetch would give, but the leader
 * reads only the partitions that changed since the session's last read, and the follower
 * applies only those.
 *
 * The follower (Broker's Fetcher) sends the same parts array fetch after fetch, refilling
 * only the parts its last answer moved, and names them (FetchSessionRequest.changed; null:
 * the whole fetch is new). The leader (FetchSession, one per follower broker) remembers,
 * part by part, whether the answer slot holds an idle answer that is still true: nothing to
 * read, no error, the follower caught up and in the ISR, the high watermark at the log end.
 * Such a part is clean. Whatever changes the partition at the leader (an append, the high
 * watermark, the log start, a role, epoch, ISR or replica change, a stop) marks it dirty in
 * every session that holds it (Partition.touchFetchSessions). A fetch reads its dirty parts
 * only, in the parts' order, and lists in FetchSessionRequest.read the parts it wrote.
 *
 * What reading a clean part would still do is move the follower's fetch times (ReplicaState's
 * lastCaughtUpTimeMs and lastFetchTimeMs, both to the fetch's arrival): the part's
 * ReplicaState refers to its session instead, whose lastArrivalMs is the value, until the
 * part turns dirty (ReplicaState.freeze).
 *
 * Kafka's sessions save bytes on the wire; here they save the walk over every idle partition
 * of every fetch, five times (the follower's request, the leader's read, the purgatory, the
 * read at wake, the follower's answer), which made idle partitions cost as much as busy ones.
 * cluster.fetch-session.test.ts runs random clusters with and without sessions and finds the
 * same output.
 */
import type { FollowerFetchAnswer, FollowerFetchPart, Partition } from './partition';

/**
 * A follower fetch of fewer parts has no session: reading a few parts every time costs less
 * than the session's bookkeeping, which busy parts (dirty at nearly every fetch) only add to.
 * Measured at 6 x 50 (its fetches carry ~7 parts, the bench topic's and __consumer_offsets'):
 * with sessions from 8 parts up it ran ~10% slower (bundled, 4 alternated pairs), from 24 up
 * (none there) as before; 6 x 50 + 950 idle (~70 parts a fetch) runs 2-2.5x faster with them.
 */
export const FETCH_SESSION_MIN_PARTS = 24;

/** What a follower's fetch tells the leader's session, and what the leader's answer says back. */
export interface FetchSessionRequest {
  /** Indexes of the parts the follower refilled since its last fetch (any order); null: a new fetch, read it all. */
  changed: number[] | null;
  /** Indexes of the answer slots the leader wrote for this fetch (ascending per read; the follower applies these only). */
  readonly read: number[];
  /** The leader read the fetch (set at arrival): false when it never got there (the follower then starts anew). */
  arrived: boolean;
}

export function newFetchSessionRequest(): FetchSessionRequest {
  return { changed: null, read: [], arrived: false };
}

/**
 * The leader's view of a follower fetch part's replica, Kafka's ReplicaState. While the part
 * is clean in a fetch session its two fetch times are the session's last arrival (`session`
 * set): reading them asks the session, writing them freezes the values first.
 */
export class ReplicaState {
  /** -1 until the follower's first fetch reaches this leader. */
  logEndOffset = -1;
  lastFetchLeaderLogEndOffset = 0;
  /** The fetch session whose lastArrivalMs are this state's fetch times (null: the fields below). */
  session: FetchSession | null = null;
  private caughtUpMs: number;
  private fetchMs: number;

  constructor(
    readonly brokerId: number,
    lastCaughtUpTimeMs: number,
    lastFetchTimeMs: number,
  ) {
    this.caughtUpMs = lastCaughtUpTimeMs;
    this.fetchMs = lastFetchTimeMs;
  }

  get lastCaughtUpTimeMs(): number {
    const s = this.session;
    return s !== null ? s.lastArrivalMs : this.caughtUpMs;
  }

  set lastCaughtUpTimeMs(v: number) {
    this.freeze();
    this.caughtUpMs = v;
  }

  get lastFetchTimeMs(): number {
    const s = this.session;
    return s !== null ? s.lastArrivalMs : this.fetchMs;
  }

  set lastFetchTimeMs(v: number) {
    this.freeze();
    this.fetchMs = v;
  }

  /** Takes the session's times as its own (the part is no longer clean, or the session starts anew). */
  freeze(): void {
    const s = this.session;
    if (s === null) return;
    this.caughtUpMs = s.lastArrivalMs;
    this.fetchMs = s.lastArrivalMs;
    this.session = null;
  }
}

/** The parked-fetch shape a session knows (Broker's ReplicaFetchWaiter): whether it was answered. */
export interface SessionWaiter {
  settled: boolean;
}

/** A leader's fetch session with one follower broker (KIP-227's FetchSession, exact). */
export class FetchSession {
  /** The parts array of the fetch this session reads (the follower's, sent again and again); null before the first. */
  parts: FollowerFetchPart[] | null = null;
  /** That fetch's answer slots. */
  answers: FollowerFetchAnswer[] | null = null;
  /** The Partition each part was last read from (undefined: none here); the session is in its fetchSessions. */
  readonly partitions: (Partition | undefined)[] = [];
  /** The ReplicaState of each clean part (whose times are lastArrivalMs), null for the others. */
  readonly states: (ReplicaState | null)[] = [];
  /** clean[i]: answer slot i holds an idle answer that is still true. */
  readonly clean: boolean[] = [];
  /** The indexes not clean, each once, in no order (i is here exactly when clean[i] is false). */
  readonly dirty: number[] = [];
  /**
   * How many fetches in a row found part i idle at arrival, unchanged in between (a part turns
   * clean at the second: a busy partition, idle when each fetch arrives and appended to while
   * it waits, would turn clean and dirty again on every append).
   */
  readonly idleArrivals: number[] = [];
  /** listed[i]: i is in the current fetch's read list. */
  private readonly listed: boolean[] = [];
  /** When the session's last fetch arrived: every clean part's follower fetch times. */
  lastArrivalMs = 0;
  /** The controller's configVersion when the session was last read in full (throttles and limits as of then). */
  configVersion = -1;
  /** The fetch parked on this session (answered or not), null when none. */
  waiter: SessionWaiter | null = null;

  constructor(readonly replicaId: number) {}

  /** Starts the session anew on a new fetch: every part dirty, every clean part's times frozen. */
  reset(parts: FollowerFetchPart[], answers: FollowerFetchAnswer[], configVersion: number): void {
    const n = parts.length;
    for (let i = 0; i < this.partitions.length; i++) {
      this.states[i]?.freeze();
      this.partitions[i]?.removeFetchSession(this, i);
    }
    this.parts = parts;
    this.answers = answers;
    this.configVersion = configVersion;
    const { partitions, states, clean, dirty, listed, idleArrivals } = this;
    while (partitions.length > n) partitions.pop();
    while (dirty.length > 0) dirty.pop();
    for (let i = 0; i < n; i++) {
      partitions[i] = undefined;
      states[i] = null;
      clean[i] = false;
      listed[i] = false;
      idleArrivals[i] = 0;
      dirty.push(i);
    }
    while (idleArrivals.length > n) idleArrivals.pop();
    while (states.length > n) states.pop();
    while (clean.length > n) clean.pop();
    while (listed.length > n) listed.pop();
  }

  /** Part i changed (at the leader or at the follower): read it at the next read. */
  markDirty(i: number): void {
    this.idleArrivals[i] = 0;
    if (!this.clean[i]) return;
    this.clean[i] = false;
    const st = this.states[i];
    if (st !== null && st !== undefined) {
      st.freeze();
      this.states[i] = null;
    }
    this.dirty.push(i);
  }

  /** Part i, just read at arrival, holds an idle answer: clean, its state's times are this session's. */
  markClean(i: number, state: ReplicaState): void {
    this.clean[i] = true;
    this.states[i] = state;
    state.session = this;
  }

  /** Part i is now read from `p` (registered with it, off the one before). */
  readFrom(i: number, p: Partition | undefined): void {
    const old = this.partitions[i];
    if (old === p) return;
    old?.removeFetchSession(this, i);
    p?.addFetchSession(this, i);
    this.partitions[i] = p;
  }

  /** Partition p, stopped, is no longer what part i reads (the next read looks the part's key up). */
  forget(i: number, p: Partition): void {
    if (this.partitions[i] === p) this.partitions[i] = undefined;
  }

  /** The dirty indexes in ascending order (the parts' order, which the byte limits follow). */
  sortDirty(): number[] {
    const d = this.dirty;
    for (let i = 1; i < d.length; i++) {
      const v = d[i]!;
      let j = i - 1;
      while (j >= 0 && d[j]! > v) {
        d[j + 1] = d[j]!;
        j--;
      }
      d[j + 1] = v;
    }
    return d;
  }

  /** A new fetch arrived: its read list starts empty. */
  startReadList(req: FetchSessionRequest): void {
    const read = req.read;
    for (let k = 0; k < read.length; k++) if (read[k]! < this.listed.length) this.listed[read[k]!] = false;
    while (read.length > 0) read.pop();
  }

  /** Slot i was written for this fetch. */
  list(req: FetchSessionRequest, i: number): void {
    if (this.listed[i]) return;
    this.listed[i] = true;
    req.read.push(i);
  }

  /** Drops the indexes now clean from the dirty list (after a read at arrival). */
  compactDirty(): void {
    const d = this.dirty;
    let j = 0;
    for (let k = 0; k < d.length; k++) if (!this.clean[d[k]!]) d[j++] = d[k]!;
    while (d.length > j) d.pop();
  }
}
