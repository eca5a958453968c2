/**
 * What a producer's load writes, byte for byte: keys `key-<n>` written from their digits
 * straight into the batch (no key array per key), each at its murmur2 partition (cached per
 * key up to MAX_CACHED_KEY_PARTITIONS keys, computed per record past it), and values
 * `<producer>#<seq> ` followed by the filler text from offset (seq * 13) mod (4096 - rest),
 * zeros past the filler. And the producer's open batches (intrusive lists per producer and
 * per node): every record written ends acknowledged exactly once, and pendingRecords counts
 * the open ones.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Scenario, TimelineAction } from '../../scenario/types';
import { Cluster } from '../cluster';
import { crc32c } from '../log/crc32c';
import { FAULT_END_MS, randomScenario } from '../invariants/random-scenario';
import {
  BATCH_HEADER_SIZE,
  RecordBatchBuilder,
  batchBaseSequence,
  batchBaseTimestamp,
  batchCrc,
  batchIsControl,
  batchIsTransactional,
  batchIsValid,
  batchMaxTimestamp,
  batchProducerEpoch,
  batchProducerId,
  batchRecordCount,
  decodeRecords,
  setBatchProducerState,
  setBatchTransactional,
} from '../log/record-batch';
import { sizeOfVarint } from '../log/varint';
import { partitionForKey, utf8 } from './murmur2';
import { Producer, fillerText } from './producer';

const PARTITIONS = 6;

function scenario(keys: number, valueBytes: number, config: Record<string, string | number | boolean> = {}): Scenario {
  return {
    version: 1,
    seed: 11,
    cluster: { brokers: [{ id: 1 }, { id: 2 }, { id: 3 }], network: { latencyMs: 1, jitterMs: 0 } },
    topics: [{ name: 't', partitions: PARTITIONS, replicationFactor: 3 }],
    clients: [{ kind: 'producer', id: 'p', config: { acks: 'all', 'linger.ms': 5, ...config } }],
    timeline: [
      { at: 0, op: 'startLoad', producer: 'p', topic: 't', ratePerSec: RATE, keys, valueBytes },
      { at: 1000, op: 'stopLoad', producer: 'p', topic: 't' },
    ],
  };
}

/** The value a load writes for sequence `seq`, built the slow way. */
function expectedValue(id: string, seq: number, valueBytes: number): Uint8Array {
  const filler = fillerText();
  const out = new Uint8Array(valueBytes);
  const prefix = utf8(`${id}#${seq} `).subarray(0, valueBytes);
  out.set(prefix);
  const take = valueBytes - prefix.length;
  if (take > 0) {
    const from = (seq * 13) % (filler.length - take > 0 ? filler.length - take : 1);
    const part = filler.subarray(from, Math.min(filler.length, from + take));
    out.set(part, prefix.length);
  }
  return out;
}

interface LoggedRecord {
  partition: number;
  /** Index of its batch among all batches read. */
  batch: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
}

/** The load's rate, 2 records per 1 ms tick from time 0: record `seq` has timestamp seq / 2, rounded down. */
const RATE = 2000;
const timestampOf = (seq: number): number => Math.floor(seq / (RATE / 1000));

/**
 * Every record of every partition's leader log, with its partition and batch; checks each
 * batch's header on the way (valid CRC and length, record count, base and max timestamps).
 */
function leaderRecords(c: Cluster): LoggedRecord[] {
  const out: LoggedRecord[] = [];
  const meta = c.controller.topics.get('t')!;
  let batch = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    const leader = meta.partitions[p]!.leader;
    const log = c.brokers.get(leader)!.logs.get(`t-${p}`)!;
    for (const s of log.segments) {
      for (const b of s.batchList()) {
        const records = decodeRecords(b);
        expect(batchIsValid(b)).toBe(true);
        expect(batchRecordCount(b)).toBe(records.length);
        expect(batchBaseTimestamp(b)).toBe(records[0]!.timestamp);
        expect(batchMaxTimestamp(b)).toBe(Math.max(...records.map((r) => r.timestamp)));
        for (const r of records) out.push({ partition: p, batch, timestamp: r.timestamp, key: r.key, value: r.value });
        batch++;
      }
    }
  }
  return out;
}

/** The first index where a and b differ, -1 if they are equal. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

const text = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b));

describe('a load writes its records', () => {
  for (const [keys, valueBytes, what] of [
    [1000, 100, 'keys whose partitions are cached'],
    [100000, 100, 'more keys than are cached (murmur2 per record)'],
    [0, 100, 'no keys (sticky partitions)'],
    [7, 5000, 'values longer than the filler (zeros past it)'],
    [3, 4, 'values shorter than their prefix'],
  ] as const) {
    it(`byte for byte: ${what}`, () => {
      const c = new Cluster(scenario(keys, valueBytes), { recordConsumed: false, recordProduced: false });
      c.runUntil(3000);
      const producer = c.producers.get('p')!;
      const records = leaderRecords(c);
      expect(producer.sent).toBeGreaterThan(1500);
      expect(records.length).toBe(producer.sent);
      const seqs = new Set<number>();
      for (const r of records) {
        if (keys === 0) expect(r.key).toBeNull();
        else {
          const k = text(r.key)!;
          expect(k).toMatch(/^key-(0|[1-9][0-9]*)$/);
          expect(Number(k.slice(4))).toBeLessThan(keys);
          expect(partitionForKey(utf8(k), PARTITIONS)).toBe(r.partition);
        }
        // The sequence is in the value (cut short for tiny values: then only the length is known).
        expect(r.value!.length).toBe(valueBytes);
        if (valueBytes < 10) continue;
        const m = /^p#([0-9]+) /.exec(text(r.value)!);
        expect(m).not.toBeNull();
        const seq = Number(m![1]);
        seqs.add(seq);
        expect(r.timestamp, `timestamp of seq ${seq}`).toBe(timestampOf(seq));
        expect(firstDifference(r.value!, expectedValue('p', seq, valueBytes)), `value of seq ${seq}`).toBe(-1);
      }
      if (valueBytes >= 10) expect(seqs.size).toBe(records.length);
    });
  }
});

describe('batch.size', () => {
  it('a load fills each batch while the next record fits and closes it when it does not (MemoryRecordsBuilder.hasRoomFor)', () => {
    const LIMIT = 1000;
    // linger.ms far longer than the run, and acks=0 (no answers that send the node's next
    // request, which takes its open batches along): every batch but the last closes because
    // it is full.
    const sc = scenario(20, 100, { 'batch.size': LIMIT, 'linger.ms': 60000, acks: 0 });
    sc.topics![0]!.partitions = 1;
    const c = new Cluster(sc, { recordConsumed: false, recordProduced: false });
    c.runUntil(400);
    const meta = c.controller.topics.get('t')!;
    let checked = 0;
    for (let p = 0; p < 1; p++) {
      const log = c.brokers.get(meta.partitions[p]!.leader)!.logs.get(`t-${p}`)!;
      const batches = log.segments.flatMap((s) => s.batchList());
      for (let i = 0; i + 1 < batches.length; i++) {
        const a = batches[i]!;
        const records = decodeRecords(a);
        expect(records.length).toBeGreaterThan(1);
        expect(a.length).toBeLessThanOrEqual(LIMIT);
        if (a.length >= LIMIT) continue; // exactly full: closed after its last record
        // The next batch's first record, had it been appended to this one, would not fit.
        const next = decodeRecords(batches[i + 1]!)[0]!;
        const klen = next.key === null ? -1 : next.key.length;
        const vlen = next.value === null ? -1 : next.value.length;
        const body = 1 + sizeOfVarint(next.timestamp - batchBaseTimestamp(a)) + sizeOfVarint(records.length) + sizeOfVarint(klen) + Math.max(0, klen) + sizeOfVarint(vlen) + Math.max(0, vlen) + 1;
        expect(a.length + sizeOfVarint(body) + body).toBeGreaterThan(LIMIT);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});

describe("a producer's open batches", () => {
  it('all end acknowledged once, with one-off sends joining the load\'s batches, and pendingRecords counts the rest', () => {
    // A long linger keeps many batches open at once, on every node.
    const sc = scenario(50, 40, { 'linger.ms': 40 });
    sc.timeline!.push(...Array.from({ length: 20 }, (_, i) => ({ at: 100 + i * 37, op: 'produce' as const, producer: 'p', topic: 't', key: `one-${i}`, value: `v${i}` })));
    const c = new Cluster(sc, { recordConsumed: false, recordProduced: false });
    const producer = c.producers.get('p')!;
    let sawOpen = false;
    for (let t = 10; t <= 1000; t += 10) {
      c.runUntil(t);
      const pending = producer.pendingRecords();
      expect(pending).toBe(producer.sent - producer.acked - producer.failed);
      if (pending > 0) sawOpen = true;
    }
    expect(sawOpen).toBe(true);
    // The view's targets: partitions a batch went to in the last 5 s, in key order.
    expect(producer.view().targets).toEqual(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: 't', partition })));
    c.runUntil(3000);
    expect(producer.pendingRecords()).toBe(0);
    expect(producer.failed).toBe(0);
    expect(producer.acked).toBe(producer.sent);
    const records = leaderRecords(c);
    expect(records.length).toBe(producer.sent);
    c.runUntil(7000);
    expect(producer.view().targets).toEqual([]);
    // Load records are byte for byte what the load writes, also in batches a one-off record
    // joined (their load records were written into a builder when it came).
    let mixed = 0;
    for (const r of records) {
      const k = text(r.key)!;
      if (k.startsWith('one-')) {
        if (records.some((x) => x.batch === r.batch && text(x.key)!.startsWith('key-'))) mixed++;
        continue;
      }
      const seq = Number(/^p#([0-9]+) /.exec(text(r.value)!)![1]);
      expect(firstDifference(r.value!, expectedValue('p', seq, 40)), `value of seq ${seq}`).toBe(-1);
      expect(r.timestamp, `timestamp of seq ${seq}`).toBe(timestampOf(seq));
    }
    expect(mixed).toBeGreaterThan(5);
    // Every one-off record is in its partition once.
    for (let i = 0; i < 20; i++) {
      const hits = records.filter((r) => text(r.key) === `one-${i}`);
      expect(hits.length).toBe(1);
      expect(text(hits[0]!.value)).toBe(`v${i}`);
      expect(hits[0]!.partition).toBe(partitionForKey(utf8(`one-${i}`), PARTITIONS));
    }
  });
});

describe('RecordBatchBuilder', () => {
  it('tryAppendReserveKey leaves the key where the caller writes it: the same bytes as tryAppend', () => {
    const a = new RecordBatchBuilder({ baseTimestamp: 100, batchSize: 4096 });
    const b = new RecordBatchBuilder({ baseTimestamp: 100, batchSize: 4096 });
    for (let i = 0; i < 30; i++) {
      const key = i % 5 === 0 ? null : utf8(`key-${i * 997}`);
      const value = i % 7 === 0 ? null : utf8(`value ${i}`.repeat(i % 4));
      expect(a.tryAppend(100 + i, key, value)).toBe(true);
      const vlen = value === null ? -1 : value.length;
      const at = b.tryAppendReserveKey(100 + i, key === null ? -1 : key.length, vlen);
      expect(at).toBeGreaterThan(0);
      if (key !== null) b.buffer.set(key, at - sizeOfVarint(vlen) - key.length);
      if (value !== null) b.buffer.set(value, at);
    }
    const x = a.build();
    const y = b.build();
    expect([...y]).toEqual([...x]);
    a.release();
    b.release();
  });

  it('a built batch holds its own bytes only: building the next one (from a buffer full of other bytes) leaves it as it was', () => {
    const first = new RecordBatchBuilder({ baseTimestamp: 0, batchSize: 1 << 20 });
    first.tryAppend(1, utf8('k'), utf8('v'));
    const one = first.build();
    const copy = one.slice();
    first.release();
    // A builder whose buffer is dirty far past what its batch uses.
    const second = new RecordBatchBuilder({ baseTimestamp: 0, batchSize: 1 << 20 });
    second.tryAppend(0, null, new Uint8Array(3000).fill(0xee));
    const big = second.build();
    second.release();
    const third = RecordBatchBuilder.obtain(5, 1 << 20);
    third.tryAppend(5, utf8('x'), utf8('y'));
    const two = third.build();
    third.release();
    expect([...one]).toEqual([...copy]);
    expect(big.length).toBeGreaterThan(3000);
    // The small batch built from the (dirty) reused builder equals one built fresh.
    const fresh = new RecordBatchBuilder({ baseTimestamp: 5, batchSize: 1 << 20 });
    fresh.tryAppend(5, utf8('x'), utf8('y'));
    expect([...two]).toEqual([...fresh.build()]);
  });
});

describe('the filler text', () => {
  it('is ASCII without NUL, so every 8 bytes of it read as a big-endian double are a finite normal number, copied bit for bit (writeLoadValue copies doubles)', () => {
    const filler = fillerText();
    expect(filler.length).toBe(4096);
    for (let i = 0; i < filler.length; i++) {
      expect(filler[i], `byte ${i}`).toBeGreaterThan(0);
      expect(filler[i], `byte ${i}`).toBeLessThan(0x80);
    }
    const src = new DataView(filler.buffer, filler.byteOffset, filler.length);
    const copy = new Uint8Array(16);
    const dst = new DataView(copy.buffer);
    for (let i = 0; i + 8 <= filler.length; i++) {
      const d = src.getFloat64(i);
      expect(Number.isFinite(d), `at ${i}`).toBe(true);
      // Normal: the 11 exponent bits are neither all zeros (denormal, zero) nor all ones.
      const exponent = ((filler[i]! & 0x7f) << 4) | (filler[i + 1]! >> 4);
      expect(exponent, `at ${i}`).toBeGreaterThan(0);
      expect(exponent, `at ${i}`).toBeLessThan(0x7ff);
      dst.setFloat64(3, d);
      expect([...copy.subarray(3, 11)], `at ${i}`).toEqual([...filler.subarray(i, i + 8)]);
    }
  });
});

/**
 * Every batch a producer sends, checked as it goes (Producer.sendRequest wrapped): its CRC is
 * crc32c over bytes [21, end) (batchIsValid), whether written lazily (the records' register,
 * writeLazy wrapped to know them) and stamped since (the CRC moved by the header's change) or
 * built; and it is byte for byte the batch a RecordBatchBuilder
 * builds from the same records with the same producer fields (but for the base offset and
 * leader epoch a leader stamped into the array a retry copied).
 */
interface SentCheck {
  batches: number;
  lazy: number;
  retried: number;
  lazyRetried: number;
  bumped: number;
  /** Lazy batches sent again under another epoch than their last attempt's (stamp ran on a copy). */
  restamped: number;
  transactional: number;
  /** The most records in a lazy batch. */
  maxLazyRecords: number;
  problems: string[];
}

type SentBatch = { bytes: Uint8Array | null; attempts: number };
type SendRequest = (this: Producer, r: { batches: SentBatch[] }) => void;
type WriteLazy = (this: Producer, b: SentBatch) => Uint8Array;
const proto = Producer.prototype as unknown as { sendRequest: SendRequest; writeLazy: WriteLazy };
const originalSendRequest = proto.sendRequest;
const originalWriteLazy = proto.writeLazy;
afterEach(() => {
  proto.sendRequest = originalSendRequest;
  proto.writeLazy = originalWriteLazy;
});

function checkSentBatches(): SentCheck {
  const check: SentCheck = { batches: 0, lazy: 0, retried: 0, lazyRetried: 0, bumped: 0, restamped: 0, transactional: 0, maxLazyRecords: 0, problems: [] };
  const lastEpoch = new WeakMap<object, number>();
  // The batches written lazily (their CRC from the records' register; stamp updates it).
  const lazy = new WeakSet<object>();
  proto.writeLazy = function (this: Producer, b) {
    lazy.add(b);
    return originalWriteLazy.call(this, b);
  };
  proto.sendRequest = function (this: Producer, r) {
    for (const b of r.batches) {
      const bytes = b.bytes!;
      const isLazy = lazy.has(b);
      const before = lastEpoch.get(b);
      if (isLazy && before !== undefined && before !== batchProducerEpoch(bytes)) check.restamped++;
      lastEpoch.set(b, batchProducerEpoch(bytes));
      check.batches++;
      if (isLazy) {
        check.lazy++;
        check.maxLazyRecords = Math.max(check.maxLazyRecords, batchRecordCount(bytes));
      }
      // attempts counts this one already (sendTo).
      if (b.attempts > 1) check.retried++;
      if (b.attempts > 1 && isLazy) check.lazyRetried++;
      if (batchProducerEpoch(bytes) > 0) check.bumped++;
      if (batchIsTransactional(bytes)) check.transactional++;
      const problem = sentBatchProblem(bytes, isLazy);
      if (problem !== null && check.problems.length < 5) check.problems.push(`${this.id}, attempt ${b.attempts}: ${problem}`);
    }
    originalSendRequest.call(this, r);
  };
  return check;
}

function sentBatchProblem(bytes: Uint8Array, isLazy: boolean): string | null {
  if (!batchIsValid(bytes)) return `CRC ${batchCrc(bytes)}, crc32c of [21, ${bytes.length}) ${crc32c(bytes, 21, bytes.length)}`;
  const records = decodeRecords(bytes);
  const builder = new RecordBatchBuilder({ baseTimestamp: batchBaseTimestamp(bytes), batchSize: 1 << 24 });
  for (const r of records) if (!builder.tryAppend(r.timestamp, r.key, r.value)) return 'the builder refused a record';
  const built = builder.build();
  setBatchProducerState(built, batchProducerId(bytes), batchProducerEpoch(bytes), batchBaseSequence(bytes));
  setBatchTransactional(built, batchIsTransactional(bytes));
  if (built.length !== bytes.length) return `length ${bytes.length}, built ${built.length}`;
  for (let i = 0; i < bytes.length; i++) {
    if ((i < 8 || i >= 12) && i < 16) continue; // base offset and leader epoch: a leader's
    if (bytes[i] !== built[i]) return `byte ${i} is ${bytes[i]}, built ${built[i]}`;
  }
  // A lazy batch's values (load records only): "<producer>#<seq> " then the filler (zeros
  // past it), where the prefix fits.
  if (!isLazy) return null;
  for (const r of records) {
    const m = /^([a-z0-9]+)#([0-9]+) /.exec(text(r.value)!);
    if (m === null) continue;
    const d = firstDifference(r.value!, expectedValue(m[1]!, Number(m[2]), r.value!.length));
    if (d >= 0) return `value of seq ${m[2]} (length ${r.value!.length}) differs at ${d}: ${JSON.stringify(text(r.value!.subarray(0, 60)))} vs ${JSON.stringify(text(expectedValue(m[1]!, Number(m[2]), r.value!.length).subarray(0, 60)))}`;
  }
  return null;
}

/** Loads of every value shape at once, one topic each: [keys, valueBytes]. */
const SHAPES: [number, number][] = [
  [0, 0], // no value bytes
  [3, 1], // one byte of the prefix
  [10, 12], // the prefix and a few filler bytes (read: no tables for a short run)
  [0, 30],
  [1000, 100],
  [5, 300],
  [0, 4000], // a run of nearly all the filler (few offsets)
  [7, 4106], // a run past the filler's end for some sequences' prefix lengths
  [0, 5000], // zeros past the filler
];

function shapesScenario(config: Record<string, string | number | boolean>, extra: TimelineAction[] = [], rate = 400): Scenario {
  return {
    version: 1,
    seed: 5,
    cluster: { brokers: [{ id: 1 }, { id: 2 }, { id: 3 }], network: { latencyMs: 1, jitterMs: 0 } },
    topics: SHAPES.map((_, i) => ({ name: `s${i}`, partitions: 2, replicationFactor: 3 })),
    // A long linger: batches of many records (of each shape but the largest).
    clients: [{ kind: 'producer', id: 'p', config: { 'linger.ms': 50, ...config } }],
    timeline: [...SHAPES.map(([keys, valueBytes], i) => ({ at: 0, op: 'startLoad' as const, producer: 'p', topic: `s${i}`, ratePerSec: rate, keys, valueBytes })), ...extra],
  };
}

describe('lazily written batches: the CRC from the records register (CRC linearity)', () => {
  for (const [what, config, startSeq] of [
    ['not idempotent (writeLazy computes the CRC), sequences crossing to 10 digits', { 'enable.idempotence': false, acks: 1 }, 999_999_000],
    ['idempotent (stamp updates the CRC by its header change), sequences crossing 2^31', {}, 2 ** 31 - 1000],
    ['idempotent, sequences of 16 digits', {}, 1_234_567_890_123_456],
  ] as const) {
    it(`equal crc32c of the sent bytes and a builder's batch: ${what}`, () => {
      const check = checkSentBatches();
      const c = new Cluster(shapesScenario(config), { recordConsumed: false, recordProduced: false });
      c.producers.get('p')!.loadSeq = startSeq;
      c.runUntil(1500);
      expect(check.problems).toEqual([]);
      expect(check.lazy).toBeGreaterThan(200);
      expect(check.lazy).toBe(check.batches);
      expect(check.maxLazyRecords).toBeGreaterThan(8);
      const producer = c.producers.get('p')!;
      expect(producer.failed).toBe(0);
      expect(producer.loadSeq).toBeGreaterThan(startSeq + 1000);
    });
  }

  it('equal crc32c of the sent bytes and a builder\'s batch: transactional (stamp sets the transactional bit)', () => {
    const check = checkSentBatches();
    const txn: TimelineAction[] = [
      { at: 100, op: 'beginTransaction', producer: 'p' },
      { at: 600, op: 'commitTransaction', producer: 'p' },
      { at: 700, op: 'beginTransaction', producer: 'p' },
      { at: 1200, op: 'abortTransaction', producer: 'p' },
    ];
    const c = new Cluster(shapesScenario({ 'transactional.id': 'tx' }, txn), { recordConsumed: false, recordProduced: false });
    c.runUntil(1500);
    expect(check.problems).toEqual([]);
    expect(check.transactional).toBeGreaterThan(100);
    expect(check.lazy).toBe(check.batches);
    expect(check.maxLazyRecords).toBeGreaterThan(8);
    // And the logs hold them as sent (control batches aside).
    let stored = 0;
    for (const b of c.brokers.values()) {
      for (const log of b.logs.values()) {
        for (const s of log.segments) {
          for (const batch of s.batchList()) {
            if (batchIsControl(batch) || !batchIsTransactional(batch)) continue;
            expect(batchIsValid(batch)).toBe(true);
            stored++;
          }
        }
      }
    }
    expect(stored).toBeGreaterThan(100);
  });

  it('equal crc32c of the sent bytes and a builder\'s batch: retried copies, and copies restamped after epoch bumps (a killed leader, short delivery timeouts)', () => {
    const check = checkSentBatches();
    // Random kills, isolations and slow brokers: retries under the same epoch.
    for (const seed of [3, 4]) {
      const sc = randomScenario(seed);
      // Every value shape, on the random schedule's producer.
      sc.topics = [...sc.topics!, ...SHAPES.map((_, i) => ({ name: `s${i}`, partitions: 2, replicationFactor: 3 }))];
      sc.timeline = [...sc.timeline!, ...SHAPES.map(([keys, valueBytes], i) => ({ at: 0, op: 'startLoad' as const, producer: 'p1', topic: `s${i}`, ratePerSec: 50, keys, valueBytes }))];
      const c = new Cluster(sc, { recordConsumed: false, recordProduced: false });
      c.runUntil(FAULT_END_MS + 5000);
      expect(check.problems, `seed ${seed}`).toEqual([]);
    }
    // A leader killed while batches are in flight to it, with delivery timeouts short enough
    // that stamped batches expire: each expiry bumps the epoch (KIP-360) and the retried
    // batches of other partitions go out again as copies stamped with the new epoch.
    const killed = shapesScenario({ 'delivery.timeout.ms': 3000, 'request.timeout.ms': 500 }, [
      { at: 500, op: 'killBroker', broker: 1 },
      { at: 5000, op: 'restartBroker', broker: 1 },
    ], 100);
    const c = new Cluster(killed, { recordConsumed: false, recordProduced: false });
    c.runUntil(9000);
    expect(check.problems).toEqual([]);
    expect(c.producers.get('p')!.producerEpoch).toBeGreaterThan(0);
    expect(check.lazyRetried).toBeGreaterThan(100);
    expect(check.restamped).toBeGreaterThan(10);
    expect(check.bumped).toBeGreaterThan(100);
  });
});
