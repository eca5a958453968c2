/**
 * `npx tsx bench/charts.ts`: what the charts' sampler costs (issue 11) at the size users
 * reach: 12 brokers, 200 partitions, 2,000 records/s, a group of six. The same run is made
 * with and without a metric sample every virtual second, alternating, and compared on
 * virtual seconds per CPU second of the process (wall time on this shared machine is too
 * noisy for ratios). Also printed: samples and numbers kept for the run, the cost of one
 * sample, and of the query a group chart sends after a seek back (its whole history).
 * Prints figures; asserts nothing.
 */
import { Cluster } from '../src/kafka/cluster';
import { METRIC_KEYS } from '../src/kafka/lag';
import { TimeMachine } from '../src/worker/time-machine';
import { scaleScenario } from './workload';

const VIRTUAL_MS = Number(process.env.CHARTS_BENCH_MS ?? 60_000);
const ROUNDS = Number(process.env.CHARTS_BENCH_ROUNDS ?? 2);
const doc = scaleScenario(12, 200, 2_000, VIRTUAL_MS);

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function run(sampled: boolean): { cpu: number; tm: TimeMachine<Cluster> } {
  const tm = new TimeMachine<Cluster>(doc, {
    createCluster: (d) => new Cluster(d),
    sample: sampled ? (c, put) => c.sampleMetrics(put) : undefined,
  });
  const t0 = cpuMs();
  for (let t = 100; t <= VIRTUAL_MS; t += 100) tm.runUntil(t);
  return { cpu: cpuMs() - t0, tm };
}

const cpu = { with: 0, without: 0 };
let last: TimeMachine<Cluster> | null = null;
for (let r = 0; r < ROUNDS; r++) {
  // Alternate which goes first, so a noisy neighbour hurts both alike.
  for (const sampled of r % 2 === 0 ? [false, true] : [true, false]) {
    const out = run(sampled);
    if (sampled) {
      cpu.with += out.cpu;
      last = out.tm;
    } else cpu.without += out.cpu;
  }
}
const vs = (VIRTUAL_MS / 1000) * ROUNDS;
console.log(`charts sampler, 12 brokers x 200 partitions, 2,000 records/s, ${VIRTUAL_MS / 1000} virtual s x ${ROUNDS} rounds`);
console.log(`  virtual s per CPU s: without samples ${(vs / (cpu.without / 1000)).toFixed(2)}, with ${(vs / (cpu.with / 1000)).toFixed(2)} (cost ${(((cpu.with - cpu.without) / cpu.without) * 100).toFixed(1)} %)`);
const m = last!.metrics;
console.log(`  kept: ${m.length} samples, ${m.seriesCount} series, ${m.valueCount} numbers (~${((m.valueCount * 8) / 1e6).toFixed(1)} MB as doubles; a 30-minute run: ~${((m.valueCount * 8 * 1800) / m.length / 1e6).toFixed(0)} MB)`);
const c = last!.cluster;
let n = 0;
const t0 = performance.now();
for (let i = 0; i < 200; i++) c.sampleMetrics(() => n++);
console.log(`  one sample: ${((performance.now() - t0) / 200).toFixed(3)} ms (${n / 200} numbers)`);
const g = c.snapshot().groups.find((x) => x.groupId === 'g')!;
const queries = [
  { id: 'lag', keys: [METRIC_KEYS.groupLag('g')] },
  { id: 'ms', keys: [METRIC_KEYS.groupLagMs('g')] },
  { id: 'max', keys: g.offsets.map((o) => METRIC_KEYS.lag('g', o.topic, o.partition)), agg: 'max' as const },
  { id: 'hw', keys: g.offsets.map((o) => METRIC_KEYS.hw(o.topic, o.partition)) },
];
const q0 = performance.now();
for (let i = 0; i < 50; i++) m.query(queries, 0, m.length);
console.log(`  a group chart's full query (4 lines, 2 of them over 200 partitions, ${m.length} samples): ${((performance.now() - q0) / 50).toFixed(2)} ms`);
