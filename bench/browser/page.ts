/**
 * The benchmark page: starts the benchmark worker with the settings in the query string
 * (?persist=1&rate=200000&virtualMs=5000) and publishes the figures on `window.benchResult`
 * for bench/browser/run.ts to read.
 */
import type { BenchRequest, BenchResult } from './bench.worker';

declare global {
  interface Window {
    benchResult?: BenchResult | { error: string };
    /** Set when the run itself is over (before the reopen is measured). */
    benchRan?: boolean;
    /** Set when the warm-up in the worker is over and the measured run begins. */
    benchWarmed?: boolean;
    /** With ?hold=1: starts the measured run (the worker waits for it after the warm-up). */
    benchGo?: () => void;
  }
}

const q = new URLSearchParams(location.search);
const req: BenchRequest = {
  persist: q.get('persist') === '1',
  ratePerSec: Number(q.get('rate') ?? 200_000),
  virtualMs: Number(q.get('virtualMs') ?? 5000),
  moment: q.get('moment') === '1',
  ...(q.get('flushMs') ? { flushMs: Number(q.get('flushMs')) } : {}),
  ...(q.get('slabs') === '0' ? { warmSlabs: false } : {}),
  ...(q.get('warmup') !== null ? { warmupVirtualMs: Number(q.get('warmup')) } : {}),
  ...(q.get('hold') === '1' ? { hold: true } : {}),
};
if (q.get('inline') === '1') {
  // Profiling (bench/browser/profile.ts): the same run on the page's thread, where CDP's profiler reaches it.
  const { run, holdUntilGo } = await import('./bench.worker');
  window.benchResult = await run(req, () => (window.benchRan = true), () => {
    window.benchWarmed = true;
    return holdUntilGo(req, (go) => void (window.benchGo = go));
  }).catch((err: unknown) => ({ error: String(err) }));
} else {
const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' });
worker.onmessage = (e: MessageEvent<BenchResult | { error: string } | { ran: true } | { warmed: true }>) => {
  if ('warmed' in e.data) {
    window.benchGo = () => worker.postMessage('go');
    window.benchWarmed = true;
    return;
  }
  if ('ran' in e.data) {
    window.benchRan = true;
    return;
  }
  window.benchResult = e.data;
  document.getElementById('out')!.textContent = JSON.stringify(e.data, null, 2);
};
worker.onerror = (e) => {
  window.benchResult = { error: e.message };
};
worker.postMessage(req);
}
