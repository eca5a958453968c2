/**
 * The main thread's figures (issue 10): the production build (`vite build`, served by `vite
 * preview`) in headless Chromium at 1280x720, opened on a share link to a scale scenario
 * (bench/workload.ts) with its load running, then measured for a few wall seconds:
 *
 * - frames/s: requestAnimationFrame callbacks counted in the page;
 * - long tasks: a PerformanceObserver on 'longtask' (tasks over 50 ms): count, longest, total;
 * - bytes per frame: what the worker posted to the main thread, measured where the client
 *   receives it (src/state/worker-client.ts counts JSON length when `__kpWireStats` exists).
 *
 * Prints figures; asserts nothing. `measureUi` is shared with bench/browser/run.ts.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from '@playwright/test';
import { scaleScenario } from '../workload';
import { encodeScenarioToFragment } from '../../src/scenario/url';
import { launch, serveApp } from './serve';

export interface UiFigures {
  label: string;
  framesPerSec: number;
  /** Times per second the diagram's nodes changed on screen (a MutationObserver's callbacks: about one per React commit that touched them). */
  diagramUpdatesPerSec: number;
  longTasks: number;
  longestTaskMs: number;
  longTaskTotalMs: number;
  wallMs: number;
  messages: number;
  bytesPerMessage: number;
  maxMessageBytes: number;
  /** Virtual ms the cluster advanced while measured (does the worker keep up?). */
  virtualMs: number;
  /** Opening the link, before the measured window: wall ms from navigation until the diagram's layout settled. */
  openSettledMs: number;
  /** Long tasks from navigation until the measured window starts (the link's opening and the warm-up). */
  openLongTasks: number[];
}

interface PageStats {
  frames: number;
  diagramUpdates: number;
  long: number[];
  wall: number;
  messages: number;
  bytes: number;
  maxBytes: number;
}

export async function measureUi(
  browser: Browser,
  base: string,
  brokers: number,
  partitions: number,
  rate: number,
  opts: { warmMs?: number; measureMs?: number } = {},
): Promise<UiFigures> {
  const warmMs = opts.warmMs ?? 4000;
  const measureMs = opts.measureMs ?? 6000;
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  // tsx compiles functions handed to the page with esbuild's __name helper: give the page one.
  await page.addInitScript('globalThis.__name = (f) => f;');
  await page.addInitScript(() => {
    (window as unknown as { __kpWireStats: unknown }).__kpWireStats = { messages: 0, bytes: 0, maxBytes: 0 };
    // Long tasks while the link opens (read and stopped when the measured window starts).
    const w = window as unknown as { __kpOpenLong: number[]; __kpOpenObs: PerformanceObserver };
    w.__kpOpenLong = [];
    w.__kpOpenObs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__kpOpenLong.push(e.duration);
    });
    w.__kpOpenObs.observe({ type: 'longtask', buffered: true });
  });
  // A link's load may write at most 1 MB/s (src/kafka/limits.ts): 50-byte values at 20,000/s.
  const scenario = scaleScenario(brokers, partitions, rate, 3_600_000);
  for (const a of scenario.timeline ?? []) if (a.op === 'startLoad') a.valueBytes = Math.min(a.valueBytes ?? 100, Math.floor(1_000_000 / rate));
  const fragment = await encodeScenarioToFragment(scenario);
  const opened = Date.now();
  await page.goto(`${base}#${fragment.replace(/^#/, '')}`);
  await page.getByTestId(`broker-${brokers}`).waitFor({ timeout: 120_000 });
  await page.locator('[data-testid=diagram][data-layout=settled]').waitFor({ timeout: 120_000 });
  const openSettledMs = Date.now() - opened;
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=clock]')?.getAttribute('data-ms') ?? 0) > 0, undefined, { timeout: 120_000 });
  await page.waitForTimeout(warmMs);
  const openLongTasks = await page.evaluate(() => {
    const w = window as unknown as { __kpOpenLong: number[]; __kpOpenObs: PerformanceObserver };
    for (const e of w.__kpOpenObs.takeRecords()) w.__kpOpenLong.push(e.duration);
    w.__kpOpenObs.disconnect();
    return w.__kpOpenLong;
  });
  const t0 = Number(await page.getByTestId('clock').getAttribute('data-ms'));
  // UI_BENCH_PROFILE=file: a CPU profile of the main thread while measured (bench/cpuprofile-summary.mjs reads it).
  const cdp = process.env.UI_BENCH_PROFILE ? await context.newCDPSession(page) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  // UI_BENCH_TRACE=1: a Chromium performance trace while measured; prints what the long tasks spent their time on.
  const tracing = process.env.UI_BENCH_TRACE ? await context.newCDPSession(page) : null;
  const traceEvents: TraceEvent[] = [];
  if (tracing) {
    tracing.on('Tracing.dataCollected', (e) => {
      traceEvents.push(...(e.value as unknown as TraceEvent[]));
    });
    await tracing.send('Tracing.start', {
      categories: 'devtools.timeline,disabled-by-default-devtools.timeline,blink.user_timing,v8.execute',
      transferMode: 'ReportEvents',
    });
  }
  const stats = (await page.evaluate(async (ms: number) => {
    const w = window as unknown as { __kpWireStats: { messages: number; bytes: number; maxBytes: number } };
    const long: number[] = [];
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) long.push(e.duration);
    });
    obs.observe({ type: 'longtask', buffered: false });
    const m0 = { ...w.__kpWireStats };
    w.__kpWireStats.maxBytes = 0;
    let frames = 0;
    let diagramUpdates = 0;
    const mo = new MutationObserver(() => diagramUpdates++);
    const nodesEl = document.querySelector('.react-flow__nodes');
    if (nodesEl) mo.observe(nodesEl, { subtree: true, childList: true, characterData: true, attributes: true });
    let running = true;
    const tick = () => {
      frames++;
      if (running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    const start = performance.now();
    await new Promise((r) => setTimeout(r, ms));
    running = false;
    const wall = performance.now() - start;
    // Let the observer deliver what is queued.
    await new Promise((r) => setTimeout(r, 50));
    for (const e of obs.takeRecords()) long.push(e.duration);
    obs.disconnect();
    mo.disconnect();
    return {
      frames,
      long,
      wall,
      diagramUpdates,
      messages: w.__kpWireStats.messages - m0.messages,
      bytes: w.__kpWireStats.bytes - m0.bytes,
      maxBytes: w.__kpWireStats.maxBytes,
    };
  }, measureMs)) as PageStats;
  const t1 = Number(await page.getByTestId('clock').getAttribute('data-ms'));
  if (cdp) {
    const { profile } = await cdp.send('Profiler.stop');
    writeFileSync(`${process.env.UI_BENCH_PROFILE}-${brokers}x${partitions}.cpuprofile`, JSON.stringify(profile));
  }
  if (tracing) {
    const done = new Promise<void>((resolve) => tracing.once('Tracing.tracingComplete', () => resolve()));
    await tracing.send('Tracing.end');
    await done;
    console.log(summariseLongTasks(traceEvents, `${brokers}x${partitions}`));
    console.log(summariseCpu(traceEvents, `${brokers}x${partitions}`, stats.messages));
    writeFileSync(`/tmp/ui-trace-${new URL(base).port}-${brokers}x${partitions}.json`, JSON.stringify(traceEvents));
  }
  if (process.env.UI_BENCH_SHOT) await page.screenshot({ path: `${process.env.UI_BENCH_SHOT}-${brokers}x${partitions}.png` });
  await context.close();
  return {
    label: `${brokers} brokers x ${partitions} partitions at ${rate.toLocaleString('en')} records/s`,
    framesPerSec: (stats.frames * 1000) / stats.wall,
    diagramUpdatesPerSec: (stats.diagramUpdates * 1000) / stats.wall,
    longTasks: stats.long.length,
    longestTaskMs: stats.long.length ? Math.max(...stats.long) : 0,
    longTaskTotalMs: stats.long.reduce((a, b) => a + b, 0),
    wallMs: stats.wall,
    messages: stats.messages,
    bytesPerMessage: stats.messages ? stats.bytes / stats.messages : 0,
    maxMessageBytes: stats.maxBytes,
    virtualMs: t1 - t0,
    openSettledMs,
    openLongTasks,
  };
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { data?: { functionName?: string; url?: string; type?: string; frame?: string } };
}

/**
 * The main thread's tasks over 50 ms in a trace, each with the time its direct and nested
 * events took by name (self time, so the parts add up to about the task).
 */
export function summariseLongTasks(events: TraceEvent[], label: string): string {
  const main = events.find((e) => e.name === 'thread_name' && (e.args as { name?: string } | undefined)?.name === 'CrRendererMain');
  const onMain = events.filter((e) => e.ph === 'X' && e.dur !== undefined && (!main || (e.pid === main.pid && e.tid === main.tid)));
  onMain.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const tasks = onMain.filter((e) => e.name === 'RunTask' && e.dur! > 50_000);
  const lines = [`  ${label}: ${tasks.length} tasks over 50 ms in the trace`];
  const totals = new Map<string, number>();
  for (const t of tasks) {
    const end = t.ts + t.dur!;
    const inside = onMain.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur! <= end);
    // Self time: an event's duration minus its children's (events nest properly on one thread).
    const self = new Map<string, number>();
    const stack: TraceEvent[] = [];
    for (const e of inside) {
      while (stack.length && stack[stack.length - 1]!.ts + stack[stack.length - 1]!.dur! <= e.ts) stack.pop();
      const key = e.name === 'FunctionCall' || e.name === 'EventDispatch' ? `${e.name}(${e.args?.data?.functionName || e.args?.data?.type || ''})` : e.name;
      self.set(key, (self.get(key) ?? 0) + e.dur!);
      const parent = stack[stack.length - 1];
      if (parent) {
        const pk = parent.name === 'FunctionCall' || parent.name === 'EventDispatch' ? `${parent.name}(${parent.args?.data?.functionName || parent.args?.data?.type || ''})` : parent.name;
        self.set(pk, (self.get(pk) ?? 0) - e.dur!);
      }
      stack.push(e);
    }
    const parts = [...self].filter(([, v]) => v > 2000).sort((a, b) => b[1] - a[1]);
    for (const [k, v] of parts) totals.set(k, (totals.get(k) ?? 0) + v);
    const cpu = (t as { tdur?: number }).tdur;
    lines.push(`    ${(t.dur! / 1000).toFixed(0).padStart(4)} ms (${cpu === undefined ? '?' : (cpu / 1000).toFixed(0)} ms CPU): ${parts.slice(0, 6).map(([k, v]) => `${k} ${(v / 1000).toFixed(0)}`).join(', ')}`);
  }
  lines.push(`    all long tasks: ${[...totals].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${(v / 1000).toFixed(0)} ms`).join(', ')}`);
  return lines.join('\n');
}

/**
 * The main thread's CPU time from a trace (thread time, `tdur`): on a shared machine the wall
 * time of a task stretches with the load of other processes, its CPU time much less. Prints
 * the CPU time of all tasks, per frame received, and the longest tasks' CPU time.
 */
export function summariseCpu(events: TraceEvent[], label: string, frames: number): string {
  const main = events.find((e) => e.name === 'thread_name' && (e.args as { name?: string } | undefined)?.name === 'CrRendererMain');
  const tasks = events.filter((e) => e.ph === 'X' && e.name === 'RunTask' && (!main || (e.pid === main.pid && e.tid === main.tid)));
  const cpu = tasks.map((t) => ((t as { tdur?: number }).tdur ?? t.dur ?? 0) / 1000).sort((a, b) => b - a);
  const total = cpu.reduce((a, b) => a + b, 0);
  return (
    `  ${label}: main thread CPU ${Math.round(total)} ms in ${tasks.length} tasks, ${frames ? (total / frames).toFixed(1) : '?'} ms per frame received; ` +
    `tasks over 50 ms CPU: ${cpu.filter((c) => c > 50).length}, longest ${cpu.slice(0, 5).map((c) => c.toFixed(0)).join(', ')} ms CPU`
  );
}

export function uiLine(f: UiFigures): string {
  return (
    `${f.label.padEnd(48)} ${f.framesPerSec.toFixed(1).padStart(5)} frames/s (diagram ${f.diagramUpdatesPerSec.toFixed(1)}/s)   ` +
    `long tasks ${String(f.longTasks).padStart(3)} (longest ${Math.round(f.longestTaskMs)} ms, ${Math.round(f.longTaskTotalMs)} ms of ${Math.round(f.wallMs)})   ` +
    `${(f.bytesPerMessage / 1024).toFixed(1)} KiB per frame (max ${(f.maxMessageBytes / 1024).toFixed(1)}, ${f.messages} frames)   ` +
    `cluster ${(f.virtualMs / f.wallMs).toFixed(2)}x real time`
  );
}

/** The longest long task of the link's opening (0: none). */
export const openLongestMs = (f: UiFigures): number => (f.openLongTasks.length ? Math.max(...f.openLongTasks) : 0);
/** The opening's long tasks' time in all. */
export const openLongTaskMs = (f: UiFigures): number => f.openLongTasks.reduce((a, b) => a + b, 0);

/** The link's opening, before the measured window: when the diagram was laid out, and the long tasks until the window. */
export function openLine(f: UiFigures): string {
  return (
    `${''.padEnd(48)} opening: laid out ${(f.openSettledMs / 1000).toFixed(1)} s after navigation; ` +
    `long tasks until measured ${f.openLongTasks.length} (longest ${Math.round(openLongestMs(f))} ms, ${Math.round(openLongTaskMs(f))} ms in all)`
  );
}

/** The production build, served; profiling or tracing keeps names readable (no minification). */
export const serveUiApp = (port?: number) => serveApp(port, { minify: !(process.env.UI_BENCH_PROFILE || process.env.UI_BENCH_TRACE) });

// Run directly: `npx tsx bench/browser/ui.ts [brokers partitions rate]...`
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2).map(Number);
  const cases: [number, number, number][] = [];
  for (let i = 0; i + 2 < args.length; i += 3) cases.push([args[i]!, args[i + 1]!, args[i + 2]!]);
  if (cases.length === 0) cases.push([6, 50, 20_000], [50, 1000, 20_000]);
  const app = await serveUiApp();
  const browser = await launch();
  try {
    console.log(`Main thread figures (${browser.version()}, headless, production build, 1280x720)`);
    for (const [b, p, r] of cases) {
      const f = await measureUi(browser, app.base, b, p, r);
      console.log(uiLine(f));
      console.log(openLine(f));
    }
  } finally {
    await browser.close();
    await app.close();
  }
}
