/**
 * The cluster: builds brokers, the controller, the group coordinator and clients from a
 * scenario document, runs its timeline on the virtual clock, applies live actions, and
 * reports what it looks like (UI snapshots, the headless runner's document).
 *
 * Determinism: one Scheduler, one Prng (seeded by scenario.seed). Timeline actions run
 * before any other event due at the same millisecond, in timeline order. A live action
 * is stamped at now + 1 ms and appended to the timeline, so replaying the recorded
 * document gives the same run, record for record.
 */
import type { BrokerSpec, ConfigMap, Scenario, TimelineAction } from '../scenario/types';
import { Broker, type BrokerEnv } from './broker/broker';
import { FETCH_SESSION_MIN_PARTS } from './broker/fetch-session';
import { BROKER_DEFAULTS, Config, consumerConfigProblem, producerConfigProblem, ignoredConfigKeys, invalidConfig, putOwn, type ConfigEntity, type ConfigValue } from './config';
import type { BrokerApi, ClusterContext, ClusterEventBody, MetadataView, PartitionLeader } from './context';
import { Controller, type ControllerHooks, type MetadataImage } from './controller/controller';
import { Quorum, parseQuorumVoters, type QuorumListener } from './controller/quorum';
import type { MetadataRecordBody, RaftConfig } from './controller/raft';
import type { PartitionRegistration } from './broker/partition';
import { call } from './sim/call';
import type { KafkaError } from './errors';
import { LIMITS, actionLimitProblem } from './limits';
import { METRIC_KEYS, counterIncrease, lagMs, lagRecords } from './lag';
import { browseRecords, type BrowseRequest, type BrowseResult } from './browse';
import { UnifiedLog, logConfigFrom, type LogConfig } from './log/unified-log';
import { Producer } from './producer/producer';
import { GroupCoordinator } from './consumer/group-coordinator';
import { TransactionCoordinator } from './transaction/transaction-coordinator';
import { batchIsControl, batchIsTransactional, batchProducerId, controlBatchType, decodeRecords } from './log/record-batch';
import { Consumer } from './consumer/consumer';
import { DEFAULT_BANDWIDTH_MBPS, Deferred, Network, controllerNode, type NodeId } from './sim/network';
import { Prng } from './sim/prng';
import { Scheduler } from './sim/scheduler';
import { repackIfDropped } from './log/slab-repack';
import type {
  BrokerView,
  ClusterEvent,
  ClusterSnapshot,
  ConsumerView,
  ConsumedRow,
  GroupView,
  MetricsView,
  PartitionView,
  ProducedRow,
  RecordView,
  TransactionView,
  ReplicaView,
  RunnerOutput,
  TopicView,
} from './snapshot';

export interface ClusterOptions {
  /** Keep one row per consumed record (the runner). Default false. */
  recordConsumed?: boolean;
  /** Keep one row per produced record. Default: same as recordConsumed. */
  recordProduced?: boolean;
  /** Reopen from persisted disks instead of the scenario's initial state (kafka/durable.ts). */
  resume?: ClusterResume;
  /**
   * Follower fetches use fetch sessions (KIP-227, broker/fetch-session.ts). Default true;
   * false reads every partition of every fetch, which gives the same run (a test runs both
   * and compares).
   */
  incrementalFetch?: boolean;
  /** The fewest parts a follower fetch has a session for (default FETCH_SESSION_MIN_PARTS). */
  fetchSessionMinParts?: number;
}

/**
 * A restart from disks (kafka/durable.ts restoreCluster): the clock and the PRNG continue
 * from the saved instant, nothing of the scenario's initial state is built, timeline actions
 * at or before `timeMs` are taken as done, and `install` rebuilds brokers, metadata and
 * clients once the controller and the group coordinator exist.
 */
export interface ClusterResume {
  timeMs: number;
  prngState: [number, number, number, number];
  clusterConfig: ConfigMap;
  nextProducerId: number;
  install(hooks: ClusterResumeHooks): void;
}

export interface ClusterResumeHooks {
  /** The cluster being built (install runs inside its constructor). */
  readonly cluster: Cluster;
  /** A broker process with an empty disk, in `brokers`, not started. */
  addBroker(id: number, rack: string | null): Broker;
  /** A producer with the next producer id (ids are never reused: broker producer state survives). */
  addProducer(id: string, config: ConfigMap | undefined): Producer;
  electControllerHost(): void;
}

/** An action without its time: what the UI asks for. */
export type ActionRequest = TimelineAction extends infer A ? (A extends TimelineAction ? Omit<A, 'at'> : never) : never;

export interface LogReadResult {
  broker: number;
  records: RecordView[];
  logStartOffset: number;
  highWatermark: number;
  /** The partition leader's last stable offset (the HW with no open transaction). */
  lastStableOffset: number;
  logEndOffset: number;
}

const textDecoder = new TextDecoder();

/** The controller quorum when a scenario names none: three controller-only nodes (isolated mode). */
/** How often (virtual ms) runUntil repacks the logs' sparse buffers: a walk of every log's batches. */
const REPACK_INTERVAL_MS = 10_000;

export const DEFAULT_CONTROLLERS: readonly number[] = [3000, 3001, 3002];
const MAX_KEPT_EVENTS = 200_000;

/** Kafka's Topic.validate: legal characters, 1 to 249 of them. */
const LEGAL_TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

export class Cluster {
  readonly scheduler = new Scheduler();
  readonly prng: Prng;
  readonly network: Network;
  readonly controller: Controller;
  /** The KRaft controller quorum: which voter is the active controller (controller/quorum.ts). */
  readonly quorum: Quorum;
  readonly coordinator: GroupCoordinator;
  /** The transaction coordinator (KIP-98): transactional ids, their producer ids and epochs, markers. */
  readonly txnCoordinator: TransactionCoordinator;
  readonly brokers = new Map<number, Broker>();
  readonly producers = new Map<string, Producer>();
  readonly consumers = new Map<string, Consumer>();
  readonly ctx: ClusterContext;
  /** What brokers and producers are given: the context plus metadata and peers. */
  private readonly env: Environment;
  private readonly clusterConfig: ConfigMap;
  private readonly brokerConfig: Config;
  /** @internal The cluster-level broker config, for the Context. */
  get brokerConfigView(): Config {
    return this.brokerConfig;
  }
  private readonly timeline: TimelineAction[];
  private nextAction = 0;
  /** When the logs' sparse buffers were last repacked (repackSparseBuffers), virtual ms. */
  private repackedAt = 0;
  private readonly events: ClusterEvent[] = [];
  private eventsDropped = 0;
  private snapshotCursor = 0;
  private readonly produced: ProducedRow[] = [];
  private readonly consumed: ConsumedRow[] = [];
  private nextProducerId = 1000;
  private readonly doc: Scenario;
  private metricSamples: { time: number; counters: Map<string, number> }[] = [];

  constructor(scenario: Scenario, opts: ClusterOptions = {}) {
    this.doc = structuredClone(scenario);
    const resume = opts.resume;
    if (resume) this.scheduler.advanceTo(resume.timeMs);
    this.prng = resume ? Prng.fromState(resume.prngState) : new Prng(scenario.seed);
    this.clusterConfig = { ...((resume ? resume.clusterConfig : scenario.cluster.config) ?? {}) };
    // Resuming builds nothing from the initial state: the disks and the metadata say it all.
    const initial: Scenario = resume ? { ...scenario, cluster: { ...scenario.cluster, brokers: [] }, topics: [], clients: [] } : scenario;
    const badClusterConfig = invalidConfig(this.clusterConfig);
    // The scenario schema refuses these first; a cluster cannot start with them either.
    if (badClusterConfig) throw new Error(`cluster.config["${badClusterConfig.key}"]: ${badClusterConfig.message}`);
    this.brokerConfig = new Config([this.clusterConfig, BROKER_DEFAULTS]);
    this.network = new Network(this.scheduler, this.prng, {
      latencyMs: scenario.cluster.network?.latencyMs ?? 1,
      jitterMs: scenario.cluster.network?.jitterMs ?? 1,
      bandwidthMBps: scenario.cluster.network?.bandwidthMBps ?? DEFAULT_BANDWIDTH_MBPS,
    });
    const recordConsumed = opts.recordConsumed ?? false;
    const recordProduced = opts.recordProduced ?? recordConsumed;
    this.ctx = new Context(this, recordConsumed, recordProduced, opts.incrementalFetch === false ? Infinity : (opts.fetchSessionMinParts ?? FETCH_SESSION_MIN_PARTS));
    this.quorum = new Quorum(this.scheduler, this.network, scenario.seed, new QuorumEvents(this));
    this.controller = new Controller(this.ctx, new ControllerChannel(this));
    this.coordinator = new GroupCoordinator(this.ctx);
    this.txnCoordinator = new TransactionCoordinator(this.ctx, this.coordinator);
    this.env = new Environment(this);

    // Brokers of the scenario exist, registered and unfenced, at time 0.
    for (const spec of initial.cluster.brokers) {
      const b = new Broker(spec.id, spec.rack ?? null, this.env);
      this.brokers.set(spec.id, b);
      this.controller.registerInitialBroker(spec.id, b.rack, 1);
    }
    if (!resume) this.warnIgnoredConfig('broker', 'cluster', this.clusterConfig);
    for (const t of initial.topics ?? []) {
      if (this.refuseInvalidConfig('createTopic', t.config)) continue;
      const r = this.controller.createTopic(t.name, t.partitions, t.replicationFactor, t.config ?? {}, t.assignments);
      if (r.error !== 'NONE') this.reject('createTopic', r.error, r.message);
      else this.warnIgnoredConfig('topic', t.name, t.config);
    }
    // All processes listen before any follower sends its first fetch.
    for (const b of this.brokers.values()) b.start();
    // The controller quorum starts on the voters with the bootstrap metadata, before anything is published.
    if (!resume) this.startQuorum(initial.cluster);
    for (const b of this.brokers.values()) {
      b.bootstrapMetadata(this.controller.metadataVersion);
      b.metadataOffset = this.quorum.committedOffset;
    }
    for (const c of initial.clients ?? []) {
      if (c.kind === 'producer') this.addProducer(c.id, c.config);
      else this.addConsumer(c.id, c.groupId, c.topics, c.config);
    }
    this.timeline = (scenario.timeline ?? []).map((a) => ({ ...a })).sort((a, b) => a.at - b.at);
    this.doc.timeline = this.timeline;
    if (resume) {
      this.nextProducerId = resume.nextProducerId;
      while (this.nextAction < this.timeline.length && this.timeline[this.nextAction]!.at <= resume.timeMs) this.nextAction++;
      resume.install({
        cluster: this,
        addBroker: (id, rack) => {
          const b = new Broker(id, rack, this.env);
          this.brokers.set(id, b);
          return b;
        },
        addProducer: (id, config) => {
          this.addProducer(id, config);
          return this.producers.get(id)!;
        },
        electControllerHost: () => this.startQuorum(scenario.cluster),
      });
    }
    this.startControllerDuties();
  }

  /** What kafka/durable.ts saves beyond the public fields: run-time cluster config, next producer id. */
  durableInternals(): { clusterConfig: ConfigMap; nextProducerId: number } {
    return { clusterConfig: { ...this.clusterConfig }, nextProducerId: this.nextProducerId };
  }

  get now(): number {
    return this.scheduler.now;
  }

  /** Events run so far (the TimeMachine spaces checkpoints by this work). */
  get eventsRun(): number {
    return this.scheduler.eventsRun;
  }

  // ---- the clock ---------------------------------------------------------------------------

  /** Runs timeline actions and events due up to and including untilMs. */
  runUntil(untilMs: number): void {
    // The timeline's actions in order, each after the events due before its instant and
    // before those of its instant; then the events up to untilMs.
    for (let action = this.timeline[this.nextAction]; action !== undefined && action.at <= untilMs; action = this.timeline[this.nextAction]) {
      this.scheduler.runBefore(action.at);
      this.scheduler.advanceTo(action.at);
      this.nextAction++;
      this.apply(action);
    }
    this.scheduler.runUntil(untilMs);
    // Memory, not behaviour: batches of mostly dead buffers are copied out, so long-lived
    // ones stop pinning slabs (log/slab-repack.ts). Same bytes, so no run differs.
    if (untilMs - this.repackedAt >= REPACK_INTERVAL_MS) {
      this.repackedAt = untilMs;
      repackIfDropped(() => {
        const logs: UnifiedLog[] = [];
        for (const b of this.brokers.values()) for (const log of b.logs.values()) logs.push(log);
        return logs;
      });
    }
  }

  /**
   * A live action from the UI: stamped now + 1 ms, recorded into the timeline. One over a
   * playground limit (kafka/limits.ts) is refused with an ActionRejected event and not
   * recorded, so the saved document stays one the schema accepts.
   */
  perform(request: ActionRequest): TimelineAction {
    const at = Math.floor(this.now) + 1;
    const action = { ...request, at } as TimelineAction;
    const overLimit = actionLimitProblem(action);
    if (overLimit !== null) {
      this.reject(action.op, 'POLICY_VIOLATION', `Refused: ${overLimit}.`);
      return action;
    }
    // After every action already due at that millisecond (scripted ones included), so a
    // replay of the recorded, stably sorted timeline runs them in the same order.
    let i = this.nextAction;
    while (i < this.timeline.length && this.timeline[i]!.at <= at) i++;
    this.timeline.splice(i, 0, action);
    return action;
  }

  /**
   * Time travel (worker/time-machine.ts): the actions not applied yet become the branch's
   * (`timeline` is the branch's whole timeline). Its first actions must be the ones this
   * cluster already applied, else it throws: the caller rebuilds the moment instead.
   */
  replaceFutureTimeline(timeline: readonly TimelineAction[]): void {
    const applied = this.nextAction;
    if (applied > timeline.length) throw new Error('the cluster applied actions this branch does not have');
    for (let i = 0; i < applied; i++) {
      if (JSON.stringify(this.timeline[i]) !== JSON.stringify(timeline[i])) throw new Error('the cluster applied another branch');
    }
    // In place: the document (this.doc.timeline) shares the array.
    this.timeline.splice(applied, this.timeline.length - applied, ...timeline.slice(applied).map((a) => ({ ...a })));
  }

  /** The document that reproduces this run: the scenario with every recorded action. */
  scenario(): Scenario {
    return structuredClone({ ...this.doc, timeline: this.timeline });
  }

  setLayout(layout: Record<string, { x: number; y: number }>): void {
    this.doc.layout = { ...layout };
  }

  // ---- actions ------------------------------------------------------------------------------

  private reject(op: string, error: KafkaError, message: string): void {
    this.emit({ type: 'ActionRejected', op, error, message });
  }

  /** Ops that are requests to the active controller (CreateTopics, AlterConfigs, ElectLeaders, ...). */
  private static readonly CONTROLLER_OPS: ReadonlySet<string> = new Set(['createTopic', 'deleteTopic', 'electLeaders', 'addPartitions', 'reassignPartitions']);

  private apply(a: TimelineAction): void {
    // With no active controller nothing can be decided: the admin client gets NOT_CONTROLLER (then times out).
    if (this.quorum.voters.length > 0 && this.controllerHost < 0 && (Cluster.CONTROLLER_OPS.has(a.op) || (a.op === 'alterConfig' && a.entity !== 'client'))) {
      return this.reject(a.op, 'NOT_CONTROLLER', `No active controller: the controller quorum (voters ${this.quorum.voters.join(', ')}) has no leader, so ${a.op} cannot be decided.`);
    }
    switch (a.op) {
      case 'createTopic': {
        if (this.refuseInvalidConfig(a.op, a.config)) return;
        const overLimit = this.partitionLimitProblem(a.partitions, a.replicationFactor);
        if (overLimit) return this.reject(a.op, 'POLICY_VIOLATION', overLimit);
        const r = this.controller.createTopic(a.name, a.partitions, a.replicationFactor, a.config ?? {});
        if (r.error !== 'NONE') this.reject(a.op, r.error, r.message);
        else this.warnIgnoredConfig('topic', a.name, a.config);
        return;
      }
      case 'deleteTopic': {
        const r = this.controller.deleteTopic(a.name);
        if (r.error !== 'NONE') this.reject(a.op, r.error, r.message);
        return;
      }
      case 'alterConfig':
        return this.alterConfig(a.entity, a.name, a.config);
      case 'addBroker': {
        if (this.brokers.has(a.id)) return this.reject(a.op, 'DUPLICATE_BROKER_REGISTRATION', `Broker ${a.id} already exists.`);
        if (this.quorum.isControllerOnly(a.id)) return this.reject(a.op, 'DUPLICATE_BROKER_REGISTRATION', `Node id ${a.id} is controller ${a.id}'s: brokers and controllers share one node.id namespace.`);
        if (this.brokers.size >= LIMITS.brokers) {
          return this.reject(a.op, 'POLICY_VIOLATION', `The cluster has ${this.brokers.size} brokers, the playground's limit (${LIMITS.brokers}).`);
        }
        const b = new Broker(a.id, a.rack ?? null, this.env);
        this.brokers.set(a.id, b);
        b.start();
        this.emit({ type: 'BrokerUp', broker: a.id });
        return;
      }
      case 'removeBroker': {
        const b = this.brokers.get(a.broker);
        if (!b) return this.reject(a.op, 'BROKER_NOT_AVAILABLE', `There is no broker ${a.broker}.`);
        // Stopped, then unregistered (kafka-cluster.sh unregister): the controller fences it
        // (leaders move, the ISR shrinks) and forgets it, but it stays in every replica list.
        if (b.running) {
          b.kill();
          this.emit({ type: 'BrokerDown', broker: a.broker });
        }
        this.brokers.delete(a.broker);
        this.controller.unregisterBroker(a.broker);
        this.emit({ type: 'BrokerUnregistered', broker: a.broker, replicas: this.controller.registrationsFor(a.broker).length });
        this.stopVoter(a.broker);
        return;
      }
      case 'killBroker': {
        const b = this.brokers.get(a.broker);
        if (!b) return this.reject(a.op, 'BROKER_NOT_AVAILABLE', `There is no broker ${a.broker}.`);
        if (!b.running) return this.reject(a.op, 'BROKER_NOT_AVAILABLE', `Broker ${a.broker} is already down.`);
        b.kill();
        this.emit({ type: 'BrokerDown', broker: a.broker });
        this.stopVoter(a.broker);
        return;
      }
      case 'restartBroker': {
        const b = this.brokers.get(a.broker);
        if (!b) return this.reject(a.op, 'BROKER_NOT_AVAILABLE', `There is no broker ${a.broker}.`);
        if (b.running) return this.reject(a.op, 'INVALID_REQUEST', `Broker ${a.broker} is already running.`);
        b.start();
        this.emit({ type: 'BrokerUp', broker: a.broker });
        this.startVoter(a.broker);
        return;
      }
      case 'isolateBroker':
      case 'healBroker': {
        const b = this.brokers.get(a.broker);
        if (!b) return this.reject(a.op, 'BROKER_NOT_AVAILABLE', `There is no broker ${a.broker}.`);
        // A combined broker's controller is cut off or back with it (the quorum notices by its timeouts).
        if (a.op === 'isolateBroker') {
          this.network.isolate(b.node);
          this.emit({ type: 'BrokerIsolated', broker: a.broker });
        } else {
          this.network.heal(b.node);
          this.emit({ type: 'BrokerHealed', broker: a.broker });
        }
        return;
      }
      case 'killController':
      case 'restartController':
      case 'isolateController':
      case 'healController':
        return this.controllerOp(a.op, a.controller);
      case 'slowBroker': {
        const b = this.brokers.get(a.broker);
        if (!b) return this.reject(a.op, 'BROKER_NOT_AVAILABLE', `There is no broker ${a.broker}.`);
        this.network.slow(b.node, a.delayMs);
        this.emit({ type: 'BrokerSlowed', broker: a.broker, delayMs: a.delayMs });
        return;
      }
      case 'addProducer':
        if (this.producers.has(a.id)) return this.reject(a.op, 'INVALID_REQUEST', `Producer ${a.id} already exists.`);
        if (this.clientLimitReached()) return this.reject(a.op, 'POLICY_VIOLATION', this.clientLimitMessage());
        this.addProducer(a.id, a.config);
        this.emit({ type: 'ClientAdded', kind: 'producer', id: a.id, groupId: null, restarted: false });
        return;
      case 'removeProducer': {
        const p = this.producers.get(a.id);
        if (!p) return this.reject(a.op, 'INVALID_REQUEST', `There is no producer ${a.id}.`);
        p.close();
        this.producers.delete(a.id);
        this.emit({ type: 'ClientRemoved', kind: 'producer', id: a.id, groupId: null, crashed: false, groupInstanceId: null });
        return;
      }
      case 'produce': {
        const p = this.producers.get(a.producer);
        if (!p) return this.reject(a.op, 'INVALID_REQUEST', `There is no producer ${a.producer}.`);
        const r = p.send(a.topic, a.key ?? null, a.value, a.headers, a.partition);
        if (r.error) this.reject(a.op, r.error, `Cannot produce to ${a.topic}${a.partition !== undefined ? `-${a.partition}` : ''}: ${r.error}.`);
        return;
      }
      case 'beginTransaction':
      case 'commitTransaction':
      case 'abortTransaction': {
        const p = this.producers.get(a.producer);
        if (!p) return this.reject(a.op, 'INVALID_REQUEST', `There is no producer ${a.producer}.`);
        const r = a.op === 'beginTransaction' ? p.beginTransaction() : a.op === 'commitTransaction' ? p.commitTransaction() : p.abortTransaction();
        if (r) this.reject(a.op, r.error, r.message);
        return;
      }
      case 'sendOffsetsToTransaction': {
        const p = this.producers.get(a.producer);
        if (!p) return this.reject(a.op, 'INVALID_REQUEST', `There is no producer ${a.producer}.`);
        const offsets = a.offsets ?? this.consumedPositions(a.group);
        const r = p.sendOffsetsToTransaction(a.group, offsets);
        if (r) this.reject(a.op, r.error, r.message);
        return;
      }
      case 'startLoad': {
        const p = this.producers.get(a.producer);
        if (!p) return this.reject(a.op, 'INVALID_REQUEST', `There is no producer ${a.producer}.`);
        if (!this.controller.topics.has(a.topic)) return this.reject(a.op, 'UNKNOWN_TOPIC_OR_PARTITION', `Topic '${a.topic}' does not exist.`);
        p.startLoad(a.topic, a.ratePerSec, a.keys ?? 0, a.valueBytes ?? 100);
        return;
      }
      case 'stopLoad': {
        const p = this.producers.get(a.producer);
        if (!p) return this.reject(a.op, 'INVALID_REQUEST', `There is no producer ${a.producer}.`);
        p.stopLoad(a.topic);
        return;
      }
      case 'addConsumer':
        if (this.consumers.has(a.id) && this.consumers.get(a.id)!.view().status !== 'closed' && this.consumers.get(a.id)!.view().status !== 'crashed') {
          return this.reject(a.op, 'INVALID_REQUEST', `Consumer ${a.id} already exists.`);
        }
        if (!this.consumers.has(a.id) && this.clientLimitReached()) return this.reject(a.op, 'POLICY_VIOLATION', this.clientLimitMessage());
        this.addConsumer(a.id, a.groupId, a.topics, a.config);
        this.emit({ type: 'ClientAdded', kind: 'consumer', id: a.id, groupId: a.groupId, restarted: false });
        return;
      case 'restartConsumer': {
        const old = this.consumers.get(a.id);
        if (!old) return this.reject(a.op, 'INVALID_REQUEST', `There is no consumer ${a.id}.`);
        const was = old.describe();
        if (was.status !== 'closed' && was.status !== 'crashed') return this.reject(a.op, 'INVALID_REQUEST', `Consumer ${a.id} is running: close or crash it first.`);
        this.addConsumer(was.id, was.groupId, was.topics, was.config);
        if (was.msPerRecord > 0) this.consumers.get(a.id)?.setProcessingTime(was.msPerRecord);
        this.emit({ type: 'ClientAdded', kind: 'consumer', id: a.id, groupId: was.groupId, restarted: true });
        return;
      }
      case 'removeConsumer': {
        const c = this.consumers.get(a.id);
        if (!c) return this.reject(a.op, 'INVALID_REQUEST', `There is no consumer ${a.id}.`);
        const v = c.view();
        if (v.status === 'closed' || v.status === 'crashed') return; // already stopped: nothing happens
        c.close(a.graceful ?? true);
        this.emit({ type: 'ClientRemoved', kind: 'consumer', id: a.id, groupId: v.groupId, crashed: !(a.graceful ?? true), groupInstanceId: v.groupInstanceId });
        return;
      }
      case 'subscribe': {
        const c = this.consumers.get(a.consumer);
        if (!c) return this.reject(a.op, 'INVALID_REQUEST', `There is no consumer ${a.consumer}.`);
        const live = c.view().status;
        if (live === 'closed' || live === 'crashed') return this.reject(a.op, 'INVALID_REQUEST', `Consumer ${a.consumer} is ${live}: restart it first.`);
        const topics = [...new Set(a.topics)].sort();
        c.subscribe(topics);
        this.emit({ type: 'Subscribed', consumer: a.consumer, groupId: c.groupId, topics });
        return;
      }
      case 'changeGroup': {
        const c = this.consumers.get(a.consumer);
        if (!c) return this.reject(a.op, 'INVALID_REQUEST', `There is no consumer ${a.consumer}.`);
        const was = c.describe();
        if (was.status === 'closed' || was.status === 'crashed') return this.reject(a.op, 'INVALID_REQUEST', `Consumer ${a.consumer} is ${was.status}: restart it first.`);
        if (was.groupId === a.groupId) return this.reject(a.op, 'INVALID_REQUEST', `Consumer ${a.consumer} is already in group ${a.groupId}.`);
        if (was.topics.length === 0) return this.reject(a.op, 'INVALID_REQUEST', `Consumer ${a.consumer} subscribes to no topic: subscribe it to one first.`);
        // group.id is fixed for a KafkaConsumer's life: the application closes it and creates
        // a new one with the same settings and the new group.id.
        const v = c.view();
        c.close(true);
        this.emit({ type: 'ClientRemoved', kind: 'consumer', id: a.consumer, groupId: v.groupId, crashed: false, groupInstanceId: v.groupInstanceId });
        this.addConsumer(was.id, a.groupId, was.topics, was.config);
        if (was.msPerRecord > 0) this.consumers.get(a.consumer)?.setProcessingTime(was.msPerRecord);
        this.emit({ type: 'ClientAdded', kind: 'consumer', id: a.consumer, groupId: a.groupId, restarted: false });
        return;
      }
      case 'setProcessingTime': {
        const c = this.consumers.get(a.consumer);
        if (!c) return this.reject(a.op, 'INVALID_REQUEST', `There is no consumer ${a.consumer}.`);
        c.setProcessingTime(a.msPerRecord);
        return;
      }
      case 'resetOffsets': {
        const r = this.coordinator.resetOffsets(a.group, a.topic, a.to, a.partition);
        if (r.error) this.reject(a.op, r.error, r.message ?? `Cannot reset offsets of group ${a.group}.`);
        return;
      }
      case 'electLeaders': {
        const r = this.controller.electLeaders(a.topic, a.partition, a.type);
        if (r.error !== 'NONE') this.reject(a.op, r.error, r.message);
        return;
      }
      case 'addPartitions': {
        const t = this.controller.topics.get(a.topic);
        if (t && a.partitions > t.partitions.length) {
          const overLimit = this.partitionLimitProblem(a.partitions - t.partitions.length, t.partitions[0]?.replicas.length ?? 1);
          if (overLimit) return this.reject(a.op, 'POLICY_VIOLATION', overLimit);
        }
        const r = this.controller.createPartitions(a.topic, a.partitions);
        if (r.error !== 'NONE') this.reject(a.op, r.error, r.message);
        return;
      }
      case 'reassignPartitions':
        return this.reassignPartitions([{ topic: a.topic, partition: a.partition, replicas: a.replicas }], a.throttleBytesPerSec);
      case 'powerCut':
        return this.powerCut();
      default: {
        const never: never = a;
        throw new Error(`unknown op ${(never as { op: string }).op}`);
      }
    }
  }

  /**
   * Every machine loses power at once and comes back: each running broker restarts from its
   * disk (its logs, leader-epoch and offset checkpoints; the controller's metadata log
   * survives), nothing in memory or in flight survives, and every client process restarts
   * with its settings: producers under a new producer id, resuming their loads; consumers
   * rejoin their groups from the committed offsets (the old members, still known to the
   * coordinator, expire after session.timeout.ms unless they are static members).
   * Durability here is of the whole log: the playground does not model the page cache.
   */
  private powerCut(): void {
    const running = [...this.brokers.values()].filter((b) => b.running).sort((x, y) => x.brokerId - y.brokerId);
    const producers = [...this.producers.values()].map((p) => ({
      id: p.id,
      config: p.userConfigMap(),
      loads: p.loadSpecs(),
      counters: { acked: p.acked, failed: p.failed, retries: p.retries },
      loadSeq: p.loadSeq,
    }));
    const consumers = [...this.consumers.values()].map((c) => c.describe()).filter((c) => c.status !== 'closed' && c.status !== 'crashed');
    this.emit({ type: 'PowerCut', brokers: running.map((b) => b.brokerId) });
    for (const p of this.producers.values()) p.close();
    for (const c of consumers) this.consumers.get(c.id)!.close(false);
    for (const b of running) {
      b.kill();
      this.emit({ type: 'BrokerDown', broker: b.brokerId });
      this.stopVoter(b.brokerId);
    }
    for (const b of running) {
      b.start();
      this.emit({ type: 'BrokerUp', broker: b.brokerId });
      this.startVoter(b.brokerId);
    }
    for (const spec of producers) {
      this.producers.delete(spec.id);
      this.addProducer(spec.id, spec.config);
      const p = this.producers.get(spec.id);
      if (!p) continue;
      // Records in the old process's buffers died with it: "sent" counts those that reached an end.
      p.sent = spec.counters.acked + spec.counters.failed;
      p.acked = spec.counters.acked;
      p.failed = spec.counters.failed;
      p.retries = spec.counters.retries;
      p.loadSeq = spec.loadSeq;
      for (const l of spec.loads) p.startLoad(l.topic, l.ratePerSec, l.keys, l.valueBytes);
    }
    for (const c of consumers) {
      this.addConsumer(c.id, c.groupId, c.topics, c.config);
      if (c.msPerRecord > 0) this.consumers.get(c.id)?.setProcessingTime(c.msPerRecord);
    }
  }

  /**
   * kafka-reassign-partitions --execute: with a throttle, first the throttle configs as the
   * tool sets them (the rate on the brokers, here cluster-wide; the topics' leader throttle on
   * the current replicas and follower throttle on the adding ones, merged with what is
   * there), then AlterPartitionReassignments for each partition. A partition refused is
   * reported; the others go on, as Kafka answers per partition.
   */
  private reassignPartitions(items: { topic: string; partition: number; replicas: number[] | null }[], throttle: number | undefined): void {
    if (throttle !== undefined) {
      this.alterConfig('broker', 'cluster', { 'leader.replication.throttled.rate': throttle, 'follower.replication.throttled.rate': throttle });
      const byTopic = new Map<string, { leader: Set<string>; follower: Set<string> }>();
      for (const it of items) {
        const reg = this.controller.topics.get(it.topic)?.partitions[it.partition];
        if (!reg || it.replicas === null) continue;
        const current = reg.replicas.filter((id) => !(reg.addingReplicas ?? []).includes(id));
        let t = byTopic.get(it.topic);
        if (!t) {
          const cfg = this.controller.topics.get(it.topic)!.config;
          const existing = (k: string) => new Set(String(cfg[k] ?? '').split(',').map((x) => x.trim()).filter((x) => x !== ''));
          t = { leader: existing('leader.replication.throttled.replicas'), follower: existing('follower.replication.throttled.replicas') };
          byTopic.set(it.topic, t);
        }
        for (const id of current) t.leader.add(`${it.partition}:${id}`);
        for (const id of it.replicas) if (!current.includes(id)) t.follower.add(`${it.partition}:${id}`);
      }
      for (const [topic, t] of [...byTopic].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const config: ConfigMap = { 'leader.replication.throttled.replicas': [...t.leader].join(',') };
        if (t.follower.size > 0) config['follower.replication.throttled.replicas'] = [...t.follower].join(',');
        this.alterConfig('topic', topic, config);
      }
    }
    for (const it of items) {
      const r = this.controller.reassignPartition(it.topic, it.partition, it.replicas);
      if (r.error !== 'NONE') this.reject('reassignPartitions', r.error, r.message);
    }
  }

  /** Why a new topic would take the cluster over the partition or replica limit, or null. */
  private partitionLimitProblem(partitions: number, replicationFactor: number): string | null {
    let total = 0;
    let replicas = 0;
    for (const t of this.controller.topics.values()) {
      total += t.partitions.length;
      replicas += t.partitions.length * (t.partitions[0]?.replicas.length ?? 0);
    }
    if (total + partitions > LIMITS.totalPartitions) {
      return `The cluster would have ${total + partitions} partitions in all, more than the playground's limit of ${LIMITS.totalPartitions}.`;
    }
    if (replicas + partitions * replicationFactor > LIMITS.totalReplicas) {
      return `The cluster would have ${replicas + partitions * replicationFactor} partition replicas in all, more than the playground's limit of ${LIMITS.totalReplicas}.`;
    }
    return null;
  }

  private clientLimitReached(): boolean {
    return this.producers.size + this.consumers.size >= LIMITS.clients;
  }

  private clientLimitMessage(): string {
    return `The cluster has ${this.producers.size + this.consumers.size} clients, the playground's limit (${LIMITS.clients}).`;
  }

  private alterConfig(entity: 'broker' | 'topic' | 'client', name: string, config: ConfigMap): void {
    // A null removes a broker or topic override (Kafka's DELETE, kafka-configs --delete-config):
    // the default applies again. Only the values set are checked.
    const set = entity === 'client' ? config : Object.fromEntries(Object.entries(config).filter(([, v]) => v !== null));
    if (this.refuseInvalidConfig('alterConfig', set)) return;
    if (entity === 'broker') {
      for (const [k, v] of Object.entries(config)) {
        if (v === null) delete this.clusterConfig[k];
        else putOwn(this.clusterConfig, k, v);
      }
      this.brokerConfig.invalidate();
      this.controller.invalidateConfigs();
      for (const b of this.brokers.values()) for (const t of this.controller.topics.keys()) b.refreshLogConfig(t);
      this.controller.retryOfflinePartitions();
    } else if (entity === 'topic') {
      const r = this.controller.alterTopicConfig(name, config);
      if (r.error !== 'NONE') return this.reject('alterConfig', r.error, r.message);
      for (const b of this.brokers.values()) b.refreshLogConfig(name);
    } else {
      const p = this.producers.get(name);
      const c = this.consumers.get(name);
      if (p) {
        const problem = producerConfigProblem({ ...p.userConfigMap(), ...config });
        if (problem !== null) return this.reject('alterConfig', 'INVALID_CONFIG', problem);
        p.alterConfig(config);
      } else if (c) {
        const was = c.describe();
        const problem = consumerConfigProblem({ ...was.config, ...config });
        if (problem !== null) return this.reject('alterConfig', 'INVALID_CONFIG', problem);
        const protocolOf = (m: ConfigMap) => String(m['group.protocol'] ?? 'classic').toLowerCase();
        if (was.status !== 'closed' && was.status !== 'crashed' && protocolOf({ ...was.config, ...config }) !== protocolOf(was.config)) {
          // A KafkaConsumer's group.protocol is fixed for its life.
          return this.reject('alterConfig', 'INVALID_REQUEST', `Consumer ${name} is running: group.protocol is fixed for a consumer's life; close it, change it, then restart it.`);
        }
        c.alterConfig(config);
      }
      else return this.reject('alterConfig', 'INVALID_REQUEST', `There is no client ${name}.`);
    }
    this.emit({ type: 'ConfigAltered', entity, name, config: { ...config } });
    const kind = entity === 'client' ? (this.producers.has(name) ? 'producer' : 'consumer') : entity;
    this.warnIgnoredConfig(kind, name, config);
  }

  /**
   * auto.create.topics.enable (Kafka's default: true): a client's metadata request for a
   * topic that does not exist makes the broker create it with num.partitions and
   * default.replication.factor (AutoTopicCreationManager). Fails quietly, as the client
   * only sees UNKNOWN_TOPIC_OR_PARTITION again: an illegal name, too few live brokers.
   * True when the topic now exists.
   */
  autoCreateTopic(topic: string, client: string): boolean {
    if (!this.brokerConfig.bool('auto.create.topics.enable') || this.controllerHost < 0) return false;
    if (!LEGAL_TOPIC_NAME.test(topic) || topic === '.' || topic === '..' || topic.startsWith('__')) return false;
    const r = this.controller.createTopic(topic, this.brokerConfig.int('num.partitions'), this.brokerConfig.int('default.replication.factor'), {}, undefined, client);
    return r.error === 'NONE';
  }

  /** Keys an entity does not know are kept but do nothing: say so, as Kafka's log warns. */
  private warnIgnoredConfig(entity: ConfigEntity, name: string, config: ConfigMap | undefined): void {
    for (const { key, belongsTo, notModelled } of ignoredConfigKeys(entity, config)) {
      this.emit(notModelled === undefined ? { type: 'ConfigIgnored', entity, name, key, belongsTo } : { type: 'ConfigIgnored', entity, name, key, belongsTo, notModelled });
    }
  }

  /** A config with a value of the wrong type or range is refused, as Kafka's ConfigDef refuses it. */
  private refuseInvalidConfig(op: string, config: ConfigMap | undefined): boolean {
    const bad = invalidConfig(config);
    if (bad) this.reject(op, 'INVALID_CONFIG', bad.message);
    return bad !== null;
  }

  private addProducer(id: string, config: ConfigMap | undefined): void {
    if (this.refuseInvalidConfig('addProducer', config)) return;
    const problem = producerConfigProblem(config);
    if (problem !== null) return this.reject('addProducer', 'INVALID_CONFIG', problem);
    const p = new Producer(this.env, id, config, this.nextProducerId++);
    p.initUserConfig(config);
    this.producers.set(id, p);
    this.warnIgnoredConfig('producer', id, config);
  }

  private addConsumer(id: string, groupId: string, topics: string[], config: ConfigMap | undefined): void {
    if (this.refuseInvalidConfig('addConsumer', config)) return;
    const problem = consumerConfigProblem(config);
    if (problem !== null) return this.reject('addConsumer', 'INVALID_CONFIG', problem);
    const c = new Consumer(this.ctx, this.coordinator, { id, groupId, topics, config });
    this.consumers.set(id, c);
    this.warnIgnoredConfig('consumer', id, config);
    c.start();
  }

  // ---- the controller quorum and its duties ------------------------------------------------

  /**
   * The voters and which of them are controller-only: cluster.controllers (controller-only)
   * plus brokers with process.roles broker,controller (combined); else
   * controller.quorum.voters (ids of brokers are combined, the others controller-only); else
   * three controller-only nodes, DEFAULT_CONTROLLERS (isolated mode, as Kafka recommends in
   * production), so killing brokers never takes the quorum with them.
   */
  private quorumVoters(spec: { brokers: readonly BrokerSpec[]; controllers?: readonly { id: number }[] }): { voters: number[]; controllerOnly: number[] } {
    const combined = spec.brokers.filter((b) => b['process.roles'] === 'broker,controller').map((b) => b.id);
    const only = (spec.controllers ?? []).map((c) => c.id);
    if (combined.length + only.length > 0) return { voters: [...only, ...combined], controllerOnly: only };
    const configured = String(this.brokerConfig.raw('controller.quorum.voters') ?? '');
    if (configured.trim() !== '') {
      const ids = parseQuorumVoters(configured);
      if (typeof ids !== 'string' && ids.length > 0) {
        const brokerIds = new Set(spec.brokers.map((b) => b.id));
        return { voters: ids, controllerOnly: ids.filter((id) => !brokerIds.has(id)) };
      }
    }
    return { voters: DEFAULT_CONTROLLERS.slice(), controllerOnly: DEFAULT_CONTROLLERS.slice() };
  }

  /** Formats the voters with the metadata so far (the bootstrap log) and starts the quorum. */
  private startQuorum(spec: { brokers: readonly BrokerSpec[]; controllers?: readonly { id: number }[] }): void {
    const { voters, controllerOnly } = this.quorumVoters(spec);
    for (const id of controllerOnly) this.network.up(controllerNode(id));
    this.quorum.start(voters, (id) => controllerOnly.includes(id) || (this.brokers.get(id)?.running ?? false), this.controller.imageRecords(), controllerOnly);
  }

  /**
   * A controller-only node's process or network. On a combined node the controller shares the
   * broker's process and network: the op is the broker's (killController 1 = killBroker 1).
   */
  private controllerOp(op: 'killController' | 'restartController' | 'isolateController' | 'healController', id: number): void {
    if (!this.quorum.isVoter(id)) return this.reject(op, 'INVALID_REQUEST', `There is no controller ${id} (voters: ${this.quorum.voters.join(', ') || 'none'}).`);
    if (!this.quorum.isControllerOnly(id)) {
      const brokerOp = ({ killController: 'killBroker', restartController: 'restartBroker', isolateController: 'isolateBroker', healController: 'healBroker' } as const)[op];
      return this.apply({ at: this.now, op: brokerOp, broker: id });
    }
    const node = controllerNode(id);
    const running = this.quorum.nodes.get(id)!.running;
    switch (op) {
      case 'killController':
        if (!running) return this.reject(op, 'INVALID_REQUEST', `Controller ${id} is already down.`);
        this.network.down(node);
        this.stopVoter(id);
        return;
      case 'restartController':
        if (running) return this.reject(op, 'INVALID_REQUEST', `Controller ${id} is already running.`);
        this.network.up(node);
        this.startVoter(id);
        return;
      case 'isolateController':
        this.network.isolate(node);
        this.emit({ type: 'ControllerIsolated', controller: id });
        return;
      case 'healController':
        this.network.heal(node);
        this.emit({ type: 'ControllerHealed', controller: id });
        return;
    }
  }

  /** @internal A combined broker's controller process stops with it. */
  private stopVoter(id: number): void {
    if (!this.quorum.isVoter(id)) return;
    this.quorum.stopNode(id);
    this.emit({ type: 'ControllerDown', controller: id });
  }

  private startVoter(id: number): void {
    if (!this.quorum.isVoter(id)) return;
    this.quorum.startNode(id);
    this.emit({ type: 'ControllerUp', controller: id });
  }

  /** @internal The quorum's active controller changed (QuorumEvents). */
  activeControllerChanged(previous: number, next: number, rebuild: MetadataImage | null): void {
    if (rebuild) this.controller.rebuildImage(rebuild);
    if (next >= 0) {
      // A new active controller gives every broker a fresh session (BrokerHeartbeatManager
      // starts empty), so none is fenced for heartbeats the old one never got.
      this.controller.resetSessions();
      this.emit({ type: 'ControllerElected', broker: next });
    } else if (previous >= 0) {
      this.emit({ type: 'ControllerLost', broker: previous });
    }
  }

  /** @internal */
  raftConfig(): RaftConfig {
    return {
      electionTimeoutMs: this.brokerConfig.int('controller.quorum.election.timeout.ms'),
      fetchTimeoutMs: this.brokerConfig.int('controller.quorum.fetch.timeout.ms'),
    };
  }

  private startControllerDuties(): void {
    this.scheduler.after(1000, call(this, this.controllerTick));
    this.scheduler.after(this.brokerConfig.int('leader.imbalance.check.interval.seconds') * 1000, call(this, this.leaderRebalanceTick));
  }

  /** @scheduled Every second: broker session expiry, at the active controller. */
  private controllerTick(): void {
    if (this.controllerHost >= 0) this.controller.checkSessions();
    this.scheduler.after(1000, call(this, this.controllerTick));
  }

  /** @scheduled Every leader.imbalance.check.interval.seconds. */
  private leaderRebalanceTick(): void {
    if (this.controllerHost >= 0 && this.brokerConfig.bool('auto.leader.rebalance.enable')) this.controller.autoRebalanceLeaders();
    this.scheduler.after(this.brokerConfig.int('leader.imbalance.check.interval.seconds') * 1000, call(this, this.leaderRebalanceTick));
  }

  // ---- wiring (used by the Context, Environment and ControllerChannel below) -----------------

  /** @internal The running broker with this id, or undefined. */
  peer(id: number): Broker | undefined {
    const b = this.brokers.get(id);
    return b && b.running ? b : undefined;
  }

  /** @internal */
  get controllerHost(): number {
    return this.quorum.activeId;
  }

  /** @internal */
  logConfig(topic: string): LogConfig {
    return logConfigFrom(this.controller.topicConfig(topic));
  }

  /** Records consumed so far (when recording), read only: tests driving an application loop. */
  consumedRows(): readonly ConsumedRow[] {
    return this.consumed;
  }

  /** @internal An output row for the runner (only when recording). */
  record(row: { produced: ProducedRow } | { consumed: ConsumedRow }): void {
    if ('produced' in row) this.produced.push(row.produced);
    else this.consumed.push(row.consumed);
  }

  /** @internal */
  emit(e: ClusterEventBody): void {
    this.events.push({ at: this.scheduler.now, ...e } as ClusterEvent);
    if (this.events.length > MAX_KEPT_EVENTS && !this.ctx.recordingConsumed) {
      const drop = this.events.length - MAX_KEPT_EVENTS;
      this.events.splice(0, drop);
      this.eventsDropped += drop;
      this.snapshotCursor = Math.max(0, this.snapshotCursor - drop);
    }
  }

  /** @internal The leader's replica (running), for reads that need the truth. */
  leaderPartition(topic: string, partition: number) {
    const reg = this.controller.topics.get(topic)?.partitions[partition];
    if (!reg || reg.leader < 0) return undefined;
    const p = this.peer(reg.leader)?.partitions.get(`${topic}-${partition}`);
    return p && p.isLeader ? p : undefined;
  }

  /** @internal With no leader: the replica log with the highest log end offset (lowest broker id on ties). */
  bestLog(topic: string, partition: number): { broker: number; log: UnifiedLog } | undefined {
    const reg = this.controller.topics.get(topic)?.partitions[partition];
    if (!reg) return undefined;
    let best: { broker: number; log: UnifiedLog } | undefined;
    for (const id of [...reg.replicas].sort((a, b) => a - b)) {
      const log = this.brokers.get(id)?.logs.get(`${topic}-${partition}`);
      if (log && (!best || log.logEndOffset > best.log.logEndOffset)) best = { broker: id, log };
    }
    return best;
  }

  // ---- views ------------------------------------------------------------------------------------

  private brokerViews(): BrokerView[] {
    const sessionTimeoutMs = this.brokerConfig.int('broker.session.timeout.ms');
    return [...this.brokers.values()]
      .sort((a, b) => a.brokerId - b.brokerId)
      .map((b) => {
        const status = !b.running ? 'down' : this.network.isIsolated(b.node) ? 'isolated' : 'up';
        const reg = this.controller.brokers.get(b.brokerId);
        const fenced = reg?.fenced ?? true;
        // Its heartbeats stopped reaching the controller: the session runs out at this time.
        const fenceAt = status !== 'up' && !fenced && reg && this.controllerHost >= 0 ? reg.lastHeartbeatMs + sessionTimeoutMs : null;
        return {
          id: b.brokerId,
          rack: b.rack,
          status,
          fenced,
          slowMs: this.network.slowness(b.node),
          fenceAt,
          sessionTimeoutMs,
          metadataOffset: b.metadataOffset,
          processRoles: this.quorum.isVoter(b.brokerId) ? 'broker,controller' : 'broker',
        };
      });
  }

  /** Offline, under-replicated and under-min-ISR counts from the partitions' flags. */
  private health(partitions: PartitionView[]): NonNullable<ClusterSnapshot['health']> {
    let offlinePartitions = 0;
    let underReplicatedPartitions = 0;
    let underMinIsrPartitions = 0;
    for (const p of partitions) {
      if (p.offline) offlinePartitions++;
      if (p.underReplicated) underReplicatedPartitions++;
      if (p.underMinIsr) underMinIsrPartitions++;
    }
    return { offlinePartitions, underReplicatedPartitions, underMinIsrPartitions };
  }

  private partitionViews(withRecords: boolean): PartitionView[] {
    const out: PartitionView[] = [];
    for (const t of this.controller.sortedTopics()) {
      t.partitions.forEach((reg, p) => {
        const key = `${t.name}-${p}`;
        const replicaStates: ReplicaView[] = [];
        for (const id of reg.replicas) {
          const log = this.brokers.get(id)?.logs.get(key);
          if (!log) continue;
          replicaStates.push({ broker: id, logEndOffset: log.logEndOffset, highWatermark: log.highWatermark, logStartOffset: log.logStartOffset });
        }
        const leader = this.leaderPartition(t.name, p);
        const source = leader ? { broker: reg.leader, log: leader.log } : this.bestLog(t.name, p);
        const leaderBroker = reg.leader >= 0 ? this.brokers.get(reg.leader) : undefined;
        const leaderAlive = leaderBroker !== undefined && leaderBroker.running && !this.network.isIsolated(leaderBroker.node);
        const minIsr = this.controller.topicConfig(t.name).int('min.insync.replicas');
        const view: PartitionView = {
          topic: t.name,
          partition: p,
          leader: reg.leader,
          leaderEpoch: reg.leaderEpoch,
          replicas: reg.replicas.slice(),
          isr: reg.isr.slice(),
          ...(reg.addingReplicas ? { addingReplicas: reg.addingReplicas.slice(), removingReplicas: (reg.removingReplicas ?? []).slice() } : {}),
          highWatermark: source?.log.highWatermark ?? 0,
          logStartOffset: source?.log.logStartOffset ?? 0,
          lastStableOffset: leader ? leader.lastStableOffset : (source?.log.highWatermark ?? 0),
          replicaStates,
          leaderAlive,
          minIsr,
          offline: !leaderAlive,
          underReplicated: leaderAlive && reg.isr.length < reg.replicas.length,
          underMinIsr: leaderAlive && reg.isr.length < Math.min(minIsr, reg.replicas.length),
        };
        if (withRecords) view.records = source ? this.decode(source.log, source.log.logStartOffset, Infinity) : [];
        out.push(view);
      });
    }
    return out;
  }

  private decode(log: UnifiedLog, fromOffset: number, limit: number): RecordView[] {
    const out: RecordView[] = [];
    const read = log.read(Math.max(fromOffset, log.logStartOffset), Number.MAX_SAFE_INTEGER, log.logEndOffset);
    for (const b of read.batches) {
      const control = batchIsControl(b) ? controlBatchType(b) : null;
      const transactional = batchIsTransactional(b) ? { producerId: batchProducerId(b) } : null;
      for (const r of decodeRecords(b)) {
        if (r.offset < fromOffset) continue;
        if (out.length >= limit) return out;
        const rec: RecordView = {
          offset: r.offset,
          // A marker's key and value are binary (ControlRecordType, EndTransactionMarker): shown by its type.
          key: control ? null : r.key === null ? null : textDecoder.decode(r.key),
          value: control ? null : r.value === null ? null : textDecoder.decode(r.value),
          timestamp: r.timestamp,
        };
        if (control) rec.control = control;
        if (transactional) rec.transactional = { ...transactional };
        if (r.headers.length > 0) {
          rec.headers = {};
          for (const h of r.headers) rec.headers[h.key] = h.value === null ? '' : textDecoder.decode(h.value);
        }
        out.push(rec);
      }
    }
    return out;
  }

  /** A partition's log for the inspector: the chosen broker's replica, else the leader's. */
  readLog(topic: string, partition: number, opts: { broker?: number; fromOffset?: number; limit?: number } = {}): LogReadResult | null {
    const key = `${topic}-${partition}`;
    let source: { broker: number; log: UnifiedLog } | undefined;
    if (opts.broker !== undefined) {
      const log = this.brokers.get(opts.broker)?.logs.get(key);
      if (log) source = { broker: opts.broker, log };
    } else {
      const leader = this.leaderPartition(topic, partition);
      const reg = this.controller.topics.get(topic)?.partitions[partition];
      source = leader && reg ? { broker: reg.leader, log: leader.log } : this.bestLog(topic, partition);
    }
    if (!source) return null;
    const limit = Math.max(1, Math.min(opts.limit ?? 200, 5000));
    const from = opts.fromOffset ?? Math.max(source.log.logStartOffset, source.log.logEndOffset - limit);
    return {
      broker: source.broker,
      records: this.decode(source.log, from, limit),
      logStartOffset: source.log.logStartOffset,
      highWatermark: source.log.highWatermark,
      lastStableOffset: this.lastStableOffsetOf(topic, partition, source.log),
      logEndOffset: source.log.logEndOffset,
    };
  }

  /** The leader's last stable offset, or the log's HW when it is not the leader's. */
  private lastStableOffsetOf(topic: string, partition: number, log: UnifiedLog): number {
    const leader = this.leaderPartition(topic, partition);
    return leader && leader.log === log ? leader.lastStableOffset : log.highWatermark;
  }

  /** The positions of a group's live consumers (what sendOffsetsToTransaction sends when an action names no offsets). */
  private consumedPositions(groupId: string): { topic: string; partition: number; offset: number }[] {
    const out: { topic: string; partition: number; offset: number }[] = [];
    for (const c of this.consumers.values()) {
      const v = c.view();
      if (v.groupId !== groupId || v.status === 'closed' || v.status === 'crashed') continue;
      for (const p of v.positions) if (p.position >= 0) out.push({ topic: p.topic, partition: p.partition, offset: p.position });
    }
    return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  /** A page of a topic's records as a consumer sees them (src/kafka/browse.ts): reads only. */
  browse(req: BrowseRequest): BrowseResult {
    return browseRecords(
      {
        now: this.now,
        partitionCount: (topic) => this.controller.topics.get(topic)?.partitions.length ?? null,
        leaderLog: (topic, partition) => {
          const p = this.leaderPartition(topic, partition);
          const reg = this.controller.topics.get(topic)?.partitions[partition];
          return p && reg ? { broker: reg.leader, log: p.log } : null;
        },
      },
      req,
    );
  }

  private topicViews(): TopicView[] {
    return this.controller.sortedTopics().map((t) => ({
      name: t.name,
      partitions: t.partitions.length,
      replicationFactor: t.partitions[0]?.replicas.length ?? 0,
      config: { ...t.config } as Record<string, ConfigValue>,
    }));
  }

  /** `groups` and `consumerViews` (by client id): the snapshot's own, when it has them already. */
  metrics(groups: GroupView[] = this.coordinator.describeGroups(), consumerViews?: ReadonlyMap<string, ConsumerView>): MetricsView {
    const now = this.now;
    const counters = new Map<string, number>();
    const brokers: MetricsView['brokers'] = {};
    for (const b of [...this.brokers.values()].sort((x, y) => x.brokerId - y.brokerId)) {
      let urp = 0;
      let underMin = 0;
      let atMin = 0;
      let leaders = 0;
      for (const p of b.partitions.values()) {
        if (!p.isLeader) continue;
        leaders++;
        if (p.isr.length < p.replicas.length) urp++;
        const min = Math.min(this.controller.topicConfig(p.topic).int('min.insync.replicas'), p.replicas.length);
        if (p.isr.length < min) underMin++;
        else if (p.isr.length === min) atMin++;
      }
      counters.set(`m${b.brokerId}`, b.messagesIn);
      counters.set(`bi${b.brokerId}`, b.bytesIn);
      counters.set(`bo${b.brokerId}`, b.bytesOut);
      counters.set(`is${b.brokerId}`, this.controller.isrShrinksByLeader.get(b.brokerId) ?? 0);
      counters.set(`ie${b.brokerId}`, this.controller.isrExpandsByLeader.get(b.brokerId) ?? 0);
      brokers[b.brokerId] = {
        UnderReplicatedPartitions: urp,
        UnderMinIsrPartitionCount: underMin,
        AtMinIsrPartitionCount: atMin,
        LeaderCount: leaders,
        PartitionCount: b.partitions.size,
        IsrShrinksPerSec: 0,
        IsrExpandsPerSec: 0,
        MessagesInPerSec: 0,
        BytesInPerSec: 0,
        BytesOutPerSec: 0,
      };
    }
    const c = this.controller;
    for (const [id, p] of this.producers) {
      counters.set(`ps:${id}`, p.sent);
      counters.set(`pe:${id}`, p.failed);
      counters.set(`pr:${id}`, p.retries);
      counters.set(`pl:${id}`, p.latencySumMs);
      counters.set(`pn:${id}`, p.latencyCount);
    }
    const consumers = [...this.consumers]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, x]) => ({ id, x, v: consumerViews?.get(id) ?? x.view() }));
    for (const { id, v } of consumers) counters.set(`cc:${id}`, v.consumed);
    counters.set('shrinks', c.isrShrinks);
    counters.set('expands', c.isrExpands);
    counters.set('unclean', c.uncleanLeaderElections);
    counters.set('elections', c.leaderElections);
    // Rates over the last second of virtual time.
    this.metricSamples.push({ time: now, counters });
    while (this.metricSamples.length > 2 && now - this.metricSamples[1]!.time >= 1000) this.metricSamples.shift();
    const base = this.metricSamples[0]!;
    const dt = (now - base.time) / 1000;
    // A counter below its earlier value was reset (a broker process restarted): what it
    // holds now was all counted since then (counterIncrease).
    const rate = (k: string) => (dt > 0 ? counterIncrease(base.counters.get(k) ?? 0, counters.get(k) ?? 0) / dt : 0);
    for (const id of Object.keys(brokers).map(Number)) {
      const m = brokers[id]!;
      m.MessagesInPerSec = rate(`m${id}`);
      m.BytesInPerSec = rate(`bi${id}`);
      m.BytesOutPerSec = rate(`bo${id}`);
      m.IsrShrinksPerSec = rate(`is${id}`);
      m.IsrExpandsPerSec = rate(`ie${id}`);
    }
    const groupLag: MetricsView['groups'] = {};
    for (const g of groups) {
      let max = 0;
      let sum = 0;
      for (const o of g.offsets) {
        const lag = o.lag ?? 0;
        sum += lag;
        if (lag > max) max = lag;
      }
      groupLag[g.groupId] = { 'records-lag-max': max, 'records-lag-sum': sum };
    }
    const delta = (k: string) => (counters.get(k) ?? 0) - (base.counters.get(k) ?? 0);
    const producers: MetricsView['producers'] = {};
    for (const id of [...this.producers.keys()].sort()) {
      const requests = delta(`pn:${id}`);
      producers[id] = {
        'record-send-rate': rate(`ps:${id}`),
        'record-error-rate': rate(`pe:${id}`),
        'record-retry-rate': rate(`pr:${id}`),
        'request-latency-avg': requests > 0 ? delta(`pl:${id}`) / requests : null,
      };
    }
    const consumerMetrics: MetricsView['consumers'] = {};
    for (const { id, x, v } of consumers) {
      const r = x.rebalanceStats;
      consumerMetrics[id] = {
        'records-consumed-rate': rate(`cc:${id}`),
        'records-lag-max': v.positions.reduce((m, p) => Math.max(m, p.lag), 0),
        'rebalance-total': r.total,
        'rebalance-latency-avg': r.total > 0 ? r.latencySumMs / r.total : null,
        'rebalance-latency-max': r.total > 0 ? r.latencyMaxMs : null,
        'last-rebalance-seconds-ago': r.lastAt >= 0 ? (now - r.lastAt) / 1000 : null,
      };
    }
    const fenced = [...c.brokers.values()].filter((b) => b.fenced).length;
    let partitions = 0;
    for (const t of c.topics.values()) partitions += t.partitions.length;
    return {
      brokers,
      controller: {
        ActiveControllerCount: this.controllerHost >= 0 ? 1 : 0,
        OfflinePartitionsCount: c.offlinePartitionsCount(),
        PreferredReplicaImbalanceCount: c.preferredReplicaImbalanceCount(),
        FencedBrokerCount: fenced,
        GlobalPartitionCount: partitions,
        UncleanLeaderElectionsPerSec: rate('unclean'),
        LeaderElectionRateAndTimeMs: rate('elections'),
        UncleanLeaderElections: c.uncleanLeaderElections,
        LeaderElections: c.leaderElections,
        IsrShrinks: c.isrShrinks,
        IsrExpands: c.isrExpands,
      },
      groups: groupLag,
      producers,
      consumers: consumerMetrics,
    };
  }

  /**
   * One sample of the numbers the charts draw (src/worker/metric-series.ts keeps them over
   * virtual time), handed to `put` under series keys (METRIC_KEYS). Reads state only, uses
   * no randomness and changes nothing, so sampling never alters the run. Counters are raw
   * (rates come from differences between samples, as a metrics backend computes them).
   */
  sampleMetrics(put: (key: string, value: number) => void): void {
    const now = this.now;
    let offline = 0;
    let urp = 0;
    let underMin = 0;
    for (const t of this.controller.sortedTopics()) {
      const minIsr = this.controller.topicConfig(t.name).int('min.insync.replicas');
      t.partitions.forEach((reg, p) => {
        const leader = this.leaderPartition(t.name, p);
        const leaderBroker = reg.leader >= 0 ? this.brokers.get(reg.leader) : undefined;
        const alive = leaderBroker !== undefined && leaderBroker.running && !this.network.isIsolated(leaderBroker.node);
        if (!alive) offline++;
        else if (reg.isr.length < reg.replicas.length) urp++;
        if (alive && reg.isr.length < Math.min(minIsr, reg.replicas.length)) underMin++;
        const hw = leader ? leader.highWatermark : (this.bestLog(t.name, p)?.log.highWatermark ?? 0);
        put(METRIC_KEYS.hw(t.name, p), hw);
        put(METRIC_KEYS.isr(t.name, p), reg.isr.length);
      });
    }
    put(METRIC_KEYS.offline, offline);
    put(METRIC_KEYS.urp, urp);
    put(METRIC_KEYS.underMinIsr, underMin);
    put(METRIC_KEYS.isrShrinks, this.controller.isrShrinks);
    put(METRIC_KEYS.isrExpands, this.controller.isrExpands);
    for (const b of this.brokers.values()) {
      put(METRIC_KEYS.messagesIn(b.brokerId), b.messagesIn);
      put(METRIC_KEYS.bytesIn(b.brokerId), b.bytesIn);
      put(METRIC_KEYS.bytesOut(b.brokerId), b.bytesOut);
      let brokerUrp = 0;
      for (const p of b.partitions.values()) if (p.isLeader && p.isr.length < p.replicas.length) brokerUrp++;
      put(METRIC_KEYS.brokerUrp(b.brokerId), brokerUrp);
    }
    for (const [id, p] of this.producers) put(METRIC_KEYS.sent(id), p.sent);
    for (const [id, c] of this.consumers) put(METRIC_KEYS.consumed(id), c.view().consumed);
    for (const g of this.coordinator.describeGroups()) {
      let lagSum = 0;
      let lagMsMax = 0;
      let committedSum = 0;
      for (const o of g.offsets) {
        if (o.committed === null) continue;
        const lag = lagRecords(o.logEndOffset, o.committed) ?? 0;
        const leader = this.leaderPartition(o.topic, o.partition);
        const log = leader ? leader.log : this.bestLog(o.topic, o.partition)?.log;
        const ms = lag > 0 && log ? lagMs(now, lag, log.timestampAt(o.committed)) : 0;
        put(METRIC_KEYS.committed(g.groupId, o.topic, o.partition), o.committed);
        put(METRIC_KEYS.lag(g.groupId, o.topic, o.partition), lag);
        put(METRIC_KEYS.lagMs(g.groupId, o.topic, o.partition), ms);
        lagSum += lag;
        committedSum += o.committed;
        if (ms > lagMsMax) lagMsMax = ms;
      }
      put(METRIC_KEYS.groupLag(g.groupId), lagSum);
      put(METRIC_KEYS.groupLagMs(g.groupId), lagMsMax);
      put(METRIC_KEYS.groupCommitted(g.groupId), committedSum);
    }
  }

  /** The compact snapshot for the UI; `events` are those since the previous call. */
  snapshot(): ClusterSnapshot {
    const events = this.events.slice(this.snapshotCursor);
    this.snapshotCursor = this.events.length;
    const partitions = this.partitionViews(false);
    const groups = this.coordinator.describeGroups();
    const consumers = new Map([...this.consumers].map(([id, c]) => [id, c.view()]));
    return {
      time: this.now,
      brokers: this.brokerViews(),
      controller: this.controllerHost,
      quorum: this.quorum.view(),
      topics: this.topicViews(),
      partitions,
      health: this.health(partitions),
      groups,
      producers: [...this.producers.values()].map((p) => p.view()),
      consumers: [...consumers.values()],
      metrics: this.metrics(groups, consumers),
      brokerConfig: { ...this.clusterConfig } as Record<string, ConfigValue>,
      ...this.transactionsField(),
      events,
    };
  }

  /** The headless runner's document (scenario.md). */
  output(): RunnerOutput {
    return {
      time: this.now,
      brokers: this.brokerViews().map((b) => ({ id: b.id, rack: b.rack, status: b.status, metadataOffset: b.metadataOffset ?? -1 })),
      controller: this.controllerHost,
      quorum: this.quorum.view(),
      partitions: this.partitionViews(true),
      groups: this.coordinator.describeGroups(),
      produced: this.produced.slice(),
      consumed: this.consumed.slice(),
      events: this.events.slice(),
      ...this.transactionsField(),
    };
  }

  private transactionsField(): { transactions?: TransactionView[] } {
    const t = this.txnCoordinator.view();
    return t.length > 0 ? { transactions: t } : {};
  }

  /** All events kept so far (tests and invariant checkers). */
  allEvents(): readonly ClusterEvent[] {
    return this.events;
  }

  /** Producers' records that have not reached an end yet. */
  pendingProduceRecords(): number {
    let n = 0;
    for (const p of this.producers.values()) n += p.pendingRecords();
    return n;
  }
}

// ---- wiring: what the entities are given, as objects that hold the cluster -----------------
// Classes, not object literals of closures, so that a checkpoint (kafka/checkpoint.ts) copies
// them with the cluster they point to.

/** The ClusterContext every entity shares. */
export class Context implements ClusterContext {
  readonly scheduler: Scheduler;
  readonly network: Network;
  readonly prng: Prng;
  readonly brokerConfig: Config;
  readonly metadata: MetadataView;

  constructor(
    private readonly cluster: Cluster,
    readonly recordingConsumed: boolean,
    readonly recordingProduced: boolean,
    readonly fetchSessionMinParts: number = FETCH_SESSION_MIN_PARTS,
  ) {
    this.scheduler = cluster.scheduler;
    this.network = cluster.network;
    this.prng = cluster.prng;
    this.brokerConfig = cluster.brokerConfigView;
    this.metadata = new Metadata(cluster);
  }

  emit(e: ClusterEventBody): void {
    this.cluster.emit(e);
  }

  brokerApi(id: number): BrokerApi | undefined {
    return this.cluster.peer(id);
  }

  recordProduced(row: ProducedRow): void {
    if (this.recordingProduced) this.cluster.record({ produced: row });
  }

  recordConsumed(row: ConsumedRow): void {
    if (this.recordingConsumed) this.cluster.record({ consumed: row });
  }
}

/** Metadata as clients learn it: the controller's latest image. */
export class Metadata implements MetadataView {
  constructor(private readonly cluster: Cluster) {}

  topicExists(t: string): boolean {
    return this.cluster.controller.topics.has(t);
  }

  partitionCount(t: string, autoCreateFor?: string): number {
    const n = this.cluster.controller.topics.get(t)?.partitions.length ?? 0;
    if (n > 0 || autoCreateFor === undefined || !this.cluster.autoCreateTopic(t, autoCreateFor)) return n;
    return this.cluster.controller.topics.get(t)?.partitions.length ?? 0;
  }

  /** The registration itself (no copy per call: this is asked per partition per request). */
  leader(t: string, p: number): PartitionLeader | null {
    return this.cluster.controller.topics.get(t)?.partitions[p] ?? null;
  }

  version(): number {
    return this.cluster.controller.metadataVersion;
  }

  liveBrokers(): number[] {
    return this.cluster.controller.liveBrokers().filter((id) => this.cluster.peer(id) !== undefined);
  }

  replicas(t: string, p: number): readonly number[] {
    return this.cluster.controller.topics.get(t)?.partitions[p]?.replicas ?? [];
  }

  brokerRack(id: number): string | null {
    return this.cluster.controller.brokers.get(id)?.rack ?? null;
  }

  brokerOnline(id: number): boolean {
    const b = this.cluster.controller.brokers.get(id);
    return b !== undefined && !b.fenced;
  }

  highWatermark(t: string, p: number): number {
    return this.cluster.leaderPartition(t, p)?.highWatermark ?? this.cluster.bestLog(t, p)?.log.highWatermark ?? 0;
  }

  logStartOffset(t: string, p: number): number {
    return this.cluster.leaderPartition(t, p)?.log.logStartOffset ?? this.cluster.bestLog(t, p)?.log.logStartOffset ?? 0;
  }

  offsetForTimestamp(t: string, p: number, ts: number): number {
    const part = this.cluster.leaderPartition(t, p);
    const log = part?.log ?? this.cluster.bestLog(t, p)?.log;
    if (!log) return 0;
    const off = log.offsetForTimestamp(ts);
    return off === null || off > log.highWatermark ? log.highWatermark : off;
  }
}

/** What brokers (BrokerEnv) and producers (ProducerEnv) are given. */
export class Environment implements BrokerEnv {
  readonly ctx: ClusterContext;
  readonly controller: Controller;

  constructor(private readonly cluster: Cluster) {
    this.ctx = cluster.ctx;
    this.controller = cluster.controller;
  }

  controllerHost(): number {
    return this.cluster.controllerHost;
  }

  controllerNode(id: number): NodeId {
    return this.cluster.quorum.nodeOf(id);
  }

  whenCommitted<R>(value: R): R | Deferred<R> {
    const offset = this.cluster.quorum.lastAppendedOffset;
    if (offset < this.cluster.quorum.committedOffset) return value;
    const d = new Deferred<R>();
    this.cluster.quorum.afterCommit(offset, call(d, d.resolve, value));
    return d;
  }

  topicConfig(t: string): Config {
    return this.controller.topicConfig(t);
  }

  logConfig(t: string): LogConfig {
    return this.cluster.logConfig(t);
  }

  createLog(t: string): UnifiedLog {
    return new UnifiedLog(this.cluster.logConfig(t));
  }

  peer(id: number): Broker | undefined {
    return this.cluster.peer(id);
  }

  get txnCoordinator(): TransactionCoordinator {
    return this.cluster.txnCoordinator;
  }
}

/** The quorum's transitions, told to the cluster (a class, not closures: checkpoints copy it). */
export class QuorumEvents implements QuorumListener {
  constructor(private readonly cluster: Cluster) {}

  config(): RaftConfig {
    return this.cluster.raftConfig();
  }

  activeChanged(previous: number, next: number, _epoch: number, rebuild: MetadataImage | null): void {
    this.cluster.activeControllerChanged(previous, next, rebuild);
  }

  leaderElected(leader: number, epoch: number, voters: readonly number[]): void {
    this.cluster.emit({ type: 'QuorumLeaderElected', leader, epoch, voters: voters.slice() });
  }

  leaderResigned(leader: number, epoch: number, reason: string): void {
    this.cluster.emit({ type: 'QuorumLeaderResigned', leader, epoch, reason });
  }
}

/**
 * The controller's channel to the brokers and the metadata log: records written to the
 * quorum, metadata pushed from the active controller's host, over the network, once committed.
 */
export class ControllerChannel implements ControllerHooks {
  constructor(private readonly cluster: Cluster) {}

  record(body: MetadataRecordBody): number {
    return this.cluster.quorum.append(body);
  }

  committedOffset(): number {
    return this.cluster.quorum.committedOffset;
  }

  publish(topic: string, partition: number, reg: PartitionRegistration, offset: number, alsoTo: readonly number[] = []): void {
    this.cluster.quorum.afterCommit(offset, call(this, this.publishNow, topic, partition, reg, offset, alsoTo));
  }

  /** @scheduled The record is committed: the active controller pushes it to the brokers. */
  publishNow(topic: string, partition: number, reg: PartitionRegistration, offset: number, alsoTo: readonly number[]): void {
    const host = this.cluster.controllerHost;
    if (host < 0) return;
    for (const id of [...reg.replicas, ...alsoTo]) {
      const b = this.cluster.brokers.get(id);
      if (!b) continue;
      this.cluster.network.send(this.cluster.quorum.nodeOf(host), b.node, call(b, b.applyPublished, topic, partition, reg, offset));
    }
  }

  publishTopicDeleted(topic: string, ids: number[], offset: number): void {
    this.cluster.quorum.afterCommit(offset, call(this, this.publishTopicDeletedNow, topic, ids));
  }

  /** @scheduled */
  publishTopicDeletedNow(topic: string, ids: number[]): void {
    const host = this.cluster.controllerHost;
    for (const id of ids) {
      const b = this.cluster.brokers.get(id);
      if (!b) continue;
      if (host >= 0) this.cluster.network.send(this.cluster.quorum.nodeOf(host), b.node, call(this, this.dropTopic, b, topic));
    }
  }

  /** @scheduled At the broker: the topic's logs are deleted. */
  private dropTopic(b: Broker, topic: string): void {
    for (const key of [...b.logs.keys()]) if (key.slice(0, key.lastIndexOf('-')) === topic) b.removePartition(key, true);
  }

  brokersChanged(): void {
    this.cluster.coordinator?.onBrokerChange();
    this.cluster.txnCoordinator?.onBrokerChange();
  }
}
