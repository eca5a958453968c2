/**
 * Before/after on one machine state: `tsx bench/ab.ts <old tree> <new tree> [sizes]` runs
 * each scale workload on the cluster of both source trees, alternating, and prints the
 * ratio of virtual seconds per CPU second (this process's user + system time). The machine
 * is shared and noisy: CPU time is far steadier than wall time there, and alternating keeps
 * both sides under the same load.
 */
import { scaleScenario } from './workload';

type ClusterCtor = new (s: ReturnType<typeof scaleScenario>) => { runUntil(ms: number): void; now: number; scheduler: { eventsRun: number } };

const [oldRoot, newRoot, sizesArg = '3x3@1000,3x3,6x50,12x200,50x1000', roundsArg = '3'] = process.argv.slice(2);
const load = async (root: string): Promise<ClusterCtor> => (await import(`${root}/src/kafka/cluster.ts`)).Cluster;

/** Virtual s per CPU s of this process (user + system): on a shared machine, less noisy than wall time. */
function speed(C: ClusterCtor, b: number, p: number, rate: number, measureMs: number, budgetS: number): number {
  const c = new C(scaleScenario(b, p, rate, 1e9));
  c.runUntil(3000);
  const v0 = c.now;
  const cpu0 = process.cpuUsage();
  const cpuS = () => {
    const d = process.cpuUsage(cpu0);
    return (d.user + d.system) / 1e6;
  };
  let cpu = 0;
  while (c.now - v0 < measureMs && cpu < budgetS) {
    c.runUntil(c.now + 100);
    cpu = cpuS();
  }
  return (c.now - v0) / 1000 / cpu;
}

const Old = await load(oldRoot!);
const New = await load(newRoot!);
new Old(scaleScenario(3, 3, 20000, 1e9)).runUntil(3000);
new New(scaleScenario(3, 3, 20000, 1e9)).runUntil(3000);
for (const size of sizesArg.split(',')) {
  const m = /^(\d+)x(\d+)(?:@(\d+))?$/.exec(size)!;
  const [b, p, rate] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 20000)];
  const budget = p >= 1000 ? 6 : p >= 200 ? 4 : 3;
  const measure = p >= 1000 ? 3000 : p >= 200 ? 5000 : 30000;
  const olds: number[] = [];
  const news: number[] = [];
  for (let i = 0; i < Number(roundsArg); i++) {
    // Who goes first alternates: the second of a pair tended to run slower in an A/A check.
    if (i % 2 === 0) {
      olds.push(speed(Old, b, p, rate, measure, budget));
      news.push(speed(New, b, p, rate, measure, budget));
    } else {
      news.push(speed(New, b, p, rate, measure, budget));
      olds.push(speed(Old, b, p, rate, measure, budget));
    }
  }
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
  console.log(
    `${size.padEnd(12)} before ${med(olds).toFixed(2).padStart(7)} vs/cpu-s   after ${med(news).toFixed(2).padStart(7)} vs/cpu-s   ratio ${(med(news) / med(olds)).toFixed(2)}   ` +
      `(before ${olds.map((x) => x.toFixed(2)).join(' ')}; after ${news.map((x) => x.toFixed(2)).join(' ')})`,
  );
}
