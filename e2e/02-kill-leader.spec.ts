/**
 * Journey: kill the broker that leads orders-0. The controller fences it, elects a new
 * leader from the ISR with a higher leader epoch, and the ISR shrinks.
 */
import { diagramLeader, expect, openPlayground, partitionFields, screenshot, selectPartition, setSpeed, test } from './fixtures';

test('killing the leader’s broker elects a new leader with a higher epoch and shrinks the ISR', async ({ page }) => {
  await openPlayground(page);
  const leader = await diagramLeader(page, 'orders-0');
  await selectPartition(page, 'orders-0', leader);
  const before = await partitionFields(page);
  expect(before.leader).toBe(leader);
  expect(before.isr).toHaveLength(3);

  // From the diagram's context menu, as a user would.
  await page.getByTestId(`replica-orders-0-b${leader}`).click({ button: 'right' });
  const menu = page.getByTestId('context-menu');
  await expect(menu).toBeVisible();
  await menu.getByRole('menuitem', { name: `Kill the leader's broker (${leader})` }).click();
  await expect(page.getByTestId(`broker-${leader}`)).toHaveAttribute('data-status', 'down');
  await expect(page.getByTestId(`broker-${leader}`).getByText('down', { exact: true })).toBeVisible();

  // Fencing waits for broker.session.timeout.ms: let the clock run faster.
  await setSpeed(page, 10);
  await expect.poll(async () => (await partitionFields(page)).leader, { timeout: 30_000 }).not.toBe(leader);
  const after = await partitionFields(page);
  expect(after.leader).toBeGreaterThan(0);
  expect(after.epoch).toBeGreaterThan(before.epoch);
  expect(after.isr).not.toContain(leader);
  expect(after.isr.length).toBeLessThan(before.isr.length);
  expect(await diagramLeader(page, 'orders-0')).toBe(after.leader);
  await expect(page.getByTestId(`replica-orders-0-b${leader}`)).toHaveAttribute('data-role', 'offline');

  // The event log says it in words, and clicking the line selects the partition.
  const line = page.getByTestId('event').filter({ hasText: `orders-0: leader is now broker ${after.leader} (epoch ${after.epoch})` });
  await expect(line.first()).toBeVisible();
  await expect(page.getByTestId('event').filter({ hasText: `Broker ${leader} is down` }).first()).toBeVisible();
  await setSpeed(page, 1);
  await screenshot(page, '02-leader-killed');
});
