/**
 * One segment of a partition log (Kafka's LogSegment, storage/src/main/java/org/apache/
 * kafka/storage/internals/log/LogSegment.java): batches appended in offset order from
 * baseOffset, its size, and the timestamps that drive segment.ms and retention.ms.
 *
 * Invariants: batches are in increasing offset order, all ≥ baseOffset; `bases[i]` is
 * the base offset of `batches[i]` (so lookups never parse headers); sizeInBytes is the
 * sum of batch lengths; batches are never mutated (only dropped or replaced by copies).
 * There is no offset or time index: a binary search over `bases` plays the offset
 * index's part.
 */
import { batchBaseOffset, batchMaxTimestamp, batchNextOffset } from './record-batch';

export class LogSegment {
  readonly batches: Uint8Array[] = [];
  /** Base offset of each batch, for binary search. */
  readonly bases: number[] = [];
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

  append(batch: Uint8Array): void {
    this.appendAt(batch, batchBaseOffset(batch), batchMaxTimestamp(batch), batchNextOffset(batch));
  }

  /**
   * append with the batch's base offset, max timestamp and next offset already read by the
   * caller (the log reads them anyway for its own bookkeeping): no header parsed twice.
   */
  appendAt(batch: Uint8Array, baseOffset: number, maxTimestamp: number, nextOffset: number): void {
    if (this.batches.length === 0) this.rollingTimestamp = maxTimestamp;
    this.batches.push(batch);
    this.bases.push(baseOffset);
    this.sizeInBytes += batch.length;
    if (maxTimestamp > this.maxTimestamp) this.maxTimestamp = maxTimestamp;
    this.nextOffset = nextOffset;
  }

  /** Index of the first batch whose last offset is ≥ offset (batches.length if none). */
  findBatchIndex(offset: number): number {
    let lo = 0;
    let hi = this.bases.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.bases[mid]! <= offset) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (ans < 0) return 0;
    return batchNextOffset(this.batches[ans]!) > offset ? ans : ans + 1;
  }

  /** Drops every batch that contains or follows offset (whole batches). Returns bytes removed. */
  truncateTo(offset: number): number {
    const i = this.findBatchIndex(offset);
    if (i >= this.batches.length) return 0;
    let removed = 0;
    for (let k = i; k < this.batches.length; k++) removed += this.batches[k]!.length;
    this.batches.length = i;
    this.bases.length = i;
    this.sizeInBytes -= removed;
    this.recompute();
    return removed;
  }

  /** Rebuilds derived fields (after truncation or compaction replaced batches). */
  recompute(): void {
    this.maxTimestamp = -1;
    this.sizeInBytes = 0;
    for (const b of this.batches) {
      const ts = batchMaxTimestamp(b);
      if (ts > this.maxTimestamp) this.maxTimestamp = ts;
      this.sizeInBytes += b.length;
    }
    this.rollingTimestamp = this.batches.length > 0 ? batchMaxTimestamp(this.batches[0]!) : -1;
    const last = this.batches[this.batches.length - 1];
    this.nextOffset = last ? batchNextOffset(last) : this.baseOffset;
  }

  /** Replaces the batches (compaction). */
  replaceBatches(batches: Uint8Array[]): void {
    this.batches.length = 0;
    this.bases.length = 0;
    for (const b of batches) {
      this.batches.push(b);
      this.bases.push(batchBaseOffset(b));
    }
    const keepNext = this.nextOffset;
    this.recompute();
    // Compaction never moves the end of a segment: offsets keep their gaps.
    if (keepNext > this.nextOffset) this.nextOffset = keepNext;
  }
}
