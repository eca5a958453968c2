/**
 * CurrentAssignmentBuilder (group-coordinator/.../modern/consumer/CurrentAssignmentBuilder.java):
 * moves one member of a consumer group (KIP-848) from its current assignment towards its
 * target assignment, without a global barrier:
 * - STABLE: the member has its target of the target assignment epoch, or a newer epoch is
 *   available and it is reconciled towards it.
 * - UNREVOKED_PARTITIONS: the member must revoke partitions first; it keeps its epoch and
 *   its heartbeats' owned partitions say when it has.
 * - UNRELEASED_PARTITIONS: the member is at the target epoch but some of its target
 *   partitions are still owned (assigned or pending revocation) by another member; they
 *   are given to it once released.
 * A partition is assigned to a member only when no member owns it (currentPartitionEpoch
 * -1), so no partition ever has two owners.
 */
import type { TopicPartition } from '../../snapshot';

export type MemberState = 'STABLE' | 'UNREVOKED_PARTITIONS' | 'UNRELEASED_PARTITIONS' | 'UNKNOWN';

/** topic → partitions. */
export type Assignment = Map<string, Set<number>>;

export interface ReconciledMember {
  state: MemberState;
  memberEpoch: number;
  previousMemberEpoch: number;
  assignedPartitions: Assignment;
  partitionsPendingRevocation: Assignment;
}

export class FencedMemberEpochException extends Error {
  readonly error = 'FENCED_MEMBER_EPOCH' as const;
}

export interface CurrentAssignmentInput {
  member: ReconciledMember;
  targetAssignmentEpoch: number;
  targetAssignment: ReadonlyMap<string, ReadonlySet<number>>;
  /** The epoch of the partition's current owner, -1 when no member owns it. */
  currentPartitionEpoch: (topic: string, partition: number) => number;
  /** The partitions the member reported in its heartbeat; null when it did not report them. */
  ownedTopicPartitions: readonly TopicPartition[] | null;
}

/** CurrentAssignmentBuilder.build: the member's next state, or the member itself when it cannot move forward. */
export function buildCurrentAssignment(input: CurrentAssignmentInput): ReconciledMember {
  const { member, targetAssignmentEpoch } = input;
  switch (member.state) {
    case 'STABLE':
      if (member.memberEpoch !== targetAssignmentEpoch) return computeNextAssignment(input, member.memberEpoch, member.assignedPartitions);
      return member;
    case 'UNREVOKED_PARTITIONS':
      if (ownsRevokedPartitions(input.ownedTopicPartitions, member.partitionsPendingRevocation)) return member;
      return computeNextAssignment(input, member.memberEpoch + 1, member.assignedPartitions);
    case 'UNRELEASED_PARTITIONS':
      return computeNextAssignment(input, member.memberEpoch, member.assignedPartitions);
    case 'UNKNOWN':
      if (input.ownedTopicPartitions === null || input.ownedTopicPartitions.length > 0) {
        throw new FencedMemberEpochException('The consumer group member is in a unknown state. The member must abandon all its partitions and rejoin.');
      }
      return computeNextAssignment(input, targetAssignmentEpoch, member.assignedPartitions);
  }
}

function ownsRevokedPartitions(owned: readonly TopicPartition[] | null, pending: Assignment): boolean {
  if (owned === null) return true;
  return owned.some((tp) => pending.get(tp.topic)?.has(tp.partition) ?? false);
}

function withEpoch(member: ReconciledMember, epoch: number): Pick<ReconciledMember, 'memberEpoch' | 'previousMemberEpoch'> {
  // ConsumerGroupMember.Builder.updateMemberEpoch: the previous epoch is the one it had.
  return { memberEpoch: epoch, previousMemberEpoch: member.memberEpoch };
}

function computeNextAssignment(input: CurrentAssignmentInput, memberEpoch: number, current: Assignment): ReconciledMember {
  const { member, targetAssignment, targetAssignmentEpoch } = input;
  let hasUnreleased = false;
  const assigned: Assignment = new Map();
  const pendingRevocation: Assignment = new Map();
  const pendingAssignment: Assignment = new Map();
  const topics = new Set([...targetAssignment.keys(), ...current.keys()]);
  for (const t of [...topics].sort()) {
    const target = targetAssignment.get(t) ?? new Set<number>();
    const cur = current.get(t) ?? new Set<number>();
    const kept = new Set([...cur].filter((p) => target.has(p)));
    const revoke = new Set([...cur].filter((p) => !kept.has(p)));
    const toAssign = new Set<number>();
    for (const p of target) {
      if (kept.has(p)) continue;
      if (input.currentPartitionEpoch(t, p) !== -1) hasUnreleased = true;
      else toAssign.add(p);
    }
    if (kept.size > 0) assigned.set(t, kept);
    if (revoke.size > 0) pendingRevocation.set(t, revoke);
    if (toAssign.size > 0) pendingAssignment.set(t, toAssign);
  }
  if (pendingRevocation.size > 0 && ownsRevokedPartitions(input.ownedTopicPartitions, pendingRevocation)) {
    return { state: 'UNREVOKED_PARTITIONS', ...withEpoch(member, memberEpoch), assignedPartitions: assigned, partitionsPendingRevocation: pendingRevocation };
  }
  if (pendingAssignment.size > 0) {
    for (const [t, ps] of pendingAssignment) {
      const s = assigned.get(t) ?? new Set<number>();
      for (const p of ps) s.add(p);
      assigned.set(t, s);
    }
    return { state: hasUnreleased ? 'UNRELEASED_PARTITIONS' : 'STABLE', ...withEpoch(member, targetAssignmentEpoch), assignedPartitions: assigned, partitionsPendingRevocation: new Map() };
  }
  return { state: hasUnreleased ? 'UNRELEASED_PARTITIONS' : 'STABLE', ...withEpoch(member, targetAssignmentEpoch), assignedPartitions: assigned, partitionsPendingRevocation: new Map() };
}

/** The assignment as sorted topic-partitions. */
export function toTopicPartitions(a: ReadonlyMap<string, ReadonlySet<number>>): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const t of [...a.keys()].sort()) for (const p of [...a.get(t)!].sort((x, y) => x - y)) out.push({ topic: t, partition: p });
  return out;
}

export function fromTopicPartitions(tps: readonly TopicPartition[]): Assignment {
  const a: Assignment = new Map();
  for (const tp of tps) {
    let s = a.get(tp.topic);
    if (!s) a.set(tp.topic, (s = new Set()));
    s.add(tp.partition);
  }
  return a;
}
