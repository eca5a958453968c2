import { describe, expect, it } from 'vitest';
import { TOPIC_DEFAULTS, Config } from '../config';
import { partitionForKey, murmur2, utf8 } from '../producer/murmur2';
import { Prng } from '../sim/prng';
import { crc32c } from './crc32c';
import { LeaderEpochCache } from './leader-epoch-cache';
import {
  RecordBatchBuilder,
  batchBaseOffset,
  batchIsValid,
  batchLastOffset,
  batchPartitionLeaderEpoch,
  batchRecordCount,
  decodeRecords,
  setBatchBaseOffset,
  setBatchPartitionLeaderEpoch,
  splitBatches,
  concatBatches,
} from './record-batch';
import { UnifiedLog, logConfigFrom, type LogConfig } from './unified-log';
import { cursor, readVarint, writeVarint } from './varint';

const text = new TextDecoder();

function batch(ts: number, records: [string | null, string | null][], opts: { producerId?: number; baseSequence?: number } = {}): Uint8Array {
  const b = new RecordBatchBuilder({ baseTimestamp: ts, batchSize: 1 << 20, producerId: opts.producerId, producerEpoch: opts.producerId === undefined ? -1 : 0, baseSequence: opts.baseSequence });
  for (const [k, v] of records) expect(b.tryAppend(ts, k === null ? null : utf8(k), v === null ? null : utf8(v))).toBe(true);
  return b.build();
}

function cfg(over: Partial<LogConfig> = {}): LogConfig {
  return { ...logConfigFrom(new Config([TOPIC_DEFAULTS])), ...over };
}

describe('murmur2 (Kafka UtilsTest.testMurmur2)', () => {
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('murmur2(%s) = %i', (s, expected) => {
    expect(murmur2(utf8(s))).toBe(expected);
  });
  it('partitions with the positive mask, not abs', () => {
    // -973932308 & 0x7fffffff = 1173551340
    expect(partitionForKey(utf8('21'), 1_000_000_007)).toBe(1173551340 % 1_000_000_007);
    expect(partitionForKey(utf8('foobar'), 3)).toBe((-790332482 & 0x7fffffff) % 3);
  });
});

describe('crc32c and varints', () => {
  it('matches the CRC-32C check value', () => {
    expect(crc32c(utf8('123456789'))).toBe(0xe3069283);
  });
  it('round-trips zigzag varints', () => {
    const buf = new Uint8Array(16);
    for (const v of [0, 1, -1, 63, -64, 64, 300, -300, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, -(2 ** 45)]) {
      const end = writeVarint(buf, 0, v);
      cursor.pos = 0;
      expect(readVarint(buf)).toBe(v);
      expect(cursor.pos).toBe(end);
    }
  });
});

describe('record batch v2', () => {
  it('round-trips keys, null keys, tombstones and headers with a valid CRC', () => {
    const b = new RecordBatchBuilder({ baseTimestamp: 1000, batchSize: 16384 });
    b.tryAppend(1000, utf8('k1'), utf8('v1'), [{ key: 'h', value: utf8('x') }]);
    b.tryAppend(1005, null, utf8('v2'));
    b.tryAppend(1007, utf8('k3'), null);
    const bytes = b.build();
    expect(batchIsValid(bytes)).toBe(true);
    expect(batchRecordCount(bytes)).toBe(3);
    const recs = decodeRecords(bytes);
    expect(recs.map((r) => r.offset)).toEqual([0, 1, 2]);
    expect(recs.map((r) => r.timestamp)).toEqual([1000, 1005, 1007]);
    expect(text.decode(recs[0]!.key!)).toBe('k1');
    expect(recs[0]!.headers[0]!.key).toBe('h');
    expect(recs[1]!.key).toBeNull();
    expect(recs[2]!.value).toBeNull();
  });
  it('stamps base offset and leader epoch without breaking the CRC', () => {
    const bytes = batch(5, [['a', '1'], ['b', '2']]);
    setBatchBaseOffset(bytes, 123456789012);
    setBatchPartitionLeaderEpoch(bytes, 7);
    expect(batchIsValid(bytes)).toBe(true);
    expect(batchBaseOffset(bytes)).toBe(123456789012);
    expect(batchLastOffset(bytes)).toBe(123456789013);
    expect(batchPartitionLeaderEpoch(bytes)).toBe(7);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    expect(batchIsValid(bytes)).toBe(false);
  });
  it('refuses a record past batch.size unless the batch is empty', () => {
    const b = new RecordBatchBuilder({ baseTimestamp: 0, batchSize: 100 });
    expect(b.tryAppend(0, null, new Uint8Array(200))).toBe(true);
    expect(b.tryAppend(0, null, new Uint8Array(10))).toBe(false);
  });
  it('splits a concatenation back into batches', () => {
    const a = batch(1, [['a', '1']]);
    const b = batch(2, [['b', '2'], ['c', '3']]);
    expect(splitBatches(concatBatches([a, b])).map(batchRecordCount)).toEqual([1, 2]);
  });
});

describe('LeaderEpochCache', () => {
  it('answers OffsetsForLeaderEpoch like Kafka', () => {
    const c = new LeaderEpochCache();
    c.assign(0, 0);
    c.assign(2, 10);
    c.assign(5, 25);
    expect(c.endOffsetFor(5, 40)).toEqual({ leaderEpoch: 5, endOffset: 40 });
    expect(c.endOffsetFor(2, 40)).toEqual({ leaderEpoch: 2, endOffset: 25 });
    expect(c.endOffsetFor(3, 40)).toEqual({ leaderEpoch: 2, endOffset: 25 });
    expect(c.endOffsetFor(1, 40)).toEqual({ leaderEpoch: 0, endOffset: 10 });
    c.truncateFromEnd(12);
    expect(c.latestEpoch()).toBe(2);
    c.truncateFromStart(11);
    expect(c.entries()).toEqual([{ epoch: 2, startOffset: 11 }]);
  });
});

describe('UnifiedLog', () => {
  it('assigns consecutive offsets on leader appends, copying the batch', () => {
    const log = new UnifiedLog(cfg());
    const b = batch(1, [['a', '1'], ['b', '2']]);
    const info = log.appendAsLeader(b, 0);
    expect(info).toMatchObject({ firstOffset: 0, lastOffset: 1, recordCount: 2 });
    expect(batchBaseOffset(b)).toBe(0);
    log.appendAsLeader(b, 0);
    expect(log.logEndOffset).toBe(4);
    expect(batchBaseOffset(log.read(2, 1 << 20, 4).batches[0]!)).toBe(2);
  });

  it('reads whole batches up to maxOffset, at least one, and refuses out-of-range offsets', () => {
    const log = new UnifiedLog(cfg());
    for (let i = 0; i < 5; i++) log.appendAsLeader(batch(i, [['k', `v${i}`], ['k', `w${i}`]]), 0);
    expect(log.read(3, 1, 10).batches.map(batchBaseOffset)).toEqual([2]);
    expect(log.read(3, 1 << 20, 6).batches.map(batchBaseOffset)).toEqual([2, 4]);
    expect(log.read(10, 1 << 20, 10).batches).toEqual([]);
    expect(log.read(11, 1 << 20, 20).error).toBe('OFFSET_OUT_OF_RANGE');
  });

  it('shares batches on follower appends and skips what it already has', () => {
    const leader = new UnifiedLog(cfg());
    for (let i = 0; i < 3; i++) leader.appendAsLeader(batch(i, [['k', `${i}`]]), 2);
    const follower = new UnifiedLog(cfg());
    const got = leader.read(0, 1 << 20, 3).batches;
    expect(follower.appendAsFollower(got)).toBe(3);
    expect(follower.appendAsFollower(got)).toBe(0);
    expect(follower.logEndOffset).toBe(3);
    expect(follower.leaderEpochCache.latestEpoch()).toBe(2);
  });

  it('truncates whole batches and the epoch cache', () => {
    const log = new UnifiedLog(cfg());
    log.appendAsLeader(batch(0, [['a', '1'], ['b', '2']]), 0);
    log.appendAsLeader(batch(0, [['c', '3']]), 1);
    log.updateHighWatermark(3);
    expect(log.truncateTo(2)).toBe(1);
    expect(log.logEndOffset).toBe(2);
    expect(log.highWatermark).toBe(2);
    expect(log.leaderEpochCache.latestEpoch()).toBe(0);
  });

  it('rolls segments by segment.bytes and by segment.ms', () => {
    const bySize = new UnifiedLog(cfg({ segmentBytes: 300 }));
    for (let i = 0; i < 10; i++) bySize.appendAsLeader(batch(i, [['k', 'x'.repeat(50)]]), 0);
    expect(bySize.segments.length).toBeGreaterThan(2);
    for (const s of bySize.segments) expect(s.sizeInBytes).toBeLessThanOrEqual(300);
    const byTime = new UnifiedLog(cfg({ segmentMs: 1000 }));
    byTime.appendAsLeader(batch(0, [['k', 'a']]), 0);
    byTime.appendAsLeader(batch(500, [['k', 'b']]), 0);
    byTime.appendAsLeader(batch(1501, [['k', 'c']]), 0);
    expect(byTime.segments.map((s) => s.baseOffset)).toEqual([0, 2]);
  });

  it('deletes old segments by time and by size, oldest first, never past the HW', () => {
    const log = new UnifiedLog(cfg({ segmentBytes: 200, retentionMs: 1000 }));
    for (let i = 0; i < 6; i++) log.appendAsLeader(batch(i * 100, [['k', 'x'.repeat(60)]]), 0);
    log.updateHighWatermark(2);
    let r = log.deleteOldSegments(10_000);
    expect(r.reason).toBe('retention.ms');
    expect(log.logStartOffset).toBeLessThanOrEqual(2);
    log.updateHighWatermark(6);
    r = log.deleteOldSegments(10_000);
    // All expired, the active one too: a new empty active segment remains.
    expect(log.logStartOffset).toBe(6);
    expect(log.logEndOffset).toBe(6);
    const bySize = new UnifiedLog(cfg({ segmentBytes: 200, retentionBytes: 400 }));
    for (let i = 0; i < 10; i++) bySize.appendAsLeader(batch(i, [['k', 'x'.repeat(60)]]), 0);
    bySize.updateHighWatermark(10);
    const before = bySize.sizeInBytes;
    expect(bySize.deleteOldSegments(0).reason).toBe('retention.bytes');
    expect(bySize.sizeInBytes).toBeLessThan(before);
    expect(bySize.sizeInBytes - bySize.segments[0]!.sizeInBytes).toBeLessThan(400);
    expect(bySize.read(bySize.logStartOffset, 1 << 20, 10).batches.length).toBeGreaterThan(0);
  });

  it('compacts: latest per key, offsets kept, keyless dropped, tombstones kept once then dropped', () => {
    const log = new UnifiedLog(cfg({ cleanupPolicy: 'compact', segmentBytes: 150, minCleanableDirtyRatio: 0, deleteRetentionMs: 1000 }));
    const writes: [string | null, string | null][] = [['a', '1'], ['b', '1'], ['a', '2'], [null, 'nokey'], ['b', null], ['c', '1'], ['a', '3'], ['d', '1']];
    for (const w of writes) log.appendAsLeader(batch(0, [w]), 0);
    const active = log.segments[log.segments.length - 1]!;
    const activeOffsets = decodeRecords(active.batches[0]!).map((r) => r.offset);
    const r1 = log.compact(100);
    expect(r1.cleaned).toBe(true);
    const after = log.recordsFrom(0, 100).map((r) => [r.offset, r.key && text.decode(r.key), r.value && text.decode(r.value)]);
    // a@0 superseded by a@2 (a@6 sits in the active segment, which the offset map does not
    // cover); b@1 superseded by tombstone b@4; keyless @3 dropped.
    expect(after.map((x) => x[0])).not.toContain(0);
    expect(after.map((x) => x[0])).toContain(2);
    expect(after.map((x) => x[0])).not.toContain(1);
    expect(after.map((x) => x[0])).not.toContain(3);
    expect(after).toContainEqual([4, 'b', null]);
    expect(after.map((x) => x[0])).toEqual([...after.map((x) => x[0] as number)].sort((p, q) => p - q));
    // The active segment is untouched.
    expect(decodeRecords(log.segments[log.segments.length - 1]!.batches[0]!).map((r) => r.offset)).toEqual(activeOffsets);
    // More writes make it dirty again; past the horizon the tombstone goes.
    for (let i = 0; i < 6; i++) log.appendAsLeader(batch(0, [[`e${i}`, 'x']]), 0);
    log.compact(5000);
    const offsets = log.recordsFrom(0, 100).map((r) => r.offset);
    expect(offsets).not.toContain(4); // the tombstone, past its delete horizon
    expect(offsets).not.toContain(2); // a@2, now superseded by a@6 from a cleaned segment
    expect(offsets).toContain(6);
    expect(log.logEndOffset).toBe(14);
  });

  it('finds offsets by timestamp', () => {
    const log = new UnifiedLog(cfg());
    log.appendAsLeader(batch(100, [['a', '1']]), 0);
    log.appendAsLeader(batch(200, [['b', '1']]), 0);
    expect(log.offsetForTimestamp(150)).toBe(1);
    expect(log.offsetForTimestamp(50)).toBe(0);
    expect(log.offsetForTimestamp(500)).toBeNull();
  });

  it('exports and restores its state byte for byte', () => {
    const log = new UnifiedLog(cfg({ segmentBytes: 200 }));
    for (let i = 0; i < 8; i++) log.appendAsLeader(batch(i, [['k', `${i}`.repeat(30)]]), i < 4 ? 0 : 3);
    log.updateHighWatermark(6);
    const state = log.exportState();
    const back = UnifiedLog.restore(log.config, state);
    expect(back.logEndOffset).toBe(8);
    expect(back.highWatermark).toBe(6);
    expect(back.leaderEpochCache.entries()).toEqual(log.leaderEpochCache.entries());
    expect(concatBatches(back.read(0, 1 << 30, 8).batches)).toEqual(concatBatches(log.read(0, 1 << 30, 8).batches));
  });

  it('matches a simple array model under random appends, reads and truncations', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = new Prng(seed);
      const log = new UnifiedLog(cfg({ segmentBytes: r.range(100, 600) }));
      const model: { offset: number; batchBase: number }[] = [];
      for (let step = 0; step < 40; step++) {
        const op = r.int(10);
        if (op < 7) {
          const n = r.range(1, 4);
          const base = log.logEndOffset;
          log.appendAsLeader(batch(step, Array.from({ length: n }, (_, i) => [`k${i}`, `v${step}`] as [string, string])), 0);
          for (let i = 0; i < n; i++) model.push({ offset: base + i, batchBase: base });
        } else if (op < 9 && model.length > 0) {
          const target = r.range(0, log.logEndOffset);
          log.truncateTo(target);
          // Whole batches go: everything from the batch holding target.
          const cut = model.find((m) => m.offset >= target);
          const from = cut ? cut.batchBase : log.logEndOffset;
          while (model.length > 0 && model[model.length - 1]!.offset >= from) model.pop();
        } else {
          const from = r.range(0, log.logEndOffset);
          const got = log.read(from, r.range(1, 400), log.logEndOffset).batches.flatMap((b) => decodeRecords(b).map((x) => x.offset));
          const expected = model.filter((m) => m.offset >= from || m.batchBase >= (model.find((x) => x.offset >= from)?.batchBase ?? Infinity));
          if (got.length > 0) expect(got[0]).toBe(expected[0]?.batchBase);
        }
        expect(log.logEndOffset).toBe(model.length > 0 ? model[model.length - 1]!.offset + 1 : 0);
      }
    }
  });
});
