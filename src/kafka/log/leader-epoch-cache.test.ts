import { describe, expect, it } from 'vitest';
import { Prng } from '../sim/prng';
import { LeaderEpochCache } from './leader-epoch-cache';

function cache(...entries: [number, number][]): LeaderEpochCache {
  const c = new LeaderEpochCache();
  for (const [e, o] of entries) c.assign(e, o);
  return c;
}

describe('LeaderEpochCache (LeaderEpochFileCacheTest cases)', () => {
  it('answers endOffsetFor like Kafka', () => {
    const c = cache([1, 0], [2, 10], [5, 25]);
    // The latest epoch: the log end offset.
    expect(c.endOffsetFor(5, 40)).toEqual({ leaderEpoch: 5, endOffset: 40 });
    // A known earlier epoch: where the next one starts.
    expect(c.endOffsetFor(2, 40)).toEqual({ leaderEpoch: 2, endOffset: 25 });
    // An unknown epoch between known ones: the largest epoch below it, and where the next starts.
    expect(c.endOffsetFor(3, 40)).toEqual({ leaderEpoch: 2, endOffset: 25 });
    expect(c.endOffsetFor(4, 40)).toEqual({ leaderEpoch: 2, endOffset: 25 });
    // Below every known epoch: the requested epoch and the earliest start (data before it is gone).
    expect(c.endOffsetFor(0, 40)).toEqual({ leaderEpoch: 0, endOffset: 0 });
    // Above the latest, and undefined: (-1, -1).
    expect(c.endOffsetFor(6, 40)).toEqual({ leaderEpoch: -1, endOffset: -1 });
    expect(c.endOffsetFor(-1, 40)).toEqual({ leaderEpoch: -1, endOffset: -1 });
    expect(new LeaderEpochCache().endOffsetFor(0, 10)).toEqual({ leaderEpoch: -1, endOffset: -1 });
  });

  it('assigns only newer epochs and keeps both columns increasing', () => {
    const c = cache([2, 10]);
    c.assign(2, 15); // same epoch, later offset: no change
    c.assign(1, 20); // older epoch: ignored
    expect(c.entries()).toEqual([{ epoch: 2, startOffset: 10 }]);
    c.assign(2, 8); // same epoch, earlier offset: replaces (isUpdateNeeded)
    expect(c.entries()).toEqual([{ epoch: 2, startOffset: 8 }]);
    c.assign(3, 8); // a new epoch starting where an empty one started replaces it
    expect(c.entries()).toEqual([{ epoch: 3, startOffset: 8 }]);
    c.assign(4, 5); // a newer epoch at a lower offset removes entries at or after it
    expect(c.entries()).toEqual([{ epoch: 4, startOffset: 5 }]);
    c.assign(-1, 30); // batches without an epoch leave no entry
    expect(c.latestEpoch()).toBe(4);
    expect(new LeaderEpochCache().latestEpoch()).toBe(-1);
  });

  it('truncates from the end and from the start', () => {
    const c = cache([0, 0], [2, 10], [5, 25]);
    c.truncateFromEnd(25);
    expect(c.entries()).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 2, startOffset: 10 },
    ]);
    c.truncateFromEnd(100);
    expect(c.size).toBe(2);
    c.truncateFromStart(11);
    expect(c.entries()).toEqual([{ epoch: 2, startOffset: 11 }]);
    const d = cache([0, 0], [2, 10]);
    d.truncateFromStart(10);
    expect(d.entries()).toEqual([{ epoch: 2, startOffset: 10 }]);
    d.truncateFromStart(5); // moving backwards changes nothing
    expect(d.entries()).toEqual([{ epoch: 2, startOffset: 10 }]);
  });

  it('clones and serialises independently', () => {
    const c = cache([0, 0], [3, 7]);
    const copy = c.clone();
    c.assign(4, 9);
    expect(copy.entries()).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 3, startOffset: 7 },
    ]);
    const json = JSON.parse(JSON.stringify(c.entries())) as { epoch: number; startOffset: number }[];
    expect(LeaderEpochCache.from(json).entries()).toEqual(c.entries());
    expect(c.previousEpoch(4)).toBe(3);
    expect(c.previousEpoch(0)).toBe(-1);
  });
});

describe('LeaderEpochCache mirror (UnifiedLog keeps the latest entry as its own fields)', () => {
  it('follows the latest entry through assign, truncations and clear (300 seeds)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rng = new Prng(seed);
      const c = new LeaderEpochCache();
      const m = { epochLatest: 99, epochLatestStart: 99 };
      c.attach(m);
      const expectMirrored = (what: string) => {
        const last = c.latestEntry();
        expect(m, `seed ${seed} ${what}`).toEqual({ epochLatest: last?.epoch ?? -1, epochLatestStart: last?.startOffset ?? -1 });
      };
      expectMirrored('attach');
      for (let step = 0; step < 60; step++) {
        const op = rng.int(10);
        if (op < 6) c.assign(rng.int(12) - 1, rng.int(60) - 1);
        else if (op === 6) c.truncateFromEnd(rng.int(60));
        else if (op === 7) c.truncateFromStart(rng.int(60));
        else if (op === 8 && rng.bool(0.3)) c.clear();
        expectMirrored(`step ${step} op ${op}`);
      }
    }
  });

  it('an attached log skips assign exactly when assign would change nothing', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rng = new Prng(seed);
      const c = new LeaderEpochCache();
      const m = { epochLatest: -1, epochLatestStart: -1 };
      c.attach(m);
      for (let step = 0; step < 60; step++) {
        const epoch = rng.int(8) - 1;
        const start = rng.int(60) - 1;
        const before = JSON.stringify(c.entries());
        const skipped = epoch === m.epochLatest && start >= m.epochLatestStart;
        c.assign(epoch, start);
        if (skipped) expect(JSON.stringify(c.entries()), `seed ${seed} step ${step}`).toBe(before);
      }
    }
  });
});
