/**
 * One segment of a partition log (Kafka's LogSegment, storage/src/main/java/org/apache/
 * kafka/storage/internals/log/LogSegment.java): batches appended in offset order from
 * baseOffset, its size, and the timestamps that drive segment.ms and retention.ms.
 *
 * Invariants: batches are in increasing offset order, all ≥ baseOffset; sizeInBytes is the
 * sum of batch lengths; batches are never mutated (only dropped or replaced by copies).
 * There is no offset or time index: a binary search over the batches' base offsets (read
 * from their headers, `baseAt`) plays the offset index's part. Fetches that keep up look
 * at the last two batches first, so the search is rare. The segment keeps each batch's place
 * (BatchList) and nothing else: at 6 x 50 a second array of base offsets (one number a
 * batch, in every replica) cost 4-8% of the run's speed, in the old space it grew.
 *
 * Copies share the batch list (time travel): the segment's batches are the first `count`
 * of `batches`, a BatchList that copies of the segment (checkpoint.ts cloneGraph) hold
 * too. Batches below any holder's count never change and the list never shrinks, so each
 * holder keeps reading its own prefix: an append pushes in place only while the list ends
 * at this segment's count (the first holder to append takes the tail; any other copies its
 * prefix first), and truncation or compaction gives the segment a list of its own. A
 * checkpoint then costs O(1) a segment, not O(batches).
 * The price: a list's elements past every remaining holder's count (a branch forked away
 * whose own checkpoints are gone) stay reachable until the list's last holder goes.
 */
import { baseOffsetAt, batchBaseOffset, batchMaxTimestamp, batchNextOffset, batchSizeAt, maxTimestampAt, nextOffsetAt } from './record-batch';

/**
 * A whole-buffer view of `buffer`, for reading a batch's header where it lies. One entry is
 * kept (process memory, like crc32c's): reads at a log's tail mostly meet the slab the
 * producers are filling, so a view is rarely made.
 */
let wholeBuffer: ArrayBufferLike | null = null;
let whole: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
function wholeOf(buffer: ArrayBufferLike): Uint8Array<ArrayBufferLike> {
  if (buffer !== wholeBuffer) {
    whole = new Uint8Array(buffer);
    wholeBuffer = buffer;
  }
  return whole;
}

/** How many of a list's last views it keeps (a power of two). */
const TAIL = 8;
const TAIL_MASK = TAIL - 1;

/**
 * A segment's batches by where their bytes lie: batch i starts at `starts[i]` in the buffer
 * of the run holding it (a 64 KiB slab, record-batch.ts batchBytes; a reloaded chunk), and
 * its length is in its header. No object per batch: a view (Uint8Array) is made when a
 * batch is read and dropped with the read. A log keeps every batch it holds for as long as
 * retention does, ~10,000 batches a virtual second at 6 x 50: as views they were ~100 bytes
 * of JS heap each, copied twice by the young generation's scavenges and then marked by
 * every full collection (a tab's heap grew 66 MB a virtual minute). Here a batch costs one
 * int32, off the heap; its buffer is named once per run of batches in the same buffer
 * (a partition's consecutive batches mostly share the slab they were built in).
 * Measured against one pointer and two int32s per batch: 538 against 571-588 M
 * instructions a virtual second at 6 x 50 (bench/instructions.sh).
 *
 * The identity of a batch is its place (buffer, start): replicas that share a leader's batch
 * share its bytes, not an object (checkpoint.ts writes one batch once by its place).
 * Append-only but for moveBatches (same bytes elsewhere) and copies of a prefix (LogSegment.own).
 */
export class BatchList {
  /** Batch i's start in its buffer; grown by doubling. */
  private starts: Int32Array = new Int32Array(8);
  /** Run k: batches from runFirst[k] up to the next run's first lie in runBuffers[k]. */
  private runBuffers: ArrayBufferLike[] = [];
  private runFirst: number[] = [];
  /** The last run's buffer (null: no run), so that a push reads no array to compare. */
  private lastBuffer: ArrayBufferLike | null = null;
  length = 0;
  /**
   * The views of the last TAIL batches pushed, batch i at i % TAIL (undefined: none kept).
   * Fetches read at the tail: a follower or consumer that keeps up gets the very view that
   * was appended, with no new object, and a follower's log keeps its leader's view here
   * too. A view leaves when TAIL more batches are pushed, young: the logs keep no object
   * per batch.
   */
  private tail: (Uint8Array | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined];

  /** A list of these batches (views: only their places are kept). */
  static of(batches: readonly Uint8Array[]): BatchList {
    const l = new BatchList();
    for (const b of batches) l.push(b);
    return l;
  }

  push(b: Uint8Array): void {
    const n = this.length;
    const buffer = b.buffer;
    if (buffer !== this.lastBuffer) {
      this.runBuffers.push(buffer);
      this.runFirst.push(n);
      this.lastBuffer = buffer;
    }
    if (n === this.starts.length) {
      const grown = new Int32Array(n * 2);
      grown.set(this.starts);
      this.starts = grown;
    }
    this.starts[n] = b.byteOffset;
    this.tail[n & TAIL_MASK] = b;
    this.length = n + 1;
  }

  /** The kept view of batch i, near the tail, or undefined. */
  private kept(i: number): Uint8Array | undefined {
    return i >= this.length - TAIL ? this.tail[i & TAIL_MASK] : undefined;
  }

  /** The buffer batch i lies in: the last run's, or a binary search over the runs. */
  bufferAt(i: number): ArrayBufferLike {
    const first = this.runFirst;
    let hi = first.length - 1;
    if (i >= first[hi]!) return this.runBuffers[hi]!;
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (first[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.runBuffers[lo]!;
  }

  startAt(i: number): number {
    return this.starts[i]!;
  }

  /** Batch i as a view of its bytes (the appended one near the tail, else a new object). */
  at(i: number): Uint8Array {
    const kept = this.kept(i);
    if (kept !== undefined) return kept;
    const buffer = this.bufferAt(i);
    const start = this.starts[i]!;
    return new Uint8Array(buffer, start, batchSizeAt(wholeOf(buffer), start));
  }

  lengthAt(i: number): number {
    const kept = this.kept(i);
    if (kept !== undefined) return kept.length;
    return batchSizeAt(wholeOf(this.bufferAt(i)), this.starts[i]!);
  }

  /** Batch i's base offset, from its header (through the kept view near the tail). */
  baseAt(i: number): number {
    const kept = this.kept(i);
    if (kept !== undefined) return batchBaseOffset(kept);
    return baseOffsetAt(wholeOf(this.bufferAt(i)), this.starts[i]!);
  }

  /** Batch i's last offset + 1, from its header (through the kept view near the tail). */
  nextOffsetAt(i: number): number {
    const kept = this.kept(i);
    if (kept !== undefined) return batchNextOffset(kept);
    return nextOffsetAt(wholeOf(this.bufferAt(i)), this.starts[i]!);
  }

  maxTimestampAt(i: number): number {
    const kept = this.kept(i);
    if (kept !== undefined) return batchMaxTimestamp(kept);
    return maxTimestampAt(wholeOf(this.bufferAt(i)), this.starts[i]!);
  }

  /** Calls fn with the buffer and start of batches [0, count) in order, walking the runs. */
  forEachPlace(count: number, fn: (buffer: ArrayBufferLike, start: number, i: number) => void): void {
    const first = this.runFirst;
    for (let k = 0; k < first.length && first[k]! < count; k++) {
      const buffer = this.runBuffers[k]!;
      const end = Math.min(count, k + 1 < first.length ? first[k + 1]! : this.length);
      for (let i = first[k]!; i < end; i++) fn(buffer, this.starts[i]!, i);
    }
  }

  /**
   * Puts every batch that `copyOf` names (by its buffer and start) at the copy's place, the
   * very same bytes (slab-repack moves batches out of sparse buffers), rebuilding the runs
   * in one pass. In place even when shared: every holder reads the same bytes.
   */
  moveBatches(copyOf: (buffer: ArrayBufferLike, start: number) => Uint8Array | undefined): void {
    const buffers: ArrayBufferLike[] = [];
    const first: number[] = [];
    let moved = false;
    this.forEachPlace(this.length, (buffer, start, i) => {
      const copy = copyOf(buffer, start);
      let at = buffer;
      if (copy !== undefined) {
        moved = true;
        at = copy.buffer;
        this.starts[i] = copy.byteOffset;
        if (i >= this.length - TAIL) this.tail[i & TAIL_MASK] = copy;
      }
      if (buffers.length === 0 || buffers[buffers.length - 1] !== at) {
        buffers.push(at);
        first.push(i);
      }
    });
    if (!moved) return;
    this.runBuffers = buffers;
    this.runFirst = first;
    this.lastBuffer = buffers.length > 0 ? buffers[buffers.length - 1]! : null;
  }

  /** Batches [from, to) as views in an array of their own. */
  views(from: number, to: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = from; i < to; i++) out.push(this.at(i));
    return out;
  }

  /** A list of its own holding the first n batches. */
  prefix(n: number): BatchList {
    const l = new BatchList();
    l.starts = this.starts.slice(0, Math.max(8, n));
    let k = 0;
    while (k < this.runFirst.length && this.runFirst[k]! < n) k++;
    l.runFirst = this.runFirst.slice(0, k);
    l.runBuffers = this.runBuffers.slice(0, k);
    l.lastBuffer = k > 0 ? l.runBuffers[k - 1]! : null;
    l.length = n;
    return l;
  }
}

/**
 * The LogSegment fields that copies share (the class comment): a copy of a segment
 * (checkpoint.ts cloneGraph) takes them as they are, and an image writes their first
 * `count` batches (as an array of byte arrays, the form images had before BatchList; read
 * back into a BatchList, LogSegment.adoptBatches).
 */
export const SHARED_SEGMENT_LISTS: ReadonlySet<string> = new Set(['batches']);

export class LogSegment {
  /** Holds this segment's batches at [0, count) and maybe a copy's later ones past them: read through batchAt. */
  private batches: BatchList = new BatchList();
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

  /** The i-th batch (0 ≤ i < count): a view of its bytes, a new object each call (BatchList). */
  batchAt(i: number): Uint8Array {
    return this.batches.at(i);
  }

  /** The i-th batch's base offset (0 ≤ i < count), from its header. */
  baseAt(i: number): number {
    return this.batches.baseAt(i);
  }

  /** The i-th batch's size in bytes (0 ≤ i < count). */
  lengthAt(i: number): number {
    return this.batches.lengthAt(i);
  }

  /** The last batch, or undefined when empty. */
  get lastBatch(): Uint8Array | undefined {
    return this.count > 0 ? this.batches.at(this.count - 1) : undefined;
  }

  /** Batches [from, to) (to ≤ count) as an array of their own. */
  sliceBatches(from: number, to: number): Uint8Array[] {
    return this.batches.views(from, to);
  }

  /** The batches as an array of their own (O(count): for cold paths). */
  batchList(): Uint8Array[] {
    return this.sliceBatches(0, this.count);
  }

  /**
   * The list behind the segment, for persistence to name as a whole (storage/moment.ts) and
   * an image to write (checkpoint.ts): only its first `count` batches are this segment's.
   */
  storedBatches(): BatchList {
    return this.batches;
  }

  /**
   * The batches an image read back as an array (checkpoint.ts readImage): kept by their
   * places from now on.
   */
  adoptBatches(batches: readonly Uint8Array[]): void {
    this.batches = BatchList.of(batches);
  }

  /**
   * Puts each batch that `copyOf` names by its place at the copy's, the very same bytes
   * (slab-repack moves batches out of sparse buffers). In place even when shared: every
   * holder reads the same bytes.
   */
  moveToSameBytes(copyOf: (buffer: ArrayBufferLike, start: number) => Uint8Array | undefined): void {
    this.batches.moveBatches(copyOf);
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
    this.batches = this.batches.prefix(n);
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
    return this.batches.nextOffsetAt(ans) > offset ? ans : ans + 1;
  }

  /** Drops every batch that contains or follows offset (whole batches). Returns bytes removed. */
  truncateTo(offset: number): number {
    const i = this.findBatchIndex(offset);
    if (i >= this.count) return 0;
    let removed = 0;
    for (let k = i; k < this.count; k++) removed += this.batches.lengthAt(k);
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
    const list = this.batches;
    for (let i = 0; i < n; i++) {
      const ts = list.maxTimestampAt(i);
      if (ts > this.maxTimestamp) this.maxTimestamp = ts;
      this.sizeInBytes += list.lengthAt(i);
    }
    this.rollingTimestamp = n > 0 ? list.maxTimestampAt(0) : -1;
    this.nextOffset = n > 0 ? list.nextOffsetAt(n - 1) : this.baseOffset;
  }

  /** Replaces the batches (compaction). */
  replaceBatches(batches: readonly Uint8Array[]): void {
    this.batches = BatchList.of(batches);
    this.count = batches.length;
    const keepNext = this.nextOffset;
    this.recompute();
    // Compaction never moves the end of a segment: offsets keep their gaps.
    if (keepNext > this.nextOffset) this.nextOffset = keepNext;
  }
}
