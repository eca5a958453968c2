/**
 * What the cluster shows the outside world: the UI (a compact snapshot, ≤30/s) and the
 * headless runner (the output document of ../shared/spec/scenario.md). Plain data only,
 * structured-clone safe. Names here are a public contract: extend, never rename.
 */
import type { KafkaError } from './errors';

export type BrokerStatus = 'up' | 'down' | 'isolated';

export interface BrokerView {
  id: number;
  rack: string | null;
  status: BrokerStatus;
  /** The controller's view: fenced after broker.session.timeout.ms without heartbeats. */
  fenced: boolean;
  /** Extra delay on its network (slowBroker), 0 when normal. */
  slowMs: number;
  /**
   * Down or cut off but not fenced yet: when the controller's session for it runs out (its
   * last heartbeat + broker.session.timeout.ms); it is fenced at the controller's next check
   * after that. null when it heartbeats, is fenced already, or no controller is running to
   * fence it (then it stays unfenced, and its partitions keep naming it, until one is).
   */
  fenceAt?: number | null;
  /** broker.session.timeout.ms, the setting that decides fenceAt. */
  sessionTimeoutMs?: number;
  /** The metadata log's end offset this broker has applied (from the active controller: pushes and heartbeats). */
  metadataOffset?: number;
  /** process.roles: `broker,controller` for a combined node that is a quorum voter. */
  processRoles?: 'broker' | 'broker,controller';
}

/** The KRaft controller quorum (controller/quorum.ts). */
export interface QuorumView {
  /** The active controller (the leader of the highest epoch that committed), -1 when none. */
  leaderId: number;
  epoch: number;
  voters: number[];
  /** The metadata log's committed offset (high watermark). */
  highWatermark: number;
  logEndOffset: number;
  /** Each voter: process.roles, Raft state (`down` when its process is stopped), its log. */
  nodes: { id: number; roles: 'controller' | 'broker,controller'; state: string; epoch: number; logEndOffset: number; highWatermark: number; running: boolean; votedId: number; leaderId: number }[];
}

export interface ReplicaView {
  broker: number;
  logEndOffset: number;
  /** The replica's own high watermark (a follower's: min(leader HW, own LEO)). */
  highWatermark: number;
  logStartOffset: number;
}

export interface RecordView {
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  headers?: Record<string, string>;
  /** A transaction marker (a control batch's record, ControlRecordType): never handed to consumers. */
  control?: 'COMMIT' | 'ABORT';
  /** The record is in a transaction (its batch's transactional bit) by this producer id. */
  transactional?: { producerId: number };
}

/** A transactional id at its coordinator (kafka-transactions.sh describe). */
export interface TransactionView {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  state: 'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort';
  /** The broker hosting its coordinator (leader of its __transaction_state partition), -1: none live. */
  coordinator: number;
  timeoutMs: number;
  /** When the current (or last) transaction started, -1: never. */
  startedAt: number;
  partitions: TopicPartition[];
  groups: string[];
  /** Partitions whose marker is not yet written (Prepare* states). */
  pendingMarkers: TopicPartition[];
}

export interface PartitionView {
  topic: string;
  partition: number;
  /** -1 when offline. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  /** A reassignment in progress: the replicas catching up, and those that leave when it completes. */
  addingReplicas?: number[];
  removingReplicas?: number[];
  highWatermark: number;
  logStartOffset: number;
  /** The leader's last stable offset: read_committed consumers read below it (equals the HW with no open transaction). */
  lastStableOffset?: number;
  replicaStates: ReplicaView[];
  /** The leader's process runs and is reachable (false when leader is -1, or names a dead or cut-off broker not yet fenced). */
  leaderAlive?: boolean;
  /** The topic's min.insync.replicas. */
  minIsr?: number;
  /** No reachable leader: reads and writes fail (leader -1, or a dead leader the controller has not fenced yet). */
  offline?: boolean;
  /** A live leader with ISR smaller than the replica set (Kafka's UnderReplicatedPartitions). */
  underReplicated?: boolean;
  /** A live leader with ISR below min.insync.replicas: acks=all writes fail with NOT_ENOUGH_REPLICAS (UnderMinIsrPartitionCount). */
  underMinIsr?: boolean;
  /** Runner output only (and UI log requests): the log from logStartOffset, offset order. */
  records?: RecordView[];
}

export interface TopicView {
  name: string;
  partitions: number;
  replicationFactor: number;
  config: Record<string, string | number | boolean | null>;
}

/** Classic groups: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead; consumer groups (KIP-848): Empty, Assigning, Reconciling, Stable, Dead. */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead' | 'Assigning' | 'Reconciling';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface GroupMemberView {
  memberId: string;
  clientId: string;
  groupInstanceId: string | null;
  assignment: TopicPartition[];
  /** Consumer groups (KIP-848): the member epoch, its CurrentAssignmentBuilder state, partitions it has yet to revoke, and target partitions still owned by another member. */
  memberEpoch?: number;
  memberState?: 'STABLE' | 'UNREVOKED_PARTITIONS' | 'UNRELEASED_PARTITIONS' | 'UNKNOWN';
  pendingRevocation?: TopicPartition[];
  pendingAssignment?: TopicPartition[];
}

export interface GroupOffsetView {
  topic: string;
  partition: number;
  /** Next offset to read; null when nothing is committed. */
  committed: number | null;
  /** As kafka-consumer-groups prints LOG-END-OFFSET: the partition's high watermark. */
  logEndOffset: number;
  /** logEndOffset − committed (null when nothing is committed). */
  lag: number | null;
}

export interface GroupView {
  groupId: string;
  state: GroupState;
  generation: number;
  /** The protocol (assignor) chosen for the current generation, or null. */
  assignor: string | null;
  /** Broker hosting the group coordinator, or -1. */
  coordinator: number;
  leader: string | null;
  members: GroupMemberView[];
  offsets: GroupOffsetView[];
  /** 'classic' or 'consumer' (group.protocol=consumer, KIP-848). */
  type?: 'classic' | 'consumer';
  /** Consumer groups: the group epoch and the epoch of the target assignment. */
  groupEpoch?: number;
  targetAssignmentEpoch?: number;
}

export interface ProducedRow {
  producer: string;
  at: number;
  topic: string;
  partition: number;
  key: string | null;
  /** Offset once acknowledged; null with acks=0 or on error. */
  offset: number | null;
  error: KafkaError | null;
}

export interface ConsumedRow {
  consumer: string;
  at: number;
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  /** The consumer's isolation.level when it read the record. */
  isolation?: 'read_committed' | 'read_uncommitted';
}

export interface ProducerView {
  id: string;
  acks: 0 | 1 | 'all';
  idempotent: boolean;
  producerId: number;
  sent: number;
  acked: number;
  failed: number;
  retries: number;
  inFlight: number;
  lastError: { at: number; error: KafkaError; topic: string; partition: number } | null;
  /** The partition of lastError has acknowledged a later batch: the producer recovered. */
  recovered?: boolean;
  loads: { topic: string; ratePerSec: number }[];
  /** The settings the user gave (Kafka's defaults apply to the rest). */
  config?: Record<string, string | number | boolean | null>;
  /** Records acknowledged per (topic, partition) leader, for produce edges. */
  targets: TopicPartition[];
  /** A transactional producer (transactional.id set): its TransactionManager state. */
  transaction?: {
    transactionalId: string;
    /** TransactionManager.State: UNINITIALIZED, INITIALIZING, READY, IN_TRANSACTION, COMMITTING_TRANSACTION, ABORTING_TRANSACTION, ABORTABLE_ERROR, FATAL_ERROR. */
    state: string;
    producerEpoch: number;
    /** Partitions added to the current transaction. */
    partitions: TopicPartition[];
    /** The error that made it abortable or fatal (PRODUCER_FENCED, ...), null when none. */
    error: KafkaError | null;
  };
}

export type ConsumerStatus = 'joining' | 'stable' | 'rebalancing' | 'closed' | 'crashed';

export interface ConsumerView {
  id: string;
  groupId: string;
  memberId: string | null;
  groupInstanceId: string | null;
  status: ConsumerStatus;
  /** The topics it subscribes to (KafkaConsumer.subscription()), sorted. */
  subscription: string[];
  /** The settings the user gave (Kafka's defaults apply to the rest). */
  config?: Record<string, string | number | boolean | null>;
  assignment: TopicPartition[];
  /** Position (next offset to fetch) per assigned partition. */
  positions: { topic: string; partition: number; position: number; lag: number; /** KIP-392: the follower it fetches from (absent: the leader). */ readReplica?: number }[];
  consumed: number;
  msPerRecord: number;
  assignor: string;
  lastError: { at: number; error: KafkaError } | null;
  /** Stable and fetching without errors since lastError: the consumer recovered. */
  recovered?: boolean;
  /** group.protocol: 'classic' or 'consumer' (KIP-848). */
  groupProtocol?: 'classic' | 'consumer';
  /** Consumer protocol: the member epoch the client last got (0 while joining). */
  memberEpoch?: number;
}

export interface MetricsView {
  /** Broker metrics by broker id, under Kafka's names. */
  brokers: Record<
    number,
    {
      UnderReplicatedPartitions: number;
      UnderMinIsrPartitionCount: number;
      AtMinIsrPartitionCount: number;
      LeaderCount: number;
      PartitionCount: number;
      IsrShrinksPerSec: number;
      IsrExpandsPerSec: number;
      MessagesInPerSec: number;
      BytesInPerSec: number;
      BytesOutPerSec: number;
    }
  >;
  controller: {
    ActiveControllerCount: number;
    OfflinePartitionsCount: number;
    PreferredReplicaImbalanceCount: number;
    FencedBrokerCount: number;
    GlobalPartitionCount: number;
    UncleanLeaderElectionsPerSec: number;
    LeaderElectionRateAndTimeMs: number;
    /** Totals since start (counters behind the rates). */
    UncleanLeaderElections: number;
    LeaderElections: number;
    IsrShrinks: number;
    IsrExpands: number;
  };
  /** records-lag-max per group. */
  groups: Record<string, { 'records-lag-max': number; 'records-lag-sum': number }>;
  /** Producer metrics by client id (producer-metrics); rates per second, latency in ms (null: no request in the window). */
  producers: Record<
    string,
    { 'record-send-rate': number; 'record-error-rate': number; 'record-retry-rate': number; 'request-latency-avg': number | null }
  >;
  /** Consumer metrics by client id (consumer-fetch-manager-metrics, consumer-coordinator-metrics). */
  consumers: Record<
    string,
    {
      'records-consumed-rate': number;
      'records-lag-max': number;
      'rebalance-total': number;
      'rebalance-latency-avg': number | null;
      'rebalance-latency-max': number | null;
      'last-rebalance-seconds-ago': number | null;
    }
  >;
}

/** Cluster events in plain data; the UI phrases them, the runner prints them. */
export type ClusterEvent = { at: number } & (
  | { type: 'BrokerDown'; broker: number }
  /** Every machine lost power at once (the powerCut op); `brokers` were running and restart from disk. */
  | { type: 'PowerCut'; brokers: number[] }
  | { type: 'BrokerUp'; broker: number }
  | { type: 'BrokerIsolated'; broker: number }
  | { type: 'BrokerHealed'; broker: number }
  | { type: 'BrokerSlowed'; broker: number; delayMs: number }
  | { type: 'BrokerFenced'; broker: number }
  | { type: 'BrokerUnfenced'; broker: number }
  | { type: 'BrokerAdded'; broker: number; rack: string | null }
  /** removeBroker: the controller forgot the broker; `replicas` partitions still list it. */
  | { type: 'BrokerUnregistered'; broker: number; replicas: number }
  /** KafkaConsumer.subscribe: the consumer's subscription is now `topics` (it rejoins its group). */
  | { type: 'Subscribed'; consumer: string; groupId: string; topics: string[] }
  | { type: 'ControllerElected'; broker: number }
  /** No voter leads a committed epoch any more: nothing is decided until one does. */
  | { type: 'ControllerLost'; broker: number }
  | { type: 'ControllerDown'; controller: number }
  | { type: 'ControllerUp'; controller: number }
  | { type: 'ControllerIsolated'; controller: number }
  | { type: 'ControllerHealed'; controller: number }
  | { type: 'QuorumLeaderElected'; leader: number; epoch: number; voters: number[] }
  | { type: 'QuorumLeaderResigned'; leader: number; epoch: number; reason: string }
  | {
      type: 'TopicCreated';
      topic: string;
      partitions: number;
      replicationFactor: number;
      /** Created by a client's metadata request (auto.create.topics.enable), naming the client. */
      autoCreatedBy?: string;
    }
  | { type: 'TopicDeleted'; topic: string }
  | { type: 'ConfigAltered'; entity: string; name: string; config: Record<string, unknown> }
  /** A key the entity does not know (Kafka logs "supplied but isn't a known config"). */
  | {
      type: 'ConfigIgnored';
      entity: 'broker' | 'topic' | 'producer' | 'consumer';
      name: string;
      key: string;
      belongsTo: 'broker' | 'topic' | 'producer' | 'consumer' | null;
      /** Present when the key is one the entity accepts but the playground does not model: why. */
      notModelled?: string;
    }
  | {
      type: 'LeaderElected';
      topic: string;
      partition: number;
      leader: number;
      leaderEpoch: number;
      isr: number[];
      reason: 'initial' | 'failover' | 'preferred' | 'unclean' | 'reassignment';
    }
  | { type: 'PartitionOffline'; topic: string; partition: number; leaderEpoch: number }
  /** CreatePartitions: the topic went from `from` to `to` partitions (keys hash over the new count). */
  | { type: 'PartitionsCreated'; topic: string; from: number; to: number }
  /** AlterPartitionReassignments: `replicas` is the target; adding replicas catch up, removing ones leave at the end. */
  | { type: 'PartitionReassignmentStarted'; topic: string; partition: number; replicas: number[]; addingReplicas: number[]; removingReplicas: number[] }
  | { type: 'PartitionReassignmentCompleted'; topic: string; partition: number; replicas: number[]; removedReplicas: number[] }
  | { type: 'PartitionReassignmentCancelled'; topic: string; partition: number; replicas: number[]; removedReplicas: number[] }
  /** A broker deleted its copy of a partition it no longer hosts (a reassignment moved it away). */
  | { type: 'ReplicaDeleted'; topic: string; partition: number; broker: number }
  /** broker: the replica that left (or rejoined) the ISR; isr: the ISR after the change. */
  | { type: 'IsrShrink'; topic: string; partition: number; broker: number; isr: number[] }
  | { type: 'IsrExpand'; topic: string; partition: number; broker: number; isr: number[] }
  | {
      type: 'LogTruncated';
      topic: string;
      partition: number;
      broker: number;
      fromOffset: number;
      toOffset: number;
    }
  | { type: 'RecordsLost'; topic: string; partition: number; fromOffset: number; toOffset: number; reason: 'unclean' }
  | { type: 'SegmentsDeleted'; topic: string; partition: number; broker: number; logStartOffset: number; reason: 'retention.ms' | 'retention.bytes' }
  | { type: 'LogCompacted'; topic: string; partition: number; broker: number; removedRecords: number }
  | { type: 'GroupStateChanged'; groupId: string; state: GroupState; generation: number; /** 'consumer' for a consumer group (KIP-848): generation is then the group epoch. */ protocol?: 'consumer' }
  | { type: 'RebalanceStarted'; groupId: string; generation: number; reason: string }
  | { type: 'RebalanceCompleted'; groupId: string; generation: number; members: number }
  /** Consumer group protocol (KIP-848): the group epoch was bumped (a member joined or left, a subscription or the topics changed). */
  | { type: 'GroupEpochBumped'; groupId: string; groupEpoch: number; reason: string }
  /** The server-side assignor computed the target assignment for the group epoch. */
  | { type: 'TargetAssignmentComputed'; groupId: string; groupEpoch: number; assignor: string; members: number }
  /** A member's current assignment moved towards its target (CurrentAssignmentBuilder). */
  | { type: 'MemberAssignmentUpdated'; groupId: string; memberId: string; memberEpoch: number; state: 'STABLE' | 'UNREVOKED_PARTITIONS' | 'UNRELEASED_PARTITIONS' | 'UNKNOWN'; assigned: TopicPartition[]; pendingRevocation: TopicPartition[] }
  | { type: 'MemberJoined'; groupId: string; memberId: string; clientId: string }
  | { type: 'MemberLeft'; groupId: string; memberId: string; clientId: string; reason: 'LeaveGroup' | 'session.timeout.ms' | 'max.poll.interval.ms' }
  | { type: 'ProduceFailed'; producer: string; topic: string; partition: number; error: KafkaError; records: number }
  | { type: 'ActionRejected'; op: string; error: KafkaError; message: string }
  | { type: 'OffsetsReset'; groupId: string; topic: string; partition: number; offset: number }
  /** A group's coordinator moved to another broker (-1: none live). */
  | { type: 'CoordinatorMoved'; groupId: string; from: number; to: number }
  /** A client was added (restarted: a crashed or closed consumer started again with its config). */
  | { type: 'ClientAdded'; kind: 'producer' | 'consumer'; id: string; groupId: string | null; restarted: boolean }
  /** A client was removed: closed (LeaveGroup for a consumer) or crashed (it just stops). */
  | { type: 'ClientRemoved'; kind: 'producer' | 'consumer'; id: string; groupId: string | null; crashed: boolean; groupInstanceId: string | null }
  /** KIP-345: a static member came back under a new member id; rebalance false: it kept its partitions. */
  | { type: 'StaticMemberRejoined'; groupId: string; groupInstanceId: string; memberId: string; previousMemberId: string; rebalance: boolean }
  /**
   * The outcome of a one-off produce action (not of steady loads): its partition and offset
   * once acknowledged (null with acks=0), or Kafka's error. sentAt: the action's time.
   */
  /** InitProducerId for a transactional.id answered: its producer id and (bumped) epoch. */
  | { type: 'TransactionInitialized'; transactionalId: string; producer: string; producerId: number; producerEpoch: number; coordinator: number }
  /** A producer began a transaction (beginTransaction, local to the client). */
  | { type: 'TransactionBegun'; producer: string; transactionalId: string }
  /** The coordinator decided the outcome (PrepareCommit / PrepareAbort); markers go out now. reason: the client's EndTxn, transaction.timeout.ms, or fencing. */
  | { type: 'TransactionPrepared'; transactionalId: string; producerId: number; producerEpoch: number; result: 'COMMIT' | 'ABORT'; reason: 'client' | 'transaction.timeout.ms' | 'fenced'; partitions: TopicPartition[] }
  /** Every marker is written (CompleteCommit / CompleteAbort). */
  | { type: 'TransactionCommitted' | 'TransactionAborted'; transactionalId: string; producerId: number; producerEpoch: number; reason: 'client' | 'transaction.timeout.ms' | 'fenced'; partitions: TopicPartition[]; groups: string[] }
  /** A newer producer with the same transactional.id bumped the epoch (by: the producer that did). */
  | { type: 'ProducerFenced'; transactionalId: string; producerId: number; producerEpoch: number; by: string }
  /** A transactional call the producer refused or that failed (INVALID_TXN_STATE, PRODUCER_FENCED, ...). */
  | { type: 'TransactionError'; producer: string; transactionalId: string | null; op: string; error: KafkaError; message: string }
  | {
      type: 'RecordProduced';
      producer: string;
      sentAt: number;
      topic: string;
      partition: number;
      key: string | null;
      offset: number | null;
      error: KafkaError | null;
      acks: 0 | 1 | 'all';
    }
);

export type ClusterEventType = ClusterEvent['type'];

/** The compact snapshot the worker posts to the UI. */
export interface ClusterSnapshot {
  time: number;
  brokers: BrokerView[];
  controller: number;
  /** The KRaft controller quorum: voters, leader, epoch, the metadata log's high watermark. */
  quorum?: QuorumView;
  topics: TopicView[];
  partitions: PartitionView[];
  groups: GroupView[];
  producers: ProducerView[];
  consumers: ConsumerView[];
  metrics: MetricsView;
  /**
   * Partition health counted from the partitions' own state, so it is right even with no
   * controller running (Kafka's OfflinePartitionsCount is reported by the active controller only).
   */
  health?: { offlinePartitions: number; underReplicatedPartitions: number; underMinIsrPartitions: number };
  /**
   * The cluster-wide broker config set by the scenario and by `alterConfig` on brokers (the
   * dynamic default broker config), without Kafka's defaults (kafka-configs --describe).
   */
  brokerConfig?: Record<string, string | number | boolean | null>;
  /** Transactional ids known to the transaction coordinator (absent when none). */
  transactions?: TransactionView[];
  /** Events since the previous snapshot (the UI keeps its own bounded history). */
  events: ClusterEvent[];
}

/** The headless runner's document (scenario.md, "The headless runner"). */
export interface RunnerOutput {
  time: number;
  brokers: { id: number; rack: string | null; status: BrokerStatus; metadataOffset: number }[];
  controller: number;
  quorum: QuorumView;
  partitions: PartitionView[];
  groups: GroupView[];
  produced: ProducedRow[];
  consumed: ConsumedRow[];
  events: ClusterEvent[];
  /** Transactional ids at their coordinator (absent when none). */
  transactions?: TransactionView[];
}
