/**
 * StickyAssignor (clients/.../consumer/StickyAssignor.java over internals/
 * AbstractStickyAssignor.java): balance first, then move as little as possible. Shared with
 * CooperativeStickyAssignor (./cooperative-sticky.ts), which withholds the partitions that
 * change owner.
 *
 * Owned partitions come from each member's subscription with the generation they were
 * assigned in. As AbstractStickyAssignor.allSubscriptionsEqual: a partition claimed by two
 * members of different generations stays with the newer one; claimed by two members of the
 * same generation it is invalid for both and assigned afresh.
 *
 * - All subscriptions equal: ConstrainedAssignmentBuilder. minQuota = ⌊P/C⌋, maxQuota = ⌈P/C⌉,
 *   and exactly P % C members end with maxQuota. Each member keeps its owned partitions
 *   (sorted by partition, then topic) up to its quota; the rest, sorted by (topic,
 *   partition), go round-robin to the members under minQuota, then one each to members at
 *   minQuota until P % C members are at maxQuota.
 * - Otherwise: GeneralAssignmentBuilder, reduced: keep owned partitions, give each
 *   unassigned partition (fewest potential consumers first) to the eligible member with the
 *   fewest partitions, then move partitions from a member to an eligible one with at least
 *   two fewer until none can move (Kafka's balance() end condition), no rack awareness.
 *
 * The eager protocol revokes every partition before JoinGroup, so a `sticky` consumer's
 * subscription owns nothing; what it had travels in the subscription's user data
 * (`stickyMemberData`), exactly as StickyAssignor.subscriptionUserData / memberData do.
 * cooperative-sticky keeps its partitions across a rebalance and uses ownedPartitions.
 *
 * Iteration over members is by member id (Kafka iterates a HashMap), so results are
 * deterministic.
 */
import type { TopicPartition } from '../../snapshot';
import { allSubscribedPartitions, compareTps, sortTps, tpKey, type Assignor, type AssignorMember, type SubscriptionProtocol } from './types';

/** Each member's valid owned partitions after resolving double claims (allSubscriptionsEqual). */
export function validOwnedPartitions(
  members: readonly AssignorMember[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): { owned: Map<string, TopicPartition[]>; multiplyClaimed: Set<string> } {
  const byId = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const owned = new Map<string, TopicPartition[]>(byId.map((m) => [m.memberId, []]));
  const ownerOf = new Map<string, AssignorMember>();
  const multiplyClaimed = new Set<string>();
  const drop = (memberId: string, k: string) => {
    const list = owned.get(memberId)!;
    const i = list.findIndex((tp) => tpKey(tp) === k);
    if (i >= 0) list.splice(i, 1);
  };
  for (const m of byId) {
    const seen = new Set<string>();
    for (const tp of m.ownedPartitions) {
      const n = partitionsPerTopic.get(tp.topic);
      if (n === undefined || tp.partition < 0 || tp.partition >= n || !m.topics.includes(tp.topic)) continue;
      const k = tpKey(tp);
      if (seen.has(k)) continue;
      seen.add(k);
      const other = ownerOf.get(k);
      if (!other) {
        owned.get(m.memberId)!.push({ topic: tp.topic, partition: tp.partition });
        ownerOf.set(k, m);
      } else if (m.generation === other.generation) {
        multiplyClaimed.add(k);
        drop(other.memberId, k);
        ownerOf.set(k, m);
      } else if (m.generation > other.generation) {
        drop(other.memberId, k);
        owned.get(m.memberId)!.push({ topic: tp.topic, partition: tp.partition });
        ownerOf.set(k, m);
      }
    }
  }
  return { owned, multiplyClaimed };
}

function allSubscriptionsEqual(members: readonly AssignorMember[]): boolean {
  if (members.length === 0) return true;
  const first = [...new Set(members[0]!.topics)].sort().join('\u0000');
  return members.every((m) => [...new Set(m.topics)].sort().join('\u0000') === first);
}

function constrainedAssign(
  members: readonly AssignorMember[],
  partitionsPerTopic: ReadonlyMap<string, number>,
  owned: Map<string, TopicPartition[]>,
  multiplyClaimed: Set<string>,
): Map<string, TopicPartition[]> {
  const all = allSubscribedPartitions(members, partitionsPerTopic);
  const total = all.length;
  const ids = [...owned.keys()]; // sorted by member id
  const count = ids.length;
  const minQuota = Math.floor(total / count);
  const maxQuota = Math.ceil(total / count);
  const expectedOverMin = total % count;
  let currentOverMin = 0;
  const assignment = new Map<string, TopicPartition[]>(ids.map((id) => [id, []]));
  const assigned = new Set<string>();
  const underMin: string[] = [];
  let exactlyMin: string[] = [];

  for (const id of ids) {
    const mine = owned
      .get(id)!
      .filter((tp) => !multiplyClaimed.has(tpKey(tp)))
      .sort((a, b) => a.partition - b.partition || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
    const target = assignment.get(id)!;
    let keep: TopicPartition[];
    if (mine.length < minQuota) {
      keep = mine;
      underMin.push(id);
    } else if (mine.length >= maxQuota && currentOverMin < expectedOverMin) {
      currentOverMin++;
      if (currentOverMin === expectedOverMin) exactlyMin = [];
      keep = mine.slice(0, maxQuota);
    } else {
      keep = mine.slice(0, minQuota);
      if (currentOverMin < expectedOverMin) exactlyMin.push(id);
    }
    for (const tp of keep) {
      target.push(tp);
      assigned.add(tpKey(tp));
    }
  }
  underMin.sort();
  exactlyMin.sort();
  const unassigned = all.filter((tp) => !assigned.has(tpKey(tp)));

  // assignRoundRobin: cycle the members under minQuota; once none is left, one each to those at minQuota.
  let cursor = 0;
  for (const tp of unassigned) {
    let id: string;
    if (underMin.length > 0) {
      if (cursor >= underMin.length) cursor = 0;
      id = underMin[cursor]!;
    } else {
      const next = exactlyMin.shift();
      if (next === undefined) throw new Error('sticky assignor: no member left to take a partition');
      id = next;
    }
    const list = assignment.get(id)!;
    list.push(tp);
    if (underMin.length > 0 && underMin[cursor] === id) {
      if (list.length === minQuota) {
        underMin.splice(cursor, 1);
        if (minQuota < maxQuota && currentOverMin < expectedOverMin) exactlyMin.push(id);
      } else cursor++;
    } else if (list.length === maxQuota) {
      currentOverMin++;
    }
    if (currentOverMin === expectedOverMin) exactlyMin = [];
  }
  return assignment;
}

function generalAssign(
  members: readonly AssignorMember[],
  partitionsPerTopic: ReadonlyMap<string, number>,
  owned: Map<string, TopicPartition[]>,
  multiplyClaimed: Set<string>,
): Map<string, TopicPartition[]> {
  const ids = [...owned.keys()];
  const topicsOf = new Map(members.map((m) => [m.memberId, new Set(m.topics)]));
  const consumersOf = new Map<string, string[]>();
  for (const id of ids) for (const t of topicsOf.get(id)!) if (partitionsPerTopic.has(t)) consumersOf.set(t, [...(consumersOf.get(t) ?? []), id]);
  const assignment = new Map<string, TopicPartition[]>(ids.map((id) => [id, owned.get(id)!.filter((tp) => !multiplyClaimed.has(tpKey(tp)))]));
  const ownerOf = new Map<string, string>();
  for (const [id, tps] of assignment) for (const tp of tps) ownerOf.set(tpKey(tp), id);
  const all = allSubscribedPartitions(members, partitionsPerTopic);
  const potential = (tp: TopicPartition) => consumersOf.get(tp.topic)?.length ?? 0;
  const leastLoaded = (tp: TopicPartition): string | null => {
    let best: string | null = null;
    for (const id of consumersOf.get(tp.topic) ?? []) {
      if (best === null) best = id;
      else {
        const d = assignment.get(id)!.length - assignment.get(best)!.length;
        if (d < 0 || (d === 0 && id < best)) best = id;
      }
    }
    return best;
  };
  const unassigned = all.filter((tp) => !ownerOf.has(tpKey(tp))).sort((a, b) => potential(a) - potential(b) || compareTps(a, b));
  for (const tp of unassigned) {
    const id = leastLoaded(tp);
    if (id === null) continue;
    assignment.get(id)!.push(tp);
    ownerOf.set(tpKey(tp), id);
  }
  // balance(): move while some partition's owner has at least two more than an eligible member.
  const ordered = all.slice().sort((a, b) => potential(a) - potential(b) || compareTps(a, b));
  for (let moved = true; moved; ) {
    moved = false;
    for (const tp of ordered) {
      const from = ownerOf.get(tpKey(tp));
      const to = leastLoaded(tp);
      if (from === undefined || to === null || from === to) continue;
      if (assignment.get(from)!.length > assignment.get(to)!.length + 1) {
        const list = assignment.get(from)!;
        list.splice(list.findIndex((x) => tpKey(x) === tpKey(tp)), 1);
        assignment.get(to)!.push(tp);
        ownerOf.set(tpKey(tp), to);
        moved = true;
      }
    }
  }
  return assignment;
}

/**
 * AbstractStickyAssignor.assignPartitions: the sticky assignment, every partition assigned;
 * also the partitions two members of one generation claimed (they change owner whoever gets them).
 */
export function stickyAssignWithClaims(
  members: readonly AssignorMember[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): { assignment: Map<string, TopicPartition[]>; multiplyClaimed: Set<string> } {
  if (members.length === 0) return { assignment: new Map(), multiplyClaimed: new Set() };
  const { owned, multiplyClaimed } = validOwnedPartitions(members, partitionsPerTopic);
  const assignment = allSubscriptionsEqual(members)
    ? constrainedAssign(members, partitionsPerTopic, owned, multiplyClaimed)
    : generalAssign(members, partitionsPerTopic, owned, multiplyClaimed);
  for (const list of assignment.values()) sortTps(list);
  return { assignment, multiplyClaimed };
}

export function stickyAssign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): Map<string, TopicPartition[]> {
  return stickyAssignWithClaims(members, partitionsPerTopic).assignment;
}

/**
 * StickyAssignor.memberData: "Always deserialize ownedPartitions and generation id from user
 * data since StickyAssignor is an eager rebalance protocol that will revoke all existing
 * partitions before joining group". No user data (a new consumer): owns nothing, generation -1.
 */
export function stickyMemberData(subscription: SubscriptionProtocol): { ownedPartitions: TopicPartition[]; generation: number } {
  const data = subscription.userData;
  if (!data) return { ownedPartitions: [], generation: -1 };
  return { ownedPartitions: data.previousAssignment, generation: data.generation };
}

export const stickyAssignor: Assignor = {
  name: 'sticky',
  protocols: ['EAGER'],
  assign: stickyAssign,
  memberData: stickyMemberData,
};
