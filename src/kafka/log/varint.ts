/**
 * Zigzag varints as Kafka writes them in records (org.apache.kafka.common.utils.ByteUtils).
 * Reads advance a shared cursor (`cursor.pos`) to avoid allocating a result per call.
 * Values are JS numbers: varlongs are exact up to 2^53.
 */
export const cursor = { pos: 0 };

/** Bytes a zigzag varint of v takes. */
export function sizeOfVarint(v: number): number {
  let z = zigzag(v);
  let n = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    n++;
  }
  return n;
}

function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

/** Writes a zigzag varint at pos; returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, v: number): number {
  let z = zigzag(v);
  while (z >= 128) {
    buf[pos++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[pos++] = z;
  return pos;
}

/** Reads a zigzag varint at cursor.pos and advances it. */
export function readVarint(buf: Uint8Array): number {
  let pos = cursor.pos;
  let b = buf[pos++]!;
  let z = b & 0x7f;
  let mul = 128;
  while (b & 0x80) {
    b = buf[pos++]!;
    z += (b & 0x7f) * mul;
    mul *= 128;
  }
  cursor.pos = pos;
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}
