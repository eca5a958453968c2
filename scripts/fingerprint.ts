/**
 * Determinism fingerprints: runs random property scenarios, the default scenario and the
 * lessons, and prints one hash per run (runner output, a snapshot every ~1 s, events run).
 * For refactors that must not change behaviour: save the output before, compare after.
 *   npx tsx scripts/fingerprint.ts 40 > before.json   (40 safe seeds, 20 lossy)
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { Cluster } from '../src/kafka/cluster';
import { randomScenario, FAULT_END_MS } from '../src/kafka/invariants/random-scenario';
import { defaultScenario } from '../src/scenario/default-scenario';
const out: Record<string, string> = {};
const h = (s: string) => createHash('sha1').update(s).digest('hex').slice(0, 16);
const run = (name: string, s: any, until: number) => {
  const c = new Cluster(s, { recordConsumed: true });
  const snaps: string[] = [];
  for (let t = 0; t <= until; t += 997) { c.runUntil(t); snaps.push(JSON.stringify(c.snapshot())); }
  c.runUntil(until);
  out[name] = h(JSON.stringify(c.output()) + snaps.join('') + c.scheduler.eventsRun);
};
const n = Number(process.argv[2] ?? 40);
for (let seed = 1; seed <= n; seed++) run(`safe-${seed}`, randomScenario(seed), FAULT_END_MS + 30000);
for (let seed = 1; seed <= n / 2; seed++) run(`lossy-${seed}`, randomScenario(seed, 'lossy'), FAULT_END_MS + 30000);
run('default', defaultScenario, 60000);
for (const f of readdirSync(new URL('../src/scenario/lessons', import.meta.url)).filter((f) => f.endsWith('.json'))) run(f, JSON.parse(readFileSync(new URL('../src/scenario/lessons/' + f, import.meta.url), 'utf8')), 60000);
console.log(JSON.stringify(out, null, 1));
