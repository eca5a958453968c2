/**
 * Runs one scale workload for profiling: `node --cpu-prof --import tsx bench/profile.ts 6 50 [virtualMs]`,
 * then `node bench/cpuprofile-summary.mjs <file>.cpuprofile` lists functions by self time.
 * A partition count of `3+997` adds 997 idle partitions (bench/run.ts's idle row).
 */
import { Cluster } from '../src/kafka/cluster';
import { scaleScenario } from './workload';

const [b = '6', p = '50', ms = '3000', rate = '20000'] = process.argv.slice(2);
const [busy = '50', idle = '0'] = p.split('+');
const c = new Cluster(scaleScenario(Number(b), Number(busy), Number(rate), 1e9, Number(idle)));
c.runUntil(2000);
const t0 = performance.now();
const e0 = c.scheduler.eventsRun;
c.runUntil(2000 + Number(ms));
const wall = (performance.now() - t0) / 1000;
console.log(`${b}x${p}: ${(Number(ms) / 1000 / wall).toFixed(2)}x, ${c.scheduler.eventsRun - e0} events in ${wall.toFixed(1)} s`);
