/**
 * CurrentAssignmentBuilderTest (group-coordinator/src/test/java/.../modern/consumer/
 * CurrentAssignmentBuilderTest.java): the same cases, topics named t1 and t2 instead of ids.
 */
import { describe, expect, it } from 'vitest';
import type { TopicPartition } from '../../snapshot';
import { buildCurrentAssignment, FencedMemberEpochException, type MemberState, type ReconciledMember } from './current-assignment-builder';

const mk = (t1: number[], t2: number[]) => {
  const a = new Map<string, Set<number>>();
  if (t1.length) a.set('t1', new Set(t1));
  if (t2.length) a.set('t2', new Set(t2));
  return a;
};
const owned = (t1: number[], t2: number[]): TopicPartition[] => [...t1.map((p) => ({ topic: 't1', partition: p })), ...t2.map((p) => ({ topic: 't2', partition: p }))];
const member = (state: MemberState, memberEpoch: number, previousMemberEpoch: number, assigned: Map<string, Set<number>>, pending = new Map<string, Set<number>>()): ReconciledMember => ({
  state,
  memberEpoch,
  previousMemberEpoch,
  assignedPartitions: assigned,
  partitionsPendingRevocation: pending,
});
const build = (m: ReconciledMember, epoch: number, target: Map<string, Set<number>>, partitionEpoch: (t: string, p: number) => number, ownedTps: TopicPartition[] | null = null) =>
  buildCurrentAssignment({ member: m, targetAssignmentEpoch: epoch, targetAssignment: target, currentPartitionEpoch: partitionEpoch, ownedTopicPartitions: ownedTps });

describe('CurrentAssignmentBuilderTest', () => {
  it('testStableToStable', () => {
    const m = member('STABLE', 10, 10, mk([1, 2, 3], [4, 5, 6]));
    expect(build(m, 11, mk([1, 2, 3], [4, 5, 6]), () => -1)).toEqual(member('STABLE', 11, 10, mk([1, 2, 3], [4, 5, 6])));
  });

  it('testStableToStableWithNewPartitions', () => {
    const m = member('STABLE', 10, 10, mk([1, 2, 3], [4, 5, 6]));
    expect(build(m, 11, mk([1, 2, 3, 4], [4, 5, 6, 7]), () => -1)).toEqual(member('STABLE', 11, 10, mk([1, 2, 3, 4], [4, 5, 6, 7])));
  });

  it('testStableToUnrevokedPartitions', () => {
    const m = member('STABLE', 10, 10, mk([1, 2, 3], [4, 5, 6]));
    expect(build(m, 11, mk([2, 3, 4], [5, 6, 7]), () => -1)).toEqual(member('UNREVOKED_PARTITIONS', 10, 10, mk([2, 3], [5, 6]), mk([1], [4])));
  });

  it('testStableToUnreleasedPartitions', () => {
    const m = member('STABLE', 10, 10, mk([1, 2, 3], [4, 5, 6]));
    expect(build(m, 11, mk([1, 2, 3, 4], [4, 5, 6, 7]), () => 10)).toEqual(member('UNRELEASED_PARTITIONS', 11, 10, mk([1, 2, 3], [4, 5, 6])));
  });

  it('testStableToUnreleasedPartitionsWithOwnedPartitionsNotHavingRevokedPartitions', () => {
    const m = member('STABLE', 10, 10, mk([1, 2, 3], [4, 5, 6]));
    expect(build(m, 11, mk([1, 2, 3], [4, 5, 7]), (t) => (t === 't2' ? 10 : -1), [])).toEqual(member('UNRELEASED_PARTITIONS', 11, 10, mk([1, 2, 3], [4, 5])));
  });

  it('testUnrevokedPartitionsToStable', () => {
    const m = member('UNREVOKED_PARTITIONS', 10, 10, mk([2, 3], [5, 6]), mk([1], [4]));
    expect(build(m, 11, mk([2, 3], [5, 6]), () => -1, owned([2, 3], [5, 6]))).toEqual(member('STABLE', 11, 10, mk([2, 3], [5, 6])));
  });

  it('testRemainsInUnrevokedPartitions', () => {
    const m = member('UNREVOKED_PARTITIONS', 10, 10, mk([2, 3], [5, 6]), mk([1], [4]));
    const target = mk([3], [6]);
    expect(build(m, 12, target, () => -1, null)).toBe(m);
    expect(build(m, 12, target, () => -1, owned([1, 2, 3], [5, 6]))).toBe(m);
    expect(build(m, 12, target, () => -1, owned([2, 3], [4, 5, 6]))).toBe(m);
  });

  it('testUnrevokedPartitionsToUnrevokedPartitions', () => {
    const m = member('UNREVOKED_PARTITIONS', 10, 10, mk([2, 3], [5, 6]), mk([1], [4]));
    expect(build(m, 12, mk([3], [6]), () => -1, owned([2, 3], [5, 6]))).toEqual(member('UNREVOKED_PARTITIONS', 11, 10, mk([3], [6]), mk([2], [5])));
  });

  it('testUnrevokedPartitionsToUnreleasedPartitions', () => {
    const m = member('UNREVOKED_PARTITIONS', 11, 10, mk([2, 3], [5, 6]));
    expect(build(m, 11, mk([2, 3, 4], [5, 6, 7]), () => 10, owned([2, 3], [5, 6]))).toEqual(member('UNRELEASED_PARTITIONS', 11, 11, mk([2, 3], [5, 6])));
  });

  it('testUnreleasedPartitionsToStable', () => {
    const m = member('UNRELEASED_PARTITIONS', 11, 11, mk([2, 3], [5, 6]));
    expect(build(m, 12, mk([2, 3], [5, 6]), () => 10)).toEqual(member('STABLE', 12, 11, mk([2, 3], [5, 6])));
  });

  it('testUnreleasedPartitionsToStableWithNewPartitions', () => {
    const m = member('UNRELEASED_PARTITIONS', 11, 11, mk([2, 3], [5, 6]));
    expect(build(m, 11, mk([2, 3, 4], [5, 6, 7]), () => -1)).toEqual(member('STABLE', 11, 11, mk([2, 3, 4], [5, 6, 7])));
  });

  it('testUnreleasedPartitionsToUnreleasedPartitions', () => {
    const m = member('UNRELEASED_PARTITIONS', 11, 11, mk([2, 3], [5, 6]));
    expect(build(m, 11, mk([2, 3, 4], [5, 6, 7]), () => 10)).toEqual(m);
  });

  it('testUnreleasedPartitionsToUnrevokedPartitions', () => {
    const m = member('UNRELEASED_PARTITIONS', 11, 11, mk([2, 3], [5, 6]));
    expect(build(m, 12, mk([3], [6]), () => 10)).toEqual(member('UNREVOKED_PARTITIONS', 11, 11, mk([3], [6]), mk([2], [5])));
  });

  it('testUnknownState', () => {
    const m = member('UNKNOWN', 11, 11, mk([3], [6]), mk([2], [5]));
    // First the member is fenced, to reset its client side state ...
    expect(() => build(m, 12, mk([3], [6]), () => 10)).toThrow(FencedMemberEpochException);
    // ... then it rejoins owning nothing and is reconciled from scratch.
    expect(build(m, 12, mk([3], [6]), () => -1, [])).toEqual(member('STABLE', 12, 11, mk([3], [6])));
  });
});
