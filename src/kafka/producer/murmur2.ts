/**
 * Kafka's murmur2 and the default partitioner's keyed rule, bit for bit as the Java client
 * (clients/src/main/java/org/apache/kafka/common/utils/Utils.java murmur2/toPositive, and
 * producer/internals/BuiltInPartitioner.partitionForKey): 32-bit wrapping arithmetic.
 */
const encoder = new TextEncoder();

/** UTF-8 bytes of a string (Kafka's StringSerializer). */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** murmur2 of data[0, length) (the whole array by default). */
export function murmur2(data: Uint8Array, length = data.length): number {
  const m = 0x5bd1e995;
  const r = 24;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4]! & 0xff) | ((data[i4 + 1]! & 0xff) << 8) | ((data[i4 + 2]! & 0xff) << 16) | ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = length & ~3;
  const rest = length % 4;
  if (rest === 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's toPositive: a mask, not Math.abs. */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition of a keyed record: toPositive(murmur2(key)) % numPartitions. */
export function partitionForKey(keyBytes: Uint8Array, numPartitions: number, length = keyBytes.length): number {
  return toPositive(murmur2(keyBytes, length)) % numPartitions;
}
