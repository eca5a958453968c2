/**
 * Journey: the sequence diagram fits its dialog. However wide Mermaid draws it, the picture
 * is scaled to the dialog's width inside the window and scrolls inside when tall; "Actual
 * size" shows it unscaled; Escape closes the dialog and focus goes back to the button that
 * opened it.
 */
import { expect, openPlayground, screenshot, test } from './fixtures';

test('the sequence diagram fits its dialog and Escape closes it, returning focus', async ({ page }) => {
  await openPlayground(page);
  // The group's first rebalance makes enough events to draw.
  await expect(page.getByTestId('event').first()).toBeVisible();
  const opener = page.getByTestId('events-sequence');
  await opener.click();
  const dialog = page.getByTestId('dialog-sequence');
  const view = dialog.getByTestId('mermaid-view');
  const svg = view.locator('svg');
  await expect(svg).toBeVisible({ timeout: 30_000 });

  const viewport = page.viewportSize()!;
  const d = (await dialog.boundingBox())!;
  expect(d.x).toBeGreaterThanOrEqual(0);
  expect(d.x + d.width).toBeLessThanOrEqual(viewport.width);
  expect(d.y + d.height).toBeLessThanOrEqual(viewport.height);
  // Scaled to the view's width: no sideways scrolling.
  const fit = await view.evaluate((el) => ({ client: el.clientWidth, scroll: el.scrollWidth, svg: el.querySelector('svg')!.getBoundingClientRect().width }));
  expect(fit.scroll).toBeLessThanOrEqual(fit.client + 1);
  expect(fit.svg).toBeLessThanOrEqual(fit.client + 1);
  await screenshot(page, '15-sequence-fit');

  // Actual size: as wide as Mermaid drew it, scrolling inside the dialog.
  await dialog.getByTestId('mermaid-size').click();
  await expect(dialog.getByTestId('mermaid-size')).toHaveText('Fit to width');
  const natural = await view.evaluate((el) => el.querySelector('svg')!.getBoundingClientRect().width);
  // Fitted means: shrunk to the view's width when wider, never enlarged.
  expect(fit.svg).toBeGreaterThanOrEqual(Math.min(natural, fit.client - 20) - 1);
  expect(fit.svg).toBeLessThanOrEqual(natural + 1);
  expect((await dialog.boundingBox())!.width).toBeCloseTo(d.width, 0);

  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
});
