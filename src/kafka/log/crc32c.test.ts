import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c';

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
