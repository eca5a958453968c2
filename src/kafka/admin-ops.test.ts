/**
 * Admin actions through the whole cluster (issue 12): CreatePartitions (kafka-topics --alter
 * --partitions) and partition reassignment with a replication throttle
 * (kafka-reassign-partitions), as Kafka's controller and brokers run them.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario, TimelineAction } from '../scenario/types';
import { writeClusterImage, readClusterImage } from './checkpoint';
import { Cluster } from './cluster';
import { checkAcknowledgedRecords, checkStepInvariants, newInvariantState } from './invariants/invariants';
import { FAULT_END_MS, SETTLE_MS, randomScenario } from './invariants/random-scenario';
import { partitionForKey, utf8 } from './producer/murmur2';
import { Prng } from './sim/prng';

function cluster(extra: Partial<Scenario> = {}, brokers = 4): Scenario {
  return {
    version: 1,
    seed: 7,
    cluster: { brokers: Array.from({ length: brokers }, (_, i) => ({ id: i + 1, rack: null })), network: { latencyMs: 1, jitterMs: 1 } },
    topics: [{ name: 'orders', partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
    clients: [{ kind: 'producer', id: 'p', config: { acks: 'all' } }],
    ...extra,
  };
}

const keyed = (n: number, at: number, prefix = 'user'): TimelineAction[] =>
  Array.from({ length: n }, (_, i) => ({ at: at + i, op: 'produce' as const, producer: 'p', topic: 'orders', key: `${prefix}-${i}`, value: `v${i}` }));

function rejected(c: Cluster) {
  return c.allEvents().filter((e) => e.type === 'ActionRejected');
}

describe('createPartitions', () => {
  it('adds partitions with replicas and leaders on live brokers, and says so', () => {
    const c = new Cluster(cluster({ timeline: [{ at: 100, op: 'addPartitions', topic: 'orders', partitions: 6 }] }));
    c.runUntil(3000);
    const s = c.snapshot();
    expect(s.topics.find((t) => t.name === 'orders')!.partitions).toBe(6);
    const parts = s.partitions.filter((p) => p.topic === 'orders');
    expect(parts).toHaveLength(6);
    for (const p of parts.slice(3)) {
      expect(p.replicas).toHaveLength(3);
      expect(new Set(p.replicas).size).toBe(3);
      expect(p.leader).toBe(p.replicas[0]);
      expect(p.isr.sort()).toEqual([...p.replicas].sort());
      // Every replica broker created the log.
      expect(p.replicaStates.map((r) => r.broker).sort()).toEqual([...p.replicas].sort());
    }
    expect(c.allEvents().find((e) => e.type === 'PartitionsCreated')).toMatchObject({ topic: 'orders', from: 3, to: 6 });
  });

  it('refuses to shrink or keep the count, in Kafka words, and needs live brokers for the replication factor', () => {
    const c = new Cluster(
      cluster({
        timeline: [
          { at: 100, op: 'addPartitions', topic: 'orders', partitions: 2 },
          { at: 101, op: 'addPartitions', topic: 'orders', partitions: 3 },
          { at: 102, op: 'addPartitions', topic: 'nope', partitions: 3 },
          { at: 200, op: 'killBroker', broker: 1 },
          { at: 201, op: 'killBroker', broker: 2 },
          { at: 15000, op: 'addPartitions', topic: 'orders', partitions: 4 },
        ],
      }),
    );
    c.runUntil(16000);
    const msgs = rejected(c).map((e) => (e.type === 'ActionRejected' ? `${e.error}: ${e.message}` : ''));
    expect(msgs).toEqual([
      'INVALID_PARTITIONS: Topic currently has 3 partitions, which is higher than the requested 2.',
      'INVALID_PARTITIONS: Topic already has 3 partitions.',
      "UNKNOWN_TOPIC_OR_PARTITION: Topic 'nope' does not exist.",
      'INVALID_REPLICATION_FACTOR: Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 2 broker(s) are registered.',
    ]);
    expect(c.snapshot().topics[0]!.partitions).toBe(3);
  });

  it('moves keys: the producer hashes over the new count, so a key lands on murmur2(key) % 6', () => {
    const c = new Cluster(cluster({ timeline: [...keyed(40, 100), { at: 1000, op: 'addPartitions', topic: 'orders', partitions: 6 }, ...keyed(40, 2000)] }), { recordProduced: true });
    c.runUntil(5000);
    const rows = c.output().produced;
    const before = rows.filter((r) => r.at < 1000);
    const after = rows.filter((r) => r.at >= 2000);
    expect(before).toHaveLength(40);
    expect(after).toHaveLength(40);
    let moved = 0;
    for (const r of after) {
      expect(r.partition).toBe(partitionForKey(utf8(r.key!), 6));
      const old = before.find((b) => b.key === r.key)!;
      expect(old.partition).toBe(partitionForKey(utf8(r.key!), 3));
      if (old.partition !== r.partition) moved++;
    }
    // About half the keys change partition going from 3 to 6.
    expect(moved).toBeGreaterThan(5);
    expect(after.some((r) => r.partition >= 3)).toBe(true);
  });

  it('rebalances the consumer group so the new partitions are assigned and consumed', () => {
    const c = new Cluster(
      cluster({
        clients: [
          { kind: 'producer', id: 'p', config: { acks: 'all' } },
          { kind: 'consumer', id: 'c1', groupId: 'g', topics: ['orders'], config: { 'auto.offset.reset': 'earliest' } },
          { kind: 'consumer', id: 'c2', groupId: 'g', topics: ['orders'], config: { 'auto.offset.reset': 'earliest' } },
        ],
        timeline: [{ at: 15000, op: 'addPartitions', topic: 'orders', partitions: 6 }, ...keyed(60, 25000)],
      }),
    );
    c.runUntil(14000);
    const g0 = c.coordinator.describeGroups().find((g) => g.groupId === 'g')!;
    expect(g0.state).toBe('Stable');
    const gen0 = g0.generation;
    c.runUntil(40000);
    const g = c.coordinator.describeGroups().find((x) => x.groupId === 'g')!;
    expect(g.state).toBe('Stable');
    expect(g.generation).toBeGreaterThan(gen0);
    const assigned = g.members.flatMap((m) => m.assignment.map((a) => `${a.topic}-${a.partition}`)).sort();
    expect(assigned).toEqual(['orders-0', 'orders-1', 'orders-2', 'orders-3', 'orders-4', 'orders-5']);
    // Records on the new partitions were consumed (committed offsets moved there).
    const newParts = g.offsets.filter((o) => o.partition >= 3);
    expect(newParts.reduce((s, o) => s + (o.committed ?? 0), 0)).toBeGreaterThan(0);
  });
});

/** One partition, RF 3 on brokers 1..3, with data; then reassigned to [4,2,3] (1 leaves, 4 joins). */
function moveScenario(throttle: number | undefined): Scenario {
  const load: TimelineAction[] = [{ at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 500, valueBytes: 200 }, { at: 8000, op: 'stopLoad', producer: 'p' }];
  return cluster({
    topics: [{ name: 'orders', partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': 2 }, assignments: [[1, 2, 3]] }],
    timeline: [...load, { at: 10000, op: 'reassignPartitions', topic: 'orders', partition: 0, replicas: [4, 2, 3], ...(throttle !== undefined ? { throttleBytesPerSec: throttle } : {}) }],
  });
}

function runUntilDone(c: Cluster, limitMs: number): number {
  for (let t = 10000; t <= limitMs; t += 100) {
    c.runUntil(t);
    if (c.allEvents().some((e) => e.type === 'PartitionReassignmentCompleted')) return t;
  }
  return -1;
}

describe('reassignPartitions', () => {
  it('adds the new replica (AR + RS), it catches up and joins the ISR, leadership moves off the removed leader, which deletes its log', () => {
    const c = new Cluster(moveScenario(undefined));
    c.runUntil(10001);
    const during = c.snapshot().partitions[0]!;
    expect(during.replicas).toEqual([4, 2, 3, 1]);
    expect(during.addingReplicas).toEqual([4]);
    expect(during.removingReplicas).toEqual([1]);
    expect(during.leader).toBe(1);
    const done = runUntilDone(c, 60000);
    expect(done).toBeGreaterThan(0);
    c.runUntil(done + 2000);
    const p = c.snapshot().partitions[0]!;
    expect(p.replicas).toEqual([4, 2, 3]);
    expect(p.addingReplicas).toBeUndefined();
    expect(p.isr.sort()).toEqual([2, 3, 4]);
    expect(p.leader).toBe(4);
    const ev = c.allEvents();
    expect(ev.some((e) => e.type === 'IsrExpand' && e.broker === 4)).toBe(true);
    expect(ev.some((e) => e.type === 'LeaderElected' && e.reason === 'reassignment' && e.leader === 4)).toBe(true);
    expect(ev.some((e) => e.type === 'ReplicaDeleted' && e.broker === 1)).toBe(true);
    expect(c.brokers.get(1)!.logs.has('orders-0')).toBe(false);
    // The new replica holds the whole log.
    const leo = c.brokers.get(4)!.logs.get('orders-0')!.logEndOffset;
    expect(leo).toBe(c.brokers.get(2)!.logs.get('orders-0')!.logEndOffset);
    expect(leo).toBeGreaterThan(3000);
    expect(checkAcknowledgedRecords(c)).toEqual([]);
  });

  it('a throttle sets the throttle configs as --throttle does and slows the move down', () => {
    const fast = new Cluster(moveScenario(undefined));
    const slow = new Cluster(moveScenario(50_000));
    const fastDone = runUntilDone(fast, 200000);
    const slowDone = runUntilDone(slow, 200000);
    expect(fastDone).toBeGreaterThan(0);
    expect(slowDone).toBeGreaterThan(0);
    // ~1 MB moved at 50 kB/s takes many seconds; unthrottled well under one.
    expect(slowDone - 10000).toBeGreaterThan(5 * (fastDone - 10000));
    expect(slowDone - 10000).toBeGreaterThan(8000);
    const s = slow.snapshot();
    expect(s.brokerConfig).toMatchObject({ 'leader.replication.throttled.rate': 50000, 'follower.replication.throttled.rate': 50000 });
    expect(s.topics[0]!.config).toMatchObject({ 'leader.replication.throttled.replicas': '0:1,0:2,0:3', 'follower.replication.throttled.replicas': '0:4' });
  });

  it('while the throttled move runs, the new replica is seen catching up partway', () => {
    const c = new Cluster(moveScenario(50_000));
    c.runUntil(16000);
    const p = c.snapshot().partitions[0]!;
    expect(p.addingReplicas).toEqual([4]);
    const r4 = p.replicaStates.find((r) => r.broker === 4)!;
    const r2 = p.replicaStates.find((r) => r.broker === 2)!;
    expect(r4.logEndOffset).toBeGreaterThan(0);
    expect(r4.logEndOffset).toBeLessThan(r2.logEndOffset);
    expect(p.isr).not.toContain(4);
  });

  it('moves replicas onto live brokers while a broker is dead', () => {
    const c = new Cluster(
      cluster({
        topics: [{ name: 'orders', partitions: 2, replicationFactor: 3, config: { 'min.insync.replicas': 2 }, assignments: [[1, 2, 3], [2, 3, 1]] }],
        timeline: [
          ...keyed(50, 100),
          { at: 2000, op: 'killBroker', broker: 1 },
          { at: 15000, op: 'reassignPartitions', topic: 'orders', partition: 0, replicas: [2, 3, 4] },
          { at: 15000, op: 'reassignPartitions', topic: 'orders', partition: 1, replicas: [2, 3, 4] },
        ],
      }),
    );
    c.runUntil(30000);
    for (const p of c.snapshot().partitions) {
      expect(p.replicas).toEqual([2, 3, 4]);
      expect(p.isr.sort()).toEqual([2, 3, 4]);
      expect(p.addingReplicas).toBeUndefined();
    }
    expect(checkAcknowledgedRecords(c)).toEqual([]);
  });

  it('refuses bad targets per partition with Kafka error names, and cancels a reassignment in progress', () => {
    const c = new Cluster(
      cluster({
        timeline: [
          { at: 100, op: 'reassignPartitions', topic: 'orders', partition: 0, replicas: [1, 9] },
          { at: 101, op: 'reassignPartitions', topic: 'orders', partition: 0, replicas: [1, 1] },
          { at: 102, op: 'reassignPartitions', topic: 'orders', partition: 7, replicas: [1] },
          { at: 103, op: 'reassignPartitions', topic: 'orders', partition: 0, replicas: null },
        ],
      }),
    );
    c.runUntil(1000);
    expect(rejected(c).map((e) => (e.type === 'ActionRejected' ? e.error : ''))).toEqual([
      'INVALID_REPLICA_ASSIGNMENT',
      'INVALID_REPLICA_ASSIGNMENT',
      'UNKNOWN_TOPIC_OR_PARTITION',
      'NO_REASSIGNMENT_IN_PROGRESS',
    ]);
    const m = rejected(c)[0]!;
    expect(m.type === 'ActionRejected' && m.message).toBe('The manual partition assignment includes broker 9, but no such broker is registered.');

    const d = new Cluster(moveScenario(10_000));
    d.runUntil(12000);
    d.perform({ op: 'reassignPartitions', topic: 'orders', partition: 0, replicas: null });
    d.runUntil(15000);
    const p = d.snapshot().partitions[0]!;
    // PartitionReassignmentRevert: the current replicas without the adding ones, in their order.
    expect(p.replicas).toEqual([2, 3, 1]);
    expect(p.addingReplicas).toBeUndefined();
    expect(d.brokers.get(4)!.logs.has('orders-0')).toBe(false);
    expect(d.allEvents().some((e) => e.type === 'PartitionReassignmentCancelled')).toBe(true);
  });

  it('is deterministic and survives a checkpoint mid-move (CLUSTER_CLASSES)', () => {
    const a = new Cluster(moveScenario(50_000));
    const b = new Cluster(moveScenario(50_000));
    a.runUntil(14000);
    const copy = readClusterImage(writeClusterImage(a));
    a.runUntil(40000);
    b.runUntil(40000);
    copy.runUntil(40000);
    const sig = (c: Cluster) => JSON.stringify(c.output().events);
    expect(sig(a)).toBe(sig(b));
    expect(sig(copy)).toBe(sig(a));
  });
});

describe('property: reassignments under random kills lose no acknowledged acks=all record', () => {
  const SEEDS = Number(process.env.REASSIGN_SEEDS ?? 12);
  for (let seed = 1; seed <= SEEDS; seed++) {
    it(`seed ${seed}`, () => {
      const base = randomScenario(seed);
      const r = new Prng(seed * 7919);
      const brokers = base.cluster.brokers.map((b) => b.id);
      const extra: TimelineAction[] = [];
      const moves = r.range(1, 4);
      for (let i = 0; i < moves; i++) {
        const topic = r.pick(base.topics!).name;
        const count = base.topics!.find((t) => t.name === topic)!.partitions;
        const partition = r.int(count);
        const pool = brokers.slice();
        const target: number[] = [];
        while (target.length < 3) target.push(pool.splice(r.int(pool.length), 1)[0]!);
        extra.push({ at: r.range(2000, FAULT_END_MS - 2000), op: 'reassignPartitions', topic, partition, replicas: target, ...(r.bool() ? { throttleBytesPerSec: r.range(2000, 50000) } : {}) });
      }
      const scenario: Scenario = { ...base, timeline: [...base.timeline!, ...extra].sort((x, y) => x.at - y.at) };
      const c = new Cluster(scenario, { recordProduced: true });
      const state = newInvariantState();
      const violations: string[] = [];
      for (let t = 50; t <= FAULT_END_MS + SETTLE_MS && violations.length === 0; t += 50) {
        c.runUntil(t);
        for (const v of checkStepInvariants(c, state)) violations.push(`t=${t}: ${v}`);
      }
      if (violations.length === 0) violations.push(...checkAcknowledgedRecords(c));
      expect(violations, JSON.stringify(scenario)).toEqual([]);
      expect(c.output().produced.filter((p) => p.offset !== null).length).toBeGreaterThan(0);
      // Every reassignment finished once the faults healed.
      expect(c.controller.reassignmentsInProgress()).toEqual([]);
    });
  }
});
