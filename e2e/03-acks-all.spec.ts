/**
 * Journey: with acks=all and min.insync.replicas=2, two brokers down leave an ISR of one:
 * the leader refuses writes with NOT_ENOUGH_REPLICAS, and the producer's node shows it.
 */
import { expect, openPlayground, partitionFields, screenshot, selectBroker, selectPartition, setSpeed, test } from './fixtures';

test('acks=all with two brokers down shows NOT_ENOUGH_REPLICAS on the producer', async ({ page }) => {
  await openPlayground(page);

  // Make acks=all explicit (it is a producer config: the dialog says so).
  await page.getByTestId('producer-checkout').getByRole('button', { name: /Producer checkout/ }).click();
  await page.getByTestId('cmd-producer.setAcks').click();
  const dialog = page.getByTestId('dialog-acks');
  await expect(dialog).toContainText('acks is a producer setting');
  await dialog.getByTestId('acks-select').selectOption('all');
  await dialog.getByTestId('dialog-acks-submit').click();
  await expect(page.getByTestId('producer-acks-checkout')).toHaveText('acks=all');

  for (const id of [2, 3]) {
    await selectBroker(page, id);
    await page.keyboard.press('k'); // the registry's shortcut for "Kill broker"
    await expect(page.getByTestId(`broker-${id}`)).toHaveAttribute('data-status', 'down');
  }

  await setSpeed(page, 10);
  await selectPartition(page, 'orders-0', 1);
  await expect.poll(async () => (await partitionFields(page)).isr, { timeout: 40_000 }).toEqual([1]);

  // The steady load keeps sending; one explicit record too, so the journey does not rely on it.
  await page.getByTestId('toolbar-produce').click();
  const produce = page.getByTestId('dialog-produce');
  await produce.getByTestId('produce-key').fill('order-1');
  await produce.getByTestId('produce-value').fill('must not be lost');
  await expect(produce.getByTestId('produce-acks')).toHaveValue('all');
  await produce.getByTestId('dialog-produce-submit').click();

  const error = page.getByTestId('producer-error-checkout');
  await expect(error).toBeVisible({ timeout: 40_000 });
  await expect(error).toContainText('NOT_ENOUGH_REPLICAS');
  await expect(page.getByTestId('producer-checkout')).toHaveClass(/has-error/);
  // The producer's metrics say it too: NOT_ENOUGH_REPLICAS is retriable, so sends are retried.
  await page.getByTestId('producer-checkout').getByRole('button', { name: /Producer checkout/ }).click();
  const metrics = page.getByTestId('producer-metrics');
  await expect(metrics).toContainText('record-retry-rate');
  await expect
    .poll(async () => Number((await metrics.locator('dt:has-text("record-retry-rate") + dd').innerText()).replace('/s', '')), { timeout: 20_000 })
    .toBeGreaterThan(0);
  await setSpeed(page, 1);
  await screenshot(page, '03-not-enough-replicas');
});
