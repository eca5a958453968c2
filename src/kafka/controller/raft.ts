/**
 * The KRaft controller quorum: one KafkaRaftClient per voter, electing a leader (the active
 * controller) and replicating the cluster metadata log to the other voters by fetch.
 * Mirrors raft/src/main/java/org/apache/kafka/raft/KafkaRaftClient.java, QuorumState.java,
 * LeaderState.java (high watermark, check-quorum), CandidateState.java, FollowerState.java.
 *
 * States (QuorumState): unattached (no leader known in its epoch; may have voted), prospective
 * (asking for pre-votes, KIP-996), candidate (asked for votes in a new epoch), leader,
 * follower (fetching from a known leader), resigned (a leader that lost its majority).
 * Rules, as in Kafka's Raft:
 * - a voter that times out first asks for pre-votes without bumping its epoch (KIP-996): a
 *   voter grants one only if the asker's log is up to date and it has not heard from a
 *   leader within the fetch timeout; with a majority it stands as a candidate. So a voter
 *   cut off or slowed does not disrupt a working leader, and rejoins it when it can;
 * - a candidate bumps the epoch, votes for itself and asks the other voters; a voter grants
 *   at most one vote per epoch, only to a candidate whose log is at least as up to date
 *   (last epoch higher, or the same last epoch and an end offset at least as large), and
 *   never while it follows a leader of that epoch;
 * - a majority of votes makes a leader, which appends a LeaderChangeRecord (the control
 *   record Kafka writes) and tells the voters (BeginQuorumEpoch);
 * - followers fetch from the leader (a long poll parked up to FETCH_MAX_WAIT_MS); a fetch
 *   whose last fetched epoch disagrees with the leader's log gets the diverging epoch and
 *   end offset, and the follower truncates there (the same truncation as partitions');
 * - the high watermark is the largest offset a majority of voters have (the leader's log
 *   end and the fetch offsets of the followers), and only once an entry of the leader's
 *   own epoch is among them; it never goes back;
 * - a follower that hears nothing from its leader for controller.quorum.fetch.timeout.ms
 *   becomes a candidate; a candidate without a majority tries again after a random
 *   election timeout in [controller.quorum.election.timeout.ms, 2x); a leader that has not
 *   heard from a majority within 1.5x the fetch timeout resigns (LeaderState check-quorum).
 *
 * Simplifications: no pre-vote (KIP-996), no snapshots of the metadata log, no dynamic
 * voter changes (KIP-853) after start. Quorum traffic goes over the same network (kills,
 * isolations) with the network's latency, but its jitter comes from the quorum's own PRNG,
 * so a run's other random choices are the same with or without quorum traffic.
 */
import type { Scheduler } from '../sim/scheduler';
import type { Network } from '../sim/network';
import { brokerNode, controllerNode, type NodeId } from '../sim/network';
import type { Prng } from '../sim/prng';
import { call, invoke, type Call } from '../sim/call';
import type { PartitionRegistration } from '../broker/partition';
import type { ConfigMap } from '../../scenario/types';

/** How long the leader parks a fetch with nothing new (KafkaRaftClient's fetch max wait). */
export const FETCH_MAX_WAIT_MS = 500;
/** LeaderState.CHECK_QUORUM_TIMEOUT_FACTOR. */
export const CHECK_QUORUM_TIMEOUT_FACTOR = 1.5;
/** How long a follower waits beyond the long poll before sending a lost fetch again. */
const REQUEST_TIMEOUT_MS = 500;
/** Records per fetch response. */
const MAX_FETCH_RECORDS = 200;

/** A record of the cluster metadata log (metadata/src/main/resources/common/metadata/*.json). */
export type MetadataRecordBody =
  | { type: 'LeaderChangeRecord'; leader: number; voters: number[] }
  | { type: 'RegisterBrokerRecord'; broker: number; rack: string | null; incarnation: number; fenced: boolean }
  | { type: 'UnregisterBrokerRecord'; broker: number }
  | { type: 'FenceBrokerRecord'; broker: number }
  | { type: 'UnfenceBrokerRecord'; broker: number }
  | { type: 'TopicRecord'; topic: string; config: ConfigMap }
  | { type: 'PartitionRecord'; topic: string; partition: number; reg: PartitionRegistration }
  | { type: 'PartitionChangeRecord'; topic: string; partition: number; reg: PartitionRegistration }
  | { type: 'RemoveTopicRecord'; topic: string }
  | { type: 'ConfigRecord'; topic: string; config: ConfigMap };

export type MetadataRecord = MetadataRecordBody & { offset: number; epoch: number };

export type RaftStateName = 'unattached' | 'prospective' | 'candidate' | 'leader' | 'follower' | 'resigned';

export interface RaftConfig {
  electionTimeoutMs: number;
  fetchTimeoutMs: number;
}

/** What a Raft node is given: its clock, its transport, its randomness, its observers. */
export interface RaftHost {
  readonly scheduler: Scheduler;
  config(): RaftConfig;
  /** A one-way message to another voter; `deliver` runs there if it arrives. */
  send(from: number, to: number, deliver: Call): void;
  /** Uniform integer in [0, n). */
  random(n: number): number;
  /** This node became leader, resigned, or learned a new high watermark. */
  onLeaderElected(node: RaftNode): void;
  onLeaderResigned(node: RaftNode, epoch: number, reason: string): void;
  onCommit(node: RaftNode): void;
  voterNode(id: number): RaftNode | undefined;
}

interface ParkedFetch {
  from: number;
  fetchOffset: number;
  due: number;
}

/** One voter's KafkaRaftClient with its QuorumState and its copy of the metadata log. */
export class RaftNode {
  running = false;
  /** Bumped on every start, stop and state change: timers of an older generation do nothing. */
  private generation = 0;
  state: RaftStateName = 'unattached';
  /** The quorum-state file: survives a restart. */
  epoch = 0;
  votedId = -1;
  leaderId = -1;
  /** The metadata log (the disk): survives a restart. */
  readonly log: MetadataRecord[] = [];
  highWatermark = 0;
  // candidate
  votesGranted: number[] = [];
  // leader (LeaderState)
  epochStartOffset = 0;
  /** Each voter's fetch offset (its log end as the leader knows it), -1 unknown. */
  readonly endOffsets = new Map<number, number>();
  readonly lastFetchMs = new Map<number, number>();
  private parked: ParkedFetch[] = [];
  // follower
  private fetchInFlight = false;

  constructor(
    readonly id: number,
    readonly voters: readonly number[],
    private readonly host: RaftHost,
  ) {}

  private get now(): number {
    return this.host.scheduler.now;
  }

  get majority(): number {
    return Math.floor(this.voters.length / 2) + 1;
  }

  get logEndOffset(): number {
    return this.log.length;
  }

  get lastEpoch(): number {
    return this.log.length > 0 ? this.log[this.log.length - 1]!.epoch : 0;
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /** Bootstrap at cluster start: every voter has the same committed log; `leader` leads `epoch`. */
  bootstrap(records: MetadataRecord[], epoch: number, leader: number): void {
    this.log.length = 0;
    this.log.push(...records);
    this.highWatermark = records.length;
    this.epoch = epoch;
    this.votedId = leader;
    this.leaderId = leader;
    this.running = true;
    this.generation++;
    if (leader === this.id) this.becomeLeaderState(false);
    else {
      this.becomeFollowerState(leader);
      this.lastLeaderContactMs = this.now;
    }
  }

  /** The process starts: it resumes as a follower of the leader it knew, or unattached. */
  start(): void {
    this.running = true;
    this.generation++;
    this.parked = [];
    this.fetchInFlight = false;
    if (this.leaderId >= 0 && this.leaderId !== this.id) this.becomeFollowerState(this.leaderId);
    else {
      // A former leader does not lead again in its epoch: it waits, then stands in a new one.
      this.leaderId = -1;
      this.becomeUnattached(this.epoch, this.votedId);
      this.discoverLeader();
    }
  }

  /** The process dies: only the log and the quorum state survive. */
  stop(): void {
    const wasLeader = this.running && this.state === 'leader';
    this.running = false;
    this.generation++;
    this.state = 'unattached';
    this.parked = [];
    this.votesGranted = [];
    if (wasLeader) this.host.onLeaderResigned(this, this.epoch, 'its process stopped');
  }

  // ---- transitions (QuorumState) -------------------------------------------------------------

  private becomeUnattached(epoch: number, votedId: number): void {
    const wasLeader = this.state === 'leader';
    const oldEpoch = this.epoch;
    this.state = 'unattached';
    this.epoch = epoch;
    this.votedId = votedId;
    this.leaderId = -1;
    this.generation++;
    this.parked = [];
    this.armElectionTimer();
    if (wasLeader) this.host.onLeaderResigned(this, oldEpoch, `it saw epoch ${epoch}`);
  }

  private becomeCandidate(): void {
    const wasLeader = this.state === 'leader';
    this.state = 'candidate';
    this.epoch++;
    this.votedId = this.id;
    this.leaderId = -1;
    this.votesGranted = [this.id];
    this.generation++;
    this.parked = [];
    if (wasLeader) this.host.onLeaderResigned(this, this.epoch - 1, 'a new election');
    if (this.votesGranted.length >= this.majority) {
      this.becomeLeaderState(true);
      return;
    }
    this.armElectionTimer();
    for (const v of this.voters) {
      if (v === this.id) continue;
      this.send(v, 'handleVoteRequest', this.epoch, this.id, this.lastEpoch, this.logEndOffset, false);
    }
  }

  private becomeLeaderState(announce: boolean): void {
    this.state = 'leader';
    this.leaderId = this.id;
    this.generation++;
    this.parked = [];
    this.endOffsets.clear();
    this.lastFetchMs.clear();
    for (const v of this.voters) {
      this.endOffsets.set(v, v === this.id ? this.logEndOffset : -1);
      this.lastFetchMs.set(v, this.now);
    }
    const gen = this.generation;
    this.host.scheduler.after(this.checkQuorumMs(), call(this, this.onCheckQuorum, gen));
    this.epochStartOffset = announce ? this.logEndOffset : Math.max(0, this.logEndOffset - 1);
    this.host.onLeaderElected(this);
    if (announce) {
      this.appendAsLeader({ type: 'LeaderChangeRecord', leader: this.id, voters: this.voters.slice() });
      for (const v of this.voters) if (v !== this.id) this.send(v, 'handleBeginQuorumEpoch', this.epoch, this.id);
    }
    // Bootstrapped (announce false): the log's last record is this epoch's LeaderChangeRecord, committed.
  }

  private becomeFollowerState(leader: number): void {
    this.state = 'follower';
    this.leaderId = leader;
    this.generation++;
    this.parked = [];
    this.fetchInFlight = false;
    this.armFetchTimer();
    this.sendFetch();
  }

  private resign(reason: string): void {
    this.state = 'resigned';
    this.generation++;
    this.parked = [];
    this.armElectionTimer();
    this.host.onLeaderResigned(this, this.epoch, reason);
  }

  /** Any message from a higher epoch moves this node to it (unattached, or following its leader). */
  private observeEpoch(epoch: number, leader: number): boolean {
    if (epoch > this.epoch) {
      if (leader >= 0 && leader !== this.id) {
        const wasLeader = this.state === 'leader';
        const oldEpoch = this.epoch;
        this.epoch = epoch;
        this.votedId = -1;
        this.becomeFollowerState(leader);
        if (wasLeader) this.host.onLeaderResigned(this, oldEpoch, `it saw epoch ${epoch} led by ${leader}`);
      } else this.becomeUnattached(epoch, -1);
      return true;
    }
    if (epoch === this.epoch && leader >= 0 && leader !== this.id && this.state !== 'follower' && this.state !== 'leader') {
      this.becomeFollowerState(leader);
      return true;
    }
    return false;
  }

  // ---- timers ----------------------------------------------------------------------------------

  private randomElectionTimeoutMs(): number {
    const t = this.host.config().electionTimeoutMs;
    return t + this.host.random(t);
  }

  private armElectionTimer(): void {
    const gen = this.generation;
    this.host.scheduler.after(this.randomElectionTimeoutMs(), call(this, this.onElectionTimeout, gen));
  }

  private armFetchTimer(): void {
    const gen = this.generation;
    this.lastFetchOkMs = this.now;
    this.host.scheduler.after(this.host.config().fetchTimeoutMs, call(this, this.onFetchTimeout, gen));
  }

  private lastFetchOkMs = 0;
  /** When this node last heard from its leader itself (a fetch answered, BeginQuorumEpoch): what it vouches with. */
  private lastLeaderContactMs = -Infinity;

  private checkQuorumMs(): number {
    return Math.floor(this.host.config().fetchTimeoutMs * CHECK_QUORUM_TIMEOUT_FACTOR);
  }

  /** @scheduled */
  onElectionTimeout(gen: number): void {
    if (!this.running || gen !== this.generation) return;
    if (this.state === 'unattached' || this.state === 'prospective' || this.state === 'candidate' || this.state === 'resigned') this.becomeProspective();
  }

  /** Pre-vote (KIP-996): ask whether a candidacy could win, without bumping the epoch. */
  private becomeProspective(): void {
    const wasLeader = this.state === 'leader';
    this.state = 'prospective';
    this.votesGranted = [this.id];
    this.generation++;
    this.parked = [];
    if (wasLeader) this.host.onLeaderResigned(this, this.epoch, 'a new election');
    if (this.votesGranted.length >= this.majority) {
      this.becomeCandidate();
      return;
    }
    this.armElectionTimer();
    for (const v of this.voters) {
      if (v === this.id) continue;
      this.send(v, 'handleVoteRequest', this.epoch + 1, this.id, this.lastEpoch, this.logEndOffset, true);
    }
  }

  /** @scheduled A follower that heard nothing from its leader for the fetch timeout stands. */
  onFetchTimeout(gen: number): void {
    if (!this.running || gen !== this.generation || this.state !== 'follower') return;
    const due = this.lastFetchOkMs + this.host.config().fetchTimeoutMs;
    if (this.now < due) {
      this.host.scheduler.after(due - this.now, call(this, this.onFetchTimeout, gen));
      return;
    }
    this.becomeProspective();
  }

  /** @scheduled LeaderState check-quorum: resign without fetches from a majority. */
  onCheckQuorum(gen: number): void {
    if (!this.running || gen !== this.generation || this.state !== 'leader') return;
    const window = this.checkQuorumMs();
    let heard = 0;
    for (const v of this.voters) if (v === this.id || this.now - (this.lastFetchMs.get(v) ?? -Infinity) < window) heard++;
    if (heard < this.majority) {
      this.resign('no fetch from a majority of voters');
      return;
    }
    // Next check when the oldest of the majority's fetches would run out.
    this.host.scheduler.after(Math.max(50, Math.floor(window / 3)), call(this, this.onCheckQuorum, gen));
  }

  // ---- messages --------------------------------------------------------------------------------

  private send(to: number, method: 'handleVoteRequest' | 'handleVoteResponse' | 'handleBeginQuorumEpoch' | 'handleFetchRequest' | 'handleFetchResponse', ...args: unknown[]): void {
    const target = this.host.voterNode(to);
    if (!target) return;
    this.host.send(this.id, to, { target, method, args });
  }

  /** @scheduled VoteRequest at a voter. */
  handleVoteRequest(candidateEpoch: number, candidateId: number, lastEpoch: number, lastOffset: number, preVote: boolean): void {
    if (!this.running) return;
    if (candidateEpoch < this.epoch) {
      this.send(candidateId, 'handleVoteResponse', this.epoch, this.id, false, this.leaderId, preVote);
      return;
    }
    if (preVote) {
      // No state changes: grant if the log is up to date and no leader was heard from lately.
      const upToDate = lastEpoch > this.lastEpoch || (lastEpoch === this.lastEpoch && lastOffset >= this.logEndOffset);
      const leaderAlive = this.state === 'leader' || (this.state === 'follower' && this.now - this.lastLeaderContactMs < this.host.config().fetchTimeoutMs);
      // It names the leader only when it vouches for it (heard lately): the asker rejoins that one.
      this.send(candidateId, 'handleVoteResponse', this.epoch, this.id, upToDate && !leaderAlive, leaderAlive ? this.leaderId : -1, true);
      return;
    }
    if (candidateEpoch > this.epoch) this.becomeUnattached(candidateEpoch, -1);
    const upToDate = lastEpoch > this.lastEpoch || (lastEpoch === this.lastEpoch && lastOffset >= this.logEndOffset);
    const canVote = (this.state === 'unattached' || this.state === 'prospective' || this.state === 'candidate' || this.state === 'resigned') && (this.votedId === -1 || this.votedId === candidateId);
    const granted = canVote && upToDate;
    if (granted && this.state === 'unattached') {
      this.votedId = candidateId;
      // Voted: wait a full election timeout for that candidate before standing.
      this.generation++;
      this.armElectionTimer();
    }
    this.send(candidateId, 'handleVoteResponse', this.epoch, this.id, granted, this.leaderId, false);
  }

  /** @scheduled VoteResponse at the candidate. */
  handleVoteResponse(epoch: number, voter: number, granted: boolean, leader: number, preVote: boolean): void {
    if (!this.running) return;
    if (this.observeEpoch(epoch, leader)) return;
    if (preVote) {
      if (epoch !== this.epoch || this.state !== 'prospective' || !granted) return;
      if (!this.votesGranted.includes(voter)) this.votesGranted.push(voter);
      if (this.votesGranted.length >= this.majority) this.becomeCandidate();
      return;
    }
    if (epoch !== this.epoch || this.state !== 'candidate' || !granted) return;
    if (!this.votesGranted.includes(voter)) this.votesGranted.push(voter);
    if (this.votesGranted.length >= this.majority) this.becomeLeaderState(true);
  }

  /** @scheduled BeginQuorumEpoch: the new leader says so. */
  handleBeginQuorumEpoch(epoch: number, leader: number): void {
    if (!this.running || epoch < this.epoch) return;
    if (!this.observeEpoch(epoch, leader) && this.state === 'follower' && this.leaderId !== leader) this.becomeFollowerState(leader);
    if (this.state === 'follower' && this.leaderId === leader) this.lastLeaderContactMs = this.now;
  }

  /** Unattached after a start: ask every voter who leads (a fetch to the bootstrap servers). */
  private discoverLeader(): void {
    for (const v of this.voters) if (v !== this.id) this.send(v, 'handleFetchRequest', this.id, this.epoch, -1, 0, 0);
  }

  private sendFetch(): void {
    if (this.state !== 'follower' || this.fetchInFlight || this.leaderId < 0) return;
    this.fetchInFlight = true;
    // controller.quorum.request.timeout.ms: a fetch lost on the way is sent again.
    const token = ++this.fetchToken;
    this.host.scheduler.after(FETCH_MAX_WAIT_MS + REQUEST_TIMEOUT_MS, call(this, this.onFetchRequestTimeout, this.generation, token));
    const last = this.log.length > 0 ? this.log[this.log.length - 1]!.epoch : 0;
    this.send(this.leaderId, 'handleFetchRequest', this.id, this.epoch, this.logEndOffset, last, this.highWatermark);
  }

  private fetchToken = 0;

  /** @scheduled */
  onFetchRequestTimeout(gen: number, token: number): void {
    if (!this.running || gen !== this.generation || token !== this.fetchToken || !this.fetchInFlight) return;
    this.fetchInFlight = false;
    this.sendFetch();
  }

  /** @scheduled FetchRequest at the leader (or at anyone, from a node looking for the leader). */
  handleFetchRequest(from: number, epoch: number, fetchOffset: number, lastFetchedEpoch: number, followerHw: number): void {
    if (!this.running) return;
    if (epoch > this.epoch) this.observeEpoch(epoch, -1);
    if (this.state !== 'leader' || fetchOffset < 0 || epoch < this.epoch) {
      // Not the leader, or a stale epoch: say who leads (FENCED_LEADER_EPOCH / NOT_LEADER).
      this.send(from, 'handleFetchResponse', this.epoch, this.leaderId, null, -1, -1, 0);
      return;
    }
    this.lastFetchMs.set(from, this.now);
    // Diverging epoch: the follower's last fetched epoch ends earlier in this log.
    if (fetchOffset > 0) {
      const prev = this.log[fetchOffset - 1];
      if (!prev || prev.epoch !== lastFetchedEpoch) {
        const div = this.endOffsetForEpoch(lastFetchedEpoch);
        this.send(from, 'handleFetchResponse', this.epoch, this.id, null, div.epoch, div.endOffset, this.highWatermark);
        return;
      }
    }
    this.endOffsets.set(from, fetchOffset);
    this.maybeAdvanceHighWatermark();
    if (fetchOffset < this.logEndOffset || followerHw < this.highWatermark) {
      this.answerFetch(from, fetchOffset);
      return;
    }
    this.parked = this.parked.filter((p) => p.from !== from);
    this.parked.push({ from, fetchOffset, due: this.now + FETCH_MAX_WAIT_MS });
    this.host.scheduler.after(FETCH_MAX_WAIT_MS, call(this, this.onParkedFetchDue, this.generation, from));
  }

  private answerFetch(from: number, fetchOffset: number): void {
    const records = this.log.slice(fetchOffset, fetchOffset + MAX_FETCH_RECORDS);
    this.send(from, 'handleFetchResponse', this.epoch, this.id, records, -1, -1, this.highWatermark);
  }

  /** @scheduled A parked fetch's wait ran out: answer it empty. */
  onParkedFetchDue(gen: number, from: number): void {
    if (!this.running || gen !== this.generation || this.state !== 'leader') return;
    const i = this.parked.findIndex((p) => p.from === from && p.due <= this.now);
    if (i < 0) return;
    const p = this.parked[i]!;
    this.parked.splice(i, 1);
    this.answerFetch(p.from, p.fetchOffset);
  }

  private completeParked(): void {
    const parked = this.parked;
    this.parked = [];
    for (const p of parked) this.answerFetch(p.from, p.fetchOffset);
  }

  /** @scheduled FetchResponse at a follower (or at a node looking for the leader). */
  handleFetchResponse(
    epoch: number,
    leader: number,
    records: MetadataRecord[] | null,
    divergingEpoch: number,
    divergingEndOffset: number,
    leaderHw: number,
  ): void {
    if (!this.running) return;
    if (records === null && divergingEndOffset < 0) {
      // Not from a leader: learn the epoch and leader it knows of.
      if (this.state === 'follower' && leader === this.leaderId && epoch === this.epoch) return;
      if (this.state === 'follower') this.fetchInFlight = false;
      this.observeEpoch(epoch, leader);
      return;
    }
    if (this.observeEpoch(epoch, leader)) {
      // Now following this leader: the response is for an older fetch; fetch again.
      return;
    }
    if (this.state !== 'follower' || epoch !== this.epoch || leader !== this.leaderId) return;
    this.fetchInFlight = false;
    this.lastFetchOkMs = this.now;
    this.lastLeaderContactMs = this.now;
    if (records === null) {
      const own = this.endOffsetForEpoch(divergingEpoch);
      this.truncateTo(Math.min(divergingEndOffset, own.epoch === divergingEpoch ? own.endOffset : own.endOffset));
    } else {
      for (const r of records) {
        if (r.offset < this.log.length) {
          if (this.log[r.offset]!.epoch === r.epoch) continue;
          this.truncateTo(r.offset);
        }
        if (r.offset === this.log.length) this.log.push(r);
      }
      const hw = Math.min(leaderHw, this.logEndOffset);
      if (hw > this.highWatermark) {
        this.highWatermark = hw;
        this.host.onCommit(this);
      }
    }
    this.sendFetch();
  }

  private truncateTo(offset: number): void {
    // Committed records are never truncated (Raft's log matching keeps them).
    const to = Math.max(offset, this.highWatermark);
    if (to < this.log.length) this.log.length = to;
  }

  /** The largest epoch <= `epoch` in this log and the offset where it ends (Kafka's endOffsetForEpoch). */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    for (let i = this.log.length - 1; i >= 0; i--) {
      const e = this.log[i]!.epoch;
      if (e <= epoch) return { epoch: e, endOffset: i + 1 };
    }
    return { epoch: 0, endOffset: 0 };
  }

  // ---- the leader's log --------------------------------------------------------------------------

  /** Appends a record as the leader; returns its offset. */
  appendAsLeader(body: MetadataRecordBody): number {
    if (this.state !== 'leader') throw new Error(`node ${this.id} is not the leader`);
    const offset = this.log.length;
    this.log.push({ ...body, offset, epoch: this.epoch } as MetadataRecord);
    this.endOffsets.set(this.id, this.logEndOffset);
    this.maybeAdvanceHighWatermark();
    this.completeParked();
    return offset;
  }

  /** LeaderState.maybeUpdateHighWatermark: the majority's offset, once it covers this epoch's start. */
  maybeAdvanceHighWatermark(): void {
    const offsets = this.voters.map((v) => (v === this.id ? this.logEndOffset : (this.endOffsets.get(v) ?? -1))).sort((a, b) => b - a);
    const candidate = offsets[this.majority - 1]!;
    if (candidate > this.epochStartOffset && candidate > this.highWatermark) {
      this.highWatermark = candidate;
      this.completeParked();
      this.host.onCommit(this);
    }
  }
}

/**
 * The voters of a cluster and the messages between them: latency from the network's
 * settings, reachability from its cuts and kills, jitter from the quorum's own PRNG.
 */
export class QuorumTransport {
  constructor(
    private readonly scheduler: Scheduler,
    private readonly network: Network,
    private readonly prng: Prng,
    /** Ids of controller-only nodes (process.roles=controller); the others share a broker's process. */
    readonly controllerOnly: Set<number>,
  ) {}

  nodeOf(id: number): NodeId {
    return this.controllerOnly.has(id) ? controllerNode(id) : brokerNode(id);
  }

  send(from: number, to: number, deliver: Call): void {
    const a = this.nodeOf(from);
    const b = this.nodeOf(to);
    if (!this.network.isUp(a) || !this.network.canReach(a, b)) return;
    const cfg = this.network.config;
    const jitter = cfg.jitterMs > 0 ? this.prng.int(cfg.jitterMs + 1) : 0;
    const delay = from === to ? 0 : cfg.latencyMs + jitter + this.network.slowness(a) + this.network.slowness(b);
    this.scheduler.after(delay, call(this, this.arrive, from, to, deliver));
  }

  /** @scheduled */
  arrive(from: number, to: number, deliver: Call): void {
    if (!this.network.canReach(this.nodeOf(from), this.nodeOf(to))) return;
    invoke(deliver);
  }
}
