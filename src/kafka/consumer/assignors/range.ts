/**
 * RangeAssignor (clients/.../consumer/RangeAssignor.java): per topic, the members that
 * subscribe to it, in MemberInfo order, get contiguous ranges; the first P % C get one more.
 *
 * Rack-aware (KIP-881) when consumers send client.rack and the partitions' replicas are not
 * on the same racks everywhere (useRackAwareAssignment): first each member takes, within its
 * range quota, partitions with a replica in its rack (co-partitioned topics, those with the
 * same members and partition count, move together: partition p of all of them goes to one
 * member whose rack every one of them has); then the plain range pass hands out the rest
 * within the same quotas. So balance never suffers for racks.
 */
import type { TopicPartition } from '../../snapshot';
import { compareMembers, compareTps, memberRack, replicaRacks, useRackAwareAssignment, type Assignor, type AssignorMember, type PartitionRacks } from './types';

/** RangeAssignor.TopicAssignmentState. */
class TopicAssignmentState {
  /** Member id → rack (null: none), in MemberInfo order. */
  readonly consumers: Map<string, string | null>;
  readonly needsRackAwareAssignment: boolean;
  /** By partition number; empty when no member of the topic has a rack. */
  readonly partitionRacks: Map<number, Set<string>>;
  readonly unassigned: number[];
  private readonly numAssigned = new Map<string, number>();
  private readonly perConsumer: number;
  private remainingWithExtra: number;

  constructor(
    readonly topic: string,
    readonly numPartitions: number,
    members: AssignorMember[],
    racks: PartitionRacks | undefined,
  ) {
    const sorted = members.slice().sort(compareMembers);
    this.consumers = new Map(sorted.map((m) => [m.memberId, memberRack(m)]));
    this.unassigned = Array.from({ length: numPartitions }, (_, p) => p);
    for (const id of this.consumers.keys()) this.numAssigned.set(id, 0);
    this.perConsumer = sorted.length === 0 ? 0 : Math.floor(numPartitions / sorted.length);
    this.remainingWithExtra = sorted.length === 0 ? 0 : numPartitions % sorted.length;
    const consumerRacks = new Set<string>();
    for (const r of this.consumers.values()) if (r !== null) consumerRacks.add(r);
    const allPartitionRacks = new Set<string>();
    this.partitionRacks = new Map();
    const byKey = new Map<string, Set<string>>();
    if (consumerRacks.size > 0) {
      for (let p = 0; p < numPartitions; p++) {
        const set = replicaRacks(racks, { topic, partition: p });
        this.partitionRacks.set(p, set);
        byKey.set(String(p), set);
        for (const r of set) allPartitionRacks.add(r);
      }
    }
    this.needsRackAwareAssignment = useRackAwareAssignment(consumerRacks, allPartitionRacks, byKey);
  }

  /** The members and their racks, as one comparable key (Collectors.groupingBy(t -> t.consumers)). */
  consumersKey(): string {
    return [...this.consumers].map(([id, r]) => `${id}\u0000${r ?? ''}`).join('\u0001');
  }

  racksMatch(consumer: string, p: number): boolean {
    const rack = this.consumers.get(consumer) ?? null;
    return rack === null || (this.partitionRacks.get(p)?.has(rack) ?? false);
  }

  maxAssignable(consumer: string): number {
    return Math.max(0, this.perConsumer + (this.remainingWithExtra > 0 ? 1 : 0) - (this.numAssigned.get(consumer) ?? 0));
  }

  onAssigned(consumer: string, partitions: number[]): void {
    const n = (this.numAssigned.get(consumer) ?? 0) + partitions.length;
    this.numAssigned.set(consumer, n);
    if (n > this.perConsumer) this.remainingWithExtra--;
    const gone = new Set(partitions);
    for (let i = this.unassigned.length - 1; i >= 0; i--) if (gone.has(this.unassigned[i]!)) this.unassigned.splice(i, 1);
  }
}

function assignTo(out: Map<string, TopicPartition[]>, consumer: string, partitions: number[], state: TopicAssignmentState): void {
  const list = out.get(consumer)!;
  for (const p of partitions) list.push({ topic: state.topic, partition: p });
  state.onAssigned(consumer, partitions);
}

/** RangeAssignor.assignRanges: each member in order takes what it may of what is left, up to its quota. */
function assignRanges(state: TopicAssignmentState, mayAssign: (consumer: string, p: number) => boolean, out: Map<string, TopicPartition[]>): void {
  for (const consumer of state.consumers.keys()) {
    if (state.unassigned.length === 0) break;
    const max = state.maxAssignable(consumer);
    const assignable: number[] = [];
    for (const p of state.unassigned) {
      if (assignable.length >= max) break;
      if (mayAssign(consumer, p)) assignable.push(p);
    }
    if (assignable.length === 0) continue;
    assignTo(out, consumer, assignable, state);
  }
}

/** RangeAssignor.assignCoPartitionedWithRackMatching. */
function assignCoPartitioned(consumers: string[], numPartitions: number, states: TopicAssignmentState[], out: Map<string, TopicPartition[]>): void {
  const remaining = consumers.slice();
  for (let p = 0; p < numPartitions; p++) {
    const match = remaining.find((c) => states.every((t) => t.racksMatch(c, p) && t.maxAssignable(c) > 0));
    if (match === undefined) continue;
    for (const t of states) assignTo(out, match, [p], t);
    if (states.every((t) => t.maxAssignable(match) <= 0)) {
      remaining.splice(remaining.indexOf(match), 1);
      if (remaining.length === 0) break;
    }
  }
}

export function rangeAssign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>, partitionRacks?: PartitionRacks): Map<string, TopicPartition[]> {
  const out = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]));
  const topics = new Set<string>();
  for (const m of members) for (const t of m.topics) topics.add(t);
  const states: TopicAssignmentState[] = [];
  for (const topic of [...topics].sort()) {
    const n = partitionsPerTopic.get(topic);
    if (n === undefined || n <= 0) continue;
    states.push(new TopicAssignmentState(topic, n, members.filter((m) => m.topics.includes(topic)), partitionRacks));
  }
  const useRackAware = states.some((t) => t.needsRackAwareAssignment);
  if (useRackAware) {
    // assignWithRackMatching: by member set, then by partition count.
    const byConsumers = new Map<string, TopicAssignmentState[]>();
    for (const t of states) {
      const k = t.consumersKey();
      byConsumers.set(k, [...(byConsumers.get(k) ?? []), t]);
    }
    for (const group of byConsumers.values()) {
      const byCount = new Map<number, TopicAssignmentState[]>();
      for (const t of group) byCount.set(t.numPartitions, [...(byCount.get(t.numPartitions) ?? []), t]);
      for (const [n, coPartitioned] of byCount) {
        if (coPartitioned.length > 1) assignCoPartitioned([...coPartitioned[0]!.consumers.keys()], n, coPartitioned, out);
        else {
          const t = coPartitioned[0]!;
          if (t.needsRackAwareAssignment) assignRanges(t, (c, p) => t.racksMatch(c, p), out);
        }
      }
    }
  }
  for (const t of states) assignRanges(t, () => true, out);
  if (useRackAware) for (const list of out.values()) list.sort(compareTps);
  return out;
}

export const rangeAssignor: Assignor = {
  name: 'range',
  protocols: ['EAGER'],
  assign: rangeAssign,
};
