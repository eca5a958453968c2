/**
 * The benchmark workloads, shared by the Node and the browser benchmarks.
 *
 * `benchScenario` (issue 2): 3 brokers in 3 racks, one topic with 3 partitions at RF=3 and
 * min.insync.replicas=2, an idempotent producer with acks=all writing keyed 100-byte values
 * at `ratePerSec` (virtual time) until `virtualMs`, and a group of three consumers reading
 * from the earliest offset.
 *
 * `scaleScenario` (issue 10): the same at `brokers` x `partitions` (one topic, RF=3, racks
 * a/b/c in turn), keyed 100-byte values, and a group of six consumers; the load runs until
 * `virtualMs`. With `idlePartitions`, a second topic of that many partitions that no client
 * touches (what idle partitions cost).
 */
import type { Scenario } from '../src/scenario/types';

export function benchScenario(ratePerSec: number, virtualMs: number): Scenario {
  return {
    version: 1,
    name: 'bench',
    seed: 1,
    cluster: {
      brokers: ['a', 'b', 'c'].map((rack, i) => ({ id: i + 1, rack })),
      network: { latencyMs: 1, jitterMs: 0 },
      // A broker setting: the group's first join completes at once instead of after 3-6 s.
      config: { 'group.initial.rebalance.delay.ms': 0 },
    },
    topics: [{ name: 'bench', partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }],
    clients: [
      { kind: 'producer', id: 'p', config: { acks: 'all', 'enable.idempotence': true, 'linger.ms': 5, 'batch.size': 65536 } },
      ...[1, 2, 3].map((i) => ({
        kind: 'consumer' as const,
        id: `c${i}`,
        groupId: 'g',
        topics: ['bench'],
        config: { 'auto.offset.reset': 'earliest' },
      })),
    ],
    timeline: [
      { at: 0, op: 'startLoad', producer: 'p', topic: 'bench', ratePerSec, keys: 1000, valueBytes: 100 },
      { at: virtualMs, op: 'stopLoad', producer: 'p', topic: 'bench' },
    ],
  };
}

export function scaleScenario(brokers: number, partitions: number, ratePerSec: number, virtualMs: number, idlePartitions = 0): Scenario {
  const racks = ['a', 'b', 'c'];
  // `idlePartitions`: a second topic, RF=3, that nobody writes or reads (its replicas still fetch, as Kafka's do).
  const idle = idlePartitions > 0 ? [{ name: 'idle', partitions: idlePartitions, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }] : [];
  return {
    version: 1,
    name: `bench ${brokers}x${partitions}`,
    seed: 1,
    cluster: {
      brokers: Array.from({ length: brokers }, (_, i) => ({ id: i + 1, rack: racks[i % racks.length]! })),
      network: { latencyMs: 1, jitterMs: 0 },
      config: { 'group.initial.rebalance.delay.ms': 0 },
    },
    topics: [{ name: 'bench', partitions, replicationFactor: 3, config: { 'min.insync.replicas': 2 } }, ...idle],
    clients: [
      { kind: 'producer', id: 'p', config: { acks: 'all', 'enable.idempotence': true, 'linger.ms': 5, 'batch.size': 65536 } },
      ...[1, 2, 3, 4, 5, 6].map((i) => ({
        kind: 'consumer' as const,
        id: `c${i}`,
        groupId: 'g',
        topics: ['bench'],
        config: { 'auto.offset.reset': 'earliest' },
      })),
    ],
    timeline: [
      // Enough keys that every partition gets records (1,000 keys over 1,000 partitions would leave a third idle).
      { at: 0, op: 'startLoad', producer: 'p', topic: 'bench', ratePerSec, keys: Math.max(1000, partitions * 10), valueBytes: 100 },
      { at: virtualMs, op: 'stopLoad', producer: 'p', topic: 'bench' },
    ],
  };
}

/** What measureScale needs of a cluster (the Cluster of this tree, or of another one in an A/B run). */
export interface ScaleRunnable {
  now: number;
  runUntil(t: number): void;
  scheduler: { eventsRun: number };
  producers: Map<string, { acked: number }>;
  consumers: Map<string, { view(): { consumed: number } }>;
}

export interface ScaleFigures {
  virtualSeconds: number;
  wallSeconds: number;
  cpuSeconds: number;
  /** CPU seconds in the kernel (of cpuSeconds): mostly first touches of fresh memory pages. */
  systemSeconds: number;
  /** Minor page faults: each a fresh 4 KiB page touched (the logs keep every byte produced), by any thread of the process. */
  minorPageFaults: number;
  acked: number;
  consumed: number;
  eventsRun: number;
}

/** Records acked by all producers, consumed by all consumers, since the cluster started. */
export const ackedOf = (c: ScaleRunnable) => [...c.producers.values()].reduce((s, p) => s + p.acked, 0);
export const consumedOf = (c: ScaleRunnable) => [...c.consumers.values()].reduce((s, x) => s + x.view().consumed, 0);

/**
 * Warms the cluster up for `warmupMs` virtual (group formed, fetch sessions going, the JIT
 * warm), then runs it in 100 ms virtual steps until `measureMs` virtual or `budgetS` wall
 * seconds are used up, whichever comes first; what was run, acked and consumed meanwhile.
 */
export function measureScale(c: ScaleRunnable, warmupMs: number, measureMs: number, budgetS: number, onMeasure?: (phase: 'start' | 'end') => void): ScaleFigures {
  c.runUntil(warmupMs);
  onMeasure?.('start');
  const a0 = ackedOf(c);
  const k0 = consumedOf(c);
  const e0 = c.scheduler.eventsRun;
  const v0 = c.now;
  const r0 = process.resourceUsage();
  const t0 = performance.now();
  let wall = 0;
  while (c.now - v0 < measureMs && wall < budgetS) {
    c.runUntil(c.now + 100);
    wall = (performance.now() - t0) / 1000;
  }
  const r1 = process.resourceUsage();
  onMeasure?.('end');
  return {
    virtualSeconds: (c.now - v0) / 1000,
    wallSeconds: wall,
    cpuSeconds: (r1.userCPUTime - r0.userCPUTime + r1.systemCPUTime - r0.systemCPUTime) / 1e6,
    systemSeconds: (r1.systemCPUTime - r0.systemCPUTime) / 1e6,
    minorPageFaults: r1.minorPageFault - r0.minorPageFault,
    acked: ackedOf(c) - a0,
    consumed: consumedOf(c) - k0,
    eventsRun: c.scheduler.eventsRun - e0,
  };
}
