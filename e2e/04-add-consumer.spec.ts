/**
 * Journey: add a third consumer to the billing group. The group rebalances to a higher
 * generation and the describe table (kafka-consumer-groups --describe) changes owners.
 */
import { expect, openPlayground, screenshot, setSpeed, test } from './fixtures';

async function owners(page: import('@playwright/test').Page): Promise<string[]> {
  // One read of the whole table: it re-renders with every snapshot, and a row read one by
  // one may be gone (or from another snapshot) by the time its cell is read.
  return page
    .getByTestId('group-describe')
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => ((tr as HTMLTableRowElement).cells[7]?.innerText ?? '').trim()));
}

test('adding a consumer rebalances the group and the lag table changes', async ({ page }) => {
  await openPlayground(page);
  await page.getByTestId('group-billing').getByRole('button', { name: /Consumer group billing/ }).click();
  const inspector = page.getByTestId('inspector-group');
  await expect(inspector.getByTestId('group-state')).toHaveText('Stable');
  const generation = Number(await inspector.getByTestId('group-generation').innerText());
  const ownersBefore = await owners(page);
  expect(new Set(ownersBefore)).toEqual(new Set(['billing-1', 'billing-2']));

  await inspector.getByTestId('cmd-consumer.add').click();
  const dialog = page.getByTestId('dialog-add-consumer');
  await expect(dialog.getByTestId('consumer-id')).toHaveValue('billing-3');
  await dialog.getByTestId('dialog-add-consumer-submit').click();

  await setSpeed(page, 5);
  await expect(page.getByTestId('consumer-billing-3')).toBeVisible();
  await expect
    .poll(async () => Number(await inspector.getByTestId('group-generation').innerText()), { timeout: 40_000 })
    .toBeGreaterThan(generation);
  await expect(inspector.getByTestId('group-state')).toHaveText('Stable', { timeout: 40_000 });
  await expect.poll(() => owners(page), { timeout: 40_000 }).toContain('billing-3');
  const ownersAfter = await owners(page);
  expect(ownersAfter).not.toEqual(ownersBefore);
  expect(new Set(ownersAfter).size).toBe(3);
  await expect(page.getByTestId('group-generation-billing')).toHaveText(`gen ${await inspector.getByTestId('group-generation').innerText()}`);
  await expect(page.getByTestId('event').filter({ hasText: /Group billing rebalanced to generation \d+ \(3 members\)/ }).first()).toBeVisible();
  await setSpeed(page, 1);
  await screenshot(page, '04-consumer-added');
});
