/**
 * Journey: a person makes a consumer-protocol group (group.protocol=consumer, KIP-848)
 * next to the classic `billing` group, adds a second consumer to it, and watches the
 * incremental rebalance in the inspector: the group epoch is bumped, the new member waits
 * for partitions the first one still owns, the first one revokes them on its next
 * heartbeat without stopping, and both end at the same member epoch.
 */
import { expect, openPlayground, screenshot, setSpeed, test } from './fixtures';

test('a consumer-protocol group rebalances member by member, with epochs in the inspector', async ({ page }) => {
  await openPlayground(page);
  // Start from the classic group's inspector and add a consumer to a new group, on the consumer protocol.
  await page.getByTestId('group-billing').getByRole('button', { name: /Consumer group billing/ }).click();
  const inspector = page.getByTestId('inspector-group');
  await expect(inspector.getByTestId('group-protocol')).toHaveText('classic');
  await inspector.getByTestId('cmd-consumer.add').click();
  let dialog = page.getByTestId('dialog-add-consumer');
  await dialog.getByTestId('consumer-group').fill('kip848');
  await expect(dialog.getByTestId('consumer-id')).toHaveValue('kip848-1');
  await dialog.getByTestId('consumer-group-protocol').selectOption('consumer');
  await expect(dialog.getByTestId('consumer-remote-assignor')).toHaveValue('uniform');
  await dialog.getByTestId('dialog-add-consumer-submit').click();

  // The new group: consumer protocol, one member that owns every partition at epoch 1.
  const group = page.getByTestId('group-kip848');
  await expect(group).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('group-protocol-kip848')).toHaveText('consumer');
  // Edges of the small diagram can lie over the new group's header: select it from the keyboard.
  await group.getByRole('button', { name: /Consumer group kip848/ }).press('Enter');
  await expect(inspector.getByTestId('group-protocol')).toHaveText('consumer');
  await expect(inspector.getByTestId('group-state')).toHaveText('Stable', { timeout: 30_000 });
  await expect(inspector.getByTestId('group-epoch')).toHaveText('1');
  await expect(inspector.getByTestId('group-target-epoch')).toHaveText('1');
  const first = inspector.getByTestId('member-epoch-row-kip848-1');
  await expect(first.getByTestId('member-epoch')).toHaveText('1');
  await expect(first.getByTestId('member-assigned')).toHaveText('orders-0, orders-1, orders-2');

  // A second member: the dialog opened from this group already says consumer protocol.
  await inspector.getByTestId('cmd-consumer.add').click();
  dialog = page.getByTestId('dialog-add-consumer');
  await expect(dialog.getByTestId('consumer-id')).toHaveValue('kip848-2');
  await expect(dialog.getByTestId('consumer-group-protocol')).toHaveValue('consumer');
  await dialog.getByTestId('dialog-add-consumer-submit').click();

  // The incremental rebalance: epoch 2, target computed; the newcomer waits for a partition
  // (pending) while the first member still owns it or is revoking it; the group reconciles.
  await expect(inspector.getByTestId('group-epoch')).toHaveText('2', { timeout: 30_000 });
  const second = inspector.getByTestId('member-epoch-row-kip848-2');
  await expect(second).toBeVisible();
  await expect
    .poll(
      async () => {
        const state = await inspector.getByTestId('group-state').innerText();
        const pending = await second.getByTestId('member-pending').innerText();
        const secondState = await second.getByTestId('member-state').innerText();
        return { state, waiting: pending !== '–' || secondState === 'UNRELEASED_PARTITIONS' };
      },
      { timeout: 30_000 },
    )
    .toEqual({ state: 'Reconciling', waiting: true });
  await screenshot(page, '21-kip848-reconciling');

  // Then both are STABLE at epoch 2 and the partitions are split, none owned twice.
  await setSpeed(page, 5);
  await expect(inspector.getByTestId('group-state')).toHaveText('Stable', { timeout: 40_000 });
  await expect(first.getByTestId('member-epoch')).toHaveText('2');
  await expect(second.getByTestId('member-epoch')).toHaveText('2');
  await expect(first.getByTestId('member-state')).toHaveText('STABLE');
  await expect(second.getByTestId('member-state')).toHaveText('STABLE');
  const a = (await first.getByTestId('member-assigned').innerText()).split(', ');
  const b = (await second.getByTestId('member-assigned').innerText()).split(', ');
  expect([...a, ...b].sort()).toEqual(['orders-0', 'orders-1', 'orders-2']);
  expect(b.length).toBeGreaterThan(0);
  await expect(page.getByTestId('event').filter({ hasText: /the uniform assignor computed the target assignment for epoch 2/ }).first()).toBeVisible();
  // The classic group next to it is untouched.
  await expect(page.getByTestId('group-generation-billing')).toHaveText(/gen \d+/);
  await setSpeed(page, 1);
  await screenshot(page, '21-kip848-stable');
});
