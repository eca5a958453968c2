/**
 * Where the persistence benchmark's time goes in every thread of the browser, not only in
 * the worker (bench/browser/profile.ts sees one thread): records a Chromium trace of one
 * run (the same run as run.ts, in its worker) and prints the wall ms of the tasks each
 * thread ran, by what posted them (the source function, or the Mojo interface whose message
 * or data pipe woke the thread).
 * `npx tsx bench/browser/trace.ts [on|off] [rate] [virtualMs]` writes /tmp/persist-<mode>.trace.json
 * (BENCH_MOMENT=1: every flush carries the exact moment, as the playground saves).
 * For 200,000 records/s it showed, for 117 MB stored: the browser's IO thread reading the
 * streamed Blobs' data pipes (blob_builder_from_stream, ~5,000 reads) ~1.7 s, IndexedDB's
 * puts ~0.6 s, and the worker refilling the pipes (~2,200 tasks) ~0.5 s.
 */
import { readFileSync } from 'node:fs';
import { launch, serveBenchPage } from './serve';

const [mode = 'on', rate = '200000', ms = '5000'] = process.argv.slice(2);
const out = `/tmp/persist-${mode}.trace.json`;
const { base, close } = await serveBenchPage(4192);
const browser = await launch();
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}?persist=0&rate=50000&virtualMs=1000`); // warm-up
  await page.waitForFunction(() => window.benchResult !== undefined, undefined, { timeout: 600_000 });
  await browser.startTracing(page, { path: out, categories: ['toplevel', 'IndexedDB', 'Blob', 'storage', 'mojom', 'v8'] });
  await page.goto(`${base}?persist=${mode === 'on' ? 1 : 0}&rate=${rate}&virtualMs=${ms}&moment=${process.env.BENCH_MOMENT === '1' ? 1 : 0}`);
  // The run itself, not the reopen measured after it.
  await page.waitForFunction(() => window.benchRan === true || window.benchResult !== undefined, undefined, { timeout: 600_000, polling: 10 });
  await browser.stopTracing();
  await page.waitForFunction(() => window.benchResult !== undefined, undefined, { timeout: 600_000 });
  console.log(JSON.stringify(await page.evaluate(() => window.benchResult)));
} finally {
  await browser.close();
  await close();
}

interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  dur?: number;
  args?: { name?: string; src_func?: string; chrome_mojo_event_info?: { watcher_notify_interface_tag?: string } };
}
const parsed = JSON.parse(readFileSync(out, 'utf8')) as TraceEvent[] | { traceEvents: TraceEvent[] };
const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
const threads = new Map<string, string>();
const processes = new Map<number, string>();
for (const e of events) {
  if (e.ph !== 'M') continue;
  if (e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args?.name ?? '');
  if (e.name === 'process_name') processes.set(e.pid, e.args?.name ?? '');
}
// Top-level tasks only (nested slices would count twice): a task, or a Mojo wake-up.
const TASKS = new Set(['ThreadControllerImpl::RunTask', 'ThreadPool_RunTask', 'SimpleWatcher::OnHandleReady']);
const byThread = new Map<string, Map<string, [number, number]>>();
for (const e of events) {
  if (e.ph !== 'X' || !TASKS.has(e.name) || !e.dur) continue;
  const thread = `${processes.get(e.pid) ?? e.pid}/${threads.get(`${e.pid}:${e.tid}`) ?? e.tid}`;
  const what = `${e.name === 'SimpleWatcher::OnHandleReady' ? 'wake: ' : ''}${e.args?.chrome_mojo_event_info?.watcher_notify_interface_tag ?? e.args?.src_func ?? e.name}`;
  const tasks = byThread.get(thread) ?? new Map<string, [number, number]>();
  byThread.set(thread, tasks);
  const t = tasks.get(what) ?? [0, 0];
  t[0]++;
  t[1] += e.dur / 1000;
  tasks.set(what, t);
}
const total = (m: Map<string, [number, number]>) => [...m.values()].reduce((s, [, d]) => s + d, 0);
for (const [thread, tasks] of [...byThread].sort((a, b) => total(b[1]) - total(a[1])).slice(0, 8)) {
  console.log(`${thread}: ${total(tasks).toFixed(0)} ms in tasks (wake-ups nest in tasks on some threads)`);
  for (const [what, [n, d]] of [...tasks].sort((a, b) => b[1][1] - a[1][1]).slice(0, 6)) console.log(`  ${d.toFixed(0).padStart(6)} ms  ${String(n).padStart(6)} x  ${what}`);
}
console.log(`wrote ${out} (open it in chrome://tracing or ui.perfetto.dev)`);
