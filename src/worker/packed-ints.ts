/**
 * Integers as a short string (issue 10: the bytes a frame costs). Each integer is zigzag
 * coded (0, -1, 1, -2, ... → 0, 1, 2, 3, ...) and written in base-32 digits, least
 * significant first, one character each from the URL-safe base-64 alphabet: the first 32
 * characters end a number, the last 32 say more digits follow. A small number (−16..15) is
 * one character, where JSON spends two to ten on it and a comma. Safe integers up to
 * ±2^51 only, and not −0 (`packable`); the caller sends anything else another way.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

const LIMIT = 2 ** 51;

/** Whether `n` can be packed. */
export function packable(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n < LIMIT && n > -LIMIT && !Object.is(n, -0);
}

/** 0, -1, 1, -2, ... as 0, 1, 2, 3, ... (and back): how a packed integer's sign is kept. */
export const zigzag = (n: number): number => (n >= 0 ? n * 2 : -n * 2 - 1);
export const unzigzag = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

/** Appends packable integers to a string as they come. */
export class IntPacker {
  private s = '';
  push(...ns: number[]): void {
    for (const n of ns) this.one(n);
  }
  private one(n: number): void {
    if (!packable(n)) throw new Error(`Cannot pack ${n}: not an integer within ±2^51 (or −0).`);
    let z = zigzag(n);
    let out = '';
    while (z >= 32) {
      out += ALPHABET[32 + (z % 32)];
      z = Math.floor(z / 32);
    }
    this.s += out + ALPHABET[z];
  }
  get length(): number {
    return this.s.length;
  }
  toString(): string {
    return this.s;
  }
}

/** Reads back what IntPacker wrote; throws on a malformed string or reading past its end. */
export class IntReader {
  private i = 0;
  constructor(private readonly s: string) {}
  get done(): boolean {
    return this.i >= this.s.length;
  }
  next(): number {
    let z = 0;
    let scale = 1;
    for (;;) {
      if (this.i >= this.s.length) throw new Error('Packed integers end in the middle of a number.');
      const c = this.s.charCodeAt(this.i++);
      const v = c < 128 ? VALUE[c]! : -1;
      if (v < 0) throw new Error(`Packed integers hold a character that is no digit: ${JSON.stringify(String.fromCharCode(c))}.`);
      if (v < 32) {
        z += v * scale;
        break;
      }
      z += (v - 32) * scale;
      scale *= 32;
    }
    return unzigzag(z);
  }
}

export function packInts(nums: readonly number[]): string {
  const p = new IntPacker();
  for (const n of nums) p.push(n);
  return p.toString();
}

export function unpackInts(s: string): number[] {
  const r = new IntReader(s);
  const out: number[] = [];
  while (!r.done) out.push(r.next());
  return out;
}
