/**
 * Kafka's record batch, magic v2, byte for byte (clients/src/main/java/org/apache/kafka/
 * common/record/DefaultRecordBatch.java and DefaultRecord.java):
 *
 *   baseOffset i64 | batchLength i32 | partitionLeaderEpoch i32 | magic i8 = 2 |
 *   crc u32 (CRC-32C of attributes..end) | attributes i16 | lastOffsetDelta i32 |
 *   baseTimestamp i64 | maxTimestamp i64 | producerId i64 | producerEpoch i16 |
 *   baseSequence i32 | recordCount i32 | records…
 *
 *   record: length varint | attributes i8 | timestampDelta varlong | offsetDelta varint |
 *           keyLength varint | key | valueLength varint | value | headerCount varint |
 *           (headerKeyLength varint | headerKey | headerValueLength varint | headerValue)*
 *
 * Records exist only inside these bytes: builders write into one growing buffer, readers
 * walk it with a visitor, and stored batches are never mutated after append (replicas
 * share them). baseOffset and partitionLeaderEpoch sit outside the CRC, so a leader can
 * stamp them without recomputing it, as Kafka does.
 */
import { crc32c } from './crc32c';
import { cursor, readVarint, sizeOfVarint, writeVarint } from './varint';

export const BATCH_HEADER_SIZE = 61;
export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const MAGIC_V2 = 2;
/** RecordBatch.NO_TIMESTAMP. */
export const NO_TIMESTAMP = -1;

const OFF_BASE_OFFSET = 0;
const OFF_LENGTH = 8;
const OFF_LEADER_EPOCH = 12;
const OFF_MAGIC = 16;
const OFF_CRC = 17;
const OFF_ATTRIBUTES = 21;
const OFF_LAST_OFFSET_DELTA = 23;
const OFF_BASE_TIMESTAMP = 27;
const OFF_MAX_TIMESTAMP = 35;
const OFF_PRODUCER_ID = 43;
const OFF_PRODUCER_EPOCH = 51;
const OFF_BASE_SEQUENCE = 53;
const OFF_RECORD_COUNT = 57;

export interface RecordHeader {
  key: string;
  value: Uint8Array | null;
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
}

// ---- fixed-width helpers ----------------------------------------------------------------

export function readI32(b: Uint8Array, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
}

export function writeI32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}

export function readI64(b: Uint8Array, at: number): number {
  return readI32(b, at) * 4294967296 + (readI32(b, at + 4) >>> 0);
}

export function writeI64(b: Uint8Array, at: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  writeI32(b, at, hi | 0);
  writeI32(b, at + 4, (v - hi * 4294967296) >>> 0);
}

function readI16(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16)) >> 16;
}

function writeI16(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 8;
  b[at + 1] = v;
}

// ---- header accessors --------------------------------------------------------------------

export const batchBaseOffset = (b: Uint8Array): number => readI64(b, OFF_BASE_OFFSET);
export const setBatchBaseOffset = (b: Uint8Array, offset: number): void => writeI64(b, OFF_BASE_OFFSET, offset);
export const batchLastOffsetDelta = (b: Uint8Array): number => readI32(b, OFF_LAST_OFFSET_DELTA);
export const batchLastOffset = (b: Uint8Array): number => batchBaseOffset(b) + batchLastOffsetDelta(b);
export const batchNextOffset = (b: Uint8Array): number => batchLastOffset(b) + 1;
export const batchRecordCount = (b: Uint8Array): number => readI32(b, OFF_RECORD_COUNT);
export const batchSizeInBytes = (b: Uint8Array): number => 12 + readI32(b, OFF_LENGTH);
export const batchPartitionLeaderEpoch = (b: Uint8Array): number => readI32(b, OFF_LEADER_EPOCH);
export const setBatchPartitionLeaderEpoch = (b: Uint8Array, e: number): void => writeI32(b, OFF_LEADER_EPOCH, e);
export const batchBaseTimestamp = (b: Uint8Array): number => readI64(b, OFF_BASE_TIMESTAMP);
export const batchMaxTimestamp = (b: Uint8Array): number => readI64(b, OFF_MAX_TIMESTAMP);

/**
 * The same header fields of a batch that starts at `start` in `bytes` (a view of its whole
 * buffer): read where it lies, with no view of the batch made (log-segment.ts BatchList).
 */
export const baseOffsetAt = (bytes: Uint8Array, start: number): number => readI64(bytes, start + OFF_BASE_OFFSET);
export const nextOffsetAt = (bytes: Uint8Array, start: number): number => readI64(bytes, start + OFF_BASE_OFFSET) + readI32(bytes, start + OFF_LAST_OFFSET_DELTA) + 1;
export const maxTimestampAt = (bytes: Uint8Array, start: number): number => readI64(bytes, start + OFF_MAX_TIMESTAMP);
export const batchSizeAt = (bytes: Uint8Array, start: number): number => 12 + readI32(bytes, start + OFF_LENGTH);
export const batchProducerId = (b: Uint8Array): number => readI64(b, OFF_PRODUCER_ID);
export const batchProducerEpoch = (b: Uint8Array): number => readI16(b, OFF_PRODUCER_EPOCH);
export const batchBaseSequence = (b: Uint8Array): number => readI32(b, OFF_BASE_SEQUENCE);
/** Last sequence, wrapping at Int32.MAX as Kafka's DefaultRecordBatch.incrementSequence. */
export const batchLastSequence = (b: Uint8Array): number => {
  const base = batchBaseSequence(b);
  if (base === NO_SEQUENCE) return NO_SEQUENCE;
  const last = base + batchLastOffsetDelta(b);
  return last > 0x7fffffff ? last - 0x80000000 : last;
};

export const batchMagic = (b: Uint8Array): number => b[OFF_MAGIC]!;
export const batchAttributes = (b: Uint8Array): number => readI16(b, OFF_ATTRIBUTES);
/** The stored CRC, unsigned. */
export const batchCrc = (b: Uint8Array): number => readI32(b, OFF_CRC) >>> 0;

/**
 * Stamps producer id, epoch and base sequence into a built batch (not yet appended) and
 * recomputes the CRC, which covers them. For an idempotent producer that learns its id or
 * bumps its epoch after the batch was closed (Kafka's ProducerBatch.resetProducerState).
 */
export function setBatchProducerState(b: Uint8Array, producerId: number, producerEpoch: number, baseSequence: number): void {
  writeI64(b, OFF_PRODUCER_ID, producerId);
  writeI16(b, OFF_PRODUCER_EPOCH, producerEpoch);
  writeI32(b, OFF_BASE_SEQUENCE, baseSequence);
  writeI32(b, OFF_CRC, crc32c(b, OFF_ATTRIBUTES, b.length) | 0);
}

/** Magic 2, consistent length and a correct CRC. */
export function batchIsValid(b: Uint8Array): boolean {
  if (b.length < BATCH_HEADER_SIZE) return false;
  if (b[OFF_MAGIC] !== MAGIC_V2) return false;
  if (batchSizeInBytes(b) !== b.length) return false;
  if (batchRecordCount(b) < 0 || batchLastOffsetDelta(b) < -1) return false;
  return (readI32(b, OFF_CRC) >>> 0) === crc32c(b, OFF_ATTRIBUTES, b.length);
}

// ---- building -----------------------------------------------------------------------------

export interface RecordBatchBuilderOptions {
  baseTimestamp: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  /** batch.size: a soft limit; the first record always fits. */
  batchSize: number;
}

const RELEASED = new Uint8Array(0);
/**
 * Built batches are copied into shared slabs and handed out as exact-size views (build):
 * a batch never changes size, so its neighbours in a slab are never touched (a leader's
 * stamps write inside its own view; a retry sends a copy). Every reader already takes a
 * batch as a view (a reloaded log's batches are views into one chunk's bytes) and copies
 * what it keeps elsewhere (checkpoints, stored chunks). A slab lives while any of its
 * batches does: 64 KiB bounds what one surviving batch can hold on to. Process memory outside
 * any cluster's state: which slab a batch lands in changes none of its bytes. A host may hand
 * over slabs ready-made (SlabClass.source).
 */
export const SLAB_SIZE = 64 * 1024;
/** A larger batch goes to a large slab. */
const SLAB_MAX_BATCH = 8 * 1024;
/**
 * Large slabs hold the batches of a fast producer (a 64 KiB batch.size at 200,000 records/s
 * makes ~38 KB batches): sixteen of the largest fit one, and a host may hand them over
 * ready-made as the small ones (each of their pages a first touch otherwise: measured, 29-43%
 * of a 3 x 3 run at 200,000 records/s in Node).
 */
export const LARGE_SLAB_SIZE = 1024 * 1024;
/** A larger batch gets an ArrayBuffer of its own. */
const LARGE_SLAB_MAX_BATCH = 64 * 1024;

/** One size of slab: the one batchBytes is filling, where in it, and where the next comes from. */
interface SlabClass {
  readonly size: number;
  slab: Uint8Array;
  pos: number;
  /**
   * Where batchBytes takes its next slab of this size: a host may hand over slabs whose pages
   * another thread touched already (a fresh page's first touch is a page fault, ~11 µs on a VM:
   * a third of a 3 x 3 run's time). It returns a zeroed ArrayBuffer of `size`, or null when it
   * has none ready (batchBytes then allocates one). Process memory, as the slabs: which buffer
   * a batch lands in changes none of its bytes.
   */
  source: (() => ArrayBuffer | null) | null;
}

const SMALL: SlabClass = { size: SLAB_SIZE, slab: new Uint8Array(0), pos: 0, source: null };
const LARGE: SlabClass = { size: LARGE_SLAB_SIZE, slab: new Uint8Array(0), pos: 0, source: null };

/** Slabs batchBytes has started, how many of them came from a source, and those ones' bytes (process counters, for benchmarks). */
export const slabCounts = { started: 0, ready: 0, readyBytes: 0 };

/** Installs (or, with null, removes) the host's source of ready slabs of `size` (SLAB_SIZE or LARGE_SLAB_SIZE). */
export function provideSlabs(source: (() => ArrayBuffer | null) | null, size: number = SLAB_SIZE): void {
  if (size === SLAB_SIZE) SMALL.source = source;
  else if (size === LARGE_SLAB_SIZE) LARGE.source = source;
  else throw new Error(`no slabs of ${size} bytes (${SLAB_SIZE} or ${LARGE_SLAB_SIZE})`);
}

/** A slab batchBytes is filling (its later batches are not built yet): never sparse. */
export function isFillingSlab(buffer: ArrayBufferLike): boolean {
  return buffer === SMALL.slab.buffer || buffer === LARGE.slab.buffer;
}
/**
 * Builders given back by release(), with their buffers, for obtain(). Process memory, as the
 * slabs: a buffer's old bytes are never read (see release), so which builder a batch gets
 * changes nothing a run can see.
 */
const FREE_BUILDERS: RecordBatchBuilder[] = [];
const MAX_FREE_BUILDERS = 4096;

export class RecordBatchBuilder {
  buffer: Uint8Array;
  private pos = BATCH_HEADER_SIZE;
  private count = 0;
  private maxTimestamp: number;
  private baseTimestamp_: number;
  get baseTimestamp(): number {
    return this.baseTimestamp_;
  }
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  private batchSize: number;

  constructor(opts: RecordBatchBuilderOptions) {
    this.baseTimestamp_ = opts.baseTimestamp;
    // The largest record timestamp, as MemoryRecordsBuilder tracks it (not the base).
    this.maxTimestamp = NO_TIMESTAMP;
    this.producerId = opts.producerId ?? NO_PRODUCER_ID;
    this.producerEpoch = opts.producerEpoch ?? NO_PRODUCER_EPOCH;
    this.baseSequence = opts.baseSequence ?? NO_SEQUENCE;
    this.batchSize = opts.batchSize;
    // Start small and double as records come (ensure): most batches hold a few records, and
    // a zero-filled batch.size buffer per batch (64 KiB here) was the largest allocation on
    // the produce path (issue 10's profile: 10% self time plus most of the GC).
    // Builders are pooled (obtain/release) with their buffers: a new builder is a new buffer.
    this.buffer = new Uint8Array(Math.max(256, Math.min(opts.batchSize + 64, 1024)));
  }

  /**
   * The builder is done (its batch was built, or it is dropped): the caller must not use it
   * again. It goes back, with its buffer, for obtain() to hand out (dropped when FREE_BUILDERS
   * is full). Every byte a batch keeps is
   * written by its own appends and build(), so nothing of a previous batch leaks.
   */
  release(): void {
    if (this.pos < 0) return; // released already: never pooled twice
    this.pos = -1;
    this.count = 0;
    if (FREE_BUILDERS.length < MAX_FREE_BUILDERS) FREE_BUILDERS.push(this); // keeps its buffer for obtain()
    else this.buffer = RELEASED;
  }

  /**
   * A builder for a new batch: one given back by release() if there is one (its buffer's
   * old bytes are never read, as for a buffer), else a new one. At hundreds of partitions
   * most batches hold a record or two, and a builder object per batch was a visible share
   * of the producer's time (issue 10).
   */
  static obtain(baseTimestamp: number, batchSize: number): RecordBatchBuilder {
    const b = FREE_BUILDERS.pop();
    if (b === undefined) return new RecordBatchBuilder({ baseTimestamp, batchSize });
    b.baseTimestamp_ = baseTimestamp;
    b.maxTimestamp = NO_TIMESTAMP;
    b.producerId = NO_PRODUCER_ID;
    b.producerEpoch = NO_PRODUCER_EPOCH;
    b.baseSequence = NO_SEQUENCE;
    b.batchSize = batchSize;
    b.pos = BATCH_HEADER_SIZE;
    b.count = 0;
    // Its buffer is its own still: a builder is pooled only with it (release).
    return b;
  }

  get recordCount(): number {
    return this.count;
  }

  get sizeInBytes(): number {
    return this.pos;
  }

  get isEmpty(): boolean {
    return this.count === 0;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buffer.length) return;
    let n = this.buffer.length * 2;
    while (n < this.pos + extra) n *= 2;
    const next = new Uint8Array(n);
    next.set(this.buffer.subarray(0, this.pos));
    this.buffer = next;
  }

  /**
   * Reserves one record whose value (valueLength bytes, -1 for null) the caller writes at
   * the returned position in `buffer` (valid until the next append, which may grow it).
   * Returns -1 when the record would take the batch past batch.size and the batch already
   * has records: the first record always fits (Kafka's MemoryRecordsBuilder.hasRoomFor).
   */
  tryAppendReserve(timestamp: number, key: Uint8Array | null, valueLength: number, headers?: RecordHeader[]): number {
    return this.reserve(timestamp, key, key === null ? -1 : key.length, valueLength, headers);
  }

  /**
   * Reserves one record whose key (keyLength bytes, -1 for null) and value (valueLength
   * bytes, -1 for null) the caller writes: the value at the returned position, the key at
   * that position - sizeOfVarint(valueLength) - keyLength. -1 as tryAppendReserve. A load
   * writes its generated keys' bytes straight in (no key array per key to read them from).
   */
  tryAppendReserveKey(timestamp: number, keyLength: number, valueLength: number): number {
    return this.reserve(timestamp, null, keyLength, valueLength, undefined);
  }

  /** `key` null with keyLen >= 0: the key's bytes are left to the caller. */
  private reserve(timestamp: number, key: Uint8Array | null, keyLen: number, valueLength: number, headers: RecordHeader[] | undefined): number {
    const tsDelta = timestamp - this.baseTimestamp_;
    const offsetDelta = this.count;
    const headerCount = headers === undefined ? 0 : headers.length;
    let headerBytes = sizeOfVarint(headerCount);
    let encodedKeys: Uint8Array[] | null = null;
    if (headers !== undefined && headerCount > 0) {
      encodedKeys = new Array<Uint8Array>(headerCount);
      for (let i = 0; i < headerCount; i++) {
        const h = headers[i]!;
        const k = utf8Encoder.encode(h.key);
        encodedKeys[i] = k;
        const vl = h.value === null ? -1 : h.value.length;
        headerBytes += sizeOfVarint(k.length) + k.length + sizeOfVarint(vl) + (vl > 0 ? vl : 0);
      }
    }
    const body =
      1 +
      sizeOfVarint(tsDelta) +
      sizeOfVarint(offsetDelta) +
      sizeOfVarint(keyLen) +
      (keyLen > 0 ? keyLen : 0) +
      sizeOfVarint(valueLength) +
      (valueLength > 0 ? valueLength : 0) +
      headerBytes;
    const total = sizeOfVarint(body) + body;
    if (this.count > 0 && this.pos + total > this.batchSize) return -1;
    this.ensure(total);
    const buf = this.buffer;
    let p = writeVarint(buf, this.pos, body);
    buf[p++] = 0; // record attributes: unused in v2
    p = writeVarint(buf, p, tsDelta);
    p = writeVarint(buf, p, offsetDelta);
    p = writeVarint(buf, p, keyLen);
    if (key !== null) {
      // A short key byte by byte: TypedArray.set costs a native call (it showed as one of
      // the load tick's costliest lines for 7-byte keys); a long one in one copy.
      if (keyLen <= 32) for (let i = 0; i < keyLen; i++) buf[p + i] = key[i]!;
      else buf.set(key, p);
    }
    if (keyLen > 0) p += keyLen;
    p = writeVarint(buf, p, valueLength);
    const valuePos = p;
    if (valueLength > 0) p += valueLength;
    p = writeVarint(buf, p, headerCount);
    if (headers !== undefined && encodedKeys !== null) {
      for (let i = 0; i < headerCount; i++) {
        const h = headers[i]!;
        const k = encodedKeys[i]!;
        p = writeVarint(buf, p, k.length);
        buf.set(k, p);
        p += k.length;
        p = writeVarint(buf, p, h.value === null ? -1 : h.value.length);
        if (h.value !== null) {
          buf.set(h.value, p);
          p += h.value.length;
        }
      }
    }
    this.pos = p;
    this.count++;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    return valuePos;
  }

  tryAppend(timestamp: number, key: Uint8Array | null, value: Uint8Array | null, headers?: RecordHeader[]): boolean {
    const at = this.tryAppendReserve(timestamp, key, value === null ? -1 : value.length, headers);
    if (at < 0) return false;
    if (value !== null) this.buffer.set(value, at);
    return true;
  }

  /**
   * Starts a new batch in the same buffer (no reallocation): lets a producer keep one
   * builder per partition instead of allocating batch.size bytes per batch.
   */
  reset(opts: RecordBatchBuilderOptions): void {
    this.baseTimestamp_ = opts.baseTimestamp;
    this.maxTimestamp = NO_TIMESTAMP;
    this.producerId = opts.producerId ?? NO_PRODUCER_ID;
    this.producerEpoch = opts.producerEpoch ?? NO_PRODUCER_EPOCH;
    this.baseSequence = opts.baseSequence ?? NO_SEQUENCE;
    this.batchSize = opts.batchSize;
    this.pos = BATCH_HEADER_SIZE;
    this.count = 0;
  }

  /**
   * The finished batch: an exact-size copy (the builder's buffer stays the builder's),
   * base offset 0, partition leader epoch -1, header and CRC filled. Pass
   * `computeCrc = false` only when the caller rewrites covered fields and computes the
   * CRC itself right after (e.g. setBatchProducerState): the CRC is the costliest step.
   */
  build(computeCrc = true): Uint8Array {
    const n = this.pos;
    const b = batchBytes(n);
    const src = this.buffer;
    // The batch's bytes only, through a view made from the ArrayBuffer (cheaper than
    // subarray): copying the whole builder buffer (1 KiB or more for a ~300-byte batch)
    // cost more than the view.
    b.set(new Uint8Array(src.buffer, src.byteOffset, n));
    writeBatchHeader(b, this.count, this.baseTimestamp_, this.count === 0 ? this.baseTimestamp_ : this.maxTimestamp, this.producerId, this.producerEpoch, this.baseSequence, computeCrc);
    return b;
  }
}

/**
 * `n` bytes for a batch that never changes size: a view into the current slab of its size
 * (an exact-size copy per batch was an ArrayBuffer, an off-heap allocation, per batch, and at
 * hundreds of partitions most batches hold a record), or an array of its own past
 * LARGE_SLAB_MAX_BATCH. Its bytes are zero until written. A writer fills all of them, records
 * from BATCH_HEADER_SIZE and then the header (writeBatchHeader).
 */
export function batchBytes(n: number): Uint8Array {
  const c = n <= SLAB_MAX_BATCH ? SMALL : n <= LARGE_SLAB_MAX_BATCH ? LARGE : null;
  if (c === null) {
    const own = new Uint8Array(n);
    noteBuffer(own.buffer, n);
    return own;
  }
  if (c.pos + n > c.slab.length) startSlab(c);
  // A view made from the ArrayBuffer: subarray (species lookup) cost twice as much.
  const b = new Uint8Array(c.slab.buffer, c.pos, n);
  c.pos += (n + 7) & ~7; // 8-aligned starts, as a batch of its own (word-wise CRC and compares)
  return b;
}

/** A new slab for `c`: a ready one from its source if it has one of the right size, else allocated. */
function startSlab(c: SlabClass): void {
  const ready = c.source === null ? null : c.source();
  slabCounts.started++;
  if (ready !== null && ready.byteLength === c.size) {
    c.slab = new Uint8Array(ready);
    slabCounts.ready++;
    slabCounts.readyBytes += c.size;
  } else c.slab = new Uint8Array(c.size);
  noteBuffer(c.slab.buffer, c.size);
  c.pos = 0;
}

/**
 * Bytes of the buffers batchBytes handed out (slabs, and batches of their own) that the
 * process still holds: counted when started, taken off when the garbage collector reclaims
 * the buffer (a FinalizationRegistry; some time after the last batch in it was dropped by
 * every log, checkpoint and store that held it). What the logs take of the process's
 * memory, all clusters together, whoever keeps them; not batches restored from storage
 * (their chunks are the store's). Process counters, like slabCounts: never part of a run.
 */
let buffersHeldBytes = 0;
const buffersReclaimed = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<number>((bytes) => (buffersHeldBytes -= bytes)) : null;

function noteBuffer(buffer: ArrayBufferLike, bytes: number): void {
  buffersHeldBytes += bytes;
  buffersReclaimed?.register(buffer, bytes);
}

/** Bytes of batch buffers the process holds now (see noteBuffer). */
export const batchBytesHeld = (): number => buffersHeldBytes;

/**
 * The header of a batch whose records are in place: base offset 0, partition leader
 * epoch -1, attributes 0, and the CRC unless the caller rewrites covered fields and
 * computes it right after (the CRC is the costliest step).
 */
export function writeBatchHeader(b: Uint8Array, count: number, baseTimestamp: number, maxTimestamp: number, producerId: number, producerEpoch: number, baseSequence: number, computeCrc: boolean): void {
  writeI64(b, OFF_BASE_OFFSET, 0);
  writeI32(b, OFF_LENGTH, b.length - 12);
  writeI32(b, OFF_LEADER_EPOCH, -1);
  b[OFF_MAGIC] = MAGIC_V2;
  writeI16(b, OFF_ATTRIBUTES, 0);
  writeI32(b, OFF_LAST_OFFSET_DELTA, count - 1);
  writeI64(b, OFF_BASE_TIMESTAMP, baseTimestamp);
  writeI64(b, OFF_MAX_TIMESTAMP, maxTimestamp);
  writeI64(b, OFF_PRODUCER_ID, producerId);
  writeI16(b, OFF_PRODUCER_EPOCH, producerEpoch);
  writeI32(b, OFF_BASE_SEQUENCE, baseSequence);
  writeI32(b, OFF_RECORD_COUNT, count);
  if (computeCrc) writeI32(b, OFF_CRC, crc32c(b, OFF_ATTRIBUTES, b.length) | 0);
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

// ---- reading ------------------------------------------------------------------------------

/** Return false to stop. Positions are indexes into `batch`. */
export type RecordVisitor = (
  offset: number,
  timestamp: number,
  batch: Uint8Array,
  keyStart: number,
  keyLength: number,
  valueStart: number,
  valueLength: number,
  headersStart: number,
  headerCount: number,
  recordStart: number,
  recordEnd: number,
) => void | boolean;

/** Walks the records of a batch without allocating. */
export function forEachRecord(batch: Uint8Array, visit: RecordVisitor): void {
  const baseOffset = batchBaseOffset(batch);
  const baseTimestamp = batchBaseTimestamp(batch);
  const count = batchRecordCount(batch);
  let pos = BATCH_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const recordStart = pos;
    cursor.pos = pos;
    const len = readVarint(batch);
    const bodyStart = cursor.pos;
    cursor.pos = bodyStart + 1; // attributes
    const tsDelta = readVarint(batch);
    const offsetDelta = readVarint(batch);
    const keyLength = readVarint(batch);
    const keyStart = cursor.pos;
    cursor.pos += Math.max(0, keyLength);
    const valueLength = readVarint(batch);
    const valueStart = cursor.pos;
    cursor.pos += Math.max(0, valueLength);
    const headerCount = readVarint(batch);
    const headersStart = cursor.pos;
    pos = bodyStart + len;
    if (visit(baseOffset + offsetDelta, baseTimestamp + tsDelta, batch, keyStart, keyLength, valueStart, valueLength, headersStart, headerCount, recordStart, pos) === false) return;
  }
}

export function readHeaders(batch: Uint8Array, start: number, count: number): RecordHeader[] {
  const out: RecordHeader[] = [];
  cursor.pos = start;
  for (let i = 0; i < count; i++) {
    const kl = readVarint(batch);
    const key = utf8Decoder.decode(batch.subarray(cursor.pos, cursor.pos + kl));
    cursor.pos += kl;
    const vl = readVarint(batch);
    const value = vl < 0 ? null : batch.slice(cursor.pos, cursor.pos + vl);
    cursor.pos += Math.max(0, vl);
    out.push({ key, value });
  }
  return out;
}

/** Decoded records, for views and the runner (not the hot path). */
export function decodeRecords(batch: Uint8Array): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  forEachRecord(batch, (offset, timestamp, b, ks, kl, vs, vl, hs, hc) => {
    out.push({
      offset,
      timestamp,
      key: kl < 0 ? null : b.slice(ks, ks + kl),
      value: vl < 0 ? null : b.slice(vs, vs + vl),
      headers: hc > 0 ? readHeaders(b, hs, hc) : [],
    });
  });
  return out;
}

/** Decides whether the cleaner keeps a record; positions index into the batch. */
export type RecordFilter = (offset: number, keyStart: number, keyLength: number, valueLength: number, timestamp: number) => boolean;

/**
 * A compacted copy of a batch keeping only the records `keep` accepts, as LogCleaner's
 * MemoryRecords.filterTo / buildRetainedRecordsInto does for v2: the base offset,
 * lastOffsetDelta (so the producer's last sequence survives), producer id/epoch/base
 * sequence, partition leader epoch and base timestamp stay; the records are copied
 * verbatim (their offset and timestamp deltas stay valid against the unchanged bases);
 * record count, length and max timestamp are recomputed, then the CRC.
 *
 * Returns the batch itself when every record is kept (stored batches are immutable, so
 * sharing is safe) and null when none is.
 */
export function filterBatch(batch: Uint8Array, keep: RecordFilter): Uint8Array | null {
  // Kept record ranges as flat [start, end] pairs: one small array, no tuple per record.
  const parts: number[] = [];
  let bytes = BATCH_HEADER_SIZE;
  let maxTimestamp = NO_TIMESTAMP;
  forEachRecord(batch, (offset, ts, _b, ks, kl, _vs, vl, _hs, _hc, rs, re) => {
    if (keep(offset, ks, kl, vl, ts)) {
      parts.push(rs, re);
      bytes += re - rs;
      if (ts > maxTimestamp) maxTimestamp = ts;
    }
  });
  const kept = parts.length >> 1;
  if (kept === 0) return null;
  if (kept === batchRecordCount(batch)) return batch;
  const out = new Uint8Array(bytes);
  out.set(batch.subarray(0, BATCH_HEADER_SIZE));
  let p = BATCH_HEADER_SIZE;
  for (let i = 0; i < parts.length; i += 2) {
    const s = parts[i]!;
    const e = parts[i + 1]!;
    out.set(batch.subarray(s, e), p);
    p += e - s;
  }
  writeI32(out, OFF_LENGTH, bytes - 12);
  writeI32(out, OFF_RECORD_COUNT, kept);
  writeI64(out, OFF_MAX_TIMESTAMP, maxTimestamp);
  writeI32(out, OFF_CRC, crc32c(out, OFF_ATTRIBUTES, out.length) | 0);
  return out;
}

/** Kafka-flavoured name for the cleaner's copy. */
export const compactedCopy = filterBatch;

/** Splits a concatenation of batches back into batch views (persistence). */
export function splitBatches(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  while (pos + BATCH_HEADER_SIZE <= bytes.length) {
    const size = 12 + readI32(bytes, pos + OFF_LENGTH);
    if (size < BATCH_HEADER_SIZE || pos + size > bytes.length) break;
    out.push(bytes.subarray(pos, pos + size));
    pos += size;
  }
  return out;
}

export function concatBatches(batches: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const b of batches) n += b.length;
  const out = new Uint8Array(n);
  let p = 0;
  for (const b of batches) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}

// ---- transactions (KIP-98): attributes and control batches --------------------------------

/** Batch attributes bit 4: the batch belongs to a transaction (RecordBatch.isTransactional). */
export const TRANSACTIONAL_FLAG_MASK = 0x10;
/** Batch attributes bit 5: a control batch (RecordBatch.isControlBatch), holding one marker. */
export const CONTROL_FLAG_MASK = 0x20;

export const batchIsTransactional = (b: Uint8Array): boolean => (b[OFF_ATTRIBUTES + 1]! & TRANSACTIONAL_FLAG_MASK) !== 0;
export const batchIsControl = (b: Uint8Array): boolean => (b[OFF_ATTRIBUTES + 1]! & CONTROL_FLAG_MASK) !== 0;

/**
 * Sets or clears the transactional bit of a built batch (not yet appended) and recomputes
 * the CRC, which covers the attributes (as the producer's MemoryRecordsBuilder writes it
 * for a transactional producer).
 */
export function setBatchTransactional(b: Uint8Array, transactional: boolean): void {
  const lo = b[OFF_ATTRIBUTES + 1]!;
  const next = transactional ? lo | TRANSACTIONAL_FLAG_MASK : lo & ~TRANSACTIONAL_FLAG_MASK;
  if (next === lo) return;
  b[OFF_ATTRIBUTES + 1] = next;
  writeI32(b, OFF_CRC, crc32c(b, OFF_ATTRIBUTES, b.length) | 0);
}

/** ControlRecordType: the marker's type, in the control record's key. */
export type ControlRecordType = 'ABORT' | 'COMMIT';

/**
 * An end-transaction marker as its own control batch (MemoryRecords.withEndTransactionMarker
 * and EndTransactionMarker.serializeValue): attributes transactional | control, the
 * producer's id and epoch, no sequence; one record whose key is ControlRecordType's
 * (version i16 = 0, type i16: 0 ABORT, 1 COMMIT) and whose value is (version i16 = 0,
 * coordinatorEpoch i32).
 */
export function buildControlBatch(type: ControlRecordType, producerId: number, producerEpoch: number, coordinatorEpoch: number, timestamp: number): Uint8Array {
  const builder = new RecordBatchBuilder({ baseTimestamp: timestamp, producerId, producerEpoch, baseSequence: NO_SEQUENCE, batchSize: 1024 });
  const key = new Uint8Array(4);
  key[3] = type === 'COMMIT' ? 1 : 0;
  const value = new Uint8Array(6);
  writeI32(value, 2, coordinatorEpoch);
  builder.tryAppend(timestamp, key, value);
  const b = builder.build(false);
  builder.release();
  writeI16(b, OFF_ATTRIBUTES, TRANSACTIONAL_FLAG_MASK | CONTROL_FLAG_MASK);
  writeI32(b, OFF_CRC, crc32c(b, OFF_ATTRIBUTES, b.length) | 0);
  return b;
}

/** The marker type of a control batch (ControlRecordType.parse of its one record's key). */
export function controlBatchType(b: Uint8Array): ControlRecordType {
  let type: ControlRecordType = 'ABORT';
  forEachRecord(b, (_o, _t, batch, ks, kl) => {
    if (kl >= 4) type = ((batch[ks + 2]! << 8) | batch[ks + 3]!) === 1 ? 'COMMIT' : 'ABORT';
    return false;
  });
  return type;
}
