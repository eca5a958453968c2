/**
 * StickyAssignor and CooperativeStickyAssignor (clients/.../consumer/internals/
 * AbstractStickyAssignor.java, CooperativeStickyAssignor.java): balance first, then move
 * as little as possible.
 *
 * 1. Each member keeps what it owned that is still valid (it still subscribes, the
 *    partition exists, no member claims it from a newer generation), up to its quota
 *    (⌈P/C⌉ for as many members as P % C allows, else ⌊P/C⌋, counted over the members
 *    that can take the partition's topic).
 * 2. Unowned partitions go, in order, to the eligible member with the fewest partitions.
 * Cooperative: a partition whose owner changes is left out this round; its old owner
 * revokes it and the follow-up rebalance assigns it (KIP-429).
 */
import type { TopicPartition } from '../../snapshot';
import { allSubscribedPartitions, compareMembers, sortTps, tpKey, type Assignor, type AssignorMember } from './types';

function stickyAssign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): { assignment: Map<string, TopicPartition[]>; previousOwner: Map<string, string> } {
  const ordered = [...members].sort(compareMembers);
  const all = allSubscribedPartitions(members, partitionsPerTopic);
  // Who owned what, newest generation wins a double claim.
  const claim = new Map<string, { member: string; generation: number }>();
  for (const m of ordered) {
    for (const tp of m.ownedPartitions) {
      const n = partitionsPerTopic.get(tp.topic);
      if (n === undefined || tp.partition >= n || !m.topics.includes(tp.topic)) continue;
      const k = tpKey(tp);
      const prev = claim.get(k);
      if (!prev || m.generation > prev.generation) claim.set(k, { member: m.memberId, generation: m.generation });
    }
  }
  const previousOwner = new Map<string, string>();
  for (const [k, c] of claim) previousOwner.set(k, c.member);

  const total = all.length;
  const count = ordered.length;
  const minQuota = count > 0 ? Math.floor(total / count) : 0;
  let maxSlots = count > 0 ? total % count : 0; // members allowed ⌈P/C⌉
  const assignment = new Map<string, TopicPartition[]>(ordered.map((m) => [m.memberId, []]));
  const taken = new Set<string>();
  for (const m of ordered) {
    const mine = sortTps(m.ownedPartitions.filter((tp) => claim.get(tpKey(tp))?.member === m.memberId));
    let quota = minQuota;
    if (mine.length > minQuota && maxSlots > 0) {
      quota = minQuota + 1;
      maxSlots--;
    }
    for (const tp of mine.slice(0, quota)) {
      assignment.get(m.memberId)!.push(tp);
      taken.add(tpKey(tp));
    }
  }
  for (const tp of all) {
    if (taken.has(tpKey(tp))) continue;
    let best: AssignorMember | null = null;
    for (const m of ordered) {
      if (!m.topics.includes(tp.topic)) continue;
      if (!best || assignment.get(m.memberId)!.length < assignment.get(best.memberId)!.length) best = m;
    }
    if (best) {
      assignment.get(best.memberId)!.push(tp);
      taken.add(tpKey(tp));
    }
  }
  for (const list of assignment.values()) sortTps(list);
  return { assignment, previousOwner };
}

export const stickyAssignor: Assignor = {
  name: 'sticky',
  protocols: ['EAGER'],
  assign(members, partitionsPerTopic) {
    return stickyAssign(members, partitionsPerTopic).assignment;
  },
};

export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  protocols: ['COOPERATIVE', 'EAGER'],
  assign(members, partitionsPerTopic) {
    const { assignment, previousOwner } = stickyAssign(members, partitionsPerTopic);
    const present = new Set(members.map((m) => m.memberId));
    for (const [memberId, tps] of assignment) {
      assignment.set(
        memberId,
        tps.filter((tp) => {
          const prev = previousOwner.get(tpKey(tp));
          // Moving away from a member still in the group: revoke first, assign next round.
          return prev === undefined || prev === memberId || !present.has(prev);
        }),
      );
    }
    return assignment;
  },
};
