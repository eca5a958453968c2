/**
 * The group coordinator and consumers against the test harness (./test-support.ts): the
 * classic protocol request by request, then whole consumers on the virtual clock, then
 * random join/leave/crash schedules checked with checkGroupInvariants.
 */
import { callOf } from '../sim/call';
import { describe, expect, it } from 'vitest';
import { Deferred } from '../sim/network';
import { Prng } from '../sim/prng';
import { GroupCoordinator, javaStringHashCode, type JoinGroupRequest, type JoinGroupResponse } from './group-coordinator';
import { checkGroupInvariants } from './invariants';
import { FakeCluster, groupJoiner, randomGroupStep } from './test-support';

const settle = <T>(r: T | Deferred<T>): T => {
  if (!(r instanceof Deferred)) return r;
  let v: T | undefined;
  r.then(callOf((x: T) => (v = x)));
  if (v === undefined) throw new Error('not answered yet');
  return v;
};
const joinReq = (memberId: string, clientId: string, extra: Partial<JoinGroupRequest> = {}): JoinGroupRequest => ({
  groupId: 'g',
  memberId,
  groupInstanceId: null,
  clientId,
  protocols: [{ name: 'range', topics: ['orders'], ownedPartitions: [], generation: -1 }],
  sessionTimeoutMs: 10000,
  rebalanceTimeoutMs: 20000,
  ...extra,
});
const parts = (c: FakeCluster, groupId = 'g') =>
  Object.fromEntries((c.coordinator.inspect(groupId)?.members ?? []).map((m) => [m.clientId, m.assignment.map((tp) => tp.partition)]));
const state = (c: FakeCluster, groupId = 'g') => c.coordinator.inspect(groupId)!.state;

describe('coordinator placement', () => {
  it('javaStringHashCode is Java String.hashCode', () => {
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
  });
  it('coordinatorFor = live brokers[abs(hash) % 50 % live]; -1 with none live; NOT_COORDINATOR elsewhere', () => {
    const c = new FakeCluster({ brokers: [1, 2, 3] });
    const expected = [1, 2, 3][((javaStringHashCode('g') & 0x7fffffff) % 50) % 3]!;
    expect(c.coordinator.coordinatorFor('g')).toBe(expected);
    const other = [1, 2, 3].find((b) => b !== expected)!;
    expect(settle(c.coordinator.handleJoinGroup(other, joinReq('', 'c1'))).error).toBe('NOT_COORDINATOR');
    expect(c.coordinator.handleHeartbeat(other, 'g', 0, 'x', null)).toBe('NOT_COORDINATOR');
    for (const b of [1, 2, 3]) c.killBroker(b);
    expect(c.coordinator.coordinatorFor('g')).toBe(-1);
  });
});

describe('classic protocol, request by request', () => {
  it('MEMBER_ID_REQUIRED, join, leader sync, heartbeats; a second member forces REBALANCE_IN_PROGRESS', () => {
    const c = new FakeCluster();
    const co = c.coordinator;
    const b = co.coordinatorFor('g');
    const first = settle(co.handleJoinGroup(b, joinReq('', 'c1')));
    expect(first.error).toBe('MEMBER_ID_REQUIRED');
    const id1 = first.memberId;
    const pending = co.handleJoinGroup(b, joinReq(id1, 'c1'));
    expect(state(c)).toBe('PreparingRebalance');
    expect(c.eventsOf('RebalanceStarted')[0]!.reason).toBe(`Adding new member ${id1} with group instance id null`);
    c.run(2999);
    expect(pending instanceof Deferred && pending.isDone).toBe(false);
    c.run(3000); // group.initial.rebalance.delay.ms, nobody else joined
    const j1 = settle(pending);
    expect(j1).toMatchObject({ error: 'NONE', generationId: 1, protocolName: 'range', leader: id1 });
    expect(j1.members.map((m) => m.memberId)).toEqual([id1]);
    expect(state(c)).toBe('CompletingRebalance');
    expect(co.handleHeartbeat(b, 'g', 1, id1, null)).toBe('NONE');
    const s1 = settle(co.handleSyncGroup(b, 'g', 1, id1, [{ memberId: id1, assignment: [0, 1, 2, 3].map((p) => ({ topic: 'orders', partition: p })) }]));
    expect(s1.assignment).toHaveLength(4);
    expect(state(c)).toBe('Stable');
    expect(co.handleHeartbeat(b, 'g', 0, id1, null)).toBe('ILLEGAL_GENERATION');
    expect(co.handleHeartbeat(b, 'g', 1, 'nobody', null)).toBe('UNKNOWN_MEMBER_ID');

    const id2 = settle(co.handleJoinGroup(b, joinReq('', 'c2'))).memberId;
    const j2 = co.handleJoinGroup(b, joinReq(id2, 'c2'));
    expect(state(c)).toBe('PreparingRebalance');
    expect(co.handleHeartbeat(b, 'g', 1, id1, null)).toBe('REBALANCE_IN_PROGRESS');
    // Commits of the current generation are still accepted while preparing (eager members commit before rejoining).
    expect(co.handleOffsetCommit(b, 'g', 1, id1, [{ topic: 'orders', partition: 0, offset: 5 }])).toBe('NONE');
    const rejoin = co.handleJoinGroup(b, joinReq(id1, 'c1'));
    // No initial delay outside Empty: complete once every member rejoined.
    const r1 = settle(rejoin);
    const r2 = settle(j2);
    expect(r1.generationId).toBe(2);
    expect(r2.generationId).toBe(2);
    expect(r1.leader).toBe(id1);
    expect(r2.members).toEqual([]); // only the leader gets the member list
    expect(co.handleOffsetCommit(b, 'g', 2, id2, [])).toBe('REBALANCE_IN_PROGRESS');
    expect(co.handleOffsetCommit(b, 'g', 1, id1, [])).toBe('ILLEGAL_GENERATION');
    expect(co.handleOffsetCommit(b, 'g', -1, '', [])).toBe('UNKNOWN_MEMBER_ID'); // admin commit: only when Empty
    expect(c.eventsOf('GroupStateChanged').map((e) => `${e.state}@${e.generation}`)).toEqual([
      'PreparingRebalance@0',
      'CompletingRebalance@1',
      'Stable@1',
      'PreparingRebalance@1',
      'CompletingRebalance@2',
    ]);
  });

  it('the initial delay is extended while members keep joining, up to the rebalance timeout', () => {
    const c = new FakeCluster();
    const co = c.coordinator;
    const b = co.coordinatorFor('g');
    const join = (n: number) => {
      const id = settle(co.handleJoinGroup(b, joinReq('', `c${n}`))).memberId;
      return co.handleJoinGroup(b, joinReq(id, `c${n}`, { rebalanceTimeoutMs: 7000 }));
    };
    const d1 = join(1) as Deferred<JoinGroupResponse>;
    c.run(2000);
    join(2);
    c.run(4000);
    join(3);
    c.run(6999);
    expect(d1.isDone).toBe(false);
    // 7000 rebalance timeout − 3000: remaining time runs out at 3000 + 3000 + 1000 = 7000.
    c.run(7000);
    expect(d1.isDone).toBe(true);
    expect(c.eventsOf('RebalanceCompleted')).toHaveLength(0);
    expect(state(c)).toBe('CompletingRebalance');
    expect(co.inspect('g')!.members).toHaveLength(3);
  });

  it('static members: FENCED_INSTANCE_ID for the old incarnation, UNKNOWN_MEMBER_ID for an unknown id', () => {
    const c = new FakeCluster();
    const co = c.coordinator;
    const b = co.coordinatorFor('g');
    const d = co.handleJoinGroup(b, joinReq('', 'c1', { groupInstanceId: 'i1' }));
    c.run(3000);
    const j = settle(d);
    settle(co.handleSyncGroup(b, 'g', j.generationId, j.memberId, [{ memberId: j.memberId, assignment: [{ topic: 'orders', partition: 0 }] }]));
    const again = settle(co.handleJoinGroup(b, joinReq('', 'c1', { groupInstanceId: 'i1' })));
    expect(again.error).toBe('NONE');
    expect(again.generationId).toBe(j.generationId);
    expect(again.memberId).not.toBe(j.memberId);
    expect(co.handleHeartbeat(b, 'g', j.generationId, j.memberId, 'i1')).toBe('FENCED_INSTANCE_ID');
    expect(settle(co.handleJoinGroup(b, joinReq(j.memberId, 'c1', { groupInstanceId: 'i1' }))).error).toBe('FENCED_INSTANCE_ID');
    expect(settle(co.handleJoinGroup(b, joinReq('made-up', 'c9', { groupInstanceId: 'i9' }))).error).toBe('UNKNOWN_MEMBER_ID');
    expect(settle(co.handleSyncGroup(b, 'g', again.generationId, again.memberId, null, 'i1')).assignment).toEqual([{ topic: 'orders', partition: 0 }]);
    expect(state(c)).toBe('Stable');
  });
});

describe('consumers on the virtual clock', () => {
  it('lifecycle, a second member splits the range, a graceful leave rebalances at once', () => {
    const c = new FakeCluster();
    c.addConsumer('c1', 'g', ['orders'], { 'auto.offset.reset': 'earliest' });
    c.run(4000);
    expect(state(c)).toBe('Stable');
    expect(c.coordinator.inspect('g')!.generationId).toBe(1);
    expect(parts(c)).toEqual({ c1: [0, 1, 2, 3] });
    c.addConsumer('c2', 'g', ['orders'], { 'auto.offset.reset': 'earliest' });
    c.run(8000);
    expect(c.coordinator.inspect('g')!.generationId).toBe(2);
    const split = parts(c);
    expect(Object.values(split).map((x) => x.length)).toEqual([2, 2]);
    c.consumers.get('c1')!.close(true);
    c.run(8100);
    expect(c.eventsOf('MemberLeft')).toMatchObject([{ clientId: 'c1', reason: 'LeaveGroup' }]);
    expect(state(c)).toBe('PreparingRebalance');
    c.run(12000); // c2 learns of it from its next heartbeat (heartbeat.interval.ms = 3000)
    expect(parts(c)).toEqual({ c2: [0, 1, 2, 3] });
    expect(c.coordinator.inspect('g')!.generationId).toBe(3);
  });

  it('a crashed member is removed after session.timeout.ms, then the others rebalance', () => {
    const c = new FakeCluster();
    const cfg = { 'session.timeout.ms': 10000, 'auto.offset.reset': 'earliest' };
    c.addConsumer('c1', 'g', ['orders'], cfg);
    c.addConsumer('c2', 'g', ['orders'], cfg);
    c.run(10000);
    c.consumers.get('c2')!.close(false);
    expect(c.consumers.get('c2')!.view().status).toBe('crashed');
    c.run(16900); // last heartbeat ≥ 7000 (every 3000 ms): not yet expired
    expect(c.eventsOf('MemberLeft')).toHaveLength(0);
    c.run(21000);
    const left = c.eventsOf('MemberLeft');
    expect(left).toMatchObject([{ clientId: 'c2', reason: 'session.timeout.ms' }]);
    expect(left[0]!.at).toBeGreaterThanOrEqual(17000);
    c.run(22000);
    expect(parts(c)).toEqual({ c1: [0, 1, 2, 3] });
    expect(state(c)).toBe('Stable');
  });

  it('a static member back within its session timeout: no rebalance, same assignment; away longer: removed', () => {
    const c = new FakeCluster();
    const cfg = (i: string) => ({ 'group.instance.id': i, 'session.timeout.ms': 20000, 'auto.offset.reset': 'earliest' });
    c.addConsumer('c1', 'g', ['orders'], cfg('i1'));
    c.addConsumer('c2', 'g', ['orders'], cfg('i2'));
    c.run(10000);
    const before = parts(c);
    const gen = c.coordinator.inspect('g')!.generationId;
    c.consumers.get('c1')!.close(true); // static: no LeaveGroup even when graceful
    c.run(15000);
    expect(c.eventsOf('MemberLeft')).toHaveLength(0);
    c.addConsumer('c1', 'g', ['orders'], cfg('i1'));
    c.run(20000);
    expect(c.coordinator.inspect('g')!.generationId).toBe(gen);
    expect(parts(c)).toEqual(before);
    expect(c.consumers.get('c1')!.view().assignment.map((tp) => tp.partition)).toEqual(before.c1);
    expect(c.eventsOf('RebalanceStarted').filter((e) => e.at > 10000)).toEqual([]);
    c.consumers.get('c2')!.close(false);
    c.run(45000);
    expect(c.eventsOf('MemberLeft')).toMatchObject([{ clientId: 'c2', reason: 'session.timeout.ms' }]);
    expect(parts(c)).toEqual({ c1: [0, 1, 2, 3] });
  });

  it('processing slower than max.poll.interval.ms: the member leaves, then rejoins on its next poll', () => {
    const c = new FakeCluster();
    const slow = c.addConsumer('c1', 'g', ['orders'], { 'max.poll.interval.ms': 5000, 'max.poll.records': 100, 'auto.offset.reset': 'earliest' });
    c.addConsumer('c2', 'g', ['orders'], { 'auto.offset.reset': 'earliest' });
    c.run(6000);
    slow.setProcessingTime(100); // 100 records × 100 ms = 10 s per poll
    c.produceAll('orders', 300);
    c.run(40000);
    const left = c.eventsOf('MemberLeft').filter((e) => e.clientId === 'c1');
    expect(left.length).toBeGreaterThanOrEqual(1);
    expect(left[0]!.reason).toBe('LeaveGroup');
    expect(c.eventsOf('MemberJoined').filter((e) => e.clientId === 'c1').length).toBeGreaterThanOrEqual(2);
  });

  it('cooperative-sticky: partitions that stay are never revoked; the moving ones follow in a second rebalance', () => {
    const c = new FakeCluster({ topics: [{ name: 'orders', partitions: 6 }] });
    const coop = { 'partition.assignment.strategy': 'cooperative-sticky', 'auto.offset.reset': 'earliest' };
    const c1 = c.addConsumer('c1', 'g', ['orders'], coop);
    c.run(5000);
    expect(parts(c)).toEqual({ c1: [0, 1, 2, 3, 4, 5] });
    const gen = c.coordinator.inspect('g')!.generationId;
    c.addConsumer('c2', 'g', ['orders'], coop);
    const held: number[][] = [];
    for (let t = 5000; t <= 14000; t += 1) {
      c.run(t);
      held.push(c1.view().assignment.map((tp) => tp.partition));
    }
    const final = parts(c);
    expect(final.c1).toHaveLength(3);
    expect(final.c2).toHaveLength(3);
    for (const h of held) for (const p of final.c1!) expect(h).toContain(p);
    expect(c.coordinator.inspect('g')!.generationId).toBe(gen + 2);
    expect(checkGroupInvariants(c.coordinator, c.ctx.metadata, { nowMs: c.now, cooperativeGraceMs: -1e9 })).toEqual([]);
  });
});

describe('offsets', () => {
  it('consumes every record once per partition in order, commits, lag = HW − committed', () => {
    const c = new FakeCluster();
    c.produceAll('orders', 50);
    c.addConsumer('c1', 'g', ['orders'], { 'auto.offset.reset': 'earliest', 'max.poll.records': 30 });
    c.run(12000);
    for (let p = 0; p < 4; p++) {
      const rows = c.consumed.filter((r) => r.partition === p);
      expect(rows.map((r) => r.offset)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(rows[7]).toMatchObject({ consumer: 'c1', topic: 'orders', key: 'k7', value: 'v7' });
    }
    const view = c.coordinator.describeGroups()[0]!;
    expect(view.offsets.map((o) => [o.committed, o.lag])).toEqual([[50, 0], [50, 0], [50, 0], [50, 0]]);
    c.produce('orders', 2, 10);
    expect(c.coordinator.describeGroups()[0]!.offsets[2]).toMatchObject({ committed: 50, logEndOffset: 60, lag: 10 });
    expect(c.consumers.get('c1')!.view().consumed).toBe(200);
  });

  it('without per-record recording it only counts; latest skips what is already there', () => {
    const c = new FakeCluster({ recordingConsumed: false });
    c.produceAll('orders', 20);
    c.addConsumer('c1', 'g', ['orders']); // auto.offset.reset=latest
    c.run(5000);
    c.produceAll('orders', 5);
    c.run(8000);
    expect(c.consumed).toEqual([]);
    expect(c.consumers.get('c1')!.view().consumed).toBe(20);
  });

  it('resets: refused for a live group, applied to an Empty one (earliest, latest, offset, timestamp)', () => {
    const c = new FakeCluster();
    c.produceAll('orders', 10);
    c.run(1000);
    c.produceAll('orders', 10);
    c.addConsumer('c1', 'g', ['orders'], { 'auto.offset.reset': 'earliest' });
    c.run(9000);
    const refused = c.coordinator.resetOffsets('g', 'orders', 'earliest');
    expect(refused.error).toBe('NON_EMPTY_GROUP');
    expect(refused.message).toContain('current state is Stable');
    c.consumers.get('c1')!.close(true);
    c.run(10000);
    expect(state(c)).toBe('Empty');
    const committed = () => [0, 1, 2, 3].map((p) => c.coordinator.committed('g', 'orders', p));
    expect(committed()).toEqual([20, 20, 20, 20]);
    expect(c.coordinator.resetOffsets('g', 'orders', 'earliest').error).toBeNull();
    expect(committed()).toEqual([0, 0, 0, 0]);
    expect(c.coordinator.resetOffsets('g', 'orders', { timestamp: 500 }).error).toBeNull();
    expect(committed()).toEqual([10, 10, 10, 10]);
    c.coordinator.resetOffsets('g', 'orders', 99);
    expect(committed()).toEqual([20, 20, 20, 20]);
    c.coordinator.resetOffsets('g', 'orders', 'latest');
    expect(c.eventsOf('OffsetsReset')).toHaveLength(16);
    expect(c.coordinator.resetOffsets('g', 'nope', 'earliest').error).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(c.coordinator.resetOffsets('other-group', 'orders', 'earliest').error).toBeNull();
    // The restarted consumer resumes from the reset offsets.
    c.coordinator.resetOffsets('g', 'orders', 15);
    c.consumed.length = 0;
    c.addConsumer('c1b', 'g', ['orders']);
    c.run(16000);
    expect(c.consumed).toHaveLength(20);
    expect(Math.min(...c.consumed.map((r) => r.offset))).toBe(15);
  });

  it('OFFSET_OUT_OF_RANGE (retention passed the position) resets by auto.offset.reset', () => {
    const c = new FakeCluster({ topics: [{ name: 'orders', partitions: 1 }] });
    c.produce('orders', 0, 10);
    const cons = c.addConsumer('c1', 'g', ['orders'], { 'auto.offset.reset': 'earliest' });
    c.run(5000);
    cons.close(true);
    c.run(6000);
    c.produce('orders', 0, 10);
    c.produce('orders', 0, 10);
    c.truncateStart('orders', 0, 20);
    c.consumed.length = 0;
    c.addConsumer('c2', 'g', ['orders'], { 'auto.offset.reset': 'earliest' });
    c.run(12000);
    expect(c.consumed.map((r) => r.offset)).toEqual(Array.from({ length: 10 }, (_, i) => 20 + i));
  });

  it('the coordinator moving to another broker keeps committed offsets and the group', () => {
    const c = new FakeCluster();
    c.produceAll('orders', 30);
    c.addConsumer('c1', 'g', ['orders'], { 'auto.offset.reset': 'earliest' });
    c.addConsumer('c2', 'g', ['orders'], { 'auto.offset.reset': 'earliest' });
    c.run(15000);
    const host = c.coordinator.coordinatorFor('g');
    const before = [0, 1, 2, 3].map((p) => c.coordinator.committed('g', 'orders', p));
    expect(before).toEqual([30, 30, 30, 30]);
    c.killBroker(host);
    expect(c.coordinator.coordinatorFor('g')).not.toBe(host);
    expect(state(c)).toBe('Stable');
    c.produceAll('orders', 5);
    c.run(40000);
    expect(state(c)).toBe('Stable');
    expect([0, 1, 2, 3].map((p) => c.coordinator.committed('g', 'orders', p))).toEqual([35, 35, 35, 35]);
    expect(c.coordinator.describeGroups()[0]!.coordinator).toBe(c.coordinator.coordinatorFor('g'));
  });

  it('exportState / restoreState round-trips offsets and the last synced generation', () => {
    const c = new FakeCluster();
    c.produceAll('orders', 5);
    c.addConsumer('c1', 'g', ['orders'], { 'auto.offset.reset': 'earliest' });
    c.run(12000);
    const saved = JSON.parse(JSON.stringify(c.coordinator.exportState()));
    const fresh = new GroupCoordinator(new FakeCluster().ctx);
    fresh.restoreState(saved);
    expect(fresh.committed('g', 'orders', 3)).toBe(5);
    expect(fresh.inspect('g')).toMatchObject({ state: 'Stable', generationId: 1 });
    expect(fresh.inspect('g')!.members.map((m) => m.clientId)).toEqual(['c1']);
    expect(JSON.parse(JSON.stringify(fresh.exportState()))).toEqual(saved);
  });
});

describe('random join / leave / crash schedules (property)', () => {
  it('invariants hold at every step and groups settle with every partition owned and consumed', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = new Prng(seed);
      const c = new FakeCluster({ seed, topics: [{ name: 'a', partitions: r.range(1, 6) }, { name: 'b', partitions: r.range(1, 4) }], recordingConsumed: false });
      const assignor = r.pick(['range', 'roundrobin', 'sticky', 'cooperative-sticky', 'range,cooperative-sticky']);
      const cfg = () => ({
        'partition.assignment.strategy': assignor,
        'auto.offset.reset': 'earliest',
        'session.timeout.ms': 6000,
        'heartbeat.interval.ms': 1000,
        ...(r.bool(0.3) ? { 'group.instance.id': `static-${r.int(3)}` } : {}),
      });
      const { live, add } = groupJoiner(c, cfg, () => (r.bool(0.8) ? ['a', 'b'] : ['a']));
      for (let i = r.range(1, 3); i > 0; i--) add();
      let t = 0;
      for (let step = 0; step < 25; step++) {
        t += r.range(200, 4000);
        randomGroupStep(c, r, live, add, { killChance: 0.2, restartMaxMs: 5000 });
        for (let x = c.now + 100; x <= t; x += 100) {
          c.run(x);
          const v = checkGroupInvariants(c.coordinator, c.ctx.metadata, { nowMs: c.now, consumers: [...c.consumers.values()].map((k) => k.view()) });
          if (v.length > 0) {
            console.log(JSON.stringify(c.coordinator.inspect('g')), JSON.stringify([...c.consumers.values()].map((k) => k.view())));
            console.log(c.events.slice(-30).map((e) => JSON.stringify(e)).join('\n'));
          }
          expect(v, `seed ${seed} at ${c.now} (${assignor})`).toEqual([]);
        }
      }
      if (live.size === 0) add();
      for (const b of [1, 2, 3]) c.restartBroker(b);
      c.run(c.now + 60000);
      const g = c.coordinator.inspect('g')!;
      expect(g.state, `seed ${seed}`).toBe('Stable');
      expect(g.members.map((m) => m.clientId).sort(), `seed ${seed}`).toEqual([...live].sort());
      expect(checkGroupInvariants(c.coordinator, c.ctx.metadata, { nowMs: c.now, cooperativeGraceMs: -1e9 }), `seed ${seed}`).toEqual([]);
      for (const o of c.coordinator.describeGroups()[0]!.offsets) {
        const subscribed = g.members.some((m) => m.topics.includes(o.topic));
        if (subscribed) expect(o.lag, `seed ${seed} ${o.topic}-${o.partition}`).toBe(0);
      }
    }
  });
});
