/**
 * A/B of the main thread's figures in one run (the machine is shared and noisy): serves the
 * production builds of two checkouts and measures them alternately with `measureUi`.
 * `npx tsx bench/browser/ui-ab.ts BEFORE_DIR AFTER_DIR [brokers partitions]...` (each dir must
 * hold a `vite build` output in dist/). Prints figures and after/before ratios; asserts nothing.
 */
import { preview } from 'vite';
import { launch } from './serve';
import { measureUi, openLine, openLongestMs, openLongTaskMs, uiLine, type UiFigures } from './ui';

const [beforeDir, afterDir, ...rest] = process.argv.slice(2);
if (!beforeDir || !afterDir) throw new Error('usage: ui-ab.ts BEFORE_DIR AFTER_DIR [brokers partitions]...');
const nums = rest.map(Number);
const sizes: [number, number][] = [];
for (let i = 0; i + 1 < nums.length; i += 2) sizes.push([nums[i]!, nums[i + 1]!]);
if (sizes.length === 0) sizes.push([6, 50], [50, 1000]);

async function serve(root: string, port: number) {
  const server = await preview({ root, configFile: false, preview: { port, strictPort: false, host: '127.0.0.1' } });
  return { base: server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`, close: () => new Promise<void>((r) => server.httpServer.close(() => r())) };
}

const a = await serve(beforeDir, 4318);
const b = await serve(afterDir, 4319);
const browser = await launch();
try {
  for (const [brokers, partitions] of sizes) {
    // UI_BENCH_MS: how long each is measured (wall ms; 6,000 unless set); UI_BENCH_ROUNDS: alternated pairs (1 unless set).
    const opts = process.env.UI_BENCH_MS ? { measureMs: Number(process.env.UI_BENCH_MS) } : {};
    for (let round = 0; round < Math.max(1, Number(process.env.UI_BENCH_ROUNDS ?? 1) || 1); round++) {
      const before: UiFigures = await measureUi(browser, a.base, brokers, partitions, 20_000, opts);
      const after: UiFigures = await measureUi(browser, b.base, brokers, partitions, 20_000, opts);
      console.log(`before ${uiLine(before)}\n       ${openLine(before)}`);
      console.log(`after  ${uiLine(after)}\n       ${openLine(after)}`);
      const ratio = (x: number, y: number) => (y > 0 ? `${(x / y).toFixed(2)}x` : `${Math.round(x)} ms against none`);
      console.log(
        `       after/before: frames/s ${(after.framesPerSec / before.framesPerSec).toFixed(2)}x, longest task ${ratio(after.longestTaskMs, before.longestTaskMs)}, ` +
          `long-task time ${ratio(after.longTaskTotalMs, before.longTaskTotalMs)}; opening: laid out ${(after.openSettledMs / before.openSettledMs).toFixed(2)}x, ` +
          `longest task ${ratio(openLongestMs(after), openLongestMs(before))}, long-task time ${ratio(openLongTaskMs(after), openLongTaskMs(before))}`,
      );
    }
  }
} finally {
  await browser.close();
  await a.close();
  await b.close();
}
