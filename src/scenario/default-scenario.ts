/**
 * What the playground opens on: three brokers in three racks, one topic "orders" with
 * three partitions at RF=3 and min.insync.replicas=2, a producer with a steady keyed load
 * (acks=all, idempotent), and a consumer group "billing" of two consumers. Data flows from
 * the first second.
 */
import type { Scenario } from './types';

export const defaultScenario: Scenario = {
  version: 1,
  name: 'Three brokers, one topic, one group',
  description:
    'A producer writes keyed orders with `acks=all` to a topic replicated three times; the group `billing` reads them. Kill a broker, isolate one, or add a consumer, and watch leaders, ISR and lag move.',
  seed: 1,
  cluster: {
    brokers: [
      { id: 1, rack: 'a' },
      { id: 2, rack: 'b' },
      { id: 3, rack: 'c' },
    ],
    config: {},
    network: { latencyMs: 2, jitterMs: 1 },
  },
  topics: [{ name: 'orders', partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
  clients: [
    { kind: 'producer', id: 'checkout', config: { acks: 'all', 'enable.idempotence': true } },
    { kind: 'consumer', id: 'billing-1', groupId: 'billing', topics: ['orders'], config: { 'auto.offset.reset': 'earliest' } },
    { kind: 'consumer', id: 'billing-2', groupId: 'billing', topics: ['orders'], config: { 'auto.offset.reset': 'earliest' } },
  ],
  timeline: [{ at: 0, op: 'startLoad', producer: 'checkout', topic: 'orders', ratePerSec: 20, keys: 20, valueBytes: 60 }],
  layout: {},
};
