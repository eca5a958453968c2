/**
 * Rack-aware assignment (KIP-881), cases from Kafka's own tests: RangeAssignorTest and
 * AbstractStickyAssignorTest (run there for StickyAssignor and CooperativeStickyAssignor),
 * with AbstractPartitionAssignorTest.verifyRackAssignment's topology: broker i sits in
 * brokerRacks[i], partition p of the k-th topic has replicas on brokers (p + j + offset) % n,
 * offset being the partitions of the topics before it. Cases that need the test-only switch
 * preferRackAwareLogic=true are left out (production never sets it).
 */
import { describe, expect, it } from 'vitest';
import type { TopicPartition } from '../snapshot';
import { assignorByName, assignorMember, useRackAwareAssignment, type PartitionRacks } from './assignors';

const ALL_RACKS = ['a', 'b', 'c', 'd', 'e', 'f'];
const racks = (n: number): (string | null)[] => Array.from({ length: n }, (_, i) => ALL_RACKS[i % ALL_RACKS.length]!);
const nullRacks = (n: number): (string | null)[] => Array.from({ length: n }, () => null);

function partitionRacksOf(topics: [string, number][], rf: number, brokerRacks: (string | null)[]): PartitionRacks {
  const out = new Map<string, (string | null)[]>();
  let next = 0;
  for (const [topic, n] of topics) {
    for (let p = 0; p < n; p++) out.set(`${topic}-${p}`, Array.from({ length: rf }, (_, j) => brokerRacks[(p + j + next) % brokerRacks.length]!));
    next += n;
  }
  return out;
}

const parse = (s: string): TopicPartition[] =>
  s === '' ? [] : s.split(', ').map((x) => ({ topic: x.slice(0, x.lastIndexOf('-')), partition: Number(x.slice(x.lastIndexOf('-') + 1)) }));
const sortedString = (tps: TopicPartition[]) => tps.map((tp) => `${tp.topic}-${tp.partition}`).sort().join(', ');

/** AbstractPartitionAssignorTest.verifyRackAssignment. */
function verifyRackAssignment(
  assignorName: string,
  topics: [string, number][],
  rf: number,
  brokerRacks: (string | null)[],
  consumerRacks: (string | null)[],
  consumerTopics: string[][],
  owned: string[] | null,
  expected: string[],
  numPartitionsWithRackMismatch: number,
): void {
  const assignor = assignorByName(assignorName)!;
  const pr = partitionRacksOf(topics, rf, brokerRacks);
  const members = consumerRacks.map((rack, i) =>
    assignorMember(assignor, `consumer${i}`, null, { topics: consumerTopics[i]!, ownedPartitions: parse(owned?.[i] ?? ''), generation: -1, userData: null, rackId: rack }),
  );
  const result = assignor.assign(members, new Map(topics), pr);
  const actual = Object.fromEntries(members.map((m) => [m.memberId, sortedString(result.get(m.memberId) ?? [])]));
  expect(actual).toEqual(Object.fromEntries(expected.map((e, i) => [`consumer${i}`, e])));
  if (numPartitionsWithRackMismatch >= 0) {
    let mismatched = 0;
    consumerRacks.forEach((rack, i) => {
      if (rack === null) return;
      for (const tp of result.get(`consumer${i}`) ?? []) if (!pr.get(`${tp.topic}-${tp.partition}`)!.includes(rack)) mismatched++;
    });
    expect(mismatched).toBe(numPartitionsWithRackMismatch);
  }
}

describe('AbstractPartitionAssignorTest.testUseRackAwareAssignment', () => {
  it('rack-aware only when a consumer rack holds partitions and racks differ between partitions', () => {
    const all = new Set(['a', 'b', 'c']);
    const two = new Set(['a', 'b']);
    const onAll = new Map<string, Set<string>>();
    const onSubset = new Map<string, Set<string>>();
    for (let i = 0; i < 6; i++) {
      onAll.set(`t-${i}`, all);
      onSubset.set(`t-${i}`, new Set([['a', 'b', 'c'][i % 3]!]));
    }
    expect(useRackAwareAssignment(new Set(), new Set(), onAll)).toBe(false);
    expect(useRackAwareAssignment(new Set(), all, onAll)).toBe(false);
    expect(useRackAwareAssignment(all, new Set(), new Map())).toBe(false);
    expect(useRackAwareAssignment(new Set(['d']), all, onAll)).toBe(false);
    expect(useRackAwareAssignment(all, all, onAll)).toBe(false);
    expect(useRackAwareAssignment(two, all, onAll)).toBe(false);
    expect(useRackAwareAssignment(new Set(['a', 'd']), all, onAll)).toBe(false);
    expect(useRackAwareAssignment(all, all, onSubset)).toBe(true);
    expect(useRackAwareAssignment(two, all, onSubset)).toBe(true);
    expect(useRackAwareAssignment(new Set(['a', 'd']), all, onSubset)).toBe(true);
  });
});

describe('range, rack-aware (RangeAssignorTest)', () => {
  const v = (topics: [string, number][], rf: number, br: (string | null)[], cr: (string | null)[], ct: string[][], expected: string[], mismatch: number) =>
    verifyRackAssignment('range', topics, rf, br, cr, ct, null, expected, mismatch);
  /** RangeAssignorTest.verifyNonRackAwareAssignment, without the preferRackAwareLogic case. */
  const nonRackAware = (topics: [string, number][], ct: string[][], expected: string[]) => {
    v(topics, 3, nullRacks(3), racks(3), ct, expected, -1);
    v(topics, 3, racks(3), nullRacks(3), ct, expected, -1);
    v(topics, 3, racks(3), racks(3), ct, expected, 0);
    v(topics, 4, racks(4), racks(3), ct, expected, 0);
    v(topics, 3, racks(3), ['d', 'e', 'f'], ct, expected, -1);
    v(topics, 3, racks(3), [null, 'e', 'f'], ct, expected, -1);
  };

  it('testRackAwareAssignmentWithUniformSubscription', () => {
    const topics: [string, number][] = [['t1', 6], ['t2', 7], ['t3', 2]];
    const all = ['t1', 't2', 't3'];
    const ct = [all, all, all];
    nonRackAware(topics, ct, ['t1-0, t1-1, t2-0, t2-1, t2-2, t3-0', 't1-2, t1-3, t2-3, t2-4, t3-1', 't1-4, t1-5, t2-5, t2-6']);
    v(topics, 1, racks(3), racks(3), ct, ['t1-0, t1-3, t2-0, t2-3, t2-6', 't1-1, t1-4, t2-1, t2-4, t3-0', 't1-2, t1-5, t2-2, t2-5, t3-1'], 0);
    v(topics, 2, racks(3), racks(3), ct, ['t1-0, t1-2, t2-0, t2-2, t2-3, t3-1', 't1-1, t1-3, t2-1, t2-4, t3-0', 't1-4, t1-5, t2-5, t2-6'], 1);
    v(topics, 3, racks(2), racks(3), ct, ['t1-0, t1-1, t2-0, t2-1, t2-2, t3-0', 't1-2, t1-3, t2-3, t2-4, t3-1', 't1-4, t1-5, t2-5, t2-6'], 4);
  });

  it('testRackAwareAssignmentWithNonEqualSubscription', () => {
    const topics: [string, number][] = [['t1', 6], ['t2', 7], ['t3', 2]];
    const all = ['t1', 't2', 't3'];
    const ct = [all, all, ['t1', 't3']];
    nonRackAware(topics, ct, ['t1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0', 't1-2, t1-3, t2-4, t2-5, t2-6, t3-1', 't1-4, t1-5']);
    v(topics, 1, racks(3), racks(3), ct, ['t1-0, t1-3, t2-0, t2-2, t2-3, t2-6', 't1-1, t1-4, t2-1, t2-4, t2-5, t3-0', 't1-2, t1-5, t3-1'], 2);
    v(topics, 2, racks(3), racks(3), ct, ['t1-0, t1-2, t2-0, t2-2, t2-3, t2-5, t3-1', 't1-1, t1-3, t2-1, t2-4, t2-6, t3-0', 't1-4, t1-5'], 0);
    v(topics, 3, racks(2), racks(3), ct, ['t1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0', 't1-2, t1-3, t2-4, t2-5, t2-6, t3-1', 't1-4, t1-5'], 2);
  });

  it('testRackAwareAssignmentWithUniformPartitions: co-partitioning comes before rack alignment', () => {
    const topics: [string, number][] = [['t1', 5], ['t2', 5], ['t3', 5]];
    const all = ['t1', 't2', 't3'];
    const ct = [all, all, all];
    const expected = ['t1-0, t1-1, t2-0, t2-1, t3-0, t3-1', 't1-2, t1-3, t2-2, t2-3, t3-2, t3-3', 't1-4, t2-4, t3-4'];
    nonRackAware(topics, ct, expected);
    v(topics, 1, racks(3), racks(3), ct, expected, 10);
    v(topics, 2, racks(3), racks(3), ct, expected, 5);
    v(topics, 3, racks(2), racks(3), ct, expected, 3);
  });

  it('testRackAwareAssignmentWithUniformPartitionsNonEqualSubscription', () => {
    const topics: [string, number][] = [['t1', 5], ['t2', 5], ['t3', 5]];
    const all = ['t1', 't2', 't3'];
    const ct = [all, all, ['t1', 't3']];
    nonRackAware(topics, ct, ['t1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1', 't1-2, t1-3, t2-3, t2-4, t3-2, t3-3', 't1-4, t3-4']);
    v(topics, 1, racks(3), racks(3), ct, ['t1-0, t1-1, t2-0, t2-1, t2-4, t3-0, t3-1', 't1-2, t1-3, t2-2, t2-3, t3-2, t3-3', 't1-4, t3-4'], 9);
    v(topics, 2, racks(3), racks(3), ct, ['t1-2, t2-0, t2-1, t2-3, t3-2', 't1-0, t1-3, t2-2, t2-4, t3-0, t3-3', 't1-1, t1-4, t3-1, t3-4'], 0);
    v(topics, 3, racks(2), racks(3), ct, ['t1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1', 't1-2, t1-3, t2-3, t2-4, t3-2, t3-3', 't1-4, t3-4'], 2);
  });

  it('testRackAwareAssignmentWithCoPartitioning', () => {
    const topics: [string, number][] = [['t1', 6], ['t2', 6], ['t3', 2], ['t4', 2]];
    const cr = ['a', 'b', 'b', 'a'];
    let ct = [['t1', 't2'], ['t1', 't2'], ['t3', 't4'], ['t3', 't4']];
    let expected = ['t1-0, t1-1, t1-2, t2-0, t2-1, t2-2', 't1-3, t1-4, t1-5, t2-3, t2-4, t2-5', 't3-0, t4-0', 't3-1, t4-1'];
    v(topics, 3, racks(2), cr, ct, expected, -1);
    v(topics, 2, racks(2), cr, ct, expected, 0);
    v(topics, 1, racks(2), cr, ct, ['t1-0, t1-2, t1-4, t2-0, t2-2, t2-4', 't1-1, t1-3, t1-5, t2-1, t2-3, t2-5', 't3-1, t4-1', 't3-0, t4-0'], 0);
    const all = ['t1', 't2', 't3', 't4'];
    ct = [all, all, all, all];
    expected = ['t1-0, t1-1, t2-0, t2-1, t3-0, t4-0', 't1-2, t1-3, t2-2, t2-3, t3-1, t4-1', 't1-4, t2-4', 't1-5, t2-5'];
    v(topics, 3, racks(2), cr, ct, expected, -1);
    v(topics, 2, racks(2), cr, ct, expected, 0);
    v(topics, 1, racks(2), cr, ct, ['t1-0, t1-2, t2-0, t2-2, t3-0, t4-0', 't1-1, t1-3, t2-1, t2-3, t3-1, t4-1', 't1-5, t2-5', 't1-4, t2-4'], 0);
    v(topics, 1, racks(3), cr, ct, ['t1-0, t1-3, t2-0, t2-3, t3-0, t4-0', 't1-1, t1-4, t2-1, t2-4, t3-1, t4-1', 't1-2, t2-2', 't1-5, t2-5'], 6);
  });

  it('testCoPartitionedAssignmentWithSameSubscription (without racks on brokers: plain ranges)', () => {
    const topics: [string, number][] = [['t1', 6], ['t2', 6], ['t3', 2], ['t4', 2], ['t5', 4], ['t6', 4]];
    const list = ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9'];
    v(topics, 3, nullRacks(3), ['a', 'b', 'c'], [list, list, list], [
      't1-0, t1-1, t2-0, t2-1, t3-0, t4-0, t5-0, t5-1, t6-0, t6-1',
      't1-2, t1-3, t2-2, t2-3, t3-1, t4-1, t5-2, t6-2',
      't1-4, t1-5, t2-4, t2-5, t5-3, t6-3',
    ], -1);
  });
});

for (const name of ['sticky', 'cooperative-sticky'] as const) {
  describe(`${name}, rack-aware (AbstractStickyAssignorTest)`, () => {
    const v = (topics: [string, number][], rf: number, br: (string | null)[], cr: (string | null)[], ct: string[][], owned: string[] | null, expected: string[], mismatch: number) =>
      verifyRackAssignment(name, topics, rf, br, cr, ct, owned, expected, mismatch);
    /** verifyUniformSubscription / verifyNonEqualSubscription: from nothing, then from the expected assignment itself (sticky). */
    const both = (topics: [string, number][], rf: number, br: (string | null)[], cr: (string | null)[], ct: string[][], expected: string[], mismatch: number) => {
      v(topics, rf, br, cr, ct, null, expected, mismatch);
      v(topics, rf, br, cr, ct, expected, expected, mismatch);
    };

    it('testRackAwareAssignmentWithUniformSubscription', () => {
      const topics: [string, number][] = [['t1', 6], ['t2', 7], ['t3', 2]];
      const all = ['t1', 't2', 't3'];
      const ct = [all, all, all];
      const expected = ['t1-0, t1-3, t2-0, t2-3, t2-6', 't1-1, t1-4, t2-1, t2-4, t3-0', 't1-2, t1-5, t2-2, t2-5, t3-1'];
      both(topics, 3, nullRacks(3), racks(3), ct, expected, -1);
      both(topics, 3, racks(3), nullRacks(3), ct, expected, -1);
      both(topics, 3, racks(3), racks(3), ct, expected, 0);
      both(topics, 3, racks(3), ['d', 'e', 'f'], ct, expected, -1);
      both(topics, 3, racks(3), [null, 'e', 'f'], ct, expected, -1);
      // Rack-aligned for lower replication factors, where brokers hold a subset of partitions.
      both(topics, 1, racks(3), racks(3), ct, expected, 0);
      both(topics, 2, racks(3), racks(3), ct, expected, 0);
      // One consumer on a rack with no partitions: misaligned to keep the balance.
      both(topics, 3, racks(2), racks(3), ct, expected, 5);
      // Misaligned owned partitions: rack alignment improves.
      const owned = ['t1-0, t1-1, t1-2, t1-3, t1-4', 't1-5, t2-0, t2-1, t2-2, t2-3', 't2-4, t2-5, t2-6, t3-0, t3-1'];
      if (name === 'cooperative-sticky') v(topics, 1, racks(3), racks(3), ct, owned, ['t1-0, t1-3', 't2-1', 't2-5, t3-1'], 0);
      else v(topics, 1, racks(3), racks(3), ct, owned, expected, 0);
    });

    it('testRackAwareAssignmentWithNonEqualSubscription', () => {
      const topics: [string, number][] = [['t1', 6], ['t2', 7], ['t3', 2]];
      const all = ['t1', 't2', 't3'];
      const ct = [all, all, ['t1', 't3']];
      const expected = ['t1-5, t2-0, t2-2, t2-4, t2-6', 't1-3, t2-1, t2-3, t2-5, t3-0', 't1-0, t1-1, t1-2, t1-4, t3-1'];
      both(topics, 3, nullRacks(3), racks(3), ct, expected, -1);
      both(topics, 3, racks(3), nullRacks(3), ct, expected, -1);
      both(topics, 3, racks(3), racks(3), ct, expected, 0);
      both(topics, 3, racks(3), ['d', 'e', 'f'], ct, expected, -1);
      both(topics, 3, racks(3), [null, 'e', 'f'], ct, expected, -1);
      both(topics, 1, racks(3), racks(3), ct, ['t1-3, t2-0, t2-2, t2-3, t2-6', 't1-4, t2-1, t2-4, t2-5, t3-0', 't1-0, t1-1, t1-2, t1-5, t3-1'], 4);
      both(topics, 2, racks(3), racks(3), ct, ['t1-3, t2-0, t2-2, t2-5, t2-6', 't1-0, t2-1, t2-3, t2-4, t3-0', 't1-1, t1-2, t1-4, t1-5, t3-1'], 0);
      both(topics, 3, racks(2), racks(3), ct, expected, 5);
    });
  });
}
