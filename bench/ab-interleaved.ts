/**
 * Before/after with both clusters in one process, interleaved: `tsx bench/ab-interleaved.ts
 * <old tree> <new tree> [sizes] [budget CPU s per tree]`. For each scale size, both trees'
 * clusters are built and warmed up, then they take turns running short virtual steps, each
 * turn's CPU time (this process's user + system) charged to its tree, until each has used
 * its budget. Turns of a few tens of ms put both under the same machine state (on a
 * shared, noisy machine, runs seconds apart differ by ±30%); the ratio is of virtual
 * seconds per CPU second, after / before, and the median of per-turn ratios.
 *
 * Caveat, measured: an A/A run (the same tree twice) under load average ~20 on 2 cores
 * gave 0.81-0.98, so read differences under 20% as noise; bench/ab.ts (separate rounds,
 * medians) and repeated separate processes are the other checks.
 */
import { scaleScenario } from './workload';

type ClusterLike = { runUntil(ms: number): void; now: number };
type ClusterCtor = new (s: ReturnType<typeof scaleScenario>) => ClusterLike;

async function main(): Promise<void> {
  const [oldRoot, newRoot, sizesArg = '3x3@1000,3x3,6x50,12x200,50x1000', budgetArg = '4'] = process.argv.slice(2);
  if (!oldRoot || !newRoot) throw new Error('usage: tsx bench/ab-interleaved.ts <old tree> <new tree> [sizes] [budget s]');
  const load = async (root: string): Promise<ClusterCtor> => (await import(`${root}/src/kafka/cluster.ts`)).Cluster;
  const trees = [
    { name: 'before', C: await load(oldRoot) },
    { name: 'after', C: await load(newRoot) },
  ];
  for (const t of trees) new t.C(scaleScenario(3, 3, 20000, 1e9)).runUntil(3000); // JIT warm-up
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const budget = Number(budgetArg);
  console.log(`Interleaved A/B, ${budget} CPU s per tree per size (virtual s per CPU s)`);
  for (const size of sizesArg.split(',')) {
    const m = /^(\d+)x(\d+)(?:@(\d+))?$/.exec(size);
    if (!m) throw new Error(`bad size ${size}`);
    const [b, p, rate] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 20000)];
    // A turn: about 20-50 ms of CPU at each size's speed.
    const stepMs = p >= 1000 ? 10 : p >= 200 ? 20 : p >= 50 ? 100 : 500;
    const runs = trees.map((t) => {
      const c = new t.C(scaleScenario(b, p, rate, 1e9));
      c.runUntil(3000);
      return { t, c, v0: c.now, cpu: 0 };
    });
    // Per turn pair: after's CPU / before's for the same virtual interval. Contention only
    // adds time, in bursts; the median of these ratios shrugs bursts off.
    const turnRatios: number[] = [];
    while (runs.some((r) => r.cpu < budget)) {
      const used: number[] = [0, 0];
      // Who goes first alternates (an A/A run showed the second of a pair consistently slower).
      for (const i of turnRatios.length % 2 === 0 ? [0, 1] : [1, 0]) {
        const r = runs[i]!;
        const c0 = cpu();
        r.c.runUntil(r.c.now + stepMs);
        const d = cpu() - c0;
        r.cpu += d;
        used[i] = d;
      }
      turnRatios.push(used[0]! > 0 && used[1]! > 0 ? used[0]! / used[1]! : 1);
    }
    const speed = runs.map((r) => (r.c.now - r.v0) / 1000 / r.cpu);
    const med = [...turnRatios].sort((x, y) => x - y)[turnRatios.length >> 1] ?? NaN;
    console.log(
      `${size.padEnd(10)} before ${speed[0]!.toFixed(2).padStart(7)}x   after ${speed[1]!.toFixed(2).padStart(7)}x   after/before ${(speed[1]! / speed[0]!).toFixed(2)}` +
        `   median per turn ${med.toFixed(2)} (${turnRatios.length} turns)`,
    );
  }
}

main();
