import { afterEach, describe, expect, it } from 'vitest';
import { batchBytes, provideSlabs, SLAB_SIZE } from '../kafka/log/record-batch';
import { SlabQueue, warmSlabs, type WarmerPort } from './slab-warming';

afterEach(() => provideSlabs(null));

const slabs = (n: number) => Array.from({ length: n }, () => new ArrayBuffer(SLAB_SIZE));

describe('SlabQueue', () => {
  it('hands out messages in arrival order and credits the thread once per message it starts on', () => {
    let credits = 0;
    const q = new SlabQueue(() => credits++);
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
    const q = new SlabQueue(() => credits++, () => arrived.shift());
    q.install();
    // Past the slab in use, batchBytes starts new ones: from the queue while it has them.
    const buffers = new Set<ArrayBufferLike>();
    for (let i = 0; i < 40; i++) buffers.add(batchBytes(8 * 1024).buffer);
    expect(q.taken).toBe(2);
    expect(credits).toBe(2);
    expect(buffers.size).toBeGreaterThanOrEqual(4); // the two given, and allocated ones after them
    q.uninstall();
    expect(q.collect()).toBe(0);
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
