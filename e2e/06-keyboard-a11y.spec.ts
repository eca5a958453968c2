/**
 * Journey: a keyboard user. Every control has an accessible name, Tab reaches the
 * toolbar and the diagram's things, focus is visible, shortcuts from the command registry
 * work, dialogs open and close from the keyboard, and the page fits 1280x720.
 */
import { expect, openPlayground, screenshot, test } from './fixtures';

test('every control is named, reachable and visibly focused; the page fits 1280x720', async ({ page }) => {
  await openPlayground(page);

  const unnamed = await page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('button, select, input, textarea, [role="menuitem"]')) {
      if (el.offsetParent === null) continue;
      const labelled = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.getAttribute('title');
      const text = el.textContent?.trim();
      const label = (el as HTMLInputElement).labels?.length;
      if (!labelled && !text && !label) out.push(el.outerHTML.slice(0, 120));
    }
    return out;
  });
  expect(unnamed).toEqual([]);

  // No horizontal scrolling at 1280x720.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  // Tab from the start of the page reaches Play/Pause, then a broker in the diagram.
  const blur = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await blur();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('play-pause')).toBeFocused();
  const outline = await page.getByTestId('play-pause').evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
  let reached = false;
  for (let i = 0; i < 30 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.getAttribute('aria-label')?.startsWith('Broker 1') ?? false);
  }
  expect(reached).toBe(true);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('inspector-broker')).toContainText('Broker 1');

  // Shortcuts come from the command registry: Space pauses, "t" opens Create topic.
  await blur();
  await page.keyboard.press(' ');
  await expect(page.getByTestId('play-pause')).toHaveAttribute('aria-label', 'Play');
  await page.keyboard.press('t');
  const dialog = page.getByTestId('dialog-create-topic');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('topic-name')).toBeFocused();
  await page.keyboard.type('payments');
  await screenshot(page, '06-create-topic-dialog');
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await page.getByTestId('step').click();
  await expect(page.getByTestId('event').filter({ hasText: 'Topic payments created: 3 partitions, RF 3' }).first()).toBeVisible();
  await expect(page.locator('[data-partition="payments-2"]')).toHaveCount(3);

  // The toolbar menu opens from the keyboard and Escape returns focus to its button.
  await page.getByTestId('menu-cluster').focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem').first()).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('menu-cluster')).toBeFocused();
});
