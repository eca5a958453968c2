/**
 * The ConsumerPartitionAssignor contract, reduced to what the classic protocol needs:
 * the group leader runs the chosen assignor over every member's subscription (and, for
 * sticky ones, what each member owned in which generation).
 */
import type { TopicPartition } from '../../snapshot';

export interface AssignorMember {
  memberId: string;
  groupInstanceId: string | null;
  topics: string[];
  ownedPartitions: TopicPartition[];
  /** Generation in which ownedPartitions were assigned (-1 unknown). */
  generation: number;
  /** The consumer's client.rack from its subscription (ConsumerProtocolSubscription.rackId, KIP-881); null or '' when none. */
  rackId?: string | null;
}

/**
 * The racks of each partition's replicas, by tpKey (PartitionInfo.replicas()[i].rack() as the
 * leader's metadata has them; null for a broker without broker.rack). Without it (or for a
 * partition it lacks), the assignors assign as if no rack were known.
 */
export type PartitionRacks = ReadonlyMap<string, readonly (string | null)[]>;

export type RebalanceProtocol = 'EAGER' | 'COOPERATIVE';

/**
 * What the StickyAssignor puts in its subscription's user data (StickyAssignor.java's
 * MemberData, StickyAssignorUserDataV1): the partitions this consumer was last assigned and
 * in which generation. The eager protocol revokes everything before JoinGroup, so the
 * subscription's owned partitions are empty; the user data is how the leader still knows.
 */
export interface StickyUserData {
  previousAssignment: TopicPartition[];
  generation: number;
}

/** One protocol of a JoinGroup subscription, as the group leader reads it. */
export interface SubscriptionProtocol {
  topics: string[];
  ownedPartitions: TopicPartition[];
  generation: number;
  userData?: StickyUserData | null;
  /** client.rack (ConsumerProtocolSubscription v3's rackId, KIP-881); null when not set. */
  rackId?: string | null;
}

export interface Assignor {
  /** The protocol name in JoinGroup (ConsumerPartitionAssignor.name()). */
  readonly name: string;
  /** supportedProtocols(), preferred first: a consumer rebalances COOPERATIVE only if every configured assignor supports it. */
  readonly protocols: readonly RebalanceProtocol[];
  assign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>, partitionRacks?: PartitionRacks): Map<string, TopicPartition[]>;
  /**
   * AbstractStickyAssignor.memberData: which partitions the member owned and in which
   * generation. Without it, the subscription's own fields (ownedPartitions, generation).
   */
  memberData?(subscription: SubscriptionProtocol): { ownedPartitions: TopicPartition[]; generation: number };
}

/** The member an assignor sees for a subscription (ConsumerCoordinator.onLeaderElected + memberData). */
export function assignorMember(assignor: Assignor, memberId: string, groupInstanceId: string | null, subscription: SubscriptionProtocol): AssignorMember {
  const data = assignor.memberData
    ? assignor.memberData(subscription)
    : { ownedPartitions: subscription.ownedPartitions, generation: subscription.generation };
  return { memberId, groupInstanceId, topics: subscription.topics, ownedPartitions: data.ownedPartitions, generation: data.generation, rackId: subscription.rackId ?? null };
}

/** MemberInfo.compareTo: static members first by group.instance.id, then by member id. */
export function compareMembers(a: AssignorMember, b: AssignorMember): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null) return a.groupInstanceId < b.groupInstanceId ? -1 : a.groupInstanceId > b.groupInstanceId ? 1 : 0;
  if (a.groupInstanceId !== null) return -1;
  if (b.groupInstanceId !== null) return 1;
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
}

export const tpKey = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`;

/** TopicPartition order by (topic, partition), as Kafka's PartitionComparator. */
export function compareTps(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

export function sortTps(tps: TopicPartition[]): TopicPartition[] {
  return tps.sort(compareTps);
}

/** Every partition of every topic some member subscribes to, sorted. */
export function allSubscribedPartitions(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): TopicPartition[] {
  const topics = new Set<string>();
  for (const m of members) for (const t of m.topics) if (partitionsPerTopic.has(t)) topics.add(t);
  const out: TopicPartition[] = [];
  for (const t of [...topics].sort()) for (let p = 0; p < partitionsPerTopic.get(t)!; p++) out.push({ topic: t, partition: p });
  return out;
}

/** The member's rack when it has one (Subscription.rackId().filter(r -> !r.isEmpty())). */
export function memberRack(m: AssignorMember): string | null {
  return m.rackId ? m.rackId : null;
}

/**
 * AbstractPartitionAssignor.useRackAwareAssignment (preferRackAwareLogic false, as in
 * production): only when some consumer rack is also a partition rack, and not every partition
 * has replicas on exactly the same racks (then every choice is as good as another).
 */
export function useRackAwareAssignment(consumerRacks: ReadonlySet<string>, partitionRacksAll: ReadonlySet<string>, racksPerPartition: ReadonlyMap<string, ReadonlySet<string>>): boolean {
  if (consumerRacks.size === 0) return false;
  let disjoint = true;
  for (const r of consumerRacks) if (partitionRacksAll.has(r)) disjoint = false;
  if (disjoint) return false;
  for (const racks of racksPerPartition.values()) {
    if (racks.size !== partitionRacksAll.size) return true;
    for (const r of racks) if (!partitionRacksAll.has(r)) return true;
  }
  return false;
}

/** The distinct non-null racks of a partition's replicas. */
export function replicaRacks(partitionRacks: PartitionRacks | undefined, tp: TopicPartition): Set<string> {
  const out = new Set<string>();
  for (const r of partitionRacks?.get(tpKey(tp)) ?? []) if (r !== null) out.add(r);
  return out;
}
