/**
 * Mechanism tests through the whole cluster: each builds a small scenario, runs it on the
 * virtual clock and checks one behaviour Kafka has.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario, TimelineAction } from '../scenario/types';
import { Cluster } from './cluster';
import { threeRacks } from './test-support/three-racks';
import { checkAcknowledgedRecords } from './invariants/invariants';
import { partitionForKey, utf8 } from './producer/murmur2';

function three(extra: Partial<Scenario> = {}, combined = false): Scenario {
  return {
    version: 1,
    seed: 1,
    cluster: threeRacks({ config: extra.cluster?.config, combined }),
    topics: [{ name: 'orders', partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
    clients: [{ kind: 'producer', id: 'p', config: { acks: 'all' } }],
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'cluster')),
  };
}

function produceKeys(n: number, at = 100): TimelineAction[] {
  return Array.from({ length: n }, (_, i) => ({ at: at + i, op: 'produce' as const, producer: 'p', topic: 'orders', key: `user-${i}`, value: `v${i}` }));
}

describe('producing', () => {
  it('puts a keyed record on murmur2(key) % partitions, as the Java client does', () => {
    const c = new Cluster(three({ timeline: produceKeys(30) }), { recordConsumed: true });
    c.runUntil(2000);
    const out = c.output();
    expect(out.produced).toHaveLength(30);
    for (const row of out.produced) {
      expect(row.error).toBeNull();
      expect(row.partition).toBe(partitionForKey(utf8(row.key!), 3));
      const part = out.partitions.find((p) => p.partition === row.partition)!;
      expect(part.records!.find((r) => r.offset === row.offset)?.key).toBe(row.key);
    }
  });

  it('sticks keyless records to one partition until batch.size bytes went there', () => {
    const timeline: TimelineAction[] = Array.from({ length: 20 }, (_, i) => ({ at: 100, op: 'produce' as const, producer: 'p', topic: 'orders', value: `x${i}` }));
    const c = new Cluster(three({ timeline }), { recordConsumed: true });
    c.runUntil(1000);
    const parts = new Set(c.output().produced.map((r) => r.partition));
    expect(parts.size).toBe(1);
  });

  it('replicates to every ISR member; HW = LEO once followers fetched', () => {
    const c = new Cluster(three({ timeline: produceKeys(10) }));
    c.runUntil(3000);
    for (const p of c.snapshot().partitions) {
      const leos = p.replicaStates.map((r) => r.logEndOffset);
      expect(new Set(leos).size).toBe(1);
      expect(p.highWatermark).toBe(leos[0]);
      expect(p.isr).toHaveLength(3);
    }
  });

  it('refuses a record for a missing topic with UNKNOWN_TOPIC_OR_PARTITION and goes on', () => {
    const c = new Cluster(
      three({ cluster: { brokers: [], config: { 'auto.create.topics.enable': false } }, timeline: [{ at: 10, op: 'produce', producer: 'p', topic: 'nope', key: 'k', value: 'v' }, ...produceKeys(1, 20)] }),
      { recordConsumed: true },
    );
    c.runUntil(1000);
    const out = c.output();
    expect(out.events.some((e) => e.type === 'ActionRejected' && e.error === 'UNKNOWN_TOPIC_OR_PARTITION')).toBe(true);
    expect(out.produced.find((r) => r.topic === 'nope')?.error).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(out.produced.find((r) => r.topic === 'orders')?.error).toBeNull();
  });

  it('acks=0 gets no offset back', () => {
    const s = three({ clients: [{ kind: 'producer', id: 'p', config: { acks: 0 } }], timeline: produceKeys(3) });
    const c = new Cluster(s, { recordConsumed: true });
    c.runUntil(1000);
    const out = c.output();
    expect(out.produced.every((r) => r.offset === null && r.error === null)).toBe(true);
    expect(out.partitions.reduce((n, p) => n + p.records!.length, 0)).toBe(3);
  });
});

describe('admin actions refused with Kafka error names', () => {
  it('INVALID_REPLICATION_FACTOR, TOPIC_ALREADY_EXISTS, unknown broker', () => {
    const c = new Cluster(
      three({
        timeline: [
          { at: 10, op: 'createTopic', name: 'big', partitions: 1, replicationFactor: 5 },
          { at: 20, op: 'createTopic', name: 'orders', partitions: 1, replicationFactor: 1 },
          { at: 30, op: 'killBroker', broker: 9 },
        ],
      }),
    );
    c.runUntil(100);
    const errors = c.allEvents().flatMap((e) => (e.type === 'ActionRejected' ? [e.error] : []));
    expect(errors).toEqual(['INVALID_REPLICATION_FACTOR', 'TOPIC_ALREADY_EXISTS', 'BROKER_NOT_AVAILABLE']);
  });
});

describe('failures and elections', () => {
  it('kills a leader: after the session timeout a new leader with a higher epoch, and a shrunk ISR', () => {
    const s = three({ topics: [{ name: 'orders', partitions: 1, replicationFactor: 3, assignments: [[2, 3, 1]] }], timeline: [{ at: 1000, op: 'killBroker', broker: 2 }] });
    const c = new Cluster(s);
    c.runUntil(5000);
    expect(c.snapshot().partitions[0]!.leader).toBe(2); // not noticed yet: session timeout 9 s
    c.runUntil(12000);
    const p = c.snapshot().partitions[0]!;
    expect(p.leader).toBe(3);
    expect(p.leaderEpoch).toBe(1);
    expect(p.isr).toEqual([3, 1]);
    expect(c.allEvents().some((e) => e.type === 'BrokerFenced' && e.broker === 2)).toBe(true);
  });

  it('a restarted broker catches up, rejoins the ISR, and a preferred election gives it leadership back', () => {
    const s = three({
      topics: [{ name: 'orders', partitions: 1, replicationFactor: 3, assignments: [[2, 3, 1]] }],
      timeline: [
        { at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 100, keys: 5, valueBytes: 20 },
        { at: 1000, op: 'killBroker', broker: 2 },
        { at: 20000, op: 'restartBroker', broker: 2 },
        { at: 40000, op: 'electLeaders', topic: 'orders', partition: 0, type: 'preferred' },
        { at: 45000, op: 'stopLoad', producer: 'p', topic: 'orders' },
      ],
    });
    const c = new Cluster(s, { recordConsumed: true });
    c.runUntil(39000);
    const before = c.snapshot().partitions[0]!;
    expect(before.leader).toBe(3);
    expect([...before.isr].sort()).toEqual([1, 2, 3]);
    expect(c.allEvents().some((e) => e.type === 'IsrExpand' && e.broker === 2)).toBe(true);
    c.runUntil(60000);
    const after = c.snapshot().partitions[0]!;
    expect(after.leader).toBe(2);
    expect(after.leaderEpoch).toBe(2);
    expect(checkAcknowledgedRecords(c)).toEqual([]);
  });

  it('a follower that stops keeping up leaves the ISR after replica.lag.time.max.ms and rejoins after', () => {
    const s: Scenario = {
      ...three({ cluster: { brokers: [], config: { 'replica.lag.time.max.ms': 4000 } } }),
      topics: [{ name: 'orders', partitions: 1, replicationFactor: 3, assignments: [[1, 2, 3]] }],
      timeline: [
        { at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 200, keys: 5, valueBytes: 20 },
        { at: 1000, op: 'slowBroker', broker: 3, delayMs: 3000 },
        { at: 15000, op: 'slowBroker', broker: 3, delayMs: 0 },
      ],
    };
    const c = new Cluster(s);
    c.runUntil(14000);
    const mid = c.snapshot().partitions[0]!;
    expect(mid.isr).toEqual([1, 2]);
    const lagging = mid.replicaStates.find((r) => r.broker === 3)!;
    expect(lagging.logEndOffset).toBeLessThan(mid.replicaStates.find((r) => r.broker === 1)!.logEndOffset);
    c.runUntil(30000);
    expect(c.snapshot().partitions[0]!.isr).toEqual([1, 2, 3]);
    const types = c.allEvents().map((e) => e.type);
    expect(types).toContain('IsrShrink');
    expect(types).toContain('IsrExpand');
  });

  it('combined broker,controller nodes: the controller moves when its broker dies, once the other voters time out', () => {
    const c = new Cluster(three({ timeline: [{ at: 1000, op: 'killBroker', broker: 1 }] }, true));
    expect(c.snapshot().controller).toBe(1);
    c.runUntil(2000);
    // controller.quorum.fetch.timeout.ms (2 s) has not passed since the followers' last fetch.
    expect(c.snapshot().controller).toBe(-1);
    c.runUntil(8000);
    const next = c.snapshot().controller;
    expect([2, 3]).toContain(next);
    const elected = c.allEvents().find((e) => e.type === 'QuorumLeaderElected' && e.leader === next);
    expect(elected?.type === 'QuorumLeaderElected' && elected.epoch).toBeGreaterThanOrEqual(2);
    expect(elected!.at).toBeGreaterThanOrEqual(3000 - 500);
    expect(c.allEvents().some((e) => e.type === 'ControllerElected' && e.broker === next)).toBe(true);
  });

  it('the idempotent producer writes no duplicates across a leader failover under load', () => {
    const s = three({
      timeline: [
        { at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 500, keys: 10, valueBytes: 30 },
        { at: 3000, op: 'isolateBroker', broker: 1 },
        { at: 20000, op: 'healBroker', broker: 1 },
        { at: 25000, op: 'stopLoad', producer: 'p', topic: 'orders' },
      ],
    });
    const c = new Cluster(s, { recordProduced: true });
    c.runUntil(90000);
    expect(checkAcknowledgedRecords(c)).toEqual([]);
    expect(c.snapshot().producers[0]!.acked).toBeGreaterThan(5000);
  });
});

describe('log retention and compaction through the brokers', () => {
  it('retention.bytes deletes whole old segments and moves the log start offset', () => {
    const s: Scenario = {
      ...three({ cluster: { brokers: [], config: { 'log.retention.check.interval.ms': 1000 } } }),
      topics: [{ name: 'orders', partitions: 1, replicationFactor: 3, config: { 'segment.bytes': 2000, 'retention.bytes': 4000 } }],
      timeline: [
        { at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 200, keys: 0, valueBytes: 50 },
        { at: 5000, op: 'stopLoad', producer: 'p', topic: 'orders' },
      ],
    };
    const c = new Cluster(s, { recordConsumed: true });
    c.runUntil(8000);
    const p = c.output().partitions[0]!;
    expect(p.logStartOffset).toBeGreaterThan(0);
    expect(p.records![0]!.offset).toBe(p.logStartOffset);
    expect(c.allEvents().some((e) => e.type === 'SegmentsDeleted' && e.reason === 'retention.bytes')).toBe(true);
  });

  it('compaction keeps the latest record per key with its offset', () => {
    const timeline: TimelineAction[] = [];
    for (let i = 0; i < 60; i++) timeline.push({ at: 10 + i * 20, op: 'produce', producer: 'p', topic: 'orders', key: `k${i % 3}`, value: `v${i}` });
    const s: Scenario = {
      ...three({ cluster: { brokers: [], config: { 'log.cleaner.backoff.ms': 1000 } } }),
      topics: [{ name: 'orders', partitions: 1, replicationFactor: 3, config: { 'cleanup.policy': 'compact', 'segment.bytes': 600, 'min.cleanable.dirty.ratio': 0.01 } }],
      timeline,
    };
    const c = new Cluster(s, { recordConsumed: true });
    c.runUntil(5000);
    const recs = c.output().partitions[0]!.records!;
    const produced = c.output().produced;
    expect(recs.length).toBeLessThan(60);
    // The latest record of each key survives at the offset it was acknowledged at.
    for (const key of ['k0', 'k1', 'k2']) {
      const last = produced.filter((r) => r.key === key).at(-1)!;
      expect(recs.find((r) => r.offset === last.offset)?.key).toBe(key);
    }
    // Offsets keep increasing with gaps.
    for (let i = 1; i < recs.length; i++) expect(recs[i]!.offset).toBeGreaterThan(recs[i - 1]!.offset);
  });
});

describe('live actions and replay', () => {
  it('a run driven by live actions replays identically from its recorded document', () => {
    const c = new Cluster(three({ timeline: [] }), { recordConsumed: true });
    c.runUntil(500);
    c.perform({ op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 50, keys: 5, valueBytes: 20 });
    c.runUntil(2333);
    c.perform({ op: 'killBroker', broker: 2 });
    c.runUntil(7000);
    c.perform({ op: 'addConsumer', id: 'c1', groupId: 'g', topics: ['orders'], config: { 'auto.offset.reset': 'earliest' } });
    c.runUntil(15000);
    c.perform({ op: 'restartBroker', broker: 2 });
    c.runUntil(30000);
    const doc = c.scenario();
    expect(doc.timeline!.map((a) => a.op)).toEqual(['startLoad', 'killBroker', 'addConsumer', 'restartBroker']);
    const replay = new Cluster(doc, { recordConsumed: true });
    replay.runUntil(30000);
    expect(JSON.stringify(replay.output())).toBe(JSON.stringify(c.output()));
  });
});

describe('the timeline and the event queue', () => {
  it('each action runs after every event of the instants before its own and before any event of its instant, across runUntil calls that end anywhere', () => {
    // A load ticking every millisecond: events at nearly every instant, the actions' among them.
    const actions: TimelineAction[] = [
      { at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 2000, keys: 10, valueBytes: 20 },
      ...[150, 151, 151, 400, 977].map((at, i) => ({ at, op: 'produce' as const, producer: 'p', topic: 'orders', key: `k${i}`, value: `v${i}` })),
    ];
    const c = new Cluster(three({ timeline: actions }));
    const sched = c.scheduler as unknown as { instantMs: number; eventsThisInstant: number; eventsRun: number };
    const seen: { at: number; now: number; eventsAtInstant: number }[] = [];
    const proto = Cluster.prototype as unknown as { apply(a: TimelineAction): void };
    const apply = proto.apply;
    const own = c as unknown as { apply(a: TimelineAction): void };
    own.apply = function (a: TimelineAction) {
      // An event already run at this instant would have advanced instantMs to it.
      seen.push({ at: a.at, now: c.now, eventsAtInstant: sched.instantMs === a.at ? sched.eventsThisInstant + 1 : 0 });
      return apply.call(this, a);
    };
    for (const until of [149, 150, 151, 399, 1000]) c.runUntil(until);
    expect(seen.map((x) => x.at)).toEqual([0, 150, 151, 151, 400, 977]);
    for (const x of seen) {
      expect(x.now, `the clock at the action of ${x.at} ms`).toBe(x.at);
      expect(x.eventsAtInstant, `events of ${x.at} ms run before its action`).toBe(0);
    }
    // The load made events at the actions' instants: the check above had something to see.
    expect(sched.eventsRun).toBeGreaterThan(1000);
  });
});

describe('metrics under Kafka names', () => {
  it('UnderReplicatedPartitions, OfflinePartitionsCount, FencedBrokerCount, ISR shrinks, lag', () => {
    const s = three({
      topics: [{ name: 'orders', partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': 2 }, assignments: [[1, 2, 3]] }],
      clients: [
        { kind: 'producer', id: 'p', config: { acks: 'all' } },
        { kind: 'consumer', id: 'c', groupId: 'g', topics: ['orders'], config: { 'auto.offset.reset': 'earliest' } },
      ],
      timeline: [
        { at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 100, keys: 3, valueBytes: 10 },
        { at: 5000, op: 'setProcessingTime', consumer: 'c', msPerRecord: 30 },
        { at: 6000, op: 'killBroker', broker: 3 },
      ],
    });
    const c = new Cluster(s);
    c.runUntil(4000);
    c.snapshot(); // rates are measured between snapshots
    c.runUntil(5000);
    let m = c.snapshot().metrics;
    expect(m.brokers[1]!.UnderReplicatedPartitions).toBe(0);
    expect(m.brokers[1]!.LeaderCount).toBe(1);
    expect(m.brokers[1]!.MessagesInPerSec).toBeGreaterThan(50);
    expect(m.controller.ActiveControllerCount).toBe(1);
    c.runUntil(12000);
    c.snapshot();
    c.runUntil(16000);
    m = c.snapshot().metrics;
    // Broker 3 was fenced in that window: broker 1, the leader, saw its ISR shrink.
    expect(m.brokers[1]!.IsrShrinksPerSec).toBeGreaterThan(0);
    expect(m.brokers[2]!.IsrShrinksPerSec).toBe(0);
    const shrink = c.allEvents().find((e) => e.type === 'IsrShrink');
    expect(shrink).toMatchObject({ broker: 3, isr: [1, 2] });
    c.runUntil(20000);
    m = c.snapshot().metrics;
    expect(m.brokers[1]!.UnderReplicatedPartitions).toBe(1);
    expect(m.brokers[1]!.AtMinIsrPartitionCount).toBe(1);
    expect(m.controller.FencedBrokerCount).toBe(1);
    expect(m.controller.IsrShrinks).toBeGreaterThanOrEqual(1);
    expect(m.controller.OfflinePartitionsCount).toBe(0);
    expect(m.groups['g']!['records-lag-max']).toBeGreaterThan(100);
  });

  it("clients' metrics under Kafka's names: send, retry and error rates, request latency, rebalances", () => {
    const s = three({
      topics: [{ name: 'orders', partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': 2 }, assignments: [[1, 2, 3]] }],
      clients: [
        { kind: 'producer', id: 'p', config: { acks: 'all', 'delivery.timeout.ms': 3000, 'request.timeout.ms': 1000 } },
        { kind: 'consumer', id: 'c', groupId: 'g', topics: ['orders'], config: { 'auto.offset.reset': 'earliest' } },
      ],
      timeline: [
        { at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 100, keys: 3, valueBytes: 10 },
        { at: 6000, op: 'killBroker', broker: 2 },
        { at: 6000, op: 'killBroker', broker: 3 },
      ],
    });
    const c = new Cluster(s);
    c.runUntil(4000);
    c.snapshot();
    c.runUntil(5000);
    let m = c.snapshot().metrics;
    expect(m.producers['p']!['record-send-rate']).toBeGreaterThan(80);
    expect(m.producers['p']!['record-error-rate']).toBe(0);
    // acks=all waits for the followers' next fetch: a few ms of network each way.
    expect(m.producers['p']!['request-latency-avg']).toBeGreaterThan(1);
    const consumer = m.consumers['c']!;
    expect(consumer['rebalance-total']).toBe(1);
    // The first join waited group.initial.rebalance.delay.ms (3 s).
    expect(consumer['rebalance-latency-avg']).toBeGreaterThanOrEqual(3000);
    expect(consumer['records-consumed-rate']).toBeGreaterThan(50);
    // Two brokers down: below min.insync.replicas, sends are retried, then expire.
    c.runUntil(25000);
    c.snapshot();
    c.runUntil(26000);
    m = c.snapshot().metrics;
    expect(m.producers['p']!['record-retry-rate']).toBeGreaterThan(0);
    expect(m.producers['p']!['record-error-rate']).toBeGreaterThan(0);
  });

  it('OfflinePartitionsCount counts leaderless partitions', () => {
    const s = three({
      topics: [{ name: 'orders', partitions: 2, replicationFactor: 1, assignments: [[2], [3]] }],
      timeline: [{ at: 1000, op: 'killBroker', broker: 2 }],
    });
    const c = new Cluster(s);
    c.runUntil(15000);
    expect(c.snapshot().metrics.controller.OfflinePartitionsCount).toBe(1);
    expect(c.snapshot().partitions[0]!.leader).toBe(-1);
  });
});

describe('more admin operations', () => {
  it('addBroker: a new empty broker registers and takes replicas of topics created after it joined', () => {
    const c = new Cluster(
      three({
        topics: [],
        timeline: [
          { at: 100, op: 'addBroker', id: 4, rack: 'd' },
          { at: 3000, op: 'createTopic', name: 'wide', partitions: 4, replicationFactor: 4 },
        ],
      }),
    );
    c.runUntil(6000);
    const s = c.snapshot();
    expect(s.brokers.map((b) => b.id)).toEqual([1, 2, 3, 4]);
    expect(s.brokers.find((b) => b.id === 4)!.fenced).toBe(false);
    expect(s.partitions.every((p) => p.replicas.includes(4) && p.isr.length === 4)).toBe(true);
  });

  it('deleteTopic removes the topic and its replicas from every broker', () => {
    const c = new Cluster(three({ timeline: [...produceKeys(5), { at: 1000, op: 'deleteTopic', name: 'orders' }] }));
    c.runUntil(3000);
    expect(c.snapshot().topics).toEqual([]);
    for (const b of c.brokers.values()) expect([...b.logs.keys()].filter((k) => k.startsWith('orders-'))).toEqual([]);
  });

  it('alterConfig on a topic: enabling unclean election brings an offline partition back', () => {
    const c = new Cluster(
      three({
        topics: [{ name: 'orders', partitions: 1, replicationFactor: 2, assignments: [[1, 2]] }],
        timeline: [
          { at: 1000, op: 'killBroker', broker: 2 },
          { at: 15000, op: 'killBroker', broker: 1 },
          { at: 26000, op: 'restartBroker', broker: 2 },
          { at: 40000, op: 'alterConfig', entity: 'topic', name: 'orders', config: { 'unclean.leader.election.enable': true } },
        ],
      }),
    );
    c.runUntil(39000);
    expect(c.snapshot().partitions[0]!.leader).toBe(-1);
    c.runUntil(41000);
    const p = c.snapshot().partitions[0]!;
    expect(p.leader).toBe(2);
    expect(p.isr).toEqual([2]);
  });

  it('auto.leader.rebalance.enable moves leadership back to the preferred replica', () => {
    const c = new Cluster({
      ...three({ cluster: { brokers: [], config: { 'leader.imbalance.check.interval.seconds': 30 } } }),
      topics: [{ name: 'orders', partitions: 1, replicationFactor: 3, assignments: [[1, 2, 3]] }],
      timeline: [
        { at: 1000, op: 'killBroker', broker: 1 },
        { at: 15000, op: 'restartBroker', broker: 1 },
      ],
    });
    c.runUntil(20000);
    expect(c.snapshot().partitions[0]!.leader).toBe(2);
    c.runUntil(70000);
    expect(c.snapshot().partitions[0]!.leader).toBe(1);
    expect(c.allEvents().some((e) => e.type === 'LeaderElected' && e.reason === 'preferred')).toBe(true);
  });

  it('an isolated leader is fenced; its partitions move, and it rejoins after heal', () => {
    const c = new Cluster(
      three({
        topics: [{ name: 'orders', partitions: 1, replicationFactor: 3, assignments: [[2, 1, 3]] }],
        timeline: [
          { at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 100, keys: 4, valueBytes: 10 },
          { at: 1000, op: 'isolateBroker', broker: 2 },
          { at: 20000, op: 'healBroker', broker: 2 },
        ],
      }),
      { recordProduced: true },
    );
    c.runUntil(15000);
    expect(c.snapshot().brokers.find((b) => b.id === 2)).toMatchObject({ status: 'isolated', fenced: true });
    expect(c.snapshot().partitions[0]!.leader).toBe(1);
    c.runUntil(40000);
    expect([...c.snapshot().partitions[0]!.isr].sort()).toEqual([1, 2, 3]);
    expect(checkAcknowledgedRecords(c)).toEqual([]);
  });
});

describe('producer timeouts and retries', () => {
  it('retries=0: the first NOT_ENOUGH_REPLICAS is final', () => {
    const c = new Cluster(
      three({
        topics: [{ name: 'orders', partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': 2 }, assignments: [[1, 2, 3]] }],
        clients: [{ kind: 'producer', id: 'p', config: { acks: 'all', retries: 0, 'enable.idempotence': false } }],
        timeline: [
          { at: 100, op: 'killBroker', broker: 2 },
          { at: 100, op: 'killBroker', broker: 3 },
          { at: 15000, op: 'produce', producer: 'p', topic: 'orders', key: 'k', value: 'v' },
        ],
      }),
      { recordConsumed: true },
    );
    c.runUntil(15100);
    const row = c.output().produced[0]!;
    expect(row).toMatchObject({ error: 'NOT_ENOUGH_REPLICAS', offset: null });
    expect(c.snapshot().producers[0]!.retries).toBe(0);
  });

  it('an unreachable leader: requests time out, the producer retries, then gives up at delivery.timeout.ms', () => {
    const c = new Cluster(
      three({
        topics: [{ name: 'orders', partitions: 1, replicationFactor: 1, assignments: [[2]] }],
        clients: [{ kind: 'producer', id: 'p', config: { acks: 1, 'request.timeout.ms': 2000, 'delivery.timeout.ms': 7000 } }],
        timeline: [
          { at: 100, op: 'isolateBroker', broker: 2 },
          { at: 200, op: 'produce', producer: 'p', topic: 'orders', key: 'k', value: 'v' },
        ],
      }),
      { recordConsumed: true },
    );
    c.runUntil(7100);
    expect(c.output().produced).toEqual([]); // still retrying
    expect(c.snapshot().producers[0]!.retries).toBeGreaterThanOrEqual(1);
    c.runUntil(8000);
    const row = c.output().produced[0]!;
    expect(row).toMatchObject({ error: 'REQUEST_TIMED_OUT', offset: null });
    expect(row.at).toBe(200);
  });
});

describe('freeing space with retention', () => {
  it('retention.ms with segment.ms (what the quota banner applies) deletes old segments under a steady load', () => {
    const c = new Cluster(three({ timeline: [{ at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 200, keys: 5, valueBytes: 50 }] }));
    c.runUntil(60000);
    const before = c.snapshot().partitions.map((p) => p.logStartOffset);
    expect(before.every((o) => o === 0)).toBe(true);
    c.perform({ op: 'alterConfig', entity: 'topic', name: 'orders', config: { 'retention.ms': 60000, 'segment.ms': 10000 } });
    c.runUntil(299000);
    expect(c.snapshot().partitions.every((p) => p.logStartOffset === 0)).toBe(true); // before the 5-minute check
    c.runUntil(301000);
    const s = c.snapshot();
    for (const p of s.partitions) {
      expect(p.logStartOffset).toBeGreaterThan(0);
      // About a minute is kept: the oldest record left is at most retention.ms + segment.ms old.
      const oldest = c.readLog('orders', p.partition, { fromOffset: p.logStartOffset, limit: 1 })!.records[0]!;
      expect(oldest.timestamp).toBeGreaterThanOrEqual(300000 - 60000 - 10000 - 1000);
    }
    expect(c.allEvents().some((e) => e.type === 'SegmentsDeleted' && e.reason === 'retention.ms')).toBe(true);
  });
});

/**
 * auto.create.topics.enable defaults to true in Kafka: a producer's or consumer's metadata
 * request for a missing topic creates it with num.partitions and default.replication.factor
 * (AutoTopicCreationManager; KafkaApis.handleTopicMetadataRequest). As in Kafka's
 * AutoTopicCreationManagerTest: the created topic takes the broker's defaults.
 */
describe('auto.create.topics.enable', () => {
  it('is on by default: producing to a missing topic creates it with num.partitions and default.replication.factor and the record lands', () => {
    const c = new Cluster(three({ timeline: [{ at: 10, op: 'produce', producer: 'p', topic: 'clicks', key: 'k', value: 'v' }] }), { recordConsumed: true });
    c.runUntil(2000);
    const out = c.output();
    const created = out.events.find((e) => e.type === 'TopicCreated' && e.topic === 'clicks');
    expect(created).toMatchObject({ partitions: 1, replicationFactor: 1, autoCreatedBy: 'p' });
    expect(out.produced.find((r) => r.topic === 'clicks')).toMatchObject({ error: null, partition: 0, offset: 0 });
    expect(c.snapshot().topics.find((t) => t.name === 'clicks')).toMatchObject({ partitions: 1, replicationFactor: 1 });
  });

  it('takes the cluster-wide num.partitions and default.replication.factor', () => {
    const c = new Cluster(three({ cluster: { brokers: [], config: { 'num.partitions': 4, 'default.replication.factor': 3 } }, timeline: [{ at: 10, op: 'produce', producer: 'p', topic: 'clicks', value: 'v' }] }));
    c.runUntil(2000);
    expect(c.snapshot().topics.find((x) => x.name === 'clicks')).toMatchObject({ partitions: 4, replicationFactor: 3 });
    const parts = c.snapshot().partitions.filter((p) => p.topic === 'clicks');
    expect(parts).toHaveLength(4);
    for (const p of parts) expect(p.replicas).toHaveLength(3);
  });

  it('a consumer subscribing to a missing topic creates it too (allow.auto.create.topics); allow.auto.create.topics=false does not', () => {
    const s = three();
    s.clients!.push(
      { kind: 'consumer', id: 'c1', groupId: 'g1', topics: ['events'], config: {} },
      { kind: 'consumer', id: 'c2', groupId: 'g2', topics: ['audit'], config: { 'allow.auto.create.topics': false } },
    );
    const c = new Cluster(s);
    c.runUntil(8000);
    const names = c.snapshot().topics.map((t) => t.name);
    expect(names).toContain('events');
    expect(names).not.toContain('audit');
  });

  it('a deleted topic still produced to comes back (the well-known Kafka surprise), with the defaults', () => {
    const c = new Cluster(three({ timeline: [{ at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 100, keys: 5, valueBytes: 10 }, { at: 2000, op: 'deleteTopic', name: 'orders' }] }));
    c.runUntil(4000);
    const created = c.allEvents().filter((e) => e.type === 'TopicCreated' && e.topic === 'orders' && e.at >= 2000);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ autoCreatedBy: 'p', partitions: 1 });
    expect(c.snapshot().topics.find((t) => t.name === 'orders')).toMatchObject({ partitions: 1 });
  });

  it('with auto.create.topics.enable=false the record fails with UNKNOWN_TOPIC_OR_PARTITION and nothing is created', () => {
    const c = new Cluster(three({ cluster: { brokers: [], config: { 'auto.create.topics.enable': false } }, timeline: [{ at: 10, op: 'produce', producer: 'p', topic: 'clicks', value: 'v' }] }), { recordConsumed: true });
    c.runUntil(2000);
    expect(c.output().produced.find((r) => r.topic === 'clicks')?.error).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(c.snapshot().topics.map((t) => t.name)).toEqual(['orders']);
  });
});
