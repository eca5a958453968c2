/**
 * What every part of the simulated cluster shares: the one scheduler (virtual clock), the
 * network, the seeded PRNG, the event stream, and a read-only view of cluster metadata
 * as clients learn it. Brokers, the controller, the group coordinator and the clients
 * all receive a ClusterContext; none of them reaches for globals.
 */
import type { Config } from './config';
import type { KafkaError } from './errors';
import type { Deferred, Network } from './sim/network';
import type { Prng } from './sim/prng';
import type { Scheduler } from './sim/scheduler';
import type { ClusterEvent, ConsumedRow, ProducedRow } from './snapshot';
import type { ProduceRequest, ProduceResponses } from './broker/broker';
import type { PartitionRef } from './broker/partition';

/** An event before the cluster stamps its time. */
export type ClusterEventBody = ClusterEvent extends infer E ? (E extends ClusterEvent ? Omit<E, 'at'> : never) : never;

export interface PartitionLeader {
  /** -1 when the partition is offline. */
  leader: number;
  leaderEpoch: number;
}

/** Metadata as a client would get it from a MetadataResponse (the controller's latest image). */
export interface MetadataView {
  topicExists(topic: string): boolean;
  /**
   * 0 when the topic does not exist. `autoCreateFor` names the client whose metadata request
   * allows auto topic creation (MetadataRequest.allowAutoTopicCreation): a missing topic is
   * then created first when the brokers' auto.create.topics.enable says so.
   */
  partitionCount(topic: string, autoCreateFor?: string): number;
  /** null when the topic or partition does not exist. A live view: read it at once, do not keep it. */
  leader(topic: string, partition: number): PartitionLeader | null;
  /** Changes whenever any topic, partition leader or broker changes (KRaft's metadata offset): caches keyed on it stay valid until it moves. */
  version(): number;
  /** Brokers registered and not fenced, ascending id. */
  liveBrokers(): number[];
  /** The partition's replicas (PartitionInfo.replicas); empty when it does not exist. A live view: do not keep it. */
  replicas(topic: string, partition: number): readonly number[];
  /** A registered broker's broker.rack (Node.rack()); null when it has none or is unknown. */
  brokerRack(id: number): string | null;
  /** MetadataCache's view of a node: registered and not fenced (Cluster.nodeIfOnline's test). */
  brokerOnline(id: number): boolean;
  /**
   * The partition leader's current high watermark, read directly. For views and
   * admin tools only (lag in describeGroups), never for client decisions.
   */
  highWatermark(topic: string, partition: number): number;
  /** First offset with timestamp >= ts on the leader (ListOffsets by timestamp), or the HW when none. */
  offsetForTimestamp(topic: string, partition: number, timestamp: number): number;
  logStartOffset(topic: string, partition: number): number;
}

// ---- Fetch (FetchRequest v15+, from a consumer) --------------------------------------

export interface FetchPartition {
  topic: string;
  partition: number;
  /**
   * `${topic}-${partition}`, the broker's key for it, when the client has it at hand: a
   * string built once is hashed once, where one concatenated per lookup is built, flattened
   * and hashed each time (issue 10's profile).
   */
  key?: string;
  fetchOffset: number;
  /** Client's known leader epoch (-1 to skip the check). */
  currentLeaderEpoch: number;
  partitionMaxBytes: number;
  /**
   * The broker's side of the consumer's fetch session: the ref of the Partition the last
   * broker to read this part found under its key (Broker.consumerPartitionFor), carried over
   * by the consumer to the part that replaces this one. A broker uses it only when it holds a
   * Partition (not stopped) of its own, which is exactly when its map holds that Partition
   * under the key; otherwise it looks the key up. Absent or null: not known yet. A stopped
   * Partition clears its ref, so no part keeps one reachable.
   */
  brokerRef?: PartitionRef | null;
  /**
   * The consumer's count of its fetches carrying this part that a broker may still read (as
   * FollowerFetchPart.holders): while 0 the consumer refills the part in place.
   */
  holders?: number;
}

export interface FetchRequest {
  /** -1 for a consumer; a broker id for a follower fetch. */
  replicaId: number;
  /** The consumer's client.rack (FetchRequest v11+ rackId, KIP-392); '' when none. */
  rackId?: string;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  partitions: FetchPartition[];
  /** FetchRequest.isolation_level: 0 read_uncommitted (up to the HW, the default), 1 read_committed (up to the LSO). */
  isolationLevel?: 0 | 1;
}

export interface FetchPartitionResponse {
  topic: string;
  partition: number;
  error: KafkaError;
  highWatermark: number;
  logStartOffset: number;
  /** Whole record batches (DefaultRecordBatch v2 bytes), offsets assigned; never mutate. */
  batches: Uint8Array[];
  /**
   * KIP-392: the replica the leader's replica.selector.class prefers this consumer to read
   * from (the response then carries no records); absent or -1 when none.
   */
  preferredReadReplica?: number;
  /** read_committed: the partition's last stable offset. */
  lastStableOffset?: number;
  /** read_committed: aborted transactions among the records returned (producer id, first offset). */
  abortedTransactions?: { producerId: number; firstOffset: number }[];
}

export interface FetchResponse {
  error: KafkaError;
  partitions: FetchPartitionResponse[];
}

export interface ListOffsetsResponse {
  error: KafkaError;
  offset: number;
}

/** What a running broker process answers to clients. Down brokers have none. */
export interface BrokerApi {
  readonly id: number;
  /**
   * `answer`: where to write the answer, the object then sent (a fetch session's, refilled
   * once its last answer was read); a new one without it.
   */
  handleFetch(req: FetchRequest, answer?: FetchResponse): FetchResponse | Deferred<FetchResponse>;
  /** timestamp: -2 earliest, -1 latest (the HW for read_uncommitted, the LSO for read_committed), else by time. */
  handleListOffsets(topic: string, partition: number, timestamp: number, isolationLevel?: 0 | 1): ListOffsetsResponse;
  /** A ProduceRequest (the transaction coordinator's WriteTxnMarkers goes through it). */
  handleProduce?(req: ProduceRequest): ProduceResponses | Deferred<ProduceResponses>;
}

export interface ClusterContext {
  readonly scheduler: Scheduler;
  readonly network: Network;
  readonly prng: Prng;
  /** Cluster-level (broker) config: scenario cluster.config over BROKER_DEFAULTS. */
  readonly brokerConfig: Config;
  readonly metadata: MetadataView;
  emit(event: ClusterEventBody): void;
  /** The running broker process with this id, or undefined when it is down. */
  brokerApi(id: number): BrokerApi | undefined;
  /** Output rows for the headless runner; no-ops when recording is off (benchmarks). */
  recordProduced(row: ProducedRow): void;
  recordConsumed(row: ConsumedRow): void;
  /** True when per-record ConsumedRows are wanted (costly at high rates). */
  readonly recordingConsumed: boolean;
  /** True when per-record ProducedRows are wanted (the runner); the UI keeps summaries. */
  readonly recordingProduced: boolean;
  /** The fewest parts a follower fetch has a fetch session for (Infinity: none; ClusterOptions.fetchSessionMinParts). */
  readonly fetchSessionMinParts: number;
}
