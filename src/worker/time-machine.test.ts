/**
 * The TimeMachine against the uninterrupted run, byte for byte (the runner output of
 * `Cluster.output()` with every produced and consumed record), over random scenarios with
 * faults and user actions: a seek shows exactly moment t, continuing from it gives the same
 * run, a fork equals a fresh run of the truncated scenario plus the action, undo and redo
 * give back either branch. Checkpoints are exercised with a stand-in `clone` that copies
 * by replay (exact, slow), so the checkpoint bookkeeping is tested before the real graph
 * clone exists; the same checks run without clone (replay from 0).
 */
import { cloneCluster, cloneFootprint } from '../kafka/checkpoint';
import { describe, expect, it } from 'vitest';
import { Cluster } from '../kafka/cluster';
import { Prng } from '../kafka/sim/prng';
import type { Scenario, TimelineAction } from '../scenario/types';
import type { ActionRequest } from './protocol';
import { DENSE_GAP_EVENTS, TimeMachine, adoptTimeline, type TimeMachineOptions } from './time-machine';

// 200 seeds, as issue 9 asks; each runs about 24 s of virtual time three ways.
const SEEDS = Number(process.env.TIME_MACHINE_SEEDS ?? 200);
const RUN_MS = 24_000;

function make(doc: Scenario): Cluster {
  return new Cluster(doc, { recordConsumed: true });
}

/** A copy by replaying the cluster's own document to its clock: exact, so a fair stand-in for cloneCluster. */
function replayClone(c: Cluster): Cluster {
  const copy = make(c.scenario());
  copy.runUntil(c.now);
  return copy;
}

function out(c: Cluster): string {
  return JSON.stringify(c.output());
}

function fresh(doc: Scenario, t: number): string {
  const c = make(doc);
  c.runUntil(t);
  return out(c);
}

/** A small random cluster with a load, a group and faults on its timeline. */
export function faultyScenario(seed: number): Scenario {
  const r = new Prng(seed * 7919 + 13);
  const brokers = [1, 2, 3, 4].slice(0, r.range(3, 4)).map((id) => ({ id, rack: ['a', 'b', 'c'][id % 3]! }));
  const timeline: TimelineAction[] = [{ at: 0, op: 'startLoad', producer: 'p', topic: 't', ratePerSec: r.range(20, 120), keys: 10, valueBytes: 30 }];
  for (let i = 0; i < r.range(2, 6); i++) {
    const at = r.range(500, RUN_MS - 2000);
    const broker = r.range(1, brokers.length);
    switch (r.int(4)) {
      case 0:
        timeline.push({ at, op: 'killBroker', broker }, { at: at + r.range(500, 8000), op: 'restartBroker', broker });
        break;
      case 1:
        timeline.push({ at, op: 'isolateBroker', broker }, { at: at + r.range(500, 8000), op: 'healBroker', broker });
        break;
      case 2:
        timeline.push({ at, op: 'addConsumer', id: `c${i + 2}`, groupId: 'g', topics: ['t'], config: { 'auto.offset.reset': 'earliest', 'session.timeout.ms': 10000 } });
        break;
      default:
        timeline.push({ at, op: 'removeConsumer', id: 'c1', graceful: r.bool() });
    }
  }
  timeline.sort((a, b) => a.at - b.at);
  return {
    version: 1,
    seed,
    cluster: { brokers, config: { 'replica.lag.time.max.ms': 5000, 'group.initial.rebalance.delay.ms': 0 }, network: { latencyMs: r.range(1, 3), jitterMs: r.range(0, 2) } },
    topics: [{ name: 't', partitions: r.range(1, 3), replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
    clients: [
      { kind: 'producer', id: 'p', config: { acks: r.pick(['all', 1] as const) } },
      { kind: 'consumer', id: 'c1', groupId: 'g', topics: ['t'], config: { 'auto.offset.reset': 'earliest', 'session.timeout.ms': 10000 } },
    ],
    timeline,
  };
}

/** A user action a fork may take. */
function randomAction(r: Prng, brokers: number): ActionRequest {
  switch (r.int(4)) {
    case 0:
      return { op: 'killBroker', broker: r.range(1, brokers) };
    case 1:
      return { op: 'produce', producer: 'p', topic: 't', key: `k${r.int(100)}`, value: 'forked' };
    case 2:
      return { op: 'isolateBroker', broker: r.range(1, brokers) };
    default:
      return { op: 'addConsumer', id: 'forker', groupId: 'g', topics: ['t'], config: { 'auto.offset.reset': 'earliest' } };
  }
}

function machine(doc: Scenario, clone: boolean, extra: Partial<TimeMachineOptions<Cluster>> = {}): TimeMachine<Cluster> {
  // The real checkpoint copy (kafka/checkpoint.ts); replayClone stands in where a test needs a copy by replay.
  return new TimeMachine<Cluster>(doc, { createCluster: make, clone: clone ? cloneCluster : undefined, checkpointEveryMs: 5000, ...extra });
}

describe('TimeMachine: a seek shows the moment exactly', () => {
  it(`over ${SEEDS} seeds: seek back = uninterrupted run at t, and continuing from it = the uninterrupted run`, { timeout: 900_000 }, () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const doc = faultyScenario(seed);
      const r = new Prng(seed);
      const tm = machine(doc, seed % 4 !== 0); // every fourth seed: no checkpoints, replay from 0
      tm.runUntil(RUN_MS);
      const atEnd = out(tm.cluster);
      // The first play went on in a copy at every checkpoint (hand-over): still the uninterrupted run.
      if (atEnd !== fresh(doc, RUN_MS)) failures.push(`seed ${seed}: the run handed over to copies differs from the uninterrupted run`);
      const t = r.range(0, RUN_MS - 1);
      tm.seek(t);
      if (tm.now !== t) failures.push(`seed ${seed}: seek(${t}) shows ${tm.now}`);
      if (out(tm.cluster) !== fresh(doc, t)) failures.push(`seed ${seed}: the moment ${t} differs from a fresh run to ${t}`);
      tm.runUntil(RUN_MS);
      if (out(tm.cluster) !== atEnd) failures.push(`seed ${seed}: continuing from ${t} to ${RUN_MS} differs from the uninterrupted run`);
    }
    expect(failures).toEqual([]);
  });

  it('takes checkpoints as it runs and restores them instead of replaying from 0', () => {
    const tm = machine(faultyScenario(3), true);
    tm.runUntil(RUN_MS);
    expect(tm.checkpointTimes).toEqual([0, 5000, 10000, 15000, 20000]);
    tm.seek(12_345);
    expect(tm.stats.restores).toBe(1);
    expect(tm.stats.replaysFromZero).toBe(0);
    expect(out(tm.cluster)).toBe(fresh(faultyScenario(3), 12_345));
  });

  it('runs copies only: the built cluster is checkpoint 0, and at each checkpoint the run goes on in the copy', () => {
    const built: Cluster[] = [];
    const handed: Cluster[] = [];
    const doc = faultyScenario(3);
    const tm = machine(doc, true, {
      createCluster: (d) => {
        const c = make(d);
        built.push(c);
        return c;
      },
      onHandOver: (c) => handed.push(c),
    });
    expect(built.length).toBe(1);
    expect(tm.cluster === built[0]).toBe(false);
    const ran: Cluster[] = [tm.cluster];
    for (let t = 1000; t <= 12_000; t += 1000) {
      tm.runUntil(t);
      if (tm.cluster !== ran.at(-1)) ran.push(tm.cluster);
    }
    // Hand-overs at 5 and 10 s: each time the owner hears of the copy that now runs.
    // (Identity checks: a deep comparison of two clusters would walk their whole graphs.)
    expect(handed.length).toBe(2);
    expect(handed.every((c, i) => c === ran[i + 1])).toBe(true);
    const cps = (tm as unknown as { checkpoints: { at: number; cluster: Cluster }[] }).checkpoints;
    expect(cps.map((c) => c.at)).toEqual([0, 5000, 10_000]);
    expect([cps[0]!.cluster === built[0], cps[1]!.cluster === ran[0], cps[2]!.cluster === ran[1]]).toEqual([true, true, true]);
    // The checkpoints stayed at their moments.
    expect(cps.map((c) => c.cluster.now)).toEqual([0, 5000, 10_000]);
    expect(out(tm.cluster)).toBe(fresh(doc, 12_000));
    // A seek before the first 5 s restores checkpoint 0 (a copy), not a new build.
    tm.seek(1234);
    expect(built.length).toBe(1);
    expect(tm.stats.replaysFromZero).toBe(0);
    expect(out(tm.cluster)).toBe(fresh(doc, 1234));
  });

  it('falls back to replay from 0, still exact, when clone throws', () => {
    const doc = faultyScenario(5);
    const tm = new TimeMachine<Cluster>(doc, {
      createCluster: make,
      clone: () => {
        throw new Error('not cloneable yet');
      },
      checkpointEveryMs: 5000,
    });
    tm.runUntil(RUN_MS);
    tm.seek(9_000);
    expect(tm.cloneError).toBe('not cloneable yet');
    expect(tm.stats.replaysFromZero).toBe(1);
    expect(out(tm.cluster)).toBe(fresh(doc, 9_000));
  });

  it('thins checkpoints out when there are too many, keeping the spacing regular', () => {
    const tm = machine(faultyScenario(2), true, { checkpointEveryMs: 2000, maxCheckpoints: 4 });
    tm.runUntil(20_000);
    expect(tm.checkpointTimes.length).toBeLessThanOrEqual(5);
    expect(tm.checkpointTimes).toEqual([0, 8000, 16000]);
  });
});

describe('TimeMachine: a busy run gets checkpoints closer together (DENSE_GAP_EVENTS)', () => {
  const doc = faultyScenario(3);
  /** Events the run holds between 0 and 5 s, per virtual ms (what the machine measures at its first checkpoint). */
  const perMs = (() => {
    const c = make(doc);
    c.runUntil(5000);
    return c.eventsRun / 5000;
  })();

  it('halves the spacing while a gap would hold more events than the threshold, and seeks stay exact', () => {
    expect(perMs).toBeGreaterThan(0);
    // A gap of 5 s holds perMs * 5000 events: a threshold just under half of that halves once.
    // The first gap ends early (at 2.5 s, a moment of the finest spacing, 625 ms), once it
    // holds the threshold's work, instead of running its 5 s before the spacing narrows.
    const tm = machine(doc, true, { denseGapEvents: perMs * 2500 * 0.9 });
    tm.runUntil(12_000);
    expect(tm.checkpointTimes).toEqual([0, 2500, 5000, 7500, 10_000]);
    tm.runUntil(RUN_MS);
    expect(out(tm.cluster)).toBe(fresh(doc, RUN_MS));
    tm.seek(8_765);
    expect(tm.stats.restores).toBe(1);
    expect(out(tm.cluster)).toBe(fresh(doc, 8_765));
  });

  it('goes no closer than an eighth of the first spacing, and the default threshold leaves a light run alone', () => {
    const busy = machine(doc, true, { denseGapEvents: 1 });
    busy.runUntil(7000);
    // Every gap holds the work of one event at once: each ends at the next 625 ms.
    expect(busy.checkpointTimes).toEqual(Array.from({ length: 12 }, (_, i) => i * 625));
    const light = machine(doc, true);
    light.runUntil(RUN_MS);
    expect(perMs * 5000).toBeLessThan(DENSE_GAP_EVENTS);
    expect(light.checkpointTimes).toEqual([0, 5000, 10_000, 15_000, 20_000]);
  });

  it('ends a gap early when the load rose within it (past twice the work that narrows the spacing)', () => {
    // A light run, then at 12 s a load forty times heavier: the gap 10-15 s fills within a
    // second and ends at a moment of the finest spacing (625 ms), before its 15 s.
    const light = faultyScenario(3);
    light.timeline = light.timeline!.filter((a) => a.op === 'startLoad' || a.op === 'addConsumer');
    const start = light.timeline.find((a) => a.op === 'startLoad')!;
    if (start.op !== 'startLoad') throw new Error('no load');
    const c = make(light);
    c.runUntil(10_000);
    const lightGap = (c.eventsRun / 10_000) * 5000;
    const rising: Scenario = { ...light, timeline: [...light.timeline, { ...start, at: 12_000, ratePerSec: start.ratePerSec * 40 }] };
    // Light gaps hold half the threshold: the spacing stays at 5 s until the load rises.
    const tm = machine(rising, true, { denseGapEvents: lightGap * 2 });
    tm.runUntil(16_000);
    const times = tm.checkpointTimes;
    expect(times.slice(0, 3)).toEqual([0, 5000, 10_000]);
    const early = times.filter((t) => t > 12_000 && t < 15_000);
    expect(early.length).toBe(1);
    expect(early[0]! % 625).toBe(0);
    tm.runUntil(RUN_MS);
    tm.seek(early[0]! + 300);
    expect(out(tm.cluster)).toBe(fresh(rising, early[0]! + 300));
  });

  it('keeps the spacing where a checkpoint would cost more than its gap (a big footprint)', () => {
    const tm = machine(doc, true, { denseGapEvents: 1, footprint: () => 1e9, checkpointBudgetBytes: Infinity });
    tm.runUntil(16_000);
    expect(tm.checkpointTimes).toEqual([0, 5000, 10_000, 15_000]);
  });

  it('once the budget has thinned the checkpoints, the spacing only widens', () => {
    const tm = machine(doc, true, { denseGapEvents: 1, footprint: () => 1000, checkpointBudgetBytes: 6000 });
    tm.runUntil(RUN_MS);
    const times = tm.checkpointTimes;
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // Narrowed to 625 ms after 5 s, then thinned (doubling) by the budget: never narrower again.
    expect(gaps.length).toBeGreaterThan(2);
    for (let i = 2; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]!);
    expect(tm.checkpointBytes).toBeLessThanOrEqual(6000);
    tm.seek(13_333);
    expect(out(tm.cluster)).toBe(fresh(doc, 13_333));
  });
});

describe('TimeMachine: the checkpoints keep within a memory budget', () => {
  it('thins out (twice the spacing) when their footprint passes the budget, however few they are', () => {
    // Each copy says it holds 1000 bytes: 5 fit in the budget.
    const tm = machine(faultyScenario(2), true, { checkpointEveryMs: 2000, footprint: () => 1000, checkpointBudgetBytes: 5000 });
    tm.runUntil(8000);
    expect(tm.checkpointTimes).toEqual([0, 2000, 4000, 6000, 8000]);
    expect(tm.checkpointBytes).toBe(5000);
    tm.runUntil(10_000);
    expect(tm.checkpointTimes).toEqual([0, 4000, 8000]);
    tm.runUntil(19_999);
    expect(tm.checkpointTimes).toEqual([0, 4000, 8000, 12_000, 16_000]);
    tm.runUntil(20_000);
    expect(tm.checkpointTimes).toEqual([0, 8000, 16_000]);
    expect(tm.checkpointBytes).toBeLessThanOrEqual(5000);
    tm.seek(9_999);
    expect(out(tm.cluster)).toBe(fresh(faultyScenario(2), 9_999));
  });

  it('counts what the real copies hold (cloneFootprint), growing with the run', () => {
    const tm = machine(faultyScenario(2), true, { checkpointEveryMs: 5000, footprint: cloneFootprint });
    tm.runUntil(5000);
    const early = tm.checkpointBytes;
    tm.runUntil(20_000);
    const per = (tm.checkpointBytes - early) / 3;
    expect(early).toBeGreaterThan(10_000);
    expect(per).toBeGreaterThan(early / 2);
  });
});

describe('TimeMachine: fork, undo, redo', () => {
  it(`over ${SEEDS} seeds: a fork = a fresh run of the truncated scenario plus the action; undo and redo give either branch back`, { timeout: 900_000 }, () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const doc = faultyScenario(seed);
      const r = new Prng(seed + 1000);
      const tm = machine(doc, seed % 3 !== 0);
      // A user action at the frontier first, so the branch holds recorded actions too.
      tm.runUntil(r.range(1000, 8000));
      const live = tm.perform(randomAction(r, doc.cluster.brokers.length));
      tm.runUntil(RUN_MS);
      const original = tm.document();
      const originalEnd = out(tm.cluster);
      // Fork from a random past moment, before or after the live action.
      const t = r.range(0, RUN_MS - 2000);
      tm.seek(t);
      const request = randomAction(r, doc.cluster.brokers.length);
      const forked = tm.perform(request);
      if (forked.at !== t + 1) failures.push(`seed ${seed}: the fork's action is at ${forked.at}, not ${t + 1}`);
      tm.runUntil(RUN_MS);
      const truncated: Scenario = { ...doc, timeline: (original.timeline ?? []).filter((a) => a.at <= t).concat([{ ...request, at: t + 1 } as TimelineAction]) };
      const expected = fresh(truncated, RUN_MS);
      if (out(tm.cluster) !== expected) failures.push(`seed ${seed}: the fork at ${t} (${request.op}) differs from the truncated scenario's run`);
      if (JSON.stringify(tm.document().timeline) !== JSON.stringify(truncated.timeline)) failures.push(`seed ${seed}: the fork's document is not the truncated scenario`);
      if (live.at > t && tm.document().timeline!.some((a) => a.at === live.at && a.op === live.op && a.at > t + 1)) failures.push(`seed ${seed}: the old branch's action survived the fork`);
      // Undo: the original branch, at the moment of the fork.
      tm.undo();
      if (tm.now !== t) failures.push(`seed ${seed}: undo shows ${tm.now}, not ${t}`);
      if (JSON.stringify(tm.document()) !== JSON.stringify(original)) failures.push(`seed ${seed}: undo did not bring the original timeline back`);
      if (tm.end !== RUN_MS) failures.push(`seed ${seed}: after undo the branch ends at ${tm.end}, not ${RUN_MS}`);
      tm.runUntil(RUN_MS);
      if (out(tm.cluster) !== originalEnd) failures.push(`seed ${seed}: after undo the run differs from the original`);
      // Redo: the fork again.
      tm.redo();
      if (tm.now !== t + 1) failures.push(`seed ${seed}: redo shows ${tm.now}, not ${t + 1}`);
      tm.runUntil(RUN_MS);
      if (out(tm.cluster) !== expected) failures.push(`seed ${seed}: after redo the run differs from the fork`);
    }
    expect(failures).toEqual([]);
  });

  it('an action at the frontier keeps the scripted actions still ahead; undo removes just it', () => {
    const doc = faultyScenario(7);
    const tm = machine(doc, true);
    tm.runUntil(600);
    const before = tm.document().timeline!;
    const a = tm.perform({ op: 'produce', producer: 'p', topic: 't', key: 'x', value: 'y' });
    expect(a.at).toBe(601);
    expect(tm.document().timeline!.length).toBe(before.length + 1);
    tm.runUntil(RUN_MS);
    expect(tm.undo()).toEqual(a);
    expect(tm.now).toBe(600);
    expect(tm.document().timeline).toEqual(before);
    expect(tm.end).toBe(600);
    expect(tm.canRedo).toBe(true);
    tm.redo();
    expect(tm.end).toBe(RUN_MS);
    expect(tm.canRedo).toBe(false);
  });

  it('a new action clears redo', () => {
    const tm = machine(faultyScenario(8), false);
    tm.runUntil(1000);
    tm.perform({ op: 'killBroker', broker: 1 });
    tm.runUntil(2000);
    tm.undo();
    expect(tm.canRedo).toBe(true);
    tm.perform({ op: 'killBroker', broker: 2 });
    expect(tm.canRedo).toBe(false);
    expect(tm.redo()).toBeNull();
  });
});

describe('TimeMachine: markers', () => {
  const doc: Scenario = {
    version: 1,
    seed: 1,
    cluster: { brokers: [{ id: 1 }, { id: 2 }, { id: 3 }], config: { 'group.initial.rebalance.delay.ms': 0 } },
    topics: [{ name: 't', partitions: 2, replicationFactor: 3 }],
    clients: [
      { kind: 'producer', id: 'p' },
      { kind: 'consumer', id: 'c1', groupId: 'g', topics: ['t'] },
    ],
    timeline: [
      { at: 0, op: 'startLoad', producer: 'p', topic: 't', ratePerSec: 50 },
      { at: 2000, op: 'killBroker', broker: 2 },
    ],
  };

  it('marks the actions and what the cluster did, once, in time order', () => {
    const tm = machine(doc, true, { checkpointEveryMs: 3000 });
    tm.runUntil(15_000);
    const kinds = tm.markers.map((m) => `${m.at}:${m.kind}:${m.action?.op ?? m.event?.type}`);
    expect(kinds).toContain('0:action:startLoad');
    expect(kinds).toContain('2000:action:killBroker');
    expect(kinds).toContain('2000:broker:BrokerDown');
    expect(kinds.some((k) => k.endsWith(':leader:LeaderElected'))).toBe(true);
    expect(kinds.some((k) => k.endsWith(':group:RebalanceCompleted'))).toBe(true);
    const times = tm.markers.map((m) => m.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const before = JSON.stringify(tm.markers);
    const revision = tm.markerRevision;
    tm.seek(1000);
    tm.runUntil(15_000);
    expect(JSON.stringify(tm.markers)).toBe(before);
    expect(tm.markerRevision).toBe(revision);
  });

  it('previous / next marker from the playhead', () => {
    const tm = machine(doc, false);
    tm.runUntil(12_000);
    tm.seek(1500);
    expect(tm.markerTime(1)).toBe(2000);
    // The group's first rebalance completed at 10 ms.
    expect(tm.markerTime(-1)).toBe(10);
    tm.seek(2000);
    expect(tm.markerTime(-1)).toBe(10);
    expect(tm.markerTime(1)).toBeGreaterThan(2000);
  });

  it('a fork cuts the markers after it and undo brings them back', () => {
    const tm = machine(doc, false);
    tm.runUntil(12_000);
    const all = JSON.stringify(tm.markers);
    tm.seek(1000);
    tm.perform({ op: 'produce', producer: 'p', topic: 't', value: 'v' });
    tm.runUntil(1001);
    expect(tm.markers.every((m) => m.at <= 1001)).toBe(true);
    expect(tm.markers.at(-1)?.action?.op).toBe('produce');
    tm.undo();
    expect(JSON.stringify(tm.markers)).toBe(all);
  });

  it('keeps at most maxMarkers and counts the rest', () => {
    const tm = machine(doc, false, { maxMarkers: 3 });
    tm.runUntil(12_000);
    expect(tm.markers.length).toBe(3);
    expect(tm.markersOmitted).toBeGreaterThan(0);
  });
});

describe('adoptTimeline', () => {
  it("replaces a real Cluster's future in place (a restored checkpoint then follows the branch without a replay)", () => {
    const doc = faultyScenario(4);
    const c = make(doc);
    c.runUntil(3000);
    const kept = (doc.timeline ?? []).filter((a) => a.at <= 3000);
    const future: TimelineAction[] = [...kept, { at: 3001, op: 'killBroker', broker: 1 }];
    adoptTimeline(c, future);
    expect(c.scenario().timeline).toEqual(future);
    c.runUntil(RUN_MS);
    expect(out(c)).toBe(fresh({ ...doc, timeline: future }, RUN_MS));
  });

  it('refuses a cluster that applied another branch', () => {
    const c = make(faultyScenario(1));
    c.runUntil(RUN_MS);
    expect(() => adoptTimeline(c, [])).toThrow(/does not have|another branch/);
  });
});

describe('TimeMachine: a run reopened from disk (adopted)', () => {
  it('runs on and forks from its present; going back says why it cannot, without checkpoints', () => {
    const doc = faultyScenario(6);
    const restored = make(doc);
    restored.runUntil(5000);
    const tm = new TimeMachine<Cluster>(doc, { createCluster: make }, restored);
    expect(tm.origin).toBe(5000);
    tm.runUntil(8000);
    expect(() => tm.seek(6000)).toThrow(/reopened from its saved disks at 5\.0 s/);
    expect(tm.now).toBe(8000);
  });

  it('with checkpoints, goes back to any moment since it was reopened', () => {
    const doc = faultyScenario(6);
    const restored = make(doc);
    restored.runUntil(5000);
    const tm = new TimeMachine<Cluster>(doc, { createCluster: make, clone: replayClone, checkpointEveryMs: 2000 }, restored);
    tm.runUntil(9000);
    tm.seek(5500);
    expect(out(tm.cluster)).toBe(fresh(doc, 5500));
    tm.seek(100);
    expect(tm.now).toBe(5000);
  });
});
