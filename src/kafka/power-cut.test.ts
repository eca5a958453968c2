/**
 * The powerCut op (Cluster → Power cut): every machine loses power at once and restarts from
 * its disk. What the disks hold survives (every acknowledged record with acks=all), nothing in
 * memory does: producers come back under a new producer id, consumers rejoin from the
 * committed offsets, and the run goes on, replayably, as any other timeline action.
 */
import { describe, expect, it } from 'vitest';
import { defaultScenario } from '../scenario/default-scenario';
import type { Scenario } from '../scenario/types';
import { Cluster } from './cluster';
import { checkAcknowledgedRecords } from './invariants/invariants';

const withPowerCut = (at: number): Scenario => ({ ...defaultScenario, timeline: [...(defaultScenario.timeline ?? []), { at, op: 'powerCut' }] });

describe('power cut', () => {
  it('every broker restarts from disk, acknowledged records survive, clients restart and the group settles again', () => {
    const c = new Cluster(withPowerCut(8000), { recordProduced: true });
    c.runUntil(7999);
    const before = c.snapshot();
    const pidBefore = before.producers.map((p) => p.producerId);
    const ackedBefore = before.producers.reduce((s, p) => s + p.acked, 0);
    expect(ackedBefore).toBeGreaterThan(0);
    c.runUntil(8000);
    const events = c.allEvents().filter((e) => e.at === 8000).map((e) => e.type);
    expect(events[0]).toBe('PowerCut');
    expect(events.filter((t) => t === 'BrokerDown')).toHaveLength(3);
    expect(events.filter((t) => t === 'BrokerUp')).toHaveLength(3);
    c.runUntil(60000);
    const after = c.snapshot();
    expect(after.brokers.every((b) => b.status === 'up' && !b.fenced)).toBe(true);
    expect(after.producers.map((p) => p.producerId)).not.toEqual(pidBefore);
    expect(after.producers.reduce((s, p) => s + p.acked, 0)).toBeGreaterThan(ackedBefore);
    expect(after.groups.every((g) => g.state === 'Stable')).toBe(true);
    expect(checkAcknowledgedRecords(c)).toEqual([]);
  });

  it('a producer resumes its loads with the keys they were started with, however few it had drawn', () => {
    // A load of a million keys started in the instant of the cut (nothing drawn yet), and one
    // of 50 keys at 20 records/s (a few drawn): both come back with their whole key space.
    const first = defaultScenario.clients!.find((x) => x.kind === 'producer')!.id;
    const topic = defaultScenario.topics![0]!.name;
    const scenario: Scenario = {
      ...defaultScenario,
      timeline: [
        { at: 0, op: 'startLoad', producer: first, topic, ratePerSec: 20, keys: 50, valueBytes: 10 },
        { at: 3000, op: 'addProducer', id: 'late' },
        { at: 3000, op: 'startLoad', producer: 'late', topic, ratePerSec: 50, keys: 1_000_000, valueBytes: 10 },
        { at: 3000, op: 'powerCut' },
      ],
    };
    const c = new Cluster(scenario, { recordProduced: true });
    c.runUntil(3000);
    expect(c.producers.get(first)!.loadSpecs()).toEqual([expect.objectContaining({ keys: 50 })]);
    expect(c.producers.get('late')!.loadSpecs()).toEqual([expect.objectContaining({ keys: 1_000_000 })]);
    c.runUntil(13_000);
    const late = c.output().produced.filter((r) => r.producer === 'late');
    expect(late.length).toBeGreaterThan(300);
    // Keyed, from the whole space: not a load turned unkeyed, nor one held to the keys drawn before the cut.
    expect(late.every((r) => r.key !== null)).toBe(true);
    expect(new Set(late.map((r) => r.key)).size).toBeGreaterThan(late.length * 0.95);
  });

  it('replays byte for byte, like any action', () => {
    const a = new Cluster(withPowerCut(5000), { recordConsumed: true });
    a.runUntil(20000);
    const b = new Cluster(withPowerCut(5000), { recordConsumed: true });
    b.runUntil(20000);
    expect(JSON.stringify(b.output())).toBe(JSON.stringify(a.output()));
  });
});
