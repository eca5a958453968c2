/**
 * A log's long-lived batches must not pin the shared buffers they were built in once the
 * batches around them are gone (log/slab-repack.ts): a busy topic with a short retention
 * beside a quiet one, the busy load stopped and deleted by retention; then the buffers the
 * logs keep alive are within a bound of the bytes they hold.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../scenario/types';
import { Cluster } from '../cluster';
import { samePlace } from '../test-support/same-place';
import { repackIfDropped, repackSparseBuffers } from './slab-repack';
import { PlaceMap } from './place-map';

const scenario: Scenario = {
  version: 1,
  name: 'a quiet topic beside a busy one',
  seed: 1,
  cluster: {
    brokers: [{ id: 1 }, { id: 2 }, { id: 3 }],
    network: { latencyMs: 1, jitterMs: 0 },
    config: { 'log.retention.check.interval.ms': 1000 },
  },
  topics: [
    { name: 'busy', partitions: 6, replicationFactor: 3, config: { 'retention.ms': 5000, 'segment.ms': 1000 } },
    { name: 'quiet', partitions: 3, replicationFactor: 3 },
  ],
  clients: [
    { kind: 'producer', id: 'b', config: { acks: 'all', 'linger.ms': 5, 'batch.size': 65536 } },
    { kind: 'producer', id: 'q', config: { acks: 'all', 'linger.ms': 5 } },
  ],
  timeline: [
    { at: 0, op: 'startLoad', producer: 'b', topic: 'busy', ratePerSec: 5000, keys: 600, valueBytes: 100 },
    { at: 0, op: 'startLoad', producer: 'q', topic: 'quiet', ratePerSec: 5, keys: 30, valueBytes: 100 },
    { at: 15000, op: 'stopLoad', producer: 'b', topic: 'busy' },
  ],
};

/** Bytes the logs hold (each batch once: replicas share its place) and bytes of the distinct buffers those batches keep alive. */
function heldAndPinned(c: Cluster): { held: number; pinned: number; batches: number } {
  const lengths = new PlaceMap<number>();
  for (const b of c.brokers.values()) {
    for (const log of b.logs.values()) {
      for (const seg of log.segments) {
        for (const x of seg.batchList()) lengths.add(x.buffer, x.byteOffset, x.byteLength);
      }
    }
  }
  let held = 0;
  let pinned = 0;
  for (const [buffer, m] of lengths.buffers()) {
    pinned += buffer.byteLength;
    for (const len of m.values()) held += len;
  }
  return { held, pinned, batches: lengths.size };
}

describe('buffers pinned by long-lived batches', () => {
  it('stay within 4 x the bytes the logs hold (plus the slab being filled) after retention deleted the busy topic', { timeout: 60_000 }, () => {
    const c = new Cluster(scenario, { recordConsumed: false, recordProduced: false });
    c.runUntil(14000);
    // While both load: the busy topic's batches fill the slabs, the quiet one's are few.
    const busy = heldAndPinned(c);
    expect(busy.held).toBeGreaterThan(1_000_000);
    for (let t = 15000; t <= 40000; t += 1000) c.runUntil(t);
    const quiet = heldAndPinned(c);
    // The busy topic is gone, the quiet one's batches remain (produced all along).
    expect(quiet.batches).toBeGreaterThan(100);
    expect(quiet.held).toBeLessThan(100_000);
    expect(quiet.pinned).toBeLessThanOrEqual(4 * quiet.held + 64 * 1024);
  });

  it('are repacked with the same bytes, each copy shared by the replicas that shared the batch', () => {
    const c = new Cluster(scenario, { recordConsumed: false, recordProduced: false });
    // Before runUntil's first repack (at 10 s), with the busy topic's first seconds deleted.
    c.runUntil(9000);
    const logs = [...c.brokers.values()].flatMap((b) => [...b.logs.values()]);
    const hex = (): string[][][] => logs.map((log) => log.segments.map((s) => s.batchList().map((x) => Buffer.from(x).toString('hex'))));
    const before = hex();
    const replicas = [...c.brokers.values()].map((b) => b.logs.get('quiet-0')!);
    const first = replicas[0]!.segments[0]!.batchAt(0);
    expect(replicas.every((l) => samePlace(l.segments[0]!.batchAt(0), first))).toBe(true);
    const r = repackSparseBuffers(logs);
    expect(r.batches).toBeGreaterThan(0);
    expect(hex()).toEqual(before);
    // The quiet topic's first batch moved out of its slab, one copy for its three replicas.
    const moved = replicas[0]!.segments[0]!.batchAt(0);
    expect(moved.buffer).not.toBe(first.buffer);
    expect(replicas.every((l) => samePlace(l.segments[0]!.batchAt(0), moved))).toBe(true);
    // Nothing sparse is left: a second pass moves nothing.
    expect(repackSparseBuffers(logs).batches).toBe(0);
  });

  it('are looked for only after some log dropped batches (a run that keeps all it produced walks nothing)', () => {
    const c = new Cluster({ ...scenario, topics: [{ name: 'busy', partitions: 6, replicationFactor: 3 }], timeline: scenario.timeline!.filter((a) => a.op !== 'startLoad' || a.topic === 'busy') });
    let walks = 0;
    const logs = () => {
      walks++;
      return [...c.brokers.values()].flatMap((b) => [...b.logs.values()]);
    };
    c.runUntil(3000);
    repackIfDropped(logs); // whatever earlier clusters in this process dropped
    walks = 0;
    c.runUntil(6000);
    repackIfDropped(logs);
    expect(walks).toBe(0);
    // A truncation drops batches: the next repack walks the logs, once.
    c.brokers.get(1)!.logs.get('busy-0')!.truncateTo(1);
    repackIfDropped(logs);
    repackIfDropped(logs);
    expect(walks).toBe(1);
  });
});

