/**
 * What the main thread does per display frame when no cluster frame arrives (issue 10): opens
 * a 50 x 1,000 scale scenario on a production build, pauses it, and traces 3 s as it is, then
 * 3 s with a requestAnimationFrame loop running in the page (what bench/browser/ui.ts counts
 * frames/s with). Counts Layerize, Paint, layout and animation-frame events.
 * `npx tsx bench/browser/idle-frames.ts DIR` (DIR holds a `vite build` output in dist/, as for ui-ab.ts).
 * Prints figures; asserts nothing.
 */
import { preview } from 'vite';
import { launch } from './serve';
import { scaleScenario } from '../workload';
import { encodeScenarioToFragment } from '../../src/scenario/url';
const dir = process.argv[2]!;
const server = await preview({ root: dir, configFile: false, preview: { port: 4377, strictPort: false, host: '127.0.0.1' } });
const base = server.resolvedUrls!.local[0]!;
const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
const page = await context.newPage();
await page.addInitScript('globalThis.__name = (f) => f;');
const scenario = scaleScenario(50, 1000, 20_000, 3_600_000);
for (const a of scenario.timeline ?? []) if (a.op === 'startLoad') a.valueBytes = Math.min(a.valueBytes ?? 100, 50);
await page.goto(`${base}#${(await encodeScenarioToFragment(scenario)).replace(/^#/, '')}`);
await page.getByTestId('broker-50').waitFor({ timeout: 120_000 });
await page.waitForTimeout(4000);
async function trace(label: string) {
  const cdp = await context.newCDPSession(page);
  const events: { name: string; dur?: number }[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as never[])));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  await page.waitForTimeout(3000);
  const done = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
  await cdp.send('Tracing.end');
  await done;
  const count = (n: string) => events.filter((e) => e.name === n).length;
  const ms = (n: string) => (events.filter((e) => e.name === n).reduce((s, e) => s + (e.dur ?? 0), 0) / 1000).toFixed(0);
  console.log(`${label}: in 3 s Layerize ${count('Layerize')} (${ms('Layerize')} ms), Paint ${count('Paint')} (${ms('Paint')} ms), UpdateLayoutTree ${count('UpdateLayoutTree')}, Layout ${count('Layout')}, FunctionCall ${count('FunctionCall')}, FireAnimationFrame ${count('FireAnimationFrame')}`);
}
await page.getByRole('button', { name: /pause/i }).first().click();
await page.waitForTimeout(1500);
await trace('paused, no rAF loop');
await page.evaluate(() => { const t = () => requestAnimationFrame(t); requestAnimationFrame(t); });
await trace('paused, with a rAF counter like the bench');
await browser.close();
server.httpServer.close();
