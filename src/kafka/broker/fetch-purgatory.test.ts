/**
 * The broker's fetch purgatory: parked fetches wait in a list per partition, and an answered
 * or expired one leaves its lists lazily (Broker.addWaiter / flushChanged). A follower's fetch
 * with a fetch session waits on its session instead, and joins a partition's list only when
 * that partition changes (Broker.enlistSessionWaiters). These tests hold the lists to what
 * they must be: every parked fetch without a session is in the list of each partition it
 * names, one with a session is its session's parked fetch and in lists of its partitions
 * only, no list grows with time (an idle partition is named by every fetch and never wakes
 * anyone), and the answers are unchanged (followers and consumers keep up).
 */
import { describe, expect, it } from 'vitest';
import type { Scenario, TimelineAction } from '../../scenario/types';
import { Cluster } from '../cluster';
import { Broker } from './broker';

interface ParkedFetch {
  kind: 'consumer' | 'replica';
  settled: boolean;
  session?: { waiter: unknown } | null;
  parts?: { key: string }[];
  req?: { partitions: { topic: string; partition: number; key?: string }[] };
}

/** The partition keys a parked fetch names, from its parts (a follower's) or its request's (a consumer's). */
function keysOf(w: ParkedFetch): string[] {
  return w.kind === 'replica' ? w.parts!.map((p) => p.key) : w.req!.partitions.map((p) => p.key ?? `${p.topic}-${p.partition}`);
}

function scenario(timeline: TimelineAction[] = []): Scenario {
  return {
    version: 1,
    seed: 11,
    cluster: { brokers: [{ id: 1 }, { id: 2 }, { id: 3 }], network: { latencyMs: 1, jitterMs: 0 }, config: { 'group.initial.rebalance.delay.ms': 0 } },
    topics: [
      { name: 'busy', partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': 2 } },
      // Named by every follower and consumer fetch, never written: its lists only fill.
      { name: 'idle', partitions: 6, replicationFactor: 3 },
    ],
    clients: [
      { kind: 'producer', id: 'p', config: { acks: 'all', 'linger.ms': 5 } },
      ...[1, 2].map((i) => ({ kind: 'consumer' as const, id: `c${i}`, groupId: 'g', topics: ['busy', 'idle'], config: { 'auto.offset.reset': 'earliest' } })),
    ],
    timeline: [{ at: 0, op: 'startLoad', producer: 'p', topic: 'busy', ratePerSec: 2000, keys: 100, valueBytes: 50 }, ...timeline],
  };
}

/** Every broker's lists, as the broker holds them (each key's list of parked fetches). */
function purgatory(c: Cluster): Map<string, ParkedFetch[]>[] {
  return [...c.brokers.values()].map((b) => {
    const lists = (b as unknown as { waiters: Map<string, { key: string; items: ParkedFetch[] }> }).waiters;
    for (const [key, l] of lists) expect(l.key).toBe(key);
    return new Map([...lists].map(([key, l]) => [key, l.items]));
  });
}

function checkLists(c: Cluster): { longest: number; parked: number; onSessions: number } {
  let longest = 0;
  let parked = 0;
  let onSessions = 0;
  for (const [b, lists] of purgatory(c).map((l, i) => [[...c.brokers.values()][i]!, l] as const)) {
    const live = new Set<ParkedFetch>();
    // The fetches parked on the broker's fetch sessions: each its session's, waiting on it.
    const sessions = (b as unknown as { fetchSessions: Map<number, { waiter: ParkedFetch | null }> }).fetchSessions;
    const onSession = new Set<ParkedFetch>();
    for (const s of sessions.values()) {
      const w = s.waiter;
      if (w === null || w.settled || w.session !== s) continue;
      expect(w.kind).toBe('replica');
      onSession.add(w);
    }
    onSessions += onSession.size;
    for (const [key, list] of lists) {
      longest = Math.max(longest, list.length);
      for (const w of list) {
        if (w.settled) continue;
        // A parked fetch waits under the partitions it names, once each.
        expect(keysOf(w)).toContain(key);
        expect(list.filter((x) => x === w)).toHaveLength(1);
        // A fetch in a list with a session is its session's parked fetch.
        if (w.session) expect(onSession).toContain(w);
        live.add(w);
      }
    }
    // ...and, without a session, under every one of them.
    for (const w of live) if (!onSession.has(w)) for (const k of keysOf(w)) expect(lists.get(k)).toContain(w);
    parked += live.size + [...onSession].filter((w) => !live.has(w)).length;
  }
  return { longest, parked, onSessions };
}

/**
 * The broker's record of changed partitions between events: `changed` holds each list with
 * something changed (`what` not 0) once, in the order they changed; the spare array the
 * last flush emptied (Broker.changedSpare, swapped in by the next flush) is empty and
 * another array. Returns how many lists were waiting for a flush.
 */
function checkChanged(b: Broker): number {
  let waiting = 0;
  {
    const x = b as unknown as { changed: { what: number }[]; changedSpare: { what: number }[]; waiters: Map<string, { what: number }> };
    expect(x.changedSpare).not.toBe(x.changed);
    expect(x.changedSpare).toHaveLength(0);
    for (const l of x.changed) expect(l.what).not.toBe(0);
    expect(new Set(x.changed).size).toBe(x.changed.length);
    for (const l of x.waiters.values()) if (l.what !== 0) expect(x.changed).toContain(l);
    waiting += x.changed.length;
  }
  return waiting;
}

describe('fetch purgatory lists', () => {
  it('wake through two arrays of changed lists, swapped by each flush: the one filled is never the one walked', () => {
    // Checked as each flush starts (the changes it will walk recorded) and as it ends (new
    // ones, recorded while it walked, waiting for the next).
    const proto = Broker.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    const original = proto.flushChanged!;
    let flushes = 0;
    let walked = 0;
    const wrapper = function (this: Broker, ...a: unknown[]) {
      flushes++;
      walked += checkChanged(this);
      const r = original.apply(this, a);
      checkChanged(this);
      return r;
    };
    Object.defineProperty(wrapper, 'name', { value: 'flushChanged' });
    proto.flushChanged = wrapper;
    let c: Cluster;
    try {
      c = new Cluster(scenario([{ at: 3000, op: 'killBroker', broker: 2 }, { at: 4000, op: 'restartBroker', broker: 2 }]));
      c.runUntil(8000);
    } finally {
      proto.flushChanged = original;
    }
    expect(flushes).toBeGreaterThan(1000);
    expect(walked).toBeGreaterThan(flushes);
    // The answers still flow.
    for (const p of c!.snapshot().partitions.filter((x) => x.topic === 'busy')) expect(p.highWatermark).toBeGreaterThan(2000);
  });

  it('hold each parked fetch under each of its partitions and stay short, idle partitions included (every follower fetch with a session)', () => {
    const c = new Cluster(scenario(), { fetchSessionMinParts: 1 });
    let parkedSeen = 0;
    let onSessionsSeen = 0;
    for (let t = 2000; t <= 30000; t += 1000) {
      c.runUntil(t);
      const { longest, parked, onSessions } = checkLists(c);
      parkedSeen += parked;
      onSessionsSeen += onSessions;
      // Bounded by the fetches parked at once plus one sweep's worth, not by time: without
      // the lazy sweep an idle partition's list gains a settled fetch on every fetch round.
      expect(longest).toBeLessThanOrEqual(16 + 1);
    }
    expect(parkedSeen).toBeGreaterThan(0);
    expect(onSessionsSeen).toBeGreaterThan(0);
    // The answers still flow: followers in sync, consumers at the high watermark.
    const s = c.snapshot();
    for (const p of s.partitions.filter((x) => x.topic === 'busy')) {
      expect(p.isr).toHaveLength(3);
      expect(p.highWatermark).toBeGreaterThan(10000);
    }
    const positions = s.consumers.flatMap((x) => x.positions).filter((x) => x.topic === 'busy');
    expect(positions).toHaveLength(3);
    // 2,000 records/s over 3 partitions: caught up is within a fraction of a second's records.
    for (const p of positions) {
      expect(p.position).toBeGreaterThan(10000);
      expect(p.lag).toBeLessThan(300);
    }
  });

  for (const minParts of [undefined, 1]) it(`stay consistent through a broker kill, restart and a network cut (${minParts === 1 ? 'every follower fetch with a session' : 'fetch sessions for large fetches only'})`, () => {
    const c = new Cluster(
      scenario([
        { at: 5000, op: 'killBroker', broker: 2 },
        { at: 9000, op: 'restartBroker', broker: 2 },
        { at: 14000, op: 'isolateBroker', broker: 3 },
        { at: 17000, op: 'healBroker', broker: 3 },
      ]),
      { fetchSessionMinParts: minParts },
    );
    for (let t = 1000; t <= 30000; t += 500) {
      c.runUntil(t);
      expect(checkLists(c).longest).toBeLessThanOrEqual(16 + 1);
    }
    const busy = c.snapshot().partitions.filter((x) => x.topic === 'busy');
    for (const p of busy) expect(p.isr).toHaveLength(3);
  });
});
