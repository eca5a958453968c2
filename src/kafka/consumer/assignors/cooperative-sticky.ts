/**
 * CooperativeStickyAssignor (clients/.../consumer/CooperativeStickyAssignor.java, KIP-429):
 * the sticky assignment, minus every partition that changes owner this round
 * (computePartitionsTransferringOwnership + adjustAssignment). Its previous owner revokes
 * it after this rebalance and rejoins; the follow-up rebalance assigns it. So a partition
 * is never owned by two members at once, and partitions that do not move are never revoked.
 * Supports COOPERATIVE (preferred) and EAGER.
 */
import type { TopicPartition } from '../../snapshot';
import { stickyAssignWithClaims } from './sticky';
import { tpKey, type Assignor, type AssignorMember, type PartitionRacks } from './types';

/**
 * Partitions newly assigned to one member while another member still claims them
 * (computePartitionsTransferringOwnership), plus those two members of one generation both
 * claimed (ConstrainedAssignmentBuilder marks them transferring whoever gets them).
 */
export function partitionsTransferringOwnership(
  members: readonly AssignorMember[],
  assignment: ReadonlyMap<string, TopicPartition[]>,
  multiplyClaimed: ReadonlySet<string> = new Set(),
): Map<string, string> {
  const added = new Map<string, string>();
  const revoked = new Set<string>();
  for (const m of members) {
    const ownedKeys = new Set(m.ownedPartitions.map(tpKey));
    const assigned = assignment.get(m.memberId) ?? [];
    const assignedKeys = new Set(assigned.map(tpKey));
    for (const tp of assigned) if (!ownedKeys.has(tpKey(tp))) added.set(tpKey(tp), m.memberId);
    for (const k of ownedKeys) if (!assignedKeys.has(k)) revoked.add(k);
  }
  for (const k of [...added.keys()]) if (!revoked.has(k)) added.delete(k);
  for (const [memberId, tps] of assignment) for (const tp of tps) if (multiplyClaimed.has(tpKey(tp))) added.set(tpKey(tp), memberId);
  return added;
}

export function cooperativeStickyAssign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>, partitionRacks?: PartitionRacks): Map<string, TopicPartition[]> {
  const { assignment, multiplyClaimed } = stickyAssignWithClaims(members, partitionsPerTopic, partitionRacks);
  const transferring = partitionsTransferringOwnership(members, assignment, multiplyClaimed);
  if (transferring.size === 0) return assignment;
  for (const [memberId, tps] of assignment) assignment.set(memberId, tps.filter((tp) => transferring.get(tpKey(tp)) !== memberId));
  return assignment;
}

export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  protocols: ['COOPERATIVE', 'EAGER'],
  assign: cooperativeStickyAssign,
};
