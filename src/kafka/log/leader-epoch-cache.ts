/**
 * Leader epoch → start offset of that epoch in this replica's log, as Kafka's
 * LeaderEpochFileCache (storage/src/main/java/org/apache/kafka/storage/internals/epoch/
 * LeaderEpochFileCache.java). A returning follower asks the leader where its last fetched
 * epoch ended (OffsetsForLeaderEpoch / the fetch's diverging-epoch check, KIP-101,
 * KIP-279, KIP-320) and truncates there: that is how divergent tails are found.
 *
 * Invariant: entries strictly increase in both epoch and start offset.
 * The serialisable form is `entries()` (a copy) and `LeaderEpochCache.from(entries)`.
 */
export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

/** OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET. */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

/**
 * Where the owner of a cache (its UnifiedLog) keeps the latest entry's epoch and start
 * offset as its own fields: the cache writes them whenever its latest entry changes, so
 * an append in the same epoch reads two fields of the log it already holds instead of
 * walking cache → array → entry (cold memory at 12 x 200 and up).
 */
export interface EpochMirror {
  epochLatest: number;
  epochLatestStart: number;
}

export class LeaderEpochCache {
  private entries_: EpochEntry[] = [];
  /**
   * The last entry's epoch (UNDEFINED_EPOCH when empty), kept beside the entries: every
   * follower fetch asks for it, on the leader and the follower, and at 50 x 1,000 the walk
   * from the cache to its array to its last entry was 4% of the run (cold memory).
   */
  private latest = UNDEFINED_EPOCH;
  /** The owner's copy of the latest entry (see EpochMirror), null for a free-standing cache. */
  private mirror: EpochMirror | null = null;

  /** Makes `m` follow the latest entry from now on (UnifiedLog's constructor). */
  attach(m: EpochMirror): void {
    this.mirror = m;
    this.syncLatest();
  }

  /**
   * Records that `epoch` starts at `startOffset` (LeaderEpochFileCache.assign). Nothing
   * changes when the latest entry already has this epoch at or before startOffset, or when
   * the epoch is older than the latest one (a log only ever gains newer epochs; Kafka would
   * rewrite history here, which no caller of ours needs). Otherwise entries that would break
   * monotonicity, those with epoch ≥ the new one or start offset ≥ the new one, are removed
   * first (maybeTruncateNonMonotonicEntries): a new epoch that starts where an empty older
   * one started replaces it.
   */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0 || startOffset < 0) return;
    const last = this.entries_[this.entries_.length - 1];
    if (last !== undefined) {
      if (epoch < last.epoch) return;
      if (epoch === last.epoch && startOffset >= last.startOffset) return;
    }
    while (this.entries_.length > 0) {
      const e = this.entries_[this.entries_.length - 1]!;
      if (e.epoch >= epoch || e.startOffset >= startOffset) this.entries_.pop();
      else break;
    }
    this.entries_.push({ epoch, startOffset });
    this.latest = epoch;
    const m = this.mirror;
    if (m !== null) {
      m.epochLatest = epoch;
      m.epochLatestStart = startOffset;
    }
  }

  /** The latest epoch, -1 when none. */
  latestEpoch(): number {
    return this.latest;
  }

  private syncLatest(): void {
    const last = this.entries_[this.entries_.length - 1];
    this.latest = last?.epoch ?? UNDEFINED_EPOCH;
    const m = this.mirror;
    if (m !== null) {
      m.epochLatest = this.latest;
      m.epochLatestStart = last?.startOffset ?? UNDEFINED_EPOCH_OFFSET;
    }
  }

  latestEntry(): EpochEntry | undefined {
    const e = this.entries_[this.entries_.length - 1];
    return e === undefined ? undefined : { ...e };
  }

  earliestEntry(): EpochEntry | undefined {
    const e = this.entries_[0];
    return e === undefined ? undefined : { ...e };
  }

  /** The largest epoch below `epoch`, -1 when none (previousEpoch). */
  previousEpoch(epoch: number): number {
    for (let i = this.entries_.length - 1; i >= 0; i--) if (this.entries_[i]!.epoch < epoch) return this.entries_[i]!.epoch;
    return UNDEFINED_EPOCH;
  }

  get size(): number {
    return this.entries_.length;
  }

  /**
   * LeaderEpochFileCache.endOffsetFor, case for case:
   * - requested -1: (-1, -1);
   * - requested is the latest epoch: (requested, logEndOffset);
   * - no epoch above requested (requested > latest): (-1, -1);
   * - requested below every known epoch: (requested, start of the earliest epoch) — the
   *   data before it is gone, the follower replicates from there;
   * - otherwise: (largest epoch ≤ requested, start offset of the first epoch > requested).
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): { leaderEpoch: number; endOffset: number } {
    const e = this.entries_;
    if (requestedEpoch === UNDEFINED_EPOCH || requestedEpoch < 0) return { leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    const latest = e[e.length - 1];
    if (latest !== undefined && latest.epoch === requestedEpoch) return { leaderEpoch: requestedEpoch, endOffset: logEndOffset };
    // First entry with epoch > requested (higherEntry), by binary search.
    let lo = 0;
    let hi = e.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (e[mid]!.epoch > requestedEpoch) hi = mid;
      else lo = mid + 1;
    }
    const higher = e[lo];
    if (higher === undefined) return { leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    const floor = e[lo - 1];
    if (floor === undefined) return { leaderEpoch: requestedEpoch, endOffset: higher.startOffset };
    return { leaderEpoch: floor.epoch, endOffset: higher.startOffset };
  }

  /** The log was truncated to endOffset: entries starting at or after it go (truncateFromEnd). */
  truncateFromEnd(endOffset: number): void {
    if (endOffset < 0) return;
    while (this.entries_.length > 0 && this.entries_[this.entries_.length - 1]!.startOffset >= endOffset) this.entries_.pop();
    this.syncLatest();
  }

  /**
   * The log start moved to startOffset (truncateFromStart): entries starting at or before it
   * go, except that the last of them is kept with its start moved up to startOffset — the
   * epoch that spans the new log start.
   */
  truncateFromStart(startOffset: number): void {
    let removed = 0;
    while (removed < this.entries_.length && this.entries_[removed]!.startOffset <= startOffset) removed++;
    if (removed === 0) return;
    const spanning = this.entries_[removed - 1]!;
    this.entries_ = [{ epoch: spanning.epoch, startOffset }, ...this.entries_.slice(removed)];
    this.syncLatest();
  }

  clear(): void {
    this.entries_ = [];
    this.syncLatest();
  }

  /** A copy of the entries, oldest first: the serialisable form (the checkpoint file's content). */
  entries(): EpochEntry[] {
    return this.entries_.map((x) => ({ epoch: x.epoch, startOffset: x.startOffset }));
  }

  clone(): LeaderEpochCache {
    const c = new LeaderEpochCache();
    c.entries_ = this.entries();
    c.syncLatest();
    return c;
  }

  /** Rebuilds a cache from its serialised entries (through assign, so bad input cannot break the invariant). */
  static from(entries: readonly EpochEntry[]): LeaderEpochCache {
    const c = new LeaderEpochCache();
    for (const x of entries) c.assign(x.epoch, x.startOffset);
    return c;
  }
}
