/**
 * The one source of randomness in the cluster: a seeded integer PRNG (sfc32, seeded
 * through splitmix32). Nothing in `kafka/` may call Math.random; everything that needs a
 * random choice (network jitter, sticky partitions, load generators, replica placement)
 * draws from the Prng the cluster was built with, so a seed replays byte for byte.
 * Mirrors the role of TigerBeetle's stdx/prng.zig and Kafka's MockTime-driven tests.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** An integer in [0, bound). bound must be a positive integer below 2^32. */
  int(bound: number): number {
    if (!(bound > 0)) throw new RangeError(`Prng.int bound must be positive, got ${bound}`);
    return Math.floor(this.float() * bound);
  }

  /** An integer in [min, max], both inclusive. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** A float in [0, 1) with 32 bits of randomness. */
  float(): number {
    return this.nextU32() / 4294967296;
  }

  bool(pTrue = 0.5): boolean {
    return this.float() < pTrue;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Prng.pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** Fisher-Yates shuffle of a copy. */
  shuffled<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return out;
  }

  /** Fills a buffer with random bytes (load-generator values). */
  fill(buf: Uint8Array, start = 0, end = buf.length): void {
    let i = start;
    while (i + 4 <= end) {
      const v = this.nextU32();
      buf[i] = v;
      buf[i + 1] = v >>> 8;
      buf[i + 2] = v >>> 16;
      buf[i + 3] = v >>> 24;
      i += 4;
    }
    if (i < end) {
      const v = this.nextU32();
      for (let k = 0; i < end; i++, k += 8) buf[i] = v >>> k;
    }
  }

  /** Serialisable state, for persistence and rewind. */
  state(): [number, number, number, number] {
    return [this.a, this.b, this.c, this.d];
  }

  static fromState(s: readonly [number, number, number, number]): Prng {
    const p = new Prng(0);
    [p.a, p.b, p.c, p.d] = s;
    return p;
  }
}
