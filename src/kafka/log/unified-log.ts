/**
 * A partition's log on one broker (Kafka's UnifiedLog + LocalLog): segments of record
 * batches, log start / high watermark / log end offsets, the leader-epoch cache,
 * segment rolling, retention (delete) and compaction (compact).
 * storage/src/main/java/org/apache/kafka/storage/internals/log/UnifiedLog.java, LogCleaner.
 *
 * Invariants: logStartOffset ≤ highWatermark ≤ logEndOffset; batches are in offset order
 * and never change once appended (compaction replaces them with filtered copies that keep
 * every surviving record's offset); the active (last) segment is never compacted.
 */
import type { Config } from '../config';
import { LeaderEpochCache, type EpochEntry } from './leader-epoch-cache';
import { LogSegment } from './log-segment';
import {
  batchBaseOffset,
  batchLastOffset,
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

const hasPolicy = (policy: string, p: 'delete' | 'compact') => policy.split(',').some((s) => s.trim() === p);

export class UnifiedLog {
  private segs: LogSegment[];
  private startOffset = 0;
  private hw = 0;
  private leo = 0;
  readonly leaderEpochCache = new LeaderEpochCache();
  private firstDirtyOffset = 0;
  private readonly tombstoneHorizons = new Map<number, number>();
  /** Bumped whenever existing data changes (truncation, retention, compaction): persistence rewrites then. */
  rewrites = 0;

  constructor(public config: LogConfig) {
    this.segs = [new LogSegment(0)];
  }

  updateConfig(config: LogConfig): void {
    this.config = config;
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
    return this.segs[this.segs.length - 1]!;
  }

  updateHighWatermark(hw: number): void {
    this.hw = Math.max(this.startOffset, Math.min(hw, this.leo));
  }

  // ---- append -----------------------------------------------------------------------------

  /** LogSegment.shouldRoll: the batch would not fit, or segment.ms passed since the segment's first batch. */
  private maybeRoll(batchSize: number, maxTimestamp: number): void {
    const a = this.active;
    if (a.isEmpty) return;
    const full = a.sizeInBytes + batchSize > this.config.segmentBytes;
    const old = maxTimestamp - a.rollingTimestamp > this.config.segmentMs;
    if (full || old) this.segs.push(new LogSegment(this.leo));
  }

  appendAsLeader(batch: Uint8Array, leaderEpoch: number): LogAppendInfo {
    const copy = batch.slice();
    setBatchBaseOffset(copy, this.leo);
    setBatchPartitionLeaderEpoch(copy, leaderEpoch);
    if (leaderEpoch > this.leaderEpochCache.latestEpoch()) this.leaderEpochCache.assign(leaderEpoch, this.leo);
    const maxTimestamp = batchMaxTimestamp(copy);
    this.maybeRoll(copy.length, maxTimestamp);
    this.active.append(copy);
    const firstOffset = this.leo;
    this.leo = batchNextOffset(copy);
    return { firstOffset, lastOffset: this.leo - 1, maxTimestamp, recordCount: batchRecordCount(copy), sizeInBytes: copy.length };
  }

  /** Appends the leader's batches as they are (offsets assigned); skips what we already have. */
  appendAsFollower(batches: readonly Uint8Array[]): number {
    let records = 0;
    for (const b of batches) {
      if (batchLastOffset(b) < this.leo) continue;
      if (batchBaseOffset(b) < this.leo) continue; // overlaps a batch we hold: never split batches
      const epoch = batchPartitionLeaderEpoch(b);
      if (epoch > this.leaderEpochCache.latestEpoch()) this.leaderEpochCache.assign(epoch, batchBaseOffset(b));
      this.maybeRoll(b.length, batchMaxTimestamp(b));
      this.active.append(b);
      this.leo = batchNextOffset(b);
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
   * Whole batches holding offsets in [fromOffset, maxOffset), at least one when any is
   * available (even past maxBytes), as Kafka's fetch does.
   */
  read(fromOffset: number, maxBytes: number, maxOffset: number): LogReadInfo {
    if (fromOffset < this.startOffset || fromOffset > this.leo) return { error: 'OFFSET_OUT_OF_RANGE', batches: [], sizeInBytes: 0 };
    const batches: Uint8Array[] = [];
    let bytes = 0;
    for (let s = this.segmentIndexFor(fromOffset); s < this.segs.length; s++) {
      const seg = this.segs[s]!;
      let i = seg.findBatchIndex(fromOffset);
      for (; i < seg.batches.length; i++) {
        const b = seg.batches[i]!;
        if (seg.bases[i]! >= maxOffset) return { error: 'NONE', batches, sizeInBytes: bytes };
        if (batches.length > 0 && bytes + b.length > maxBytes) return { error: 'NONE', batches, sizeInBytes: bytes };
        batches.push(b);
        bytes += b.length;
      }
    }
    return { error: 'NONE', batches, sizeInBytes: bytes };
  }

  /** Decoded records from fromOffset, for views. */
  recordsFrom(fromOffset: number, maxRecords: number): DecodedRecord[] {
    const out: DecodedRecord[] = [];
    const r = this.read(Math.max(fromOffset, this.startOffset), Number.MAX_SAFE_INTEGER, this.leo);
    for (const b of r.batches) {
      for (const rec of decodeRecords(b)) {
        if (rec.offset < fromOffset) continue;
        if (out.length >= maxRecords) return out;
        out.push(rec);
      }
    }
    return out;
  }

  /** ListOffsets by timestamp: the first offset whose record timestamp ≥ ts, or null. */
  offsetForTimestamp(ts: number): number | null {
    for (const seg of this.segs) {
      if (seg.maxTimestamp < ts) continue;
      for (const b of seg.batches) {
        if (batchMaxTimestamp(b) < ts) continue;
        let found: number | null = null;
        forEachRecord(b, (offset, timestamp) => {
          if (timestamp >= ts && offset >= this.startOffset) {
            found = offset;
            return false;
          }
          return true;
        });
        if (found !== null) return found;
      }
    }
    return null;
  }

  // ---- truncation ------------------------------------------------------------------------------

  /** Removes every batch holding offsets ≥ offset. Returns how many offsets went. */
  truncateTo(offset: number): number {
    if (offset >= this.leo) return 0;
    if (offset <= this.startOffset) {
      const removed = this.leo - this.startOffset;
      this.truncateFullyAndStartAt(this.startOffset);
      return removed;
    }
    while (this.segs.length > 1 && this.active.baseOffset >= offset) this.segs.pop();
    this.active.truncateTo(offset);
    const before = this.leo;
    const last = this.active.batches[this.active.batches.length - 1];
    this.leo = last ? batchNextOffset(last) : this.active.baseOffset;
    if (this.leo > offset) this.leo = offset;
    if (this.leo < this.startOffset) this.leo = this.startOffset;
    this.leaderEpochCache.truncateFromEnd(this.leo);
    if (this.hw > this.leo) this.hw = this.leo;
    if (this.firstDirtyOffset > this.leo) this.firstDirtyOffset = this.leo;
    for (const o of [...this.tombstoneHorizons.keys()]) if (o >= this.leo) this.tombstoneHorizons.delete(o);
    this.rewrites++;
    return before - this.leo;
  }

  truncateFullyAndStartAt(offset: number): void {
    this.segs = [new LogSegment(offset)];
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
   * UnifiedLog.deleteOldSegments: by retention.ms, then by retention.bytes, oldest first,
   * stopping at the first segment that must stay; never a segment reaching the HW.
   */
  deleteOldSegments(now: number): { deletedSegments: number; reason: 'retention.ms' | 'retention.bytes' | null; logStartOffset: number } {
    if (!hasPolicy(this.config.cleanupPolicy, 'delete')) return { deletedSegments: 0, reason: null, logStartOffset: this.startOffset };
    const c = this.config;
    let deleted = 0;
    let reason: 'retention.ms' | 'retention.bytes' | null = null;
    const upperOf = (i: number) => (i + 1 < this.segs.length ? this.segs[i + 1]!.baseOffset : this.leo);
    const deletable = (i: number) => !this.segs[i]!.isEmpty && upperOf(i) <= this.hw;
    if (c.retentionMs >= 0) {
      while (this.segs.length > 0) {
        const seg = this.segs[0]!;
        if (!deletable(0) || now - seg.maxTimestamp <= c.retentionMs) break;
        // An expired active segment: roll an empty one first, then delete it.
        if (this.segs.length === 1) this.segs.push(new LogSegment(this.leo));
        this.segs.shift();
        deleted++;
        reason = 'retention.ms';
      }
    }
    if (c.retentionBytes >= 0) {
      let diff = this.sizeInBytes - c.retentionBytes;
      while (this.segs.length > 1) {
        const seg = this.segs[0]!;
        if (!deletable(0) || diff - seg.sizeInBytes < 0) break;
        diff -= seg.sizeInBytes;
        this.segs.shift();
        deleted++;
        reason = reason ?? 'retention.bytes';
      }
    }
    if (deleted > 0) {
      const newStart = this.segs[0]!.baseOffset;
      if (newStart > this.startOffset) this.startOffset = Math.min(newStart, this.leo);
      if (this.hw < this.startOffset) this.hw = this.startOffset;
      if (this.firstDirtyOffset < this.startOffset) this.firstDirtyOffset = this.startOffset;
      this.leaderEpochCache.truncateFromStart(this.startOffset);
      for (const o of [...this.tombstoneHorizons.keys()]) if (o < this.startOffset) this.tombstoneHorizons.delete(o);
      this.rewrites++;
    }
    return { deletedSegments: deleted, reason, logStartOffset: this.startOffset };
  }

  // ---- compaction -----------------------------------------------------------------------------

  /**
   * LogCleaner, one pass: when the dirty part (first dirty offset up to the active segment,
   * and older than min.compaction.lag.ms) is a large enough share of the cleanable log, keep
   * only each key's latest record; drop keyless records; keep a tombstone through its first
   * cleaning (stamping a delete horizon of now + delete.retention.ms) and drop it on a later
   * one past that horizon. Offsets never change.
   */
  compact(now: number): { cleaned: boolean; removedRecords: number } {
    const c = this.config;
    if (!hasPolicy(c.cleanupPolicy, 'compact') || this.segs.length < 2) return { cleaned: false, removedRecords: 0 };
    // Cleanable segments: all but the active one, and only those past the compaction lag.
    let upperIdx = this.segs.length - 1;
    if (c.minCompactionLagMs > 0) {
      for (let i = 0; i < upperIdx; i++) {
        if (this.segs[i]!.maxTimestamp > now - c.minCompactionLagMs) {
          upperIdx = i;
          break;
        }
      }
    }
    if (upperIdx === 0) return { cleaned: false, removedRecords: 0 };
    const upper = this.segs[upperIdx]!.baseOffset;
    if (this.firstDirtyOffset >= upper) return { cleaned: false, removedRecords: 0 };
    let dirtyBytes = 0;
    let totalBytes = 0;
    for (let i = 0; i < upperIdx; i++) {
      const s = this.segs[i]!;
      totalBytes += s.sizeInBytes;
      if (s.nextOffset > this.firstDirtyOffset) dirtyBytes += s.sizeInBytes;
    }
    if (totalBytes === 0 || dirtyBytes / totalBytes <= c.minCleanableDirtyRatio) return { cleaned: false, removedRecords: 0 };

    // The offset map: latest offset per key over the dirty section.
    const latest = new Map<string, number>();
    for (let i = 0; i < upperIdx; i++) {
      for (const b of this.segs[i]!.batches) {
        if (batchNextOffset(b) <= this.firstDirtyOffset) continue;
        forEachRecord(b, (offset, _ts, batch, ks, kl) => {
          if (offset < this.firstDirtyOffset || kl < 0) return;
          latest.set(keyString(batch, ks, kl), offset);
        });
      }
    }
    let removed = 0;
    for (let i = 0; i < upperIdx; i++) {
      const seg = this.segs[i]!;
      const next: Uint8Array[] = [];
      for (const b of seg.batches) {
        const filtered = filterBatch(b, (offset, ks, kl, vl) => {
          if (kl < 0) return false;
          const newest = latest.get(keyString(b, ks, kl));
          if (newest !== undefined && offset < newest) return false;
          if (vl < 0) {
            const horizon = this.tombstoneHorizons.get(offset);
            if (horizon === undefined) {
              this.tombstoneHorizons.set(offset, now + c.deleteRetentionMs);
              return true;
            }
            if (now > horizon) {
              this.tombstoneHorizons.delete(offset);
              return false;
            }
          }
          return true;
        });
        removed += batchRecordCount(b) - (filtered ? batchRecordCount(filtered) : 0);
        if (filtered) next.push(filtered);
      }
      seg.replaceBatches(next);
    }
    // Empty segments below the active one go; offsets and the log start stay.
    const kept = this.segs.filter((s, i) => i === 0 || i === this.segs.length - 1 || !s.isEmpty);
    this.segs = kept;
    this.firstDirtyOffset = upper;
    this.rewrites++;
    return { cleaned: true, removedRecords: removed };
  }

  // ---- persistence --------------------------------------------------------------------------

  exportSegments(): { baseOffset: number; bytes: Uint8Array }[] {
    return this.segs.map((s) => ({ baseOffset: s.baseOffset, bytes: concatBatches(s.batches) }));
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
    log.segs = [];
    let leo = state.logStartOffset;
    for (const s of state.segments) {
      const seg = new LogSegment(s.baseOffset);
      for (const b of splitBatches(s.bytes)) seg.append(b);
      log.segs.push(seg);
      if (seg.nextOffset > leo) leo = seg.nextOffset;
    }
    if (log.segs.length === 0) log.segs.push(new LogSegment(state.logStartOffset));
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
