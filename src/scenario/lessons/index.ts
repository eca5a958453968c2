/**
 * Built-in lessons: small scenario documents that each show one thing Kafka really does.
 * They load through restoreScenario like any link or file.
 */
import type { Scenario } from '../types';

const threeBrokers = [
  { id: 1, rack: 'a' },
  { id: 2, rack: 'b' },
  { id: 3, rack: 'c' },
];

export const lessons: Scenario[] = [
  {
    version: 1,
    name: 'acks=1 can lose acknowledged writes',
    description:
      'The followers of `t-0` are slowed down, so they have not fetched the record when the leader (broker 1) dies right after acknowledging it with `acks=1`. A follower becomes leader without it; when broker 1 returns it truncates to the new leader\'s epoch and the acknowledged record is gone. Run it again with `acks=all` to see the difference.',
    seed: 7,
    cluster: { brokers: threeBrokers, network: { latencyMs: 1, jitterMs: 0 } },
    topics: [{ name: 't', partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': 1 }, assignments: [[1, 2, 3]] }],
    clients: [{ kind: 'producer', id: 'p', config: { acks: 1 } }],
    timeline: [
      { at: 500, op: 'slowBroker', broker: 2, delayMs: 10000 },
      { at: 500, op: 'slowBroker', broker: 3, delayMs: 10000 },
      { at: 4000, op: 'produce', producer: 'p', topic: 't', key: 'k', value: 'acked-then-lost' },
      { at: 4100, op: 'killBroker', broker: 1 },
      { at: 4200, op: 'slowBroker', broker: 2, delayMs: 0 },
      { at: 4200, op: 'slowBroker', broker: 3, delayMs: 0 },
      { at: 30000, op: 'restartBroker', broker: 1 },
    ],
  },
  {
    version: 1,
    name: 'Unclean leader election loses data',
    description:
      'With `unclean.leader.election.enable=true`, a replica that fell out of the ISR may become leader when the whole ISR is gone. Records only the old leader had are lost: broker 1 truncates them when it comes back.',
    seed: 7,
    cluster: { brokers: threeBrokers, network: { latencyMs: 1, jitterMs: 0 } },
    topics: [{ name: 't', partitions: 1, replicationFactor: 3, config: { 'min.insync.replicas': 1, 'unclean.leader.election.enable': true }, assignments: [[1, 2, 3]] }],
    clients: [{ kind: 'producer', id: 'p', config: { acks: 1 } }],
    timeline: [
      { at: 100, op: 'produce', producer: 'p', topic: 't', key: 'a', value: 'replicated' },
      { at: 2000, op: 'killBroker', broker: 2 },
      { at: 2000, op: 'killBroker', broker: 3 },
      { at: 15000, op: 'produce', producer: 'p', topic: 't', key: 'b', value: 'only-on-1' },
      { at: 16000, op: 'killBroker', broker: 1 },
      { at: 30000, op: 'restartBroker', broker: 2 },
      { at: 60000, op: 'restartBroker', broker: 1 },
      { at: 60000, op: 'restartBroker', broker: 3 },
    ],
  },
  {
    version: 1,
    name: 'A static member rejoins without a rebalance',
    description:
      'Consumer `c1` has `group.instance.id` set. It crashes and comes back within `session.timeout.ms`: the coordinator hands it its old partitions and the generation does not change. A dynamic member would have caused two rebalances.',
    seed: 3,
    cluster: { brokers: threeBrokers },
    topics: [{ name: 'events', partitions: 4, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
    clients: [
      { kind: 'producer', id: 'p', config: {} },
      { kind: 'consumer', id: 'c1', groupId: 'g', topics: ['events'], config: { 'group.instance.id': 'c1-static', 'session.timeout.ms': 30000, 'auto.offset.reset': 'earliest' } },
      { kind: 'consumer', id: 'c2', groupId: 'g', topics: ['events'], config: { 'group.instance.id': 'c2-static', 'session.timeout.ms': 30000, 'auto.offset.reset': 'earliest' } },
    ],
    timeline: [
      { at: 0, op: 'startLoad', producer: 'p', topic: 'events', ratePerSec: 20, keys: 8, valueBytes: 40 },
      { at: 10000, op: 'removeConsumer', id: 'c1', graceful: false },
      { at: 20000, op: 'addConsumer', id: 'c1', groupId: 'g', topics: ['events'], config: { 'group.instance.id': 'c1-static', 'session.timeout.ms': 30000, 'auto.offset.reset': 'earliest' } },
    ],
  },
];
