import { describe, expect, it } from 'vitest';
import { Cluster } from '../kafka/cluster';
import type { ClusterSnapshot } from '../kafka/snapshot';
import { Prng } from '../kafka/sim/prng';
import type { Scenario, TimelineAction } from '../scenario/types';
import { SnapshotDiffer, applyDelta, applyPatch, diffValue } from './snapshot-delta';

/** A random cluster whose timeline adds and deletes topics, kills, cuts off and restarts brokers, and moves clients. */
function randomScenario(seed: number): Scenario {
  const r = new Prng(seed * 104_729 + 7);
  const n = r.range(3, 5);
  const brokers = Array.from({ length: n }, (_, i) => ({ id: i + 1, rack: ['a', 'b', 'c'][i % 3]! }));
  const timeline: TimelineAction[] = [{ at: 0, op: 'startLoad', producer: 'p', topic: 't', ratePerSec: r.range(50, 400), keys: 20, valueBytes: 20 }];
  for (let i = 0; i < r.range(4, 9); i++) {
    const at = r.range(200, 14_000);
    const broker = r.range(1, n);
    switch (r.int(6)) {
      case 0:
        timeline.push({ at, op: 'killBroker', broker }, { at: at + r.range(300, 6000), op: 'restartBroker', broker });
        break;
      case 1:
        timeline.push({ at, op: 'isolateBroker', broker }, { at: at + r.range(300, 6000), op: 'healBroker', broker });
        break;
      case 2:
        timeline.push({ at, op: 'createTopic', name: `x${i}`, partitions: r.range(1, 4), replicationFactor: Math.min(3, n) });
        timeline.push({ at: at + r.range(500, 5000), op: 'deleteTopic', name: `x${i}` });
        break;
      case 3:
        timeline.push({ at, op: 'addConsumer', id: `c${i + 2}`, groupId: r.bool() ? 'g' : 'h', topics: ['t'], config: { 'auto.offset.reset': 'earliest' } });
        break;
      case 4:
        timeline.push({ at, op: 'addProducer', id: `p${i}` }, { at: at + 100, op: 'startLoad', producer: `p${i}`, topic: 't', ratePerSec: 30, keys: 5, valueBytes: 10 });
        timeline.push({ at: at + r.range(500, 4000), op: 'removeProducer', id: `p${i}` });
        break;
      default:
        timeline.push({ at, op: 'removeConsumer', id: 'c1', graceful: r.bool() });
    }
  }
  timeline.sort((a, b) => a.at - b.at);
  return {
    version: 1,
    seed,
    cluster: { brokers, config: { 'replica.lag.time.max.ms': 3000, 'group.initial.rebalance.delay.ms': 0 }, network: { latencyMs: r.range(1, 3), jitterMs: r.range(0, 2) } },
    topics: [{ name: 't', partitions: r.range(1, 6), replicationFactor: Math.min(3, n), config: { 'min.insync.replicas': 2 } }],
    clients: [
      { kind: 'producer', id: 'p', config: { acks: r.pick(['all', 1] as const) } },
      { kind: 'consumer', id: 'c1', groupId: 'g', topics: ['t'], config: { 'auto.offset.reset': 'earliest' } },
    ],
    timeline,
  };
}

/** A deep copy, so the applied snapshot cannot share objects with the worker's. */
const copy = (s: ClusterSnapshot): ClusterSnapshot => structuredClone(s);

describe('snapshot deltas', () => {
  const SEEDS = 25;
  it(`over ${SEEDS} random runs of the real cluster, applying every delta gives every snapshot exactly`, () => {
    let deltas = 0;
    let offsetRows = 0;
    let membershipChanges = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const cluster = new Cluster(randomScenario(seed));
      const differ = new SnapshotDiffer();
      const r = new Prng(seed);
      const first = differ.frame(cluster.snapshot());
      expect(first.kind).toBe('full');
      if (first.kind !== 'full') return;
      let ui = copy(first.snapshot);
      let seq = first.seq;
      while (cluster.now < 16_000) {
        cluster.runUntil(cluster.now + r.range(5, 400));
        const snap = cluster.snapshot();
        const frame = differ.frame(snap);
        expect(frame.kind).toBe('delta');
        if (frame.kind !== 'delta') return;
        const wire = structuredClone(frame.delta);
        const next = applyDelta(ui, seq, wire);
        expect(next, `seed ${seed} at ${cluster.now}`).toEqual(snap);
        deltas++;
        offsetRows += wire.offsets?.length ?? 0;
        if (wire.collections && Object.values(wire.collections).some((c) => c?.order)) membershipChanges++;
        ui = next;
        seq = wire.seq;
      }
    }
    // The runs exercised both kinds of change.
    expect(deltas).toBeGreaterThan(500);
    expect(offsetRows).toBeGreaterThan(100);
    expect(membershipChanges).toBeGreaterThan(10);
  });

  it('keeps the identity of what did not change, and sends only offsets for a partition whose offsets moved', () => {
    const cluster = new Cluster(randomScenario(3));
    cluster.runUntil(3000);
    const differ = new SnapshotDiffer();
    const first = differ.frame(cluster.snapshot());
    if (first.kind !== 'full') throw new Error('expected a full frame first');
    const ui = copy(first.snapshot);
    cluster.runUntil(3050);
    const frame = differ.frame(cluster.snapshot());
    if (frame.kind !== 'delta') throw new Error('expected a delta');
    const next = applyDelta(ui, first.seq, frame.delta);
    // Topics did not change: the same array and objects.
    expect(next.topics).toBe(ui.topics);
    const moved = new Set((frame.delta.offsets ?? []).map((r) => r[0]));
    expect(moved.size).toBeGreaterThan(0);
    for (const [i, p] of next.partitions.entries()) {
      if (moved.has(i)) expect(p).not.toBe(ui.partitions[i]);
      else if (!frame.delta.collections?.partitions?.put?.some((x) => x === p)) expect(p).toBe(ui.partitions[i]);
    }
    // Rows are small numbers: the partition's index, its HW and log start, the LSO as a distance
    // below the HW (-1: none), then nothing (every replica caught up) or three per replica.
    for (const row of frame.delta.offsets!) {
      const p = next.partitions[row[0]!]!;
      expect(row.slice(1, 4)).toEqual([p.highWatermark, p.logStartOffset, p.lastStableOffset === undefined ? -1 : p.highWatermark - p.lastStableOffset]);
      const caughtUp = p.replicaStates.every((r) => r.logEndOffset === p.highWatermark && r.highWatermark === p.highWatermark && r.logStartOffset === p.logStartOffset);
      expect(row.length).toBe(caughtUp ? 4 : 4 + 3 * p.replicaStates.length);
    }
    // A frame with nothing new: nothing but the clock.
    const still = differ.frame(cluster.snapshot());
    if (still.kind !== 'delta') throw new Error('expected a delta');
    expect(still.delta.collections).toBeUndefined();
    expect(still.delta.offsets).toBeUndefined();
    expect(applyDelta(next, frame.delta.seq, still.delta).partitions).toBe(next.partitions);
  });

  it('refuses a delta for another frame, and sends a whole snapshot after a reset', () => {
    const cluster = new Cluster(randomScenario(5));
    const differ = new SnapshotDiffer();
    const first = differ.frame(cluster.snapshot());
    if (first.kind !== 'full') throw new Error('expected a full frame first');
    cluster.runUntil(500);
    const d1 = differ.frame(cluster.snapshot());
    cluster.runUntil(1000);
    const d2 = differ.frame(cluster.snapshot());
    if (d2.kind !== 'delta' || d1.kind !== 'delta') throw new Error('expected deltas');
    expect(() => applyDelta(first.snapshot, first.seq, d2.delta)).toThrow(/applies to frame/);
    differ.reset();
    const again = differ.frame(cluster.snapshot());
    expect(again.kind).toBe('full');
  });
});

/** A random plain value: objects, arrays (often of flat records), numbers, strings, null. */
function randomValue(r: Prng, depth: number): unknown {
  const k = depth > 2 ? r.int(3) : r.int(6);
  if (k === 0) return r.int(1000);
  if (k === 1) return r.bool() ? `s${r.int(5)}` : null;
  if (k === 2) return r.bool();
  if (k === 3) return Array.from({ length: r.int(5) }, () => ({ topic: 't', partition: r.int(4), offset: r.int(100), lag: r.bool() ? null : r.int(9) }));
  if (k === 4) return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = 0; i < r.int(5); i++) o[`k${r.int(6)}`] = randomValue(r, depth + 1);
  return o;
}

/** A copy of v with a few random changes. */
function mutate(r: Prng, v: unknown, depth = 0): unknown {
  if (r.int(5) === 0 || depth > 3) return randomValue(r, depth);
  if (Array.isArray(v)) return v.map((x) => (r.int(3) === 0 ? mutate(r, x, depth + 1) : x));
  if (typeof v === 'object' && v !== null) {
    const o: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    for (const k of Object.keys(o)) {
      const roll = r.int(6);
      if (roll === 0) delete o[k];
      else if (roll === 1) o[k] = mutate(r, o[k], depth + 1);
    }
    if (r.int(4) === 0) o[`n${r.int(3)}`] = randomValue(r, depth + 1);
    return o;
  }
  return r.bool() ? v : randomValue(r, depth);
}

describe('value patches', () => {
  it('over 3000 random pairs, applying diff(a, b) to a gives b, and equal values give no patch', () => {
    const r = new Prng(42);
    let tables = 0;
    for (let i = 0; i < 3000; i++) {
      const a = randomValue(r, 0);
      const b = mutate(r, structuredClone(a));
      const p = diffValue(a, b);
      if (JSON.stringify(p ?? null).includes('"t":[')) tables++;
      expect(p === undefined ? a : applyPatch(structuredClone(a), structuredClone(p)), `pair ${i}`).toEqual(b);
      expect(diffValue(a, structuredClone(a))).toBeUndefined();
    }
    expect(tables).toBeGreaterThan(5);
  });

  it('sends a changed record array as the changed fields only', () => {
    const a = { positions: [{ topic: 't', partition: 0, position: 10, lag: 1 }, { topic: 't', partition: 1, position: 20, lag: 0 }] };
    const b = { positions: [{ topic: 't', partition: 0, position: 15, lag: 1 }, { topic: 't', partition: 1, position: 20, lag: 0 }] };
    expect(diffValue(a, b)).toEqual({ o: { positions: { t: ['position'], r: [[0, 15]] } } });
    const out = applyPatch(a, diffValue(a, b)!) as typeof a;
    expect(out.positions[1]).toBe(a.positions[1]);
  });
});
