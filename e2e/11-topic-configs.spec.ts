/**
 * Journey: change a topic's retention and watch Kafka delete whole old segments, then
 * delete the topic. The configs dialog refuses a bad value in Kafka's words and keeps the
 * form; the change is recorded as alterConfig; retention advances the log start offset.
 */
import { expect, openPlayground, screenshot, setSpeed, test } from './fixtures';

test('lowering retention.ms deletes old segments; deleting a topic still produced to brings it back auto-created', async ({ page }) => {
  await openPlayground(page);
  const overview = page.getByTestId('inspector-overview');
  await overview.getByRole('button', { name: 'orders' }).click();
  const inspector = page.getByTestId('inspector-topic');
  await expect(inspector).toBeVisible();

  await inspector.getByTestId('cmd-topic.alterConfig').click();
  const dialog = page.getByTestId('dialog-topic-config');
  await expect(dialog.getByTestId('topic-config-min.insync.replicas')).toHaveValue('2');
  // A segment below Kafka's minimum size is refused, naming the config; nothing is sent.
  await dialog.getByTestId('topic-config-segment.bytes').fill('10');
  await dialog.getByTestId('dialog-topic-config-submit').click();
  await expect(dialog).toContainText('Invalid value 10 for configuration segment.bytes: value must be at least 14');
  await dialog.getByTestId('topic-config-segment.bytes').fill('');
  await dialog.getByTestId('topic-config-retention.ms').fill('60000');
  await dialog.getByTestId('topic-config-segment.ms').fill('10000');
  await dialog.getByTestId('dialog-topic-config-submit').click();
  await expect(dialog).toBeHidden();
  await expect(inspector).toContainText('retention.ms');
  await expect(inspector).toContainText('60000');
  await expect(page.getByTestId('event').filter({ hasText: /Config of topic orders: retention\.ms=60000, segment\.ms=10000/ }).first()).toBeVisible();

  // Retention runs every log.retention.check.interval.ms (5 min): at 100x that is seconds.
  await setSpeed(page, 100);
  await expect(page.getByTestId('event').filter({ hasText: /orders-\d on broker \d: old segments deleted by retention\.ms; log starts at [1-9]/ }).first()).toBeVisible({
    timeout: 60_000,
  });
  await setSpeed(page, 1);
  await screenshot(page, '11-retention');

  await page.getByTestId('inspector-topic').getByTestId('cmd-topic.delete').click();
  const confirm = page.getByTestId('dialog-delete-topic');
  await expect(confirm).toContainText('orders');
  await confirm.getByTestId('dialog-delete-topic-submit').click();
  await expect(page.getByTestId('event').filter({ hasText: 'Topic orders deleted' }).first()).toBeVisible();
  // The producer goes on sending to orders, and auto.create.topics.enable is true by default in
  // Kafka: its next metadata request creates the topic again, with num.partitions=1 and
  // default.replication.factor=1. What Kafka does, the playground does.
  await expect(page.getByTestId('event').filter({ hasText: /Topic orders created: 1 partition, RF 1 \(auto-created for / }).first()).toBeVisible();
  await expect(page.locator('[data-partition^="orders-"]')).toHaveCount(1);
});
