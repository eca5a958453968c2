/**
 * A partition's log on one broker (Kafka's UnifiedLog + LocalLog + the LogCleaner's pass
 * over it): segments of record batches, log start / high watermark / log end offsets, the
 * leader-epoch cache, segment rolling, retention (delete) and compaction (compact).
 * storage/src/main/java/org/apache/kafka/storage/internals/log/UnifiedLog.java,
 * LocalLog.java, LogSegment.java; core/src/main/scala/kafka/log/LogCleaner.scala and
 * LogCleanerManager.scala.
 *
 * Invariants: logStartOffset ≤ highWatermark ≤ logEndOffset; segment base offsets
 * increase and the last segment is the active one; batches are in offset order and never
 * change once appended (followers hold the leader's very bytes; compaction replaces
 * batches with filtered copies that keep every surviving record's offset and each batch's
 * base and last offset); the active segment is never compacted; `rewrites` is bumped
 * whenever stored data other than the tail changes (persistence rewrites the log then).
 */
import { noteBatchesDropped } from './slab-repack';
import type { Config } from '../config';
import { LeaderEpochCache, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, type EpochEntry, type EpochMirror } from './leader-epoch-cache';
import { LogSegment } from './log-segment';
import {
  batchBaseOffset,
  batchIsTransactional,
  batchLastOffset,
  batchLastOffsetDelta,
  batchMaxTimestamp,
  batchNextOffset,
  batchPartitionLeaderEpoch,
  batchRecordCount,
  concatBatches,
  decodeRecords,
  filterBatch,
  forEachRecord,
  setBatchBaseOffset,
  setBatchPartitionLeaderEpoch,
  splitBatches,
  type DecodedRecord,
} from './record-batch';

export interface LogConfig {
  segmentBytes: number;
  segmentMs: number;
  retentionMs: number;
  retentionBytes: number;
  cleanupPolicy: string;
  deleteRetentionMs: number;
  minCleanableDirtyRatio: number;
  minCompactionLagMs: number;
}

export function logConfigFrom(c: Config): LogConfig {
  return {
    segmentBytes: c.int('segment.bytes'),
    segmentMs: c.int('segment.ms'),
    retentionMs: c.int('retention.ms'),
    retentionBytes: c.int('retention.bytes'),
    cleanupPolicy: c.str('cleanup.policy'),
    deleteRetentionMs: c.int('delete.retention.ms'),
    minCleanableDirtyRatio: Number(c.raw('min.cleanable.dirty.ratio')),
    minCompactionLagMs: c.int('min.compaction.lag.ms'),
  };
}

export interface LogAppendInfo {
  firstOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  recordCount: number;
  sizeInBytes: number;
}

/** A LogAppendInfo to fill (appendAsLeader's `into`: a caller that reads it at once passes one it reuses). */
export function newAppendInfo(): LogAppendInfo {
  return { firstOffset: -1, lastOffset: -1, maxTimestamp: -1, recordCount: 0, sizeInBytes: 0 };
}

export interface LogReadInfo {
  error: 'NONE' | 'OFFSET_OUT_OF_RANGE';
  batches: Uint8Array[];
  sizeInBytes: number;
}

export interface LogState {
  segments: { baseOffset: number; bytes: Uint8Array }[];
  logStartOffset: number;
  highWatermark: number;
  logEndOffset: number;
  epochs: EpochEntry[];
  /** Cleaner checkpoint: offsets below it were compacted already. */
  firstDirtyOffset: number;
  /** Delete horizons of tombstones already seen by one cleaning: [offset, horizonMs]. */
  tombstoneHorizons: [number, number][];
}

/** `fill` emptied, or a new empty array without one. */
function emptied(fill: Uint8Array[] | undefined): Uint8Array[] {
  if (fill === undefined) return [];
  while (fill.length > 0) fill.pop();
  return fill;
}

const hasPolicy = (policy: string, p: 'delete' | 'compact') => policy.split(',').some((s) => s.trim() === p);

export class UnifiedLog implements EpochMirror {
  private segs: LogSegment[];
  /**
   * The last of segs (the active segment), kept as a field of its own: an append goes
   * straight to it without reading the segment array (cold memory at 12 x 200 and up).
   * Set wherever segs changes its last element (setSegments, roll, truncateTo).
   */
  private activeSeg: LogSegment;
  private config_: LogConfig;
  /** config's segment.bytes and segment.ms, read by every append's roll check (no walk to the config object). */
  private segmentBytes: number;
  private segmentMs: number;
  private startOffset = 0;
  private hw = 0;
  private leo = 0;
  readonly leaderEpochCache = new LeaderEpochCache();
  /**
   * The epoch cache's latest entry, written by the cache itself (EpochMirror): an append in
   * the latest epoch at or after its start, nearly every append, leaves the cache alone, and
   * the follower fetch's epoch checks (Partition) read epochLatest without reaching the cache.
   * Read-only outside the cache (it is the cache's latestEpoch(), and -1 when empty).
   */
  readonly epochLatest: number = UNDEFINED_EPOCH;
  readonly epochLatestStart: number = UNDEFINED_EPOCH_OFFSET;
  private firstDirtyOffset = 0;
  private readonly tombstoneHorizons = new Map<number, number>();
  /** Bumped whenever existing data changes (truncation, retention, compaction): persistence rewrites then. */
  rewrites = 0;

  constructor(config: LogConfig) {
    this.activeSeg = new LogSegment(0);
    this.segs = [this.activeSeg];
    this.config_ = config;
    this.segmentBytes = config.segmentBytes;
    this.segmentMs = config.segmentMs;
    this.leaderEpochCache.attach(this);
  }

  get config(): LogConfig {
    return this.config_;
  }

  /** Replaces the segment list (its last is the active segment). */
  private setSegments(segs: LogSegment[]): void {
    this.segs = segs;
    this.activeSeg = segs[segs.length - 1]!;
  }

  /**
   * LeaderEpochFileCache.assign for an appended batch, skipped when the cache would change
   * nothing: the latest epoch again, at or after its start (assign's own early return).
   */
  private assignEpoch(epoch: number, startOffset: number): void {
    if (epoch !== this.epochLatest || startOffset < this.epochLatestStart) this.leaderEpochCache.assign(epoch, startOffset);
  }

  updateConfig(config: LogConfig): void {
    this.config_ = config;
    this.segmentBytes = config.segmentBytes;
    this.segmentMs = config.segmentMs;
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  get logEndOffset(): number {
    return this.leo;
  }

  get highWatermark(): number {
    return this.hw;
  }

  get segments(): readonly LogSegment[] {
    return this.segs;
  }

  get sizeInBytes(): number {
    let n = 0;
    for (const s of this.segs) n += s.sizeInBytes;
    return n;
  }

  private get active(): LogSegment {
    return this.activeSeg;
  }

  updateHighWatermark(hw: number): void {
    this.hw = Math.max(this.startOffset, Math.min(hw, this.leo));
  }

  // ---- append -----------------------------------------------------------------------------

  /**
   * LogSegment.shouldRoll, checked before each append: the active segment rolls when the
   * batch would take it past segment.bytes, or when the batch's max timestamp is more than
   * segment.ms past the segment's first batch's (rollingBasedTimestamp). An empty segment
   * never rolls (Kafka would replace it by an identical one), so an oversized batch still
   * lands in one segment of its own.
   */
  private maybeRoll(batchSize: number, maxTimestamp: number): void {
    const a = this.activeSeg;
    if (a.isEmpty) return;
    const full = a.sizeInBytes > this.segmentBytes - batchSize;
    const old = a.rollingTimestamp >= 0 && maxTimestamp - a.rollingTimestamp > this.segmentMs;
    if (full || old) this.roll();
  }

  /** Starts a new active segment at the log end (LocalLog.roll). */
  private roll(): void {
    if (this.activeSeg.isEmpty && this.activeSeg.baseOffset === this.leo) return;
    this.activeSeg = new LogSegment(this.leo);
    this.segs.push(this.activeSeg);
  }

  /**
   * The leader's append (UnifiedLog.appendAsLeader): stamps base offset = log end and the
   * leader epoch (both outside the CRC), records a new epoch's start offset. The batch is
   * copied first (stored batches must stay immutable, and a caller may append the same bytes
   * again) unless `owned`: the caller hands the array over and never touches it again (a
   * ProduceRequest's batches, see broker.ts ProducePartitionData), so it is stored as is
   * and the copy, a second pass over every produced byte, is saved.
   */
  appendAsLeader(batch: Uint8Array, leaderEpoch: number, owned = false, into: LogAppendInfo = newAppendInfo()): LogAppendInfo {
    const copy = owned ? batch : batch.slice();
    const firstOffset = this.leo;
    setBatchBaseOffset(copy, firstOffset);
    setBatchPartitionLeaderEpoch(copy, leaderEpoch);
    this.assignEpoch(leaderEpoch, firstOffset);
    const maxTimestamp = batchMaxTimestamp(copy);
    this.maybeRoll(copy.length, maxTimestamp);
    const next = firstOffset + batchLastOffsetDelta(copy) + 1;
    this.activeSeg.appendAt(copy, maxTimestamp, next);
    this.leo = next;
    into.firstOffset = firstOffset;
    into.lastOffset = next - 1;
    into.maxTimestamp = maxTimestamp;
    into.recordCount = batchRecordCount(copy);
    into.sizeInBytes = copy.length;
    return into;
  }

  /**
   * The follower's append (UnifiedLog.appendAsFollower): the leader's batches, offsets and
   * epochs already stamped, stored by reference (replicas share immutable bytes). Batches
   * wholly below the log end are skipped (a resent fetch). A batch straddling the log end
   * cannot be split: the leader's copy wins, so the local tail from its base offset is
   * truncated first (Kafka would fail the append; replicas here always share batch
   * boundaries, so this only guards against a stuck follower). Gaps (offsets a compacted
   * leader no longer has) are allowed. Returns the number of records appended.
   */
  appendAsFollower(batches: readonly Uint8Array[]): number {
    let records = 0;
    for (const b of batches) {
      if (batchLastOffset(b) < this.leo) continue;
      const base = batchBaseOffset(b);
      if (base < this.leo) {
        if (base < this.startOffset) continue;
        this.truncateTo(base);
      }
      this.assignEpoch(batchPartitionLeaderEpoch(b), base);
      const maxTimestamp = batchMaxTimestamp(b);
      this.maybeRoll(b.length, maxTimestamp);
      const next = base + batchLastOffsetDelta(b) + 1;
      this.activeSeg.appendAt(b, maxTimestamp, next);
      this.leo = next;
      records += batchRecordCount(b);
    }
    return records;
  }

  // ---- read -------------------------------------------------------------------------------

  /** Index of the segment that holds offset (the last one whose base ≤ offset). */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segs.length - 1;
    let ans = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.segs[mid]!.baseOffset <= offset) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  /**
   * A fetch's read (UnifiedLog.read / LogSegment.read): whole batches from the one holding
   * fromOffset, in offset order, while they end at or before maxOffset (exclusive; the HW
   * for consumers, the LEO for followers) and fit maxBytes; the first batch goes even when
   * larger than maxBytes (minOneMessage). Like Kafka, which stops at the position of the
   * batch holding maxOffset, a batch that straddles maxOffset is not returned: a consumer
   * never sees a record at or past the HW. OFFSET_OUT_OF_RANGE below the log start or past
   * the log end. Binary search to the segment, then to the batch.
   */
  read(fromOffset: number, maxBytes: number, maxOffset: number): LogReadInfo {
    return this.readInto({ error: 'NONE', batches: [], sizeInBytes: 0 }, fromOffset, maxBytes, maxOffset);
  }

  /**
   * read into `into` (a fetch's reused summary: no result object per read), which it
   * returns. The batches go into `fill` when given (emptied first: an array only its caller
   * holds and reads before its next read), else into an array of their own, sized once
   * (sliced from the segment: a fetch answer's array may be kept, by a consumer's buffer).
   */
  readInto(into: LogReadInfo, fromOffset: number, maxBytes: number, maxOffset: number, fill?: Uint8Array[]): LogReadInfo {
    into.error = 'NONE';
    into.sizeInBytes = 0;
    if (fromOffset < this.startOffset || fromOffset > this.leo) {
      into.error = 'OFFSET_OUT_OF_RANGE';
      into.batches = emptied(fill);
      return into;
    }
    if (fromOffset >= maxOffset) {
      into.batches = emptied(fill);
      return into;
    }
    let batches: Uint8Array[] | null = null;
    if (fill !== undefined) {
      // pop, not `length = 0`: the length setter is a runtime call.
      while (fill.length > 0) fill.pop();
      batches = fill;
    }
    let bytes = 0;
    let taken = 0;
    let done = false;
    for (let s = this.segmentIndexFor(fromOffset); s < this.segs.length && !done; s++) {
      const seg = this.segs[s]!;
      if (seg.baseOffset >= maxOffset) break;
      const n = seg.count;
      const first = seg.findBatchIndex(fromOffset);
      let i = first;
      for (; i < n; i++) {
        const b = seg.batchAt(i);
        if (batchNextOffset(b) > maxOffset || (taken > 0 && bytes + b.length > maxBytes)) {
          done = true;
          break;
        }
        bytes += b.length;
        taken++;
      }
      if (i === first) continue;
      if (batches === null) batches = seg.sliceBatches(first, i);
      else for (let k = first; k < i; k++) batches.push(seg.batchAt(k));
    }
    into.batches = batches ?? [];
    into.sizeInBytes = bytes;
    return into;
  }

  /** Decoded records from fromOffset (at most maxRecords, offset order), for views. */
  recordsFrom(fromOffset: number, maxRecords: number): DecodedRecord[] {
    const out: DecodedRecord[] = [];
    if (maxRecords <= 0) return out;
    const from = Math.max(fromOffset, this.startOffset);
    if (from >= this.leo) return out;
    for (let s = this.segmentIndexFor(from); s < this.segs.length; s++) {
      const seg = this.segs[s]!;
      for (let i = seg.findBatchIndex(from); i < seg.count; i++) {
        for (const rec of decodeRecords(seg.batchAt(i))) {
          if (rec.offset < from) continue;
          out.push(rec);
          if (out.length >= maxRecords) return out;
        }
      }
    }
    return out;
  }

  /**
   * The timestamp of the record at `offset` (the oldest unconsumed record, for lag in
   * time), or null when the log does not hold it (below the log start, at or past the end,
   * or in a gap left by compaction). Binary search to the batch, one batch decoded.
   */
  timestampAt(offset: number): number | null {
    if (offset < this.startOffset || offset >= this.leo) return null;
    const seg = this.segs[this.segmentIndexFor(offset)]!;
    const i = seg.findBatchIndex(offset);
    if (i >= seg.count) return null;
    const b = seg.batchAt(i);
    let ts: number | null = null;
    forEachRecord(b, (o, t) => {
      if (o < offset) return true;
      // Compaction may have removed the record itself: the next one's time is the closest truth.
      ts = t;
      return false;
    });
    return ts;
  }

  /**
   * ListOffsets by timestamp (UnifiedLog.fetchOffsetByTimestamp): the first offset at or
   * after the log start whose record timestamp is ≥ ts, or null. Segments and batches whose
   * largest timestamp is below ts are skipped without decoding.
   */
  offsetForTimestamp(ts: number): number | null {
    const start = this.startOffset;
    let found = -1;
    const visit = (offset: number, timestamp: number): boolean => {
      if (timestamp >= ts && offset >= start) {
        found = offset;
        return false;
      }
      return true;
    };
    for (const seg of this.segs) {
      if (seg.maxTimestamp < ts) continue;
      for (let i = 0; i < seg.count; i++) {
        const b = seg.batchAt(i);
        if (batchMaxTimestamp(b) < ts || batchNextOffset(b) <= start) continue;
        forEachRecord(b, visit);
        if (found >= 0) return found;
      }
    }
    return null;
  }

  // ---- truncation ------------------------------------------------------------------------------

  /**
   * UnifiedLog.truncateTo: removes every batch holding offsets ≥ offset. Whole batches go,
   * as LogSegment.truncateTo cuts at the position of the batch containing the offset; the
   * log end becomes the end of what remains (never above offset). The epoch cache loses the
   * epochs that started at or after the new end, the HW is clamped. Returns the number of
   * offsets removed (old LEO − new LEO). Below the first segment: truncateFullyAndStartAt.
   */
  truncateTo(offset: number): number {
    if (offset >= this.leo) return 0;
    noteBatchesDropped();
    const before = this.leo;
    if (offset < this.startOffset || offset < this.segs[0]!.baseOffset) {
      this.truncateFullyAndStartAt(Math.max(offset, 0));
      return before - this.leo;
    }
    while (this.segs.length > 1 && this.active.baseOffset >= offset) {
      this.segs.pop();
      this.activeSeg = this.segs[this.segs.length - 1]!;
    }
    this.active.truncateTo(offset);
    // The end of what remains: the last surviving batch, or the segment base if none.
    let leo = this.active.baseOffset;
    for (let i = this.segs.length - 1; i >= 0; i--) {
      const last = this.segs[i]!.lastBatch;
      if (last !== undefined) {
        leo = Math.max(batchNextOffset(last), this.active.baseOffset);
        break;
      }
    }
    this.leo = Math.max(Math.min(leo, offset), this.startOffset);
    this.leaderEpochCache.truncateFromEnd(this.leo);
    if (this.hw > this.leo) this.hw = this.leo;
    if (this.firstDirtyOffset > this.leo) this.firstDirtyOffset = this.leo;
    for (const o of [...this.tombstoneHorizons.keys()]) if (o >= this.leo) this.tombstoneHorizons.delete(o);
    this.rewrites++;
    return before - this.leo;
  }

  /** Drops everything and restarts the log at offset (a follower far behind the leader's log start). */
  truncateFullyAndStartAt(offset: number): void {
    noteBatchesDropped();
    this.setSegments([new LogSegment(offset)]);
    this.startOffset = offset;
    this.leo = offset;
    this.hw = offset;
    this.firstDirtyOffset = offset;
    this.leaderEpochCache.clear();
    this.tombstoneHorizons.clear();
    this.rewrites++;
  }

  // ---- retention ---------------------------------------------------------------------------------

  /**
   * Moves the log start forward (UnifiedLog.maybeIncrementLogStartOffset: DeleteRecords, or a
   * follower following its leader's log start), never past the HW; segments wholly below
   * the new start are deleted at once (deleteLogStartOffsetBreachedSegments). Returns
   * whether it moved.
   */
  maybeIncrementLogStartOffset(newLogStartOffset: number): boolean {
    const target = Math.min(newLogStartOffset, this.hw);
    if (target <= this.startOffset) return false;
    this.startOffset = target;
    while (this.segs.length > 1 && this.segs[1]!.baseOffset <= target) this.segs.shift();
    noteBatchesDropped();
    this.afterLogStartMoved();
    return true;
  }

  private afterLogStartMoved(): void {
    if (this.hw < this.startOffset) this.hw = this.startOffset;
    if (this.leo < this.startOffset) this.leo = this.startOffset;
    if (this.firstDirtyOffset < this.startOffset) this.firstDirtyOffset = this.startOffset;
    this.leaderEpochCache.truncateFromStart(this.startOffset);
    for (const o of [...this.tombstoneHorizons.keys()]) if (o < this.startOffset) this.tombstoneHorizons.delete(o);
    this.rewrites++;
  }

  /**
   * UnifiedLog.deleteOldSegments. With cleanup.policy containing delete, in Kafka's order:
   * by retention.bytes (while the log minus the oldest segment is still ≥ retention.bytes:
   * diff = size − retention.bytes, delete while diff − segment size ≥ 0), then by
   * retention.ms (now − the segment's largest timestamp > retention.ms; a segment with a
   * future timestamp stays). Each pass goes oldest first and stops at the first segment
   * that must stay; a segment may only go when all its offsets are below the HW
   * (next segment's base, or the LEO for the active one, ≤ HW); an empty active segment
   * never goes. Deleting the active segment rolls a new empty one first. Then the log start
   * moves to the first remaining segment's base offset and the epoch cache is truncated
   * from the start. Whatever the policy, segments wholly below the log start go too.
   */
  deleteOldSegments(now: number): { deletedSegments: number; reason: 'retention.ms' | 'retention.bytes' | null; logStartOffset: number } {
    const c = this.config;
    let deleted = 0;
    let reason: 'retention.ms' | 'retention.bytes' | null = null;
    // deleteLogStartOffsetBreachedSegments: whatever the policy.
    while (this.segs.length > 1 && this.segs[1]!.baseOffset <= this.startOffset) {
      this.segs.shift();
      deleted++;
    }
    if (hasPolicy(c.cleanupPolicy, 'delete')) {
      if (c.retentionBytes >= 0 && this.sizeInBytes >= c.retentionBytes) {
        let diff = this.sizeInBytes - c.retentionBytes;
        const n = this.deleteOldestWhile((seg) => {
          if (diff - seg.sizeInBytes < 0) return false;
          diff -= seg.sizeInBytes;
          return true;
        });
        if (n > 0) reason = 'retention.bytes';
        deleted += n;
      }
      if (c.retentionMs >= 0) {
        const n = this.deleteOldestWhile((seg) => now >= seg.maxTimestamp && now - seg.maxTimestamp > c.retentionMs);
        if (n > 0) reason = reason ?? 'retention.ms';
        deleted += n;
      }
    }
    if (deleted > 0) {
      noteBatchesDropped();
      const newStart = this.segs[0]!.baseOffset;
      if (newStart > this.startOffset) this.startOffset = Math.min(newStart, this.leo);
      this.afterLogStartMoved();
    }
    return { deletedSegments: deleted, reason, logStartOffset: this.startOffset };
  }

  /** UnifiedLog.deletableSegments + deleteSegments for one predicate, oldest first. */
  private deleteOldestWhile(shouldDelete: (seg: LogSegment) => boolean): number {
    let n = 0;
    for (;;) {
      const seg = this.segs[0]!;
      const isLast = this.segs.length === 1;
      if (isLast && seg.isEmpty) break;
      const upper = isLast ? this.leo : this.segs[1]!.baseOffset;
      if (upper > this.hw) break;
      if (!shouldDelete(seg)) break;
      if (isLast) this.roll(); // an expired active segment: roll first, then delete it
      this.segs.shift();
      n++;
    }
    return n;
  }

  // ---- compaction -----------------------------------------------------------------------------

  /**
   * One LogCleaner pass over this log (Cleaner.doClean with LogCleanerManager's choice).
   *
   * Cleanable range: from the cleaner checkpoint (first dirty offset) up to the first
   * uncleanable offset, which is the lowest of: the active segment's base (the active
   * segment is never cleaned), the first segment holding offsets at or past the HW (Kafka
   * stops at the last stable offset, which is the HW without transactions; here whole
   * segments below it), and the first segment whose largest timestamp is within
   * min.compaction.lag.ms of now. It runs only when dirty bytes / (clean + dirty) bytes >
   * min.cleanable.dirty.ratio.
   *
   * The offset map (key → latest offset) is built over the dirty section only, as Kafka's;
   * then every segment below the uncleanable offset is filtered (shouldRetainRecord): a
   * record past the map's latest offset stays; otherwise a keyless record goes, a record
   * whose key has a later offset in the map goes, a tombstone stays until the delete
   * horizon its batch got on its first cleaning (now + delete.retention.ms, KIP-534) has
   * passed. Batches keep their base and last offsets (offsets never change, gaps remain);
   * emptied segments below the active one are dropped. The checkpoint moves to the
   * uncleanable offset.
   */
  compact(now: number): { cleaned: boolean; removedRecords: number } {
    const c = this.config;
    const none = { cleaned: false, removedRecords: 0 };
    if (!hasPolicy(c.cleanupPolicy, 'compact') || this.segs.length < 2) return none;
    if (this.firstDirtyOffset < this.startOffset) this.firstDirtyOffset = this.startOffset;
    // upperIdx: index of the first uncleanable segment; segments [0, upperIdx) are cleaned.
    let upperIdx = this.segs.length - 1;
    for (let i = 0; i < upperIdx; i++) {
      const seg = this.segs[i]!;
      const end = this.segs[i + 1]!.baseOffset;
      if (end > this.hw || (c.minCompactionLagMs > 0 && seg.maxTimestamp > now - c.minCompactionLagMs)) {
        upperIdx = i;
        break;
      }
    }
    if (upperIdx === 0) return none;
    const upper = this.segs[upperIdx]!.baseOffset;
    if (this.firstDirtyOffset >= upper) return none;
    let dirtyBytes = 0;
    let totalBytes = 0;
    for (let i = 0; i < upperIdx; i++) {
      const s = this.segs[i]!;
      totalBytes += s.sizeInBytes;
      if (this.segs[i + 1]!.baseOffset > this.firstDirtyOffset) dirtyBytes += s.sizeInBytes;
    }
    if (totalBytes === 0 || dirtyBytes / totalBytes <= c.minCleanableDirtyRatio) return none;

    // The offset map over the dirty section [firstDirtyOffset, upper).
    const latest = new Map<string, number>();
    let mapLatestOffset = -1;
    const dirtyFrom = this.firstDirtyOffset;
    for (let i = 0; i < upperIdx; i++) {
      const seg = this.segs[i]!;
      if (this.segs[i + 1]!.baseOffset <= dirtyFrom) continue;
      for (let j = seg.findBatchIndex(dirtyFrom); j < seg.count; j++) {
        // Transactional batches and markers are left as written (see below): they count for no key.
        if (batchIsTransactional(seg.batchAt(j))) continue;
        forEachRecord(seg.batchAt(j), (offset, _ts, batch, ks, kl) => {
          if (offset < dirtyFrom || kl < 0) return;
          latest.set(keyString(batch, ks, kl), offset);
          if (offset > mapLatestOffset) mapLatestOffset = offset;
        });
      }
    }
    let removed = 0;
    let current: Uint8Array = new Uint8Array(0);
    const retain = (offset: number, ks: number, kl: number, vl: number): boolean => {
      if (offset > mapLatestOffset) return true;
      if (kl < 0) return false;
      const newest = latest.get(keyString(current, ks, kl));
      if (newest !== undefined && offset < newest) return false;
      if (vl < 0) {
        const horizon = this.tombstoneHorizons.get(offset);
        if (horizon === undefined) {
          this.tombstoneHorizons.set(offset, now + c.deleteRetentionMs);
          return true;
        }
        if (now >= horizon) {
          this.tombstoneHorizons.delete(offset);
          return false;
        }
      }
      return true;
    };
    for (let i = 0; i < upperIdx; i++) {
      const seg = this.segs[i]!;
      const next: Uint8Array[] = [];
      let changed = false;
      for (const b of seg.batchList()) {
        // A simplification: Kafka's cleaner also removes aborted transactions' records and,
        // later, their markers; here transactional batches and markers stay whole.
        if (batchIsTransactional(b)) {
          next.push(b);
          continue;
        }
        current = b;
        const filtered = filterBatch(b, retain);
        if (filtered !== b) changed = true;
        removed += batchRecordCount(b) - (filtered ? batchRecordCount(filtered) : 0);
        if (filtered) next.push(filtered);
      }
      if (changed) seg.replaceBatches(next);
    }
    // Emptied segments below the active one go (the first stays: it carries the log start).
    this.setSegments(this.segs.filter((s, i) => i === 0 || i >= upperIdx || !s.isEmpty));
    this.firstDirtyOffset = upper;
    this.rewrites++;
    noteBatchesDropped();
    return { cleaned: true, removedRecords: removed };
  }

  /** The cleaner checkpoint: offsets below it have been through a cleaning. */
  get cleanerCheckpoint(): number {
    return this.firstDirtyOffset;
  }

  // ---- persistence --------------------------------------------------------------------------

  exportSegments(): { baseOffset: number; bytes: Uint8Array }[] {
    return this.segs.map((s) => ({ baseOffset: s.baseOffset, bytes: concatBatches(s.batchList()) }));
  }

  exportState(): LogState {
    return {
      segments: this.exportSegments(),
      logStartOffset: this.startOffset,
      highWatermark: this.hw,
      logEndOffset: this.leo,
      epochs: this.leaderEpochCache.entries(),
      firstDirtyOffset: this.firstDirtyOffset,
      tombstoneHorizons: [...this.tombstoneHorizons.entries()],
    };
  }

  static restore(config: LogConfig, state: Partial<LogState> & Pick<LogState, 'segments' | 'logStartOffset' | 'highWatermark' | 'epochs'>): UnifiedLog {
    const log = new UnifiedLog(config);
    const segs: LogSegment[] = [];
    let leo = state.logStartOffset;
    for (const s of state.segments) {
      const seg = new LogSegment(s.baseOffset);
      for (const b of splitBatches(s.bytes)) seg.append(b);
      segs.push(seg);
      if (seg.nextOffset > leo) leo = seg.nextOffset;
    }
    if (segs.length === 0) segs.push(new LogSegment(state.logStartOffset));
    log.setSegments(segs);
    log.startOffset = state.logStartOffset;
    log.leo = Math.max(leo, state.logEndOffset ?? 0);
    log.hw = Math.max(log.startOffset, Math.min(state.highWatermark, log.leo));
    for (const e of state.epochs) log.leaderEpochCache.assign(e.epoch, e.startOffset);
    log.firstDirtyOffset = state.firstDirtyOffset ?? log.startOffset;
    for (const [o, h] of state.tombstoneHorizons ?? []) log.tombstoneHorizons.set(o, h);
    return log;
  }
}

const keyDecoder = new TextDecoder('latin1');
function keyString(batch: Uint8Array, start: number, len: number): string {
  return keyDecoder.decode(batch.subarray(start, start + len));
}
