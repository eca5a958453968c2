/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of Kafka's record
 * batch v2 (clients/src/main/java/org/apache/kafka/common/utils/Crc32C.java; the CRC covers
 * a batch from its attributes field to its end).
 *
 * Slicing-by-8: eight 256-entry tables let the loop consume 8 bytes per step with no
 * allocation per call; runs of 64 bytes or more go 16 bytes a step reading words
 * (slicing-by-16). Every batch is checksummed once when built and may be verified
 * on load, so this sits on the produce hot path. crc32cUpdate, crc32cShift and the tables
 * below (CRC linearity) let a producer pass over bytes whose CRC it knows without reading
 * them (producer.ts writeLazy: its load's filler text).
 */
const POLY = 0x82f63b78;

/** T[k * 256 + n]: CRC of byte n followed by k zero bytes (k < 16: slicing-by-16). */
const T = new Int32Array(16 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  T[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = T[n]!;
  for (let k = 1; k < 16; k++) {
    c = T[c & 0xff]! ^ (c >>> 8);
    T[k * 256 + n] = c;
  }
}

/** Words read through an Int32Array are little-endian only on a little-endian machine. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/**
 * From this many bytes, a run reads 32-bit words through an Int32Array view of its buffer
 * (one load per four bytes instead of four, 16 bytes a step): about 1.4x faster on a batch
 * of a few KiB. The view is kept while calls read the same buffer (batches sit side by side
 * in 64 KiB slabs: record-batch.ts batchBytes), so a batch of a few hundred bytes takes the
 * word path too, without a view of its own.
 */
const WORD_PATH_MIN_BYTES = 64;
/**
 * The buffer `words` views (null: none yet), and that view: its whole length in 32-bit words.
 * Process memory: it keeps the last buffer read (a slab, or a reloaded chunk) alive until
 * a call reads another.
 */
let wordsBuffer: ArrayBufferLike | null = null;
let words: Int32Array<ArrayBufferLike> = new Int32Array(0);

/** Unsigned CRC-32C of buf[start, end). */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  return (crc32cUpdate(-1, buf, start, end) ^ -1) >>> 0;
}

/**
 * The raw CRC-32C register after buf[start, end) from register `state` (no initial value,
 * no final xor; int32): R(state, M). crc32c(buf, s, e) is ~R(-1, buf[s, e)) unsigned, and
 * R(c, A || B) = R(R(c, A), B), so a message can be fed in pieces. With crc32cShift,
 * R(c, M) = crc32cShift(c, |M|) ^ R(0, M): the part of a message that does not depend on
 * the register it starts from can be computed apart (and reused).
 */
export function crc32cUpdate(state: number, buf: Uint8Array, start: number, end: number): number {
  let crc = state | 0;
  let i = start;
  if (end - start >= WORD_PATH_MIN_BYTES && LITTLE_ENDIAN) {
    // Bytes up to a 4-byte boundary of the underlying buffer, then 16-byte blocks of words.
    const offset = buf.byteOffset;
    while (((offset + i) & 3) !== 0) crc = T[(crc ^ buf[i++]!) & 0xff]! ^ (crc >>> 8);
    const blocks = (end - i) >> 4;
    const buffer = buf.buffer;
    if (buffer !== wordsBuffer) {
      words = new Int32Array(buffer, 0, buffer.byteLength >> 2);
      wordsBuffer = buffer;
    }
    const w = words;
    const to = ((offset + i) >> 2) + blocks * 4;
    for (let j = (offset + i) >> 2; j < to; j += 4) {
      const a = crc ^ w[j]!;
      const b = w[j + 1]!;
      const c = w[j + 2]!;
      const d = w[j + 3]!;
      crc =
        T[3840 + (a & 0xff)]! ^
        T[3584 + ((a >>> 8) & 0xff)]! ^
        T[3328 + ((a >>> 16) & 0xff)]! ^
        T[3072 + (a >>> 24)]! ^
        T[2816 + (b & 0xff)]! ^
        T[2560 + ((b >>> 8) & 0xff)]! ^
        T[2304 + ((b >>> 16) & 0xff)]! ^
        T[2048 + (b >>> 24)]! ^
        T[1792 + (c & 0xff)]! ^
        T[1536 + ((c >>> 8) & 0xff)]! ^
        T[1280 + ((c >>> 16) & 0xff)]! ^
        T[1024 + (c >>> 24)]! ^
        T[768 + (d & 0xff)]! ^
        T[512 + ((d >>> 8) & 0xff)]! ^
        T[256 + ((d >>> 16) & 0xff)]! ^
        T[d >>> 24]!;
    }
    i += blocks * 16;
  }
  const end8 = end - ((end - i) & 7);
  while (i < end8) {
    const lo = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    const hi = buf[i + 4]! | (buf[i + 5]! << 8) | (buf[i + 6]! << 16) | (buf[i + 7]! << 24);
    crc =
      T[1792 + (lo & 0xff)]! ^
      T[1536 + ((lo >>> 8) & 0xff)]! ^
      T[1280 + ((lo >>> 16) & 0xff)]! ^
      T[1024 + (lo >>> 24)]! ^
      T[768 + (hi & 0xff)]! ^
      T[512 + ((hi >>> 8) & 0xff)]! ^
      T[256 + ((hi >>> 16) & 0xff)]! ^
      T[hi >>> 24]!;
    i += 8;
  }
  while (i < end) crc = T[(crc ^ buf[i++]!) & 0xff]! ^ (crc >>> 8);
  return crc;
}

// ---- skipping bytes known in advance (CRC linearity) ---------------------------------------
//
// The raw register is linear over GF(2): R(c, M) = Z_|M|(c) ^ R(0, M), where Z_n(c) = R(c, n
// zero bytes) is c times x^(8n) modulo the polynomial (reflected bit order: bit 31 is x^0).
// So a stretch of bytes whose R(0, ·) is known (the producer's load copies stretches of one
// fixed filler text) is passed over in a few table lookups, not a step per 8 or 16 bytes:
// zlib's multmodp / x2nmodp / crc32_combine (zlib/crc32.c), for CRC-32C.

/** a * b modulo the polynomial, both reflected (zlib's multmodp). a must not be 0 (x^k never is). */
function multModP(a: number, b: number): number {
  let p = 0;
  for (let m = 0x80000000; m !== 0; m >>>= 1) {
    if ((a & m) !== 0) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p | 0;
}

/** X2N[k] = x^(2^k) modulo the polynomial (zlib's x2n_table), k < 64: squares of x. */
const X2N = new Int32Array(64);
X2N[0] = 1 << 30; // x^1
for (let k = 1; k < 64; k++) X2N[k] = multModP(X2N[k - 1]!, X2N[k - 1]!);

/** x^(8n) modulo the polynomial (zlib's x2nmodp(n, 3)): what n zero bytes multiply a register by. */
function xPow8n(n: number): number {
  let p = 1 << 31; // x^0
  for (let k = 3; n > 0; k++) {
    if (n % 2 === 1) p = multModP(X2N[k]!, p);
    n = Math.floor(n / 2);
  }
  return p;
}

/**
 * Z_n(state): the raw register after n zero bytes from `state`, R(state, n zeros). Then
 * R(state, M) = crc32cShift(state, M.length) ^ R(0, M), and for two pieces
 * R(c, A || B) = crc32cShift(R(c, A), |B|) ^ R(0, B) (zlib's crc32_combine on raw registers).
 * Z_n is the product of Z_{2^k} over the bits k of n: four lookups per bit set, through
 * tables of Z_{2^k} made when first needed (POW2_TABLES). zlib multiplies by x^(8n) instead
 * (x2nmodp, then multmodp): some 400 shift-and-xor steps for a batch of a few hundred bytes,
 * more than reading its bytes. A length that recurs per record takes crc32cShiftTable.
 */
export function crc32cShift(state: number, n: number): number {
  let c = state | 0;
  for (let k = 0; n > 0; k++) {
    if (n % 2 === 1) {
      let t = POW2_TABLES[k]!;
      if (t.length === 0) t = POW2_TABLES[k] = shiftTable(X2N[k + 3]!);
      c = crc32cShiftWith(t, c);
    }
    n = n < 0x80000000 ? n >>> 1 : Math.floor(n / 2);
  }
  return c;
}

/**
 * Z_{2^k} as crc32cShiftTable's tables, by k (empty until first needed): a shift by any n
 * < 2^61 bytes takes the tables of n's bits. Process memory: 4 KiB per k used (a batch of
 * up to 1 MiB uses k <= 20).
 */
const POW2_TABLES: Int32Array[] = Array.from({ length: 61 }, () => new Int32Array(0));

/** The four 256-entry tables of multiplication by `power` (x^(8n): Z_n), T_k[b] = Z_n(b << 8k). */
function shiftTable(power: number): Int32Array {
  const t = new Int32Array(1024);
  // Z_n is linear: each entry is the xor of Z_n of its bits.
  const basis = new Int32Array(32);
  for (let j = 0; j < 32; j++) basis[j] = multModP(power, 1 << j);
  for (let k = 0; k < 4; k++) {
    const at = k * 256;
    for (let b = 1; b < 256; b++) {
      const low = b & -b;
      t[at + b] = t[at + (b ^ low)]! ^ basis[8 * k + 31 - Math.clz32(low)]!;
    }
  }
  return t;
}

/** Z_n as tables, by n (crc32cShiftTable); cleared when it holds MAX_SHIFT_TABLES (4 KiB each). */
const SHIFT_TABLES = new Map<number, Int32Array>();
const MAX_SHIFT_TABLES = 64;

/**
 * Z_n (crc32cShift by n bytes) as four 256-entry tables, T_k[b] = Z_n(b << 8k), in one array
 * at k * 256 + b: Z_n(c) = T0[c & 255] ^ T1[(c >>> 8) & 255] ^ T2[(c >>> 16) & 255] ^ T3[c >>> 24]
 * (crc32cShiftWith), four lookups. Cached per n, for the few lengths that recur (a load's
 * filler runs); process memory, at most MAX_SHIFT_TABLES of 4 KiB.
 */
export function crc32cShiftTable(n: number): Int32Array {
  let t = SHIFT_TABLES.get(n);
  if (t !== undefined) return t;
  t = shiftTable(xPow8n(n));
  if (SHIFT_TABLES.size >= MAX_SHIFT_TABLES) SHIFT_TABLES.clear();
  SHIFT_TABLES.set(n, t);
  return t;
}

/** Z_n(state) through crc32cShiftTable(n)'s tables. */
export function crc32cShiftWith(table: Int32Array, state: number): number {
  return table[state & 0xff]! ^ table[256 + ((state >>> 8) & 0xff)]! ^ table[512 + ((state >>> 16) & 0xff)]! ^ table[768 + (state >>> 24)]!;
}

/**
 * W[i] = R(0, buf[i, i + n)) for every window of n bytes in buf, i in [0, buf.length - n]:
 * rolled along, a step per byte (R(0, buf[i .. i + n]) is W[i] fed one more byte, and is
 * also Z_n(R(0, buf[i])) ^ W[i + 1]).
 */
export function crc32cWindows(buf: Uint8Array, n: number): Int32Array {
  const count = buf.length - n + 1;
  if (n < 0 || count <= 0) return new Int32Array(0);
  const w = new Int32Array(count);
  const z = crc32cShiftTable(n);
  /** R(0, [b] || n zeros): what byte b at a window's start adds to it. */
  const drop = new Int32Array(256);
  for (let b = 0; b < 256; b++) drop[b] = crc32cShiftWith(z, T[b]!);
  let c = crc32cUpdate(0, buf, 0, n);
  w[0] = c;
  for (let i = 0; i + 1 < count; i++) {
    c = T[(c ^ buf[i + n]!) & 0xff]! ^ (c >>> 8) ^ drop[buf[i]!]!;
    w[i + 1] = c;
  }
  return w;
}
