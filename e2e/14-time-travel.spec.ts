/**
 * Journey: time travel. Kill the leader of orders-0, let the cluster fail over, restart
 * the broker; then scrub back on the timeline to the kill and see the dead leader as it
 * was (broker down, still the leader: not fenced yet), with nothing later in the event log;
 * fork from there with another action (the old future goes), and undo brings it back.
 */
import { clockMs, diagramLeader, expect, openPlayground, partitionFields, pause, screenshot, selectBroker, selectPartition, setSpeed, test } from './fixtures';

test('scrub back to a broker kill, see the dead leader as it was, fork with another action, undo', async ({ page }) => {
  await openPlayground(page);
  const leader = await diagramLeader(page, 'orders-0');
  await selectBroker(page, leader);
  await page.keyboard.press('k');
  await expect(page.getByTestId(`broker-${leader}`)).toHaveAttribute('data-status', 'down');
  await setSpeed(page, 25);
  // Fenced after broker.session.timeout.ms: a new leader.
  await expect.poll(() => diagramLeader(page, 'orders-0'), { timeout: 30_000 }).not.toBe(leader);
  await page.keyboard.press('r');
  await expect(page.getByTestId(`broker-${leader}`)).toHaveAttribute('data-status', 'up');
  await pause(page);
  await setSpeed(page, 1);

  const track = page.getByTestId('timeline-track');
  const end = Number(await track.getAttribute('aria-valuemax'));
  expect(end).toBeGreaterThan(9000);
  const kill = page.locator(`[data-testid="tl-marker"][data-kind="action"][title*="Kill broker ${leader}"]`);
  await expect(kill).toHaveCount(1);
  const killAt = Number(await kill.getAttribute('data-at'));
  await screenshot(page, '14-timeline-before-scrub');

  // Press the kill's marker: the whole UI shows that moment, paused.
  await kill.click();
  await expect(page.getByTestId('clock')).toHaveAttribute('data-ms', String(killAt));
  await expect(track).toHaveAttribute('aria-valuenow', String(killAt));
  await expect(page.getByTestId('play-pause')).toHaveAttribute('aria-label', 'Play');
  await expect(page.getByTestId(`broker-${leader}`)).toHaveAttribute('data-status', 'down');
  // Not fenced yet at that moment: the dead broker is still the partition's leader, offline on the diagram.
  await expect(page.getByTestId(`replica-orders-0-b${leader}`)).toHaveAttribute('data-role', 'offline');
  await selectPartition(page, 'orders-0', leader);
  expect((await partitionFields(page)).leader).toBe(leader);
  await expect(page.getByTestId('event').filter({ hasText: `Broker ${leader} is down` }).first()).toBeVisible();
  // Nothing after that moment is in the event log: the fencing 9 s later has not happened.
  await expect(page.getByTestId('event').filter({ hasText: `Controller fenced broker ${leader}` })).toHaveCount(0);
  const times = await page.getByTestId('event').locator('time').allInnerTexts();
  expect(times.length).toBeGreaterThan(3);
  expect(times.every((t) => Number(t.replace(' s', '')) * 1000 <= killAt)).toBe(true);
  await expect(page.getByTestId('tl-status')).toContainText('An action taken here replaces what came after it');
  await screenshot(page, '14-scrubbed-to-kill');

  // Keyboard: the track is a slider; Left steps back 100 ms, Shift+Right goes to the next event.
  await track.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('clock')).toHaveAttribute('data-ms', String(killAt - 100));
  await expect(page.getByTestId(`broker-${leader}`)).toHaveAttribute('data-status', 'up');
  await page.keyboard.press('Shift+ArrowRight');
  await expect.poll(() => clockMs(page)).toBeGreaterThan(killAt - 100);

  // Fork: back to the kill, and restart the broker at once instead of waiting.
  await kill.click();
  await expect(page.getByTestId('clock')).toHaveAttribute('data-ms', String(killAt));
  await selectBroker(page, leader);
  await page.keyboard.press('r');
  await expect(page.getByTestId(`broker-${leader}`)).toHaveAttribute('data-status', 'up');
  await expect(track).toHaveAttribute('aria-valuemax', String(killAt + 1));
  // The old future is gone from the timeline: no marker after the fork.
  const later = await page.locator('[data-testid="tl-marker"]').evaluateAll((els, at) => els.filter((e) => Number(e.getAttribute('data-at')) > at).length, killAt + 1);
  expect(later).toBe(0);
  // The restart is drawn at the fork (1 ms after the kill: one mark on the bar counts both).
  await expect(page.locator(`[data-testid="tl-marker"][data-kind="action"][data-at="${killAt}"]`)).toHaveAttribute('title', /and 1 more here/);
  await screenshot(page, '14-forked');

  // Undo: the branch that was there comes back, shown at the moment of the fork.
  await expect(page.getByTestId('tl-undo')).toBeEnabled();
  await page.keyboard.press('Control+z');
  await expect(track).toHaveAttribute('aria-valuemax', String(end));
  await expect(page.getByTestId('clock')).toHaveAttribute('data-ms', String(killAt));
  await expect(page.getByTestId(`broker-${leader}`)).toHaveAttribute('data-status', 'down');
  await expect(page.getByTestId('tl-redo')).toBeEnabled();
  // The menu lists the time commands with their keys.
  await page.getByTestId('menu-time').click();
  await expect(page.getByTestId('menu-time.redo')).toBeEnabled();
  await expect(page.getByTestId('menu-time.stepBack')).toContainText(',');
  await page.keyboard.press('Escape');
});
