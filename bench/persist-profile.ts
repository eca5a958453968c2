/**
 * The persistence benchmark's loop in Node, for profiling the saving path:
 * `node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/persist-profile.ts [on|off|moment] [rate] [virtualMs]`
 * (moment: every flush also carries the exact moment, as the playground saves),
 * then `node bench/cpuprofile-summary.mjs <file>.cpuprofile`. IndexedDB is fake-indexeddb (its
 * costs are not Chromium's; the browser figures come from `npm run bench:browser`).
 */
import 'fake-indexeddb/auto';
import { Cluster } from '../src/kafka/cluster';
import { FlushPlanner } from '../src/storage/flush-planner';
import { IdbClusterStore } from '../src/storage/idb-store';
import { Persister } from '../src/storage/persister';
import { benchScenario } from './workload';

const [mode = 'on', rate = '200000', ms = '5000'] = process.argv.slice(2);
const persist = mode === 'on' || mode === 'moment';
const virtualMs = Number(ms);
const cluster = new Cluster(benchScenario(Number(rate), virtualMs));
let persister: Persister | null = null;
if (persist) {
  const store = await IdbClusterStore.open({ name: 'kafka-playground-profile' });
  persister = new Persister({
    store,
    planner: new FlushPlanner(undefined, mode === 'moment' ? () => true : null),
    ownerEpoch: await store.claim(),
    cluster: () => cluster,
    wallNow: () => performance.now(),
    setTimer: (fn, t) => setTimeout(fn, t),
    clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  });
}
const end = virtualMs + 2000;
const t0 = performance.now();
while (cluster.now < end) {
  const slice = performance.now();
  while (cluster.now < end && performance.now() - slice < 16) cluster.runUntil(Math.min(end, cluster.now + 20));
  persister?.requestFlush();
  await new Promise<void>((r) => setImmediate(r));
}
if (persister) await persister.flushNow();
const s = (performance.now() - t0) / 1000;
const acked = [...cluster.producers.values()].reduce((n, p) => n + p.acked, 0);
const f = persister?.figures;
console.log(`persistence ${mode}: ${Math.round(acked / s).toLocaleString('en')} records/s acked, ${s.toFixed(2)} s${f ? `, ${(f.bytes / 1e6).toFixed(1)} MB in ${f.flushes} flushes, plans ${(f.planMs / 1000).toFixed(2)} s` : ''}`);
