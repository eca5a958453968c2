/**
 * Fetching from the closest replica (KIP-392) through the whole cluster: the leader's
 * RackAwareReplicaSelector (replica.selector.class) names a follower in the consumer's
 * client.rack as its preferred read replica (ReplicaManager.findPreferredReadReplica); the
 * consumer then fetches from it (AbstractFetch.selectReadReplica), reads only up to that
 * follower's high watermark, and goes back to the leader when the follower fails. Behaviour
 * as Kafka's ReplicaManagerTest (testPreferredReplicaAsLeader / testPreferredReplicaAsFollower,
 * testFetchFromFollowerShouldNotRunPreferLeaderSelect…), FetchRequestTest, FetcherTest
 * (testPreferredReadReplica, testPreferredReadReplicaOffsetError) and ReplicaSelectorTest.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario, TimelineAction } from '../scenario/types';
import { Cluster } from './cluster';
import { threeRacks } from './test-support/three-racks';
import { RACK_AWARE_REPLICA_SELECTOR } from './config';
import type { KafkaError } from './errors';

/** Brokers 1, 2, 3 in racks a, b, c; one partition led by broker 1 with followers 2 and 3. */
function scenario(opts: { selector?: boolean; clientRack?: string; timeline?: TimelineAction[]; consumerConfig?: Record<string, string | number> } = {}): Scenario {
  return {
    version: 1,
    seed: 7,
    cluster: threeRacks({ config: opts.selector === false ? {} : { 'replica.selector.class': RACK_AWARE_REPLICA_SELECTOR } }),
    topics: [{ name: 'orders', partitions: 1, replicationFactor: 3, assignments: [[1, 2, 3]], config: { 'min.insync.replicas': 2 } }],
    clients: [
      { kind: 'producer', id: 'p', config: { acks: 'all' } },
      {
        kind: 'consumer',
        id: 'c',
        groupId: 'g',
        topics: ['orders'],
        config: { 'auto.offset.reset': 'earliest', ...(opts.clientRack !== undefined ? { 'client.rack': opts.clientRack } : {}), ...(opts.consumerConfig ?? {}) },
      },
    ],
    timeline: opts.timeline ?? [{ at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 100, keys: 10, valueBytes: 20 }],
  };
}

const readReplica = (c: Cluster) => c.snapshot().consumers.find((x) => x.id === 'c')!.positions[0]?.readReplica;
const consumed = (c: Cluster) => c.snapshot().consumers.find((x) => x.id === 'c')!.consumed;

describe('fetch from the closest replica (KIP-392)', () => {
  it('a consumer in rack b reads from the follower in rack b (testPreferredReplicaAsLeader)', () => {
    const c = new Cluster(scenario({ clientRack: 'b' }), { recordConsumed: true });
    c.runUntil(8000);
    expect(c.snapshot().partitions[0]!.leader).toBe(1);
    expect(readReplica(c)).toBe(2);
    const before = consumed(c);
    expect(before).toBeGreaterThan(100);
    // Broker 2 answers the consumer's fetches now; the leader hears none (the replica is valid for metadata.max.age.ms).
    const fetches = new Map<number, number>();
    for (const id of [1, 2, 3]) {
      const b = c.brokers.get(id)!;
      const handle = b.handleFetch.bind(b);
      b.handleFetch = (req) => {
        if (req.replicaId < 0) fetches.set(id, (fetches.get(id) ?? 0) + 1);
        return handle(req);
      };
    }
    c.runUntil(12000);
    expect(consumed(c)).toBeGreaterThan(before + 200);
    expect(readReplica(c)).toBe(2);
    expect(fetches.get(2) ?? 0).toBeGreaterThan(20);
    expect(fetches.get(1) ?? 0).toBe(0);
    expect(fetches.get(3) ?? 0).toBe(0);
  });

  it('without replica.selector.class (the default), consumers read from the leader', () => {
    const c = new Cluster(scenario({ selector: false, clientRack: 'b' }));
    c.runUntil(8000);
    expect(readReplica(c)).toBeUndefined();
    expect(consumed(c)).toBeGreaterThan(100);
  });

  it('no client.rack, or the leader in the consumer\'s rack, or no replica in it: the leader (ReplicaSelectorTest)', () => {
    for (const rack of [undefined, 'a', 'z']) {
      const c = new Cluster(scenario({ clientRack: rack }));
      c.runUntil(6000);
      expect(readReplica(c), `client.rack ${rack}`).toBeUndefined();
      expect(consumed(c)).toBeGreaterThan(100);
    }
  });

  it('the follower serves only up to its high watermark, which trails the leader\'s', () => {
    const c = new Cluster(scenario({ clientRack: 'c' }), { recordConsumed: true });
    let checks = 0;
    for (let t = 3000; t <= 9000; t += 7) {
      c.runUntil(t);
      const follower = c.brokers.get(3)!.logs.get('orders-0')!;
      const leader = c.brokers.get(1)!.logs.get('orders-0')!;
      expect(follower.highWatermark).toBeLessThanOrEqual(leader.highWatermark);
      const pos = c.snapshot().consumers[0]!.positions[0];
      if (pos?.readReplica === 3) {
        checks++;
        expect(pos.position).toBeLessThanOrEqual(follower.highWatermark);
      }
    }
    expect(checks).toBeGreaterThan(100);
    // Every record consumed is in the leader's log at its offset (nothing uncommitted was read).
    const out = c.output();
    const leaderRecords = new Map(out.partitions[0]!.records!.map((r) => [r.offset, r.value]));
    expect(out.consumed.length).toBeGreaterThan(300);
    for (const r of out.consumed) expect(leaderRecords.get(r.offset)).toBe(r.value);
  });

  it('the follower\'s broker dies: the consumer goes back to the leader and keeps consuming (FetcherTest.testFetchDisconnectedShouldClearPreferredReadReplica)', () => {
    const c = new Cluster(scenario({ clientRack: 'b', timeline: [
      { at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 100, keys: 10, valueBytes: 20 },
      { at: 8000, op: 'killBroker', broker: 2 },
    ] }));
    c.runUntil(7900);
    expect(readReplica(c)).toBe(2);
    c.runUntil(25000);
    expect(readReplica(c)).toBeUndefined();
    const before = consumed(c);
    c.runUntil(30000);
    expect(consumed(c)).toBeGreaterThan(before + 300);
    expect(readReplica(c)).toBeUndefined();
  });

  it('the follower comes back and catches up: the leader names it again once the preferred replica is asked for anew (metadata.max.age.ms)', () => {
    const c = new Cluster(scenario({ clientRack: 'b', consumerConfig: { 'metadata.max.age.ms': 5000 }, timeline: [
      { at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 100, keys: 10, valueBytes: 20 },
      { at: 6000, op: 'killBroker', broker: 2 },
      { at: 20000, op: 'restartBroker', broker: 2 },
    ] }));
    c.runUntil(5900);
    expect(readReplica(c)).toBe(2);
    c.runUntil(19000);
    expect(readReplica(c)).toBeUndefined();
    c.runUntil(50000);
    expect(c.snapshot().partitions[0]!.isr).toContain(2);
    expect(readReplica(c)).toBe(2);
  });

  it('the preferred read replica expires after metadata.max.age.ms and the leader is asked again', () => {
    const c = new Cluster(scenario({ clientRack: 'b', consumerConfig: { 'metadata.max.age.ms': 2000 } }));
    c.runUntil(5000);
    expect(readReplica(c)).toBe(2);
    // Count consumer fetches answered by the leader with a preferred replica: one per expiry, not one per fetch.
    const leader = c.brokers.get(1)!;
    const spy = leader.handleFetch.bind(leader);
    let asked = 0;
    leader.handleFetch = (req) => {
      if (req.replicaId < 0) asked++;
      return spy(req);
    };
    c.runUntil(15000);
    expect(asked).toBeGreaterThanOrEqual(4);
    expect(asked).toBeLessThanOrEqual(7);
    expect(readReplica(c)).toBe(2);
  });

  /** Logs which broker gets each consumer fetch; broker 2 answers its next one with `error`. */
  function failFollowerOnce(c: Cluster, error: KafkaError): number[] {
    const order: number[] = [];
    let failed = false;
    for (const id of [1, 2, 3]) {
      const b = c.brokers.get(id)!;
      const handle = b.handleFetch.bind(b);
      b.handleFetch = (req) => {
        if (req.replicaId >= 0) return handle(req);
        order.push(id);
        if (id === 2 && !failed) {
          failed = true;
          return { error: 'NONE', partitions: req.partitions.map((fp) => ({ topic: fp.topic, partition: fp.partition, error, highWatermark: -1, logStartOffset: -1, batches: [] })) };
        }
        return handle(req);
      };
    }
    return order;
  }

  it('an error from the follower clears the preferred read replica: the next fetch goes to the leader (FetcherTest.testFetchErrorShouldClearPreferredReadReplica)', () => {
    const c = new Cluster(scenario({ clientRack: 'b' }));
    c.runUntil(6000);
    expect(readReplica(c)).toBe(2);
    const order = failFollowerOnce(c, 'NOT_LEADER_OR_FOLLOWER');
    c.runUntil(9000);
    // 2 (fails), 1 (the leader, which names 2 again), then 2 from then on.
    expect(order.slice(0, 3)).toEqual([2, 1, 2]);
    expect(order.slice(3).every((id) => id === 2)).toBe(true);
    expect(readReplica(c)).toBe(2);
  });

  it('OFFSET_OUT_OF_RANGE from the follower: back to the leader, the position is not reset (FetcherTest.testPreferredReadReplicaOffsetError)', () => {
    const c = new Cluster(scenario({ clientRack: 'b', consumerConfig: { 'auto.offset.reset': 'latest', 'fetch.min.bytes': 1 } }), { recordConsumed: true });
    c.runUntil(6000);
    expect(readReplica(c)).toBe(2);
    const consumedBefore = consumed(c);
    const order = failFollowerOnce(c, 'OFFSET_OUT_OF_RANGE');
    c.runUntil(9000);
    expect(order.slice(0, 3)).toEqual([2, 1, 2]);
    expect(consumed(c)).toBeGreaterThan(consumedBefore + 200);
    // A reset (auto.offset.reset=latest) would have skipped records: the offsets consumed have no gap.
    const offsets = c.output().consumed.map((r) => r.offset);
    expect(offsets.length).toBeGreaterThan(300);
    offsets.forEach((o, i) => {
      if (i > 0) expect(o).toBe(offsets[i - 1]! + 1);
    });
  });
});
