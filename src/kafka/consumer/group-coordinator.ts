/**
 * The group coordinator for consumer groups on the classic protocol (group-coordinator/
 * src/main/java/org/apache/kafka/coordinator/group/classic/ClassicGroup.java and
 * GroupMetadataManager.java): JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit,
 * OffsetFetch; states Empty → PreparingRebalance → CompletingRebalance → Stable (and Dead);
 * group.initial.rebalance.delay.ms; session timeouts; static membership (KIP-345).
 *
 * One object models the coordinators of every group. Each group is hosted on the broker
 * that leads its __consumer_offsets partition (hash(groupId) % 50; coordinatorFor says how
 * that partition's replicas and leader are modelled). Requests that reach another broker
 * get NOT_COORDINATOR. Group metadata and committed offsets are durable (as the replicated __consumer_offsets is), so a coordinator
 * move keeps them. What is durable of a group is what Kafka writes to __consumer_offsets:
 * the group metadata as of the last completed SyncGroup (or the last time it became Empty).
 * A coordinator that takes over loads that record (GroupMetadataManager.replay): the group
 * is Stable with its last assignment (Empty without members), requests parked at the old
 * coordinator fail with NOT_COORDINATOR, and member sessions restart from now.
 */
import type { ClusterContext } from '../context';
import type { KafkaError } from '../errors';
import { call } from '../sim/call';
import { Deferred } from '../sim/network';
import type { Timer } from '../sim/scheduler';
import type { GroupOffsetView, GroupState, GroupView, TopicPartition } from '../snapshot';
import type { OffsetResetTarget } from '../../scenario/types';
import type { StickyUserData } from './assignors';
import { buildCurrentAssignment, FencedMemberEpochException, toTopicPartitions, type Assignment, type MemberState } from './modern/current-assignment-builder';
import { SERVER_ASSIGNORS, serverAssignorByName } from './modern/assignors';

export const OFFSETS_TOPIC_PARTITIONS = 50;
/** offsets.topic.replication.factor's default. */
export const OFFSETS_TOPIC_REPLICATION_FACTOR = 3;

export interface JoinProtocol {
  name: string;
  topics: string[];
  ownedPartitions: TopicPartition[];
  generation: number;
  /** The assignor's opaque subscription user data (the StickyAssignor's previous assignment). */
  userData?: StickyUserData | null;
  /** client.rack (ConsumerProtocolSubscription.rackId, KIP-881); null when not set. */
  rackId?: string | null;
}

export interface JoinGroupRequest {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  protocols: JoinProtocol[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
}

export interface JoinGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  protocol: JoinProtocol;
}

export interface JoinGroupResponse {
  error: KafkaError;
  generationId: number;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Only for the leader: every member's metadata for the chosen protocol. */
  members: JoinGroupMember[];
  /** KIP-345: a static member that rejoined a Stable group with no rebalance. */
  skipAssignment?: boolean;
}

export interface SyncGroupResponse {
  error: KafkaError;
  assignment: TopicPartition[];
}

interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  protocols: JoinProtocol[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  assignment: TopicPartition[];
  awaitingJoin: Deferred<JoinGroupResponse> | null;
  awaitingSync: Deferred<SyncGroupResponse> | null;
  session: Timer | null;
}

interface Group {
  groupId: string;
  state: GroupState;
  generationId: number;
  protocolName: string | null;
  leaderId: string | null;
  members: Map<string, Member>;
  staticMembers: Map<string, string>;
  pending: Map<string, Timer>;
  rebalanceTimer: Timer | null;
  /** 1 while the initial rebalance delay runs (the join completes only when it ends), else 0. */
  initialDelayDeadline: number;
  offsets: Map<string, { topic: string; partition: number; offset: number }>;
  host: number;
  /** newMemberAdded: a member joined during the initial delay (InitialDelayedJoin extends it). */
  newMemberAdded: boolean;
  /** The state before the current one (ClassicGroup.previousState). */
  previousState: GroupState;
  /** The group metadata record last written to __consumer_offsets. */
  persisted: PersistedGroup;
  /** Virtual time the group last entered its current state. */
  stateSinceMs: number;
  /** 'consumer': the group runs the consumer group protocol (KIP-848), its state in `modern`. */
  type: GroupType;
  modern: ModernGroup | null;
}

export type GroupType = 'classic' | 'consumer';

/** A member of a consumer group (ConsumerGroupMember). */
interface ModernMember {
  memberId: string;
  instanceId: string | null;
  clientId: string;
  rackId: string | null;
  /** MemberState: where the CurrentAssignmentBuilder has it. */
  state: MemberState;
  memberEpoch: number;
  previousMemberEpoch: number;
  subscribedTopics: string[];
  serverAssignor: string | null;
  rebalanceTimeoutMs: number;
  assignedPartitions: Assignment;
  partitionsPendingRevocation: Assignment;
  session: Timer | null;
  /** Runs while the member has partitions to revoke (rebalance timeout). */
  revocation: Timer | null;
}

/** A consumer group's state (ConsumerGroup.java): every part of it is a record in __consumer_offsets. */
interface ModernGroup {
  groupEpoch: number;
  targetAssignmentEpoch: number;
  members: Map<string, ModernMember>;
  staticMembers: Map<string, string>;
  /** Target assignment by member id. */
  targetAssignment: Map<string, Assignment>;
  /** `topic-partition` → the epoch of the member that owns it (assigned or pending revocation). */
  partitionEpochs: Map<string, number>;
  /** The subscribed topics' partition counts when the group epoch was last bumped. */
  subscriptionMetadata: Map<string, number>;
  /** The assignor that computed the target assignment. */
  assignor: string;
}

export interface ConsumerGroupHeartbeatRequest {
  groupId: string;
  memberId: string;
  /** 0 to join, -1 to leave, -2 for a static member's temporary leave. */
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[];
  serverAssignor: string | null;
  /** The partitions the member owns now (null: not reported). */
  ownedTopicPartitions: TopicPartition[] | null;
}

export interface ConsumerGroupHeartbeatResponse {
  error: KafkaError;
  errorMessage: string | null;
  memberId: string;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  /** The member's assigned partitions (null on error). */
  assignment: TopicPartition[] | null;
}

/** A consumer group member as inspected (plain data). */
export interface ModernMemberInspection {
  memberId: string;
  instanceId: string | null;
  clientId: string;
  state: MemberState;
  memberEpoch: number;
  previousMemberEpoch: number;
  subscribedTopics: string[];
  serverAssignor: string | null;
  assigned: TopicPartition[];
  pendingRevocation: TopicPartition[];
  /** Target partitions not yet assigned: still owned by another member (unreleased). */
  pendingAssignment: TopicPartition[];
  target: TopicPartition[];
}

/** A group's internals for invariant checks and tests (plain data). */
export interface GroupInspection {
  groupId: string;
  state: GroupState;
  generationId: number;
  protocolName: string | null;
  leaderId: string | null;
  stateSinceMs: number;
  members: { memberId: string; groupInstanceId: string | null; clientId: string; topics: string[]; sessionTimeoutMs: number; assignment: TopicPartition[] }[];
  /** 'consumer' for the consumer group protocol (KIP-848); absent fields below for classic groups. */
  type: GroupType;
  groupEpoch?: number;
  targetAssignmentEpoch?: number;
  modernMembers?: ModernMemberInspection[];
}

type PersistedGroup = Omit<GroupCoordinatorState['groups'][number], 'offsets' | 'groupId'>;

export interface GroupCoordinatorState {
  groups: {
    groupId: string;
    state: GroupState;
    generationId: number;
    protocolName: string | null;
    leaderId: string | null;
    members: { memberId: string; groupInstanceId: string | null; clientId: string; protocols: JoinProtocol[]; sessionTimeoutMs: number; rebalanceTimeoutMs: number; assignment: TopicPartition[] }[];
    offsets: { topic: string; partition: number; offset: number }[];
  }[];
  memberSeq: number;
  /** __consumer_offsets placement and leaders (absent in states saved before they were kept). */
  offsetsTopic?: { replicas: number[][]; leaders: [number, number][] };
}

/** GroupMetadataManager.partitionFor: the group's __consumer_offsets partition. */
function offsetsPartitionFor(groupId: string): number {
  return (javaStringHashCode(groupId) & 0x7fffffff) % OFFSETS_TOPIC_PARTITIONS;
}

/** Java's String.hashCode, which Kafka uses for partitionFor(groupId). */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

const tpKey = (t: string, p: number) => `${t}-${p}`;

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private memberSeq = 0;
  /** __consumer_offsets: each partition's replicas (placed on first use) and current leader. */
  private offsetsReplicas: number[][] | null = null;
  private readonly offsetsLeaders = new Map<number, number>();

  constructor(private readonly ctx: ClusterContext) {}

  /**
   * Which broker hosts this group's coordinator: the leader of its __consumer_offsets
   * partition (hash of the group id mod 50), -1 while none of that partition's replicas is
   * live (COORDINATOR_NOT_AVAILABLE). The partition's replicas are placed once, when the
   * first group needs the topic (offsets.topic.replication.factor 3, or fewer brokers); its
   * leader stays where it is while it lives and otherwise moves to the next live replica.
   * So a new broker does not move any coordinator, as in Kafka.
   */
  coordinatorFor(groupId: string): number {
    if (this.offsetsReplicas === null) this.placeOffsetsTopic();
    const leader = this.peekCoordinator(groupId);
    const p = offsetsPartitionFor(groupId);
    if (leader >= 0) this.offsetsLeaders.set(p, leader);
    else this.offsetsLeaders.delete(p);
    return leader;
  }

  /** __consumer_offsets is created on first use, over the live brokers then. */
  private placeOffsetsTopic(): void {
    const ids = [...this.ctx.metadata.liveBrokers()].sort((a, b) => a - b);
    if (ids.length === 0) return;
    const rf = Math.min(OFFSETS_TOPIC_REPLICATION_FACTOR, ids.length);
    this.offsetsReplicas = Array.from({ length: OFFSETS_TOPIC_PARTITIONS }, (_, q) => Array.from({ length: rf }, (_, i) => ids[(q + i) % ids.length]!));
  }

  /**
   * coordinatorFor without its side effects, for views (snapshots, invariant checks): a
   * view taken at any moment must not change where a coordinator moves, or a run would
   * depend on how often the UI looked at it.
   */
  private peekCoordinator(groupId: string): number {
    if (this.offsetsReplicas === null) return -1;
    const live = this.ctx.metadata.liveBrokers();
    const p = offsetsPartitionFor(groupId);
    const current = this.offsetsLeaders.get(p);
    if (current !== undefined && live.includes(current)) return current;
    return this.offsetsReplicas[p]!.find((b) => live.includes(b)) ?? -1;
  }

  /**
   * Brokers were fenced, unfenced, killed or restarted. A group whose coordinator moved is
   * unloaded from the old one (parked requests answered NOT_COORDINATOR; a dead old host
   * never delivers those) and loaded by the new one from its durable record, sessions
   * restarting from now.
   */
  onBrokerChange(): void {
    for (const g of this.groups.values()) {
      const host = this.coordinatorFor(g.groupId);
      if (host === g.host) continue;
      this.ctx.emit({ type: 'CoordinatorMoved', groupId: g.groupId, from: g.host, to: host });
      g.host = host;
      this.unload(g);
      if (g.modern) {
        this.unloadModern(g.modern);
        // Every change of a consumer group is a record in __consumer_offsets: the new
        // coordinator replays them all, so the group goes on as it was; sessions restart now.
        if (host >= 0) this.loadModern(g, g.modern);
      } else if (host >= 0) this.load(g, g.persisted);
    }
  }

  /** The old coordinator lets go of the group: everything parked fails, timers stop. */
  private unload(g: Group): void {
    g.rebalanceTimer?.cancel();
    g.rebalanceTimer = null;
    g.initialDelayDeadline = 0;
    g.newMemberAdded = false;
    for (const t of g.pending.values()) t.cancel();
    g.pending.clear();
    for (const m of g.members.values()) {
      m.session?.cancel();
      m.session = null;
      const j = m.awaitingJoin;
      const sy = m.awaitingSync;
      m.awaitingJoin = null;
      m.awaitingSync = null;
      j?.resolve({ error: 'NOT_COORDINATOR', generationId: -1, protocolName: null, leader: '', memberId: m.memberId, members: [] });
      sy?.resolve({ error: 'NOT_COORDINATOR', assignment: [] });
    }
  }

  /** GroupMetadataManager.replay: the group as its durable record says, Stable or Empty. */
  private load(g: Group, rec: PersistedGroup): void {
    g.members.clear();
    g.staticMembers.clear();
    g.generationId = rec.generationId;
    g.protocolName = rec.members.length > 0 ? rec.protocolName : null;
    g.leaderId = rec.members.length > 0 ? rec.leaderId : null;
    for (const mm of rec.members) {
      const m: Member = { ...mm, protocols: mm.protocols.map((p) => ({ ...p })), assignment: mm.assignment.slice(), awaitingJoin: null, awaitingSync: null, session: null };
      g.members.set(m.memberId, m);
      if (m.groupInstanceId !== null) g.staticMembers.set(m.groupInstanceId, m.memberId);
      this.scheduleSession(g, m);
    }
    this.setState(g, g.members.size > 0 ? 'Stable' : 'Empty');
  }

  /** Writes the group metadata record (after SyncGroup, on becoming Empty, on a static member's replacement). */
  private persist(g: Group): void {
    g.persisted = {
      state: g.state,
      generationId: g.generationId,
      protocolName: g.protocolName,
      leaderId: g.leaderId,
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        protocols: m.protocols.map((p) => ({ ...p, topics: p.topics.slice(), ownedPartitions: p.ownedPartitions.slice(), userData: p.userData ? { previousAssignment: p.userData.previousAssignment.slice(), generation: p.userData.generation } : null })),
        sessionTimeoutMs: m.sessionTimeoutMs,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        assignment: m.assignment.slice(),
      })),
    };
  }

  private group(groupId: string): Group {
    let g = this.groups.get(groupId);
    if (!g) {
      g = {
        groupId,
        state: 'Empty',
        generationId: 0,
        protocolName: null,
        leaderId: null,
        members: new Map(),
        staticMembers: new Map(),
        pending: new Map(),
        rebalanceTimer: null,
        initialDelayDeadline: 0,
        offsets: new Map(),
        host: this.coordinatorFor(groupId),
        newMemberAdded: false,
        previousState: 'Empty',
        persisted: { state: 'Empty', generationId: 0, protocolName: null, leaderId: null, members: [] },
        stateSinceMs: this.ctx.scheduler.now,
        type: 'classic',
        modern: null,
      };
      this.groups.set(groupId, g);
    }
    return g;
  }

  private notCoordinator(groupId: string, viaBroker: number): boolean {
    return this.coordinatorFor(groupId) !== viaBroker;
  }

  private setState(g: Group, state: GroupState): void {
    if (g.state === state) return;
    g.previousState = g.state;
    g.state = state;
    g.stateSinceMs = this.ctx.scheduler.now;
    this.ctx.emit(g.modern ? { type: 'GroupStateChanged', groupId: g.groupId, state, generation: g.generationId, protocol: 'consumer' } : { type: 'GroupStateChanged', groupId: g.groupId, state, generation: g.generationId });
  }

  private scheduleSession(g: Group, m: Member): void {
    m.session?.cancel();
    m.session = this.ctx.scheduler.after(m.sessionTimeoutMs, call(this, this.onSessionTimeout, g, m));
  }

  /** @scheduled A member's session.timeout.ms ran out with no heartbeat. */
  private onSessionTimeout(g: Group, m: Member): void {
    m.session = null;
    if (g.members.get(m.memberId) !== m) return;
    // ClassicGroupMember.hasSatisfiedHeartbeat: members parked in JoinGroup or SyncGroup
    // are judged by the rebalance instead; completing it restarts their sessions.
    if (m.awaitingJoin || m.awaitingSync) return;
    this.removeMember(g, m, 'session.timeout.ms');
  }

  /** @scheduled A member id handed out with MEMBER_ID_REQUIRED was never used to join. */
  private onPendingMemberExpired(g: Group, id: string): void {
    g.pending.delete(id);
  }

  // ---- JoinGroup ------------------------------------------------------------------------

  handleJoinGroup(viaBroker: number, req: JoinGroupRequest): JoinGroupResponse | Deferred<JoinGroupResponse> {
    const fail = (error: KafkaError): JoinGroupResponse => ({ error, generationId: -1, protocolName: null, leader: '', memberId: req.memberId, members: [] });
    if (this.notCoordinator(req.groupId, viaBroker)) return fail('NOT_COORDINATOR');
    const minS = this.ctx.brokerConfig.int('group.min.session.timeout.ms');
    const maxS = this.ctx.brokerConfig.int('group.max.session.timeout.ms');
    if (req.sessionTimeoutMs < minS || req.sessionTimeoutMs > maxS) return fail('INVALID_SESSION_TIMEOUT');
    const g = this.group(req.groupId);
    if (g.state === 'Dead') return fail('COORDINATOR_NOT_AVAILABLE');
    if (req.protocols.length === 0) return fail('INCONSISTENT_GROUP_PROTOCOL');
    if (g.modern) {
      // A consumer group (KIP-848) with members takes no classic JoinGroup (the online
      // migration of group.consumer.migration.policy is not modelled); an empty one becomes classic.
      if (g.modern.members.size > 0) return fail('INCONSISTENT_GROUP_PROTOCOL');
      this.convertToClassic(g);
    }
    // ClassicGroup.supportsProtocols: some protocol of the joiner is supported by every member.
    if (g.members.size > 0 && !req.protocols.some((p) => [...g.members.values()].every((m) => m.memberId === req.memberId || m.protocols.some((q) => q.name === p.name)))) {
      return fail('INCONSISTENT_GROUP_PROTOCOL');
    }

    // Static member (KIP-345).
    if (req.groupInstanceId !== null) {
      const existingId = g.staticMembers.get(req.groupInstanceId);
      if (req.memberId === '' || existingId !== req.memberId) {
        // validateExistingMember: a known member id must be the one of its instance.
        if (req.memberId !== '' && existingId === undefined) return fail('UNKNOWN_MEMBER_ID');
        if (req.memberId !== '' && existingId !== req.memberId) return fail('FENCED_INSTANCE_ID');
        // GroupMetadataManager: a static member's id is its group.instance.id plus a unique suffix.
        const newId = `${req.groupInstanceId}-${++this.memberSeq}`;
        if (existingId !== undefined) return this.replaceStaticMember(g, existingId, newId, req);
        return this.addMemberAndRebalance(g, newId, req);
      }
    } else if (req.memberId === '') {
      // KIP-394: a new dynamic member first gets its id, then joins with it.
      const id = `${req.clientId}-${++this.memberSeq}`;
      const timer = this.ctx.scheduler.after(req.sessionTimeoutMs, call(this, this.onPendingMemberExpired, g, id));
      g.pending.set(id, timer);
      return { ...fail('MEMBER_ID_REQUIRED'), memberId: id };
    }

    const pending = g.pending.get(req.memberId);
    if (pending) {
      pending.cancel();
      g.pending.delete(req.memberId);
      return this.addMemberAndRebalance(g, req.memberId, req);
    }
    const m = g.members.get(req.memberId);
    if (!m) return fail('UNKNOWN_MEMBER_ID');
    return this.updateMemberAndRebalance(g, m, req);
  }

  private newMember(id: string, req: JoinGroupRequest): Member {
    return {
      memberId: id,
      groupInstanceId: req.groupInstanceId,
      clientId: req.clientId,
      protocols: req.protocols,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      assignment: [],
      awaitingJoin: null,
      awaitingSync: null,
      session: null,
    };
  }

  private addMemberAndRebalance(g: Group, id: string, req: JoinGroupRequest): Deferred<JoinGroupResponse> {
    const m = this.newMember(id, req);
    const d = new Deferred<JoinGroupResponse>();
    // The initial rebalance can be delayed further (addMemberThenRebalanceOrCompleteJoin).
    if (g.state === 'PreparingRebalance' && g.previousState === 'Empty') g.newMemberAdded = true;
    m.awaitingJoin = d;
    g.members.set(id, m);
    if (req.groupInstanceId !== null) g.staticMembers.set(req.groupInstanceId, id);
    if (g.leaderId === null) g.leaderId = id;
    this.scheduleSession(g, m);
    this.ctx.emit({ type: 'MemberJoined', groupId: g.groupId, memberId: id, clientId: req.clientId });
    this.maybePrepareRebalance(g, `Adding new member ${id} with group instance id ${req.groupInstanceId ?? 'null'}`);
    this.tryCompleteJoin(g);
    return d;
  }

  private replaceStaticMember(g: Group, oldId: string, newId: string, req: JoinGroupRequest): JoinGroupResponse | Deferred<JoinGroupResponse> {
    const old = g.members.get(oldId)!;
    old.session?.cancel();
    // The old incarnation is fenced: anything it waits for fails.
    old.awaitingJoin?.resolve({ error: 'FENCED_INSTANCE_ID', generationId: -1, protocolName: null, leader: '', memberId: oldId, members: [] });
    old.awaitingSync?.resolve({ error: 'FENCED_INSTANCE_ID', assignment: [] });
    const m: Member = { ...this.newMember(newId, req), assignment: old.assignment };
    g.members.delete(oldId);
    g.members.set(newId, m);
    g.staticMembers.set(req.groupInstanceId!, newId);
    if (g.leaderId === oldId) g.leaderId = newId;
    this.scheduleSession(g, m);
    const sameSubscription = sameTopics(old.protocols, req.protocols);
    const rejoined = { type: 'StaticMemberRejoined', groupId: g.groupId, groupInstanceId: req.groupInstanceId!, memberId: newId, previousMemberId: oldId } as const;
    if (g.state === 'Stable' && sameSubscription && this.selectProtocol(g) === g.protocolName) {
      // A static member coming back within its session timeout: no rebalance (KIP-345),
      // the replacement is written to __consumer_offsets.
      this.ctx.emit({ ...rejoined, rebalance: false });
      this.persist(g);
      return {
        error: 'NONE',
        generationId: g.generationId,
        protocolName: g.protocolName,
        leader: g.leaderId ?? newId,
        memberId: newId,
        members: [],
        skipAssignment: true,
      };
    }
    const d = new Deferred<JoinGroupResponse>();
    m.awaitingJoin = d;
    this.ctx.emit({ ...rejoined, rebalance: true });
    this.maybePrepareRebalance(g, `Static member ${req.groupInstanceId} rejoined with new member id ${newId}`);
    this.tryCompleteJoin(g);
    return d;
  }

  /** classicGroupJoinExistingMember. */
  private updateMemberAndRebalance(g: Group, m: Member, req: JoinGroupRequest): JoinGroupResponse | Deferred<JoinGroupResponse> {
    const matches = sameMetadata(m.protocols, req.protocols);
    this.scheduleSession(g, m);
    switch (g.state) {
      case 'Empty':
      case 'Dead':
        return { error: 'UNKNOWN_MEMBER_ID', generationId: -1, protocolName: null, leader: '', memberId: m.memberId, members: [] };
      case 'CompletingRebalance':
        // Same metadata: it missed the JoinGroup response; answer with the current generation.
        if (matches) return this.joinResponse(g, m);
        break;
      case 'Stable':
        // A follower with unchanged metadata just syncs again; the leader rejoining forces a rebalance.
        if (matches && g.leaderId !== m.memberId) return { ...this.joinResponse(g, m), members: [] };
        break;
      case 'PreparingRebalance':
        break;
    }
    const reason = g.state === 'Stable' && g.leaderId === m.memberId ? `Leader ${m.memberId} re-joining group during Stable` : `Updating metadata for member ${m.memberId} during ${g.state}`;
    m.protocols = req.protocols;
    m.sessionTimeoutMs = req.sessionTimeoutMs;
    m.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    const d = new Deferred<JoinGroupResponse>();
    m.awaitingJoin?.resolve({ error: 'UNKNOWN_MEMBER_ID', generationId: -1, protocolName: null, leader: '', memberId: m.memberId, members: [] });
    m.awaitingJoin = d;
    this.maybePrepareRebalance(g, reason);
    this.tryCompleteJoin(g);
    return d;
  }

  /** maybePrepareRebalanceOrCompleteJoin / prepareRebalance. */
  private maybePrepareRebalance(g: Group, reason: string): void {
    switch (g.state) {
      case 'PreparingRebalance':
      case 'Dead':
        return;
      case 'CompletingRebalance':
        for (const m of g.members.values()) {
          const sy = m.awaitingSync;
          m.awaitingSync = null;
          sy?.resolve({ error: 'REBALANCE_IN_PROGRESS', assignment: [] });
        }
        break;
      case 'Empty':
      case 'Stable':
        break;
    }
    const fromEmpty = g.state === 'Empty';
    this.setState(g, 'PreparingRebalance');
    this.ctx.emit({ type: 'RebalanceStarted', groupId: g.groupId, generation: g.generationId, reason });
    g.rebalanceTimer?.cancel();
    g.newMemberAdded = false;
    const initialDelay = this.ctx.brokerConfig.int('group.initial.rebalance.delay.ms');
    if (fromEmpty && initialDelay > 0) {
      // InitialDelayedJoin: wait group.initial.rebalance.delay.ms, again while members keep
      // joining, within the rebalance timeout; then complete the join whatever happened.
      g.initialDelayDeadline = 1;
      this.scheduleInitialDelay(g, initialDelay, Math.max(this.maxRebalanceTimeout(g) - initialDelay, 0));
    } else {
      g.initialDelayDeadline = 0;
      g.rebalanceTimer = this.ctx.scheduler.after(this.maxRebalanceTimeout(g), call(this, this.onRebalanceTimeout, g));
    }
  }

  /** tryCompleteInitialRebalanceElseSchedule. */
  private scheduleInitialDelay(g: Group, delayMs: number, remainingMs: number): void {
    g.rebalanceTimer = this.ctx.scheduler.after(delayMs, call(this, this.onInitialDelayEnd, g, delayMs, remainingMs));
  }

  /** @scheduled One step of the initial rebalance delay ended: wait again or complete the join. */
  private onInitialDelayEnd(g: Group, delayMs: number, remainingMs: number): void {
    g.rebalanceTimer = null;
    if (g.state !== 'PreparingRebalance') return;
    if (g.newMemberAdded && remainingMs !== 0) {
      g.newMemberAdded = false;
      const initialDelay = this.ctx.brokerConfig.int('group.initial.rebalance.delay.ms');
      this.scheduleInitialDelay(g, Math.min(initialDelay, remainingMs), Math.max(remainingMs - delayMs, 0));
      return;
    }
    g.initialDelayDeadline = 0;
    this.onRebalanceTimeout(g);
  }

  private maxRebalanceTimeout(g: Group): number {
    let t = 0;
    for (const m of g.members.values()) t = Math.max(t, m.rebalanceTimeoutMs);
    return t > 0 ? t : 300000;
  }

  /** @scheduled completeClassicGroupJoin after the rebalance timeout: members that did not rejoin are removed. */
  private onRebalanceTimeout(g: Group): void {
    g.rebalanceTimer = null;
    if (g.state !== 'PreparingRebalance') return;
    for (const [id, t] of g.pending) {
      t.cancel();
      g.pending.delete(id);
    }
    for (const m of [...g.members.values()]) if (!m.awaitingJoin) this.removeMember(g, m, 'max.poll.interval.ms', false);
    this.completeJoin(g);
  }

  /** Completes the join phase once every known member has rejoined. */
  private tryCompleteJoin(g: Group): boolean {
    if (g.state !== 'PreparingRebalance' || g.initialDelayDeadline > 0) return false;
    for (const m of g.members.values()) if (!m.awaitingJoin) return false;
    if (g.pending.size > 0 && g.members.size > 0) return false;
    g.rebalanceTimer?.cancel();
    g.rebalanceTimer = null;
    this.completeJoin(g);
    return true;
  }

  private completeJoin(g: Group): void {
    g.generationId++;
    if (g.members.size === 0) {
      g.protocolName = null;
      g.leaderId = null;
      this.setState(g, 'Empty');
      this.persist(g);
      return;
    }
    g.protocolName = this.selectProtocol(g);
    if (g.leaderId === null || !g.members.has(g.leaderId)) g.leaderId = [...g.members.keys()][0]!;
    this.setState(g, 'CompletingRebalance');
    for (const m of g.members.values()) {
      const d = m.awaitingJoin;
      m.awaitingJoin = null;
      d?.resolve(this.joinResponse(g, m));
      this.scheduleSession(g, m);
    }
  }

  private joinResponse(g: Group, m: Member): JoinGroupResponse {
    const isLeader = g.leaderId === m.memberId;
    return {
      error: 'NONE',
      generationId: g.generationId,
      protocolName: g.protocolName,
      leader: g.leaderId ?? '',
      memberId: m.memberId,
      members: isLeader
        ? [...g.members.values()].map((x) => ({ memberId: x.memberId, groupInstanceId: x.groupInstanceId, protocol: x.protocols.find((p) => p.name === g.protocolName) ?? x.protocols[0]! }))
        : [],
    };
  }

  /** ClassicGroup.selectProtocol: among protocols every member supports, the most first-choice votes. */
  private selectProtocol(g: Group): string {
    const members = [...g.members.values()];
    const candidates = members[0]!.protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    const votes = new Map<string, number>();
    for (const m of members) {
      const vote = m.protocols.find((p) => candidates.includes(p.name))?.name;
      if (vote) votes.set(vote, (votes.get(vote) ?? 0) + 1);
    }
    let best = candidates[0] ?? members[0]!.protocols[0]!.name;
    for (const c of candidates) if ((votes.get(c) ?? 0) > (votes.get(best) ?? 0)) best = c;
    return best;
  }

  // ---- SyncGroup ------------------------------------------------------------------------------

  handleSyncGroup(
    viaBroker: number,
    groupId: string,
    generationId: number,
    memberId: string,
    assignments: { memberId: string; assignment: TopicPartition[] }[] | null,
    groupInstanceId: string | null = null,
  ): SyncGroupResponse | Deferred<SyncGroupResponse> {
    if (this.notCoordinator(groupId, viaBroker)) return { error: 'NOT_COORDINATOR', assignment: [] };
    const g = this.groups.get(groupId);
    if (g?.state === 'Dead') return { error: 'COORDINATOR_NOT_AVAILABLE', assignment: [] };
    const invalid = g ? this.validateMember(g, memberId, groupInstanceId) : 'UNKNOWN_MEMBER_ID';
    if (invalid !== 'NONE' || !g) return { error: invalid, assignment: [] };
    const m = g.members.get(memberId)!;
    if (generationId !== g.generationId) return { error: 'ILLEGAL_GENERATION', assignment: [] };
    switch (g.state) {
      case 'Empty':
        return { error: 'UNKNOWN_MEMBER_ID', assignment: [] };
      case 'PreparingRebalance':
        return { error: 'REBALANCE_IN_PROGRESS', assignment: [] };
      case 'Stable':
        this.scheduleSession(g, m);
        return { error: 'NONE', assignment: m.assignment.slice() };
      case 'CompletingRebalance':
        break;
      default:
        return { error: 'UNKNOWN_MEMBER_ID', assignment: [] };
    }
    this.scheduleSession(g, m);
    const d = new Deferred<SyncGroupResponse>();
    m.awaitingSync?.resolve({ error: 'REBALANCE_IN_PROGRESS', assignment: [] });
    m.awaitingSync = d;
    if (memberId === g.leaderId && assignments) {
      // setAndPropagateAssignment: members the leader left out get nothing.
      for (const x of g.members.values()) x.assignment = assignments.find((a) => a.memberId === x.memberId)?.assignment.slice() ?? [];
      this.setState(g, 'Stable');
      this.persist(g);
      this.ctx.emit({ type: 'RebalanceCompleted', groupId, generation: g.generationId, members: g.members.size });
      for (const x of g.members.values()) {
        const sy = x.awaitingSync;
        x.awaitingSync = null;
        sy?.resolve({ error: 'NONE', assignment: x.assignment.slice() });
        this.scheduleSession(g, x);
      }
    }
    return d;
  }

  /** ClassicGroup.validateMember: the member id is known and, for a static member, is its instance's current one. */
  private validateMember(g: Group, memberId: string, groupInstanceId: string | null): KafkaError {
    if (groupInstanceId !== null) {
      const existing = g.staticMembers.get(groupInstanceId);
      if (existing === undefined) return 'UNKNOWN_MEMBER_ID';
      if (existing !== memberId) return 'FENCED_INSTANCE_ID';
    }
    return g.members.has(memberId) ? 'NONE' : 'UNKNOWN_MEMBER_ID';
  }

  // ---- Heartbeat / LeaveGroup ----------------------------------------------------------------

  /** classicGroupHeartbeat: validation first, then the answer depends on the state. */
  handleHeartbeat(viaBroker: number, groupId: string, generationId: number, memberId: string, groupInstanceId: string | null): KafkaError {
    if (this.notCoordinator(groupId, viaBroker)) return 'NOT_COORDINATOR';
    const g = this.groups.get(groupId);
    if (!g) return 'UNKNOWN_MEMBER_ID';
    if (g.state === 'Dead') return 'COORDINATOR_NOT_AVAILABLE';
    const invalid = this.validateMember(g, memberId, groupInstanceId);
    if (invalid !== 'NONE') return invalid;
    if (generationId !== g.generationId) return 'ILLEGAL_GENERATION';
    const m = g.members.get(memberId)!;
    switch (g.state) {
      case 'Empty':
        return 'UNKNOWN_MEMBER_ID';
      case 'PreparingRebalance':
        this.scheduleSession(g, m);
        return 'REBALANCE_IN_PROGRESS';
      case 'CompletingRebalance':
      case 'Stable':
        this.scheduleSession(g, m);
        return 'NONE';
      default:
        return 'UNKNOWN_MEMBER_ID';
    }
  }

  handleLeaveGroup(viaBroker: number, groupId: string, memberId: string): KafkaError {
    if (this.notCoordinator(groupId, viaBroker)) return 'NOT_COORDINATOR';
    const g = this.groups.get(groupId);
    if (g?.state === 'Dead') return 'COORDINATOR_NOT_AVAILABLE';
    const pending = g?.pending.get(memberId);
    if (g && pending) {
      // A member that only got its id (MEMBER_ID_REQUIRED) leaves: forget it.
      pending.cancel();
      g.pending.delete(memberId);
      if (g.state === 'PreparingRebalance') this.tryCompleteJoin(g);
      return 'NONE';
    }
    const m = g?.members.get(memberId);
    if (!g || !m) return 'UNKNOWN_MEMBER_ID';
    this.removeMember(g, m, 'LeaveGroup');
    return 'NONE';
  }

  private removeMember(g: Group, m: Member, reason: 'LeaveGroup' | 'session.timeout.ms' | 'max.poll.interval.ms', rebalance = true): void {
    m.session?.cancel();
    g.members.delete(m.memberId);
    if (m.groupInstanceId !== null && g.staticMembers.get(m.groupInstanceId) === m.memberId) g.staticMembers.delete(m.groupInstanceId);
    m.awaitingJoin?.resolve({ error: 'UNKNOWN_MEMBER_ID', generationId: -1, protocolName: null, leader: '', memberId: m.memberId, members: [] });
    m.awaitingSync?.resolve({ error: 'UNKNOWN_MEMBER_ID', assignment: [] });
    if (g.leaderId === m.memberId) g.leaderId = [...g.members.keys()][0] ?? null;
    this.ctx.emit({ type: 'MemberLeft', groupId: g.groupId, memberId: m.memberId, clientId: m.clientId, reason });
    if (!rebalance) return;
    if (g.state === 'Stable' || g.state === 'CompletingRebalance') this.maybePrepareRebalance(g, `Removing member ${m.memberId} on ${reason}`);
    // The last member gone: the rebalance completes at once into Empty.
    if (g.state === 'PreparingRebalance') this.tryCompleteJoin(g);
  }

  // ---- ConsumerGroupHeartbeat (KIP-848) ----------------------------------------------------------

  /** group.consumer.heartbeat.interval.ms. */
  private consumerHeartbeatIntervalMs(): number {
    return this.ctx.brokerConfig.int('group.consumer.heartbeat.interval.ms');
  }

  private newModern(): ModernGroup {
    return { groupEpoch: 0, targetAssignmentEpoch: 0, members: new Map(), staticMembers: new Map(), targetAssignment: new Map(), partitionEpochs: new Map(), subscriptionMetadata: new Map(), assignor: SERVER_ASSIGNORS[0]!.name };
  }

  /** An empty classic group becomes a consumer group (and back): only its offsets carry over. */
  private convertToConsumer(g: Group): void {
    g.type = 'consumer';
    g.modern = this.newModern();
    g.generationId = 0;
    g.protocolName = null;
    g.leaderId = null;
    this.setState(g, 'Empty');
  }

  private convertToClassic(g: Group): void {
    if (g.modern) this.unloadModern(g.modern);
    g.type = 'classic';
    g.modern = null;
    g.generationId = 0;
    g.persisted = { state: 'Empty', generationId: 0, protocolName: null, leaderId: null, members: [] };
    this.setState(g, 'Empty');
  }

  private unloadModern(mg: ModernGroup): void {
    for (const m of mg.members.values()) {
      m.session?.cancel();
      m.session = null;
      m.revocation?.cancel();
      m.revocation = null;
    }
  }

  private loadModern(g: Group, mg: ModernGroup): void {
    for (const m of mg.members.values()) {
      this.scheduleModernSession(g, m);
      if (m.state === 'UNREVOKED_PARTITIONS') this.scheduleRevocation(g, m);
    }
  }

  private scheduleModernSession(g: Group, m: ModernMember): void {
    m.session?.cancel();
    m.session = this.ctx.scheduler.after(this.ctx.brokerConfig.int('group.consumer.session.timeout.ms'), call(this, this.onModernSessionTimeout, g, m));
  }

  private scheduleRevocation(g: Group, m: ModernMember): void {
    if (m.revocation) return;
    m.revocation = this.ctx.scheduler.after(m.rebalanceTimeoutMs, call(this, this.onRevocationTimeout, g, m));
  }

  /** @scheduled group.consumer.session.timeout.ms passed with no heartbeat: the member is fenced. */
  private onModernSessionTimeout(g: Group, m: ModernMember): void {
    m.session = null;
    if (g.modern?.members.get(m.memberId) !== m) return;
    this.fenceModernMember(g, m, 'session.timeout.ms');
  }

  /** @scheduled The member did not revoke its partitions within its rebalance timeout (max.poll.interval.ms): fenced. */
  private onRevocationTimeout(g: Group, m: ModernMember): void {
    m.revocation = null;
    if (g.modern?.members.get(m.memberId) !== m || m.state !== 'UNREVOKED_PARTITIONS') return;
    this.fenceModernMember(g, m, 'max.poll.interval.ms');
  }

  private static tpKey(t: string, p: number): string {
    return `${t}-${p}`;
  }

  private removePartitionEpochs(mg: ModernGroup, m: ModernMember): void {
    for (const a of [m.assignedPartitions, m.partitionsPendingRevocation]) for (const [t, ps] of a) for (const p of ps) mg.partitionEpochs.delete(tpKey(t, p));
  }

  private addPartitionEpochs(mg: ModernGroup, m: ModernMember): void {
    for (const a of [m.assignedPartitions, m.partitionsPendingRevocation]) for (const [t, ps] of a) for (const p of ps) mg.partitionEpochs.set(tpKey(t, p), m.memberEpoch);
  }

  /** Removes a member (left, or fenced): its partitions are free, the group epoch is bumped. */
  private fenceModernMember(g: Group, m: ModernMember, reason: 'LeaveGroup' | 'session.timeout.ms' | 'max.poll.interval.ms'): void {
    const mg = g.modern!;
    m.session?.cancel();
    m.session = null;
    m.revocation?.cancel();
    m.revocation = null;
    this.removePartitionEpochs(mg, m);
    mg.members.delete(m.memberId);
    mg.targetAssignment.delete(m.memberId);
    if (m.instanceId !== null && mg.staticMembers.get(m.instanceId) === m.memberId) mg.staticMembers.delete(m.instanceId);
    this.ctx.emit({ type: 'MemberLeft', groupId: g.groupId, memberId: m.memberId, clientId: m.clientId, reason });
    this.bumpGroupEpoch(g, `member ${m.memberId} left (${reason})`);
    this.updateModernState(g);
  }

  private bumpGroupEpoch(g: Group, reason: string): void {
    const mg = g.modern!;
    mg.groupEpoch++;
    g.generationId = mg.groupEpoch;
    this.ctx.emit({ type: 'GroupEpochBumped', groupId: g.groupId, groupEpoch: mg.groupEpoch, reason });
  }

  /** ConsumerGroup.maybeUpdateGroupState. */
  private updateModernState(g: Group): void {
    const mg = g.modern!;
    let state: GroupState;
    if (mg.members.size === 0) state = 'Empty';
    else if (mg.groupEpoch > mg.targetAssignmentEpoch) state = 'Assigning';
    else if ([...mg.members.values()].some((m) => m.state !== 'STABLE' || m.memberEpoch !== mg.targetAssignmentEpoch)) state = 'Reconciling';
    else state = 'Stable';
    this.setState(g, state);
  }

  /** The subscribed topics' partition counts now (ConsumerGroup.computeSubscriptionMetadata). */
  private subscriptionMetadataOf(mg: ModernGroup): Map<string, number> {
    const out = new Map<string, number>();
    for (const m of mg.members.values()) for (const t of m.subscribedTopics) if (!out.has(t)) out.set(t, this.ctx.metadata.partitionCount(t));
    return out;
  }

  /** ConsumerGroup.computePreferredServerAssignor: the one most members ask for, else the default (group.consumer.assignors' first). */
  private preferredAssignor(mg: ModernGroup): string {
    const votes = new Map<string, number>();
    for (const m of [...mg.members.values()].sort((a, b) => (a.memberId < b.memberId ? -1 : 1))) if (m.serverAssignor) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
    let best: string | null = null;
    for (const [name, n] of votes) if (best === null || n > votes.get(best)!) best = name;
    return best ?? SERVER_ASSIGNORS[0]!.name;
  }

  /** TargetAssignmentBuilder: the assignor runs over every member; the target assignment epoch becomes the group epoch. */
  private computeTargetAssignment(g: Group): void {
    const mg = g.modern!;
    const name = this.preferredAssignor(mg);
    const assignor = serverAssignorByName(name)!;
    const members = [...mg.members.values()].map((m) => ({ memberId: m.memberId, instanceId: m.instanceId, topics: m.subscribedTopics, assignment: mg.targetAssignment.get(m.memberId) ?? new Map<string, Set<number>>() }));
    const result = assignor.assign(members, (t) => {
      const n = this.ctx.metadata.partitionCount(t);
      return n > 0 ? n : -1;
    });
    mg.targetAssignment = new Map(members.map((m) => [m.memberId, result.get(m.memberId) ?? new Map()]));
    mg.targetAssignmentEpoch = mg.groupEpoch;
    mg.assignor = name;
    g.protocolName = name;
    this.ctx.emit({ type: 'TargetAssignmentComputed', groupId: g.groupId, groupEpoch: mg.groupEpoch, assignor: name, members: mg.members.size });
  }

  /** GroupMetadataManager.consumerGroupHeartbeat. */
  handleConsumerGroupHeartbeat(viaBroker: number, req: ConsumerGroupHeartbeatRequest): ConsumerGroupHeartbeatResponse {
    const fail = (error: KafkaError, errorMessage: string): ConsumerGroupHeartbeatResponse => ({ error, errorMessage, memberId: req.memberId, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null });
    if (this.notCoordinator(req.groupId, viaBroker)) return fail('NOT_COORDINATOR', `This is not the correct coordinator for group ${req.groupId}.`);
    // throwIfConsumerGroupHeartbeatRequestIsInvalid.
    if (req.memberId === '') return fail('INVALID_REQUEST', 'MemberId can\'t be empty.');
    if (req.serverAssignor !== null && !serverAssignorByName(req.serverAssignor)) {
      return fail('UNSUPPORTED_ASSIGNOR', `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${SERVER_ASSIGNORS.map((a) => a.name).join(', ')}.`);
    }
    const existing = this.groups.get(req.groupId);
    if (existing?.state === 'Dead') return fail('COORDINATOR_NOT_AVAILABLE', `Group ${req.groupId} is dead.`);
    if (existing && !existing.modern && existing.members.size > 0) return fail('GROUP_ID_NOT_FOUND', `Group ${req.groupId} is not a consumer group.`);
    if (!existing?.modern && req.memberEpoch !== 0) return fail('UNKNOWN_MEMBER_ID', `Member ${req.memberId} is not a member of group ${req.groupId}.`);
    const g = this.group(req.groupId);
    if (!g.modern) this.convertToConsumer(g);
    const mg = g.modern!;

    // Leaving: -1 for good, -2 a static member's temporary leave (it keeps its assignment until its session ends).
    if (req.memberEpoch < 0) {
      const m = mg.members.get(req.memberId);
      if (!m) return fail('UNKNOWN_MEMBER_ID', `Member ${req.memberId} is not a member of group ${req.groupId}.`);
      if (req.memberEpoch === -2 && m.instanceId !== null) {
        m.previousMemberEpoch = m.memberEpoch;
        m.memberEpoch = -2;
        this.scheduleModernSession(g, m);
        this.ctx.emit({ type: 'MemberAssignmentUpdated', groupId: g.groupId, memberId: m.memberId, memberEpoch: -2, state: m.state, assigned: toTopicPartitions(m.assignedPartitions), pendingRevocation: toTopicPartitions(m.partitionsPendingRevocation) });
        this.updateModernState(g);
        return { error: 'NONE', errorMessage: null, memberId: m.memberId, memberEpoch: -2, heartbeatIntervalMs: 0, assignment: null };
      }
      this.fenceModernMember(g, m, 'LeaveGroup');
      return { error: 'NONE', errorMessage: null, memberId: req.memberId, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null };
    }

    let m = mg.members.get(req.memberId);
    let bump: string | null = null;
    if (req.memberEpoch === 0) {
      if (req.instanceId !== null) {
        const oldId = mg.staticMembers.get(req.instanceId);
        const old = oldId !== undefined ? mg.members.get(oldId) : undefined;
        if (old && old.memberId !== req.memberId) {
          if (old.memberEpoch !== -2) {
            return fail('UNRELEASED_INSTANCE_ID', `Static member ${req.memberId} with instance id ${req.instanceId} cannot join the group because the instance id is owned by ${old.memberId} member.`);
          }
          // A static member comes back: the new member id takes the old one's epoch and assignment, no rebalance.
          old.session?.cancel();
          old.revocation?.cancel();
          mg.members.delete(old.memberId);
          const target = mg.targetAssignment.get(old.memberId);
          mg.targetAssignment.delete(old.memberId);
          m = { ...old, memberId: req.memberId, clientId: req.clientId, memberEpoch: old.previousMemberEpoch, session: null, revocation: null };
          mg.members.set(m.memberId, m);
          if (target) mg.targetAssignment.set(m.memberId, target);
          mg.staticMembers.set(req.instanceId, m.memberId);
          this.ctx.emit({ type: 'StaticMemberRejoined', groupId: g.groupId, groupInstanceId: req.instanceId, memberId: m.memberId, previousMemberId: old.memberId, rebalance: false });
        }
      }
      if (m && m.memberEpoch === -2) {
        // A static member that left temporarily comes back under the same member id: it resumes its epoch.
        m.memberEpoch = m.previousMemberEpoch;
      }
      if (m && (req.ownedTopicPartitions?.length ?? 0) === 0 && m.memberEpoch > 0 && mg.members.get(m.memberId) === m && m.instanceId === null) {
        // A dynamic member that rejoins with epoch 0 lost everything: its old incarnation is fenced.
        this.fenceModernMember(g, m, 'LeaveGroup');
        m = undefined;
      }
      if (!m) {
        m = {
          memberId: req.memberId,
          instanceId: req.instanceId,
          clientId: req.clientId,
          rackId: req.rackId,
          state: 'STABLE',
          memberEpoch: 0,
          previousMemberEpoch: 0,
          subscribedTopics: [],
          serverAssignor: null,
          rebalanceTimeoutMs: req.rebalanceTimeoutMs,
          assignedPartitions: new Map(),
          partitionsPendingRevocation: new Map(),
          session: null,
          revocation: null,
        };
        mg.members.set(m.memberId, m);
        if (m.instanceId !== null) mg.staticMembers.set(m.instanceId, m.memberId);
        this.ctx.emit({ type: 'MemberJoined', groupId: g.groupId, memberId: m.memberId, clientId: m.clientId });
        bump = `member ${m.memberId} joined`;
      }
    } else {
      if (!m) return fail('UNKNOWN_MEMBER_ID', `Member ${req.memberId} is not a member of group ${req.groupId}.`);
      if (req.instanceId !== null && m.instanceId !== req.instanceId) return fail('FENCED_INSTANCE_ID', `Static member ${req.memberId} with instance id ${req.instanceId} is fenced.`);
      // throwIfConsumerGroupMemberEpochIsInvalid.
      if (req.memberEpoch > m.memberEpoch) {
        return fail('FENCED_MEMBER_EPOCH', `The consumer group member has a greater member epoch (${req.memberEpoch}) than the one known by the group coordinator (${m.memberEpoch}). The member must abandon all its partitions and rejoin.`);
      }
      if (req.memberEpoch < m.memberEpoch) {
        // The member may have missed the answer that moved it to its epoch: its previous epoch is fine while it owns nothing more.
        const subset = req.ownedTopicPartitions !== null && req.ownedTopicPartitions.every((tp) => m!.assignedPartitions.get(tp.topic)?.has(tp.partition) ?? false);
        if (req.memberEpoch !== m.previousMemberEpoch || !subset) {
          return fail('FENCED_MEMBER_EPOCH', `The consumer group member has a smaller member epoch (${req.memberEpoch}) than the one known by the group coordinator (${m.memberEpoch}). The member must abandon all its partitions and rejoin.`);
        }
      }
    }
    m.clientId = req.clientId;
    m.rackId = req.rackId;
    m.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    m.serverAssignor = req.serverAssignor;
    const subs = [...new Set(req.subscribedTopicNames)].sort();
    if (subs.join(',') !== m.subscribedTopics.join(',')) {
      m.subscribedTopics = subs;
      bump ??= `member ${m.memberId} subscribed to ${subs.join(', ') || 'nothing'}`;
    }
    // New partitions of a subscribed topic (or a topic created) bump the group epoch too.
    const meta = this.subscriptionMetadataOf(mg);
    if ([...meta].some(([t, n]) => mg.subscriptionMetadata.get(t) !== n) || mg.subscriptionMetadata.size !== meta.size) {
      mg.subscriptionMetadata = meta;
      bump ??= 'subscribed topics metadata changed';
    }
    if (bump !== null) this.bumpGroupEpoch(g, bump);
    if (mg.groupEpoch > mg.targetAssignmentEpoch) this.computeTargetAssignment(g);

    // Reconcile this member towards its target (CurrentAssignmentBuilder).
    let next;
    try {
      next = buildCurrentAssignment({
        member: m,
        targetAssignmentEpoch: mg.targetAssignmentEpoch,
        targetAssignment: mg.targetAssignment.get(m.memberId) ?? new Map(),
        currentPartitionEpoch: (t, p) => mg.partitionEpochs.get(tpKey(t, p)) ?? -1,
        ownedTopicPartitions: req.ownedTopicPartitions,
      });
    } catch (e) {
      if (e instanceof FencedMemberEpochException) return fail('FENCED_MEMBER_EPOCH', e.message);
      throw e;
    }
    if (next !== m) {
      const changed = next.state !== m.state || next.memberEpoch !== m.memberEpoch || !sameAssignment(next.assignedPartitions, m.assignedPartitions) || !sameAssignment(next.partitionsPendingRevocation, m.partitionsPendingRevocation);
      this.removePartitionEpochs(mg, m);
      m.state = next.state;
      m.memberEpoch = next.memberEpoch;
      m.previousMemberEpoch = next.previousMemberEpoch;
      m.assignedPartitions = next.assignedPartitions;
      m.partitionsPendingRevocation = next.partitionsPendingRevocation;
      this.addPartitionEpochs(mg, m);
      if (changed) {
        this.ctx.emit({ type: 'MemberAssignmentUpdated', groupId: g.groupId, memberId: m.memberId, memberEpoch: m.memberEpoch, state: m.state, assigned: toTopicPartitions(m.assignedPartitions), pendingRevocation: toTopicPartitions(m.partitionsPendingRevocation) });
      }
    }
    if (m.state === 'UNREVOKED_PARTITIONS') this.scheduleRevocation(g, m);
    else {
      m.revocation?.cancel();
      m.revocation = null;
    }
    this.scheduleModernSession(g, m);
    this.updateModernState(g);
    return { error: 'NONE', errorMessage: null, memberId: m.memberId, memberEpoch: m.memberEpoch, heartbeatIntervalMs: this.consumerHeartbeatIntervalMs(), assignment: toTopicPartitions(m.assignedPartitions) };
  }

  /** A consumer group member's view for inspectors and tests. */
  private inspectModernMember(mg: ModernGroup, m: ModernMember): ModernMemberInspection {
    const target = mg.targetAssignment.get(m.memberId) ?? new Map<string, Set<number>>();
    const pendingAssignment = new Map<string, Set<number>>();
    for (const [t, ps] of target) for (const p of ps) if (!(m.assignedPartitions.get(t)?.has(p) ?? false)) {
      let s = pendingAssignment.get(t);
      if (!s) pendingAssignment.set(t, (s = new Set()));
      s.add(p);
    }
    return {
      memberId: m.memberId,
      instanceId: m.instanceId,
      clientId: m.clientId,
      state: m.state,
      memberEpoch: m.memberEpoch,
      previousMemberEpoch: m.previousMemberEpoch,
      subscribedTopics: m.subscribedTopics.slice(),
      serverAssignor: m.serverAssignor,
      assigned: toTopicPartitions(m.assignedPartitions),
      pendingRevocation: toTopicPartitions(m.partitionsPendingRevocation),
      pendingAssignment: toTopicPartitions(pendingAssignment),
      target: toTopicPartitions(target),
    };
  }

  // ---- offsets --------------------------------------------------------------------------------

  handleOffsetCommit(
    viaBroker: number,
    groupId: string,
    generationId: number,
    memberId: string,
    offsets: { topic: string; partition: number; offset: number }[],
  ): KafkaError {
    if (this.notCoordinator(groupId, viaBroker)) return 'NOT_COORDINATOR';
    const g = this.group(groupId);
    // ClassicGroup.validateOffsetCommit.
    if (g.state === 'Dead') return 'COORDINATOR_NOT_AVAILABLE';
    if (g.modern) {
      // ConsumerGroup.validateOffsetCommit: the generation is the member epoch.
      if (generationId < 0 && memberId === '') {
        if (g.modern.members.size > 0) return 'UNKNOWN_MEMBER_ID';
      } else {
        const m = g.modern.members.get(memberId);
        if (!m) return 'UNKNOWN_MEMBER_ID';
        if (generationId !== m.memberEpoch) return 'STALE_MEMBER_EPOCH';
      }
    } else if (generationId < 0 && memberId === '') {
      if (g.members.size > 0) return 'UNKNOWN_MEMBER_ID';
    } else {
      if (!g.members.has(memberId)) return 'UNKNOWN_MEMBER_ID';
      if (generationId !== g.generationId) return 'ILLEGAL_GENERATION';
      if (g.state === 'CompletingRebalance') return 'REBALANCE_IN_PROGRESS';
    }
    for (const o of offsets) g.offsets.set(tpKey(o.topic, o.partition), { topic: o.topic, partition: o.partition, offset: o.offset });
    return 'NONE';
  }

  /**
   * OffsetFetch. requireStable (KIP-447, sent by read_committed consumers): while a
   * transaction holds offsets of a requested partition, UNSTABLE_OFFSET_COMMIT (retriable),
   * so a consumer never starts from an offset its transaction is about to replace.
   */
  handleOffsetFetch(viaBroker: number, groupId: string, partitions: TopicPartition[], requireStable = false): { error: KafkaError; offsets: { topic: string; partition: number; offset: number }[] } {
    if (this.notCoordinator(groupId, viaBroker)) return { error: 'NOT_COORDINATOR', offsets: [] };
    if (requireStable) {
      const pending = this.pendingTxnOffsets.get(groupId);
      if (pending) for (const list of pending.values()) if (list.some((o) => partitions.some((tp) => tp.topic === o.topic && tp.partition === o.partition))) return { error: 'UNSTABLE_OFFSET_COMMIT', offsets: [] };
    }
    const g = this.groups.get(groupId);
    return {
      error: 'NONE',
      offsets: partitions.map((tp) => ({ ...tp, offset: g?.offsets.get(tpKey(tp.topic, tp.partition))?.offset ?? -1 })),
    };
  }

  // ---- transactional offset commits (KIP-98: TxnOffsetCommit) ------------------------------------

  /**
   * Offsets a transactional producer committed with sendOffsetsToTransaction, by group and
   * producer id (GroupMetadata.pendingTransactionalOffsetCommits): the group sees them only
   * when the transaction commits (the COMMIT marker written to __consumer_offsets); an abort
   * drops them.
   */
  private readonly pendingTxnOffsets = new Map<string, Map<number, { topic: string; partition: number; offset: number }[]>>();

  /** TxnOffsetCommit, as the transaction coordinator hands it over (see TransactionCoordinator.handleAddOffsetsToTxn). */
  addPendingTxnOffsets(groupId: string, producerId: number, offsets: { topic: string; partition: number; offset: number }[]): void {
    let byPid = this.pendingTxnOffsets.get(groupId);
    if (!byPid) this.pendingTxnOffsets.set(groupId, (byPid = new Map()));
    const list = byPid.get(producerId) ?? [];
    for (const o of offsets) {
      const i = list.findIndex((x) => x.topic === o.topic && x.partition === o.partition);
      if (i >= 0) list.splice(i, 1);
      list.push({ topic: o.topic, partition: o.partition, offset: o.offset });
    }
    byPid.set(producerId, list);
  }

  /** The transaction marker reached the group (GroupMetadata.completePendingTxnOffsetCommit). */
  completeTxnOffsets(groupId: string, producerId: number, commit: boolean): { topic: string; partition: number; offset: number }[] {
    const byPid = this.pendingTxnOffsets.get(groupId);
    const list = byPid?.get(producerId);
    if (!byPid || !list) return [];
    byPid.delete(producerId);
    if (byPid.size === 0) this.pendingTxnOffsets.delete(groupId);
    if (!commit) return [];
    const g = this.group(groupId);
    for (const o of list) g.offsets.set(tpKey(o.topic, o.partition), { topic: o.topic, partition: o.partition, offset: o.offset });
    return list;
  }

  /** Offsets awaiting their transaction's outcome, for views. */
  pendingTxnOffsetsOf(groupId: string): { producerId: number; topic: string; partition: number; offset: number }[] {
    const out: { producerId: number; topic: string; partition: number; offset: number }[] = [];
    for (const [producerId, list] of this.pendingTxnOffsets.get(groupId) ?? []) for (const o of list) out.push({ producerId, ...o });
    return out;
  }

  committed(groupId: string, topic: string, partition: number): number | null {
    return this.groups.get(groupId)?.offsets.get(tpKey(topic, partition))?.offset ?? null;
  }

  groupIds(): string[] {
    return [...this.groups.keys()].sort();
  }

  /** Internals of one group (subscriptions, session timeouts, time in state), or null. */
  inspect(groupId: string): GroupInspection | null {
    const g = this.groups.get(groupId);
    if (!g) return null;
    if (g.modern) {
      const mg = g.modern;
      const members = [...mg.members.values()].sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
      const sessionTimeoutMs = this.ctx.brokerConfig.int('group.consumer.session.timeout.ms');
      return {
        groupId,
        state: g.state,
        generationId: mg.groupEpoch,
        protocolName: mg.assignor,
        leaderId: null,
        stateSinceMs: g.stateSinceMs,
        // What a member owns: its assigned partitions and those it has yet to revoke.
        members: members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.instanceId, clientId: m.clientId, topics: m.subscribedTopics.slice(), sessionTimeoutMs, assignment: [...toTopicPartitions(m.assignedPartitions), ...toTopicPartitions(m.partitionsPendingRevocation)] })),
        type: 'consumer',
        groupEpoch: mg.groupEpoch,
        targetAssignmentEpoch: mg.targetAssignmentEpoch,
        modernMembers: members.map((m) => this.inspectModernMember(mg, m)),
      };
    }
    return {
      type: 'classic',
      groupId,
      state: g.state,
      generationId: g.generationId,
      protocolName: g.protocolName,
      leaderId: g.leaderId,
      stateSinceMs: g.stateSinceMs,
      members: [...g.members.values()]
        .sort((a, b) => (a.memberId < b.memberId ? -1 : 1))
        .map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          topics: (m.protocols.find((p) => p.name === g.protocolName) ?? m.protocols[0])?.topics.slice() ?? [],
          sessionTimeoutMs: m.sessionTimeoutMs,
          assignment: m.assignment.slice(),
        })),
    };
  }

  /** kafka-consumer-groups --reset-offsets: only for an inactive group. */
  resetOffsets(groupId: string, topic: string, to: OffsetResetTarget, partition?: number): { error: KafkaError | null; message?: string } {
    const g = this.group(groupId);
    if (g.members.size > 0 || (g.modern?.members.size ?? 0) > 0) {
      return { error: 'NON_EMPTY_GROUP', message: `Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${g.state}.` };
    }
    const n = this.ctx.metadata.partitionCount(topic);
    if (n === 0) return { error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `Topic '${topic}' does not exist.` };
    if (partition !== undefined && partition >= n) return { error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `Partition ${topic}-${partition} does not exist.` };
    const chosen = partition !== undefined ? [partition] : [...Array(n).keys()];
    for (const p of chosen) {
      const start = this.ctx.metadata.logStartOffset(topic, p);
      const end = this.ctx.metadata.highWatermark(topic, p);
      let offset: number;
      if (to === 'earliest') offset = start;
      else if (to === 'latest') offset = end;
      else if (typeof to === 'number') offset = Math.max(start, Math.min(end, to));
      else offset = this.ctx.metadata.offsetForTimestamp(topic, p, to.timestamp);
      g.offsets.set(tpKey(topic, p), { topic, partition: p, offset });
      this.ctx.emit({ type: 'OffsetsReset', groupId, topic, partition: p, offset });
    }
    return { error: null };
  }

  describeGroups(): GroupView[] {
    const out: GroupView[] = [];
    for (const g of [...this.groups.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : 1))) {
      const keys = new Map<string, TopicPartition>();
      for (const o of g.offsets.values()) keys.set(tpKey(o.topic, o.partition), { topic: o.topic, partition: o.partition });
      for (const m of g.members.values()) for (const tp of m.assignment) keys.set(tpKey(tp.topic, tp.partition), tp);
      for (const m of g.modern?.members.values() ?? []) for (const tp of toTopicPartitions(m.assignedPartitions)) keys.set(tpKey(tp.topic, tp.partition), tp);
      const offsets: GroupOffsetView[] = [...keys.values()]
        .filter((tp) => this.ctx.metadata.partitionCount(tp.topic) > tp.partition)
        .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
        .map((tp) => {
          const committed = g.offsets.get(tpKey(tp.topic, tp.partition))?.offset ?? null;
          const logEndOffset = this.ctx.metadata.highWatermark(tp.topic, tp.partition);
          return { topic: tp.topic, partition: tp.partition, committed, logEndOffset, lag: committed === null ? null : Math.max(0, logEndOffset - committed) };
        });
      out.push({
        groupId: g.groupId,
        state: g.state,
        generation: g.generationId,
        assignor: g.protocolName,
        coordinator: this.peekCoordinator(g.groupId),
        leader: g.leaderId,
        members: g.modern
          ? [...g.modern.members.values()]
              .sort((a, b) => (a.memberId < b.memberId ? -1 : 1))
              .map((m) => {
                const x = this.inspectModernMember(g.modern!, m);
                return { memberId: m.memberId, clientId: m.clientId, groupInstanceId: m.instanceId, assignment: x.assigned, memberEpoch: x.memberEpoch, memberState: x.state, pendingRevocation: x.pendingRevocation, pendingAssignment: x.pendingAssignment };
              })
          : [...g.members.values()]
              .sort((a, b) => (a.memberId < b.memberId ? -1 : 1))
              .map((m) => ({ memberId: m.memberId, clientId: m.clientId, groupInstanceId: m.groupInstanceId, assignment: m.assignment.slice() })),
        offsets,
        type: g.type,
        ...(g.modern ? { groupEpoch: g.modern.groupEpoch, targetAssignmentEpoch: g.modern.targetAssignmentEpoch } : {}),
      });
    }
    return out;
  }

  // ---- persistence -----------------------------------------------------------------------------

  /** The durable part: every group's last written metadata record and its committed offsets. */
  exportState(): GroupCoordinatorState {
    return {
      ...(this.offsetsReplicas ? { offsetsTopic: { replicas: this.offsetsReplicas.map((r) => r.slice()), leaders: [...this.offsetsLeaders] } } : {}),
      memberSeq: this.memberSeq,
      groups: [...this.groups.values()].map((g) => ({
        groupId: g.groupId,
        ...structuredClone(g.persisted),
        offsets: [...g.offsets.values()].map((o) => ({ ...o })),
      })),
    };
  }

  /** Loads durable group metadata, as a coordinator loading __consumer_offsets: Stable or Empty, sessions start now. */
  restoreState(s: GroupCoordinatorState): void {
    for (const g of this.groups.values()) {
      this.unload(g);
      if (g.modern) this.unloadModern(g.modern);
    }
    this.memberSeq = s.memberSeq;
    this.offsetsReplicas = s.offsetsTopic ? s.offsetsTopic.replicas.map((r) => r.slice()) : null;
    this.offsetsLeaders.clear();
    for (const [p, b] of s.offsetsTopic?.leaders ?? []) this.offsetsLeaders.set(p, b);
    this.groups.clear();
    for (const x of s.groups) {
      const g = this.group(x.groupId);
      const { groupId: _groupId, offsets, ...rec } = structuredClone(x);
      for (const o of offsets) g.offsets.set(tpKey(o.topic, o.partition), { ...o });
      g.state = rec.members.length > 0 ? 'Stable' : 'Empty';
      g.persisted = { ...rec, state: g.state };
      if (g.host >= 0) this.load(g, g.persisted);
      else {
        g.generationId = rec.generationId;
        g.protocolName = rec.protocolName;
      }
    }
  }
}

/** ClassicGroupMember.matches: the same protocols with the same metadata (subscription, owned partitions, generation). */
function sameMetadata(a: JoinProtocol[], b: JoinProtocol[]): boolean {
  if (a.length !== b.length) return false;
  const key = (p: JoinProtocol) =>
    `${p.name}|${p.topics.join(',')}|${p.generation}|${p.ownedPartitions.map((tp) => `${tp.topic}-${tp.partition}`).join(',')}` +
    (p.userData ? `|${p.userData.generation}|${p.userData.previousAssignment.map((tp) => `${tp.topic}-${tp.partition}`).join(',')}` : '') +
    (p.rackId ? `|rack=${p.rackId}` : '');
  return a.every((p, i) => key(p) === key(b[i]!));
}

function sameAssignment(a: Assignment, b: Assignment): boolean {
  return JSON.stringify(toTopicPartitions(a)) === JSON.stringify(toTopicPartitions(b));
}

function sameTopics(a: JoinProtocol[], b: JoinProtocol[]): boolean {
  const ta = [...(a[0]?.topics ?? [])].sort().join(',');
  const tb = [...(b[0]?.topics ?? [])].sort().join(',');
  return ta === tb && a.map((p) => p.name).join(',') === b.map((p) => p.name).join(',');
}
