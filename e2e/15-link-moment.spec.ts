/**
 * Journey: a share link carries the moment and the selection. Copy share link at a paused
 * moment with a partition selected; the link opens in a fresh browser paused at that
 * moment, the partition selected, and a banner saying so with Play. A link whose &t= is
 * not a time still opens (from the start, playing) with a notice naming the bad value.
 */
import { expect, openPlayground, pause, selectPartition, screenshot, test } from './fixtures';

test('a link with &t= and &select= opens paused at that moment with that selection and a banner', async ({ page, browser }) => {
  // Three pages, one replaying 42 s of the run: on a starved 2-core machine that alone can take a minute.
  test.setTimeout(180_000);
  await openPlayground(page);
  await expect.poll(async () => Number(await page.getByTestId('clock').getAttribute('data-ms'))).toBeGreaterThan(1500);
  await pause(page);
  await selectPartition(page, 'orders-1', 1);
  const t = Number(await page.getByTestId('clock').getAttribute('data-ms'));
  await page.getByTestId('menu-scenario').click();
  await page.getByTestId('menu-scenario.share').click();
  await expect.poll(() => page.evaluate(() => location.hash)).toMatch(new RegExp(`^#scenario=[A-Za-z0-9_-]+&t=${t}&select=partition:orders:1$`));
  const url = page.url();

  // A fresh browser profile: nothing saved there, so the link opens at once.
  const context = await browser.newContext();
  const other = await context.newPage();
  const errors: string[] = [];
  other.on('pageerror', (e) => errors.push(e.message));
  other.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  // A later moment than the sender's: the run is replayed to it (in slices).
  const later = url.replace(`&t=${t}`, '&t=42300');
  await other.goto(later);
  const banner = other.getByTestId('shared-moment');
  await expect(banner).toContainText('at 42.3 s, paused');
  await expect(other.getByTestId('clock')).toHaveAttribute('data-ms', '42300');
  await expect(other.getByTestId('play-pause')).toHaveAttribute('aria-label', 'Play');
  await expect(other.getByTestId('inspector-partition')).toContainText('orders-1');
  await expect(other.getByTestId('timeline-track')).toHaveAttribute('aria-valuenow', '42300');
  // Still paused a moment later: nothing plays by itself.
  await expect(other.getByTestId('clock')).toHaveAttribute('data-ms', '42300');
  await screenshot(other, '15-link-opened-at-moment');
  await other.getByTestId('shared-moment-play').click();
  await expect(banner).toHaveCount(0);
  await expect.poll(async () => Number(await other.getByTestId('clock').getAttribute('data-ms'))).toBeGreaterThan(42300);
  expect(errors).toEqual([]);
  await context.close();

  // Bad values: the link still opens, from the start, and says what it ignored.
  const context2 = await browser.newContext();
  const third = await context2.newPage();
  await third.goto(url.replace(`&t=${t}`, '&t=soon').replace('select=partition:orders:1', 'select=broker:x'));
  // Both notices at once, in one wait (checked one after the other, the second could outlive
  // neither on a starved machine).
  await expect(third.getByTestId('toast')).toContainText([
    "The link's moment “t=soon” is not a time in milliseconds",
    'The link selects “broker:x”',
  ]);
  await expect(third.getByTestId('broker-1')).toBeVisible();
  await expect(third.getByTestId('play-pause')).toHaveAttribute('aria-label', 'Pause');
  await expect(third.getByTestId('shared-moment')).toHaveCount(0);
  await context2.close();
});
