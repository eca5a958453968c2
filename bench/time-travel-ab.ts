/**
 * Time travel before / after in one process: `tsx bench/time-travel-ab.ts <old tree> [<new tree>] [rounds]`
 * (a tree is a directory holding `src/`, e.g. `git archive <commit> src | tar -x -C /tmp/old`).
 * Each round plays the default scenario to 30 minutes on one tree's TimeMachine and
 * cluster, then seeks to the same random moments (the seek figure of bench/time-travel.ts),
 * then opens a link at 10 minutes (a fresh machine replaying to it); the trees alternate,
 * so both meet the same load on this shared machine. Prints p50 / p95 / max per tree and
 * the ratios after / before. Each tree's modules are its own (separate JIT feedback).
 */
import { resolve } from 'node:path';

const MINUTE = 60_000;
const [oldRoot, newRoot = '.', roundsArg = '2'] = process.argv.slice(2);
if (!oldRoot) throw new Error('usage: tsx bench/time-travel-ab.ts <old tree> [<new tree>] [rounds]');
const SEEKS = Number(process.env.TIME_TRAVEL_SEEKS ?? 50);

interface Tree {
  name: string;
  run(): Promise<{ seeks: number[]; cpu: number[]; link: number; linkCpu: number; first: number; firstCpu: number; checkpoints: number; bytes: number }>;
}

async function load(name: string, root: string): Promise<Tree> {
  const r = resolve(root);
  const cp = await import(`${r}/src/kafka/checkpoint.ts`);
  const { Cluster } = await import(`${r}/src/kafka/cluster.ts`);
  const { Prng } = await import(`${r}/src/kafka/sim/prng.ts`);
  const { defaultScenario } = await import(`${r}/src/scenario/default-scenario.ts`);
  const { restoreScenarioOrThrow } = await import(`${r}/src/scenario/restore.ts`);
  const { TimeMachine } = await import(`${r}/src/worker/time-machine.ts`);
  const doc = restoreScenarioOrThrow(defaultScenario);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const machine = (): any => new TimeMachine(doc, { createCluster: (d: unknown) => new Cluster(d), clone: cp.cloneCluster, footprint: cp.cloneFootprint });
  return {
    name,
    async run() {
      const cpuMs = (c0: NodeJS.CpuUsage) => {
        const c = process.cpuUsage(c0);
        return (c.user + c.system) / 1000;
      };
      const f0 = process.cpuUsage();
      const t0 = performance.now();
      const tm = machine();
      tm.runUntil(30 * MINUTE);
      const first = performance.now() - t0;
      const firstCpu = cpuMs(f0);
      const rng = new Prng(9);
      const seeks: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < SEEKS; i++) {
        const t = rng.range(0, 30 * MINUTE);
        const c0 = process.cpuUsage();
        const s0 = performance.now();
        tm.seek(t);
        seeks.push(performance.now() - s0);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
      }
      const lc = process.cpuUsage();
      const l0 = performance.now();
      machine().seek(10 * MINUTE);
      const link = performance.now() - l0;
      const linkCpu = cpuMs(lc);
      return { seeks, cpu, link, linkCpu, first, firstCpu, checkpoints: tm.checkpointTimes.length, bytes: tm.checkpointBytes ?? 0 };
    },
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const trees = [await load('before', oldRoot), await load('after', newRoot)];
const all = new Map<string, { seeks: number[]; cpu: number[]; links: number[]; linkCpus: number[]; firsts: number[]; firstCpus: number[]; checkpoints: number; bytes: number }>();
for (const t of trees) all.set(t.name, { seeks: [], cpu: [], links: [], linkCpus: [], firsts: [], firstCpus: [], checkpoints: 0, bytes: 0 });
for (let round = 0; round < Number(roundsArg); round++) {
  for (const t of round % 2 === 0 ? trees : [...trees].reverse()) {
    const r = await t.run();
    const a = all.get(t.name)!;
    a.seeks.push(...r.seeks);
    a.cpu.push(...r.cpu);
    a.links.push(r.link);
    a.linkCpus.push(r.linkCpu);
    a.firsts.push(r.first);
    a.firstCpus.push(r.firstCpu);
    a.checkpoints = r.checkpoints;
    a.bytes = r.bytes;
    console.log(`round ${round + 1} ${t.name.padEnd(6)} seek p50 ${pct(r.seeks, 50).toFixed(0)} p95 ${pct(r.seeks, 95).toFixed(0)} max ${Math.max(...r.seeks).toFixed(0)} ms (CPU p95 ${pct(r.cpu, 95).toFixed(0)} ms); link open 10 min ${r.link.toFixed(0)} ms; first play ${r.first.toFixed(0)} ms`);
    (globalThis as { gc?: () => void }).gc?.();
  }
}
const b = all.get('before')!;
const a = all.get('after')!;
const row = (label: string, f: (x: typeof a) => number) => console.log(`${label.padEnd(22)} before ${f(b).toFixed(1).padStart(8)}   after ${f(a).toFixed(1).padStart(8)}   after/before ${(f(a) / f(b)).toFixed(2)}`);
console.log(`\nTime travel, default scenario, ${SEEKS} random seeks in a 30-minute run x ${roundsArg} rounds per tree (ms; wall, and CPU of the process, steadier on a shared machine)`);
row('seek p50', (x) => pct(x.seeks, 50));
row('seek p95', (x) => pct(x.seeks, 95));
row('seek max', (x) => Math.max(...x.seeks));
row('seek CPU p50', (x) => pct(x.cpu, 50));
row('seek CPU p95', (x) => pct(x.cpu, 95));
row('seek CPU max', (x) => Math.max(...x.cpu));
row('link open at 10 min', (x) => pct(x.links, 50));
row('link open CPU', (x) => pct(x.linkCpus, 50));
row('first play to 30 min', (x) => pct(x.firsts, 50));
row('first play CPU', (x) => pct(x.firstCpus, 50));
console.log(`checkpoints at 30 min: before ${b.checkpoints}, after ${a.checkpoints} (${(a.bytes / 1e6).toFixed(1)} MB by footprint)`);
