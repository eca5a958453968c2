/**
 * Diagnostic: the speed of each seek's run forward, in order (ms per virtual second), after
 * a 30-minute first play: `tsx bench/seek-order.ts [seeks]`. Slow seeks that come in a
 * row after a change of kind (the first restores, a replay from 0) are V8 deoptimising and
 * re-optimising (check with node --trace-deopt); see time-machine.ts on hidden classes.
 */
import { cloneCluster, cloneFootprint } from '../src/kafka/checkpoint';
import { Cluster } from '../src/kafka/cluster';
import { Prng } from '../src/kafka/sim/prng';
import { defaultScenario } from '../src/scenario/default-scenario';
import { restoreScenarioOrThrow } from '../src/scenario/restore';
import { TimeMachine } from '../src/worker/time-machine';
const MINUTE = 60_000;
const doc = restoreScenarioOrThrow(defaultScenario);
const tm = new TimeMachine<Cluster>(doc, { createCluster: (d) => new Cluster(d), clone: cloneCluster, footprint: cloneFootprint });
let s = performance.now();
const rates: string[] = [];
for (let m = 1; m <= 30; m++) { tm.runUntil(m * MINUTE); if (m % 5 === 0) { rates.push(((performance.now() - s) / 300).toFixed(1)); s = performance.now(); } }
console.log('first play ms per virtual s, per 5 min:', rates.join(' '));
const r = new Prng(9);
const out: string[] = [];
for (let i = 0; i < Number(process.argv[2] ?? 80); i++) {
  const t = r.range(0, 30 * MINUTE);
  const target = tm.prepareSeek(t);
  const start = tm.now;
  const s1 = performance.now();
  tm.runUntil(target);
  const d = (target - start) / 1000;
  if (d > 3) out.push(`${((performance.now() - s1) / d).toFixed(1)}@${(start/1000).toFixed(0)}`);
}
console.log('seek run ms per virtual s, in order:', out.join(' '));
