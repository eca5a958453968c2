/**
 * A reload resumes exactly (issue 9): the same moment, paused stays paused, the whole event
 * history, and the run goes on as a fresh replay of the same document does (compared with
 * the share link of the same run opened at the same moment in another tab). Power cut is the
 * deliberate way to restart every broker from its disk.
 */
import type { Page } from '@playwright/test';
import { clockMs, expect, pause, screenshot, selectBroker, setSpeed, test } from './fixtures';

async function eventTypes(page: Page): Promise<string[]> {
  return page.getByTestId('event').evaluateAll((els) => els.map((e) => e.getAttribute('data-type') ?? ''));
}

async function replicaLeos(page: Page): Promise<string[]> {
  return page.locator('[data-testid^="replica-"]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-testid')}=${e.getAttribute('data-leo')}`).sort());
}

async function stepForward(page: Page, times: number): Promise<void> {
  const start = await clockMs(page);
  for (let i = 0; i < times; i++) await page.keyboard.press('.');
  await expect.poll(() => clockMs(page), { timeout: 30_000 }).toBe(start + times * 100);
}

test('a reload resumes exactly: same moment, still paused, the full event history, and the same run after it', async ({ page, context }) => {
  await page.goto('/');
  await expect(page.getByTestId('broker-2')).toBeVisible();
  await setSpeed(page, 10);
  await expect.poll(() => clockMs(page), { timeout: 30_000 }).toBeGreaterThan(3000);
  await selectBroker(page, 2);
  await page.keyboard.press('k');
  await expect(page.getByTestId('broker-2')).toHaveAttribute('data-status', 'down');
  await expect.poll(async () => (await eventTypes(page)).includes('BrokerFenced'), { timeout: 60_000 }).toBe(true);
  await pause(page);
  const t = await clockMs(page);
  const before = { events: await eventTypes(page), leos: await replicaLeos(page) };
  expect(before.leos.length).toBeGreaterThan(5);
  await expect(page.getByTestId('storage-status')).toHaveAttribute('data-time-ms', String(t));

  await page.reload();
  const restored = page.getByTestId('storage-restored');
  await expect(restored).toHaveAttribute('data-exact', 'true');
  await expect(restored).toHaveAttribute('data-time-ms', String(t));
  await expect(page.getByTestId('play-pause')).toHaveAttribute('aria-label', 'Play');
  await expect(page.getByTestId('broker-2')).toHaveAttribute('data-status', 'down');
  expect(await clockMs(page)).toBe(t);
  await expect.poll(() => eventTypes(page)).toEqual(before.events);
  expect(await replicaLeos(page)).toEqual(before.leos);
  await screenshot(page, 'reload-resumed-exactly');

  // The same document replayed from 0 in another tab, opened at the same moment.
  await page.getByTestId('menu-scenario').click();
  await page.getByTestId('menu-scenario.share').click();
  await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/&t=\d+/);
  const other = await context.newPage();
  await other.goto(page.url());
  await expect.poll(() => clockMs(other), { timeout: 60_000 }).toBe(t);
  await expect(other.getByTestId('play-pause')).toHaveAttribute('aria-label', 'Play');
  await expect.poll(() => replicaLeos(other)).toEqual(before.leos);

  // On from there, both the same.
  await page.bringToFront();
  await stepForward(page, 20);
  await other.bringToFront();
  await stepForward(other, 20);
  expect(await replicaLeos(other)).toEqual(await replicaLeos(page));
  await other.close();
});

test('Power cut restarts every broker from its disk, and undo takes it back', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('broker-3')).toBeVisible();
  await expect.poll(() => clockMs(page), { timeout: 30_000 }).toBeGreaterThan(1000);
  await page.getByTestId('menu-cluster').click();
  await page.getByTestId('menu-cluster.powerCut').click();
  await expect.poll(async () => (await eventTypes(page)).includes('PowerCut'), { timeout: 30_000 }).toBe(true);
  for (const id of [1, 2, 3]) await expect(page.getByTestId(`broker-${id}`)).toHaveAttribute('data-status', 'up');
  await pause(page);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await eventTypes(page)).includes('PowerCut'), { timeout: 30_000 }).toBe(false);
});
