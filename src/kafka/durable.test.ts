/**
 * Durable state round trips in Node: export a running cluster, restart it from the export,
 * and find the same instant (time, logs byte for byte, offsets, metadata, committed group
 * offsets), then a cluster that keeps working from there.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../scenario/types';
import { Cluster } from './cluster';
import { exportDurableState, restoreCluster, segmentsFromBatches, type DurableState } from './durable';
import { checkAcknowledgedRecords, checkStepInvariants, newInvariantState } from './invariants/invariants';
import { splitBatches } from './log/record-batch';

function scenario(): Scenario {
  return {
    version: 1,
    name: 'durable',
    seed: 7,
    cluster: {
      brokers: [
        { id: 1, rack: 'a' },
        { id: 2, rack: 'b' },
        { id: 3, rack: 'c' },
      ],
      config: { 'log.cleaner.backoff.ms': 1000 },
      network: { latencyMs: 1, jitterMs: 1 },
    },
    topics: [
      { name: 'orders', partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': 2, 'segment.bytes': 8192 } },
      { name: 'users', partitions: 1, replicationFactor: 2, config: { 'cleanup.policy': 'compact', 'segment.bytes': 2048, 'min.cleanable.dirty.ratio': 0.01 } },
    ],
    clients: [
      { kind: 'producer', id: 'p', config: { acks: 'all', 'linger.ms': 10 } },
      { kind: 'producer', id: 'u', config: { acks: 1 } },
      { kind: 'consumer', id: 'c1', groupId: 'billing', topics: ['orders'], config: { 'auto.offset.reset': 'earliest', 'auto.commit.interval.ms': 1000 } },
      { kind: 'consumer', id: 'c2', groupId: 'billing', topics: ['orders'], config: { 'auto.offset.reset': 'earliest', 'auto.commit.interval.ms': 1000 } },
    ],
    timeline: [
      { at: 100, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 400, keys: 20, valueBytes: 100 },
      { at: 100, op: 'startLoad', producer: 'u', topic: 'users', ratePerSec: 50, keys: 5, valueBytes: 30 },
      { at: 2500, op: 'killBroker', broker: 3 },
      { at: 4000, op: 'slowBroker', broker: 2, delayMs: 3 },
      { at: 5000, op: 'setProcessingTime', consumer: 'c2', msPerRecord: 2 },
      { at: 20000, op: 'restartBroker', broker: 3 },
    ],
    layout: { 'broker-1': { x: 10, y: 20 } },
  };
}

/** What a storage layer does to the state: a structured clone (IndexedDB's copy semantics). */
function throughStorage(s: DurableState): DurableState {
  return structuredClone(s);
}

function logsOf(c: Cluster): Map<string, { bytes: number[][]; lso: number; hw: number; leo: number; epochs: unknown }> {
  const out = new Map<string, { bytes: number[][]; lso: number; hw: number; leo: number; epochs: unknown }>();
  for (const b of c.brokers.values()) {
    for (const [tp, log] of b.logs) {
      const s = log.exportState();
      out.set(`${b.brokerId}/${tp}`, {
        bytes: s.segments.map((seg) => [seg.baseOffset, ...seg.bytes]),
        lso: s.logStartOffset,
        hw: s.highWatermark,
        leo: s.logEndOffset,
        epochs: s.epochs,
      });
    }
  }
  return out;
}

function committed(c: Cluster): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const g of c.coordinator.groupIds()) {
    for (const t of c.controller.sortedTopics()) {
      for (let p = 0; p < t.partitions.length; p++) out[`${g}/${t.name}-${p}`] = c.coordinator.committed(g, t.name, p);
    }
  }
  return out;
}

describe('durable state', () => {
  it('restarts at the same instant: time, logs byte for byte, metadata, committed offsets', () => {
    const a = new Cluster(scenario());
    a.runUntil(8000);
    const saved = throughStorage(exportDurableState(a));
    const b = restoreCluster(saved);

    expect(b.now).toBe(a.now);
    // The PRNG continues from the saved state (restarting itself draws network jitter since).
    expect(saved.meta.prng).toEqual(a.prng.state());
    expect(logsOf(b)).toEqual(logsOf(a));
    expect(logsOf(a).size).toBe(3 * 3 + 2);
    expect(committed(b)).toEqual(committed(a));
    expect(Object.values(committed(a)).some((o) => o !== null && o > 0)).toBe(true);
    expect([...b.controller.topics.values()]).toEqual([...a.controller.topics.values()]);
    expect(b.controller.metadataVersion).toBe(a.controller.metadataVersion);
    expect([...b.brokers.values()].map((x) => [x.brokerId, x.rack, x.running])).toEqual([...a.brokers.values()].map((x) => [x.brokerId, x.rack, x.running]));
    expect(b.network.slowness(b.brokers.get(2)!.node)).toBe(3);
    expect(b.scenario()).toEqual(a.scenario());
    // Saving the restored cluster gives back the same logs and metadata.
    const again = exportDurableState(b);
    expect(again.logs).toEqual(saved.logs);
    // Sessions restart with the controller (a restart is a controller failover): heartbeat times move.
    const noHeartbeats = (c: DurableState['meta']['controller']) => ({ ...c, brokers: c.brokers.map((x) => ({ ...x, lastHeartbeatMs: 0 })) });
    expect(noHeartbeats(again.meta.controller)).toEqual(noHeartbeats(saved.meta.controller));
    expect(again.meta.timeMs).toBe(saved.meta.timeMs);
  });

  it('keeps running after the restart: leaders as they were, loads resume, the down broker comes back on schedule', () => {
    const a = new Cluster(scenario(), { recordProduced: true });
    a.runUntil(8000);
    const leadersBefore = a.snapshot().partitions.map((p) => [p.topic, p.partition, p.leader, p.leaderEpoch]);
    const ackedBefore = a.producers.get('p')!.acked;
    const b = restoreCluster(throughStorage(exportDurableState(a)), { recordProduced: true });
    expect(b.consumers.get('c2')!.view().msPerRecord).toBe(2);
    b.runUntil(8001);
    expect(b.snapshot().partitions.map((p) => [p.topic, p.partition, p.leader, p.leaderEpoch])).toEqual(leadersBefore);
    expect(b.snapshot().brokers.map((x) => x.status)).toEqual(['up', 'up', 'down']);

    const inv = newInvariantState();
    for (let t = 8100; t <= 40000; t += 100) {
      b.runUntil(t);
      expect(checkStepInvariants(b, inv)).toEqual([]);
    }
    const snap = b.snapshot();
    // Broker 3 restarted at 20 s (the timeline's scripted action survived the reopen) and caught up.
    expect(snap.brokers.map((x) => x.status)).toEqual(['up', 'up', 'up']);
    for (const p of snap.partitions.filter((x) => x.topic === 'orders')) expect(p.isr).toHaveLength(3);
    expect(b.producers.get('p')!.acked).toBeGreaterThan(ackedBefore + 5000);
    expect(snap.consumers.filter((c) => c.status === 'stable')).toHaveLength(2);
    // Consumers lag no more than in the same run without the reopen (plus a rejoin's worth).
    const lagOf = (c: Cluster) => c.snapshot().groups.find((g) => g.groupId === 'billing')!.offsets.reduce((s, o) => s + (o.lag ?? 0), 0);
    a.runUntil(40000);
    expect(lagOf(b)).toBeLessThan(lagOf(a) + 3000);
    // Every acknowledged record is there once: load numbering continued, no value repeats.
    // (users is compacted: superseded keys are meant to go.)
    expect(checkAcknowledgedRecords(b).filter((v) => !v.includes('users-0'))).toEqual([]);
  });

  it('a restored consumer group resumes from its committed offsets, not from the start', () => {
    const a = new Cluster(scenario());
    a.runUntil(8000);
    const before = committed(a);
    const b = restoreCluster(throughStorage(exportDurableState(a)));
    b.runUntil(9000);
    for (const [k, v] of Object.entries(committed(b))) {
      if (before[k] !== null && before[k] !== undefined) expect(v).toBeGreaterThanOrEqual(before[k]!);
    }
  });

  it('restores a cluster saved with a broker down and one isolated', () => {
    const s = scenario();
    s.timeline!.push({ at: 6000, op: 'isolateBroker', broker: 1 });
    const a = new Cluster(s);
    a.runUntil(7000);
    const b = restoreCluster(throughStorage(exportDurableState(a)));
    expect(b.snapshot().brokers.map((x) => x.status)).toEqual(['isolated', 'up', 'down']);
    expect(logsOf(b)).toEqual(logsOf(a));
    b.perform({ op: 'healBroker', broker: 1 });
    b.runUntil(30000);
    expect(b.snapshot().brokers.map((x) => x.status)).toEqual(['up', 'up', 'up']);
  });

  it('splits stored batches back into their segments', () => {
    const a = new Cluster(scenario());
    a.runUntil(8000);
    const log = a.brokers.get(1)!.logs.get('orders-0')!;
    const s = log.exportState();
    expect(s.segments.length).toBeGreaterThan(2);
    const all = s.segments.flatMap((seg) => splitBatches(seg.bytes));
    const segs = segmentsFromBatches(
      s.segments.map((x) => x.baseOffset),
      all,
    );
    expect(segs.map((x) => [x.baseOffset, x.batches.length])).toEqual(s.segments.map((x) => [x.baseOffset, splitBatches(x.bytes).length]));
  });

  it('refuses a state of an unknown format', () => {
    const a = new Cluster(scenario());
    a.runUntil(500);
    const s = exportDurableState(a);
    (s.meta as { format: number }).format = 99;
    expect(() => restoreCluster(s)).toThrow(/format 99/);
  });
});
