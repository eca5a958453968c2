/**
 * A hand-built snapshot for unit tests of the pure view functions: three brokers, broker 2
 * down, orders-0 failed over to broker 3 with a shrunk ISR, a producer with an error and
 * a group of two consumers. Test data only; the app never imports it.
 */
import type { ClusterSnapshot, MetricsView } from '../../kafka/snapshot';

const brokerMetrics = (): MetricsView['brokers'][number] => ({
  UnderReplicatedPartitions: 0,
  UnderMinIsrPartitionCount: 0,
  AtMinIsrPartitionCount: 0,
  LeaderCount: 1,
  PartitionCount: 3,
  IsrShrinksPerSec: 0,
  IsrExpandsPerSec: 0,
  MessagesInPerSec: 120,
  BytesInPerSec: 12000,
  BytesOutPerSec: 24000,
});

export function fixtureSnapshot(): ClusterSnapshot {
  return {
    time: 12_000,
    controller: 1,
    brokers: [
      { id: 1, rack: 'a', status: 'up', fenced: false, slowMs: 0 },
      { id: 2, rack: 'b', status: 'down', fenced: true, slowMs: 0 },
      { id: 3, rack: 'c', status: 'up', fenced: false, slowMs: 0 },
    ],
    topics: [{ name: 'orders', partitions: 2, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
    partitions: [
      {
        topic: 'orders',
        partition: 0,
        leader: 3,
        leaderEpoch: 4,
        replicas: [2, 3, 1],
        isr: [3, 1],
        highWatermark: 90,
        logStartOffset: 0,
        replicaStates: [
          { broker: 2, logEndOffset: 70, highWatermark: 70, logStartOffset: 0 },
          { broker: 3, logEndOffset: 100, highWatermark: 90, logStartOffset: 0 },
          { broker: 1, logEndOffset: 90, highWatermark: 90, logStartOffset: 0 },
        ],
      },
      {
        topic: 'orders',
        partition: 1,
        leader: 1,
        leaderEpoch: 1,
        replicas: [1, 2, 3],
        isr: [1],
        highWatermark: 40,
        logStartOffset: 5,
        replicaStates: [
          { broker: 1, logEndOffset: 40, highWatermark: 40, logStartOffset: 5 },
          { broker: 2, logEndOffset: 30, highWatermark: 30, logStartOffset: 5 },
          { broker: 3, logEndOffset: 12, highWatermark: 12, logStartOffset: 5 },
        ],
      },
    ],
    groups: [
      {
        groupId: 'billing',
        state: 'Stable',
        generation: 5,
        assignor: 'range',
        coordinator: 1,
        leader: 'billing-1-aaa',
        members: [
          { memberId: 'billing-1-aaa', clientId: 'billing-1', groupInstanceId: null, assignment: [{ topic: 'orders', partition: 0 }] },
          { memberId: 'billing-2-bbb', clientId: 'billing-2', groupInstanceId: null, assignment: [{ topic: 'orders', partition: 1 }] },
        ],
        offsets: [
          { topic: 'orders', partition: 0, committed: 85, logEndOffset: 90, lag: 5 },
          { topic: 'orders', partition: 1, committed: null, logEndOffset: 40, lag: null },
        ],
      },
    ],
    producers: [
      {
        id: 'checkout',
        acks: 'all',
        idempotent: true,
        producerId: 1000,
        sent: 200,
        acked: 180,
        failed: 3,
        retries: 7,
        inFlight: 2,
        lastError: { at: 11_500, error: 'NOT_ENOUGH_REPLICAS', topic: 'orders', partition: 1 },
        loads: [{ topic: 'orders', ratePerSec: 200 }],
        targets: [{ topic: 'orders', partition: 0 }],
      },
    ],
    consumers: [
      {
        id: 'billing-1',
        groupId: 'billing',
        memberId: 'billing-1-aaa',
        groupInstanceId: null,
        status: 'stable',
        subscription: ['orders'],
        assignment: [{ topic: 'orders', partition: 0 }],
        positions: [{ topic: 'orders', partition: 0, position: 88, lag: 2 }],
        consumed: 88,
        msPerRecord: 0,
        assignor: 'range',
        lastError: null,
      },
      {
        id: 'billing-2',
        groupId: 'billing',
        memberId: 'billing-2-bbb',
        groupInstanceId: null,
        status: 'stable',
        subscription: ['orders'],
        assignment: [{ topic: 'orders', partition: 1 }],
        positions: [{ topic: 'orders', partition: 1, position: 40, lag: 0 }],
        consumed: 35,
        msPerRecord: 5,
        assignor: 'range',
        lastError: null,
      },
    ],
    metrics: {
      brokers: { 1: brokerMetrics(), 2: brokerMetrics(), 3: brokerMetrics() },
      controller: {
        ActiveControllerCount: 1,
        OfflinePartitionsCount: 0,
        PreferredReplicaImbalanceCount: 1,
        FencedBrokerCount: 1,
        GlobalPartitionCount: 2,
        UncleanLeaderElectionsPerSec: 0,
        LeaderElectionRateAndTimeMs: 0,
        UncleanLeaderElections: 0,
        LeaderElections: 3,
        IsrShrinks: 3,
        IsrExpands: 0,
      },
      groups: { billing: { 'records-lag-max': 5, 'records-lag-sum': 5 } },
      producers: { checkout: { 'record-send-rate': 20, 'record-error-rate': 0.5, 'record-retry-rate': 1, 'request-latency-avg': 2.5 } },
      consumers: {
        'billing-1': {
          'records-consumed-rate': 12,
          'records-lag-max': 2,
          'rebalance-total': 2,
          'rebalance-latency-avg': 3004,
          'rebalance-latency-max': 6008,
          'last-rebalance-seconds-ago': 4.5,
        },
      },
    },
    events: [],
  };
}
