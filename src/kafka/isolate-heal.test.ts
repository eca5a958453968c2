/**
 * A known stall, fixed: isolate a broker under acks=all load, let it be fenced (it leaves
 * every ISR), heal it. The leaders kept counting it as a caught-up replica "about to join"
 * (its last caught-up time was still within replica.lag.time.max.ms), so the HW stopped at
 * its log end until that window ran out. Kafka's Replica.resetReplicaState sets the last
 * caught-up time of a follower out of the ISR to 0.
 */
import { expect, it } from 'vitest';
import { Cluster } from './cluster';
import { threeRacks } from './test-support/three-racks';

it('isolateBroker then healBroker: the high watermarks keep moving after the heal, and the healed broker rejoins the ISRs', () => {
  const c = new Cluster({
    version: 1,
    seed: 1,
    cluster: threeRacks({}),
    topics: [{ name: 'orders', partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
    clients: [{ kind: 'producer', id: 'p', config: { acks: 'all' } }],
    timeline: [
      { at: 0, op: 'startLoad', producer: 'p', topic: 'orders', ratePerSec: 50, keys: 10 },
      { at: 15000, op: 'isolateBroker', broker: 3 },
      { at: 30000, op: 'healBroker', broker: 3 },
    ],
  });
  c.runUntil(31000);
  const hw = (t: number) => (c.runUntil(t), c.snapshot().partitions.map((p) => p.highWatermark));
  const atHeal = hw(31000);
  const later = hw(36000);
  // Partitions 0 and 2 were never led by broker 3: their HW must move in the 5 s after the heal.
  const led3 = c.snapshot().partitions.filter((p) => p.replicas[0] === 3).map((p) => p.partition);
  for (const p of [0, 1, 2].filter((x) => !led3.includes(x))) expect(later[p]!, `orders-${p}`).toBeGreaterThan(atHeal[p]! + 20);
  c.runUntil(60000);
  for (const p of c.snapshot().partitions) expect(p.isr.slice().sort()).toEqual([1, 2, 3]);
});
