/**
 * The scenario document (../shared/spec/scenario.md): the playground's whole state, what a
 * share URL carries and what the headless runner executes. These names are a public
 * contract: extend, never rename (a rename needs a `version` bump and a migration).
 *
 * Plain types only: `scenario/schema.ts` validates unknown input into these, and the
 * cluster (`kafka/`) imports them as types.
 */

/** A Kafka config map: Kafka's own keys and value types (`acks`: 0 | 1 | "all" | -1). */
export type ConfigMap = Record<string, string | number | boolean | null>;

export interface BrokerSpec {
  id: number;
  rack?: string | null;
  /** Kafka's process.roles: "broker" or "broker,controller" (a combined node, a quorum voter). */
  'process.roles'?: 'broker' | 'broker,controller';
}

export interface NetworkSpec {
  latencyMs?: number;
  jitterMs?: number;
  /** Each node's link, in each direction, in MB/s (10^6 bytes a second); default 100. */
  bandwidthMBps?: number;
}

export interface ClusterSpec {
  brokers: BrokerSpec[];
  /**
   * Controller-only nodes (process.roles=controller), the KRaft quorum's voters. Absent (and no
   * broker with process.roles broker,controller, no controller.quorum.voters): three controllers,
   * ids 3000, 3001, 3002 (DEFAULT_CONTROLLERS).
   */
  controllers?: { id: number }[];
  config?: ConfigMap;
  network?: NetworkSpec;
}

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  config?: ConfigMap;
  /** Explicit assignment, partition → broker ids (optional; otherwise rack-aware placement). */
  assignments?: number[][];
}

export interface ProducerSpec {
  kind: 'producer';
  id: string;
  config?: ConfigMap;
}

export interface ConsumerSpec {
  kind: 'consumer';
  id: string;
  groupId: string;
  topics: string[];
  config?: ConfigMap;
}

export type ClientSpec = ProducerSpec | ConsumerSpec;

export type Headers = Record<string, string>;

export type OffsetResetTarget = 'earliest' | 'latest' | number | { timestamp: number };

/** One partition's target in a reassignment (the JSON of kafka-reassign-partitions). */
export interface PartitionReassignment {
  topic: string;
  partition: number;
  /** The target replicas, the first the preferred leader; null cancels. */
  replicas: number[] | null;
}

/** One timed action. `at` is virtual time in ms. */
export type TimelineAction =
  | { at: number; op: 'createTopic'; name: string; partitions: number; replicationFactor: number; config?: ConfigMap }
  | { at: number; op: 'deleteTopic'; name: string }
  | { at: number; op: 'alterConfig'; entity: 'broker' | 'topic' | 'client'; name: string; config: ConfigMap }
  | { at: number; op: 'addBroker'; id: number; rack?: string | null }
  /**
   * The broker is stopped and unregistered (kafka-cluster.sh unregister): its replicas stay
   * in the partitions' replica lists, offline or under-replicated until they are reassigned.
   */
  | { at: number; op: 'removeBroker'; broker: number }
  | { at: number; op: 'killBroker'; broker: number }
  | { at: number; op: 'killController'; controller: number }
  | { at: number; op: 'restartController'; controller: number }
  | { at: number; op: 'isolateController'; controller: number }
  | { at: number; op: 'healController'; controller: number }
  | { at: number; op: 'restartBroker'; broker: number }
  | { at: number; op: 'isolateBroker'; broker: number }
  | { at: number; op: 'healBroker'; broker: number }
  | { at: number; op: 'slowBroker'; broker: number; delayMs: number }
  | { at: number; op: 'addProducer'; id: string; config?: ConfigMap }
  | { at: number; op: 'removeProducer'; id: string }
  | {
      at: number;
      op: 'produce';
      producer: string;
      topic: string;
      key?: string | null;
      value: string | null;
      headers?: Headers;
      partition?: number;
    }
  | {
      at: number;
      op: 'startLoad';
      producer: string;
      topic: string;
      ratePerSec: number;
      keys?: number;
      valueBytes?: number;
    }
  | { at: number; op: 'stopLoad'; producer: string; topic?: string }
  | { at: number; op: 'addConsumer'; id: string; groupId: string; topics: string[]; config?: ConfigMap }
  | { at: number; op: 'removeConsumer'; id: string; graceful?: boolean }
  /** A closed or crashed consumer's application starts again, with the same config (and group.instance.id, if static). */
  | { at: number; op: 'restartConsumer'; id: string }
  /** KafkaConsumer.subscribe: the subscription becomes `topics` (empty: unsubscribe, which leaves the group); a member rejoins, so the group rebalances. */
  | { at: number; op: 'subscribe'; consumer: string; topics: string[] }
  /**
   * group.id is fixed for a KafkaConsumer's life: the application closes the consumer
   * (committing with enable.auto.commit, LeaveGroup) and creates it again with the same id,
   * config and subscription and group.id = groupId.
   */
  | { at: number; op: 'changeGroup'; consumer: string; groupId: string }
  | { at: number; op: 'setProcessingTime'; consumer: string; msPerRecord: number }
  /** partition: only that one (kafka-consumer-groups --topic t:0); absent, every partition of the topic. */
  | { at: number; op: 'resetOffsets'; group: string; topic: string; to: OffsetResetTarget; partition?: number }
  | { at: number; op: 'electLeaders'; topic: string; partition: number; type: 'preferred' | 'unclean' }
  /** CreatePartitions (kafka-topics --alter --partitions): the topic grows to `partitions` (the new total); it can only grow. */
  | { at: number; op: 'addPartitions'; topic: string; partitions: number }
  /**
   * AlterPartitionReassignments (kafka-reassign-partitions --execute) for one partition: its
   * replicas become `replicas` (null, an extension of the spec, cancels its reassignment in
   * progress). `throttleBytesPerSec` sets leader/follower.replication.throttled.rate and the
   * topic's leader/follower.replication.throttled.replicas, as --throttle does. The tool's
   * --execute over several partitions is one such op per partition, at one instant.
   */
  | ({ at: number; op: 'reassignPartitions'; throttleBytesPerSec?: number } & PartitionReassignment)
  /** Every machine loses power at once and restarts from its disk (see Cluster.powerCut). */
  | { at: number; op: 'powerCut' }
  /** KafkaProducer.beginTransaction on a producer with transactional.id (initTransactions ran when it was created). */
  | { at: number; op: 'beginTransaction'; producer: string }
  /** KafkaProducer.commitTransaction: flush, then EndTxn(COMMIT); markers go to every partition of the transaction. */
  | { at: number; op: 'commitTransaction'; producer: string }
  /** KafkaProducer.abortTransaction: EndTxn(ABORT); the records stay in the log, skipped by read_committed consumers. */
  | { at: number; op: 'abortTransaction'; producer: string }
  /**
   * KafkaProducer.sendOffsetsToTransaction: the group's offsets commit with the transaction
   * (visible to the group only on commit). Without `offsets`, the positions of the group's
   * live consumers at that moment (what a consume-transform-produce loop sends).
   */
  | { at: number; op: 'sendOffsetsToTransaction'; producer: string; group: string; offsets?: { topic: string; partition: number; offset: number }[] };

export type TimelineOp = TimelineAction['op'];

/** A lesson's chapter: playback pauses at `at` (virtual ms) and the lesson panel shows the caption. */
export interface LessonCheckpoint {
  at: number;
  /** Markdown: what to look at on screen at that moment. */
  caption: string;
}

/** A timeline action without its moment: a Try this applies it when its button is pressed. */
export type LessonAction = TimelineAction extends infer A ? (A extends TimelineAction ? Omit<A, 'at'> : never) : never;

/**
 * A lesson's suggested change: the lesson panel shows the label and explanation with a
 * button that performs the actions as user actions (the same path as the toolbar's).
 * `from: "start"` (the default) opens the lesson again and applies them at its first moment;
 * `from: "now"` applies them at the moment the run is at.
 */
export interface LessonTryThis {
  label: string;
  /** Markdown: what to change and what to watch for. */
  explanation: string;
  from?: 'start' | 'now';
  actions: LessonAction[];
}

export interface Scenario {
  version: 1;
  name?: string;
  description?: string;
  seed: number;
  cluster: ClusterSpec;
  topics?: TopicSpec[];
  clients?: ClientSpec[];
  timeline?: TimelineAction[];
  /** Lesson chapters, in any order; playback pauses at each (never changes the run). */
  checkpoints?: LessonCheckpoint[];
  /** Lesson suggestions, each with a button in the lesson panel (never changes the run by itself). */
  tryThis?: LessonTryThis[];
  /** Diagram positions only; never changes the run. */
  layout?: Record<string, { x: number; y: number }>;
}

export const SCENARIO_VERSION = 1 as const;
