/**
 * The active KRaft controller: cluster metadata (brokers, topics, partition
 * registrations), broker liveness by heartbeats, ISR changes (AlterPartition), and leader
 * election. Mirrors metadata/src/main/java/org/apache/kafka/controller/
 * ReplicationControlManager.java, ClusterControlManager.java, BrokerHeartbeatManager.java
 * and PartitionChangeBuilder.java.
 *
 * The controller runs on the leader of the KRaft quorum (controller/raft.ts, quorum.ts): every
 * decision is written to the metadata log as records (RegisterBrokerRecord,
 * FenceBrokerRecord, TopicRecord, PartitionRecord, PartitionChangeRecord...) and reaches the
 * brokers only once the record is committed (ControllerHooks.publish waits for its offset).
 * As Kafka's QuorumController does, the active controller applies its records to its
 * in-memory image at once; if it loses leadership before they commit, the next active
 * controller's image is rebuilt from the committed image and its own log (rebuildImage).
 *
 * Rules (kafka-semantics.md, "Replication"):
 * - a broker that misses heartbeats for broker.session.timeout.ms is fenced: it leaves
 *   every ISR at once, except that the last ISR member is kept; partitions it led get a
 *   new leader, or go offline (leader -1);
 * - election keeps a valid leader, else picks the first replica in assignment order that
 *   is in the ISR and alive; unclean (if enabled): the first live replica, ISR = [it];
 * - every leader change bumps the leader epoch; every change bumps the partition epoch.
 */
import { putOwn, topicConfig, type Config } from '../config';
import type { ClusterContext } from '../context';
import type { KafkaError } from '../errors';
import type { ConfigMap } from '../../scenario/types';
import type { PartitionRegistration } from '../broker/partition';
import { placeReplicas } from './placement';
import type { MetadataRecord, MetadataRecordBody } from './raft';

export interface BrokerRegistration {
  id: number;
  rack: string | null;
  /** Changes on every process start: a new incarnation re-registers (broker epoch). */
  incarnation: number;
  fenced: boolean;
  lastHeartbeatMs: number;
}

export interface TopicImage {
  name: string;
  config: ConfigMap;
  partitions: PartitionRegistration[];
}

export type ElectionReason = 'initial' | 'failover' | 'preferred' | 'unclean' | 'reassignment';

export interface HeartbeatResponse {
  fenced: boolean;
  metadataVersion: number;
  /** The committed offset of the metadata log when answered. */
  metadataOffset: number;
  /** Full registrations of this broker's partitions when it is behind. */
  registrations: { topic: string; partition: number; reg: PartitionRegistration }[] | null;
}

export interface ControllerHooks {
  /** Write a record to the metadata log (the active controller's); its offset, or -1 with no active controller. */
  record(body: MetadataRecordBody): number;
  /** Push a partition change to the brokers that host it once `offset` is committed (best effort, over the network). */
  publish(topic: string, partition: number, reg: PartitionRegistration, offset: number, alsoTo?: readonly number[]): void;
  /** A topic went away: brokers delete their replicas (once `offset` is committed). */
  publishTopicDeleted(topic: string, brokers: number[], offset: number): void;
  /** The metadata log's committed offset (what a heartbeat response tells the broker). */
  committedOffset(): number;
  /** Fencing changed: the coordinator and clients' views may move. */
  brokersChanged(): void;
}

export class Controller {
  readonly brokers = new Map<number, BrokerRegistration>();
  readonly topics = new Map<string, TopicImage>();
  metadataVersion = 0;
  /** Counters behind the controller metrics. */
  leaderElections = 0;
  uncleanLeaderElections = 0;
  isrShrinks = 0;
  isrExpands = 0;
  /** ISR shrinks and expands by the partition leader's broker (its IsrShrinksPerSec / IsrExpandsPerSec). */
  readonly isrShrinksByLeader = new Map<number, number>();
  readonly isrExpandsByLeader = new Map<number, number>();

  constructor(
    private readonly ctx: ClusterContext,
    private readonly hooks: ControllerHooks,
  ) {}

  // ---- configs ---------------------------------------------------------------------------

  private readonly configCache = new Map<string, Config>();
  /**
   * Bumped whenever a cached topic config is dropped (any config change): what brokers derive
   * from topic configs on hot paths (the replication throttle flags of a Partition) is
   * recomputed when this moved, without a config lookup per fetch.
   */
  configVersion = 0;

  /** The topic's effective config (cached; invalidated on any config change). */
  topicConfig(topic: string): Config {
    let c = this.configCache.get(topic);
    if (!c) {
      c = topicConfig(this.topics.get(topic)?.config, this.ctx.brokerConfig.entries());
      this.configCache.set(topic, c);
    }
    return c;
  }

  invalidateConfigs(): void {
    this.configVersion++;
    this.configCache.clear();
  }

  /** One topic's config changed (created, altered, deleted): its cached config is dropped and configVersion moves. */
  private topicConfigChanged(name: string): void {
    this.configCache.delete(name);
    this.configVersion++;
  }

  private uncleanEnabled(topic: string): boolean {
    return this.topicConfig(topic).bool('unclean.leader.election.enable');
  }

  // ---- brokers -----------------------------------------------------------------------------

  isAlive(id: number): boolean {
    const b = this.brokers.get(id);
    return b !== undefined && !b.fenced;
  }

  liveBrokers(): number[] {
    return [...this.brokers.values()].filter((b) => !b.fenced).map((b) => b.id).sort((a, b) => a - b);
  }

  /** A broker known from the scenario at start: registered and unfenced at time 0. */
  registerInitialBroker(id: number, rack: string | null, incarnation: number): void {
    this.brokers.set(id, { id, rack, incarnation, fenced: false, lastHeartbeatMs: this.ctx.scheduler.now });
    this.hooks.record({ type: 'RegisterBrokerRecord', broker: id, rack, incarnation, fenced: false });
    this.metadataVersion++;
  }

  /**
   * UnregisterBroker (kafka-cluster.sh unregister): a registered broker is fenced first
   * (leaders move away, the ISR shrinks), then forgotten. Its id stays in the replica lists:
   * those replicas are offline until the partitions are reassigned or the broker returns.
   */
  unregisterBroker(id: number): void {
    const b = this.brokers.get(id);
    if (!b) return;
    if (!b.fenced) this.fence(b);
    this.brokers.delete(id);
    this.hooks.record({ type: 'UnregisterBrokerRecord', broker: id });
    this.metadataVersion++;
    this.hooks.brokersChanged();
  }

  /** BrokerHeartbeat (with an implicit BrokerRegistration when the incarnation is new). */
  handleHeartbeat(id: number, rack: string | null, incarnation: number, appliedVersion: number): HeartbeatResponse {
    const now = this.ctx.scheduler.now;
    let b = this.brokers.get(id);
    if (!b) {
      b = { id, rack, incarnation, fenced: true, lastHeartbeatMs: now };
      this.brokers.set(id, b);
      this.hooks.record({ type: 'RegisterBrokerRecord', broker: id, rack, incarnation, fenced: true });
      this.metadataVersion++;
      this.ctx.emit({ type: 'BrokerAdded', broker: id, rack });
    } else if (b.incarnation !== incarnation) {
      // A restarted process: its old registration is fenced first (KIP-903 broker epochs),
      // so it must catch up before rejoining any ISR.
      if (!b.fenced) this.fence(b);
      b.incarnation = incarnation;
      b.rack = rack;
      this.hooks.record({ type: 'RegisterBrokerRecord', broker: id, rack, incarnation, fenced: true });
    }
    b.lastHeartbeatMs = now;
    if (b.fenced) this.unfence(b);
    const behind = appliedVersion < this.metadataVersion;
    return {
      fenced: b.fenced,
      metadataVersion: this.metadataVersion,
      metadataOffset: this.hooks.committedOffset(),
      registrations: behind ? this.registrationsFor(id) : null,
    };
  }

  registrationsFor(brokerId: number): { topic: string; partition: number; reg: PartitionRegistration }[] {
    const out: { topic: string; partition: number; reg: PartitionRegistration }[] = [];
    for (const t of this.topics.values()) {
      t.partitions.forEach((reg, partition) => {
        if (reg.replicas.includes(brokerId)) out.push({ topic: t.name, partition, reg: copyReg(reg) });
      });
    }
    return out;
  }

  /** Periodic: fence brokers whose session expired (BrokerHeartbeatManager). */
  checkSessions(): void {
    const now = this.ctx.scheduler.now;
    const timeout = this.ctx.brokerConfig.int('broker.session.timeout.ms');
    for (const b of [...this.brokers.values()].sort((x, y) => x.id - y.id)) {
      if (!b.fenced && now - b.lastHeartbeatMs > timeout) this.fence(b);
    }
  }

  /** A new controller took over: give every broker a fresh session. */
  resetSessions(): void {
    const now = this.ctx.scheduler.now;
    for (const b of this.brokers.values()) b.lastHeartbeatMs = now;
  }

  private fence(b: BrokerRegistration): void {
    b.fenced = true;
    this.hooks.record({ type: 'FenceBrokerRecord', broker: b.id });
    this.metadataVersion++;
    this.ctx.emit({ type: 'BrokerFenced', broker: b.id });
    for (const t of this.sortedTopics()) {
      t.partitions.forEach((reg, p) => {
        if (!reg.replicas.includes(b.id)) return;
        const isrWithout = reg.isr.filter((x) => x !== b.id);
        const newIsr = isrWithout.length > 0 ? isrWithout : reg.isr.slice();
        if (reg.leader === b.id || reg.leader === -1) {
          this.changePartition(t.name, p, reg, newIsr, 'failover');
        } else if (newIsr.length !== reg.isr.length) {
          this.applyChange(t.name, p, reg, { isr: newIsr });
          this.countIsrChange('shrink', reg.leader);
          this.ctx.emit({ type: 'IsrShrink', topic: t.name, partition: p, broker: b.id, isr: newIsr.slice() });
        }
      });
    }
    this.hooks.brokersChanged();
  }

  private unfence(b: BrokerRegistration): void {
    b.fenced = false;
    this.hooks.record({ type: 'UnfenceBrokerRecord', broker: b.id });
    this.metadataVersion++;
    this.ctx.emit({ type: 'BrokerUnfenced', broker: b.id });
    // Leaderless partitions may now have a leader (a returning last ISR member, or unclean).
    for (const t of this.sortedTopics()) {
      t.partitions.forEach((reg, p) => {
        if (reg.leader === -1 && reg.replicas.includes(b.id)) this.changePartition(t.name, p, reg, reg.isr, 'failover');
      });
    }
    this.hooks.brokersChanged();
  }

  // ---- elections -----------------------------------------------------------------------

  /**
   * Elects a leader for a partition whose leader is gone or fenced (PartitionChangeBuilder):
   * clean from the ISR in assignment order, else unclean if the topic allows it, else offline.
   */
  private changePartition(topic: string, p: number, reg: PartitionRegistration, isr: number[], reason: ElectionReason): void {
    const clean = reg.replicas.find((id) => isr.includes(id) && this.isAlive(id));
    if (clean !== undefined) {
      if (clean === reg.leader) {
        if (isr.length !== reg.isr.length) this.applyChange(topic, p, reg, { isr });
        return;
      }
      this.electLeader(topic, p, reg, clean, isr, reason);
      return;
    }
    if (this.uncleanEnabled(topic)) {
      const any = reg.replicas.find((id) => this.isAlive(id));
      if (any !== undefined) {
        this.electLeader(topic, p, reg, any, [any], 'unclean');
        return;
      }
    }
    if (reg.leader !== -1) {
      this.applyChange(topic, p, reg, { leader: -1, leaderEpoch: reg.leaderEpoch + 1, isr });
      this.ctx.emit({ type: 'PartitionOffline', topic, partition: p, leaderEpoch: reg.leaderEpoch });
    } else if (isr.length !== reg.isr.length) {
      this.applyChange(topic, p, reg, { isr });
    }
  }

  private electLeader(topic: string, p: number, reg: PartitionRegistration, leader: number, isr: number[], reason: ElectionReason): void {
    this.applyChange(topic, p, reg, { leader, leaderEpoch: reg.leaderEpoch + 1, isr });
    this.leaderElections++;
    if (reason === 'unclean') this.uncleanLeaderElections++;
    this.ctx.emit({ type: 'LeaderElected', topic, partition: p, leader, leaderEpoch: reg.leaderEpoch, isr: reg.isr.slice(), reason });
  }

  /**
   * Commits a change to a registration and pushes it to its replicas. `alsoTo`: brokers that
   * just left the replica set (a finished or cancelled reassignment), told so they delete
   * their copy.
   */
  private applyChange(topic: string, p: number, reg: PartitionRegistration, change: Partial<PartitionRegistration>, alsoTo?: readonly number[]): void {
    if (change.leader !== undefined) reg.leader = change.leader;
    if (change.leaderEpoch !== undefined) reg.leaderEpoch = change.leaderEpoch;
    if (change.isr !== undefined) reg.isr = change.isr.slice();
    if (change.replicas !== undefined) reg.replicas = change.replicas.slice();
    if ('addingReplicas' in change) {
      if (change.addingReplicas && change.addingReplicas.length + (change.removingReplicas?.length ?? 0) > 0) {
        reg.addingReplicas = change.addingReplicas.slice();
        reg.removingReplicas = (change.removingReplicas ?? []).slice();
      } else {
        delete reg.addingReplicas;
        delete reg.removingReplicas;
      }
    }
    reg.partitionEpoch++;
    this.metadataVersion++;
    const offset = this.hooks.record({ type: 'PartitionChangeRecord', topic, partition: p, reg: copyReg(reg) });
    this.hooks.publish(topic, p, copyReg(reg), offset, alsoTo);
  }

  /** ElectLeaders admin API. */
  electLeaders(topic: string, p: number, type: 'preferred' | 'unclean'): { error: KafkaError; message: string } {
    const reg = this.topics.get(topic)?.partitions[p];
    if (!reg) return { error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `${topic}-${p} does not exist` };
    if (type === 'preferred') {
      const preferred = reg.replicas[0]!;
      if (reg.leader === preferred) return { error: 'ELECTION_NOT_NEEDED', message: `broker ${preferred} already leads ${topic}-${p}` };
      if (!reg.isr.includes(preferred) || !this.isAlive(preferred)) {
        return { error: 'PREFERRED_LEADER_NOT_AVAILABLE', message: `preferred leader ${preferred} of ${topic}-${p} is not alive and in the ISR` };
      }
      this.electLeader(topic, p, reg, preferred, reg.isr, 'preferred');
      return { error: 'NONE', message: '' };
    }
    if (reg.leader !== -1 && this.isAlive(reg.leader)) {
      return { error: 'ELECTION_NOT_NEEDED', message: `${topic}-${p} has a live leader (broker ${reg.leader})` };
    }
    const any = reg.replicas.find((id) => this.isAlive(id));
    if (any === undefined) return { error: 'ELIGIBLE_LEADERS_NOT_AVAILABLE', message: `no replica of ${topic}-${p} is alive` };
    const clean = reg.replicas.find((id) => reg.isr.includes(id) && this.isAlive(id));
    const chosen = clean ?? any;
    this.electLeader(topic, p, reg, chosen, clean !== undefined ? reg.isr : [chosen], clean !== undefined ? 'failover' : 'unclean');
    return { error: 'NONE', message: '' };
  }

  /** auto.leader.rebalance.enable: move leadership back to preferred replicas when imbalanced. */
  autoRebalanceLeaders(): void {
    const pct = this.ctx.brokerConfig.int('leader.imbalance.per.broker.percentage');
    for (const id of this.liveBrokers()) {
      const preferredHere: [string, number][] = [];
      let notLeading = 0;
      for (const t of this.sortedTopics()) {
        t.partitions.forEach((reg, p) => {
          if (reg.replicas[0] === id) {
            preferredHere.push([t.name, p]);
            if (reg.leader !== id) notLeading++;
          }
        });
      }
      if (preferredHere.length === 0 || (notLeading * 100) / preferredHere.length <= pct) continue;
      for (const [topic, p] of preferredHere) {
        const reg = this.topics.get(topic)!.partitions[p]!;
        if (reg.leader !== id && reg.isr.includes(id)) this.electLeader(topic, p, reg, id, reg.isr, 'preferred');
      }
    }
  }

  preferredReplicaImbalanceCount(): number {
    let n = 0;
    for (const t of this.topics.values()) for (const reg of t.partitions) if (reg.leader !== reg.replicas[0]) n++;
    return n;
  }

  offlinePartitionsCount(): number {
    let n = 0;
    for (const t of this.topics.values()) for (const reg of t.partitions) if (reg.leader === -1) n++;
    return n;
  }

  // ---- ISR changes from leaders ------------------------------------------------------------

  private countIsrChange(change: 'shrink' | 'expand', leader: number): void {
    const byLeader = change === 'shrink' ? this.isrShrinksByLeader : this.isrExpandsByLeader;
    byLeader.set(leader, (byLeader.get(leader) ?? 0) + 1);
    if (change === 'shrink') this.isrShrinks++;
    else this.isrExpands++;
  }

  /** AlterPartition from a leader (ReplicationControlManager.alterPartition). */
  handleAlterPartition(
    fromBroker: number,
    topic: string,
    p: number,
    leaderEpoch: number,
    partitionEpoch: number,
    newIsr: number[],
  ): { error: KafkaError; reg: PartitionRegistration | null } {
    const reg = this.topics.get(topic)?.partitions[p];
    if (!reg) return { error: 'UNKNOWN_TOPIC_OR_PARTITION', reg: null };
    if (reg.leader !== fromBroker) return { error: 'NOT_LEADER_OR_FOLLOWER', reg: copyReg(reg) };
    if (leaderEpoch !== reg.leaderEpoch) return { error: 'FENCED_LEADER_EPOCH', reg: copyReg(reg) };
    if (partitionEpoch !== reg.partitionEpoch) return { error: 'INVALID_REQUEST', reg: copyReg(reg) };
    // INELIGIBLE_REPLICA in Kafka: a fenced broker may not join.
    const added = newIsr.filter((id) => !reg.isr.includes(id));
    if (added.some((id) => !this.isAlive(id))) return { error: 'INVALID_REQUEST', reg: copyReg(reg) };
    const removed = reg.isr.filter((id) => !newIsr.includes(id));
    const ordered = reg.replicas.filter((id) => newIsr.includes(id));
    this.applyChange(topic, p, reg, { isr: ordered });
    for (const id of removed) {
      this.countIsrChange('shrink', fromBroker);
      this.ctx.emit({ type: 'IsrShrink', topic, partition: p, broker: id, isr: ordered.slice() });
    }
    for (const id of added) {
      this.countIsrChange('expand', fromBroker);
      this.ctx.emit({ type: 'IsrExpand', topic, partition: p, broker: id, isr: ordered.slice() });
    }
    if (added.length > 0) this.maybeCompleteReassignment(topic, p, reg);
    return { error: 'NONE', reg: copyReg(reg) };
  }

  // ---- topics ----------------------------------------------------------------------------

  createTopic(
    name: string,
    partitions: number,
    replicationFactor: number,
    config: ConfigMap,
    assignments?: number[][],
    autoCreatedBy?: string,
  ): { error: KafkaError; message: string } {
    if (this.topics.has(name)) return { error: 'TOPIC_ALREADY_EXISTS', message: `Topic '${name}' already exists.` };
    if (!Number.isInteger(partitions) || partitions < 1) {
      return { error: 'INVALID_PARTITIONS', message: `Number of partitions must be larger than 0, got ${partitions}.` };
    }
    const live = this.liveBrokers();
    let replicaLists: number[][];
    if (assignments) {
      if (assignments.length !== partitions || assignments.some((a) => a.some((id) => !this.brokers.has(id)) || new Set(a).size !== a.length)) {
        return { error: 'INVALID_REPLICATION_FACTOR', message: `Invalid replica assignment for topic '${name}'.` };
      }
      replicaLists = assignments.map((a) => a.slice());
    } else {
      if (!Number.isInteger(replicationFactor) || replicationFactor < 1 || replicationFactor > live.length) {
        return {
          error: 'INVALID_REPLICATION_FACTOR',
          message: `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${live.length} broker(s) are registered.`,
        };
      }
      const usable = live.map((id) => ({ id, rack: this.brokers.get(id)!.rack }));
      replicaLists = placeReplicas(usable, partitions, replicationFactor, this.ctx.prng);
    }
    const image: TopicImage = { name, config: { ...config }, partitions: [] };
    this.topics.set(name, image);
    this.topicConfigChanged(name);
    this.hooks.record({ type: 'TopicRecord', topic: name, config: { ...config } });
    this.metadataVersion++;
    this.ctx.emit(
      autoCreatedBy === undefined
        ? { type: 'TopicCreated', topic: name, partitions, replicationFactor: replicaLists[0]!.length }
        : { type: 'TopicCreated', topic: name, partitions, replicationFactor: replicaLists[0]!.length, autoCreatedBy },
    );
    replicaLists.forEach((replicas, p) => {
      const isr = replicas.filter((id) => this.isAlive(id));
      const leader = replicas.find((id) => isr.includes(id)) ?? -1;
      const reg: PartitionRegistration = { replicas, isr: isr.length > 0 ? isr : replicas.slice(0, 1), leader, leaderEpoch: 0, partitionEpoch: 0 };
      image.partitions.push(reg);
      if (leader >= 0) {
        this.leaderElections++;
        this.ctx.emit({ type: 'LeaderElected', topic: name, partition: p, leader, leaderEpoch: 0, isr: reg.isr.slice(), reason: 'initial' });
      }
      const offset = this.hooks.record({ type: 'PartitionRecord', topic: name, partition: p, reg: copyReg(reg) });
      this.hooks.publish(name, p, copyReg(reg), offset);
    });
    return { error: 'NONE', message: '' };
  }

  deleteTopic(name: string): { error: KafkaError; message: string } {
    const t = this.topics.get(name);
    if (!t) return { error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `Topic '${name}' does not exist.` };
    const hosts = new Set<number>();
    for (const reg of t.partitions) for (const id of reg.replicas) hosts.add(id);
    this.topics.delete(name);
    this.topicConfigChanged(name);
    const offset = this.hooks.record({ type: 'RemoveTopicRecord', topic: name });
    this.metadataVersion++;
    this.ctx.emit({ type: 'TopicDeleted', topic: name });
    this.hooks.publishTopicDeleted(name, [...hosts].sort((a, b) => a - b), offset);
    return { error: 'NONE', message: '' };
  }

  alterTopicConfig(name: string, config: ConfigMap): { error: KafkaError; message: string } {
    const t = this.topics.get(name);
    if (!t) return { error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `Topic '${name}' does not exist.` };
    for (const [k, v] of Object.entries(config)) {
      if (v === null) delete t.config[k];
      else putOwn(t.config, k, v);
    }
    this.topicConfigChanged(name);
    this.hooks.record({ type: 'ConfigRecord', topic: name, config: { ...t.config } });
    this.metadataVersion++;
    // Enabling unclean election lets the controller elect leaders for offline partitions now.
    t.partitions.forEach((reg, p) => {
      if (reg.leader === -1) this.changePartition(name, p, reg, reg.isr, 'failover');
    });
    return { error: 'NONE', message: '' };
  }

  /**
   * CreatePartitions (ReplicationControlManager.createPartitions): the count only grows; new
   * partitions get replicas from the same placer as a new topic, with the replication factor
   * of partition 0, on unfenced brokers.
   */
  createPartitions(name: string, count: number): { error: KafkaError; message: string } {
    const t = this.topics.get(name);
    if (!t) return { error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `Topic '${name}' does not exist.` };
    const n = t.partitions.length;
    if (!Number.isInteger(count) || count < 1) return { error: 'INVALID_PARTITIONS', message: `The partition count must be a positive whole number, got ${count}.` };
    if (count < n) return { error: 'INVALID_PARTITIONS', message: `Topic currently has ${n} partitions, which is higher than the requested ${count}.` };
    if (count === n) return { error: 'INVALID_PARTITIONS', message: `Topic already has ${n} partitions.` };
    const first = t.partitions[0]!;
    const rf = first.replicas.length - (first.addingReplicas?.length ?? 0);
    const live = this.liveBrokers();
    if (rf > live.length) {
      return {
        error: 'INVALID_REPLICATION_FACTOR',
        message: `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only ${live.length} broker(s) are registered.`,
      };
    }
    const placed = placeReplicas(live.map((id) => ({ id, rack: this.brokers.get(id)!.rack })), count - n, rf, this.ctx.prng);
    this.metadataVersion++;
    this.ctx.emit({ type: 'PartitionsCreated', topic: name, from: n, to: count });
    placed.forEach((replicas, i) => {
      const p = n + i;
      const leader = replicas[0]!;
      const reg: PartitionRegistration = { replicas, isr: replicas.slice(), leader, leaderEpoch: 0, partitionEpoch: 0 };
      t.partitions.push(reg);
      this.leaderElections++;
      this.ctx.emit({ type: 'LeaderElected', topic: name, partition: p, leader, leaderEpoch: 0, isr: reg.isr.slice(), reason: 'initial' });
      const offset = this.hooks.record({ type: 'PartitionRecord', topic: name, partition: p, reg: copyReg(reg) });
      this.hooks.publish(name, p, copyReg(reg), offset);
    });
    return { error: 'NONE', message: '' };
  }

  /**
   * AlterPartitionReassignments (ReplicationControlManager.alterPartitionReassignments, KIP-455):
   * `target` null cancels the reassignment in progress. The registration's replicas become
   * target ++ (original - target); the adding replicas fetch from the leader, and once every
   * target replica is in the ISR the controller completes it (maybeCompleteReassignment).
   */
  reassignPartition(topic: string, p: number, target: readonly number[] | null): { error: KafkaError; message: string } {
    const reg = this.topics.get(topic)?.partitions[p];
    if (!reg) return { error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `Partition ${topic}-${p} does not exist.` };
    const adding = reg.addingReplicas ?? [];
    const original = reg.replicas.filter((id) => !adding.includes(id));
    if (target === null) {
      if (!reg.addingReplicas) return { error: 'NO_REASSIGNMENT_IN_PROGRESS', message: `No reassignment is in progress for partition ${topic}-${p}.` };
      // PartitionReassignmentRevert: back to the original replicas; the adding ones leave.
      const isr = reg.isr.filter((id) => original.includes(id));
      this.finishReassignment(topic, p, reg, original, isr.length > 0 ? isr : reg.isr.slice(), adding, 'cancelled');
      return { error: 'NONE', message: '' };
    }
    if (target.length === 0) return { error: 'INVALID_REPLICA_ASSIGNMENT', message: 'The manual partition assignment includes an empty replica list.' };
    if (new Set(target).size !== target.length) return { error: 'INVALID_REPLICA_ASSIGNMENT', message: `The manual partition assignment includes the broker ${target.find((id, i) => target.indexOf(id) !== i)} more than once.` };
    const unknown = target.find((id) => !this.brokers.has(id));
    if (unknown !== undefined) return { error: 'INVALID_REPLICA_ASSIGNMENT', message: `The manual partition assignment includes broker ${unknown}, but no such broker is registered.` };
    const addingNew = target.filter((id) => !original.includes(id));
    const removing = original.filter((id) => !target.includes(id));
    const merged = [...target, ...removing];
    // Adding replicas of an earlier reassignment that the new target drops leave at once.
    const dropped = adding.filter((id) => !target.includes(id));
    const isr = reg.isr.filter((id) => merged.includes(id));
    this.applyChange(topic, p, reg, { replicas: merged, isr: isr.length > 0 ? isr : reg.isr, addingReplicas: addingNew, removingReplicas: removing }, dropped);
    if (addingNew.length > 0 || removing.length > 0) {
      this.ctx.emit({ type: 'PartitionReassignmentStarted', topic, partition: p, replicas: target.slice(), addingReplicas: addingNew, removingReplicas: removing });
    }
    this.maybeCompleteReassignment(topic, p, reg);
    return { error: 'NONE', message: '' };
  }

  /** The partitions with a reassignment in progress (ListPartitionReassignments). */
  reassignmentsInProgress(): { topic: string; partition: number; replicas: number[]; addingReplicas: number[]; removingReplicas: number[] }[] {
    const out: { topic: string; partition: number; replicas: number[]; addingReplicas: number[]; removingReplicas: number[] }[] = [];
    for (const t of this.sortedTopics()) {
      t.partitions.forEach((reg, p) => {
        if (reg.addingReplicas) out.push({ topic: t.name, partition: p, replicas: reg.replicas.slice(), addingReplicas: reg.addingReplicas.slice(), removingReplicas: (reg.removingReplicas ?? []).slice() });
      });
    }
    return out;
  }

  /** PartitionChangeBuilder.completeReassignmentIfNeeded: every target replica in the ISR. */
  private maybeCompleteReassignment(topic: string, p: number, reg: PartitionRegistration): void {
    if (!reg.addingReplicas) return;
    const removing = reg.removingReplicas ?? [];
    const target = reg.replicas.filter((id) => !removing.includes(id));
    if (!target.every((id) => reg.isr.includes(id))) return;
    this.finishReassignment(topic, p, reg, target, reg.isr.filter((id) => target.includes(id)), removing, 'completed');
  }

  /** The replica set becomes `replicas`; leadership moves if the leader left it; `leaving` delete their logs. */
  private finishReassignment(topic: string, p: number, reg: PartitionRegistration, replicas: number[], isr: number[], leaving: number[], how: 'completed' | 'cancelled'): void {
    const leaderStays = reg.leader >= 0 && replicas.includes(reg.leader);
    const newLeader = leaderStays ? reg.leader : (replicas.find((id) => isr.includes(id) && this.isAlive(id)) ?? -1);
    const change: Partial<PartitionRegistration> = { replicas, isr, addingReplicas: [], removingReplicas: [] };
    if (newLeader !== reg.leader) {
      change.leader = newLeader;
      change.leaderEpoch = reg.leaderEpoch + 1;
    }
    const oldLeader = reg.leader;
    this.applyChange(topic, p, reg, change, leaving);
    if (newLeader !== oldLeader && newLeader >= 0) {
      this.leaderElections++;
      this.ctx.emit({ type: 'LeaderElected', topic, partition: p, leader: newLeader, leaderEpoch: reg.leaderEpoch, isr: reg.isr.slice(), reason: 'reassignment' });
    }
    this.ctx.emit({
      type: how === 'completed' ? 'PartitionReassignmentCompleted' : 'PartitionReassignmentCancelled',
      topic,
      partition: p,
      replicas: replicas.slice(),
      removedReplicas: leaving.slice(),
    });
  }

  /** Re-runs elections for leaderless partitions (after a cluster-level config change). */
  retryOfflinePartitions(): void {
    for (const t of this.sortedTopics()) {
      t.partitions.forEach((reg, p) => {
        if (reg.leader === -1) this.changePartition(t.name, p, reg, reg.isr, 'failover');
      });
    }
  }

  /**
   * A new active controller whose log lacks records the previous one had applied (they never
   * committed): the image becomes `img` (the committed image plus the new leader's log),
   * keeping what is not in the log (heartbeat times).
   */
  rebuildImage(img: MetadataImage): void {
    const lastHeartbeat = new Map([...this.brokers].map(([id, b]) => [id, b.lastHeartbeatMs]));
    this.brokers.clear();
    for (const [id, b] of img.brokers) this.brokers.set(id, { ...b, lastHeartbeatMs: lastHeartbeat.get(id) ?? b.lastHeartbeatMs });
    this.topics.clear();
    for (const [name, t] of img.topics) this.topics.set(name, { name, config: { ...t.config }, partitions: t.partitions.map(copyReg) });
    this.invalidateConfigs();
    this.metadataVersion++;
    this.hooks.brokersChanged();
  }

  /** The image as records (a metadata snapshot's content): brokers, then topics with their partitions. */
  imageRecords(): MetadataRecordBody[] {
    const out: MetadataRecordBody[] = [];
    for (const b of [...this.brokers.values()].sort((x, y) => x.id - y.id)) {
      out.push({ type: 'RegisterBrokerRecord', broker: b.id, rack: b.rack, incarnation: b.incarnation, fenced: b.fenced });
    }
    for (const t of this.sortedTopics()) {
      out.push({ type: 'TopicRecord', topic: t.name, config: { ...t.config } });
      t.partitions.forEach((reg, partition) => out.push({ type: 'PartitionRecord', topic: t.name, partition, reg: copyReg(reg) }));
    }
    return out;
  }

  sortedTopics(): TopicImage[] {
    return [...this.topics.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/** The metadata image the records build (MetadataImage): brokers and topics. */
export interface MetadataImage {
  brokers: Map<number, BrokerRegistration>;
  topics: Map<string, TopicImage>;
}

export function emptyImage(): MetadataImage {
  return { brokers: new Map(), topics: new Map() };
}

export function cloneImage(img: MetadataImage): MetadataImage {
  const out = emptyImage();
  for (const [id, b] of img.brokers) out.brokers.set(id, { ...b });
  for (const [name, t] of img.topics) out.topics.set(name, { name, config: { ...t.config }, partitions: t.partitions.map(copyReg) });
  return out;
}

/** Replays one record onto an image (MetadataDelta.replay). `now` stamps a new registration's session. */
export function replayRecord(img: MetadataImage, r: MetadataRecord | MetadataRecordBody, now: number): void {
  switch (r.type) {
    case 'LeaderChangeRecord':
      return;
    case 'RegisterBrokerRecord': {
      const b = img.brokers.get(r.broker);
      if (b) {
        b.rack = r.rack;
        b.incarnation = r.incarnation;
        b.fenced = r.fenced;
      } else img.brokers.set(r.broker, { id: r.broker, rack: r.rack, incarnation: r.incarnation, fenced: r.fenced, lastHeartbeatMs: now });
      return;
    }
    case 'UnregisterBrokerRecord':
      img.brokers.delete(r.broker);
      return;
    case 'FenceBrokerRecord':
    case 'UnfenceBrokerRecord': {
      const b = img.brokers.get(r.broker);
      if (b) b.fenced = r.type === 'FenceBrokerRecord';
      return;
    }
    case 'TopicRecord':
      img.topics.set(r.topic, { name: r.topic, config: { ...r.config }, partitions: [] });
      return;
    case 'PartitionRecord':
    case 'PartitionChangeRecord': {
      const t = img.topics.get(r.topic);
      if (t) t.partitions[r.partition] = copyReg(r.reg);
      return;
    }
    case 'RemoveTopicRecord':
      img.topics.delete(r.topic);
      return;
    case 'ConfigRecord': {
      const t = img.topics.get(r.topic);
      if (t) t.config = { ...r.config };
      return;
    }
    default: {
      const never: never = r;
      throw new Error(`unknown metadata record ${(never as { type: string }).type}`);
    }
  }
}

export function copyReg(r: PartitionRegistration): PartitionRegistration {
  const c: PartitionRegistration = { replicas: r.replicas.slice(), isr: r.isr.slice(), leader: r.leader, leaderEpoch: r.leaderEpoch, partitionEpoch: r.partitionEpoch };
  if (r.addingReplicas) {
    c.addingReplicas = r.addingReplicas.slice();
    c.removingReplicas = (r.removingReplicas ?? []).slice();
  }
  return c;
}
