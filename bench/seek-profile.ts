/**
 * Profiles only the seeks of the time-travel bench (not the first play to 30 minutes):
 * `tsx bench/seek-profile.ts out.cpuprofile`, then `node bench/cpuprofile-summary.mjs out.cpuprofile`.
 */
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { cloneCluster, cloneFootprint } from '../src/kafka/checkpoint';
import { Cluster } from '../src/kafka/cluster';
import { Prng } from '../src/kafka/sim/prng';
import { defaultScenario } from '../src/scenario/default-scenario';
import { restoreScenarioOrThrow } from '../src/scenario/restore';
import { TimeMachine } from '../src/worker/time-machine';
const MINUTE = 60_000;
const doc = restoreScenarioOrThrow(defaultScenario);
const tm = new TimeMachine<Cluster>(doc, { createCluster: (d) => new Cluster(d), clone: cloneCluster, footprint: cloneFootprint });
tm.runUntil(30 * MINUTE);
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
await session.post('Profiler.start');
const r = new Prng(9);
const s0 = performance.now();
for (let i = 0; i < 50; i++) tm.seek(r.range(0, 30 * MINUTE));
console.log('50 seeks', (performance.now() - s0).toFixed(0), 'ms');
const { profile } = await session.post('Profiler.stop');
writeFileSync(process.argv[2] ?? '/tmp/seek/seek.cpuprofile', JSON.stringify(profile));
