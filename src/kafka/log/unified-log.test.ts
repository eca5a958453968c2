import { describe, expect, it } from 'vitest';
import { Config, TOPIC_DEFAULTS } from '../config';
import { utf8 } from '../producer/murmur2';
import { Prng } from '../sim/prng';
import { samePlace } from '../test-support/same-place';
import {
  RecordBatchBuilder,
  batchBaseOffset,
  batchIsValid,
  batchLastOffset,
  batchNextOffset,
  batchPartitionLeaderEpoch,
  concatBatches,
  decodeRecords,
} from './record-batch';
import { LeaderEpochCache } from './leader-epoch-cache';
import { UnifiedLog, logConfigFrom, type LogConfig } from './unified-log';

const text = new TextDecoder();

/** A batch of records all stamped ts (keys/values as strings, null allowed). */
function batch(ts: number, records: [string | null, string | null][]): Uint8Array {
  const b = new RecordBatchBuilder({ baseTimestamp: ts, batchSize: 1 << 20 });
  for (const [k, v] of records) b.tryAppend(ts, k === null ? null : utf8(k), v === null ? null : utf8(v));
  return b.build();
}

function cfg(over: Partial<LogConfig> = {}): LogConfig {
  return { ...logConfigFrom(new Config([TOPIC_DEFAULTS])), ...over };
}

const offsetsOf = (batches: Uint8Array[]) => batches.flatMap((b) => decodeRecords(b).map((r) => r.offset));
const view = (log: UnifiedLog) => log.recordsFrom(0, 1000).map((r) => [r.offset, r.key && text.decode(r.key), r.value && text.decode(r.value)]);

describe('logConfigFrom', () => {
  it("reads Kafka's topic config names and defaults", () => {
    expect(logConfigFrom(new Config([TOPIC_DEFAULTS]))).toEqual({
      segmentBytes: 1073741824,
      segmentMs: 604800000,
      retentionMs: 604800000,
      retentionBytes: -1,
      cleanupPolicy: 'delete',
      deleteRetentionMs: 86400000,
      minCleanableDirtyRatio: 0.5,
      minCompactionLagMs: 0,
    });
    const c = logConfigFrom(new Config([{ 'segment.bytes': '1000', 'cleanup.policy': 'compact,delete', 'min.cleanable.dirty.ratio': '0.1' }, TOPIC_DEFAULTS]));
    expect(c.segmentBytes).toBe(1000);
    expect(c.cleanupPolicy).toBe('compact,delete');
    expect(c.minCleanableDirtyRatio).toBe(0.1);
  });
});

describe('UnifiedLog append and read', () => {
  it('assigns consecutive offsets on leader appends and stores a copy', () => {
    const log = new UnifiedLog(cfg());
    const b = batch(1, [['a', '1'], ['b', '2']]);
    expect(log.appendAsLeader(b, 3)).toEqual({ firstOffset: 0, lastOffset: 1, maxTimestamp: 1, recordCount: 2, sizeInBytes: b.length });
    // The caller's bytes are untouched: the same buffer can be appended again.
    expect(batchBaseOffset(b)).toBe(0);
    expect(batchPartitionLeaderEpoch(b)).toBe(-1);
    expect(log.appendAsLeader(b, 3)).toMatchObject({ firstOffset: 2, lastOffset: 3 });
    expect(log.logEndOffset).toBe(4);
    expect(log.sizeInBytes).toBe(2 * b.length);
    const stored = log.read(2, 1 << 20, 4).batches;
    expect(stored.length).toBe(1);
    expect(stored[0]).not.toBe(b);
    expect(batchBaseOffset(stored[0]!)).toBe(2);
    expect(batchPartitionLeaderEpoch(stored[0]!)).toBe(3);
    expect(batchIsValid(stored[0]!)).toBe(true);
    expect(log.leaderEpochCache.entries()).toEqual([{ epoch: 3, startOffset: 0 }]);
    log.appendAsLeader(b, 5);
    expect(log.leaderEpochCache.entries()).toEqual([
      { epoch: 3, startOffset: 0 },
      { epoch: 5, startOffset: 4 },
    ]);
  });

  it('reads whole batches: at least one, within maxBytes, never past maxOffset; out of range refused', () => {
    const log = new UnifiedLog(cfg());
    for (let i = 0; i < 5; i++) log.appendAsLeader(batch(i, [['k', `v${i}`], ['k', `w${i}`]]), 0); // [0,1] [2,3] ... [8,9]
    const size = log.read(0, 1 << 20, 10).batches[0]!.length;
    // From the middle of a batch: that whole batch; at least one even when maxBytes is tiny.
    expect(log.read(3, 1, 10).batches.map(batchBaseOffset)).toEqual([2]);
    expect(log.read(3, 2 * size, 10).batches.map(batchBaseOffset)).toEqual([2, 4]);
    expect(log.read(3, 2 * size, 10).sizeInBytes).toBe(2 * size);
    // maxOffset is exclusive and a batch straddling it stays back (Kafka reads up to the HW's batch).
    expect(log.read(3, 1 << 20, 6).batches.map(batchBaseOffset)).toEqual([2, 4]);
    expect(log.read(3, 1 << 20, 7).batches.map(batchBaseOffset)).toEqual([2, 4]);
    expect(log.read(3, 1 << 20, 8).batches.map(batchBaseOffset)).toEqual([2, 4, 6]);
    expect(log.read(6, 1 << 20, 6).batches).toEqual([]);
    // At the log end: empty; past it or below the start: OFFSET_OUT_OF_RANGE.
    expect(log.read(10, 1 << 20, 10)).toEqual({ error: 'NONE', batches: [], sizeInBytes: 0 });
    expect(log.read(11, 1 << 20, 20).error).toBe('OFFSET_OUT_OF_RANGE');
    expect(log.read(-1, 1 << 20, 20).error).toBe('OFFSET_OUT_OF_RANGE');
  });

  it('reads across segments with binary search', () => {
    const log = new UnifiedLog(cfg({ segmentBytes: 250 }));
    for (let i = 0; i < 60; i++) log.appendAsLeader(batch(i, [['k', 'x'.repeat(40)], ['k', 'y']]), 0);
    expect(log.segments.length).toBeGreaterThan(10);
    for (let from = 0; from < 120; from += 7) {
      const got = log.read(from, 1 << 20, 120).batches;
      expect(batchBaseOffset(got[0]!)).toBe(from - (from % 2));
      expect(batchNextOffset(got[got.length - 1]!)).toBe(120);
      expect(got.length).toBe(60 - Math.floor(from / 2));
    }
  });

  it('follower appends share the leader batches, skip what they have, and learn epochs', () => {
    const leader = new UnifiedLog(cfg());
    for (let i = 0; i < 3; i++) leader.appendAsLeader(batch(i, [['k', `${i}`], ['j', `${i}`]]), i < 2 ? 1 : 4);
    const fetched = leader.read(0, 1 << 20, leader.logEndOffset).batches;
    const follower = new UnifiedLog(cfg());
    expect(follower.appendAsFollower(fetched.slice(0, 2))).toBe(4);
    expect(follower.appendAsFollower(fetched)).toBe(2);
    expect(follower.appendAsFollower(fetched)).toBe(0);
    expect(follower.logEndOffset).toBe(6);
    const mine = follower.read(0, 1 << 20, 6).batches;
    // The same bytes in memory, not copies.
    expect(mine.length).toBe(fetched.length);
    mine.forEach((b, i) => expect(samePlace(b, fetched[i])).toBe(true));
    expect(follower.leaderEpochCache.entries()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 4, startOffset: 4 },
    ]);
  });

  it('a follower batch straddling the log end replaces the local tail from its base', () => {
    const leader = new UnifiedLog(cfg());
    leader.appendAsLeader(batch(0, [['a', '1'], ['b', '2'], ['c', '3']]), 2);
    const follower = new UnifiedLog(cfg());
    follower.appendAsLeader(batch(0, [['x', '1'], ['y', '2']]), 1); // a divergent shorter tail
    expect(follower.appendAsFollower(leader.read(0, 1 << 20, 3).batches)).toBe(3);
    expect(view(follower).map((r) => r[1])).toEqual(['a', 'b', 'c']);
    expect(follower.leaderEpochCache.entries()).toEqual([{ epoch: 2, startOffset: 0 }]);
  });

  it('truncates whole batches, the epoch cache and the HW', () => {
    const log = new UnifiedLog(cfg({ segmentBytes: 200 }));
    log.appendAsLeader(batch(0, [['a', '1'], ['b', '2']]), 0); // 0-1
    log.appendAsLeader(batch(0, [['c', '3'], ['d', '4']]), 1); // 2-3
    log.appendAsLeader(batch(0, [['e', '5'], ['f', '6'], ['g', '7']]), 2); // 4-6
    log.updateHighWatermark(7);
    expect(log.truncateTo(9)).toBe(0);
    // Offset 5 sits in the batch 4-6: the whole batch goes.
    expect(log.truncateTo(5)).toBe(3);
    expect(log.logEndOffset).toBe(4);
    expect(log.highWatermark).toBe(4);
    expect(log.leaderEpochCache.entries()).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 1, startOffset: 2 },
    ]);
    expect(log.truncateTo(2)).toBe(2);
    expect(log.leaderEpochCache.latestEpoch()).toBe(0);
    expect(offsetsOf(log.read(0, 1 << 20, 10).batches)).toEqual([0, 1]);
    // Appends continue from the new end.
    expect(log.appendAsLeader(batch(0, [['z', '9']]), 3).firstOffset).toBe(2);
    expect(log.truncateTo(0)).toBe(3);
    expect(log.logEndOffset).toBe(0);
    expect(log.sizeInBytes).toBe(0);
    log.truncateFullyAndStartAt(50);
    expect([log.logStartOffset, log.highWatermark, log.logEndOffset]).toEqual([50, 50, 50]);
    expect(log.appendAsLeader(batch(0, [['a', '1']]), 4).firstOffset).toBe(50);
    expect(log.read(49, 100, 60).error).toBe('OFFSET_OUT_OF_RANGE');
  });

  it('clamps the high watermark into [log start, log end]', () => {
    const log = new UnifiedLog(cfg());
    log.appendAsLeader(batch(0, [['a', '1'], ['b', '2']]), 0);
    log.updateHighWatermark(10);
    expect(log.highWatermark).toBe(2);
    log.updateHighWatermark(1);
    expect(log.highWatermark).toBe(1);
    log.updateHighWatermark(-5);
    expect(log.highWatermark).toBe(0);
  });

  it('rolls segments by segment.bytes and by segment.ms', () => {
    const bySize = new UnifiedLog(cfg({ segmentBytes: 300 }));
    for (let i = 0; i < 10; i++) bySize.appendAsLeader(batch(i, [['k', 'x'.repeat(50)]]), 0);
    expect(bySize.segments.length).toBeGreaterThan(2);
    for (const s of bySize.segments) expect(s.sizeInBytes).toBeLessThanOrEqual(300);
    const bases = bySize.segments.map((s) => s.baseOffset);
    expect(bases[0]).toBe(0);
    bySize.segments.forEach((s, i) => expect(s.nextOffset).toBe(bases[i + 1] ?? 10));
    // A batch larger than segment.bytes still goes in, alone in its segment.
    bySize.appendAsLeader(batch(0, [['k', 'x'.repeat(500)]]), 0);
    expect(bySize.segments[bySize.segments.length - 1]!.count).toBe(1);

    const byTime = new UnifiedLog(cfg({ segmentMs: 1000 }));
    byTime.appendAsLeader(batch(100, [['k', 'a']]), 0);
    byTime.appendAsLeader(batch(1100, [['k', 'b']]), 0); // exactly segment.ms later: no roll
    expect(byTime.segments.length).toBe(1);
    byTime.appendAsLeader(batch(1101, [['k', 'c']]), 0); // more than segment.ms: roll
    expect(byTime.segments.map((s) => s.baseOffset)).toEqual([0, 2]);
    expect(byTime.segments[1]!.firstBatchTimestamp).toBe(1101);
  });

  it('finds offsets by timestamp', () => {
    const log = new UnifiedLog(cfg({ segmentBytes: 200 }));
    log.appendAsLeader(batch(100, [['a', '1']]), 0);
    log.appendAsLeader(batch(300, [['b', '1']]), 0);
    log.appendAsLeader(batch(200, [['c', '1']]), 0); // timestamps need not be monotonic
    log.appendAsLeader(batch(400, [['d', '1']]), 0);
    expect(log.offsetForTimestamp(50)).toBe(0);
    expect(log.offsetForTimestamp(100)).toBe(0);
    expect(log.offsetForTimestamp(150)).toBe(1);
    expect(log.offsetForTimestamp(350)).toBe(3);
    expect(log.offsetForTimestamp(500)).toBeNull();
  });

  it('returns decoded records from an offset for views', () => {
    const log = new UnifiedLog(cfg());
    log.appendAsLeader(batch(7, [['a', '1'], [null, '2'], ['c', null]]), 0);
    log.appendAsLeader(batch(8, [['d', '4']]), 0);
    expect(view(log)).toEqual([
      [0, 'a', '1'],
      [1, null, '2'],
      [2, 'c', null],
      [3, 'd', '4'],
    ]);
    expect(log.recordsFrom(1, 2).map((r) => r.offset)).toEqual([1, 2]);
    expect(log.recordsFrom(4, 10)).toEqual([]);
  });
});

describe('UnifiedLog retention', () => {
  /** One 1-record batch per segment (segment.bytes fits one), timestamps as given. */
  function segmented(timestamps: number[], over: Partial<LogConfig> = {}): UnifiedLog {
    const log = new UnifiedLog(cfg({ segmentBytes: 120, ...over }));
    for (const ts of timestamps) log.appendAsLeader(batch(ts, [['k', 'x'.repeat(30)]]), 0);
    expect(log.segments.length).toBe(timestamps.length);
    return log;
  }

  it('deletes by retention.ms oldest first, stopping at the first segment that stays', () => {
    const log = segmented([100, 200, 5000, 300, 400], { retentionMs: 1000 });
    log.updateHighWatermark(5);
    const r = log.deleteOldSegments(2000); // retention 1000: 100 and 200 expired, 5000 stays
    expect(r).toEqual({ deletedSegments: 2, reason: 'retention.ms', logStartOffset: 2 });
    // 300 and 400 are expired too but sit behind the segment that stays.
    expect(log.segments.map((s) => s.baseOffset)).toEqual([2, 3, 4]);
    expect(log.read(1, 100, 5).error).toBe('OFFSET_OUT_OF_RANGE');
    expect(offsetsOf(log.read(2, 1 << 20, 5).batches)).toEqual([2, 3, 4]);
  }, 10_000);

  it('never deletes a segment holding offsets at or past the HW', () => {
    const log = segmented([100, 200, 300], { retentionMs: 1000 });
    log.updateHighWatermark(1);
    expect(log.deleteOldSegments(10_000).deletedSegments).toBe(1); // segment [0,1) ends at the HW
    log.updateHighWatermark(2);
    expect(log.deleteOldSegments(10_000).deletedSegments).toBe(1);
    expect(log.logStartOffset).toBe(2);
    // The active segment holds offset 2 ≥ HW: it stays.
    expect(log.deleteOldSegments(10_000).deletedSegments).toBe(0);
  });

  it('deletes an expired active segment by rolling a new empty one first', () => {
    const log = segmented([100, 200], { retentionMs: 1000 });
    log.updateHighWatermark(2);
    expect(log.deleteOldSegments(5000)).toEqual({ deletedSegments: 2, reason: 'retention.ms', logStartOffset: 2 });
    expect(log.segments.length).toBe(1);
    expect(log.segments[0]!.isEmpty).toBe(true);
    expect([log.logStartOffset, log.highWatermark, log.logEndOffset, log.sizeInBytes]).toEqual([2, 2, 2, 0]);
    expect(log.appendAsLeader(batch(6000, [['k', 'v']]), 0).firstOffset).toBe(2);
    // An empty active segment is never deleted.
    const empty = new UnifiedLog(cfg({ retentionMs: 0 }));
    expect(empty.deleteOldSegments(1e9).deletedSegments).toBe(0);
  });

  it('leaves segments with future timestamps alone', () => {
    const log = segmented([9000, 100], { retentionMs: 1000 });
    log.updateHighWatermark(2);
    expect(log.deleteOldSegments(5000).deletedSegments).toBe(0);
  });

  it('deletes by retention.bytes while the log minus the segment stays at or above it', () => {
    const log = segmented([1, 2, 3, 4, 5], { retentionBytes: 0 });
    const seg = log.segments[0]!.sizeInBytes;
    log.updateHighWatermark(5);
    log.updateConfig({ ...log.config, retentionBytes: 2 * seg + 1 });
    // size 5s, diff = 3s − 1: deletes two (diff − s ≥ 0 twice), not the third.
    expect(log.deleteOldSegments(0)).toEqual({ deletedSegments: 2, reason: 'retention.bytes', logStartOffset: 2 });
    expect(log.sizeInBytes).toBe(3 * seg);
    log.updateConfig({ ...log.config, retentionBytes: 3 * seg });
    expect(log.deleteOldSegments(0).deletedSegments).toBe(0);
    log.updateConfig({ ...log.config, retentionBytes: 2 * seg });
    expect(log.deleteOldSegments(0).deletedSegments).toBe(1);
    expect(log.logStartOffset).toBe(3);
    // Not past the HW.
    log.updateConfig({ ...log.config, retentionBytes: 0 });
    log.truncateTo(5);
    const l2 = segmented([1, 2, 3], { retentionBytes: 0 });
    l2.updateHighWatermark(1);
    expect(l2.deleteOldSegments(0).deletedSegments).toBe(1);
    expect(l2.logStartOffset).toBe(1);
  });

  it('runs only with cleanup.policy delete, and applies size before time', () => {
    const compactOnly = segmented([1, 2, 3], { cleanupPolicy: 'compact', retentionMs: 0 });
    compactOnly.updateHighWatermark(3);
    expect(compactOnly.deleteOldSegments(1e9).deletedSegments).toBe(0);
    const both = segmented([1, 2, 3], { cleanupPolicy: 'compact,delete', retentionMs: 0 });
    both.updateHighWatermark(3);
    expect(both.deleteOldSegments(1e9).deletedSegments).toBe(3);
    const sizeFirst = segmented([1, 2, 3], { retentionMs: 10, retentionBytes: 0 });
    sizeFirst.updateHighWatermark(3);
    expect(sizeFirst.deleteOldSegments(1e9).reason).toBe('retention.bytes');
  });

  it('truncates the epoch cache from the new log start', () => {
    const log = new UnifiedLog(cfg({ segmentBytes: 120, retentionMs: 1000 }));
    log.appendAsLeader(batch(1, [['k', 'x'.repeat(30)]]), 1);
    log.appendAsLeader(batch(1, [['k', 'x'.repeat(30)]]), 2);
    log.appendAsLeader(batch(1, [['k', 'x'.repeat(30)]]), 2);
    log.appendAsLeader(batch(5000, [['k', 'x'.repeat(30)]]), 2);
    log.updateHighWatermark(4);
    log.deleteOldSegments(3000);
    expect(log.logStartOffset).toBe(3);
    expect(log.leaderEpochCache.entries()).toEqual([{ epoch: 2, startOffset: 3 }]);
  });

  it('moves the log start on request, never past the HW', () => {
    const log = segmented([1, 2, 3, 4]);
    log.updateHighWatermark(3);
    expect(log.maybeIncrementLogStartOffset(10)).toBe(true);
    expect(log.logStartOffset).toBe(3);
    expect(log.segments[0]!.baseOffset).toBe(3);
    expect(log.maybeIncrementLogStartOffset(2)).toBe(false);
    expect(log.offsetForTimestamp(0)).toBe(3);
  });
});

describe('UnifiedLog compaction', () => {
  function compacted(over: Partial<LogConfig> = {}): UnifiedLog {
    return new UnifiedLog(cfg({ cleanupPolicy: 'compact', segmentBytes: 150, minCleanableDirtyRatio: 0, deleteRetentionMs: 1000, ...over }));
  }
  function put(log: UnifiedLog, writes: [string | null, string | null][], ts = 0): void {
    for (const w of writes) log.appendAsLeader(batch(ts, [w]), 0);
    log.updateHighWatermark(log.logEndOffset);
  }

  it('keeps the latest record per key, drops keyless ones, keeps offsets with gaps, never touches the active segment', () => {
    const log = compacted();
    put(log, [['a', '1'], ['b', '1'], ['a', '2'], [null, 'nokey'], ['b', null], ['c', '1'], ['a', '3'], ['d', '1']]);
    expect(log.segments.length).toBeGreaterThan(2);
    const active = log.segments[log.segments.length - 1]!;
    const activeBatches = active.batchList();
    const lastCleanable = log.segments[log.segments.length - 2]!.nextOffset - 1;
    const r = log.compact(100);
    expect(r.cleaned).toBe(true);
    expectActiveIsLast(log);
    const after = view(log);
    const offsets = after.map((x) => x[0] as number);
    // Superseded within the cleaned range: a@0 (by a@2 or a@6), b@1 (by the tombstone b@4); keyless @3.
    expect(offsets).not.toContain(0);
    expect(offsets).not.toContain(1);
    expect(offsets).not.toContain(3);
    expect(after).toContainEqual([4, 'b', null]);
    expect(offsets).toEqual([...offsets].sort((p, q) => p - q));
    expect(r.removedRecords).toBe(8 - after.length);
    // Offsets never change: every survivor has its original offset and value.
    const original = new Map([[2, 'a'], [4, 'b'], [5, 'c'], [6, 'a'], [7, 'd']]);
    for (const [o, k] of after) if (o !== null && original.has(o as number)) expect(k).toBe(original.get(o as number));
    expect(log.logEndOffset).toBe(8);
    // The active segment keeps the very same batches.
    const nowActive = log.segments[log.segments.length - 1]!;
    expect(nowActive.batchList()).toEqual(activeBatches);
    nowActive.batchList().forEach((b, i) => expect(samePlace(b, activeBatches[i])).toBe(true));
    expect(lastCleanable).toBeGreaterThan(0);
    // Every stored batch is still a valid v2 batch.
    for (const s of log.segments) for (const b of s.batchList()) expect(batchIsValid(b)).toBe(true);
  });

  it('keeps a tombstone through its first cleaning and drops it after delete.retention.ms', () => {
    const log = compacted();
    put(log, [['a', '1'], ['b', '1'], ['a', null], ['c', '1'], ['d', '1'], ['e', '1']]);
    log.compact(100); // horizon for the tombstone a@2: 1100
    expect(view(log)).toContainEqual([2, 'a', null]);
    expect(view(log).map((x) => x[0])).not.toContain(0);
    put(log, [['f', '1'], ['g', '1'], ['h', '1'], ['i', '1']]);
    log.compact(500); // before the horizon: still there
    expect(view(log)).toContainEqual([2, 'a', null]);
    put(log, [['j', '1'], ['k', '1'], ['l', '1'], ['m', '1']]);
    log.compact(1100); // at the horizon: gone
    expect(view(log).map((x) => x[0])).not.toContain(2);
    expect(log.logEndOffset).toBe(14);
  });

  it('keeps keyless records past the offset map (shouldRetainRecord: offset > map.latestOffset)', () => {
    const log = compacted();
    put(log, [['a', '1'], ['a', '2'], [null, 'trailing'], ['z', 'active']]);
    log.compact(0);
    // a@0 superseded; the keyless record after the map's last keyed offset (1) stays.
    expect(view(log)).toEqual([
      [1, 'a', '2'],
      [2, null, 'trailing'],
      [3, 'z', 'active'],
    ]);
  });

  it('ratio threshold: cleans only when dirty / total exceeds min.cleanable.dirty.ratio', () => {
    const log = compacted({ minCleanableDirtyRatio: 0.6 });
    // Six one-record segments (the sixth is active), all dirty: cleaned.
    put(log, [['a', '1'], ['b', '1'], ['c', '1'], ['d', '1'], ['e', '1'], ['f', '1']]);
    expect(log.compact(0).cleaned).toBe(true);
    const clean = log.segments.length - 1;
    // Two more segments become cleanable: 2 dirty of clean + 2 ≤ 0.6 → not cleaned.
    put(log, [['g', '1'], ['h', '1']]);
    expect(2 / (clean + 2)).toBeLessThanOrEqual(0.6);
    expect(log.compact(0).cleaned).toBe(false);
  });

  it('respects min.compaction.lag.ms and the high watermark', () => {
    const log = compacted({ minCompactionLagMs: 1000 });
    log.appendAsLeader(batch(0, [['a', '1']]), 0);
    log.appendAsLeader(batch(0, [['a', '2']]), 0);
    log.appendAsLeader(batch(900, [['a', '3']]), 0);
    log.appendAsLeader(batch(900, [['a', '4']]), 0);
    log.updateHighWatermark(4);
    expect(log.compact(1500).cleaned).toBe(true); // only the two segments older than the lag
    expect(view(log).map((x) => x[0])).toEqual([1, 2, 3]);
    const l2 = compacted();
    put(l2, [['a', '1'], ['a', '2'], ['a', '3']]);
    l2.updateHighWatermark(1);
    l2.compact(0); // only [0,1) is below the HW
    expect(view(l2).map((x) => x[0])).toEqual([0, 1, 2]);
  });

  it('runs only with cleanup.policy compact', () => {
    const log = compacted({ cleanupPolicy: 'delete' });
    put(log, [['a', '1'], ['a', '2'], ['a', '3']]);
    expect(log.compact(0)).toEqual({ cleaned: false, removedRecords: 0 });
    log.updateConfig({ ...log.config, cleanupPolicy: 'delete, compact' });
    expect(log.compact(0).cleaned).toBe(true);
  });

  it('keeps batch boundaries so replicas can still fetch from a compacted leader', () => {
    const leader = compacted({ segmentBytes: 400 });
    for (let i = 0; i < 12; i++) leader.appendAsLeader(batch(0, [['a', `${i}`], [`k${i}`, 'v']]), 0);
    leader.updateHighWatermark(24);
    leader.compact(0);
    const follower = compacted();
    let from = 0;
    for (let guard = 0; guard < 50 && from < leader.logEndOffset; guard++) {
      const got = leader.read(from, 300, leader.logEndOffset).batches;
      follower.appendAsFollower(got);
      from = follower.logEndOffset;
    }
    expect(follower.logEndOffset).toBe(24);
    expect(view(follower)).toEqual(view(leader));
    for (const s of leader.segments) for (const b of s.batchList()) expect(batchLastOffset(b) % 2).toBe(1);
  });
});

describe('UnifiedLog persistence', () => {
  it('exports and restores its state byte for byte', () => {
    const log = new UnifiedLog(cfg({ segmentBytes: 200, cleanupPolicy: 'compact,delete', minCleanableDirtyRatio: 0 }));
    for (let i = 0; i < 12; i++) log.appendAsLeader(batch(i, [[`k${i % 3}`, i % 5 === 0 ? null : `${i}`.repeat(30)]]), i < 4 ? 0 : 3);
    log.updateHighWatermark(10);
    log.compact(5);
    log.maybeIncrementLogStartOffset(2);
    const state = log.exportState();
    expect(state.segments.map((s) => s.baseOffset)).toEqual(log.segments.map((s) => s.baseOffset));
    const back = UnifiedLog.restore(log.config, structuredClone(state));
    expect(back.logStartOffset).toBe(log.logStartOffset);
    expect(back.logEndOffset).toBe(12);
    expect(back.highWatermark).toBe(10);
    expect(back.leaderEpochCache.entries()).toEqual(log.leaderEpochCache.entries());
    expect(back.exportState()).toEqual(state);
    expect(concatBatches(back.read(2, 1 << 30, 12).batches)).toEqual(concatBatches(log.read(2, 1 << 30, 12).batches));
    expect(back.sizeInBytes).toBe(log.sizeInBytes);
    // Appends continue identically.
    log.appendAsLeader(batch(99, [['z', 'z']]), 5);
    back.appendAsLeader(batch(99, [['z', 'z']]), 5);
    expect(back.exportState()).toEqual(log.exportState());
  });

  it('restores from the minimal state shape', () => {
    const log = new UnifiedLog(cfg());
    log.appendAsLeader(batch(1, [['a', '1'], ['b', '2']]), 2);
    const { segments, logStartOffset, highWatermark, epochs } = log.exportState();
    const back = UnifiedLog.restore(cfg(), { segments, logStartOffset, highWatermark, epochs });
    expect(back.logEndOffset).toBe(2);
    expect(view(back)).toEqual(view(log));
  });
});

describe('UnifiedLog against an array model', () => {
  it('matches under random appends, follower appends, reads, truncations and HW moves', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = new Prng(seed);
      const log = new UnifiedLog(cfg({ segmentBytes: r.range(100, 600) }));
      // The model: one entry per batch, in offset order.
      let model: { base: number; count: number; size: number }[] = [];
      let hw = 0;
      const leo = () => (model.length === 0 ? 0 : model[model.length - 1]!.base + model[model.length - 1]!.count);
      for (let step = 0; step < 40; step++) {
        const op = r.int(10);
        if (op < 5) {
          const n = r.range(1, 4);
          const base = leo();
          const b = batch(step, Array.from({ length: n }, (_, i) => [r.bool(0.1) ? null : `k${i}`, r.bool(0.1) ? null : `v${step}`.repeat(r.int(5))] as [string | null, string | null]));
          const info = log.appendAsLeader(b, r.int(3));
          expect(info.firstOffset).toBe(base);
          model.push({ base, count: n, size: b.length });
        } else if (op < 6) {
          // A follower-style append of a batch built elsewhere with offsets already assigned.
          const other = new UnifiedLog(cfg());
          other.truncateFullyAndStartAt(leo());
          const n = r.range(1, 3);
          other.appendAsLeader(batch(step, Array.from({ length: n }, () => ['f', 'x'] as [string, string])), 7);
          const b = other.read(leo(), 1 << 20, other.logEndOffset).batches;
          expect(log.appendAsFollower(b)).toBe(n);
          model.push({ base: leo(), count: n, size: b[0]!.length });
        } else if (op < 7 && model.length > 0) {
          const target = r.range(0, leo());
          const removed = log.truncateTo(target);
          const before = leo();
          model = model.filter((m) => m.base + m.count <= target);
          expect(removed).toBe(before - leo());
          hw = Math.min(hw, leo());
        } else if (op < 8) {
          hw = r.range(0, leo());
          log.updateHighWatermark(hw);
        } else {
          const from = r.range(0, leo() + 1);
          const maxBytes = r.range(1, 400);
          const maxOffset = r.bool() ? hw : leo();
          const got = log.read(from, maxBytes, maxOffset);
          if (from > leo()) {
            expect(got.error).toBe('OFFSET_OUT_OF_RANGE');
            continue;
          }
          // Expected: batches from the one holding `from`, ending ≤ maxOffset, at least one, within maxBytes.
          const expected: number[] = [];
          let bytes = 0;
          for (const m of model) {
            if (m.base + m.count <= from) continue;
            if (m.base + m.count > maxOffset) break;
            if (expected.length > 0 && bytes + m.size > maxBytes) break;
            expected.push(m.base);
            bytes += m.size;
          }
          expect(got.error).toBe('NONE');
          expect(got.batches.map(batchBaseOffset)).toEqual(expected);
          expect(got.sizeInBytes).toBe(bytes);
        }
        expect(log.logEndOffset).toBe(leo());
        expect(log.highWatermark).toBe(Math.min(hw, leo()));
        expect(log.sizeInBytes).toBe(model.reduce((s, m) => s + m.size, 0));
        // Segments tile the log: bases increase and every batch sits in the right one.
        const segs = log.segments;
        for (let i = 1; i < segs.length; i++) expect(segs[i]!.baseOffset).toBeGreaterThanOrEqual(segs[i - 1]!.nextOffset);
        expectActiveIsLast(log);
      }
    }
  });
});

/** The log's active segment field is the last of its segments (UnifiedLog keeps both). */
function expectActiveIsLast(log: UnifiedLog): void {
  expect((log as unknown as { activeSeg: unknown }).activeSeg).toBe(log.segments[log.segments.length - 1]);
}

describe('UnifiedLog epoch bookkeeping (assign skipped when it would change nothing)', () => {
  it('keeps the same epoch entries as a cache assigned on every append, through outside truncations and clears (300 seeds)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = new Prng(seed);
      const log = new UnifiedLog(cfg({ segmentBytes: r.range(100, 600) }));
      // Assigned on every append, as before the skip; mutated from outside as the log's cache is.
      const every = new LeaderEpochCache();
      let epoch = 0;
      for (let step = 0; step < 50; step++) {
        const op = r.int(12);
        if (op < 6) {
          if (r.bool(0.2)) epoch++;
          const start = log.logEndOffset;
          log.appendAsLeader(batch(step, [['k', 'v']]), epoch);
          every.assign(epoch, start);
        } else if (op < 8) {
          // A follower append: the leader's epochs, maybe older than ours after a clear.
          const other = new UnifiedLog(cfg());
          other.truncateFullyAndStartAt(log.logEndOffset);
          const e = Math.max(0, epoch - r.int(2));
          other.appendAsLeader(batch(step, [['f', 'x']]), e);
          const start = log.logEndOffset;
          log.appendAsFollower(other.read(start, 1 << 20, other.logEndOffset).batches);
          every.assign(e, start);
        } else if (op === 8) {
          // Partition.makeLeader: a new epoch starts at the log end.
          epoch++;
          log.leaderEpochCache.assign(epoch, log.logEndOffset);
          every.assign(epoch, log.logEndOffset);
        } else if (op === 9) {
          // The broker's truncateOnDivergence: truncate, then forget epochs from the target on.
          const target = r.range(0, log.logEndOffset);
          log.truncateTo(target);
          every.truncateFromEnd(log.logEndOffset);
          log.leaderEpochCache.truncateFromEnd(target);
          every.truncateFromEnd(target);
        } else if (op === 10) {
          log.leaderEpochCache.clear();
          every.clear();
        } else if (r.bool()) {
          log.updateHighWatermark(log.logEndOffset);
          const to = r.range(0, log.logEndOffset);
          if (log.maybeIncrementLogStartOffset(to)) every.truncateFromStart(log.logStartOffset);
        } else {
          // Retention by size: whole segments go, the active one too (a new one is rolled first).
          log.updateHighWatermark(log.logEndOffset);
          log.updateConfig({ ...log.config, retentionBytes: r.range(0, 800) });
          if (log.deleteOldSegments(step).deletedSegments > 0) every.truncateFromStart(log.logStartOffset);
        }
        expectActiveIsLast(log);
        expect(log.leaderEpochCache.entries(), `seed ${seed} step ${step} op ${op}`).toEqual(every.entries());
        const last = every.latestEntry();
        expect([log.epochLatest, log.epochLatestStart]).toEqual([last?.epoch ?? -1, last?.startOffset ?? -1]);
      }
    }
  });
});
