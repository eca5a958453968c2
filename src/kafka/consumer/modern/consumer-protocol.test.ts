/**
 * The consumer group protocol (KIP-848, group.protocol=consumer) through the whole cluster:
 * an incremental rebalance that never stops the members that keep their partitions, epochs
 * in the snapshot and the event log, classic and consumer groups side by side with the same
 * offsets and lag, refused configurations, coordinator failover.
 */
import { describe, expect, it } from 'vitest';
import type { ConfigMap, Scenario, TimelineAction } from '../../../scenario/types';
import { cloneCluster, readClusterImage, writeClusterImage } from '../../checkpoint';
import { Cluster } from '../../cluster';
import { loadLesson } from '../../../scenario/lessons';

const KIP848: ConfigMap = { 'group.protocol': 'consumer', 'auto.offset.reset': 'earliest' };

function scenario(consumers: { id: string; groupId?: string; config?: ConfigMap }[], timeline: TimelineAction[] = [], partitions = 6): Scenario {
  return {
    version: 1,
    seed: 5,
    cluster: { brokers: [{ id: 1 }, { id: 2 }, { id: 3 }], network: { latencyMs: 1, jitterMs: 0 } },
    topics: [{ name: 'orders', partitions, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
    clients: [
      { kind: 'producer', id: 'p', config: {} },
      ...consumers.map((c) => ({ kind: 'consumer' as const, id: c.id, groupId: c.groupId ?? 'g', topics: ['orders'], config: c.config ?? KIP848 })),
    ],
    timeline: [{ at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 60, keys: 12, valueBytes: 20 }, ...timeline],
  };
}
const group = (c: Cluster, id = 'g') => c.snapshot().groups.find((g) => g.groupId === id)!;
const owners = (c: Cluster, id = 'g') => Object.fromEntries(group(c, id).members.map((m) => [m.clientId, m.assignment.map((tp) => tp.partition)]));

describe('consumer group protocol (KIP-848) in the cluster', () => {
  it('a joining member: group epoch bump, target assignment, incremental reconciliation; the first member never stops consuming', () => {
    const c = new Cluster(scenario([{ id: 'c1' }], [{ at: 10_000, op: 'addConsumer', id: 'c2', groupId: 'g', topics: ['orders'], config: KIP848 }]));
    c.runUntil(2000);
    expect(group(c)).toMatchObject({ type: 'consumer', state: 'Stable', groupEpoch: 1, targetAssignmentEpoch: 1, assignor: 'uniform', leader: null });
    expect(owners(c)).toEqual({ c1: [0, 1, 2, 3, 4, 5] });
    expect(c.snapshot().consumers.find((x) => x.id === 'c1')).toMatchObject({ groupProtocol: 'consumer', memberEpoch: 1, status: 'stable' });
    // From the join on, c1 is sampled every 100 ms: it stays 'stable' (no stop-the-world) and keeps consuming.
    const statuses = new Set<string>();
    let consumed = c.snapshot().consumers.find((x) => x.id === 'c1')!.consumed;
    let grew = 0;
    for (let t = 10_000; t <= 20_000; t += 100) {
      c.runUntil(t);
      const v = c.snapshot().consumers.find((x) => x.id === 'c1')!;
      statuses.add(v.status);
      if (v.consumed > consumed) grew++;
      consumed = v.consumed;
    }
    expect([...statuses]).toEqual(['stable']);
    expect(grew).toBeGreaterThan(50);
    expect(group(c)).toMatchObject({ state: 'Stable', groupEpoch: 2, targetAssignmentEpoch: 2 });
    expect(owners(c)).toEqual({ c1: [0, 1, 2], c2: [3, 4, 5] });
    expect(group(c).members.map((m) => [m.memberEpoch, m.memberState])).toEqual([[2, 'STABLE'], [2, 'STABLE']]);
    const types = c.allEvents().filter((e) => e.at >= 10_000 && ['GroupEpochBumped', 'TargetAssignmentComputed', 'MemberAssignmentUpdated', 'GroupStateChanged'].includes(e.type)).map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['GroupEpochBumped', 'TargetAssignmentComputed']);
    expect(types).toContain('MemberAssignmentUpdated');
    // No classic rebalance events for a consumer group.
    expect(c.allEvents().filter((e) => e.type === 'RebalanceStarted' || e.type === 'RebalanceCompleted')).toEqual([]);
    // The states of a consumer group, as Kafka names them.
    const states = c.allEvents().filter((e) => e.type === 'GroupStateChanged').map((e) => (e.type === 'GroupStateChanged' ? e.state : ''));
    expect(states).toEqual(['Stable', 'Reconciling', 'Stable']);
  });

  it('the inspector sees partitions pending revocation and pending assignment while the group reconciles', () => {
    const c = new Cluster(scenario([{ id: 'c1' }], [{ at: 10_000, op: 'addConsumer', id: 'c2', groupId: 'g', topics: ['orders'], config: KIP848 }]));
    c.runUntil(10_004);
    const g = group(c);
    expect(g.state).toBe('Reconciling');
    const c2 = g.members.find((m) => m.clientId === 'c2')!;
    expect(c2).toMatchObject({ memberState: 'UNRELEASED_PARTITIONS', memberEpoch: 2 });
    expect(c2.pendingAssignment!.map((tp) => tp.partition)).toEqual([3, 4, 5]);
  });

  it('classic and consumer groups side by side on one topic: each consumes everything, commits, lag 0', () => {
    const c = new Cluster(scenario([{ id: 'k1', groupId: 'modern' }, { id: 'k2', groupId: 'modern' }, { id: 'o1', groupId: 'classic', config: { 'auto.offset.reset': 'earliest' } }], [{ at: 20_000, op: 'stopLoad', producer: 'p' }]));
    c.runUntil(40_000);
    const modern = group(c, 'modern');
    const classic = group(c, 'classic');
    expect(modern).toMatchObject({ type: 'consumer', state: 'Stable' });
    expect(classic).toMatchObject({ type: 'classic', state: 'Stable' });
    expect(modern.offsets.map((o) => o.lag)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(classic.offsets.map((o) => o.lag)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(modern.offsets.map((o) => o.committed)).toEqual(classic.offsets.map((o) => o.committed));
  });

  it('refuses partition.assignment.strategy with group.protocol=consumer, and group.remote.assignor with classic', () => {
    const c = new Cluster(scenario([], [
      { at: 1, op: 'addConsumer', id: 'x', groupId: 'g', topics: ['orders'], config: { 'group.protocol': 'consumer', 'partition.assignment.strategy': 'range' } },
      { at: 2, op: 'addConsumer', id: 'y', groupId: 'g', topics: ['orders'], config: { 'group.remote.assignor': 'range' } },
    ]));
    c.runUntil(100);
    const rejected = c.allEvents().filter((e) => e.type === 'ActionRejected');
    expect(rejected.map((e) => (e.type === 'ActionRejected' ? [e.op, e.error] : []))).toEqual([['addConsumer', 'INVALID_CONFIG'], ['addConsumer', 'INVALID_CONFIG']]);
    expect(rejected[0]).toMatchObject({ message: expect.stringMatching(/partition\.assignment\.strategy cannot be set when group\.protocol=CONSUMER/) });
    expect(c.snapshot().consumers).toEqual([]);
  });

  it('an unknown group.remote.assignor: the broker answers UNSUPPORTED_ASSIGNOR, fatal for the consumer', () => {
    const c = new Cluster(scenario([{ id: 'c1', config: { ...KIP848, 'group.remote.assignor': 'sticky' } }]));
    c.runUntil(2000);
    expect(c.snapshot().consumers[0]).toMatchObject({ status: 'crashed', lastError: { error: 'UNSUPPORTED_ASSIGNOR' } });
  });

  it('group.remote.assignor=range: the broker runs the range assignor', () => {
    const cfg = { ...KIP848, 'group.remote.assignor': 'range' };
    const c = new Cluster(scenario([{ id: 'c1', config: cfg }, { id: 'c2', config: cfg }]));
    c.runUntil(15_000);
    expect(group(c)).toMatchObject({ assignor: 'range', state: 'Stable' });
    expect(Object.values(owners(c)).map((p) => p.length)).toEqual([3, 3]);
  });

  it('a crashed member is fenced after group.consumer.session.timeout.ms (45 s); its partitions move', () => {
    const c = new Cluster(scenario([{ id: 'c1' }, { id: 'c2' }], [{ at: 20_000, op: 'removeConsumer', id: 'c2', graceful: false }]));
    c.runUntil(60_000);
    expect(group(c).members).toHaveLength(2);
    c.runUntil(70_000);
    expect(owners(c)).toEqual({ c1: [0, 1, 2, 3, 4, 5] });
    expect(c.allEvents().find((e) => e.type === 'MemberLeft')).toMatchObject({ reason: 'session.timeout.ms', clientId: 'c2' });
  });

  it('a coordinator failover keeps the group: no epoch bump, members go on heartbeating to the new coordinator', () => {
    const c = new Cluster(scenario([{ id: 'c1' }, { id: 'c2' }]));
    c.runUntil(20_000);
    const before = group(c);
    expect(before.state).toBe('Stable');
    c.perform({ op: 'killBroker', broker: before.coordinator });
    c.runUntil(40_000);
    const after = group(c);
    expect(after.coordinator).not.toBe(before.coordinator);
    expect(after).toMatchObject({ state: 'Stable', groupEpoch: before.groupEpoch });
    expect(owners(c)).toEqual(Object.fromEntries(before.members.map((m) => [m.clientId, m.assignment.map((tp) => tp.partition)])));
  });

  it("a running consumer's group.protocol cannot change (INVALID_REQUEST)", () => {
    const c = new Cluster(scenario([{ id: 'c1' }]));
    c.runUntil(1000);
    c.perform({ op: 'alterConfig', entity: 'client', name: 'c1', config: { 'group.protocol': 'classic' } });
    c.runUntil(1100);
    expect(c.allEvents().find((e) => e.type === 'ActionRejected')).toMatchObject({ error: 'INVALID_REQUEST', message: expect.stringMatching(/group\.protocol is fixed/) });
  });
});

describe('consumer group protocol: the poll timer', () => {
  it('a poll slower than max.poll.interval.ms: the member leaves (epoch -1), its partitions move, it joins again with epoch 0 when it polls', () => {
    const slow = { ...KIP848, 'max.poll.interval.ms': 5000, 'max.poll.records': 100 };
    const c = new Cluster(scenario([{ id: 'c1', config: slow }, { id: 'c2' }], [{ at: 5000, op: 'setProcessingTime', consumer: 'c1', msPerRecord: 100 }]));
    c.runUntil(60_000);
    const left = c.allEvents().filter((e) => e.type === 'MemberLeft' && e.clientId === 'c1');
    expect(left.length).toBeGreaterThan(0);
    expect(left[0]).toMatchObject({ reason: 'LeaveGroup' });
    // c1 came back: the group has both members again, and the group epoch went up for each leave and join.
    const joins = c.allEvents().filter((e) => e.type === 'MemberJoined' && e.clientId === 'c1');
    expect(joins.length).toBeGreaterThan(1);
    expect(group(c).groupEpoch!).toBeGreaterThanOrEqual(2 + 2 * left.length - 1);
    expect(c.snapshot().consumers.find((x) => x.id === 'c1')!.lastError).toMatchObject({ error: 'REBALANCE_IN_PROGRESS' });
  });
});

describe('consumer group protocol: checkpoints (time travel)', () => {
  const fingerprint = (c: Cluster) => JSON.stringify(c.output()) + JSON.stringify(c.snapshot()) + c.scheduler.eventsRun;
  const doc = () => {
    const r = loadLesson('kip848-consumer-protocol');
    if (!r.ok) throw new Error(r.error.message);
    return r.scenario;
  };

  it('the KIP-848 lesson checkpointed every 2.5 s (mid-reconciliation too) continues exactly', () => {
    const straight = new Cluster(doc(), { recordConsumed: true });
    straight.runUntil(40_000);
    let c = new Cluster(doc(), { recordConsumed: true });
    for (let t = 2500; t <= 40_000; t += 2500) {
      c.runUntil(t);
      c = cloneCluster(c);
    }
    c.runUntil(40_000);
    expect(fingerprint(c)).toBe(fingerprint(straight));
  });

  it('an image through structured clone, taken while the group reconciles, continues exactly', () => {
    const straight = new Cluster(doc(), { recordConsumed: true });
    straight.runUntil(35_000);
    const original = new Cluster(doc(), { recordConsumed: true });
    original.runUntil(20_600);
    // Inspected, not snapshotted: a snapshot takes the events and metrics since the last one.
    expect(original.coordinator.inspect('kip848')!.state).toBe('Reconciling');
    const restored = readClusterImage(structuredClone(writeClusterImage(original)));
    restored.runUntil(35_000);
    expect(fingerprint(restored)).toBe(fingerprint(straight));
  });
});

describe('consumer group protocol: static members in the cluster', () => {
  it('a static member closed (epoch -2) and restarted within the session gets its partitions back, no group epoch bump', () => {
    const stat = (id: string) => ({ ...KIP848, 'group.instance.id': `${id}-static` });
    const c = new Cluster(scenario([{ id: 'c1', config: stat('c1') }, { id: 'c2', config: stat('c2') }], [
      { at: 20_000, op: 'removeConsumer', id: 'c1', graceful: true },
      { at: 30_000, op: 'restartConsumer', id: 'c1' },
    ]));
    c.runUntil(19_000);
    const before = group(c);
    expect(before.state).toBe('Stable');
    const mine = owners(c).c1;
    c.runUntil(25_000);
    // Left temporarily: still a member at epoch -2, the group reconciles nothing away.
    expect(group(c).members.find((m) => m.clientId === 'c1')).toMatchObject({ memberEpoch: -2 });
    expect(group(c).groupEpoch).toBe(before.groupEpoch);
    c.runUntil(40_000);
    const after = group(c);
    expect(after).toMatchObject({ state: 'Stable', groupEpoch: before.groupEpoch });
    expect(owners(c).c1).toEqual(mine);
    expect(c.allEvents().find((e) => e.type === 'StaticMemberRejoined')).toMatchObject({ groupInstanceId: 'c1-static', rebalance: false });
  });

  it('a static member that crashed and restarts while its instance id is held gets UNRELEASED_INSTANCE_ID', () => {
    const c = new Cluster(scenario([{ id: 'c1', config: { ...KIP848, 'group.instance.id': 'one' } }], [
      { at: 10_000, op: 'removeConsumer', id: 'c1', graceful: false },
      { at: 12_000, op: 'restartConsumer', id: 'c1' },
    ]));
    c.runUntil(15_000);
    expect(c.snapshot().consumers[0]).toMatchObject({ status: 'crashed', lastError: { error: 'UNRELEASED_INSTANCE_ID' } });
  });
});
