/**
 * One replica of one partition, on one broker: Kafka's `Partition`
 * (core/src/main/scala/kafka/cluster/Partition.scala) with its `Replica` states.
 *
 * As leader it appends produce batches, serves follower and consumer fetches, keeps the
 * high watermark (min log end offset over the ISR, never moving back), shrinks and
 * expands the ISR through the controller (AlterPartition), and completes delayed
 * produce requests (acks=all) once the HW passes them. As follower it is fed by its
 * broker's fetcher.
 *
 * Invariants (checked by src/kafka/invariants):
 * - leader HW ≤ LEO of every member of the maximal ISR;
 * - the leader's HW never decreases while it stays leader;
 * - a follower's HW = min(leader HW it last saw, its own LEO).
 */
import type { FetchPartitionResponse } from '../context';
import type { KafkaError } from '../errors';
import {
  batchBaseSequence,
  batchLastOffset,
  batchLastSequence,
  batchProducerEpoch,
  batchProducerId,
  batchBaseOffset,
  batchIsControl,
  batchIsTransactional,
  controlBatchType,
} from '../log/record-batch';
import { newAppendInfo, type LogAppendInfo, type LogReadInfo, type UnifiedLog } from '../log/unified-log';
import type { WaiterList } from './broker';
import { ReplicaState, type FetchSession } from './fetch-session';
import { ProducerStateManager } from './producer-state';

export interface PartitionRegistration {
  replicas: number[];
  isr: number[];
  /** -1 when offline. */
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  /**
   * A reassignment in progress (KIP-455): replicas = target ++ (original - target);
   * addingReplicas = target - original catch up by fetching; removingReplicas = original -
   * target leave once every target replica is in the ISR. Absent when none is in progress.
   */
  addingReplicas?: number[];
  removingReplicas?: number[];
}

export { ReplicaState };

export type PartitionRole = 'leader' | 'follower' | 'none';

/** The log end moved (what a parked follower fetch waits for). */
export const CHANGED_LOG_END = 1;
/** The high watermark moved (what a parked consumer fetch waits for). */
export const CHANGED_HIGH_WATERMARK = 2;
/** Role, epoch or anything else: every parked fetch looks again. */
export const CHANGED_ALL = 3;

/** What a partition needs from the broker that hosts it. */
export interface PartitionHost {
  readonly brokerId: number;
  now(): number;
  /** The partition's topic's min.insync.replicas. */
  minInsyncReplicas(p: Partition): number;
  replicaLagTimeMaxMs(): number;
  /** Registered and not fenced: may join the ISR (Partition.isReplicaIsrEligible). */
  isBrokerIsrEligible(brokerId: number): boolean;
  /** Ask the controller to change the ISR (AlterPartition). */
  alterPartition(p: Partition, newIsr: number[]): void;
  /**
   * Something a waiting fetch may care about changed: `what` says which (CHANGED_*), so a
   * parked follower fetch is not woken by a high watermark move, nor a consumer's by an
   * append it cannot see yet.
   */
  onPartitionChanged(p: Partition, what: number): void;
  /** Records and bytes appended as leader (the broker's MessagesInPerSec / BytesInPerSec meters). */
  countMessagesIn(records: number, bytes: number): void;
}

/**
 * A parked acks=all produce. Implemented by a class (broker.ts PendingProduce), never by an
 * object of closures: it lives in the partition's state, which checkpoints copy as data.
 */
export interface DelayedProduce {
  requiredOffset: number;
  firstOffset: number;
  respond(error: KafkaError, firstOffset: number): void;
  cancelTimeout(): void;
}

/**
 * A list filled by push and emptied by count: its array keeps its room (an array popped or
 * truncated to empty gives it back to V8, and grows it again on the next push).
 */
class DoneList {
  readonly items: (DelayedProduce | null)[] = [];
  length = 0;
  push(d: DelayedProduce): void {
    if (this.length < this.items.length) this.items[this.length] = d;
    else this.items.push(d);
    this.length++;
  }
  clear(): void {
    for (let i = 0; i < this.length; i++) this.items[i] = null;
    this.length = 0;
  }
}

/**
 * The produces completeDelayedProduces answers, taken out of the partition's list before
 * they are answered: one list for the process, not two arrays per completion. A completion
 * that starts while it is in use (were an answer to complete another partition's produces
 * at once) gets a list of its own.
 */
const DONE = new DoneList();
let doneInUse = false;

function takeDone(): DoneList {
  if (doneInUse) return new DoneList();
  doneInUse = true;
  return DONE;
}

function giveDone(done: DoneList): void {
  done.clear();
  if (done === DONE) doneInUse = false;
}

/**
 * What a leader append did: offsets when error is NONE (duplicate: an idempotent retry's
 * batch already in the log), -1 otherwise. Filled into the caller's object
 * (appendRecordsToLeader's `into`), which reads it before the next append.
 */
export interface LeaderAppendResult {
  error: KafkaError;
  firstOffset: number;
  lastOffset: number;
  duplicate: boolean;
}

export function newLeaderAppendResult(): LeaderAppendResult {
  return { error: 'NONE', firstOffset: -1, lastOffset: -1, duplicate: false };
}

function appended(into: LeaderAppendResult, error: KafkaError, firstOffset: number, lastOffset: number, duplicate: boolean): LeaderAppendResult {
  into.error = error;
  into.firstOffset = firstOffset;
  into.lastOffset = lastOffset;
  into.duplicate = duplicate;
  return into;
}

/** The log's append summary, read at once by appendRecordsToLeader (no object per append). */
const APPEND_INFO: LogAppendInfo = newAppendInfo();

/**
 * A follower fetch's answer for one partition, as the leader's broker sends it (FetchResponse's
 * PartitionData): one object per partition, read directly (a nested result object was one
 * more allocation per partition with data).
 */
export interface FollowerFetchAnswer {
  topic: string;
  partition: number;
  key: string;
  error: KafkaError;
  highWatermark: number;
  logStartOffset: number;
  batches: Uint8Array[];
  /** The bytes of `batches`. */
  bytes: number;
  /** Set when the follower's log diverges from the leader's (KIP-320). */
  divergingEpoch: { epoch: number; endOffset: number } | null;
}

/** A follower fetch's request for one partition (ReplicaFetcherThread's PartitionData). */
export interface FollowerFetchPart {
  topic: string;
  partition: number;
  /** The Partition's own key string (hashed once; see FetchPartition.key). */
  key: string;
  fetchOffset: number;
  lastFetchedEpoch: number;
  currentLeaderEpoch: number;
  /**
   * The leader's side of the fetch session: the ref of the Partition the last leader to read
   * this part found under `key` (Broker.leaderPartitionFor), carried over to the part that
   * replaces this one. A leader uses it only when it holds a Partition (not stopped) of its
   * own, which is exactly when its map holds that Partition under the key; otherwise it
   * looks the key up.
   */
  leaderRef: PartitionRef | null;
  /**
   * How many of the follower's fetches carrying this part a leader may still read: one per
   * fetch sent, given back when that fetch's answer is taken (Broker.onReplicaFetchResponse).
   * A fetch that timed out or was reset may still be parked at its leader, which reads the
   * part until it answers: it never gives its count back. So this counts those only, taken
   * when the fetch is given up (Broker.abandonFetch); the fetch in flight holds the parts it
   * sent through its fetcher (`owner`). While 0 and the owner has no fetch in flight the part
   * is the follower's alone and is refilled in place (Partition.followerFetchPart) instead of
   * replaced.
   */
  holders: number;
  /** The fetcher whose fetches carry this part (its fetch in flight holds it), null before any. */
  owner: FetchPartOwner | null;
}

/** A follower's fetcher, as a fetch part knows it: whether a fetch of it is in flight. */
export interface FetchPartOwner {
  readonly inFlight: object | null;
}

/**
 * How fetch parts (a follower's, a consumer's) refer to a leader's Partition: through this
 * ref, which the Partition clears when it stops. A stopped Partition (its log, its batches)
 * is then unreachable from every part that named it, however long a follower or consumer
 * keeps the part; what stays is this small object.
 */
export interface PartitionRef {
  partition: Partition | null;
}

/**
 * The read summary of the fetch read in progress (UnifiedLog.readInto): reads run one at a
 * time and are used at once, so one object serves them all (no result object per read).
 */
/**
 * The batches of every answer without records that is not a follower fetch's slot (consumer
 * answers, READ between reads): one empty array, never filled (a consumer keeps an answer's
 * batches only when there are some; nothing adds to an answer's array).
 */
export const NO_BATCHES: Uint8Array[] = [];
const READ: LogReadInfo = { error: 'NONE', batches: NO_BATCHES, sizeInBytes: 0 };

/**
 * Fills a follower fetch answer: `into` (the fetch's answer slot, see Broker.readForReplica),
 * or a new one when there is none. `batches` null: no records (the slot's own array emptied).
 */
export function fillFollowerAnswer(
  into: FollowerFetchAnswer | null,
  topic: string,
  partition: number,
  key: string,
  error: KafkaError,
  highWatermark: number,
  logStartOffset: number,
  batches: Uint8Array[] | null,
  bytes: number,
  divergingEpoch: FollowerFetchAnswer['divergingEpoch'],
): FollowerFetchAnswer {
  if (into === null) return { topic, partition, key, error, highWatermark, logStartOffset, batches: batches ?? [], bytes, divergingEpoch };
  fillAnswerHead(into, topic, partition, error, highWatermark, logStartOffset);
  into.key = key;
  if (batches !== null) into.batches = batches;
  else {
    // pop, not `length = 0`: the length setter is a runtime call.
    const own = into.batches;
    while (own.length > 0) own.pop();
  }
  into.bytes = bytes;
  into.divergingEpoch = divergingEpoch;
  return into;
}

/**
 * Fills a consumer fetch answer: `into` (the fetch's answer slot, see Broker.readForConsumer)
 * when it is a plain one, else a new one (an answer that named a preferred read replica or
 * carried read_committed's fields is not refilled: those fields would stay).
 */
export function fillConsumerAnswer(
  into: FetchPartitionResponse | null,
  topic: string,
  partition: number,
  error: KafkaError,
  highWatermark: number,
  logStartOffset: number,
  batches: Uint8Array[],
): FetchPartitionResponse {
  if (into === null || into.preferredReadReplica !== undefined || into.lastStableOffset !== undefined) return { topic, partition, error, highWatermark, logStartOffset, batches };
  fillAnswerHead(into, topic, partition, error, highWatermark, logStartOffset);
  into.batches = batches;
  return into;
}

/** The fields a follower's and a consumer's partition answer share, written into a reused one. */
function fillAnswerHead(
  into: { topic: string; partition: number; error: KafkaError; highWatermark: number; logStartOffset: number },
  topic: string,
  partition: number,
  error: KafkaError,
  highWatermark: number,
  logStartOffset: number,
): void {
  into.topic = topic;
  into.partition = partition;
  into.error = error;
  into.highWatermark = highWatermark;
  into.logStartOffset = logStartOffset;
}

export class Partition {
  readonly key: string;
  /** What fetch parts hold to name this Partition; cleared by stop. */
  readonly ref: PartitionRef = { partition: this };
  role: PartitionRole = 'none';
  leaderId = -1;
  leaderEpoch = -1;
  partitionEpoch = -1;
  replicas: number[] = [];
  /** The ISR as last committed by the controller and learned by this broker. */
  isr: number[] = [];
  /** While an AlterPartition is in flight: the maximal ISR (old ∪ new), as Kafka's PendingExpand/Shrink. */
  pendingIsr: number[] | null = null;
  pendingSinceMs = 0;
  readonly remote = new Map<number, ReplicaState>();
  readonly producerState = new ProducerStateManager();
  /**
   * The parked acks=all produces, in the order they parked: the first delayedProduceLength
   * slots; the slots past them are null. Emptied by count, not by length: an array popped or
   * truncated to empty gives its room back to V8, and the next produce (nearly every request
   * parks here and completes a few ms later) grew it again.
   */
  private delayedProduces: (DelayedProduce | null)[] = [];
  private delayedProduceLength = 0;
  /**
   * A lower bound of the requiredOffset of every parked produce (Infinity when none): while
   * the HW is below it a leader has nothing to complete, known without a walk of the list
   * (most HW moves and appends). Exact after each walk; a removal leaves it a lower bound.
   */
  private delayedProduceMinRequired = Infinity;
  /** Offset at which the current leader epoch started on this leader. */
  private leaderEpochStartOffset = 0;
  /** Follower: the last fetch request part sent for this partition, reused while unchanged. */
  private fetchPart: FollowerFetchPart | null = null;
  /**
   * This replica's leader.replication.throttled.replicas / follower.replication.throttled.replicas
   * flags (isThrottledReplica of the topic's config for this partition and broker), as of the
   * controller's configVersion `throttleVersion` (-1: never computed). Kept by the broker
   * (Broker.refreshThrottle): a fetch reads two booleans, not a config lookup and parse per partition.
   */
  throttleVersion = -1;
  /**
   * The host's fetch purgatory list for this partition's key, null while the key has none:
   * set where the broker makes lists and Partitions (a list lives as long as the process),
   * so a change wakes its waiters without a lookup by key. The broker keeps it.
   */
  waiterList: WaiterList | null = null;
  /**
   * The topic's min.insync.replicas as of the controller's configVersion `minIsrVersion`
   * (-1: never read), kept by the broker (Broker.minInsyncReplicas) like the throttle flags:
   * every acks=all append and HW move asked the config by key.
   */
  minIsrVersion = -1;
  minIsr = 1;
  /**
   * Leader: the followers' fetch sessions that read this partition, and its part's index in
   * each (FetchSession.readFrom keeps them): whatever changes the partition marks it dirty
   * there (touchFetchSessions).
   */
  readonly fetchSessions: FetchSession[] = [];
  readonly fetchSessionIndexes: number[] = [];
  leaderThrottled = false;
  followerThrottled = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly log: UnifiedLog,
    private readonly host: PartitionHost,
  ) {
    this.key = `${topic}-${partition}`;
    this.rebuildProducerState();
  }

  addFetchSession(s: FetchSession, i: number): void {
    this.fetchSessions.push(s);
    this.fetchSessionIndexes.push(i);
  }

  removeFetchSession(s: FetchSession, i: number): void {
    const ss = this.fetchSessions;
    for (let k = 0; k < ss.length; k++) {
      if (ss[k] === s && this.fetchSessionIndexes[k] === i) {
        ss.splice(k, 1);
        this.fetchSessionIndexes.splice(k, 1);
        return;
      }
    }
  }

  /**
   * Something a follower's fetch of this partition would read differently changed (log end,
   * high watermark, log start, role, epoch, ISR, replicas): every fetch session reads its part
   * again next time.
   */
  touchFetchSessions(): void {
    const ss = this.fetchSessions;
    for (let k = 0; k < ss.length; k++) ss[k]!.markDirty(this.fetchSessionIndexes[k]!);
  }

  /** Changed as `what` says: the fetch sessions read it again, parked fetches look (PartitionHost.onPartitionChanged). */
  private changed(what: number): void {
    this.touchFetchSessions();
    this.host.onPartitionChanged(this, what);
  }

  /** Hosted by `h` (a leader checks a Partition reference a fetch part carries is its own). */
  hostedBy(h: PartitionHost): boolean {
    return this.host === h;
  }

  get isLeader(): boolean {
    return this.role === 'leader';
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }

  get highWatermark(): number {
    return this.log.highWatermark;
  }

  /** The ISR used for HW and acks while an ISR change is pending. */
  get maximalIsr(): number[] {
    return this.pendingIsr ?? this.isr;
  }

  private effectiveMinIsr(): number {
    return Math.min(this.host.minInsyncReplicas(this), this.replicas.length);
  }

  isUnderMinIsr(): boolean {
    return this.isr.length < this.effectiveMinIsr();
  }

  // ---- role changes ------------------------------------------------------------------

  makeLeader(reg: PartitionRegistration): void {
    const now = this.host.now();
    const wasLeader = this.role === 'leader';
    const epochChanged = reg.leaderEpoch !== this.leaderEpoch;
    this.role = 'leader';
    this.leaderId = this.host.brokerId;
    this.leaderEpoch = reg.leaderEpoch;
    this.partitionEpoch = reg.partitionEpoch;
    this.replicas = reg.replicas.slice();
    this.isr = reg.isr.slice();
    this.pendingIsr = null;
    if (!wasLeader || epochChanged) {
      // A new leader epoch starts at the current log end (Partition.makeLeader).
      this.log.leaderEpochCache.assign(reg.leaderEpoch, this.log.logEndOffset);
      this.leaderEpochStartOffset = this.log.logEndOffset;
      this.remote.clear();
      for (const id of reg.replicas) {
        if (id === this.host.brokerId) continue;
        const inIsr = reg.isr.includes(id);
        this.remote.set(id, new ReplicaState(id, inIsr ? now : 0, inIsr ? now : 0));
      }
    }
    this.maybeIncrementLeaderHW();
    this.changed(CHANGED_ALL);
  }

  makeFollower(reg: PartitionRegistration): void {
    this.role = 'follower';
    this.leaderId = reg.leader;
    this.leaderEpoch = reg.leaderEpoch;
    this.partitionEpoch = reg.partitionEpoch;
    this.replicas = reg.replicas.slice();
    this.isr = reg.isr.slice();
    this.pendingIsr = null;
    this.remote.clear();
    this.failDelayedProduces('NOT_LEADER_OR_FOLLOWER');
    this.changed(CHANGED_ALL);
  }

  /** Same leader and epoch; the controller committed a new ISR (or other registration change). */
  updateRegistration(reg: PartitionRegistration): void {
    if (reg.partitionEpoch <= this.partitionEpoch) return;
    this.touchFetchSessions();
    this.partitionEpoch = reg.partitionEpoch;
    this.replicas = reg.replicas.slice();
    this.isr = reg.isr.slice();
    this.pendingIsr = null;
    if (this.role === 'leader') {
      // A replica removed by a reassignment no longer counts for the HW.
      for (const id of [...this.remote.keys()]) if (!reg.replicas.includes(id)) this.remote.delete(id);
      for (const id of reg.replicas) {
        if (id !== this.host.brokerId && !this.remote.has(id)) {
          this.remote.set(id, new ReplicaState(id, 0, 0));
        }
      }
      // Replica.resetReplicaState: a follower out of the ISR has its last caught-up time set
      // to 0, so it no longer holds the HW back as "about to join" (a broker fenced while cut
      // off, once healed, would otherwise stall the HW until replica.lag.time.max.ms after it
      // was last caught up).
      for (const [id, r] of this.remote) if (!reg.isr.includes(id) && r.logEndOffset < this.log.logEndOffset) r.lastCaughtUpTimeMs = 0;
      this.maybeIncrementLeaderHW();
      this.completeDelayedProduces();
    }
  }

  /** The broker process died or the replica was removed: drop in-memory state. */
  stop(): void {
    this.touchFetchSessions();
    // The sessions forget it (a stopped Partition, its log and batches, stays reachable from nothing).
    const ss = this.fetchSessions;
    for (let k = 0; k < ss.length; k++) ss[k]!.forget(this.fetchSessionIndexes[k]!, this);
    ss.length = 0;
    this.fetchSessionIndexes.length = 0;
    this.role = 'none';
    this.ref.partition = null;
    this.remote.clear();
    this.pendingIsr = null;
    // Dead processes answer nothing; a removed replica tells its waiters to go elsewhere.
    this.failDelayedProduces('NOT_LEADER_OR_FOLLOWER');
  }

  // ---- leader: produce -----------------------------------------------------------------

  /** `owned`: the batch array is handed over (UnifiedLog.appendAsLeader stores it without a copy). */
  appendRecordsToLeader(batch: Uint8Array, requiredAcks: 0 | 1 | -1, owned = false, into: LeaderAppendResult = newLeaderAppendResult()): LeaderAppendResult {
    if (this.role !== 'leader') return appended(into, 'NOT_LEADER_OR_FOLLOWER', -1, -1, false);
    if (requiredAcks === -1 && this.isr.length < this.effectiveMinIsr()) {
      return appended(into, 'NOT_ENOUGH_REPLICAS', -1, -1, false);
    }
    const pid = batchProducerId(batch);
    if (pid >= 0 && batchIsControl(batch)) {
      // A transaction marker from the coordinator (WriteTxnMarkers): no sequence to check.
      const err = this.producerState.checkMarker(pid, batchProducerEpoch(batch));
      if (err !== 'NONE') return appended(into, err, -1, -1, false);
      const info = this.log.appendAsLeader(batch, this.leaderEpoch, owned, APPEND_INFO);
      const first = info.firstOffset;
      const last = info.lastOffset;
      this.recordTxnState(batch, first, last);
      const hwMoved = this.maybeIncrementLeaderHW();
      this.changed(hwMoved ? CHANGED_ALL : CHANGED_LOG_END);
      return appended(into, 'NONE', first, last, false);
    }
    let epoch = -1;
    let firstSeq = -1;
    let lastSeq = -1;
    if (pid >= 0) {
      epoch = batchProducerEpoch(batch);
      firstSeq = batchBaseSequence(batch);
      lastSeq = batchLastSequence(batch);
      const check = this.producerState.check(pid, epoch, firstSeq, lastSeq);
      if (check.kind === 'duplicate') {
        return appended(into, 'NONE', check.firstOffset, check.lastOffset, true);
      }
      if (check.kind === 'error') return appended(into, check.error, -1, -1, false);
    }
    // APPEND_INFO is read here, before anything else could append.
    const info = this.log.appendAsLeader(batch, this.leaderEpoch, owned, APPEND_INFO);
    const first = info.firstOffset;
    const last = info.lastOffset;
    this.host.countMessagesIn(info.recordCount, info.sizeInBytes);
    if (pid >= 0) {
      // The header's producer fields are outside what the append stamps (base offset, leader epoch).
      this.producerState.update(pid, epoch, firstSeq, lastSeq, first, last);
      this.recordTxnState(batch, first, last);
    }
    const hwMoved = this.maybeIncrementLeaderHW();
    this.changed(hwMoved ? CHANGED_ALL : CHANGED_LOG_END);
    return appended(into, 'NONE', first, last, false);
  }

  /** Parks an acks=all produce until the HW reaches requiredOffset (DelayedProduce). */
  addDelayedProduce(d: DelayedProduce): void {
    const list = this.delayedProduces;
    const n = this.delayedProduceLength++;
    if (n < list.length) list[n] = d;
    else list.push(d);
    if (d.requiredOffset < this.delayedProduceMinRequired) this.delayedProduceMinRequired = d.requiredOffset;
    this.completeDelayedProduces();
  }

  removeDelayedProduce(d: DelayedProduce): void {
    const list = this.delayedProduces;
    const n = this.delayedProduceLength;
    let i = 0;
    while (i < n && list[i] !== d) i++;
    if (i === n) return;
    for (; i < n - 1; i++) list[i] = list[i + 1]!;
    list[n - 1] = null;
    this.delayedProduceLength = n - 1;
  }

  private completeDelayedProduces(): void {
    const n = this.delayedProduceLength;
    if (n === 0) return;
    const hw = this.log.highWatermark;
    const leader = this.role === 'leader';
    // Nothing to complete (most calls): no walk.
    if (leader && hw < this.delayedProduceMinRequired) return;
    // The ones kept slide to the front in place, in order; the ones done are taken out first
    // (into the scratch list), then answered, as the list was replaced before any answer.
    const list = this.delayedProduces;
    const done = takeDone();
    let kept = 0;
    let min = Infinity;
    for (let i = 0; i < n; i++) {
      const d = list[i]!;
      if (!leader || hw >= d.requiredOffset) done.push(d);
      else {
        list[kept++] = d;
        if (d.requiredOffset < min) min = d.requiredOffset;
      }
    }
    this.delayedProduceMinRequired = min;
    if (kept < n) {
      for (let i = kept; i < n; i++) list[i] = null;
      this.delayedProduceLength = kept;
      for (let i = 0; i < done.length; i++) {
        const d = done.items[i]!;
        d.cancelTimeout();
        if (this.role !== 'leader') d.respond('NOT_LEADER_OR_FOLLOWER', -1);
        // DelayedProduce.checkEnoughReplicasReachOffset: HW reached, but is the ISR big enough?
        else if (this.isr.length < this.effectiveMinIsr()) d.respond('NOT_ENOUGH_REPLICAS_AFTER_APPEND', -1);
        else d.respond('NONE', d.firstOffset);
      }
    }
    giveDone(done);
  }

  private failDelayedProduces(error: KafkaError): void {
    const all = this.delayedProduces;
    const n = this.delayedProduceLength;
    this.delayedProduces = [];
    this.delayedProduceLength = 0;
    this.delayedProduceMinRequired = Infinity;
    for (let i = 0; i < n; i++) {
      const d = all[i]!;
      d.cancelTimeout();
      d.respond(error, -1);
    }
  }

  get delayedProduceCount(): number {
    return this.delayedProduceLength;
  }

  // ---- leader: fetch -------------------------------------------------------------------

  /** Validates the requester's leader epoch as Kafka does (FENCED / UNKNOWN_LEADER_EPOCH). */
  checkLeaderEpoch(currentLeaderEpoch: number): KafkaError {
    if (this.role !== 'leader') return 'NOT_LEADER_OR_FOLLOWER';
    if (currentLeaderEpoch < 0) return 'NONE';
    if (currentLeaderEpoch < this.leaderEpoch) return 'FENCED_LEADER_EPOCH';
    if (currentLeaderEpoch > this.leaderEpoch) return 'UNKNOWN_LEADER_EPOCH';
    return 'NONE';
  }

  /** Partition.localLogWithEpochOrThrow(epoch, fetchOnlyFromLeader = false) on a follower. */
  private checkFollowerEpoch(currentLeaderEpoch: number): KafkaError {
    if (currentLeaderEpoch < 0) return 'NONE';
    if (currentLeaderEpoch < this.leaderEpoch) return 'FENCED_LEADER_EPOCH';
    if (currentLeaderEpoch > this.leaderEpoch) return 'UNKNOWN_LEADER_EPOCH';
    return 'NONE';
  }

  /**
   * A follower's fetch: diverging-epoch check, read up to LEO, update its replica state.
   * `updateFetchState` false: the read of a fetch that waited (DelayedFetch.onComplete reads
   * with readFromPurgatory, Partition.fetchRecords then leaves the follower's state alone:
   * it was updated when the fetch arrived, with the fetch's own offset and time).
   */
  fetchForFollower(
    into: FollowerFetchAnswer | null,
    replicaId: number,
    fetchOffset: number,
    lastFetchedEpoch: number,
    currentLeaderEpoch: number,
    maxBytes: number,
    updateFetchState = true,
  ): FollowerFetchAnswer {
    const err = this.checkLeaderEpoch(currentLeaderEpoch);
    if (err !== 'NONE') return this.followerAnswer(into, err);
    const state = this.remote.get(replicaId);
    if (!state) return this.followerAnswer(into, 'NOT_LEADER_OR_FOLLOWER');
    const leo = this.log.logEndOffset;
    // The follower's last epoch is the latest here: it ends at the log end (no divergence
    // while fetchOffset <= LEO), without the lookup's answer object.
    if (lastFetchedEpoch >= 0 && !(lastFetchedEpoch === this.log.epochLatest && fetchOffset <= leo)) {
      const end = this.log.leaderEpochCache.endOffsetFor(lastFetchedEpoch, leo);
      if (end.leaderEpoch < 0 || end.leaderEpoch < lastFetchedEpoch || end.endOffset < fetchOffset) {
        return this.followerAnswer(into, 'NONE', null, 0, { epoch: end.leaderEpoch, endOffset: end.endOffset < 0 ? this.log.logStartOffset : end.endOffset });
      }
    }
    if (fetchOffset === leo && fetchOffset >= this.log.logStartOffset) {
      // Caught up (most partitions of a fetch at scale): nothing to read.
      if (updateFetchState) this.updateFollowerFetchState(state, fetchOffset);
      return this.followerAnswer(into, 'NONE');
    }
    // maxBytes ≤ 0: the response is full; the fetch still tells the leader where we are.
    // The batches go into the slot's own array (its follower read the last ones already).
    const fill = into !== null ? into.batches : undefined;
    const read = maxBytes > 0 ? this.log.readInto(READ, fetchOffset, maxBytes, leo, fill) : this.log.readInto(READ, fetchOffset, 0, fetchOffset, fill);
    const batches = read.batches;
    read.batches = NO_BATCHES; // the summary keeps no answer's array
    if (read.error !== 'NONE') return this.followerAnswer(into, read.error);
    if (updateFetchState) this.updateFollowerFetchState(state, fetchOffset);
    return this.followerAnswer(into, 'NONE', batches, read.sizeInBytes);
  }

  /**
   * fetchForFollower, written into the fetch's answer slot `into` (null: a new answer); a
   * caught-up follower (at the log end, in the latest epoch) takes the short way.
   */
  answerFollower(into: FollowerFetchAnswer | null, replicaId: number, fetchOffset: number, lastFetchedEpoch: number, currentLeaderEpoch: number, maxBytes: number, updateFetchState = true): FollowerFetchAnswer {
    const log = this.log;
    const leo = log.logEndOffset;
    if (
      this.role === 'leader' &&
      fetchOffset === leo &&
      (currentLeaderEpoch < 0 || currentLeaderEpoch === this.leaderEpoch) &&
      (lastFetchedEpoch < 0 || lastFetchedEpoch === log.epochLatest) &&
      fetchOffset >= log.logStartOffset
    ) {
      const state = this.remote.get(replicaId);
      if (state) {
        if (updateFetchState) this.updateFollowerFetchState(state, fetchOffset);
        return this.followerAnswer(into, 'NONE');
      }
    }
    return this.fetchForFollower(into, replicaId, fetchOffset, lastFetchedEpoch, currentLeaderEpoch, maxBytes, updateFetchState);
  }

  /**
   * A read_uncommitted consumer fetch at the HW with a valid epoch (nothing visible to read:
   * most partitions of a consumer's fetch at scale): its answer, with the values
   * fetchForConsumer's would have, in the slot `into` (null: a new one); null when the fetch
   * needs the full read.
   */
  consumerIdleAnswer(into: FetchPartitionResponse | null, fetchOffset: number, currentLeaderEpoch: number): FetchPartitionResponse | null {
    if (this.role === 'none' || (currentLeaderEpoch >= 0 && currentLeaderEpoch !== this.leaderEpoch)) return null;
    const log = this.log;
    const hw = log.highWatermark;
    if (fetchOffset !== hw || fetchOffset < log.logStartOffset || fetchOffset > log.logEndOffset) return null;
    return fillConsumerAnswer(into, this.topic, this.partition, 'NONE', hw, log.logStartOffset, NO_BATCHES);
  }

  /**
   * Follower: this partition's part of the next fetch, the previous one while nothing in it
   * changed, refilled when no leader may read it any more (holders 0), else a new one.
   */
  followerFetchPart(owner: FetchPartOwner): FollowerFetchPart {
    const fetchOffset = this.log.logEndOffset;
    const lastFetchedEpoch = this.log.epochLatest;
    const f = this.fetchPart;
    if (f !== null && f.fetchOffset === fetchOffset && f.lastFetchedEpoch === lastFetchedEpoch && f.currentLeaderEpoch === this.leaderEpoch) {
      f.owner = owner;
      return f;
    }
    if (f !== null && f.holders === 0 && (f.owner === null || f.owner.inFlight === null)) {
      f.fetchOffset = fetchOffset;
      f.lastFetchedEpoch = lastFetchedEpoch;
      f.currentLeaderEpoch = this.leaderEpoch;
      f.owner = owner;
      return f;
    }
    return (this.fetchPart = { topic: this.topic, partition: this.partition, key: this.key, fetchOffset, lastFetchedEpoch, currentLeaderEpoch: this.leaderEpoch, leaderRef: f !== null ? f.leaderRef : null, holders: 0, owner });
  }

  /** Follower: would this partition's part of the next fetch differ from `part` (its log end or epochs moved)? */
  fetchPartMoved(part: FollowerFetchPart): boolean {
    return part.fetchOffset !== this.log.logEndOffset || part.lastFetchedEpoch !== this.log.epochLatest || part.currentLeaderEpoch !== this.leaderEpoch;
  }

  /** A follower fetch's answer as of now: the HW and log start go with every one. */
  private followerAnswer(into: FollowerFetchAnswer | null, error: KafkaError, batches: Uint8Array[] | null = null, bytes = 0, divergingEpoch: FollowerFetchAnswer['divergingEpoch'] = null): FollowerFetchAnswer {
    return fillFollowerAnswer(into, this.topic, this.partition, this.key, error, this.log.highWatermark, this.log.logStartOffset, batches, bytes, divergingEpoch);
  }

  /** A consumer fetch's answer as of now, in the slot `into` when plain (null: a new one; read_committed's fields are added by fetchForConsumer). */
  private consumerAnswer(into: FetchPartitionResponse | null, error: KafkaError, batches: Uint8Array[] = NO_BATCHES): FetchPartitionResponse {
    return fillConsumerAnswer(into, this.topic, this.partition, error, this.log.highWatermark, this.log.logStartOffset, batches);
  }

  /** Replica.updateFetchStateOrThrow, then ISR expansion and HW. */
  private updateFollowerFetchState(state: ReplicaState, fetchOffset: number): void {
    const now = this.host.now();
    const leaderEnd = this.log.logEndOffset;
    if (fetchOffset >= leaderEnd) state.lastCaughtUpTimeMs = Math.max(state.lastCaughtUpTimeMs, now);
    else if (fetchOffset >= state.lastFetchLeaderLogEndOffset) state.lastCaughtUpTimeMs = Math.max(state.lastCaughtUpTimeMs, state.lastFetchTimeMs);
    state.logEndOffset = fetchOffset;
    state.lastFetchLeaderLogEndOffset = leaderEnd;
    state.lastFetchTimeMs = now;
    this.maybeExpandIsr(state);
    if (this.maybeIncrementLeaderHW()) this.changed(CHANGED_HIGH_WATERMARK);
  }

  /**
   * The last stable offset (UnifiedLog.lastStableOffset): the first offset of the oldest
   * transaction not yet decided and replicated, or the high watermark when there is none.
   * A read_committed consumer reads below it only.
   */
  get lastStableOffset(): number {
    const hw = this.log.highWatermark;
    const first = this.producerState.firstUnstableOffset(hw);
    return first === null ? hw : Math.max(this.log.logStartOffset, Math.min(first, hw));
  }

  /**
   * A consumer's fetch: reads committed data only, up to the HW (read_uncommitted) or the
   * last stable offset (read_committed, which also gets the aborted transactions among
   * the records returned, FetchResponse.abortedTransactions).
   */
  fetchForConsumer(fetchOffset: number, currentLeaderEpoch: number, maxBytes: number, readCommitted = false, into: FetchPartitionResponse | null = null): FetchPartitionResponse {
    // read_committed adds fields: a new answer, never the slot.
    const r = this.fetchForConsumerUpTo(readCommitted ? null : into, fetchOffset, currentLeaderEpoch, maxBytes, readCommitted);
    if (readCommitted && r.error === 'NONE') {
      r.lastStableOffset = this.lastStableOffset;
      const last = r.batches[r.batches.length - 1];
      if (last !== undefined) {
        this.producerState.truncateAbortedBelow(this.log.logStartOffset);
        const found = this.producerState.collectAbortedTxns(fetchOffset, batchLastOffset(last) + 1);
        if (found.length > 0) r.abortedTransactions = found.map((t) => ({ producerId: t.producerId, firstOffset: t.firstOffset }));
      }
    }
    return r;
  }

  private fetchForConsumerUpTo(into: FetchPartitionResponse | null, fetchOffset: number, currentLeaderEpoch: number, maxBytes: number, readCommitted: boolean): FetchPartitionResponse {
    // A consumer (FetchRequest v11+, client metadata present) may read from a follower too
    // (KIP-392: fetchOnlyLeader is false); a follower serves up to its own HW, which trails
    // the leader's, so what it hands out is committed.
    const err = this.role === 'follower' ? this.checkFollowerEpoch(currentLeaderEpoch) : this.checkLeaderEpoch(currentLeaderEpoch);
    if (err !== 'NONE') return this.consumerAnswer(into, err);
    const upTo = readCommitted ? this.lastStableOffset : this.log.highWatermark;
    if (fetchOffset > upTo && fetchOffset <= this.log.logEndOffset) {
      // Between HW (or LSO) and LEO: nothing visible yet, not out of range.
      return this.consumerAnswer(into, 'NONE');
    }
    // The batches in an array of their own: a consumer's buffer keeps it.
    const read = this.log.readInto(READ, fetchOffset, maxBytes, upTo);
    const batches = read.batches;
    read.batches = NO_BATCHES; // the summary keeps no answer's array
    if (read.error !== 'NONE') return this.consumerAnswer(into, read.error);
    return this.consumerAnswer(into, 'NONE', batches.length > 0 ? batches : NO_BATCHES);
  }

  // ---- leader: HW and ISR ---------------------------------------------------------------

  /**
   * Partition.maybeIncrementLeaderHW: HW = min LEO over the leader, the maximal ISR and
   * any caught-up eligible replica about to join; never backwards; frozen while the ISR
   * is below min.insync.replicas. Returns true when the HW moved.
   */
  maybeIncrementLeaderHW(): boolean {
    if (this.role !== 'leader') return false;
    // The HW never passes the log end: already there, it cannot move (the common case of
    // a caught-up follower's fetch), and the checks below only read.
    if (this.log.highWatermark >= this.log.logEndOffset) return false;
    if (this.isUnderMinIsr()) return false;
    const now = this.host.now();
    const leaderEnd = this.log.logEndOffset;
    const lagMax = this.host.replicaLagTimeMaxMs();
    const maximal = this.maximalIsr;
    let newHw = leaderEnd;
    for (const r of this.remote.values()) {
      const caughtUp = r.logEndOffset >= 0 && (r.logEndOffset >= leaderEnd || now - r.lastCaughtUpTimeMs <= lagMax);
      const counts = maximal.includes(r.brokerId) || (caughtUp && this.host.isBrokerIsrEligible(r.brokerId) && r.logEndOffset >= 0);
      if (counts) {
        const leo = r.logEndOffset < 0 ? 0 : r.logEndOffset;
        if (leo < newHw) newHw = leo;
      }
    }
    const old = this.log.highWatermark;
    if (newHw > old) {
      this.touchFetchSessions();
      this.log.updateHighWatermark(newHw);
      this.completeDelayedProduces();
      return true;
    }
    return false;
  }

  /** Followers that fell behind for replica.lag.time.max.ms (Partition.getOutOfSyncReplicas). */
  outOfSyncReplicas(): number[] {
    const now = this.host.now();
    const lagMax = this.host.replicaLagTimeMaxMs();
    const leaderEnd = this.log.logEndOffset;
    const out: number[] = [];
    for (const id of this.isr) {
      if (id === this.host.brokerId) continue;
      const r = this.remote.get(id);
      if (!r) continue;
      const caughtUp = r.logEndOffset >= leaderEnd || now - r.lastCaughtUpTimeMs <= lagMax;
      if (!caughtUp) out.push(id);
    }
    return out;
  }

  /** Called periodically by the broker (every replica.lag.time.max.ms / 2). */
  maybeShrinkIsr(): void {
    if (this.role !== 'leader' || this.pendingIsr !== null) return;
    const out = this.outOfSyncReplicas();
    if (out.length === 0) return;
    const newIsr = this.isr.filter((id) => !out.includes(id));
    this.pendingIsr = this.isr.slice(); // shrink: the maximal ISR is still the old one
    this.pendingSinceMs = this.host.now();
    this.host.alterPartition(this, newIsr);
  }

  private maybeExpandIsr(state: ReplicaState): void {
    if (this.pendingIsr !== null || this.isr.includes(state.brokerId)) return;
    const inSync = state.logEndOffset >= this.log.highWatermark && state.logEndOffset >= this.leaderEpochStartOffset;
    if (!inSync || !this.host.isBrokerIsrEligible(state.brokerId)) return;
    const newIsr = [...this.isr, state.brokerId];
    this.pendingIsr = newIsr.slice(); // expand: the maximal ISR already includes it
    this.pendingSinceMs = this.host.now();
    this.host.alterPartition(this, newIsr);
  }

  /** The controller refused or never answered the AlterPartition: forget it and retry later. */
  clearPendingIsr(): void {
    this.pendingIsr = null;
  }

  // ---- follower --------------------------------------------------------------------------

  /** Appends what the leader sent and moves the follower HW (ReplicaFetcherThread.processPartitionData). */
  appendAsFollower(batches: Uint8Array[], leaderHighWatermark: number): number {
    const before = this.log.logEndOffset;
    const n = this.log.appendAsFollower(batches);
    if (n > 0) for (const b of batches) if (batchLastOffset(b) >= before) this.recordProducerBatch(b);
    const hw = Math.min(leaderHighWatermark, this.log.logEndOffset);
    if (hw > this.log.highWatermark) {
      this.log.updateHighWatermark(hw);
      // Consumers reading from this follower (KIP-392) wait for its HW to move.
      this.changed(CHANGED_HIGH_WATERMARK);
    }
    return n;
  }

  /** Truncates the local log (diverging epoch, or unclean election) and rebuilds producer state. */
  truncateTo(offset: number): number {
    const removed = this.log.truncateTo(offset);
    if (removed > 0) this.rebuildProducerState();
    return removed;
  }

  private rebuildProducerState(): void {
    this.producerState.clear();
    for (const seg of this.log.segments) for (let i = 0; i < seg.count; i++) this.recordProducerBatch(seg.batchAt(i));
  }

  /** Producer id, epoch and sequences of an appended batch, from its header; its transaction state. */
  private recordProducerBatch(b: Uint8Array): void {
    const pid = batchProducerId(b);
    if (pid < 0) return;
    if (!batchIsControl(b)) this.producerState.update(pid, batchProducerEpoch(b), batchBaseSequence(b), batchLastSequence(b), batchBaseOffset(b), batchLastOffset(b));
    this.recordTxnState(b, batchBaseOffset(b), batchLastOffset(b));
  }

  /** Transaction bookkeeping of an appended batch (a no-op for non-transactional batches). */
  private recordTxnState(b: Uint8Array, firstOffset: number, lastOffset: number): void {
    const control = batchIsControl(b);
    if (!control && !batchIsTransactional(b)) return;
    this.producerState.onTxnBatch(batchProducerId(b), batchProducerEpoch(b), true, control ? controlBatchType(b) : null, firstOffset, lastOffset);
  }
}
