/**
 * `npm run bench` (time travel, issue 9): how long the UI waits for a moment of the run.
 * Node runs the same TimeMachine the worker does (src/worker/time-machine.ts), so these
 * figures are the worker's, less the snapshot posting.
 *
 * - seek: p50 / p95 over N random seeks (default 50) in a 30-minute run of the default
 *   scenario (target: 200 ms);
 * - fork: seek to a random past moment and act there (a produce), to the action applied;
 * - link open: a fresh machine replaying a 10- and a 30-minute run to its end (target: 2 s
 *   for 10 minutes), what opening a link with `&t=` costs;
 * - reload resume: reading the saved moment back (checkpoint image) at 30 minutes.
 *
 * With `src/kafka/checkpoint.ts` present (cloneCluster), checkpoints are taken while the
 * run first plays; without it every seek back replays from 0 (the fallback). The first
 * line says which was measured. Prints figures; asserts nothing.
 */
import { cloneFootprint, imageNodes, readClusterImage, writeClusterImage } from '../src/kafka/checkpoint';
import { scaleScenario } from './workload';
import { Cluster } from '../src/kafka/cluster';
import { Prng } from '../src/kafka/sim/prng';
import { FlushPlanner } from '../src/storage/flush-planner';
import { imageToMoment } from '../src/storage/image';
import { MemoryClusterStore } from '../src/storage/memory-store';
import { defaultScenario } from '../src/scenario/default-scenario';
import { restoreScenarioOrThrow } from '../src/scenario/restore';
import type { Scenario } from '../src/scenario/types';
import { TimeMachine } from '../src/worker/time-machine';

const MINUTE = 60_000;
const SEEKS = Number(process.env.TIME_TRAVEL_SEEKS ?? 50);

async function loadClone(): Promise<((c: Cluster) => Cluster) | undefined> {
  // A variable path: the module may not exist yet, and typechecking must not need it.
  const path = '../src/kafka/checkpoint';
  try {
    const mod = (await import(/* @vite-ignore */ path)) as { cloneCluster?: (c: Cluster) => Cluster };
    return mod.cloneCluster;
  } catch {
    return undefined;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function ms(x: number): string {
  return `${x.toFixed(1)} ms`;
}

export async function timeTravelBench(): Promise<void> {
  const clone = await loadClone();
  const doc: Scenario = restoreScenarioOrThrow(defaultScenario);
  const make = (d: Scenario) => new Cluster(d);
  const machine = () => new TimeMachine<Cluster>(doc, { createCluster: make, clone, footprint: cloneFootprint });
  console.log(`\nTime travel (default scenario): ${clone ? 'checkpoints through cloneCluster' : 'replay from 0 (no src/kafka/checkpoint.ts cloneCluster yet)'}`);

  // Link open: a fresh machine replays to the moment.
  for (const minutes of [10, 30]) {
    const t0 = performance.now();
    const tm = machine();
    tm.seek(minutes * MINUTE);
    const wall = performance.now() - t0;
    console.log(`link open at ${minutes} min`.padEnd(34) + `${ms(wall).padStart(12)}   (${((minutes * MINUTE) / wall).toFixed(0)}x real time; target ${minutes === 10 ? '2 s' : 'progress shown'})`);
  }

  // The run first played to 30 minutes (checkpoints are taken then), then random seeks.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const tm = machine();
  const t0 = performance.now();
  tm.runUntil(30 * MINUTE);
  const first = performance.now() - t0;
  gc?.();
  const held = process.memoryUsage().heapUsed - heap0;
  const times = tm.checkpointTimes;
  console.log('first play to 30 min'.padEnd(34) + `${ms(first).padStart(12)}   (${times.length} checkpoints, every ${((times.at(-1)! - times.at(-2)!) / 1000).toFixed(0)} s)`);
  console.log(
    'checkpoints held at 30 min'.padEnd(34) +
      `${(tm.checkpointBytes / 1e6).toFixed(1).padStart(9)} MB by footprint` +
      (gc ? `   (heap of the run with its checkpoints: ${(held / 1e6).toFixed(1)} MB)` : '   (node --expose-gc for the heap measured)'),
  );
  const r = new Prng(9);
  const seeks: number[] = [];
  for (let i = 0; i < SEEKS; i++) {
    const t = r.range(0, 30 * MINUTE);
    const s0 = performance.now();
    tm.seek(t);
    seeks.push(performance.now() - s0);
  }
  seeks.sort((a, b) => a - b);
  console.log(`seek, ${SEEKS} random in 30 min`.padEnd(34) + `p50 ${ms(percentile(seeks, 50))}   p95 ${ms(percentile(seeks, 95))}   max ${ms(seeks[seeks.length - 1]!)}   (target 200 ms)`);

  // Fork: from a random past moment, act; measured to the action applied. Undo after each.
  const forks: number[] = [];
  for (let i = 0; i < Math.min(10, SEEKS); i++) {
    tm.seek(r.range(0, 30 * MINUTE));
    const f0 = performance.now();
    const a = tm.perform({ op: 'produce', producer: 'checkout', topic: 'orders', key: 'fork', value: 'fork' });
    tm.runUntil(a.at);
    forks.push(performance.now() - f0);
    tm.undo();
  }
  forks.sort((a, b) => a - b);
  console.log(`fork, ${forks.length} random in 30 min`.padEnd(34) + `p50 ${ms(percentile(forks, 50))}   p95 ${ms(percentile(forks, 95))}`);

  // Reload resume: what the worker does with the saved moment (storage/image.ts
  // imageToMoment) at 30 minutes: the image as a flush writes it (storage/moment.ts: log
  // segments named by the stored logs, not listed batch by batch), through structured clone
  // as the store keeps it, read back into a cluster. The write figure is a whole flush's plan
  // at a moment whose batches are already stored (what each flush costs the worker).
  // IndexedDB's own read of the chunks is not in this figure (the browser bench has it).
  tm.seek(30 * MINUTE);
  const live = tm.cluster;
  const store = new MemoryClusterStore();
  const epoch = await store.claim();
  const planner = new FlushPlanner(undefined, () => true);
  const initial = planner.plan(live, 0);
  await store.write(initial.plan, epoch);
  initial.commit();
  const w0 = performance.now();
  const again = planner.plan(live, 1);
  const write = performance.now() - w0;
  await store.write(again.plan, epoch);
  again.commit();
  const loaded = (await store.load())!;
  let segments = 0;
  for (const l of loaded.logs) segments += l.info.segmentBases.length;
  const r0 = performance.now();
  const back = imageToMoment(loaded);
  const read = performance.now() - r0;
  if (!('cluster' in back) || back.cluster.now !== live.now) throw new Error(`the moment read back is another moment${'reason' in back ? `: ${back.reason}` : ''}`);
  const nodes = imageNodes(again.plan.manifest.moment!.image).length;
  console.log('reload resume at 30 min'.padEnd(34) + `${ms(read).padStart(12)}   (a flush with the moment: ${ms(write)}; ${nodes} nodes, ${segments} log segments named, not their batches)`);
  if (clone) {
    copySpeed(clone);
    checkpointsAtScale(clone);
  }
}

/**
 * Time travel at 6 x 50 with 2,000 records/s: 5 minutes played (checkpoints every 15 s
 * unless the budget thins them), what they hold, and 20 random seeks. Each copy sliced
 * every segment's batch list until copies shared them (LogSegment): 148 MB by footprint
 * here, thinned to 11 checkpoints, seeks p50 ~0.7 s.
 */
function checkpointsAtScale(clone: (c: Cluster) => Cluster): void {
  const doc = restoreScenarioOrThrow(scaleScenario(6, 50, 2000, 3_600_000));
  const tm = new TimeMachine<Cluster>(doc, { createCluster: (d) => new Cluster(d), clone, footprint: cloneFootprint });
  const END = 5 * MINUTE;
  const t0 = performance.now();
  tm.runUntil(END);
  const play = performance.now() - t0;
  // First, before random seeks add checkpoints on their way: into the first 15 s, played
  // before any spacing was measured (the first gap ends once it holds DENSE_GAP_EVENTS).
  const firstFrom = Math.max(...tm.checkpointTimes.filter((t) => t <= 14_000));
  const f0 = performance.now();
  tm.seek(14_000);
  const firstGap = performance.now() - f0;
  const rng = new Prng(9);
  const seeks: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = rng.range(0, END);
    const s0 = performance.now();
    tm.seek(t);
    seeks.push(performance.now() - s0);
  }
  seeks.sort((x, y) => x - y);
  console.log(
    'checkpoints at 6 x 50, 2,000/s'.padEnd(34) +
      `${(tm.checkpointBytes / 1e6).toFixed(1)} MB by footprint in ${tm.checkpointTimes.length} checkpoints at 5 min (first play ${(play / 1000).toFixed(1)} s); ` +
      `seek, 20 random: p50 ${ms(percentile(seeks, 50))}   p95 ${ms(percentile(seeks, 95))}; to 14 s ${ms(firstGap)} (from the checkpoint at ${firstFrom / 1000} s)`,
  );
}

/**
 * After the first checkpoint the live run is a copy (TimeMachine hands the run over to it),
 * and a cluster read back from an image is one too: each runs on beside the original, in
 * alternating 5 s legs, at 6 x 50 with 2,000 records/s. Copies held differently by V8
 * (their objects in dictionary mode) slowed all three, the original too (the code they
 * share went megamorphic): 11-14x here, and a copy run alone 14-22x where the original ran
 * 43-51x; with copies keeping the original's hidden classes all three run at ~30-45x.
 */
function copySpeed(clone: (c: Cluster) => Cluster): void {
  const original = new Cluster(scaleScenario(6, 50, 2000, 3_600_000));
  original.runUntil(15_000);
  const runs = { original, copy: clone(original), image: readClusterImage(structuredClone(writeClusterImage(original))) };
  const wall = { original: 0, copy: 0, image: 0 };
  for (let t = 20_000; t <= 50_000; t += 5_000) {
    for (const k of ['original', 'copy', 'image'] as const) {
      const t0 = performance.now();
      runs[k].runUntil(t);
      wall[k] += performance.now() - t0;
    }
  }
  const x = (w: number) => (35_000 / w).toFixed(1);
  console.log(
    'a copy runs on (6 x 50, 2,000/s)'.padEnd(34) +
      `copy ${x(wall.copy)}x, read from an image ${x(wall.image)}x, the original ${x(wall.original)}x real time` +
      `   (copy / original ${(wall.original / wall.copy).toFixed(2)}, image / original ${(wall.original / wall.image).toFixed(2)} of its speed)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await timeTravelBench();
