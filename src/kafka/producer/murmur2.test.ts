import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey, toPositive, utf8 } from './murmur2';

describe('murmur2 (Kafka UtilsTest.testMurmur2)', () => {
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ])('murmur2(%s) = %i', (s, expected) => {
    expect(murmur2(utf8(s))).toBe(expected);
  });

  it('hashes raw bytes (Kafka: bytes "abc" → 479470107)', () => {
    expect(murmur2(new Uint8Array([0x61, 0x62, 0x63]))).toBe(479470107);
  });

  it('covers every tail length and the empty key, returning signed 32-bit ints', () => {
    for (let n = 0; n < 12; n++) {
      const h = murmur2(new Uint8Array(n).fill(0xff));
      expect(Number.isInteger(h)).toBe(true);
      expect(h).toBe(h | 0);
    }
  });

  it('toPositive is a mask, not abs', () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(5)).toBe(5);
  });

  it('partitions with toPositive(murmur2(key)) % numPartitions', () => {
    expect(partitionForKey(utf8('21'), 1_000_000_007)).toBe((-973932308 & 0x7fffffff) % 1_000_000_007);
    expect(partitionForKey(utf8('foobar'), 3)).toBe((-790332482 & 0x7fffffff) % 3);
    expect(partitionForKey(utf8('foobar'), 1)).toBe(0);
  });

  it('encodes keys as UTF-8', () => {
    expect([...utf8('é€')]).toEqual([0xc3, 0xa9, 0xe2, 0x82, 0xac]);
  });
});
