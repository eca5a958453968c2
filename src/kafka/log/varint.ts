/**
 * Zigzag varints as Kafka writes them inside records (clients/src/main/java/org/apache/
 * kafka/common/utils/ByteUtils.java: writeVarint/readVarint for ints, writeVarlong/
 * readVarlong for longs). The encoding is the same for both; only the range differs.
 *
 * Zero allocation: writers take (buf, pos) and return the position after the value;
 * readers read at the shared `cursor.pos` and advance it (one module-level cursor, as the
 * simulator is single-threaded and no reader re-enters another mid-value).
 *
 * Values are JS numbers. Int32-range values take a bit-operation fast path; beyond it
 * (varlongs such as timestamp deltas) arithmetic keeps them exact while the zigzag form
 * (2|v|, or 2|v| - 1) stays within 2^53, i.e. for |v| ≤ 2^52: far past any offset or
 * millisecond delta the simulator produces.
 */
export const cursor = { pos: 0 };

const TWO_31 = 2147483648;

/** Bytes the zigzag varint of v takes (ByteUtils.sizeOfVarint / sizeOfVarlong). */
export function sizeOfVarint(v: number): number {
  if (v >= -TWO_31 && v < TWO_31) {
    const z = ((v << 1) ^ (v >> 31)) >>> 0;
    if (z < 0x80) return 1;
    if (z < 0x4000) return 2;
    if (z < 0x200000) return 3;
    if (z < 0x10000000) return 4;
    return 5;
  }
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    n++;
  }
  return n;
}

/** Writes the zigzag varint of v at pos; returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, v: number): number {
  if (v >= -TWO_31 && v < TWO_31) {
    let z = ((v << 1) ^ (v >> 31)) >>> 0;
    while (z >= 0x80) {
      buf[pos++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
    buf[pos++] = z;
    return pos;
  }
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  while (z >= 128) {
    buf[pos++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[pos++] = z;
  return pos;
}

/** Reads the zigzag varint at cursor.pos and advances the cursor past it. */
export function readVarint(buf: Uint8Array): number {
  let pos = cursor.pos;
  let b = buf[pos++]!;
  if (b < 0x80) {
    // One byte: the common case for lengths < 64, deltas, counts.
    cursor.pos = pos;
    return (b >>> 1) ^ -(b & 1);
  }
  let z = b & 0x7f;
  let shift = 7;
  // Up to 4 bytes (28 bits) fit bit operations.
  while (shift < 28) {
    b = buf[pos++]!;
    z |= (b & 0x7f) << shift;
    if (b < 0x80) {
      cursor.pos = pos;
      return (z >>> 1) ^ -(z & 1);
    }
    shift += 7;
  }
  // Longer: exact arithmetic up to 2^53.
  let mul = 268435456; // 2^28
  do {
    b = buf[pos++]!;
    z += (b & 0x7f) * mul;
    mul *= 128;
  } while (b & 0x80);
  cursor.pos = pos;
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Kafka's names for the 64-bit forms; same encoding, same range handling. */
export const sizeOfVarlong = sizeOfVarint;
export const writeVarlong = writeVarint;
export const readVarlong = readVarint;
