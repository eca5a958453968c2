/**
 * `npm run bench`: throughput of the simulated cluster in Node. Prints figures; asserts
 * nothing (targets are read by people, not by unit tests).
 *
 * Workload (issue 2): 3 brokers, one topic with 3 partitions at RF=3, acks=all,
 * idempotent producer, keyed records with 100-byte values, a consumer group of three
 * reading everything. Reports records/s acknowledged per wall second, records consumed,
 * and how many times faster than real time the virtual clock ran.
 */
import { Cluster } from '../src/kafka/cluster';
import type { Scenario } from '../src/scenario/types';

interface Figures {
  name: string;
  virtualSeconds: number;
  wallSeconds: number;
  acked: number;
  consumed: number;
  eventsRun: number;
}

function scenario(ratePerSec: number, virtualMs: number): Scenario {
  return {
    version: 1,
    name: 'bench',
    seed: 1,
    cluster: {
      brokers: [
        { id: 1, rack: 'a' },
        { id: 2, rack: 'b' },
        { id: 3, rack: 'c' },
      ],
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

function run(name: string, ratePerSec: number, virtualMs: number): Figures {
  const c = new Cluster(scenario(ratePerSec, virtualMs));
  const t0 = performance.now();
  c.runUntil(virtualMs + 2000);
  const wall = (performance.now() - t0) / 1000;
  const snap = c.snapshot();
  const acked = snap.producers.reduce((s, p) => s + p.acked, 0);
  const consumed = snap.consumers.reduce((s, x) => s + x.consumed, 0);
  return { name, virtualSeconds: (virtualMs + 2000) / 1000, wallSeconds: wall, acked, consumed, eventsRun: c.scheduler.eventsRun };
}

function print(f: Figures): void {
  const rps = f.acked / f.wallSeconds;
  console.log(
    `${f.name.padEnd(34)} ${String(Math.round(rps)).padStart(10)} records/s acked   ` +
      `${String(Math.round(f.consumed / f.wallSeconds)).padStart(10)} records/s consumed   ` +
      `virtual clock ${(f.virtualSeconds / f.wallSeconds).toFixed(2)}x real time   ` +
      `(${f.acked} acked, ${f.consumed} consumed, ${f.eventsRun} events, ${f.wallSeconds.toFixed(2)} s wall)`,
  );
}

console.log('Kafka playground benchmark (Node ' + process.version + ')');
console.log('3 brokers, RF=3, acks=all, idempotent, keyed, 100-byte values, consumer group of 3');
run('warm-up', 50_000, 1000);
for (const [rate, ms] of [
  [20_000, 10_000],
  [200_000, 5_000],
  [1_000_000, 3_000],
] as const) {
  print(run(`load ${rate.toLocaleString('en')} records/s virtual`, rate, ms));
}
console.log('target: at least 500,000 records/s acked on a 2-core machine');
