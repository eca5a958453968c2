/**
 * The consumer client on the classic group protocol (clients/.../consumer/internals/
 * ConsumerCoordinator.java, AbstractCoordinator.java, Fetcher/FetchBuffer,
 * SubscriptionState): find the coordinator, join and sync (the leader runs the assignor),
 * heartbeat in the background, fetch from partition leaders, hand records to the
 * application max.poll.records at a time, commit (auto.commit.interval.ms), and honour
 * session.timeout.ms / max.poll.interval.ms.
 *
 * Records are counted by walking batch bytes; they become objects only when the headless
 * runner asks for per-record rows.
 */
import { CONSUMER_DEFAULTS, Config } from '../config';
import type { ClusterContext, FetchRequest, FetchResponse, ListOffsetsResponse } from '../context';
import type { KafkaError } from '../errors';
import { forEachRecord, batchBaseOffset, batchRecordCount, batchNextOffset, batchIsControl, batchIsTransactional, batchLastOffset, batchProducerId, controlBatchType } from '../log/record-batch';
import { call, invoke, type Call } from '../sim/call';
import { brokerNode, clientNode, type Deferred, type NodeId } from '../sim/network';
import { Deadline } from '../sim/deadline';
import { MIN_TURN_MS, type Timer } from '../sim/scheduler';
import type { ConsumerStatus, ConsumerView, TopicPartition } from '../snapshot';
import type { ConfigMap } from '../../scenario/types';
import { assignorByName, assignorMember, type AssignorMember, type RebalanceProtocol, type StickyUserData } from './assignors';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, GroupCoordinator, JoinGroupResponse, JoinProtocol, SyncGroupResponse } from './group-coordinator';

export interface ConsumerSpec {
  id: string;
  groupId: string;
  topics: string[];
  config?: ConfigMap;
}

interface PartitionState {
  topic: string;
  partition: number;
  /** key(topic, partition), built once. */
  key: string;
  /** Next offset to hand to the application; -1 until known. */
  position: number;
  /**
   * Fetched, not yet consumed: buffer[bufferAt..]. A fetch answer's batches array is held as
   * it came (never modified; the log reads a new one per fetch) instead of copied; [] once
   * consumed (bufferAt < buffer.length unless buffer is empty).
   */
  buffer: readonly Uint8Array[];
  bufferAt: number;
  lastCommitted: number;
  resetting: boolean;
  /**
   * KIP-392: the replica the leader told us to read from (SubscriptionState's
   * preferredReadReplica), -1 for the leader; valid until preferredReadReplicaExpiresAt
   * (now + metadata.max.age.ms when it was set), then the leader is asked again.
   */
  preferredReadReplica: number;
  preferredReadReplicaExpiresAt: number;
  /**
   * read_committed: the aborted transactions of the fetch being consumed, by first offset,
   * and the producers whose aborted transaction is being skipped (Kafka's CompletedFetch
   * abortedTransactions / abortedProducerIds). One fetch's worth: a partition is fetched
   * again only once its buffer is consumed.
   */
  aborted?: { producerId: number; firstOffset: number }[];
  abortedPids?: Set<number>;
  /** This partition's part of the last fetch sent, sent again while position, epoch and size are the same (parts are never modified). */
  fetchPart: FetchRequest['partitions'][number] | null;
  /** Taken out of the assignment (this.partitions no longer holds this object): a fetch answer for it looks the key up again. */
  removed: boolean;
  /** In the consumer's buffered queue (Consumer.buffered[bufferedHead..]). */
  inBuffered: boolean;
}

/** The assigned partitions fetched from one broker, with that broker's fetch session (held, not looked up per poll turn). */
interface FetchGroup {
  leader: number;
  session: FetchSession;
  parts: PartitionState[];
}

/**
 * The consumer configs read per fetch and per poll turn, read once per Config (the Config is
 * replaced whole by alterConfig, which drops these).
 */
interface FetchConfig {
  maxPartitionFetchBytes: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  requestTimeoutMs: number;
  rackId: string;
  readCommitted: boolean;
  maxPollRecords: number;
  autoCommit: boolean;
  autoCommitIntervalMs: number;
}

/**
 * The consumer's fetch session with one leader: at most one FetchRequest outstanding
 * (`inFlight`, null when none), and one re-armed request.timeout.ms Deadline for it
 * instead of a timer per request.
 */
interface FetchSession {
  leader: number;
  inFlight: SessionFetch | null;
  /**
   * The session's last fetch, answered: the next one sends it again, refilled (its request,
   * arrays and Calls), instead of making them anew. Only an answered fetch is reused: no
   * broker holds it any more (a parked one was answered and dropped), and its answer was
   * read. A fetch that timed out or was reset may still be parked at the broker, or its
   * answer still on its way: it is never sent again (null then, until one is answered).
   */
  answered: SessionFetch | null;
  deadline: Deadline;
}

/**
 * One FetchRequest of a session, with what the consumer keeps to read its answer: the
 * PartitionState asked at each index, the consumer's epoch when it went (an answer from
 * another epoch is dropped), and the Calls that send it and take its answer or reset.
 * The request's identity names it in those Calls: the answer of a fetch that is no longer
 * the session's outstanding one (timed out, or dropped by a rejoin) is ignored.
 */
interface SessionFetch {
  readonly req: FetchRequest;
  /**
   * The fetch's answer, sent with it: the broker writes its answer here (an answer object
   * per partition, refilled) and sends this object back. Refilled only when the fetch is sent
   * again, which is after its answer was read (only an answered fetch is reused); of an
   * answer the consumer keeps only the batches arrays (its buffers), which are never refilled.
   */
  readonly answer: FetchResponse;
  readonly states: PartitionState[];
  readonly epoch: number;
  readonly handle: Call;
  readonly onResponse: Call;
  readonly onReset: Call;
}

/** A request's fate, shared by its timeout, its response and its connection reset: the first wins. */
interface RequestState {
  done: boolean;
  timer: Timer | null;
}

const decoder = new TextDecoder();

/**
 * An emptied buffer (shiftBatch): one array for all. Buffers are never added to in place,
 * only replaced (by a fetch answer's batches, or a new array of what is left and what came).
 */
const NOTHING_BUFFERED: Uint8Array[] = [];
const key = (t: string, p: number) => `${t}-${p}`;

export class Consumer {
  readonly id: string;
  readonly groupId: string;
  readonly topics: string[];
  readonly node: NodeId;
  private config: Config;
  private userConfig: ConfigMap;
  private status: ConsumerStatus = 'joining';
  private memberId = '';
  private generationId = -1;
  private protocol: string | null = null;
  /**
   * The StickyAssignor's own state (StickyAssignor.memberAssignment / generation), set by
   * onAssignment when the group ran `sticky`, sent as subscription user data on every join.
   * Kept across revocation and lost generations, as the Java assignor keeps it.
   */
  private stickyUserData: StickyUserData | null = null;
  private coordinatorBroker = -1;
  private readonly partitions = new Map<string, PartitionState>();
  /** Incremented on every (re)join and on close: stale callbacks compare and drop out. */
  private epoch = 0;
  private alive = true;
  /** Fetch sessions by leader broker id. */
  private readonly fetchSessions = new Map<number, FetchSession>();
  /** Fetches outstanding (sessions with one in flight). */
  private fetchesInFlight = 0;
  /**
   * The assigned partitions grouped by leader, in assignment order, rebuilt only when the
   * metadata or the assignment changed (sendFetches used to regroup every partition on
   * every poll turn, most of them idle or already being fetched).
   */
  private fetchGroups: FetchGroup[] = [];
  /** The configs read per fetch and per poll turn; null until read after a config change. */
  private fetchConfig: FetchConfig | null = null;
  private fetchGroupsVersion = -1;
  private fetchGroupsAssignment = -1;
  /** Bumped whenever the assignment (this.partitions) changes. */
  private assignmentVersion = 0;
  /** Bumped whenever a preferred read replica is set or cleared (the fetch targets change). */
  private readReplicaVersion = 0;
  private fetchGroupsReadReplica = -1;
  /** The earliest preferredReadReplicaExpiresAt among the groups built (the fetch targets change then). */
  private fetchGroupsExpireAt = Infinity;
  /** False while some assigned partition may lack a position (a full scan looks it up). */
  private positionsComplete = false;
  /**
   * Partitions with fetched records not yet handed to the application, in arrival order
   * (Kafka's completed fetches queue): buffered[bufferedHead..], each at most once (its
   * inBuffered flag), a partition added again keeping its place, as in an insertion-ordered
   * set. An array with a head: the application drains it from the front, and a Set's
   * delete per drained partition (with its shrinking rehash) was ~1% of the run at 6 x 50.
   */
  private buffered: PartitionState[] = [];
  private bufferedHead = 0;
  private busyUntil = 0;
  private pumpScheduledEpoch = -1;
  private lastPollMs = 0;
  private lastCommitMs = 0;
  private msPerRecord = 0;
  private consumedCount = 0;
  private lastError: ConsumerView['lastError'] = null;
  /** Last time a fetch came back with data or nothing to report (no error): recovery after lastError. */
  private lastFetchOkMs = -1;
  private heartbeatRunning = false;
  private rejoinScheduled = false;
  /**
   * The group leader's partition counts of the subscribed topics when it last assigned
   * (ConsumerCoordinator.assignmentSnapshot); a metadata change (partitions added) makes it
   * rejoin so the new partitions get assigned.
   */
  private assignmentSnapshot: [string, number][] | null = null;
  /** ConsumerCoordinator's rebalance sensor: from onJoinPrepare to the assignment. */
  private rebalanceStartedAt = -1;
  readonly rebalanceStats = { total: 0, latencySumMs: 0, latencyMaxMs: 0, lastAt: -1 };
  /**
   * The consumer group protocol (KIP-848, group.protocol=consumer): the heartbeat interval
   * the coordinator gave (group.consumer.heartbeat.interval.ms), and whether a
   * ConsumerGroupHeartbeat is outstanding (at most one at a time). The member epoch is
   * kept in generationId (the epoch an OffsetCommit carries).
   */
  private consumerHeartbeatMs = 0;
  private consumerHeartbeatInFlight = false;

  constructor(
    private readonly ctx: ClusterContext,
    private readonly coordinator: GroupCoordinator,
    spec: ConsumerSpec,
  ) {
    this.id = spec.id;
    this.groupId = spec.groupId;
    this.topics = spec.topics.slice();
    this.node = clientNode(spec.id);
    this.userConfig = { ...(spec.config ?? {}) };
    this.config = new Config([this.userConfig, CONSUMER_DEFAULTS]);
  }

  private get now(): number {
    return this.ctx.scheduler.now;
  }

  private get instanceId(): string | null {
    const v = this.config.raw('group.instance.id');
    return v === null || v === undefined || v === '' ? null : String(v);
  }

  private assignorNames(): string[] {
    return this.config.list('partition.assignment.strategy').filter((n) => assignorByName(n) !== undefined).map((n) => assignorByName(n)!.name);
  }

  /** COOPERATIVE only when every configured assignor supports it (ConsumerCoordinator). */
  private rebalanceProtocol(): RebalanceProtocol {
    const names = this.assignorNames();
    return names.length > 0 && names.every((n) => assignorByName(n)!.protocols.includes('COOPERATIVE')) ? 'COOPERATIVE' : 'EAGER';
  }

  start(): void {
    this.ctx.network.up(this.node);
    this.lastPollMs = this.now;
    this.lastCommitMs = this.now;
    this.ensureCoordinatorThenJoin();
  }

  alterConfig(map: ConfigMap): void {
    this.userConfig = { ...this.userConfig, ...map };
    this.config = new Config([this.userConfig, CONSUMER_DEFAULTS]);
    this.fetchConfig = null;
  }

  /** The configs read per fetch and per poll turn, read from this.config once. */
  private fetchCfg(): FetchConfig {
    return (this.fetchConfig ??= {
      maxPartitionFetchBytes: this.config.int('max.partition.fetch.bytes'),
      maxWaitMs: this.config.int('fetch.max.wait.ms'),
      minBytes: this.config.int('fetch.min.bytes'),
      maxBytes: this.config.int('fetch.max.bytes'),
      requestTimeoutMs: this.config.int('request.timeout.ms'),
      rackId: this.clientRack(),
      readCommitted: this.readCommitted(),
      maxPollRecords: this.config.int('max.poll.records'),
      autoCommit: this.autoCommit(),
      autoCommitIntervalMs: this.config.int('auto.commit.interval.ms'),
    });
  }

  /**
   * KafkaConsumer.subscribe: the subscription becomes `topics`. A member rejoins with the new
   * subscription in its JoinGroup metadata, and the coordinator rebalances the group
   * (changed metadata). An empty list is a member that owns nothing; Kafka's unsubscribe()
   * would leave the group instead (not modelled: the member stays, assigned nothing).
   */
  subscribe(topics: readonly string[]): void {
    this.topics.splice(0, this.topics.length, ...topics);
    if (!this.alive) return;
    // The consumer protocol: the next heartbeat carries the new subscription; send it now.
    if (this.consumerProtocol()) return void (this.coordinatorBroker >= 0 && this.later(0, call(this, this.sendConsumerHeartbeat)));
    if (this.status === 'stable') this.requestRejoin();
    // joining or rebalancing: the JoinGroup about to be sent (or the next one) carries the new list.
    else if (this.status === 'rebalancing' && !this.rejoinScheduled) this.requestRejoin();
  }

  setProcessingTime(msPerRecord: number): void {
    this.msPerRecord = Math.max(0, msPerRecord);
  }

  /** Graceful: commit and LeaveGroup (dynamic members). Crash: the process just stops. */
  close(graceful: boolean): void {
    if (!this.alive) return;
    if (graceful) {
      if (this.autoCommit() && this.status === 'stable') this.commit();
      if (this.consumerProtocol() && this.memberId !== '' && this.coordinatorBroker >= 0) {
        // ConsumerGroupHeartbeat with epoch -1 (leave), or -2 for a static member (it keeps its partitions until its session ends).
        const broker = this.coordinatorBroker;
        const req = this.consumerHeartbeatRequest(this.instanceId === null ? -1 : -2);
        this.ctx.network.send(this.node, brokerNode(broker), call(this.coordinator, this.coordinator.handleConsumerGroupHeartbeat, broker, req));
      } else if (!this.consumerProtocol() && this.instanceId === null && this.memberId !== '' && this.coordinatorBroker >= 0) {
        const broker = this.coordinatorBroker;
        const memberId = this.memberId;
        this.ctx.network.send(this.node, brokerNode(broker), call(this.coordinator, this.coordinator.handleLeaveGroup, broker, this.groupId, memberId));
      }
    }
    this.alive = false;
    this.epoch++;
    this.status = graceful ? 'closed' : 'crashed';
    this.ctx.network.down(this.node);
  }

  private autoCommit(): boolean {
    return this.config.bool('enable.auto.commit');
  }

  /** retry.backoff.ms, but a loop always lets the clock move (MIN_TURN_MS): 0 is valid in Kafka. */
  /** client.rack; '' when not set. */
  private clientRack(): string {
    const v = this.config.raw('client.rack');
    return v === null || v === undefined ? '' : String(v);
  }

  private backoffMs(): number {
    return Math.max(MIN_TURN_MS, this.config.int('retry.backoff.ms'));
  }

  /** Runs `c` after ms, unless the consumer closed or rejoined (a new epoch) meanwhile. */
  private later(ms: number, c: Call): void {
    this.ctx.scheduler.after(ms, call(this, this.ifCurrent, this.epoch, c));
  }

  /** @scheduled Runs `c` if the consumer is alive and still in epoch e. */
  private ifCurrent(e: number, c: Call): void {
    if (this.alive && this.epoch === e) invoke(c);
  }

  /**
   * A request with a client-side timeout; `onResponse` (a Call taking the response, or
   * null on timeout or reset, as its last argument) runs at most once, only if still current.
   */
  private request(broker: number, handle: Call, onResponse: Call, timeoutMs = this.config.int('request.timeout.ms')): void {
    const e = this.epoch;
    const st: RequestState = { done: false, timer: null };
    st.timer = this.ctx.scheduler.after(timeoutMs, call(this, this.onRequestTimeout, st, e, onResponse));
    this.ctx.network.request(this.node, brokerNode(broker), handle, call(this, this.onRequestResponse, st, e, onResponse), call(this, this.onRequestReset, st, e, onResponse));
  }

  /** @scheduled request.timeout.ms passed with no answer. */
  private onRequestTimeout(st: RequestState, e: number, onResponse: Call): void {
    if (st.done) return;
    st.done = true;
    if (this.alive && this.epoch === e) invoke(onResponse, null);
  }

  /** @scheduled The answer to a request arrived. */
  private onRequestResponse(st: RequestState, e: number, onResponse: Call, r: unknown): void {
    if (st.done) return;
    st.done = true;
    st.timer!.cancel();
    if (this.alive && this.epoch === e) invoke(onResponse, r);
  }

  /** @scheduled Connection reset by a dead broker: fail now rather than at request.timeout.ms. */
  private onRequestReset(st: RequestState, e: number, onResponse: Call): void {
    if (st.done) return;
    st.done = true;
    st.timer!.cancel();
    this.noteError('NETWORK_EXCEPTION');
    if (this.alive && this.epoch === e) invoke(onResponse, null);
  }

  private noteError(error: KafkaError): void {
    this.lastError = { at: this.now, error };
  }

  private clearPartitions(): void {
    for (const p of this.partitions.values()) p.removed = true;
    this.partitions.clear();
    this.clearBuffered();
    this.assignmentChanged();
  }

  private assignmentChanged(): void {
    this.assignmentVersion++;
    this.positionsComplete = false;
  }

  /** A new epoch: answers to fetches still outstanding will be dropped, their sessions are free. */
  private resetFetchSessions(): void {
    for (const s of this.fetchSessions.values()) {
      s.inFlight = null;
      s.answered = null;
      s.deadline.clear();
    }
    this.fetchesInFlight = 0;
  }

  // ---- group membership -------------------------------------------------------------------

  private ensureCoordinatorThenJoin(): void {
    const live = this.ctx.metadata.liveBrokers();
    if (live.length === 0) return this.later(this.backoffMs(), call(this, this.ensureCoordinatorThenJoin));
    const any = live[this.ctx.prng.int(live.length)]!;
    this.request(any, call(this.coordinator, this.coordinator.coordinatorFor, this.groupId), call(this, this.onFindCoordinator));
  }

  /** @scheduled FindCoordinator answered (null: timed out or reset). */
  private onFindCoordinator(host: number | null): void {
    if (host === null || host < 0) {
      this.noteError('COORDINATOR_NOT_AVAILABLE');
      return this.later(this.backoffMs(), call(this, this.ensureCoordinatorThenJoin));
    }
    this.coordinatorBroker = host;
    if (this.consumerProtocol()) return this.sendConsumerHeartbeat();
    // A member of a stable group that only lost its coordinator goes on heartbeating to
    // the new one, which loaded the group (AbstractCoordinator rejoins only when
    // rejoinNeeded): a coordinator move alone causes no rebalance.
    if (this.status === 'stable' && this.generationId >= 0 && this.memberId !== '' && !this.rejoinScheduled) {
      // An OffsetFetch lost with the old coordinator is asked again of the new one.
      this.fetchCommittedPositions();
      return;
    }
    this.join();
  }

  private coordinatorLost(): void {
    this.coordinatorBroker = -1;
    this.later(this.backoffMs(), call(this, this.ensureCoordinatorThenJoin));
  }

  /** onJoinPrepare, then JoinGroup. */
  private join(): void {
    this.rejoinScheduled = false;
    this.assignmentSnapshot = null;
    this.epoch++;
    this.resetFetchSessions();
    // Lookups in flight belong to the old epoch and will be dropped: partitions kept across
    // a cooperative rebalance must be able to look their position up again.
    for (const p of this.partitions.values()) p.resetting = false;
    this.status = this.generationId < 0 ? 'joining' : 'rebalancing';
    if (this.rebalanceStartedAt < 0) this.rebalanceStartedAt = this.now;
    if (this.generationId < 0 && this.partitions.size > 0) {
      // onJoinPrepare with no valid generation: the partitions are lost (onPartitionsLost),
      // not revoked, and nothing is committed: another member may own them by now.
      this.clearPartitions();
    }
    if (this.rebalanceProtocol() === 'EAGER' && this.partitions.size > 0) {
      // Eager: commit what was consumed, then give up every partition before rejoining.
      if (this.autoCommit()) this.commit();
      this.clearPartitions();
    }
    // The metadata refresh before joining: subscribed topics that do not exist are created when
    // allow.auto.create.topics and the brokers' auto.create.topics.enable both say so.
    if (this.config.bool('allow.auto.create.topics')) for (const t of this.topics) this.ctx.metadata.partitionCount(t, this.id);
    const owned = [...this.partitions.values()].map((p) => ({ topic: p.topic, partition: p.partition }));
    const protocols: JoinProtocol[] = this.assignorNames().map((name) => ({
      name,
      topics: this.topics.slice(),
      ownedPartitions: owned,
      generation: this.generationId,
      // subscriptionUserData: only the sticky assignor has any.
      userData: name === 'sticky' && this.stickyUserData ? { previousAssignment: this.stickyUserData.previousAssignment.slice(), generation: this.stickyUserData.generation } : null,
      rackId: this.clientRack() || null,
    }));
    const broker = this.coordinatorBroker;
    if (broker < 0) return this.ensureCoordinatorThenJoin();
    const req = {
      groupId: this.groupId,
      memberId: this.memberId,
      groupInstanceId: this.instanceId,
      clientId: this.id,
      protocols,
      sessionTimeoutMs: this.config.int('session.timeout.ms'),
      rebalanceTimeoutMs: this.config.int('max.poll.interval.ms'),
    };
    this.request(broker, call(this.coordinator, this.coordinator.handleJoinGroup, broker, req), call(this, this.onJoin), req.rebalanceTimeoutMs + 5000);
  }

  /** @scheduled JoinGroup answered (null: timed out or reset). */
  private onJoin(r: JoinGroupResponse | null): void {
    if (!r) return this.coordinatorLost();
    if (r.error === 'MEMBER_ID_REQUIRED') {
      this.memberId = r.memberId;
      return this.join();
    }
    if (r.error === 'UNKNOWN_MEMBER_ID') {
      this.memberId = '';
      return this.later(this.backoffMs(), call(this, this.join));
    }
    if (r.error === 'NOT_COORDINATOR' || r.error === 'COORDINATOR_NOT_AVAILABLE') {
      this.noteError(r.error);
      return this.coordinatorLost();
    }
    if (r.error === 'FENCED_INSTANCE_ID' || r.error === 'INCONSISTENT_GROUP_PROTOCOL' || r.error === 'INVALID_SESSION_TIMEOUT') {
      // Fatal for this consumer, as the Java client throws.
      this.noteError(r.error);
      this.close(false);
      return;
    }
    if (r.error !== 'NONE') {
      this.noteError(r.error);
      return this.later(this.backoffMs(), call(this, this.join));
    }
    this.memberId = r.memberId;
    this.generationId = r.generationId;
    this.protocol = r.protocolName;
    this.startHeartbeat();
    let assignments: { memberId: string; assignment: TopicPartition[] }[] | null = null;
    if (r.leader === r.memberId && r.members.length > 0) assignments = this.performAssignment(r);
    const broker = this.coordinatorBroker;
    const gen = this.generationId;
    const memberId = this.memberId;
    const inst = this.instanceId;
    this.request(broker, call(this.coordinator, this.coordinator.handleSyncGroup, broker, this.groupId, gen, memberId, assignments, inst), call(this, this.onSync));
  }

  /** The leader runs the assignor over every member (ConsumerCoordinator.onLeaderElected). */
  private performAssignment(r: JoinGroupResponse): { memberId: string; assignment: TopicPartition[] }[] {
    const assignor = assignorByName(r.protocolName ?? '') ?? assignorByName(this.assignorNames()[0] ?? 'range')!;
    const members: AssignorMember[] = r.members.map((m) => assignorMember(assignor, m.memberId, m.groupInstanceId, m.protocol));
    const partitionsPerTopic = new Map<string, number>();
    for (const m of members) for (const t of m.topics) {
      const n = this.ctx.metadata.partitionCount(t);
      if (n > 0) partitionsPerTopic.set(t, n);
    }
    this.assignmentSnapshot = this.partitionCountsOf(members.flatMap((m) => m.topics));
    // The replicas' racks from the leader's metadata (PartitionInfo.replicas()[i].rack(), KIP-881).
    const partitionRacks = new Map<string, (string | null)[]>();
    for (const [t, n] of partitionsPerTopic) {
      for (let p = 0; p < n; p++) partitionRacks.set(key(t, p), this.ctx.metadata.replicas(t, p).map((id) => this.ctx.metadata.brokerRack(id)));
    }
    const result = assignor.assign(members, partitionsPerTopic, partitionRacks);
    return members.map((m) => ({ memberId: m.memberId, assignment: result.get(m.memberId) ?? [] }));
  }

  /** @scheduled SyncGroup answered (null: timed out or reset). */
  private onSync(s: SyncGroupResponse | null): void {
    if (!s) return this.coordinatorLost();
    if (s.error === 'REBALANCE_IN_PROGRESS') return this.requestRejoin();
    if (s.error === 'ILLEGAL_GENERATION' || s.error === 'UNKNOWN_MEMBER_ID') {
      this.resetGeneration(s.error === 'UNKNOWN_MEMBER_ID');
      return this.requestRejoin();
    }
    if (s.error === 'NOT_COORDINATOR') return this.coordinatorLost();
    if (s.error === 'FENCED_INSTANCE_ID') {
      this.noteError(s.error);
      return this.close(false);
    }
    if (s.error !== 'NONE') return this.requestRejoin();
    const assigned = new Set(s.assignment.map((tp) => key(tp.topic, tp.partition)));
    const revoked = [...this.partitions.keys()].filter((k) => !assigned.has(k));
    if (revoked.length > 0) {
      // Cooperative: commit and drop what moved away, then rebalance again so it can be reassigned.
      if (this.autoCommit()) this.commit();
      for (const k of revoked) {
        const p = this.partitions.get(k)!;
        this.unbuffer(p);
        p.removed = true;
        this.partitions.delete(k);
      }
      this.assignmentChanged();
    }
    // Assignor.onAssignment: the sticky assignor remembers what it got and in which generation.
    if (this.protocol === 'sticky') this.stickyUserData = { previousAssignment: s.assignment.map((tp) => ({ topic: tp.topic, partition: tp.partition })), generation: this.generationId };
    for (const tp of s.assignment) {
      const k = key(tp.topic, tp.partition);
      if (!this.partitions.has(k)) this.partitions.set(k, { topic: tp.topic, partition: tp.partition, key: k, position: -1, buffer: [], bufferAt: 0, lastCommitted: -1, resetting: false, preferredReadReplica: -1, preferredReadReplicaExpiresAt: 0, fetchPart: null, removed: false, inBuffered: false });
    }
    this.assignmentChanged();
    this.status = 'stable';
    this.lastPollMs = this.now;
    if (this.rebalanceStartedAt >= 0) {
      const latency = this.now - this.rebalanceStartedAt;
      const r = this.rebalanceStats;
      r.total++;
      r.latencySumMs += latency;
      r.latencyMaxMs = Math.max(r.latencyMaxMs, latency);
      r.lastAt = this.now;
      this.rebalanceStartedAt = -1;
    }
    if (revoked.length > 0 && this.rebalanceProtocol() === 'COOPERATIVE') this.requestRejoin();
    this.fetchCommittedPositions();
    this.schedulePump(0);
  }

  /**
   * AbstractCoordinator.resetGenerationOnResponseError: the generation (and with
   * UNKNOWN_MEMBER_ID the member id) is gone; the next join gives up every partition.
   */
  private resetGeneration(resetMemberId: boolean): void {
    this.generationId = -1;
    if (resetMemberId) this.memberId = '';
  }

  private requestRejoin(): void {
    if (this.rejoinScheduled) return;
    this.rejoinScheduled = true;
    this.status = 'rebalancing';
    this.later(0, call(this, this.join));
  }

  private startHeartbeat(): void {
    if (this.heartbeatRunning) return;
    this.heartbeatRunning = true;
    this.ctx.scheduler.after(this.heartbeatIntervalMs(), call(this, this.heartbeatTick));
  }

  /** @scheduled The heartbeat thread's turn, every heartbeat.interval.ms while alive. */
  private heartbeatTick(): void {
    if (!this.alive) {
      this.heartbeatRunning = false;
      return;
    }
    this.heartbeat();
    this.ctx.scheduler.after(this.heartbeatIntervalMs(), call(this, this.heartbeatTick));
  }

  /** heartbeat.interval.ms (0 is valid in Kafka), at least MIN_TURN_MS so the loop lets the clock move. */
  private heartbeatIntervalMs(): number {
    return Math.max(MIN_TURN_MS, this.config.int('heartbeat.interval.ms'));
  }

  private heartbeat(): void {
    if (this.memberId === '' || this.coordinatorBroker < 0 || this.generationId < 0) return;
    // The heartbeat thread notices a stuck poll loop (max.poll.interval.ms) and leaves.
    if (this.status === 'stable' && this.now - this.lastPollMs > this.config.int('max.poll.interval.ms') && this.now < this.busyUntil) {
      this.noteError('REBALANCE_IN_PROGRESS');
      const broker = this.coordinatorBroker;
      const memberId = this.memberId;
      if (this.instanceId === null) this.ctx.network.send(this.node, brokerNode(broker), call(this.coordinator, this.coordinator.handleLeaveGroup, broker, this.groupId, memberId));
      if (this.instanceId === null) this.memberId = '';
      this.generationId = -1;
      this.clearPartitions();
      this.status = 'rebalancing';
      this.epoch++;
      // Rejoin when the application polls again.
      this.ctx.scheduler.at(this.busyUntil, call(this, this.ifCurrent, this.epoch, call(this, this.join)));
      return;
    }
    const broker = this.coordinatorBroker;
    const gen = this.generationId;
    const memberId = this.memberId;
    const inst = this.instanceId;
    const e = this.epoch;
    const st: RequestState = { done: false, timer: null };
    this.ctx.scheduler.after(this.config.int('request.timeout.ms'), call(this, this.onHeartbeatTimeout, st, e, broker));
    this.ctx.network.request(
      this.node,
      brokerNode(broker),
      call(this.coordinator, this.coordinator.handleHeartbeat, broker, this.groupId, gen, memberId, inst),
      call(this, this.onHeartbeatResponse, st, e, gen),
      call(this, this.onHeartbeatReset, st, e, broker),
    );
  }

  /** @scheduled A heartbeat went unanswered for request.timeout.ms: the coordinator is lost. */
  private onHeartbeatTimeout(st: RequestState, e: number, broker: number): void {
    if (!st.done && this.alive && this.epoch === e && this.coordinatorBroker === broker) this.coordinatorLost();
    st.done = true;
  }

  /** @scheduled The heartbeat's answer. */
  private onHeartbeatResponse(st: RequestState, e: number, gen: number, err: KafkaError): void {
    if (st.done) return;
    st.done = true;
    if (!this.alive) return;
    if (err === 'NONE') return;
    this.noteError(err);
    if (err === 'REBALANCE_IN_PROGRESS') {
      if (this.epoch === e && this.status !== 'rebalancing') this.requestRejoin();
    } else if (err === 'ILLEGAL_GENERATION' || err === 'UNKNOWN_MEMBER_ID') {
      if (this.epoch !== e || this.generationId !== gen) return;
      this.resetGeneration(err === 'UNKNOWN_MEMBER_ID');
      this.requestRejoin();
    } else if (err === 'FENCED_INSTANCE_ID') this.close(false);
    else if (err === 'NOT_COORDINATOR' || err === 'COORDINATOR_NOT_AVAILABLE') this.coordinatorLost();
  }

  /** @scheduled The coordinator died with the heartbeat open. */
  private onHeartbeatReset(st: RequestState, e: number, broker: number): void {
    if (st.done) return;
    st.done = true;
    if (this.alive && this.epoch === e && this.coordinatorBroker === broker) this.coordinatorLost();
  }

  // ---- positions and commits ------------------------------------------------------------------

  private fetchCommittedPositions(): void {
    const unknown = [...this.partitions.values()].filter((p) => p.position < 0 && !p.resetting);
    if (unknown.length === 0 || this.coordinatorBroker < 0) return;
    for (const p of unknown) p.resetting = true;
    const broker = this.coordinatorBroker;
    const tps = unknown.map((p) => ({ topic: p.topic, partition: p.partition }));
    this.request(broker, call(this.coordinator, this.coordinator.handleOffsetFetch, broker, this.groupId, tps, this.readCommitted()), call(this, this.onOffsetFetch, unknown));
  }

  /** @scheduled OffsetFetch answered (null: timed out or reset). */
  private onOffsetFetch(unknown: PartitionState[], r: ReturnType<GroupCoordinator['handleOffsetFetch']> | null): void {
    for (const p of unknown) p.resetting = false;
    if (!r || r.error !== 'NONE') return this.later(this.backoffMs(), call(this, this.fetchCommittedPositions));
    for (const o of r.offsets) {
      const p = this.partitions.get(key(o.topic, o.partition));
      if (!p || p.position >= 0) continue;
      if (o.offset >= 0) {
        p.position = o.offset;
        p.lastCommitted = o.offset;
      } else this.resetPosition(p);
    }
    this.schedulePump(0);
  }

  /** auto.offset.reset through ListOffsets on the leader. */
  private resetPosition(p: PartitionState): void {
    const policy = this.config.str('auto.offset.reset');
    if (policy === 'none') {
      this.noteError('OFFSET_OUT_OF_RANGE');
      return;
    }
    const leader = this.ctx.metadata.leader(p.topic, p.partition);
    if (!leader || leader.leader < 0) return this.later(this.backoffMs(), call(this, this.resetPosition, p));
    p.resetting = true;
    const ts = policy === 'earliest' ? -2 : -1;
    const b = leader.leader;
    this.request(b, call(this, this.listOffsetsAt, b, p.topic, p.partition, ts, this.readCommitted() ? 1 : 0), call(this, this.onListOffsets, p));
  }

  /** @scheduled ListOffsets arrives at broker b (the handler runs there). */
  private listOffsetsAt(b: number, topic: string, partition: number, ts: number, isolationLevel: 0 | 1): ListOffsetsResponse {
    return this.ctx.brokerApi(b)?.handleListOffsets(topic, partition, ts, isolationLevel) ?? { error: 'NOT_LEADER_OR_FOLLOWER' as KafkaError, offset: -1 };
  }

  /** @scheduled ListOffsets answered (null: timed out or reset). */
  private onListOffsets(p: PartitionState, r: ListOffsetsResponse | null): void {
    p.resetting = false;
    if (this.partitions.get(key(p.topic, p.partition)) !== p) return;
    // Another lookup (a second OffsetFetch while the leader was away) already set the position,
    // and records may have been consumed from it since: a late answer must not move it back.
    if (p.position >= 0) return;
    if (!r || r.error !== 'NONE') return this.later(this.backoffMs(), call(this, this.resetPosition, p));
    p.position = r.offset;
    p.buffer = [];
    p.bufferAt = 0;
    this.schedulePump(0);
  }

  private commit(): void {
    if (this.coordinatorBroker < 0 || this.memberId === '' || this.generationId < 0) return;
    const offsets: { topic: string; partition: number; offset: number }[] = [];
    for (const p of this.partitions.values()) if (p.position >= 0 && p.position !== p.lastCommitted) offsets.push({ topic: p.topic, partition: p.partition, offset: p.position });
    if (offsets.length === 0) return;
    const broker = this.coordinatorBroker;
    const gen = this.generationId;
    const memberId = this.memberId;
    this.lastCommitMs = this.now;
    this.ctx.network.request(
      this.node,
      brokerNode(broker),
      call(this.coordinator, this.coordinator.handleOffsetCommit, broker, this.groupId, gen, memberId, offsets),
      call(this, this.onOffsetCommit, gen, memberId, offsets),
    );
  }

  /** @scheduled OffsetCommit answered. */
  private onOffsetCommit(gen: number, memberId: string, offsets: { topic: string; partition: number; offset: number }[], err: KafkaError): void {
    if (err === 'NONE') {
      for (const o of offsets) {
        const p = this.partitions.get(key(o.topic, o.partition));
        if (p && o.offset > p.lastCommitted) p.lastCommitted = o.offset;
      }
    } else {
      // CommitFailedException: the group moved on; a rebalance will follow.
      this.noteError(err);
      if (this.consumerProtocol()) return;
      if ((err === 'ILLEGAL_GENERATION' || err === 'UNKNOWN_MEMBER_ID') && this.alive && this.generationId === gen && this.memberId === memberId) {
        this.resetGeneration(err === 'UNKNOWN_MEMBER_ID');
        this.requestRejoin();
      }
    }
  }

  // ---- the consumer group protocol (KIP-848) --------------------------------------------------

  /** group.protocol=consumer: membership by ConsumerGroupHeartbeat, assignment by the broker. */
  private consumerProtocol(): boolean {
    return String(this.config.raw('group.protocol') ?? 'classic').toLowerCase() === 'consumer';
  }

  private remoteAssignor(): string | null {
    const v = this.config.raw('group.remote.assignor');
    return v === null || v === undefined || v === '' ? null : String(v);
  }

  private consumerHeartbeatRequest(memberEpoch: number): ConsumerGroupHeartbeatRequest {
    return {
      groupId: this.groupId,
      memberId: this.memberId,
      memberEpoch,
      instanceId: this.instanceId,
      rackId: this.clientRack() || null,
      clientId: this.id,
      rebalanceTimeoutMs: this.config.int('max.poll.interval.ms'),
      subscribedTopicNames: this.topics.slice(),
      serverAssignor: this.remoteAssignor(),
      ownedTopicPartitions: [...this.partitions.values()].map((p) => ({ topic: p.topic, partition: p.partition })),
    };
  }

  /** @scheduled HeartbeatRequestManager: one ConsumerGroupHeartbeat (epoch 0 joins), at most one outstanding. */
  private sendConsumerHeartbeat(): void {
    if (!this.alive || this.consumerHeartbeatInFlight) return;
    if (this.coordinatorBroker < 0) return;
    if (this.memberId === '') {
      // KIP-1082: the client makes its member id (a UUID in Kafka) and keeps it for its lifetime.
      this.memberId = `${this.id}-${this.ctx.prng.int(0x7fffffff).toString(36)}`;
    }
    if (this.generationId < 0) this.generationId = 0;
    if (this.status === 'stable' && this.now - this.lastPollMs > this.config.int('max.poll.interval.ms') && this.now < this.busyUntil) {
      // The poll timer expired (max.poll.interval.ms): the member leaves the group (epoch -1,
      // -2 for a static member), its partitions are lost, and it joins again with epoch 0
      // when the application polls again (AsyncKafkaConsumer's poll timer).
      this.noteError('REBALANCE_IN_PROGRESS');
      const broker = this.coordinatorBroker;
      const leave = this.consumerHeartbeatRequest(this.instanceId === null ? -1 : -2);
      this.ctx.network.send(this.node, brokerNode(broker), call(this.coordinator, this.coordinator.handleConsumerGroupHeartbeat, broker, leave));
      this.epoch++;
      this.resetFetchSessions();
      this.clearPartitions();
      this.generationId = 0;
      this.status = 'joining';
      this.ctx.scheduler.at(this.busyUntil, call(this, this.ifCurrent, this.epoch, call(this, this.sendConsumerHeartbeat)));
      return;
    }
    if (this.config.bool('allow.auto.create.topics')) for (const t of this.topics) this.ctx.metadata.partitionCount(t, this.id);
    this.consumerHeartbeatInFlight = true;
    const broker = this.coordinatorBroker;
    const req = this.consumerHeartbeatRequest(this.generationId);
    this.request(broker, call(this.coordinator, this.coordinator.handleConsumerGroupHeartbeat, broker, req), call(this, this.onConsumerHeartbeat, req.memberEpoch));
  }

  /** @scheduled The ConsumerGroupHeartbeat's answer (null: timed out or reset). */
  private onConsumerHeartbeat(_sentEpoch: number, r: ConsumerGroupHeartbeatResponse | null): void {
    this.consumerHeartbeatInFlight = false;
    if (!r) return this.coordinatorLost();
    if (r.error === 'NOT_COORDINATOR' || r.error === 'COORDINATOR_NOT_AVAILABLE') {
      this.noteError(r.error);
      return this.coordinatorLost();
    }
    if (r.error === 'FENCED_MEMBER_EPOCH' || r.error === 'UNKNOWN_MEMBER_ID') {
      // Fenced: every partition is lost (onPartitionsLost, nothing committed) and the member rejoins with epoch 0.
      this.noteError(r.error);
      this.epoch++;
      this.resetFetchSessions();
      this.clearPartitions();
      this.generationId = 0;
      this.status = 'joining';
      return this.later(this.backoffMs(), call(this, this.sendConsumerHeartbeat));
    }
    if (r.error !== 'NONE') {
      // UNRELEASED_INSTANCE_ID, UNSUPPORTED_ASSIGNOR, FENCED_INSTANCE_ID, GROUP_ID_NOT_FOUND, INVALID_REQUEST: fatal, as the Java client throws.
      this.noteError(r.error);
      return this.close(false);
    }
    this.generationId = r.memberEpoch;
    this.consumerHeartbeatMs = r.heartbeatIntervalMs;
    let changed = false;
    if (r.assignment !== null) changed = this.reconcile(r.assignment);
    if (this.status === 'joining' && r.memberEpoch > 0) this.status = 'stable';
    // An acknowledgement goes out at once after a reconciliation; otherwise the next beat after the interval.
    this.later(changed ? 0 : Math.max(MIN_TURN_MS, this.consumerHeartbeatMs), call(this, this.sendConsumerHeartbeat));
  }

  /**
   * ConsumerMembershipManager's reconciliation: revoke what is no longer assigned (commit
   * first), then take the new partitions; the consumer keeps consuming what it keeps (no
   * stop-the-world). True when the owned partitions changed.
   */
  private reconcile(assignment: TopicPartition[]): boolean {
    const assigned = new Set(assignment.map((tp) => key(tp.topic, tp.partition)));
    const revoked = [...this.partitions.keys()].filter((k) => !assigned.has(k));
    const added = assignment.filter((tp) => !this.partitions.has(key(tp.topic, tp.partition)));
    if (revoked.length === 0 && added.length === 0) return false;
    if (revoked.length > 0) {
      if (this.autoCommit()) this.commit();
      for (const k of revoked) {
        const p = this.partitions.get(k)!;
        this.unbuffer(p);
        p.removed = true;
        this.partitions.delete(k);
      }
    }
    for (const tp of added) {
      const k = key(tp.topic, tp.partition);
      this.partitions.set(k, { topic: tp.topic, partition: tp.partition, key: k, position: -1, buffer: [], bufferAt: 0, lastCommitted: -1, resetting: false, preferredReadReplica: -1, preferredReadReplicaExpiresAt: 0, fetchPart: null, removed: false, inBuffered: false });
    }
    this.assignmentChanged();
    this.status = 'stable';
    this.lastPollMs = this.now;
    const r = this.rebalanceStats;
    r.total++;
    r.lastAt = this.now;
    this.fetchCommittedPositions();
    this.schedulePump(0);
    return true;
  }

  // ---- fetch and poll -------------------------------------------------------------------------

  /**
   * At most one pending poll turn per epoch. The pending mark carries its epoch: a turn
   * scheduled before a rejoin must not swallow the first turn of the new generation.
   */
  private schedulePump(delayMs: number): void {
    if (this.pumpScheduledEpoch === this.epoch) return;
    const e = this.epoch;
    this.pumpScheduledEpoch = e;
    this.ctx.scheduler.after(delayMs, call(this, this.onPumpTurn, e));
  }

  /** @scheduled A poll turn scheduled in epoch e. */
  private onPumpTurn(e: number): void {
    if (this.pumpScheduledEpoch === e) this.pumpScheduledEpoch = -1;
    if (this.alive && this.epoch === e) this.pump();
  }

  private partitionCountsOf(topics: string[]): [string, number][] {
    return [...new Set(topics)].sort().map((t): [string, number] => [t, this.ctx.metadata.partitionCount(t)]);
  }

  /** The leader's metadata no longer matches what it assigned (ConsumerCoordinator.rejoinNeededOrPending). */
  private assignmentMetadataChanged(): boolean {
    const snap = this.assignmentSnapshot;
    if (snap === null) return false;
    // A loop, not some() with a closure: asked on every poll turn.
    for (let i = 0; i < snap.length; i++) {
      const entry = snap[i]!;
      if (this.ctx.metadata.partitionCount(entry[0]) !== entry[1]) return true;
    }
    return false;
  }

  /** One turn of the application's poll loop. */
  private pump(): void {
    if (this.status !== 'stable') return;
    if (this.assignmentMetadataChanged()) return this.requestRejoin();
    const now = this.now;
    if (now < this.busyUntil) return this.schedulePump(this.busyUntil - now);
    this.lastPollMs = now;
    const cfg = this.fetchCfg();
    if (cfg.autoCommit && now - this.lastCommitMs >= cfg.autoCommitIntervalMs) this.commit();
    const n = this.consumeBuffered(cfg.maxPollRecords);
    this.sendFetches();
    if (n > 0) {
      const busy = n * this.msPerRecord;
      this.busyUntil = now + busy;
      // The next turn: after the records' processing time, or at once while fetched records
      // wait (max.poll.records left some). With nothing left, a fetch response wakes the
      // loop (its poll would find nothing before one arrives).
      if (busy > 0 || this.buffered.length > this.bufferedHead || this.fetchesInFlight === 0) this.schedulePump(busy);
    } else if (this.fetchesInFlight === 0) {
      // Nothing to fetch now (no leader yet, positions being looked up): the application
      // polls again, as its poll loop never stops; a fetch response would otherwise wake it.
      this.schedulePump(this.backoffMs());
    }
  }

  /** Hands up to max records from the fetch buffers to the application, oldest fetch first. */
  private consumeBuffered(max: number): number {
    let n = 0;
    const record = this.ctx.recordingConsumed;
    const readCommitted = this.fetchCfg().readCommitted;
    const queue = this.buffered;
    for (let i = this.bufferedHead; i < queue.length; i++) {
      const p = queue[i]!;
      if (n >= max) break;
      while (n < max && p.buffer.length > 0 && p.position >= 0) {
        const b = p.buffer[p.bufferAt]!;
        const next = batchNextOffset(b);
        if (next <= p.position) {
          this.shiftBatch(p);
          continue;
        }
        if (this.skipTxnBatch(p, b, readCommitted)) {
          p.position = next;
          this.shiftBatch(p);
          continue;
        }
        if (!record && p.position <= batchBaseOffset(b)) {
          // Nobody reads the records themselves: a batch handed over whole is its header's
          // record count (every record is at or past the position), no walk of its records.
          const count = batchRecordCount(b);
          if (n + count <= max) {
            n += count;
            p.position = next;
            this.shiftBatch(p);
            continue;
          }
        }
        n = this.consumeRecords(p, b, n, max, record, readCommitted);
      }
      if (p.buffer.length === 0 || p.position < 0) {
        // Drained: out of the queue (from its front, the usual case, by moving the head).
        p.inBuffered = false;
        if (i === this.bufferedHead) this.bufferedHead++;
        else queue.splice(i--, 1);
      }
    }
    if (this.bufferedHead === queue.length) {
      // All drained (pop: the length setter is a runtime call, see Broker's dropSettled).
      while (queue.length > 0) queue.pop();
      this.bufferedHead = 0;
    } else if (this.bufferedHead >= 32 && this.bufferedHead * 2 >= queue.length) {
      // The drained front goes, moved over in place (splice would make an array of it).
      const head = this.bufferedHead;
      const keep = queue.length - head;
      for (let k = 0; k < keep; k++) queue[k] = queue[k + head]!;
      while (queue.length > keep) queue.pop();
      this.bufferedHead = 0;
    }
    this.consumedCount += n;
    return n;
  }

  /**
   * Hands the records of batch `b` at or past the partition's position to the application,
   * record by record, while fewer than `max` were handed (`n` so far); returns the new count.
   * A method of its own: its closure's variables would otherwise live in a context made on
   * every consumeBuffered call, whether a batch is walked or not.
   */
  private consumeRecords(p: PartitionState, b: Uint8Array, n: number, max: number, record: boolean, readCommitted: boolean): number {
    let last = -1;
    forEachRecord(b, (offset, _ts, batch, ks, kl, vs, vl) => {
      if (offset < p.position) return true;
      if (n >= max) return false;
      n++;
      last = offset;
      if (record) {
        this.ctx.recordConsumed({
          consumer: this.id,
          at: this.now,
          topic: p.topic,
          partition: p.partition,
          offset,
          key: kl < 0 ? null : decoder.decode(batch.subarray(ks, ks + kl)),
          value: vl < 0 ? null : decoder.decode(batch.subarray(vs, vs + vl)),
          isolation: readCommitted ? 'read_committed' : 'read_uncommitted',
        });
      }
      return true;
    });
    if (last >= 0) p.position = last + 1;
    if (last < 0 || p.position >= batchNextOffset(b)) {
      // Done with this batch (also when compaction left gaps after its last record).
      if (batchNextOffset(b) > p.position) p.position = batchNextOffset(b);
      this.shiftBatch(p);
    }
    return n;
  }

  /** Takes a partition out of the buffered queue, wherever it is (a rebalance, a reset: rare). */
  private unbuffer(p: PartitionState): void {
    if (!p.inBuffered) return;
    p.inBuffered = false;
    const i = this.buffered.indexOf(p, this.bufferedHead);
    if (i >= 0) this.buffered.splice(i, 1);
  }

  private clearBuffered(): void {
    for (let i = this.bufferedHead; i < this.buffered.length; i++) this.buffered[i]!.inBuffered = false;
    this.buffered = [];
    this.bufferedHead = 0;
  }

  /** The partition's oldest fetched batch is consumed (or skipped). */
  private shiftBatch(p: PartitionState): void {
    if (++p.bufferAt < p.buffer.length) return;
    p.buffer = NOTHING_BUFFERED;
    p.bufferAt = 0;
  }

  /** isolation.level=read_committed (read up to the LSO, skip aborted transactions). */
  private readCommitted(): boolean {
    return this.config.str('isolation.level') === 'read_committed';
  }

  /**
   * CompletedFetch.nextFetchedRecord's filter: control batches (transaction markers) are
   * never handed to the application; with read_committed, a transactional batch of a
   * producer whose transaction the fetch listed as aborted is skipped, until that
   * producer's ABORT marker.
   */
  private skipTxnBatch(p: PartitionState, b: Uint8Array, readCommitted: boolean): boolean {
    const control = batchIsControl(b);
    if (!readCommitted) return control;
    const pid = batchProducerId(b);
    if (pid < 0) return control;
    const aborted = p.aborted;
    const pids = (p.abortedPids ??= new Set());
    if (aborted) {
      const last = batchLastOffset(b);
      while (aborted.length > 0 && aborted[0]!.firstOffset <= last) pids.add(aborted.shift()!.producerId);
    }
    if (control) {
      if (controlBatchType(b) === 'ABORT') pids.delete(pid);
      return true;
    }
    return batchIsTransactional(b) && pids.has(pid);
  }

  /**
   * The assigned partitions by the broker to fetch them from: the leader, or the preferred
   * read replica while it is valid (cached until metadata, the assignment or a read replica
   * change, or one expires).
   */
  private leaderGroups(): FetchGroup[] {
    const version = this.ctx.metadata.version();
    if (
      version === this.fetchGroupsVersion &&
      this.assignmentVersion === this.fetchGroupsAssignment &&
      this.readReplicaVersion === this.fetchGroupsReadReplica &&
      this.now < this.fetchGroupsExpireAt
    ) return this.fetchGroups;
    const byLeader = new Map<number, PartitionState[]>();
    let expireAt = Infinity;
    for (const p of this.partitions.values()) {
      const l = this.ctx.metadata.leader(p.topic, p.partition);
      if (!l || l.leader < 0) continue;
      const target = this.selectReadReplica(p, l.leader);
      if (p.preferredReadReplica >= 0 && p.preferredReadReplicaExpiresAt < expireAt) expireAt = p.preferredReadReplicaExpiresAt;
      let list = byLeader.get(target);
      if (!list) byLeader.set(target, (list = []));
      list.push(p);
    }
    this.fetchGroups = [...byLeader].map(([leader, parts]) => ({ leader, session: this.fetchSession(leader), parts }));
    this.fetchGroupsVersion = version;
    this.fetchGroupsAssignment = this.assignmentVersion;
    this.fetchGroupsReadReplica = this.readReplicaVersion;
    this.fetchGroupsExpireAt = expireAt;
    return this.fetchGroups;
  }

  /**
   * AbstractFetch.selectReadReplica: the preferred read replica while it is valid and online
   * in the metadata (a replica of the partition, broker not fenced), else the leader; an
   * expired or offline one is forgotten (Kafka requests a metadata update, which clears it).
   */
  private selectReadReplica(p: PartitionState, leader: number): number {
    const id = p.preferredReadReplica;
    if (id < 0) return leader;
    if (this.now >= p.preferredReadReplicaExpiresAt || !this.ctx.metadata.brokerOnline(id) || !this.ctx.metadata.replicas(p.topic, p.partition).includes(id)) {
      p.preferredReadReplica = -1;
      return leader;
    }
    return id;
  }

  /** SubscriptionState.clearPreferredReadReplica; true when there was one. */
  private clearPreferredReadReplica(p: PartitionState): boolean {
    if (p.preferredReadReplica < 0) return false;
    p.preferredReadReplica = -1;
    this.readReplicaVersion++;
    return true;
  }

  private fetchSession(leader: number): FetchSession {
    let s = this.fetchSessions.get(leader);
    if (!s) {
      s = { leader, inFlight: null, answered: null, deadline: null as unknown as Deadline };
      s.deadline = new Deadline(this.ctx.scheduler, call(this, this.onFetchTimeout, s));
      this.fetchSessions.set(leader, s);
    }
    return s;
  }

  private sendFetches(): void {
    if (!this.positionsComplete) {
      let complete = true;
      for (const p of this.partitions.values()) {
        if (p.position >= 0) continue;
        complete = false;
        if (!p.resetting) this.fetchCommittedPositions();
      }
      this.positionsComplete = complete;
    }
    let cfg: FetchConfig | null = null;
    for (const g of this.leaderGroups()) {
      const s = g.session;
      if (s.inFlight !== null) continue;
      // The session's answered fetch, refilled in place when it was made in this epoch.
      const again = s.answered !== null && s.answered.epoch === this.epoch ? s.answered : null;
      let partitions: FetchRequest['partitions'] | null = again === null ? null : again.req.partitions;
      let states: PartitionState[] | null = again === null ? null : again.states;
      let n = 0;
      for (const p of g.parts) {
        if (p.position < 0 || p.buffer.length > 0) continue;
        const l = this.ctx.metadata.leader(p.topic, p.partition)!;
        const maxBytes = (cfg ??= this.fetchCfg()).maxPartitionFetchBytes;
        let part = p.fetchPart;
        if (part === null || part.fetchOffset !== p.position || part.currentLeaderEpoch !== l.leaderEpoch || part.partitionMaxBytes !== maxBytes) {
          if (part !== null && part.holders === 0) {
            // No broker reads it any more (holders): refilled in place.
            part.fetchOffset = p.position;
            part.currentLeaderEpoch = l.leaderEpoch;
            part.partitionMaxBytes = maxBytes;
          } else {
            // The broker's Partition reference carried over (the broker checks it is its own and live).
            part = { topic: p.topic, partition: p.partition, key: p.key, fetchOffset: p.position, currentLeaderEpoch: l.leaderEpoch, partitionMaxBytes: maxBytes, brokerRef: part === null ? null : (part.brokerRef ?? null), holders: 0 };
            p.fetchPart = part;
          }
        }
        if (partitions === null) {
          partitions = [part];
          states = [p];
        } else if (n < partitions.length) {
          partitions[n] = part;
          states![n] = p;
        } else {
          partitions.push(part);
          states!.push(p);
        }
        n++;
      }
      if (n === 0) continue;
      // Refilled: what the last fetch asked beyond n goes (pop: the length setter is a runtime call).
      while (partitions!.length > n) partitions!.pop();
      while (states!.length > n) states!.pop();
      cfg ??= this.fetchCfg();
      let sf: SessionFetch;
      if (again !== null) {
        sf = again;
        const req = sf.req;
        req.rackId = cfg.rackId;
        req.maxWaitMs = cfg.maxWaitMs;
        req.minBytes = cfg.minBytes;
        req.maxBytes = cfg.maxBytes;
        req.isolationLevel = cfg.readCommitted ? 1 : 0;
      } else {
        const req: FetchRequest = {
          replicaId: -1,
          rackId: cfg.rackId,
          maxWaitMs: cfg.maxWaitMs,
          minBytes: cfg.minBytes,
          maxBytes: cfg.maxBytes,
          partitions: partitions!,
          isolationLevel: cfg.readCommitted ? 1 : 0,
        };
        const answer: FetchResponse = { error: 'NONE', partitions: [] };
        sf = {
          req,
          answer,
          states: states!,
          epoch: this.epoch,
          handle: call(this, this.fetchAt, g.leader, req, answer),
          onResponse: call(this, this.onFetchResponse, s, req),
          onReset: call(this, this.onFetchReset, s, req),
        };
      }
      s.answered = null;
      s.inFlight = sf;
      this.fetchesInFlight++;
      // The broker reads these parts until it answers (given back in onFetchResponse).
      for (let i = 0; i < n; i++) partitions![i]!.holders!++;
      s.deadline.set(this.now + cfg.requestTimeoutMs);
      // A fetch request carries no record batches: nothing for the network to walk (0 bytes).
      this.ctx.network.request(this.node, brokerNode(g.leader), sf.handle, sf.onResponse, sf.onReset, 0);
    }
  }

  /**
   * Ends the session's outstanding fetch, the one of request `req` (any, when null); null
   * when `req` is not the outstanding one (answered, timed out, or a rejoin dropped it).
   */
  private endFetch(s: FetchSession, req: FetchRequest | null): SessionFetch | null {
    const sf = s.inFlight;
    if (sf === null || (req !== null && sf.req !== req)) return null;
    s.inFlight = null;
    s.deadline.clear();
    this.fetchesInFlight--;
    return sf;
  }

  /** @scheduled request.timeout.ms passed with the session's fetch unanswered. */
  private onFetchTimeout(s: FetchSession): void {
    if (this.endFetch(s, null) === null || !this.alive) return;
    // handleFetchFailure: the partitions read from this broker forget their read replica.
    for (const p of this.partitions.values()) if (p.preferredReadReplica === s.leader) this.clearPreferredReadReplica(p);
    this.schedulePump(this.backoffMs());
  }

  /** @scheduled Connection reset by a dead broker: fail now rather than at request.timeout.ms. */
  private onFetchReset(s: FetchSession, req: FetchRequest): void {
    const sf = this.endFetch(s, req);
    if (sf === null) return;
    this.noteError('NETWORK_EXCEPTION');
    if (this.alive) this.onFetch(sf.epoch, sf.req, null);
  }

  /** @scheduled The fetch's answer. */
  private onFetchResponse(s: FetchSession, req: FetchRequest, r: FetchResponse): void {
    const sf = this.endFetch(s, req);
    if (sf === null) return;
    // Answered: the broker reads its parts no more (a fetch that timed out or was reset keeps their count).
    const asked = sf.req.partitions;
    for (let i = 0; i < asked.length; i++) asked[i]!.holders!--;
    if (!this.alive) return;
    // Answered: the session's next fetch may send it again (after onFetch has read it: a
    // poll turn onFetch runs at its end sends the next).
    s.answered = sf;
    this.onFetch(sf.epoch, sf.req, r, sf.states);
  }

  /** @scheduled Fetch arrives at the leader (the handler runs there). */
  private fetchAt(leader: number, req: FetchRequest, answer: FetchResponse): FetchResponse | Deferred<FetchResponse> {
    return this.ctx.brokerApi(leader)?.handleFetch(req, answer) ?? { error: 'NOT_LEADER_OR_FOLLOWER', partitions: [] };
  }

  /** Fetch answered (null: reset). */
  private onFetch(e: number, req: FetchRequest, r: FetchResponse | null, states?: PartitionState[]): void {
    if (this.epoch !== e) return;
    let backoff = r === null;
    if (r === null) {
      // handleFetchFailure: the session's partitions forget their preferred read replica.
      for (const fp of req.partitions) {
        const p = this.partitions.get(fp.key ?? key(fp.topic, fp.partition));
        if (p) this.clearPreferredReadReplica(p);
      }
    }
    const parts = r?.partitions ?? [];
    for (let i = 0; i < parts.length; i++) {
      const fp = parts[i]!;
      // Answers come in the request's order; the search is a fallback.
      // The partition asked at i is held (states[i]) while it is still assigned.
      let asked = req.partitions[i];
      let p: PartitionState | undefined;
      if (asked !== undefined && asked.topic === fp.topic && asked.partition === fp.partition) {
        const held = states?.[i];
        p = held !== undefined && !held.removed ? held : this.partitions.get(asked.key ?? key(fp.topic, fp.partition));
      } else {
        asked = req.partitions.find((x) => x.topic === fp.topic && x.partition === fp.partition);
        p = this.partitions.get(asked?.key ?? key(fp.topic, fp.partition));
      }
      if (!p) continue;
      if (fp.error === 'NONE') {
        this.lastFetchOkMs = this.now;
        if (fp.batches.length > 0 && p.position === asked?.fetchOffset) {
          if (fp.abortedTransactions || p.aborted) {
            p.aborted = fp.abortedTransactions ? [...fp.abortedTransactions].sort((a, b) => a.firstOffset - b.firstOffset) : [];
            p.abortedPids = new Set();
          }
          if (p.buffer.length === 0) {
            p.buffer = fp.batches;
            p.bufferAt = 0;
          } else {
            p.buffer = [...p.buffer.slice(p.bufferAt), ...fp.batches];
            p.bufferAt = 0;
          }
          if (!p.inBuffered) {
            p.inBuffered = true;
            this.buffered.push(p);
          }
        }
        if (fp.preferredReadReplica !== undefined && fp.preferredReadReplica >= 0) {
          // FetchCollector: updatePreferredReadReplica, valid for metadata.max.age.ms.
          if (p.preferredReadReplica !== fp.preferredReadReplica) this.readReplicaVersion++;
          p.preferredReadReplica = fp.preferredReadReplica;
          p.preferredReadReplicaExpiresAt = this.now + this.config.int('metadata.max.age.ms');
        }
      } else if (fp.error === 'OFFSET_OUT_OF_RANGE' && this.clearPreferredReadReplica(p)) {
        // Out of range on a follower (it is behind our position): back to the leader, which
        // knows; the position is not reset (FetchCollector.handleInitializeErrors).
        backoff = true;
      } else if (fp.error === 'OFFSET_OUT_OF_RANGE') {
        p.position = -1;
        p.buffer = [];
        p.bufferAt = 0;
        this.unbuffer(p);
        this.positionsComplete = false;
        this.resetPosition(p);
      } else {
        // requestMetadataUpdate, which also clears the preferred read replica.
        this.clearPreferredReadReplica(p);
        this.noteError(fp.error);
        backoff = true;
      }
    }
    // The poll loop was waiting for this answer: it runs now (a turn already pending, for
    // processing time or a backoff, stays as it is).
    if (backoff) this.schedulePump(this.backoffMs());
    else if (this.pumpScheduledEpoch !== this.epoch) this.pump();
  }

  // ---- view -----------------------------------------------------------------------------------

  view(): ConsumerView {
    const positions = [...this.partitions.values()]
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
      .map((p) => {
        const hw = this.ctx.metadata.highWatermark(p.topic, p.partition);
        const readReplica = p.preferredReadReplica >= 0 && this.now < p.preferredReadReplicaExpiresAt ? { readReplica: p.preferredReadReplica } : {};
        return { topic: p.topic, partition: p.partition, position: p.position, lag: p.position < 0 ? hw : Math.max(0, hw - p.position), ...readReplica };
      });
    return {
      id: this.id,
      groupId: this.groupId,
      memberId: this.memberId === '' ? null : this.memberId,
      groupInstanceId: this.instanceId,
      status: this.status,
      subscription: this.topics.slice().sort(),
      config: { ...this.userConfig },
      assignment: positions.map((p) => ({ topic: p.topic, partition: p.partition })),
      positions,
      consumed: this.consumedCount,
      msPerRecord: this.msPerRecord,
      assignor: this.consumerProtocol() ? (this.remoteAssignor() ?? 'uniform') : (this.protocol ?? this.assignorNames()[0] ?? 'range'),
      groupProtocol: this.consumerProtocol() ? 'consumer' : 'classic',
      ...(this.consumerProtocol() ? { memberEpoch: Math.max(0, this.generationId) } : {}),
      lastError: this.lastError,
      recovered: this.lastError !== null && this.status === 'stable' && this.lastFetchOkMs > this.lastError.at,
    };
  }

  /** For persistence: what a restarted client needs. */
  describe(): { id: string; groupId: string; topics: string[]; config: ConfigMap; msPerRecord: number; status: ConsumerStatus } {
    return { id: this.id, groupId: this.groupId, topics: this.topics.slice(), config: { ...this.userConfig }, msPerRecord: this.msPerRecord, status: this.status };
  }
}
