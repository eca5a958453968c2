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
 *   two fewer until none can move (Kafka's balance() end condition).
 * - Rack-aware (KIP-881, RackInfo): owned partitions outside the member's rack are not kept,
 *   and unassigned partitions go to members of their racks first, within the same quotas;
 *   what cannot be aligned is assigned as before. Balance always wins over racks.
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
import { allSubscribedPartitions, compareTps, memberRack, replicaRacks, sortTps, tpKey, useRackAwareAssignment, type Assignor, type AssignorMember, type PartitionRacks, type SubscriptionProtocol } from './types';

/**
 * AbstractStickyAssignor.RackInfo (KIP-881): the consumers' racks and each partition's
 * replica racks, used only when useRackAwareAssignment says racks can make a difference.
 */
export class RackInfo {
  /** Member id → rack; empty when the assignment is not rack-aware. */
  readonly consumerRacks = new Map<string, string>();
  /** tpKey → replica racks; empty when the assignment is not rack-aware. */
  readonly partitionRacks = new Map<string, Set<string>>();
  /** tpKey → how many consumers sit in the partition's racks (computed whenever some consumer has a rack). */
  private readonly numConsumersByPartition = new Map<string, number>();

  constructor(members: readonly AssignorMember[], all: readonly TopicPartition[], racks: PartitionRacks | undefined) {
    const consumersByRack = new Map<string, string[]>();
    for (const m of members) {
      const r = memberRack(m);
      if (r !== null) consumersByRack.set(r, [...(consumersByRack.get(r) ?? []), m.memberId]);
    }
    if (consumersByRack.size === 0) return;
    const partitionRacks = new Map<string, Set<string>>();
    const allPartitionRacks = new Set<string>();
    for (const tp of all) {
      const set = replicaRacks(racks, tp);
      partitionRacks.set(tpKey(tp), set);
      for (const r of set) allPartitionRacks.add(r);
    }
    if (useRackAwareAssignment(new Set(consumersByRack.keys()), allPartitionRacks, partitionRacks)) {
      for (const [rack, ids] of consumersByRack) for (const id of ids) this.consumerRacks.set(id, rack);
      for (const [k, v] of partitionRacks) this.partitionRacks.set(k, v);
    }
    for (const [k, set] of partitionRacks) {
      let n = 0;
      for (const r of set) n += consumersByRack.get(r)?.length ?? 0;
      this.numConsumersByPartition.set(k, n);
    }
  }

  get rackAware(): boolean {
    return this.consumerRacks.size > 0;
  }

  racksMismatch(consumer: string, tp: TopicPartition): boolean {
    const rack = this.consumerRacks.get(consumer);
    if (rack === undefined) return false;
    const racks = this.partitionRacks.get(tpKey(tp));
    return racks === undefined || !racks.has(rack);
  }

  /** Stable sort: partitions whose racks hold the fewest consumers first. */
  sortPartitionsByRackConsumers(partitions: TopicPartition[]): TopicPartition[] {
    if (this.numConsumersByPartition.size === 0) return partitions;
    const n = (tp: TopicPartition) => this.numConsumersByPartition.get(tpKey(tp)) ?? 0;
    return partitions.map((tp, i) => ({ tp, i })).sort((a, b) => n(a.tp) - n(b.tp) || a.i - b.i).map((x) => x.tp);
  }

  /** The index of the first consumer from firstIndex on (circularly) in one of the partition's racks, or -1. */
  nextRackConsumer(tp: TopicPartition, consumers: readonly string[], firstIndex: number): number {
    const racks = this.partitionRacks.get(tpKey(tp));
    if (!racks || racks.size === 0) return -1;
    for (let i = 0; i < consumers.length; i++) {
      const index = (firstIndex + i) % consumers.length;
      const rack = this.consumerRacks.get(consumers[index]!);
      if (rack !== undefined && racks.has(rack)) return index;
    }
    return -1;
  }
}

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
  rackInfo: RackInfo,
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
      // Rack-aware: only owned partitions in the member's rack are kept in this step.
      .filter((tp) => !multiplyClaimed.has(tpKey(tp)) && !rackInfo.racksMismatch(id, tp))
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
  const unassigned = rackInfo.sortPartitionsByRackConsumers(all.filter((tp) => !assigned.has(tpKey(tp))));

  // assignRackAwareRoundRobin: fill members with partitions of their rack within the quotas.
  if (rackInfo.rackAware) {
    let nextIndex = 0;
    for (let u = 0; u < unassigned.length; ) {
      const tp = unassigned[u]!;
      let id: string | null = null;
      const i = rackInfo.nextRackConsumer(tp, underMin, nextIndex);
      if (i >= 0) {
        id = underMin[i]!;
        const count = assignment.get(id)!.length + 1;
        let next = i;
        if (count >= minQuota) {
          underMin.splice(i, 1);
          if (count < maxQuota && currentOverMin < expectedOverMin) exactlyMin.push(id);
        } else next++;
        nextIndex = underMin.length === 0 ? 0 : next % underMin.length;
      } else if (exactlyMin.length > 0) {
        const first = rackInfo.nextRackConsumer(tp, exactlyMin, 0);
        if (first >= 0) {
          id = exactlyMin[first]!;
          if (assignment.get(id)!.length + 1 === maxQuota) {
            exactlyMin.splice(first, 1);
            currentOverMin++;
            if (currentOverMin === expectedOverMin) exactlyMin = [];
          }
        }
      }
      if (id !== null) {
        assignment.get(id)!.push(tp);
        unassigned.splice(u, 1);
      } else u++;
    }
  }

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
  rackInfo: RackInfo,
): Map<string, TopicPartition[]> {
  const ids = [...owned.keys()];
  const topicsOf = new Map(members.map((m) => [m.memberId, new Set(m.topics)]));
  const consumersOf = new Map<string, string[]>();
  for (const id of ids) for (const t of topicsOf.get(id)!) if (partitionsPerTopic.has(t)) consumersOf.set(t, [...(consumersOf.get(t) ?? []), id]);
  // Owned partitions are kept unless claimed twice or (rack-aware) outside the member's rack.
  const assignment = new Map<string, TopicPartition[]>(ids.map((id) => [id, owned.get(id)!.filter((tp) => !multiplyClaimed.has(tpKey(tp)) && !rackInfo.racksMismatch(id, tp))]));
  const ownerOf = new Map<string, string>();
  for (const [id, tps] of assignment) for (const tp of tps) ownerOf.set(tpKey(tp), id);
  const all = allSubscribedPartitions(members, partitionsPerTopic);
  const potential = (tp: TopicPartition) => consumersOf.get(tp.topic)?.length ?? 0;
  const leastLoaded = (tp: TopicPartition, sameRack = false): string | null => {
    let best: string | null = null;
    for (const id of consumersOf.get(tp.topic) ?? []) {
      if (sameRack && rackInfo.racksMismatch(id, tp)) continue;
      if (best === null) best = id;
      else {
        const d = assignment.get(id)!.length - assignment.get(best)!.length;
        if (d < 0 || (d === 0 && id < best)) best = id;
      }
    }
    return best;
  };
  const unassigned = all.filter((tp) => !ownerOf.has(tpKey(tp))).sort((a, b) => potential(a) - potential(b) || compareTps(a, b));
  // maybeAssign with rack matching first (rack-aware), then to the least loaded eligible member.
  for (const tp of unassigned) {
    if (!rackInfo.rackAware) break;
    const id = leastLoaded(tp, true);
    if (id === null) continue;
    assignment.get(id)!.push(tp);
    ownerOf.set(tpKey(tp), id);
  }
  for (const tp of unassigned) {
    if (ownerOf.has(tpKey(tp))) continue;
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
  partitionRacks?: PartitionRacks,
): { assignment: Map<string, TopicPartition[]>; multiplyClaimed: Set<string> } {
  if (members.length === 0) return { assignment: new Map(), multiplyClaimed: new Set() };
  const { owned, multiplyClaimed } = validOwnedPartitions(members, partitionsPerTopic);
  const rackInfo = new RackInfo(members, allSubscribedPartitions(members, partitionsPerTopic), partitionRacks);
  const assignment = allSubscriptionsEqual(members)
    ? constrainedAssign(members, partitionsPerTopic, owned, multiplyClaimed, rackInfo)
    : generalAssign(members, partitionsPerTopic, owned, multiplyClaimed, rackInfo);
  for (const list of assignment.values()) sortTps(list);
  return { assignment, multiplyClaimed };
}

export function stickyAssign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>, partitionRacks?: PartitionRacks): Map<string, TopicPartition[]> {
  return stickyAssignWithClaims(members, partitionsPerTopic, partitionRacks).assignment;
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
