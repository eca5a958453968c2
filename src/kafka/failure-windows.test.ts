/**
 * What the snapshot tells about failure windows and outcomes: the fencing countdown of a
 * dead broker, offline / under-replicated / under-min-ISR partitions (counted even with no
 * controller), the events for coordinator moves, clients, static members and one-off
 * produces, error recovery, and the two lags (committed LAG vs records-lag).
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../scenario/types';
import { defaultScenario } from '../scenario/default-scenario';
import { loadLesson } from '../scenario/lessons';
import { Cluster } from './cluster';
import type { ClusterEvent } from './snapshot';

const base = (): Scenario => structuredClone(defaultScenario);
const of = <T extends ClusterEvent['type']>(c: Cluster, type: T) => c.allEvents().filter((e): e is Extract<ClusterEvent, { type: T }> => e.type === type);

describe('fencing countdown', () => {
  it('a killed broker counts down to last heartbeat + broker.session.timeout.ms, then is fenced and the countdown is gone', () => {
    const s = base();
    s.timeline!.push({ at: 5000, op: 'killBroker', broker: 2 });
    const c = new Cluster(s);
    c.runUntil(4999);
    expect(c.snapshot().brokers.find((b) => b.id === 2)!.fenceAt).toBeNull();
    c.runUntil(5500);
    const b = c.snapshot().brokers.find((x) => x.id === 2)!;
    expect(b.status).toBe('down');
    expect(b.fenced).toBe(false);
    expect(b.sessionTimeoutMs).toBe(9000);
    // Its last heartbeat was at most one broker.heartbeat.interval.ms (2 s) before the kill.
    expect(b.fenceAt).toBeGreaterThan(5000 + 9000 - 2000 - 1);
    expect(b.fenceAt).toBeLessThanOrEqual(5000 + 9000);
    // Partitions it led are offline meanwhile, their leader named but not alive.
    const led = c.snapshot().partitions.filter((p) => p.leader === 2);
    expect(led.length).toBeGreaterThan(0);
    for (const p of led) expect(p).toMatchObject({ leaderAlive: false, offline: true });
    c.runUntil(b.fenceAt! - 1);
    expect(c.snapshot().brokers.find((x) => x.id === 2)!.fenced).toBe(false);
    // Fenced at the controller's first check past the deadline (it checks every second).
    c.runUntil(b.fenceAt! + 1001);
    const after = c.snapshot();
    expect(after.brokers.find((x) => x.id === 2)).toMatchObject({ fenced: true, fenceAt: null });
    const fencedAt = of(c, 'BrokerFenced').find((e) => e.broker === 2)!.at;
    expect(fencedAt).toBeGreaterThan(b.fenceAt!);
    expect(fencedAt).toBeLessThanOrEqual(b.fenceAt! + 1000);
    expect(after.health!.offlinePartitions).toBe(0);
  });

  it('with no controller running nobody fences: no countdown, and every partition counts offline', () => {
    const s = base();
    s.timeline!.push({ at: 5000, op: 'killBroker', broker: 1 }, { at: 5000, op: 'killBroker', broker: 2 }, { at: 5000, op: 'killBroker', broker: 3 });
    // Two of the three controllers (the quorum's majority) die with them.
    s.timeline!.push({ at: 5000, op: 'killController', controller: 3000 }, { at: 5000, op: 'killController', controller: 3001 });
    const c = new Cluster(s);
    c.runUntil(20000);
    const snap = c.snapshot();
    expect(snap.controller).toBe(-1);
    for (const b of snap.brokers) expect(b).toMatchObject({ status: 'down', fenceAt: null });
    expect(snap.health!.offlinePartitions).toBe(snap.partitions.length);
    expect(snap.health!.offlinePartitions).toBe(3);
  });
});

describe('partition health', () => {
  it('under-replicated after one broker is fenced, under min ISR after two', () => {
    const s = base();
    s.timeline!.push({ at: 5000, op: 'killBroker', broker: 3 });
    const c = new Cluster(s);
    c.runUntil(20000);
    let h = c.snapshot().health!;
    expect(h).toEqual({ offlinePartitions: 0, underReplicatedPartitions: 3, underMinIsrPartitions: 0 });
    for (const p of c.snapshot().partitions) expect(p).toMatchObject({ underReplicated: true, underMinIsr: false, minIsr: 2 });
    c.perform({ op: 'killBroker', broker: 2 });
    c.runUntil(40000);
    h = c.snapshot().health!;
    expect(h).toEqual({ offlinePartitions: 0, underReplicatedPartitions: 3, underMinIsrPartitions: 3 });
  });
});

describe('events', () => {
  it('a group coordinator moving is an event naming both brokers', () => {
    const s = base();
    const probe = new Cluster(s);
    probe.runUntil(3000);
    const host = probe.snapshot().groups[0]!.coordinator;
    s.timeline!.push({ at: 5000, op: 'killBroker', broker: host });
    const c = new Cluster(s);
    c.runUntil(20000);
    const moved = of(c, 'CoordinatorMoved').filter((e) => e.groupId === 'billing' && e.from === host);
    expect(moved).toHaveLength(1);
    expect(moved[0]!.to).not.toBe(host);
    expect(moved[0]!.to).toBe(c.snapshot().groups[0]!.coordinator);
  });

  it('clients added, closed and crashed are events', () => {
    const s = base();
    s.timeline!.push(
      { at: 1000, op: 'addProducer', id: 'p2' },
      { at: 1000, op: 'addConsumer', id: 'billing-3', groupId: 'billing', topics: ['orders'] },
      { at: 2000, op: 'removeConsumer', id: 'billing-3', graceful: false },
      { at: 3000, op: 'restartConsumer', id: 'billing-3' },
      { at: 4000, op: 'removeProducer', id: 'p2' },
    );
    const c = new Cluster(s);
    c.runUntil(5000);
    expect(of(c, 'ClientAdded').map((e) => [e.kind, e.id, e.restarted])).toEqual([
      ['producer', 'p2', false],
      ['consumer', 'billing-3', false],
      ['consumer', 'billing-3', true],
    ]);
    expect(of(c, 'ClientRemoved').map((e) => [e.kind, e.id, e.crashed])).toEqual([
      ['consumer', 'billing-3', true],
      ['producer', 'p2', false],
    ]);
  });

  it('the static member lesson: its crash and its return without a rebalance are events', () => {
    const lesson = loadLesson('static-member-rejoins');
    if (!lesson.ok) throw new Error('lesson does not load');
    const c = new Cluster(lesson.scenario);
    c.runUntil(40000);
    const crashed = of(c, 'ClientRemoved').find((e) => e.id === 'c1')!;
    expect(crashed).toMatchObject({ crashed: true, groupInstanceId: 'c1-static', at: 10000 });
    const back = of(c, 'StaticMemberRejoined');
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ groupId: 'g', groupInstanceId: 'c1-static', rebalance: false });
  });

  it("the acks=1 lesson's acknowledgement is an event with its offset", () => {
    const lesson = loadLesson('acks-1-loses-acknowledged-writes');
    if (!lesson.ok) throw new Error('lesson does not load');
    const c = new Cluster(lesson.scenario, { recordProduced: true });
    c.runUntil(40000);
    const produced = of(c, 'RecordProduced');
    expect(produced).toHaveLength(1);
    const row = c.output().produced.find((r) => r.offset !== null)!;
    expect(produced[0]).toMatchObject({ producer: 'p', topic: 't', partition: 0, offset: row.offset, error: null, acks: 1, sentAt: 4000 });
  });

  it('a one-off produce tells its partition and offset; one to a missing topic its error; load records tell nothing', () => {
    const s = base();
    s.cluster.config = { ...s.cluster.config, 'auto.create.topics.enable': false };
    s.timeline!.push(
      { at: 3000, op: 'produce', producer: 'checkout', topic: 'orders', key: 'k1', value: 'v' },
      { at: 3000, op: 'produce', producer: 'checkout', topic: 'nope', value: 'v' },
    );
    const c = new Cluster(s);
    c.runUntil(5000);
    const produced = of(c, 'RecordProduced');
    expect(produced).toHaveLength(2);
    const ok = produced.find((e) => e.topic === 'orders')!;
    expect(ok).toMatchObject({ sentAt: 3000, key: 'k1', error: null });
    const log = c.readLog('orders', ok.partition, { fromOffset: ok.offset!, limit: 1 })!;
    expect(log.records[0]).toMatchObject({ offset: ok.offset, key: 'k1', value: 'v' });
    expect(produced.find((e) => e.topic === 'nope')).toMatchObject({ error: 'UNKNOWN_TOPIC_OR_PARTITION', offset: null });
  });
});

describe('error recovery', () => {
  it("a producer's error is flagged recovered once its partition acknowledges again", () => {
    const s = base();
    s.timeline!.push({ at: 3000, op: 'killBroker', broker: 2 }, { at: 3000, op: 'killBroker', broker: 3 }, { at: 25000, op: 'restartBroker', broker: 2 });
    const c = new Cluster(s);
    c.runUntil(20000);
    const failing = c.snapshot().producers[0]!;
    expect(failing.lastError).not.toBeNull();
    expect(failing.recovered).toBe(false);
    c.runUntil(60000);
    const p = c.snapshot().producers[0]!;
    expect(p.recovered).toBe(true);
  });
});

describe('LAG and records-lag', () => {
  it('a healthy consumer shows LAG up to auto.commit.interval.ms worth of records and records-lag near 0; a slowed one grows both', () => {
    const s = base();
    s.timeline!.push({ at: 5000, op: 'setProcessingTime', consumer: 'billing-1', msPerRecord: 200 });
    const c = new Cluster(s);
    let maxHealthyLag = 0;
    let maxHealthyRecordsLag = 0;
    for (let t = 10000; t <= 60000; t += 500) {
      c.runUntil(t);
      const snap = c.snapshot();
      const g = snap.groups[0]!;
      const healthy = snap.consumers.find((x) => x.id === 'billing-2')!;
      for (const pos of healthy.positions) {
        const o = g.offsets.find((x) => x.partition === pos.partition)!;
        maxHealthyLag = Math.max(maxHealthyLag, o.lag ?? 0);
        maxHealthyRecordsLag = Math.max(maxHealthyRecordsLag, pos.lag);
        // LAG counts from the commit, records-lag from the position: LAG is never the smaller.
        expect(o.lag!).toBeGreaterThanOrEqual(pos.lag);
      }
    }
    // ~6.7 records/s per partition × 5 s of auto.commit.interval.ms.
    expect(maxHealthyLag).toBeGreaterThan(15);
    expect(maxHealthyLag).toBeLessThan(60);
    expect(maxHealthyRecordsLag).toBeLessThan(5);
    const snap = c.snapshot();
    const slow = snap.consumers.find((x) => x.id === 'billing-1')!;
    for (const pos of slow.positions) {
      const o = snap.groups[0]!.offsets.find((x) => x.partition === pos.partition)!;
      expect(pos.lag).toBeGreaterThan(100);
      expect(o.lag!).toBeGreaterThan(100);
      expect(o.lag!).toBeGreaterThanOrEqual(pos.lag);
    }
  });
});
