/**
 * The playground's own worker in Chromium on a share link of the scale workload: how fast
 * its clock runs (virtual s per wall s, with persistence, snapshots and the time machine,
 * as a user sees it) and a CPU profile of the worker (CDP attached to the dedicated worker).
 * `npx vite build && npx vite preview --port 4399`, then
 * `npx tsx bench/browser/app-worker.ts http://localhost:4399 6 50 [seconds]`; summarise
 * with `node bench/cpuprofile-summary.mjs /tmp/app-worker.cpuprofile` (build with
 * `--minify false` for names).
 */
import { writeFileSync } from 'node:fs';
import { encodeScenarioToFragment } from '../../src/scenario/url';
import { scaleScenario } from '../workload';
import { launch } from './serve';

const [base = 'http://localhost:4399', b = '6', p = '50', secs = '15'] = process.argv.slice(2);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
const cdp = await page.context().newCDPSession(page);
let workerSession: string | null = null;
let nextId = 1;
const waiting = new Map<number, (r: unknown) => void>();
cdp.on('Target.attachedToTarget', (e: any) => {
  if (e.targetInfo.type === 'worker' && workerSession === null) workerSession = e.sessionId;
});
cdp.on('Target.receivedMessageFromTarget', (e: any) => {
  const m = JSON.parse(e.message);
  if (m.id && waiting.has(m.id)) { waiting.get(m.id)!(m.result ?? m.error); waiting.delete(m.id); }
});
const send = (method: string, params: object = {}) => new Promise<any>((resolve) => {
  const id = nextId++;
  waiting.set(id, resolve);
  void cdp.send('Target.sendMessageToTarget', { sessionId: workerSession!, message: JSON.stringify({ id, method, params }) });
});
await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
const s = scaleScenario(Number(b), Number(p), 20000, 3_600_000);
const fragment = await encodeScenarioToFragment(s);
await page.goto(`${base}/${fragment.startsWith('#') ? fragment : `#${fragment}`}`);
await page.getByTestId(`broker-${b}`).waitFor({ timeout: 120_000 });
await page.waitForFunction(() => document.querySelector('[data-testid=diagram]')?.getAttribute('data-layout') === 'settled', undefined, { timeout: 120_000 });
if (workerSession === null) throw new Error('no worker attached');
await send('Profiler.enable');
await send('Profiler.setSamplingInterval', { interval: 500 });
const clock = async () => Number(await page.getByTestId('clock').getAttribute('data-ms'));
const a = await clock();
await send('Profiler.start');
const t0 = Date.now();
await page.waitForTimeout(Number(secs) * 1000);
const r = await send('Profiler.stop');
const z = await clock();
console.log(`${b} x ${p}, 20,000 records/s: the clock went ${a} -> ${z} virtual ms in ${secs} s: ${((z - a) / (Date.now() - t0)).toFixed(3)}x real time`);
writeFileSync('/tmp/app-worker.cpuprofile', JSON.stringify(r.profile));
await browser.close();
