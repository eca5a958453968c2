/**
 * Journey: the playground at 800 × 600. The inspector and the event log are drawers: the
 * diagram has the window; selecting a broker slides its inspector in, readable and inside
 * the window; Escape closes it; the Events button opens the log. At 1280 × 720 the panels
 * stay in the frame and there are no drawer buttons; the event log sits under the inspector
 * there, so the diagram has the height and the default scenario's replica rows are readable.
 * In wide windows, tall or short, a toast sits over the event log, never over the diagram.
 */
import { boxesOverlap, expect, openPlayground, screenshot, selectBroker, test } from './fixtures';

test.use({ viewport: { width: 800, height: 600 } });

test('at 800 px the side panels are drawers: a broker inspector and the event log open over the diagram', async ({ page }) => {
  await openPlayground(page);
  const inspector = page.getByTestId('inspector');
  const log = page.getByTestId('event-log');
  await expect(inspector).toBeHidden();
  await expect(log).toBeHidden();
  // The diagram has the whole width.
  const diagram = (await page.getByTestId('diagram').boundingBox())!;
  expect(diagram.width).toBeGreaterThan(780);
  await screenshot(page, '16-narrow-closed');

  await selectBroker(page, 1);
  const broker = page.getByTestId('inspector-broker');
  await expect(broker).toContainText('Broker 1');
  await expect(page.getByTestId('drawer-inspector')).toHaveAttribute('aria-expanded', 'true');
  // Inside the window, not pushed off its right edge.
  await expect.poll(async () => {
    const box = (await inspector.boundingBox())!;
    return box.x >= 0 && box.x + box.width <= 800 + 0.5;
  }).toBe(true);
  // Below the toolbar (two rows at this width), never over its menus: it opens at --toolbar-height.
  const toolbarBox = (await page.locator('header.toolbar').boundingBox())!;
  await expect.poll(async () => Math.abs((await inspector.boundingBox())!.y - (toolbarBox.y + toolbarBox.height))).toBeLessThanOrEqual(1);
  await screenshot(page, '16-narrow-inspector');

  await page.keyboard.press('Escape');
  await expect(inspector).toBeHidden();

  await page.getByTestId('drawer-log').click();
  await expect(log).toBeVisible();
  await expect(log.getByTestId('event').first()).toBeVisible();
  await expect.poll(async () => {
    const box = (await log.boundingBox())!;
    return box.y >= 0 && box.y + box.height <= 600 + 0.5 && box.width <= 800 + 0.5;
  }).toBe(true);
  await screenshot(page, '16-narrow-events');
  await page.getByTestId('drawer-log').click();
  await expect(log).toBeHidden();
});

test('at 1280 px the inspector and the event log stay in the frame, without drawer buttons', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await openPlayground(page);
  await expect(page.getByTestId('inspector')).toBeVisible();
  await expect(page.getByTestId('event-log')).toBeVisible();
  await expect(page.getByTestId('drawer-inspector')).toBeHidden();
  const box = (await page.getByTestId('inspector').boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(1280.5);
  await screenshot(page, '16-wide');
});

test('at 1280 × 720 the event log sits under the inspector, the replica rows are readable and no label covers the group title', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await openPlayground(page);
  const inspector = page.getByTestId('inspector');
  const log = page.getByTestId('event-log');
  await expect(log.getByTestId('event').first()).toBeVisible();
  const box = async (id: string) => (await page.getByTestId(id).boundingBox())!;
  // The log shares the inspector's column, below it; the diagram keeps the height between the toolbar and the timeline.
  const ins = await box('inspector');
  const lg = await box('event-log');
  expect(Math.abs(lg.x - ins.x)).toBeLessThan(1);
  expect(lg.y).toBeGreaterThanOrEqual(ins.y + ins.height - 1);
  const diagram = await box('diagram');
  expect(diagram.height).toBeGreaterThan(520);
  // Every replica row of the default scenario is drawn, inside the diagram, its offsets at 8 px or more on screen.
  const rows = page.locator('[data-testid^="replica-orders-"]');
  await expect(rows).toHaveCount(9);
  await expect
    .poll(async () =>
      page.evaluate(() => {
        const vp = document.querySelector('.react-flow__viewport');
        const scale = vp ? new DOMMatrix(getComputedStyle(vp).transform).a : 0;
        const sizes = [...document.querySelectorAll('.replica-offsets')].map((e) => parseFloat(getComputedStyle(e).fontSize) * scale);
        return sizes.length === 9 ? Math.min(...sizes) : 0;
      }),
    )
    .toBeGreaterThanOrEqual(8);
  for (const r of await rows.all()) {
    const b = (await r.boundingBox())!;
    expect(b.x).toBeGreaterThanOrEqual(diagram.x);
    expect(b.y).toBeGreaterThanOrEqual(diagram.y);
    expect(b.x + b.width).toBeLessThanOrEqual(diagram.x + diagram.width);
    expect(b.y + b.height).toBeLessThanOrEqual(diagram.y + diagram.height);
  }
  // The consumers' records-lag labels sit below the group's title, none over another.
  const overlaps = await page.evaluate(() => {
    const boxes = (sel: string) => [...document.querySelectorAll(sel)].map((e) => e.getBoundingClientRect());
    const cross = (a: DOMRect, b: DOMRect) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
    const labels = boxes('.edge-label-consumption');
    const titles = [...boxes('.group-header .node-title'), ...boxes('.group-header .badge')];
    let n = 0;
    labels.forEach((l, i) => {
      n += titles.filter((t) => cross(l, t)).length;
      n += labels.slice(i + 1).filter((m) => cross(l, m)).length;
    });
    return { labels: labels.length, n };
  });
  expect(overlaps).toEqual({ labels: 3, n: 0 });
  // The storage chip sits at the log's foot, not over the diagram.
  const chip = await box('storage-status');
  expect(chip.x).toBeGreaterThanOrEqual(lg.x);
  expect(chip.y + chip.height).toBeLessThanOrEqual(lg.y + lg.height + 1);
  // ... under the list's last visible line, not over a line of it.
  const list = (await log.locator('.event-list').boundingBox())!;
  expect(chip.y).toBeGreaterThanOrEqual(list.y + list.height);
  await screenshot(page, '16-short-wide');
  // Hiding the log gives its room to the inspector; showing it brings it back.
  await log.getByRole('button', { name: 'Hide' }).click();
  await expect(log.getByTestId('event')).toHaveCount(0);
  await expect.poll(async () => (await box('inspector')).height).toBeGreaterThan(ins.height + 150);
  const chipHidden = await box('storage-status');
  expect(chipHidden.x).toBeGreaterThanOrEqual(lg.x);
  await log.getByRole('button', { name: 'Show' }).click();
  await expect(log.getByTestId('event').first()).toBeVisible();
  await expect.poll(async () => Math.round((await box('inspector')).height)).toBe(Math.round(ins.height));
});

for (const [width, height] of [
  [1280, 720],
  [1440, 900],
] as const) {
  test(`at ${width} × ${height} a toast sits over the event log, not over the diagram`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await openPlayground(page);
    await page.getByTestId('toolbar-produce').click();
    const dialog = page.getByTestId('dialog-produce');
    await dialog.getByTestId('produce-key').fill('order-5');
    await dialog.getByTestId('dialog-produce-submit').click();
    const toast = page.getByTestId('toast').filter({ hasText: 'record with key "order-5" acknowledged' });
    await expect(toast).toBeVisible();
    const t = (await toast.boundingBox())!;
    const log = (await page.getByTestId('event-log').boundingBox())!;
    const diagram = (await page.getByTestId('diagram').boundingBox())!;
    // Inside the log's box ...
    expect(t.x).toBeGreaterThanOrEqual(log.x);
    expect(t.x + t.width).toBeLessThanOrEqual(log.x + log.width + 0.5);
    expect(t.y).toBeGreaterThanOrEqual(log.y);
    expect(t.y + t.height).toBeLessThanOrEqual(log.y + log.height + 0.5);
    // ... and clear of the diagram's.
    expect(boxesOverlap(t, diagram)).toBe(false);
    // Not under the storage chip either.
    const chip = (await page.getByTestId('storage-status').boundingBox())!;
    expect(boxesOverlap(chip, t)).toBe(false);
    // Its button's words are readable: dark on the white button (they were white on white).
    const button = toast.getByRole('button', { name: 'Show in log' });
    const colours = await button.evaluate((b) => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]);
    expect(colours[0]).not.toBe(colours[1]);
    expect(colours[0]).not.toBe('rgb(255, 255, 255)');
    await screenshot(page, `16-toast-${width}x${height}`);
  });
}
