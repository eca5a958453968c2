/**
 * Issue 10's memory guard, as a person meets it: a link whose producers write as fast as
 * the playground allows (2 MB/s each), played at 100x, fills the tab with records (Kafka
 * keeps every one for retention.ms, and here every one stays in memory). Playing pauses
 * before the browser would close the tab: the notice says how much the records take, why,
 * and what to do; Play goes on, and the next pause comes 256 MB later. No test hook: the
 * records really take 512 MB of the worker's memory (src/kafka/log/record-batch.ts
 * batchBytesHeld, src/worker/host.ts pauseIfMemoryFull).
 */
import type { Page } from '@playwright/test';
import type { Scenario } from '../src/scenario/types';
import { encodeScenarioToFragment } from '../src/scenario/url';
import { clockMs, expect, layoutSettled, screenshot, setSpeed, test } from './fixtures';

// 512 MB of records through a busy 2-core machine's worker, then 256 MB more.
test.describe.configure({ timeout: 300_000 });

const PRODUCERS = 4;

/** Three brokers, and four producers each writing 32 records/s of 64 KiB: 8 MiB of records a virtual second. */
function heavyScenario(): Scenario {
  const producers = Array.from({ length: PRODUCERS }, (_, i) => `p${i + 1}`);
  return {
    version: 1,
    name: 'memory filler',
    seed: 7,
    cluster: { brokers: [1, 2, 3].map((id) => ({ id })) },
    topics: [{ name: 'big', partitions: 3, replicationFactor: 3 }],
    clients: producers.map((id) => ({ kind: 'producer' as const, id, config: { acks: 'all', 'linger.ms': 5 } })),
    timeline: producers.map((producer) => ({ at: 0, op: 'startLoad' as const, producer, topic: 'big', ratePerSec: 32, valueBytes: 65_536 })),
  };
}

/** The number of MB the pause notice names ("take 516 MB of this tab's memory"). */
async function pausedAtMb(page: Page): Promise<number> {
  const text = (await page.getByTestId('app-error').textContent()) ?? '';
  const m = /records of this run take ([\d.]+) MB of this tab's memory/.exec(text);
  if (!m) throw new Error(`not the memory pause: ${text}`);
  return Number(m[1]);
}

test('a run that fills the tab with records pauses with the reason and what to do, and Play goes on to the next pause', async ({ page }) => {
  const fragment = await encodeScenarioToFragment(heavyScenario());
  await page.goto(`/${fragment.startsWith('#') ? fragment : `#${fragment}`}`);
  await expect(page.getByTestId('broker-3')).toBeVisible({ timeout: 60_000 });
  await layoutSettled(page, 60_000);
  const button = page.getByTestId('play-pause');
  await expect(button).toHaveAttribute('aria-label', 'Pause');
  await setSpeed(page, 100);

  // Playing pauses by itself once the records take 512 MB, and says so.
  const notice = page.getByTestId('app-error');
  await expect(notice).toContainText('Paused: the records of this run take', { timeout: 240_000 });
  await expect(notice).toContainText('retention.ms');
  await expect(notice).toContainText('Play to go on (the next pause comes 256 MB later)');
  await expect(button).toHaveAttribute('aria-label', 'Play');
  const first = await pausedAtMb(page);
  await screenshot(page, 'memory-pause');
  expect(first).toBeGreaterThanOrEqual(512);
  // It stays paused: the clock holds.
  const pausedAt = await clockMs(page);
  await page.waitForFunction(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))));
  expect(await clockMs(page)).toBe(pausedAt);

  // Play goes on: the clock moves past the pause, then playing pauses again, 256 MB later.
  await page.getByRole('button', { name: 'Dismiss error' }).click();
  await expect(notice).toHaveCount(0);
  await button.click();
  await expect(button).toHaveAttribute('aria-label', 'Pause');
  await expect.poll(() => clockMs(page), { timeout: 60_000 }).toBeGreaterThan(pausedAt);
  await expect(notice).toContainText('Paused: the records of this run take', { timeout: 240_000 });
  await expect(button).toHaveAttribute('aria-label', 'Play');
  expect(await pausedAtMb(page)).toBeGreaterThanOrEqual(first + 256);
  expect(await clockMs(page)).toBeGreaterThan(pausedAt);
});
