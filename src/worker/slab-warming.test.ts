import { afterEach, describe, expect, it } from 'vitest';
import { batchBytes, LARGE_SLAB_SIZE, provideSlabs, SLAB_SIZE } from '../kafka/log/record-batch';
import { SLAB_STREAMS, SlabQueue, SlabQueues, warmSlabs, type SlabStream, type WarmerPort } from './slab-warming';

afterEach(() => {
  provideSlabs(null);
  provideSlabs(null, LARGE_SLAB_SIZE);
});

const slabs = (n: number) => Array.from({ length: n }, () => new ArrayBuffer(SLAB_SIZE));
const stream = (ahead: number, maxAhead: number): SlabStream => ({ size: SLAB_SIZE, per: 1, ahead, maxAhead });

describe('SlabQueue', () => {
  it('hands out messages in arrival order and credits the thread once per message it starts on', () => {
    let credits = 0;
    const q = new SlabQueue(() => credits++, undefined, stream(1, 1)); // one ahead, never more (growth: below)
    expect(q.take()).toBeNull();
    const [a, b] = [slabs(2), slabs(1)];
    const [inA, inB] = [[...a], [...b]];
    q.add(a);
    q.add(b);
    expect(q.collect()).toBe(3);
    const taken = [q.take(), q.take(), q.take(), q.take()];
    expect(taken.slice(0, 2).every((s) => inA.includes(s!))).toBe(true);
    expect(taken[2]).toBe(inB[0]);
    expect(taken[3]).toBeNull();
    expect(credits).toBe(2);
    expect(q.taken).toBe(3);
  });

  it('pulls what has arrived when it has nothing queued (Node), and installs itself as batchBytes’ source', () => {
    const arrived = [slabs(1), slabs(1)];
    let credits = 0;
    const q = new SlabQueue(() => credits++, () => arrived.shift(), stream(1, 1));
    q.install();
    // Past the slab in use, batchBytes starts new ones: from the queue while it has them.
    const buffers = new Set<ArrayBufferLike>();
    for (let i = 0; i < 40; i++) buffers.add(batchBytes(8 * 1024).buffer);
    expect(q.taken).toBe(2);
    expect(credits).toBe(2);
    expect(buffers.size).toBeGreaterThanOrEqual(4); // the two given, and allocated ones after them
    expect(q.close()).toBe(true);
    expect(q.collect()).toBe(0);
    expect(q.close()).toBe(false); // once: the host ends its thread the first time only
  });

  it('keeps one message ahead while that suffices, one more each time none is ready, at most maxAhead', () => {
    let credits = 0;
    const q = new SlabQueue(() => credits++, undefined, stream(1, 3));
    // Before the thread's first message: nothing ready is the thread starting, not falling behind.
    expect(q.take()).toBeNull();
    expect([q.ahead, credits]).toEqual([1, 0]);
    q.add(slabs(2));
    q.take();
    q.take();
    expect([q.ahead, credits]).toEqual([1, 1]); // the message started: its replacement
    // The replacement has not come: the cluster fills slabs faster than one message ahead.
    expect(q.take()).toBeNull();
    expect([q.ahead, credits]).toEqual([2, 2]);
    expect(q.take()).toBeNull();
    expect(q.take()).toBeNull();
    expect(q.take()).toBeNull();
    expect([q.ahead, credits]).toEqual([3, 3]); // capped at maxAhead
    q.add(slabs(1));
    expect(q.take()).not.toBeNull();
    expect([q.ahead, credits]).toEqual([3, 4]);
    q.close();
    expect(q.take()).toBeNull();
    expect([q.ahead, credits]).toEqual([3, 4]); // closed: nothing more asked of the thread
  });

  it('a stream that starts with none ahead asks for one on its first miss, and grows only once that came', () => {
    let credits = 0;
    const q = new SlabQueue(() => credits++, undefined, stream(0, 4));
    expect(q.take()).toBeNull();
    expect([q.ahead, credits]).toEqual([1, 1]);
    expect(q.take()).toBeNull(); // asked for, not come yet: no more
    expect([q.ahead, credits]).toEqual([1, 1]);
    q.add(slabs(1));
    expect(q.take()).not.toBeNull();
    expect([q.ahead, credits]).toEqual([1, 2]);
    expect(q.take()).toBeNull();
    expect([q.ahead, credits]).toEqual([2, 3]);
  });

  it('after close, takes nothing in and batchBytes allocates its own slabs again', () => {
    const q = new SlabQueue(() => {});
    q.install();
    const given = slabs(1);
    const inGiven = given[0]!;
    q.close();
    q.add(given);
    expect(q.collect()).toBe(0);
    const seen = new Set<ArrayBufferLike>();
    for (let i = 0; i < 20; i++) seen.add(batchBytes(8 * 1024).buffer);
    expect(seen.has(inGiven)).toBe(false);
  });
});

describe('warmSlabs', () => {
  it('keeps `ahead` messages in flight, each of `per` zeroed slabs, and makes one more per credit', () => {
    const sent: ArrayBuffer[][] = [];
    const port: WarmerPort = { postMessage: (m) => sent.push(m as ArrayBuffer[]), onmessage: null };
    warmSlabs(port, { size: 8192, per: 3, ahead: 2, page: 4096 });
    expect(sent).toHaveLength(2);
    expect(sent.every((m) => m.length === 3 && m.every((s) => s.byteLength === 8192 && new Uint8Array(s).every((x) => x === 0)))).toBe(true);
    port.onmessage!({ data: 1 });
    expect(sent).toHaveLength(3);
    port.onmessage!({ data: 'nonsense' });
    expect(sent).toHaveLength(3);
  });
});

describe('SlabQueues', () => {
  it('installs every stream as the source of its size, sums what they hand out, and closes once', () => {
    const [small, large] = SLAB_STREAMS.map((st) => new SlabQueue(() => {}, undefined, st)) as [SlabQueue, SlabQueue];
    const all = new SlabQueues([small, large]);
    all.install();
    const bigOne = new ArrayBuffer(LARGE_SLAB_SIZE);
    small.add(slabs(1));
    large.add([bigOne]);
    expect(all.collect()).toBe(2);
    // Past what the slabs batchBytes may be filling hold: new ones of each size, the ready ones first.
    const smallBuffers = new Set<ArrayBufferLike>();
    const largeBuffers = new Set<ArrayBufferLike>();
    for (let i = 0; i < 20; i++) smallBuffers.add(batchBytes(8 * 1024).buffer);
    for (let i = 0; i < 40; i++) largeBuffers.add(batchBytes(60 * 1024).buffer);
    expect(largeBuffers.has(bigOne)).toBe(true);
    expect(all.taken).toBe(2);
    expect(all.close()).toBe(true);
    expect(all.close()).toBe(false);
    expect(all.collect()).toBe(0);
  });
});
