/**
 * Each lesson shows what its description says, on the real cluster: a lesson whose story
 * no longer happens is a broken lesson, even if its document is valid.
 */
import { describe, expect, it } from 'vitest';
import { Cluster } from '../../kafka/cluster';
import type { RunnerOutput } from '../../kafka/snapshot';
import { LESSONS, loadLesson } from '.';

function run(id: string, untilMs: number): RunnerOutput {
  const r = loadLesson(id);
  if (!r.ok) throw new Error(r.error.message);
  const cluster = new Cluster(r.scenario, { recordConsumed: true });
  cluster.runUntil(untilMs);
  return cluster.output();
}

describe('lessons', () => {
  it('have unique ids, titles and markdown descriptions', () => {
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
    for (const l of LESSONS) {
      const r = loadLesson(l.id);
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.scenario.description).toMatch(/^# /);
    }
  });

  it('acks=1: the write is acknowledged, then truncated away', () => {
    const out = run('acks-1-loses-acknowledged-writes', 60000);
    const row = out.produced.find((r) => r.key === 'k');
    expect(row).toMatchObject({ error: null, offset: 0 });
    expect(out.partitions[0]!.records!.map((r) => r.value)).not.toContain('acked-then-lost');
    expect(out.events.some((e) => e.type === 'LogTruncated' && e.broker === 1)).toBe(true);
  });

  it('unclean election: a stale replica leads and the record only broker 1 had is gone', () => {
    const out = run('unclean-leader-election', 90000);
    expect(out.events.some((e) => e.type === 'LeaderElected' && e.reason === 'unclean')).toBe(true);
    expect(out.produced.find((r) => r.key === 'b')).toMatchObject({ error: null });
    expect(out.partitions[0]!.records!.map((r) => r.value)).toEqual(['replicated']);
  });

  it('static member: c1 comes back to its partitions with no rebalance', () => {
    const before = run('static-member-rejoins', 9000).groups.find((g) => g.groupId === 'g')!;
    const out = run('static-member-rejoins', 50000);
    const after = out.groups.find((g) => g.groupId === 'g')!;
    expect(after.state).toBe('Stable');
    expect(after.generation).toBe(before.generation);
    const owned = (g: typeof after, client: string) => g.members.find((m) => m.clientId === client)?.assignment;
    expect(owned(after, 'c1')).toEqual(owned(before, 'c1'));
    expect(owned(after, 'c1')?.length).toBeGreaterThan(0);
    expect(out.events.some((e) => e.type === 'RebalanceStarted' && e.at > 9000)).toBe(false);
  });
});

/** The snapshot the UI shows at each chapter of a lesson. */
function chapters(id: string): { at: number; caption: string; s: ReturnType<Cluster['snapshot']>; events: ReturnType<Cluster['output']>['events'] }[] {
  const r = loadLesson(id);
  if (!r.ok) throw new Error(r.error.message);
  const cluster = new Cluster(r.scenario);
  return [...(r.scenario.checkpoints ?? [])]
    .sort((a, b) => a.at - b.at)
    .map((c) => {
      cluster.runUntil(c.at);
      return { ...c, s: cluster.snapshot(), events: cluster.output().events };
    });
}

const leo = (s: ReturnType<Cluster['snapshot']>, broker: number) => s.partitions[0]!.replicaStates.find((r) => r.broker === broker)!.logEndOffset;

describe('lesson chapters say what is on screen at their moment', () => {
  it('every lesson has chapters, each with a caption', () => {
    for (const l of LESSONS) {
      const r = loadLesson(l.id);
      expect(r.ok && (r.scenario.checkpoints?.length ?? 0) >= 3, l.id).toBe(true);
    }
  });

  it('acks=1', () => {
    const [acked, dies, elected, truncated] = chapters('acks-1-loses-acknowledged-writes');
    expect(acked!.caption).toContain('LEO 1');
    expect(acked!.s.producers[0]).toMatchObject({ acked: 1, sent: 1 });
    expect([leo(acked!.s, 1), leo(acked!.s, 2), leo(acked!.s, 3), acked!.s.partitions[0]!.highWatermark]).toEqual([1, 0, 0, 0]);
    expect(dies!.s.brokers.find((b) => b.id === 1)?.status).toBe('down');
    expect(elected!.s.partitions[0]).toMatchObject({ leader: 2, leaderEpoch: 1, isr: [2, 3] });
    expect(leo(elected!.s, 2)).toBe(0);
    expect(truncated!.events).toContainEqual(expect.objectContaining({ type: 'LogTruncated', broker: 1, fromOffset: 1, toOffset: 0 }));
    expect(truncated!.s.partitions[0]!.isr).toEqual([1, 2, 3]);
  });

  it('unclean election', () => {
    const [replicated, shrunk, onlyOn1, allDown, unclean, lost] = chapters('unclean-leader-election');
    expect([1, 2, 3].map((b) => leo(replicated!.s, b))).toEqual([1, 1, 1]);
    expect(replicated!.s.partitions[0]!.highWatermark).toBe(1);
    expect(shrunk!.s.partitions[0]!.isr).toEqual([1]);
    expect([1, 2, 3].map((b) => leo(onlyOn1!.s, b))).toEqual([2, 1, 1]);
    expect(allDown!.s.brokers.every((b) => b.status === 'down')).toBe(true);
    // The controller quorum (3000-3002) outlived the brokers: it took broker 1 offline (epoch 1) first.
    expect(unclean!.s.partitions[0]).toMatchObject({ leader: 2, leaderEpoch: 2, isr: [2] });
    expect(unclean!.s.controller).toBe(3000);
    expect(leo(unclean!.s, 2)).toBe(1);
    expect(lost!.events).toContainEqual(expect.objectContaining({ type: 'LogTruncated', broker: 1, fromOffset: 2, toOffset: 1 }));
    expect(lost!.s.partitions[0]!.isr).toEqual([1, 2, 3]);
  });

  it('static member', () => {
    const [stable, crashed, back] = chapters('static-member-rejoins');
    const owned = (s: ReturnType<Cluster['snapshot']>, c: string) => s.groups[0]!.members.find((m) => m.clientId === c)?.assignment.map((a) => a.partition);
    expect(stable!.s.groups[0]).toMatchObject({ state: 'Stable', generation: 1 });
    expect([owned(stable!.s, 'c1'), owned(stable!.s, 'c2')]).toEqual([[0, 1], [2, 3]]);
    expect(crashed!.s.consumers.find((c) => c.id === 'c1')?.status).toBe('crashed');
    expect(crashed!.s.groups[0]).toMatchObject({ state: 'Stable', generation: 1 });
    expect(back!.s.consumers.find((c) => c.id === 'c1')?.status).toBe('stable');
    expect(back!.s.groups[0]).toMatchObject({ state: 'Stable', generation: 1 });
    expect(owned(back!.s, 'c1')).toEqual([0, 1]);
  });

  it('exactly-once transactions', () => {
    const [dup, committed, open, fenced, redone, aborted] = chapters('exactly-once-transactions');
    const p = (c: { s: ReturnType<Cluster['snapshot']> }) => c.s.partitions[0]!;
    expect(p(dup!)).toMatchObject({ highWatermark: 2, lastStableOffset: 2 });
    expect(p(committed!)).toMatchObject({ highWatermark: 4, lastStableOffset: 4 });
    expect(p(open!)).toMatchObject({ highWatermark: 5, lastStableOffset: 4 });
    expect(open!.s.producers.find((x) => x.id === 'tx')!.transaction!.state).toBe('IN_TRANSACTION');
    expect(p(fenced!)).toMatchObject({ highWatermark: 6, lastStableOffset: 6 });
    expect(fenced!.events.some((e) => e.type === 'ProducerFenced')).toBe(true);
    expect(redone!.s.producers.find((x) => x.id === 'tx')!.transaction).toMatchObject({ state: 'FATAL_ERROR', error: 'PRODUCER_FENCED' });
    expect(p(aborted!)).toMatchObject({ highWatermark: 10, lastStableOffset: 10 });
    expect(aborted!.events.filter((e) => e.type === 'TransactionAborted')).toHaveLength(2);
  });

  it('KIP-848: the consumer protocol reconciles member by member while the classic group stops', () => {
    const [both, joining, classicDone, kipDone] = chapters('kip848-consumer-protocol');
    const group = (s: ReturnType<Cluster['snapshot']>, id: string) => s.groups.find((g) => g.groupId === id)!;
    const owned = (s: ReturnType<Cluster['snapshot']>, id: string, c: string) => group(s, id).members.find((m) => m.clientId === c)?.assignment.map((a) => a.partition);
    expect(group(both!.s, 'classic')).toMatchObject({ type: 'classic', state: 'Stable', generation: 1 });
    expect(group(both!.s, 'kip848')).toMatchObject({ type: 'consumer', state: 'Stable', groupEpoch: 2, targetAssignmentEpoch: 2 });
    expect(group(joining!.s, 'classic').state).toBe('PreparingRebalance');
    const k = group(joining!.s, 'kip848');
    expect(k).toMatchObject({ state: 'Reconciling', groupEpoch: 3, targetAssignmentEpoch: 3 });
    expect(k.members.map((m) => [m.clientId, m.memberEpoch, m.memberState])).toEqual([['b1', 3, 'STABLE'], ['b2', 3, 'STABLE'], ['b3', 3, 'UNRELEASED_PARTITIONS']].sort());
    expect(k.members.find((m) => m.clientId === 'b3')!.pendingAssignment!.map((tp) => tp.partition)).toEqual([2, 5]);
    expect(group(classicDone!.s, 'classic')).toMatchObject({ state: 'Stable', generation: 2 });
    expect([owned(classicDone!.s, 'classic', 'a1'), owned(classicDone!.s, 'classic', 'a2'), owned(classicDone!.s, 'classic', 'a3')]).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(group(kipDone!.s, 'kip848')).toMatchObject({ state: 'Stable', groupEpoch: 3 });
    expect([owned(kipDone!.s, 'kip848', 'b1'), owned(kipDone!.s, 'kip848', 'b2'), owned(kipDone!.s, 'kip848', 'b3')]).toEqual([[0, 1], [3, 4], [2, 5]]);
    expect(kipDone!.events.some((e) => e.type === 'TargetAssignmentComputed' && e.groupId === 'kip848' && e.groupEpoch === 3)).toBe(true);
  });
});
