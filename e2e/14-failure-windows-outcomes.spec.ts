/**
 * Journeys for issue 11's honest numbers and explained failure windows: a produce tells its
 * offset (toast, event, highlighted log row) and the form keeps its key; a killed leader's
 * broker counts down to its fencing under broker.session.timeout.ms while the partition says
 * its leader is unreachable; with every broker down the summary counts all partitions
 * offline; the describe table lists an idle member with dashes, beside LAG and records-lag.
 */
import { diagramLeader, expect, openPlayground, pause, play, screenshot, selectBroker, selectPartition, setSpeed, test } from './fixtures';

test('a produce shows its partition and offset in a toast, the event log and the log, and keeps the key', async ({ page }) => {
  await openPlayground(page);
  await page.getByTestId('toolbar-produce').click();
  const dialog = page.getByTestId('dialog-produce');
  await dialog.getByTestId('produce-key').fill('order-77');
  await dialog.getByTestId('produce-value').fill('{"total": 77}');
  await dialog.getByTestId('dialog-produce-submit').click();
  await expect(dialog).toBeHidden();

  const toast = page.getByTestId('toast').filter({ hasText: 'record with key "order-77" acknowledged' });
  await expect(toast).toBeVisible();
  const m = /at orders-(\d+) offset (\d+)/.exec(await toast.innerText());
  expect(m).not.toBeNull();
  const [partition, offset] = [Number(m![1]), Number(m![2])];
  await expect(page.getByTestId('event').filter({ hasText: `record with key "order-77" acknowledged (acks=all) at orders-${partition} offset ${offset}` }).first()).toBeVisible();

  await pause(page);
  await toast.getByRole('button', { name: 'Show in log' }).click();
  await expect(page.getByTestId('inspector-partition')).toBeVisible();
  const row = page.getByTestId('partition-log').getByTestId(`log-row-${offset}`);
  await expect(row).toHaveAttribute('aria-current', 'true');
  await expect(row).toContainText('order-77');
  await row.scrollIntoViewIfNeeded();
  await screenshot(page, '14-produce-outcome');

  // The next record starts from the same key.
  await page.getByTestId('toolbar-produce').click();
  await expect(page.getByTestId('dialog-produce').getByTestId('produce-key')).toHaveValue('order-77');
  await page.keyboard.press('Escape');
  await play(page);
});

test("a killed leader's broker counts down to its fencing, naming broker.session.timeout.ms", async ({ page }) => {
  await openPlayground(page);
  await setSpeed(page, 0.5);
  const leader = await diagramLeader(page, 'orders-0');
  await selectBroker(page, leader);
  await page.getByTestId('inspector-broker').getByTestId('cmd-broker.kill').click();
  const countdown = page.getByTestId(`fence-countdown-${leader}`);
  await expect(countdown).toContainText(/fenced in \d+\.\d s · broker\.session\.timeout\.ms/);
  const first = Number(/fenced in (\d+\.\d)/.exec(await countdown.innerText())![1]);
  expect(first).toBeLessThanOrEqual(9);
  await expect(page.getByTestId('inspector-broker').getByTestId('broker-fencing')).toContainText('broker.session.timeout.ms (9000 ms)');
  // It counts down.
  await expect.poll(async () => Number(/fenced in (\d+\.\d)/.exec(await countdown.innerText())?.[1] ?? 0)).toBeLessThan(first);
  const follower = leader === 1 ? 2 : 1;
  await expect(page.getByTestId(`offline-orders-0-b${follower}`)).toBeVisible();
  await screenshot(page, '14-fencing-countdown');

  // The partition names its leader only with "unreachable".
  await selectPartition(page, 'orders-0', follower);
  await expect(page.getByTestId('partition-leader')).toContainText(`broker ${leader}`);
  await expect(page.getByTestId('partition-leader')).toContainText('unreachable');
  await expect(page.getByTestId('partition-leader')).toContainText('broker.session.timeout.ms');

  // Once fenced, the countdown is gone and a live leader takes over.
  await setSpeed(page, 10);
  await expect(countdown).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId('partition-leader')).not.toContainText('unreachable', { timeout: 30_000 });
  await setSpeed(page, 1);
});

test('with all three brokers down the summary counts every partition offline', async ({ page }) => {
  await openPlayground(page);
  await pause(page);
  for (const id of [1, 2, 3]) {
    await selectBroker(page, id);
    await page.getByTestId('inspector-broker').getByTestId('cmd-broker.kill').click();
    await expect(page.getByTestId(`broker-${id}`)).toHaveAttribute('data-status', 'down');
  }
  // The controller quorum runs on its own nodes: take its majority down too, from the quorum panel.
  await page.getByTestId('quorum-summary').click();
  for (const id of [3000, 3001]) {
    await page.getByTestId('quorum-panel').getByRole('button', { name: `Kill controller ${id}` }).click();
    await expect(page.getByTestId(`voter-${id}`)).toHaveAttribute('data-state', 'down');
  }
  await page.getByRole('button', { name: 'Clear selection' }).click();
  const overview = page.getByTestId('inspector-overview');
  await expect(overview.getByTestId('summary-offline')).toHaveText('3');
  await play(page);
  await setSpeed(page, 10);
  // No controller: nobody fences them, and the count stays.
  await expect(page.getByText('not fenced: no controller').first()).toBeVisible({ timeout: 20_000 });
  await expect(overview.getByTestId('summary-offline')).toHaveText('3');
  await setSpeed(page, 1);
  await screenshot(page, '14-all-brokers-down');
});

test('the describe table lists an idle member with dashes, as kafka-consumer-groups does, beside records-lag', async ({ page }) => {
  await openPlayground(page);
  await page.getByTestId('group-billing').getByRole('button', { name: /Consumer group billing/ }).click();
  const inspector = page.getByTestId('inspector-group');
  for (const id of ['billing-3', 'billing-4']) {
    await inspector.getByTestId('cmd-consumer.add').click();
    const dialog = page.getByTestId('dialog-add-consumer');
    await expect(dialog.getByTestId('consumer-id')).toHaveValue(id);
    await dialog.getByTestId('dialog-add-consumer-submit').click();
    await expect(page.getByTestId(`consumer-${id}`)).toBeVisible();
  }
  await setSpeed(page, 5);
  // Four members, three partitions: one owns nothing.
  const idle = page.getByTestId('group-describe').locator('[data-testid^="describe-idle-"]');
  await expect(idle).toHaveCount(1, { timeout: 40_000 });
  const cells = (await idle.locator('td').allInnerTexts()).map((t) => t.trim());
  expect(cells.slice(1, 6)).toEqual(['-', '-', '-', '-', '-']);
  expect(cells[7]).toMatch(/^billing-\d$/);
  await setSpeed(page, 1);
  const header = page.getByTestId('group-describe').locator('thead');
  await expect(header).toContainText('RECORDS-');
  await expect(page.getByTestId('group-records-lag-billing')).toContainText('records-lag');
  await expect(page.getByTestId('group-lag-billing')).toContainText('LAG');
  await page.getByTestId('group-describe').scrollIntoViewIfNeeded();
  await screenshot(page, '14-describe-idle-member');
});

test('a refused offset reset says why in its dialog', async ({ page }) => {
  await openPlayground(page);
  await page.getByTestId('group-billing').getByRole('button', { name: /Consumer group billing/ }).click();
  await page.getByTestId('inspector-group').getByTestId('cmd-group.resetOffsets').click();
  const dialog = page.getByTestId('dialog-reset');
  await dialog.getByTestId('dialog-reset-submit').click();
  // The group has active members: Kafka refuses with NON_EMPTY_GROUP, and the dialog stays to say so.
  await expect(dialog.getByRole('alert')).toContainText('Refused with NON_EMPTY_GROUP');
  await expect(dialog).toBeVisible();
  await screenshot(page, '14-reset-refused');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});
