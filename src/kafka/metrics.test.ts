/**
 * Broker and client metrics computed by Cluster.metrics(): rates over the last second of
 * virtual time, under Kafka's names.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../scenario/types';
import { Cluster } from './cluster';

function loaded(): Scenario {
  return {
    version: 1,
    seed: 7,
    cluster: { brokers: [{ id: 1 }, { id: 2 }, { id: 3 }], network: { latencyMs: 1, jitterMs: 1 } },
    topics: [{ name: 'orders', partitions: 3, replicationFactor: 3 }],
    clients: [{ kind: 'producer', id: 'p', config: { acks: 'all' } }],
    timeline: [
      { at: 100, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 200 },
      { at: 4000, op: 'killBroker', broker: 2 },
      { at: 9000, op: 'restartBroker', broker: 2 },
      // Back in the ISR, broker 2 leads the partitions it is the preferred leader of again.
      ...[0, 1, 2].map((partition) => ({ at: 12_000, op: 'electLeaders' as const, topic: 'orders', partition, type: 'preferred' as const })),
    ],
  };
}

describe('MessagesInPerSec', () => {
  it('is never negative when a broker is killed or restarted (its counters start again from 0)', () => {
    const c = new Cluster(loaded());
    const seen: { t: number; broker: number; rate: number }[] = [];
    for (let t = 100; t <= 15_000; t += 100) {
      c.runUntil(t);
      const m = c.metrics();
      for (const [id, b] of Object.entries(m.brokers)) seen.push({ t, broker: Number(id), rate: b.MessagesInPerSec });
    }
    // Before the kill broker 2 took records in (it leads or follows every partition).
    expect(seen.some((s) => s.broker === 2 && s.t < 4000 && s.rate > 50)).toBe(true);
    expect(seen.filter((s) => s.rate < 0)).toEqual([]);
    // Down, it takes nothing in; leading again after its restart, it counts from its own start.
    expect(seen.filter((s) => s.broker === 2 && s.t >= 4000 && s.t < 9000).every((s) => s.rate === 0)).toBe(true);
    expect(seen.some((s) => s.broker === 2 && s.t > 13_000 && s.rate > 50)).toBe(true);
  });
});
