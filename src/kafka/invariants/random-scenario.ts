/**
 * Random topologies and fault schedules for the property tests (the VOPR of this project)
 * and for any test that needs many realistic runs (checkpoints, time travel): 3–5 brokers
 * in racks, RF=3, a producer load, a consumer group, and a random schedule of kills,
 * restarts, isolations, slow brokers and consumers joining, leaving and crashing. All
 * faults end by FAULT_END_MS and are healed 20 s later.
 */
import type { ConfigMap, Scenario, TimelineAction } from '../../scenario/types';
import { RACK_AWARE_REPLICA_SELECTOR } from '../config';
import { Prng } from '../sim/prng';

const ASSIGNORS = ['range', 'roundrobin', 'sticky', 'cooperative-sticky'];
export const FAULT_END_MS = 40000;
export const SETTLE_MS = 150000;

export type Mode = 'safe' | 'lossy';

/** The sizes a random scenario draws from: each an inclusive [min, max]. */
export interface ScenarioShape {
  readonly brokers: readonly [number, number];
  readonly topics: readonly [number, number];
  readonly partitions: readonly [number, number];
  readonly consumers: readonly [number, number];
  /** Each topic's load, records per second. */
  readonly ratePerSec: readonly [number, number];
  /** Distinct keys of each load (0: unkeyed). */
  readonly keys: readonly [number, number];
  readonly faults: readonly [number, number];
  /** A slowed consumer's processing time, ms a record (setProcessingTime). */
  readonly msPerRecord: readonly [number, number];
  /** The scenario's name, before the seed. */
  readonly name: string;
}

/** The property tests' clusters: small enough to run hundreds of seeds. */
export const SMALL_SHAPE: ScenarioShape = { brokers: [3, 5], topics: [1, 2], partitions: [1, 4], consumers: [1, 3], ratePerSec: [20, 200], keys: [0, 20], faults: [3, 10], msPerRecord: [0, 5], name: 'property seed' };

/**
 * Clusters of the sizes issue 10 is about (the playground's scale links: 6 x 50, 12 x 200):
 * 8–12 brokers, up to 200 partitions a topic, thousands of records a second, a group of up to
 * six. Their follower fetches carry enough partitions to run in fetch sessions (KIP-227), and
 * most batches hold one or two records, as at scale; the small shape never gets there.
 * Consumers process at no cost: one slowed to even 1 ms a record, left alone in the group,
 * could not drain a load of thousands of records a second within SETTLE_MS (seed 43 with
 * 4 ms a record caught up 250 s after its load stopped), and the run would fail for that.
 */
export const SCALE_SHAPE: ScenarioShape = { brokers: [8, 12], topics: [1, 2], partitions: [30, 200], consumers: [3, 6], ratePerSec: [500, 3000], keys: [0, 2000], faults: [6, 14], msPerRecord: [0, 0], name: 'scale property seed' };

export function randomScenario(seed: number, mode: Mode = 'safe', shape: ScenarioShape = SMALL_SHAPE): Scenario {
  const r = new Prng(seed ^ 0x5eed);
  const brokerCount = r.range(shape.brokers[0], shape.brokers[1]);
  const racks = ['a', 'b', 'c'];
  const brokers = Array.from({ length: brokerCount }, (_, i) => ({ id: i + 1, rack: racks[i % 3]! }));
  const topicCount = r.range(shape.topics[0], shape.topics[1]);
  const topics = Array.from({ length: topicCount }, (_, i) => ({
    name: `t${i}`,
    partitions: r.range(shape.partitions[0], shape.partitions[1]),
    replicationFactor: 3,
    config: { 'min.insync.replicas': 2 },
  }));
  const assignor = r.pick(ASSIGNORS);
  const consumerCount = r.range(shape.consumers[0], shape.consumers[1]);
  const timeline: TimelineAction[] = [];
  for (const t of topics) timeline.push({ at: 0, op: 'startLoad', producer: 'p1', topic: t.name, ratePerSec: r.range(shape.ratePerSec[0], shape.ratePerSec[1]), keys: r.range(shape.keys[0], shape.keys[1]), valueBytes: 40 });
  const down = new Set<number>();
  const isolated = new Set<number>();
  let consumerSeq = consumerCount;
  const live = new Set(Array.from({ length: consumerCount }, (_, i) => `c${i}`));
  const faults = r.range(shape.faults[0], shape.faults[1]);
  for (let i = 0; i < faults; i++) {
    const at = r.range(1000, FAULT_END_MS - 1000);
    const broker = r.range(1, brokerCount);
    const kind = r.int(7);
    if (kind === 0 && !down.has(broker)) {
      timeline.push({ at, op: 'killBroker', broker });
      timeline.push({ at: at + r.range(500, 15000), op: 'restartBroker', broker });
    } else if (kind === 1 && !isolated.has(broker)) {
      timeline.push({ at, op: 'isolateBroker', broker });
      timeline.push({ at: at + r.range(500, 15000), op: 'healBroker', broker });
    } else if (kind === 2) {
      timeline.push({ at, op: 'slowBroker', broker, delayMs: r.range(20, 800) });
      timeline.push({ at: at + r.range(500, 10000), op: 'slowBroker', broker, delayMs: 0 });
    } else if (kind === 3) {
      const id = `c${consumerSeq++}`;
      live.add(id);
      timeline.push({ at, op: 'addConsumer', id, groupId: 'g', topics: topics.map((t) => t.name), config: { 'partition.assignment.strategy': assignor, 'auto.offset.reset': 'earliest', 'session.timeout.ms': 10000 } });
    } else if (kind === 4 && live.size > 0) {
      const id = r.pick([...live].sort());
      live.delete(id);
      timeline.push({ at, op: 'removeConsumer', id, graceful: r.bool() });
    } else if (kind === 5) {
      timeline.push({ at, op: 'setProcessingTime', consumer: r.pick([...live].sort().concat(['c0'])), msPerRecord: r.range(shape.msPerRecord[0], shape.msPerRecord[1]) });
    } else {
      timeline.push({ at, op: 'produce', producer: 'p1', topic: r.pick(topics).name, key: `explicit-${i}`, value: `p1#${1_000_000 + i} explicit` });
    }
  }
  for (const t of topics) timeline.push({ at: FAULT_END_MS, op: 'stopLoad', producer: 'p1', topic: t.name });
  // Heal everything so the final state can be judged.
  for (const b of brokers) {
    timeline.push({ at: FAULT_END_MS + 20000, op: 'restartBroker', broker: b.id });
    timeline.push({ at: FAULT_END_MS + 20000, op: 'healBroker', broker: b.id });
    timeline.push({ at: FAULT_END_MS + 20000, op: 'slowBroker', broker: b.id, delayMs: 0 });
  }
  timeline.sort((a, b) => a.at - b.at);
  return {
    version: 1,
    name: `${shape.name} ${seed}`,
    seed,
    cluster: { brokers, config: { 'replica.lag.time.max.ms': r.pick([5000, 10000, 30000]) }, network: { latencyMs: r.range(1, 5), jitterMs: r.range(0, 3) } },
    topics: mode === 'safe' ? topics : topics.map((t) => ({ ...t, config: { 'min.insync.replicas': 1, 'unclean.leader.election.enable': true } })),
    clients: [
      { kind: 'producer', id: 'p1', config: mode === 'safe' ? { acks: 'all', 'enable.idempotence': true } : { acks: 1 } },
      ...Array.from({ length: consumerCount }, (_, i) => ({
        kind: 'consumer' as const,
        id: `c${i}`,
        groupId: 'g',
        topics: topics.map((t) => t.name),
        config: { 'partition.assignment.strategy': assignor, 'auto.offset.reset': 'earliest', 'session.timeout.ms': 10000 },
      })),
    ],
    timeline,
  };
}


/**
 * `s` with admin operations among its faults (Prng of its own: `s`'s draws are unchanged):
 * partitions moved to three random brokers (some under a replication throttle generous
 * enough to finish within the settle time), preferred leader elections, and partitions
 * added to the first topic (the partitioner then maps keys anew). What moves a partition's
 * replicas, leader or fetch sessions without an append, at any size.
 */
export function withAdminOps(s: Scenario, seed: number): Scenario {
  const r = new Prng(seed ^ 0xad31);
  const brokerIds = s.cluster.brokers.map((b) => b.id);
  const topics = s.topics ?? [];
  const first = topics[0];
  if (first === undefined) return s;
  let partitions = first.partitions;
  const ops: TimelineAction[] = [];
  // In time order, so that the first topic's count only grows.
  const times = Array.from({ length: r.range(2, 6) }, () => r.range(2000, FAULT_END_MS - 2000)).sort((a, b) => a - b);
  for (const at of times) {
    const topic = r.pick(topics);
    const kind = r.int(4);
    if (kind <= 1) {
      const ids = brokerIds.slice();
      for (let k = ids.length - 1; k > 0; k--) {
        const j = r.int(k + 1);
        [ids[k], ids[j]] = [ids[j]!, ids[k]!];
      }
      const move: TimelineAction = { at, op: 'reassignPartitions', topic: topic.name, partition: r.int(topic.partitions), replicas: ids.slice(0, 3) };
      ops.push(kind === 1 ? { ...move, throttleBytesPerSec: r.range(200_000, 2_000_000) } : move);
    } else if (kind === 2) ops.push({ at, op: 'electLeaders', topic: topic.name, partition: r.int(topic.partitions), type: 'preferred' });
    else {
      partitions += r.range(1, 10);
      ops.push({ at, op: 'addPartitions', topic: first.name, partitions });
    }
  }
  return { ...s, name: `${s.name} with admin operations`, timeline: [...(s.timeline ?? []), ...ops].sort((a, b) => a.at - b.at) };
}

/**
 * `s` with every consumer on the consumer group protocol (KIP-848: group.protocol=consumer,
 * the assignor on the coordinator; the classic assignor and session timeout dropped).
 */
export function withConsumerProtocol(s: Scenario): Scenario {
  const modern = (config: ConfigMap | undefined): ConfigMap => {
    const { 'partition.assignment.strategy': _strategy, 'session.timeout.ms': _session, ...rest } = config ?? {};
    return { ...rest, 'group.protocol': 'consumer' };
  };
  return {
    ...s,
    clients: (s.clients ?? []).map((c) => (c.kind === 'consumer' ? { ...c, config: modern(c.config) } : c)),
    timeline: (s.timeline ?? []).map((a) => (a.op === 'addConsumer' ? { ...a, config: modern(a.config) } : a)),
  };
}

/**
 * randomScenario(seed, 'safe', shape) with racks for clients: the brokers run the RackAwareReplicaSelector
 * (KIP-392) and every consumer has a random client.rack (KIP-881), so consumers read from
 * followers in their racks.
 */
export function randomRackScenario(seed: number, shape: ScenarioShape = SMALL_SHAPE): Scenario {
  const s = randomScenario(seed, 'safe', shape);
  const r = new Prng(seed ^ 0x7ac5);
  const rack = () => r.pick(['a', 'b', 'c']);
  return {
    ...s,
    name: `rack ${shape.name} ${seed}`,
    cluster: { ...s.cluster, config: { ...(s.cluster.config ?? {}), 'replica.selector.class': RACK_AWARE_REPLICA_SELECTOR, 'metadata.max.age.ms': 10000 } },
    clients: (s.clients ?? []).map((c) => (c.kind === 'consumer' ? { ...c, config: { ...(c.config ?? {}), 'client.rack': rack(), 'metadata.max.age.ms': 10000 } } : c)),
    timeline: (s.timeline ?? []).map((a) => (a.op === 'addConsumer' ? { ...a, config: { ...(a.config ?? {}), 'client.rack': rack() } } : a)),
  };
}

