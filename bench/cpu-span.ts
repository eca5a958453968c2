/**
 * CPU seconds one tree's cluster spends on a fixed span of virtual time, in a process of
 * its own: `tsx bench/cpu-span.ts <tree> brokers partitions spanMs [warmMs=2000] [rate=20000]`
 * prints `cpu <seconds>`. partitions may be `P+idle` (idle: a second topic no client touches). Run it alternately for an old and a new tree and take the median
 * of the pairs' ratios (bench/cpu-ab.sh): separate processes, so neither tree's code or heap
 * disturbs the other's, and CPU time (user + system) rather than wall time on a shared machine.
 * Unlike bench/instructions.sh it counts cache misses, which matter at 50 x 1,000.
 */
import { scaleScenario } from './workload';

async function main(): Promise<void> {
  const [tree, b, p, span, warm = '2000', rate = '20000'] = process.argv.slice(2);
  if (!tree || !b || !p || !span) throw new Error('usage: tsx bench/cpu-span.ts <tree> brokers partitions spanMs [warmMs] [rate]');
  const { Cluster } = await import(`${tree}/src/kafka/cluster.ts`);
  const [busy, idle = '0'] = p.split('+');
  const c = new Cluster(scaleScenario(Number(b), Number(busy), Number(rate), 1e9, Number(idle)));
  c.runUntil(Number(warm));
  const t0 = process.cpuUsage();
  c.runUntil(Number(warm) + Number(span));
  const t = process.cpuUsage(t0);
  console.log(`cpu ${((t.user + t.system) / 1e6).toFixed(4)}`);
}

void main();
