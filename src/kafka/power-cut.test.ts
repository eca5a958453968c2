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

  it('replays byte for byte, like any action', () => {
    const a = new Cluster(withPowerCut(5000), { recordConsumed: true });
    a.runUntil(20000);
    const b = new Cluster(withPowerCut(5000), { recordConsumed: true });
    b.runUntil(20000);
    expect(JSON.stringify(b.output())).toBe(JSON.stringify(a.output()));
  });
});
