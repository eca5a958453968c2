/**
 * Journey: a teacher opens a built-in lesson from the Scenario menu. The run is replaced by
 * the lesson's cluster, its text shows in the panel (Markdown rendered as text, numbered
 * steps as a list), and the lesson plays out: the acknowledged acks=1 record is lost.
 * Playback pauses at each of the lesson's chapters; the panel shows what to look at then
 * (checked against the diagram), and Next goes on to the following one.
 */
import { expect, openPlayground, screenshot, setSpeed, test } from './fixtures';

test('a lesson opens from the Scenario menu, explains itself and plays out', async ({ page }) => {
  await openPlayground(page);
  await page.getByTestId('menu-scenario').click();
  await page.getByTestId('menu-lesson.acks-1-loses-acknowledged-writes').click();

  const overview = page.getByTestId('inspector-overview');
  await expect(overview.getByRole('heading', { level: 2 })).toHaveText('acks=1 can lose acknowledged writes');
  // The steps are a numbered list; code spans are code, not backticks.
  await expect(overview.locator('> .markdown ol > li')).toHaveCount(4);
  await expect(overview.locator('code').filter({ hasText: 'acks=1' }).first()).toBeVisible();
  await expect(overview).not.toContainText('**');
  await expect(overview).not.toContainText('# acks=1');
  // The lesson's cluster: one producer p, no consumer group, the default topic gone.
  await expect(page.getByTestId('producer-p')).toBeVisible();
  await expect(page.getByTestId('producer-checkout')).toHaveCount(0);
  await expect(page.getByTestId('group-billing')).toHaveCount(0);

  // Chapter 1: paused at 4.010 s, the acknowledged record only on broker 1.
  const now = page.getByTestId('chapter-now');
  await expect(now).toContainText('Chapter 1 of 4', { timeout: 30_000 });
  await expect(page.getByTestId('clock')).toHaveAttribute('data-ms', '4010');
  await expect(page.getByTestId('play-pause')).toHaveAttribute('aria-label', 'Play');
  await expect(now).toContainText('acked 1 of 1');
  await expect(page.getByTestId('producer-p')).toContainText('acked 1 of 1');
  await expect(page.getByTestId('replica-t-0-b1')).toHaveAttribute('data-leo', '1');
  await expect(page.getByTestId('replica-t-0-b2')).toHaveAttribute('data-leo', '0');
  await screenshot(page, '10-lesson-chapter-1');
  await setSpeed(page, 10);
  // Next: broker 1 dies (chapter 2), then the controller elects broker 2 (chapter 3), then the truncation (chapter 4).
  await page.getByTestId('chapter-next').click();
  await expect(now).toContainText('Chapter 2 of 4');
  await expect(page.getByTestId('broker-1')).toHaveAttribute('data-status', 'down');
  await page.getByTestId('chapter-next').click();
  await expect(now).toContainText('Chapter 3 of 4', { timeout: 30_000 });
  await expect(page.getByTestId('replica-t-0-b2')).toHaveAttribute('data-role', 'leader');
  await page.getByTestId('chapter-next').click();
  await expect(now).toContainText('Chapter 4 of 4', { timeout: 30_000 });
  await expect(page.getByTestId('clock')).toHaveAttribute('data-ms', '30010');
  await expect(page.getByTestId('event').filter({ hasText: 't-0 on broker 1: log truncated from offset 1 to 0' }).first()).toBeVisible();
  await setSpeed(page, 1);
  await screenshot(page, '10-lesson');
});
