import { describe, expect, it } from 'vitest';
import { cloneGraph } from '../checkpoint';
import { utf8 } from '../producer/murmur2';
import { Prng } from '../sim/prng';
import { LogSegment, SHARED_SEGMENT_LISTS } from './log-segment';
import { RecordBatchBuilder, batchBaseOffset, setBatchBaseOffset } from './record-batch';
import { samePlace } from '../test-support/same-place';
import { PlaceMap } from './place-map';

/** A batch of n records at base offset `base`. */
function batchAt(base: number, n = 1): Uint8Array {
  const b = new RecordBatchBuilder({ baseTimestamp: 1000 + base, batchSize: 1 << 16 });
  for (let i = 0; i < n; i++) b.tryAppend(1000 + base + i, utf8(`k${base + i}`), utf8(`v${base + i}`));
  const out = b.build();
  setBatchBaseOffset(out, base);
  return out;
}

const bases = (s: LogSegment) => s.batchList().map((b) => batchBaseOffset(b));

describe('LogSegment copies share the batch list', () => {
  it('SHARED_SEGMENT_LISTS names exactly the field storedBatches hands out, the only list a segment keeps', () => {
    const seg = new LogSegment(0);
    const appended = [0, 1, 2].map((o) => batchAt(o));
    for (const b of appended) seg.append(b);
    const fields = seg as unknown as Record<string, unknown>;
    // A renamed field would leave the set naming nothing, and every copy slicing its list again.
    expect([...SHARED_SEGMENT_LISTS].map((k) => fields[k])).toEqual([seg.storedBatches()]);
    // No array and no other object per batch (the base offsets are read from the batches' headers).
    expect(Object.keys(fields).filter((k) => typeof fields[k] === 'object' && fields[k] !== null)).toEqual([...SHARED_SEGMENT_LISTS]);
    expect([0, 1, 2].map((i) => seg.baseAt(i))).toEqual([0, 1, 2]);
  });

  it('moves batches to copies of their bytes, however the runs of buffers fall, and every holder reads them there', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rng = new Prng(seed);
      const seg = new LogSegment(0);
      const appended: Uint8Array[] = [];
      for (let o = 0; o < 30; o++) {
        const built = batchAt(o);
        appended.push(rng.int(2) === 0 ? built.slice() : built);
        seg.append(appended[o]!);
      }
      const copy = cloneGraph(seg);
      // Move a random half into one new buffer, 8-aligned as slabs place them.
      const moving = appended.filter(() => rng.int(2) === 0);
      const pack = new ArrayBuffer(moving.reduce((n, b) => n + ((b.length + 7) & ~7), 0));
      const copies = new PlaceMap<Uint8Array>();
      let pos = 0;
      for (const b of moving) {
        const c = new Uint8Array(pack, pos, b.length);
        c.set(b);
        copies.add(b.buffer, b.byteOffset, c);
        pos += (b.length + 7) & ~7;
      }
      seg.moveToSameBytes((buffer, start) => copies.get(buffer, start));
      const want = appended.map((b) => copies.get(b.buffer, b.byteOffset) ?? b);
      for (const holder of [seg, copy]) {
        expect(holder.count).toBe(30);
        expect(want.every((b, i) => samePlace(holder.batchAt(i), b) && holder.baseAt(i) === i && holder.lengthAt(i) === b.length)).toBe(true);
      }
      expect(moving.length === 0 || seg.batchList().some((b) => b.buffer === pack)).toBe(true);
    }
  });

  it('keeps no object per batch: a read far from the tail is a new view of the appended bytes, near it the appended view', () => {
    const seg = new LogSegment(0);
    const appended = Array.from({ length: 40 }, (_, o) => batchAt(o));
    for (const b of appended) seg.append(b);
    expect(appended.every((b, i) => samePlace(seg.batchAt(i), b))).toBe(true);
    // The oldest batches are no longer held as the objects appended (they could be collected).
    expect(seg.batchAt(0)).not.toBe(appended[0]);
    expect(seg.batchAt(0)).not.toBe(seg.batchAt(0));
    // Fetches that keep up read the last batches: the very views appended, no new object.
    expect(seg.batchAt(39)).toBe(appended[39]);
    expect(seg.lastBatch).toBe(appended[39]);
  });

  it('a copy shares the arrays; whoever appends first takes the tail, the other copies its own prefix', () => {
    const seg = new LogSegment(0);
    for (let o = 0; o < 3; o++) seg.append(batchAt(o));
    const copy = cloneGraph(seg);
    expect(copy).not.toBe(seg);
    // One batch list for both: a checkpoint costs O(1) a segment.
    expect(copy.storedBatches()).toBe(seg.storedBatches());

    seg.append(batchAt(3));
    expect(seg.storedBatches()).toBe(copy.storedBatches()); // appended in place
    expect(bases(seg)).toEqual([0, 1, 2, 3]);
    expect(bases(copy)).toEqual([0, 1, 2]);
    expect(copy.findBatchIndex(3)).toBe(3); // the copy does not see the original's batch
    expect(copy.lastBatch && batchBaseOffset(copy.lastBatch)).toBe(2);

    copy.append(batchAt(3, 2)); // another batch at offset 3 (a diverged timeline)
    expect(copy.storedBatches()).not.toBe(seg.storedBatches());
    expect(bases(copy)).toEqual([0, 1, 2, 3]);
    expect(copy.batchAt(3).length).not.toBe(seg.batchAt(3).length);
    expect(copy.nextOffset).toBe(5);
    expect(seg.nextOffset).toBe(4);
  });

  it('truncation never shortens a shared list under another holder', () => {
    const seg = new LogSegment(0);
    for (let o = 0; o < 5; o++) seg.append(batchAt(o));
    const copy = cloneGraph(seg);
    const sizeBefore = copy.sizeInBytes;
    expect(seg.truncateTo(2)).toBeGreaterThan(0);
    expect(bases(seg)).toEqual([0, 1]);
    expect(bases(copy)).toEqual([0, 1, 2, 3, 4]);
    expect(copy.sizeInBytes).toBe(sizeBefore);
    seg.append(batchAt(2, 3));
    expect(bases(copy)).toEqual([0, 1, 2, 3, 4]);
    expect(samePlace(copy.batchAt(2), seg.batchAt(2))).toBe(false);
    copy.append(batchAt(5));
    expect(bases(copy)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(bases(seg)).toEqual([0, 1, 2]);
  });

  it('random appends, truncations and copies: every holder reads exactly what a private list would hold', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rng = new Prng(seed);
      // Each holder beside a model: the plain list of its batches.
      const holders: { seg: LogSegment; model: Uint8Array[] }[] = [{ seg: new LogSegment(0), model: [] }];
      for (let step = 0; step < 200; step++) {
        const h = holders[rng.int(holders.length)]!;
        const r = rng.float();
        if (r < 0.6) {
          const base = h.seg.nextOffset;
          const built = batchAt(base, 1 + rng.int(3));
          // Some in a buffer of their own: a list then holds runs of batches in several buffers.
          const b = rng.int(3) === 0 ? built.slice() : built;
          h.seg.append(b);
          h.model.push(b);
        } else if (r < 0.75 && h.model.length > 0) {
          const to = batchBaseOffset(h.model[rng.int(h.model.length)]!);
          h.seg.truncateTo(to);
          h.model = h.model.filter((b) => batchBaseOffset(b) < to);
        } else if (holders.length < 8) {
          holders.push({ seg: cloneGraph(h.seg), model: h.model.slice() });
        }
        for (const x of holders) {
          const wrong = x.seg.count !== x.model.length || x.model.some((b, i) => !samePlace(x.seg.batchAt(i), b) || x.seg.baseAt(i) !== batchBaseOffset(b) || x.seg.lengthAt(i) !== b.length);
          if (wrong) expect.fail(`seed ${seed} step ${step}: holds ${bases(x.seg).join(',')}, should hold ${x.model.map((b) => batchBaseOffset(b)).join(',')}`);
          expect(x.seg.sizeInBytes).toBe(x.model.reduce((n, b) => n + b.length, 0));
        }
      }
      for (const x of holders) expect(x.seg.batchList()).toEqual(x.model);
    }
  });
});

describe('LogSegment.findBatchIndex', () => {
  /** The first batch whose last offset is ≥ offset, by walking every batch. */
  const byWalk = (batches: Uint8Array[], offset: number) => {
    const i = batches.findIndex((b) => batchBaseOffset(b) + b[26]! >= offset); // last offset delta's low byte (< 256 records)
    return i < 0 ? batches.length : i;
  };

  it('agrees with a walk over the batches for every offset, at the tail and deep in the segment, with gaps', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const rng = new Prng(seed);
      const seg = new LogSegment(10);
      const batches: Uint8Array[] = [];
      let next = 10;
      const n = rng.int(40);
      for (let k = 0; k < n; k++) {
        next += rng.int(3); // gaps, as compaction leaves them
        const b = batchAt(next, 1 + rng.int(4));
        seg.append(b);
        batches.push(b);
        next += 1 + b[26]!;
      }
      for (let offset = 0; offset <= next + 2; offset++) {
        const want = byWalk(batches, offset);
        if (seg.findBatchIndex(offset) !== want) expect.fail(`seed ${seed}, ${n} batches: offset ${offset} found ${seg.findBatchIndex(offset)}, should be ${want}`);
      }
    }
  });
});
