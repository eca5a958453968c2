/**
 * Runs one scale workload for profiling: `node --cpu-prof --import tsx bench/profile.ts 6 50 [virtualMs]`,
 * then `node bench/cpuprofile-summary.mjs <file>.cpuprofile` lists functions by self time (the largest
 * of the files --cpu-prof writes; the smaller is tsx's loader thread).
 * A partition count of `3+997` adds 997 idle partitions (bench/run.ts's idle row).
 * As a round of bench/run.ts's scale table: the slabs come pre-touched by the slab warmer's thread
 * (PROFILE_SLAB_WARMER=0 without) and a 3 x 3 cluster runs first, as the JIT's history.
 * Prints virtual s per wall s and the CPU seconds of the measured span (compare CPU across runs).
 * Knobs for experiments: PROFILE_WARMUP=0 (no history) or =BxP (history on another size),
 * PROFILE_WARMUP_MS (its virtual length), PROFILE_GC=1 with --expose-gc (a full collection
 * after it), PROFILE_MARK=1 (prints @@phase and @@measure, to cut --trace-deopt output at
 * the phases), PROFILE_SESSION_MIN=n (ClusterOptions.fetchSessionMinParts).
 */
import { Cluster } from '../src/kafka/cluster';
import { startSlabWarmer } from '../src/node/slab-warmer';
import { scaleScenario } from './workload';

const [b = '6', p = '50', ms = '3000', rate = '20000'] = process.argv.slice(2);
const [busy = '50', idle = '0'] = p.split('+');
const warmer = process.env.PROFILE_SLAB_WARMER === '0' ? null : startSlabWarmer();
// PROFILE_WARMUP=0: without the 3 x 3 history (what V8 optimizes for the size alone).
if (process.env.PROFILE_WARMUP !== '0') {
  // PROFILE_WARMUP=BxP: the history on another size; PROFILE_WARMUP_MS: its virtual length.
  const [wb, wp] = (process.env.PROFILE_WARMUP ?? '3x3').split('x').map(Number);
  new Cluster(scaleScenario(wb!, wp!, 20_000, 1e9)).runUntil(Number(process.env.PROFILE_WARMUP_MS ?? 3_000));
}
if (process.env.PROFILE_GC && typeof globalThis.gc === 'function') globalThis.gc();
if (process.env.PROFILE_MARK) console.log('@@phase');
const c = new Cluster(scaleScenario(Number(b), Number(busy), Number(rate), 1e9, Number(idle)), process.env.PROFILE_SESSION_MIN ? { fetchSessionMinParts: Number(process.env.PROFILE_SESSION_MIN) } : undefined);
c.runUntil(3000);
if (process.env.PROFILE_MARK) console.log('@@measure');
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const e0 = c.scheduler.eventsRun;
c.runUntil(3000 + Number(ms));
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
console.log(`${b}x${p}: ${(Number(ms) / 1000 / wall).toFixed(2)}x, ${c.scheduler.eventsRun - e0} events in ${wall.toFixed(1)} s, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s`);
warmer?.stop();
