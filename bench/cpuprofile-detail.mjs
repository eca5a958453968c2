/**
 * A closer look at a .cpuprofile than bench/cpuprofile-summary.mjs's self-time list:
 *
 *   node bench/cpuprofile-detail.mjs tasks  <profile> [minMs=50] [top=12]
 *     the profile's busy runs (samples between idle ones) over minMs, each with its top inclusive
 *     and self functions: what one long task of the main thread spent its time on
 *     (bench/browser/open-profile.ts writes such profiles of a link's opening);
 *   node bench/cpuprofile-detail.mjs stacks <profile> <function> [top=6]
 *     the most common whole stacks through a function: who calls it, and how;
 *   node bench/cpuprofile-detail.mjs lines  <profile> <bundle.mjs> <function> [top=25]
 *     a function's samples by source line of the bundle that was profiled (bench/profile.ts
 *     bundled with esbuild, as the summary's header says): which load or call in it costs.
 */
import { readFileSync } from 'node:fs';

const [mode, file, ...rest] = process.argv.slice(2);
if (!mode || !file) throw new Error('usage: cpuprofile-detail.mjs tasks|stacks|lines <profile> ...');
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const where = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
/** The frames of sample node `id`, innermost first. */
function stackOf(id) {
  const out = [];
  for (let x = id; x !== undefined; x = parent.get(x)) out.push(byId.get(x));
  return out;
}
const pct = (v, n) => `${((100 * v) / n).toFixed(0)}%`;

if (mode === 'tasks') {
  const minMs = Number(rest[0] ?? 50);
  const top = Number(rest[1] ?? 12);
  let t = prof.startTime;
  let run = null;
  const runs = [];
  for (let i = 0; i < prof.samples.length; i++) {
    t += prof.timeDeltas[i];
    const id = prof.samples[i];
    if (byId.get(id).callFrame.functionName === '(idle)') {
      if (run) runs.push({ ...run, end: t });
      run = null;
    } else (run ??= { start: t, ids: [] }).ids.push(id);
  }
  for (const r of runs) {
    const ms = (r.end - r.start) / 1000;
    if (ms < minMs) continue;
    const incl = new Map();
    const self = new Map();
    for (const id of r.ids) {
      const st = stackOf(id);
      self.set(where(st[0]), (self.get(where(st[0])) ?? 0) + 1);
      for (const k of new Set(st.map(where))) incl.set(k, (incl.get(k) ?? 0) + 1);
    }
    const n = r.ids.length;
    const list = (m, k) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([f, v]) => `${pct(v, n)} ${f}`);
    console.log(`\n== busy from ${((r.start - prof.startTime) / 1000).toFixed(0)} ms for ${ms.toFixed(0)} ms (${n} samples)`);
    console.log(`  inclusive:\n    ${list(incl, top).join('\n    ')}`);
    console.log(`  self: ${list(self, 8).join(' | ')}`);
  }
} else if (mode === 'stacks') {
  const fn = rest[0];
  const top = Number(rest[1] ?? 6);
  const counts = new Map();
  for (const id of prof.samples) {
    const names = stackOf(id).map((f) => `${f.callFrame.functionName || '(anonymous)'}:${f.callFrame.lineNumber + 1}`);
    const i = names.findIndex((s) => s.startsWith(`${fn}:`));
    if (i < 0) continue;
    const k = names.slice(i).reverse().join(' > ');
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${v} ${k}\n`);
} else if (mode === 'lines') {
  const [bundle, fn, topArg] = rest;
  const src = readFileSync(bundle, 'utf8').split('\n');
  const lines = new Map();
  let ticks = 0;
  for (const n of prof.nodes) {
    if (n.callFrame.functionName !== fn) continue;
    for (const p of n.positionTicks ?? []) {
      lines.set(p.line, (lines.get(p.line) ?? 0) + p.ticks);
      ticks += p.ticks;
    }
  }
  console.log(`${fn}: ${ticks} of ${prof.samples.length} samples (${((100 * ticks) / prof.samples.length).toFixed(1)}%)`);
  for (const [l, v] of [...lines].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25))) {
    console.log(`${String(v).padStart(6)} ${String(l).padStart(6)}  ${(src[l - 1] ?? '').trim().slice(0, 120)}`);
  }
} else throw new Error(`unknown mode ${mode}: tasks, stacks or lines`);
