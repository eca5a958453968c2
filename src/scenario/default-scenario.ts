/**
 * The scenario the playground opens on (and "Restart" returns to): three brokers in three
 * racks, one topic "orders" with three partitions at RF 3 and min.insync.replicas 2, a
 * producer "checkout" with a steady keyed load (acks=all, idempotent), and a consumer group
 * "billing" of two consumers reading from the earliest offset. Data flows from t=0, so the
 * first thing a visitor sees is a working cluster; each choice is there so that one click
 * shows something real:
 *   - RF 3 with min.insync.replicas 2: kill one broker and writes go on; kill two and the
 *     producer gets NOT_ENOUGH_REPLICAS.
 *   - three racks: rack-aware placement puts each partition's replicas in three racks.
 *   - ~20 keys over 3 partitions: per-key ordering and the keyed partitioner are visible.
 *   - group.initial.rebalance.delay.ms 0, as in Kafka's shipped server.properties: the
 *     group forms at once instead of after the 3 s default (extended while members join).
 *   - two consumers on three partitions: one owns two, so adding a third rebalances to 1/1/1.
 * It is a built-in document, yet the app still loads it through restoreScenario like any
 * other (a test checks it validates).
 */
import type { Scenario } from './types';

export const defaultScenario: Scenario = {
  version: 1,
  name: 'Three brokers, one topic, one consumer group',
  description:
    'A producer writes keyed orders with `acks=all` to `orders`, a topic with 3 partitions replicated on 3 brokers ' +
    '(`min.insync.replicas=2`); the group `billing` reads them with two consumers.\n\n' +
    'Try: kill a broker and watch a new leader take over and the ISR shrink; kill a second one and watch ' +
    'produce requests fail with `NOT_ENOUGH_REPLICAS`; add a third consumer and watch the group rebalance.',
  seed: 1,
  cluster: {
    brokers: [
      { id: 1, rack: 'a' },
      { id: 2, rack: 'b' },
      { id: 3, rack: 'c' },
    ],
    // As in the server.properties Kafka ships: the group's first rebalance does not wait 3 s
    // (the default) for more members, so the consumers start reading at once.
    config: { 'group.initial.rebalance.delay.ms': 0 },
    network: { latencyMs: 1, jitterMs: 1 },
  },
  topics: [{ name: 'orders', partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
  clients: [
    { kind: 'producer', id: 'checkout', config: { acks: 'all', 'enable.idempotence': true } },
    { kind: 'consumer', id: 'billing-1', groupId: 'billing', topics: ['orders'], config: { 'auto.offset.reset': 'earliest' } },
    { kind: 'consumer', id: 'billing-2', groupId: 'billing', topics: ['orders'], config: { 'auto.offset.reset': 'earliest' } },
  ],
  timeline: [{ at: 0, op: 'startLoad', producer: 'checkout', topic: 'orders', ratePerSec: 20, keys: 20, valueBytes: 100 }],
  layout: {},
};
