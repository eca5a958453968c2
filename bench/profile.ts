/**
 * Runs one scale workload for profiling: `node --cpu-prof --import tsx bench/profile.ts 6 50 [virtualMs]`,
 * then `node bench/cpuprofile-summary.mjs <file>.cpuprofile` lists functions by self time (the largest
 * of the files --cpu-prof writes; the smaller is tsx's loader thread).
 * A partition count of `3+997` adds 997 idle partitions (bench/run.ts's idle row).
 * As a round of bench/run.ts's scale table: the slabs come pre-touched by the slab warmer's thread
 * (PROFILE_SLAB_WARMER=0 without) and a 3 x 3 cluster runs first, as the JIT's history.
 */
import { Cluster } from '../src/kafka/cluster';
import { startSlabWarmer } from '../src/node/slab-warmer';
import { scaleScenario } from './workload';

const [b = '6', p = '50', ms = '3000', rate = '20000'] = process.argv.slice(2);
const [busy = '50', idle = '0'] = p.split('+');
const warmer = process.env.PROFILE_SLAB_WARMER === '0' ? null : startSlabWarmer();
new Cluster(scaleScenario(3, 3, 20_000, 1e9)).runUntil(3_000);
const c = new Cluster(scaleScenario(Number(b), Number(busy), Number(rate), 1e9, Number(idle)));
c.runUntil(3000);
const t0 = performance.now();
const e0 = c.scheduler.eventsRun;
c.runUntil(3000 + Number(ms));
const wall = (performance.now() - t0) / 1000;
console.log(`${b}x${p}: ${(Number(ms) / 1000 / wall).toFixed(2)}x, ${c.scheduler.eventsRun - e0} events in ${wall.toFixed(1)} s`);
warmer?.stop();
