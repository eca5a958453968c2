/**
 * The producer client: KafkaProducer with its RecordAccumulator (batching by linger.ms
 * and batch.size), BuiltInPartitioner (murmur2 for keys, sticky partitions for keyless
 * records, KIP-480/794), Sender (acks, request.timeout.ms, retries with exponential
 * backoff, delivery.timeout.ms) and TransactionManager's idempotence bookkeeping
 * (producer id, epoch, per-partition sequences; KIP-360 epoch bump when the broker lost
 * our sequence state). clients/src/main/java/org/apache/kafka/clients/producer/...
 *
 * Records never exist as objects on the hot path: they are written straight into the
 * open batch's buffer. Per-record result rows exist only when the runner asks for them.
 */
import { Config, PRODUCER_DEFAULTS, parseAcks } from '../config';
import type { ClusterContext } from '../context';
import { RETRIABLE_PRODUCE_ERRORS, type KafkaError } from '../errors';
import { crc32c } from '../log/crc32c';
import { BATCH_HEADER_SIZE, RecordBatchBuilder, batchRecordCount, type RecordHeader } from '../log/record-batch';
import { sizeOfVarint } from '../log/varint';
import { call } from '../sim/call';
import { brokerNode, clientNode, type Deferred, type NodeId } from '../sim/network';
import type { Timer } from '../sim/scheduler';
import type { ProducedRow, ProducerView, TopicPartition } from '../snapshot';
import type { ConfigMap } from '../../scenario/types';
import type { ProduceRequest, ProduceResponse } from '../broker/broker';
import type { Broker } from '../broker/broker';
import { partitionForKey, utf8 } from './murmur2';

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
  builder: RecordBatchBuilder | null;
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
  expiry: Timer | null;
  /** True when the batch came from a one-off produce action (kept in the recent results). */
  explicit: boolean;
}

interface PartitionQueue {
  queue: ProducerBatch[];
  inFlight: ProducerBatch[];
  nextSequence: number;
  /** The last sequence the broker acknowledged in the current epoch (-1: none yet). */
  lastAckedSequence: number;
  backoffUntil: number;
  wakeTimer: Timer | null;
}

interface Load {
  topic: string;
  ratePerSec: number;
  /** Distinct keys `key-0` ... `key-(keyCount-1)`; 0: unkeyed. */
  keyCount: number;
  /** Keys made when first drawn (a document may ask for a million; a run draws far fewer). */
  keys: Uint8Array[];
  keyStrings: string[];
  valueBytes: number;
  carry: number;
  seq: number;
  timer: Timer | null;
}

/** A reset connection answers every request on it alike. */
const NETWORK_EXCEPTION_RESPONSE: ProduceResponse = Object.freeze({ error: 'NETWORK_EXCEPTION', baseOffset: -1, logStartOffset: -1 });

export interface ProducerEnv {
  readonly ctx: ClusterContext;
  peer(id: number): Broker | undefined;
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
  readonly producerId: number;
  producerEpoch = 0;
  private closed = false;
  private readonly open = new Map<string, ProducerBatch>();
  private readonly queues = new Map<string, PartitionQueue>();
  private readonly sticky = new Map<string, { partition: number; bytes: number }>();
  private readonly loads = new Map<string, Load>();
  private token = 0;
  /** Sequence of load-generated records across all loads: values stay unique per producer (public: kafka/durable.ts continues it after a restart). */
  loadSeq = 0;
  private readonly lastTarget = new Map<string, number>();
  /** Last acknowledgement per partition key: tells when a failing partition recovered. */
  private readonly lastAckMs = new Map<string, number>();
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
    this.config = new Config([config ?? {}, PRODUCER_DEFAULTS]);
    this.applyConfig(config ?? {});
    env.ctx.network.up(this.node);
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
  }

  private userConfig: ConfigMap = {};

  alterConfig(map: ConfigMap): void {
    this.userConfig = { ...this.userConfig, ...map };
    this.config = new Config([this.userConfig, PRODUCER_DEFAULTS]);
    const wasIdempotent = this.idempotent;
    this.applyConfig(this.userConfig);
    if (wasIdempotent !== this.idempotent) this.bumpEpoch();
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
    return [...this.loads.values()].map((l) => ({ topic: l.topic, ratePerSec: l.ratePerSec, keys: l.keyStrings.length, valueBytes: l.valueBytes }));
  }

  close(): void {
    this.closed = true;
    for (const l of this.loads.values()) l.timer?.cancel();
    this.loads.clear();
    for (const b of this.open.values()) b.expiry?.cancel();
    for (const q of this.queues.values()) {
      q.wakeTimer?.cancel();
      for (const b of [...q.queue, ...q.inFlight]) b.expiry?.cancel();
    }
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
    const n = this.ctx.metadata.partitionCount(topic);
    const now = this.ctx.scheduler.now;
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
  private recordTooLarge(keyLength: number, valueLength: number, headers: RecordHeader[] | undefined, maxRequestSize = this.config.int('max.request.size')): boolean {
    let size = BATCH_HEADER_SIZE + 21 + sizeOfVarint(keyLength) + Math.max(0, keyLength) + sizeOfVarint(valueLength) + Math.max(0, valueLength);
    size += sizeOfVarint(headers?.length ?? 0);
    for (const h of headers ?? []) {
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
    if (b.builder!.sizeInBytes >= this.config.int('batch.size')) this.drain(b);
  }

  private choosePartition(topic: string, n: number, keyBytes: Uint8Array | null, explicit: number | undefined, size: number): number {
    if (explicit !== undefined) return explicit;
    if (keyBytes !== null && !this.config.bool('partitioner.ignore.keys')) return partitionForKey(keyBytes, n);
    // Sticky partitioning: stay on one partition until batch.size bytes went to it.
    let s = this.sticky.get(topic);
    const batchSize = this.config.int('batch.size');
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

  private batchFor(topic: string, partition: number, explicit: boolean): ProducerBatch {
    const key = `${topic}-${partition}`;
    let b = this.open.get(key);
    if (b) {
      if (explicit) b.explicit = true;
      return b;
    }
    const now = this.ctx.scheduler.now;
    b = {
      topic,
      partition,
      key,
      builder: new RecordBatchBuilder({ baseTimestamp: now, batchSize: this.config.int('batch.size') }),
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
      expiry: null,
      explicit,
    };
    this.open.set(key, b);
    const linger = this.config.int('linger.ms');
    const opened = b;
    this.ctx.scheduler.after(linger, call(this, this.lingerExpired, key, opened));
    const deliveryTimeoutMs = this.config.int('delivery.timeout.ms');
    b.expiry = this.ctx.scheduler.after(deliveryTimeoutMs, call(this, this.expire, opened));
    return b;
  }

  /** @scheduled linger.ms after a batch opened. */
  private lingerExpired(key: string, opened: ProducerBatch): void {
    if (this.open.get(key) === opened) this.drain(opened);
  }

  /** The batch is full or lingered long enough: close it and queue it for its partition. */
  private drain(b: ProducerBatch): void {
    if (this.open.get(b.key) !== b) return;
    this.open.delete(b.key);
    if (b.recordCount === 0 || this.closed) return;
    b.bytes = b.builder!.build();
    b.builder = null;
    const q = this.queueFor(b.key);
    q.queue.push(b);
    this.trySend(b.topic, b.partition, q);
  }

  private queueFor(key: string): PartitionQueue {
    let q = this.queues.get(key);
    if (!q) {
      q = { queue: [], inFlight: [], nextSequence: 0, lastAckedSequence: -1, backoffUntil: 0, wakeTimer: null };
      this.queues.set(key, q);
    }
    return q;
  }

  private trySend(topic: string, partition: number, q: PartitionQueue): void {
    if (this.closed) return;
    const now = this.ctx.scheduler.now;
    if (now < q.backoffUntil) {
      this.wakeAt(topic, partition, q, q.backoffUntil);
      return;
    }
    const maxInFlight = this.idempotent ? Math.min(5, this.config.int('max.in.flight.requests.per.connection')) : this.config.int('max.in.flight.requests.per.connection');
    while (q.queue.length > 0 && q.inFlight.length < maxInFlight) {
      const leader = this.ctx.metadata.leader(topic, partition);
      if (!leader || leader.leader < 0) {
        // No leader known: wait for metadata (a refresh after retry.backoff.ms).
        this.wakeAt(topic, partition, q, now + this.backoffMs(0));
        return;
      }
      const b = q.queue.shift()!;
      this.sendBatch(b, q, leader.leader);
    }
  }

  private wakeAt(topic: string, partition: number, q: PartitionQueue, at: number): void {
    if (q.wakeTimer) return;
    q.wakeTimer = this.ctx.scheduler.at(at, call(this, this.wake, topic, partition, q));
  }

  /** @scheduled */
  private wake(topic: string, partition: number, q: PartitionQueue): void {
    q.wakeTimer = null;
    this.trySend(topic, partition, q);
  }

  /** Writes producer id, epoch and base sequence into the header and fixes the CRC. */
  private stamp(b: ProducerBatch, q: PartitionQueue): void {
    const bytes = b.bytes!;
    if (!this.idempotent) return;
    if (b.stampedEpoch === this.producerEpoch) return;
    b.stampedEpoch = this.producerEpoch;
    b.baseSequence = q.nextSequence;
    q.nextSequence = (q.nextSequence + b.recordCount) | 0;
    writeI64(bytes, HEADER_PRODUCER_ID, this.producerId);
    bytes[HEADER_PRODUCER_EPOCH] = (this.producerEpoch >> 8) & 0xff;
    bytes[HEADER_PRODUCER_EPOCH + 1] = this.producerEpoch & 0xff;
    writeI32(bytes, HEADER_BASE_SEQUENCE, b.baseSequence);
    writeI32(bytes, HEADER_CRC, crc32c(bytes, HEADER_ATTRIBUTES, bytes.length) | 0);
  }

  private sendBatch(b: ProducerBatch, q: PartitionQueue, leader: number): void {
    this.stamp(b, q);
    const token = ++this.token;
    b.sendToken = token;
    b.sentAtMs = this.ctx.scheduler.now;
    b.attempts++;
    this.lastTarget.set(b.key, b.sentAtMs);
    const acks = this.acks === 'all' ? -1 : this.acks;
    const req: ProduceRequest = {
      acks,
      timeoutMs: this.config.int('request.timeout.ms'),
      topic: b.topic,
      partition: b.partition,
      batch: b.bytes!,
    };
    if (acks === 0) {
      // Fire and forget: no response, no offset (acks=0 reports offset -1).
      this.ctx.network.send(this.node, brokerNode(leader), call(this, this.produceAt, leader, req));
      this.complete(b, q, null, null);
      this.trySend(b.topic, b.partition, q);
      return;
    }
    q.inFlight.push(b);
    const timeout = this.ctx.scheduler.after(this.config.int('request.timeout.ms'), call(this, this.requestTimedOut, b, q, token));
    this.ctx.network.request<ProduceResponse>(
      this.node,
      brokerNode(leader),
      call(this, this.produceAt, leader, req),
      call(this, this.onProduceResponse, b, q, token, timeout),
      // The broker's process is gone: the connection resets at once.
      call(this, this.onProduceResponse, b, q, token, timeout, NETWORK_EXCEPTION_RESPONSE),
    );
  }

  /** @scheduled Runs at the leader: its answer to a ProduceRequest. */
  private produceAt(leader: number, req: ProduceRequest): ProduceResponse | Deferred<ProduceResponse> {
    return this.env.peer(leader)?.handleProduce(req) ?? { error: 'NOT_LEADER_OR_FOLLOWER', baseOffset: -1, logStartOffset: -1 };
  }

  /** @scheduled request.timeout.ms passed with no answer. */
  private requestTimedOut(b: ProducerBatch, q: PartitionQueue, token: number): void {
    if (b.sendToken === token && !b.done) this.onResponse(b, q, token, { error: 'REQUEST_TIMED_OUT', baseOffset: -1, logStartOffset: -1 });
  }

  /** @scheduled The answer (or the connection's reset) reached the producer. */
  private onProduceResponse(b: ProducerBatch, q: PartitionQueue, token: number, timeout: Timer, resp: ProduceResponse): void {
    timeout.cancel();
    this.onResponse(b, q, token, resp);
  }

  private onResponse(b: ProducerBatch, q: PartitionQueue, token: number, resp: ProduceResponse): void {
    if (this.closed || b.done || b.sendToken !== token) return;
    const now = this.ctx.scheduler.now;
    if (resp.error === 'NONE') {
      this.latencySumMs += now - b.sentAtMs;
      this.latencyCount++;
      q.inFlight.splice(q.inFlight.indexOf(b), 1);
      if (this.idempotent && b.stampedEpoch === this.producerEpoch) q.lastAckedSequence = Math.max(q.lastAckedSequence, b.baseSequence + b.recordCount - 1);
      this.complete(b, q, resp.baseOffset, null);
      this.trySend(b.topic, b.partition, q);
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
      q.inFlight.splice(q.inFlight.indexOf(b), 1);
      this.complete(b, q, null, null);
      this.trySend(b.topic, b.partition, q);
      return;
    }
    b.lastError = resp.error;
    this.lastError = { at: now, error: resp.error, topic: b.topic, partition: b.partition };
    const sequenceLost = resp.error === 'OUT_OF_ORDER_SEQUENCE_NUMBER' || resp.error === 'INVALID_PRODUCER_EPOCH';
    const retriable = RETRIABLE_PRODUCE_ERRORS.has(resp.error) || sequenceLost;
    const retriesLeft = b.attempts <= this.config.int('retries');
    if (!retriable || !retriesLeft) {
      q.inFlight.splice(q.inFlight.indexOf(b), 1);
      // The broker refused the batch whole (MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE): its
      // sequence numbers were never used. An idempotent producer cannot leave the hole:
      // re-sequence under a new epoch, as for an expired batch (KIP-360).
      if (this.idempotent && b.stampedEpoch === this.producerEpoch && (resp.error === 'MESSAGE_TOO_LARGE' || resp.error === 'RECORD_LIST_TOO_LARGE')) this.bumpEpoch();
      this.fail(b, resp.error);
      this.trySend(b.topic, b.partition, q);
      return;
    }
    this.retries++;
    if (sequenceLost && q.inFlight[0] === b) {
      // The broker has lost our sequence state (e.g. truncation after an unclean election):
      // bump the epoch and re-sequence from 0 (KIP-360).
      this.bumpEpoch();
    }
    // Retry in order: everything in flight for this partition goes back in front.
    const back = q.inFlight.splice(0);
    for (const x of back) x.sendToken = 0;
    q.queue.unshift(...back);
    q.backoffUntil = now + this.backoffMs(b.attempts);
    this.trySend(b.topic, b.partition, q);
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
    if (this.open.get(b.key) === b) this.open.delete(b.key);
    if (q) {
      const i = q.queue.indexOf(b);
      if (i >= 0) q.queue.splice(i, 1);
      const j = q.inFlight.indexOf(b);
      if (j >= 0) q.inFlight.splice(j, 1);
    }
    if (b.recordCount === 0) return;
    // An idempotent producer cannot leave a hole in its sequence: re-sequence (KIP-360).
    if (this.idempotent && b.stampedEpoch >= 0) this.bumpEpoch();
    this.fail(b, b.lastError ?? 'REQUEST_TIMED_OUT');
    if (q) this.trySend(b.topic, b.partition, q);
  }

  private complete(b: ProducerBatch, _q: PartitionQueue, baseOffset: number | null, error: KafkaError | null): void {
    b.done = true;
    b.expiry?.cancel();
    this.acked += b.recordCount;
    this.lastAckMs.set(b.key, this.ctx.scheduler.now);
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
    b.expiry?.cancel();
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
      keys: [],
      keyStrings: [],
      valueBytes: Math.max(0, valueBytes),
      carry: 0,
      seq: 0,
      timer: null,
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

  /** Writes the records due this tick straight into the open batches. */
  private generate(load: Load, tickMs: number): void {
    const due = (load.ratePerSec * tickMs) / 1000 + load.carry;
    const count = Math.floor(due);
    load.carry = due - count;
    const n = this.ctx.metadata.partitionCount(load.topic);
    const now = this.ctx.scheduler.now;
    if (n === 0) {
      if (count > 0) this.recordFailure(load.topic, -1, 'UNKNOWN_TOPIC_OR_PARTITION', Array.from({ length: count }, () => ({ at: now, key: null })), false);
      return;
    }
    const vlen = load.valueBytes;
    const filler = fillerText();
    const maxRequestSize = this.config.int('max.request.size');
    for (let i = 0; i < count; i++) {
      const keyIdx = load.keyCount > 0 ? this.ctx.prng.int(load.keyCount) : -1;
      if (keyIdx >= 0 && load.keys[keyIdx] === undefined) {
        load.keyStrings[keyIdx] = `key-${keyIdx}`;
        load.keys[keyIdx] = utf8(load.keyStrings[keyIdx]!);
      }
      const keyBytes = keyIdx >= 0 ? load.keys[keyIdx]! : null;
      if (this.recordTooLarge(keyBytes?.length ?? -1, vlen, undefined, maxRequestSize)) {
        this.recordFailure(load.topic, -1, 'MESSAGE_TOO_LARGE', [{ at: now, key: keyIdx >= 0 ? load.keyStrings[keyIdx]! : null }], false);
        continue;
      }
      const p = this.choosePartition(load.topic, n, keyBytes, undefined, vlen + (keyBytes?.length ?? 0) + 16);
      let b = this.batchFor(load.topic, p, false);
      let pos = b.builder!.tryAppendReserve(now, keyBytes, vlen);
      if (pos < 0) {
        this.drain(b);
        b = this.batchFor(load.topic, p, false);
        pos = b.builder!.tryAppendReserve(now, keyBytes, vlen);
      }
      // A readable value: "<producer>#<seq> " then filler text (the UI shows values as text).
      const buf = b.builder!.buffer;
      const seq = this.loadSeq++;
      load.seq++;
      let w = pos;
      const end = pos + vlen;
      w = writeAscii(buf, w, end, this.id);
      if (w < end) buf[w++] = 35; // '#'
      w = writeDecimal(buf, w, end, seq);
      if (w < end) buf[w++] = 32;
      if (w < end) {
        const take = end - w;
        const from = (seq * 13) % (filler.length - take > 0 ? filler.length - take : 1);
        buf.set(filler.subarray(from, from + take), w);
      }
      this.noteRecord(b, now, keyIdx >= 0 ? load.keyStrings[keyIdx]! : null);
    }
  }

  // ---- views -----------------------------------------------------------------------------

  view(): ProducerView {
    const now = this.ctx.scheduler.now;
    const targets: TopicPartition[] = [];
    for (const [key, at] of [...this.lastTarget].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (now - at > 5000) continue;
      const dash = key.lastIndexOf('-');
      targets.push({ topic: key.slice(0, dash), partition: Number(key.slice(dash + 1)) });
    }
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
      recovered: this.lastError !== null && (this.lastAckMs.get(`${this.lastError.topic}-${this.lastError.partition}`) ?? -1) > this.lastError.at,
      loads: [...this.loads.values()].map((l) => ({ topic: l.topic, ratePerSec: l.ratePerSec })),
      targets,
    };
  }

  /** Records written to batches that have not reached an end yet. */
  pendingRecords(): number {
    let n = 0;
    for (const b of this.open.values()) n += b.recordCount;
    for (const q of this.queues.values()) for (const b of [...q.queue, ...q.inFlight]) n += b.bytes ? batchRecordCount(b.bytes) : b.recordCount;
    return n;
  }
}

let FILLER: Uint8Array | null = null;
/** 4 KiB of lowercase words, the same for every run (no randomness needed). */
function fillerText(): Uint8Array {
  if (FILLER) return FILLER;
  const words = ['order', 'paid', 'shipped', 'cart', 'user', 'item', 'price', 'stock', 'event', 'kafka', 'topic', 'record', 'replica', 'offset', 'commit', 'lag'];
  let s = '';
  for (let i = 0; s.length < 4096; i++) s += words[(i * 7 + (i >> 3)) % words.length] + ' ';
  const bytes = utf8(s.slice(0, 4096));
  FILLER = bytes;
  return bytes;
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
  let digits = 0;
  for (let x = n; x > 0; x = Math.floor(x / 10)) digits++;
  let p = pos + digits - 1;
  for (let x = n; x > 0; x = Math.floor(x / 10)) {
    if (p < end) buf[p] = 48 + (x % 10);
    p--;
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
