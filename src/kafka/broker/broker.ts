/**
 * A broker process and its disk. Mirrors Kafka's BrokerServer with ReplicaManager
 * (appendRecords, fetchMessages, delayed produce/fetch purgatories), ReplicaFetcherThread
 * (followers pulling from leaders, KIP-320 diverging-epoch truncation), the broker
 * heartbeat to the controller (BrokerLifecycleManager), AlterPartitionManager, and the
 * log manager's retention and cleaner threads.
 *
 * The disk (`logs`) survives a kill; everything else is process memory and is dropped.
 * Every scheduled callback carries the incarnation that scheduled it, so a killed
 * process never acts again ("zombie" timers are ignored).
 */
import type { Config } from '../config';
import type {
  BrokerApi,
  ClusterContext,
  FetchPartitionResponse,
  FetchRequest,
  FetchResponse,
  ListOffsetsResponse,
} from '../context';
import type { Controller, HeartbeatResponse } from '../controller/controller';
import type { KafkaError } from '../errors';
import type { LogConfig, UnifiedLog } from '../log/unified-log';
import { call, invoke, type Call } from '../sim/call';
import { Deferred, brokerNode, withWireBytes, type NodeId } from '../sim/network';
import { Deadline, TimeoutQueue } from '../sim/deadline';
import { MIN_TURN_MS, type Timer } from '../sim/scheduler';
import { CHANGED_HIGH_WATERMARK, CHANGED_LOG_END, NO_BATCHES, Partition, fillConsumerAnswer, fillFollowerAnswer, newLeaderAppendResult, type DelayedProduce, type FollowerFetchAnswer, type FollowerFetchPart, type LeaderAppendResult, type PartitionHost, type PartitionRegistration } from './partition';
import { ReplicationQuota, isThrottledReplica } from './replication-quota';
import { FetchSession, newFetchSessionRequest, type FetchSessionRequest } from './fetch-session';
import { noteBatchesDropped } from '../log/slab-repack';

/**
 * A ProduceRequest carries one batch for each of several partitions led by the same broker:
 * the producer's Sender drains every ready partition of a node into one request
 * (RecordAccumulator.drain), and the broker answers once for all of them.
 */
export interface ProduceRequest {
  acks: 0 | 1 | -1;
  timeoutMs: number;
  partitions: ProducePartitionData[];
  /**
   * The answer's objects, one per partition in the same order, made by the sender: the
   * broker fills them and answers with this array. The producer reuses a request with its
   * answer objects once it has read the answer (Producer's InFlightRequest); the broker
   * writes into them only until it answers. Absent (the coordinator's WriteTxnMarkers): the
   * broker makes the answer.
   */
  responses?: ProduceResponse[];
}

export interface ProducePartitionData {
  topic: string;
  partition: number;
  /** `${topic}-${partition}`, built once by the producer (see FetchPartition.key). */
  key: string;
  /**
   * Handed over with the request: the leader stores this very array (it stamps the base
   * offset and leader epoch into it), so a sender never touches a batch it sent again and
   * sends each array once; a retry sends a copy (Producer.sendTo).
   */
  batch: Uint8Array;
}

/** One partition's answer in a ProduceResponse (Kafka's PartitionProduceResponse). */
export interface ProduceResponse {
  error: KafkaError;
  baseOffset: number;
  logStartOffset: number;
}

/** The answers to a ProduceRequest, in the order of its partitions. */
export type ProduceResponses = ProduceResponse[];

/** What a broker needs from the cluster around it. */
export interface BrokerEnv {
  readonly ctx: ClusterContext;
  readonly controller: Controller;
  /** Node id of the active controller, or -1. */
  controllerHost(): number;
  /** The network node a controller listens on (its own, or its broker's in combined mode). */
  controllerNode(id: number): NodeId;
  /** `value` now if every record the controller wrote is committed, else a Deferred resolved at that commit. */
  whenCommitted<R>(value: R): R | Deferred<R>;
  topicConfig(topic: string): Config;
  logConfig(topic: string): LogConfig;
  createLog(topic: string, partition: number): UnifiedLog;
  /** The running broker with this id, or undefined. */
  peer(id: number): Broker | undefined;
}

/**
 * A long-polled fetch parked until its partitions change or maxWait passes (the fetch
 * purgatory). Plain data, completed by Broker.tryCompleteWaiter / expireWaiter, so a
 * checkpoint can copy it.
 */
type Waiter = ConsumerFetchWaiter | ReplicaFetchWaiter;

interface ConsumerFetchWaiter {
  kind: 'consumer';
  /** Park order (Broker.parkSeq): a waiter list holds its waiters in it. */
  seq: number;
  /** When maxWait passes (in the broker's waiter TimeoutQueue); settled once answered. */
  due: number;
  settled: boolean;
  req: FetchRequest;
  /** The fetch's answer (its slots; see Broker.readForConsumer), sent when it answers. */
  answer: FetchResponse;
  d: Deferred<FetchResponse>;
}

interface ReplicaFetchWaiter {
  kind: 'replica';
  seq: number;
  due: number;
  settled: boolean;
  replicaId: number;
  parts: FollowerFetchPart[];
  maxBytes: number;
  /** The fetch's answers array (its slots; see Broker.readForReplica), sent when it answers. */
  answers: FollowerFetchAnswer[];
  d: Deferred<FollowerFetchAnswer[]>;
  /**
   * The fetch session it reads (its dirty parts only), null for a fetch without one or one
   * its session no longer reads (the follower gave it up and sent a new one): that one reads
   * all its parts and waits in its parts' lists, as any parked fetch.
   */
  session: FetchSession | null;
  req: FetchSessionRequest | null;
}

/**
 * A replica fetcher session: this broker (the follower) fetching the partitions it follows
 * from one leader (ReplicaFetcherThread with its fetch session).
 */
interface Fetcher {
  leader: number;
  keys: Set<string>;
  /**
   * The partitions of keys, in key order, as direct references (no lookup by key per
   * partition per fetch); null when keys changed since, rebuilt from `partitions` then.
   * Every entry is the Partition `partitions` holds under its key: a Partition leaves the
   * map only through kill (which drops the fetchers) or removePartition (which unfollows its
   * key, so this is rebuilt), and a new one for the key is followed anew (follow).
   */
  members: Partition[] | null;
  /** The fetch outstanding, null when idle. */
  inFlight: ReplicaFetch | null;
  /**
   * The fetcher's last fetch, answered: the next one sends it again, refilled (its parts
   * array, Partitions and Calls), instead of making them anew. Only an answered fetch is
   * reused: the leader holds it no more (a parked one was answered and dropped) and its
   * answer was read. One that timed out or was reset may still be parked at the leader, or
   * its answer on its way: it is never sent again (null then, until one is answered).
   */
  answered: ReplicaFetch | null;
  backoff: Timer | null;
  /** replica.socket.timeout.ms of the fetch in flight (one re-armed Deadline, not a timer per fetch). */
  deadline: Deadline;
  /**
   * The fetch session (KIP-227): indexes of the parts the last answer moved (their log end or
   * epochs), refilled by the next fetch, which names them; the others are sent as they were.
   */
  changed: number[];
  /**
   * The last fetch was built in full from every member, none held back or throttled, as of
   * configVersion `sessionVersion`: the next may refill only the changed parts.
   */
  sessionable: boolean;
  sessionVersion: number;
}

/**
 * One fetch of a replica fetcher: the parts sent (the leader reads this array, at once or
 * parked), the Partition of each part in the same order (the answers come in it), the
 * limits it was sent with, and the Calls that send it and take its answer or reset. The
 * parts array's identity names the fetch in those Calls: the answer of one that is no
 * longer the fetcher's outstanding fetch (timed out, or reset) is ignored.
 */
interface ReplicaFetch {
  readonly parts: FollowerFetchPart[];
  readonly sent: Partition[];
  /**
   * The answer slots of the fetch, sent with it: the leader writes its answers here, one
   * object per part, and sends this array back. Refilled only when the fetch is sent again,
   * which is after its answer was read (only an answered fetch is reused); a fetch that timed
   * out keeps its slots to itself. No answer objects per fetch.
   */
  readonly answers: FollowerFetchAnswer[];
  /** The fetch session's request and answer (null: a fetch without one: fewer parts than ClusterContext.fetchSessionMinParts). */
  readonly session: FetchSessionRequest | null;
  readonly maxWaitMs: number;
  readonly maxBytes: number;
  readonly handle: Call;
  readonly onResponse: Call;
  readonly onReset: Call;
}

/**
 * The parked fetches of one partition key, in the order they parked, and what changed in
 * the partition since the last flush (CHANGED_* bits; 0: not queued in Broker.changed).
 */
export interface WaiterList {
  readonly key: string;
  readonly items: Waiter[];
  what: number;
}

/**
 * The partition key of a parked fetch's i-th part (its parts carry their keys: no keys
 * array per parked fetch).
 */
function waiterKey(w: Waiter, i: number): string {
  if (w.kind === 'replica') return w.parts[i]!.key;
  const fp = w.req.partitions[i]!;
  return fp.key ?? `${fp.topic}-${fp.partition}`;
}

function waiterPartCount(w: Waiter): number {
  return w.kind === 'replica' ? w.parts.length : w.req.partitions.length;
}

/**
 * What the broker's last read of a fetch found besides its answer (Broker.readForConsumer,
 * readForReplica): one object per broker, filled by each read and used before the next,
 * not a result wrapper per read.
 */
interface FetchReadSummary {
  /** Record-batch bytes in the answer. */
  bytes: number;
  /** Consumer fetch: some partition answers with an error. */
  hasError: boolean;
  /** Consumer fetch: some partition names a preferred read replica. */
  preferredReadReplica: boolean;
  /** Follower fetch: an error or a divergence to report at once. */
  urgent: boolean;
}

/** A waiter list this long is swept of settled waiters before the next one parks. */
const WAITER_SWEEP_LENGTH = 16;

/** Removes the settled waiters of a list in place, keeping the others' order. An emptied list stays (it fills again on the next fetch). */
function dropSettled(list: Waiter[]): void {
  let j = 0;
  for (let i = 0; i < list.length; i++) {
    const w = list[i]!;
    if (!w.settled) list[j++] = w;
  }
  // pop, not `list.length = j`: the length setter is a runtime call (~1% of the run at 6 x 50).
  while (list.length > j) list.pop();
}

function hasLiveWaiter(list: Waiter[]): boolean {
  for (let i = 0; i < list.length; i++) if (!list[i]!.settled) return true;
  return false;
}

export class Broker implements BrokerApi, PartitionHost {
  /** The disk: survives kills and restarts. */
  readonly logs = new Map<string, UnifiedLog>();
  readonly partitions = new Map<string, Partition>();
  running = false;
  incarnation = 0;
  private appliedMetadataVersion = -1;
  /** The metadata log offset this broker has applied up to (brokers[].metadataOffset), -1 before any. */
  metadataOffset = -1;
  /** Parked fetches by partition key, in the order they parked (a list: sets rehashed on every park and wake at scale). */
  private readonly waiters = new Map<string, WaiterList>();
  /** maxWait of every parked fetch, one Deadline for all (per incarnation). */
  private waiterTimeouts: TimeoutQueue<Waiter> | null = null;
  /** timeoutMs of every parked acks=all produce (Kafka's produce purgatory), one Deadline for all. */
  private produceTimeouts: TimeoutQueue<PendingProduce> | null = null;
  /** The lists of partitions changed since the last flush, in the order they first changed (each list's `what` says what changed). */
  private changed: WaiterList[] = [];
  /** The emptied array of the last flush, `changed` again for the one after (two arrays, swapped). */
  private changedSpare: WaiterList[] = [];
  /** What each list of a flush had changed, taken before any is walked (refilled by each flush). */
  private readonly changedWhats: number[] = [];
  private changeFlushScheduled = false;
  /** The Call of flushChanged for this incarnation (made at start), scheduled for each flush. */
  private flushChangedCall: Call | null = null;
  private readonly fetchers = new Map<number, Fetcher>();
  /** The followers' fetch sessions at this leader, by follower broker id (process memory). */
  private readonly fetchSessions = new Map<number, FetchSession>();
  /** The park order of the next parked fetch. */
  private parkSeq = 0;
  /**
   * Counters behind the broker's meters (Kafka's BrokerTopicStats): process memory, so they
   * start again from 0 when the process does (kill); rates across that reset count from 0.
   */
  bytesOut = 0;
  messagesIn = 0;
  bytesIn = 0;
  /** Replication throttles (ReplicationQuotaManager), process memory. */
  /** replica.lag.time.max.ms as of configVersion lagMaxVersion (-1: never read). */
  private lagMaxVersion = -1;
  private lagMaxMs = 0;
  private leaderQuota = new ReplicationQuota();
  private followerQuota = new ReplicationQuota();
  /** What the last fetch read found besides its answer (readForConsumer, readForReplica). */
  private readonly lastRead: FetchReadSummary = { bytes: 0, hasError: false, preferredReadReplica: false, urgent: false };
  /** What the last leader append of a produce did (Partition.appendRecordsToLeader fills it; handleProduce reads it at once). */
  private readonly lastAppend: LeaderAppendResult = newLeaderAppendResult();
  readonly node: NodeId;

  constructor(
    readonly brokerId: number,
    public rack: string | null,
    private readonly env: BrokerEnv,
  ) {
    this.node = brokerNode(brokerId);
  }

  get id(): number {
    return this.brokerId;
  }

  private get ctx(): ClusterContext {
    return this.env.ctx;
  }

  now(): number {
    return this.ctx.scheduler.now;
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /** Starts the process: reopen logs, register with the controller, start the timers. */
  start(): void {
    this.running = true;
    this.incarnation++;
    this.appliedMetadataVersion = -1;
    this.ctx.network.up(this.node);
    for (const [key, log] of [...this.logs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const dash = key.lastIndexOf('-');
      const p = new Partition(key.slice(0, dash), Number(key.slice(dash + 1)), log, this);
      p.waiterList = this.waiters.get(key) ?? null; // none: kill cleared them (kept for the invariant onPartitionChanged reads)
      this.partitions.set(key, p);
    }
    const inc = this.incarnation;
    this.waiterTimeouts = new TimeoutQueue<Waiter>(this.ctx.scheduler, call(this, this.onWaiterTimeout, inc));
    this.flushChangedCall = call(this, this.flushChanged, inc);
    this.produceTimeouts = new TimeoutQueue<PendingProduce>(this.ctx.scheduler, call(this, this.onProduceTimeout, inc));
    const cfg = this.ctx.brokerConfig;
    this.every(cfg.int('broker.heartbeat.interval.ms'), inc, call(this, this.sendHeartbeat), 0);
    const half = Math.max(1, Math.floor(cfg.int('replica.lag.time.max.ms') / 2));
    this.every(half, inc, call(this, this.checkIsr));
    this.every(cfg.int('log.retention.check.interval.ms'), inc, call(this, this.runRetention));
    this.every(cfg.int('log.cleaner.backoff.ms'), inc, call(this, this.runCleaner));
  }

  /** The process dies (SIGKILL): nothing it had in memory survives, nothing answers. */
  kill(): void {
    this.running = false;
    this.incarnation++;
    this.ctx.network.down(this.node);
    for (const p of this.partitions.values()) p.stop();
    this.partitions.clear();
    this.messagesIn = 0;
    this.bytesIn = 0;
    this.bytesOut = 0;
    this.leaderQuota = new ReplicationQuota();
    this.followerQuota = new ReplicationQuota();
    for (const list of this.waiters.values()) for (const w of list.items) w.settled = true;
    this.waiters.clear();
    for (const s of this.fetchSessions.values()) if (s.waiter !== null) s.waiter.settled = true;
    this.fetchSessions.clear();
    this.waiterTimeouts = null;
    this.produceTimeouts = null;
    for (const f of this.fetchers.values()) f.backoff?.cancel();
    this.fetchers.clear();
    for (const list of this.changed) list.what = 0;
    this.changed = [];
    this.flushChangedCall = null;
  }

  /** PartitionHost: an append as leader, for MessagesInPerSec and BytesInPerSec. */
  countMessagesIn(records: number, bytes: number): void {
    this.messagesIn += records;
    this.bytesIn += bytes;
  }

  /** Runs work every intervalMs (at least MIN_TURN_MS: log.cleaner.backoff.ms may be 0) while this incarnation lives. */
  private every(intervalMs: number, inc: number, work: Call, firstDelayMs = intervalMs): void {
    this.ctx.scheduler.after(firstDelayMs, call(this, this.tick, intervalMs, inc, work));
  }

  /** @scheduled One tick of a periodic task started by `every`: do the work, then schedule the next. */
  private tick(intervalMs: number, inc: number, work: Call): void {
    if (this.incarnation !== inc) return;
    invoke(work);
    this.ctx.scheduler.after(Math.max(MIN_TURN_MS, intervalMs), call(this, this.tick, intervalMs, inc, work));
  }

  /** Applies the registrations seen at cluster construction, without network delay. */
  bootstrapMetadata(version: number): void {
    for (const r of this.env.controller.registrationsFor(this.brokerId)) this.applyRegistration(r.topic, r.partition, r.reg);
    this.appliedMetadataVersion = version;
  }

  // ---- controller traffic -----------------------------------------------------------------

  private sendHeartbeat(): void {
    const host = this.env.controllerHost();
    if (host < 0) return;
    const inc = this.incarnation;
    const applied = this.appliedMetadataVersion;
    this.ctx.network.request<HeartbeatResponse | null>(
      this.node,
      this.env.controllerNode(host),
      call(this, this.heartbeatAtController, host, inc, applied),
      call(this, this.onHeartbeatResponse, inc),
    );
  }

  /** @scheduled Runs at the controller's host: the controller answers, if it is still there. */
  private heartbeatAtController(host: number, inc: number, applied: number): HeartbeatResponse | null | Deferred<HeartbeatResponse | null> {
    // Answered once what the controller wrote for it (registration, unfencing) is committed.
    return this.env.controllerHost() === host ? this.env.whenCommitted(this.env.controller.handleHeartbeat(this.brokerId, this.rack, inc, applied)) : null;
  }

  /** @scheduled */
  private onHeartbeatResponse(inc: number, resp: HeartbeatResponse | null): void {
    if (this.incarnation !== inc || !resp) return;
    if (resp.metadataOffset > this.metadataOffset) this.metadataOffset = resp.metadataOffset;
    if (resp.registrations) {
      for (const r of resp.registrations) this.applyRegistration(r.topic, r.partition, r.reg);
      // A full resync also tells what is gone: logs of deleted topics are removed.
      const listed = new Set(resp.registrations.map((r) => `${r.topic}-${r.partition}`));
      for (const key of [...this.logs.keys()]) if (!listed.has(key)) this.removePartition(key, true);
      this.appliedMetadataVersion = resp.metadataVersion;
    }
  }

  /** A partition change pushed by the controller (or learned from a heartbeat). */
  /** @scheduled A committed PartitionChangeRecord / PartitionRecord pushed by the active controller. */
  applyPublished(topic: string, partition: number, reg: PartitionRegistration, offset: number): void {
    if (!this.running) return;
    if (offset + 1 > this.metadataOffset) this.metadataOffset = offset + 1;
    this.applyRegistration(topic, partition, reg);
  }

  applyRegistration(topic: string, partition: number, reg: PartitionRegistration): void {
    if (!this.running) return;
    const key = `${topic}-${partition}`;
    if (!reg.replicas.includes(this.brokerId)) {
      // No longer a replica (a reassignment moved it away): StopReplica with delete.
      if (this.logs.has(key)) {
        this.removePartition(key, true);
        this.ctx.emit({ type: 'ReplicaDeleted', topic, partition, broker: this.brokerId });
      }
      return;
    }
    let log = this.logs.get(key);
    if (!log) {
      log = this.env.createLog(topic, partition);
      this.logs.set(key, log);
    }
    let p = this.partitions.get(key);
    if (!p) {
      p = new Partition(topic, partition, log, this);
      // The key's purgatory list, if one outlived a Partition removed before (onPartitionChanged).
      p.waiterList = this.waiters.get(key) ?? null;
      this.partitions.set(key, p);
    }
    if (reg.leaderEpoch < p.leaderEpoch) return; // stale
    if (reg.leader === this.brokerId) {
      if (p.role !== 'leader' || reg.leaderEpoch > p.leaderEpoch) {
        this.unfollow(key);
        p.makeLeader(reg);
      } else p.updateRegistration(reg);
    } else if (p.role !== 'follower' || reg.leaderEpoch > p.leaderEpoch || reg.leader !== p.leaderId) {
      this.unfollow(key);
      p.makeFollower(reg);
      if (reg.leader >= 0) this.follow(key, reg.leader);
    } else p.updateRegistration(reg);
  }

  /** A topic was deleted, or this broker is no longer a replica: drop it from memory and disk. */
  removePartition(key: string, deleteLog: boolean): void {
    const p = this.partitions.get(key);
    if (p) {
      // A fetch parked on a session reading it waits in the key's list from now on (a
      // Partition made for the key later is not in the session until the part is read again).
      if (p.fetchSessions.length > 0) this.enlistSessionWaiters(p);
      p.stop();
      this.partitions.delete(key);
    }
    this.unfollow(key);
    if (deleteLog && this.logs.delete(key)) noteBatchesDropped();
  }

  alterPartition(p: Partition, newIsr: number[]): void {
    const host = this.env.controllerHost();
    const inc = this.incarnation;
    const leaderEpoch = p.leaderEpoch;
    const partitionEpoch = p.partitionEpoch;
    // No answer in time (controller unreachable): forget the pending change; the next ISR
    // check proposes it again, as AlterPartitionManager retries.
    const giveUp = this.ctx.scheduler.after(
      this.ctx.brokerConfig.int('broker.heartbeat.interval.ms') * 2,
      call(this, this.onAlterPartitionGiveUp, inc, p, leaderEpoch),
    );
    if (host < 0) return;
    this.ctx.network.request<AlterPartitionResponse>(
      this.node,
      this.env.controllerNode(host),
      call(this, this.alterPartitionAtController, host, p, leaderEpoch, partitionEpoch, newIsr),
      call(this, this.onAlterPartitionResponse, inc, giveUp, p),
    );
  }

  /** @scheduled */
  private onAlterPartitionGiveUp(inc: number, p: Partition, leaderEpoch: number): void {
    if (this.incarnation === inc && p.pendingIsr !== null && p.leaderEpoch === leaderEpoch) p.clearPendingIsr();
  }

  /** @scheduled Runs at the controller's host: the controller answers, if it is still there. */
  private alterPartitionAtController(host: number, p: Partition, leaderEpoch: number, partitionEpoch: number, newIsr: number[]): AlterPartitionResponse | Deferred<AlterPartitionResponse> {
    // Answered once the PartitionChangeRecord is committed (QuorumController completes the
    // write then), so the leader never acts on an ISR that a controller failover could undo.
    return this.env.controllerHost() === host
      ? this.env.whenCommitted(this.env.controller.handleAlterPartition(this.brokerId, p.topic, p.partition, leaderEpoch, partitionEpoch, newIsr))
      : { error: 'NOT_LEADER_OR_FOLLOWER', reg: null };
  }

  /** @scheduled */
  private onAlterPartitionResponse(inc: number, giveUp: Timer, p: Partition, resp: AlterPartitionResponse): void {
    if (this.incarnation !== inc) return;
    giveUp.cancel();
    if (this.partitions.get(p.key) !== p) return;
    if (resp.error !== 'NONE') p.clearPendingIsr();
    if (resp.reg) this.applyRegistration(p.topic, p.partition, resp.reg);
  }

  // ---- partition host -----------------------------------------------------------------------

  /** The topic's min.insync.replicas, read again when any config changed since (configVersion). */
  minInsyncReplicas(p: Partition): number {
    const v = this.env.controller.configVersion;
    if (p.minIsrVersion !== v) {
      p.minIsr = this.env.topicConfig(p.topic).int('min.insync.replicas');
      p.minIsrVersion = v;
    }
    return p.minIsr;
  }

  /** replica.lag.time.max.ms, read again when any config changed since (a broker config change bumps configVersion). */
  replicaLagTimeMaxMs(): number {
    const v = this.env.controller.configVersion;
    if (this.lagMaxVersion !== v) {
      this.lagMaxMs = this.ctx.brokerConfig.int('replica.lag.time.max.ms');
      this.lagMaxVersion = v;
    }
    return this.lagMaxMs;
  }

  isBrokerIsrEligible(id: number): boolean {
    return this.env.controller.isAlive(id);
  }

  /** Wake waiting fetches once per partition per instant (no re-entrancy). */
  onPartitionChanged(p: Partition, what: number): void {
    // A fetch parked on a session that reads p waits in p's list from now on, where it
    // would have waited had it parked there (addWaiter).
    if (p.fetchSessions.length > 0) this.enlistSessionWaiters(p);
    // The partition's list: a Partition in the map holds its key's list, or null when the key
    // has none (addWaiter and applyRegistration keep it so); a stopped one looks it up.
    const list = this.waiterListOf(p, p.key);
    if (list === undefined) return;
    if (!hasLiveWaiter(list.items)) return;
    if (list.what === 0) this.changed.push(list);
    list.what |= what;
    if (this.changeFlushScheduled) return;
    this.changeFlushScheduled = true;
    this.ctx.scheduler.after(0, this.flushChangedCall ?? call(this, this.flushChanged, this.incarnation));
  }

  /** @scheduled */
  private flushChanged(inc: number): void {
    this.changeFlushScheduled = false;
    if (this.incarnation !== inc) return;
    const lists = this.changed;
    this.changed = this.changedSpare;
    // What each list had changed, taken before any is walked (as the set was copied and cleared).
    // One pass over the (cold) lists: read and reset.
    const whats = this.changedWhats;
    while (whats.length > lists.length) whats.pop();
    for (let n = 0; n < lists.length; n++) {
      const l = lists[n]!;
      if (n < whats.length) whats[n] = l.what;
      else whats.push(l.what);
      l.what = 0;
    }
    for (let n = 0; n < lists.length; n++) {
      const key = lists[n]!.key;
      const what = whats[n]!;
      const list = lists[n]!.items;
      if (list.length === 0) continue;
      // Followers wait for the log end, consumers for the high watermark (mayComplete could not say yes otherwise).
      // The list is walked live, in the order the fetches parked; a waiter completed here (or
      // earlier, under another key) is settled and skipped (answers travel by scheduled
      // events, so nothing parks or wakes in between). Settled ones leave the list here.
      for (let i = 0; i < list.length; i++) {
        const w = list[i]!;
        if (!w.settled && (what & (w.kind === 'replica' ? CHANGED_LOG_END : CHANGED_HIGH_WATERMARK)) !== 0 && this.mayComplete(w, key) && this.tryCompleteWaiter(w)) this.removeWaiter(w);
      }
      dropSettled(list);
    }
    // Emptied, the spare for the flush after next (pop: the length setter is a runtime call).
    while (lists.length > 0) lists.pop();
    this.changedSpare = lists;
  }

  /**
   * Parks `w` under each of its partitions. A list holds its waiters in the order they
   * parked; an answered waiter is only marked settled (removeWaiter) and leaves its lists
   * lazily: here, once the list's oldest is settled or the list is long, and in flushChanged.
   * Taking it out of every list at once cost a lookup, a search and a splice per partition
   * of the fetch (17 partitions a follower fetch at 12 x 200). The live waiters, and their
   * order, are the same either way.
   */
  /**
   * The purgatory list of key `key`, whose Partition here is `p` if known: a live Partition
   * holds its key's list (null: the key has none), a stopped one or none looks it up.
   */
  private waiterListOf(p: Partition | undefined, key: string): WaiterList | undefined {
    return p !== undefined && p.role !== 'none' ? (p.waiterList ?? undefined) : this.waiters.get(key);
  }

  private addWaiter(w: Waiter, maxWaitMs: number): void {
    w.seq = this.parkSeq++;
    w.due = this.now() + Math.max(0, maxWaitMs);
    this.waiterTimeouts!.add(w);
    if (w.kind === 'replica' && w.session !== null) {
      // A session's fetch waits on its session: it joins a partition's list only when that
      // partition changes (enlistSessionWaiters), not every list of every part it carries.
      w.session.waiter = w;
      return;
    }
    const n = waiterPartCount(w);
    for (let i = 0; i < n; i++) {
      const k = waiterKey(w, i);
      // A fetch names Partitions this broker holds (its parts carry them): their lists
      // without a lookup by key.
      const p = w.kind === 'replica' ? this.leaderPartitionFor(w.parts[i]!) : this.consumerPartitionFor(w.req.partitions[i]!);
      // (A key without a list is looked up once more before one is made: rare, and safe.)
      const entry = this.waiterListOf(p, k) ?? this.waiters.get(k);
      if (entry === undefined) this.newWaiterList(p, k, w);
      else {
        const list = entry.items;
        if (list.length > 0 && (list[0]!.settled || list.length >= WAITER_SWEEP_LENGTH)) dropSettled(list);
        list.push(w);
      }
    }
  }

  /** Key k's first list, holding `w`; the Partition the map holds under k (whatever its role) holds it. */
  private newWaiterList(p: Partition | undefined, k: string, w: Waiter): void {
    const created: WaiterList = { key: k, items: [w], what: 0 };
    this.waiters.set(k, created);
    const inMap = p !== undefined && p.role !== 'none' ? p : this.partitions.get(k);
    if (inMap !== undefined) inMap.waiterList = created;
  }

  /**
   * Puts `w` in key k's list at its park order (its seq), unless it is there: the list is
   * then as if `w` had been pushed when it parked (a list holds its waiters by seq).
   */
  private enlist(p: Partition | undefined, k: string, w: Waiter): void {
    const entry = this.waiterListOf(p, k) ?? this.waiters.get(k);
    if (entry === undefined) {
      this.newWaiterList(p, k, w);
      return;
    }
    const list = entry.items;
    let i = list.length;
    while (i > 0 && list[i - 1]!.seq > w.seq) i--;
    if (i > 0 && list[i - 1] === w) return;
    if (i === list.length) list.push(w);
    else list.splice(i, 0, w);
  }

  /** The live fetches parked on p's fetch sessions, into p's list (p changed). */
  private enlistSessionWaiters(p: Partition): void {
    const ss = p.fetchSessions;
    for (let k = 0; k < ss.length; k++) {
      const s = ss[k]!;
      const w = s.waiter as ReplicaFetchWaiter | null;
      if (w !== null && !w.settled && w.session === s) this.enlist(p, p.key, w);
    }
  }

  /**
   * A fetch parked on session `s` that `s` no longer reads (the follower sent a new one): it
   * reads all its parts from now on and waits in every part's list, at its park order.
   */
  private detachSessionWaiter(s: FetchSession): void {
    const w = s.waiter as ReplicaFetchWaiter | null;
    s.waiter = null;
    if (w === null || w.settled || w.session !== s) return;
    w.session = null;
    for (let i = 0; i < w.parts.length; i++) {
      const fp = w.parts[i]!;
      this.enlist(this.leaderPartitionFor(fp), fp.key, w);
    }
  }

  /** @scheduled maxWait passed: answer with whatever there is. */
  private onWaiterTimeout(inc: number, w: Waiter): void {
    if (this.incarnation !== inc) return;
    this.removeWaiter(w);
    if (w.kind === 'consumer') {
      this.readForConsumer(w.req, w.answer.partitions);
      const bytes = this.lastRead.bytes;
      this.bytesOut += bytes;
      w.d.resolve(withWireBytes(w.answer, bytes));
    } else {
      const out = this.readReplicaWaiter(w);
      w.d.resolve(withWireBytes(out, this.lastRead.bytes));
    }
  }

  /**
   * Could the parked fetch be answered now? A check of offsets and epochs only, as Kafka's
   * DelayedFetch.tryComplete does; the read itself happens once, when it can answer. The
   * profile showed every append and HW change re-reading every waiting fetch of the partition
   * in full (and, for followers, redoing their fetch-state update), mostly to find nothing.
   * False only when a read would find no record and no error: consumers see only what is
   * below the HW, followers only what is below the LEO.
   */
  private mayComplete(w: Waiter, changedKey?: string): boolean {
    if (w.kind === 'replica' && w.session !== null) {
      // A clean part cannot answer (caught up, idle, unchanged since it was read): only the dirty may.
      const dirty = w.session.dirty;
      for (let k = 0; k < dirty.length; k++) if (this.replicaPartMayAnswer(w, w.parts[dirty[k]!]!)) return true;
      return false;
    }
    // The partition that changed is the likeliest to answer: asked first. The answer is the
    // same (any partition that can answer makes it true; the checks only read).
    if (changedKey !== undefined) {
      const n = waiterPartCount(w);
      let i = 0;
      while (i < n && waiterKey(w, i) !== changedKey) i++;
      if (i < n && (w.kind === 'consumer' ? this.consumerPartMayAnswer(w.req.partitions[i]!) : this.replicaPartMayAnswer(w, w.parts[i]!))) return true;
    }
    if (w.kind === 'consumer') {
      for (const fp of w.req.partitions) if (this.consumerPartMayAnswer(fp)) return true;
      return false;
    }
    for (const fp of w.parts) if (this.replicaPartMayAnswer(w, fp)) return true;
    return false;
  }

  private consumerPartMayAnswer(fp: FetchRequest['partitions'][number]): boolean {
    const p = this.consumerPartitionFor(fp);
    // A follower serves consumers too (KIP-392), up to its own HW.
    if (!p || p.role === 'none' || (fp.currentLeaderEpoch >= 0 && fp.currentLeaderEpoch !== p.leaderEpoch)) return true;
    const log = p.log;
    return fp.fetchOffset < log.highWatermark || fp.fetchOffset < log.logStartOffset || fp.fetchOffset > log.logEndOffset;
  }

  private replicaPartMayAnswer(w: ReplicaFetchWaiter, fp: FollowerFetchPart): boolean {
    const p = this.leaderPartitionFor(fp);
    if (!p || p.role !== 'leader' || (fp.currentLeaderEpoch >= 0 && fp.currentLeaderEpoch !== p.leaderEpoch) || !p.remote.has(w.replicaId)) return true;
    const log = p.log;
    return fp.fetchOffset !== log.logEndOffset || fp.fetchOffset < log.logStartOffset;
  }

  /** Answers a parked fetch if it can be answered now; true once it completed. */
  private tryCompleteWaiter(w: Waiter): boolean {
    const read = this.lastRead;
    if (w.kind === 'consumer') {
      this.readForConsumer(w.req, w.answer.partitions);
      if (read.bytes >= w.req.minBytes || read.hasError) {
        this.bytesOut += read.bytes;
        w.d.resolve(withWireBytes(w.answer, read.bytes));
        return true;
      }
      return false;
    }
    const out = this.readReplicaWaiter(w);
    if (read.bytes > 0 || read.urgent) {
      this.bytesOut += read.bytes;
      w.d.resolve(withWireBytes(out, read.bytes));
      return true;
    }
    return false;
  }

  /** A parked follower fetch's read when it wakes or times out: its session's dirty parts, else all. */
  private readReplicaWaiter(w: ReplicaFetchWaiter): FollowerFetchAnswer[] {
    return w.session !== null && w.req !== null
      ? this.readSession(w.session, w.req, w.parts, w.maxBytes, false, w.answers)
      : this.readForReplica(w.replicaId, w.parts, w.maxBytes, false, w.answers);
  }

  /** Answered or expired: its lists drop it lazily (addWaiter, flushChanged). */
  private removeWaiter(w: Waiter): void {
    w.settled = true;
  }

  // ---- produce ----------------------------------------------------------------------------------

  handleProduce(req: ProduceRequest): ProduceResponses | Deferred<ProduceResponses> {
    const out: ProduceResponses = req.responses ?? new Array<ProduceResponse>(req.partitions.length);
    let pending: PendingProduce | null = null;
    let limitsTopic: string | null = null;
    let maxMessageBytes = 0;
    let segmentBytes = 0;
    for (let i = 0; i < req.partitions.length; i++) {
      const pd = req.partitions[i]!;
      const p = this.partitions.get(pd.key);
      if (!p) {
        const exists = this.env.controller.topics.get(pd.topic)?.partitions[pd.partition] !== undefined;
        answerAt(out, i, exists ? 'NOT_LEADER_OR_FOLLOWER' : 'UNKNOWN_TOPIC_OR_PARTITION', -1, -1);
        continue;
      }
      // UnifiedLog.analyzeAndValidateRecords: a batch over the topic's max.message.bytes is
      // RecordTooLargeException; then one over segment.bytes is RecordBatchTooLargeException.
      // Looked up once per topic of the request (its partitions come topic by topic).
      if (pd.topic !== limitsTopic) {
        const topicCfg = this.env.topicConfig(pd.topic);
        maxMessageBytes = topicCfg.int('max.message.bytes');
        segmentBytes = topicCfg.int('segment.bytes');
        limitsTopic = pd.topic;
      }
      if (pd.batch.length > maxMessageBytes) {
        answerAt(out, i, 'MESSAGE_TOO_LARGE', -1, -1);
        continue;
      }
      if (pd.batch.length > segmentBytes) {
        answerAt(out, i, 'RECORD_LIST_TOO_LARGE', -1, -1);
        continue;
      }
      const r = p.appendRecordsToLeader(pd.batch, req.acks, true, this.lastAppend);
      if (r.error !== 'NONE' || req.acks !== -1) {
        answerAt(out, i, r.error, r.firstOffset, p.log.logStartOffset);
        continue;
      }
      // Filled in when the slot answers (PendingProduce.slotDone, expire): one object per partition.
      answerAt(out, i, 'REQUEST_TIMED_OUT', -1, -1);
      pending ??= new PendingProduce(this, this.incarnation, out, new Deferred<ProduceResponses>());
      pending.slots.push(new PendingProducePartition(pending, i, p, r.lastOffset + 1, r.firstOffset));
    }
    // The answers carry no batch bytes: marked so, the network does not walk them.
    if (!pending) return withWireBytes(out, 0);
    // One DelayedProduce for the request: it answers when every partition's HW passed its
    // batch, or at timeoutMs with what it has.
    pending.due = this.now() + Math.max(0, req.timeoutMs);
    this.produceTimeouts!.add(pending);
    // A slot answered at once (slotDone) leaves the slots as they are: no copy to walk.
    for (const slot of pending.slots) slot.partition.addDelayedProduce(slot);
    return pending.d;
  }

  /** @scheduled A parked produce's timeoutMs passed. */
  private onProduceTimeout(inc: number, pending: PendingProduce): void {
    if (this.incarnation === inc) pending.expire();
  }

  // ---- fetch (consumers) -----------------------------------------------------------------------

  /**
   * A consumer's fetch. The answer is written into `answer`, the fetch's answer (see
   * Consumer's SessionFetch.answer; a new one without it), and that object is sent.
   */
  handleFetch(req: FetchRequest, answer: FetchResponse = { error: 'NONE', partitions: [] }): FetchResponse | Deferred<FetchResponse> {
    answer.error = 'NONE';
    this.readForConsumer(req, answer.partitions);
    const first = this.lastRead;
    // Answered at once also when it names a preferred read replica (ReplicaManager.fetchMessages).
    if (first.bytes >= req.minBytes || first.hasError || req.maxWaitMs <= 0 || first.preferredReadReplica) {
      this.bytesOut += first.bytes;
      return withWireBytes(answer, first.bytes);
    }
    const d = new Deferred<FetchResponse>();
    const w: ConsumerFetchWaiter = {
      kind: 'consumer',
      seq: 0,
      due: 0,
      settled: false,
      req,
      answer,
      d,
    };
    this.addWaiter(w, req.maxWaitMs);
    return d;
  }

  /**
   * Reads a consumer fetch's partitions as they are now: their answers, in the request's
   * order, written into the fetch's answer slots `partitions` (an answer object per
   * partition, refilled: the consumer read the last ones before it sent the fetch again, and
   * keeps of them only their batches arrays, never refilled); lastRead then holds its bytes,
   * hasError (some partition answers with an error) and preferredReadReplica.
   */
  private readForConsumer(req: FetchRequest, partitions: FetchPartitionResponse[]): void {
    let bytes = 0;
    let preferredReadReplica = false;
    let hasError = false;
    const selector = req.replicaId < 0 && !!req.rackId && this.ctx.brokerConfig.raw('replica.selector.class');
    const readCommitted = req.isolationLevel === 1;
    const asked = req.partitions;
    // One answer per partition asked, in the request's order (pop: the length setter is a runtime call).
    while (partitions.length > asked.length) partitions.pop();
    for (let i = 0; i < asked.length; i++) {
      const fp = asked[i]!;
      const slot = i < partitions.length ? partitions[i]! : null;
      const p = this.consumerPartitionFor(fp);
      if (!p) {
        const exists = this.env.controller.topics.get(fp.topic)?.partitions[fp.partition] !== undefined;
        partitions[i] = fillConsumerAnswer(slot, fp.topic, fp.partition, exists ? 'NOT_LEADER_OR_FOLLOWER' : 'UNKNOWN_TOPIC_OR_PARTITION', -1, -1, NO_BATCHES);
        hasError = true;
        continue;
      }
      if (selector && p.isLeader) {
        // ReplicaManager.readFromLog: with a preferred read replica the read is skipped.
        const preferred = this.findPreferredReadReplica(p, req, fp.fetchOffset);
        if (preferred >= 0) {
          const err = p.checkLeaderEpoch(fp.currentLeaderEpoch);
          if (err !== 'NONE') {
            partitions[i] = fillConsumerAnswer(slot, fp.topic, fp.partition, err, -1, -1, NO_BATCHES);
            hasError = true;
            continue;
          }
          preferredReadReplica = true;
          partitions[i] = { topic: fp.topic, partition: fp.partition, error: 'NONE', highWatermark: p.highWatermark, logStartOffset: p.log.logStartOffset, batches: NO_BATCHES, preferredReadReplica: preferred };
          continue;
        }
      }
      if (!readCommitted) {
        // Nothing past the position yet (the usual answer to a caught-up consumer): the partition's shared empty answer.
        const idle = p.consumerIdleAnswer(slot, fp.fetchOffset, fp.currentLeaderEpoch);
        if (idle !== null) {
          partitions[i] = idle;
          continue;
        }
      }
      const r = p.fetchForConsumer(fp.fetchOffset, fp.currentLeaderEpoch, Math.min(fp.partitionMaxBytes, req.maxBytes - bytes), readCommitted, slot);
      const batches = r.batches;
      for (let b = 0; b < batches.length; b++) bytes += batches[b]!.length;
      if (r.error !== 'NONE') hasError = true;
      partitions[i] = r;
    }
    this.noteRead(bytes, hasError, preferredReadReplica, false);
  }

  /**
   * ReplicaManager.findPreferredReadReplica with the RackAwareReplicaSelector (KIP-392), on
   * the leader, for a consumer fetch: the candidates are the leader and the followers in the
   * ISR whose log end has reached the fetch offset; a consumer with a client.rack gets a
   * replica in its rack, the leader when it is there itself, else the most caught-up one
   * (ReplicaView.comparator: log end, then most recently caught up, then id). -1: the leader.
   */
  private findPreferredReadReplica(p: Partition, req: FetchRequest, fetchOffset: number): number {
    const rack = req.rackId ?? '';
    if (req.replicaId >= 0 || rack === '') return -1;
    const meta = this.ctx.metadata;
    if (this.rack === rack) return -1;
    const now = this.now();
    let best = -1;
    let bestLeo = -1;
    let bestSince = Infinity;
    for (const r of p.remote.values()) {
      // Out-of-sync followers may lag without end: never preferred.
      if (!p.isr.includes(r.brokerId) || r.logEndOffset < fetchOffset) continue;
      if (meta.brokerRack(r.brokerId) !== rack) continue;
      const since = now - r.lastCaughtUpTimeMs;
      if (best < 0 || r.logEndOffset > bestLeo || (r.logEndOffset === bestLeo && (since < bestSince || (since === bestSince && r.brokerId > best)))) {
        best = r.brokerId;
        bestLeo = r.logEndOffset;
        bestSince = since;
      }
    }
    return best;
  }

  handleListOffsets(topic: string, partition: number, timestamp: number, isolationLevel: 0 | 1 = 0): ListOffsetsResponse {
    const p = this.partitions.get(`${topic}-${partition}`);
    if (!p || !p.isLeader) return { error: p ? 'NOT_LEADER_OR_FOLLOWER' : 'UNKNOWN_TOPIC_OR_PARTITION', offset: -1 };
    if (timestamp === -2) return { error: 'NONE', offset: p.log.logStartOffset };
    if (timestamp === -1) return { error: 'NONE', offset: isolationLevel === 1 ? p.lastStableOffset : p.log.highWatermark };
    const off = p.log.offsetForTimestamp(timestamp);
    return { error: 'NONE', offset: off === null || off > p.log.highWatermark ? p.log.highWatermark : off };
  }

  // ---- fetch (followers) ------------------------------------------------------------------------

  /**
   * A follower broker's fetch (replicaId ≥ 0), long-polled up to replica.fetch.wait.max.ms.
   * The answers are written into `answers`, the fetch's slots (see ReplicaFetch.answers),
   * which is the array sent back.
   */
  handleReplicaFetch(
    replicaId: number,
    parts: FollowerFetchPart[],
    maxWaitMs: number,
    maxBytes: number,
    answers: FollowerFetchAnswer[] = [],
    req: FetchSessionRequest | null = null,
  ): FollowerFetchAnswer[] | Deferred<FollowerFetchAnswer[]> {
    const session = req !== null ? this.fetchSessionAtArrival(replicaId, parts, answers, req) : null;
    const out = session !== null ? this.readSession(session, req!, parts, maxBytes, true, answers) : this.readForReplica(replicaId, parts, maxBytes, true, answers);
    const first = this.lastRead;
    if (first.bytes > 0 || first.urgent || maxWaitMs <= 0) {
      this.bytesOut += first.bytes;
      return withWireBytes(out, first.bytes);
    }
    const d = new Deferred<FollowerFetchAnswer[]>();
    const w: ReplicaFetchWaiter = {
      kind: 'replica',
      seq: 0,
      due: 0,
      settled: false,
      replicaId,
      parts,
      maxBytes,
      answers,
      d,
      session,
      req,
    };
    this.addWaiter(w, maxWaitMs);
    return d;
  }

  /**
   * A follower's fetch with a session arrived: its session, told what the follower changed
   * (its parts dirty), or started anew when the fetch is new (another parts array), names
   * no changes, or the config changed since (throttles, limits).
   */
  private fetchSessionAtArrival(replicaId: number, parts: FollowerFetchPart[], answers: FollowerFetchAnswer[], req: FetchSessionRequest): FetchSession {
    let s = this.fetchSessions.get(replicaId);
    if (s === undefined) {
      s = new FetchSession(replicaId);
      this.fetchSessions.set(replicaId, s);
    }
    // A fetch still parked here is one its follower gave up (it sends again only once answered).
    this.detachSessionWaiter(s);
    const v = this.env.controller.configVersion;
    const changed = req.changed;
    if (changed === null || s.parts !== parts || s.answers !== answers || s.configVersion !== v) {
      s.reset(parts, answers, v);
      while (answers.length > parts.length) answers.pop();
    } else {
      for (let k = 0; k < changed.length; k++) s.markDirty(changed[k]!);
    }
    req.arrived = true;
    s.startReadList(req);
    // Every clean part's follower fetch times move to now (ReplicaState.session).
    s.lastArrivalMs = this.now();
    return s;
  }

  /**
   * readForReplica for a fetch session: reads its dirty parts only, in the parts' order, into
   * their slots (a clean part's slot already holds its answer), and lists them in the
   * request's read list. At arrival (`atArrival`, the follower's fetch state updated) a part
   * that reads idle a second time in a row, unchanged in between, its follower caught up and
   * in the ISR and the high watermark at the log end, turns clean.
   */
  private readSession(s: FetchSession, req: FetchSessionRequest, parts: FollowerFetchPart[], maxBytes: number, atArrival: boolean, out: FollowerFetchAnswer[]): FollowerFetchAnswer[] {
    let bytes = 0;
    let urgent = false;
    const replicaId = s.replicaId;
    const partitionMax = this.ctx.brokerConfig.int('replica.fetch.max.bytes');
    const now = this.now();
    const dirty = s.sortDirty();
    for (let k = 0; k < dirty.length; k++) {
      const i = dirty[k]!;
      const fp = parts[i]!;
      const p = this.leaderPartitionFor(fp);
      s.readFrom(i, p);
      const answer = this.readReplicaPart(replicaId, fp, p, i, bytes, maxBytes, partitionMax, now, atArrival, out);
      bytes += answer.bytes;
      if (answer.error !== 'NONE' || answer.divergingEpoch) urgent = true;
      s.list(req, i);
      if (!atArrival) continue;
      // (readReplicaPart refreshed the partition's throttle flags.)
      if (p !== undefined && !p.leaderThrottled && answer.bytes === 0 && answer.error === 'NONE' && answer.divergingEpoch === null) {
        const before = s.idleArrivals[i]!;
        s.idleArrivals[i] = before + 1;
        if (before > 0) this.maybeClean(s, i, p, fp);
      } else s.idleArrivals[i] = 0;
    }
    if (atArrival) s.compactDirty();
    this.noteRead(bytes, false, false, urgent);
    return out;
  }

  /**
   * Part i of session s just read idle at arrival: clean when reading it again, as long as
   * the partition does not change, would answer the same and change nothing but the
   * follower's two fetch times (to the arrival: ReplicaState.session).
   */
  private maybeClean(s: FetchSession, i: number, p: Partition, fp: FollowerFetchPart): void {
    const log = p.log;
    const leo = log.logEndOffset;
    if (p.role !== 'leader' || fp.fetchOffset !== leo || log.highWatermark < leo || !p.isr.includes(s.replicaId)) return;
    const st = p.remote.get(s.replicaId);
    const now = s.lastArrivalMs;
    if (st === undefined || st.session !== null || st.logEndOffset !== leo || st.lastFetchLeaderLogEndOffset !== leo || st.lastCaughtUpTimeMs !== now || st.lastFetchTimeMs !== now) return;
    s.markClean(i, st);
  }

  /**
   * The Partition this broker holds under a follower fetch part's key: the one the part's
   * ref names when it is this broker's (a stopped Partition has cleared its ref, and one not
   * stopped is in the map under its key), else looked up and its ref carried from then on
   * (none when the key has no Partition here).
   */
  private leaderPartitionFor(fp: FollowerFetchPart): Partition | undefined {
    const ref = fp.leaderRef;
    const held = ref !== null ? ref.partition : null;
    if (held !== null && held.hostedBy(this)) return held;
    const p = this.partitions.get(fp.key);
    fp.leaderRef = p !== undefined ? p.ref : null;
    return p;
  }

  /**
   * The Partition this broker holds under a consumer fetch part's key: the one the part's
   * ref names when it is this broker's, else looked up and its ref carried from then on (as
   * leaderPartitionFor for followers).
   */
  private consumerPartitionFor(fp: FetchRequest['partitions'][number]): Partition | undefined {
    const ref = fp.brokerRef;
    const held = ref !== undefined && ref !== null ? ref.partition : null;
    if (held !== null && held.hostedBy(this)) return held;
    const p = this.partitions.get(fp.key ?? `${fp.topic}-${fp.partition}`);
    fp.brokerRef = p !== undefined ? p.ref : null;
    return p;
  }

  /**
   * Reads a follower fetch's partitions as they are now: their answers, in the parts' order,
   * written into the fetch's answer slots `out` (an answer object per part, reused: the
   * follower read the last ones before it sent the fetch again); lastRead then holds its
   * bytes and urgent (an error or a divergence to report at once).
   */
  private readForReplica(replicaId: number, parts: FollowerFetchPart[], maxBytes: number, updateFetchState: boolean, out: FollowerFetchAnswer[]): FollowerFetchAnswer[] {
    let bytes = 0;
    let urgent = false;
    // replica.fetch.max.bytes bounds each partition, maxBytes (replica.fetch.response.max.bytes)
    // the whole answer; only the first non-empty partition may exceed them, by one batch
    // (KIP-74), and a partition past the response's limit gets no data but still counts as
    // fetched (its follower's position moves the HW and ISR as usual).
    const partitionMax = this.ctx.brokerConfig.int('replica.fetch.max.bytes');
    const now = this.now();
    // One answer per part, in the parts' order (pop: the length setter is a runtime call).
    while (out.length > parts.length) out.pop();
    for (let i = 0; i < parts.length; i++) {
      const fp = parts[i]!;
      const answer = this.readReplicaPart(replicaId, fp, this.leaderPartitionFor(fp), i, bytes, maxBytes, partitionMax, now, updateFetchState, out);
      bytes += answer.bytes;
      if (answer.error !== 'NONE' || answer.divergingEpoch) urgent = true;
    }
    this.noteRead(bytes, false, false, urgent);
    return out;
  }

  /**
   * Reads part i of a follower fetch (`p` its Partition here, if any) into its slot out[i],
   * `bytes` already in the answer before it: readForReplica's and readSession's part.
   */
  private readReplicaPart(replicaId: number, fp: FollowerFetchPart, p: Partition | undefined, i: number, bytes: number, maxBytes: number, partitionMax: number, now: number, updateFetchState: boolean, out: FollowerFetchAnswer[]): FollowerFetchAnswer {
    let limit = bytes === 0 ? Math.max(1, Math.min(partitionMax, maxBytes)) : Math.min(partitionMax, maxBytes - bytes);
    // leader.replication.throttled.replicas: an out-of-sync follower of a throttled
    // partition gets nothing while the leader's quota is exceeded (ReplicaManager's
    // shouldLeaderThrottle), and at most a second's worth per answer.
    const throttled = p !== undefined && this.isLeaderThrottled(p);
    if (throttled && !p.isr.includes(replicaId)) {
      const rate = this.ctx.brokerConfig.int('leader.replication.throttled.rate');
      limit = this.leaderQuota.isQuotaExceeded(now, rate) ? 0 : Math.max(1, Math.min(limit, rate));
    }
    const slot = i < out.length ? out[i]! : null;
    const answer: FollowerFetchAnswer = p
      ? p.answerFollower(slot, replicaId, fp.fetchOffset, fp.lastFetchedEpoch, fp.currentLeaderEpoch, limit, updateFetchState)
      : fillFollowerAnswer(slot, fp.topic, fp.partition, fp.key, 'NOT_LEADER_OR_FOLLOWER', -1, -1, null, 0, null);
    if (throttled) this.leaderQuota.record(now, answer.bytes);
    out[i] = answer;
    return answer;
  }

  /** What the read just made comes to (lastRead: one summary per broker, refilled by every read). */
  private noteRead(bytes: number, hasError: boolean, preferredReadReplica: boolean, urgent: boolean): void {
    const read = this.lastRead;
    read.bytes = bytes;
    read.hasError = hasError;
    read.preferredReadReplica = preferredReadReplica;
    read.urgent = urgent;
  }

  private follow(key: string, leader: number): void {
    let f = this.fetchers.get(leader);
    if (!f) {
      f = { leader, keys: new Set(), members: null, inFlight: null, answered: null, backoff: null, deadline: null as unknown as Deadline, changed: [], sessionable: false, sessionVersion: -1 };
      f.deadline = new Deadline(this.ctx.scheduler, call(this, this.onReplicaFetchTimeout, this.incarnation, f));
      this.fetchers.set(leader, f);
    }
    if (!f.keys.has(key)) {
      f.keys.add(key);
      f.members = null;
    }
    if (f.inFlight === null && !f.backoff) this.fetchFrom(f);
  }

  /** A fetcher's partitions in key order, looked up once (the fetch session rebuilt). */
  private fetcherMembers(f: Fetcher): Partition[] {
    const out: Partition[] = [];
    for (const key of [...f.keys].sort()) {
      const p = this.partitions.get(key);
      if (p !== undefined) out.push(p);
      else f.keys.delete(key);
    }
    return out;
  }

  private unfollow(key: string): void {
    for (const f of this.fetchers.values()) if (f.keys.delete(key)) f.members = null;
  }

  /** One round of ReplicaFetcherThread.doWork for one leader. */
  private fetchFrom(f: Fetcher): void {
    if (!this.running || this.fetchers.get(f.leader) !== f) return;
    f.backoff = null;
    const cfg = this.ctx.brokerConfig;
    const maxWaitMs = cfg.int('replica.fetch.wait.max.ms');
    const maxBytes = cfg.int('replica.fetch.response.max.bytes');
    // The fetcher's answered fetch, refilled in place when sent with the same limits.
    const again = f.answered !== null && f.answered.maxWaitMs === maxWaitMs && f.answered.maxBytes === maxBytes ? f.answered : null;
    const configVersion = this.env.controller.configVersion;
    if (again !== null && again.session !== null && f.sessionable && f.members !== null && f.sessionVersion === configVersion && this.refillChanged(f, again)) {
      this.sendReplicaFetch(f, again);
      return;
    }
    f.sessionable = false;
    while (f.changed.length > 0) f.changed.pop();
    let throttledMember = false;
    const parts: FollowerFetchPart[] = again === null ? [] : again.parts;
    /** The Partition of each part sent, in the same order (the answers come in it). */
    const sent: Partition[] = again === null ? [] : again.sent;
    let n = 0;
    const members = (f.members ??= this.fetcherMembers(f));
    let heldBack = false;
    for (let i = 0; i < members.length; i++) {
      const p = members[i]!;
      if (p.role !== 'follower' || p.leaderId !== f.leader) {
        f.keys.delete(p.key);
        f.members = null;
        continue;
      }
      // follower.replication.throttled.replicas: an out-of-sync replica is left out of the
      // fetch while the follower quota is exceeded (ReplicaFetcherThread.shouldFollowerThrottle).
      const throttled = this.isFollowerThrottled(p);
      if (throttled) throttledMember = true;
      if (throttled && !p.isr.includes(this.brokerId) && this.followerQuota.isQuotaExceeded(this.now(), this.ctx.brokerConfig.int('follower.replication.throttled.rate'))) {
        heldBack = true;
        continue;
      }
      const part = p.followerFetchPart(f);
      if (n < parts.length) {
        parts[n] = part;
        sent[n] = p;
      } else {
        parts.push(part);
        sent.push(p);
      }
      n++;
    }
    // Refilled: what the last fetch sent beyond n goes (pop: the length setter is a runtime call).
    while (parts.length > n) parts.pop();
    while (sent.length > n) sent.pop();
    if (n === 0) {
      if (heldBack) f.backoff = this.ctx.scheduler.after(this.ctx.brokerConfig.int('replica.fetch.backoff.ms'), call(this, this.onReplicaFetchBackoff, this.incarnation, f));
      else this.fetchers.delete(f.leader);
      return;
    }
    const inc = this.incarnation;
    const leader = f.leader;
    // A fetch session for a fetch of many parts only: with a few, reading them all costs less
    // than the session's bookkeeping (FETCH_SESSION_MIN_PARTS). Crossing it, a new fetch.
    const withSession = n >= this.ctx.fetchSessionMinParts;
    let rf: ReplicaFetch;
    if (again !== null && (again.session !== null) === withSession) rf = again;
    else {
      // Arrays of its own when the answered fetch's are refilled but not sent again.
      const own = again === null ? parts : parts.slice();
      const session = withSession ? newFetchSessionRequest() : null;
      const answers: FollowerFetchAnswer[] = [];
      rf = {
        parts: own,
        sent: again === null ? sent : sent.slice(),
        maxWaitMs,
        maxBytes,
        answers,
        session,
        handle: call(this, this.replicaFetchAtLeader, leader, own, maxWaitMs, maxBytes, answers, session),
        onResponse: call(this, this.onReplicaFetchResponse, inc, f, own),
        onReset: call(this, this.onReplicaFetchReset, inc, f, own),
      };
    }
    const session = rf.session;
    // Built from every member: the next fetch may send only what its answer changes.
    if (session !== null) session.changed = null;
    f.sessionable = session !== null && !heldBack && !throttledMember && n === members.length;
    f.sessionVersion = configVersion;
    this.sendReplicaFetch(f, rf);
  }

  /**
   * The fetch session's next fetch: the answered fetch again, only the parts its answer moved
   * refilled, and named (FetchSessionRequest.changed). False when one of them left this
   * fetcher (the fetch is then built in full).
   */
  private refillChanged(f: Fetcher, rf: ReplicaFetch): boolean {
    const changed = f.changed;
    const sent = rf.sent;
    for (let k = 0; k < changed.length; k++) {
      const p = sent[changed[k]!]!;
      if (p.role !== 'follower' || p.leaderId !== f.leader) return false;
    }
    const out = rf.session!.changed ?? [];
    while (out.length > 0) out.pop();
    for (let k = 0; k < changed.length; k++) {
      const i = changed[k]!;
      rf.parts[i] = sent[i]!.followerFetchPart(f);
      out.push(i);
    }
    while (changed.length > 0) changed.pop();
    rf.session!.changed = out;
    return true;
  }

  /** Sends fetch rf of fetcher f to its leader. */
  private sendReplicaFetch(f: Fetcher, rf: ReplicaFetch): void {
    f.answered = null;
    f.inFlight = rf;
    if (rf.session !== null) rf.session.arrived = false;
    // replica.socket.timeout.ms: no answer (leader dead or cut off): try again.
    f.deadline.set(this.now() + 30000);
    // The request carries no batch bytes (0): the network does not walk its parts.
    this.ctx.network.request<FollowerFetchAnswer[]>(this.node, brokerNode(f.leader), rf.handle, rf.onResponse, rf.onReset, 0);
  }

  /**
   * The fetch in flight is given up (timed out, or its leader reset): a leader may still read
   * its parts, so they stay as they are (FollowerFetchPart.holders), and the next fetch is
   * built anew.
   */
  private abandonFetch(f: Fetcher, rf: ReplicaFetch): void {
    f.inFlight = null;
    for (let i = 0; i < rf.parts.length; i++) rf.parts[i]!.holders++;
  }

  /** @scheduled The fetch in flight went unanswered for replica.socket.timeout.ms. */
  private onReplicaFetchTimeout(inc: number, f: Fetcher): void {
    if (this.incarnation !== inc || f.inFlight === null) return;
    this.abandonFetch(f, f.inFlight);
    this.fetchFrom(f);
  }

  /** @scheduled Runs at the leader: its broker answers the fetch (now or long-polled). */
  private replicaFetchAtLeader(
    leader: number,
    parts: FollowerFetchPart[],
    maxWaitMs: number,
    maxBytes: number,
    answers: FollowerFetchAnswer[],
    session: FetchSessionRequest | null = null,
  ): FollowerFetchAnswer[] | Deferred<FollowerFetchAnswer[]> {
    return this.env.peer(leader)?.handleReplicaFetch(this.brokerId, parts, maxWaitMs, maxBytes, answers, session) ?? [];
  }

  /** @scheduled The answer to the fetch of `parts`. */
  private onReplicaFetchResponse(inc: number, f: Fetcher, parts: FollowerFetchPart[], resp: FollowerFetchAnswer[]): void {
    const rf = f.inFlight;
    if (this.incarnation !== inc || rf === null || rf.parts !== parts) return;
    f.deadline.clear();
    f.inFlight = null;
    const leader = f.leader;
    const sent = rf.sent;
    let error = resp.length === 0;
    // With a session the leader lists the answers it wrote (the others say what they said
    // last time, already applied); a fetch it never read is answered by no one: start anew.
    const session = rf.session;
    if (session !== null && !session.arrived) f.sessionable = false;
    const read = session !== null && session.arrived ? session.read : null;
    const count = read !== null ? read.length : resp.length;
    for (let k = 0; k < count; k++) {
      const i = read !== null ? read[k]! : k;
      const r = resp[i]!;
      // The answers come in the order of the parts sent (sent[i] asked parts[i]; both arrays
      // are refilled only for the next fetch, after this answer). As
      // AbstractFetcherThread.processFetchRequest, an answer is applied only to the fetch
      // state it was asked for, unchanged since: the same replica (a Partition stopped while
      // the fetch was in flight is gone; one created under its key since, by a reassignment
      // back or a topic created again, is a new fetch state and gets nothing of it), still
      // fetching from this leader, at the fetch offset and current leader epoch asked.
      // Anything else is dropped, not counted as an error: the next fetch asks anew.
      const p = sent[i]!;
      const asked = parts[i]!;
      if (p.role !== 'follower' || p.leaderId !== leader || asked.fetchOffset !== p.log.logEndOffset || asked.currentLeaderEpoch !== p.leaderEpoch) {
        if (read !== null && p.fetchPartMoved(asked)) f.changed.push(i);
        continue;
      }
      if (r.divergingEpoch) {
        this.truncateOnDivergence(p, r.divergingEpoch.epoch, r.divergingEpoch.endOffset);
        if (read !== null) f.changed.push(i);
        continue;
      }
      if (r.error !== 'NONE') {
        error = true;
        continue;
      }
      if (r.bytes > 0 && this.isFollowerThrottled(p)) this.followerQuota.record(this.now(), r.bytes);
      p.appendAsFollower(r.batches, r.highWatermark);
      if (read !== null && p.fetchPartMoved(asked)) f.changed.push(i);
    }
    // Answered and read: the next fetch may send it again.
    f.answered = rf;
    if (error) f.backoff = this.ctx.scheduler.after(this.ctx.brokerConfig.int('replica.fetch.backoff.ms'), call(this, this.onReplicaFetchBackoff, inc, f));
    else this.fetchFrom(f);
  }

  /** @scheduled The leader's process died: back off, then fetch from whoever leads by then. */
  private onReplicaFetchReset(inc: number, f: Fetcher, parts: FollowerFetchPart[]): void {
    const rf = f.inFlight;
    if (this.incarnation !== inc || rf === null || rf.parts !== parts) return;
    f.deadline.clear();
    this.abandonFetch(f, rf);
    f.backoff = this.ctx.scheduler.after(this.ctx.brokerConfig.int('replica.fetch.backoff.ms'), call(this, this.onReplicaFetchBackoff, inc, f));
  }

  /** @scheduled */
  private onReplicaFetchBackoff(inc: number, f: Fetcher): void {
    if (this.incarnation === inc) this.fetchFrom(f);
  }

  /**
   * KIP-320: the leader says where our last epoch ends on its log. Truncate there and forget
   * epochs that start at or after it. When the leader does not know our epoch at all, keep
   * only what we know is committed (our HW) and start our epoch history afresh, so the next
   * fetch makes progress instead of diverging again.
   */
  private truncateOnDivergence(p: Partition, leaderEpoch: number, leaderEpochEndOffset: number): void {
    const undefinedEpoch = leaderEpoch < 0;
    const target = Math.min(undefinedEpoch ? p.log.highWatermark : leaderEpochEndOffset, p.log.logEndOffset);
    const from = p.log.logEndOffset;
    const removed = p.truncateTo(target);
    if (undefinedEpoch) p.log.leaderEpochCache.clear();
    else p.log.leaderEpochCache.truncateFromEnd(target);
    if (removed > 0) {
      this.ctx.emit({ type: 'LogTruncated', topic: p.topic, partition: p.partition, broker: this.brokerId, fromOffset: from, toOffset: p.log.logEndOffset });
    }
  }

  /** The partition's throttle flags, recomputed from the topic's config when any config changed since. */
  private refreshThrottle(p: Partition): void {
    const v = this.env.controller.configVersion;
    if (p.throttleVersion === v) return;
    const cfg = this.env.topicConfig(p.topic);
    p.leaderThrottled = isThrottledReplica(cfg.raw('leader.replication.throttled.replicas'), p.partition, this.brokerId);
    p.followerThrottled = isThrottledReplica(cfg.raw('follower.replication.throttled.replicas'), p.partition, this.brokerId);
    p.throttleVersion = v;
  }

  private isLeaderThrottled(p: Partition): boolean {
    this.refreshThrottle(p);
    return p.leaderThrottled;
  }

  private isFollowerThrottled(p: Partition): boolean {
    this.refreshThrottle(p);
    return p.followerThrottled;
  }

  // ---- periodic work ----------------------------------------------------------------------------

  private checkIsr(): void {
    for (const p of this.partitions.values()) if (p.isLeader) p.maybeShrinkIsr();
  }

  private runRetention(): void {
    const now = this.now();
    for (const [key, log] of this.logs) {
      const r = log.deleteOldSegments(now);
      if (r.deletedSegments > 0) this.partitions.get(key)?.touchFetchSessions(); // the log start moved
      if (r.deletedSegments > 0 && r.reason) {
        const p = this.partitions.get(key);
        const dash = key.lastIndexOf('-');
        this.ctx.emit({
          type: 'SegmentsDeleted',
          topic: p?.topic ?? key.slice(0, dash),
          partition: p?.partition ?? Number(key.slice(dash + 1)),
          broker: this.brokerId,
          logStartOffset: r.logStartOffset,
          reason: r.reason,
        });
      }
    }
  }

  private runCleaner(): void {
    const now = this.now();
    for (const [key, log] of this.logs) {
      const r = log.compact(now);
      if (r.cleaned && r.removedRecords > 0) {
        const dash = key.lastIndexOf('-');
        this.ctx.emit({ type: 'LogCompacted', topic: key.slice(0, dash), partition: Number(key.slice(dash + 1)), broker: this.brokerId, removedRecords: r.removedRecords });
      }
    }
  }

  /** Re-reads topic configs into the logs (alterConfig). */
  refreshLogConfig(topic: string): void {
    for (const [key, log] of this.logs) {
      if (key.slice(0, key.lastIndexOf('-')) === topic) log.updateConfig(this.env.logConfig(topic));
    }
  }
}

type AlterPartitionResponse = ReturnType<Controller['handleAlterPartition']>;

/** Sets the i-th answer of a produce: in the object the request brought for it, else a new one. */
function answerAt(out: ProduceResponses, i: number, error: KafkaError, baseOffset: number, logStartOffset: number): void {
  const a = out[i];
  if (a === undefined) {
    out[i] = { error, baseOffset, logStartOffset };
    return;
  }
  a.error = error;
  a.baseOffset = baseOffset;
  a.logStartOffset = logStartOffset;
}

/**
 * An acks=all ProduceRequest parked until the high watermark of each of its partitions
 * reaches that partition's batch, or timeoutMs passes (Kafka's DelayedProduce). Each
 * partition holds one slot (PendingProducePartition); the request answers when the last
 * slot is done. Classes, so their methods live on the prototype and a checkpoint copies
 * them as data.
 */
export class PendingProduce {
  /** When timeoutMs passes (in the broker's produce TimeoutQueue); settled once answered. */
  due = 0;
  settled = false;
  readonly slots: PendingProducePartition[] = [];
  private remaining = 0;

  constructor(
    private readonly broker: Broker,
    private readonly inc: number,
    /** The answers so far, in the request's order; slots fill theirs. */
    private readonly out: ProduceResponses,
    readonly d: Deferred<ProduceResponses>,
  ) {}

  /** A slot was added (all are counted before any can complete). */
  track(): void {
    this.remaining++;
  }

  slotDone(index: number, error: KafkaError, baseOffset: number, logStartOffset: number): void {
    if (this.broker.incarnation !== this.inc) return;
    // Its answer object, made by handleProduce for this slot only and not yet sent: filled in place.
    const a = this.out[index]!;
    a.error = error;
    a.baseOffset = baseOffset;
    a.logStartOffset = logStartOffset;
    if (--this.remaining > 0) return;
    this.settled = true;
    this.d.resolve(withWireBytes(this.out, 0));
  }

  /** @scheduled request timeout: the partitions not done yet answer REQUEST_TIMED_OUT. */
  expire(): void {
    if (this.broker.incarnation !== this.inc) return;
    for (const s of this.slots) {
      if (s.done) continue;
      s.done = true;
      s.partition.removeDelayedProduce(s);
      const a = this.out[s.index]!;
      a.error = 'REQUEST_TIMED_OUT';
      a.baseOffset = -1;
      a.logStartOffset = s.partition.log.logStartOffset;
    }
    this.remaining = 0;
    this.settled = true;
    this.d.resolve(withWireBytes(this.out, 0));
  }
}

/** One partition's part of a PendingProduce, parked in that partition. */
export class PendingProducePartition implements DelayedProduce {
  done = false;

  constructor(
    private readonly parent: PendingProduce,
    readonly index: number,
    readonly partition: Partition,
    readonly requiredOffset: number,
    readonly firstOffset: number,
  ) {
    parent.track();
  }

  respond(error: KafkaError, firstOffset: number): void {
    if (this.done) return;
    this.done = true;
    this.parent.slotDone(this.index, error, firstOffset, this.partition.log.logStartOffset);
  }

  /** The request's one timer is cancelled when its last partition answers. */
  cancelTimeout(): void {}
}
