import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../producer/murmur2';
import { Prng } from '../sim/prng';
import { crc32c } from './crc32c';
import {
  BATCH_HEADER_SIZE,
  LARGE_SLAB_SIZE,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  RecordBatchBuilder,
  batchBaseOffset,
  batchBaseSequence,
  batchBaseTimestamp,
  batchBytesHeld,
  batchIsValid,
  batchLastOffset,
  batchLastOffsetDelta,
  batchLastSequence,
  batchMagic,
  batchMaxTimestamp,
  batchNextOffset,
  batchPartitionLeaderEpoch,
  batchProducerEpoch,
  batchProducerId,
  batchRecordCount,
  batchSizeInBytes,
  concatBatches,
  decodeRecords,
  filterBatch,
  forEachRecord,
  setBatchBaseOffset,
  setBatchPartitionLeaderEpoch,
  setBatchProducerState,
  splitBatches,
} from './record-batch';
import { cursor, readVarint, readVarlong, sizeOfVarint, writeVarint, writeVarlong } from './varint';

const text = new TextDecoder();
const str = (b: Uint8Array | null) => (b === null ? null : text.decode(b));

/** Bit-at-a-time CRC-32C, the definition the table-driven one must match. */
function crcReference(buf: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) {
    c ^= buf[i]!;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('matches the CRC-32C check value', () => {
    expect(crc32c(utf8('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    // RFC 3720 B.4: 32 bytes of zeros.
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
  });
  it('matches a bitwise reference over random ranges', () => {
    const r = new Prng(7);
    const buf = new Uint8Array(300);
    r.fill(buf);
    for (let i = 0; i < 200; i++) {
      const start = r.int(150);
      const end = start + r.int(150);
      expect(crc32c(buf, start, end)).toBe(crcReference(buf, start, end));
    }
  });
});

describe('zigzag varints', () => {
  it('round-trips ints and longs, negative and large', () => {
    const buf = new Uint8Array(16);
    const values = [0, 1, -1, 2, -2, 63, -64, 64, -65, 300, -300, 8191, -8192, 2 ** 20, 2 ** 27, -(2 ** 27) - 1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 40, -(2 ** 45), 2 ** 52, -(2 ** 51) - 7, -(2 ** 52) + 1];
    for (const v of values) {
      const end = writeVarint(buf, 3, v);
      expect(end - 3).toBe(sizeOfVarint(v));
      cursor.pos = 3;
      expect(readVarint(buf)).toBe(v);
      expect(cursor.pos).toBe(end);
      writeVarlong(buf, 0, v);
      cursor.pos = 0;
      expect(readVarlong(buf)).toBe(v);
    }
  });
  it("encodes as Kafka's ByteUtils does", () => {
    const buf = new Uint8Array(8);
    // zigzag(-1) = 1, zigzag(1) = 2, zigzag(-65) = 129 → 0x81 0x01; zigzag(2^31-1) = 2^32-2.
    expect([...buf.subarray(0, writeVarint(buf, 0, -1))]).toEqual([1]);
    expect([...buf.subarray(0, writeVarint(buf, 0, 1))]).toEqual([2]);
    expect([...buf.subarray(0, writeVarint(buf, 0, -65))]).toEqual([0x81, 0x01]);
    expect([...buf.subarray(0, writeVarint(buf, 0, 2147483647))]).toEqual([0xfe, 0xff, 0xff, 0xff, 0x0f]);
  });
  it('round-trips random values of every width', () => {
    const r = new Prng(3);
    const buf = new Uint8Array(16);
    for (let i = 0; i < 2000; i++) {
      const mag = Math.floor(r.float() * 2 ** r.int(53));
      const v = r.bool() ? -mag : mag;
      const end = writeVarint(buf, 0, v);
      cursor.pos = 0;
      expect(readVarint(buf)).toBe(v === 0 ? 0 : v);
      expect(cursor.pos).toBe(end);
    }
  });
});

function build(records: [string | null, string | null][], ts = 1000): Uint8Array {
  const b = new RecordBatchBuilder({ baseTimestamp: ts, batchSize: 1 << 20 });
  for (const [k, v] of records) expect(b.tryAppend(ts, k === null ? null : utf8(k), v === null ? null : utf8(v))).toBe(true);
  return b.build();
}

describe('record batch v2', () => {
  it('round-trips keys, null keys, tombstones and headers with a valid CRC', () => {
    const b = new RecordBatchBuilder({ baseTimestamp: 1000, batchSize: 16384 });
    expect(b.isEmpty).toBe(true);
    expect(b.tryAppend(1000, utf8('k1'), utf8('v1'), [{ key: 'h', value: utf8('x') }, { key: 'ü', value: null }])).toBe(true);
    expect(b.tryAppend(1005, null, utf8('v2'))).toBe(true);
    expect(b.tryAppend(1007, utf8('k3'), null)).toBe(true);
    expect(b.tryAppend(999, utf8(''), utf8(''))).toBe(true);
    expect(b.recordCount).toBe(4);
    const bytes = b.build();
    expect(bytes.length).toBe(b.sizeInBytes);
    expect(batchIsValid(bytes)).toBe(true);
    expect(batchMagic(bytes)).toBe(2);
    expect(batchRecordCount(bytes)).toBe(4);
    expect(batchSizeInBytes(bytes)).toBe(bytes.length);
    expect(batchBaseTimestamp(bytes)).toBe(1000);
    expect(batchMaxTimestamp(bytes)).toBe(1007);
    expect(batchBaseOffset(bytes)).toBe(0);
    expect(batchLastOffsetDelta(bytes)).toBe(3);
    expect(batchNextOffset(bytes)).toBe(4);
    expect(batchPartitionLeaderEpoch(bytes)).toBe(-1);
    expect(batchProducerId(bytes)).toBe(NO_PRODUCER_ID);
    expect(batchProducerEpoch(bytes)).toBe(NO_PRODUCER_EPOCH);
    expect(batchBaseSequence(bytes)).toBe(NO_SEQUENCE);
    expect(batchLastSequence(bytes)).toBe(NO_SEQUENCE);
    const recs = decodeRecords(bytes);
    expect(recs.map((r) => r.offset)).toEqual([0, 1, 2, 3]);
    expect(recs.map((r) => r.timestamp)).toEqual([1000, 1005, 1007, 999]);
    expect(recs.map((r) => [str(r.key), str(r.value)])).toEqual([
      ['k1', 'v1'],
      [null, 'v2'],
      ['k3', null],
      ['', ''],
    ]);
    expect(recs[0]!.headers.map((h) => [h.key, str(h.value)])).toEqual([
      ['h', 'x'],
      ['ü', null],
    ]);
    expect(recs[1]!.headers).toEqual([]);
  });

  it('lays out the 61-byte header exactly as Kafka', () => {
    const b = new RecordBatchBuilder({ baseTimestamp: 0x0102030405, producerId: 77, producerEpoch: 3, baseSequence: 10, batchSize: 1000 });
    b.tryAppend(0x0102030405, null, utf8('x'));
    const bytes = b.build();
    expect(BATCH_HEADER_SIZE).toBe(61);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    expect(dv.getBigInt64(0)).toBe(0n); // baseOffset
    expect(dv.getInt32(8)).toBe(bytes.length - 12); // batchLength
    expect(dv.getInt32(12)).toBe(-1); // partitionLeaderEpoch
    expect(dv.getInt8(16)).toBe(2); // magic
    expect(dv.getUint32(17)).toBe(crc32c(bytes, 21)); // crc of attributes..end
    expect(dv.getInt16(21)).toBe(0); // attributes
    expect(dv.getInt32(23)).toBe(0); // lastOffsetDelta
    expect(dv.getBigInt64(27)).toBe(0x0102030405n); // baseTimestamp
    expect(dv.getBigInt64(35)).toBe(0x0102030405n); // maxTimestamp
    expect(dv.getBigInt64(43)).toBe(77n); // producerId
    expect(dv.getInt16(51)).toBe(3); // producerEpoch
    expect(dv.getInt32(53)).toBe(10); // baseSequence
    expect(dv.getInt32(57)).toBe(1); // recordCount
    // The record: length, attributes, tsDelta 0, offsetDelta 0, key -1, value 1 'x', 0 headers.
    expect([...bytes.subarray(61)]).toEqual([14, 0, 0, 0, 1, 2, 0x78, 0]); // varints are zigzag: 7 → 14, -1 → 1, 1 → 2
  });

  it('stamps base offset and leader epoch without touching the CRC', () => {
    const bytes = build([['a', '1'], ['b', '2']]);
    const crcBefore = new DataView(bytes.buffer).getUint32(17);
    setBatchBaseOffset(bytes, 123456789012);
    setBatchPartitionLeaderEpoch(bytes, 7);
    expect(new DataView(bytes.buffer).getUint32(17)).toBe(crcBefore);
    expect(batchIsValid(bytes)).toBe(true);
    expect(batchBaseOffset(bytes)).toBe(123456789012);
    expect(batchLastOffset(bytes)).toBe(123456789013);
    expect(batchNextOffset(bytes)).toBe(123456789014);
    expect(batchPartitionLeaderEpoch(bytes)).toBe(7);
    expect(decodeRecords(bytes).map((r) => r.offset)).toEqual([123456789012, 123456789013]);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    expect(batchIsValid(bytes)).toBe(false);
  });

  it('rejects wrong magic, length or truncated bytes', () => {
    const bytes = build([['a', '1']]);
    expect(batchIsValid(bytes.subarray(0, bytes.length - 1))).toBe(false);
    expect(batchIsValid(bytes.subarray(0, 20))).toBe(false);
    const m = bytes.slice();
    m[16] = 1;
    expect(batchIsValid(m)).toBe(false);
  });

  it('stamps producer state with a fresh CRC; last sequence wraps like Kafka', () => {
    const bytes = build([['a', '1'], ['b', '2'], ['c', '3']]);
    setBatchProducerState(bytes, 9, 1, 2147483646);
    expect(batchIsValid(bytes)).toBe(true);
    expect(batchProducerId(bytes)).toBe(9);
    expect(batchProducerEpoch(bytes)).toBe(1);
    expect(batchBaseSequence(bytes)).toBe(2147483646);
    // 2147483646 + 2 wraps past Int32.MAX to 0 (DefaultRecordBatch.incrementSequence).
    expect(batchLastSequence(bytes)).toBe(0);
  });

  it('refuses a record past batch.size unless the batch is empty', () => {
    const b = new RecordBatchBuilder({ baseTimestamp: 0, batchSize: 100 });
    expect(b.tryAppend(0, null, new Uint8Array(200))).toBe(true);
    expect(b.tryAppend(0, null, new Uint8Array(10))).toBe(false);
    expect(b.tryAppendReserve(0, null, 10)).toBe(-1);
    expect(b.recordCount).toBe(1);
    const c = new RecordBatchBuilder({ baseTimestamp: 0, batchSize: 200 });
    let n = 0;
    while (c.tryAppend(0, utf8('k'), new Uint8Array(20))) n++;
    expect(n).toBeGreaterThan(1);
    expect(c.sizeInBytes).toBeLessThanOrEqual(200);
    expect(batchIsValid(c.build())).toBe(true);
  });

  it('reserves space for values written in place, growing its buffer past the initial size', () => {
    const b = new RecordBatchBuilder({ baseTimestamp: 5, batchSize: 1 << 20 });
    const r = new Prng(1);
    const values: Uint8Array[] = [];
    for (let i = 0; i < 300; i++) {
      const at = b.tryAppendReserve(5 + i, utf8(`k${i}`), 100);
      expect(at).toBeGreaterThan(0);
      r.fill(b.buffer, at, at + 100);
      values.push(b.buffer.slice(at, at + 100));
    }
    expect(b.tryAppendReserve(400, null, -1)).toBeGreaterThan(0);
    const bytes = b.build();
    expect(batchIsValid(bytes)).toBe(true);
    const recs = decodeRecords(bytes);
    expect(recs.length).toBe(301);
    recs.slice(0, 300).forEach((rec, i) => {
      expect(str(rec.key)).toBe(`k${i}`);
      expect(rec.value).toEqual(values[i]);
      expect(rec.timestamp).toBe(5 + i);
    });
    expect(recs[300]!.value).toBeNull();
  });

  it('reuses its buffer after reset and can leave the CRC to the caller', () => {
    const b = new RecordBatchBuilder({ baseTimestamp: 1, batchSize: 1000 });
    b.tryAppend(1, utf8('a'), utf8('1'));
    const first = b.build();
    const buffer = b.buffer;
    b.reset({ baseTimestamp: 50, producerId: 3, producerEpoch: 0, baseSequence: 4, batchSize: 1000 });
    expect(b.isEmpty).toBe(true);
    expect(b.sizeInBytes).toBe(BATCH_HEADER_SIZE);
    b.tryAppend(52, utf8('b'), utf8('2'));
    const second = b.build(false);
    expect(b.buffer).toBe(buffer);
    expect(batchIsValid(second)).toBe(false); // no CRC yet
    setBatchProducerState(second, 3, 0, 4);
    expect(batchIsValid(second)).toBe(true);
    expect(batchBaseTimestamp(second)).toBe(50);
    expect(batchMaxTimestamp(second)).toBe(52);
    expect(decodeRecords(second).map((r) => [r.timestamp, str(r.key)])).toEqual([[52, 'b']]);
    // The first batch is a copy, unaffected by the reuse.
    expect(decodeRecords(first).map((r) => str(r.key))).toEqual(['a']);
  });

  it('visits records without decoding and stops when told', () => {
    const bytes = build([['a', 'xx'], [null, 'yyy'], ['c', null]]);
    setBatchBaseOffset(bytes, 50);
    const seen: [number, number, number][] = [];
    forEachRecord(bytes, (offset, _ts, b, ks, kl, vs, vl) => {
      seen.push([offset, kl, vl]);
      if (kl > 0) expect(b[ks]).toBe(kl === 1 ? (offset === 50 ? 0x61 : 0x63) : -1);
      if (vl > 0) expect(b[vs]).toBe(offset === 50 ? 0x78 : 0x79);
    });
    expect(seen).toEqual([
      [50, 1, 2],
      [51, -1, 3],
      [52, 1, -1],
    ]);
    let visits = 0;
    forEachRecord(bytes, () => {
      visits++;
      return false;
    });
    expect(visits).toBe(1);
  });

  it('filters a batch as the cleaner does: offsets, timestamps and producer fields kept', () => {
    const b = new RecordBatchBuilder({ baseTimestamp: 100, producerId: 4, producerEpoch: 0, baseSequence: 7, batchSize: 1 << 16 });
    b.tryAppend(100, utf8('a'), utf8('1'));
    b.tryAppend(130, utf8('b'), utf8('2'));
    b.tryAppend(120, utf8('c'), null);
    b.tryAppend(110, utf8('d'), utf8('4'));
    const bytes = b.build();
    setBatchBaseOffset(bytes, 10);
    setBatchPartitionLeaderEpoch(bytes, 3);
    const kept = filterBatch(bytes, (offset) => offset === 12 || offset === 13)!;
    expect(batchIsValid(kept)).toBe(true);
    expect(batchBaseOffset(kept)).toBe(10);
    expect(batchLastOffset(kept)).toBe(13);
    expect(batchRecordCount(kept)).toBe(2);
    expect(batchPartitionLeaderEpoch(kept)).toBe(3);
    expect(batchProducerId(kept)).toBe(4);
    expect(batchBaseSequence(kept)).toBe(7);
    expect(batchLastSequence(kept)).toBe(10);
    expect(batchBaseTimestamp(kept)).toBe(100);
    expect(batchMaxTimestamp(kept)).toBe(120);
    expect(decodeRecords(kept).map((r) => [r.offset, r.timestamp, str(r.key), str(r.value)])).toEqual([
      [12, 120, 'c', null],
      [13, 110, 'd', '4'],
    ]);
    expect(filterBatch(bytes, () => true)).toBe(bytes);
    expect(filterBatch(bytes, () => false)).toBeNull();
  });

  it('splits a concatenation back into batches and ignores a torn tail', () => {
    const a = build([['a', '1']]);
    const b = build([['b', '2'], ['c', '3']]);
    const all = concatBatches([a, b]);
    expect(all.length).toBe(a.length + b.length);
    const parts = splitBatches(all);
    expect(parts.map(batchRecordCount)).toEqual([1, 2]);
    expect(parts.every(batchIsValid)).toBe(true);
    expect(splitBatches(all.subarray(0, all.length - 3)).length).toBe(1);
    expect(splitBatches(new Uint8Array(0))).toEqual([]);
  });
});

describe('RecordBatchBuilder.release (buffer reuse)', () => {
  it('a builder on a released buffer builds the same bytes as one on a fresh buffer', () => {
    const build = (records: [string, string | null][]) => {
      const b = new RecordBatchBuilder({ baseTimestamp: 1000, producerId: 7, producerEpoch: 1, baseSequence: 3, batchSize: 16384 });
      for (const [k, v] of records) b.tryAppend(1001, utf8(k), v === null ? null : utf8(v));
      const out = b.build();
      return { b, out };
    };
    const small: [string, string | null][] = [['a', 'x'], ['b', null]];
    const fresh = build(small).out;
    // A big batch fills a buffer with other bytes, then gives it back.
    const big = build(Array.from({ length: 40 }, (_, i) => [`key-${i}`, 'v'.repeat(50 + i)] as [string, string]));
    big.b.release();
    big.b.release(); // a second release must not pool it twice
    // The next builder is the released one, its buffer still holding the big batch's bytes.
    const again = RecordBatchBuilder.obtain(1000, 16384);
    expect(again).toBe(big.b);
    expect(RecordBatchBuilder.obtain(1000, 16384)).not.toBe(big.b);
    expect(again.isEmpty).toBe(true);
    expect(again.sizeInBytes).toBe(BATCH_HEADER_SIZE);
    again.producerId = 7;
    again.producerEpoch = 1;
    again.baseSequence = 3;
    for (const [k, v] of small) again.tryAppend(1001, utf8(k), v === null ? null : utf8(v));
    const reused = again.build();
    expect([...reused]).toEqual([...fresh]);
    expect(batchIsValid(reused)).toBe(true);
    expect(decodeRecords(reused).map((r) => [str(r.key), str(r.value)])).toEqual([
      ['a', 'x'],
      ['b', null],
    ]);
    // A new builder (not obtained) takes a free buffer, if any, and builds the same bytes.
    expect([...build(small).out]).toEqual([...fresh]);
  });
});

describe('built batches share slabs', () => {
  const builtBatch = (i: number, valueBytes: number): Uint8Array => {
    const b = RecordBatchBuilder.obtain(5000 + i, 16384);
    b.tryAppend(5000 + i, utf8(`k${i}`), new Uint8Array(valueBytes).fill(i & 0xff));
    const out = b.build();
    b.release();
    return out;
  };

  it('a batch stays byte-identical while later batches are written into its slab and stamped', () => {
    const first = Array.from({ length: 50 }, (_, i) => builtBatch(i, 20 + i));
    const copies = first.map((b) => b.slice());
    // Small batches share ArrayBuffers, each an exact-size view.
    expect(new Set(first.map((b) => b.buffer)).size).toBeLessThan(first.length);
    for (const b of first) expect(b.length).toBe(batchSizeInBytes(b));
    // Enough later batches to fill several slabs; a leader stamps base offsets into them.
    const later = Array.from({ length: 3000 }, (_, i) => builtBatch(i, 100));
    later.forEach((b, i) => setBatchBaseOffset(b, 1_000_000 + i));
    first.forEach((b, i) => {
      expect([...b]).toEqual([...copies[i]!]);
      expect(batchIsValid(b)).toBe(true);
      expect(decodeRecords(b)[0]!.value!.length).toBe(20 + i);
    });
    later.forEach((b, i) => expect(batchBaseOffset(b)).toBe(1_000_000 + i));
  });

  it('a batch of the slab stays readable through a stored and reloaded log (concatenated, split)', () => {
    const batches = Array.from({ length: 20 }, (_, i) => builtBatch(i, 10 * i));
    const back = splitBatches(concatBatches(batches));
    expect(back.map((b) => [...b])).toEqual(batches.map((b) => [...b]));
    expect(back.every(batchIsValid)).toBe(true);
  });

  it('a batch past 8 KiB goes to a large slab, one past 64 KiB gets its own buffer', () => {
    const large = builtBatch(1, 20000);
    expect(large.buffer.byteLength).toBe(LARGE_SLAB_SIZE);
    expect(batchIsValid(large)).toBe(true);
    const huge = builtBatch(1, 70000);
    expect(huge.byteOffset).toBe(0);
    expect(huge.buffer.byteLength).toBe(huge.length);
    expect(batchIsValid(huge)).toBe(true);
  });
});

describe('batchBytesHeld (the records\' memory, for the pause before a tab runs out)', () => {
  const built = (valueBytes: number): Uint8Array => {
    const b = RecordBatchBuilder.obtain(1, 1 << 20);
    b.tryAppend(1, null, new Uint8Array(valueBytes));
    const out = b.build();
    b.release();
    return out;
  };

  it('counts each buffer batches are built into when it starts: slabs, and a batch of its own', () => {
    const before = batchBytesHeld();
    // ~6.4 MB of small batches: slabs of 64 KiB start as they fill.
    const small = Array.from({ length: 6000 }, () => built(1000));
    const afterSmall = batchBytesHeld();
    expect(afterSmall - before).toBeGreaterThanOrEqual(6000 * 1000);
    expect(afterSmall - before).toBeLessThan(6000 * 1100 + 2 * 65536);
    const huge = built(200_000);
    expect(batchBytesHeld() - afterSmall).toBeGreaterThanOrEqual(huge.length);
    expect(small.length + huge.length).toBeGreaterThan(0);
  });

  it('takes a buffer off once the collector reclaims it', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let batches: Uint8Array[] | null = Array.from({ length: 10_000 }, () => built(1000));
    const held = batchBytesHeld();
    expect(batches.length).toBe(10_000);
    batches = null;
    // The registry's callbacks run in a task after a collection: collect, let them run, look.
    let now = held;
    for (let i = 0; i < 50 && held - now < 5_000_000; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
      now = batchBytesHeld();
    }
    expect(held - now).toBeGreaterThanOrEqual(5_000_000);
  });
});
