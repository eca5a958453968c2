/**
 * The ops that building by drawing adds (issue 12): removeBroker, subscribe, changeGroup.
 * Each runs through the whole cluster on the virtual clock, replays byte for byte from the
 * recorded document, and survives a checkpoint copy.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario, TimelineAction } from '../scenario/types';
import { Cluster } from './cluster';

function base(timeline: TimelineAction[], extra: Partial<Scenario> = {}): Scenario {
  return {
    version: 1,
    seed: 7,
    cluster: { brokers: [{ id: 1, rack: 'a' }, { id: 2, rack: 'b' }, { id: 3, rack: 'c' }], network: { latencyMs: 1, jitterMs: 1 } },
    topics: [
      { name: 'orders', partitions: 3, replicationFactor: 3 },
      { name: 'payments', partitions: 2, replicationFactor: 2 },
    ],
    clients: [
      { kind: 'producer', id: 'p' },
      { kind: 'consumer', id: 'c1', groupId: 'billing', topics: ['orders'], config: { 'auto.offset.reset': 'earliest' } },
    ],
    timeline: [
      { at: 10, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 50 },
      { at: 10, op: 'startLoad', producer: 'p', topic: 'payments', ratePerSec: 50 },
      ...timeline,
    ],
    ...extra,
  };
}

const rejected = (c: Cluster, op: string) => c.snapshot().events.filter((e) => e.type === 'ActionRejected' && e.op === op);

describe('removeBroker', () => {
  it('stops and unregisters the broker; its replicas stay assigned and the partitions under-replicated', () => {
    const c = new Cluster(base([{ at: 5000, op: 'removeBroker', broker: 3 }]));
    c.runUntil(4000);
    expect(c.snapshot().partitions.every((p) => p.isr.length === p.replicas.length)).toBe(true);
    c.runUntil(8000);
    const s = c.snapshot();
    expect(s.brokers.map((b) => b.id)).toEqual([1, 2]);
    const orders = s.partitions.filter((p) => p.topic === 'orders');
    for (const p of orders) {
      expect(p.replicas).toContain(3);
      expect(p.isr).not.toContain(3);
      expect(p.leader).not.toBe(3);
      expect(p.underReplicated).toBe(true);
    }
    expect(s.events.some((e) => e.type === 'BrokerUnregistered' && e.broker === 3)).toBe(true);
    // The producer keeps writing to the leaders that moved.
    const before = orders.reduce((n, p) => n + p.highWatermark, 0);
    c.runUntil(10_000);
    const after = c.snapshot().partitions.filter((p) => p.topic === 'orders').reduce((n, p) => n + p.highWatermark, 0);
    expect(after).toBeGreaterThan(before);
  });

  it('a partition whose only replica was on the removed broker goes offline', () => {
    const c = new Cluster(
      base([{ at: 2000, op: 'removeBroker', broker: 1 }], {
        topics: [{ name: 'orders', partitions: 1, replicationFactor: 1, assignments: [[1]] }],
        clients: [{ kind: 'producer', id: 'p' }],
      }),
    );
    c.runUntil(4000);
    const p = c.snapshot().partitions.find((x) => x.topic === 'orders')!;
    expect(p.replicas).toEqual([1]);
    expect(p.leader).toBe(-1);
    expect(p.offline).toBe(true);
  });

  it('an unknown broker is refused with a message, and the run goes on', () => {
    const c = new Cluster(base([{ at: 100, op: 'removeBroker', broker: 9 }]));
    c.runUntil(500);
    expect(rejected(c, 'removeBroker')[0]).toMatchObject({ error: 'BROKER_NOT_AVAILABLE', message: 'There is no broker 9.' });
    expect(c.snapshot().brokers).toHaveLength(3);
  });

  it('a broker added again under the removed id registers anew and catches its replicas up', () => {
    const c = new Cluster(base([{ at: 2000, op: 'removeBroker', broker: 3 }, { at: 6000, op: 'addBroker', id: 3, rack: 'c' }]));
    c.runUntil(40_000);
    const s = c.snapshot();
    expect(s.brokers.map((b) => b.id)).toEqual([1, 2, 3]);
    for (const p of s.partitions.filter((x) => x.topic === 'orders')) expect(p.isr.slice().sort()).toEqual([1, 2, 3]);
  });
});

describe('subscribe', () => {
  it('adds a topic to a consumer: the group rebalances and it reads both topics', () => {
    const c = new Cluster(base([{ at: 8000, op: 'subscribe', consumer: 'c1', topics: ['orders', 'payments'] }]));
    c.runUntil(7000);
    const gen = c.snapshot().groups.find((g) => g.groupId === 'billing')!.generation;
    expect(c.snapshot().consumers[0]!.subscription).toEqual(['orders']);
    c.runUntil(20_000);
    const s = c.snapshot();
    const c1 = s.consumers.find((x) => x.id === 'c1')!;
    expect(c1.subscription).toEqual(['orders', 'payments']);
    expect(new Set(c1.assignment.map((a) => a.topic))).toEqual(new Set(['orders', 'payments']));
    expect(c1.positions.filter((p) => p.topic === 'payments').every((p) => p.position > 0)).toBe(true);
    expect(s.groups.find((g) => g.groupId === 'billing')!.generation).toBeGreaterThan(gen);
    expect(s.events.some((e) => e.type === 'Subscribed' && e.consumer === 'c1')).toBe(true);
  });

  it('an empty subscription leaves the member with no partition (and a later one reads again)', () => {
    const c = new Cluster(base([{ at: 8000, op: 'subscribe', consumer: 'c1', topics: [] }, { at: 15_000, op: 'subscribe', consumer: 'c1', topics: ['payments'] }]));
    c.runUntil(14_000);
    expect(c.snapshot().consumers[0]!.assignment).toEqual([]);
    c.runUntil(25_000);
    expect(c.snapshot().consumers[0]!.assignment.map((a) => a.topic)).toEqual(['payments', 'payments']);
  });

  it('refuses an unknown or closed consumer with a message', () => {
    const c = new Cluster(base([{ at: 100, op: 'subscribe', consumer: 'nobody', topics: ['orders'] }, { at: 200, op: 'removeConsumer', id: 'c1' }, { at: 300, op: 'subscribe', consumer: 'c1', topics: ['orders'] }]));
    c.runUntil(1000);
    expect(rejected(c, 'subscribe').map((e) => (e.type === 'ActionRejected' ? e.message : ''))).toEqual(['There is no consumer nobody.', 'Consumer c1 is closed: restart it first.']);
  });
});

describe('changeGroup', () => {
  it('closes the consumer and creates it again in the other group, with the same subscription and config', () => {
    const c = new Cluster(base([{ at: 8000, op: 'changeGroup', consumer: 'c1', groupId: 'audit' }]));
    c.runUntil(20_000);
    const s = c.snapshot();
    const c1 = s.consumers.find((x) => x.id === 'c1')!;
    expect(c1.groupId).toBe('audit');
    expect(c1.status).toBe('stable');
    expect(c1.assignment.map((a) => a.topic)).toEqual(['orders', 'orders', 'orders']);
    // auto.offset.reset=earliest came along: the new group reads from the start.
    expect(c1.consumed).toBeGreaterThan(0);
    const billing = s.groups.find((g) => g.groupId === 'billing')!;
    expect(billing.members).toHaveLength(0);
    expect(billing.state).toBe('Empty');
  });

  it('refuses the group it is already in', () => {
    const c = new Cluster(base([{ at: 100, op: 'changeGroup', consumer: 'c1', groupId: 'billing' }]));
    c.runUntil(500);
    expect(rejected(c, 'changeGroup')[0]).toMatchObject({ error: 'INVALID_REQUEST', message: 'Consumer c1 is already in group billing.' });
  });
});

describe('replay', () => {
  it('the recorded document of live removeBroker / subscribe / changeGroup replays to the same state', () => {
    const live = new Cluster(base([]));
    live.runUntil(3000);
    live.perform({ op: 'subscribe', consumer: 'c1', topics: ['orders', 'payments'] });
    live.runUntil(6000);
    live.perform({ op: 'removeBroker', broker: 2 });
    live.runUntil(9000);
    live.perform({ op: 'changeGroup', consumer: 'c1', groupId: 'audit' });
    live.runUntil(15_000);
    const again = new Cluster(live.scenario());
    again.runUntil(15_000);
    expect(JSON.stringify(again.snapshot())).toBe(JSON.stringify(live.snapshot()));
  });
});

describe('checkpoint', () => {
  it('a copy taken after removeBroker / subscribe / changeGroup continues exactly as the original', async () => {
    const { cloneCluster } = await import('./checkpoint');
    const doc = base([
      { at: 3000, op: 'subscribe', consumer: 'c1', topics: ['orders', 'payments'] },
      { at: 6000, op: 'removeBroker', broker: 2 },
      { at: 9000, op: 'changeGroup', consumer: 'c1', groupId: 'audit' },
    ]);
    // The state, not the events (snapshot() hands out the events new since the last one).
    const state = (c: Cluster) => JSON.stringify({ ...c.snapshot(), events: [] });
    const straight = new Cluster(doc);
    straight.runUntil(20_000);
    const expected = state(straight);
    for (const at of [4000, 7000, 9500]) {
      const c = new Cluster(doc);
      c.runUntil(at);
      const copy = cloneCluster(c);
      copy.runUntil(20_000);
      expect(state(copy)).toBe(expected);
    }
  });
});
