// Summarises a V8 .cpuprofile by self time (and by file), for `bench/profile.ts`.
import { readFileSync } from 'node:fs';

const prof = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const top = Number(process.argv[3] ?? 40);
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const counts = new Map();
for (const s of prof.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
const total = prof.samples.length;
const self = new Map();
const files = new Map();
for (const [id, n] of counts) {
  const f = byId.get(id).callFrame;
  const file = (f.url || '').replace(/^.*\/src\//, 'src/').replace(/^file:\/\//, '');
  const key = `${f.functionName || '(anon)'}  ${file}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + n);
  files.set(file || f.functionName, (files.get(file || f.functionName) ?? 0) + n);
}
const pct = (n) => ((100 * n) / total).toFixed(1).padStart(5) + '%';
console.log(`${total} samples`);
for (const [k, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(n), k);
console.log('--- by file');
for (const [k, n] of [...files].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(pct(n), k);
