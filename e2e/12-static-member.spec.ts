/**
 * Journey: static membership (KIP-345) in the browser. A consumer added with a
 * group.instance.id crashes and is restarted within session.timeout.ms: the group keeps its
 * generation and the member gets its partitions back, with no rebalance.
 */
import { expect, openPlayground, screenshot, test } from './fixtures';

test('a static member that crashes and restarts within its session timeout causes no rebalance', async ({ page }) => {
  await openPlayground(page);
  await page.getByTestId('group-billing').getByRole('button', { name: /Consumer group billing/ }).click();
  const groupInspector = page.getByTestId('inspector-group');
  await groupInspector.getByTestId('cmd-consumer.add').click();
  const dialog = page.getByTestId('dialog-add-consumer');
  await expect(dialog.getByTestId('consumer-id')).toHaveValue('billing-3');
  await dialog.getByTestId('consumer-instance-id').fill('billing-3-static');
  await dialog.getByTestId('dialog-add-consumer-submit').click();

  const gen = page.getByTestId('group-generation-billing');
  const node = page.getByTestId('consumer-billing-3');
  await expect(node).toContainText('stable', { timeout: 20_000 });
  await expect(page.getByTestId('group-state-billing')).toHaveText('Stable');
  const generation = await gen.innerText();
  const owned = await node.locator('.consumer-parts').innerText();

  // Crash it (no LeaveGroup), then restart it: well within session.timeout.ms (45 s).
  await node.getByRole('button').first().click();
  const inspector = page.getByTestId('inspector-consumer');
  await inspector.getByTestId('cmd-consumer.crash').click();
  await expect(node).toContainText('crashed');
  await expect(inspector.getByTestId('cmd-consumer.restart')).toHaveText('Restart billing-3 (static: billing-3-static)');
  await inspector.getByTestId('cmd-consumer.restart').click();
  await expect(node).toContainText('stable', { timeout: 20_000 });

  await expect(gen).toHaveText(generation);
  await expect(page.getByTestId('group-state-billing')).toHaveText('Stable');
  await expect(node.locator('.consumer-parts')).toHaveText(owned);
  await screenshot(page, '12-static-member');
});
