/**
 * Journey: produce one keyed record and find it in the partition murmur2 picks for its key
 * (Kafka's default partitioner), shown as text, never as HTML.
 */
import { partitionForKey, utf8 } from '../src/kafka/producer/murmur2';
import { expect, openPlayground, pause, screenshot, selectPartition, test } from './fixtures';

const KEY = 'user-42';
const VALUE = 'paid <b>42</b> & "shipped"';

test('a keyed record lands in the partition its key hashes to', async ({ page }) => {
  const expected = partitionForKey(utf8(KEY), 3);
  const other = (expected + 1) % 3;
  await openPlayground(page);
  // Paused, the log stays put while we look; steps move the record through.
  await pause(page);

  await page.getByTestId('toolbar-produce').click();
  const dialog = page.getByTestId('dialog-produce');
  await dialog.getByTestId('produce-key').fill(KEY);
  await dialog.getByTestId('produce-value').fill(VALUE);
  await dialog.getByTestId('produce-headers').fill('trace-id=abc123');
  await dialog.getByTestId('dialog-produce-submit').click();
  await expect(dialog).toBeHidden();
  for (let i = 0; i < 5; i++) await page.getByTestId('step').click();

  await selectPartition(page, `orders-${expected}`, 1);
  await page.getByTestId('inspector-partition').getByLabel('Replica').selectOption('');
  const log = page.getByTestId('partition-log');
  const row = log.locator('tbody tr').filter({ hasText: KEY }).filter({ hasText: 'trace-id=abc123' });
  await expect(row).toHaveCount(1);
  const valueCell = row.locator('td').nth(2);
  await expect(valueCell).toHaveText(VALUE);
  await expect(valueCell.locator('b')).toHaveCount(0);
  await expect(log.getByTestId('marker-hw').first()).toBeAttached();
  await row.scrollIntoViewIfNeeded();
  await screenshot(page, '05-keyed-record');

  // And it is not in another partition.
  await selectPartition(page, `orders-${other}`, 1);
  await page.getByTestId('inspector-partition').getByLabel('Replica').selectOption('');
  await expect(page.getByTestId('partition-log')).toBeVisible();
  await expect(page.getByTestId('partition-log').locator('tbody tr').filter({ hasText: 'trace-id=abc123' })).toHaveCount(0);
});
