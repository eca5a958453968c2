/**
 * Where opening a big link spends the main thread (issue 10: the long tasks before the
 * measured window): the production build, unminified, in headless Chromium at 1280x720,
 * profiled by CDP from navigation until the diagram settled plus `tailMs`.
 * `npx tsx bench/browser/open-profile.ts [brokers] [partitions] [tailMs]` writes
 * /tmp/open-<b>x<p>.cpuprofile and prints the long tasks (start, duration) seen meanwhile;
 * summarise the profile with `node bench/cpuprofile-summary.mjs /tmp/open-50x1000.cpuprofile`, and split it
 * into its long tasks with `node bench/cpuprofile-detail.mjs tasks /tmp/open-50x1000.cpuprofile 80`.
 */
import { writeFileSync } from 'node:fs';
import { scaleScenario } from '../workload';
import { encodeScenarioToFragment } from '../../src/scenario/url';
import { launch, serveApp } from './serve';

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  tid: number;
  pid: number;
  args?: { data?: { stackTrace?: { functionName: string }[] } };
}

/** Each main-thread task over 50 ms: its duration and the time and count of the rendering work inside it. */
function printLongTasks(events: TraceEvent[]): void {
  const tasks = events.filter((e) => e.name === 'RunTask' && (e.dur ?? 0) > 50_000);
  // The renderer's main thread: the one that ran the most layouts.
  const byTid = new Map<number, number>();
  for (const e of events) if (e.name === 'Layout') byTid.set(e.tid, (byTid.get(e.tid) ?? 0) + 1);
  const main = [...byTid].sort((a, b) => b[1] - a[1])[0]?.[0];
  for (const t of tasks) {
    if (t.tid !== main) continue;
    const inner = events.filter((e) => e.tid === t.tid && e.ts >= t.ts && e.ts < t.ts + t.dur! && e.name !== 'RunTask');
    const sum = new Map<string, [number, number]>();
    for (const e of inner) {
      if (e.dur === undefined) continue;
      const s = sum.get(e.name) ?? [0, 0];
      s[0] += e.dur / 1000;
      s[1]++;
      sum.set(e.name, s);
    }
    const top = [...sum].filter(([n]) => ['Layout', 'UpdateLayoutTree', 'Paint', 'PrePaint', 'Layerize', 'FunctionCall', 'EvaluateScript', 'ParseHTML', 'RecalculateStyles', 'HitTest', 'MajorGC', 'MinorGC', 'V8.GC_SCAVENGER', 'ScheduleStyleRecalculation', 'IntersectionObserverController::computeIntersections', 'ResizeObserverController::deliverObservations'].includes(n) || s_big(sum.get(n)![0]));
    console.log(`task ${(t.dur! / 1000).toFixed(0)} ms: ${top.sort((a, b) => b[1][0] - a[1][0]).slice(0, 10).map(([n, [ms, k]]) => `${n} ${ms.toFixed(0)} ms x${k}`).join(', ')}`);
  }
}
const s_big = (ms: number) => ms > 20;

const [b = '50', p = '1000', tail = '3000'] = process.argv.slice(2);
const app = await serveApp(4193, { minify: false });
const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { __kpLong: [number, number][] };
    w.__kpLong = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__kpLong.push([Math.round(e.startTime), Math.round(e.duration)]);
    }).observe({ type: 'longtask', buffered: true });
  });
  const rate = 20_000;
  const scenario = scaleScenario(Number(b), Number(p), rate, 3_600_000);
  for (const a of scenario.timeline ?? []) if (a.op === 'startLoad') a.valueBytes = Math.min(a.valueBytes ?? 100, Math.floor(1_000_000 / rate));
  const fragment = await encodeScenarioToFragment(scenario);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
  // OPEN_TRACE=1: also a Chromium trace; prints, per long task, its time in style, layout and paint.
  const traceEvents: TraceEvent[] = [];
  if (process.env.OPEN_TRACE === '1') {
    cdp.on('Tracing.dataCollected', (e) => {
      traceEvents.push(...(e.value as unknown as TraceEvent[]));
    });
    await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  }
  await page.goto(`${app.base}#${fragment.replace(/^#/, '')}`);
  await page.locator('[data-testid=diagram][data-layout=settled]').waitFor({ timeout: 120_000 });
  await page.waitForTimeout(Number(tail));
  const { profile } = await cdp.send('Profiler.stop');
  if (process.env.OPEN_TRACE === '1') {
    const done = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
    await cdp.send('Tracing.end');
    await done;
    printLongTasks(traceEvents);
  }
  const out = `/tmp/open-${b}x${p}.cpuprofile`;
  writeFileSync(out, JSON.stringify(profile));
  const long = await page.evaluate(() => (window as unknown as { __kpLong: [number, number][] }).__kpLong);
  console.log(`long tasks (start ms, duration ms): ${long.map(([s, d]) => `${s}:${d}`).join(' ')}`);
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await app.close();
}
