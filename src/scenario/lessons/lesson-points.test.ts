/**
 * Each lesson's point holds on the real cluster, run headless, and each of its *Try this*
 * suggestions, applied as the lesson panel applies it (from the start: at 0 ms of a fresh
 * run; now: at a moment of the run), changes the outcome as its explanation says.
 */
import { describe, expect, it } from 'vitest';
import { Cluster } from '../../kafka/cluster';
import type { ClusterSnapshot, RunnerOutput } from '../../kafka/snapshot';
import type { LessonTryThis } from '../types';
import { LESSONS, loadLesson } from '.';

interface Run {
  cluster: Cluster;
  at(ms: number): ClusterSnapshot;
  out(): RunnerOutput;
}

function tryThisOf(id: string, label: string): LessonTryThis {
  const r = loadLesson(id);
  if (!r.ok) throw new Error(r.error.message);
  const t = r.scenario.tryThis?.find((x) => x.label === label);
  if (!t) throw new Error(`${id} has no Try this "${label}"`);
  return t;
}

/** The lesson's run; with a Try this, applied at 0 ("start") or at `applyAt` ("now"). */
function start(id: string, tryThis?: { label: string; applyAt?: number }): Run {
  const r = loadLesson(id);
  if (!r.ok) throw new Error(r.error.message);
  const cluster = new Cluster(r.scenario, { recordConsumed: true });
  let pending: LessonTryThis | undefined;
  let applyAt = 0;
  if (tryThis) {
    const t = tryThisOf(id, tryThis.label);
    if ((t.from ?? 'start') === 'start') {
      expect(tryThis.applyAt).toBeUndefined();
      for (const a of t.actions) cluster.perform(a);
    } else {
      expect(tryThis.applyAt).toBeGreaterThan(0);
      pending = t;
      applyAt = tryThis.applyAt!;
    }
  }
  const advance = (ms: number) => {
    if (pending && ms >= applyAt) {
      cluster.runUntil(applyAt);
      for (const a of pending.actions) cluster.perform(a);
      pending = undefined;
    }
    cluster.runUntil(ms);
  };
  return {
    cluster,
    at: (ms) => {
      advance(ms);
      return cluster.snapshot();
    },
    out: () => cluster.output(),
  };
}

const logValues = (out: RunnerOutput, topic: string, partition = 0) =>
  out.partitions.find((p) => p.topic === topic && p.partition === partition)!.records!.map((r) => r.value);
const leoOf = (s: ClusterSnapshot, topic: string, partition: number, broker: number) =>
  s.partitions.find((p) => p.topic === topic && p.partition === partition)!.replicaStates.find((r) => r.broker === broker)!.logEndOffset;
const part = (s: ClusterSnapshot, topic: string, partition = 0) => s.partitions.find((p) => p.topic === topic && p.partition === partition)!;
const owned = (s: ClusterSnapshot, client: string) =>
  s.consumers.find((c) => c.id === client)!.assignment.map((a) => a.partition).sort((a, b) => a - b);
const recordsLag = (s: ClusterSnapshot, client: string) => s.consumers.find((c) => c.id === client)!.positions.reduce((n, p) => n + p.lag, 0);

describe('the lesson set', () => {
  it('covers a Kafka introduction: at least 13 lessons, each with chapters and a Try this', () => {
    expect(LESSONS.length).toBeGreaterThanOrEqual(13);
    for (const l of LESSONS) {
      const r = loadLesson(l.id);
      expect(r.ok, l.id).toBe(true);
      if (!r.ok) continue;
      expect(r.scenario.checkpoints!.length, l.id).toBeGreaterThanOrEqual(3);
      expect(r.scenario.tryThis!.length, l.id).toBeGreaterThanOrEqual(1);
      // Chapters fall inside the story, in order of time after sorting, each with its own moment.
      const ats = r.scenario.checkpoints!.map((c) => c.at);
      expect(new Set(ats).size, l.id).toBe(ats.length);
    }
  });
});

describe('each lesson makes its point', () => {
  it('KRaft quorum: killing the active controller elects another in a higher epoch; a cut-off leader resigns; the majority goes on committing', () => {
    const run = start('kraft-controller-quorum');
    const a = run.at(4000);
    expect(a.quorum).toMatchObject({ leaderId: 3000, epoch: 1, voters: [3000, 3001, 3002] });
    const hw0 = a.quorum!.highWatermark;
    expect(a.brokers.map((b) => b.metadataOffset)).toEqual([hw0, hw0, hw0]);
    const b = run.at(10000);
    expect(b.quorum).toMatchObject({ leaderId: 3002, epoch: 3 });
    expect(b.quorum!.nodes.find((n) => n.id === 3000)!.state).toBe('down');
    // The LeaderChangeRecord of epoch 3 is committed: one more record.
    expect(b.quorum!.highWatermark).toBe(hw0 + 1);
    expect(b.producers[0]!.acked).toBe(b.producers[0]!.sent);
    const c = run.at(18000);
    expect(c.quorum!.nodes.find((n) => n.id === 3000)).toMatchObject({ state: 'follower', epoch: 3, highWatermark: c.quorum!.highWatermark });
    const d = run.at(30000);
    expect(d.quorum).toMatchObject({ leaderId: 3001, epoch: 4 });
    expect(d.quorum!.nodes.find((n) => n.id === 3002)!.state).not.toBe('leader');
    const events = run.out().events;
    expect(events).toContainEqual(expect.objectContaining({ type: 'QuorumLeaderResigned', leader: 3002, epoch: 3, reason: 'no fetch from a majority of voters' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'QuorumLeaderElected', leader: 3001, epoch: 4 }));
    const e = run.at(50000);
    expect(e.quorum!.nodes.map((n) => [n.state, n.epoch, n.highWatermark])).toEqual([
      ['follower', 4, e.quorum!.highWatermark],
      ['leader', 4, e.quorum!.highWatermark],
      ['follower', 4, e.quorum!.highWatermark],
    ]);
    const out = run.out();
    const fenced = out.events.find((x) => x.type === 'BrokerFenced' && x.broker === 3)!;
    expect(fenced.at).toBeGreaterThan(30000);
    expect(part(e, 't').isr).toEqual([1, 2, 3]);
  });

  it('KRaft quorum, Try this: with two controllers dead there is no active controller and a dead broker is never fenced', () => {
    const run = start('kraft-controller-quorum', { label: 'Kill two controllers' });
    const s = run.at(35000);
    expect(s.controller).toBe(-1);
    expect(s.brokers.find((b) => b.id === 3)).toMatchObject({ status: 'down', fenced: false, fenceAt: null });
    expect(part(s, 't').isr).toEqual([1, 2, 3]);
    const now = start('kraft-controller-quorum', { label: 'Isolate the active controller now', applyAt: 32000 });
    now.at(32000);
    // 3002 is still cut off until 40 s: 3000 alone is no majority, so nobody leads until then.
    expect(now.at(39000).controller).toBe(-1);
    const t = now.at(46000);
    expect(t.quorum!.leaderId).not.toBe(3001);
    expect(t.quorum!.leaderId).toBeGreaterThanOrEqual(3000);
    expect(t.quorum!.epoch).toBeGreaterThan(4);
  });

  it('keys: one key, one partition, in send order; the consumer sees no order across partitions', () => {
    const run = start('keys-order-per-partition');
    const s = run.at(5100);
    expect([0, 1, 2].map((p) => part(s, 'orders', p).highWatermark)).toEqual([4, 3, 2]);
    const out = (run.at(10000), run.out());
    expect(logValues(out, 'orders', 0)).toEqual(['alice-1', 'alice-2', 'alice-3', 'alice-4']);
    expect(logValues(out, 'orders', 1)).toEqual(['dave-1', 'dave-2', 'dave-3']);
    expect(logValues(out, 'orders', 2)).toEqual(['carol-1', 'carol-2']);
    const consumed = out.consumed.map((c) => c.value);
    expect(consumed).toHaveLength(9);
    for (const k of ['alice', 'dave', 'carol']) expect(consumed.filter((v) => v!.startsWith(k))).toEqual(consumed.filter((v) => v!.startsWith(k)).sort());
    const sent = out.produced.map((p) => p.key);
    expect(out.consumed.map((c) => c.key)).not.toEqual(sent);
    expect(run.at(10000).consumers[0]!.consumed).toBe(9);
  });

  it('keys, Try this: alice-5 goes after alice-4; ignoring keys puts the burst into one partition', () => {
    const now = start('keys-order-per-partition', { label: 'Send alice-5 now', applyAt: 10000 });
    now.at(12000);
    expect(logValues(now.out(), 'orders', 0)).toEqual(['alice-1', 'alice-2', 'alice-3', 'alice-4', 'alice-5']);
    const ignore = start('keys-order-per-partition', { label: 'Ignore the keys (partitioner.ignore.keys)' });
    const s = ignore.at(6000);
    const hws = [0, 1, 2].map((p) => part(s, 'orders', p).highWatermark);
    expect(hws.filter((h) => h > 0)).toEqual([9]);
  });

  it('replication: a slow follower holds the HW back, drops out of the ISR, then rejoins', () => {
    const run = start('replication-leader-followers');
    const a = run.at(6000);
    expect(part(a, 't').isr).toEqual([1, 2, 3]);
    const b = run.at(12000);
    expect(leoOf(b, 't', 0, 3)).toBeLessThan(leoOf(b, 't', 0, 1));
    expect(part(b, 't').highWatermark).toBe(leoOf(b, 't', 0, 3));
    const c = run.at(20010);
    expect(part(c, 't').isr).toEqual([1, 2]);
    expect(part(c, 't').highWatermark).toBeGreaterThan(leoOf(c, 't', 0, 3));
    const d = run.at(35000);
    expect(part(d, 't').isr).toEqual([1, 2, 3]);
    expect(leoOf(d, 't', 0, 3)).toBe(leoOf(d, 't', 0, 1));
  });

  it('replication, Try this: killing the leader makes an in-sync follower lead, nothing acknowledged lost', () => {
    const run = start('replication-leader-followers', { label: 'Kill the leader now', applyAt: 35000 });
    const s = run.at(70000);
    expect([2, 3]).toContain(part(s, 't').leader);
    expect(part(s, 't').leaderEpoch).toBe(1);
    const out = run.out();
    const acked = out.produced.filter((p) => p.error === null).length;
    expect(acked).toBeGreaterThan(200);
    expect(part(s, 't').highWatermark).toBeGreaterThanOrEqual(acked);
  });

  it('acks=0: records are counted as sent while the leader is dead, lost with no error', () => {
    const run = start('acks-0-fire-and-forget');
    const s = run.at(30000);
    const p = s.producers[0]!;
    expect(p).toMatchObject({ acks: 0, failed: 0 });
    expect(p.acked).toBe(p.sent);
    expect(run.out().produced.every((r) => r.error === null)).toBe(true);
    const logged = logValues(run.out(), 't').length;
    expect(p.acked - logged).toBeGreaterThanOrEqual(30);
  });

  it('acks=0, Try this acks=all: every acknowledged record is in the log', () => {
    const run = start('acks-0-fire-and-forget', { label: 'Use acks=all' });
    const s = run.at(30000);
    const acked = run.out().produced.filter((r) => r.error === null).length;
    expect(s.producers[0]!.acks).toBe('all');
    expect(acked).toBeGreaterThan(100);
    expect(part(s, 't').highWatermark).toBe(acked);
  });

  it('acks=1, Try this acks=all + min.insync.replicas=2: no acknowledged record is lost', () => {
    const run = start('acks-1-loses-acknowledged-writes', { label: 'Use acks=all with min.insync.replicas=2' });
    run.at(60000);
    const out = run.out();
    const row = out.produced.find((r) => r.key === 'k')!;
    const values = logValues(out, 't');
    // Acknowledged means kept; a refused write was reported as refused.
    if (row.error === null) expect(values).toContain('acked-then-lost');
    else expect(values).not.toContain('acked-then-lost');
    expect(out.events.some((e) => e.type === 'LogTruncated' && e.broker === 1 && e.fromOffset > e.toOffset && values.length < e.fromOffset)).toBe(false);
  });

  it('min.insync.replicas: with one replica left in sync, acks=all gets NOT_ENOUGH_REPLICAS; writes resume when it is back', () => {
    const run = start('min-insync-replicas');
    expect(part(run.at(16000), 't').isr).toEqual([1, 2]);
    const s = run.at(32000);
    expect(part(s, 't').isr).toEqual([1]);
    expect(part(s, 't').underMinIsr).toBe(true);
    expect(s.producers[0]!.lastError?.error).toBe('NOT_ENOUGH_REPLICAS');
    expect(s.producers[0]!.failed).toBeGreaterThan(0);
    const refused = run.out().produced.filter((r) => r.error === 'NOT_ENOUGH_REPLICAS');
    expect(refused.length).toBeGreaterThan(0);
    const e = run.at(50000);
    expect(part(e, 't').isr).toEqual([1, 2]);
    expect(run.out().produced.some((r) => r.error === null && r.at > 41000)).toBe(true);
  });

  it('min.insync.replicas, Try this =1: nothing refused', () => {
    const run = start('min-insync-replicas', { label: 'Lower min.insync.replicas to 1' });
    const s = run.at(65000);
    expect(s.producers[0]!.failed).toBe(0);
    expect(run.out().produced.some((r) => r.error === 'NOT_ENOUGH_REPLICAS')).toBe(false);
  });

  it('leader election: broker 1 fails, broker 2 leads t-0 with epoch 1; broker 1 returns as a follower', () => {
    const run = start('leader-election-failover');
    expect(part(run.at(4000), 't')).toMatchObject({ leader: 1, leaderEpoch: 0 });
    expect(part(run.at(10000), 't').offline).toBe(true);
    expect(part(run.at(15100), 't')).toMatchObject({ leader: 2, leaderEpoch: 1, isr: [2, 3] });
    const s = run.at(35000);
    expect(part(s, 't')).toMatchObject({ leader: 2, isr: [1, 2, 3] });
    expect(s.producers[0]!.acked).toBe(s.producers[0]!.sent);
  });

  it('leader election, Try this: a preferred election gives t-0 back to broker 1', () => {
    const run = start('leader-election-failover', { label: 'Elect the preferred leader now', applyAt: 35000 });
    expect(part(run.at(36000), 't')).toMatchObject({ leader: 1, leaderEpoch: 2 });
  });

  it('unclean election, Try this off: t-0 waits for broker 1 and keeps only-on-1', () => {
    const run = start('unclean-leader-election', { label: 'Turn unclean.leader.election.enable off' });
    const s = run.at(50000);
    expect(part(s, 't').offline).toBe(true);
    run.at(90000);
    const out = run.out();
    expect(out.events.some((e) => e.type === 'LeaderElected' && e.reason === 'unclean')).toBe(false);
    expect(logValues(out, 't')).toEqual(['replicated', 'only-on-1']);
  });

  it('consumer groups: partitions spread as members join; the fifth member is idle', () => {
    const run = start('consumer-group-scaling');
    expect(owned(run.at(9000), 'c1')).toEqual([0, 1, 2, 3]);
    const b = run.at(15000);
    expect([owned(b, 'c1'), owned(b, 'c2')]).toEqual([[0, 1], [2, 3]]);
    const c = run.at(25000);
    expect(['c1', 'c2', 'c3', 'c4'].map((m) => owned(c, m).length)).toEqual([1, 1, 1, 1]);
    const d = run.at(35000);
    expect(d.groups[0]).toMatchObject({ state: 'Stable', generation: 4 });
    expect(owned(d, 'c5')).toEqual([]);
    expect(d.consumers.find((x) => x.id === 'c5')!.consumed).toBe(0);
  });

  it('consumer groups, Try this: when c1 stops, the idle c5 takes a partition', () => {
    const run = start('consumer-group-scaling', { label: 'Stop c1 now', applyAt: 35000 });
    const s = run.at(50000);
    expect(owned(s, 'c5')).toHaveLength(1);
    expect(s.consumers.find((x) => x.id === 'c5')!.consumed).toBeGreaterThan(0);
  });

  it('consumer lag: grows while c1 is slow, drains when it is fast', () => {
    const run = start('consumer-lag');
    const a = recordsLag(run.at(15000), 'c1');
    const b = recordsLag(run.at(25000), 'c1');
    expect(a).toBeGreaterThan(40);
    expect(b).toBeGreaterThan(a + 40);
    expect(recordsLag(run.at(45000), 'c1')).toBeLessThanOrEqual(2);
  });

  it('consumer lag, Try this: a second slow consumer keeps the lag small', () => {
    const run = start('consumer-lag', { label: 'Add a second slow consumer' });
    const s = run.at(25000);
    const lag = recordsLag(s, 'c1') + recordsLag(s, 'c2');
    expect(lag).toBeLessThan(30);
    expect(recordsLag(start('consumer-lag').at(25000), 'c1')).toBeGreaterThan(lag * 4);
  });

  it('rebalance storm: members exceed max.poll.interval.ms, leave, and the generation climbs', () => {
    const run = start('rebalance-storm');
    expect(run.at(20000).groups[0]).toMatchObject({ state: 'Stable', generation: 1 });
    const s = run.at(60000);
    expect(s.groups[0]!.generation).toBeGreaterThanOrEqual(4);
    expect(run.out().events.filter((e) => e.type === 'MemberLeft').length).toBeGreaterThanOrEqual(3);
  });

  it('rebalance storm, Try this max.poll.records=10: no rebalance after the first, more consumed', () => {
    const calm = start('rebalance-storm', { label: 'Poll fewer records (max.poll.records=10)' });
    const s = calm.at(60000);
    expect(s.groups[0]).toMatchObject({ state: 'Stable', generation: 1 });
    expect(calm.out().events.some((e) => e.type === 'RebalanceStarted' && e.at > 1000)).toBe(false);
    const storm = start('rebalance-storm').at(60000);
    const total = (x: ClusterSnapshot) => x.consumers.reduce((n, c) => n + c.consumed, 0);
    expect(total(s)).toBeGreaterThan(total(storm));
  });

  it('KIP-848: the consumer-protocol members never stop consuming while the classic members rebalance', () => {
    const run = start('kip848-consumer-protocol');
    const statuses = new Map<string, Set<string>>();
    const consumed = new Map<string, number[]>();
    // Fine steps: the classic members here rejoin within milliseconds (their poll loops are idle).
    for (let t = 20_000; t <= 27_000; t += t < 23_000 ? 2 : 100) {
      const s = run.at(t);
      for (const c of s.consumers) {
        if (!statuses.has(c.id)) statuses.set(c.id, new Set());
        statuses.get(c.id)!.add(c.status);
        consumed.set(c.id, [...(consumed.get(c.id) ?? []), c.consumed]);
      }
    }
    // Stop-the-world in the classic group: its members were rebalancing at some moment.
    expect(statuses.get('a1')!.has('rebalancing') || statuses.get('a2')!.has('rebalancing')).toBe(true);
    // Never in the consumer group: b1 and b2 stayed stable and kept consuming through the reconciliation.
    for (const id of ['b1', 'b2']) {
      expect([...statuses.get(id)!], id).toEqual(['stable']);
      const xs = consumed.get(id)!;
      expect(xs.at(-1)! - xs[0]!, id).toBeGreaterThan(50);
    }
    const s = run.at(27_000);
    const k = s.groups.find((g) => g.groupId === 'kip848')!;
    expect(k).toMatchObject({ state: 'Stable', groupEpoch: 3 });
    expect(['b1', 'b2', 'b3'].map((c) => owned(s, c))).toEqual([[0, 1], [3, 4], [2, 5]]);
    expect(run.out().events.some((e) => e.type === 'RebalanceStarted' && e.groupId === 'kip848')).toBe(false);
  });

  it('KIP-848, Try this: b1 crashed is fenced after group.consumer.session.timeout.ms; b2 and b3 take its partitions', () => {
    const run = start('kip848-consumer-protocol', { label: 'Crash b1 now', applyAt: 30_000 });
    const before = run.at(70_000);
    expect(before.groups.find((g) => g.groupId === 'kip848')!.members).toHaveLength(3);
    const s = run.at(90_000);
    const k = s.groups.find((g) => g.groupId === 'kip848')!;
    expect(k).toMatchObject({ state: 'Stable', groupEpoch: 4 });
    expect([...owned(s, 'b2'), ...owned(s, 'b3')].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(run.out().events.find((e) => e.type === 'MemberLeft' && e.groupId === 'kip848')).toMatchObject({ clientId: 'b1', reason: 'session.timeout.ms' });
  });

  it('KIP-848, Try this: group.remote.assignor=range moves more partitions than uniform', () => {
    const moved = (label?: string) => {
      const run = label ? start('kip848-consumer-protocol', { label }) : start('kip848-consumer-protocol');
      const before = run.at(19_000);
      const after = run.at(35_000);
      const g = after.groups.find((x) => x.groupId === 'kip848')!;
      expect(g.state).toBe('Stable');
      let n = 0;
      for (const c of ['b1', 'b2']) n += owned(before, c).filter((p) => !owned(after, c).includes(p)).length;
      return { n, assignor: g.assignor };
    };
    const uniform = moved();
    const range = moved('Let the broker run the range assignor (group.remote.assignor=range)');
    expect(uniform).toEqual({ n: 2, assignor: 'uniform' });
    expect(range.assignor).toBe('range');
    expect(range.n).toBeGreaterThan(uniform.n);
  });

  it('static member, Try this: c2 stays down past session.timeout.ms, then the group rebalances', () => {
    const run = start('static-member-rejoins', { label: 'Crash c2 now and leave it down', applyAt: 50000 });
    const s = run.at(100000);
    expect(run.out().events.some((e) => e.type === 'RebalanceStarted' && e.at > 50000)).toBe(true);
    expect(s.groups[0]!.generation).toBeGreaterThan(1);
    expect(owned(s, 'c1')).toEqual([0, 1, 2, 3]);
  });

  it('at-least-once: the records read after the last commit are read again after the crash', () => {
    const run = start('at-least-once-duplicates');
    const crashed = run.at(14000);
    expect(crashed.consumers[0]!.status).toBe('crashed');
    expect(crashed.groups[0]!.offsets[0]!.committed).toBe(30);
    run.at(35000);
    const offsets = run.out().consumed.map((c) => c.offset);
    const twice = offsets.filter((o, i) => offsets.indexOf(o) !== i);
    expect(twice.length).toBe(17);
    expect(Math.min(...twice)).toBe(30);
    expect(new Set(offsets).size).toBe(130);
  });

  it('at-least-once, Try this: committing every 200 ms leaves fewer duplicates', () => {
    const run = start('at-least-once-duplicates', { label: 'Commit more often (auto.commit.interval.ms=200)' });
    run.at(35000);
    const offsets = run.out().consumed.map((c) => c.offset);
    expect(offsets.length - new Set(offsets).size).toBeLessThan(17);
    expect(new Set(offsets).size).toBe(130);
  });

  it('exactly-once: a resend duplicates; a transaction is read once; aborted records and markers never reach read_committed', () => {
    const run = start('exactly-once-transactions');
    const p = (ms: number) => run.at(ms).partitions[0]!;
    expect(p(12000)).toMatchObject({ highWatermark: 5, lastStableOffset: 4 });
    run.at(21000);
    const out = run.out();
    const read = (id: string) => out.consumed.filter((c) => c.consumer === id).map((c) => `${c.offset}:${c.key}`);
    expect(read('rc')).toEqual(['0:pay-1', '1:pay-1', '2:pay-2', '6:pay-3']);
    expect(read('ru')).toEqual(['0:pay-1', '1:pay-1', '2:pay-2', '4:pay-3', '6:pay-3', '8:pay-4']);
    expect(out.partitions[0]!.records!.filter((r) => r.control).map((r) => `${r.offset}:${r.control}`)).toEqual(['3:COMMIT', '5:ABORT', '7:COMMIT', '9:ABORT']);
    expect(out.partitions[0]!.lastStableOffset).toBe(10);
    expect(out.events.filter((e) => e.type === 'ProducerFenced')).toHaveLength(1);
    expect(out.events.some((e) => e.type === 'TransactionError' && e.producer === 'tx' && e.error === 'PRODUCER_FENCED')).toBe(true);
  });

  it('exactly-once, Try this read_uncommitted: rc reads the aborted records too', () => {
    const run = start('exactly-once-transactions', { label: 'Make rc read_uncommitted' });
    run.at(21000);
    const keys = run.out().consumed.filter((c) => c.consumer === 'rc').map((c) => c.key);
    expect(keys).toEqual(['pay-1', 'pay-1', 'pay-2', 'pay-3', 'pay-3', 'pay-4']);
  });

  it('exactly-once, Try this commit the refund: rc reads it, the later abort is refused', () => {
    const run = start('exactly-once-transactions', { label: 'Commit the refund instead', applyAt: 18500 });
    run.at(21000);
    const out = run.out();
    expect(out.consumed.filter((c) => c.consumer === 'rc').map((c) => c.key)).toContain('pay-4');
    expect(out.events.some((e) => e.type === 'ActionRejected' && e.op === 'abortTransaction' && e.error === 'INVALID_TXN_STATE')).toBe(true);
  });

  it('replay: after the reset to earliest, c1 reads all ten records again', () => {
    const run = start('replay-reset-offsets');
    expect(run.at(11000).groups[0]).toMatchObject({ state: 'Empty' });
    expect(run.at(13000).groups[0]!.offsets[0]!.committed).toBe(0);
    run.at(20000);
    const values = run.out().consumed.map((c) => c.value);
    expect(values).toEqual([...Array.from({ length: 10 }, (_, i) => `r${i}`), ...Array.from({ length: 10 }, (_, i) => `r${i}`)]);
  });

  it('replay, Try this: a reset to offset 7 while the group is Empty replays only r7 to r9; while it has members it is refused', () => {
    const run = start('replay-reset-offsets', { label: 'Reset to offset 7 now', applyAt: 13000 });
    run.at(20000);
    expect(run.out().consumed.map((c) => c.value).slice(10)).toEqual(['r7', 'r8', 'r9']);
    const busy = start('replay-reset-offsets', { label: 'Reset to offset 7 now', applyAt: 5000 });
    busy.at(6000);
    expect(busy.out().events.some((e) => e.type === 'OffsetsReset' && e.at <= 6000)).toBe(false);
  });

  it('retention by time: segments older than retention.ms go and the log start climbs', () => {
    const run = start('retention-time-and-size');
    expect(part(run.at(20000), 'logs').logStartOffset).toBe(0);
    expect(part(run.at(30000), 'logs').logStartOffset).toBe(11);
    const s = run.at(60000);
    expect(part(s, 'logs').logStartOffset).toBe(77);
    expect(run.out().events.filter((e) => e.type === 'SegmentsDeleted').every((e) => e.type === 'SegmentsDeleted' && e.reason === 'retention.ms')).toBe(true);
  });

  it('retention, Try this by size: deletions by retention.bytes', () => {
    const run = start('retention-time-and-size', { label: 'Retain by size instead' });
    const s = run.at(60000);
    const deleted = run.out().events.filter((e) => e.type === 'SegmentsDeleted');
    expect(deleted.length).toBeGreaterThan(0);
    expect(deleted.every((e) => e.type === 'SegmentsDeleted' && e.reason === 'retention.bytes')).toBe(true);
    expect(part(s, 'logs').logStartOffset).toBeGreaterThan(0);
  });

  it('compaction: the latest value per key stays; the tombstone goes after delete.retention.ms', () => {
    const run = start('compaction-latest-per-key');
    run.at(11000);
    const after = run.out().partitions[0]!.records!.map((r) => [r.offset, r.key, r.value]);
    expect(after).toEqual([[4, 'ann', 'v3'], [5, 'ben', 'v2'], [6, 'cat', null], [7, 'dan', 'v1']]);
    run.at(33000);
    const keys = run.out().partitions[0]!.records!.map((r) => r.key);
    expect(keys).not.toContain('cat');
    expect(run.out().partitions[0]!.records!.find((r) => r.key === 'ann')?.value).toBe('v3');
  });

  it('compaction, Try this: with a long delete.retention.ms the tombstone stays', () => {
    const run = start('compaction-latest-per-key', { label: 'Keep tombstones longer (delete.retention.ms)' });
    run.at(60000);
    const recs = run.out().partitions[0]!.records!;
    expect(recs.find((r) => r.key === 'cat')).toMatchObject({ value: null });
    expect(recs.filter((r) => r.key === 'ann').map((r) => r.value)).toEqual(['v3']);
  });
});

describe('chapters show what their captions say', () => {
  it('rebalance storm: gen 2 after c2 left at 35 s', () => {
    const run = start('rebalance-storm');
    expect(run.at(38100).groups[0]).toMatchObject({ state: 'Stable', generation: 2 });
    expect(run.out().events).toContainEqual(expect.objectContaining({ type: 'MemberLeft', clientId: 'c2', reason: 'LeaveGroup' }));
  });

  it('acks=0: acked 15 of 15 at 4 s, 40 of 40 at 9 s with brokers 2 and 3 at LEO 20, 120 acked against 75 kept at 30 s', () => {
    const run = start('acks-0-fire-and-forget');
    expect(run.at(4000).producers[0]).toMatchObject({ acked: 15, sent: 15 });
    const b = run.at(9000);
    expect(b.producers[0]).toMatchObject({ acked: 40, sent: 40 });
    expect([leoOf(b, 't', 0, 2), leoOf(b, 't', 0, 3)]).toEqual([20, 20]);
    expect(part(run.at(15000), 't')).toMatchObject({ leader: 2, leaderEpoch: 1, isr: [2, 3] });
    const d = run.at(30000);
    expect(d.producers[0]).toMatchObject({ acked: 120, sent: 120 });
    // Broker 1 is fenced 9 s after its last heartbeat to the controller quorum (which outlives it).
    expect(part(d, 't').highWatermark).toBe(75);
  });

  it('replication: LEO 25 at 6 s; broker 3 at 35 against 40 at 12 s', () => {
    const run = start('replication-leader-followers');
    expect([1, 2, 3].map((b) => leoOf(run.at(6000), 't', 0, b))).toEqual([25, 25, 25]);
    const s = run.at(12000);
    expect([leoOf(s, 't', 0, 1), leoOf(s, 't', 0, 3), part(s, 't').highWatermark]).toEqual([40, 35, 35]);
  });

  it('consumer lag: about 65 at 15 s, near 130 at 25 s', () => {
    const run = start('consumer-lag');
    expect(recordsLag(run.at(15000), 'c1')).toBeGreaterThanOrEqual(60);
    expect(recordsLag(run.at(15000), 'c1')).toBeLessThanOrEqual(70);
    expect(recordsLag(run.at(25000), 'c1')).toBeGreaterThanOrEqual(120);
  });

  it('retention: LEO 38 at 20 s; start 77, LEO 118 at 60 s', () => {
    const run = start('retention-time-and-size');
    expect(part(run.at(20000), 'logs').highWatermark).toBe(38);
    const s = run.at(60000);
    expect([part(s, 'logs').logStartOffset, part(s, 'logs').highWatermark]).toEqual([77, 118]);
  });

  it('at-least-once: 45 read and 30 committed at 13 s; 47 read when it crashed', () => {
    const run = start('at-least-once-duplicates');
    const a = run.at(13000);
    expect(a.consumers[0]!.consumed).toBe(45);
    expect(a.groups[0]!.offsets[0]!.committed).toBe(30);
    expect(run.at(14000).consumers[0]!.consumed).toBe(47);
  });
});
