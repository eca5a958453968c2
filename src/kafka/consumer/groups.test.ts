/**
 * Consumer-group behaviour through the whole cluster: the classic protocol's states and
 * generations, rebalances on join/leave/crash, static membership, max.poll.interval.ms,
 * cooperative rebalancing, commits, lag and offset resets.
 */
import { describe, expect, it } from 'vitest';
import type { ConfigMap, Scenario, TimelineAction } from '../../scenario/types';
import { Cluster } from '../cluster';
import type { ClusterEvent } from '../snapshot';

function scenario(consumers: { id: string; config?: ConfigMap }[], timeline: TimelineAction[] = [], partitions = 4): Scenario {
  return {
    version: 1,
    seed: 5,
    cluster: { brokers: [{ id: 1, rack: 'a' }, { id: 2, rack: 'b' }, { id: 3, rack: 'c' }], network: { latencyMs: 1, jitterMs: 0 } },
    topics: [{ name: 'orders', partitions, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
    clients: [
      { kind: 'producer', id: 'p', config: {} },
      ...consumers.map((c) => ({ kind: 'consumer' as const, id: c.id, groupId: 'g', topics: ['orders'], config: { 'auto.offset.reset': 'earliest', ...(c.config ?? {}) } })),
    ],
    timeline: [{ at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 50, keys: 10, valueBytes: 20 }, ...timeline],
  };
}

const group = (c: Cluster) => c.snapshot().groups.find((g) => g.groupId === 'g')!;
const owners = (c: Cluster) =>
  Object.fromEntries(group(c).members.map((m) => [m.clientId, m.assignment.map((tp) => tp.partition).sort()]));
const events = (c: Cluster, type: ClusterEvent['type']) => c.allEvents().filter((e) => e.type === type);

describe('classic group protocol', () => {
  it('goes Empty → PreparingRebalance → CompletingRebalance → Stable after the initial delay', () => {
    const c = new Cluster(scenario([{ id: 'c1' }, { id: 'c2' }]));
    c.runUntil(1000);
    expect(group(c).state).toBe('PreparingRebalance');
    c.runUntil(5900);
    // c2 joined during the first 3 s delay, so InitialDelayedJoin waited another 3 s.
    expect(group(c).state).toBe('PreparingRebalance');
    c.runUntil(7000);
    const g = group(c);
    expect(g.state).toBe('Stable');
    expect(g.generation).toBe(1);
    expect(g.assignor).toBe('range');
    expect(owners(c)).toEqual({ c1: [0, 1], c2: [2, 3] });
    const states = events(c, 'GroupStateChanged').map((e) => (e.type === 'GroupStateChanged' ? e.state : ''));
    expect(states).toEqual(['PreparingRebalance', 'CompletingRebalance', 'Stable']);
    // group.initial.rebalance.delay.ms = 3000, extended once for the second joiner.
    expect(events(c, 'RebalanceCompleted')[0]!.at).toBeGreaterThanOrEqual(6000);
  });

  it('a joining member triggers a rebalance and a new split', () => {
    const c = new Cluster(scenario([{ id: 'c1' }], [{ at: 8000, op: 'addConsumer', id: 'c2', groupId: 'g', topics: ['orders'], config: { 'auto.offset.reset': 'earliest' } }]));
    c.runUntil(7000);
    expect(owners(c)).toEqual({ c1: [0, 1, 2, 3] });
    const gen = group(c).generation;
    c.runUntil(15000);
    expect(group(c).generation).toBe(gen + 1);
    expect(owners(c)).toEqual({ c1: [0, 1], c2: [2, 3] });
  });

  it('a graceful leave rebalances at once; a crash only after session.timeout.ms', () => {
    const c = new Cluster(
      scenario([{ id: 'c1' }, { id: 'c2' }, { id: 'c3', config: { 'session.timeout.ms': 10000 } }], [
        { at: 8000, op: 'removeConsumer', id: 'c1', graceful: true },
        { at: 12000, op: 'removeConsumer', id: 'c3', graceful: false },
      ]),
    );
    c.runUntil(9000);
    const left = events(c, 'MemberLeft');
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ reason: 'LeaveGroup', clientId: 'c1' });
    expect(Object.keys(owners(c)).sort()).toEqual(['c2', 'c3']);
    // c3's last heartbeat was at most heartbeat.interval.ms (3 s) before its crash at 12 s.
    c.runUntil(18900);
    expect(events(c, 'MemberLeft')).toHaveLength(1); // c3 still counted until its session expires
    c.runUntil(30000);
    const last = events(c, 'MemberLeft')[1]!;
    expect(last).toMatchObject({ reason: 'session.timeout.ms', clientId: 'c3' });
    expect(last.at).toBeGreaterThanOrEqual(19000);
    expect(last.at).toBeLessThanOrEqual(22100);
    expect(owners(c)).toEqual({ c2: [0, 1, 2, 3] });
  });

  it('a static member that returns within its session timeout gets its partitions back without a rebalance', () => {
    const cfg = (id: string) => ({ 'group.instance.id': `${id}-static`, 'session.timeout.ms': 30000 });
    const c = new Cluster(
      scenario([{ id: 'c1', config: cfg('c1') }, { id: 'c2', config: cfg('c2') }], [
        { at: 10000, op: 'removeConsumer', id: 'c1', graceful: false },
        { at: 20000, op: 'addConsumer', id: 'c1', groupId: 'g', topics: ['orders'], config: { ...cfg('c1'), 'auto.offset.reset': 'earliest' } },
      ]),
    );
    c.runUntil(9000);
    const before = owners(c);
    const gen = group(c).generation;
    c.runUntil(40000);
    expect(group(c).generation).toBe(gen);
    expect(group(c).state).toBe('Stable');
    expect(owners(c)).toEqual(before);
    expect(events(c, 'RebalanceStarted').filter((e) => e.at > 9000)).toEqual([]);
    expect(c.snapshot().consumers.find((x) => x.id === 'c1')!.consumed).toBeGreaterThan(0);
  });

  it('restartConsumer brings a crashed consumer back with its own config: static, so no rebalance', () => {
    const cfg = { 'group.instance.id': 'c1-static', 'session.timeout.ms': 30000, 'max.poll.records': 7 };
    const c = new Cluster(
      scenario([{ id: 'c1', config: cfg }, { id: 'c2' }], [
        { at: 10000, op: 'removeConsumer', id: 'c1', graceful: false },
        { at: 15000, op: 'restartConsumer', id: 'c1' },
        { at: 16000, op: 'restartConsumer', id: 'c2' },
      ]),
    );
    c.runUntil(9000);
    const before = owners(c);
    const gen = group(c).generation;
    c.runUntil(40000);
    expect(group(c).generation).toBe(gen);
    expect(owners(c)).toEqual(before);
    const c1 = group(c).members.find((m) => m.clientId === 'c1')!;
    expect(c1.groupInstanceId).toBe('c1-static');
    // A running consumer cannot be restarted: refused, the run goes on.
    expect(events(c, 'ActionRejected')).toMatchObject([{ op: 'restartConsumer', error: 'INVALID_REQUEST', message: 'Consumer c2 is running: close or crash it first.' }]);
  });

  it('a restarted dynamic consumer is a new member: the group rebalances', () => {
    const c = new Cluster(
      scenario([{ id: 'c1' }, { id: 'c2' }], [
        { at: 10000, op: 'removeConsumer', id: 'c1', graceful: true },
        { at: 15000, op: 'restartConsumer', id: 'c1' },
      ]),
    );
    c.runUntil(14000);
    expect(owners(c)).toEqual({ c2: [0, 1, 2, 3] });
    c.runUntil(30000);
    expect(Object.keys(owners(c)).sort()).toEqual(['c1', 'c2']);
    expect(group(c).state).toBe('Stable');
  });

  it('a static member away longer than its session timeout is removed', () => {
    const c = new Cluster(scenario([{ id: 'c1', config: { 'group.instance.id': 's1', 'session.timeout.ms': 10000 } }, { id: 'c2' }], [{ at: 8000, op: 'removeConsumer', id: 'c1', graceful: true }]));
    c.runUntil(12000);
    expect(Object.keys(owners(c)).sort()).toEqual(['c1', 'c2']); // static members never send LeaveGroup
    c.runUntil(25000);
    expect(owners(c)).toEqual({ c2: [0, 1, 2, 3] });
  });

  it('slow processing past max.poll.interval.ms makes the member leave, then rejoin', () => {
    const c = new Cluster(
      scenario([{ id: 'c1', config: { 'max.poll.interval.ms': 5000, 'max.poll.records': 100 } }, { id: 'c2' }], [{ at: 6000, op: 'setProcessingTime', consumer: 'c1', msPerRecord: 200 }]),
    );
    c.runUntil(60000);
    const rebalances = events(c, 'RebalanceStarted').length;
    expect(rebalances).toBeGreaterThanOrEqual(2);
    expect(events(c, 'MemberLeft').some((e) => e.type === 'MemberLeft' && e.clientId === 'c1')).toBe(true);
  });

  it('cooperative-sticky never revokes partitions that do not move', () => {
    const coop = { 'partition.assignment.strategy': 'cooperative-sticky' };
    const c = new Cluster(scenario([{ id: 'c1', config: coop }], [{ at: 8000, op: 'addConsumer', id: 'c2', groupId: 'g', topics: ['orders'], config: { ...coop, 'auto.offset.reset': 'earliest' } }]));
    c.runUntil(7000);
    expect(owners(c)).toEqual({ c1: [0, 1, 2, 3] });
    const kept: number[][] = [];
    for (let t = 8000; t <= 20000; t += 5) {
      c.runUntil(t);
      const v = c.snapshot().consumers.find((x) => x.id === 'c1')!;
      kept.push(v.assignment.map((tp) => tp.partition));
    }
    const final = owners(c);
    expect(final.c1!.length).toBe(2);
    expect(final.c2!.length).toBe(2);
    // The two partitions c1 keeps were owned by it at every instant.
    for (const snapshotOwned of kept) for (const p of final.c1!) expect(snapshotOwned).toContain(p);
    expect(group(c).generation).toBeGreaterThanOrEqual(3); // two rounds
  });
});

describe('offsets, lag and resets', () => {
  it('auto commit moves committed offsets; lag = HW − committed', () => {
    const c = new Cluster(scenario([{ id: 'c1' }]));
    c.runUntil(20000);
    const g = group(c);
    for (const o of g.offsets) {
      expect(o.committed).not.toBeNull();
      expect(o.lag).toBe(o.logEndOffset - o.committed!);
      expect(o.committed!).toBeGreaterThan(0);
    }
  });

  it('a slow consumer builds lag', () => {
    const c = new Cluster(scenario([{ id: 'c1' }], [{ at: 5000, op: 'setProcessingTime', consumer: 'c1', msPerRecord: 50 }]));
    c.runUntil(30000);
    const lag = group(c).offsets.reduce((n, o) => n + (o.lag ?? 0), 0);
    expect(lag).toBeGreaterThan(300);
  });

  it('reset-offsets is refused for an active group and works for an empty one', () => {
    const c = new Cluster(
      scenario([{ id: 'c1' }], [
        { at: 10000, op: 'resetOffsets', group: 'g', topic: 'orders', to: 'earliest' },
        { at: 11000, op: 'removeConsumer', id: 'c1', graceful: true },
        { at: 12000, op: 'resetOffsets', group: 'g', topic: 'orders', to: 'earliest' },
      ]),
    );
    c.runUntil(11500);
    const rejected = c.allEvents().find((e) => e.type === 'ActionRejected');
    expect(rejected).toMatchObject({ op: 'resetOffsets', error: 'NON_EMPTY_GROUP' });
    expect(group(c).offsets.every((o) => (o.committed ?? 0) > 0)).toBe(true);
    c.runUntil(12500);
    expect(group(c).state).toBe('Empty');
    expect(group(c).offsets.every((o) => o.committed === 0)).toBe(true);
  });

  it('committed offsets survive the coordinator broker dying', () => {
    const c = new Cluster(scenario([{ id: 'c1' }]));
    c.runUntil(15000);
    const host = group(c).coordinator;
    const before = group(c).offsets.map((o) => o.committed!);
    c.perform({ op: 'killBroker', broker: host });
    c.runUntil(40000);
    const g = group(c);
    expect(g.coordinator).not.toBe(host);
    g.offsets.forEach((o, i) => expect(o.committed!).toBeGreaterThanOrEqual(before[i]!));
    expect(g.state).toBe('Stable');
  });

  it('a coordinator move alone causes no rebalance: members go on with the same generation', () => {
    const c = new Cluster(scenario([{ id: 'c1' }, { id: 'c2' }]));
    c.runUntil(15000);
    const before = group(c);
    expect(before.state).toBe('Stable');
    const rebalances = events(c, 'RebalanceStarted').length;
    // A new broker does not move the coordinator (the __consumer_offsets leader stays put).
    c.perform({ op: 'addBroker', id: 4, rack: 'a' });
    c.runUntil(20000);
    expect(group(c).coordinator).toBe(before.coordinator);
    // Its host dies: failover to another replica of that partition, once the controller fences it.
    c.perform({ op: 'killBroker', broker: group(c).coordinator });
    c.runUntil(45000);
    const after = group(c);
    expect(after.coordinator).not.toBe(before.coordinator);
    expect(after.state).toBe('Stable');
    expect(after.generation).toBe(before.generation);
    expect(events(c, 'RebalanceStarted').length).toBe(rebalances);
    expect(owners(c)).toEqual(Object.fromEntries(before.members.map((m) => [m.clientId, m.assignment.map((tp) => tp.partition).sort()])));
    // And they still consume: the lag stays small.
    for (const v of c.snapshot().consumers) for (const p of v.positions) expect(p.lag).toBeLessThan(50);
  });
});

describe('regressions', () => {
  it('a consumer whose only partition lost its leader resumes when the leader returns (the poll loop never stops)', () => {
    const doc = scenario([{ id: 'c1' }], [
      { at: 8000, op: 'killBroker', broker: 2 },
      { at: 30000, op: 'restartBroker', broker: 2 },
    ]);
    doc.topics = [{ name: 'orders', partitions: 1, replicationFactor: 1, assignments: [[2]] }];
    const c = new Cluster(doc);
    c.runUntil(7000);
    const gen = group(c).generation;
    c.runUntil(60000);
    const v = c.snapshot().consumers[0]!;
    expect(v.status).toBe('stable');
    expect(group(c).generation).toBe(gen);
    expect(v.positions[0]!.lag).toBeLessThan(20);
    expect(v.positions[0]!.position).toBeGreaterThan(1000);
  });

  it('consumers keep consuming when a partition leader dies during a rebalance (poll loop survived its own rejoin)', async () => {
    const { defaultScenario } = await import('../../scenario/default-scenario');
    const c = new Cluster(defaultScenario);
    c.runUntil(8000);
    c.perform({ op: 'killBroker', broker: 2 });
    c.runUntil(60000);
    for (const v of c.snapshot().consumers) {
      expect(v.status).toBe('stable');
      for (const p of v.positions) expect(p.lag).toBeLessThan(20);
    }
  });
});

describe('eager sticky assignor through the whole group (StickyAssignor user data)', () => {
  const sticky = { 'partition.assignment.strategy': 'sticky' };
  it('a joining member takes only what balance needs: the others keep their partitions across the eager revocation', () => {
    const join = (at: number, id: string): TimelineAction => ({ at, op: 'addConsumer', id, groupId: 'g', topics: ['orders'], config: { 'auto.offset.reset': 'earliest', 'partition.assignment.strategy': 'sticky' } });
    const c = new Cluster(scenario([{ id: 'c1', config: sticky }, { id: 'c2', config: sticky }], [join(10_000, 'c3'), join(20_000, 'c4')], 12));
    c.runUntil(9000);
    expect(group(c).assignor).toBe('sticky');
    const before = owners(c);
    expect(before.c1!.length + before.c2!.length).toBe(12);
    c.runUntil(18_000);
    const mid = owners(c);
    expect(Object.values(mid).map((p) => p.length)).toEqual([4, 4, 4]);
    // Each original member keeps 4 of its 6: only 4 partitions change owner, all to c3.
    for (const id of ['c1', 'c2']) expect(mid[id]!.filter((p) => before[id]!.includes(p)).length, id).toBe(4);
    c.runUntil(28_000);
    const after = owners(c);
    expect(Object.values(after).map((p) => p.length)).toEqual([3, 3, 3, 3]);
    for (const id of ['c1', 'c2', 'c3']) expect(after[id]!.every((p) => mid[id]!.includes(p)), id).toBe(true);
  });
});
