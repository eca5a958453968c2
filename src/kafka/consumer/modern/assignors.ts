/**
 * The server-side assignors of the consumer group protocol (KIP-848), run by the group
 * coordinator (group-coordinator/src/main/java/org/apache/kafka/coordinator/group/assignor):
 * `uniform` (UniformAssignor, the default of group.consumer.assignors) and `range`
 * (RangeAssignor). They compute the group's target assignment from the members'
 * subscriptions and their current target assignment; the CurrentAssignmentBuilder then
 * moves each member towards it.
 */

/** A member as the assignor sees it (GroupSpec's MemberSubscriptionAndAssignment). */
export interface ServerAssignorMember {
  memberId: string;
  instanceId: string | null;
  /** Subscribed topic names. */
  topics: readonly string[];
  /** The member's current target assignment: topic → partitions. */
  assignment: ReadonlyMap<string, ReadonlySet<number>>;
}

/** topic → partitions, by member id. */
export type GroupAssignment = Map<string, Map<string, Set<number>>>;

export interface ServerAssignor {
  name: string;
  /** partitionCount: -1 for a topic that does not exist (it is skipped, as the metadata lacks it). */
  assign(members: readonly ServerAssignorMember[], partitionCount: (topic: string) => number): GroupAssignment;
}

/** PartitionAssignorException's message when a subscribed topic has no metadata is not modelled: such topics are left out. */
function existing(topics: Iterable<string>, partitionCount: (t: string) => number): string[] {
  return [...new Set(topics)].filter((t) => partitionCount(t) > 0).sort();
}

function homogeneous(members: readonly ServerAssignorMember[]): boolean {
  const k = (m: ServerAssignorMember) => [...new Set(m.topics)].sort().join('\u0000');
  return members.every((m) => k(m) === k(members[0]!));
}

const byId = (a: ServerAssignorMember, b: ServerAssignorMember) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0);

function copy(a: ReadonlyMap<string, ReadonlySet<number>>): Map<string, Set<number>> {
  return new Map([...a].map(([t, ps]) => [t, new Set(ps)]));
}

function add(a: Map<string, Set<number>>, t: string, p: number): void {
  let s = a.get(t);
  if (!s) a.set(t, (s = new Set()));
  s.add(p);
}

function size(a: ReadonlyMap<string, ReadonlySet<number>>): number {
  let n = 0;
  for (const s of a.values()) n += s.size;
  return n;
}

/**
 * UniformHomogeneousAssignmentBuilder: every member subscribes to the same topics. Each
 * member keeps what it has up to its quota (total / members, the first total % members
 * members one more), partitions over quota or of topics no longer subscribed are freed,
 * and the free partitions (topic by topic, partition order) fill the members with room in
 * member order. Members are visited in member id order (Kafka iterates a hash map).
 */
function uniformHomogeneous(members: readonly ServerAssignorMember[], partitionCount: (t: string) => number): GroupAssignment {
  const out: GroupAssignment = new Map();
  const sorted = members.slice().sort(byId);
  const topics = existing(sorted[0]!.topics, partitionCount);
  if (topics.length === 0) {
    for (const m of sorted) out.set(m.memberId, new Map());
    return out;
  }
  const owned = new Set<string>();
  for (const m of sorted) for (const [t, ps] of m.assignment) for (const p of ps) owned.add(`${t}-${p}`);
  const unassigned: [string, number][] = [];
  let total = 0;
  for (const t of topics) {
    const n = partitionCount(t);
    for (let p = 0; p < n; p++) if (!owned.has(`${t}-${p}`)) unassigned.push([t, p]);
    total += n;
  }
  const minQuota = Math.floor(total / sorted.length);
  let extra = total % sorted.length;
  const unfilled: [string, number][] = [];
  for (const m of sorted) {
    let quota = minQuota;
    if (extra > 0) {
      quota++;
      extra--;
    }
    const next = new Map<string, Set<number>>();
    for (const [t, ps] of [...m.assignment].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!topics.includes(t)) continue;
      for (const p of [...ps].sort((a, b) => a - b)) {
        if (p >= partitionCount(t)) continue;
        if (quota > 0) {
          quota--;
          add(next, t, p);
        } else unassigned.push([t, p]);
      }
    }
    if (quota > 0) unfilled.push([m.memberId, quota]);
    out.set(m.memberId, next);
  }
  let i = 0;
  for (const [id, quota] of unfilled) {
    const a = out.get(id)!;
    for (let q = 0; q < quota && i < unassigned.length; q++, i++) add(a, unassigned[i]![0], unassigned[i]![1]);
  }
  if (i < unassigned.length) throw new Error('Partitions were left unassigned');
  return out;
}

/**
 * UniformHeterogeneousAssignmentBuilder's goals, simplified: members subscribe to different
 * topics. Each member keeps the partitions it has of topics it still subscribes to; every
 * free partition goes to the subscribed member with the fewest partitions; then partitions
 * move from the most to the least loaded of their subscribers until no move narrows the
 * gap (balance as far as the subscriptions allow, stickiness otherwise).
 */
function uniformHeterogeneous(members: readonly ServerAssignorMember[], partitionCount: (t: string) => number): GroupAssignment {
  const sorted = members.slice().sort(byId);
  const out: GroupAssignment = new Map();
  const taken = new Set<string>();
  for (const m of sorted) {
    const subs = new Set(m.topics);
    const next = new Map<string, Set<number>>();
    for (const [t, ps] of m.assignment) {
      if (!subs.has(t)) continue;
      for (const p of ps) if (p < partitionCount(t) && !taken.has(`${t}-${p}`)) {
        add(next, t, p);
        taken.add(`${t}-${p}`);
      }
    }
    out.set(m.memberId, next);
  }
  const subscribers = new Map<string, ServerAssignorMember[]>();
  for (const m of sorted) for (const t of existing(m.topics, partitionCount)) {
    let l = subscribers.get(t);
    if (!l) subscribers.set(t, (l = []));
    l.push(m);
  }
  const topics = [...subscribers.keys()].sort();
  const least = (t: string) => subscribers.get(t)!.reduce((best, m) => (size(out.get(m.memberId)!) < size(out.get(best.memberId)!) ? m : best));
  for (const t of topics) for (let p = 0; p < partitionCount(t); p++) {
    if (taken.has(`${t}-${p}`)) continue;
    add(out.get(least(t).memberId)!, t, p);
    taken.add(`${t}-${p}`);
  }
  // Balance: move one partition at a time from a member to a less loaded subscriber (gap ≥ 2).
  for (let moved = true, guard = 0; moved && guard < 10000; guard++) {
    moved = false;
    for (const m of sorted) {
      const a = out.get(m.memberId)!;
      for (const [t, ps] of [...a].sort(([x], [y]) => (x < y ? -1 : 1))) {
        const to = least(t);
        if (size(out.get(to.memberId)!) + 1 < size(a) && ps.size > 0) {
          const p = Math.max(...ps);
          ps.delete(p);
          if (ps.size === 0) a.delete(t);
          add(out.get(to.memberId)!, t, p);
          moved = true;
          break;
        }
      }
    }
  }
  return out;
}

export const UNIFORM_ASSIGNOR: ServerAssignor = {
  name: 'uniform',
  assign(members, partitionCount) {
    if (members.length === 0) return new Map();
    return homogeneous(members) ? uniformHomogeneous(members, partitionCount) : uniformHeterogeneous(members, partitionCount);
  },
};

/** RangeAssignor.sortMemberIds: static members first by instance id, then the rest by member id. */
function rangeOrder(a: ServerAssignorMember, b: ServerAssignorMember): number {
  if (a.instanceId !== null && b.instanceId !== null) return a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0;
  if (a.instanceId !== null) return -1;
  if (b.instanceId !== null) return 1;
  return byId(a, b);
}

/**
 * RangeAssignor (server side): per topic, its subscribers in order each take a contiguous
 * range, numPartitions / subscribers, the first numPartitions % subscribers one more.
 */
export const RANGE_ASSIGNOR: ServerAssignor = {
  name: 'range',
  assign(members, partitionCount) {
    const sorted = members.slice().sort(rangeOrder);
    const meta = new Map<string, { n: number; members: number; min: number; extra: number; next: number }>();
    for (const m of sorted) for (const t of existing(m.topics, partitionCount)) {
      const x = meta.get(t) ?? { n: partitionCount(t), members: 0, min: -1, extra: -1, next: 0 };
      x.members++;
      meta.set(t, x);
    }
    const out: GroupAssignment = new Map();
    for (const m of sorted) {
      const a = new Map<string, Set<number>>();
      for (const t of existing(m.topics, partitionCount)) {
        const x = meta.get(t)!;
        if (x.min < 0) {
          x.min = Math.floor(x.n / x.members);
          x.extra = x.n % x.members;
        }
        let quota = x.min;
        if (x.extra > 0) {
          quota++;
          x.extra--;
        }
        const end = Math.min(x.next + quota, x.n);
        for (let p = x.next; p < end; p++) add(a, t, p);
        x.next = end;
      }
      out.set(m.memberId, a);
    }
    return out;
  },
};

/** group.consumer.assignors: the assignors the brokers offer, the first the default. */
export const SERVER_ASSIGNORS: readonly ServerAssignor[] = [UNIFORM_ASSIGNOR, RANGE_ASSIGNOR];

export function serverAssignorByName(name: string): ServerAssignor | undefined {
  return SERVER_ASSIGNORS.find((a) => a.name === name);
}
