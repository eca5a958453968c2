/**
 * A cluster's durable state: what survives a power cut of every machine at once, and the
 * restart from it. Kafka keeps, per broker, its log directories (segments, leader-epoch
 * checkpoint, replication-offset checkpoint for the high watermark, log-start-offset and
 * cleaner checkpoints) and, in the KRaft metadata log, brokers, topics and partition
 * registrations; committed offsets and group metadata live in __consumer_offsets. That is
 * exactly what is exported here, plus what only the playground has: the virtual clock, the
 * PRNG, the clients the user created and the scenario document.
 *
 * Framework-free (src/kafka purity): storage/ turns this into IndexedDB records; nothing here
 * knows about idb, the DOM or the wall clock.
 *
 * Restart semantics (restoreCluster): the clock and the PRNG continue from the saved instant;
 * brokers that were running start again on their disks with the metadata image they had
 * (same leaders and epochs, so the diagram is where it was), followers catch up or truncate
 * through the usual fetch protocol; every client process restarts: producers get a new
 * producer id and resume their loads, consumers rejoin their groups from the committed
 * offsets. Group memberships are not kept: the members were processes of the closed tab,
 * and keeping them would stall the rejoin for a session timeout.
 */
import type { ConfigMap, Scenario, TimelineAction } from '../scenario/types';
import type { Broker } from './broker/broker';
import type { PartitionRegistration } from './broker/partition';
import { Cluster, type ClusterOptions } from './cluster';
import { PRODUCER_DEFAULTS, putOwn, type ConfigValue } from './config';
import { Consumer } from './consumer/consumer';
import type { GroupCoordinatorState } from './consumer/group-coordinator';
import type { TransactionCoordinatorState } from './transaction/transaction-coordinator';
import type { BrokerRegistration } from './controller/controller';
import type { EpochEntry } from './log/leader-epoch-cache';
import { batchBaseOffset } from './log/record-batch';
import { UnifiedLog, logConfigFrom } from './log/unified-log';
import type { ConsumerStatus } from './snapshot';

/** Bump with a migration in storage/ when DurableMeta changes shape. */
export const DURABLE_FORMAT = 1;

/** A replica log's place on disk: broker id and Kafka's "topic-partition" directory name. */
export interface LogKey {
  broker: number;
  tp: string;
}

/** A log's offsets and checkpoints (Kafka keeps them in checkpoint files beside the segments). */
export interface LogInfo extends LogKey {
  logStartOffset: number;
  highWatermark: number;
  logEndOffset: number;
  /** leader-epoch-checkpoint. */
  epochs: EpochEntry[];
  /** Base offset of each segment, ascending: segment boundaries survive a reopen. */
  segmentBases: number[];
  /** cleaner-offset-checkpoint. */
  firstDirtyOffset: number;
  tombstoneHorizons: [number, number][];
}

export interface DurableLog {
  info: LogInfo;
  segments: { baseOffset: number; bytes: Uint8Array }[];
}

export interface DurableBroker {
  id: number;
  rack: string | null;
  running: boolean;
  /** The process incarnation (broker epoch) the controller knows it by. */
  incarnation: number;
  isolated: boolean;
  slowMs: number;
}

export interface DurableProducer {
  id: string;
  /** The user's settings (keys whose value differs from Kafka's default). */
  config: ConfigMap;
  counters: { sent: number; acked: number; failed: number; retries: number };
  /** Load record numbering ("<producer>#<seq>") continues after a restart. */
  loadSeq: number;
  loads: { topic: string; ratePerSec: number; keys: number; valueBytes: number }[];
}

export interface DurableConsumer {
  id: string;
  groupId: string;
  topics: string[];
  config: ConfigMap;
  msPerRecord: number;
  status: ConsumerStatus;
}

/** Everything but the log bytes and the scenario document: small, rewritten every flush. */
export interface DurableMeta {
  format: typeof DURABLE_FORMAT;
  timeMs: number;
  prng: [number, number, number, number];
  clusterConfig: ConfigMap;
  nextProducerId: number;
  controller: {
    metadataVersion: number;
    leaderElections: number;
    uncleanLeaderElections: number;
    isrShrinks: number;
    isrExpands: number;
    brokers: BrokerRegistration[];
    topics: { name: string; config: ConfigMap; partitions: PartitionRegistration[] }[];
  };
  brokers: DurableBroker[];
  groups: GroupCoordinatorState;
  /** The transaction coordinator's state (absent in states saved before transactions). */
  transactions?: TransactionCoordinatorState;
  producers: DurableProducer[];
  consumers: DurableConsumer[];
}

export interface DurableState {
  meta: DurableMeta;
  scenario: Scenario;
  logs: DurableLog[];
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// ---- export ---------------------------------------------------------------------------------

/** Every replica log on every broker's disk (running or not), in a stable order. */
export function durableLogs(cluster: Cluster): { key: LogKey; log: UnifiedLog }[] {
  const out: { key: LogKey; log: UnifiedLog }[] = [];
  for (const b of [...cluster.brokers.values()].sort((x, y) => x.brokerId - y.brokerId)) {
    for (const tp of [...b.logs.keys()].sort(byString)) out.push({ key: { broker: b.brokerId, tp }, log: b.logs.get(tp)! });
  }
  return out;
}

export function logInfo(key: LogKey, log: UnifiedLog): LogInfo {
  const s = log.exportState();
  return {
    broker: key.broker,
    tp: key.tp,
    logStartOffset: s.logStartOffset,
    highWatermark: s.highWatermark,
    logEndOffset: s.logEndOffset,
    epochs: s.epochs,
    segmentBases: s.segments.map((x) => x.baseOffset),
    firstDirtyOffset: s.firstDirtyOffset,
    tombstoneHorizons: s.tombstoneHorizons,
  };
}

/**
 * logInfo without concatenating segment bytes: the cleaner checkpoint is passed in, as the
 * caller cached it from the last full export (it only changes when `log.rewrites` does).
 */
export function logInfoLight(key: LogKey, log: UnifiedLog, cleaner: { firstDirtyOffset: number; tombstoneHorizons: [number, number][] }): LogInfo {
  return {
    broker: key.broker,
    tp: key.tp,
    logStartOffset: log.logStartOffset,
    highWatermark: log.highWatermark,
    logEndOffset: log.logEndOffset,
    epochs: log.leaderEpochCache.entries(),
    segmentBases: log.segments.map((x) => x.baseOffset),
    firstDirtyOffset: cleaner.firstDirtyOffset,
    tombstoneHorizons: cleaner.tombstoneHorizons,
  };
}

/** The user's producer settings: what differs from Kafka's defaults. */
function producerUserConfig(entries: Record<string, ConfigValue>): ConfigMap {
  const out: ConfigMap = {};
  const defaults = PRODUCER_DEFAULTS as Record<string, ConfigValue>;
  for (const k of Object.keys(entries).sort(byString)) {
    const v = entries[k]!;
    if (!Object.hasOwn(defaults, k) || defaults[k] !== v) putOwn(out, k, v);
  }
  return out;
}

/** The latest startLoad at or before `now` for this producer and topic: keys and value size. */
function loadParams(timeline: readonly TimelineAction[], producer: string, topic: string, now: number): { keys: number; valueBytes: number } {
  for (let i = timeline.length - 1; i >= 0; i--) {
    const a = timeline[i]!;
    if (a.at <= now && a.op === 'startLoad' && a.producer === producer && a.topic === topic) return { keys: a.keys ?? 0, valueBytes: a.valueBytes ?? 100 };
  }
  return { keys: 0, valueBytes: 100 };
}

/**
 * The metadata part of the durable state (no log bytes). `timeline` is the cluster's
 * recorded timeline (cluster.scenario().timeline), passed in so a caller that already has
 * the document does not clone it twice.
 */
export function exportDurableMeta(cluster: Cluster, timeline: readonly TimelineAction[] = cluster.scenario().timeline ?? []): DurableMeta {
  const internals = cluster.durableInternals();
  const c = cluster.controller;
  const now = cluster.now;
  return {
    format: DURABLE_FORMAT,
    timeMs: now,
    prng: cluster.prng.state(),
    clusterConfig: internals.clusterConfig,
    nextProducerId: internals.nextProducerId,
    controller: {
      metadataVersion: c.metadataVersion,
      leaderElections: c.leaderElections,
      uncleanLeaderElections: c.uncleanLeaderElections,
      isrShrinks: c.isrShrinks,
      isrExpands: c.isrExpands,
      brokers: [...c.brokers.values()].sort((a, b) => a.id - b.id).map((b) => ({ ...b })),
      topics: c.sortedTopics().map((t) => ({ name: t.name, config: { ...t.config }, partitions: t.partitions.map((r) => structuredClone(r)) })),
    },
    brokers: [...cluster.brokers.values()]
      .sort((a, b) => a.brokerId - b.brokerId)
      .map((b) => ({
        id: b.brokerId,
        rack: b.rack,
        running: b.running,
        incarnation: b.incarnation,
        isolated: cluster.network.isIsolated(b.node),
        slowMs: cluster.network.slowness(b.node),
      })),
    groups: cluster.coordinator.exportState(),
    transactions: cluster.txnCoordinator.exportState(),
    producers: [...cluster.producers.values()].map((p) => {
      const v = p.view();
      return {
        id: p.id,
        config: producerUserConfig(p.config.entries()),
        counters: { sent: p.sent, acked: p.acked, failed: p.failed, retries: p.retries },
        loadSeq: p.loadSeq,
        loads: v.loads.map((l) => ({ topic: l.topic, ratePerSec: l.ratePerSec, ...loadParams(timeline, p.id, l.topic, now) })),
      };
    }),
    consumers: [...cluster.consumers.values()].map((x) => x.describe()),
  };
}

/** The whole durable state, log bytes included (tests, export, the first flush). */
export function exportDurableState(cluster: Cluster): DurableState {
  const scenario = cluster.scenario();
  return {
    meta: exportDurableMeta(cluster, scenario.timeline ?? []),
    scenario,
    logs: durableLogs(cluster).map(({ key, log }) => {
      const s = log.exportState();
      return { info: logInfo(key, log), segments: s.segments };
    }),
  };
}

// ---- restore ----------------------------------------------------------------------------------

/** Splits a log's batches into its segments by base offset (a batch belongs to the last segment starting at or before it). */
export function segmentsFromBatches(segmentBases: readonly number[], batches: readonly Uint8Array[]): { baseOffset: number; batches: Uint8Array[] }[] {
  const bases = segmentBases.length > 0 ? segmentBases : [batches[0] ? batchBaseOffset(batches[0]) : 0];
  const segs = bases.map((baseOffset) => ({ baseOffset, batches: [] as Uint8Array[] }));
  let s = 0;
  for (const b of batches) {
    const base = batchBaseOffset(b);
    while (s + 1 < segs.length && segs[s + 1]!.baseOffset <= base) s++;
    segs[s]!.batches.push(b);
  }
  return segs;
}

/** Restarts a cluster from its durable state: the same instant, the same disks. */
export function restoreCluster(state: DurableState, opts: Omit<ClusterOptions, 'resume'> = {}): Cluster {
  const m = state.meta;
  if (m.format !== DURABLE_FORMAT) throw new Error(`Unknown durable state format ${String(m.format)} (this version reads ${DURABLE_FORMAT}).`);
  return new Cluster(state.scenario, {
    ...opts,
    resume: {
      timeMs: m.timeMs,
      prngState: m.prng,
      clusterConfig: m.clusterConfig,
      nextProducerId: m.nextProducerId,
      install: (hooks) => {
        const c = hooks.cluster;
        installMetadata(c, m);
        const brokers = new Map<number, Broker>();
        for (const spec of m.brokers) brokers.set(spec.id, hooks.addBroker(spec.id, spec.rack));
        for (const l of state.logs) {
          const b = brokers.get(l.info.broker);
          if (!b) continue;
          const topic = l.info.tp.slice(0, l.info.tp.lastIndexOf('-'));
          b.logs.set(l.info.tp, UnifiedLog.restore(logConfigFrom(c.controller.topicConfig(topic)), {
            segments: l.segments,
            logStartOffset: l.info.logStartOffset,
            highWatermark: l.info.highWatermark,
            logEndOffset: l.info.logEndOffset,
            epochs: l.info.epochs,
            firstDirtyOffset: l.info.firstDirtyOffset,
            tombstoneHorizons: l.info.tombstoneHorizons,
          }));
        }
        for (const spec of m.brokers) {
          const b = brokers.get(spec.id)!;
          if (spec.isolated) c.network.isolate(b.node);
          if (spec.slowMs > 0) c.network.slow(b.node, spec.slowMs);
          if (!spec.running) continue;
          // The same broker epoch the controller knows, so the restart is not taken for a
          // new process that must be fenced first (start() increments it).
          b.incarnation = spec.incarnation - 1;
          b.start();
        }
        hooks.electControllerHost();
        // Reachable brokers resume with the metadata image they had; an isolated one learns
        // it when it is healed, as a real broker cut off from the controller would.
        for (const spec of m.brokers) if (spec.running && !spec.isolated) brokers.get(spec.id)!.bootstrapMetadata(c.controller.metadataVersion);
        c.coordinator.restoreState(withoutMembers(m.groups));
        if (m.transactions) c.txnCoordinator.restoreState(m.transactions);
        for (const p of m.producers) {
          const producer = hooks.addProducer(p.id, p.config);
          // Records still in the old process's buffers died with it: "sent" counts those that reached an end.
          producer.sent = p.counters.acked + p.counters.failed;
          producer.acked = p.counters.acked;
          producer.failed = p.counters.failed;
          producer.retries = p.counters.retries;
          producer.loadSeq = p.loadSeq;
          for (const l of p.loads) producer.startLoad(l.topic, l.ratePerSec, l.keys, l.valueBytes);
        }
        for (const spec of m.consumers) {
          const consumer = new Consumer(c.ctx, c.coordinator, { id: spec.id, groupId: spec.groupId, topics: spec.topics, config: spec.config });
          c.consumers.set(spec.id, consumer);
          if (spec.status === 'closed' || spec.status === 'crashed') {
            // A stopped client stays stopped (and is never started, so it joins nothing).
            consumer.close(spec.status === 'closed');
            continue;
          }
          consumer.setProcessingTime(spec.msPerRecord);
          consumer.start();
        }
      },
    },
  });
}

function installMetadata(cluster: Cluster, m: DurableMeta): void {
  const c = cluster.controller;
  c.brokers.clear();
  // Heartbeat times as saved; electing the controller host gives every broker a fresh session anyway.
  for (const b of m.controller.brokers) c.brokers.set(b.id, { ...b });
  c.topics.clear();
  for (const t of m.controller.topics) c.topics.set(t.name, { name: t.name, config: { ...t.config }, partitions: t.partitions.map((r) => structuredClone(r)) });
  c.metadataVersion = m.controller.metadataVersion;
  c.leaderElections = m.controller.leaderElections;
  c.uncleanLeaderElections = m.controller.uncleanLeaderElections;
  c.isrShrinks = m.controller.isrShrinks;
  c.isrExpands = m.controller.isrExpands;
  c.invalidateConfigs();
}

/** Committed offsets and generations stay; the members (processes of the closed tab) go. */
function withoutMembers(s: GroupCoordinatorState): GroupCoordinatorState {
  return {
    memberSeq: s.memberSeq,
    groups: s.groups.map((g) => ({ ...g, state: 'Empty', leaderId: null, members: [], offsets: g.offsets.map((o) => ({ ...o })) })),
  };
}
