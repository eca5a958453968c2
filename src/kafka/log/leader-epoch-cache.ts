/**
 * Leader epoch → start offset, as Kafka's LeaderEpochFileCache
 * (storage/src/main/java/org/apache/kafka/storage/internals/epoch/LeaderEpochFileCache.java).
 * A returning follower asks its leader for the end of its last epoch and truncates to it
 * (KIP-101, KIP-279, KIP-320): that is how divergent tails are found.
 *
 * Invariant: entries strictly increase in both epoch and start offset.
 */
export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export class LeaderEpochCache {
  private entries_: EpochEntry[] = [];

  /** Records that `epoch` starts at `startOffset`; ignores anything not newer. */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0) return;
    const last = this.entries_[this.entries_.length - 1];
    if (last && last.epoch === epoch) return;
    if (last && epoch < last.epoch) return;
    // A new epoch supersedes entries whose start offset is not below it.
    while (this.entries_.length > 0 && this.entries_[this.entries_.length - 1]!.startOffset >= startOffset) this.entries_.pop();
    this.entries_.push({ epoch, startOffset });
  }

  latestEpoch(): number {
    return this.entries_[this.entries_.length - 1]?.epoch ?? -1;
  }

  earliestEntry(): EpochEntry | undefined {
    return this.entries_[0];
  }

  /**
   * OffsetsForLeaderEpoch: the largest epoch ≤ requested, and the offset where it ended
   * (the start of the next epoch, or logEndOffset for the latest). (-1, -1) when the
   * requested epoch is before everything known.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): { leaderEpoch: number; endOffset: number } {
    const e = this.entries_;
    if (e.length === 0 || requestedEpoch < 0) return { leaderEpoch: -1, endOffset: -1 };
    if (requestedEpoch >= e[e.length - 1]!.epoch) return { leaderEpoch: e[e.length - 1]!.epoch, endOffset: logEndOffset };
    if (requestedEpoch < e[0]!.epoch) return { leaderEpoch: -1, endOffset: -1 };
    let i = e.length - 1;
    while (i > 0 && e[i]!.epoch > requestedEpoch) i--;
    return { leaderEpoch: e[i]!.epoch, endOffset: e[i + 1]!.startOffset };
  }

  /** Drops entries that start at or after endOffset (log truncated to endOffset). */
  truncateFromEnd(endOffset: number): void {
    while (this.entries_.length > 0 && this.entries_[this.entries_.length - 1]!.startOffset >= endOffset) this.entries_.pop();
  }

  /** The log start moved to startOffset: older entries go, the one spanning it starts there. */
  truncateFromStart(startOffset: number): void {
    let keepFrom = 0;
    for (let i = 0; i < this.entries_.length; i++) if (this.entries_[i]!.startOffset <= startOffset) keepFrom = i;
    this.entries_ = this.entries_.slice(keepFrom);
    const first = this.entries_[0];
    if (first && first.startOffset < startOffset) this.entries_[0] = { epoch: first.epoch, startOffset };
  }

  clear(): void {
    this.entries_ = [];
  }

  entries(): EpochEntry[] {
    return this.entries_.map((x) => ({ ...x }));
  }

  static from(entries: readonly EpochEntry[]): LeaderEpochCache {
    const c = new LeaderEpochCache();
    for (const x of entries) c.assign(x.epoch, x.startOffset);
    return c;
  }
}
