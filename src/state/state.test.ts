import { describe, expect, it } from 'vitest';
import { fixtureSnapshot } from '../ui/test/fixture';
import { EMPTY_TIMELINE, appendEvents, applyTimeline, useClusterStore } from './cluster-store';
import { pushRateSample, ratesOf, type RateSample } from './rates';
import { Cluster } from '../kafka/cluster';
import type { ClusterSnapshot } from '../kafka/snapshot';
import { SnapshotDiffer, applyDelta } from '../worker/snapshot-delta';
import { sameSelection, selectionForNode, selectionKey } from './selection';

describe('event history', () => {
  it('keeps only the newest events, numbered', () => {
    let h = { events: [] as ReturnType<typeof appendEvents>['events'], nextSeq: 1 };
    for (let i = 0; i < 30; i++) h = appendEvents(h.events, h.nextSeq, [{ at: i, type: 'BrokerUp', broker: i }], 10);
    expect(h.events).toHaveLength(10);
    expect(h.events[0]).toMatchObject({ seq: 21, event: { at: 20 } });
    expect(h.nextSeq).toBe(31);
  });

  it('the store appends each snapshot\'s events and resets on load', () => {
    const s = fixtureSnapshot();
    s.events = [{ at: 1, type: 'BrokerDown', broker: 2 }];
    useClusterStore.getState().receiveSnapshot(s, { playing: true, speed: 1 });
    useClusterStore.getState().receiveSnapshot({ ...s, time: s.time + 100 }, { playing: true, speed: 1 });
    expect(useClusterStore.getState().events.map((e) => e.seq)).toEqual([1, 2]);
    useClusterStore.getState().loaded('x');
    expect(useClusterStore.getState().events).toEqual([]);
    expect(useClusterStore.getState().snapshot).toBeNull();
  });
});

describe('time travel in the store', () => {
  it('a snapshot after a seek replaces the event history with the one up to that moment', () => {
    const s = fixtureSnapshot();
    useClusterStore.getState().loaded('x');
    s.events = [{ at: 1, type: 'BrokerDown', broker: 2 }, { at: 5000, type: 'BrokerUp', broker: 2 }];
    useClusterStore.getState().receiveSnapshot({ ...s, time: 6000 }, { playing: true, speed: 1 });
    useClusterStore.getState().receiveSnapshot({ ...s, time: 2000, events: [{ at: 1, type: 'BrokerDown', broker: 2 }] }, { playing: false, speed: 1 }, undefined, true);
    expect(useClusterStore.getState().events.map((e) => e.event.at)).toEqual([1]);
  });

  it('markers arrive as additions, or whole after a fork', () => {
    const a = applyTimeline(EMPTY_TIMELINE, { end: 10, origin: 0, canUndo: false, canRedo: false, markers: { reset: true, added: [{ at: 0, kind: 'action' }], omitted: 0 } });
    const b = applyTimeline(a, { end: 20, origin: 0, canUndo: false, canRedo: false, markers: { reset: false, added: [{ at: 15, kind: 'broker' }], omitted: 0 } });
    expect(b.markers.map((m) => m.at)).toEqual([0, 15]);
    const c = applyTimeline(b, { end: 21, origin: 0, canUndo: true, canRedo: false });
    expect(c.markers).toBe(b.markers);
    const d = applyTimeline(c, { end: 8, origin: 0, canUndo: true, canRedo: false, markers: { reset: true, added: [{ at: 8, kind: 'action' }], omitted: 0 } });
    expect(d).toMatchObject({ end: 8, canUndo: true, markers: [{ at: 8 }] });
  });
});

describe('rates', () => {
  it('measures records per second over the last virtual second', () => {
    const a = fixtureSnapshot();
    const b = fixtureSnapshot();
    b.time = a.time + 500;
    b.partitions[0]!.replicaStates[1]!.logEndOffset += 50; // orders-0 on broker 3
    b.consumers[0]!.positions[0]!.position += 20;
    const samples = pushRateSample(pushRateSample([], a), b);
    const r = ratesOf(samples);
    expect(r.leo['orders-0@3']).toBe(100);
    expect(r.leo['orders-0@1']).toBe(0);
    expect(r.position['billing-1|orders-0']).toBe(40);
  });

  it('over a real run applied from deltas (partitions and consumers shared while unchanged), gives the rates of offsets copied at each frame', () => {
    const cluster = new Cluster({
      version: 1,
      seed: 3,
      cluster: { brokers: [{ id: 1 }, { id: 2 }, { id: 3 }], config: { 'group.initial.rebalance.delay.ms': 0 } },
      topics: [{ name: 't', partitions: 8, replicationFactor: 3 }, { name: 'quiet', partitions: 2, replicationFactor: 2 }],
      clients: [
        { kind: 'producer', id: 'p' },
        { kind: 'consumer', id: 'c1', groupId: 'g', topics: ['t', 'quiet'], config: { 'auto.offset.reset': 'earliest' } },
        { kind: 'consumer', id: 'c2', groupId: 'g', topics: ['t'], config: { 'auto.offset.reset': 'earliest' } },
      ],
      timeline: [
        { at: 0, op: 'startLoad', producer: 'p', topic: 't', ratePerSec: 300, keys: 40 },
        { at: 2500, op: 'killBroker', broker: 2 },
        { at: 4000, op: 'restartBroker', broker: 2 },
      ],
    });
    const differ = new SnapshotDiffer();
    let ui: ClusterSnapshot | null = null;
    let seq = 0;
    let samples: RateSample[] = [];
    // The former samples: every offset copied at its frame.
    let copies: { time: number; leo: Record<string, number>; position: Record<string, number> }[] = [];
    let moving = 0;
    for (let t = 100; t <= 6000; t += 70) {
      cluster.runUntil(t);
      const f = differ.frame(cluster.snapshot());
      if (f.kind === 'full') [ui, seq] = [f.snapshot, f.seq];
      else [ui, seq] = [applyDelta(ui!, seq, f.delta), f.delta.seq];
      samples = pushRateSample(samples, ui);
      const leo: Record<string, number> = {};
      for (const p of ui.partitions) for (const r of p.replicaStates) leo[`${p.topic}-${p.partition}@${r.broker}`] = r.logEndOffset;
      const position: Record<string, number> = {};
      for (const c of ui.consumers) for (const x of c.positions) position[`${c.id}|${x.topic}-${x.partition}`] = x.position;
      copies.push({ time: ui.time, leo, position });
      while (copies.length > 2 && ui.time - copies[1]!.time >= 1000) copies.shift();
      const [b, c] = [copies[0]!, copies[copies.length - 1]!];
      const dt = (c.time - b.time) / 1000;
      const want = { leo: {} as Record<string, number>, position: {} as Record<string, number> };
      if (dt > 0) {
        for (const [k, v] of Object.entries(c.leo)) want.leo[k] = Math.max(0, (v - (b.leo[k] ?? v)) / dt);
        for (const [k, v] of Object.entries(c.position)) want.position[k] = Math.max(0, (v - (b.position[k] ?? v)) / dt);
      }
      expect(samples.map((x) => x.time)).toEqual(copies.map((x) => x.time));
      const got = ratesOf(samples);
      expect(got, `at ${t}`).toEqual(want);
      if (Object.values(got.position).some((v) => v > 0) && Object.values(got.leo).some((v) => v > 0)) moving++;
    }
    expect(moving).toBeGreaterThan(40);
  });

  it('restarts when time goes back (a new scenario) and slides its window', () => {
    const a = fixtureSnapshot();
    let samples = pushRateSample([], a);
    for (let t = 1; t <= 30; t++) samples = pushRateSample(samples, { ...a, time: a.time + t * 100 });
    expect(samples[samples.length - 1]!.time - samples[0]!.time).toBeLessThanOrEqual(1100);
    samples = pushRateSample(samples, { ...a, time: 5 });
    expect(samples).toHaveLength(1);
  });
});

describe('selection', () => {
  it('maps node ids and compares by key', () => {
    expect(selectionForNode('broker-3')).toEqual({ kind: 'broker', id: 3 });
    expect(selectionForNode('consumer-billing-1')).toEqual({ kind: 'consumer', id: 'billing-1' });
    expect(selectionForNode('group-billing')).toEqual({ kind: 'group', id: 'billing' });
    expect(selectionKey({ kind: 'partition', topic: 'orders', partition: 1, broker: 2 })).toBe('partition:orders-1@2');
    expect(sameSelection({ kind: 'broker', id: 1 }, { kind: 'broker', id: 1 })).toBe(true);
    expect(sameSelection(null, { kind: 'broker', id: 1 })).toBe(false);
  });
});
