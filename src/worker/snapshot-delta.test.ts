import { describe, expect, it } from 'vitest';
import { Cluster } from '../kafka/cluster';
import type { ClusterSnapshot } from '../kafka/snapshot';
import { Prng } from '../kafka/sim/prng';
import type { Scenario, TimelineAction } from '../scenario/types';
import { SnapshotDiffer, applyDelta, applyPatch, diffValue, wireSnapshot, type Patch, type SnapshotDelta } from './snapshot-delta';
import { IntReader, packInts, packable, unpackInts } from './packed-ints';
import { bytesForDisplay } from '../state/display-precision';
import { LESSONS, loadLesson } from '../scenario/lessons';

/**
 * A random cluster whose timeline adds and deletes topics, kills, cuts off and restarts
 * brokers, moves clients (groups rebalance), adds partitions, reassigns one, runs
 * transactions (the last stable offset below the HW) and, in some runs, deletes segments
 * (the log start moves).
 */
function randomScenario(seed: number): Scenario {
  const r = new Prng(seed * 104_729 + 7);
  const n = r.range(3, 5);
  const brokers = Array.from({ length: n }, (_, i) => ({ id: i + 1, rack: ['a', 'b', 'c'][i % 3]! }));
  const timeline: TimelineAction[] = [{ at: 0, op: 'startLoad', producer: 'p', topic: 't', ratePerSec: r.range(50, 400), keys: 20, valueBytes: 20 }];
  const partitions = r.range(1, 6);
  let grown = partitions;
  for (let i = 0; i < r.range(4, 11); i++) {
    const at = r.range(200, 14_000);
    const broker = r.range(1, n);
    switch (r.int(10)) {
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
      case 5:
        timeline.push({ at, op: 'removeConsumer', id: 'c1', graceful: r.bool() });
        break;
      case 6:
        grown += r.range(1, 3);
        timeline.push({ at: 1000 * (grown - partitions) + r.range(0, 999), op: 'addPartitions', topic: 't', partitions: grown });
        break;
      case 7:
        timeline.push({ at, op: 'reassignPartitions', topic: 't', partition: 0, replicas: [broker, (broker % n) + 1] });
        break;
      case 8:
        timeline.push({ at, op: 'beginTransaction', producer: 'tx' });
        for (let j = 1; j <= 3; j++) timeline.push({ at: at + 50 * j, op: 'produce', producer: 'tx', topic: 't', key: `k${j}`, value: 'v' });
        timeline.push({ at: at + r.range(300, 3000), op: r.bool() ? 'commitTransaction' : 'abortTransaction', producer: 'tx' });
        break;
      default:
        timeline.push({ at, op: 'addConsumer', id: `rc${i}`, groupId: 'g', topics: ['t'], config: { 'isolation.level': 'read_committed' } });
    }
  }
  timeline.sort((a, b) => a.at - b.at);
  return {
    version: 1,
    seed,
    cluster: { brokers, config: { 'replica.lag.time.max.ms': 3000, 'group.initial.rebalance.delay.ms': 0, 'log.retention.check.interval.ms': 1000 }, network: { latencyMs: r.range(1, 3), jitterMs: r.range(0, 2) } },
    topics: [
      {
        name: 't',
        partitions,
        replicationFactor: Math.min(3, n),
        config: { 'min.insync.replicas': 2, ...(r.bool() ? { 'segment.bytes': 600, 'retention.bytes': 1500 } : {}) },
      },
    ],
    clients: [
      { kind: 'producer', id: 'p', config: { acks: r.pick(['all', 1] as const) } },
      { kind: 'producer', id: 'tx', config: { 'transactional.id': `tx-${seed}` } },
      { kind: 'consumer', id: 'c1', groupId: 'g', topics: ['t'], config: { 'auto.offset.reset': 'earliest' } },
    ],
    timeline,
  };
}

/** A deep copy, so the applied snapshot cannot share objects with the worker's. */
const copy = (s: ClusterSnapshot): ClusterSnapshot => structuredClone(s);

/** The partitions a delta's packed offsets name, with their flags (extra: 2, detail: 1). */
function packedEntries(d: SnapshotDelta, next: ClusterSnapshot): { i: number; flags: number; numbers: number }[] {
  if (!d.offsets) return [];
  const r = new IntReader(d.offsets);
  const out: { i: number; flags: number; numbers: number }[] = [];
  let i = -1;
  while (!r.done) {
    const head = r.next();
    i += Math.floor(head / 4) + 1;
    const flags = head % 4;
    r.next();
    let numbers = 2;
    if (flags & 2) {
      r.next();
      r.next();
      numbers += 2;
    }
    if (flags & 1) {
      const mask = r.next();
      const values = mask === -1 ? 3 * next.partitions[i]!.replicaStates.length : mask.toString(2).split('1').length - 1;
      for (let j = 0; j < values; j++) r.next();
      numbers += 1 + values;
    }
    out.push({ i, flags, numbers });
  }
  return out;
}

describe('snapshot deltas', () => {
  const SEEDS = 30;
  it(`over ${SEEDS} random runs of the real cluster with faults, applying every delta gives every snapshot exactly`, () => {
    let deltas = 0;
    const seen = { packed: 0, extra: 0, detail: 0, packedTables: 0, nullableTables: 0, splices: 0, keyedTables: 0, membership: 0, lsoBelowHw: 0, logStartMoved: 0, partitionsAdded: 0 };
    for (let seed = 1; seed <= SEEDS; seed++) {
      const cluster = new Cluster(randomScenario(seed));
      const differ = new SnapshotDiffer();
      const r = new Prng(seed);
      const start = cluster.snapshot();
      const first = differ.frame(start);
      expect(first.kind).toBe('full');
      if (first.kind !== 'full') return;
      expect(first.snapshot).toEqual(wireSnapshot(start));
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
        expect(next, `seed ${seed} at ${cluster.now}`).toEqual(wireSnapshot(snap));
        deltas++;
        for (const e of packedEntries(wire, next)) {
          seen.packed++;
          if (e.flags & 2) seen.extra++;
          if (e.flags & 1) seen.detail++;
        }
        const json = JSON.stringify(wire);
        seen.packedTables += json.split('"p":').length - 1;
        seen.nullableTables += json.split('"q":').length - 1;
        seen.splices += json.split('"i":[[').length - 1 + json.split('"x":[').length - 1;
        seen.keyedTables += json.split('"k":').length - 1;
        if (wire.collections && Object.values(wire.collections).some((c) => c?.order)) seen.membership++;
        if (next.partitions.some((p) => p.lastStableOffset !== undefined && p.lastStableOffset < p.highWatermark)) seen.lsoBelowHw++;
        if (next.partitions.some((p, i) => ui.partitions[i]?.topic === p.topic && ui.partitions[i]?.partition === p.partition && p.logStartOffset > ui.partitions[i]!.logStartOffset)) seen.logStartMoved++;
        if (next.partitions.length > ui.partitions.length) seen.partitionsAdded++;
        ui = next;
        seq = wire.seq;
      }
    }
    // The runs exercised every kind of change.
    expect(deltas).toBeGreaterThan(500);
    expect(seen.packed).toBeGreaterThan(1000);
    expect(seen.extra).toBeGreaterThan(10);
    expect(seen.detail).toBeGreaterThan(100);
    expect(seen.packedTables).toBeGreaterThan(100);
    expect(seen.keyedTables).toBeGreaterThan(100);
    expect(seen.nullableTables).toBeGreaterThan(0);
    expect(seen.splices).toBeGreaterThan(0);
    expect(seen.membership).toBeGreaterThan(10);
    expect(seen.lsoBelowHw).toBeGreaterThan(5);
    expect(seen.logStartMoved).toBeGreaterThan(5);
    expect(seen.partitionsAdded).toBeGreaterThan(3);
  });

  it('over random runs with faults, a snapshot never changes once taken (the differ keeps its objects to compare the next one with)', () => {
    /** The parts the differ keeps (everything but the events), as JSON. */
    const kept = (s: ClusterSnapshot): string => JSON.stringify({ ...s, events: [] });
    let checked = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const cluster = new Cluster(randomScenario(seed));
      const r = new Prng(seed);
      let before = cluster.snapshot();
      let beforeJson = kept(before);
      while (cluster.now < 16_000) {
        cluster.runUntil(cluster.now + r.range(5, 900));
        const now = cluster.snapshot();
        expect(kept(before), `seed ${seed}: the snapshot taken before ${cluster.now}`).toBe(beforeJson);
        checked++;
        before = now;
        beforeJson = kept(now);
      }
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('every lesson, run past its last action: a snapshot never changes once taken, and applying every delta gives every snapshot exactly', () => {
    // The lessons reach what the random runs may not: transactions (the LSO, the transactions
    // field of the rest), KIP-848 groups, static members, compaction, retention, the quorum.
    const kept = (s: ClusterSnapshot): string => JSON.stringify({ ...s, events: [] });
    let frames = 0;
    for (const l of LESSONS) {
      const loaded = loadLesson(l.id);
      if (!loaded.ok) throw new Error(`${l.id}: ${loaded.error.message}`);
      const last = Math.max(0, ...loaded.scenario.timeline.map((a) => a.at));
      const cluster = new Cluster(loaded.scenario);
      const differ = new SnapshotDiffer();
      const r = new Prng(frames + 1);
      let before = cluster.snapshot();
      let beforeJson = kept(before);
      const first = differ.frame(before);
      if (first.kind !== 'full') throw new Error('the first frame is whole');
      let ui = copy(first.snapshot);
      let seq = first.seq;
      while (cluster.now < last + 5000) {
        cluster.runUntil(cluster.now + r.range(5, 900));
        const snap = cluster.snapshot();
        expect(kept(before), `${l.id}: the snapshot taken before ${cluster.now}`).toBe(beforeJson);
        const frame = differ.frame(snap);
        if (frame.kind !== 'delta') throw new Error('a delta after the first frame');
        ui = applyDelta(ui, seq, structuredClone(frame.delta));
        seq = frame.delta.seq;
        expect(ui, `${l.id} at ${cluster.now}`).toEqual(wireSnapshot(snap));
        frames++;
        before = snap;
        beforeJson = kept(snap);
      }
    }
    expect(frames).toBeGreaterThan(LESSONS.length * 20);
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
    const entries = packedEntries(frame.delta, next);
    const moved = new Set(entries.map((e) => e.i));
    expect(moved.size).toBeGreaterThan(0);
    for (const [i, p] of next.partitions.entries()) {
      if (moved.has(i)) expect(p).not.toBe(ui.partitions[i]);
      else if (!frame.delta.collections?.partitions?.put?.some((x) => x === p)) expect(p).toBe(ui.partitions[i]);
    }
    // Per partition: a head, the HW's move, then with `detail` three numbers per replica
    // (the log start and LSO did not move otherwise here: no `extra`).
    for (const e of entries) {
      const p = next.partitions[e.i]!;
      const caughtUp = p.replicaStates.every((r) => r.logEndOffset === p.highWatermark && r.highWatermark === p.highWatermark && r.logStartOffset === p.logStartOffset);
      expect(e.flags).toBe(caughtUp ? 0 : 1);
    }
    // A few records a frame: mostly a character a number.
    const numbers = entries.reduce((n, e) => n + e.numbers, 0);
    expect(frame.delta.offsets!.length).toBeLessThan(numbers * 1.5);
    // A frame with nothing new: nothing but the clock.
    const still = differ.frame(cluster.snapshot());
    if (still.kind !== 'delta') throw new Error('expected a delta');
    expect(still.delta.collections).toBeUndefined();
    expect(still.delta.offsets).toBeUndefined();
    expect(still.delta.rest).toBeUndefined();
    expect(applyDelta(next, frame.delta.seq, still.delta).partitions).toBe(next.partitions);
  });

  it('over 300 random frames of made-up offsets (jumps, log start and LSO moves, 1 to 20 replicas), applying gives them exactly', () => {
    const r = new Prng(99);
    const cluster = new Cluster(randomScenario(2));
    cluster.runUntil(1000);
    const template = cluster.snapshot();
    const replicasOf = (i: number) => 1 + (i % 20);
    let snap: ClusterSnapshot = {
      ...template,
      partitions: Array.from({ length: 40 }, (_, i) => ({
        topic: 'm',
        partition: i,
        leader: 1,
        leaderEpoch: 0,
        replicas: Array.from({ length: replicasOf(i) }, (_, j) => j + 1),
        isr: [1],
        highWatermark: 0,
        logStartOffset: 0,
        replicaStates: Array.from({ length: replicasOf(i) }, (_, j) => ({ broker: j + 1, logEndOffset: 0, highWatermark: 0, logStartOffset: 0 })),
      })),
    };
    const differ = new SnapshotDiffer();
    const first = differ.frame(snap);
    if (first.kind !== 'full') throw new Error('expected a full frame first');
    let ui = copy(first.snapshot);
    let seq = first.seq;
    let masked = 0;
    let all = 0;
    for (let f = 0; f < 300; f++) {
      const big = () => (r.int(10) === 0 ? r.range(-5000, 2 ** 40) : r.range(-3, 20));
      snap = {
        ...snap,
        events: [],
        partitions: snap.partitions.map((p) => {
          if (r.int(3) === 0) return p;
          const hw = Math.max(0, p.highWatermark + big());
          const ls = r.int(5) === 0 ? Math.max(0, Math.min(hw, p.logStartOffset + big())) : p.logStartOffset;
          const next = { ...p, highWatermark: hw, logStartOffset: ls, replicaStates: p.replicaStates.map((x) => (r.int(3) === 0 ? { ...x, logEndOffset: hw + r.range(-2, 3), highWatermark: hw - r.int(3), logStartOffset: ls + r.int(2) } : { ...x, logEndOffset: hw, highWatermark: hw, logStartOffset: ls })) };
          const lso = r.int(4);
          if (lso === 0) delete next.lastStableOffset;
          else if (lso === 1) next.lastStableOffset = Math.max(0, hw - r.int(50));
          else if (lso === 2 && r.int(10) === 0) next.lastStableOffset = hw + 1;
          return next;
        }),
      };
      const frame = differ.frame(snap);
      if (frame.kind !== 'delta') throw new Error('expected a delta');
      const wire = structuredClone(frame.delta);
      const next = applyDelta(ui, seq, wire);
      expect(next, `frame ${f}`).toEqual(wireSnapshot(snap));
      for (const e of packedEntries(wire, next)) {
        if (e.flags & 1 && next.partitions[e.i]!.replicaStates.length > 16) all++;
        else if (e.flags & 1) masked++;
      }
      ui = next;
      seq = wire.seq;
    }
    expect(masked).toBeGreaterThan(100);
    expect(all).toBeGreaterThan(100);
  });

  it('sends broker rates as drawn (messages in whole, bytes as the cards print them), and the full-precision snapshot is left as it was', () => {
    const cluster = new Cluster(randomScenario(7));
    cluster.runUntil(4000);
    const whole = cluster.snapshot();
    const ids = Object.keys(whole.metrics.brokers);
    expect(ids.length).toBeGreaterThan(0);
    whole.metrics.brokers[Number(ids[0])]!.BytesInPerSec = 1234.5;
    whole.metrics.brokers[Number(ids[0])]!.MessagesInPerSec = 11.49;
    const before = JSON.stringify(whole);
    const wire = wireSnapshot(whole);
    expect(JSON.stringify(whole)).toBe(before);
    // As drawn: "1.2 kB/s", "11 msg/s in".
    expect(wire.metrics.brokers[Number(ids[0])]).toMatchObject({ BytesInPerSec: 1200, MessagesInPerSec: 11 });
    for (const id of ids) {
      const [w, m] = [wire.metrics.brokers[Number(id)]!, whole.metrics.brokers[Number(id)]!];
      expect(w).toEqual({ ...m, MessagesInPerSec: Math.round(m.MessagesInPerSec), BytesInPerSec: bytesForDisplay(m.BytesInPerSec), BytesOutPerSec: bytesForDisplay(m.BytesOutPerSec) });
    }
    expect({ ...wire, metrics: undefined }).toEqual({ ...whole, metrics: undefined });
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

describe('packed integers', () => {
  it('over 2000 random lists, unpack(pack(x)) is x, and small numbers take a character', () => {
    const r = new Prng(11);
    for (let i = 0; i < 2000; i++) {
      const xs = Array.from({ length: r.int(20) }, () => {
        const k = r.int(4);
        const n = k === 0 ? r.range(-16, 15) : k === 1 ? r.range(-100_000, 100_000) : k === 2 ? r.int(2 ** 30) * 2 ** 20 + r.int(2 ** 20) : -(r.int(2 ** 30) * 2 ** 20);
        return Object.is(n, -0) ? 0 : n;
      });
      expect(unpackInts(packInts(xs)), `list ${i}`).toEqual(xs);
    }
    expect(packInts([0, -1, 1, 15, -16])).toHaveLength(5);
    expect(packInts([2 ** 51 - 1, -(2 ** 51 - 1)])).toHaveLength(22);
  });

  it('refuses what it cannot pack, and a malformed string', () => {
    for (const bad of [0.5, NaN, Infinity, -0, 2 ** 51, -(2 ** 51)]) {
      expect(packable(bad)).toBe(false);
      expect(() => packInts([bad])).toThrow(/Cannot pack/);
    }
    expect(() => unpackInts('g')).toThrow(/end in the middle/);
    expect(() => unpackInts('A"')).toThrow(/no digit/);
  });
});

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
    // Integers: packed as the gap to the previous changed row (0) and new − old (5).
    expect(diffValue(a, b)).toEqual({ o: { positions: { t: ['position'], p: packInts([0, 5]) } } });
    const out = applyPatch(a, diffValue(a, b)!) as typeof a;
    expect(out).toEqual(b);
    expect(out.positions[1]).toBe(a.positions[1]);
    // A value that is no integer: the new values themselves.
    const c = { positions: [a.positions[0], { ...a.positions[1]!, lag: 0.5 }] };
    expect(diffValue(a, c)).toEqual({ o: { positions: { t: ['lag'], r: [[1, 0.5]] } } });
    expect(applyPatch(a, diffValue(a, c)!)).toEqual(c);
  });

  it('packs record tables with nulls (a group\'s first commits), and reads back nulls, numbers and moves exactly', () => {
    // 0 for null, else 1 + zigzag(new - base); base: the old value, or the field's new value in the previous changed row.
    const a = { offsets: [{ p: 0, committed: null, lag: null }, { p: 1, committed: 40, lag: 2 }, { p: 2, committed: null, lag: null }] };
    const b = { offsets: [{ p: 0, committed: 100, lag: 3 }, { p: 1, committed: null, lag: null }, { p: 2, committed: 103, lag: 1 }] };
    const zz = (n: number) => (n >= 0 ? n * 2 : -n * 2 - 1);
    expect(diffValue(a, b)).toEqual({ o: { offsets: { t: ['committed', 'lag'], q: packInts([0, 1 + zz(100), 1 + zz(3), 0, 0, 0, 0, 1 + zz(3), 1 + zz(-2)]) } } });
    expect(applyPatch(a, diffValue(a, b)!)).toEqual(b);
    // At scale: 1,000 partitions committed for the first time at offsets near each other.
    const before = Array.from({ length: 1000 }, (_, i) => ({ topic: 'bench', partition: i, committed: null as number | null, logEndOffset: 5000 + (i % 7), lag: null as number | null }));
    const after = before.map((o, i) => ({ ...o, committed: 4990 + (i % 11), logEndOffset: o.logEndOffset + 1, lag: o.logEndOffset + 1 - (4990 + (i % 11)) }));
    const patch = diffValue(before, after)!;
    expect(applyPatch(before, structuredClone(patch))).toEqual(after);
    expect('q' in patch).toBe(true);
    // Rows of JSON were about 21 bytes a partition; packed, a gap, a move and two small numbers.
    expect(JSON.stringify(patch).length).toBeLessThan(6 * 1000);
  });

  it('sends an array that only gained or only lost elements as the changes (a producer\'s targets), keeping the others\' identity', () => {
    const t = (partition: number) => ({ topic: 'bench', partition });
    const a = { targets: [t(0), t(1), t(10), t(2)] };
    const b = { targets: [t(0), t(1), t(10), t(100), t(11), t(2), t(3)] };
    expect(diffValue(a, b)).toEqual({ o: { targets: { i: [[3, t(100)], [4, t(11)], [6, t(3)]] } } });
    const out = applyPatch(a, structuredClone(diffValue(a, b)!)) as typeof a;
    expect(out).toEqual(b);
    expect(out.targets[2]).toBe(a.targets[2]);
    expect(out.targets[5]).toBe(a.targets[3]);
    // Removals: the old indices.
    const c = { targets: [t(0), t(10), t(100), t(11), t(2), t(3)] };
    expect(diffValue(b, c)).toEqual({ o: { targets: { x: [1] } } });
    expect(applyPatch(b, diffValue(b, c)!)).toEqual(c);
    // Most of it new, or reordered: the whole array.
    expect(diffValue([t(1), t(2)], [t(2), t(1), t(3)])).toEqual({ v: [t(2), t(1), t(3)] });
    expect(diffValue([t(1)], [t(1), t(2), t(3)])).toEqual({ v: [t(1), t(2), t(3)] });
    // At 1,000 partitions, one new target costs one element, not the list.
    const names = Array.from({ length: 1000 }, (_, i) => `bench-${i}`).sort();
    const grown = [...names.slice(0, 500), 'bench-extra', ...names.slice(500)];
    expect(JSON.stringify(diffValue(names, grown)).length).toBeLessThan(40);
  });

  it('refuses a splice patch that does not fit the array', () => {
    expect(() => applyPatch([1, 2], { i: [[5, 9]] })).toThrow(/index 5 past the array's end/);
    expect(() => applyPatch([1, 2], { i: [[1, 9], [0, 8]] })).toThrow(/index 0 out of order/);
    expect(() => applyPatch([1, 2], { x: [2] })).toThrow(/index 2 outside the array/);
    expect(() => applyPatch({ a: 1 }, { x: [0] })).toThrow(/no array/);
  });

  it('refuses a nullable table patch that names a field which is no number, or runs past its rows', () => {
    const a = [{ x: 'text', y: 1 }];
    expect(() => applyPatch(a, { t: ['x'], q: packInts([0, 3]) })).toThrow(/x, which is no number/);
    expect(() => applyPatch(a, { t: ['y'], q: packInts([0, 3, 0]) })).toThrow();
    expect(() => applyPatch(a, { t: ['y'], q: packInts([4, 3]) })).toThrow(/element 4, which is no record/);
  });

  it('sends records by key (broker metrics by id) as a keyed table, packed when they are integers', () => {
    const a = { 1: { in: 100, out: 300, n: 2 }, 2: { in: 50, out: 150, n: 1 }, 3: { in: 7, out: 9, n: 0 } };
    const b = { 1: { in: 104, out: 290, n: 2 }, 2: { in: 50, out: 151, n: 1 }, 3: a[3] };
    const p = diffValue(a, b) as Extract<Patch, { k: string[]; p: string }>;
    expect(p).toEqual({ t: ['in', 'out'], k: ['1', '2'], p: packInts([4, -10, 0, 1]) });
    const out = applyPatch(a, p) as typeof a;
    expect(out).toEqual(b);
    expect(out[3]).toBe(a[3]);
    const f = { ...b, 2: { in: 50.5, out: 151, n: 1 } };
    expect(diffValue(a, f)).toEqual({ t: ['in', 'out'], k: ['1', '2'], r: [[104, 290], [50.5, 151]] });
    expect(applyPatch(a, diffValue(a, f)!)).toEqual(f);
    // One member changed: a plain object patch.
    expect(diffValue(a, { ...a, 1: { in: 101, out: 300, n: 2 } })).toEqual({ o: { 1: { o: { in: { v: 101 } } } } });
  });
});
