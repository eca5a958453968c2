/**
 * Journey: the topology as a Mermaid flowchart. Scenario → Topology opens the cluster as it
 * is now, drawn: brokers in their racks, the topic with the brokers leading its partitions,
 * the producer, the group and what each consumer owns; the source can be copied.
 */
import { expect, openPlayground, screenshot, test } from './fixtures';

test('the topology opens as a rendered Mermaid flowchart whose source can be copied', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openPlayground(page);
  // Wait for the group to own its partitions, so the chart shows the assignment.
  await expect(page.getByTestId('event').filter({ hasText: /billing/ }).first()).toBeVisible({ timeout: 30_000 });

  await page.getByTestId('menu-scenario').click();
  await page.getByTestId('menu-scenario.topologyFlowchart').click();
  const dialog = page.getByTestId('dialog-topology');
  const svg = dialog.getByTestId('mermaid-view').locator('svg');
  await expect(svg).toBeVisible({ timeout: 20_000 });
  await expect(svg).toContainText('Kafka cluster');
  for (const b of [1, 2, 3]) await expect(svg).toContainText(`Broker ${b}`);
  await expect(svg).toContainText('rack a');
  await expect(svg).toContainText('orders');
  await expect(svg).toContainText('Producer checkout');
  await expect(svg).toContainText('Group billing');
  await expect(svg).toContainText(/leader of \d/);
  // Nodes are drawn as boxes with some size, not collapsed.
  const box = await svg.boundingBox();
  expect(box!.width).toBeGreaterThan(300);
  await expect(dialog.getByTestId('mermaid-source')).toContainText('flowchart LR', { useInnerText: false });
  await screenshot(page, '18-topology-flowchart');

  await dialog.getByTestId('dialog-topology-submit').click();
  await expect(dialog).toBeHidden();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied.startsWith('flowchart LR\n  subgraph cluster["Kafka cluster')).toBe(true);
  expect(copied).toContain('Consumer billing-1');
});
