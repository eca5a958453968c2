/**
 * The controller quorum of a cluster: the voters' Raft nodes (raft.ts), which of them is the
 * active controller, and the metadata log's commit driving the controller's effects.
 * Mirrors core/src/main/scala/kafka/server/ControllerServer.scala and QuorumController's
 * use of the Raft client (claim on leadership, renounce on resignation, the deferred event
 * queue completing writes once their offset is committed).
 *
 * - Voters come from `process.roles` (controller or broker,controller) on the scenario's
 *   brokers, else `controller.quorum.voters` (`1@host:9093,2@host:9093,...` or `1,2,3`), else
 *   the three lowest broker ids (one with fewer than three brokers): combined mode.
 * - At time 0 the quorum is bootstrapped as a running cluster would be: every voter holds
 *   the same committed log and the lowest voter leads epoch 1.
 * - The active controller is the leader of the highest epoch that has committed its
 *   LeaderChangeRecord. While there is none, nothing is decided: heartbeats and
 *   AlterPartition go unanswered and admin requests fail with NOT_CONTROLLER.
 * - A decision's effect on brokers (a partition change pushed, a topic deleted) waits until
 *   its record is committed; if the leader that wrote it loses leadership first and the new
 *   leader's log lacks it, it never takes effect.
 */
import type { Scheduler } from '../sim/scheduler';
import type { Network, NodeId } from '../sim/network';
import { Prng } from '../sim/prng';
import { invoke, type Call } from '../sim/call';
import { QuorumTransport, RaftNode, type MetadataRecord, type MetadataRecordBody, type RaftConfig, type RaftHost } from './raft';
import type { QuorumView } from '../snapshot';
import { cloneImage, emptyImage, replayRecord, type MetadataImage } from './controller';

export interface QuorumListener {
  config(): RaftConfig;
  /** The active controller changed (-1: none); `rebuild` is set when uncommitted records were lost. */
  activeChanged(previous: number, next: number, epoch: number, rebuild: MetadataImage | null): void;
  leaderElected(leader: number, epoch: number, voters: readonly number[]): void;
  leaderResigned(leader: number, epoch: number, reason: string): void;
}

interface PendingEffect {
  offset: number;
  epoch: number;
  effect: Call;
}


/** Parses `controller.quorum.voters` ("1@localhost:9093,2@localhost:9094" or "1,2,3"): the ids, or an error message. */
export function parseQuorumVoters(value: string): number[] | string {
  const ids: number[] = [];
  for (const part of value.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const id = Number(part.split('@')[0]);
    if (!Number.isInteger(id) || id < 0) return `controller.quorum.voters: "${part}" is not {id}@{host}:{port} with a whole-number id`;
    if (ids.includes(id)) return `controller.quorum.voters: voter ${id} is listed twice`;
    ids.push(id);
  }
  return ids;
}

export class Quorum implements RaftHost {
  readonly nodes = new Map<number, RaftNode>();
  voters: number[] = [];
  activeId = -1;
  activeEpoch = 0;
  private readonly transport: QuorumTransport;
  private readonly prng: Prng;
  private pending: PendingEffect[] = [];
  started = false;
  /** The image at `committedOffset`, for rebuilding after a failover that lost records. */
  private committedImage: MetadataImage = emptyImage();
  committedOffset = 0;
  /** The offset of the last record the controller wrote (-1: none yet). */
  lastAppendedOffset = -1;

  constructor(
    readonly scheduler: Scheduler,
    network: Network,
    seed: number,
    private readonly listener: QuorumListener,
  ) {
    // Its own PRNG: quorum jitter and election timeouts leave the cluster's random choices alone.
    this.prng = new Prng((seed ^ 0x5eed_c0de) >>> 0);
    this.transport = new QuorumTransport(scheduler, network, this.prng, new Set());
  }

  /** The network node a voter listens on: its own (controller-only) or its broker's (combined). */
  nodeOf(id: number): NodeId {
    return this.transport.nodeOf(id);
  }

  isControllerOnly(id: number): boolean {
    return this.transport.controllerOnly.has(id);
  }

  config(): RaftConfig {
    return this.listener.config();
  }

  send(from: number, to: number, deliver: Call): void {
    this.transport.send(from, to, deliver);
  }

  random(n: number): number {
    return n > 0 ? this.prng.int(n) : 0;
  }

  voterNode(id: number): RaftNode | undefined {
    return this.nodes.get(id);
  }

  isVoter(id: number): boolean {
    return this.nodes.has(id);
  }

  /**
   * Starts the voters (those whose process is running) with the bootstrap metadata (what
   * kafka-storage format writes, then the image so far); the lowest running voter leads epoch 1.
   * Once only: a quorum with voters is not started again.
   */
  start(voters: number[], running: (id: number) => boolean, bootstrap: MetadataRecordBody[], controllerOnly: readonly number[] = []): void {
    this.started = true;
    if (this.nodes.size > 0 || voters.length === 0) return;
    this.voters = voters.slice().sort((a, b) => a - b);
    for (const id of controllerOnly) this.transport.controllerOnly.add(id);
    for (const id of this.voters) this.nodes.set(id, new RaftNode(id, this.voters, this));
    const leader = this.voters.find(running) ?? -1;
    const log: MetadataRecord[] = bootstrap.map((r, offset) => ({ ...r, offset, epoch: 1 }) as MetadataRecord);
    log.push({ type: 'LeaderChangeRecord', leader: Math.max(leader, this.voters[0]!), voters: this.voters.slice(), offset: log.length, epoch: 1 });
    for (const r of log) replayRecord(this.committedImage, r, this.scheduler.now);
    this.committedOffset = log.length;
    if (leader < 0) {
      for (const id of this.voters) this.nodes.get(id)!.log.push(...log);
      return;
    }
    for (const id of this.voters) {
      if (!running(id)) continue;
      this.nodes.get(id)!.bootstrap(log.slice(), 1, leader);
    }
    // Voters not running at start get the log too (formatted storage), but stay down.
    for (const id of this.voters) if (!running(id)) this.nodes.get(id)!.log.push(...log);
    this.refreshActive();
  }

  /** The controller writes a record; its offset, or -1 when there is no active controller. */
  append(body: MetadataRecordBody): number {
    if (!this.started) return -1; // the bootstrap image: written as the first records at start
    const leader = this.activeId >= 0 ? this.nodes.get(this.activeId) : undefined;
    if (!leader || leader.state !== 'leader') return -1;
    this.lastAppendedOffset = leader.appendAsLeader(body);
    return this.lastAppendedOffset;
  }

  /** Runs `effect` once `offset` is committed in the current active leader's log (at once if it is). */
  afterCommit(offset: number, effect: Call): void {
    if (offset < 0) return; // no active controller wrote it: it never takes effect
    if (!this.started || offset < this.committedOffset) {
      invoke(effect);
      return;
    }
    const leader = this.nodes.get(this.activeId);
    const epoch = leader?.log[offset]?.epoch ?? -1;
    this.pending.push({ offset, epoch, effect });
  }

  // ---- RaftHost callbacks ------------------------------------------------------------------------

  onLeaderElected(node: RaftNode): void {
    this.listener.leaderElected(node.id, node.epoch, node.voters);
    this.refreshActive();
  }

  onLeaderResigned(node: RaftNode, epoch: number, reason: string): void {
    this.listener.leaderResigned(node.id, epoch, reason);
    this.refreshActive();
  }

  onCommit(node: RaftNode): void {
    if (node.state === 'leader') this.refreshActive();
    this.advanceCommitted(node);
  }

  /** Keeps the committed image and runs the effects whose records are now committed. */
  private advanceCommitted(node: RaftNode): void {
    while (this.committedOffset < node.highWatermark) {
      const r = node.log[this.committedOffset];
      if (!r) break;
      replayRecord(this.committedImage, r, this.scheduler.now);
      this.committedOffset++;
    }
    if (this.pending.length === 0) return;
    const ready: PendingEffect[] = [];
    const keep: PendingEffect[] = [];
    for (const p of this.pending) {
      if (p.offset >= this.committedOffset) keep.push(p);
      else if (node.log[p.offset]?.epoch === p.epoch) ready.push(p);
      // else: the record was replaced by another leader's: it never takes effect.
    }
    this.pending = keep;
    for (const p of ready) invoke(p.effect);
  }

  /** The active controller: the leader of the highest epoch that committed its LeaderChangeRecord. */
  refreshActive(): void {
    let best: RaftNode | undefined;
    for (const n of this.nodes.values()) {
      if (!n.running || n.state !== 'leader' || n.highWatermark <= n.epochStartOffset) continue;
      if (!best || n.epoch > best.epoch) best = n;
    }
    const next = best ? best.id : -1;
    const epoch = best ? best.epoch : this.activeEpoch;
    if (next === this.activeId && epoch === this.activeEpoch) return;
    const previous = this.activeId;
    let rebuild: MetadataImage | null = null;
    if (best) {
      // Records the previous leader applied but the new one lacks never committed: drop
      // their pending effects; the image is rebuilt from the committed one and the new log.
      const prev = previous >= 0 ? this.nodes.get(previous) : undefined;
      const lost = prev !== undefined && prev.log.some((r) => r.offset >= this.committedOffset && best!.log[r.offset]?.epoch !== r.epoch);
      this.pending = this.pending.filter((p) => best!.log[p.offset]?.epoch === p.epoch);
      if (lost) {
        rebuild = cloneImage(this.committedImage);
        for (let o = this.committedOffset; o < best.log.length; o++) replayRecord(rebuild, best.log[o]!, this.scheduler.now);
      }
      this.advanceCommitted(best);
    }
    this.activeId = next;
    this.activeEpoch = epoch;
    this.listener.activeChanged(previous, next, epoch, rebuild);
  }

  /** The voter process starts or stops with its host. */
  startNode(id: number): void {
    const n = this.nodes.get(id);
    if (!n || n.running) return;
    n.start();
    this.refreshActive();
  }

  stopNode(id: number): void {
    const n = this.nodes.get(id);
    if (!n || !n.running) return;
    n.stop();
    this.refreshActive();
  }

  view(): QuorumView {
    const active = this.activeId >= 0 ? this.nodes.get(this.activeId) : undefined;
    return {
      leaderId: this.activeId,
      epoch: Math.max(this.activeEpoch, ...[...this.nodes.values()].map((n) => n.epoch)),
      voters: this.voters.slice(),
      highWatermark: this.committedOffset,
      logEndOffset: active?.logEndOffset ?? this.committedOffset,
      nodes: this.voters.map((id) => {
        const n = this.nodes.get(id)!;
        return { id, roles: this.isControllerOnly(id) ? 'controller' : 'broker,controller', state: n.running ? n.state : 'down', epoch: n.epoch, logEndOffset: n.logEndOffset, highWatermark: n.highWatermark, running: n.running, votedId: n.votedId, leaderId: n.leaderId };
      }),
    };
  }
}
