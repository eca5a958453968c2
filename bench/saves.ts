/**
 * `npm run bench` (issue 10, saving at scale): what each save's plan costs the cluster's thread
 * as a busy run grows. 6 x 50 at 20,000 records/s with 50-byte values (a link's load may write
 * at most 1 MB/s: src/kafka/limits.ts), every log kept (default retention), a FlushPlanner
 * with the exact moment planning a save every 250 virtual ms and committing it, as the
 * playground's worker does (a plan is spaced so it takes at most a tenth of the thread:
 * storage/persister.ts PLAN_SHARE). Per virtual minute: the plans' mean and longest wall ms,
 * the MB the saves wrote against the MB the cluster produced (merges rewrite small chunks),
 * and the ranges the manifest names. BENCH_SAVE_MINUTES sets the minutes (5 when unset).
 *
 * Measured when the planner still kept each stored batch's place in a WeakMap keyed by the
 * batch (an entry per batch ever stored): plans ran 25-35 ms for four minutes, then 150-450 ms
 * on average with single ones of 1-12 s, as the table grew past a few million entries.
 */
import { Cluster } from '../src/kafka/cluster';
import { FlushPlanner } from '../src/storage/flush-planner';
import { startSlabWarmer } from '../src/node/slab-warmer';
import { scaleScenario } from './workload';

export function savesBench(): void {
  const minutes = Math.max(1, Number(process.env.BENCH_SAVE_MINUTES ?? 5) || 5);
  const every = 250;
  const warmer = startSlabWarmer();
  try {
    const s = scaleScenario(6, 50, 20_000, 3_600_000);
    for (const a of s.timeline ?? []) if (a.op === 'startLoad') a.valueBytes = 50;
    const c = new Cluster(s, { recordConsumed: false, recordProduced: false });
    const planner = new FlushPlanner(() => c.scenario(), () => true);
    console.log(`Saves at 6 x 50, 20,000 records/s of 50-byte values, every log kept: a plan with the moment every ${every} virtual ms, committed`);
    let sum = 0;
    let n = 0;
    let max = 0;
    let written = 0;
    let produced = 0;
    let ranges = 0;
    for (let t = every; t <= minutes * 60_000; t += every) {
      c.runUntil(t);
      const t0 = performance.now();
      const { plan, commit } = planner.plan(c, Date.now());
      commit();
      const ms = performance.now() - t0;
      sum += ms;
      n++;
      if (ms > max) max = ms;
      written += plan.chunkBytes;
      if (t % 60_000 === 0) {
        const logBytes = [...c.brokers.values()].reduce((acc, b) => acc + [...b.logs.values()].reduce((x, l) => x + l.sizeInBytes, 0), 0) / 3;
        ranges = plan.manifest.logs.reduce((acc, l) => acc + l.refs.length, 0);
        console.log(
          `  minute ${String(t / 60_000).padStart(2)}: plan mean ${(sum / n).toFixed(1).padStart(6)} ms, longest ${max.toFixed(0).padStart(6)} ms;` +
            `   written ${(written / 1e6).toFixed(0).padStart(4)} MB for ${((logBytes - produced) / 1e6).toFixed(0).padStart(3)} MB produced; manifest ranges ${ranges}`,
        );
        produced = logBytes;
        sum = n = max = written = 0;
      }
    }
  } finally {
    warmer.stop();
  }
}
