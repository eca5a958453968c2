/**
 * Issue 2's benchmark workload, shared by the Node and the browser benchmarks: 3 brokers in
 * 3 racks, one topic with 3 partitions at RF=3 and min.insync.replicas=2, an idempotent
 * producer with acks=all writing keyed 100-byte values at `ratePerSec` (virtual time) until
 * `virtualMs`, and a group of three consumers reading from the earliest offset.
 */
import type { Scenario } from '../src/scenario/types';

export function benchScenario(ratePerSec: number, virtualMs: number): Scenario {
  return {
    version: 1,
    name: 'bench',
    seed: 1,
    cluster: {
      brokers: ['a', 'b', 'c'].map((rack, i) => ({ id: i + 1, rack })),
      network: { latencyMs: 1, jitterMs: 0 },
      // A broker setting: the group's first join completes at once instead of after 3-6 s.
      config: { 'group.initial.rebalance.delay.ms': 0 },
    },
    topics: [{ name: 'bench', partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
    clients: [
      { kind: 'producer', id: 'p', config: { acks: 'all', 'enable.idempotence': true, 'linger.ms': 5, 'batch.size': 65536 } },
      ...[1, 2, 3].map((i) => ({
        kind: 'consumer' as const,
        id: `c${i}`,
        groupId: 'g',
        topics: ['bench'],
        config: { 'auto.offset.reset': 'earliest' },
      })),
    ],
    timeline: [
      { at: 0, op: 'startLoad', producer: 'p', topic: 'bench', ratePerSec, keys: 1000, valueBytes: 100 },
      { at: virtualMs, op: 'stopLoad', producer: 'p', topic: 'bench' },
    ],
  };
}
