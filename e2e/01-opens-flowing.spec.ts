/**
 * Journey: a new user opens the playground and sees the default cluster already working:
 * three brokers with a controller quorum beside them, orders' partitions with a leader each, the checkout
 * producer and the billing group of two, and offsets that grow while they watch.
 */
import { clockMs, diagramLeader, expect, openPlayground, replicaNumber, screenshot, test } from './fixtures';

test('opens on the default cluster with data flowing', async ({ page }) => {
  await openPlayground(page);

  for (const id of [1, 2, 3]) await expect(page.getByTestId(`broker-${id}`)).toHaveAttribute('data-status', 'up');
  // The KRaft quorum of three controller nodes has elected an active controller.
  await expect(page.getByTestId('quorum-active')).toHaveText(/^active controller 300[0-2]$/);
  await expect(page.getByTestId('producer-checkout')).toBeVisible();
  await expect(page.getByTestId('group-billing')).toBeVisible();
  await expect(page.locator('.react-flow__node-consumer')).toHaveCount(2);
  await expect(page.getByTestId('group-state-billing')).toHaveText('Stable');

  // Every partition of orders has exactly one leader replica, and three replicas in all.
  for (const p of [0, 1, 2]) {
    await expect(page.locator(`[data-partition="orders-${p}"]`)).toHaveCount(3);
    await diagramLeader(page, `orders-${p}`);
  }

  // Data flows: the leader's log end offset and the high watermark grow with the clock.
  const leader = await diagramLeader(page, 'orders-0');
  const t0 = await clockMs(page);
  const leo0 = await replicaNumber(page, 'orders-0', leader, 'leo');
  await expect.poll(() => clockMs(page)).toBeGreaterThan(t0 + 1000);
  await expect.poll(() => replicaNumber(page, 'orders-0', leader, 'leo')).toBeGreaterThan(leo0 + 5);
  await expect.poll(() => replicaNumber(page, 'orders-0', leader, 'hw')).toBeGreaterThan(leo0);

  // Consumers move too: the billing group has committed offsets.
  await page.getByTestId('group-billing').getByRole('button', { name: /Consumer group billing/ }).click();
  const table = page.getByTestId('group-describe');
  await expect(table).toBeVisible();
  await expect(table.locator('tbody tr')).toHaveCount(3);
  const committed = async () => {
    const cells = await table.locator('tbody tr td:nth-child(4)').allInnerTexts();
    return cells.map((c) => Number(c)).filter((n) => Number.isFinite(n) && n > 0).length;
  };
  await expect.poll(committed).toBeGreaterThan(0);

  // The event log speaks plain words.
  await expect(page.getByTestId('event').first()).toBeVisible();
  await screenshot(page, '01-default-cluster');
});
