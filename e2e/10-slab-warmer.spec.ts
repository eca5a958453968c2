/**
 * Issue 10: the cluster worker's logs fill slabs whose pages a worker of their own touched
 * already (src/worker/slab-warming.ts), so the cluster's thread does not pay the page faults.
 */
import { scaleScenario } from '../bench/workload';
import { encodeScenarioToFragment } from '../src/scenario/url';
import { expect, test } from './fixtures';

test('a busy cluster fills pre-touched slabs from the slab warmer worker', async ({ page }) => {
  const s = scaleScenario(3, 3, 20_000, 3_600_000);
  s.name = 'busy three';
  const fragment = await encodeScenarioToFragment(s);
  await page.goto(`/${fragment.startsWith('#') ? fragment : `#${fragment}`}`);
  await expect(page.getByTestId('broker-3')).toBeVisible({ timeout: 60_000 });
  const cluster = () => page.workers().find((w) => w.url().includes('cluster.worker'));
  await expect.poll(() => page.workers().some((w) => w.url().includes('slab-warmer.worker')), { timeout: 30_000 }).toBe(true);
  await expect.poll(() => cluster() !== undefined, { timeout: 30_000 }).toBe(true);
  const counts = () => cluster()!.evaluate(() => ({ ...(self as unknown as { slabCounts: { started: number; ready: number } }).slabCounts }));
  // 20,000 records/s of ~114 bytes fill a 64 KiB slab every few virtual ms: wait for a few dozen.
  await expect.poll(async () => (await counts()).started, { timeout: 60_000 }).toBeGreaterThan(40);
  const c = await counts();
  // The warmer starts 1 MiB ahead and keeps more in flight as slabs run short: all but the first few come from it.
  expect(c.ready).toBeGreaterThan(c.started / 2);
});
