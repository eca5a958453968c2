/**
 * Journey: a teacher opens a built-in lesson from the Scenario menu. The run is replaced by
 * the lesson's cluster, its text shows in the panel (Markdown rendered as text, numbered
 * steps as a list), and the lesson plays out: the acknowledged acks=1 record is lost.
 */
import { expect, openPlayground, screenshot, setSpeed, test } from './fixtures';

test('a lesson opens from the Scenario menu, explains itself and plays out', async ({ page }) => {
  await openPlayground(page);
  await page.getByTestId('menu-scenario').click();
  await page.getByTestId('menu-lesson.acks-1-loses-acknowledged-writes').click();

  const overview = page.getByTestId('inspector-overview');
  await expect(overview.getByRole('heading', { level: 2 })).toHaveText('acks=1 can lose acknowledged writes');
  // The steps are a numbered list; code spans are code, not backticks.
  await expect(overview.locator('ol > li')).toHaveCount(4);
  await expect(overview.locator('code').filter({ hasText: 'acks=1' }).first()).toBeVisible();
  await expect(overview).not.toContainText('**');
  await expect(overview).not.toContainText('# acks=1');
  // The lesson's cluster: one producer p, no consumer group, the default topic gone.
  await expect(page.getByTestId('producer-p')).toBeVisible();
  await expect(page.getByTestId('producer-checkout')).toHaveCount(0);
  await expect(page.getByTestId('group-billing')).toHaveCount(0);

  await setSpeed(page, 10);
  await expect(page.getByTestId('event').filter({ hasText: /truncat/i }).first()).toBeVisible({ timeout: 30_000 });
  await setSpeed(page, 1);
  await screenshot(page, '10-lesson');
});
