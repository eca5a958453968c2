/**
 * The scale table of bench/run.ts for two source trees in one run: `tsx bench/scale-ab.ts
 * <old tree> <new tree> [sizes] [rounds]` (a tree holds src/ and bench/, e.g. `git archive
 * main src bench | tar -x -C /tmp/old`). For each size, each tree's cluster runs the scale
 * workload as run.ts does (warm-up, then 100 ms virtual steps within a wall budget), the
 * trees alternating which goes first; with rounds > 1 the median of each figure is shown.
 * Printed per tree: virtual s per wall s beside the size's target, virtual s per CPU s of
 * this process (steadier on a shared machine), records acked and consumed per virtual s
 * and events per virtual s; then the after/before ratio of both speeds.
 *
 * Caveat, measured: both trees share one process and heap; on 2 busy cores one run gave
 * 3x3 0.73 where separate processes (one node per run, trees alternating) gave 1.00 for
 * the same two trees. Read ratios under ~30% as noise, and check with separate processes.
 */
import { measureScale, scaleScenario, type ScaleRunnable } from './workload';

type ClusterCtor = new (s: ReturnType<typeof scaleScenario>) => ScaleRunnable;

interface Size {
  name: string;
  brokers: number;
  partitions: number;
  rate: number;
  target: number;
  measureMs: number;
  budgetS: number;
}

const SIZES: Size[] = [
  { name: '3x3@1000', brokers: 3, partitions: 3, rate: 1_000, target: 100, measureMs: 120_000, budgetS: 4 },
  { name: '3x3', brokers: 3, partitions: 3, rate: 20_000, target: 50, measureMs: 60_000, budgetS: 6 },
  { name: '6x50', brokers: 6, partitions: 50, rate: 20_000, target: 20, measureMs: 30_000, budgetS: 8 },
  { name: '12x200', brokers: 12, partitions: 200, rate: 20_000, target: 5, measureMs: 10_000, budgetS: 10 },
  { name: '50x1000', brokers: 50, partitions: 1_000, rate: 20_000, target: 1, measureMs: 5_000, budgetS: 15 },
];

interface Run {
  wallSpeed: number;
  cpuSpeed: number;
  ackedPerVs: number;
  consumedPerVs: number;
  eventsPerVs: number;
}

function runOnce(C: ClusterCtor, s: Size): Run {
  const f = measureScale(new C(scaleScenario(s.brokers, s.partitions, s.rate, 1e9)), 3_000, s.measureMs, s.budgetS);
  const vs = f.virtualSeconds;
  return { wallSpeed: vs / f.wallSeconds, cpuSpeed: vs / f.cpuSeconds, ackedPerVs: f.acked / vs, consumedPerVs: f.consumed / vs, eventsPerVs: f.eventsRun / vs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const med = (runs: Run[]): Run => ({
  wallSpeed: median(runs.map((r) => r.wallSpeed)),
  cpuSpeed: median(runs.map((r) => r.cpuSpeed)),
  ackedPerVs: median(runs.map((r) => r.ackedPerVs)),
  consumedPerVs: median(runs.map((r) => r.consumedPerVs)),
  eventsPerVs: median(runs.map((r) => r.eventsPerVs)),
});

async function main(): Promise<void> {
  const [oldRoot, newRoot, sizesArg, roundsArg = '1'] = process.argv.slice(2);
  if (!oldRoot || !newRoot) throw new Error('usage: tsx bench/scale-ab.ts <old tree> <new tree> [sizes] [rounds]');
  const load = async (root: string): Promise<ClusterCtor> => (await import(`${root}/src/kafka/cluster.ts`)).Cluster;
  const Old = await load(oldRoot);
  const New = await load(newRoot);
  // JIT warm-up of both, not measured.
  new Old(scaleScenario(3, 3, 20_000, 1e9)).runUntil(3_000);
  new New(scaleScenario(3, 3, 20_000, 1e9)).runUntil(3_000);
  const only = sizesArg?.split(',');
  const rounds = Number(roundsArg);
  console.log(`Scale A/B (${oldRoot} -> ${newRoot}), ${rounds} round(s), medians`);
  console.log('| size | target | before x wall | after x wall | before x cpu | after x cpu | ratio wall | ratio cpu | acked/vs before/after | cons/vs before/after | events/vs before/after |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of SIZES) {
    if (only && !only.includes(s.name)) continue;
    const olds: Run[] = [];
    const news: Run[] = [];
    for (let i = 0; i < rounds; i++) {
      if (i % 2 === 0) {
        olds.push(runOnce(Old, s));
        news.push(runOnce(New, s));
      } else {
        news.push(runOnce(New, s));
        olds.push(runOnce(Old, s));
      }
    }
    const a = med(olds);
    const b = med(news);
    const f = (x: number) => x.toFixed(2) + 'x';
    const n = (x: number) => String(Math.round(x));
    console.log(
      `| ${s.name} | ≥${s.target}x | ${f(a.wallSpeed)} | ${f(b.wallSpeed)} | ${f(a.cpuSpeed)} | ${f(b.cpuSpeed)} | ${(b.wallSpeed / a.wallSpeed).toFixed(2)} | ${(b.cpuSpeed / a.cpuSpeed).toFixed(2)} ` +
        `| ${n(a.ackedPerVs)}/${n(b.ackedPerVs)} | ${n(a.consumedPerVs)}/${n(b.consumedPerVs)} | ${n(a.eventsPerVs)}/${n(b.eventsPerVs)} |`,
    );
  }
}

main();
