/**
 * The transaction coordinator (KIP-98; core/src/main/scala/kafka/coordinator/transaction/
 * TransactionCoordinator.scala, TransactionMetadata.scala, TransactionStateManager.scala and
 * TransactionMarkerChannelManager.scala): InitProducerId for a transactional.id,
 * AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, the COMMIT / ABORT markers written to every
 * partition of a transaction, and the abort of transactions past transaction.timeout.ms.
 *
 * One object models the coordinators of every transactional id, as GroupCoordinator does
 * for groups. A transactional id is hosted by the broker that leads its `__transaction_state`
 * partition (hash(transactional.id) % 50, transaction.state.log.num.partitions), placed over
 * the live brokers when first needed (transaction.state.log.replication.factor 3, or fewer
 * brokers); the leader stays while it lives and otherwise moves to the next live replica.
 * That topic is not modelled as a log: the transaction metadata is durable as its replicated
 * log would make it, so a coordinator that takes over carries on with it (a transaction in
 * PrepareCommit / PrepareAbort has its markers sent again by the new host, as
 * TransactionStateManager.loadTransactionsForTxnTopicPartition does). Requests that reach
 * another broker get NOT_COORDINATOR.
 *
 * Transaction states (TransactionState.java): Empty → Ongoing → PrepareCommit | PrepareAbort
 * → CompleteCommit | CompleteAbort. Transaction version 1 semantics: the epoch is bumped by
 * InitProducerId (fencing the previous producer with the same transactional.id) and by a
 * coordinator-side abort (a timed-out transaction, or one found Ongoing at InitProducerId),
 * not at every transaction's end.
 */
import type { ClusterContext } from '../context';
import type { KafkaError } from '../errors';
import type { GroupCoordinator } from '../consumer/group-coordinator';
import { javaStringHashCode } from '../consumer/group-coordinator';
import { buildControlBatch } from '../log/record-batch';
import { call } from '../sim/call';
import { brokerNode, type Deferred } from '../sim/network';
import type { Timer } from '../sim/scheduler';
import type { ProduceRequest, ProduceResponses } from '../broker/broker';
import type { TopicPartition, TransactionView } from '../snapshot';

/** transaction.state.log.num.partitions's default. */
export const TRANSACTION_STATE_PARTITIONS = 50;
/** transaction.state.log.replication.factor's default. */
export const TRANSACTION_STATE_REPLICATION_FACTOR = 3;
/** transaction.max.timeout.ms's default: a producer's transaction.timeout.ms above it is INVALID_TRANSACTION_TIMEOUT. */
export const TRANSACTION_MAX_TIMEOUT_MS = 900000;
/** transaction.abort.timed.out.transaction.cleanup.interval.ms's default. */
export const TRANSACTION_ABORT_CHECK_INTERVAL_MS = 10000;
/** The marker channel's request.timeout.ms: an unanswered WriteTxnMarkers is sent again. */
const MARKER_REQUEST_TIMEOUT_MS = 30000;
/** Backoff before a marker is retried after an error (retry.backoff.ms). */
const MARKER_RETRY_BACKOFF_MS = 100;
/** ProducerIdManager: transactional producers get ids from their own block, far from the idempotent ones'. */
const FIRST_TRANSACTIONAL_PRODUCER_ID = 1_000_000;

export type TransactionState = 'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort';

export interface InitProducerIdResponse {
  error: KafkaError;
  producerId: number;
  producerEpoch: number;
}

interface PendingMarker {
  topic: string;
  partition: number;
  /** The attempt in flight (0: none); a late answer of an earlier attempt is ignored. */
  token: number;
  timer: Timer | null;
  /** The coordinator broker that sent the attempt in flight (-1: none). */
  host: number;
}

interface TxnMetadata {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  txnTimeoutMs: number;
  state: TransactionState;
  /** Partitions in the transaction, as `${topic}-${partition}` → partition. */
  partitions: Map<string, TopicPartition>;
  /** Groups whose offsets the transaction carries (AddOffsetsToTxn). */
  groups: string[];
  txnStartTimestamp: number;
  lastUpdateMs: number;
  /** Markers not yet acknowledged by their partition's leader (Prepare* states). */
  pending: Map<string, PendingMarker>;
  /** Why a Prepare* state was entered: the client's EndTxn, a timeout, or fencing a new producer. */
  reason: 'client' | 'transaction.timeout.ms' | 'fenced';
  /** The epoch the markers carry. */
  markerEpoch: number;
}

/** What kafka/durable.ts saves of the coordinator: what __transaction_state holds (and the id counter). */
export interface TransactionCoordinatorState {
  nextProducerId: number;
  transactions: {
    transactionalId: string;
    producerId: number;
    producerEpoch: number;
    txnTimeoutMs: number;
    state: TransactionState;
    partitions: TopicPartition[];
    groups: string[];
    txnStartTimestamp: number;
    reason: 'client' | 'transaction.timeout.ms' | 'fenced';
    markerEpoch: number;
    pendingMarkers: TopicPartition[];
  }[];
}

export class TransactionCoordinator {
  private readonly txns = new Map<string, TxnMetadata>();
  private nextProducerId = FIRST_TRANSACTIONAL_PRODUCER_ID;
  private stateReplicas: number[][] | null = null;
  private readonly stateLeaders = new Map<number, number>();
  /** The periodic abort of timed-out transactions, armed while any transaction is Ongoing. */
  private timeoutTimer: Timer | null = null;
  private markerToken = 0;

  constructor(
    private readonly ctx: ClusterContext,
    private readonly groups: GroupCoordinator,
  ) {}

  // ---- placement ------------------------------------------------------------------------

  /** TransactionStateManager.partitionFor: the transactional id's __transaction_state partition. */
  static partitionFor(transactionalId: string): number {
    return (javaStringHashCode(transactionalId) & 0x7fffffff) % TRANSACTION_STATE_PARTITIONS;
  }

  /** FindCoordinator(TRANSACTION): the broker hosting this id's coordinator, -1 while none can (COORDINATOR_NOT_AVAILABLE). */
  coordinatorFor(transactionalId: string): number {
    if (this.stateReplicas === null) this.placeStateTopic();
    const leader = this.peekCoordinator(transactionalId);
    const p = TransactionCoordinator.partitionFor(transactionalId);
    if (leader >= 0) this.stateLeaders.set(p, leader);
    else this.stateLeaders.delete(p);
    return leader;
  }

  private placeStateTopic(): void {
    const ids = [...this.ctx.metadata.liveBrokers()].sort((a, b) => a - b);
    if (ids.length === 0) return;
    const rf = Math.min(TRANSACTION_STATE_REPLICATION_FACTOR, ids.length);
    this.stateReplicas = Array.from({ length: TRANSACTION_STATE_PARTITIONS }, (_, q) => Array.from({ length: rf }, (_, i) => ids[(q + i) % ids.length]!));
  }

  /** coordinatorFor without side effects, for views. */
  peekCoordinator(transactionalId: string): number {
    if (this.stateReplicas === null) return -1;
    const live = this.ctx.metadata.liveBrokers();
    const p = TransactionCoordinator.partitionFor(transactionalId);
    const current = this.stateLeaders.get(p);
    if (current !== undefined && live.includes(current)) return current;
    return this.stateReplicas[p]!.find((b) => live.includes(b)) ?? -1;
  }

  /** Brokers changed: a moved coordinator resends the markers of transactions it finds prepared. */
  onBrokerChange(): void {
    for (const t of this.txns.values()) {
      if (t.state !== 'PrepareCommit' && t.state !== 'PrepareAbort') continue;
      const host = this.coordinatorFor(t.transactionalId);
      for (const m of t.pending.values()) if (m.token !== 0 && m.host !== host) this.sendMarker(t, m);
    }
  }

  // ---- requests -------------------------------------------------------------------------

  /**
   * InitProducerId with a transactional.id (TransactionCoordinator.handleInitProducerId): a
   * new id gets a producer id and epoch 0; a known one gets its epoch bumped, which fences
   * any older producer with the same transactional.id. While markers are being written the
   * answer is CONCURRENT_TRANSACTIONS (retry); an Ongoing transaction is first aborted with a
   * bumped epoch (the old producer is fenced), and the answer is CONCURRENT_TRANSACTIONS too.
   */
  handleInitProducerId(viaBroker: number, transactionalId: string, txnTimeoutMs: number, producerName: string): InitProducerIdResponse {
    const none = { producerId: -1, producerEpoch: -1 };
    if (this.coordinatorFor(transactionalId) !== viaBroker) return { error: 'NOT_COORDINATOR', ...none };
    if (txnTimeoutMs <= 0 || txnTimeoutMs > TRANSACTION_MAX_TIMEOUT_MS) return { error: 'INVALID_TRANSACTION_TIMEOUT', ...none };
    const now = this.ctx.scheduler.now;
    let t = this.txns.get(transactionalId);
    if (!t) {
      t = {
        transactionalId,
        producerId: this.nextProducerId++,
        producerEpoch: 0,
        txnTimeoutMs,
        state: 'Empty',
        partitions: new Map(),
        groups: [],
        txnStartTimestamp: -1,
        lastUpdateMs: now,
        pending: new Map(),
        reason: 'client',
        markerEpoch: 0,
      };
      this.txns.set(transactionalId, t);
      this.ctx.emit({ type: 'TransactionInitialized', transactionalId, producer: producerName, producerId: t.producerId, producerEpoch: 0, coordinator: viaBroker });
      return { error: 'NONE', producerId: t.producerId, producerEpoch: 0 };
    }
    switch (t.state) {
      case 'PrepareCommit':
      case 'PrepareAbort':
        return { error: 'CONCURRENT_TRANSACTIONS', ...none };
      case 'Ongoing':
        // Fence the producer of the open transaction and abort it at the bumped epoch.
        t.producerEpoch++;
        this.ctx.emit({ type: 'ProducerFenced', transactionalId, producerId: t.producerId, producerEpoch: t.producerEpoch, by: producerName });
        this.prepareEnd(t, 'ABORT', 'fenced');
        return { error: 'CONCURRENT_TRANSACTIONS', ...none };
      case 'Empty':
      case 'CompleteCommit':
      case 'CompleteAbort': {
        t.producerEpoch++;
        t.txnTimeoutMs = txnTimeoutMs;
        t.lastUpdateMs = now;
        this.ctx.emit({ type: 'TransactionInitialized', transactionalId, producer: producerName, producerId: t.producerId, producerEpoch: t.producerEpoch, coordinator: viaBroker });
        return { error: 'NONE', producerId: t.producerId, producerEpoch: t.producerEpoch };
      }
    }
  }

  /** The checks common to AddPartitionsToTxn, AddOffsetsToTxn and EndTxn. */
  private validate(viaBroker: number, transactionalId: string, producerId: number, producerEpoch: number): { error: KafkaError; t: TxnMetadata | null } {
    if (this.coordinatorFor(transactionalId) !== viaBroker) return { error: 'NOT_COORDINATOR', t: null };
    const t = this.txns.get(transactionalId);
    if (!t) return { error: 'TRANSACTIONAL_ID_NOT_FOUND', t: null };
    if (t.producerId !== producerId) return { error: 'INVALID_PRODUCER_ID_MAPPING', t };
    if (producerEpoch < t.producerEpoch) return { error: 'PRODUCER_FENCED', t };
    return { error: 'NONE', t };
  }

  /** AddPartitionsToTxn: the partitions join the transaction, which becomes Ongoing. */
  handleAddPartitionsToTxn(viaBroker: number, transactionalId: string, producerId: number, producerEpoch: number, partitions: TopicPartition[]): KafkaError {
    const { error, t } = this.validate(viaBroker, transactionalId, producerId, producerEpoch);
    if (error !== 'NONE' || !t) return error;
    if (t.state === 'PrepareCommit' || t.state === 'PrepareAbort') return 'CONCURRENT_TRANSACTIONS';
    this.begin(t);
    for (const tp of partitions) t.partitions.set(`${tp.topic}-${tp.partition}`, { topic: tp.topic, partition: tp.partition });
    return 'NONE';
  }

  /**
   * AddOffsetsToTxn followed by TxnOffsetCommit, in one request here: the group joins the
   * transaction and its offsets wait at the group coordinator for the transaction's end
   * (visible to the group on COMMIT only).
   */
  handleAddOffsetsToTxn(viaBroker: number, transactionalId: string, producerId: number, producerEpoch: number, groupId: string, offsets: { topic: string; partition: number; offset: number }[]): KafkaError {
    const { error, t } = this.validate(viaBroker, transactionalId, producerId, producerEpoch);
    if (error !== 'NONE' || !t) return error;
    if (t.state === 'PrepareCommit' || t.state === 'PrepareAbort') return 'CONCURRENT_TRANSACTIONS';
    this.begin(t);
    if (!t.groups.includes(groupId)) t.groups.push(groupId);
    this.groups.addPendingTxnOffsets(groupId, producerId, offsets);
    return 'NONE';
  }

  private begin(t: TxnMetadata): void {
    if (t.state === 'Ongoing') return;
    t.state = 'Ongoing';
    t.partitions.clear();
    t.groups = [];
    t.txnStartTimestamp = this.ctx.scheduler.now;
    t.lastUpdateMs = t.txnStartTimestamp;
    this.armTimeoutCheck();
  }

  /**
   * EndTxn (TransactionCoordinator.handleEndTransaction): Ongoing → PrepareCommit or
   * PrepareAbort, answered at once (the state is written), then the markers go out. A retry
   * of an end already decided the same way is answered NONE (or CONCURRENT_TRANSACTIONS while
   * its markers are still being written); the other way, or with no transaction, is
   * INVALID_TXN_STATE.
   */
  handleEndTxn(viaBroker: number, transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): KafkaError {
    const { error, t } = this.validate(viaBroker, transactionalId, producerId, producerEpoch);
    if (error !== 'NONE' || !t) return error;
    // A transaction aborted by the coordinator (timeout) bumped the epoch: the producer is fenced above.
    switch (t.state) {
      case 'Ongoing':
        this.prepareEnd(t, commit ? 'COMMIT' : 'ABORT', 'client');
        return 'NONE';
      case 'PrepareCommit':
        return commit ? 'CONCURRENT_TRANSACTIONS' : 'INVALID_TXN_STATE';
      case 'PrepareAbort':
        return commit ? 'INVALID_TXN_STATE' : 'CONCURRENT_TRANSACTIONS';
      case 'CompleteCommit':
        return commit ? 'NONE' : 'INVALID_TXN_STATE';
      case 'CompleteAbort':
        return commit ? 'INVALID_TXN_STATE' : 'NONE';
      case 'Empty':
        return 'INVALID_TXN_STATE';
    }
  }

  // ---- markers ----------------------------------------------------------------------------

  private prepareEnd(t: TxnMetadata, result: 'COMMIT' | 'ABORT', reason: TxnMetadata['reason']): void {
    t.state = result === 'COMMIT' ? 'PrepareCommit' : 'PrepareAbort';
    t.reason = reason;
    t.markerEpoch = t.producerEpoch;
    t.lastUpdateMs = this.ctx.scheduler.now;
    this.ctx.emit({
      type: 'TransactionPrepared',
      transactionalId: t.transactionalId,
      producerId: t.producerId,
      producerEpoch: t.producerEpoch,
      result,
      reason,
      partitions: [...t.partitions.values()],
    });
    for (const m of t.pending.values()) m.timer?.cancel();
    t.pending.clear();
    for (const [key, tp] of t.partitions) t.pending.set(key, { topic: tp.topic, partition: tp.partition, token: 0, timer: null, host: -1 });
    for (const m of [...t.pending.values()]) this.sendMarker(t, m);
    this.maybeComplete(t);
  }

  /** WriteTxnMarkers to the partition's leader, from the coordinator's broker (acks=all, as Kafka writes markers). */
  private sendMarker(t: TxnMetadata, m: PendingMarker): void {
    m.timer?.cancel();
    m.timer = null;
    const host = this.peekCoordinator(t.transactionalId);
    const leader = this.ctx.metadata.leader(m.topic, m.partition);
    if (host < 0 || !leader || leader.leader < 0) {
      m.token = 0;
      m.timer = this.ctx.scheduler.after(MARKER_RETRY_BACKOFF_MS, call(this, this.retryMarker, t.transactionalId, `${m.topic}-${m.partition}`));
      return;
    }
    const token = ++this.markerToken;
    m.token = token;
    m.host = host;
    const batch = buildControlBatch(t.state === 'PrepareCommit' ? 'COMMIT' : 'ABORT', t.producerId, t.markerEpoch, 0, this.ctx.scheduler.now);
    const req: ProduceRequest = { acks: -1, timeoutMs: MARKER_REQUEST_TIMEOUT_MS, partitions: [{ topic: m.topic, partition: m.partition, key: `${m.topic}-${m.partition}`, batch }] };
    m.timer = this.ctx.scheduler.after(MARKER_REQUEST_TIMEOUT_MS, call(this, this.onMarkerTimeout, t.transactionalId, `${m.topic}-${m.partition}`, token));
    this.ctx.network.request<ProduceResponses>(
      brokerNode(host),
      brokerNode(leader.leader),
      call(this, this.writeMarkerAt, leader.leader, req),
      call(this, this.onMarkerResponse, t.transactionalId, `${m.topic}-${m.partition}`, token),
      call(this, this.onMarkerReset, t.transactionalId, `${m.topic}-${m.partition}`, token),
    );
  }

  /** @scheduled WriteTxnMarkers arrives at the leader (the handler runs there). */
  private writeMarkerAt(leader: number, req: ProduceRequest): ProduceResponses | Deferred<ProduceResponses> {
    const api = this.ctx.brokerApi(leader);
    return api?.handleProduce?.(req) ?? [{ error: 'NOT_LEADER_OR_FOLLOWER', baseOffset: -1, logStartOffset: -1 }];
  }

  private marker(transactionalId: string, key: string, token: number): { t: TxnMetadata; m: PendingMarker } | null {
    const t = this.txns.get(transactionalId);
    const m = t?.pending.get(key);
    if (!t || !m || m.token !== token) return null;
    return { t, m };
  }

  /** @scheduled The leader answered a marker. */
  private onMarkerResponse(transactionalId: string, key: string, token: number, resp: ProduceResponses): void {
    const found = this.marker(transactionalId, key, token);
    if (!found) return;
    const { t, m } = found;
    const error = resp[0]?.error ?? 'UNKNOWN_SERVER_ERROR';
    // A deleted partition needs no marker (TransactionMarkerRequestCompletionHandler drops it);
    // INVALID_PRODUCER_EPOCH: a newer epoch's marker is already there (this one was superseded).
    if (error === 'NONE' || error === 'UNKNOWN_TOPIC_OR_PARTITION' || error === 'INVALID_PRODUCER_EPOCH') {
      m.timer?.cancel();
      t.pending.delete(key);
      this.maybeComplete(t);
      return;
    }
    this.retryLater(m, transactionalId, key);
  }

  /** @scheduled The leader's process died with the marker request open. */
  private onMarkerReset(transactionalId: string, key: string, token: number): void {
    const found = this.marker(transactionalId, key, token);
    if (found) this.retryLater(found.m, transactionalId, key);
  }

  /** @scheduled No answer within the marker channel's request timeout. */
  private onMarkerTimeout(transactionalId: string, key: string, token: number): void {
    const found = this.marker(transactionalId, key, token);
    if (!found) return;
    found.m.timer = null;
    this.sendMarker(found.t, found.m);
  }

  private retryLater(m: PendingMarker, transactionalId: string, key: string): void {
    m.timer?.cancel();
    m.token = 0;
    m.timer = this.ctx.scheduler.after(MARKER_RETRY_BACKOFF_MS, call(this, this.retryMarker, transactionalId, key));
  }

  /** @scheduled */
  private retryMarker(transactionalId: string, key: string): void {
    const t = this.txns.get(transactionalId);
    const m = t?.pending.get(key);
    if (!t || !m) return;
    m.timer = null;
    this.sendMarker(t, m);
  }

  /** Every partition has its marker: the offsets' marker goes to the groups, and the transaction is complete. */
  private maybeComplete(t: TxnMetadata): void {
    if (t.pending.size > 0 || (t.state !== 'PrepareCommit' && t.state !== 'PrepareAbort')) return;
    const commit = t.state === 'PrepareCommit';
    for (const g of t.groups) this.groups.completeTxnOffsets(g, t.producerId, commit);
    t.state = commit ? 'CompleteCommit' : 'CompleteAbort';
    t.lastUpdateMs = this.ctx.scheduler.now;
    this.ctx.emit({
      type: commit ? 'TransactionCommitted' : 'TransactionAborted',
      transactionalId: t.transactionalId,
      producerId: t.producerId,
      producerEpoch: t.markerEpoch,
      reason: t.reason,
      partitions: [...t.partitions.values()],
      groups: t.groups.slice(),
    });
  }

  // ---- timeouts ---------------------------------------------------------------------------

  private armTimeoutCheck(): void {
    if (this.timeoutTimer) return;
    this.timeoutTimer = this.ctx.scheduler.after(TRANSACTION_ABORT_CHECK_INTERVAL_MS, call(this, this.abortTimedOutTransactions));
  }

  /**
   * @scheduled Every transaction.abort.timed.out.transaction.cleanup.interval.ms while a
   * transaction is open (TransactionCoordinator.abortTimedOutTransactions): an Ongoing
   * transaction older than its transaction.timeout.ms is aborted at a bumped epoch, which
   * fences its producer (its EndTxn then gets PRODUCER_FENCED).
   */
  private abortTimedOutTransactions(): void {
    this.timeoutTimer = null;
    const now = this.ctx.scheduler.now;
    let open = false;
    for (const t of this.txns.values()) {
      if (t.state !== 'Ongoing') continue;
      if (now - t.txnStartTimestamp > t.txnTimeoutMs && this.peekCoordinator(t.transactionalId) >= 0) {
        t.producerEpoch++;
        this.prepareEnd(t, 'ABORT', 'transaction.timeout.ms');
      } else open = true;
    }
    if (open) this.armTimeoutCheck();
  }

  // ---- durability (kafka/durable.ts) --------------------------------------------------------

  exportState(): TransactionCoordinatorState {
    return {
      nextProducerId: this.nextProducerId,
      transactions: [...this.txns.values()].map((t) => ({
        transactionalId: t.transactionalId,
        producerId: t.producerId,
        producerEpoch: t.producerEpoch,
        txnTimeoutMs: t.txnTimeoutMs,
        state: t.state,
        partitions: [...t.partitions.values()].map((p) => ({ ...p })),
        groups: t.groups.slice(),
        txnStartTimestamp: t.txnStartTimestamp,
        reason: t.reason,
        markerEpoch: t.markerEpoch,
        pendingMarkers: [...t.pending.values()].map((m) => ({ topic: m.topic, partition: m.partition })),
      })),
    };
  }

  /**
   * A coordinator loading __transaction_state after every broker restarted
   * (TransactionStateManager.loadTransactionsForTxnTopicPartition): prepared transactions
   * send their remaining markers again, open ones are subject to their timeout again.
   */
  restoreState(s: TransactionCoordinatorState): void {
    this.nextProducerId = Math.max(this.nextProducerId, s.nextProducerId);
    for (const x of s.transactions) {
      const t: TxnMetadata = {
        transactionalId: x.transactionalId,
        producerId: x.producerId,
        producerEpoch: x.producerEpoch,
        txnTimeoutMs: x.txnTimeoutMs,
        state: x.state,
        partitions: new Map(x.partitions.map((p) => [`${p.topic}-${p.partition}`, { topic: p.topic, partition: p.partition }])),
        groups: x.groups.slice(),
        txnStartTimestamp: x.txnStartTimestamp,
        lastUpdateMs: this.ctx.scheduler.now,
        pending: new Map(x.pendingMarkers.map((p) => [`${p.topic}-${p.partition}`, { topic: p.topic, partition: p.partition, token: 0, timer: null, host: -1 }])),
        reason: x.reason,
        markerEpoch: x.markerEpoch,
      };
      this.txns.set(t.transactionalId, t);
      if (t.state === 'Ongoing') this.armTimeoutCheck();
      for (const m of [...t.pending.values()]) this.sendMarker(t, m);
      this.maybeComplete(t);
    }
  }

  // ---- views ------------------------------------------------------------------------------

  view(): TransactionView[] {
    return [...this.txns.values()]
      .sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0))
      .map((t) => ({
        transactionalId: t.transactionalId,
        producerId: t.producerId,
        producerEpoch: t.producerEpoch,
        state: t.state,
        coordinator: this.peekCoordinator(t.transactionalId),
        timeoutMs: t.txnTimeoutMs,
        startedAt: t.txnStartTimestamp,
        partitions: [...t.partitions.values()].map((p) => ({ ...p })),
        groups: t.groups.slice(),
        pendingMarkers: [...t.pending.values()].map((m) => ({ topic: m.topic, partition: m.partition })),
      }));
  }

  /** A transaction's state, or null when the id is unknown (tests, invariants). */
  stateOf(transactionalId: string): TransactionState | null {
    return this.txns.get(transactionalId)?.state ?? null;
  }
}
