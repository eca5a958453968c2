/**
 * Profiles the persistence benchmark in headless Chromium: the same run as bench.worker.ts,
 * on the page's thread (?inline=1) so CDP's profiler reaches it.
 * `npx tsx bench/browser/profile.ts [on|off] [rate] [virtualMs]` writes /tmp/persist-<mode>.cpuprofile
 * (BENCH_MOMENT=1: every flush carries the exact moment, as the playground saves);
 * summarise it with `node bench/cpuprofile-summary.mjs /tmp/persist-on.cpuprofile`.
 */
import { writeFileSync } from 'node:fs';
import { launch, serveBenchPage } from './serve';

const [mode = 'on', rate = '200000', ms = '5000'] = process.argv.slice(2);
const { base, close } = await serveBenchPage(4191, { minify: false });
const browser = await launch();
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await page.goto(`${base}?inline=1&persist=0&rate=50000&virtualMs=1000`); // warm-up
  await page.waitForFunction(() => window.benchResult !== undefined, undefined, { timeout: 600_000 });
  await cdp.send('Profiler.start');
  await page.goto(`${base}?inline=1&persist=${mode === 'on' ? 1 : 0}&rate=${rate}&virtualMs=${ms}&moment=${process.env.BENCH_MOMENT === '1' ? 1 : 0}`);
  // The run itself, not the reopen measured after it (which concatenates every segment).
  await page.waitForFunction(() => window.benchRan === true || window.benchResult !== undefined, undefined, { timeout: 600_000, polling: 10 });
  const { profile } = await cdp.send('Profiler.stop');
  await page.waitForFunction(() => window.benchResult !== undefined, undefined, { timeout: 600_000 });
  console.log(JSON.stringify(await page.evaluate(() => window.benchResult)));
  const out = `/tmp/persist-${mode}.cpuprofile`;
  writeFileSync(out, JSON.stringify(profile));
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await close();
}
