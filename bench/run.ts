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
import { benchScenario as scenario } from './workload';

interface Figures {
  name: string;
  virtualSeconds: number;
  wallSeconds: number;
  acked: number;
  consumed: number;
  eventsRun: number;
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

// Time travel (issue 9): seek, fork and link-open latency.
await (await import('./time-travel')).timeTravelBench();
