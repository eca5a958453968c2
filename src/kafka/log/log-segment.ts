/**
 * One segment of a partition log (Kafka's LogSegment, storage/src/main/java/org/apache/
 * kafka/storage/internals/log/LogSegment.java): batches appended in offset order from
 * baseOffset, its size, and the timestamps that drive segment.ms and retention.ms.
 *
 * Invariants: batches are in increasing offset order, all ≥ baseOffset; sizeInBytes is the
 * sum of batch lengths; batches are never mutated (only dropped or replaced by copies).
 * There is no offset or time index: a binary search over the batches' base offsets (read
 * from their headers, `baseAt`) plays the offset index's part. Fetches that keep up look
 * at the last two batches first, so the search is rare. The segment keeps one array slot a
 * batch and nothing else: at 6 x 50 a second array of base offsets (one number a batch, in
 * every replica) cost 4-8% of the run's speed, in the old space it grew.
 *
 * Copies share the batch list (time travel): the segment's batches are the first `count`
 * elements of `batches`, an array that copies of the segment (checkpoint.ts cloneGraph)
 * hold too. Elements below any holder's count never change and the array never shrinks,
 * so each holder keeps reading its own prefix: an append pushes in place only while the
 * array ends at this segment's count (the first holder to append takes the tail; any other
 * copies its prefix first), and truncation or compaction gives the segment an array of its
 * own. A checkpoint then costs O(1) a segment, not O(batches).
 * The price: a list's elements past every remaining holder's count (a branch forked away
 * whose own checkpoints are gone) stay reachable until the list's last holder goes.
 */
import { batchBaseOffset, batchMaxTimestamp, batchNextOffset } from './record-batch';

/**
 * The LogSegment fields that copies share (the class comment): a copy of a segment
 * (checkpoint.ts cloneGraph) takes them as they are, and an image writes their first
 * `count` elements.
 */
export const SHARED_SEGMENT_LISTS: ReadonlySet<string> = new Set(['batches']);

export class LogSegment {
  /** Holds this segment's batches at [0, count) and maybe a copy's later ones past them: read through batchAt. */
  private batches: Uint8Array[] = [];
  /** How many batches the segment holds. */
  count = 0;
  sizeInBytes = 0;
  /** Largest record timestamp in the segment (retention.ms), -1 when empty. */
  maxTimestamp = -1;
  /**
   * The first batch's max timestamp: segment.ms counts from it (LogSegment's
   * rollingBasedTimestamp, loaded from the first batch; timeWaitedForRoll =
   * new batch's max timestamp − this). -1 when empty.
   */
  rollingTimestamp = -1;
  nextOffset: number;

  constructor(readonly baseOffset: number) {
    this.nextOffset = baseOffset;
  }

  /** Same as rollingTimestamp, under the name the log layer's callers use. */
  get firstBatchTimestamp(): number {
    return this.rollingTimestamp;
  }

  /** LogSegment.largestTimestamp: retention.ms compares now against it. */
  get largestTimestamp(): number {
    return this.maxTimestamp;
  }

  /** No batch: its size is 0 (every batch has a header), read without touching the batches array (cold at scale). */
  get isEmpty(): boolean {
    return this.sizeInBytes === 0;
  }

  /** The i-th batch (0 ≤ i < count). */
  batchAt(i: number): Uint8Array {
    return this.batches[i]!;
  }

  /** The i-th batch's base offset (0 ≤ i < count), from its header. */
  baseAt(i: number): number {
    return batchBaseOffset(this.batches[i]!);
  }

  /** The last batch, or undefined when empty. */
  get lastBatch(): Uint8Array | undefined {
    return this.count > 0 ? this.batches[this.count - 1] : undefined;
  }

  /** Batches [from, to) (to ≤ count) as an array of their own. */
  sliceBatches(from: number, to: number): Uint8Array[] {
    return this.batches.slice(from, to);
  }

  /** The batches as an array of their own (O(count): for cold paths). */
  batchList(): Uint8Array[] {
    return this.sliceBatches(0, this.count);
  }

  /**
   * The array behind the segment, for persistence to name as a whole (storage/moment.ts):
   * only its first `count` elements are this segment's.
   */
  storedBatches(): readonly Uint8Array[] {
    return this.batches;
  }

  /**
   * Puts `copy`, a batch with the very bytes of the i-th one, in its place (slab-repack
   * moves batches out of sparse buffers). In place even when shared: every holder reads the
   * same bytes.
   */
  replaceWithSameBytes(i: number, copy: Uint8Array): void {
    this.batches[i] = copy;
  }

  append(batch: Uint8Array): void {
    this.appendAt(batch, batchMaxTimestamp(batch), batchNextOffset(batch));
  }

  /**
   * append with the batch's max timestamp and next offset already read by the caller (the
   * log reads them anyway for its own bookkeeping): no header parsed twice.
   */
  appendAt(batch: Uint8Array, maxTimestamp: number, nextOffset: number): void {
    const n = this.count;
    if (n === 0) this.rollingTimestamp = maxTimestamp;
    // Another holder appended past our count: copy our prefix (see the class comment).
    if (this.batches.length !== n) this.own(n);
    this.batches.push(batch);
    this.count = n + 1;
    this.sizeInBytes += batch.length;
    if (maxTimestamp > this.maxTimestamp) this.maxTimestamp = maxTimestamp;
    this.nextOffset = nextOffset;
  }

  /** An array of its own holding the first n batches (no other holder sees later changes). */
  private own(n: number): void {
    this.batches = this.batches.slice(0, n);
  }

  /** Index of the first batch whose last offset is ≥ offset (count if none). */
  findBatchIndex(offset: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let ans = -1;
    // Fetches read at the tail (a follower or consumer that keeps up asks for the last batch
    // or the next offset): the last two batches first, before a search over a long, cold array.
    if (hi >= 0 && this.baseAt(hi) <= offset) ans = hi;
    else if (hi >= 1 && this.baseAt(hi - 1) <= offset) ans = hi - 1;
    else {
      hi -= 2;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (this.baseAt(mid) <= offset) {
          ans = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
    }
    if (ans < 0) return 0;
    return batchNextOffset(this.batches[ans]!) > offset ? ans : ans + 1;
  }

  /** Drops every batch that contains or follows offset (whole batches). Returns bytes removed. */
  truncateTo(offset: number): number {
    const i = this.findBatchIndex(offset);
    if (i >= this.count) return 0;
    let removed = 0;
    for (let k = i; k < this.count; k++) removed += this.batches[k]!.length;
    // Never shortened in place: a copy may hold more of these arrays.
    this.own(i);
    this.count = i;
    this.sizeInBytes -= removed;
    this.recompute();
    return removed;
  }

  /** Rebuilds derived fields (after truncation or compaction replaced batches). */
  recompute(): void {
    this.maxTimestamp = -1;
    this.sizeInBytes = 0;
    const n = this.count;
    for (let i = 0; i < n; i++) {
      const b = this.batches[i]!;
      const ts = batchMaxTimestamp(b);
      if (ts > this.maxTimestamp) this.maxTimestamp = ts;
      this.sizeInBytes += b.length;
    }
    this.rollingTimestamp = n > 0 ? batchMaxTimestamp(this.batches[0]!) : -1;
    this.nextOffset = n > 0 ? batchNextOffset(this.batches[n - 1]!) : this.baseOffset;
  }

  /** Replaces the batches (compaction). */
  replaceBatches(batches: readonly Uint8Array[]): void {
    this.batches = batches.slice();
    this.count = batches.length;
    const keepNext = this.nextOffset;
    this.recompute();
    // Compaction never moves the end of a segment: offsets keep their gaps.
    if (keepNext > this.nextOffset) this.nextOffset = keepNext;
  }
}
