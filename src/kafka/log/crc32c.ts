/**
 * CRC-32C (Castagnoli), as Kafka's record batch v2 uses it (org.apache.kafka.common.utils.Crc32C).
 * Slicing-by-4 tables; no allocation per call.
 */
const POLY = 0x82f63b78;
const T = new Int32Array(4 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  T[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = T[n]!;
  for (let k = 1; k < 4; k++) {
    c = T[c & 0xff]! ^ (c >>> 8);
    T[k * 256 + n] = c;
  }
}

/** Unsigned CRC-32C of buf[start, end). */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = -1;
  let i = start;
  const end4 = end - ((end - start) & 3);
  while (i < end4) {
    crc ^= buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
    crc = T[768 + (crc & 0xff)]! ^ T[512 + ((crc >>> 8) & 0xff)]! ^ T[256 + ((crc >>> 16) & 0xff)]! ^ T[crc >>> 24]!;
    i += 4;
  }
  while (i < end) crc = T[(crc ^ buf[i++]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
