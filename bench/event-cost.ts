/**
 * Wall time per kind of event at one scale size, inclusive of everything the event runs:
 * `npx tsx bench/event-cost.ts 12 200 [virtualMs]` (partitions `3+997`: 997 idle ones added). Answers "which request costs most in
 * total and per event"; timings include the timer's own cost (about 0.1 µs), so read ratios.
 */
import { performance } from 'node:perf_hooks';
import { Cluster } from '../src/kafka/cluster';
import { aroundEachEvent } from './event-name';
import { scaleScenario } from './workload';

const [b = '6', p = '50', ms = '2000'] = process.argv.slice(2);
const [busy = p, idle = '0'] = p.split('+');
const c = new Cluster(scaleScenario(Number(b), Number(busy), Number(process.argv[5] ?? 20000), 1e9, Number(idle)));
c.runUntil(3000);
const cost = new Map<string, { n: number; ms: number }>();
aroundEachEvent(c.scheduler, (k, fire) => {
  const t0 = performance.now();
  fire();
  const e = cost.get(k) ?? { n: 0, ms: 0 };
  e.n++;
  e.ms += performance.now() - t0;
  cost.set(k, e);
});
const w0 = performance.now();
c.runUntil(3000 + Number(ms));
const wall = performance.now() - w0;
const total = [...cost.values()].reduce((s, e) => s + e.ms, 0);
console.log(`${b}x${p}: ${(Number(ms) / wall).toFixed(2)}x, events ${(total / wall * 100).toFixed(0)}% of wall`);
for (const [k, e] of [...cost].sort((x, y) => y[1].ms - x[1].ms).slice(0, 16))
  console.log(`${(e.ms / total * 100).toFixed(1).padStart(5)}%  ${(e.ms / e.n * 1000).toFixed(1).padStart(6)} µs  ${String(Math.round(e.n / (Number(ms) / 1000))).padStart(7)}/vs  ${k}`);
