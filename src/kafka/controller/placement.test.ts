import { describe, expect, it } from 'vitest';
import { Prng } from '../sim/prng';
import { placeReplicas } from './placement';

describe('placeReplicas (StripedReplicaPlacer)', () => {
  const brokers = [
    { id: 1, rack: 'a' },
    { id: 2, rack: 'b' },
    { id: 3, rack: 'c' },
    { id: 4, rack: 'a' },
    { id: 5, rack: 'b' },
    { id: 6, rack: 'c' },
  ];

  it('puts every replica of a partition in its own rack when RF ≤ racks', () => {
    const out = placeReplicas(brokers, 12, 3, new Prng(1));
    expect(out).toHaveLength(12);
    for (const replicas of out) {
      expect(new Set(replicas).size).toBe(3);
      const racks = replicas.map((id) => brokers.find((b) => b.id === id)!.rack);
      expect(new Set(racks).size).toBe(3);
    }
  });

  it('spreads leadership (first replica) over brokers', () => {
    const out = placeReplicas(brokers, 60, 3, new Prng(2));
    const leaders = new Map<number, number>();
    for (const r of out) leaders.set(r[0]!, (leaders.get(r[0]!) ?? 0) + 1);
    expect(leaders.size).toBe(6);
    for (const n of leaders.values()) expect(n).toBeGreaterThanOrEqual(5);
  });

  it('never places two replicas on one broker, with more replicas than racks', () => {
    for (let seed = 0; seed < 50; seed++) {
      const out = placeReplicas(brokers, 7, 5, new Prng(seed));
      for (const r of out) expect(new Set(r).size).toBe(5);
    }
  });

  it('treats brokers without a rack as racks of their own', () => {
    const out = placeReplicas([{ id: 1, rack: null }, { id: 2, rack: null }, { id: 3, rack: null }], 3, 3, new Prng(3));
    for (const r of out) expect([...r].sort()).toEqual([1, 2, 3]);
  });

  it('is deterministic for a seed', () => {
    expect(placeReplicas(brokers, 10, 3, new Prng(9))).toEqual(placeReplicas(brokers, 10, 3, new Prng(9)));
  });

  it('refuses a replication factor above the broker count', () => {
    expect(() => placeReplicas(brokers.slice(0, 2), 1, 3, new Prng(1))).toThrow(RangeError);
  });
});
