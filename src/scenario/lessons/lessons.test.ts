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
