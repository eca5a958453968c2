/**
 * The producer client: KafkaProducer with its RecordAccumulator (batching by linger.ms
 * and batch.size), BuiltInPartitioner (murmur2 for keys, sticky partitions for keyless
 * records, KIP-480/794), Sender (acks, request.timeout.ms, retries with exponential
 * backoff, delivery.timeout.ms) and TransactionManager's idempotence bookkeeping
 * (producer id, epoch, per-partition sequences; KIP-360 epoch bump when the broker lost
 * our sequence state). clients/src/main/java/org/apache/kafka/clients/producer/...
 *
 * Records never exist as objects on the hot path: a one-off send writes its record into the
 * open batch's builder; a load's records are kept as four numbers each (timestamp, key
 * index, sequence, value length) and written once, when their batch closes, straight into
 * the bytes the batch keeps (ProducerBatch.lazy). Per-record result rows exist only when
 * the runner asks for them.
 */
import { Config, PRODUCER_DEFAULTS, parseAcks } from '../config';
import type { ClusterContext } from '../context';
import { RETRIABLE_PRODUCE_ERRORS, type KafkaError } from '../errors';
import { crc32cShift, crc32cShiftTable, crc32cShiftWith, crc32cUpdate, crc32cWindows } from '../log/crc32c';
import {
  BATCH_HEADER_SIZE,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  NO_TIMESTAMP,
  RecordBatchBuilder,
  TRANSACTIONAL_FLAG_MASK,
  batchBytes,
  batchRecordCount,
  readI32,
  writeBatchHeader,
  type RecordHeader,
} from '../log/record-batch';
import { sizeOfVarint, writeVarint } from '../log/varint';
import { call, type Call } from '../sim/call';
import { brokerNode, clientNode, type Deferred, type NodeId } from '../sim/network';
import { TimeoutQueue } from '../sim/deadline';
import type { Timer } from '../sim/scheduler';
import type { ProducedRow, ProducerView, TopicPartition } from '../snapshot';
import type { ConfigMap } from '../../scenario/types';
import type { ProducePartitionData, ProduceRequest, ProduceResponse, ProduceResponses } from '../broker/broker';
import type { Broker } from '../broker/broker';
import type { InitProducerIdResponse, TransactionCoordinator } from '../transaction/transaction-coordinator';
import { partitionForKey, utf8 } from './murmur2';

/** TransactionManager.State (clients/.../producer/internals/TransactionManager.java). */
export type TransactionManagerState =
  | 'UNINITIALIZED'
  | 'INITIALIZING'
  | 'READY'
  | 'IN_TRANSACTION'
  | 'COMMITTING_TRANSACTION'
  | 'ABORTING_TRANSACTION'
  | 'ABORTABLE_ERROR'
  | 'FATAL_ERROR';

/** A request of the TransactionManager to the transaction coordinator; one in flight at a time, in order. */
type TxnRequest =
  | { kind: 'InitProducerId' }
  | { kind: 'AddPartitionsToTxn'; partitions: TopicPartition[] }
  | { kind: 'AddOffsetsToTxn'; groupId: string; offsets: { topic: string; partition: number; offset: number }[] }
  | { kind: 'EndTxn'; commit: boolean };

/** Coordinator answers the TransactionManager retries (after retry.backoff.ms). */
const RETRIABLE_TXN_ERRORS: ReadonlySet<KafkaError> = new Set<KafkaError>(['COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR', 'CONCURRENT_TRANSACTIONS', 'NETWORK_EXCEPTION', 'REQUEST_TIMED_OUT']);
/** Answers that mean another producer took the transactional.id over: fatal for this one. */
const FENCED_ERRORS: ReadonlySet<KafkaError> = new Set<KafkaError>(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING', 'TRANSACTIONAL_ID_NOT_FOUND']);

/** A record's identity for result rows: when it was sent and its key. */
interface RowInfo {
  at: number;
  key: string | null;
  /** A record of a one-off produce action: its outcome becomes a RecordProduced event. */
  explicit?: true;
}

interface ProducerBatch {
  topic: string;
  partition: number;
  key: string;
  /** The builder of an open batch with a one-off record (null: closed, or written lazily from `lazy`). */
  builder: RecordBatchBuilder | null;
  /**
   * An open batch of load records only: per record its timestamp, key index (-1: none),
   * sequence and value length, in its first recordCount * 4 elements (a reused array keeps
   * its room and what an earlier batch left past them). closeBatch writes the records
   * straight into the batch's bytes (no builder buffer written, then copied); a one-off send
   * joining it writes them into a builder first (materialize). Null otherwise.
   */
  lazy: number[] | null;
  /** The batch's size in bytes so far while `lazy` (header included), as a builder's sizeInBytes. */
  lazySize: number;
  /** batch.size when the batch opened: a builder's limit, kept for a lazy batch. */
  limit: number;
  /**
   * Closed: its bytes, with a valid CRC from the start (writeLazy, or the builder's build):
   * stamp() changes header fields the CRC covers and updates it by their change alone.
   */
  bytes: Uint8Array | null;
  recordCount: number;
  createdMs: number;
  rows: RowInfo[] | null;
  /** Idempotence stamp: the epoch and base sequence written into the header, -1 if none. */
  stampedEpoch: number;
  baseSequence: number;
  attempts: number;
  lastError: KafkaError | null;
  sendToken: number;
  sentAtMs: number;
  done: boolean;
  /** createdMs + delivery.timeout.ms, in the producer's delivery TimeoutQueue; settled once done. */
  due: number;
  settled: boolean;
  /** True when the batch came from a one-off produce action (kept in the recent results). */
  explicit: boolean;
  /** The leader its partition had when it opened (-1: none): its node's next request drains it. */
  node: number;
  /** In the open batches (records may join it); false once closed or forgotten. */
  isOpen: boolean;
  /** Neighbours in the producer's list of open batches (oldest first), null at the ends or once closed. */
  prevOpen: ProducerBatch | null;
  nextOpen: ProducerBatch | null;
  /** Neighbours in its node's list of open batches (oldest first). */
  prevAtNode: ProducerBatch | null;
  nextAtNode: ProducerBatch | null;
}

/**
 * The open batches of one node (the leader their partitions had when they opened), oldest
 * first, as an intrusive list (no Set entry per batch), and the node's linger timer.
 */
interface NodeOpen {
  node: number;
  head: ProducerBatch | null;
  tail: ProducerBatch | null;
  /** The pending linger timer while the node has open batches. */
  linger: Timer | null;
  /** Answered requests to the node, sent again (refilled) by its next requests (see InFlightRequest). */
  answered: InFlightRequest[];
  /**
   * Partitions with a batch to send to the node, in the order they became ready (each once);
   * the node's next request takes them (sendTo). Kept and emptied, as is the list a request
   * took (spareReady, given back once read), not a Set per request and an entry in a Map of
   * them per node (their tables, made and dropped per request, were ~5% of the bytes allocated at 6 x 50).
   */
  ready: PartitionQueue[];
  /** The list's id: a partition whose readyMark it is is in it (see markReady). Unique per producer. */
  readyId: number;
  spareReady: PartitionQueue[] | null;
  /** In the producer's readyNodes (its list is not empty), waiting for flushReady. */
  queuedReady: boolean;
}

/** Per topic: the partitions' `${topic}-${partition}` keys and open batches (null: none), dense by partition. */
interface TopicSlots {
  keys: string[];
  open: (ProducerBatch | null)[];
}

interface PartitionQueue {
  topic: string;
  partition: number;
  queue: ProducerBatch[];
  inFlight: ProducerBatch[];
  nextSequence: number;
  /** The last sequence the broker acknowledged in the current epoch (-1: none yet). */
  lastAckedSequence: number;
  backoffUntil: number;
  wakeTimer: Timer | null;
  /** When a batch of the partition last went out (-1: never): the view's targets. */
  lastSentMs: number;
  /** When a batch of the partition was last acknowledged (-1: never): tells when a failing partition recovered. */
  lastAckMs: number;
  /**
   * The id of the last ready list (NodeOpen.ready) the partition joined, and how many ready
   * lists not yet taken by a request hold it (more than one only after its leader moved):
   * when none does, it joins one without looking for itself in it.
   */
  readyMark: number;
  readyLists: number;
}

interface Load {
  topic: string;
  ratePerSec: number;
  /** Distinct keys `key-0` ... `key-(keyCount-1)`; 0: unkeyed. */
  keyCount: number;
  /** Keys as strings for result rows, made when first needed (a document may ask for a million keys; a run draws far fewer). */
  keyStrings: string[];
  valueBytes: number;
  carry: number;
  seq: number;
  timer: Timer | null;
  /** keyPartitions[keyIdx]: the key's partition (-1: not computed yet) while the topic has partitionsFor partitions; empty past MAX_CACHED_KEY_PARTITIONS keys. */
  keyPartitions: number[];
  partitionsFor: number;
}

/** A reset connection answers every request on it alike. */
const NETWORK_EXCEPTION_RESPONSE: ProduceResponse = Object.freeze({ error: 'NETWORK_EXCEPTION', baseOffset: -1, logStartOffset: -1 });
const NOT_LEADER_RESPONSE: ProduceResponse = Object.freeze({ error: 'NOT_LEADER_OR_FOLLOWER', baseOffset: -1, logStartOffset: -1 });

/**
 * A ProduceRequest to one node with what sending it takes: in the request TimeoutQueue until
 * answered. Once its answer is read it goes back to its node's `answered` list and a later
 * request to the node refills it (batches, queues, the request's partitions and the answer
 * objects it carries, the Calls) instead of making them anew. Only an answered one is
 * reused: the broker has handled it and written its answers, and nothing else holds it. One
 * that timed out or was reset may still be on its way, or parked at the broker: it is never
 * sent again. acks=0 requests are never answered: made for each send, never reused.
 */
interface InFlightRequest {
  node: number;
  /** The batches sent and their partitions' queues, in the request's order. */
  batches: ProducerBatch[];
  queues: PartitionQueue[];
  req: ProduceRequest;
  /** Partition data and answer objects a larger earlier request had, for a larger later one. */
  spareParts: ProducePartitionData[];
  spareResponses: ProduceResponse[];
  token: number;
  /** Answered, reset or timed out (its batches dealt with). */
  settled: boolean;
  /** This send's entry in the request TimeoutQueue. */
  timeout: RequestTimeout | null;
  handle: Call;
  onResponse: Call;
  onReset: Call;
}

/**
 * A send's request.timeout.ms, in the producer's request TimeoutQueue: an object per send, not
 * the reused request itself. An answered entry stays in the queue until it reaches the front;
 * a request refilled meanwhile would be in it twice, its old place (due earlier) made live
 * again, holding back every timeout behind it.
 */
interface RequestTimeout {
  due: number;
  settled: boolean;
  r: InFlightRequest;
}

/**
 * Answered requests kept per node for reuse. Requests to a node overlap little (one per
 * linger.ms or answer), and every one kept is part of the cluster's state (checkpoints and
 * saved moments carry it): a burst of overlapping requests leaves no more than this behind.
 */
const MAX_ANSWERED_PER_NODE = 2;

/** What a released request's partitions hold instead of a sent batch's bytes (nothing kept alive). */
const NO_BATCH = new Uint8Array(0);

export interface ProducerEnv {
  readonly ctx: ClusterContext;
  peer(id: number): Broker | undefined;
  /** The transaction coordinator (FindCoordinator and the transactional requests go to it). */
  readonly txnCoordinator?: TransactionCoordinator;
}

/** One of the last results of one-off sends, for the inspector. */
export type RecentResult = Omit<ProducedRow, 'producer'>;

const HEADER_PRODUCER_ID = 43;
const HEADER_PRODUCER_EPOCH = 51;
const HEADER_BASE_SEQUENCE = 53;
const HEADER_CRC = 17;
const HEADER_ATTRIBUTES = 21;

export class Producer {
  readonly node: NodeId;
  config: Config;
  acks: 0 | 1 | 'all' = 'all';
  idempotent = true;
  /** Assigned at creation for an idempotent producer; a transactional one gets it from InitProducerId. */
  producerId: number;
  producerEpoch = 0;
  // ---- TransactionManager (a producer with transactional.id) ----
  /** transactional.id, null for a non-transactional producer. */
  transactionalId: string | null;
  /** The producer id the cluster gave it at creation, for idempotence without a transactional.id. */
  private readonly idempotentProducerId: number;
  /** Its epoch under that id when it became transactional (bumped if it goes back). */
  private idempotentEpoch = 0;
  txnState: TransactionManagerState = 'UNINITIALIZED';
  /** Why the producer is in ABORTABLE_ERROR or FATAL_ERROR. */
  txnError: KafkaError | null = null;
  /** beginTransaction came while InitProducerId was in flight (the application waits in initTransactions). */
  private beginPending = false;
  /** Partitions the coordinator has added to the current transaction. */
  private readonly txnPartitions = new Map<string, TopicPartition>();
  /** Partitions with records waiting for AddPartitionsToTxn. */
  private readonly newTxnPartitions = new Map<string, TopicPartition>();
  /** Something (a partition or offsets) was added to the transaction: its end needs EndTxn. */
  private txnStarted = false;
  private readonly txnQueue: TxnRequest[] = [];
  private txnInFlight: TxnRequest | null = null;
  private txnToken = 0;
  private txnTimer: Timer | null = null;
  /** A batch of the aborted transaction failed: the epoch is bumped (InitProducerId) after the abort (KIP-360). */
  private epochBumpAfterAbort = false;
  private closed = false;
  /** The open batches, oldest first (an intrusive list through the batches). */
  private openHead: ProducerBatch | null = null;
  private openTail: ProducerBatch | null = null;
  /** Open batches by the leader their partition had when they opened, with the node's linger timer. */
  private readonly openByNode = new Map<number, NodeOpen>();
  /** Per topic: partition keys and the open batch of each partition. */
  private readonly topicSlots = new Map<string, TopicSlots>();
  /** The nodes with partitions ready to send (NodeOpen.ready), in the order they got the first one. */
  private readonly readyNodes: NodeOpen[] = [];
  /** The last ready list id given (NodeOpen.readyId). */
  private readyIds = 0;
  /**
   * Above 0 while a drain or a response is handled: requests wait until it ends, so that one
   * request per node carries every partition that became ready meanwhile.
   */
  private holdSends = 0;
  /** delivery.timeout.ms of every batch not done, one Deadline for all (not a timer per batch). */
  private readonly deliveryTimeouts: TimeoutQueue<ProducerBatch>;
  /** request.timeout.ms of every request in flight. */
  private readonly requestTimeouts: TimeoutQueue<RequestTimeout>;
  private readonly queues = new Map<string, PartitionQueue>();
  private readonly sticky = new Map<string, { partition: number; bytes: number }>();
  private readonly loads = new Map<string, Load>();
  private token = 0;
  /** Sequence of load-generated records across all loads: values stay unique per producer (public: kafka/durable.ts continues it after a restart). */
  loadSeq = 0;
  readonly recent: RecentResult[] = [];
  // counters (producer metrics)
  sent = 0;
  acked = 0;
  failed = 0;
  retries = 0;
  latencySumMs = 0;
  latencyCount = 0;
  lastError: ProducerView['lastError'] = null;

  constructor(
    private readonly env: ProducerEnv,
    readonly id: string,
    config: ConfigMap | undefined,
    producerId: number,
  ) {
    this.node = clientNode(id);
    this.producerId = producerId;
    this.idempotentProducerId = producerId;
    this.deliveryTimeouts = new TimeoutQueue<ProducerBatch>(env.ctx.scheduler, call(this, this.expire));
    this.requestTimeouts = new TimeoutQueue<RequestTimeout>(env.ctx.scheduler, call(this, this.onRequestTimeout));
    this.config = new Config([config ?? {}, PRODUCER_DEFAULTS]);
    this.applyConfig(config ?? {});
    env.ctx.network.up(this.node);
    const tid = this.config.raw('transactional.id');
    this.transactionalId = typeof tid === 'string' && tid !== '' ? tid : null;
    if (this.transactionalId !== null) {
      // initTransactions(), which the application calls first: the producer id comes from the coordinator.
      this.producerId = -1;
      this.producerEpoch = -1;
      this.txnState = 'INITIALIZING';
      this.enqueueTxn({ kind: 'InitProducerId' });
    }
  }

  private get ctx(): ClusterContext {
    return this.env.ctx;
  }

  /**
   * Kafka's rule: idempotence needs acks=all; when the user sets acks without setting
   * idempotence, idempotence is silently off (ProducerConfig.postProcessAndValidateIdempotenceConfigs).
   */
  private applyConfig(user: ConfigMap): void {
    this.acks = parseAcks(this.config.raw('acks'));
    const explicitIdem = Object.prototype.hasOwnProperty.call(user, 'enable.idempotence');
    const explicitAcks = Object.prototype.hasOwnProperty.call(user, 'acks');
    if (explicitIdem) this.idempotent = this.config.bool('enable.idempotence') && this.acks === 'all';
    else this.idempotent = !explicitAcks || this.acks === 'all';
    const c = this.config;
    this.batchSize = c.int('batch.size');
    this.lingerMs = c.int('linger.ms');
    this.maxRequestSize = c.int('max.request.size');
    this.ignoreKeys = c.bool('partitioner.ignore.keys');
    this.deliveryTimeoutMs = c.int('delivery.timeout.ms');
    this.requestTimeoutMs = c.int('request.timeout.ms');
    this.maxInFlightPerConnection = c.int('max.in.flight.requests.per.connection');
  }

  // The settings read per record, per batch or per request: read once when the config is
  // set (applyConfig), not looked up by name each time.
  private batchSize = 0;
  private lingerMs = 0;
  private maxRequestSize = 0;
  private ignoreKeys = false;
  private deliveryTimeoutMs = 0;
  private requestTimeoutMs = 0;
  private maxInFlightPerConnection = 0;

  private userConfig: ConfigMap = {};

  alterConfig(map: ConfigMap): void {
    this.userConfig = { ...this.userConfig, ...map };
    this.config = new Config([this.userConfig, PRODUCER_DEFAULTS]);
    const wasIdempotent = this.idempotent;
    this.applyConfig(this.userConfig);
    const raw = this.config.raw('transactional.id');
    const tid = typeof raw === 'string' && raw !== '' ? raw : null;
    if (tid !== this.transactionalId) this.changeTransactionalId(tid);
    else if (wasIdempotent !== this.idempotent) this.bumpEpoch();
  }

  /**
   * A new transactional.id from the settings form: in Kafka the application would create the
   * producer again with it, so the transaction manager starts over (initTransactions with
   * the new id; without one, the producer is idempotent again under its own producer id).
   * An open transaction is left to its coordinator (transaction.timeout.ms aborts it).
   */
  private changeTransactionalId(tid: string | null): void {
    this.flushAll();
    if (this.transactionalId === null) this.idempotentEpoch = this.producerEpoch;
    this.transactionalId = tid;
    this.txnTimer?.cancel();
    this.txnTimer = null;
    this.txnQueue.length = 0;
    this.txnInFlight = null;
    this.txnToken++;
    this.txnPartitions.clear();
    this.newTxnPartitions.clear();
    this.txnStarted = false;
    this.txnError = null;
    this.beginPending = false;
    this.epochBumpAfterAbort = false;
    if (tid === null) {
      this.txnState = 'UNINITIALIZED';
      this.producerId = this.idempotentProducerId;
      this.producerEpoch = this.idempotentEpoch;
      this.bumpEpoch();
      this.txnSendAll();
      return;
    }
    this.producerId = -1;
    this.producerEpoch = -1;
    this.txnState = 'INITIALIZING';
    this.enqueueTxn({ kind: 'InitProducerId' });
  }

  initUserConfig(map: ConfigMap | undefined): void {
    this.userConfig = { ...(map ?? {}) };
  }

  /** The settings the user gave (a restarted process starts again with them). */
  userConfigMap(): ConfigMap {
    return { ...this.userConfig };
  }

  /** The loads running now, as startLoad would start them again. */
  loadSpecs(): { topic: string; ratePerSec: number; keys: number; valueBytes: number }[] {
    return [...this.loads.values()].map((l) => ({ topic: l.topic, ratePerSec: l.ratePerSec, keys: l.keyCount, valueBytes: l.valueBytes }));
  }

  close(): void {
    this.closed = true;
    this.txnTimer?.cancel();
    this.txnTimer = null;
    for (const l of this.loads.values()) l.timer?.cancel();
    this.loads.clear();
    // Batches' delivery timeouts find the producer closed and do nothing.
    for (const q of this.queues.values()) q.wakeTimer?.cancel();
    this.ctx.network.down(this.node);
  }

  // ---- send path -----------------------------------------------------------------------

  /** KafkaProducer.send for one record. Returns the partition chosen, or an error. */
  send(
    topic: string,
    key: string | null,
    value: string | null,
    headers?: Record<string, string>,
    partition?: number,
  ): { partition: number; error: KafkaError | null } {
    const now = this.ctx.scheduler.now;
    if (!this.maySendInTxn()) {
      // KafkaProducer.send on a transactional producer outside a transaction: TransactionManager.maybeAddPartition throws.
      this.recordFailure(topic, partition ?? -1, this.txnSendError(), [{ at: now, key, explicit: true }], true);
      return { partition: partition ?? -1, error: this.txnSendError() };
    }
    const n = this.ctx.metadata.partitionCount(topic, this.id);
    if (n === 0 || (partition !== undefined && (partition < 0 || partition >= n))) {
      const error: KafkaError = 'UNKNOWN_TOPIC_OR_PARTITION';
      this.recordFailure(topic, partition ?? -1, error, [{ at: now, key, explicit: true }], true);
      return { partition: partition ?? -1, error };
    }
    const keyBytes = key === null ? null : utf8(key);
    const valueBytes = value === null ? null : utf8(value);
    const hdrs: RecordHeader[] | undefined = headers
      ? Object.keys(headers)
          .sort()
          .map((k) => ({ key: k, value: utf8(headers[k]!) }))
      : undefined;
    const tooLarge = this.recordTooLarge(keyBytes?.length ?? -1, valueBytes?.length ?? -1, hdrs);
    if (tooLarge) {
      this.recordFailure(topic, partition ?? -1, 'MESSAGE_TOO_LARGE', [{ at: now, key }], true);
      return { partition: partition ?? -1, error: 'MESSAGE_TOO_LARGE' };
    }
    const size = (keyBytes?.length ?? 0) + (valueBytes?.length ?? 0) + 16;
    const p = this.choosePartition(topic, n, keyBytes, partition, size);
    const batch = this.batchFor(topic, p, true);
    if (batch.builder === null) this.materialize(batch);
    if (!batch.builder!.tryAppend(now, keyBytes, valueBytes, hdrs)) {
      this.drain(batch);
      const fresh = this.batchFor(topic, p, true);
      fresh.builder!.tryAppend(now, keyBytes, valueBytes, hdrs);
      this.noteRecord(fresh, now, key, true);
    } else this.noteRecord(batch, now, key, true);
    return { partition: p, error: null };
  }

  /**
   * KafkaProducer.ensureValidRecordSize: a record whose batch, at its upper bound
   * (AbstractRecords.estimateSizeInBytesUpperBound: the v2 batch header, 21 bytes of record
   * overhead, the varint lengths), is larger than max.request.size fails at once with
   * RecordTooLargeException, which is MESSAGE_TOO_LARGE; it is never sent.
   */
  private recordTooLarge(keyLength: number, valueLength: number, headers: RecordHeader[] | undefined, maxRequestSize = this.maxRequestSize): boolean {
    let size = BATCH_HEADER_SIZE + 21 + sizeOfVarint(keyLength) + Math.max(0, keyLength) + sizeOfVarint(valueLength) + Math.max(0, valueLength);
    // No headers (every load record): no empty array made to walk (`headers ?? []` was one per record).
    if (headers === undefined) return size + sizeOfVarint(0) > maxRequestSize;
    size += sizeOfVarint(headers.length);
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i]!;
      const k = utf8(h.key).length;
      const v = h.value === null ? -1 : h.value.length;
      size += sizeOfVarint(k) + k + sizeOfVarint(v) + Math.max(0, v);
    }
    return size > maxRequestSize;
  }

  private noteRecord(b: ProducerBatch, at: number, key: string | null, explicit = false): void {
    // A one-off record joining a load's batch: rows start now, aligned with the records before it.
    if (explicit && !b.rows) b.rows = Array.from({ length: b.recordCount }, () => ({ at: b.createdMs, key: null }));
    b.recordCount++;
    this.sent++;
    if (b.rows) b.rows.push(explicit ? { at, key, explicit: true } : { at, key });
    if ((b.builder === null ? b.lazySize : b.builder.sizeInBytes) >= this.batchSize) this.drain(b);
  }

  private choosePartition(topic: string, n: number, keyBytes: Uint8Array | null, explicit: number | undefined, size: number): number {
    if (explicit !== undefined) return explicit;
    if (keyBytes !== null && !this.ignoreKeys) return partitionForKey(keyBytes, n);
    // Sticky partitioning: stay on one partition until batch.size bytes went to it.
    let s = this.sticky.get(topic);
    const batchSize = this.batchSize;
    if (!s || s.partition >= n || s.bytes >= batchSize) {
      const withLeader: number[] = [];
      for (let i = 0; i < n; i++) {
        const l = this.ctx.metadata.leader(topic, i);
        if (l && l.leader >= 0) withLeader.push(i);
      }
      const pool = withLeader.length > 0 ? withLeader : Array.from({ length: n }, (_, i) => i);
      let choice = this.ctx.prng.pick(pool);
      if (s && pool.length > 1 && choice === s.partition) choice = pool[(pool.indexOf(choice) + 1) % pool.length]!;
      s = { partition: choice, bytes: 0 };
      this.sticky.set(topic, s);
    }
    s.bytes += size;
    return s.partition;
  }

  /** The topic's slots, covering partitions 0 .. count-1 at least. */
  private slotsOf(topic: string, count: number): TopicSlots {
    let t = this.topicSlots.get(topic);
    if (!t) this.topicSlots.set(topic, (t = { keys: [], open: [] }));
    // `${topic}-${partition}` strings, built once per partition (not once per record).
    while (t.keys.length < count) {
      t.keys.push(`${topic}-${t.keys.length}`);
      t.open.push(null);
    }
    return t;
  }

  private keyOf(topic: string, partition: number): string {
    return this.slotsOf(topic, partition + 1).keys[partition]!;
  }

  private batchFor(topic: string, partition: number, explicit: boolean): ProducerBatch {
    const slots = this.slotsOf(topic, partition + 1);
    let b = slots.open[partition]!;
    if (b !== null) {
      if (explicit) b.explicit = true;
      return b;
    }
    const key = slots.keys[partition]!;
    const now = this.ctx.scheduler.now;
    b = slots.open[partition] = {
      topic,
      partition,
      key,
      builder: explicit ? RecordBatchBuilder.obtain(now, this.batchSize) : null,
      lazy: explicit ? null : (FREE_LAZY.pop() ?? []),
      lazySize: BATCH_HEADER_SIZE,
      limit: this.batchSize,
      bytes: null,
      recordCount: 0,
      createdMs: now,
      rows: this.ctx.recordingProduced || explicit ? [] : null,
      stampedEpoch: -1,
      baseSequence: -1,
      attempts: 0,
      lastError: null,
      sendToken: 0,
      sentAtMs: 0,
      done: false,
      due: now + this.deliveryTimeoutMs,
      settled: false,
      explicit,
      node: this.ctx.metadata.leader(topic, partition)?.leader ?? -1,
      isOpen: true,
      prevOpen: this.openTail,
      nextOpen: null,
      prevAtNode: null,
      nextAtNode: null,
    };
    if (this.openTail === null) this.openHead = b;
    else this.openTail.nextOpen = b;
    this.openTail = b;
    const at = this.nodeOpen(b.node);
    b.prevAtNode = at.tail;
    if (at.tail === null) at.head = b;
    else at.tail.nextAtNode = b;
    at.tail = b;
    // One linger timer per node, not per batch: the node's request drains all its open
    // batches, so only its oldest open batch's linger matters.
    if (at.linger === null) at.linger = this.ctx.scheduler.after(this.lingerMs, call(this, this.nodeLingerExpired, at));
    this.deliveryTimeouts.add(b);
    return b;
  }

  private nodeOpen(node: number): NodeOpen {
    let at = this.openByNode.get(node);
    if (!at) this.openByNode.set(node, (at = { node, head: null, tail: null, linger: null, answered: [], ready: [], readyId: ++this.readyIds, spareReady: null, queuedReady: false }));
    return at;
  }

  /**
   * @scheduled linger.ms after the oldest open batch for `node` opened: close every open
   * batch of the node and send (the Sender finds the node ready). If that batch went out
   * meanwhile (full, or drained with a request), wait for the oldest one left.
   */
  private nodeLingerExpired(at: NodeOpen): void {
    at.linger = null;
    const oldest = at.head;
    if (oldest === null) return;
    const due = oldest.createdMs + this.lingerMs;
    if (due > this.ctx.scheduler.now) {
      at.linger = this.ctx.scheduler.at(due, call(this, this.nodeLingerExpired, at));
      return;
    }
    this.holdSends++;
    // closeBatch takes each batch off the node's list: the head is the next one.
    let b: ProducerBatch | null;
    while ((b = at.head) !== null) this.closeBatch(b);
    this.holdSends--;
    this.flushReady();
  }


  /** The batch is full or lingered long enough: close it; its node's request goes now. */
  private drain(b: ProducerBatch): void {
    if (!b.isOpen) return;
    this.holdSends++;
    this.closeBatch(b);
    this.holdSends--;
    this.flushReady();
  }

  /** Closes an open batch and queues it for its partition. */
  private closeBatch(b: ProducerBatch): void {
    this.forgetOpen(b);
    if (b.recordCount === 0 || this.closed) {
      // Never sent: its builder goes back to the pool (release is safe twice).
      b.builder?.release();
      b.builder = null;
      return;
    }
    // Closed with a valid CRC; stamp() updates it by the header's change (CRC linearity), an
    // idempotent producer's id and sequence, without reading the records again.
    if (b.builder === null) b.bytes = this.writeLazy(b);
    else {
      b.bytes = b.builder.build();
      b.builder.release();
      b.builder = null;
    }
    const q = this.queueFor(b);
    q.queue.push(b);
    this.trySend(q);
  }

  private forgetOpen(b: ProducerBatch): void {
    b.isOpen = false;
    this.topicSlots.get(b.topic)!.open[b.partition] = null;
    const prev = b.prevOpen;
    const next = b.nextOpen;
    if (prev === null) this.openHead = next;
    else prev.nextOpen = next;
    if (next === null) this.openTail = prev;
    else next.prevOpen = prev;
    b.prevOpen = b.nextOpen = null;
    const at = this.openByNode.get(b.node)!;
    const prevAt = b.prevAtNode;
    const nextAt = b.nextAtNode;
    if (prevAt === null) at.head = nextAt;
    else prevAt.nextAtNode = nextAt;
    if (nextAt === null) at.tail = prevAt;
    else nextAt.prevAtNode = prevAt;
    b.prevAtNode = b.nextAtNode = null;
  }

  /** The open batches, oldest first (a copy: closing them changes the list). */
  private openBatches(): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    for (let b = this.openHead; b !== null; b = b.nextOpen) out.push(b);
    return out;
  }

  private queueFor(b: ProducerBatch): PartitionQueue {
    let q = this.queues.get(b.key);
    if (!q) {
      q = { topic: b.topic, partition: b.partition, queue: [], inFlight: [], nextSequence: 0, lastAckedSequence: -1, backoffUntil: 0, wakeTimer: null, lastSentMs: -1, lastAckMs: -1, readyMark: 0, readyLists: 0 };
      this.queues.set(b.key, q);
    }
    return q;
  }

  private maxInFlight(): number {
    const n = this.maxInFlightPerConnection;
    return this.idempotent ? Math.min(5, n) : n;
  }

  /** Marks the partition ready at its leader if it has a batch it may send now. */
  private trySend(q: PartitionQueue): void {
    if (this.closed || q.queue.length === 0) return;
    const now = this.ctx.scheduler.now;
    if (now < q.backoffUntil) {
      this.wakeAt(q, q.backoffUntil);
      return;
    }
    if (q.inFlight.length >= this.maxInFlight()) return;
    if (this.transactionalId !== null && !this.txnPartitionReady(q)) return;
    const leader = this.ctx.metadata.leader(q.topic, q.partition);
    if (!leader || leader.leader < 0) {
      // No leader known: wait for metadata (a refresh after retry.backoff.ms).
      this.wakeAt(q, now + this.backoffMs(0));
      return;
    }
    this.markReady(this.nodeOpen(leader.leader), q);
    this.flushReady();
  }

  /** Adds the partition to the node's ready list, unless it is in it already. */
  private markReady(at: NodeOpen, q: PartitionQueue): void {
    if (q.readyMark === at.readyId) return;
    // In another node's list too (its leader moved): look for it in this one.
    if (q.readyLists > 0 && at.ready.indexOf(q) >= 0) return;
    at.ready.push(q);
    q.readyMark = at.readyId;
    q.readyLists++;
    if (!at.queuedReady) {
      at.queuedReady = true;
      this.readyNodes.push(at);
    }
  }

  /** Sends one request to each node with ready partitions (Sender.sendProduceRequests). */
  private flushReady(): void {
    while (this.holdSends === 0 && this.readyNodes.length > 0) {
      const at = this.readyNodes.shift()!;
      at.queuedReady = false;
      this.sendTo(at);
    }
  }

  /**
   * One ProduceRequest to `node`: the first queued batch of each ready partition. Like
   * RecordAccumulator.drain, it also closes the node's batches still lingering, so a node
   * gets one request per linger.ms, not one per partition.
   */
  private sendTo(at: NodeOpen): void {
    this.holdSends++;
    const node = at.node;
    if (at.head !== null) {
      // closeBatch takes only the batch it closes off the list (next is read before).
      for (let b: ProducerBatch | null = at.head, next: ProducerBatch | null; b !== null; b = next) {
        next = b.nextAtNode;
        if (this.ctx.metadata.leader(b.topic, b.partition)?.leader === node) this.closeBatch(b);
      }
      // The partitions they made ready joined the list this request takes: not queued again.
      if (at.queuedReady) {
        at.queuedReady = false;
        const nodes = this.readyNodes;
        const n = nodes.length - 1;
        for (let i = nodes.indexOf(at); i < n; i++) nodes[i] = nodes[i + 1]!;
        nodes.pop();
      }
    }
    // The request takes the list; partitions made ready from now on join a new one.
    const ready = at.ready;
    at.ready = at.spareReady ?? [];
    at.spareReady = null;
    at.readyId = ++this.readyIds;
    for (let i = 0; i < ready.length; i++) ready[i]!.readyLists--;
    const now = this.ctx.scheduler.now;
    const token = ++this.token;
    const max = this.maxInFlight();
    const r = this.requestTo(node, token);
    const batches = r.batches;
    const queues = r.queues;
    for (let i = 0; i < ready.length; i++) {
      const q = ready[i]!;
      if (q.queue.length === 0 || now < q.backoffUntil || q.inFlight.length >= max) continue;
      if (this.ctx.metadata.leader(q.topic, q.partition)?.leader !== node) {
        this.trySend(q); // the leader moved since: ready at the new one
        continue;
      }
      if (this.transactionalId !== null && !this.txnPartitionReady(q)) continue;
      const b = q.queue.shift()!;
      // A sent array belongs to the leader that appends it (ProducePartitionData.batch): a
      // retry sends a copy, never the bytes of an earlier attempt.
      if (b.attempts > 0) b.bytes = b.bytes!.slice();
      this.stamp(b, q);
      b.sendToken = token;
      b.sentAtMs = now;
      b.attempts++;
      q.lastSentMs = now;
      batches.push(b);
      queues.push(q);
    }
    if (batches.length > 0) {
      this.sendRequest(r);
      // Partitions with more queued batches go in the next request.
      for (let i = 0; i < queues.length; i++) this.trySend(queues[i]!);
    } else if (this.acks !== 0) this.releaseRequest(r); // nothing to send: unused, kept for the next request
    while (ready.length > 0) ready.pop();
    at.spareReady = ready;
    this.holdSends--;
  }

  /** A request to `node`: an answered one refilled, else a new one (see InFlightRequest). */
  private requestTo(node: number, token: number): InFlightRequest {
    const r = this.acks === 0 ? undefined : this.nodeOpen(node).answered.pop();
    if (r !== undefined) {
      r.token = token;
      r.settled = false;
      return r;
    }
    const req: ProduceRequest = { acks: -1, timeoutMs: 0, partitions: [], responses: [] };
    const made = { node, batches: [], queues: [], req, spareParts: [], spareResponses: [], token, settled: false, timeout: null } as unknown as InFlightRequest;
    made.handle = call(this, this.produceAt, node, req);
    made.onResponse = call(this, this.onProduceResponse, made);
    made.onReset = call(this, this.onProduceReset, made);
    return made;
  }

  /**
   * An answered request, read: back to its node's list (at most MAX_ANSWERED_PER_NODE kept),
   * holding no batch (its lists emptied, its partitions' bytes dropped).
   */
  private releaseRequest(r: InFlightRequest): void {
    while (r.batches.length > 0) r.batches.pop();
    while (r.queues.length > 0) r.queues.pop();
    r.timeout = null;
    const parts = r.req.partitions;
    for (let i = 0; i < parts.length; i++) parts[i]!.batch = NO_BATCH;
    // The spares already hold NO_BATCH (they were released first).
    const answered = this.nodeOpen(r.node).answered;
    if (answered.length < MAX_ANSWERED_PER_NODE) answered.push(r);
  }

  private wakeAt(q: PartitionQueue, at: number): void {
    if (q.wakeTimer) return;
    q.wakeTimer = this.ctx.scheduler.at(at, call(this, this.wake, q));
  }

  /** @scheduled */
  private wake(q: PartitionQueue): void {
    q.wakeTimer = null;
    this.trySend(q);
  }

  /** Writes producer id, epoch and base sequence into the header and fixes the CRC. */
  private stamp(b: ProducerBatch, q: PartitionQueue): void {
    const bytes = b.bytes!;
    if (!this.idempotent) return;
    if (b.stampedEpoch === this.producerEpoch) return;
    b.stampedEpoch = this.producerEpoch;
    b.baseSequence = q.nextSequence;
    q.nextSequence = (q.nextSequence + b.recordCount) | 0;
    // The bytes the stamp may change, before it, for the CRC's update: producer id, epoch and
    // base sequence, from the attributes on when the transactional bit is set too.
    const from = this.transactionalId !== null ? HEADER_ATTRIBUTES : HEADER_PRODUCER_ID;
    const to = HEADER_BASE_SEQUENCE + 4;
    const before = crc32cUpdate(0, bytes, from, to);
    writeI64(bytes, HEADER_PRODUCER_ID, this.producerId);
    bytes[HEADER_PRODUCER_EPOCH] = (this.producerEpoch >> 8) & 0xff;
    bytes[HEADER_PRODUCER_EPOCH + 1] = this.producerEpoch & 0xff;
    writeI32(bytes, HEADER_BASE_SEQUENCE, b.baseSequence);
    // A transactional producer's batches carry the transactional bit (RecordBatch.isTransactional).
    if (this.transactionalId !== null) bytes[HEADER_ATTRIBUTES + 1] = bytes[HEADER_ATTRIBUTES + 1]! | TRANSACTIONAL_FLAG_MASK;
    // The CRC was valid before (every closed batch's is) and is linear in the bytes it covers:
    // changing bytes [from, to) moves it by Z_{end - to}(R(0, old) ^ R(0, new)) over them,
    // whatever the rest (14 bytes read twice, 36 when transactional, instead of the batch).
    const after = crc32cUpdate(0, bytes, from, to);
    writeI32(bytes, HEADER_CRC, readI32(bytes, HEADER_CRC) ^ crc32cShift(before ^ after, bytes.length - to));
  }

  private sendRequest(r: InFlightRequest): void {
    const acks = this.acks === 'all' ? -1 : this.acks;
    const batches = r.batches;
    const queues = r.queues;
    const n = batches.length;
    const req = r.req;
    req.acks = acks;
    req.timeoutMs = this.requestTimeoutMs;
    // The batches' bytes on the wire, summed here: the network would walk the request for them.
    let bytes = 0;
    const partitions = req.partitions;
    const responses = req.responses!;
    // As many partition data and answer objects as batches: the extra ones to the spares.
    while (partitions.length > n) r.spareParts.push(partitions.pop()!);
    while (responses.length > n) r.spareResponses.push(responses.pop()!);
    for (let i = 0; i < n; i++) {
      const b = batches[i]!;
      bytes += b.bytes!.length;
      let pd = partitions[i];
      if (pd === undefined) partitions.push((pd = r.spareParts.pop() ?? { topic: b.topic, partition: b.partition, key: b.key, batch: b.bytes! }));
      pd.topic = b.topic;
      pd.partition = b.partition;
      pd.key = b.key;
      pd.batch = b.bytes!;
      // The answer's slot: the broker fills it (handleProduce).
      if (i === responses.length) responses.push(r.spareResponses.pop() ?? { error: 'REQUEST_TIMED_OUT', baseOffset: -1, logStartOffset: -1 });
    }
    if (acks === 0) {
      // Fire and forget: no response, no offset (acks=0 reports offset -1).
      this.ctx.network.send(this.node, brokerNode(r.node), r.handle, undefined, bytes);
      for (let i = 0; i < n; i++) this.complete(batches[i]!, queues[i]!, null, null);
      return;
    }
    for (let i = 0; i < n; i++) queues[i]!.inFlight.push(batches[i]!);
    const timeout: RequestTimeout = { due: this.ctx.scheduler.now + this.requestTimeoutMs, settled: false, r };
    r.timeout = timeout;
    this.requestTimeouts.add(timeout);
    // onReset: the broker's process is gone, the connection resets at once.
    this.ctx.network.request<ProduceResponses>(this.node, brokerNode(r.node), r.handle, r.onResponse, r.onReset, bytes);
  }

  /** @scheduled Runs at the leader: its answer to a ProduceRequest. */
  private produceAt(leader: number, req: ProduceRequest): ProduceResponses | Deferred<ProduceResponses> {
    return this.env.peer(leader)?.handleProduce(req) ?? req.partitions.map(() => NOT_LEADER_RESPONSE);
  }

  /** @scheduled request.timeout.ms passed with no answer. */
  private onRequestTimeout(t: RequestTimeout): void {
    t.settled = true;
    const r = t.r;
    r.settled = true;
    const token = r.token;
    this.holdSends++;
    for (let i = 0; i < r.batches.length; i++) {
      const b = r.batches[i]!;
      if (b.sendToken === token && !b.done) this.onResponse(b, r.queues[i]!, token, { error: 'REQUEST_TIMED_OUT', baseOffset: -1, logStartOffset: -1 });
    }
    this.holdSends--;
    this.flushReady();
  }

  /** @scheduled The answer reached the producer: one result per partition, in the request's order. */
  private onProduceResponse(r: InFlightRequest, resp: ProduceResponses): void {
    // Timed out (or reset) before: its batches were dealt with then; it is not reused.
    const late = r.settled;
    r.settled = true;
    if (r.timeout !== null) r.timeout.settled = true;
    const token = r.token;
    const batches = r.batches;
    const queues = r.queues;
    this.holdSends++;
    for (let i = 0; i < batches.length; i++) this.onResponse(batches[i]!, queues[i]!, token, resp[i] ?? NOT_LEADER_RESPONSE);
    // The answer was read (onResponse keeps no answer object): the request may go again.
    if (!late && !this.closed) this.releaseRequest(r);
    this.holdSends--;
    this.flushReady();
  }

  /** @scheduled The connection was reset: every partition in the request fails alike. */
  private onProduceReset(r: InFlightRequest): void {
    r.settled = true;
    if (r.timeout !== null) r.timeout.settled = true;
    const token = r.token;
    this.holdSends++;
    for (let i = 0; i < r.batches.length; i++) this.onResponse(r.batches[i]!, r.queues[i]!, token, NETWORK_EXCEPTION_RESPONSE);
    this.holdSends--;
    this.flushReady();
  }

  private onResponse(b: ProducerBatch, q: PartitionQueue, token: number, resp: ProduceResponse): void {
    if (this.closed || b.done || b.sendToken !== token) return;
    const now = this.ctx.scheduler.now;
    if (resp.error === 'NONE') {
      this.latencySumMs += now - b.sentAtMs;
      this.latencyCount++;
      removeItem(q.inFlight, b);
      if (this.idempotent && b.stampedEpoch === this.producerEpoch) q.lastAckedSequence = Math.max(q.lastAckedSequence, b.baseSequence + b.recordCount - 1);
      this.complete(b, q, resp.baseOffset, null);
      this.trySend(q);
      return;
    }
    if (
      resp.error === 'OUT_OF_ORDER_SEQUENCE_NUMBER' &&
      this.idempotent &&
      b.stampedEpoch === this.producerEpoch &&
      b.attempts > 1 &&
      b.baseSequence <= q.lastAckedSequence
    ) {
      // A retry of a batch whose first attempt's answer was lost, too old for the broker's
      // cache of recent batches: a later sequence of this epoch was acknowledged, and the
      // broker accepts sequences only in order, so this batch is in the log. Re-sending it
      // under a new epoch would duplicate it; it is done, at an offset the producer never
      // learnt (as Kafka's DUPLICATE_SEQUENCE_NUMBER gives offset -1).
      removeItem(q.inFlight, b);
      this.complete(b, q, null, null);
      this.trySend(q);
      return;
    }
    b.lastError = resp.error;
    this.lastError = { at: now, error: resp.error, topic: b.topic, partition: b.partition };
    if (this.transactionalId !== null && (resp.error === 'INVALID_PRODUCER_EPOCH' || resp.error === 'PRODUCER_FENCED')) {
      // A newer epoch's marker is in the partition: another producer took the transactional.id over.
      removeItem(q.inFlight, b);
      this.fenced('produce', 'PRODUCER_FENCED');
      this.fail(b, 'PRODUCER_FENCED');
      return;
    }
    const sequenceLost = resp.error === 'OUT_OF_ORDER_SEQUENCE_NUMBER' || resp.error === 'INVALID_PRODUCER_EPOCH';
    const retriable = RETRIABLE_PRODUCE_ERRORS.has(resp.error) || sequenceLost;
    const retriesLeft = b.attempts <= this.config.int('retries');
    if (!retriable || !retriesLeft) {
      removeItem(q.inFlight, b);
      // The broker refused the batch whole (MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE): its
      // sequence numbers were never used. An idempotent producer cannot leave the hole:
      // re-sequence under a new epoch, as for an expired batch (KIP-360).
      if (this.idempotent && b.stampedEpoch === this.producerEpoch && (resp.error === 'MESSAGE_TOO_LARGE' || resp.error === 'RECORD_LIST_TOO_LARGE')) this.bumpEpochOrAbort();
      this.fail(b, resp.error);
      this.trySend(q);
      return;
    }
    this.retries++;
    if (sequenceLost && q.inFlight[0] === b) {
      // The broker has lost our sequence state (e.g. truncation after an unclean election):
      // bump the epoch and re-sequence from 0 (KIP-360).
      if (this.transactionalId !== null) {
        removeItem(q.inFlight, b);
        this.bumpEpochOrAbort();
        this.fail(b, resp.error);
        this.trySend(q);
        return;
      }
      this.bumpEpoch();
    }
    // Retry in order: everything in flight for this partition goes back in front.
    const back = q.inFlight.splice(0);
    for (const x of back) x.sendToken = 0;
    q.queue.unshift(...back);
    q.backoffUntil = now + this.backoffMs(b.attempts);
    this.trySend(q);
  }

  /** An idempotent producer's epoch bump (KIP-360); a transactional one bumps it through the coordinator after aborting. */
  private bumpEpochOrAbort(): void {
    if (this.transactionalId === null) return this.bumpEpoch();
    this.epochBumpAfterAbort = true;
  }

  // ---- transactions: the TransactionManager ----------------------------------------------------

  /** May records be sent now? Always for a non-transactional producer; in a transaction for a transactional one. */
  private maySendInTxn(): boolean {
    if (this.transactionalId === null) return true;
    return this.txnState === 'IN_TRANSACTION' || (this.txnState === 'INITIALIZING' && this.beginPending);
  }

  private txnSendError(): KafkaError {
    return this.txnState === 'FATAL_ERROR' ? (this.txnError ?? 'PRODUCER_FENCED') : 'INVALID_TXN_STATE';
  }

  /**
   * A transactional producer sends to a partition only once the coordinator has added it to
   * the transaction (TransactionManager.maybeAddPartition, then AddPartitionsToTxn before the
   * Sender drains the partition's batches).
   */
  private txnPartitionReady(q: PartitionQueue): boolean {
    if (this.producerId < 0) return false;
    const s = this.txnState;
    if (s !== 'IN_TRANSACTION' && s !== 'COMMITTING_TRANSACTION' && s !== 'ABORTING_TRANSACTION') return false;
    const key = this.keyOf(q.topic, q.partition);
    if (this.txnPartitions.has(key)) return true;
    if (!this.newTxnPartitions.has(key)) {
      this.newTxnPartitions.set(key, { topic: q.topic, partition: q.partition });
      const queued = this.txnQueue.some((r) => r.kind === 'AddPartitionsToTxn');
      if (!queued) this.enqueueTxn({ kind: 'AddPartitionsToTxn', partitions: [] });
    }
    return false;
  }

  private txnSendAll(): void {
    for (const q of this.queues.values()) this.trySend(q);
  }

  private txnEvent(op: string, error: KafkaError, message: string): void {
    this.ctx.emit({ type: 'TransactionError', producer: this.id, transactionalId: this.transactionalId, op, error, message });
  }

  /** The transaction can only be aborted now (TransactionManager.transitionToAbortableError). */
  private toAbortable(error: KafkaError): void {
    if (this.txnState !== 'IN_TRANSACTION' && this.txnState !== 'COMMITTING_TRANSACTION') return;
    this.txnState = 'ABORTABLE_ERROR';
    this.txnError = error;
    this.epochBumpAfterAbort = true;
    this.txnEvent('send', error, `Transaction of ${this.transactionalId} must be aborted: a send failed with ${error}.`);
  }

  /** Another producer took the transactional.id over (TransactionManager.transitionToFatalError). */
  private fenced(op: string, error: KafkaError): void {
    if (this.txnState === 'FATAL_ERROR') return;
    this.txnState = 'FATAL_ERROR';
    this.txnError = error === 'INVALID_PRODUCER_EPOCH' ? 'PRODUCER_FENCED' : error;
    this.txnQueue.length = 0;
    this.txnEvent(
      op,
      this.txnError,
      this.txnError === 'PRODUCER_FENCED'
        ? `There is a newer producer with the same transactionalId (${this.transactionalId}) which fences the current one.`
        : `The transactional producer ${this.transactionalId} failed with ${this.txnError}: it must be closed.`,
    );
    // The Sender fails every batch not yet sent (a fatal error aborts them all).
    this.holdSends++;
    for (const b of this.openBatches()) {
      this.forgetOpen(b);
      if (b.recordCount > 0) {
        b.builder?.release();
        b.builder = null;
        this.dropLazy(b);
        this.fail(b, this.txnError);
      }
    }
    for (const q of this.queues.values()) {
      const waiting = q.queue.splice(0);
      for (const b of waiting) this.fail(b, this.txnError);
    }
    this.holdSends--;
  }

  /** beginTransaction(): local to the client. Returns the error that refused it, or null. */
  beginTransaction(): { error: KafkaError; message: string } | null {
    if (this.transactionalId === null) return { error: 'INVALID_TXN_STATE', message: `Producer ${this.id} has no transactional.id: transactional methods need one.` };
    if (this.txnState === 'READY' || (this.txnState === 'INITIALIZING' && !this.beginPending)) {
      if (this.txnState === 'READY') this.txnState = 'IN_TRANSACTION';
      else this.beginPending = true;
      this.txnPartitions.clear();
      this.txnStarted = false;
      this.txnError = null;
      this.ctx.emit({ type: 'TransactionBegun', producer: this.id, transactionalId: this.transactionalId });
      return null;
    }
    return this.invalidTransition('beginTransaction', 'IN_TRANSACTION');
  }

  private invalidTransition(op: string, target: TransactionManagerState): { error: KafkaError; message: string } {
    const error: KafkaError = this.txnState === 'FATAL_ERROR' ? (this.txnError ?? 'PRODUCER_FENCED') : 'INVALID_TXN_STATE';
    const message =
      this.txnState === 'FATAL_ERROR'
        ? `Cannot ${op}: the producer ${this.id} is fenced or failed (${error}); it must be closed.`
        : `TransactionalId ${this.transactionalId}: Invalid transition attempted from state ${this.txnState} to state ${target}`;
    this.txnEvent(op, error, message);
    return { error, message };
  }

  /** commitTransaction(): flushes, then EndTxn(COMMIT) once every batch of the transaction is acknowledged. */
  commitTransaction(): { error: KafkaError; message: string } | null {
    if (this.transactionalId === null) return { error: 'INVALID_TXN_STATE', message: `Producer ${this.id} has no transactional.id: transactional methods need one.` };
    if (this.txnState === 'ABORTABLE_ERROR') {
      const error = this.txnError ?? 'TRANSACTION_ABORTABLE';
      const message = `Cannot commit transaction since at least one previous request failed (${error}): abort it.`;
      this.txnEvent('commitTransaction', error, message);
      return { error, message };
    }
    if (this.txnState !== 'IN_TRANSACTION') return this.invalidTransition('commitTransaction', 'COMMITTING_TRANSACTION');
    this.txnState = 'COMMITTING_TRANSACTION';
    this.flushAll();
    this.checkEnd();
    return null;
  }

  /** abortTransaction(): flushes what was sent, then EndTxn(ABORT): every record of it stays in the log, aborted. */
  abortTransaction(): { error: KafkaError; message: string } | null {
    if (this.transactionalId === null) return { error: 'INVALID_TXN_STATE', message: `Producer ${this.id} has no transactional.id: transactional methods need one.` };
    if (this.txnState !== 'IN_TRANSACTION' && this.txnState !== 'ABORTABLE_ERROR') return this.invalidTransition('abortTransaction', 'ABORTING_TRANSACTION');
    this.txnState = 'ABORTING_TRANSACTION';
    this.flushAll();
    this.checkEnd();
    return null;
  }

  /** sendOffsetsToTransaction(offsets, groupMetadata): the group's offsets commit with the transaction. */
  sendOffsetsToTransaction(groupId: string, offsets: { topic: string; partition: number; offset: number }[]): { error: KafkaError; message: string } | null {
    if (this.transactionalId === null) return { error: 'INVALID_TXN_STATE', message: `Producer ${this.id} has no transactional.id: transactional methods need one.` };
    if (this.txnState !== 'IN_TRANSACTION' && !(this.txnState === 'INITIALIZING' && this.beginPending)) return this.invalidTransition('sendOffsetsToTransaction', 'IN_TRANSACTION');
    this.enqueueTxn({ kind: 'AddOffsetsToTxn', groupId, offsets: offsets.map((o) => ({ ...o })) });
    return null;
  }

  /** Closes every open batch (KafkaProducer.flush, which commitTransaction runs first). */
  private flushAll(): void {
    this.holdSends++;
    for (const b of this.openBatches()) this.closeBatch(b);
    this.holdSends--;
    this.flushReady();
  }

  private hasUnfinishedBatches(): boolean {
    if (this.openHead !== null) return true;
    for (const q of this.queues.values()) if (q.queue.length > 0 || q.inFlight.length > 0) return true;
    return false;
  }

  private scheduleEndCheck(): void {
    if (this.txnState === 'COMMITTING_TRANSACTION' || this.txnState === 'ABORTING_TRANSACTION') this.checkEnd();
  }

  /** Once every batch is done: EndTxn, or (nothing was added to the transaction) the end is local. */
  private checkEnd(): void {
    const s = this.txnState;
    if (s !== 'COMMITTING_TRANSACTION' && s !== 'ABORTING_TRANSACTION') return;
    if (this.txnInFlight?.kind === 'EndTxn' || this.txnQueue.some((r) => r.kind === 'EndTxn')) return;
    if (this.hasUnfinishedBatches() || this.newTxnPartitions.size > 0) return;
    const commit = s === 'COMMITTING_TRANSACTION';
    if (!this.txnStarted && this.txnPartitions.size === 0 && !this.txnQueue.some((r) => r.kind === 'AddOffsetsToTxn') && this.txnInFlight === null) {
      this.endedLocally(commit);
      return;
    }
    this.enqueueTxn({ kind: 'EndTxn', commit });
  }

  private endedLocally(commit: boolean): void {
    this.txnPartitions.clear();
    this.newTxnPartitions.clear();
    this.txnStarted = false;
    this.txnError = null;
    this.txnState = 'READY';
    if (!commit && this.epochBumpAfterAbort) {
      // KIP-360: a batch of the aborted transaction failed, so sequences may have a hole: a new epoch first.
      this.epochBumpAfterAbort = false;
      this.txnState = 'INITIALIZING';
      this.enqueueTxn({ kind: 'InitProducerId' });
    }
  }

  private enqueueTxn(r: TxnRequest): void {
    this.txnQueue.push(r);
    this.pumpTxn();
  }

  /** Sends the next transactional request (one at a time, as the TransactionManager's queue). */
  private pumpTxn(): void {
    if (this.closed || this.txnInFlight !== null || this.txnTimer !== null) return;
    const req = this.txnQueue[0];
    if (!req || this.transactionalId === null) return;
    const coordinator = this.env.txnCoordinator;
    const host = coordinator ? coordinator.coordinatorFor(this.transactionalId) : -1;
    if (host < 0) {
      this.txnTimer = this.ctx.scheduler.after(this.config.int('retry.backoff.ms'), call(this, this.onTxnBackoff));
      return;
    }
    if (req.kind === 'AddPartitionsToTxn') req.partitions = [...this.newTxnPartitions.values()];
    const token = ++this.txnToken;
    this.txnInFlight = req;
    this.txnTimer = this.ctx.scheduler.after(this.config.int('request.timeout.ms'), call(this, this.onTxnTimeout, token));
    this.ctx.network.request<{ error: KafkaError; producerId?: number; producerEpoch?: number }>(
      this.node,
      brokerNode(host),
      call(this, this.txnRequestAt, host, req, this.transactionalId, this.producerId, this.producerEpoch),
      call(this, this.onTxnResponse, token),
      call(this, this.onTxnReset, token),
    );
  }

  /** @scheduled A transactional request arrives at the coordinator's broker (the handler runs there). */
  private txnRequestAt(host: number, req: TxnRequest, tid: string, producerId: number, producerEpoch: number): { error: KafkaError; producerId?: number; producerEpoch?: number } {
    const c = this.env.txnCoordinator;
    if (!c) return { error: 'COORDINATOR_NOT_AVAILABLE' };
    switch (req.kind) {
      case 'InitProducerId': {
        const r: InitProducerIdResponse = c.handleInitProducerId(host, tid, this.config.int('transaction.timeout.ms'), this.id);
        return { error: r.error, producerId: r.producerId, producerEpoch: r.producerEpoch };
      }
      case 'AddPartitionsToTxn':
        return { error: c.handleAddPartitionsToTxn(host, tid, producerId, producerEpoch, req.partitions) };
      case 'AddOffsetsToTxn':
        return { error: c.handleAddOffsetsToTxn(host, tid, producerId, producerEpoch, req.groupId, req.offsets) };
      case 'EndTxn':
        return { error: c.handleEndTxn(host, tid, producerId, producerEpoch, req.commit) };
    }
  }

  /** @scheduled retry.backoff.ms after a retriable answer. */
  private onTxnBackoff(): void {
    this.txnTimer = null;
    this.pumpTxn();
  }

  /** @scheduled request.timeout.ms with no answer. */
  private onTxnTimeout(token: number): void {
    if (token !== this.txnToken || this.txnInFlight === null) return;
    this.txnTimer = null;
    this.onTxnResponse(token, { error: 'REQUEST_TIMED_OUT' });
  }

  /** @scheduled The coordinator's broker died with the request open. */
  private onTxnReset(token: number): void {
    this.onTxnResponse(token, { error: 'NETWORK_EXCEPTION' });
  }

  /** @scheduled The coordinator's answer. */
  private onTxnResponse(token: number, resp: { error: KafkaError; producerId?: number; producerEpoch?: number }): void {
    if (this.closed || token !== this.txnToken || this.txnInFlight === null) return;
    const req = this.txnInFlight;
    this.txnInFlight = null;
    this.txnTimer?.cancel();
    this.txnTimer = null;
    if (resp.error === 'NONE') {
      this.txnQueue.shift();
      this.txnSucceeded(req, resp);
    } else if (RETRIABLE_TXN_ERRORS.has(resp.error)) {
      this.txnTimer = this.ctx.scheduler.after(this.config.int('retry.backoff.ms'), call(this, this.onTxnBackoff));
      return;
    } else if (FENCED_ERRORS.has(resp.error)) {
      this.fenced(req.kind, resp.error);
      return;
    } else {
      this.txnQueue.shift();
      if (req.kind === 'InitProducerId') {
        this.txnState = 'FATAL_ERROR';
        this.txnError = resp.error;
        this.txnEvent(req.kind, resp.error, `initTransactions failed: ${resp.error}.`);
      } else if (this.txnState === 'IN_TRANSACTION' || this.txnState === 'COMMITTING_TRANSACTION') {
        this.toAbortable(resp.error);
      } else {
        this.txnEvent(req.kind, resp.error, `${req.kind} failed: ${resp.error}.`);
      }
    }
    this.pumpTxn();
  }

  private txnSucceeded(req: TxnRequest, resp: { producerId?: number; producerEpoch?: number }): void {
    switch (req.kind) {
      case 'InitProducerId': {
        this.producerId = resp.producerId ?? -1;
        this.producerEpoch = resp.producerEpoch ?? 0;
        for (const q of this.queues.values()) {
          q.nextSequence = 0;
          q.lastAckedSequence = -1;
        }
        if (this.txnState === 'INITIALIZING') this.txnState = this.beginPending ? 'IN_TRANSACTION' : 'READY';
        this.beginPending = false;
        this.txnSendAll();
        return;
      }
      case 'AddPartitionsToTxn': {
        for (const tp of req.partitions) {
          const key = this.keyOf(tp.topic, tp.partition);
          this.newTxnPartitions.delete(key);
          this.txnPartitions.set(key, tp);
        }
        this.txnStarted = true;
        if (this.newTxnPartitions.size > 0 && !this.txnQueue.some((r) => r.kind === 'AddPartitionsToTxn')) {
          // Partitions that came while the request was in flight: the next AddPartitionsToTxn, before any EndTxn.
          const end = this.txnQueue.findIndex((r) => r.kind === 'EndTxn');
          const add: TxnRequest = { kind: 'AddPartitionsToTxn', partitions: [] };
          if (end >= 0) this.txnQueue.splice(end, 0, add);
          else this.txnQueue.push(add);
        }
        this.txnSendAll();
        this.scheduleEndCheck();
        return;
      }
      case 'AddOffsetsToTxn':
        this.txnStarted = true;
        this.scheduleEndCheck();
        return;
      case 'EndTxn':
        this.endedLocally(req.commit);
        return;
    }
  }

  private bumpEpoch(): void {
    this.producerEpoch++;
    for (const q of this.queues.values()) {
      q.nextSequence = 0;
      q.lastAckedSequence = -1;
    }
  }

  /** retry.backoff.ms growing ×2 per attempt up to retry.backoff.max.ms, ±20% jitter (KIP-580). */
  private backoffMs(attempts: number): number {
    const base = this.config.int('retry.backoff.ms');
    const max = this.config.int('retry.backoff.max.ms');
    const exp = Math.min(max, base * Math.pow(2, Math.max(0, attempts - 1)));
    const jitter = 0.8 + this.ctx.prng.float() * 0.4;
    return Math.max(1, Math.round(exp * jitter));
  }

  /** delivery.timeout.ms passed since the batch was created: give up on it. */
  private expire(b: ProducerBatch): void {
    if (b.done || this.closed) return;
    const q = this.queues.get(b.key);
    if (b.isOpen) this.forgetOpen(b);
    if (q) {
      const i = q.queue.indexOf(b);
      if (i >= 0) q.queue.splice(i, 1);
      const j = q.inFlight.indexOf(b);
      if (j >= 0) q.inFlight.splice(j, 1);
    }
    if (b.recordCount === 0) return;
    // An idempotent producer cannot leave a hole in its sequence: re-sequence (KIP-360).
    if (this.idempotent && b.stampedEpoch >= 0) this.bumpEpochOrAbort();
    this.fail(b, b.lastError ?? 'REQUEST_TIMED_OUT');
    if (q) this.trySend(q);
  }

  private complete(b: ProducerBatch, q: PartitionQueue, baseOffset: number | null, error: KafkaError | null): void {
    b.done = true;
    b.settled = true;
    if (this.transactionalId !== null) this.scheduleEndCheck();
    this.acked += b.recordCount;
    q.lastAckMs = this.ctx.scheduler.now;
    if (b.rows) {
      b.rows.forEach((r, i) => {
        const offset = baseOffset === null ? null : baseOffset + i;
        if (this.ctx.recordingProduced) {
          this.ctx.recordProduced({ producer: this.id, at: r.at, topic: b.topic, partition: b.partition, key: r.key, offset, error });
        }
        if (r.explicit) this.explicitOutcome({ at: r.at, topic: b.topic, partition: b.partition, key: r.key, offset, error });
      });
    }
  }

  private fail(b: ProducerBatch, error: KafkaError): void {
    b.done = true;
    b.settled = true;
    if (this.transactionalId !== null) {
      // A failed send makes the transaction abortable (TransactionManager.maybeTransitionToErrorState).
      if (this.txnState === 'IN_TRANSACTION' || this.txnState === 'COMMITTING_TRANSACTION') this.toAbortable(error);
      this.scheduleEndCheck();
    }
    this.failed += b.recordCount;
    this.ctx.emit({ type: 'ProduceFailed', producer: this.id, topic: b.topic, partition: b.partition, error, records: b.recordCount });
    this.lastError = { at: this.ctx.scheduler.now, error, topic: b.topic, partition: b.partition };
    if (b.rows) this.recordFailure(b.topic, b.partition, error, b.rows, b.explicit, false);
  }

  private recordFailure(topic: string, partition: number, error: KafkaError, rows: RowInfo[], explicit: boolean, count = true): void {
    if (count) {
      this.failed += rows.length;
      this.lastError = { at: this.ctx.scheduler.now, error, topic, partition };
    }
    for (const r of rows) {
      if (this.ctx.recordingProduced) this.ctx.recordProduced({ producer: this.id, at: r.at, topic, partition, key: r.key, offset: null, error });
      if (explicit && r.explicit) this.explicitOutcome({ at: r.at, topic, partition, key: r.key, offset: null, error });
    }
  }

  /** A one-off record's outcome: kept in the recent results and told as an event. */
  private explicitOutcome(r: RecentResult): void {
    this.pushRecent(r);
    this.ctx.emit({ type: 'RecordProduced', producer: this.id, sentAt: r.at, topic: r.topic, partition: r.partition, key: r.key, offset: r.offset, error: r.error, acks: this.acks });
  }

  private pushRecent(r: RecentResult): void {
    this.recent.push(r);
    if (this.recent.length > 50) this.recent.shift();
  }

  // ---- steady load ----------------------------------------------------------------------

  startLoad(topic: string, ratePerSec: number, keys: number, valueBytes: number): void {
    this.stopLoad(topic);
    const load: Load = {
      topic,
      ratePerSec,
      keyCount: Math.max(0, Math.floor(keys)),
      keyStrings: [],
      valueBytes: Math.max(0, valueBytes),
      carry: 0,
      seq: 0,
      timer: null,
      keyPartitions: [],
      partitionsFor: -1,
    };
    this.loads.set(topic, load);
    const tickMs = Math.max(1, Math.min(100, Math.round(1000 / Math.max(ratePerSec, 0.001))));
    load.timer = this.ctx.scheduler.after(0, call(this, this.loadTick, topic, load, tickMs));
  }

  /** @scheduled Every tickMs while the load runs. */
  private loadTick(topic: string, load: Load, tickMs: number): void {
    if (this.closed || this.loads.get(topic) !== load) return;
    this.generate(load, tickMs);
    load.timer = this.ctx.scheduler.after(tickMs, call(this, this.loadTick, topic, load, tickMs));
  }

  stopLoad(topic?: string): void {
    for (const [t, l] of [...this.loads]) {
      if (topic === undefined || t === topic) {
        l.timer?.cancel();
        this.loads.delete(t);
      }
    }
  }

  /** Adds the records due this tick to the open batches (written when a batch closes, or into its builder). */
  private generate(load: Load, tickMs: number): void {
    const due = (load.ratePerSec * tickMs) / 1000 + load.carry;
    const count = Math.floor(due);
    load.carry = due - count;
    const now = this.ctx.scheduler.now;
    if (!this.maySendInTxn()) {
      if (count > 0) this.recordFailure(load.topic, -1, this.txnSendError(), Array.from({ length: count }, () => ({ at: now, key: null })), false);
      return;
    }
    const n = this.ctx.metadata.partitionCount(load.topic, this.id);
    if (n === 0) {
      if (count > 0) this.recordFailure(load.topic, -1, 'UNKNOWN_TOPIC_OR_PARTITION', Array.from({ length: count }, () => ({ at: now, key: null })), false);
      return;
    }
    const vlen = load.valueBytes;
    const maxRequestSize = this.maxRequestSize;
    const keyed = !this.ignoreKeys;
    const prng = this.ctx.prng;
    const topic = load.topic;
    // A key's partition depends on the key and the partition count only: computed once per
    // key (murmur2) while the count stays. A dense array (-1: not yet), so lookups stay fast
    // element loads (a sparse one filled at random indexes turns into a dictionary); for a
    // very large key space none is kept and murmur2 runs per record.
    if (load.partitionsFor !== n) {
      load.keyPartitions = load.keyCount <= MAX_CACHED_KEY_PARTITIONS ? new Array<number>(load.keyCount).fill(-1) : [];
      load.partitionsFor = n;
    }
    const keyPartitions = load.keyPartitions;
    const cachedPartitions = keyPartitions.length > 0;
    // The open batch of each partition (null: none), kept by batchFor and forgetOpen.
    const openBatches = this.slotsOf(topic, n).open;
    for (let i = 0; i < count; i++) {
      const keyIdx = load.keyCount > 0 ? prng.int(load.keyCount) : -1;
      // The key `key-<keyIdx>` is written where it goes from its digits (writeLoadKey): no
      // byte array per key to read it from (a cold line per record at 1,000 keys).
      const klen = keyIdx >= 0 ? 4 + decimalDigits(keyIdx) : -1;
      if (this.recordTooLarge(klen, vlen, undefined, maxRequestSize)) {
        this.recordFailure(topic, -1, 'MESSAGE_TOO_LARGE', [{ at: now, key: keyIdx >= 0 ? loadKey(load, keyIdx) : null }], false);
        continue;
      }
      let p: number;
      if (keyIdx >= 0 && keyed) {
        if (!cachedPartitions) p = partitionForKey(KEY_SCRATCH, n, writeLoadKey(KEY_SCRATCH, 0, keyIdx));
        else if ((p = keyPartitions[keyIdx]!) < 0) p = keyPartitions[keyIdx] = partitionForKey(KEY_SCRATCH, n, writeLoadKey(KEY_SCRATCH, 0, keyIdx));
      } else p = this.choosePartition(topic, n, null, undefined, vlen + (klen > 0 ? klen : 0) + 16);
      // The partition's open batch, remembered per partition (no lookup by key per record).
      let b = openBatches[p]!;
      if (b === null) b = this.batchFor(topic, p, false);
      const seq = this.loadSeq;
      if (b.lazy !== null) {
        // Only counted here; closeBatch writes it (lazyRecordSize: tryAppendReserve's arithmetic and limit).
        let size = lazyRecordSize(now - b.createdMs, b.recordCount, klen, vlen);
        if (b.recordCount > 0 && b.lazySize + size > b.limit) {
          this.drain(b);
          b = this.batchFor(topic, p, false);
          size = lazyRecordSize(now - b.createdMs, b.recordCount, klen, vlen);
        }
        if (b.lazy === null) this.appendLoadRecord(b.builder!, now, keyIdx, klen, vlen, seq);
        else {
          b.lazySize += size;
          pushLazy(b.lazy, b.recordCount, now, keyIdx, seq, vlen);
        }
      } else if (!this.appendLoadRecord(b.builder!, now, keyIdx, klen, vlen, seq)) {
        this.drain(b);
        b = this.batchFor(topic, p, false);
        if (b.lazy !== null) {
          b.lazySize += lazyRecordSize(now - b.createdMs, b.recordCount, klen, vlen);
          pushLazy(b.lazy, b.recordCount, now, keyIdx, seq, vlen);
        } else this.appendLoadRecord(b.builder!, now, keyIdx, klen, vlen, seq);
      }
      this.loadSeq++;
      load.seq++;
      this.noteRecord(b, now, keyIdx >= 0 && b.rows !== null ? loadKey(load, keyIdx) : null);
    }
  }

  /**
   * Appends a load record through a builder (a batch a one-off send joined): false when it
   * does not fit (batch.size), as tryAppendReserve.
   */
  private appendLoadRecord(builder: RecordBatchBuilder, now: number, keyIdx: number, klen: number, vlen: number, seq: number): boolean {
    const pos = builder.tryAppendReserveKey(now, klen, vlen);
    if (pos < 0) return false;
    const buf = builder.buffer;
    if (klen >= 0) writeLoadKey(buf, pos - sizeOfVarint(vlen) - klen, keyIdx);
    writeLoadValue(buf, pos, vlen, this.id, seq);
    return true;
  }

  /** A one-off record joins a lazy batch: its load records go into a builder first, in order. */
  private materialize(b: ProducerBatch): void {
    const lazy = b.lazy!;
    const builder = RecordBatchBuilder.obtain(b.createdMs, b.limit);
    const used = b.recordCount * 4;
    for (let i = 0; i < used; i += 4) {
      const keyIdx = lazy[i + 1]!;
      this.appendLoadRecord(builder, lazy[i]!, keyIdx, keyIdx >= 0 ? 4 + decimalDigits(keyIdx) : -1, lazy[i + 3]!, lazy[i + 2]!);
    }
    b.builder = builder;
    this.dropLazy(b);
  }

  private dropLazy(b: ProducerBatch): void {
    const lazy = b.lazy;
    if (lazy === null) return;
    b.lazy = null;
    // Not emptied: `length = 0` (or popping it empty) gives V8's backing store up, and the
    // next batch grew it again from nothing (one allocation per batch). Its elements past
    // the next batch's records are never read. One grown past a common batch is not kept.
    if (FREE_LAZY.length < MAX_FREE_LAZY && lazy.length <= MAX_POOLED_LAZY) FREE_LAZY.push(lazy);
  }

  /**
   * The bytes of a lazy batch, written once where they stay (RecordBatchBuilder's record
   * layout and build's header, byte for byte: load-records.test.ts compares them), and the
   * raw CRC register of its records taken on the way (its CRC then reads the header only): the bytes between
   * filler runs (a record's length .. its value's "<id>#<seq> ", its header count, the next
   * record's start) through crc32cUpdate, read back as just written; each run of n filler
   * bytes from filler offset `from` in four lookups and one, Z_n(state) ^ R(0, filler[from,
   * from + n)) (fillerCrcs), instead of reading its ~90 bytes again.
   */
  private writeLazy(b: ProducerBatch): Uint8Array {
    const lazy = b.lazy!;
    const out = batchBytes(b.lazySize);
    const base = b.createdMs;
    let maxTs = NO_TIMESTAMP;
    let p = BATCH_HEADER_SIZE;
    const used = b.recordCount * 4;
    /** R(0, out[BATCH_HEADER_SIZE, crcTo)): the records' register so far. */
    let state = 0;
    let crcTo = BATCH_HEADER_SIZE;
    // The filler run length of the last record that had one, and its tables (the same for
    // batch after batch: kept from the last batch, no lookup by length per batch).
    let runLength = LAST_RUN.length;
    let shift = LAST_RUN.shift;
    let windows = LAST_RUN.windows;
    const fillerLength = fillerText().length;
    for (let i = 0, offsetDelta = 0; i < used; i += 4, offsetDelta++) {
      const ts = lazy[i]!;
      const keyIdx = lazy[i + 1]!;
      const vlen = lazy[i + 3]!;
      const tsDelta = ts - base;
      const klen = keyIdx >= 0 ? 4 + decimalDigits(keyIdx) : -1;
      const body = 1 + sizeOfVarint(tsDelta) + sizeOfVarint(offsetDelta) + sizeOfVarint(klen) + (klen > 0 ? klen : 0) + sizeOfVarint(vlen) + (vlen > 0 ? vlen : 0) + 1;
      p = writeVarint(out, p, body);
      out[p++] = 0; // record attributes
      p = writeVarint(out, p, tsDelta);
      p = writeVarint(out, p, offsetDelta);
      p = writeVarint(out, p, klen);
      if (klen > 0) p += writeLoadKey(out, p, keyIdx);
      p = writeVarint(out, p, vlen);
      const seq = lazy[i + 2]!;
      const run = writeLoadValue(out, p, vlen, this.id, seq);
      if (vlen > 0) {
        p += vlen;
        // The value ends in `n` filler bytes from filler offset `from` (writeLoadValue's
        // arithmetic) unless it is longer than the filler (then zeros follow: read, as a
        // short run is).
        const n = p - run;
        if (n >= MIN_SKIPPED_RUN && n < fillerLength) {
          if (n !== runLength) {
            runLength = n;
            shift = crc32cShiftTable(n);
            windows = fillerCrcs(n);
          }
          const c = crc32cUpdate(state, out, crcTo, run);
          state = crc32cShiftWith(shift, c) ^ windows[(seq * 13) % (fillerLength - n)]!;
          crcTo = p;
        }
      }
      out[p++] = 0; // header count
      if (ts > maxTs) maxTs = ts;
    }
    const records = crc32cUpdate(state, out, crcTo, p);
    if (runLength !== LAST_RUN.length) {
      LAST_RUN.length = runLength;
      LAST_RUN.shift = shift;
      LAST_RUN.windows = windows;
    }
    const count = b.recordCount;
    writeBatchHeader(out, count, base, count === 0 ? base : maxTs, NO_PRODUCER_ID, NO_PRODUCER_EPOCH, NO_SEQUENCE, false);
    writeI32(out, HEADER_CRC, lazyBatchCrc(out, records));
    this.dropLazy(b);
    return out;
  }

  // ---- views -----------------------------------------------------------------------------

  view(): ProducerView {
    const now = this.ctx.scheduler.now;
    const targets: TopicPartition[] = [];
    // Partitions a batch went to in the last 5 s, in the order of their `${topic}-${partition}` keys.
    const sent: [string, PartitionQueue][] = [];
    for (const [key, q] of this.queues) if (q.lastSentMs >= 0 && now - q.lastSentMs <= 5000) sent.push([key, q]);
    sent.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [, q] of sent) targets.push({ topic: q.topic, partition: q.partition });
    let inFlight = 0;
    for (const q of this.queues.values()) inFlight += q.inFlight.length + q.queue.length;
    return {
      id: this.id,
      acks: this.acks,
      idempotent: this.idempotent,
      producerId: this.producerId,
      sent: this.sent,
      acked: this.acked,
      failed: this.failed,
      retries: this.retries,
      inFlight,
      lastError: this.lastError,
      // A later acknowledgement from the partition that failed: the error is history.
      recovered: this.lastError !== null && (this.queues.get(`${this.lastError.topic}-${this.lastError.partition}`)?.lastAckMs ?? -1) > this.lastError.at,
      loads: [...this.loads.values()].map((l) => ({ topic: l.topic, ratePerSec: l.ratePerSec })),
      config: { ...this.userConfig },
      targets,
      ...(this.transactionalId !== null
        ? {
            transaction: {
              transactionalId: this.transactionalId,
              state: this.txnState,
              producerEpoch: this.producerEpoch,
              partitions: [...this.txnPartitions.values()].map((tp) => ({ ...tp })),
              error: this.txnError,
            },
          }
        : {}),
    };
  }

  /** Records written to batches that have not reached an end yet. */
  pendingRecords(): number {
    let n = 0;
    for (let b = this.openHead; b !== null; b = b.nextOpen) n += b.recordCount;
    for (const q of this.queues.values()) for (const b of [...q.queue, ...q.inFlight]) n += b.bytes ? batchRecordCount(b.bytes) : b.recordCount;
    return n;
  }
}

/** Loads with more keys than this compute each record's partition (murmur2) instead of caching it per key. */
const MAX_CACHED_KEY_PARTITIONS = 65536;

let FILLER: Uint8Array | null = null;
/** 4 KiB of lowercase words, the same for every run (no randomness needed). */
export function fillerText(): Uint8Array {
  if (FILLER) return FILLER;
  const words = ['order', 'paid', 'shipped', 'cart', 'user', 'item', 'price', 'stock', 'event', 'kafka', 'topic', 'record', 'replica', 'offset', 'commit', 'lag'];
  let s = '';
  for (let i = 0; s.length < 4096; i++) s += words[(i * 7 + (i >> 3)) % words.length] + ' ';
  const bytes = utf8(s.slice(0, 4096));
  FILLER = bytes;
  return bytes;
}

/** Room for `key-<index>` of any safe integer index (murmur2 of a key reads it from here). */
const KEY_SCRATCH = new Uint8Array(32);

/** Writes a load's key `key-<keyIdx>` at buf[pos]; returns its length. */
function writeLoadKey(buf: Uint8Array, pos: number, keyIdx: number): number {
  buf[pos] = 107; // k
  buf[pos + 1] = 101; // e
  buf[pos + 2] = 121; // y
  buf[pos + 3] = 45; // -
  return writeDecimal(buf, pos + 4, pos + 24, keyIdx) - pos;
}

/** The load's key `key-<keyIdx>` as a string (result rows), made once per key. */
function loadKey(load: Load, keyIdx: number): string {
  return (load.keyStrings[keyIdx] ??= `key-${keyIdx}`);
}

/** Lazy batches' record arrays given back at close, for the next lazy batch (process memory, as builders). */
const FREE_LAZY: number[][] = [];
const MAX_FREE_LAZY = 4096;
/** A pooled record array holds at most this many numbers (1,024 records): a rare huge batch's array is left to the GC. */
const MAX_POOLED_LAZY = 4096;

/** Writes the record-th load record's four numbers into a lazy batch's array (grown only past its room). */
function pushLazy(lazy: number[], record: number, ts: number, keyIdx: number, seq: number, vlen: number): void {
  const at = record * 4;
  if (at === lazy.length) lazy.push(ts, keyIdx, seq, vlen);
  else {
    lazy[at] = ts;
    lazy[at + 1] = keyIdx;
    lazy[at + 2] = seq;
    lazy[at + 3] = vlen;
  }
}

/** Bytes of a load record without headers at this timestamp delta and offset delta (RecordBatchBuilder.tryAppendReserve's arithmetic). */
function lazyRecordSize(tsDelta: number, offsetDelta: number, klen: number, vlen: number): number {
  const body = 1 + sizeOfVarint(tsDelta) + sizeOfVarint(offsetDelta) + sizeOfVarint(klen) + (klen > 0 ? klen : 0) + sizeOfVarint(vlen) + (vlen > 0 ? vlen : 0) + 1;
  return sizeOfVarint(body) + body;
}

/**
 * A lazy batch's CRC from its header bytes and the raw register of its records (writeLazy):
 * ~R(-1, header || records) = ~(Z_{|records|}(R(-1, header)) ^ R(0, records)), as an int32
 * for writeI32. The header is bytes [21, 61): attributes to record count.
 */
function lazyBatchCrc(bytes: Uint8Array, recordsCrc: number): number {
  const header = crc32cUpdate(-1, bytes, HEADER_ATTRIBUTES, BATCH_HEADER_SIZE);
  return ~(crc32cShift(header, bytes.length - BATCH_HEADER_SIZE) ^ recordsCrc);
}

/** A filler run shorter than this is read by the CRC as the bytes around it are (no tables for it). */
const MIN_SKIPPED_RUN = 16;

/** The filler run length writeLazy last skipped (-1: none yet) and its tables: crc32cShiftTable and fillerCrcs of it. */
const LAST_RUN: { length: number; shift: Int32Array; windows: Int32Array } = { length: -1, shift: new Int32Array(0), windows: new Int32Array(0) };

/** fillerCrcs by run length; cleared when it holds MAX_FILLER_CRCS (up to 16 KiB each). */
const FILLER_CRCS = new Map<number, Int32Array>();
const MAX_FILLER_CRCS = 64;

/**
 * R(0, filler[from, from + n)) for every `from` in [0, 4096 - n] (crc32c.ts crc32cWindows):
 * a load's values end in a run of n filler bytes at (seq * 13) mod (4096 - n), n the same
 * for all its records while their sequences have as many digits. Process memory, as the
 * filler.
 */
function fillerCrcs(n: number): Int32Array {
  let w = FILLER_CRCS.get(n);
  if (w === undefined) {
    if (FILLER_CRCS.size >= MAX_FILLER_CRCS) FILLER_CRCS.clear();
    FILLER_CRCS.set(n, (w = crc32cWindows(fillerText(), n)));
  }
  return w;
}

/**
 * A load record's value at buf[pos, pos + vlen): "<producer>#<seq> " then filler text (the UI
 * shows values as text). Returns where the filler starts (pos + vlen if none): the value's
 * last pos + vlen - that bytes are the filler from (seq * 13) mod (4096 - their count),
 * when fewer than 4096 (writeLazy's CRC skips them).
 */
function writeLoadValue(buf: Uint8Array, pos: number, vlen: number, id: string, seq: number): number {
  let w = pos;
  const end = pos + vlen;
  w = writeAscii(buf, w, end, id);
  if (w < end) buf[w++] = 35; // '#'
  w = writeDecimal(buf, w, end, seq);
  if (w < end) buf[w++] = 32;
  if (w < end) {
    const filler = fillerText();
    const take = end - w;
    const from = (seq * 13) % (filler.length - take > 0 ? filler.length - take : 1);
    const avail = filler.length - from < take ? filler.length - from : take;
    if (avail >= SET_COPY_MIN_BYTES) buf.set(filler.subarray(from, from + avail), w);
    else {
      // Eight bytes at a time through DataViews as doubles (unaligned is fine), then four,
      // then bytes. The filler is ASCII without NUL (load-records.test.ts checks), so no 8
      // bytes of it read big-endian are a NaN, an infinity or a denormal: each double is
      // copied bit for bit. Measured (node 20, a loop over runs at (seq * 13) mod (4096 -
      // n) into a 64 KiB slab): 90-byte runs 150-190 ms per 5M as doubles against 300-335 ms
      // four bytes at a time (getUint32/setUint32, the copy before) and 380-550 ms with
      // TypedArray.set of a subarray (an object per record); 30-byte runs 92-119 against
      // 134-172 ms. A byte loop was ~2x slower than four at a time.
      const out = dataViewOf(buf);
      const src = fillerView();
      const at = buf.byteOffset + w;
      const start = filler.byteOffset + from;
      let i = 0;
      for (; i + 8 <= avail; i += 8) out.setFloat64(at + i, src.getFloat64(start + i));
      if (i + 4 <= avail) {
        out.setUint32(at + i, src.getUint32(start + i));
        i += 4;
      }
      for (; i < avail; i++) buf[w + i] = filler[from + i]!;
    }
    // Past the filler (values over 4 KiB): zeros, whatever the reused buffer held before.
    if (avail < take) buf.fill(0, w + avail, end);
  }
  return w;
}

/**
 * From this many filler bytes, writeLoadValue copies with TypedArray.set of a subarray (the
 * same loop, 5M runs): at 256 bytes doubles are ahead (325-350 ms against set's 400-590), at
 * 512 about even (doubles 610-790, set 410-800), at 900 set is 2.5x faster (420-850 against
 * 1140-1590 ms).
 */
const SET_COPY_MIN_BYTES = 512;

/** A DataView of the whole ArrayBuffer under fillerText() (offsets add its byteOffset). */
let FILLER_VIEW: DataView | null = null;
function fillerView(): DataView {
  return (FILLER_VIEW ??= new DataView(fillerText().buffer));
}

/**
 * A DataView of the whole ArrayBuffer under `buf`, the last one kept: batches are cut from
 * slabs (batchBytes), so one view serves a slab's batches. Process memory, as the slabs.
 */
let VIEW_BUFFER: ArrayBufferLike | null = null;
let VIEW: DataView | null = null;
function dataViewOf(buf: Uint8Array): DataView {
  if (buf.buffer !== VIEW_BUFFER || VIEW === null) {
    VIEW_BUFFER = buf.buffer;
    VIEW = new DataView(buf.buffer);
  }
  return VIEW;
}

/** Decimal digits of a non-negative integer. */
function decimalDigits(n: number): number {
  let digits = 1;
  for (let t = 10; t <= n; t *= 10) digits++;
  return digits;
}

function writeAscii(buf: Uint8Array, pos: number, end: number, s: string): number {
  for (let i = 0; i < s.length && pos < end; i++) buf[pos++] = s.charCodeAt(i) & 0x7f;
  return pos;
}

function writeDecimal(buf: Uint8Array, pos: number, end: number, n: number): number {
  if (n === 0) {
    if (pos < end) buf[pos++] = 48;
    return pos;
  }
  let digits = 1;
  for (let t = 10; t <= n; t *= 10) digits++;
  let p = pos + digits - 1;
  // Integer division by bit operations while n fits 31 bits (a load's sequence, for hours of virtual time).
  for (let x = n; x > 0; p--) {
    const q = x < 2147483648 ? ((x / 10) | 0) : Math.floor(x / 10);
    if (p < end) buf[p] = 48 + (x - q * 10);
    x = q;
  }
  return Math.min(end, pos + digits);
}

function writeI32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

function writeI64(b: Uint8Array, at: number, v: number): void {
  const hi = v < 0 ? -1 : Math.floor(v / 4294967296);
  writeI32(b, at, hi | 0);
  writeI32(b, at + 4, v >>> 0);
}

/**
 * Takes `item` out of `list` in place (a no-op when absent), keeping the others' order:
 * splice's array of removed elements was an allocation per acknowledged batch.
 */
/**
 * Takes `item` out of `list`, keeping the order. The last slot goes with pop, not by setting
 * the length: `length = 0` drops the array's backing store, so the next push (a partition's
 * next batch in flight, on nearly every send) made a new one of 17 slots, ~9% of the bytes
 * allocated at 6 x 50.
 */
function removeItem<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i < 0) return;
  const n = list.length - 1;
  for (let j = i; j < n; j++) list[j] = list[j + 1]!;
  list.pop();
}
