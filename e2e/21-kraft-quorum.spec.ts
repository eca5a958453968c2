/**
 * Journey: the KRaft controller quorum. A person kills the active controller from the
 * quorum panel on the diagram; the other voters elect another in a higher epoch, the panel
 * stars it, and the event log says so (QuorumLeaderResigned, QuorumLeaderElected).
 */
import { expect, openPlayground, screenshot, setSpeed, test } from './fixtures';

test('killing the active controller: another voter takes over in a higher epoch, on the diagram and in the event log', async ({ page }) => {
  await openPlayground(page);
  const panel = page.getByTestId('quorum-panel');
  await expect(panel).toBeVisible();
  // One line on the diagram; opened, each voter with its state, epoch and offsets.
  await page.getByTestId('quorum-summary').click();
  // The default quorum: three controller-only voters, 3000 active in epoch 1.
  await expect(page.getByTestId('voter-3000')).toHaveAttribute('data-active', 'true');
  await expect(page.getByTestId('voter-3000')).toHaveAttribute('data-state', 'leader');
  await expect(page.getByTestId('quorum-epoch')).toHaveText('1');
  const hwBefore = Number(await page.getByTestId('quorum-hw').textContent());

  await panel.getByRole('button', { name: 'Kill controller 3000' }).click();
  await expect(page.getByTestId('voter-3000')).toHaveAttribute('data-state', 'down');
  await expect(page.getByTestId('quorum-active')).toHaveText(/no active controller/);

  // The followers wait controller.quorum.fetch.timeout.ms (2 s), then vote: run faster.
  await setSpeed(page, 10);
  const newLeader = page.locator('[data-testid^="voter-"][data-active="true"]');
  await expect(newLeader).toHaveCount(1, { timeout: 30_000 });
  const id = Number((await newLeader.getAttribute('data-testid'))!.replace('voter-', ''));
  expect([3001, 3002]).toContain(id);
  await expect(newLeader).toHaveAttribute('data-state', 'leader');
  await expect.poll(async () => Number(await page.getByTestId('quorum-epoch').textContent())).toBeGreaterThan(1);
  await expect.poll(async () => Number(await page.getByTestId('quorum-hw').textContent())).toBeGreaterThan(hwBefore);
  await expect(page.getByTestId('quorum-active')).toHaveText(`active controller ${id}`);

  // The event log tells the failover in words.
  await expect(page.getByTestId('event').filter({ hasText: 'Controller 3000 stops leading epoch 1' }).first()).toBeVisible();
  await expect(page.getByTestId('event').filter({ hasText: new RegExp(`Controller ${id} elected quorum leader in epoch \\d+`) }).first()).toBeVisible();
  await expect(page.getByTestId('event').filter({ hasText: `Controller ${id} is the active controller` }).first()).toBeVisible();

  // Restarted, 3000 rejoins as a follower of the new epoch.
  await panel.getByRole('button', { name: 'Restart controller 3000' }).click();
  await expect(page.getByTestId('voter-3000')).toHaveAttribute('data-state', 'follower', { timeout: 30_000 });
  await setSpeed(page, 1);
  await screenshot(page, '21-kraft-quorum');
});
