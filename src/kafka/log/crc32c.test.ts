import { describe, expect, it } from 'vitest';
import { crc32c, crc32cShift, crc32cShiftTable, crc32cShiftWith, crc32cUpdate, crc32cWindows } from './crc32c';

/** Bit by bit, straight from the polynomial: the reference the table-driven paths must match. */
function reference(buf: Uint8Array, start: number, end: number): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) {
    crc ^= buf[i]!;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('gives the CRC-32C check value of "123456789"', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });

  it('matches the bitwise reference on the byte path and the word path (every alignment, lengths around 64 and 16-byte blocks)', () => {
    const data = new Uint8Array(5000);
    let x = 12345;
    for (let i = 0; i < data.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) | 0;
      data[i] = x >>> 24;
    }
    const lengths = [0, 1, 7, 8, 15, 16, 17, 63, 64, 65, 79, 80, 81, 100, 495, 511, 512, 513, 515, 527, 528, 529, 1000, 4093, 4096];
    for (const len of lengths) {
      for (let start = 0; start < 9; start++) {
        expect(crc32c(data, start, start + len), `start ${start} length ${len}`).toBe(reference(data, start, start + len));
      }
    }
  });

  it('reads a view at any byte offset of its buffer the same as a copy', () => {
    const data = new Uint8Array(3000).map((_, i) => (i * 7919 + 13) & 0xff);
    for (let off = 0; off < 8; off++) {
      const view = data.subarray(off, off + 2048);
      expect(crc32c(view, 21, view.length)).toBe(reference(view.slice(), 21, view.length));
    }
  });

  it('gives each buffer its own answer when calls switch between buffers (the kept word view follows the buffer), odd sizes included', () => {
    const a = new Uint8Array(4099).map((_, i) => (i * 31 + 7) & 0xff);
    const b = new Uint8Array(1027).map((_, i) => (i * 17 + 3) & 0xff);
    for (let k = 0; k < 40; k++) {
      const from = k * 13;
      const len = 64 + ((k * 37) % 400);
      const src = k % 2 === 0 ? a : b;
      const to = Math.min(src.length, from + len);
      // A view into the buffer's tail: its last word ends at the buffer's odd end.
      const tail = new Uint8Array(src.buffer, src.length - 100, 100);
      expect(crc32c(src, from, to), `buffer ${k % 2} from ${from}`).toBe(reference(src, from, to));
      expect(crc32c(tail, 1, 100), `tail of buffer ${k % 2}`).toBe(reference(tail, 1, 100));
    }
  });
});

/** Deterministic bytes (a linear congruential generator's top byte). */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A deterministic stream of 32-bit integers for lengths, offsets and registers. */
function numbers(seed: number): () => number {
  let x = seed | 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** The raw register bit by bit from `state` (no initial value, no final xor). */
function referenceRaw(state: number, buf: Uint8Array, start: number, end: number): number {
  let crc = state >>> 0;
  for (let i = start; i < end; i++) {
    crc ^= buf[i]!;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return crc | 0;
}

const LENGTHS = [0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 40, 63, 64, 65, 90, 127, 128, 129, 1000, 4095, 4096, 4097, 9000];

describe('crc32cUpdate, crc32cShift and their combination (CRC linearity)', () => {
  it('crc32cUpdate from -1, finished with ~, is crc32c; from any register it is the bitwise raw update', () => {
    const next = numbers(7);
    const data = randomBytes(10000, 99);
    for (const len of LENGTHS) {
      for (let k = 0; k < 6; k++) {
        const start = next() % (data.length - len + 1);
        expect((crc32cUpdate(-1, data, start, start + len) ^ -1) >>> 0, `length ${len} at ${start}`).toBe(crc32c(data, start, start + len));
        const state = next() | 0;
        if (len <= 4097) expect(crc32cUpdate(state, data, start, start + len), `from ${state} length ${len}`).toBe(referenceRaw(state, data, start, start + len));
      }
    }
  });

  it('feeding a message in pieces at random split points gives crc32c of the whole, also in views at odd byte offsets', () => {
    const next = numbers(11);
    const backing = randomBytes(20000, 5);
    for (let round = 0; round < 300; round++) {
      const off = next() % 16;
      const len = round < LENGTHS.length ? LENGTHS[round]! : next() % 5000;
      const view = new Uint8Array(backing.buffer, off, len + 32);
      const start = next() % 32;
      const end = start + len;
      // Up to four cut points, sorted.
      const cuts = [start, ...Array.from({ length: next() % 5 }, () => start + (next() % (len + 1))), end].sort((a, b) => a - b);
      let state = -1;
      for (let i = 0; i + 1 < cuts.length; i++) state = crc32cUpdate(state, view, cuts[i]!, cuts[i + 1]!);
      expect((state ^ -1) >>> 0, `round ${round}: offset ${off}, cuts ${cuts.join(',')}`).toBe(crc32c(view, start, end));
      expect((state ^ -1) >>> 0).toBe(reference(view.slice(start, end), 0, len));
    }
  });

  it('R(c, A || B) = crc32cShift(R(c, A), |B|) ^ R(0, B) for random splits and registers (crc32_combine), and shifting by n is updating by n zero bytes', () => {
    const next = numbers(23);
    const data = randomBytes(12000, 77);
    for (let round = 0; round < 400; round++) {
      const lenA = round < LENGTHS.length ? LENGTHS[round]! : next() % 3000;
      const lenB = round < LENGTHS.length ? LENGTHS[LENGTHS.length - 1 - round]! : next() % 3000;
      const a0 = next() % (data.length - lenA - lenB + 1);
      const mid = a0 + lenA;
      const end = mid + lenB;
      const c = round % 3 === 0 ? -1 : next() | 0;
      const whole = crc32cUpdate(c, data, a0, end);
      const combined = crc32cShift(crc32cUpdate(c, data, a0, mid), lenB) ^ crc32cUpdate(0, data, mid, end);
      expect(combined, `round ${round}: |A| ${lenA} |B| ${lenB}`).toBe(whole);
      // The final CRC the same way: ~(Z_|B|(R(-1, A)) ^ R(0, B)).
      if (c === -1) expect((~(crc32cShift(crc32cUpdate(-1, data, a0, mid), lenB) ^ crc32cUpdate(0, data, mid, end))) >>> 0).toBe(crc32c(data, a0, end));
    }
    for (let i = 0; i < 50; i++) {
      const c = next() | 0;
      const a = next() * 4096 + next();
      const b = next() % 100000;
      expect(crc32cShift(crc32cShift(c, a), b), `${a} then ${b} zero bytes`).toBe(crc32cShift(c, a + b));
    }
    const zeros = new Uint8Array(70000);
    for (const n of [0, 1, 3, 8, 16, 64, 100, 4096, 65537, 70000]) {
      const c = next() | 0;
      expect(crc32cShift(c, n), `${n} zero bytes`).toBe(crc32cUpdate(c, zeros, 0, n));
    }
  });

  it('the table form of Z_n equals crc32cShift for every byte of the register, and is cached per n', () => {
    const next = numbers(31);
    // crc32cShiftTable multiplies by x^(8n) (zlib's x2nmodp); crc32cShift composes tables of
    // Z_{2^k} over n's bits: two ways, also past 2^31 and 2^32 bytes.
    for (const n of [0, 1, 2, 5, 7, 8, 15, 16, 17, 63, 64, 65, 88, 90, 91, 4000, 4095, 4096, 100000, 2 ** 31 - 1, 2 ** 31 + 5, 2 ** 32 + 7, 2 ** 40 + 3]) {
      const t = crc32cShiftTable(n);
      expect(crc32cShiftTable(n)).toBe(t);
      for (let k = 0; k < 4; k++) {
        for (let b = 0; b < 256; b++) expect(crc32cShiftWith(t, b << (8 * k)), `n ${n}, byte ${k} = ${b}`).toBe(crc32cShift(b << (8 * k), n));
      }
      for (let i = 0; i < 200; i++) {
        const c = next() | 0;
        expect(crc32cShiftWith(t, c), `n ${n}, register ${c}`).toBe(crc32cShift(c, n));
      }
    }
  });

  it('crc32cWindows gives R(0, window) of every window of n bytes', () => {
    const buf = randomBytes(700, 3);
    for (const n of [0, 1, 7, 8, 16, 65, 90, 699, 700]) {
      const w = crc32cWindows(buf, n);
      expect(w.length).toBe(buf.length - n + 1);
      for (let i = 0; i < w.length; i++) expect(w[i], `n ${n} at ${i}`).toBe(crc32cUpdate(0, buf, i, i + n));
    }
    expect(crc32cWindows(buf, 701).length).toBe(0);
  });
});
