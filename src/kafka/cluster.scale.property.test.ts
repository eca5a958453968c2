/**
 * The property tests (cluster.property.test.ts) at the sizes issue 10 is about: 8–12 brokers,
 * 30–200 partitions a topic, thousands of records a second and a group of up to six
 * (SCALE_SHAPE), under the same random faults: kills, restarts, isolations, slow brokers,
 * consumers joining, leaving and crashing. What makes scale fast (fetch sessions, batches of one
 * or two records sharing slabs, answers written into reused slots, parked fetches woken by
 * change) only runs at this size: the small clusters' fetches never carry enough partitions for
 * a session. Invariants every 50 ms; at the end the cluster is healed (every partition led, its
 * ISR whole and holding the leader's log, no move left) and every acknowledged record is in its
 * log exactly once, in order, with the group caught up ('safe'; 'lossy': acks=1 and unclean
 * elections may lose records).
 *
 * SCALE_PROPERTY_SEEDS=n runs more seeds (default 8; half as many lossy ones and as many with
 * admin operations, withAdminOps; a quarter as many on the consumer group protocol). A failure
 * prints the seed and the scenario that reproduces it.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../scenario/types';
import { FETCH_SESSION_MIN_PARTS } from './broker/fetch-session';
import { readClusterImage, writeClusterImage } from './checkpoint';
import { Cluster } from './cluster';
import { reportRun, runChecked, type CheckedRun } from './invariants/checked-run';
import { copiedRun, runFingerprint } from './invariants/copied-run';
import { SCALE_SHAPE, SMALL_SHAPE, randomRackScenario, randomScenario, withAdminOps, withConsumerProtocol, type Mode } from './invariants/random-scenario';

const SEEDS = Number(process.env.SCALE_PROPERTY_SEEDS ?? 8);

function check(seed: number, mode: Mode, variant: 'admin' | 'kip848' | null = null): void {
  const drawn = randomScenario(seed, mode, SCALE_SHAPE);
  checkRun(seed, variant === 'admin' ? withAdminOps(drawn, seed) : variant === 'kip848' ? withConsumerProtocol(drawn) : drawn, mode);
}

/** Runs `scenario` checked: no violation, and tens of thousands of records went through (no seed passes by doing nothing). */
function checkRun(seed: number, scenario: Scenario, mode: Mode): CheckedRun {
  const r = runChecked(scenario, mode);
  expect(r.violations, reportRun(seed, r, scenario)).toEqual([]);
  expect(r.acked).toBeGreaterThan(10_000);
  return r;
}

/** The fetch sessions of every broker of `c` (Broker.fetchSessions is private). */
function sessionsOf(c: Cluster): { clean: boolean[] }[] {
  return [...c.brokers.values()].flatMap((b) => [...(b as unknown as { fetchSessions: Map<number, { clean: boolean[] }> }).fetchSessions.values()]);
}

describe('cluster properties at scale under random faults', () => {
  it('the scale shape draws big clusters whose biggest follower fetches run in fetch sessions; the small shape is as it was', () => {
    const s = randomScenario(1, 'safe', SCALE_SHAPE);
    expect(s.cluster.brokers.length).toBeGreaterThanOrEqual(8);
    expect(Math.max(...s.topics!.map((t) => t.partitions))).toBeGreaterThanOrEqual(30);
    expect(s.name).toBe('scale property seed 1');
    const c = new Cluster(s);
    c.runUntil(5000);
    const sessions = sessionsOf(c);
    // (A fetch has a session from FETCH_SESSION_MIN_PARTS parts: 24.)
    expect(sessions.length).toBeGreaterThan(5);
    expect(Math.min(...sessions.map((x) => x.clean.length))).toBeGreaterThanOrEqual(FETCH_SESSION_MIN_PARTS);
    // The small shape's seeds (named in cluster.property.test.ts) draw what they always drew.
    expect(randomScenario(361)).toEqual(randomScenario(361, 'safe', SMALL_SHAPE));
    expect(randomScenario(361).name).toBe('property seed 361');
    expect(randomScenario(361).cluster.brokers.length).toBeLessThanOrEqual(5);
  });

  for (let seed = 1; seed <= SEEDS; seed++) {
    it(`seed ${seed}: invariants hold, acknowledged records survive exactly once, the group catches up`, () => check(seed, 'safe'));
  }
  for (let seed = 1; seed <= Math.ceil(SEEDS / 2); seed++) {
    it(`lossy seed ${seed} (acks=1, unclean election): structure holds, replicas converge`, () => check(seed, 'lossy'));
  }
  // Partitions moved (some under a throttle), preferred elections and partitions added, among the faults.
  for (let seed = 1; seed <= Math.ceil(SEEDS / 2); seed++) {
    it(`seed ${seed} with admin operations: invariants hold, acknowledged records survive exactly once, the group catches up`, () => check(seed, 'safe', 'admin'));
  }
  // The consumer group protocol (KIP-848): the coordinator assigns 30-400 partitions among up to six members.
  for (let seed = 1; seed <= Math.ceil(SEEDS / 4); seed++) {
    it(`seed ${seed} with group.protocol=consumer: invariants hold, acknowledged records survive exactly once, the group catches up`, () => check(seed, 'safe', 'kip848'));
  }

  // KIP-392 at scale: consumers in racks read from followers there (the RackAwareReplicaSelector).
  it('seed 2 with consumers reading from followers in their racks: invariants hold, acknowledged records survive exactly once', () => {
    const r = checkRun(2, randomRackScenario(2, SCALE_SHAPE), 'safe');
    // Healed and idle, consumers still read from followers in their racks (71 of 85 partitions here).
    const snap = r.cluster.snapshot();
    const leader = new Map(snap.partitions.map((p) => [`${p.topic}-${p.partition}`, p.leader]));
    const fromFollowers = snap.consumers.flatMap((c) => c.positions.filter((p) => p.readReplica !== undefined && p.readReplica >= 0 && p.readReplica !== leader.get(`${p.topic}-${p.partition}`)));
    expect(fromFollowers.length).toBeGreaterThan(40);
  });

  // Time travel at scale: a moment is a copy of the cluster (checkpoint.ts), and a saved or
  // linked one an image of it; either must run on exactly as the cluster it was taken from,
  // sessions (clean parts, parked fetches), slabs and lazy batches included.
  it('a scale cluster under faults, copied every ~2 s and restored from an image mid-run, runs on exactly', () => {
    // Seed 1: 9 brokers, 217 partitions (its biggest fetches have sessions; see the first test).
    const s = randomScenario(1, 'safe', SCALE_SHAPE);
    const end = 12_000;
    const r = copiedRun(() => new Cluster(s, { recordConsumed: true }), end, 1999);
    expect(r.copies).toBe(6);
    expect(r.copied).toBe(r.straight);
    const original = new Cluster(s, { recordConsumed: true });
    original.runUntil(6_123);
    const restored = readClusterImage(structuredClone(writeClusterImage(original)));
    restored.runUntil(end);
    expect(sessionsOf(restored).length).toBeGreaterThan(5);
    expect(runFingerprint(restored)).toBe(r.straight);
  });
});
