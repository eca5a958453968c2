/**
 * The metrics panel's list: Kafka's metric names (broker and controller MBeans, client
 * metrics, and the lag monitors' names for lag in time), each with a one-line meaning.
 * Every entry opens its chart (chart-defs.ts metricPanels knows each name).
 */
export interface MetricEntry {
  name: string;
  /** Where Kafka reports it. */
  source: string;
  meaning: string;
}

export const METRIC_CATALOG: readonly MetricEntry[] = [
  { name: 'UnderReplicatedPartitions', source: 'kafka.server:type=ReplicaManager', meaning: 'Partitions a broker leads whose ISR is smaller than their replica set.' },
  { name: 'OfflinePartitionsCount', source: 'kafka.controller:type=KafkaController', meaning: 'Partitions with no reachable leader: reads and writes to them fail.' },
  { name: 'UnderMinIsrPartitionCount', source: 'kafka.server:type=ReplicaManager', meaning: 'Partitions whose ISR is below min.insync.replicas: acks=all writes fail with NOT_ENOUGH_REPLICAS.' },
  { name: 'InSyncReplicasCount', source: 'kafka.cluster:type=Partition', meaning: 'How many replicas of a partition are in sync with its leader (the ISR size).' },
  { name: 'IsrShrinksPerSec', source: 'kafka.server:type=ReplicaManager', meaning: 'Replicas dropped from an ISR per second (a follower fell behind or its broker was fenced).' },
  { name: 'IsrExpandsPerSec', source: 'kafka.server:type=ReplicaManager', meaning: 'Replicas that caught up and rejoined an ISR per second.' },
  { name: 'MessagesInPerSec', source: 'kafka.server:type=BrokerTopicMetrics', meaning: 'Records appended by a broker as leader per second (produce throughput).' },
  { name: 'BytesInPerSec', source: 'kafka.server:type=BrokerTopicMetrics', meaning: 'Bytes of records appended by a broker as leader per second.' },
  { name: 'BytesOutPerSec', source: 'kafka.server:type=BrokerTopicMetrics', meaning: 'Bytes a broker sends to consumers and followers per second.' },
  { name: 'record-send-rate', source: 'producer-metrics', meaning: 'Records a producer sends per second.' },
  { name: 'records-consumed-rate', source: 'consumer-fetch-manager-metrics', meaning: 'Records a consumer hands to its application per second (consume throughput).' },
  { name: 'records-lag', source: 'consumer-fetch-manager-metrics', meaning: 'Records between a partition’s log end and the group’s committed offset (summed over its partitions).' },
  { name: 'records-lag-max', source: 'consumer-fetch-manager-metrics', meaning: 'The largest lag in records over a group’s partitions.' },
  {
    name: 'kafka_consumergroup_group_max_lag_seconds',
    source: 'kafka-lag-exporter (Burrow reports the same)',
    meaning: 'Lag in time: how old the oldest unconsumed record is (now − its timestamp), over a group’s partitions.',
  },
  { name: 'time-to-drain', source: 'computed here', meaning: 'How long the lag takes to reach 0 at the current consume rate; none while the lag grows.' },
];
