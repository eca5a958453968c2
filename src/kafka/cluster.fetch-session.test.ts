/**
 * Fetch sessions (broker/fetch-session.ts) are exact: a cluster whose follower fetches read
 * only the partitions that changed runs the same as one whose fetches read every partition
 * every time (ClusterOptions.incrementalFetch false). Random clusters with faults (the
 * property tests' scenarios) plus what moves a partition under a session without an append:
 * idle partitions, reassignments with throttles, retention moving the log start, ISR shrinks
 * of caught-up followers, preferred elections, topics deleted and created, partitions added,
 * config changes. Snapshots are compared every virtual second, the output at the end.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario, TimelineAction } from '../scenario/types';
import { readClusterImage, writeClusterImage } from './checkpoint';
import { Cluster } from './cluster';
import { copiedRun, runFingerprint } from './invariants/copied-run';
import { FAULT_END_MS, randomScenario, type Mode } from './invariants/random-scenario';
import { Prng } from './sim/prng';

/** randomScenario(seed) with an idle topic and the actions that change partitions without an append. */
function sessionScenario(seed: number, mode: Mode): Scenario {
  const base = randomScenario(seed, mode);
  const r = new Prng(seed ^ 0xfe7c);
  const brokerIds = base.cluster.brokers.map((b) => b.id);
  const idle = { name: 'idle', partitions: r.range(8, 30), replicationFactor: 3, config: { 'min.insync.replicas': 2 } };
  const busy = base.topics![0]!;
  const extra: TimelineAction[] = [];
  const n = r.range(3, 8);
  for (let i = 0; i < n; i++) {
    const at = r.range(2000, FAULT_END_MS - 2000);
    const kind = r.int(8);
    const pick3 = () => {
      const ids = brokerIds.slice();
      for (let k = ids.length - 1; k > 0; k--) {
        const j = r.int(k + 1);
        [ids[k], ids[j]] = [ids[j]!, ids[k]!];
      }
      return ids.slice(0, 3);
    };
    if (kind === 0) extra.push({ at, op: 'reassignPartitions', topic: r.bool() ? 'idle' : busy.name, partition: 0, replicas: pick3(), throttleBytesPerSec: r.bool() ? r.range(2000, 50000) : undefined });
    else if (kind === 1) extra.push({ at, op: 'alterConfig', entity: 'topic', name: r.bool() ? 'idle' : busy.name, config: { 'retention.ms': r.range(500, 5000), 'segment.ms': r.range(200, 2000) } });
    else if (kind === 2) extra.push({ at, op: 'alterConfig', entity: 'topic', name: 'idle', config: { 'leader.replication.throttled.replicas': '*', 'follower.replication.throttled.replicas': '*' } });
    else if (kind === 3) {
      // Cut off long enough for the ISR to shrink (replica.lag.time.max.ms is at most 30 s).
      const b = r.pick(brokerIds);
      extra.push({ at, op: 'slowBroker', broker: b, delayMs: r.range(3000, 12000) });
      extra.push({ at: at + r.range(6000, 35000), op: 'slowBroker', broker: b, delayMs: 0 });
    } else if (kind === 4) extra.push({ at, op: 'electLeaders', topic: 'idle', partition: r.int(idle.partitions), type: 'preferred' });
    else if (kind === 5) extra.push({ at, op: 'addPartitions', topic: 'idle', partitions: idle.partitions + r.range(1, 5) });
    else if (kind === 6) {
      extra.push({ at, op: 'createTopic', name: `x${i}`, partitions: r.range(1, 6), replicationFactor: 3 });
      extra.push({ at: at + r.range(1000, 10000), op: 'deleteTopic', name: `x${i}` });
    } else extra.push({ at, op: 'alterConfig', entity: 'broker', name: '', config: { 'replica.fetch.max.bytes': r.range(200, 4000) } });
  }
  const timeline = [...(base.timeline ?? []), ...extra].sort((a, b) => a.at - b.at);
  return { ...base, topics: [...(base.topics ?? []), idle], timeline };
}

/**
 * Runs `s` with and without fetch sessions (for fetches of at least `minParts` parts: 1, every
 * fetch; more, fetches also cross the bound as partitions come and go); the first difference
 * found, or null.
 */
function firstDifference(s: Scenario, untilMs: number, minParts?: number): string | null {
  const full = new Cluster(s, { recordConsumed: true, incrementalFetch: false });
  const sessions = new Cluster(s, { recordConsumed: true, fetchSessionMinParts: minParts });
  for (let t = 1000; t <= untilMs; t += 1000) {
    full.runUntil(t);
    sessions.runUntil(t);
    if (JSON.stringify(sessions.snapshot()) !== JSON.stringify(full.snapshot())) return `snapshots differ at t=${t}`;
  }
  if (JSON.stringify(sessions.output()) !== JSON.stringify(full.output())) return 'outputs differ';
  return null;
}

const SEEDS = Number(process.env.FETCH_SESSION_SEEDS ?? 40);

describe('fetch sessions run exactly as full fetches', () => {
  for (const mode of ['safe', 'lossy'] as const) {
    it(`${SEEDS} ${mode} random clusters with faults, idle partitions, reassignments, throttles, retention`, () => {
      const diffs: string[] = [];
      for (let seed = 1; seed <= SEEDS; seed++) {
        const d = firstDifference(sessionScenario(seed, mode), FAULT_END_MS + 15000, seed % 2 === 0 ? 1 : 4);
        if (d !== null) diffs.push(`seed ${seed}: ${d}`);
      }
      expect(diffs).toEqual([]);
    });
  }

  it('at scale: 6 brokers x 50 busy partitions at 20,000 records/s with 950 idle ones, a broker killed, a partition moved under throttle', () => {
    const racks = ['a', 'b', 'c'];
    const s: Scenario = {
      version: 1,
      seed: 1,
      cluster: { brokers: Array.from({ length: 6 }, (_, i) => ({ id: i + 1, rack: racks[i % 3]! })), network: { latencyMs: 1, jitterMs: 1 }, config: { 'group.initial.rebalance.delay.ms': 0, 'replica.lag.time.max.ms': 2000 } },
      topics: [
        { name: 'bench', partitions: 50, replicationFactor: 3, config: { 'min.insync.replicas': 2 } },
        { name: 'idle', partitions: 950, replicationFactor: 3, config: { 'min.insync.replicas': 2 } },
      ],
      clients: [
        { kind: 'producer', id: 'p', config: { acks: 'all', 'enable.idempotence': true, 'linger.ms': 5, 'batch.size': 65536 } },
        ...[1, 2, 3].map((i) => ({ kind: 'consumer' as const, id: `c${i}`, groupId: 'g', topics: ['bench'], config: { 'auto.offset.reset': 'earliest' } })),
      ],
      timeline: [
        { at: 0, op: 'startLoad', producer: 'p', topic: 'bench', ratePerSec: 20000, keys: 1000, valueBytes: 100 },
        { at: 1500, op: 'killBroker', broker: 2 },
        { at: 2500, op: 'reassignPartitions', topic: 'bench', partition: 3, replicas: [4, 5, 6], throttleBytesPerSec: 200000 },
        { at: 4000, op: 'restartBroker', broker: 2 },
        { at: 5000, op: 'slowBroker', broker: 3, delayMs: 2500 },
        { at: 7000, op: 'slowBroker', broker: 3, delayMs: 0 },
      ],
    };
    expect(firstDifference(s, 9000)).toBeNull();
    // With the default bound, these fetches (~67 parts, most idle) have sessions, mostly clean.
    const c = new Cluster(s);
    c.runUntil(1400);
    const sessions = [...c.brokers.values()].flatMap((b) => [...(b as unknown as { fetchSessions: Map<number, { clean: boolean[] }> }).fetchSessions.values()]);
    expect(sessions.length).toBeGreaterThan(10);
    const parts = sessions.reduce((n, x) => n + x.clean.length, 0);
    expect(parts / sessions.length).toBeGreaterThan(30);
    expect(sessions.reduce((n, x) => n + x.clean.filter(Boolean).length, 0) / parts).toBeGreaterThan(0.8);
  });

  it('a cluster with sessions, copied at many moments (clean parts, lazy fetch times, parked fetches), runs on exactly as the original', () => {
    for (const seed of [2, 7, 12]) {
      const s = sessionScenario(seed, seed === 7 ? 'lossy' : 'safe');
      const r = copiedRun(() => new Cluster(s, { recordConsumed: true, fetchSessionMinParts: 1 }), 20000, 311);
      expect(r.copies).toBeGreaterThan(50);
      expect(r.copied, `seed ${seed}`).toBe(r.straight);
    }
  });

  it('an image of a cluster with sessions, through structured clone, continues exactly', () => {
    for (const seed of [3, 8]) {
      const s = sessionScenario(seed, 'safe');
      const straight = new Cluster(s, { recordConsumed: true, fetchSessionMinParts: 1 });
      straight.runUntil(25000);
      const original = new Cluster(s, { recordConsumed: true, fetchSessionMinParts: 1 });
      original.runUntil(12345);
      const restored = readClusterImage(structuredClone(writeClusterImage(original)));
      // The sessions came through the image (the parts they hold clean among them).
      expect((restored as unknown as { ctx: { fetchSessionMinParts: number } }).ctx.fetchSessionMinParts).toBe(1);
      const clean = (c: Cluster) => [...c.brokers.values()].flatMap((b) => [...(b as unknown as { fetchSessions: Map<number, { clean: boolean[] }> }).fetchSessions.values()]).reduce((n, x) => n + x.clean.filter(Boolean).length, 0);
      expect(clean(restored)).toBe(clean(original));
      expect(clean(restored)).toBeGreaterThan(0);
      restored.runUntil(25000);
      expect(runFingerprint(restored), `seed ${seed}`).toBe(runFingerprint(straight));
    }
  });

  it('the sessions are used: most idle parts of a fetch are not read again', () => {
    const s = sessionScenario(5, 'safe');
    const c = new Cluster(s, { fetchSessionMinParts: 1 });
    c.runUntil(FAULT_END_MS + 15000);
    // After the faults healed, each leader's session with each follower holds its idle parts clean.
    let parts = 0;
    let clean = 0;
    for (const b of c.brokers.values()) {
      const sessions = (b as unknown as { fetchSessions: Map<number, { clean: boolean[] }> }).fetchSessions;
      for (const x of sessions.values()) {
        parts += x.clean.length;
        clean += x.clean.filter(Boolean).length;
      }
    }
    expect(parts).toBeGreaterThan(10);
    expect(clean / parts).toBeGreaterThan(0.8);
  });
});
